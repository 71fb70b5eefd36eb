// docs/CONFORMANCE.md must list exactly the test cases the tests are named after.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";

const root = new URL("../../", import.meta.url);

describe("docs/CONFORMANCE.md", () => {
  it("lists every TC id a test is named after, with that test's file, and no others", () => {
    const inTests = new Map<string, string>();
    for (const f of readdirSync(new URL("test/host/", root))) {
      if (!f.endsWith(".test.ts")) continue;
      const src = readFileSync(new URL(`test/host/${f}`, root), "utf8");
      for (const id of src.match(/TC_[A-Z]_\d+_CS/g) ?? []) inTests.set(id, `test/host/${f}`);
    }
    const doc = readFileSync(new URL("docs/CONFORMANCE.md", root), "utf8");
    const inDoc = new Map<string, string>();
    for (const m of doc.matchAll(/^\| (TC_[A-Z]_\d+_CS) \|[^|]*\|[^|]*\| (\S+) \|$/gm)) inDoc.set(m[1], m[2]);
    expect(Object.fromEntries([...inDoc].sort())).toEqual(Object.fromEntries([...inTests].sort()));
  });
});
