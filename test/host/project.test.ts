// The project's own promises, checked on every run: make sim builds only what it runs, package.json declares
// exactly what the code imports, and the README says what works today apart from what is still to come.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const read = (f: string) => readFileSync(join(root, f), "utf8");

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? files(p, ext) : ext.test(f) ? [p] : [];
  });
}

/** Bare package names imported by these files (node: built-ins left out). */
function imports(list: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of list) {
    for (const m of read(f).matchAll(/^\s*(?:import|export|\})[^\n"]*from "([^".][^"]*)"|\bimport\("([^".][^"]*)"\)|node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith("node:")) continue;
      out.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
    }
  }
  return out;
}

describe("the project", () => {
  it("make sim builds only what it runs: the engine, and the station binary or MCU firmware of RUNTIME; never the replays or sanitizer builds", () => {
    const dry = (...args: string[]) => execFileSync("make", ["--dry-run", "--always-make", "sim", ...args], { cwd: root, encoding: "utf8" });
    for (const out of [dry(), dry("RUNTIME=posix")]) {
      expect(out).toContain("--target release");
      expect(out).not.toContain("--target mcu");
      expect(out).not.toMatch(/asan|chargewasm-replay/);
    }
    expect(dry()).not.toContain("chargewasm-station");
    expect(dry("RUNTIME=posix")).toContain("-o build/chargewasm-station ");
    for (const mcu of ["stm32", "rv32"]) {
      const out = dry(`RUNTIME=${mcu}`);
      expect(out).toContain(`-o build/chargewasm-station-${mcu}.elf`);
      expect(out).not.toMatch(/asan|chargewasm-replay|chargewasm-station /);
    }
  });

  it("the Makefile asks for the Node version package.json requires", () => {
    const min = Number(/"node": ">=(\d+)"/.exec(read("package.json"))![1]);
    expect(read("Makefile")).toContain(`NODE_MAJOR_MIN := ${min}`);
  });

  it("package.json's dependencies are exactly what the shipped code imports; the rest is a devDependency of the tests", () => {
    const pkg = JSON.parse(read("package.json"));
    const shipped = imports([...files("host", /\.ts$/), "host/chargewasm"]);
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...shipped].sort());
    const tests = imports([...files("test", /\.ts$/), ...files("schemas", /\.ts$/)]);
    for (const p of tests) if (!shipped.has(p)) expect(Object.keys(pkg.devDependencies), p).toContain(p);
  });

  it("the README keeps what works today apart from what is next", () => {
    const readme = read("README.md");
    const next = readme.indexOf("\n## Not yet");
    expect(readme.indexOf("\n## What works today")).toBeGreaterThan(0);
    expect(next).toBeGreaterThan(0);
    const today = readme.slice(0, next);
    for (const claim of [/control boards?/i, /fleets?/i, /microcontroller|\bMCU/i, /STM32|ESP32|RISC-V|Cortex/i]) {
      expect(today, `claimed before "Not yet": ${claim}`).not.toMatch(claim);
    }
  });
});
