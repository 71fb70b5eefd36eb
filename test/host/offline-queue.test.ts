// Nothing lost (E11-E13): every TransactionEvent is kept in the store until the CSMS answers it. Events made while
// the CSMS cannot be reached are queued with offline true and sent in order after the reconnect; events still
// unanswered when the controller loses power are sent after the restart, as they were. Runs on every host.
import { afterEach, describe, expect, it } from "vitest";
import { rig, type Rig } from "./harness.ts";
import { chargingRig, tes, act, dm, expectWellFormed, QUIET, TOKENS, type Default } from "./charging.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const ID = "CS-TEST-1";
const offlineAfter = [dm("OCPPCommCtrlr", "RetryBackOffWaitMinimum", "300"), dm("OCPPCommCtrlr", "RetryBackOffRandomRange", "0"),
  dm("OCPPCommCtrlr", "OfflineThreshold", "360"), dm("SampledDataCtrlr", "TxUpdatedInterval", "60")];

async function charging(defaults = offlineAfter): Promise<void> {
  r = await chargingRig(defaults);
  await act(r, () => r.station.plug(1));
  await act(r, () => r.station.tap(1, "ACCEPT1"));
  expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true, pilot: "C" });
}

const register = (e: any): number | undefined => e.meterValue?.flatMap((v: any) => v.sampledValue)
  .find((v: any) => v.measurand === "Energy.Active.Import.Register")?.value;

/** The TransactionEvents the CSMS received (not what the station logged). */
const received = () => r.csms.calls.filter((c) => c.method === "TransactionEvent").map((c) => c.params);

describe("E11-E13 queued transaction messages", () => {
  it("TC_E_40_CS: events made during a connection loss are queued and sent after the reconnect, in order, offline true, with their meter values", async () => {
    await charging();
    const before = received().length;
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(250_000);
    expect(r.station.connected).toBe(false);
    expect(received()).toHaveLength(before);
    r.csms.accepting = true;
    await r.station.advance(120_000);
    expect(r.station.connected).toBe(true);
    const late = received().slice(before);
    expect(late.length).toBeGreaterThanOrEqual(4);
    const offline = late.filter((e) => e.offline === true);
    expect(offline.length).toBeGreaterThanOrEqual(4);
    for (const e of offline) {
      expect(e).toMatchObject({ eventType: "Updated", triggerReason: "MeterValuePeriodic" });
      expect(e.meterValue.length).toBeGreaterThan(0);
    }
    // Sent in the order they were made, and each one's timestamp is when it was made, not when it was sent.
    const seq = received().map((e) => e.seqNo);
    expect(seq).toEqual(seq.map((_, i) => i));
    const times = offline.map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeLessThan(Date.parse(offline.at(-1)!.timestamp));
    expectWellFormed(r);
  });

  it("TC_E_44_CS: stopped with the same idToken while offline, the EV then leaving: the events are sent after the reconnect, offline true", async () => {
    await charging();
    const before = received().length;
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(5_000);   // the driver comes back a little later
    expect(r.station.connected).toBe(false);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.unplug(1));
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, locked: false });
    r.csms.accepting = true;
    await r.station.advance(400_000);
    const late = received().slice(before);
    expect(late.length).toBeGreaterThanOrEqual(1);
    expect(late.every((e) => e.offline === true)).toBe(true);
    expect(late.at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "StopAuthorized", transactionInfo: { stoppedReason: "Local" } });
    expectWellFormed(r);
  });

  it("an event still unanswered at a power cut is sent after the restart, with its original seqNo and timestamp", async () => {
    await charging();
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(130_000);   // two periodic events, queued offline
    const cutAt = r.clock.utc();
    await r.powerCut();
    r.csms.accepting = true;
    await r.station.advance(400_000);
    const all = received();
    const offline = all.filter((e) => e.offline === true);
    expect(offline.length).toBeGreaterThanOrEqual(2);
    for (const e of offline) expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(cutAt);
    const first = all.filter((e) => e.transactionInfo.transactionId === all[0].transactionInfo.transactionId).map((e) => e.seqNo);
    expect(first).toEqual(first.map((_, i) => i));
  });
});

describe("E13 retrying a TransactionEvent the CSMS does not accept", () => {
  const attempts = [dm("OCPPCommCtrlr", "MessageAttempts", "3", "TransactionEvent"), dm("OCPPCommCtrlr", "MessageAttemptInterval", "10", "TransactionEvent")];
  /** The times (virtual ms) the TransactionEvent with this seqNo was sent. */
  const sentAt = (seqNo: number) => r.calls("TransactionEvent").filter((x) => x.m[3].seqNo === seqNo).map((x) => x.t);

  async function suspended(mode: "silent" | "error", answerFrom = Infinity): Promise<number> {
    let seen = 0;
    r = await rig({
      tokens: TOKENS,
      hold: (_id: string, method: string, params: any) => {
        if (method !== "TransactionEvent" || params.triggerReason !== "ChargingStateChanged" || params.transactionInfo.chargingState !== "SuspendedEV") return;
        if (++seen >= answerFrom) return;
        if (mode === "error") throw new Error("CSMS refuses this event");
        return new Promise<void>(() => {});   // never answered
      },
    });
    // A CALL left unanswered keeps the harness waiting: only briefly here, where that is the point.
    await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [...QUIET, ...attempts] }, { settleMs: 150 });
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.setEv(1, { wantsCharge: false }));
    await r.station.advance(3_000);   // the EV takes its time to leave state C
    return tes(r).find((e) => e.transactionInfo.chargingState === "SuspendedEV").seqNo;
  }

  it("TC_E_41_CS: unanswered, it is sent MessageAttempts times, each after MessageTimeout plus the interval times the transmissions so far, then given up", async () => {
    const seq = await suspended("silent");
    await r.station.advance(300_000);
    const t = sentAt(seq);
    expect(t).toHaveLength(3);
    expect(t[1] - t[0]).toBe(30_000 + 10_000);
    expect(t[2] - t[1]).toBe(30_000 + 20_000);
    await act(r, () => r.station.unplug(1));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended" });
    expect(sentAt(seq)).toHaveLength(3);
  });

  it("TC_E_50_CS: answered with a CALLERROR, it is sent again after the interval times the transmissions so far, MessageAttempts times in all", async () => {
    const seq = await suspended("error");
    await r.station.advance(300_000);
    const t = sentAt(seq);
    expect(t).toHaveLength(3);
    expect(t[1] - t[0]).toBe(10_000);
    expect(t[2] - t[1]).toBe(20_000);
  });

  it("TC_E_42_CS: accepted at the second attempt, it is not sent again, and the events after it follow in order", async () => {
    const seq = await suspended("error", 2);
    await r.station.advance(60_000);
    expect(sentAt(seq)).toHaveLength(2);
    await act(r, () => r.station.unplug(1));
    const seqs = r.csms.calls.filter((c) => c.method === "TransactionEvent").map((c) => c.params.seqNo);
    expect(seqs.filter((s) => s === seq)).toHaveLength(2);
    expect(seqs.at(-1)).toBe(seq + 1);
    expect([...new Set(seqs)]).toEqual([...new Set(seqs)].map((_, i) => i));
  });
});

describe("a transaction cut by a power failure", () => {
  it("is ended after the restart: PowerLoss, AbnormalCondition, seqNo continuing, the meter's register at the start", async () => {
    await charging();
    await r.station.advance(120_000);
    const before = received();
    const txId = before[0].transactionInfo.transactionId;
    await r.powerCut();
    await r.station.advance(5_000);
    const mine = received().filter((e) => e.transactionInfo.transactionId === txId);
    const ended = mine.at(-1);
    expect(ended).toMatchObject({ eventType: "Ended", triggerReason: "AbnormalCondition", transactionInfo: { transactionId: txId, stoppedReason: "PowerLoss" } });
    expect(mine.map((e) => e.seqNo)).toEqual(mine.map((_, i) => i));
    const register = ended.meterValue?.flatMap((v: any) => v.sampledValue).find((v: any) => v.measurand === "Energy.Active.Import.Register" && v.context === "Transaction.End");
    const lastBefore = before.at(-1).meterValue.flatMap((v: any) => v.sampledValue).find((v: any) => v.measurand === "Energy.Active.Import.Register").value;
    expect(register.value).toBeGreaterThanOrEqual(lastBefore);
    // Only once: the next start finds nothing open.
    await r.powerCut();
    await r.station.advance(5_000);
    expect(received().filter((e) => e.transactionInfo.transactionId === txId && e.eventType === "Ended")).toHaveLength(1);
  });
});

describe("C15 offline authorization of unknown idTokens", { timeout: 120_000 }, () => {
  const unknownOk = (stop: string, maxWh?: string) => [...offlineAfter, dm("AuthCtrlr", "OfflineTxForUnknownIdEnabled", "true"),
    dm("TxCtrlr", "StopTxOnInvalidId", stop), ...(maxWh !== undefined ? [dm("TxCtrlr", "MaxEnergyOnInvalidId", maxWh)] : [])];

  /** Reusable state StartOfflineTransaction: the CSMS goes away, the EV arrives, a token is presented, the CSMS comes back. */
  async function startOffline(defaults: Default[], token: string, reconnect = true): Promise<void> {
    r = await chargingRig(defaults);
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, token));
    if (!reconnect) return;
    r.csms.accepting = true;
    await r.station.advance(400_000);
    expect(r.station.connected).toBe(true);
  }

  it("off by default: offline, a token is not checked and nothing starts; the display says so", async () => {
    await startOffline(offlineAfter, "ACCEPT1", false);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, display: "Offline - card not checked, try again later" });
    r.csms.accepting = true;
    await r.station.advance(400_000);
    expect(received()).toEqual([]);
  });

  it("TC_E_43_CS: a transaction started and ended while offline is sent after the reconnect, every event offline true", async () => {
    await startOffline(unknownOk("true"), "ACCEPT1", false);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true, display: "Charging" });
    await r.station.advance(30_000);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.unplug(1));
    r.csms.accepting = true;
    await r.station.advance(400_000);
    const all = received();
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.every((e) => e.offline === true)).toBe(true);
    expect(all[0]).toMatchObject({ eventType: "Started", idToken: { idToken: "ACCEPT1" } });
    expect(all.at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "StopAuthorized" });
    expectWellFormed(r);
  });

  it("TC_E_16_CS: started offline with a token the CSMS then calls Invalid, StopTxOnInvalidId true: ended Deauthorized after the queue", async () => {
    await startOffline(unknownOk("true"), "INVALID1");
    const all = received();
    const first = all.findIndex((e) => e.offline !== true);
    expect(all.slice(0, first).length).toBeGreaterThanOrEqual(1);
    expect(all.at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "Deauthorized", transactionInfo: { stoppedReason: "DeAuthorized" } });
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false });
    expectWellFormed(r);
  });

  it("TC_C_26_CS: StopTxOnInvalidId false, MaxEnergyOnInvalidId 0: the transaction goes on without energy (SuspendedEVSE) until the token stops it", async () => {
    await startOffline(unknownOk("false", "0"), "UNKNOWN1");
    const all = received();
    expect(all.filter((e) => e.offline === true).length).toBeGreaterThanOrEqual(1);
    expect(all.some((e) => e.transactionInfo.chargingState === "SuspendedEVSE")).toBe(true);
    expect(all.some((e) => e.triggerReason === "Deauthorized")).toBe(false);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, display: "Charging paused by the station" });
    await act(r, () => r.station.tap(1, "UNKNOWN1"));
    await act(r, () => r.station.unplug(1));
    expect(received().some((e) => e.triggerReason === "StopAuthorized")).toBe(true);
    expect(received().at(-1)).toMatchObject({ eventType: "Ended" });
    expectWellFormed(r);
  });

  it("StopTxOnInvalidId false, MaxEnergyOnInvalidId 500: energy flows until 500 Wh since the start, then SuspendedEVSE", async () => {
    await startOffline([...unknownOk("false", "500"), dm("OCPPCommCtrlr", "RetryBackOffWaitMinimum", "5")], "UNKNOWN1", false);
    await r.station.advance(10_000);
    r.csms.accepting = true;
    await r.station.advance(20_000);
    expect(r.station.board.evse(1).snapshot().contactor).toBe(true);   // refused, but not yet 500 Wh
    await r.station.advance(400_000);
    const all = received();
    const start = register(all[0])!;
    const suspended = all.find((e) => e.transactionInfo.chargingState === "SuspendedEVSE");
    expect(suspended).toMatchObject({ eventType: "Updated", triggerReason: "ChargingStateChanged" });
    // 22 kW: 500 Wh take about 82 s; the meter is checked every second.
    expect(register(suspended) ?? start + 500).toBeGreaterThanOrEqual(start + 500);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false });
    const wh = r.station.board.evse(1).snapshot().energyWh;
    await r.station.advance(120_000);
    expect(r.station.board.evse(1).snapshot().energyWh).toBe(wh);
    expect(wh - start).toBeLessThan(500 + 22080 / 3600 * 2);
  });

  it("TxBeforeAcceptedEnabled false: while the CSMS keeps the station Pending, no token starts charging even with OfflineTxForUnknownIdEnabled", async () => {
    r = await rig({ tokens: TOKENS, boot: () => ({ status: "Pending", interval: 300 }) });
    await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [...QUIET, dm("AuthCtrlr", "OfflineTxForUnknownIdEnabled", "true")] });
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false });
  });
});

describe("E14 GetTransactionStatus with messages in the queue", () => {
  let release: () => void = () => {};
  async function queued(endIt: boolean): Promise<string> {
    let gate: Promise<void> | undefined;
    r = await rig({ tokens: TOKENS, hold: (_id: string, method: string) => (method === "TransactionEvent" ? gate : undefined) });
    await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [...QUIET, ...offlineAfter] }, { settleMs: 300 });
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const txId = received()[0].transactionInfo.transactionId;
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(130_000);
    if (endIt) await act(r, () => r.station.unplug(1));
    // The CSMS takes the events in but answers none of them yet: they stay in the station's queue.
    gate = new Promise<void>((res) => { release = res; });
    r.csms.accepting = true;
    await r.station.advance(300_000);
    expect(r.station.connected).toBe(true);
    return txId;
  }
  const status = (p: object) => r.csms.call(ID, "GetTransactionStatus", p);

  it("TC_E_29_CS: an ongoing transaction with queued events: ongoingIndicator true, messagesInQueue true", async () => {
    const txId = await queued(false);
    expect(await status({ transactionId: txId })).toEqual({ ongoingIndicator: true, messagesInQueue: true });
    expect(await status({ transactionId: "another" })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
    release();
    await r.station.advance(60_000);
    const late = received().filter((e) => e.offline === true);
    expect(late.some((e) => e.eventType === "Updated" && e.meterValue?.length > 0)).toBe(true);
  });

  it("TC_E_31_CS: a transaction that ended offline with queued events: ongoingIndicator false, messagesInQueue true", async () => {
    const txId = await queued(true);
    expect(await status({ transactionId: txId })).toEqual({ ongoingIndicator: false, messagesInQueue: true });
    release();
    await r.station.advance(600_000);
    expect(await status({ transactionId: txId })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
  });

  it("TC_E_33_CS: without a transactionId: messagesInQueue true while any event waits", async () => {
    await queued(true);
    expect(await status({})).toEqual({ messagesInQueue: true });
    release();
    await r.station.advance(600_000);
    expect(await status({})).toEqual({ messagesInQueue: false });
  });
});
