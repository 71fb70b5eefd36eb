// OCPP-J RPC behaviour (Part 4) seen from a real CSMS: every malformed or
// unserviceable CALL gets the right CALLERROR and the connection stays usable.
import { afterEach, describe, expect, it } from "vitest";
import { rig, Rig, cv } from "./harness.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const ID = "CS-TEST-1";

async function raw(text: string, id: string): Promise<any[]> {
  const from = r.csms.frames.length;
  r.csms.sendRaw(ID, text);
  return r.csms.nextFrame(ID, (m) => m[1] === id && (m[0] === 3 || m[0] === 4), from);
}

describe("CALLERROR for every malformed CALL", () => {
  it("maps each defect to its Part 4 error code, and keeps serving", async () => {
    r = await rig();
    await r.start();
    const cases: [string, string, string][] = [
      ['[2,"e1","Heartbeat",{', "-1", "RpcFrameworkError"],
      ['{"not":"an array"}', "-1", "RpcFrameworkError"],
      ['[2,"0123456789012345678901234567890123456","GetVariables",{}]', "-1", "RpcFrameworkError"],
      ['[2,"e2","GetVariables"]', "e2", "RpcFrameworkError"],
      ['[9,"e3","GetVariables",{}]', "e3", "MessageTypeNotSupported"],
      ['[2,"e4","BrewCoffee",{}]', "e4", "NotImplemented"],
      ['[2,"e5","ReserveNow",{"id":1,"expiryDateTime":"2026-01-01T00:00:00Z","idToken":{"idToken":"A","type":"Central"}}]', "e5", "NotSupported"],
      ['[2,"e6","GetVariables",[]]', "e6", "FormatViolation"],
      ['[2,"e7","GetVariables",{}]', "e7", "OccurrenceConstraintViolation"],
      ['[2,"e8","GetVariables",{"getVariableData":[{"component":{"name":7},"variable":{"name":"x"}}]}]', "e8", "TypeConstraintViolation"],
      ['[2,"e9","GetVariables",{"getVariableData":[{"component":{"name":"A"},"variable":{"name":"x"},"attributeType":"Bogus"}]}]', "e9", "PropertyConstraintViolation"],
      ['[2,"e10","SetVariables",{"setVariableData":[{"component":{"name":"A"},"variable":{"name":"x"},"attributeValue":"1","extra":true}]}]', "e10", "PropertyConstraintViolation"],
    ];
    for (const [frame, id, code] of cases) {
      const m = await raw(frame, id);
      expect([m[0], m[1], m[2]], frame).toEqual([4, id, code]);
      expect(m[4]).toEqual({});
    }
    const ok = await r.csms.call(ID, "GetVariables", { getVariableData: [cv("OCPPCommCtrlr", "HeartbeatInterval")] });
    expect(ok.getVariableResult[0].attributeStatus).toBe("Accepted");
    expect(r.station.connected).toBe(true);
  });

  it("drops late and unmatched CALLRESULTs with a log line, without answering", async () => {
    r = await rig();
    await r.start();
    const before = r.station.frames.filter((f) => f.dir === "out").length;
    r.csms.sendRaw(ID, '[3,"nobody-asked",{"currentTime":"2026-01-01T00:00:00Z"}]');
    r.csms.sendRaw(ID, '[4,"nobody-asked-either","GenericError","",{}]');
    await r.station.settle();
    await new Promise((res) => setTimeout(res, 50));
    expect(r.station.frames.filter((f) => f.dir === "out").length).toBe(before);
    expect(r.station.logs.filter((l) => l.msg.includes("dropped unmatched or late response")).length).toBe(2);
  });
});

describe("one CALL in flight", () => {
  it("answers CSMS calls while its own CALL awaits a result, and sends the next only after it", async () => {
    let release!: () => void;
    const held = new Promise<void>((res) => { release = res; });
    r = await rig({ heartbeatInterval: 10, hold: (_id, method) => (method === "Heartbeat" ? held : undefined) });
    await r.start({}, { settleMs: 100 });
    await r.station.advance(10000);
    expect(r.calls("Heartbeat")).toHaveLength(1);
    const res = await r.csms.call(ID, "GetVariables", { getVariableData: [cv("OCPPCommCtrlr", "HeartbeatInterval")] });
    expect(res.getVariableResult[0].attributeValue).toBe("10");
    release();
    await r.station.settle();
    const hb = r.calls("Heartbeat");
    await r.station.advance(10000);
    expect(r.calls("Heartbeat").length).toBe(hb.length + 1);
  });

  it("gives up on a CALL after MessageTimeout and carries on", async () => {
    r = await rig({ heartbeatInterval: 20, hold: (_id, method) => (method === "Heartbeat" ? new Promise(() => {}) : undefined) });
    await r.start({ defaults: [{ component: "OCPPCommCtrlr", variable: "MessageTimeout", instance: "Default", value: "5" }] }, { settleMs: 100 });
    await r.station.advance(20000);
    expect(r.calls("Heartbeat")).toHaveLength(1);
    await r.station.advance(4999);
    expect(r.station.logs.some((l) => l.msg.includes("timed out"))).toBe(false);
    await r.station.advance(1);
    expect(r.station.logs.filter((l) => l.msg.includes("Heartbeat") && l.msg.includes("timed out"))).toHaveLength(1);
    await r.station.advance(20000);
    expect(r.calls("Heartbeat")).toHaveLength(2);
  });
});
