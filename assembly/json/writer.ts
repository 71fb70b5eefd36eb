// JSON writer into one fixed buffer. Overflow is sticky: the frame is dropped
// by the caller, never truncated on the wire.
import { MAX_FRAME } from "../config";
import { formatTimeTo, TIME_MAX } from "./time";
import { namePtr, nameLen, enumRef } from "../messages/schema";

const HEX = "0123456789abcdef";

// Unmanaged (raw memory): functions that take a Writer keep no shadow-stack frame for it.
@unmanaged
export class Writer {
  buf: usize = 0;
  cap: i32 = 0;
  pos: i32 = 0;
  overflow: bool = false;
  private depth: i32 = 0;
  private started: u64 = 0;   // bit d set: depth d already has an element
  private afterKey: bool = false;

  /** A writer with its own buffer of `size` bytes; 0: the owner points `buf` and `cap` at memory of its own. */
  constructor(size: i32 = MAX_FRAME) {
    if (size) { this.buf = heap.alloc(size); this.cap = size; }
  }

  reset(): Writer {
    this.pos = 0; this.overflow = false; this.depth = 0; this.started = 0; this.afterKey = false;
    return this;
  }

  @inline private byte(c: i32): void {
    if (this.pos >= this.cap) { this.overflow = true; return; }
    store<u8>(this.buf + <usize>this.pos, <u8>c);
    this.pos++;
  }

  private sep(): void {
    if (this.afterKey) { this.afterKey = false; return; }
    const bit: u64 = (<u64>1) << <u64>this.depth;
    if (this.started & bit) this.byte(0x2c);
    this.started |= bit;
  }

  private open(c: i32): void {
    this.sep(); this.byte(c);
    this.depth++;
    this.started &= ~((<u64>1) << <u64>this.depth);
  }

  obj(): void { this.open(0x7b); }
  arr(): void { this.open(0x5b); }
  endObj(): void { this.depth--; this.byte(0x7d); }
  endArr(): void { this.depth--; this.byte(0x5d); }

  /** An object key; names are ASCII identifiers, written without escaping. */
  key(k: string): void {
    this.sep(); this.byte(0x22); this.ascii(k); this.byte(0x22); this.byte(0x3a);
    this.afterKey = true;
  }

  /** A key from the generated name table (a P member). */
  k(ref: u32): void {
    this.sep(); this.quoted(namePtr(ref), nameLen(ref)); this.byte(0x3a);
    this.afterKey = true;
  }

  /** A string value that is a generated name (an action, an enum value). */
  name(ref: u32): void { this.sep(); this.quoted(namePtr(ref), nameLen(ref)); }

  /** Value v of the enum whose name table is e (an E member). */
  en(e: u32, v: i32): void { this.name(enumRef(e, v)); }

  /** A string whose JSON-escaped content is the bytes p[0..n), as read from a frame. */
  quotedBytes(p: usize, n: i32): void { this.sep(); this.quoted(p, n); }

  private quoted(p: usize, n: i32): void {
    if (this.pos + n + 2 > this.cap) { this.overflow = true; return; }
    const o = this.buf + <usize>this.pos;
    store<u8>(o, 0x22); memory.copy(o + 1, p, n); store<u8>(o + 1 + <usize>n, 0x22);
    this.pos += n + 2;
  }

  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.cap) { this.overflow = true; return; }
    const q = changetype<usize>(s), o = this.buf + <usize>this.pos;
    for (let i = 0; i < n; i++) store<u8>(o + <usize>i, <u8>load<u16>(q + (<usize>i << 1)));
    this.pos += n;
  }

  bytes(p: usize, n: i32): void {
    if (this.pos + n > this.cap) { this.overflow = true; return; }
    memory.copy(this.buf + <usize>this.pos, p, n);
    this.pos += n;
  }

  /** A value that is already encoded JSON bytes. */
  bytesValue(p: usize, n: i32): void { this.sep(); this.bytes(p, n); }

  str(s: string): void {
    this.sep();
    const n = s.length;
    // Printable ASCII without quote or backslash, the common case, is copied as it is in one pass.
    if (this.pos + n + 2 <= this.cap) {
      const q = changetype<usize>(s), o = this.buf + <usize>this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = load<u16>(q + (<usize>i << 1));
        if (c < 0x20 || c >= 0x80 || c == 0x22 || c == 0x5c) break;
        store<u8>(o + 1 + <usize>i, <u8>c);
      }
      if (i == n) {
        store<u8>(o, 0x22); store<u8>(o + 1 + <usize>n, 0x22);
        this.pos += n + 2;
        return;
      }
    }
    this.byte(0x22);
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c == 0x22 || c == 0x5c) { this.byte(0x5c); this.byte(c); }
      else if (c < 0x20) {
        if (c == 0x0a) { this.byte(0x5c); this.byte(0x6e); }
        else if (c == 0x0d) { this.byte(0x5c); this.byte(0x72); }
        else if (c == 0x09) { this.byte(0x5c); this.byte(0x74); }
        else { this.ascii("\\u00"); this.byte(HEX.charCodeAt(c >> 4)); this.byte(HEX.charCodeAt(c & 15)); }
      }
      else if (c < 0x80) this.byte(c);
      else if (c < 0x800) { this.byte(0xc0 | (c >> 6)); this.byte(0x80 | (c & 0x3f)); }
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) == 0xdc00) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        this.byte(0xf0 | (cp >> 18)); this.byte(0x80 | ((cp >> 12) & 0x3f));
        this.byte(0x80 | ((cp >> 6) & 0x3f)); this.byte(0x80 | (cp & 0x3f));
      } else {
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
        this.byte(0xe0 | (c >> 12)); this.byte(0x80 | ((c >> 6) & 0x3f)); this.byte(0x80 | (c & 0x3f));
      }
    }
    this.byte(0x22);
  }

  int(v: i64): void { this.sep(); this.digits(v); }
  /** An integer as a JSON string ("300"). */
  quotedInt(v: i64): void { this.sep(); this.byte(0x22); this.digits(v); this.byte(0x22); }

  private digits(v: i64): void {
    if (this.pos + 20 > this.cap) { this.overflow = true; return; }
    const o = this.buf + <usize>this.pos;
    let n = 0;
    if (v < 0) { store<u8>(o, 0x2d); n = 1; v = -v; }
    // The usual value fits 32 bits, whose division a 32-bit MCU does in hardware.
    const len = <u64>v <= <u64>u32.MAX_VALUE ? putDigits<u32>(o + <usize>n, <u32>v) : putDigits<u64>(o + <usize>n, <u64>v);
    this.pos += n + len;
  }

  /** A decimal with at most 6 fractional digits, trailing zeros trimmed; non-finite values are a writer error. */
  num(v: f64): void {
    this.sep();
    if (!isFinite(v)) { this.overflow = true; return; }
    if (v < 0) { this.byte(0x2d); v = -v; }
    if (v >= 1e15) { this.digits(<i64>v); return; }
    const scaled = <u64>Math.round(v * 1e6);
    const ip = scaled / 1000000;
    let frac = scaled % 1000000;
    this.digits(<i64>ip);
    if (frac) {
      this.byte(0x2e);
      let w = 6;
      while (frac % 10 == 0) { frac /= 10; w--; }
      let div: u64 = 1;
      for (let i = 1; i < w; i++) div *= 10;
      for (; div; div /= 10) { this.byte(<i32>((frac / div) % 10) + 0x30); }
    }
  }

  /** A value that is already JSON text (validated when it was read). */
  json(s: string): void {
    this.sep();
    const n = String.UTF8.byteLength(s);
    if (this.pos + n > this.cap) { this.overflow = true; return; }
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, this.buf + <usize>this.pos);
    this.pos += n;
  }

  bool(b: bool): void { this.sep(); this.ascii(b ? "true" : "false"); }
  nul(): void { this.sep(); this.ascii("null"); }
  time(ms: i64): void {
    this.sep();
    if (this.pos + TIME_MAX + 2 > this.cap) { this.overflow = true; return; }
    const o = this.buf + <usize>this.pos;
    store<u8>(o, 0x22);
    const n = formatTimeTo(o + 1, ms);
    store<u8>(o + 1 + <usize>n, 0x22);
    this.pos += n + 2;
  }

  toString(): string { return String.UTF8.decodeUnsafe(this.buf, this.pos); }
}

/** Writes u's decimal digits at o; returns how many. */
@inline function putDigits<T>(o: usize, u: T): i32 {
  let len = 1;
  for (let t = u; t >= <T>10; t /= <T>10) len++;
  for (let i = len - 1; i >= 0; i--) { store<u8>(o + <usize>i, <u8>(<T>0x30 + u % <T>10)); u /= <T>10; }
  return len;
}
