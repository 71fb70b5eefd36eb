// The table-driven codec: validates a payload on the JSON tape against the generated schema tables
// (assembly/generated/ocpp.ts), and reads names and enum values from the generated UTF-8 blob. A handler
// reads a validated payload straight from the tape; nothing is decoded into objects.
import { Json, K } from "../json/reader";
import { Writer } from "../json/writer";
import { NAMES, ENUMS, TYPES, ACTION_NAMES, ACTION_COUNT, REQUEST_TYPES, RESPONSE_TYPES, Action, P } from "../generated/ocpp";
import { parseTime, NO_TIME } from "../json/time";
import { ErrorCode } from "../rpc/errors";
import { reject, within } from "./codec";
import { sameBytes } from "../core/bytes";

const OBJ: u32 = 1, ARR: u32 = 2, STR: u32 = 3, INT: u32 = 4, NUM: u32 = 5, BOOL: u32 = 6, ENUM: u32 = 7, TIME: u32 = 8;
const REQUIRED: u32 = 0x80000000;

@inline function word(t: u32): u32 { return load<u32>(TYPES + (<usize>t << 2)); }
@inline export function namePtr(ref: u32): usize { return NAMES + <usize>(ref >> 8); }
@inline export function nameLen(ref: u32): i32 { return <i32>(ref & 0xff); }
export function nameStr(ref: u32): string { return String.UTF8.decodeUnsafe(namePtr(ref), nameLen(ref)); }

/** The ref of value v's name in enum table e. */
@inline export function enumRef(e: u32, v: i32): u32 { return load<u32>(ENUMS + ((<usize>e + 1 + <usize>v) << 2)); }
/** The name of value v of the enum whose table is e (an E member). */
export function enumName(e: u32, v: i32): string { return nameStr(enumRef(e, v)); }

export function actionRef(a: Action): u32 { return load<u32>(ACTION_NAMES + (<usize>a << 2)); }
export function actionName(a: Action): string { return nameStr(actionRef(a)); }
/** The Action a string node names, or -1. */
export function actionOf(j: Json, n: i32): i32 {
  const esc = j.escaped(n), p = j.ptr(n), l = j.byteLen(n);
  for (let i = 0; i < ACTION_COUNT; i++) {
    const r = actionRef(<Action>i);
    if (esc ? nameIs(j, n, r) : is(p, l, r)) return i;
  }
  return -1;
}
export function requestType(a: Action): u32 { return load<u32>(REQUEST_TYPES + (<usize>a << 2)); }
export function responseType(a: Action): u32 { return load<u32>(RESPONSE_TYPES + (<usize>a << 2)); }

/** Whether string node n equals the name ref (escapes in n resolved). */
export function nameIs(j: Json, n: i32, ref: u32): bool { return j.isBytes(n, namePtr(ref), nameLen(ref)); }

/** Whether the unescaped bytes (p, l), read once by a caller that compares them with many names, are the name ref. */
@inline function is(p: usize, l: i32, ref: u32): bool { return nameLen(ref) == l && sameBytes(p, namePtr(ref), l); }

// ---- reading a validated payload ----

/** The value node of key `ref` in object o, or 0 when absent. */
export function field(j: Json, o: i32, ref: u32): i32 {
  for (let k = j.first(o); k; k = j.nextKey(o, k)) {
    if (j.escaped(k) ? nameIs(j, k, ref) : is(j.ptr(k), j.byteLen(k), ref)) return k + 1;
  }
  return 0;
}
/** Index of a (validated) enum string node in table e. */
export function enumOf(j: Json, n: i32, e: u32): i32 {
  const c = <i32>load<u32>(ENUMS + (<usize>e << 2));
  const esc = j.escaped(n), p = j.ptr(n), l = j.byteLen(n);
  for (let i = 0; i < c; i++) if (esc ? nameIs(j, n, enumRef(e, i)) : is(p, l, enumRef(e, i))) return i;
  return -1;
}
/** An optional enum field: its index, or -1 when absent. */
export function enumField(j: Json, o: i32, ref: u32, e: u32): i32 { const n = field(j, o, ref); return n ? enumOf(j, n, e) : -1; }
/** An optional integer field, or `absent`. */
export function intField(j: Json, o: i32, ref: u32, absent: i32 = i32.MIN_VALUE): i32 {
  const n = field(j, o, ref); return n ? <i32>j.num(n) : absent;
}
export function strField(j: Json, o: i32, ref: u32): string | null { const n = field(j, o, ref); return n ? j.str(n) : null; }
export function timeField(j: Json, o: i32, ref: u32): i64 { const n = field(j, o, ref); return n ? parseTime(j.ptr(n), j.byteLen(n)) : NO_TIME; }
/** Number of elements of an array node. */
export function count(j: Json, a: i32): i32 { let c = 0; for (let e = j.first(a); e; e = j.nextIn(a, e)) c++; return c; }

// ---- validation ----

function kindIs(j: Json, n: i32, k: K): bool {
  if (j.kindOf(n) == k) return true;
  const want = k == K.Obj ? "an object" : k == K.Arr ? "an array" : k == K.Str ? "a string" : "a number";
  reject(ErrorCode.TypeConstraintViolation, "", "must be " + want);
  return false;
}

/** Checks node n against schema type t; on the first violation records it (code and path) and returns false. */
export function check(j: Json, n: i32, t: u32): bool {
  const w0 = word(t), kind = w0 & 0xff;
  if (kind == OBJ) {
    if (!kindIs(j, n, K.Obj)) return false;
    const np = w0 >>> 16, strict = (w0 >> 8) & 1;
    let seen: u32 = 0;
    for (let key = j.first(n); key; key = j.nextKey(n, key)) {
      let i: u32 = 0;
      if (j.escaped(key)) while (i < np && !nameIs(j, key, word(t + 1 + 2 * i))) i++;
      else {
        const p = j.ptr(key), l = j.byteLen(key);
        while (i < np && !is(p, l, word(t + 1 + 2 * i))) i++;
      }
      if (i == np) {
        if (strict) { reject(ErrorCode.PropertyConstraintViolation, j.str(key), "not allowed"); return false; }
        continue;
      }
      if (seen & (1 << i)) { reject(ErrorCode.OccurrenceConstraintViolation, j.str(key), "given twice"); return false; }
      seen |= 1 << i;
      if (!check(j, key + 1, word(t + 2 + 2 * i) & ~REQUIRED)) { within(nameStr(word(t + 1 + 2 * i))); return false; }
    }
    for (let i: u32 = 0; i < np; i++) {
      if ((word(t + 2 + 2 * i) & REQUIRED) && !(seen & (1 << i))) {
        reject(ErrorCode.OccurrenceConstraintViolation, nameStr(word(t + 1 + 2 * i)), "required");
        return false;
      }
    }
    return true;
  }
  if (kind == ARR) {
    if (!kindIs(j, n, K.Arr)) return false;
    const c = count(j, n), min = <i32>word(t + 2), max = <i32>word(t + 3);
    if (c < min || (max > 0 && c > max)) {
      reject(ErrorCode.OccurrenceConstraintViolation, "", "has " + c.toString() + " items");
      return false;
    }
    let i = 0;
    for (let e = j.first(n); e; e = j.nextIn(n, e), i++) {
      if (!check(j, e, word(t + 1))) { within("[" + i.toString() + "]"); return false; }
    }
    return true;
  }
  if (kind == STR) {
    if (!kindIs(j, n, K.Str)) return false;
    const max = <i32>word(t + 1);
    // A string has no more code points than bytes: only a long one needs counting.
    if (max > 0 && j.byteLen(n) > max && j.codePoints(n) > max) {
      reject(ErrorCode.PropertyConstraintViolation, "", "longer than " + max.toString() + " characters");
      return false;
    }
    return true;
  }
  if (kind == INT) {
    if (j.kindOf(n) != K.Num || !j.isIntegral(n)) { reject(ErrorCode.TypeConstraintViolation, "", "must be an integer"); return false; }
    const v = j.num(n);
    if (v < <f64>i32.MIN_VALUE + 1 || v > <f64>i32.MAX_VALUE) {
      reject(ErrorCode.PropertyConstraintViolation, "", "out of the 32-bit integer range");
      return false;
    }
    if ((w0 >> 8) & 1 && (v < <f64><i32>word(t + 1) || v > <f64><i32>word(t + 2))) {
      reject(ErrorCode.PropertyConstraintViolation, "", "out of range");
      return false;
    }
    return true;
  }
  if (kind == NUM) return kindIs(j, n, K.Num);
  if (kind == BOOL) {
    const k = j.kindOf(n);
    if (k == K.True || k == K.False) return true;
    reject(ErrorCode.TypeConstraintViolation, "", "must be a boolean");
    return false;
  }
  if (kind == ENUM) {
    if (!kindIs(j, n, K.Str)) return false;
    if (enumOf(j, n, word(t + 1)) >= 0) return true;
    reject(ErrorCode.PropertyConstraintViolation, "", "value not allowed");
    return false;
  }
  if (kind == TIME) {
    if (!kindIs(j, n, K.Str)) return false;
    if (parseTime(j.ptr(n), j.byteLen(n)) != NO_TIME) return true;
    reject(ErrorCode.FormatViolation, "", "not an RFC 3339 date-time");
    return false;
  }
  return true;
}

// ---- writing ----

/** The keys most answers share: status, and statusInfo with a reasonCode when `why` is given. */
export function writeStatus(w: Writer, e: u32, status: i32, why: string | null = null): void {
  w.k(P.status); w.en(e, status);
  if (why !== null) writeReason(w, P.statusInfo, why);
}
/** A StatusInfoType under `key` that gives just a reasonCode. */
export function writeReason(w: Writer, key: u32, why: string): void {
  w.k(key); w.obj(); w.k(P.reasonCode); w.str(why); w.endObj();
}
/** A whole answer of just a status (and a reason). */
export function answerStatus(w: Writer, e: u32, status: i32, why: string | null = null): void {
  w.obj(); writeStatus(w, e, status, why); w.endObj();
}
