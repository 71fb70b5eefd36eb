// Power cuts at random points: while charging or idle, just after a SetVariables, during a store write, during the
// reboot. After every cut the station starts again on the same store and the same board (whose meter keeps its
// register, as a real one does); at the end a checker reads what the CSMS received: every transaction complete,
// seqNo gap-free and repeated only by an identical resend, the meter register monotone, persisted variables intact.
// CW_CYCLES (default 50) and CW_SEED pick the run; `make soak CYCLES=1000` runs it long. Runs on every host.
import { afterEach, describe, expect, it } from "vitest";
import { rig, cv, HOST, NATIVE, type Rig } from "./harness.ts";
import { dm, TOKENS } from "./charging.ts";
import type { DevCsms } from "../../host/csms/server.ts";

const ID = "CS-TEST-1";
const CYCLES = Number(process.env.CW_CYCLES ?? 50);
const SEED = Number(process.env.CW_SEED ?? 20261202);
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

let r: Rig;
afterEach(async () => { await r?.close(); });

/** mulberry32: the run is the same for the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const register = (e: any): number | undefined => e.meterValue?.flatMap((v: any) => v.sampledValue)
  .find((v: any) => v.measurand === "Energy.Active.Import.Register")?.value;

/** What is wrong with the TransactionEvents a CSMS received from one station (empty: nothing lost). */
export function transactionProblems(csms: DevCsms, identity: string): string[] {
  const bad: string[] = [];
  const events = csms.frames.filter((f) => f.identity === identity && f.dir === "in").map((f) => JSON.parse(f.text))
    .filter((m) => m[0] === 2 && m[2] === "TransactionEvent").map((m) => m[3]);
  const byTx = new Map<string, Map<number, any>>();
  for (const e of events) {
    const id = e.transactionInfo.transactionId;
    const seen = byTx.get(id) ?? new Map<number, any>();
    byTx.set(id, seen);
    const was = seen.get(e.seqNo);
    if (was && JSON.stringify(was) !== JSON.stringify(e)) bad.push(`${id}: seqNo ${e.seqNo} received twice with different content`);
    seen.set(e.seqNo, e);
  }
  for (const [id, seen] of byTx) {
    const seqs = [...seen.keys()].sort((a, b) => a - b);
    if (seqs.some((s, i) => s !== i)) bad.push(`${id}: seqNo not gap-free: ${seqs.join(",")}`);
    const list = seqs.map((s) => seen.get(s));
    if (list[0]?.eventType !== "Started" || seqs[0] !== 0) bad.push(`${id}: no Started event with seqNo 0`);
    const ended = list.filter((e) => e.eventType === "Ended");
    if (ended.length !== 1 || list.at(-1).eventType !== "Ended") bad.push(`${id}: ${ended.length} Ended events, the last event is ${list.at(-1).eventType}`);
    let last = -Infinity;
    for (const e of list) {
      const v = register(e);
      if (v === undefined) continue;
      if (v < last) bad.push(`${id}: the meter register went back from ${last} to ${v} at seqNo ${e.seqNo}`);
      last = Math.max(last, v);
    }
  }
  return bad;
}

describe("power cuts at random points", () => {
  it(`${CYCLES} cuts (seed ${SEED}): nothing lost, no gaps, the register monotone, variables intact`, async () => {
    const rnd = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    r = await rig({ tokens: TOKENS });
    await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [
      dm("AlignedDataCtrlr", "Interval", "0"), dm("SampledDataCtrlr", "TxUpdatedInterval", "60"),
      dm("OCPPCommCtrlr", "RetryBackOffWaitMinimum", "5"), dm("OCPPCommCtrlr", "RetryBackOffRandomRange", "0"),
    ] });
    // Per variable, the values it may hold: the last one the CSMS saw accepted, and any sent after it whose answer a
    // power cut swallowed (persisted, but never confirmed).
    const expected = new Map<string, Set<string>>();
    const start = await r.csms.call(ID, "GetVariables", { getVariableData: [cv("SampledDataCtrlr", "TxUpdatedInterval"), cv("TxCtrlr", "EVConnectionTimeOut")] });
    for (const x of start.getVariableResult) expected.set(`${x.component.name}.${x.variable.name}`, new Set([x.attributeValue]));
    const errors: string[] = [];
    const kinds = new Map<string, number>();
    let plugged = false;

    const setVariable = async (): Promise<void> => {
      const [component, variable, value] = pick([
        ["SampledDataCtrlr", "TxUpdatedInterval", String(between(30, 120))],
        ["TxCtrlr", "EVConnectionTimeOut", String(between(30, 600))],
      ]);
      const name = `${component}.${variable}`;
      const may = expected.get(name) ?? new Set<string>();
      expected.set(name, may.add(value));
      const res = await r.csms.call(ID, "SetVariables", { setVariableData: [cv(component, variable, { attributeValue: value })] });
      if (res.setVariableResult[0].attributeStatus === "Accepted") expected.set(name, new Set([value])); else may.delete(value);
    };
    const errorsOf = () => { for (const l of r.station.logs) if (l.level === "error") errors.push(l.msg); r.station.logs.length = 0; };
    const cut = async (settle = true) => { errorsOf(); await r.powerCut(settle); };

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Some charging, an outage now and then, the EV leaving now and then.
      if (!plugged) {
        r.station.plug(1);
        await r.station.settle();
        r.station.tap(1, "ACCEPT1");
        plugged = true;
      } else if (rnd() < 0.3) {
        r.station.unplug(1);
        plugged = false;
      }
      await r.station.settle();
      if (rnd() < 0.2 && r.station.connected) { r.csms.accepting = false; await r.csms.disconnect(ID); }
      await r.station.advance(between(1, 200) * 1000);

      const kind = pick(["now", "after SetVariables", "during a write", "during the reboot"] as const);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (process.env.CW_TRACE) console.log(`cycle ${cycle} t=${r.clock.now()} plugged=${plugged} connected=${r.station.connected} cut ${kind}`);
      if (kind === "now") await cut();
      else if (kind === "after SetVariables") {
        if (r.station.connected) await setVariable();
        await cut();
      } else if (kind === "during a write") {
        if (!NATIVE) {
          // The n-th write from now fails with the power; the TransactionEvents and variables below all write.
          r.cutAtWrite(between(1, 3), rnd() < 0.5);
          if (r.station.connected) await setVariable().catch(() => {});
          if (!r.cut && plugged) { r.station.unplug(1); plugged = false; }
          if (!r.cut) await r.station.advance(between(1, 120) * 1000);
          r.cutAtWrite(0, false);
          await cut();
        } else {
          // A native station is killed at a random moment while it handles a SetVariables and an EV leaving.
          if (r.station.connected) void setVariable().catch(() => {});
          if (plugged) { r.station.unplug(1); plugged = false; }
          await sleep(between(0, 20));
          await cut();
        }
      } else {
        if (!NATIVE) r.cutAtWrite(between(1, 4), rnd() < 0.5);
        await cut(false);
        await sleep(between(0, 150));
        if (!NATIVE) r.cutAtWrite(0, false);
        await cut();
      }
      if (!r.csms.accepting && rnd() < 0.6) r.csms.accepting = true;
      await r.station.advance(between(0, 30) * 1000);
    }

    // The outage ends, the EV leaves, and everything queued drains.
    r.csms.accepting = true;
    if (plugged) r.station.unplug(1);
    await r.station.advance(900_000);
    errorsOf();
    expect(r.station.connected).toBe(true);

    const problems = transactionProblems(r.csms, ID);
    if (process.env.CW_TRACE) for (const f of r.csms.frames) if (f.identity === ID) { const m = JSON.parse(f.text); if (m[2] === "TransactionEvent" || m[2] === "BootNotification") console.log(f.dir, m[2], m[2] === "TransactionEvent" ? `${m[3].transactionInfo.transactionId.slice(0, 8)} ${m[3].seqNo} ${m[3].eventType} ${m[3].triggerReason} ${m[3].timestamp} off=${m[3].offline ?? ""} reg=${register(m[3])}` : ""); }
    const txs = new Set(r.csms.calls.filter((c) => c.method === "TransactionEvent").map((c) => c.params.transactionInfo.transactionId));
    console.log(`power cuts on ${HOST}: ${CYCLES} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}), ${txs.size} transactions, ` +
      `${problems.length} problems`);
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(txs.size).toBeGreaterThan(CYCLES / 10);
    expect(errors, `seed ${SEED}`).toEqual([]);

    // The variables the CSMS saw accepted survived every cut.
    const names = [...expected.keys()];
    if (names.length) {
      const got = await r.csms.call(ID, "GetVariables", { getVariableData: names.map((n) => cv(n.split(".")[0], n.split(".")[1])) });
      for (const x of got.getVariableResult) {
        const name = `${x.component.name}.${x.variable.name}`;
        expect([...expected.get(name)!], `${name} after every cut`).toContain(x.attributeValue);
      }
    }
  }, 1_800_000);
});
