// The device model core: components and variables with their Actual attribute,
// characteristics, validation of written values and persistence through the HAL.
import { DataEnumType, MutabilityEnumType } from "../generated/ocpp";
import { store_read, store_write } from "../hal";
import { parseTime, NO_TIME } from "../json/time";
import { utf8, ptr } from "../core/bytes";
import { warn } from "../core/log";
import { Json } from "../json/reader";

const MAX_VALUE = 1000;   // SetVariableData.attributeValue maxLength

export class Variable {
  int: i64 = 0;            // cached numeric value for integer and boolean variables
  num: f64 = NaN;          // cached value of decimal variables
  onChange: ((v: Variable) => void) | null = null;

  constructor(
    public component: string,
    public evse: i32,                 // 0 when the component is not on an EVSE
    public connector: i32,            // 0 when not on a connector
    public name: string,
    public instance: string | null,
    public dataType: DataEnumType,
    public mutability: MutabilityEnumType,
    public value: string,
    public persistent: bool = true,
    public unit: string | null = null,
    public minLimit: f64 = NaN,
    public maxLimit: f64 = NaN,
    public valuesList: string | null = null,
    public rebootRequired: bool = false,
  ) { this.refresh(); }

  /** Recomputes the cached number after `value` changed. */
  refresh(): void {
    if (this.dataType == DataEnumType.integer) this.int = parseInteger(this.value);
    else if (this.dataType == DataEnumType.boolean) this.int = this.value == "true" ? 1 : 0;
    else if (this.dataType == DataEnumType.decimal) this.num = parseDecimal(this.value);
  }

  /** The storage key, "dm/<component>[/<evse>[/<connector>]]/<name>[/<instance>]", as UTF-8 in KEY; returns its length. */
  keyBytes(): i32 {
    let n = put(0, "dm/");
    n = put(n, this.component);
    if (this.evse) n = putInt(put(n, "/"), this.evse);
    if (this.connector) n = putInt(put(n, "/"), this.connector);
    n = put(put(n, "/"), this.name);
    const i = this.instance;
    if (i !== null) n = put(put(n, "/"), i);
    return n;
  }

  get key(): string { return String.UTF8.decodeUnsafe(KEY, this.keyBytes()); }

  /** The storage key's UTF-8 bytes (at KEY_BYTES, keyBytes() long): valid until the next key is built. */
  static get KEY_BYTES(): usize { return KEY; }

  /** Why a value may not be written, as an OCPP reasonCode; null when it is valid. */
  check(v: string): string | null {
    if (v.length > MAX_VALUE) return "TooLargeElement";
    switch (this.dataType) {
      case DataEnumType.integer: {
        const n = parseInteger(v);
        if (n == i64.MIN_VALUE) return "InvalidValue";
        if (!isNaN(this.minLimit) && <f64>n < this.minLimit) return "ValueTooLow";
        if (!isNaN(this.maxLimit) && <f64>n > this.maxLimit) return "ValueTooHigh";
        return null;
      }
      case DataEnumType.decimal: {
        const d = parseDecimal(v);
        if (isNaN(d)) return "InvalidValue";
        if (!isNaN(this.minLimit) && d < this.minLimit) return "ValueTooLow";
        if (!isNaN(this.maxLimit) && d > this.maxLimit) return "ValueTooHigh";
        return null;
      }
      case DataEnumType.boolean:
        return v == "true" || v == "false" ? null : "InvalidValue";
      case DataEnumType.dateTime:
        return parseTime(changetype<usize>(String.UTF8.encode(v)), String.UTF8.byteLength(v)) == NO_TIME ? "InvalidValue" : null;
      case DataEnumType.OptionList:
        return inList(this.valuesList, v) ? null : "InvalidValue";
      case DataEnumType.MemberList:
      case DataEnumType.SequenceList: {
        if (v.length == 0) return null;
        const parts = v.split(",");
        for (let i = 0; i < parts.length; i++) if (!inList(this.valuesList, parts[i])) return "InvalidValue";
        return null;
      }
    }
    return null;
  }

  /** Writes a checked value, persists it and notifies the owner; `utf8At`/`len` may give v's UTF-8 bytes when at hand. */
  set(v: string, utf8At: usize = 0, len: i32 = 0): void {
    this.value = v;
    this.refresh();
    if (this.persistent) {
      let at = utf8At;
      if (!at) { const b = utf8(v); at = ptr(b); len = b.byteLength; }
      if (store_write(KEY, this.keyBytes(), at, len) != 0) warn("device model: could not persist " + this.key);
    }
    const f = this.onChange;
    if (f) f(this);
  }

  /** Replaces the default with the persisted value, if one is stored and still valid. */
  load(): void {
    if (!this.persistent) return;
    // A raw block, freed at once: loading every variable at init leaves no garbage behind.
    const cap = MAX_VALUE * 4;
    const buf = heap.alloc(cap);
    const n = store_read(KEY, this.keyBytes(), buf, cap);
    const v = n >= 0 ? String.UTF8.decodeUnsafe(buf, n) : "";
    heap.free(buf);
    if (n < 0) return;
    if (this.check(v) !== null) { warn("device model: ignoring invalid stored " + this.key); return; }
    this.value = v;
    this.refresh();
  }
}

/** Scratch space for a storage key (components, variables and instances are at most 50 characters each). */
const KEY_MAX = 3 + 50 + 12 + 50 + 51 + 51;
const KEY = memory.data(KEY_MAX * 3);

/** Appends s as UTF-8 at KEY + n; returns the new length. Names are ASCII, copied a unit at a time. */
function put(n: i32, s: string): i32 {
  const q = changetype<usize>(s), len = s.length;
  for (let i = 0; i < len; i++) {
    const c = load<u16>(q + (<usize>i << 1));
    if (c >= 0x80) return n + <i32>String.UTF8.encodeUnsafe(q, len, KEY + <usize>n);
    store<u8>(KEY + <usize>(n + i), <u8>c);
  }
  return n + len;
}

function putInt(n: i32, v: i32): i32 {
  let len = 1;
  for (let t = v; t >= 10; t /= 10) len++;
  for (let i = len - 1; i >= 0; i--) { store<u8>(KEY + <usize>(n + i), <u8>(0x30 + v % 10)); v /= 10; }
  return n + len;
}

/** A MemberList value as bits: bit i is set when names[i] is one of its comma-separated members. */
export function memberBits(list: string, names: StaticArray<string>): u32 {
  let m: u32 = 0;
  const parts = list.split(",");
  for (let i = 0; i < parts.length; i++) {
    for (let k = 0; k < names.length; k++) if (parts[i] == unchecked(names[k])) m |= 1 << k;
  }
  return m;
}

function inList(list: string | null, v: string): bool {
  if (list === null) return false;
  const parts = list.split(",");
  for (let i = 0; i < parts.length; i++) if (parts[i] == v) return true;
  return false;
}

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

export class DeviceModel {
  vars: Variable[] = [];

  add(v: Variable): Variable { this.vars.push(v); v.load(); return v; }

  find(component: string, cInstance: string | null, evse: i32, connector: i32, name: string, vInstance: string | null): Variable | null {
    for (let i = 0; i < this.vars.length; i++) {
      const v = unchecked(this.vars[i]);
      if (v.name == name && v.component == component && v.evse == evse && v.connector == connector &&
          sameInstance(v, cInstance) && eqNullable(v.instance, vInstance)) return v;
    }
    return null;
  }
}

/** The same lookups by a request's string nodes on the JSON tape (0: absent), without copying them. */
export function hasComponentAt(m: DeviceModel, j: Json, name: i32, instance: i32, evse: i32, connector: i32): bool {
  if (instance) return false;   // no instance names in this build (sameInstance)
  const len = j.escaped(name) ? -1 : j.byteLen(name);   // names are ASCII: see findAt
  for (let i = 0; i < m.vars.length; i++) {
    const v = unchecked(m.vars[i]);
    if (v.evse == evse && v.connector == connector && (len < 0 || v.component.length == len) && j.is(name, v.component)) return true;
  }
  return false;
}

export function findAt(m: DeviceModel, j: Json, component: i32, cInstance: i32, evse: i32, connector: i32, name: i32, vInstance: i32): Variable | null {
  if (cInstance) return null;
  // Names are ASCII: a plain node of another length cannot match, which rules out most variables at once.
  const len = j.escaped(name) ? -1 : j.byteLen(name);
  for (let i = 0; i < m.vars.length; i++) {
    const v = unchecked(m.vars[i]);
    if (v.evse != evse || v.connector != connector || (len >= 0 && v.name.length != len)) continue;
    if (!j.is(name, v.name) || !j.is(component, v.component)) continue;
    const vi = v.instance;
    if (vi === null ? vInstance == 0 : vInstance != 0 && j.is(vInstance, vi)) return v;
  }
  return null;
}

/** This build's components have no instance names: only an absent instance matches. */
function sameInstance(_v: Variable, instance: string | null): bool { return instance === null; }

function eqNullable(a: string | null, b: string | null): bool {
  if (a === null) return b === null;
  return b !== null && a == b;
}
