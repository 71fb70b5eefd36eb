// Prints one closing line for CI, "N passed, N failed", from the as-pect log and vitest's JSON reports (the Node host, posix, and the MCUs).
import { readFileSync, existsSync } from "node:fs";

let passed = 0, failed = 0;
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
if (existsSync("build/aspect.log")) {
  const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(strip(readFileSync("build/aspect.log", "utf8")));
  if (m) { passed += Number(m[1]); failed += Number(m[2]) - Number(m[1]); }
}
for (const f of ["build/vitest.json", "build/vitest-posix.json", "build/vitest-stm32.json", "build/vitest-rv32.json"]) {
  if (!existsSync(f)) continue;
  const r = JSON.parse(readFileSync(f, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
