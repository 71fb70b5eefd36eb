// Field decoders shared by the generated message code. A failed check records
// the first violation (its OCPP-J error code and the field path) in `Decode`
// and the generated decoder returns null.
import { Json, K } from "../json/reader";
import { NO_TIME, parseTime } from "../json/time";
import { ErrorCode } from "../rpc/errors";

export { NO_TIME };
export const NO_INT: i32 = i32.MIN_VALUE;
export const NO_BOOL: i8 = -1;
export const NO_ENUM: i32 = -1;

export class DecodeState {
  bad: bool = false;
  code: ErrorCode = ErrorCode.GenericError;
  path: string = "";
  msg: string = "";
  get why(): string { return this.path.length ? this.path + ": " + this.msg : this.msg; }
}
export const Decode = new DecodeState();

export function resetDecode(): void { Decode.bad = false; Decode.path = ""; Decode.msg = ""; }

export function reject(code: ErrorCode, field: string, why: string): void {
  if (Decode.bad) return;
  Decode.bad = true; Decode.code = code; Decode.path = field; Decode.msg = why;
}

/** Prefixes the path of the recorded violation with the enclosing field (only on the error path). */
export function within(field: string): void {
  const p = Decode.path;
  Decode.path = p.length == 0 ? field : p.charCodeAt(0) == 0x5b ? field + p : field + "." + p;
}

export function isKind(j: Json, n: i32, k: K, field: string): bool {
  if (j.kindOf(n) == k) return true;
  const want = k == K.Obj ? "an object" : k == K.Arr ? "an array" : k == K.Str ? "a string" : "a number";
  reject(ErrorCode.TypeConstraintViolation, field, "must be " + want);
  return false;
}

/** Any JSON value, as its source text (strings keep their quotes). */
export function dAny(j: Json, n: i32): string {
  const q: u32 = j.kindOf(n) == K.Str ? 1 : 0;
  return String.UTF8.decodeUnsafe(j.base + unchecked(j.start[n]) - q, unchecked(j.len[n]) + 2 * q);
}

export function dStr(j: Json, n: i32, maxLen: i32, field: string): string {
  if (!isKind(j, n, K.Str, field)) return "";
  if (maxLen > 0 && j.codePoints(n) > maxLen) {
    reject(ErrorCode.PropertyConstraintViolation, field, "longer than " + maxLen.toString() + " characters");
    return "";
  }
  return j.str(n);
}

export function dInt(j: Json, n: i32, field: string, min: f64 = -Infinity, max: f64 = Infinity): i32 {
  if (j.kindOf(n) != K.Num || !j.isIntegral(n)) {
    reject(ErrorCode.TypeConstraintViolation, field, "must be an integer");
    return 0;
  }
  const v = j.num(n);
  if (v < <f64>i32.MIN_VALUE + 1 || v > <f64>i32.MAX_VALUE) {
    reject(ErrorCode.PropertyConstraintViolation, field, "out of the 32-bit integer range");
    return 0;
  }
  if (v < min || v > max) { reject(ErrorCode.PropertyConstraintViolation, field, "out of range"); return 0; }
  return <i32>v;
}

export function dNum(j: Json, n: i32, field: string): f64 {
  if (!isKind(j, n, K.Num, field)) return 0;
  return j.num(n);
}

export function dBool(j: Json, n: i32, field: string): bool {
  const k = j.kindOf(n);
  if (k == K.True) return true;
  if (k != K.False) reject(ErrorCode.TypeConstraintViolation, field, "must be a boolean");
  return false;
}

export function badEnum(): void {
  reject(ErrorCode.PropertyConstraintViolation, "", "value not allowed");
}

export function dTime(j: Json, n: i32, field: string): i64 {
  if (!isKind(j, n, K.Str, field)) return 0;
  const t = parseTime(j.base + unchecked(j.start[n]), <i32>unchecked(j.len[n]));
  if (t == NO_TIME) reject(ErrorCode.FormatViolation, field, "not an RFC 3339 date-time");
  return t;
}

/** Checks an array node and its length bounds; returns its element count. */
export function dArr(j: Json, n: i32, minItems: i32, maxItems: i32, field: string): i32 {
  if (!isKind(j, n, K.Arr, field)) return 0;
  let c = 0;
  for (let e = j.first(n); e; e = j.nextIn(n, e)) c++;
  if (c < minItems || (maxItems > 0 && c > maxItems)) {
    reject(ErrorCode.OccurrenceConstraintViolation, field, "has " + c.toString() + " items");
  }
  return c;
}

export function missing(field: string): void {
  reject(ErrorCode.OccurrenceConstraintViolation, field, "required");
}

export function unknownKey(j: Json, k: i32, field: string): void {
  reject(ErrorCode.PropertyConstraintViolation, field.length ? field + "." + j.str(k) : j.str(k), "not allowed");
}

export function duplicateKey(j: Json, k: i32, field: string): void {
  reject(ErrorCode.OccurrenceConstraintViolation, field.length ? field + "." + j.str(k) : j.str(k), "given twice");
}
