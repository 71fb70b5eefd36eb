// docs/CONFORMANCE.md must list exactly the test cases the tests are named after,
// each with a test file that covers it.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";

const root = new URL("../../", import.meta.url);

describe("docs/CONFORMANCE.md", () => {
  it("lists every TC id a test is named after, with a file that tests it, and no others", () => {
    const inTests = new Map<string, Set<string>>();
    for (const f of readdirSync(new URL("test/host/", root))) {
      if (!f.endsWith(".test.ts")) continue;
      const src = readFileSync(new URL(`test/host/${f}`, root), "utf8");
      for (const id of src.match(/TC_[A-Z]_\d+_CS/g) ?? []) inTests.set(id, (inTests.get(id) ?? new Set()).add(`test/host/${f}`));
    }
    const doc = readFileSync(new URL("docs/CONFORMANCE.md", root), "utf8");
    const inDoc = new Map<string, string>();
    for (const m of doc.matchAll(/^\| (TC_[A-Z]_\d+_CS) \|[^|]*\|[^|]*\| (\S+) \|$/gm)) inDoc.set(m[1], m[2]);
    expect([...inDoc.keys()].sort()).toEqual([...inTests.keys()].sort());
    for (const [id, file] of inDoc) expect(inTests.get(id)?.has(file), `${id} in ${file}`).toBe(true);
  });
});
