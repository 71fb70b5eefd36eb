import { Rpc, Served } from "../../assembly/rpc/rpc";
import { Json } from "../../assembly/json/reader";
import { Writer } from "../../assembly/json/writer";
import { Action } from "../../assembly/generated/ocpp";
import { check, requestType } from "../../assembly/messages/schema";

const rpc = new Rpc();
let results = 0;
let failures = 0;
rpc.connected = true;
rpc.onCall = (a: Action, j: Json, p: i32, w: Writer): Served => {
  if (a != Action.GetVariables) return Served.Unsupported;
  if (!check(j, p, requestType(a))) return Served.Invalid;
  w.obj(); w.key("getVariableResult"); w.arr(); w.endArr(); w.endObj();
  return Served.Answered;
};
rpc.onResult = (a: Action, j: Json, p: i32, tag: string): void => { results++; };
rpc.onFailure = (a: Action, why: string, tag: string): void => { failures++; };

function feed(s: string): string {
  const b = String.UTF8.encode(s);
  rpc.receive(changetype<usize>(b), b.byteLength);
  return rpc.out.toString();
}

function feedBytes(bytes: u8[]): string {
  const a = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) a[i] = bytes[i];
  rpc.receive(a.dataStart, a.length);
  return rpc.out.toString();
}

describe("OCPP-J framing of incoming CALLs", () => {
  it("answers a valid CALL with a CALLRESULT carrying the same id", () => {
    expect(feed('[2,"m1","GetVariables",{"getVariableData":[{"component":{"name":"A"},"variable":{"name":"B"}}]}]'))
      .toBe('[3,"m1",{"getVariableResult":[]}]');
  });

  it("answers unreadable JSON with RpcFrameworkError and id -1", () => {
    expect(feed('[2,"m1","Heartbeat",{')).toStrictEqual('[4,"-1","RpcFrameworkError","Invalid JSON (syntax error at byte 21)",{}]');
  });

  it("answers invalid UTF-8 with RpcFrameworkError", () => {
    expect(feedBytes([0x5b, 0x32, 0x2c, 0x22, 0xff, 0x22, 0x5d])).toBe('[4,"-1","RpcFrameworkError","Invalid JSON (invalid UTF-8 at byte 4)",{}]');
  });

  it("answers a non-array with RpcFrameworkError", () => {
    expect(feed('{"a":1}')).toBe('[4,"-1","RpcFrameworkError","Message must be an array",{}]');
  });

  it("answers an unknown message type with MessageTypeNotSupported and the id", () => {
    expect(feed('[5,"m2","Heartbeat",{}]')).toBe('[4,"m2","MessageTypeNotSupported","MessageTypeId 5 is not supported",{}]');
  });

  it("answers an id longer than 36 characters with RpcFrameworkError and id -1", () => {
    expect(feed('[2,"0123456789012345678901234567890123456","Heartbeat",{}]'))
      .toBe('[4,"-1","RpcFrameworkError","MessageId must be a string of 1 to 36 characters",{}]');
  });

  it("answers a CALL with the wrong element count with RpcFrameworkError", () => {
    expect(feed('[2,"m3","GetVariables"]')).toBe('[4,"m3","RpcFrameworkError","A CALL has 4 elements, not 3",{}]');
  });

  it("answers an unknown action with NotImplemented", () => {
    expect(feed('[2,"m4","MakeCoffee",{}]')).toBe('[4,"m4","NotImplemented","Unknown action MakeCoffee",{}]');
  });

  it("answers a known but unsupported action with NotSupported", () => {
    expect(feed('[2,"m5","ReserveNow",{}]')).toBe('[4,"m5","NotSupported","ReserveNow is not supported",{}]');
  });

  it("answers a non-object payload with FormatViolation", () => {
    expect(feed('[2,"m6","GetVariables",[]]')).toBe('[4,"m6","FormatViolation","Payload must be a JSON object",{}]');
  });

  it("answers schema violations with the code the violation maps to", () => {
    expect(feed('[2,"m7","GetVariables",{}]')).toBe('[4,"m7","OccurrenceConstraintViolation","getVariableData: required",{}]');
    expect(feed('[2,"m8","GetVariables",{"getVariableData":"x"}]')).toBe('[4,"m8","TypeConstraintViolation","getVariableData: must be an array",{}]');
    expect(feed('[2,"m9","GetVariables",{"getVariableData":[{"component":{"name":"A"},"variable":{"name":"B"},"attributeType":"Now"}]}]'))
      .toBe('[4,"m9","PropertyConstraintViolation","getVariableData[0].attributeType: value not allowed",{}]');
  });
});

describe("outgoing CALLs", () => {
  it("keeps one CALL in flight, queues the rest and matches results by id", () => {
    { const w = rpc.call(); w.obj(); w.endObj(); }
    expect(rpc.enqueue(Action.Heartbeat)).toBe(true);
    const first = rpc.out.toString();
    expect(first.startsWith('[2,"')).toBe(true);
    expect(first.endsWith('","Heartbeat",{}]')).toBe(true);
    const id = first.substring(4, 40);
    expect(id.length).toBe(36);
    { const w = rpc.call(); w.obj(); w.endObj(); }
    rpc.enqueue(Action.Heartbeat);
    expect(rpc.queued).toBe(1);
    expect(rpc.busy).toBe(true);
    // An unmatched result is dropped; the CALL stays in flight.
    feed('[3,"not-ours",{"currentTime":"2026-01-01T00:00:00Z"}]');
    expect(results).toBe(0);
    expect(rpc.busy).toBe(true);
    feed('[3,"' + id + '",{"currentTime":"2026-01-01T00:00:00Z"}]');
    expect(results).toBe(1);
    // The queued one went out with a new id.
    const second = rpc.out.toString();
    expect(second.substring(4, 40)).not.toBe(id);
    expect(rpc.queued).toBe(0);
  });

  it("times out after MessageTimeout and reports a failure", () => {
    const before = failures;
    expect(rpc.until(0)).toBeGreaterThan(0);
    rpc.expire(i64.MAX_VALUE - 1);
    expect(failures).toBe(before + 1);
    expect(rpc.until(i64.MAX_VALUE - 1)).toBe(-1);
    expect(rpc.busy).toBe(false);
  });

  it("refuses to queue past its bound", () => {
    rpc.connected = false;
    let accepted = 0;
    for (let i = 0; i < 20; i++) {
      { const w = rpc.call(); w.obj(); w.endObj(); }
      if (rpc.enqueue(Action.Heartbeat)) accepted++;
    }
    expect(accepted).toBe(16);
    expect(rpc.dropped).toBe(4);
  });
});
