// The device model: the static table of the components and variables this build implements (generated from
// schemas/device-model.json: names in the UTF-8 blob, characteristics in DM_VARS and DM_LIMITS), instantiated at
// init once for the station, per EVSE and per connector. An instance is an index: a station variable's index is its
// row (its V handle). Each instance has its Actual value (a number for integer and boolean variables, a string for
// the other types), checked against its row's characteristics and persisted through the HAL.
import { DataEnumType as D, MutabilityEnumType as M, DM_VARS, DM_LIMITS, DM_ROWS, DM_STATION_ROWS, DM_WORDS } from "../generated/ocpp";
import { store_read, store_write } from "../hal";
import { parseTime, NO_TIME } from "../json/time";
import { Json } from "../json/reader";
import { Writer } from "../json/writer";
import { utf8, ptr } from "../core/bytes";
import { warn } from "../core/log";
import { namePtr, nameLen, nameStr, nameIs } from "../messages/schema";

const MAX_VALUE = 1000;   // SetVariableData.attributeValue maxLength
const SHORT_VALUE = 128;

export const enum Scope { Station = 0, Evse = 1, Connector = 2 }

// ---- rows: the static characteristics ----
@inline function word(row: i32, k: i32): u32 { return load<u32>(DM_VARS + (<usize>(row * DM_WORDS + k) << 2)); }
@inline export function componentRef(row: i32): u32 { return word(row, 0); }
@inline export function variableRef(row: i32): u32 { return word(row, 1); }
@inline export function instanceRef(row: i32): u32 { return word(row, 2); }
@inline function defaultRef(row: i32): u32 { return word(row, 3); }
@inline function listRef(row: i32): u32 { return word(row, 5); }
@inline export function dataType(row: i32): D { return <D>(word(row, 6) & 0xf); }
@inline export function mutability(row: i32): M { return <M>((word(row, 6) >> 4) & 3); }
@inline function persistent(row: i32): bool { return (word(row, 6) & (1 << 6)) != 0; }
@inline function fromConfig(row: i32): bool { return (word(row, 6) & (1 << 7)) != 0; }
@inline function scope(row: i32): Scope { return <Scope>((word(row, 6) >> 8) & 3); }
@inline export function rebootRequired(row: i32): bool { return (word(row, 6) & (1 << 10)) != 0; }
@inline function minLimit(row: i32): f64 { return <f64>load<f32>(DM_LIMITS + (<usize>row << 3)); }
@inline function maxLimit(row: i32): f64 { return <f64>load<f32>(DM_LIMITS + (<usize>row << 3) + 4); }

// ---- instances ----
let count = 0;
let inst: usize = 0;   // per instance, u32: row | evse << 16 | connector << 24
let nums: usize = 0;   // per instance, f64: the value of integer, boolean and decimal variables; a MemberList's bits
let texts = new StaticArray<string | null>(0);   // per instance: the value of the other types (and decimals as written)

export function instances(): i32 { return count; }
@inline function at(i: i32): u32 { return load<u32>(inst + (<usize>i << 2)); }
@inline export function rowOf(i: i32): i32 { return <i32>(at(i) & 0xffff); }
@inline export function evseOf(i: i32): i32 { return <i32>((at(i) >> 16) & 0xff); }
@inline export function connectorOf(i: i32): i32 { return <i32>(at(i) >> 24); }

/** Creates every instance with its default: the station's rows, then per EVSE its rows and per connector the
 *  connector rows. Values that come from the station config are the caller's (assign), then each loads (load). */
export function instantiate(connectorsPerEvse: i32[]): void {
  let evseRows = 0, connectorRows = 0;
  for (let r = DM_STATION_ROWS; r < DM_ROWS; r++) if (scope(r) == Scope.Evse) evseRows++; else connectorRows++;
  count = DM_STATION_ROWS;
  for (let e = 0; e < connectorsPerEvse.length; e++) count += evseRows + connectorsPerEvse[e] * connectorRows;
  inst = heap.alloc(<usize>count << 2);
  nums = heap.alloc(<usize>count << 3);
  texts = new StaticArray<string | null>(count);
  let i = 0;
  for (; i < DM_STATION_ROWS; i++) place(i, i, 0, 0);
  for (let e = 1; e <= connectorsPerEvse.length; e++) {
    for (let r = DM_STATION_ROWS; r < DM_ROWS; r++) if (scope(r) == Scope.Evse) place(i++, r, e, 0);
    for (let c = 1; c <= connectorsPerEvse[e - 1]; c++) {
      for (let r = DM_STATION_ROWS; r < DM_ROWS; r++) if (scope(r) == Scope.Connector) place(i++, r, e, c);
    }
  }
}

function place(i: i32, row: i32, evse: i32, connector: i32): void {
  store<u32>(inst + (<usize>i << 2), <u32>row | <u32>evse << 16 | <u32>connector << 24);
  const t = dataType(row), d = defaultRef(row);
  // Numbers are read from the table's bytes: no string is made for them.
  if (t == D.integer) store<f64>(nums + (<usize>i << 3), fromConfig(row) ? NaN : <f64>parseDigits(namePtr(d), nameLen(d)));
  else if (t == D.boolean) store<f64>(nums + (<usize>i << 3), nameLen(d) == 4 ? 1 : 0);   // "true" or "false"
  else assign(i, fromConfig(row) ? "" : nameStr(d));
}

/** The table's default integers: plain digits, or a minus and digits. */
function parseDigits(p: usize, n: i32): i64 {
  const neg = n > 0 && load<u8>(p) == 0x2d;
  let v: i64 = 0;
  for (let k = neg ? 1 : 0; k < n; k++) v = v * 10 + <i64>(load<u8>(p + <usize>k) - 0x30);
  return neg ? -v : v;
}

/** The instance of an EVSE's or connector's variable (by its row), or -1. */
export function instanceOf(row: i32, evse: i32, connector: i32): i32 {
  for (let i = DM_STATION_ROWS; i < count; i++) if (rowOf(i) == row && evseOf(i) == evse && connectorOf(i) == connector) return i;
  return -1;
}

// ---- values ----
@inline export function numOf(i: i32): f64 { return load<f64>(nums + (<usize>i << 3)); }
@inline export function intOf(i: i32): i64 { return <i64>numOf(i); }
@inline export function isOn(i: i32): bool { return numOf(i) != 0; }
/** A MemberList's members as bits: bit k is the k-th value of its values list (the generated list enums). */
@inline export function bitsOf(i: i32): u32 { return <u32>numOf(i); }

/** The value as text (integers, booleans and member lists formatted). */
export function textOf(i: i32): string {
  const t = texts[i];
  if (t !== null) return t;
  const type = dataType(rowOf(i));
  if (type == D.boolean) return isOn(i) ? "true" : "false";
  if (type == D.MemberList) return listText(listRef(rowOf(i)), bitsOf(i));
  return intOf(i).toString();
}

/** The value as a JSON string. */
export function writeValue(w: Writer, i: i32): void {
  if (dataType(rowOf(i)) == D.integer) w.quotedInt(intOf(i));
  else w.str(textOf(i));
}

/** Takes a value as it is (the caller checked it, or it is the engine's own); not persisted. */
export function assign(i: i32, v: string): void {
  const t = dataType(rowOf(i));
  let n: f64 = NaN;
  if (t == D.integer) n = <f64>parseInteger(v);
  else if (t == D.boolean) n = v == "true" ? 1 : 0;
  else if (t == D.MemberList) n = <f64>listBits(listRef(rowOf(i)), v);
  else { texts[i] = v; if (t == D.decimal) n = parseDecimal(v); }
  store<f64>(nums + (<usize>i << 3), n);
}

/** Why a value may not be written, as an OCPP reasonCode; null when it is valid. */
export function check(i: i32, v: string): string | null {
  if (v.length > MAX_VALUE) return "TooLargeElement";
  const row = rowOf(i), lo = minLimit(row), hi = maxLimit(row);
  switch (dataType(row)) {
    case D.integer: {
      const n = parseInteger(v);
      if (n == i64.MIN_VALUE) return "InvalidValue";
      return <f64>n < lo ? "ValueTooLow" : <f64>n > hi ? "ValueTooHigh" : null;
    }
    case D.decimal: {
      const d = parseDecimal(v);
      if (isNaN(d)) return "InvalidValue";
      return d < lo ? "ValueTooLow" : d > hi ? "ValueTooHigh" : null;
    }
    case D.boolean:
      return v == "true" || v == "false" ? null : "InvalidValue";
    case D.dateTime:
      return parseTime(changetype<usize>(String.UTF8.encode(v)), String.UTF8.byteLength(v)) == NO_TIME ? "InvalidValue" : null;
    case D.OptionList:
      return indexIn(listRef(row), v, 0, v.length) >= 0 ? null : "InvalidValue";
    case D.MemberList:
    case D.SequenceList: {
      for (let s = 0; s < v.length;) {
        let e = v.indexOf(",", s);
        if (e < 0) e = v.length;
        if (indexIn(listRef(row), v, s, e) < 0) return "InvalidValue";
        s = e + 1;
      }
      return null;
    }
  }
  return null;
}

/** Writes a checked value and persists it; `utf8At`/`len` may give v's UTF-8 bytes when at hand. */
export function set(i: i32, v: string, utf8At: usize = 0, len: i32 = 0): void {
  assign(i, v);
  if (!persistent(rowOf(i))) return;
  let p = utf8At;
  if (!p) { const b = utf8(v); p = ptr(b); len = b.byteLength; }
  if (store_write(KEY, keyBytes(i), p, len) != 0) warn("device model: could not persist " + key(i));
}

/** Replaces the value with the persisted one, if one is stored and still valid. */
export function loadStored(i: i32): void {
  if (!persistent(rowOf(i))) return;
  // A raw block, freed at once: loading every variable at init leaves no garbage behind. Most values are short;
  // a longer one is read again into room for the longest (MAX_VALUE characters of up to 4 bytes).
  let buf = heap.alloc(SHORT_VALUE);
  let n = store_read(KEY, keyBytes(i), buf, SHORT_VALUE);
  if (n == -2) { heap.free(buf); buf = heap.alloc(MAX_VALUE * 4); n = store_read(KEY, keyBytes(i), buf, MAX_VALUE * 4); }
  const v = n >= 0 ? String.UTF8.decodeUnsafe(buf, n) : "";
  heap.free(buf);
  if (n < 0) return;
  if (check(i, v) !== null) { warn("device model: ignoring invalid stored " + key(i)); return; }
  assign(i, v);
}

/** Which of the comma-separated values of the list at `ref` s[from, to) is (names are ASCII); -1 when none. */
function indexIn(ref: u32, s: string, from: i32, to: i32): i32 {
  if (!ref) return -1;
  const p = namePtr(ref), n = nameLen(ref), want = to - from;
  for (let a = 0, k = 0; a <= n; k++) {
    let b = a;
    while (b < n && load<u8>(p + <usize>b) != 0x2c) b++;
    if (b - a == want) {
      let c = 0;
      while (c < want && <i32>load<u8>(p + <usize>(a + c)) == <i32>s.charCodeAt(from + c)) c++;
      if (c == want) return k;
    }
    a = b + 1;
  }
  return -1;
}

/** A checked MemberList value as bits of its values list. */
function listBits(ref: u32, v: string): u32 {
  let m: u32 = 0;
  for (let s = 0; s < v.length;) {
    let e = v.indexOf(",", s);
    if (e < 0) e = v.length;
    const k = indexIn(ref, v, s, e);
    if (k >= 0) m |= 1 << k;
    s = e + 1;
  }
  return m;
}

/** The members of a values list that are set in bits, comma-separated in the list's order. */
function listText(ref: u32, bits: u32): string {
  const p = namePtr(ref), n = nameLen(ref);
  let out = "";
  for (let a = 0, k = 0; a < n; k++) {
    let b = a;
    while (b < n && load<u8>(p + <usize>b) != 0x2c) b++;
    if (bits & (1 << k)) out += (out.length ? "," : "") + String.UTF8.decodeUnsafe(p + <usize>a, b - a);
    a = b + 1;
  }
  return out;
}

// ---- storage keys ----
/** Scratch space for a storage key (components, variables and instances are at most 50 characters each). */
const KEY_MAX = 3 + 50 + 8 + 51 + 51;
const KEY = memory.data(KEY_MAX);
export const KEY_BYTES: usize = KEY;

/** The storage key, "dm/<component>[/<evse>[/<connector>]]/<variable>[/<instance>]", as UTF-8 at KEY_BYTES;
 *  returns its length. Valid until the next key is built. */
export function keyBytes(i: i32): i32 {
  const row = rowOf(i), e = evseOf(i), c = connectorOf(i), vi = instanceRef(row);
  store<u8>(KEY, 0x64); store<u8>(KEY + 1, 0x6d); store<u8>(KEY + 2, 0x2f);
  let n = put(3, componentRef(row));
  if (e) n = putInt(n, e);
  if (c) n = putInt(n, c);
  store<u8>(KEY + <usize>n, 0x2f); n = put(n + 1, variableRef(row));
  if (vi) { store<u8>(KEY + <usize>n, 0x2f); n = put(n + 1, vi); }
  return n;
}

function key(i: i32): string { return String.UTF8.decodeUnsafe(KEY, keyBytes(i)); }

function put(n: i32, ref: u32): i32 {
  memory.copy(KEY + <usize>n, namePtr(ref), nameLen(ref));
  return n + nameLen(ref);
}

/** Appends "/<v>" at KEY + n. */
function putInt(n: i32, v: i32): i32 {
  store<u8>(KEY + <usize>n, 0x2f);
  let len = 1;
  for (let t = v; t >= 10; t /= 10) len++;
  for (let k = len; k >= 1; k--) { store<u8>(KEY + <usize>(n + k), <u8>(0x30 + v % 10)); v /= 10; }
  return n + 1 + len;
}

// ---- lookups ----
/** A variable by its names (an applied default's), or -1. Components have no instance names in this build. */
export function find(component: string, cInstance: string | null, evse: i32, connector: i32, name: string, vInstance: string | null): i32 {
  if (cInstance !== null) return -1;
  for (let i = 0; i < count; i++) {
    const row = rowOf(i), vi = instanceRef(row);
    if (evseOf(i) == evse && connectorOf(i) == connector && refIs(variableRef(row), name) && refIs(componentRef(row), component) &&
        (vi ? vInstance !== null && refIs(vi, vInstance) : vInstance === null)) return i;
  }
  return -1;
}

function refIs(ref: u32, s: string): bool {
  const n = nameLen(ref), p = namePtr(ref);
  if (s.length != n) return false;
  for (let k = 0; k < n; k++) if (<i32>load<u8>(p + <usize>k) != <i32>s.charCodeAt(k)) return false;
  return true;
}

/** The same lookup by a request's string nodes on the JSON tape (0: absent), without copying them; -1 when absent. */
export function findAt(j: Json, component: i32, cInstance: i32, evse: i32, connector: i32, name: i32, vInstance: i32): i32 {
  if (cInstance) return -1;
  for (let i = 0; i < count; i++) {
    if (evseOf(i) != evse || connectorOf(i) != connector) continue;
    const row = rowOf(i), vi = instanceRef(row);
    if (!nameIs(j, name, variableRef(row)) || !nameIs(j, component, componentRef(row))) continue;
    if (vi ? vInstance != 0 && nameIs(j, vInstance, vi) : vInstance == 0) return i;
  }
  return -1;
}

/** Whether the station has the component (by its name node) on that EVSE and connector. */
export function hasComponentAt(j: Json, name: i32, instance: i32, evse: i32, connector: i32): bool {
  if (instance) return false;
  for (let i = 0; i < count; i++) {
    if (evseOf(i) == evse && connectorOf(i) == connector && nameIs(j, name, componentRef(rowOf(i)))) return true;
  }
  return false;
}

// ---- value parsing ----

/** Strict decimal integer ("-12", "300"); i64.MIN_VALUE when malformed. */
export function parseInteger(s: string): i64 {
  const n = s.length;
  if (n == 0 || n > 18) return i64.MIN_VALUE;
  let i = 0; let neg = false;
  if (s.charCodeAt(0) == 0x2d) { neg = true; i = 1; if (n == 1) return i64.MIN_VALUE; }
  let v: i64 = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return i64.MIN_VALUE;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/** Strict decimal ("12", "-0.5", "230.25"); NaN when malformed. */
export function parseDecimal(s: string): f64 {
  const dot = s.indexOf(".");
  if (dot < 0) { const n = parseInteger(s); return n == i64.MIN_VALUE ? NaN : <f64>n; }
  const ip = s.substring(0, dot), fp = s.substring(dot + 1);
  if (fp.length == 0 || fp.length > 9 || (ip.length > 0 && ip != "-" && parseInteger(ip) == i64.MIN_VALUE)) return NaN;
  const f = parseInteger(fp);
  if (f < 0) return NaN;
  const whole: f64 = ip.length == 0 || ip == "-" ? 0 : <f64>parseInteger(ip);
  let frac = <f64>f;
  for (let i = 0; i < fp.length; i++) frac /= 10;
  return ip.startsWith("-") ? whole - frac : whole + frac;
}
