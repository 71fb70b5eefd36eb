// Transactions (block E) against the dev CSMS: TxStartPoint / TxStopPoint, triggerReasons,
// chargingStates, seqNo, and the idToken in the first event after authorization.
import { afterEach, describe, expect, it } from "vitest";
import type { Rig } from "./harness.ts";
import { chargingRig, tes, statuses, authorizes, story, act, dm, expectWellFormed } from "./charging.ts";

let r: Rig;
afterEach(async () => { expectWellFormed(r); await r?.close(); });

const token = { idToken: "ACCEPT1", type: "ISO14443" };

describe("E01 start points", () => {
  it("TC_E_09_CS: EVConnected: plugging in starts the transaction", async () => {
    r = await chargingRig([dm("TxCtrlr", "TxStartPoint", "EVConnected")]);
    await act(r, () => r.station.plug(1));
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    const [e] = tes(r);
    expect(e).toMatchObject({ eventType: "Started", triggerReason: "CablePluggedIn", seqNo: 0, evse: { id: 1, connectorId: 1 }, transactionInfo: { chargingState: "EVConnected" } });
    expect(e.transactionInfo.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.meterValue[0].sampledValue[0]).toMatchObject({ context: "Transaction.Begin", measurand: "Energy.Active.Import.Register", value: 0 });
  });

  it("TC_E_01_CS: PowerPathClosed: starts when the plugged EV is authorized", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    expect(tes(r)).toHaveLength(0);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(authorizes(r)).toEqual([{ idToken: token }]);
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", triggerReason: "Authorized", idToken: token, evse: { id: 1, connectorId: 1 } });
    expect(story(r)).toEqual(["Started Authorized EVConnected", "Updated ChargingStateChanged Charging"]);
  });

  it("TC_E_02_CS: EnergyTransfer: starts when energy flows, already Charging", async () => {
    r = await chargingRig([dm("TxCtrlr", "TxStartPoint", "EnergyTransfer")]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(tes(r)).toHaveLength(0);
    await act(r, () => r.station.plug(1));
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    const [e] = tes(r);
    expect(e).toMatchObject({ eventType: "Started", triggerReason: "ChargingStateChanged", idToken: token, evse: { id: 1, connectorId: 1 }, transactionInfo: { chargingState: "Charging" } });
  });

  it("TC_E_10_CS: Authorized: presenting the idToken starts the transaction before any cable", async () => {
    r = await chargingRig([dm("TxCtrlr", "TxStartPoint", "Authorized")]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(authorizes(r)).toEqual([{ idToken: token }]);
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", triggerReason: "Authorized", idToken: token, transactionInfo: { chargingState: "Idle" } });
  });
});

describe("E02/E03 local start", () => {
  it("TC_E_03_CS: cable first, then idToken: authorized, then energy transfer", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    expect(statuses(r)).toEqual(["1/1 Available", "1/1 Occupied"]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const [started, charging] = tes(r);
    expect(started).toMatchObject({ triggerReason: "Authorized", idToken: token });
    expect(charging).toMatchObject({ eventType: "Updated", triggerReason: "ChargingStateChanged", transactionInfo: { chargingState: "Charging" } });
    expect(charging.idToken).toBeUndefined();
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "C", contactor: true, locked: true, offeredA: 32 });
  });

  it("TC_E_04_CS: idToken first, then cable", async () => {
    r = await chargingRig();
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(authorizes(r)).toHaveLength(1);
    expect(tes(r)).toHaveLength(0);
    await act(r, () => r.station.plug(1));
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", triggerReason: "CablePluggedIn", idToken: token, evse: { id: 1, connectorId: 1 } });
    expect(["EVConnected", "SuspendedEVSE", "Charging"]).toContain(tes(r)[0].transactionInfo.chargingState);
    expect(story(r).at(-1)).toBe("Updated ChargingStateChanged Charging");
  });

  it("TC_E_05_CS: idToken first, no cable within EVConnectionTimeOut: the authorization lapses, the EVSE is free again", async () => {
    r = await chargingRig([dm("TxCtrlr", "EVConnectionTimeOut", "30"), dm("TxCtrlr", "TxStartPoint", "Authorized")]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(29_999);
    expect(story(r)).toEqual(["Started Authorized Idle"]);
    await r.station.advance(1);
    expect(tes(r)[1]).toMatchObject({ eventType: "Ended", triggerReason: "EVConnectTimeout", transactionInfo: { stoppedReason: "Timeout" } });
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.plug(1));
    expect(story(r).slice(2)).toEqual(["Started Authorized Idle", "Updated CablePluggedIn EVConnected", "Updated ChargingStateChanged Charging"]);
  });

  it("TC_E_38_CS: EV not ready: SuspendedEV once the EV has had time to answer the PWM offer", async () => {
    r = await chargingRig();
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.plug(1, { wantsCharge: false }));
    expect(story(r)).toEqual(["Started CablePluggedIn EVConnected"]);
    await r.station.advance(3000);
    expect(tes(r)[1]).toMatchObject({ triggerReason: "ChargingStateChanged", transactionInfo: { chargingState: "SuspendedEV" } });
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "B", contactor: false });
  });
});

describe("E06/E07 stop", () => {
  async function charging(defaults = [] as ReturnType<typeof dm>[]) {
    r = await chargingRig(defaults);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(60_000);
    return tes(r)[0].transactionInfo.transactionId as string;
  }

  it("TC_E_15_CS / TC_E_06_CS: the same idToken stops locally; unplugging frees the connector", async () => {
    const id = await charging();
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const ended = tes(r).at(-1);
    expect(ended).toMatchObject({ eventType: "Ended", triggerReason: "StopAuthorized", transactionInfo: { transactionId: id, stoppedReason: "Local", chargingState: "EVConnected" } });
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, locked: false, dutyPermille: 1000, pilot: "B" });
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    await act(r, () => r.station.unplug(1));
    expect(statuses(r).at(-1)).toBe("1/1 Available");
    expect(tes(r).at(-1)).toEqual(ended);
  });

  it("TC_E_07_CS: TxStopPoint PowerPathClosed: a local stop ends the transaction", async () => {
    await charging([dm("TxCtrlr", "TxStopPoint", "PowerPathClosed")]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(story(r).at(-1)).toBe("Ended StopAuthorized EVConnected Local");
  });

  it("TC_E_21_CS: RequestStopTransaction ends it with RemoteStop / Remote", async () => {
    const id = await charging();
    const res = await r.csms.call("CS-TEST-1", "RequestStopTransaction", { transactionId: id });
    expect(res.status).toBe("Accepted");
    await r.station.settle();
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "RemoteStop", transactionInfo: { stoppedReason: "Remote" } });
  });

  it("TC_E_14_CS: TxStopPoint EVConnected: a local stop only stops energy; unplugging ends the transaction", async () => {
    await charging([dm("TxCtrlr", "TxStopPoint", "EVConnected")]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(story(r).at(-1)).toBe("Updated StopAuthorized EVConnected");
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, dutyPermille: 1000 });
    await act(r, () => r.station.unplug(1));
    expect(statuses(r).at(-1)).toBe("1/1 Available");
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "EVCommunicationLost", transactionInfo: { chargingState: "Idle", stoppedReason: "Local" } });
  });

  it("TC_E_20_CS: unplugging on the EV side ends it with EVCommunicationLost / EVDisconnected, chargingState Idle", async () => {
    await charging();
    await act(r, () => r.station.unplug(1));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "EVCommunicationLost", transactionInfo: { chargingState: "Idle", stoppedReason: "EVDisconnected" } });
    expect(statuses(r).at(-1)).toBe("1/1 Available");
  });

  it("TC_E_22_CS: EnergyTransfer stop point: the EV suspending ends the transaction with StoppedByEV", async () => {
    await charging([dm("TxCtrlr", "TxStopPoint", "EnergyTransfer")]);
    await act(r, () => r.station.setEv(1, { wantsCharge: false }));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", transactionInfo: { chargingState: "SuspendedEV", stoppedReason: "StoppedByEV" } });
  });

  it("TC_E_22_CS: the EV suspending right after energy started (still EVConnected) also ends with StoppedByEV", async () => {
    r = await chargingRig([dm("TxCtrlr", "TxStopPoint", "EnergyTransfer")]);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(1000);
    await act(r, () => r.station.setEv(1, { wantsCharge: false }));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "ChargingStateChanged", transactionInfo: { stoppedReason: "StoppedByEV" } });
    expect(["EVConnected", "SuspendedEV"]).toContain(tes(r).at(-1).transactionInfo.chargingState);
  });

  it("a different idToken does not stop the transaction", async () => {
    await charging();
    const before = tes(r).length;
    await act(r, () => r.station.tap(1, "ACCEPT2"));
    expect(tes(r)).toHaveLength(before);
    expect(r.station.board.evse(1).snapshot().contactor).toBe(true);
  });
});

describe("E14 GetTransactionStatus", () => {
  it("TC_E_28_CS: unknown transactionId: not ongoing, nothing queued", async () => {
    r = await chargingRig();
    const res = await r.csms.call("CS-TEST-1", "GetTransactionStatus", { transactionId: "nope" });
    expect(res).toEqual({ ongoingIndicator: false, messagesInQueue: false });
  });

  it("TC_E_30_CS / TC_E_32_CS / TC_E_34_CS: ongoing, ended, and without transactionId", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const id = tes(r)[0].transactionInfo.transactionId;
    expect(await r.csms.call("CS-TEST-1", "GetTransactionStatus", { transactionId: id })).toEqual({ ongoingIndicator: true, messagesInQueue: false });
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(await r.csms.call("CS-TEST-1", "GetTransactionStatus", { transactionId: id })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
    expect(await r.csms.call("CS-TEST-1", "GetTransactionStatus", {})).toEqual({ messagesInQueue: false });
  });
});
