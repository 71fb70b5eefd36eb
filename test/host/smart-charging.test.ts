// Smart charging (block K) against the dev CSMS, and a property test of the
// composite schedule against an independent per-second evaluator.
import { afterEach, describe, expect, it } from "vitest";
import { rig, NATIVE, type Rig } from "./harness.ts";
import type { Station } from "../../host/station.ts";
import { MemoryStore } from "../../host/storage.ts";
import { chargingRig, tes, act, dm, story } from "./charging.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const ID = "CS-TEST-1";
const call = (action: string, payload: unknown) => r.csms.call(ID, action, payload);
const iso = (ms: number) => new Date(ms).toISOString();

type Period = [number, number, number?];   // startPeriod, limit, numberPhases
interface P {
  id: number; stackLevel?: number; purpose?: string; kind?: string; recurrency?: string; validFrom?: number; validTo?: number;
  start?: number; duration?: number; unit?: "A" | "W"; periods: Period[]; transactionId?: string;
}
function profile(p: P) {
  return {
    id: p.id, stackLevel: p.stackLevel ?? 0, chargingProfilePurpose: p.purpose ?? "TxDefaultProfile", chargingProfileKind: p.kind ?? "Absolute",
    ...(p.recurrency ? { recurrencyKind: p.recurrency } : {}),
    ...(p.validFrom !== undefined ? { validFrom: iso(p.validFrom) } : {}), ...(p.validTo !== undefined ? { validTo: iso(p.validTo) } : {}),
    ...(p.transactionId ? { transactionId: p.transactionId } : {}),
    chargingSchedule: [{
      id: p.id, chargingRateUnit: p.unit ?? "A",
      ...(p.start !== undefined ? { startSchedule: iso(p.start) } : {}), ...(p.duration !== undefined ? { duration: p.duration } : {}),
      chargingSchedulePeriod: p.periods.map(([startPeriod, limit, numberPhases]) => ({ startPeriod, limit, ...(numberPhases ? { numberPhases } : {}) })),
    }],
  };
}
const set = (evseId: number, p: P) => call("SetChargingProfile", { evseId, chargingProfile: profile(p) });
const composite = (evseId: number, duration: number, unit = "A") => call("GetCompositeSchedule", { evseId, duration, chargingRateUnit: unit });
const periodsOf = (res: any) => res.schedule.chargingSchedulePeriod.map((x: any) => [x.startPeriod, x.limit]);

async function reports(requestId: number, criteria: object, evseId?: number) {
  const from = r.station.frames.length;
  const res = await call("GetChargingProfiles", { requestId, chargingProfile: criteria, ...(evseId !== undefined ? { evseId } : {}) });
  await r.station.settle();
  const sent = r.station.frames.slice(from).filter((f) => f.dir === "out").map((f) => JSON.parse(f.text)).filter((m) => m[2] === "ReportChargingProfiles").map((m) => m[3]);
  return { status: res.status, sent };
}

describe("K01 SetChargingProfile", () => {
  it("TC_K_01_CS: a TxDefaultProfile on one EVSE is stored and reported back as sent", async () => {
    r = await chargingRig();
    const p: P = { id: 11, kind: "Relative", duration: 3600, periods: [[0, 6, 3]] };
    expect(await set(1, p)).toEqual({ status: "Accepted" });
    const { status, sent } = await reports(5, { chargingProfileId: [11] });
    expect(status).toBe("Accepted");
    expect(sent).toEqual([{ requestId: 5, chargingLimitSource: "CSO", chargingProfile: [profile(p)], tbc: false, evseId: 1 }]);
  });

  it("TC_K_02_CS / TC_K_16_CS: a TxProfile without a (known) transaction is Rejected", async () => {
    r = await chargingRig();
    expect(await set(1, { id: 1, purpose: "TxProfile", kind: "Relative", periods: [[0, 6]], transactionId: "UNKNOWN-TRANSACTION-ID" }))
      .toEqual({ status: "Rejected", statusInfo: { reasonCode: "TxNotFound" } });
  });

  it("TC_K_03_CS / TC_K_10_CS / TC_K_11_CS / TC_K_14_CS: where each purpose may be set", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    expect(await set(0, { id: 1, purpose: "ChargingStationMaxProfile", start: now, periods: [[0, 20]] })).toEqual({ status: "Accepted" });
    expect((await set(1, { id: 2, purpose: "ChargingStationMaxProfile", start: now, periods: [[0, 20]] })).status).toBe("Rejected");
    expect(await set(0, { id: 3, start: now, periods: [[0, 16]] })).toEqual({ status: "Accepted" });
    expect((await set(0, { id: 4, purpose: "TxProfile", kind: "Relative", periods: [[0, 6]] })).status).toBe("Rejected");
    expect(await set(7, { id: 5, start: now, periods: [[0, 6]] })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "UnknownEvse" } });
  });

  it("rejects malformed schedules with a reason", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    const cases: [P, string][] = [
      [{ id: 1, start: now, periods: [[10, 6]] }, "InvalidSchedule"],
      [{ id: 1, start: now, periods: [[0, 6], [0, 8]] }, "InvalidSchedule"],
      [{ id: 1, periods: [[0, 6]] }, "InvalidSchedule"],
      [{ id: 1, kind: "Recurring", start: now, periods: [[0, 6]] }, "InvalidSchedule"],
      [{ id: 1, kind: "Relative", start: now, periods: [[0, 6]] }, "InvalidSchedule"],
      [{ id: 1, stackLevel: 9, start: now, periods: [[0, 6]] }, "InvalidStackLevel"],
      [{ id: 1, start: now, validFrom: now + 10, validTo: now, periods: [[0, 6]] }, "InvalidSchedule"],
      [{ id: 1, start: now, periods: Array.from({ length: 25 }, (_, i) => [i * 10, 6] as Period) }, "TooManyElements"],
    ];
    for (const [p, code] of cases) expect(await set(1, p), JSON.stringify(p)).toEqual({ status: "Rejected", statusInfo: { reasonCode: code } });
    await set(1, { id: 1, start: now, periods: [[0, 6]] });
    expect(await set(1, { id: 2, start: now, periods: [[0, 8]] })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "DuplicateProfile" } });
  });

  it("TC_K_04_CS: the same id replaces the profile", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    await set(1, { id: 3, start: now, periods: [[0, 6]] });
    expect(await set(1, { id: 3, start: now, periods: [[0, 13]] })).toEqual({ status: "Accepted" });
    expect(periodsOf(await composite(1, 60))).toEqual([[0, 13]]);
    const { sent } = await reports(1, {});
    expect(sent[0].chargingProfile).toHaveLength(1);
    await set(1, { id: 4, stackLevel: 1, start: now, periods: [[0, 7]] });
    const entries = await call("GetVariables", { getVariableData: [{ component: { name: "SmartChargingCtrlr" }, variable: { name: "Entries", instance: "ChargingProfiles" } }] });
    expect(entries.getVariableResult[0]).toMatchObject({ attributeStatus: "Accepted", attributeValue: "2" });
  });

  it("TC_K_13_CS: profiles survive a reboot", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    await set(1, { id: 8, start: now, duration: 86400, periods: [[0, 9]] });
    await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }] });
    expect(periodsOf(await composite(1, 60))).toEqual([[0, 9]]);
    expect((await reports(2, { chargingProfileId: [8] })).sent).toHaveLength(1);
  });
});

describe("K10 ClearChargingProfile, K09 GetChargingProfiles", () => {
  async function three() {
    r = await chargingRig([], { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    const now = r.clock.utc();
    await set(1, { id: 1, stackLevel: 0, start: now, periods: [[0, 10]] });
    await set(1, { id: 2, stackLevel: 1, start: now, periods: [[0, 12]] });
    await set(2, { id: 3, stackLevel: 1, start: now, periods: [[0, 14]] });
    await set(0, { id: 4, purpose: "ChargingStationMaxProfile", start: now, periods: [[0, 40]] });
  }

  it("TC_K_05_CS / TC_K_08_CS: by id, and Unknown when nothing matches", async () => {
    await three();
    expect(await call("ClearChargingProfile", { chargingProfileId: 2 })).toEqual({ status: "Accepted" });
    expect(await call("ClearChargingProfile", { chargingProfileId: 2 })).toEqual({ status: "Unknown" });
    expect(periodsOf(await composite(1, 60))).toEqual([[0, 10]]);
  });

  it("TC_K_06_CS / TC_K_07_CS / TC_K_24_CS: by stackLevel and purpose, for one or several profiles", async () => {
    await three();
    expect(await call("ClearChargingProfile", { chargingProfileCriteria: { chargingProfilePurpose: "TxDefaultProfile", stackLevel: 5 } })).toEqual({ status: "Unknown" });
    expect(await call("ClearChargingProfile", { chargingProfileCriteria: { chargingProfilePurpose: "TxDefaultProfile", stackLevel: 1 } })).toEqual({ status: "Accepted" });
    const { sent } = await reports(3, {});
    expect(sent.map((x) => [x.evseId, x.chargingProfile.map((p: any) => p.id)])).toEqual([[0, [4]], [1, [1]]]);
  });

  it("TC_K_29_CS / TC_K_30_CS / TC_K_31_CS / TC_K_33_CS / TC_K_35_CS / TC_K_36_CS: by EVSE, purpose and stack level, one report per EVSE with tbc", async () => {
    await three();
    expect((await reports(1, {}, 0)).sent.map((x) => [x.evseId, x.tbc])).toEqual([[0, false]]);
    expect((await reports(2, {}, 1)).sent.map((x) => x.chargingProfile.map((p: any) => p.id))).toEqual([[1, 2]]);
    expect((await reports(3, {})).sent.map((x) => [x.evseId, x.tbc])).toEqual([[0, true], [1, true], [2, false]]);
    expect((await reports(4, { stackLevel: 1 }, 1)).sent.map((x) => x.chargingProfile.map((p: any) => p.id))).toEqual([[2]]);
    expect((await reports(5, { chargingProfilePurpose: "ChargingStationMaxProfile" })).sent.map((x) => x.evseId)).toEqual([0]);
    expect((await reports(6, { chargingProfilePurpose: "TxDefaultProfile", stackLevel: 1 })).sent.map((x) => x.evseId)).toEqual([1, 2]);
  });

  it("TC_K_32_CS / TC_K_34_CS: by id; a chargingLimitSource other than CSO has no profiles", async () => {
    await three();
    expect((await reports(1, { chargingProfileId: [3] })).sent.map((x) => x.evseId)).toEqual([2]);
    expect(await reports(2, { chargingLimitSource: ["EMS"] })).toEqual({ status: "NoProfiles", sent: [] });
  });
});

describe("K08 GetCompositeSchedule", () => {
  it("TC_K_39_CS: no profile: one period at the hardware limit", async () => {
    r = await chargingRig();
    const res = await composite(0, 300);
    expect(res).toMatchObject({ status: "Accepted", schedule: { evseId: 0, duration: 300, chargingRateUnit: "A" } });
    expect(periodsOf(res)).toEqual([[0, 32]]);
  });

  it("TC_K_40_CS: stacking: the higher stack level wins while it lasts", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    await set(1, { id: 1, stackLevel: 0, start: now, validFrom: now, validTo: now + 401_000, duration: 400, periods: [[0, 6], [100, 8], [200, 10]] });
    await set(1, { id: 2, stackLevel: 1, start: now, validFrom: now, validTo: now + 401_000, duration: 150, periods: [[0, 7], [100, 9]] });
    const res = await composite(1, 350);
    expect(periodsOf(res)).toEqual([[0, 7], [100, 9], [150, 8], [200, 10]]);
  });

  it("TC_K_41_CS: purposes combine: TxProfile over TxDefaultProfile, capped by ChargingStationMaxProfile", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const tx = tes(r)[0].transactionInfo.transactionId;
    const now = r.clock.utc();
    await set(0, { id: 1, purpose: "ChargingStationMaxProfile", start: now, duration: 86400, periods: [[0, 10]] });
    await set(1, { id: 2, start: now, validFrom: now, validTo: now + 401_000, duration: 300, periods: [[0, 6], [60, 10], [120, 8], [180, 15], [260, 8]] });
    await set(1, { id: 3, purpose: "TxProfile", transactionId: tx, start: now, validFrom: now, validTo: now + 401_000, duration: 260, periods: [[0, 8], [50, 11], [140, 16], [200, 6], [240, 12]] });
    expect(periodsOf(await composite(1, 400))).toEqual([[0, 8], [50, 10], [200, 6], [240, 10], [260, 8], [300, 10]]);
  });

  it("TC_K_42_CS / TC_K_47_CS: in W; an unknown EVSE is Rejected", async () => {
    r = await chargingRig();
    const res = await composite(1, 60, "W");
    expect(res.schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 22080, numberPhases: 3 }]);
    expect(await composite(9, 60)).toEqual({ status: "Rejected", statusInfo: { reasonCode: "UnknownEvse" } });
  });

  it("TC_K_19_CS / TC_K_21_CS / TC_K_22_CS / TC_K_23_CS: recurring daily, validFrom, validTo, startSchedule", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    await set(1, { id: 1, kind: "Recurring", recurrency: "Daily", start: now - 3600_000, duration: 7200, periods: [[0, 6], [5400, 7]] });
    await set(1, { id: 2, stackLevel: 1, start: now + 7200_000, validFrom: now + 7200_000, validTo: now + 9000_000, periods: [[0, 20]] });
    expect(periodsOf(await composite(1, 86400))).toEqual([[0, 6], [1800, 7], [3600, 32], [7200, 20], [9000, 32], [82800, 6]]);
  });
});

describe("enforcement", () => {
  it("TC_K_60_CS: a TxProfile lowers the limit mid-charge: pilot, EV current and energy follow; the CSMS sees ChargingRateChanged", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1, { maxCurrentA: 32 }));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(600_000);
    const ev = r.station.board.evse(1);
    expect(ev.snapshot()).toMatchObject({ dutyPermille: 533, drawnA: 31.98 });
    const tx = tes(r)[0].transactionInfo.transactionId;
    expect(await set(1, { id: 60, purpose: "TxProfile", kind: "Relative", transactionId: tx, periods: [[0, 6, 3]] })).toEqual({ status: "Accepted" });
    await r.station.settle();
    expect(ev.snapshot()).toMatchObject({ dutyPermille: 100, drawnA: 6 });
    expect(story(r).at(-1)).toBe("Updated ChargingRateChanged Charging");
    const before = ev.energyWh;
    await r.station.advance(3600_000);
    r.station.board.advance(r.clock.now());
    expect(ev.energyWh - before).toBeCloseTo(6 * 230 * 3, 6);
    expect((await reports(1, { chargingProfileId: [60] })).sent[0].chargingProfile[0].transactionId).toBe(tx);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(await reports(2, {})).toEqual({ status: "NoProfiles", sent: [] });
  });

  it("a change within LimitChangeSignificance adjusts the pilot without a TransactionEvent", async () => {
    r = await chargingRig([dm("SmartChargingCtrlr", "LimitChangeSignificance", "20")]);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const n = tes(r).length;
    await set(1, { id: 1, start: r.clock.utc(), periods: [[0, 28]] });
    await r.station.settle();
    expect(r.station.board.evse(1).offeredA).toBe(27.96);
    expect(tes(r)).toHaveLength(n);
  });

  it("K04: the station maximum is shared between the EVSEs that charge", async () => {
    r = await chargingRig([], { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    await set(0, { id: 1, purpose: "ChargingStationMaxProfile", start: r.clock.utc(), periods: [[0, 40]] });
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(r.station.board.evse(1).snapshot().drawnA).toBe(31.8);
    await act(r, () => r.station.plug(2));
    await act(r, () => r.station.tap(2, "ACCEPT2"));
    expect([r.station.board.evse(1).snapshot().drawnA, r.station.board.evse(2).snapshot().drawnA]).toEqual([19.98, 19.98]);
    await act(r, () => r.station.unplug(1));
    expect(r.station.board.evse(2).snapshot().drawnA).toBe(31.8);
  });

  it("K06/K07: offline, the station keeps applying its schedule", async () => {
    r = await chargingRig([dm("OCPPCommCtrlr", "RetryBackOffWaitMinimum", "3600"), dm("OCPPCommCtrlr", "RetryBackOffRandomRange", "0")]);
    await set(1, { id: 1, start: r.clock.utc(), periods: [[0, 10], [600, 16]] });
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.settle();
    expect(r.station.connected).toBe(false);
    await r.station.advance(600_000);
    expect(r.station.board.evse(1).snapshot().drawnA).toBe(15.96);
  });

  it("reports many profiles in chunks of 4, tbc on all but the last", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    for (let i = 0; i < 8; i++) await set(1, { id: 100 + i, stackLevel: i, start: now + i * 1000, validFrom: now + i * 3600_000, validTo: now + (i + 1) * 3600_000, periods: [[0, 6 + i]] });
    const { sent } = await reports(7, {});
    expect(sent.map((x) => [x.chargingProfile.length, x.tbc])).toEqual([[4, true], [4, false]]);
  });

  it("a schedule's next period takes effect on time", async () => {
    r = await chargingRig();
    const now = r.clock.utc();
    await set(1, { id: 1, start: now, periods: [[0, 10], [1800, 16]] });
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(r.station.board.evse(1).snapshot().drawnA).toBe(9.96);
    await r.station.advance(1800_000 - 1);
    expect(r.station.board.evse(1).snapshot().drawnA).toBe(9.96);
    await r.station.advance(1);
    expect(r.station.board.evse(1).snapshot().drawnA).toBe(15.96);
  });

  it("TC_K_37_CS: RequestStartTransaction with a TxProfile: the limit applies to the new transaction", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    const p = profile({ id: 37, purpose: "TxProfile", kind: "Relative", periods: [[0, 6, 3]] });
    expect(await call("RequestStartTransaction", { idToken: { idToken: "ACCEPT1", type: "Central" }, remoteStartId: 1, evseId: 1, chargingProfile: p })).toEqual({ status: "Accepted" });
    await r.station.settle();
    expect(r.station.board.evse(1).snapshot().drawnA).toBe(6);
    const { sent } = await reports(9, { chargingProfileId: [37] });
    expect(sent[0].chargingProfile[0]).toMatchObject({ id: 37, chargingProfilePurpose: "TxProfile", transactionId: tes(r)[0].transactionInfo.transactionId });
  });
});

describe("engine memory", () => {
  it("all 8 profile slots (SmartChargingCtrlr.Entries maxLimit) hold profiles of 24 periods, persist (one store key each) and survive a reboot; a ninth is OutOfStorage; 100 more SetChargingProfile calls fit the same memory", async () => {
    r = await rig();
    await r.start({ evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    const periods = Array.from({ length: 24 }, (_, i) => ({ startPeriod: i * 3611, limit: 6.5 + i }));
    const slots = [0, 1, 2, 3].flatMap((k) => Array.from({ length: 2 }, (_, level) => ({ evseId: k < 2 ? 0 : k - 1, purpose: k === 0 ? "ChargingStationMaxProfile" : "TxDefaultProfile", level: level + (k === 1 ? 2 : 0) })));
    const set = (id: number, slot = slots[id - 1]) => {
      const { evseId, purpose, level } = slot;
      return r.csms.call(r.station.identity, "SetChargingProfile", { evseId, chargingProfile: { id, stackLevel: level, chargingProfilePurpose: purpose,
        chargingProfileKind: "Absolute", chargingSchedule: [{ id, chargingRateUnit: "A", startSchedule: "2026-01-01T00:00:00Z", chargingSchedulePeriod: periods }] } });
    };
    const entries = async () => (await r.csms.call(r.station.identity, "GetVariables", { getVariableData: [{ component: { name: "SmartChargingCtrlr" }, variable: { name: "Entries", instance: "ChargingProfiles" } }] })).getVariableResult[0].attributeValue;
    for (let id = 1; id <= 8; id++) expect(await set(id), `profile ${id}`).toEqual({ status: "Accepted" });
    expect(await set(9, { evseId: 1, purpose: "TxDefaultProfile", level: 7 })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "OutOfStorage" } });
    expect(r.station.logs.some((l) => l.msg.includes("too large to persist") || l.msg.includes("could not persist"))).toBe(false);
    if (!NATIVE) {
      const before = (r.station as Station).memoryBytes;
      for (let i = 0; i < 100; i++) expect((await set(1 + (i % 8))).status).toBe("Accepted");
      expect((r.station as Station).memoryBytes).toBe(before);
    }
    await r.start({ evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    expect(await entries()).toBe("8");
    expect(await r.csms.call(r.station.identity, "ClearChargingProfile", { chargingProfileId: 5 })).toEqual({ status: "Accepted" });
    await r.start({ evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    expect(await entries()).toBe("7");
  });

  it.skipIf(NATIVE)("profiles stored by an earlier version (one key holding an array) are moved into their own keys", async () => {
    const store = new MemoryStore();
    const old = [{ evseId: 1, profile: profile({ id: 21, start: Date.parse("2026-01-01T00:00:00Z"), duration: 86400 * 365, periods: [[0, 11]] }) }];
    store.write("smart-charging/profiles", new TextEncoder().encode(JSON.stringify(old)));
    r = await chargingRig();
    await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }] }, { store });
    expect(periodsOf(await composite(1, 60))).toEqual([[0, 11]]);
    expect(store.read("smart-charging/profiles")?.length).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(store.read("smart-charging/profile/0"))))
      .toMatchObject({ evseId: 1, profile: { id: 21, chargingSchedule: [{ startSchedule: "2026-01-01T00:00:00Z", chargingSchedulePeriod: [{ startPeriod: 0, limit: 11 }] }] } });
  });
});

describe("deadlines set by a schedule change", () => {
  it("a change point that starts the PWM offer also starts the EV's 3 s to answer: SuspendedEV is found at once, not at the next unrelated timer", async () => {
    r = await chargingRig();
    await r.csms.call(r.station.identity, "SetChargingProfile", { evseId: 1, chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: "TxDefaultProfile",
      chargingProfileKind: "Absolute", chargingSchedule: [{ id: 1, chargingRateUnit: "A", startSchedule: new Date(r.clock.utc()).toISOString(),
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }, { startPeriod: 60, limit: 16 }] }] } });
    await act(r, () => r.station.plug(1, { wantsCharge: false }));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const t0 = r.clock.utc();
    // Offline, so that no CSMS answer wakes the engine by chance.
    r.csms.accepting = false;
    await r.csms.disconnect(r.station.identity);
    await r.station.advance(200_000);
    r.csms.accepting = true;
    await r.station.advance(30 * 60_000);
    const suspended = r.calls("TransactionEvent").map((x) => x.m[3]).find((e) => e.transactionInfo.chargingState === "SuspendedEV");
    expect(suspended).toBeDefined();
    expect(Date.parse(suspended.timestamp) - t0).toBe(63_000);
  });
});
