// The outcome of checking a payload against its schema (messages/schema.ts): the first violation's OCPP-J
// error code and field path, and the sentinels that mark an optional field as absent.
import { ErrorCode } from "../rpc/errors";
export { NO_TIME } from "../json/time";

export const NO_INT: i32 = i32.MIN_VALUE;
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
