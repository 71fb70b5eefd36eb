// Provisioning (block B) conformance scenarios, named by their OCTT test case
// (OCPP 2.0.1 Part 6), against the dev CSMS on ocpp-rpc in strict mode.
import { afterEach, describe, expect, it } from "vitest";
import { rig, Rig, cv } from "./harness.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const statusOf = (x: { m: any[] }) => x.m[3];

describe("B01-B03 cold boot", () => {
  it("TC_B_01_CS: Accepted, then every connector's status", async () => {
    r = await rig({ heartbeatInterval: 300 });
    await r.start();
    const out = r.out();
    expect(out[0].m[2]).toBe("BootNotification");
    expect(out[0].m[3]).toEqual({
      reason: "PowerUp",
      chargingStation: { model: "test-2x", vendorName: "chargewasm", serialNumber: "SN-1", firmwareVersion: "0.1.0" },
    });
    const status = r.calls("StatusNotification").map(statusOf);
    expect(status.map((s) => [s.evseId, s.connectorId, s.connectorStatus])).toEqual([
      [1, 1, "Available"], [2, 1, "Available"], [2, 2, "Available"],
    ]);
    expect(status[0].timestamp).toBe(new Date(r.clock.utc()).toISOString().replace(".000Z", "Z"));
    // Reusable state Booted, step 7: after the statuses, the security event of the start.
    const names = out.map((x) => x.m[2]);
    expect(names.slice(0, 5)).toEqual(["BootNotification", "StatusNotification", "StatusNotification", "StatusNotification", "SecurityEventNotification"]);
    expect(out[4].m[3]).toEqual({ type: "StartupOfTheDevice", timestamp: status[0].timestamp });
  });

  it("TC_B_02_CS: Pending: answers the CSMS, refuses RequestStartTransaction, boots again when triggered", async () => {
    r = await rig({ boot: (_id, n) => (n === 1 ? { status: "Pending", interval: 60 } : { status: "Accepted", interval: 300 }) });
    await r.start();
    await r.station.advance(5000);
    const set = await r.csms.call("CS-TEST-1", "SetVariables", { setVariableData: [{ ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "300" }] });
    expect(set.setVariableResult[0].attributeStatus).toBe("Accepted");
    const get = await r.csms.call("CS-TEST-1", "GetVariables", { getVariableData: [cv("OCPPCommCtrlr", "OfflineThreshold")] });
    expect(get.getVariableResult[0]).toMatchObject({ attributeStatus: "Accepted", attributeValue: "300" });
    const start = await r.csms.call("CS-TEST-1", "RequestStartTransaction", { idToken: { idToken: "A", type: "Central" }, remoteStartId: 1 });
    expect(start.status).toBe("Rejected");
    expect(r.calls("BootNotification")).toHaveLength(1);
    const trig = await r.csms.call("CS-TEST-1", "TriggerMessage", { requestedMessage: "BootNotification" });
    expect(trig.status).toBe("Accepted");
    await r.station.settle();
    const boots = r.calls("BootNotification");
    expect(boots.map((b) => b.m[3].reason)).toEqual(["PowerUp", "Triggered"]);
    expect(boots[1].t - boots[0].t).toBeLessThan(60000);
    // Nothing but BootNotification was sent before the second boot was accepted.
    const calls = r.out().filter((x) => x.m[0] === 2);
    expect(calls.findIndex((x) => x.m[2] !== "BootNotification")).toBe(2);
    expect(r.calls("StatusNotification").map((x) => statusOf(x).connectorStatus)).toEqual(["Available", "Available", "Available"]);
  });

  it("Pending: without a trigger, the next BootNotification waits for the interval", async () => {
    r = await rig({ boot: (_id, n) => (n === 1 ? { status: "Pending", interval: 60 } : { status: "Accepted", interval: 300 }) });
    await r.start();
    await r.station.advance(59_999);
    expect(r.calls("BootNotification")).toHaveLength(1);
    await r.station.advance(1);
    const boots = r.calls("BootNotification");
    expect(boots.map((b) => b.t - boots[0].t)).toEqual([0, 60000]);
  });

  it("TC_B_03_CS: Rejected: silent until the interval has passed, then boots again", async () => {
    r = await rig({ boot: (_id, n) => (n === 1 ? { status: "Rejected", interval: 120 } : { status: "Accepted", interval: 300 }) });
    await r.start();
    await r.station.advance(119000);
    expect(r.out().filter((x) => x.m[0] === 2).map((x) => x.m[2])).toEqual(["BootNotification"]);
    await r.station.advance(1000);
    const boots = r.calls("BootNotification");
    expect(boots).toHaveLength(2);
    expect(boots[1].t - boots[0].t).toBe(120000);
    expect(r.calls("StatusNotification")).toHaveLength(3);
  });

  it("TC_B_30_CS: Rejected: a CSMS request is answered with SecurityError", async () => {
    r = await rig({ boot: () => ({ status: "Rejected", interval: 120 }) });
    await r.start();
    await expect(r.csms.call("CS-TEST-1", "GetBaseReport", { requestId: 1, reportBase: "FullInventory" }))
      .rejects.toMatchObject({ rpcErrorCode: "SecurityError" });
  });

  it("a boot interval of 0 retries after the station's own default (60 s)", async () => {
    r = await rig({ boot: (_id, n) => (n === 1 ? { status: "Pending", interval: 0 } : { status: "Accepted", interval: 300 }) });
    await r.start();
    await r.station.advance(60000);
    const boots = r.calls("BootNotification");
    expect(boots.map((b) => b.t - boots[0].t)).toEqual([0, 60000]);
  });
});

describe("heartbeat and clock", () => {
  it("sends Heartbeat after HeartbeatInterval of inactivity, from the boot response's interval", async () => {
    r = await rig({ heartbeatInterval: 300 });
    await r.start({ defaults: [{ component: "AlignedDataCtrlr", variable: "Interval", value: "0" }] });
    const t0 = r.out().at(-1)!.t;
    await r.station.advance(1000 * 1000);
    const hb = r.calls("Heartbeat").map((x) => x.t - t0);
    expect(hb).toEqual([300000, 600000, 900000]);
    expect(hb.every((_, i) => r.calls("Heartbeat")[i].m[3] && Object.keys(r.calls("Heartbeat")[i].m[3]).length === 0)).toBe(true);
  });

  it("applies a new HeartbeatInterval set by the CSMS at once", async () => {
    r = await rig({ heartbeatInterval: 300 });
    await r.start({ defaults: [{ component: "AlignedDataCtrlr", variable: "Interval", value: "0" }] });
    await r.station.advance(10000);
    const res = await r.csms.call("CS-TEST-1", "SetVariables", { setVariableData: [{ ...cv("OCPPCommCtrlr", "HeartbeatInterval"), attributeValue: "60" }] });
    expect(res.setVariableResult[0].attributeStatus).toBe("Accepted");
    const tSet = r.station.frames.at(-1)!.t;
    await r.station.advance(130000);
    expect(r.calls("Heartbeat").map((x) => x.t - tSet)).toEqual([60000, 120000]);
  });

  it("sets its clock from the CSMS's currentTime", async () => {
    const skew = 3600_000;
    r = await rig({}, skew);
    await r.start();
    const res = await r.csms.call("CS-TEST-1", "GetVariables", { getVariableData: [cv("ClockCtrlr", "DateTime")] });
    const shown = Date.parse(res.getVariableResult[0].attributeValue);
    expect(shown - r.clock.utc()).toBe(skew);
  });
});

describe("B05/B06 GetVariables and SetVariables", () => {
  const get = (items: unknown[]) => r.csms.call("CS-TEST-1", "GetVariables", { getVariableData: items });
  const set = (items: unknown[]) => r.csms.call("CS-TEST-1", "SetVariables", { setVariableData: items });

  it("TC_B_06_CS: single value", async () => {
    r = await rig();
    await r.start({ defaults: [{ component: "OCPPCommCtrlr", variable: "OfflineThreshold", value: "300" }] });
    const res = await get([cv("OCPPCommCtrlr", "OfflineThreshold", { attributeType: "Actual" })]);
    expect(res.getVariableResult).toEqual([{
      attributeStatus: "Accepted", attributeType: "Actual", attributeValue: "300",
      component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" },
    }]);
  });

  it("TC_B_07_CS: multiple values", async () => {
    r = await rig();
    await r.start({ defaults: [{ component: "AuthCtrlr", variable: "LocalAuthorizeOffline", value: "true" }] });
    const res = await get([cv("OCPPCommCtrlr", "OfflineThreshold", { attributeType: "Actual" }), cv("AuthCtrlr", "LocalAuthorizeOffline", { attributeType: "Actual" })]);
    expect(res.getVariableResult.map((x: any) => [x.attributeStatus, x.attributeType, x.attributeValue, x.component.name, x.variable.name])).toEqual([
      ["Accepted", "Actual", "300", "OCPPCommCtrlr", "OfflineThreshold"],
      ["Accepted", "Actual", "true", "AuthCtrlr", "LocalAuthorizeOffline"],
    ]);
  });

  it("TC_B_32_CS / TC_B_33_CS / TC_B_34_CS: unknown component, unknown variable, unsupported attribute type", async () => {
    r = await rig();
    await r.start();
    const res = await get([cv("UnknownComponent", "OfflineThreshold"), cv("OCPPCommCtrlr", "UnknownVariable"), cv("OCPPCommCtrlr", "OfflineThreshold", { attributeType: "Target" })]);
    expect(res.getVariableResult.map((x: any) => [x.attributeStatus, x.component.name, x.variable.name, x.attributeType])).toEqual([
      ["UnknownComponent", "UnknownComponent", "OfflineThreshold", undefined],
      ["UnknownVariable", "OCPPCommCtrlr", "UnknownVariable", undefined],
      ["NotSupportedAttributeType", "OCPPCommCtrlr", "OfflineThreshold", "Target"],
    ]);
  });

  it("TC_B_09_CS / TC_B_10_CS: set one and two values", async () => {
    r = await rig();
    await r.start();
    const one = await set([{ ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "300", attributeType: "Actual" }]);
    expect(one.setVariableResult).toEqual([{ attributeStatus: "Accepted", attributeType: "Actual", component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" } }]);
    const two = await set([
      { ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "301", attributeType: "Actual" },
      { ...cv("AuthCtrlr", "LocalAuthorizeOffline"), attributeValue: "true", attributeType: "Actual" },
    ]);
    expect(two.setVariableResult.map((x: any) => x.attributeStatus)).toEqual(["Accepted", "Accepted"]);
    const back = await get([cv("OCPPCommCtrlr", "OfflineThreshold"), cv("AuthCtrlr", "LocalAuthorizeOffline")]);
    expect(back.getVariableResult.map((x: any) => x.attributeValue)).toEqual(["301", "true"]);
  });

  it("TC_B_39_CS: a ReadOnly variable (OCPPCommCtrlr.MessageTimeout[Default]) is Rejected and keeps its value", async () => {
    r = await rig();
    await r.start();
    const res = await set([{ ...cv("OCPPCommCtrlr", "MessageTimeout"), variable: { name: "MessageTimeout", instance: "Default" }, attributeValue: "60" }]);
    expect(res.setVariableResult).toHaveLength(1);
    expect(res.setVariableResult[0]).toMatchObject({ attributeStatus: "Rejected", component: { name: "OCPPCommCtrlr" },
      variable: { name: "MessageTimeout", instance: "Default" } });
    const back = await get([{ ...cv("OCPPCommCtrlr", "MessageTimeout"), variable: { name: "MessageTimeout", instance: "Default" } }]);
    expect(back.getVariableResult[0]).toMatchObject({ attributeStatus: "Accepted", attributeValue: "30" });
  });

  it("TC_B_35_CS / TC_B_36_CS / TC_B_37_CS: unknown component, unknown variable, unsupported attribute type", async () => {
    r = await rig();
    await r.start();
    const res = await set([
      { ...cv("UnknownComponent", "OfflineThreshold"), attributeValue: "1" },
      { ...cv("OCPPCommCtrlr", "UnknownVariable"), attributeValue: "1" },
      { ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "1", attributeType: "Target" },
    ]);
    expect(res.setVariableResult.map((x: any) => [x.attributeStatus, x.component.name, x.variable.name, x.attributeType])).toEqual([
      ["UnknownComponent", "UnknownComponent", "OfflineThreshold", undefined],
      ["UnknownVariable", "OCPPCommCtrlr", "UnknownVariable", undefined],
      ["NotSupportedAttributeType", "OCPPCommCtrlr", "OfflineThreshold", "Target"],
    ]);
  });

  it("TC_B_11_CS: invalidly formatted values are Rejected and change nothing", async () => {
    r = await rig();
    await r.start();
    const res = await set([
      { ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "abc" },
      { ...cv("OCPPCommCtrlr", "HeartbeatInterval"), attributeValue: "1.5" },
      { ...cv("AuthCtrlr", "LocalAuthorizeOffline"), attributeValue: "yes" },
      { ...cv("OCPPCommCtrlr", "HeartbeatInterval"), attributeValue: "0" },
    ]);
    expect(res.setVariableResult.map((x: any) => [x.attributeStatus, x.attributeStatusInfo?.reasonCode])).toEqual([
      ["Rejected", "InvalidValue"], ["Rejected", "InvalidValue"], ["Rejected", "InvalidValue"], ["Rejected", "ValueTooLow"],
    ]);
    const back = await get([cv("OCPPCommCtrlr", "OfflineThreshold"), cv("OCPPCommCtrlr", "HeartbeatInterval")]);
    expect(back.getVariableResult.map((x: any) => x.attributeValue)).toEqual(["300", "300"]);
  });

  it("rejects writes to read-only variables and reads of write-only ones", async () => {
    r = await rig();
    await r.start({ password: "s3cret-password-1" });
    const w = await set([{ ...cv("SecurityCtrlr", "Identity"), attributeValue: "X" }]);
    expect(w.setVariableResult[0]).toMatchObject({ attributeStatus: "Rejected", attributeStatusInfo: { reasonCode: "ReadOnly" } });
    const g = await get([cv("SecurityCtrlr", "BasicAuthPassword")]);
    expect(g.getVariableResult[0]).toMatchObject({ attributeStatus: "Rejected", attributeStatusInfo: { reasonCode: "WriteOnly" } });
    expect(g.getVariableResult[0].attributeValue).toBeUndefined();
  });

  it("addresses EVSE and connector components by evse id and connector id", async () => {
    r = await rig();
    await r.start();
    const res = await get([
      { component: { name: "EVSE", evse: { id: 2 } }, variable: { name: "AvailabilityState" } },
      { component: { name: "Connector", evse: { id: 2, connectorId: 2 } }, variable: { name: "ConnectorType" } },
      { component: { name: "EVSE", evse: { id: 9 } }, variable: { name: "AvailabilityState" } },
      { component: { name: "Connector", evse: { id: 1, connectorId: 2 } }, variable: { name: "ConnectorType" } },
    ]);
    expect(res.getVariableResult.map((x: any) => [x.attributeStatus, x.attributeValue])).toEqual([
      ["Accepted", "Available"], ["Accepted", "cCCS2"], ["UnknownComponent", undefined], ["UnknownComponent", undefined],
    ]);
  });

  it("refuses more items than ItemsPerMessageGetVariables with OccurrenceConstraintViolation", async () => {
    r = await rig();
    await r.start();
    const items = Array.from({ length: 33 }, () => cv("OCPPCommCtrlr", "OfflineThreshold"));
    await expect(get(items)).rejects.toMatchObject({ rpcErrorCode: "OccurrenceConstraintViolation" });
  });

  it("refuses more items than ItemsPerMessageSetVariables with OccurrenceConstraintViolation, and sets none of them", async () => {
    r = await rig();
    await r.start();
    const items = Array.from({ length: 33 }, () => ({ ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "77" }));
    await expect(set(items)).rejects.toMatchObject({ rpcErrorCode: "OccurrenceConstraintViolation", message: "setVariableData: more than ItemsPerMessageSetVariables items" });
    expect((await get([cv("OCPPCommCtrlr", "OfflineThreshold")])).getVariableResult[0].attributeValue).not.toBe("77");
  });

  it("persists written values across a reboot", async () => {
    r = await rig();
    await r.start();
    await set([{ ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "77" }]);
    await r.start();
    const back = await get([cv("OCPPCommCtrlr", "OfflineThreshold")]);
    expect(back.getVariableResult[0].attributeValue).toBe("77");
  });
});
