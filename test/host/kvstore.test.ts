// The flash key-value store the MCU ports keep their state in (boards/common/kvstore.c): test/native/kvstore-test.c
// runs it on a simulated NOR flash and cuts the power at every single flash operation of a run of 60 writes with
// compactions; after each cut every key must hold its last written value, or the interrupted write's old or new one.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";

const bin = new URL("../../build/kvstore-test", import.meta.url).pathname;

describe("flash key-value store", () => {
  it("survives a power cut at every flash operation (each word programmed, each sector erased), and refuses a value that cannot fit", () => {
    const out = execFileSync(bin, { encoding: "utf8", env: { ...process.env, ASAN_OPTIONS: "detect_leaks=1:abort_on_error=1" } });
    const points = Number(/(\d+) power-cut points checked/.exec(out)?.[1]);
    expect(points).toBeGreaterThan(1000);
  });
});
