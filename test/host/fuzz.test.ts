// The fuzz target over the native engine's receive path (test/native/fuzz-engine.c, make fuzz): a short run from the
// corpus (real traffic recorded by make fuzz-corpus), every earlier finding in test/fuzz/regressions, and for each
// input of both what the station sends, replayed natively and checked against the OCPP 2.0.1 schemas.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { frameViolations } from "./harness.ts";
import type { Station } from "../../host/station.ts";

const root = new URL("../../", import.meta.url).pathname;
const FUZZ = join(root, "build/fuzz-engine");
const REPLAY = join(root, "build/chargewasm-replay");
const SECONDS = Number(process.env.CW_FUZZ_SECONDS ?? 20);
const inputs = (d: string) => readdirSync(join(root, d)).map((f) => join(root, d, f));
const CORPUS = inputs("test/fuzz/corpus"), REGRESSIONS = inputs("test/fuzz/regressions");
/** What the fuzzer found and kept (the short run's; CW_FUZZ_FOUND: make fuzz's corpus), checked against the schemas too. */
const found: string[] = process.env.CW_FUZZ_FOUND ? inputs(process.env.CW_FUZZ_FOUND) : [];

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => execFile(cmd, args, { cwd: root, maxBuffer: 1 << 28, encoding: "latin1" },
    (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err })));
}

describe("fuzzing the engine's receive path", () => {
  it(`a ${SECONDS} s run from the corpus (${CORPUS.length} inputs, every served action) finds nothing`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "cw-fuzz-"));
    const r = await run(FUZZ, [`-max_total_time=${SECONDS}`, "-dict=build/fuzz/ocpp.dict", "-max_len=32768", `-artifact_prefix=${dir}/`,
      "-print_final_stats=1", dir, "test/fuzz/corpus"]);
    found.push(...readdirSync(dir).map((f) => join(dir, f)));
    const runs = /stat::number_of_executed_units:\s+(\d+)/.exec(r.err)?.[1];
    const cov = [...r.err.matchAll(/ cov: (\d+) ft: (\d+)/g)].at(-1);
    console.log(`fuzz: ${runs} executions in ${SECONDS} s, coverage ${cov?.[1]} edges, ${cov?.[2]} features`);
    expect(r.err).not.toMatch(/ERROR: |runtime error:|fuzz: the /);
    expect(r.code).toBe(0);
    expect(Number(runs)).toBeGreaterThan(100);
  }, (SECONDS + 60) * 1000);

  it("every earlier finding runs clean", async () => {
    const r = await run(FUZZ, REGRESSIONS);
    expect(r.err).not.toMatch(/ERROR: |runtime error:|fuzz: the /);
    expect(r.code).toBe(0);
  });

  it("for every input (corpus, regressions, what the fuzzer found), what the station sends is valid JSON and valid against the schemas", async () => {
    const prelude = readFileSync(join(root, "test/fuzz/prelude.scenario"), "latin1");
    const dir = mkdtempSync(join(tmpdir(), "cw-fuzz-replay-"));
    const bad: string[] = [];
    let sent = 0;
    for (const input of [...CORPUS, ...REGRESSIONS, ...found]) {
      const text = readFileSync(input, "latin1");
      const file = join(dir, "input.scenario");
      writeFileSync(file, text.startsWith("config ") ? text : prelude + text, "latin1");
      const r = await run(REPLAY, [file]);   // a scenario may stop at a command it cannot run: what came before counts
      const frames = r.out.split("\n").filter((l) => l.startsWith("< ") || l.startsWith("> "))
        .map((l) => ({ dir: l[0] === ">" ? "out" : "in", text: Buffer.from(l.slice(2), "latin1").toString("utf8") }));
      sent += frames.filter((f) => f.dir === "out").length;
      bad.push(...frameViolations({ frames } as unknown as Station).map((v) => `${input}: ${v}`));
    }
    expect(sent).toBeGreaterThan(CORPUS.length * 3);
    console.log(`fuzz: ${CORPUS.length + REGRESSIONS.length + found.length} inputs replayed, ${sent} frames sent, ${bad.length} invalid`);
    expect(bad).toEqual([]);
  }, 600_000);
});
