import { Json } from "../../assembly/json/reader";
import { Writer } from "../../assembly/json/writer";
import { Decode, resetDecode } from "../../assembly/messages/codec";
import { ErrorCode } from "../../assembly/rpc/errors";
import { Action, AttributeEnumType, BootReasonEnumType, RegistrationStatusEnumType, E, P } from "../../assembly/generated/ocpp";
import {
  check, requestType, responseType, field, intField, enumField, strField, timeField, actionOf, actionName, enumName,
} from "../../assembly/messages/schema";

const j = new Json();
let text = new ArrayBuffer(0);   // the tape points into it: it must outlive each test's reads

function load(s: string): i32 {
  text = String.UTF8.encode(s);
  expect(j.parse(changetype<usize>(text), text.byteLength)).toBe(0);
  resetDecode();
  return 0;
}

function boot(s: string): bool { return check(j, load(s), responseType(Action.BootNotification)); }

describe("schema tables", () => {
  it("accept a valid BootNotificationResponse and read it from the tape", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Pending"}')).toBe(true);
    expect(enumField(j, 0, P.status, E.RegistrationStatusEnumType)).toBe(RegistrationStatusEnumType.Pending);
    expect(intField(j, 0, P.interval)).toBe(300);
    expect(timeField(j, 0, P.currentTime)).toBe(1767225600000);
    expect(field(j, 0, P.statusInfo)).toBe(0);
  });

  it("map a missing required field to OccurrenceConstraintViolation", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","status":"Accepted"}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.OccurrenceConstraintViolation);
    expect(Decode.why).toBe("interval: required");
  });

  it("map a wrong JSON type to TypeConstraintViolation", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":"300","status":"Accepted"}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.TypeConstraintViolation);
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":1.5,"status":"Accepted"}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.TypeConstraintViolation);
  });

  it("map an enum value outside the schema to PropertyConstraintViolation", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Maybe"}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.PropertyConstraintViolation);
    expect(Decode.why).toBe("status: value not allowed");
  });

  it("refuse unknown properties where the schema forbids them, with the nested path", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted","statusInfo":{"reasonCode":"x","extra":1}}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.PropertyConstraintViolation);
    expect(Decode.why).toBe("statusInfo.extra: not allowed");
  });

  it("accept extra properties inside customData", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted","customData":{"vendorId":"v","x":[1]}}')).toBe(true);
  });

  it("enforce maxLength in code points", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":1,"status":"Accepted","statusInfo":{"reasonCode":"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"}}')).toBe(true);
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":1,"status":"Accepted","statusInfo":{"reasonCode":"123456789012345678901"}}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.PropertyConstraintViolation);
    expect(Decode.why).toBe("statusInfo.reasonCode: longer than 20 characters");
  });

  it("map a malformed date-time to FormatViolation", () => {
    expect(boot('{"currentTime":"yesterday","interval":300,"status":"Accepted"}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.FormatViolation);
  });

  it("refuse a property given twice", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"interval":301,"status":"Accepted"}')).toBe(false);
    expect(Decode.code).toBe(ErrorCode.OccurrenceConstraintViolation);
  });

  it("match keys and enum values written with escapes", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","\\u0069nterval":300,"status":"Acc\\u0065pted"}')).toBe(true);
    expect(enumField(j, 0, P.status, E.RegistrationStatusEnumType)).toBe(RegistrationStatusEnumType.Accepted);
  });

  it("check array bounds and name the failing element", () => {
    expect(check(j, load('{"setVariableData":[]}'), requestType(Action.SetVariables))).toBe(false);
    expect(Decode.code).toBe(ErrorCode.OccurrenceConstraintViolation);
    expect(check(j, load('{"getVariableData":[{"component":{"name":"A"},"variable":{"name":"B"},"attributeType":"Target"},{"component":{"name":"A"},"variable":{}}]}'), requestType(Action.GetVariables))).toBe(false);
    expect(Decode.why).toBe("getVariableData[1].variable.name: required");
  });

  it("leave optional fields absent and read present ones", () => {
    expect(check(j, load('{"getVariableData":[{"component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"},"attributeType":"Target"}]}'), requestType(Action.GetVariables))).toBe(true);
    const d = j.first(field(j, 0, P.getVariableData));
    expect(enumField(j, d, P.attributeType, E.AttributeEnumType)).toBe(AttributeEnumType.Target);
    const evse = field(j, field(j, d, P.component), P.evse);
    expect(intField(j, evse, P.id)).toBe(1);
    expect(intField(j, evse, P.connectorId)).toBe(i32.MIN_VALUE);
    expect(strField(j, field(j, d, P.component), P.instance)).toBeNull();
  });

  it("have no table for actions the engine does not serve", () => {
    expect(requestType(Action.DataTransfer)).toBe(0);
    expect(requestType(Action.GetVariables)).toBeGreaterThan(0);
  });
});

describe("names", () => {
  it("map action names both ways", () => {
    load('"GetCompositeSchedule"');
    expect(actionOf(j, 0)).toBe(Action.GetCompositeSchedule);
    load('"NoSuchAction"');
    expect(actionOf(j, 0)).toBe(-1);
    expect(actionName(Action.TransactionEvent)).toBe("TransactionEvent");
  });

  it("write keys and enum values from the UTF-8 tables", () => {
    const w = new Writer();
    w.obj(); w.k(P.reason); w.en(E.BootReasonEnumType, BootReasonEnumType.RemoteReset); w.k(P.interval); w.int(5); w.endObj();
    expect(w.toString()).toBe('{"reason":"RemoteReset","interval":5}');
    expect(enumName(E.BootReasonEnumType, BootReasonEnumType.PowerUp)).toBe("PowerUp");
  });
});
