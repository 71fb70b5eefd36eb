// The MCU's C, made from wasm2c's output of the one engine.wasm (docs/NATIVE.md):
// - every load and store address is masked to the static linear memory (CW_ADDR_MASK): a stray access stays inside
//   the engine's own RAM, at one AND per access instead of wasm2c's compare and branch;
// - on a target that may not access a misaligned word (rv32), a naturally aligned load or store is done directly
//   rather than through an out-of-line memcpy;
// - the static data image is stored compressed (an LZ77 format of our own, decoded by boards/common/data_lz.c at
//   instantiation) instead of as raw bytes in flash: most of it is UTF-16 text and zero fill.
// Usage: tsx schemas/mcu-c.ts build/native/engine.c build/engine.wasm OUTDIR  (writes OUTDIR/engine.c, engine_data.c)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import binaryen from "binaryen";

const [cFile, wasmFile, outDir] = process.argv.slice(2);
if (!outDir) { console.error("usage: mcu-c.ts ENGINE.c ENGINE.wasm OUTDIR"); process.exit(2); }

function fail(why: string): never { console.error(`mcu-c: ${why} (has wasm2c's output changed?)`); process.exit(1); }

let c = readFileSync(cFile, "utf8");
const access = c.split("&mem->data[addr]").length - 1;
if (access !== 2) fail(`expected the load and store helpers to index memory twice, found ${access}`);
c = c.replaceAll("&mem->data[addr]", "&mem->data[(addr) & CW_ADDR_MASK]");
// Loads and stores through cw_access (below) instead of memcpy.
const loadCopy = "wasm_rt_memcpy(&result, &mem->data[(addr) & CW_ADDR_MASK], sizeof(t1));";
const storeCopy = "wasm_rt_memcpy(&mem->data[(addr) & CW_ADDR_MASK], &wrapped, sizeof(t1));";
if (c.split(loadCopy).length !== 2 || c.split(storeCopy).length !== 2) fail("expected one memcpy in the load helper and one in the store helper");
c = c.replace(loadCopy, "cw_access(&result, &mem->data[(addr) & CW_ADDR_MASK], sizeof(t1), addr);");
c = c.replace(storeCopy, "cw_access(&mem->data[(addr) & CW_ADDR_MASK], &wrapped, sizeof(t1), addr);");
const [firstLoad, ...otherLoads] = c.match(/^ *LOAD_DATA\(instance->w2c_memory, \d+u, data_segment_data_w2c_d\d+, \d+\);\n/gm) ?? [];
if (firstLoad === undefined) fail("no LOAD_DATA call found");
c = c.replace(firstLoad, "  cw_load_data(&instance->w2c_memory);\n");
for (const l of otherLoads) c = c.replace(l, "");
c = c.replace(/^static const u8 data_segment_data_w2c_d\d+\[\] = \{[^}]*\};\n/gm, "");
if (/data_segment_data_w2c_d\d/.test(c)) fail("a data segment is still referenced");
c = c.replace('#include "engine.h"\n', `#include "engine.h"

void cw_load_data(wasm_rt_memory_t* memory);

/* A wasm load or store. A target that may not access a misaligned word (rv32imc) gets memcpy called out of line for
 * each one, about 30 instructions: there a naturally aligned access, nearly all of the engine's, is done directly
 * (linear memory is 8-byte aligned, and masking keeps an address's low bits). Elsewhere: memcpy, which the compiler
 * turns into one instruction. (Inlining every load and store helper too would save another ~30% of the instructions,
 * measured, for 72 KB more rv32 flash.) */
#if defined(__riscv)
typedef u16 __attribute__((may_alias)) cw_u16a;
typedef u32 __attribute__((may_alias)) cw_u32a;
typedef u64 __attribute__((may_alias)) cw_u64a;
static inline __attribute__((always_inline)) void cw_access(void* dst, const void* src, size_t n, u64 addr) {
  if ((addr & (n - 1)) == 0) {
    switch (n) {
      case 1: *(u8*)dst = *(const u8*)src; return;
      case 2: *(cw_u16a*)dst = *(const cw_u16a*)src; return;
      case 4: *(cw_u32a*)dst = *(const cw_u32a*)src; return;
      case 8: *(cw_u64a*)dst = *(const cw_u64a*)src; return;
    }
  }
  wasm_rt_memcpy(dst, src, n);
}
#else
#define cw_access(dst, src, n, addr) wasm_rt_memcpy(dst, src, n)
#endif
`);

// The data image: every active segment at its offset, gaps zero.
const m = binaryen.readBinary(readFileSync(wasmFile));
const segs = Array.from({ length: m.getNumMemorySegments() }, (_, i) => m.getMemorySegmentInfoByIndex(i));
if (segs.some((s) => s.passive)) fail("passive data segments are not supported");
const at = Math.min(...segs.map((s) => s.offset as unknown as number));
const end = Math.max(...segs.map((s) => (s.offset as unknown as number) + s.data.byteLength));
const image = new Uint8Array(end - at);
for (const s of segs) image.set(new Uint8Array(s.data), (s.offset as unknown as number) - at);
m.dispose();
const packed = compress(image);
if (!equal(decompress(packed, image.length), image)) fail("the compressed image does not decode to the original");

/** Tokens: a byte (literal count << 4 | match length - 4), count extensions (255-continued), the literals, then (unless
 *  the input ends) a 16-bit little-endian distance back and match-length extensions. Greedy, hash-chained. */
function compress(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  const n = src.length, MIN = 4, WINDOW = 65535;
  const head = new Int32Array(1 << 16).fill(-1), prev = new Int32Array(n).fill(-1);
  const hash = (i: number) => (Math.imul(src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24), 2654435761) >>> 16) & 0xffff;
  const insert = (i: number) => { if (i + MIN <= n) { const h = hash(i); prev[i] = head[h]; head[h] = i; } };
  const count = (v: number) => { for (v -= 15; v >= 255; v -= 255) out.push(255); out.push(v); };
  const token = (from: number, to: number, dist: number, len: number) => {
    const lit = to - from;
    out.push((Math.min(lit, 15) << 4) | (len ? Math.min(len - MIN, 15) : 0));
    if (lit >= 15) count(lit);
    for (let i = from; i < to; i++) out.push(src[i]);
    if (!len) return;
    out.push(dist & 0xff, dist >> 8);
    if (len - MIN >= 15) count(len - MIN);
  };
  let anchor = 0, i = 0;
  while (i + MIN <= n) {
    let best = 0, dist = 0;
    for (let cand = head[hash(i)], tries = 512; cand >= 0 && i - cand <= WINDOW && tries > 0; cand = prev[cand], tries--) {
      let l = 0;
      while (i + l < n && src[cand + l] === src[i + l]) l++;
      if (l > best) { best = l; dist = i - cand; }
    }
    if (best >= MIN) {
      token(anchor, i, dist, best);
      for (const stop = i + best; i < stop; i++) insert(i);
      anchor = i;
    } else insert(i++);
  }
  token(anchor, n, 0, 0);
  return Uint8Array.from(out);
}

/** The same decoder as data_lz.c, to check the output before it goes into firmware. */
function decompress(p: Uint8Array, size: number): Uint8Array {
  const o = new Uint8Array(size);
  let i = 0, k = 0;
  const more = (v: number) => { if (v === 15) { let b; do { b = p[i++]; v += b; } while (b === 255); } return v; };
  while (i < p.length) {
    const t = p[i++];
    const lit = more(t >> 4);
    o.set(p.subarray(i, i + lit), k); i += lit; k += lit;
    if (i >= p.length) break;
    const dist = p[i] | (p[i + 1] << 8); i += 2;
    const len = more(t & 15) + 4;
    for (let j = 0; j < len; j++, k++) o[k] = o[k - dist];
  }
  return o;
}

function equal(a: Uint8Array, b: Uint8Array): boolean { return a.length === b.length && a.every((v, i) => v === b[i]); }

const rows: string[] = [];
for (let i = 0; i < packed.length; i += 24) rows.push("  " + Array.from(packed.subarray(i, i + 24)).join(", ") + ",");
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "engine.c"), c);
writeFileSync(join(outDir, "engine_data.c"), `/* GENERATED by schemas/mcu-c.ts from ${wasmFile}: its static data image, compressed. Do not edit. */
#include <stdint.h>

const uint32_t cw_data_at = ${at}u, cw_data_size = ${image.length}u, cw_data_lz_size = ${packed.length}u;
const uint8_t cw_data_lz[${packed.length}] = {
${rows.join("\n")}
};
`);
console.log(`mcu-c: addresses masked; ${image.length} B of static data stored as ${packed.length} B`);
