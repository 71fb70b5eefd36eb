// A whole charging session on the virtual clock: plug, tap, two hours at 16 A on
// three phases, unplug. The numbers the CSMS receives must match the meter model.
import { afterEach, describe, expect, it } from "vitest";
import type { Rig } from "./harness.ts";
import { chargingRig, tes, act, dm, expectWellFormed } from "./charging.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const energyOf = (mv: any[], ctx: string) => mv.flatMap((m) => m.sampledValue).find((s) => s.context === ctx && s.measurand === "Energy.Active.Import.Register")?.value;

describe("a full session", () => {
  it("2 h at 16 A x 3 phases: Ended energy matches the meter, seqNo gap-free, periodic and aligned values on time", async () => {
    r = await chargingRig([
      dm("SampledDataCtrlr", "TxUpdatedInterval", "300"),
      dm("AlignedDataCtrlr", "Interval", "900"),
      dm("SampledDataCtrlr", "TxEndedInterval", "600"),
      dm("AlignedDataCtrlr", "TxEndedInterval", "1800"),
    ]);
    await r.station.advance(100_000);
    await act(r, () => r.station.plug(1, { maxCurrentA: 16, phases: 3, capacityWh: 100_000, socPct: 10 }));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const t0 = r.clock.now();
    await r.station.advance(2 * 3600_000);
    await act(r, () => r.station.unplug(1));
    expectWellFormed(r);

    const events = tes(r);
    const ended = events.at(-1);
    const meterWh = r.station.board.evse(1).energyWh;
    expect(meterWh).toBeCloseTo(16 * 230 * 3 * 2, 6);
    const reported = energyOf(ended.meterValue, "Transaction.End");
    expect(Math.abs(reported - meterWh) / meterWh).toBeLessThan(0.001);
    expect(ended).toMatchObject({ eventType: "Ended", triggerReason: "EVCommunicationLost", transactionInfo: { stoppedReason: "EVDisconnected", timeSpentCharging: 7200 } });

    const frames = r.calls("TransactionEvent");
    const periodic = frames.filter((x) => x.m[3].triggerReason === "MeterValuePeriodic").map((x) => x.t - t0);
    expect(periodic).toEqual(Array.from({ length: 24 }, (_, i) => (i + 1) * 300_000));
    for (const x of frames.filter((f) => f.m[3].triggerReason === "MeterValuePeriodic")) {
      const sv = x.m[3].meterValue[0].sampledValue;
      expect(sv.filter((s: any) => s.measurand === "Current.Import").map((s: any) => [s.phase, s.value])).toEqual([["L1", 16], ["L2", 16], ["L3", 16]]);
      expect(sv.find((s: any) => s.measurand === "Power.Active.Import").value).toBe(11040);
    }

    const clock = events.filter((e) => e.triggerReason === "MeterValueClock");
    expect(clock.length).toBe(8);
    for (const e of clock) {
      expect(Date.parse(e.meterValue[0].timestamp) % 900_000).toBe(0);
      expect(e.meterValue[0].sampledValue[0].context).toBe("Sample.Clock");
    }
    const endedClock = ended.meterValue.filter((m: any) => m.sampledValue[0].context === "Sample.Clock");
    expect(endedClock.map((m: any) => Date.parse(m.timestamp) % 1_800_000)).toEqual([0, 0, 0, 0]);
    const endedPeriodic = ended.meterValue.filter((m: any) => m.sampledValue[0].context === "Sample.Periodic");
    expect(endedPeriodic).toHaveLength(12);
    expect(energyOf([endedPeriodic[0]], "Sample.Periodic")).toBeCloseTo(1840, 3);
  });

  it("an Ended event that cannot carry every TxEnded sample within the frame limit keeps the newest that fit: the end of the transaction is not lost", async () => {
    const all = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC,Current.Offered";
    r = await chargingRig([dm("SampledDataCtrlr", "TxEndedInterval", "60"), dm("SampledDataCtrlr", "TxEndedMeasurands", all)]);
    await act(r, () => r.station.plug(1, { maxCurrentA: 16, phases: 3, capacityWh: 100_000, socPct: 10 }));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(30 * 60_000);
    await act(r, () => r.station.unplug(1));
    expectWellFormed(r);
    const last = r.calls("TransactionEvent").at(-1)!;
    const ended = last.m[3];
    expect(ended).toMatchObject({ eventType: "Ended", transactionInfo: { stoppedReason: "EVDisconnected" } });
    const samples = ended.meterValue.filter((m: any) => m.sampledValue[0].context === "Sample.Periodic");
    // 24 kept (MAX_ENDED_SAMPLES) do not fit the 4 KiB frame: the newest that fit do, and one more would not.
    expect(samples.length).toBeGreaterThan(1);
    expect(samples.length).toBeLessThan(24);
    const times = samples.map((m: any) => Date.parse(m.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(ended.meterValue.at(-1).sampledValue[0].context).toBe("Transaction.End");
    const bytes = Buffer.byteLength(JSON.stringify(last.m));
    expect(bytes).toBeLessThanOrEqual(4096);
    expect(bytes + Buffer.byteLength(JSON.stringify(samples[0])) + 1).toBeGreaterThan(4096);
    expect(r.station.logs.some((l) => l.msg.endsWith(`carries the last ${samples.length} of 24 TxEnded samples (frame limit)`))).toBe(true);
  });

  it("aligned MeterValues outside a transaction land on the clock boundaries", async () => {
    r = await chargingRig([dm("AlignedDataCtrlr", "Interval", "900")]);
    await r.station.advance(3600_000);
    const mv = r.calls("MeterValues").map((x) => x.m[3]);
    expect(mv).toHaveLength(4);
    expect(mv.map((m) => Date.parse(m.meterValue[0].timestamp) % 900_000)).toEqual([0, 0, 0, 0]);
    expect(mv[0].meterValue[0].sampledValue[0]).toMatchObject({ context: "Sample.Clock", measurand: "Energy.Active.Import.Register", value: 0 });
  });

  it("a full battery moves the EV to SuspendedEV and the meter stops", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1, { maxCurrentA: 16, phases: 1, capacityWh: 3680, socPct: 50 }));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(3600_000);
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Updated", triggerReason: "ChargingStateChanged", transactionInfo: { chargingState: "SuspendedEV" } });
    expect(r.station.board.evse(1).energyWh).toBeCloseTo(1840, 3);
    expect(r.station.board.evse(1).contactor).toBe(false);
  });
});
