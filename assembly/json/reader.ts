// A bounded, allocation-free JSON reader: one pass over UTF-8 bytes in linear
// memory builds a flat tape of nodes. Each node records its kind, byte span and
// the index just past its subtree, so siblings are reached by skipping.
import { MAX_JSON_NODES, MAX_JSON_DEPTH } from "../config";
import { sameBytes } from "../core/bytes";

export const enum K { Obj = 1, Arr, Str, Num, True, False, Null }

export const enum JsonError {
  None = 0, Syntax, TooDeep, TooManyNodes, BadUtf8, BadEscape, Trailing, Empty, TooLong,
}

// A node is a u32 and a u16. The u32: where its bytes start (a string's after its quote) and how many there are
// (SPAN_BITS each), its kind (3 bits), and a flag: a string holds backslash escapes, or a number has a fraction
// or an exponent. The u16: the index just past its subtree.
const SPAN_BITS = 14;
const SPAN: u32 = (1 << SPAN_BITS) - 1;   // so a parsed text is at most 16,383 bytes
const KIND_SHIFT = 28;
const FLAG: u32 = 1 << 31;

// Unmanaged (raw memory, not traced by the GC): functions that take a Json keep no shadow-stack frame for it.
@unmanaged
export class Json {
  nodes: usize = heap.alloc(MAX_JSON_NODES << 2);
  end: usize = heap.alloc(MAX_JSON_NODES << 1);
  count: i32 = 0;
  base: usize = 0;
  size: i32 = 0;
  pos: i32 = 0;
  error: JsonError = JsonError.None;
  errorAt: i32 = 0;

  parse(ptr: usize, size: i32): JsonError {
    this.base = ptr; this.size = size; this.pos = 0; this.count = 0;
    this.error = JsonError.None;
    if (<u32>size > SPAN) return this.fail(JsonError.TooLong);
    this.ws();
    if (this.pos >= size) return this.fail(JsonError.Empty);
    this.value(0);
    if (this.error) return this.error;
    this.ws();
    if (this.pos != size) return this.fail(JsonError.Trailing);
    return JsonError.None;
  }

  // ---- navigation ----
  @inline at(i: i32): u8 { return load<u8>(this.base + <usize>i); }
  @inline next(n: i32): i32 { return <i32>load<u16>(this.end + (<usize>n << 1)); }
  /** First child (array element or object key), or 0 when empty. */
  @inline first(n: i32): i32 { return n + 1 < this.next(n) ? n + 1 : 0; }
  /** Next array element after element e of array a, or 0. */
  @inline nextIn(a: i32, e: i32): i32 { const x = this.next(e); return x < this.next(a) ? x : 0; }
  /** Next object key after key k (whose value is k+1) of object o, or 0. */
  @inline nextKey(o: i32, k: i32): i32 { const x = this.next(k + 1); return x < this.next(o) ? x : 0; }
  @inline private word(n: i32): u32 { return load<u32>(this.nodes + (<usize>n << 2)); }
  @inline kindOf(n: i32): K { return <K>((this.word(n) >> KIND_SHIFT) & 7); }
  /** Where a node's bytes start (a string's after its quote) and how many there are. */
  @inline ptr(n: i32): usize { return this.base + <usize>(this.word(n) & SPAN); }
  @inline byteLen(n: i32): i32 { return <i32>((this.word(n) >> SPAN_BITS) & SPAN); }
  @inline escaped(n: i32): bool { return (this.word(n) & FLAG) != 0; }
  /** Byte-wise equality of a string node with an ASCII literal, no allocation. */
  is(n: i32, lit: string): bool {
    if (this.escaped(n)) return this.str(n) == lit;
    const l = this.byteLen(n);
    if (l != lit.length) return false;
    const p = this.ptr(n);
    const q = changetype<usize>(lit);
    for (let i = 0; i < l; i++) if (<u32>load<u8>(p + i) != <u32>load<u16>(q + (<usize>i << 1))) return false;
    return true;
  }

  /** Whether string node n holds exactly the (plain) bytes p[0..len). */
  isBytes(n: i32, p: usize, len: i32): bool {
    if (this.escaped(n)) { const s = this.str(n); return String.UTF8.byteLength(s) == len && s == String.UTF8.decodeUnsafe(p, len); }
    return this.byteLen(n) == len && sameBytes(this.ptr(n), p, len);
  }

  /** Decoded string value (escapes resolved). */
  str(n: i32): string {
    const p = this.ptr(n);
    const l = <u32>this.byteLen(n);
    if (!this.escaped(n)) return String.UTF8.decodeUnsafe(p, l);
    const buf = heap.alloc(l);
    let o: usize = 0;
    for (let i: u32 = 0; i < l; i++) {
      let c = load<u8>(p + i);
      if (c != 0x5c) { store<u8>(buf + o++, c); continue; }
      c = load<u8>(p + ++i);
      if (c == 0x75) {
        let cp = hex4(p + i + 1); i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < l && load<u8>(p + i + 1) == 0x5c && load<u8>(p + i + 2) == 0x75) {
          const lo = hex4(p + i + 3);
          if (lo >= 0xdc00 && lo < 0xe000) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i += 6; }
        }
        o += putUtf8(buf + o, cp);
      } else store<u8>(buf + o++, unescapeChar(c));
    }
    const s = String.UTF8.decodeUnsafe(buf, o);
    heap.free(buf);
    return s;
  }

  /** Raw source bytes of any node, e.g. to echo an id. */
  raw(n: i32): string {
    return String.UTF8.decodeUnsafe(this.ptr(n), this.byteLen(n));
  }

  /** Number of Unicode code points of a string node (schema maxLength counts these). */
  codePoints(n: i32): i32 {
    if (this.escaped(n)) {
      const s = this.str(n); let c = 0;
      for (let i = 0; i < s.length; i++) { const u = s.charCodeAt(i); if (u < 0xdc00 || u > 0xdfff) c++; }
      return c;
    }
    const p = this.ptr(n);
    const l = <u32>this.byteLen(n);
    let c = 0;
    for (let i: u32 = 0; i < l; i++) if ((load<u8>(p + i) & 0xc0) != 0x80) c++;
    return c;
  }

  isIntegral(n: i32): bool {
    if (!(this.word(n) & FLAG)) return true;
    const v = this.num(n);
    return Math.floor(v) == v;
  }

  /** Number value; exact for integers below 2^53 and for decimals of up to 15 significant digits. */
  num(n: i32): f64 {
    const p = this.ptr(n);
    const l = this.byteLen(n);
    let i = 0; let neg = false;
    if (load<u8>(p) == 0x2d) { neg = true; i++; }
    let m: u64 = 0; let e: i32 = 0; let digits = 0;
    for (; i < l; i++) {
      const c = <i32>load<u8>(p + i) - 0x30;
      if (c < 0 || c > 9) break;
      if (digits < 19) { m = m * 10 + <u64>c; if (m) digits++; } else e++;
    }
    if (i < l && load<u8>(p + i) == 0x2e) {
      for (i++; i < l; i++) {
        const c = <i32>load<u8>(p + i) - 0x30;
        if (c < 0 || c > 9) break;
        if (digits < 19) { m = m * 10 + <u64>c; e--; if (m) digits++; }
      }
    }
    if (i < l) {
      i++;
      let eneg = false; let x = 0;
      if (load<u8>(p + i) == 0x2d) { eneg = true; i++; } else if (load<u8>(p + i) == 0x2b) i++;
      for (; i < l; i++) { if (x < 100000) x = x * 10 + (<i32>load<u8>(p + i) - 0x30); }
      e += eneg ? -x : x;
    }
    let v = <f64>m;
    if (e > 0) v *= pow10(e); else if (e < 0) v /= pow10(-e);
    return neg ? -v : v;
  }

  // ---- parsing ----
  private fail(e: JsonError): JsonError {
    if (!this.error) { this.error = e; this.errorAt = this.pos; }
    return e;
  }

  private ws(): void { this.pos = skip(this.base, this.pos, this.size); }

  @inline private node(k: K, start: i32): i32 {
    const i = this.count;
    if (i >= MAX_JSON_NODES) { this.fail(JsonError.TooManyNodes); return -1; }
    this.count = i + 1;
    store<u32>(this.nodes + (<usize>i << 2), <u32>start | <u32>k << KIND_SHIFT);
    store<u16>(this.end + (<usize>i << 1), <u16>(i + 1));
    return i;
  }

  @inline private flag(i: i32): void { store<u32>(this.nodes + (<usize>i << 2), this.word(i) | FLAG); }

  @inline private close(i: i32, endPos: i32): void {
    const w = this.word(i);
    store<u32>(this.nodes + (<usize>i << 2), w | (<u32>endPos - (w & SPAN)) << SPAN_BITS);
    store<u16>(this.end + (<usize>i << 1), <u16>this.count);
  }

  private value(depth: i32): void {
    if (this.error) return;
    const b = this.base, size = this.size;
    let p = this.pos;
    if (p >= size) { this.fail(JsonError.Syntax); return; }
    const c = load<u8>(b + <usize>p);
    if (c == 0x7b || c == 0x5b) {
      if (depth >= MAX_JSON_DEPTH) { this.fail(JsonError.TooDeep); return; }
      const isObj = c == 0x7b;
      const n = this.node(isObj ? K.Obj : K.Arr, p);
      if (n < 0) return;
      p = skip(b, p + 1, size);
      const closer: u8 = isObj ? 0x7d : 0x5d;
      if (p < size && load<u8>(b + <usize>p) == closer) { this.pos = p + 1; this.close(n, p + 1); return; }
      while (true) {
        p = skip(b, p, size);
        if (isObj) {
          if (p >= size || load<u8>(b + <usize>p) != 0x22) { this.pos = p; this.fail(JsonError.Syntax); return; }
          this.pos = p;
          this.string();
          if (this.error) return;
          p = skip(b, this.pos, size);
          if (p >= size || load<u8>(b + <usize>p) != 0x3a) { this.pos = p; this.fail(JsonError.Syntax); return; }
          p = skip(b, p + 1, size);
        }
        this.pos = p;
        this.value(depth + 1);
        if (this.error) return;
        p = skip(b, this.pos, size);
        if (p >= size) { this.pos = p; this.fail(JsonError.Syntax); return; }
        const d = load<u8>(b + <usize>p);
        if (d == 0x2c) { p++; continue; }
        if (d == closer) { this.pos = p + 1; this.close(n, p + 1); return; }
        this.pos = p; this.fail(JsonError.Syntax); return;
      }
    }
    if (c == 0x22) { this.string(); return; }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) { this.number(); return; }
    if (this.lit("true")) { this.leaf(K.True, 4); return; }
    if (this.lit("false")) { this.leaf(K.False, 5); return; }
    if (this.lit("null")) { this.leaf(K.Null, 4); return; }
    this.fail(JsonError.Syntax);
  }

  private lit(s: string): bool {
    if (this.pos + s.length > this.size) return false;
    for (let i = 0; i < s.length; i++) if (<i32>this.at(this.pos + i) != s.charCodeAt(i)) return false;
    return true;
  }

  private leaf(k: K, n: i32): void {
    const i = this.node(k, this.pos);
    if (i < 0) return;
    this.pos += n;
    this.close(i, this.pos);
  }

  private string(): void {
    const i = this.node(K.Str, this.pos + 1);
    if (i < 0) return;
    const b = this.base, size = this.size;
    let p = this.pos + 1;
    while (true) {
      // Plain printable ASCII, the common case, in a tight loop.
      let c: u32 = 0;
      while (p < size) {
        c = load<u8>(b + <usize>p);
        if (load<u8>(SPECIAL + <usize>c)) break;
        p++;
      }
      if (p >= size) { this.pos = p; this.fail(JsonError.Syntax); return; }
      if (c == 0x22) break;
      if (c < 0x20) { this.pos = p; this.fail(JsonError.Syntax); return; }
      if (c == 0x5c) {
        this.flag(i);
        if (p + 1 >= size) { this.pos = p; this.fail(JsonError.Syntax); return; }
        const e = load<u8>(b + <usize>p + 1);
        if (e == 0x75) {
          if (p + 6 > size) { this.pos = p; this.fail(JsonError.BadEscape); return; }
          if (hex4(b + <usize>p + 2) < 0) { this.pos = p; this.fail(JsonError.BadEscape); return; }
          p += 6;
        } else if (unescapeChar(e) != 0) p += 2;
        else { this.pos = p; this.fail(JsonError.BadEscape); return; }
        continue;
      }
      const n = utf8Len(b + <usize>p, size - p);
      if (n == 0) { this.pos = p; this.fail(JsonError.BadUtf8); return; }
      p += n;
    }
    this.close(i, p);
    this.pos = p + 1;
  }

  private number(): void {
    const i = this.node(K.Num, this.pos);
    if (i < 0) return;
    const b = this.base, size = this.size;
    let p = this.pos;
    if (load<u8>(b + <usize>p) == 0x2d) p++;
    if (p >= size || !isDigit(load<u8>(b + <usize>p))) { this.pos = p; this.fail(JsonError.Syntax); return; }
    if (load<u8>(b + <usize>p) == 0x30) p++;
    else while (p < size && isDigit(load<u8>(b + <usize>p))) p++;
    if (p < size && load<u8>(b + <usize>p) == 0x2e) {
      this.flag(i);
      p++;
      if (p >= size || !isDigit(load<u8>(b + <usize>p))) { this.pos = p; this.fail(JsonError.Syntax); return; }
      while (p < size && isDigit(load<u8>(b + <usize>p))) p++;
    }
    if (p < size && (load<u8>(b + <usize>p) | 0x20) == 0x65) {
      this.flag(i);
      p++;
      if (p < size && (load<u8>(b + <usize>p) == 0x2b || load<u8>(b + <usize>p) == 0x2d)) p++;
      if (p >= size || !isDigit(load<u8>(b + <usize>p))) { this.pos = p; this.fail(JsonError.Syntax); return; }
      while (p < size && isDigit(load<u8>(b + <usize>p))) p++;
    }
    this.pos = p;
    this.close(i, p);
  }
}
/** 1 for the bytes that end a run of plain string content: control characters, quote, backslash, non-ASCII. */
const SPECIAL = memory.data<u8>([
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
]);

/** The position of the first byte at or after p that is not JSON whitespace. */
@inline function skip(b: usize, p: i32, n: i32): i32 {
  while (p < n) {
    const c = load<u8>(b + <usize>p);
    if (c > 0x20 || (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09)) break;
    p++;
  }
  return p;
}

@inline function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }

function unescapeChar(c: u8): u8 {
  switch (c) {
    case 0x22: return 0x22; case 0x5c: return 0x5c; case 0x2f: return 0x2f;
    case 0x62: return 0x08; case 0x66: return 0x0c; case 0x6e: return 0x0a;
    case 0x72: return 0x0d; case 0x74: return 0x09;
  }
  return 0;
}

function hex4(p: usize): i32 {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const c = <i32>load<u8>(p + i);
    let d: i32;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x57;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

/** Length of one valid UTF-8 sequence (2-4 bytes) at p, 0 when invalid (overlong, surrogate, > U+10FFFF, truncated). */
export function utf8Len(p: usize, avail: i32): i32 {
  const c = <u32>load<u8>(p);
  let n: i32; let cp: u32;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (n > avail) return 0;
  for (let i = 1; i < n; i++) {
    const d = <u32>load<u8>(p + i);
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  return n;
}

function putUtf8(p: usize, cp: i32): usize {
  if (cp < 0x80) { store<u8>(p, <u8>cp); return 1; }
  if (cp < 0x800) { store<u8>(p, <u8>(0xc0 | (cp >> 6))); store<u8>(p + 1, <u8>(0x80 | (cp & 0x3f))); return 2; }
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate
  if (cp < 0x10000) {
    store<u8>(p, <u8>(0xe0 | (cp >> 12))); store<u8>(p + 1, <u8>(0x80 | ((cp >> 6) & 0x3f))); store<u8>(p + 2, <u8>(0x80 | (cp & 0x3f)));
    return 3;
  }
  store<u8>(p, <u8>(0xf0 | (cp >> 18))); store<u8>(p + 1, <u8>(0x80 | ((cp >> 12) & 0x3f)));
  store<u8>(p + 2, <u8>(0x80 | ((cp >> 6) & 0x3f))); store<u8>(p + 3, <u8>(0x80 | (cp & 0x3f)));
  return 4;
}

export function pow10(e: i32): f64 {
  let r: f64 = 1; let b: f64 = 10;
  while (e) { if (e & 1) r *= b; b *= b; e >>= 1; }
  return r;
}
