// The Node host's journal file (host/storage.ts FileStore): a record is wholly there or absent after a cut at any
// byte, a corrupt record ends the readable log, the file is compacted, a full store refuses and keeps what it had.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore, FILE_STORE_LIMIT } from "../../host/storage.ts";

let dir: string;
const open: FileStore[] = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); rmSync(dir, { recursive: true, force: true }); });

const enc = (s: string) => new TextEncoder().encode(s);
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : new TextDecoder().decode(v));
function store(path: string, legacy?: string): FileStore { const s = new FileStore(path, legacy); open.push(s); return s; }
const tick = () => new Promise((r) => setImmediate(r));

describe("FileStore, the Node host's journal file", () => {
  it("a write cut at any byte of its record is absent after the restart, and the ones before it are intact", () => {
    dir = mkdtempSync(join(tmpdir(), "cw-fs-"));
    const path = join(dir, "s.store");
    const s = store(path);
    s.write("dm/a", enc("one"));
    s.write("txq/t", enc("7"));
    const before = statSync(path).size;
    s.write("dm/a", enc("two"));
    const after = statSync(path).size;
    const whole = readFileSync(path);
    for (let cut = before; cut < after; cut++) {
      writeFileSync(path, whole.subarray(0, cut));
      const t = store(path);
      expect([text(t.read("dm/a")), text(t.read("txq/t"))]).toEqual(["one", "7"]);
      // The torn tail is cut off, so what is written next is found after the next restart.
      t.write("dm/b", enc("x"));
      expect(text(store(path).read("dm/b"))).toBe("x");
    }
    writeFileSync(path, whole);
    expect(text(store(path).read("dm/a"))).toBe("two");
  });

  it("a record whose CRC does not match ends what is read; an empty value deletes", () => {
    dir = mkdtempSync(join(tmpdir(), "cw-fs-"));
    const path = join(dir, "s.store");
    const s = store(path);
    s.write("k1", enc("a"));
    const at = statSync(path).size;
    s.write("k2", enc("b"));
    s.write("k3", enc("c"));
    s.write("k1", new Uint8Array(0));
    expect(s.read("k1")).toBeUndefined();
    const bytes = readFileSync(path);
    bytes[at + 12] ^= 0x40;
    writeFileSync(path, bytes);
    const t = store(path);
    expect([text(t.read("k1")), t.read("k2"), t.read("k3")]).toEqual(["a", undefined, undefined]);
    expect(statSync(path).size).toBe(at);
  });

  it("is compacted to its live records, which survive", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-fs-"));
    const path = join(dir, "s.store");
    const s = store(path);
    for (let i = 0; i < 2000; i++) { s.write(`txq/${i % 16}`, enc(`event ${i} `.repeat(20))); await (i % 100 === 99 ? tick() : null); }
    await tick();
    expect(statSync(path).size).toBeLessThan(3 * (16 * 220 + 4096));
    const t = store(path);
    for (let k = 0; k < 16; k++) expect(text(t.read(`txq/${k}`))).toBe(`event ${1984 + k} `.repeat(20));
  });

  it("refuses a write that would take it beyond its limit, and keeps what it had", () => {
    dir = mkdtempSync(join(tmpdir(), "cw-fs-"));
    const path = join(dir, "s.store");
    const s = store(path);
    const big = new Uint8Array(FILE_STORE_LIMIT / 2);
    expect(s.write("a", big)).toBe(true);
    expect(s.write("b", big)).toBe(false);
    expect(s.write("a", enc("small"))).toBe(true);
    expect(s.write("b", big)).toBe(true);
    const t = store(path);
    expect([text(t.read("a")), t.read("b")?.length]).toEqual(["small", big.length]);
  });

  it("imports an earlier version's JSON state file once; a corrupt one or a foreign file is refused with what to do", () => {
    dir = mkdtempSync(join(tmpdir(), "cw-fs-"));
    const path = join(dir, "s.store"), legacy = join(dir, "s.json");
    writeFileSync(legacy, "{not json");
    expect(() => store(path, legacy)).toThrow(`state file ${legacy} is corrupt`);
    expect(existsSync(path)).toBe(false);
    writeFileSync(legacy, JSON.stringify({ "dm/SecurityCtrlr/BasicAuthPassword": "secret" }));
    expect(text(store(path, legacy).read("dm/SecurityCtrlr/BasicAuthPassword"))).toBe("secret");
    expect(existsSync(legacy)).toBe(false);
    expect(statSync(path).mode & 0o077).toBe(0);
    writeFileSync(join(dir, "other"), "hello");
    expect(() => store(join(dir, "other"))).toThrow(`state file ${join(dir, "other")} is not a chargewasm store; move it away or delete it to start afresh`);
    truncateSync(path, 2);
    expect(() => store(path)).toThrow("is not a chargewasm store");
  });
});
