// Remote control (block F), availability (block G) and reset (B11/B12) against the dev CSMS.
import { afterEach, describe, expect, it } from "vitest";
import type { Rig } from "./harness.ts";
import { chargingRig, tes, statuses, authorizes, story, act, dm, expectWellFormed } from "./charging.ts";

let r: Rig;
afterEach(async () => { expectWellFormed(r); await r?.close(); });

const ID = "CS-TEST-1";
const call = (action: string, payload: unknown) => r.csms.call(ID, action, payload);
const token = { idToken: "ACCEPT1", type: "Central" };

async function settleCall(action: string, payload: unknown) {
  const res = await call(action, payload);
  await r.station.settle();
  return res;
}

async function chargingNow(defaults: ReturnType<typeof dm>[] = [], two = false) {
  r = await chargingRig(defaults, two ? { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] } : {});
  await act(r, () => r.station.plug(1));
  await act(r, () => r.station.tap(1, "ACCEPT1"));
  return tes(r)[0].transactionInfo.transactionId as string;
}

describe("F01-F04 remote start", () => {
  it("TC_F_01_CS: cable first, then RequestStartTransaction: Authorize, then RemoteStart with remoteStartId", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    const res = await settleCall("RequestStartTransaction", { idToken: token, remoteStartId: 7, evseId: 1 });
    expect(res).toEqual({ status: "Accepted" });
    expect(authorizes(r)).toEqual([{ idToken: token }]);
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", triggerReason: "RemoteStart", idToken: token, transactionInfo: { remoteStartId: 7 } });
    expect(story(r).at(-1)).toBe("Updated ChargingStateChanged Charging");
    expect(tes(r)[1].transactionInfo.remoteStartId).toBeUndefined();
  });

  it("TC_F_02_CS: remote start first (AuthorizeRemoteStart true), then the cable", async () => {
    r = await chargingRig();
    const res = await settleCall("RequestStartTransaction", { idToken: token, remoteStartId: 8 });
    expect(res.status).toBe("Accepted");
    expect(authorizes(r)).toHaveLength(1);
    await act(r, () => r.station.plug(1));
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", triggerReason: "CablePluggedIn", idToken: token, transactionInfo: { remoteStartId: 8 } });
    expect(story(r).at(-1)).toBe("Updated ChargingStateChanged Charging");
  });

  it("TC_F_03_CS: AuthorizeRemoteStart false: no Authorize", async () => {
    r = await chargingRig([dm("AuthCtrlr", "AuthorizeRemoteStart", "false"), dm("TxCtrlr", "TxStartPoint", "Authorized")]);
    await settleCall("RequestStartTransaction", { idToken: token, remoteStartId: 9, evseId: 1 });
    expect(authorizes(r)).toHaveLength(0);
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", triggerReason: "RemoteStart", idToken: token, transactionInfo: { remoteStartId: 9 } });
  });

  it("TC_F_04_CS: remote start, no cable within EVConnectionTimeOut: Ended with EVConnectTimeout", async () => {
    r = await chargingRig([dm("TxCtrlr", "TxStartPoint", "Authorized"), dm("TxCtrlr", "EVConnectionTimeOut", "20")]);
    await settleCall("RequestStartTransaction", { idToken: token, remoteStartId: 1, evseId: 1 });
    await r.station.advance(20_000);
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "EVConnectTimeout", transactionInfo: { stoppedReason: "Timeout" } });
    const again = await settleCall("RequestStartTransaction", { idToken: token, remoteStartId: 2, evseId: 1 });
    expect(again.status).toBe("Accepted");
  });

  it("refuses a start on a busy or unknown EVSE, or with a charging profile that is not a TxProfile", async () => {
    await chargingNow();
    expect(await call("RequestStartTransaction", { idToken: token, remoteStartId: 3, evseId: 1 })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "TxInProgress" } });
    expect(await call("RequestStartTransaction", { idToken: token, remoteStartId: 3, evseId: 5 })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "UnknownEvse" } });
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const profile = { id: 1, stackLevel: 0, chargingProfilePurpose: "TxDefaultProfile", chargingProfileKind: "Relative", chargingSchedule: [{ id: 1, chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }] };
    expect(await call("RequestStartTransaction", { idToken: token, remoteStartId: 3, evseId: 1, chargingProfile: profile })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "InvalidProfile" } });
  });
});

describe("F03 remote stop, F05 unlock", () => {
  it("TC_F_08_CS / TC_F_09_CS: RequestStopTransaction: Accepted for the running one, Rejected for an unknown id", async () => {
    const id = await chargingNow();
    expect(await call("RequestStopTransaction", { transactionId: "unknown" })).toEqual({ status: "Rejected", statusInfo: { reasonCode: "TxNotFound" } });
    expect(await settleCall("RequestStopTransaction", { transactionId: id })).toEqual({ status: "Accepted" });
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "RemoteStop", transactionInfo: { transactionId: id, stoppedReason: "Remote" } });
  });

  it("TC_F_05_CS: UnlockConnector during a transaction: OngoingAuthorizedTransaction, still locked", async () => {
    await chargingNow();
    expect(await call("UnlockConnector", { evseId: 1, connectorId: 1 })).toEqual({ status: "OngoingAuthorizedTransaction" });
    expect(r.station.board.evse(1).locked).toBe(true);
  });

  it("TC_F_06_CS / TC_F_07_CS / TC_F_10_CS: UnlockConnector without a transaction: Unlocked; unknown connector", async () => {
    r = await chargingRig();
    expect(await call("UnlockConnector", { evseId: 1, connectorId: 1 })).toEqual({ status: "Unlocked" });
    expect(await call("UnlockConnector", { evseId: 1, connectorId: 2 })).toEqual({ status: "UnknownConnector" });
    expect(await call("UnlockConnector", { evseId: 4, connectorId: 1 })).toEqual({ status: "UnknownConnector" });
  });
});

describe("F06 TriggerMessage", () => {
  it("TC_F_11_CS / TC_F_12_CS: MeterValues for one EVSE and for all, with context Trigger", async () => {
    r = await chargingRig([], { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    expect(await settleCall("TriggerMessage", { requestedMessage: "MeterValues", evse: { id: 2 } })).toEqual({ status: "Accepted" });
    expect(r.calls("MeterValues").map((x) => x.m[3].evseId)).toEqual([2]);
    expect(r.calls("MeterValues")[0].m[3].meterValue[0].sampledValue[0]).toMatchObject({ context: "Trigger", measurand: "Energy.Active.Import.Register" });
    await settleCall("TriggerMessage", { requestedMessage: "MeterValues" });
    expect(r.calls("MeterValues").map((x) => x.m[3].evseId)).toEqual([2, 1, 2]);
  });

  it("TC_F_13_CS / TC_F_14_CS: TransactionEvent with triggerReason Trigger; Rejected without a transaction", async () => {
    await chargingNow([], true);
    expect(await call("TriggerMessage", { requestedMessage: "TransactionEvent", evse: { id: 2 } })).toEqual({ status: "Rejected" });
    expect(await settleCall("TriggerMessage", { requestedMessage: "TransactionEvent" })).toEqual({ status: "Accepted" });
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Updated", triggerReason: "Trigger", evse: { id: 1 }, transactionInfo: { chargingState: "Charging" } });
    expect(tes(r).at(-1).meterValue[0].sampledValue[0].context).toBe("Trigger");
  });

  it("TC_F_20_CS: Heartbeat", async () => {
    r = await chargingRig();
    expect(await settleCall("TriggerMessage", { requestedMessage: "Heartbeat" })).toEqual({ status: "Accepted" });
    expect(r.calls("Heartbeat")).toHaveLength(1);
  });

  it("TC_F_15_CS / TC_F_18_CS: LogStatusNotification and FirmwareStatusNotification report Idle", async () => {
    r = await chargingRig();
    await settleCall("TriggerMessage", { requestedMessage: "LogStatusNotification" });
    await settleCall("TriggerMessage", { requestedMessage: "FirmwareStatusNotification" });
    expect(r.calls("LogStatusNotification")[0].m[3]).toEqual({ status: "Idle" });
    expect(r.calls("FirmwareStatusNotification")[0].m[3]).toEqual({ status: "Idle" });
  });

  it("TC_F_23_CS / TC_F_24_CS: StatusNotification for one connector, Available then Occupied", async () => {
    r = await chargingRig();
    const n = statuses(r).length;
    await settleCall("TriggerMessage", { requestedMessage: "StatusNotification", evse: { id: 1, connectorId: 1 } });
    expect(statuses(r).slice(n)).toEqual(["1/1 Available"]);
    await act(r, () => r.station.plug(1));
    await settleCall("TriggerMessage", { requestedMessage: "StatusNotification", evse: { id: 1, connectorId: 1 } });
    expect(statuses(r).slice(n)).toEqual(["1/1 Available", "1/1 Occupied", "1/1 Occupied"]);
  });

  it("TC_F_26_CS / TC_F_27_CS: BootNotification once accepted is Rejected; an unsupported message is NotImplemented", async () => {
    r = await chargingRig();
    expect(await call("TriggerMessage", { requestedMessage: "BootNotification" })).toEqual({ status: "Rejected" });
    expect(await call("TriggerMessage", { requestedMessage: "SignChargingStationCertificate" })).toEqual({ status: "NotImplemented" });
  });
});

describe("G01-G04 availability", () => {
  it("TC_G_01_CS / TC_G_02_CS: Available -> Occupied -> Available", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.unplug(1));
    expect(statuses(r)).toEqual(["1/1 Available", "1/1 Occupied", "1/1 Available"]);
  });

  it("TC_G_03_CS / TC_G_04_CS: an EVSE Inoperative and back; Inoperative persists across a reboot", async () => {
    r = await chargingRig([], { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2", "cCCS2"] }] });
    expect(await settleCall("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 2 } })).toEqual({ status: "Accepted" });
    expect(statuses(r).slice(3)).toEqual(["2/1 Unavailable", "2/2 Unavailable"]);
    expect(r.station.board.evse(2).duty).toBe(0);
    await act(r, () => r.station.tap(2, "ACCEPT1"));
    expect(authorizes(r)).toHaveLength(0);
    await r.start({ evses: [{ connectors: ["cType2"] }, { connectors: ["cType2", "cCCS2"] }] });
    expect(statuses(r)).toEqual(["1/1 Available", "2/1 Unavailable", "2/2 Unavailable"]);
    expect(await settleCall("ChangeAvailability", { operationalStatus: "Operative", evse: { id: 2 } })).toEqual({ status: "Accepted" });
    expect(statuses(r).slice(3)).toEqual(["2/1 Available", "2/2 Available"]);
  });

  it("TC_G_05_CS / TC_G_06_CS / TC_G_07_CS / TC_G_08_CS: the station, then one connector", async () => {
    r = await chargingRig([], { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2", "cCCS2"] }] });
    await settleCall("ChangeAvailability", { operationalStatus: "Inoperative" });
    expect(statuses(r).slice(3)).toEqual(["1/1 Unavailable", "2/1 Unavailable", "2/2 Unavailable"]);
    await settleCall("ChangeAvailability", { operationalStatus: "Operative" });
    expect(statuses(r).slice(6)).toEqual(["1/1 Available", "2/1 Available", "2/2 Available"]);
    await settleCall("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 2, connectorId: 2 } });
    expect(statuses(r).slice(9)).toEqual(["2/2 Unavailable"]);
    await settleCall("ChangeAvailability", { operationalStatus: "Operative", evse: { id: 2, connectorId: 2 } });
    expect(statuses(r).slice(10)).toEqual(["2/2 Available"]);
  });

  it("TC_G_09_CS / TC_G_10_CS / TC_G_12_CS / TC_G_13_CS: to the state it is already in: Accepted, no new status", async () => {
    r = await chargingRig();
    expect(await settleCall("ChangeAvailability", { operationalStatus: "Operative", evse: { id: 1 } })).toEqual({ status: "Accepted" });
    expect(await settleCall("ChangeAvailability", { operationalStatus: "Operative" })).toEqual({ status: "Accepted" });
    expect(statuses(r)).toEqual(["1/1 Available"]);
    await settleCall("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 1 } });
    expect(await settleCall("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 1 } })).toEqual({ status: "Accepted" });
    expect(statuses(r)).toEqual(["1/1 Available", "1/1 Unavailable"]);
  });

  it("TC_G_11_CS: Inoperative during a transaction is Scheduled; Unavailable once the transaction ends", async () => {
    await chargingNow();
    expect(await settleCall("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 1 } })).toEqual({ status: "Scheduled" });
    expect(r.station.board.evse(1).contactor).toBe(true);
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(statuses(r).at(-1)).toBe("1/1 Unavailable");
    await act(r, () => r.station.unplug(1));
    expect(statuses(r).at(-1)).toBe("1/1 Unavailable");
  });
});

const securityEvents = () => r.calls("SecurityEventNotification").map((x) => x.m[3].type);

describe("B11/B12 reset", () => {
  it("TC_B_20_CS: OnIdle without a transaction: Accepted, reboots, boots with RemoteReset", async () => {
    r = await chargingRig();
    expect(await call("Reset", { type: "OnIdle" })).toEqual({ status: "Accepted" });
    await r.station.advance(1000);
    expect(r.station.boots).toEqual(["PowerUp", "RemoteReset"]);
    expect(r.calls("BootNotification").map((x) => x.m[3].reason)).toEqual(["PowerUp", "RemoteReset"]);
    expect(statuses(r)).toEqual(["1/1 Available", "1/1 Available"]);
    expect(securityEvents()).toEqual(["StartupOfTheDevice", "ResetOrReboot"]);
  });

  it("TC_B_21_CS: OnIdle during a transaction: Scheduled; reboots after it ends, with ScheduledReset", async () => {
    await chargingNow();
    expect(await settleCall("Reset", { type: "OnIdle" })).toEqual({ status: "Scheduled" });
    await r.station.advance(60_000);
    expect(r.station.boots).toEqual(["PowerUp"]);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await r.station.advance(1000);
    expect(r.calls("BootNotification").map((x) => x.m[3].reason)).toEqual(["PowerUp", "ScheduledReset"]);
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    expect(securityEvents()).toEqual(["StartupOfTheDevice", "ResetOrReboot"]);
  });

  it("TC_B_22_CS: Immediate during a transaction: Ended with ResetCommand / ImmediateReset, then reboot", async () => {
    await chargingNow();
    expect(await settleCall("Reset", { type: "Immediate" })).toEqual({ status: "Accepted" });
    const ended = tes(r).at(-1);
    expect(ended).toMatchObject({ eventType: "Ended", triggerReason: "ResetCommand", transactionInfo: { chargingState: "EVConnected", stoppedReason: "ImmediateReset" } });
    expect(ended.idToken).toBeUndefined();
    await r.station.advance(1000);
    expect(r.calls("BootNotification").map((x) => x.m[3].reason)).toEqual(["PowerUp", "RemoteReset"]);
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
    expect(securityEvents()).toEqual(["StartupOfTheDevice", "ResetOrReboot"]);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "B", contactor: false, dutyPermille: 1000 });
  });

  it("TC_B_25_CS / TC_B_27_CS: an EVSE reset ends only that EVSE's transaction, without a reboot", async () => {
    await chargingNow([], true);
    expect(await settleCall("Reset", { type: "OnIdle", evseId: 2 })).toEqual({ status: "Accepted" });
    expect(await settleCall("Reset", { type: "Immediate", evseId: 1 })).toEqual({ status: "Accepted" });
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "ResetCommand", transactionInfo: { stoppedReason: "ImmediateReset" } });
    expect(r.station.boots).toEqual(["PowerUp"]);
  });
});

describe("B04 offline status", () => {
  async function offlineThenPlug(offlineMs: number) {
    r = await chargingRig([dm("OCPPCommCtrlr", "OfflineThreshold", "60"), dm("OCPPCommCtrlr", "RetryBackOffWaitMinimum", String(offlineMs / 1000)),
      dm("OCPPCommCtrlr", "RetryBackOffRandomRange", "0")], { evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }] });
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.settle();
    await act(r, () => r.station.plug(1));
    r.csms.accepting = true;
    await r.station.advance(offlineMs);
    expect(r.station.connected).toBe(true);
    return statuses(r).slice(2);
  }

  it("TC_B_51_CS: offline longer than OfflineThreshold: every connector is reported", async () => {
    expect(await offlineThenPlug(62_000)).toEqual(["1/1 Occupied", "2/1 Available"]);
  });

  it("TC_B_52_CS: offline shorter than OfflineThreshold: only the connector that changed", async () => {
    expect(await offlineThenPlug(58_000)).toEqual(["1/1 Occupied"]);
  });
});
