// The HAL ABI must not drift: engine.wasm's imports and exports, the Node host's
// table (host/hal.ts) and docs/HAL.md must name the same functions with the same signatures.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { HAL_IMPORTS, ENGINE_EXPORTS, WasmType } from "../../host/hal.ts";

type Sig = { params: WasmType[]; result: WasmType | null };
const VALTYPE: Record<number, WasmType> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" };

/** Reads the function signatures of a module's imports and exports from its binary. */
function signatures(bytes: Uint8Array) {
  let p = 8;
  const u32 = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = () => { const n = u32(); const t = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return t; };
  const types: Sig[] = [];
  const funcTypes: number[] = [];
  const imports = new Map<string, Sig>();
  const exports = new Map<string, Sig>();
  let importedFuncs = 0;
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        p++; // 0x60
        const params = Array.from({ length: u32() }, () => VALTYPE[bytes[p++]]);
        const results = Array.from({ length: u32() }, () => VALTYPE[bytes[p++]]);
        types.push({ params, result: results[0] ?? null });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const mod = name(), field = name(), kind = bytes[p++];
        if (kind === 0) { const t = u32(); imports.set(`${mod}.${field}`, types[t]); funcTypes.push(t); importedFuncs++; }
        else if (kind === 1) { p++; const f = bytes[p++]; u32(); if (f & 1) u32(); }
        else if (kind === 2) { const f = bytes[p++]; u32(); if (f & 1) u32(); }
        else { p += 2; }
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const field = name(), kind = bytes[p++], index = u32();
        if (kind === 0) exports.set(field, types[funcTypes[index]]);
      }
    }
    p = end;
  }
  return { imports, exports, importedFuncs };
}

const fmt = (s: Sig) => `(${s.params.join(", ")}) -> ${s.result ?? "void"}`;

function docTable(section: string): Map<string, string> {
  const doc = readFileSync(new URL("../../docs/HAL.md", import.meta.url), "utf8");
  const part = doc.split(/^## /m).find((s) => s.startsWith(section));
  if (!part) throw new Error(`docs/HAL.md has no section "${section}"`);
  const rows = new Map<string, string>();
  for (const m of part.matchAll(/^\|\s*`(\w+)`\s*\|\s*`([^`]+)`\s*\|/gm)) rows.set(m[1], m[2]);
  return rows;
}

describe("HAL ABI", () => {
  for (const wasm of ["engine.wasm"]) {
    it(`${wasm} imports exactly the host table, nothing from "env"`, () => {
      const { imports } = signatures(readFileSync(new URL(`../../build/${wasm}`, import.meta.url)));
      const got = Object.fromEntries([...imports].map(([k, s]) => [k, fmt(s)]));
      const want = Object.fromEntries(Object.entries(HAL_IMPORTS).map(([k, s]) => [`host.${k}`, fmt(s)]));
      expect(got).toEqual(want);
    });

    it(`${wasm} exports the engine entry points with their signatures`, () => {
      const { exports } = signatures(readFileSync(new URL(`../../build/${wasm}`, import.meta.url)));
      for (const [k, s] of Object.entries(ENGINE_EXPORTS)) expect(exports.has(k) ? fmt(exports.get(k)!) : "missing", k).toBe(fmt(s));
    });
  }

  it("boards/include/chargewasm.h declares every import as cw_hal_<name> with the same arity and result", () => {
    const header = readFileSync(new URL("../../boards/include/chargewasm.h", import.meta.url), "utf8").replace(/\s+/g, " ");
    const got: Record<string, string> = {};
    for (const m of header.matchAll(/(\w+) cw_hal_(\w+)\(cw_board \*b(?:, ([^)]*))?\);/g)) {
      const params = m[3] ? m[3].split(",").length : 0;
      got[m[2]] = `${params} -> ${m[1] === "void" ? "void" : "value"}`;
    }
    const want = Object.fromEntries(Object.entries(HAL_IMPORTS).map(([k, sig]) => [k, `${sig.params.length} -> ${sig.result ? "value" : "void"}`]));
    expect(got).toEqual(want);
  });

  it("docs/HAL.md documents every import and export with the same signature", () => {
    expect(Object.fromEntries(docTable("Imports"))).toEqual(Object.fromEntries(Object.entries(HAL_IMPORTS).map(([k, s]) => [k, fmt(s)])));
    expect(Object.fromEntries(docTable("Exports"))).toEqual(Object.fromEntries(Object.entries(ENGINE_EXPORTS).map(([k, s]) => [k, fmt(s)])));
  });
});
