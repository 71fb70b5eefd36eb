import { Json } from "../../assembly/json/reader";
import { Writer } from "../../assembly/json/writer";
import { Decode, resetDecode } from "../../assembly/messages/codec";
import { ErrorCode } from "../../assembly/rpc/errors";
import {
  BootNotificationResponse, RegistrationStatusEnumType, SetVariablesRequest, GetVariablesRequest,
  AttributeEnumType, BootNotificationRequest, BootReasonEnumType, DataTransferRequest, MeterValuesRequest,
} from "../../assembly/generated/ocpp";

const j = new Json();

function load(s: string): i32 {
  const b = String.UTF8.encode(s);
  expect(j.parse(changetype<usize>(b), b.byteLength)).toBe(0);
  resetDecode();
  return 0;
}

function boot(s: string): BootNotificationResponse | null { return BootNotificationResponse.decode(j, load(s)); }

describe("generated decoders", () => {
  it("decode a valid BootNotificationResponse", () => {
    const r = boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Pending"}');
    expect(r).not.toBeNull();
    expect(r!.status).toBe(RegistrationStatusEnumType.Pending);
    expect(r!.interval).toBe(300);
    expect(r!.currentTime).toBe(1767225600000);
    expect(r!.statusInfo).toBeNull();
  });

  it("map a missing required field to OccurrenceConstraintViolation", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","status":"Accepted"}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.OccurrenceConstraintViolation);
    expect(Decode.why).toBe("interval: required");
  });

  it("map a wrong JSON type to TypeConstraintViolation", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":"300","status":"Accepted"}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.TypeConstraintViolation);
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":1.5,"status":"Accepted"}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.TypeConstraintViolation);
  });

  it("map an enum value outside the schema to PropertyConstraintViolation", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Maybe"}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.PropertyConstraintViolation);
    expect(Decode.why).toBe("status: value not allowed");
  });

  it("refuse unknown properties where the schema forbids them, with the nested path", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted","statusInfo":{"reasonCode":"x","extra":1}}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.PropertyConstraintViolation);
    expect(Decode.why).toBe("statusInfo.extra: not allowed");
  });

  it("accept extra properties inside customData", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted","customData":{"vendorId":"v","x":[1]}}')).not.toBeNull();
  });

  it("enforce maxLength in code points", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":1,"status":"Accepted","statusInfo":{"reasonCode":"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"}}')).not.toBeNull();
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":1,"status":"Accepted","statusInfo":{"reasonCode":"123456789012345678901"}}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.PropertyConstraintViolation);
    expect(Decode.why).toBe("statusInfo.reasonCode: longer than 20 characters");
  });

  it("map a malformed date-time to FormatViolation", () => {
    expect(boot('{"currentTime":"yesterday","interval":300,"status":"Accepted"}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.FormatViolation);
  });

  it("refuse a property given twice", () => {
    expect(boot('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"interval":301,"status":"Accepted"}')).toBeNull();
    expect(Decode.code).toBe(ErrorCode.OccurrenceConstraintViolation);
  });

  it("check array bounds and name the failing element", () => {
    expect(SetVariablesRequest.decode(j, load('{"setVariableData":[]}'))).toBeNull();
    expect(Decode.code).toBe(ErrorCode.OccurrenceConstraintViolation);
    const r = GetVariablesRequest.decode(j, load('{"getVariableData":[{"component":{"name":"A"},"variable":{"name":"B"},"attributeType":"Target"},{"component":{"name":"A"},"variable":{}}]}'));
    expect(r).toBeNull();
    expect(Decode.why).toBe("getVariableData[1].variable.name: required");
  });

  it("keep optional fields absent and decode present ones", () => {
    const r = GetVariablesRequest.decode(j, load('{"getVariableData":[{"component":{"name":"EVSE","evse":{"id":1}},"variable":{"name":"Power"},"attributeType":"Target"}]}'));
    expect(r).not.toBeNull();
    const d = r!.getVariableData[0];
    expect(d.attributeType).toBe(AttributeEnumType.Target);
    expect(d.component.evse!.id).toBe(1);
    expect(d.component.evse!.connectorId).toBe(i32.MIN_VALUE);
    expect(d.component.instance).toBeNull();
  });

  it("keep DataTransfer data as JSON text", () => {
    const r = DataTransferRequest.decode(j, load('{"vendorId":"acme","data":{"a":[1,"x"]}}'));
    expect(r!.data).toBe('{"a":[1,"x"]}');
    const w = new Writer();
    r!.encode(w);
    expect(w.toString()).toBe('{"data":{"a":[1,"x"]},"vendorId":"acme"}');
  });
});

describe("generated encoders", () => {
  it("write required fields and only the optional ones that are present", () => {
    const m = new BootNotificationRequest();
    m.reason = BootReasonEnumType.PowerUp;
    m.chargingStation.model = "M";
    m.chargingStation.vendorName = "V";
    const w = new Writer();
    m.encode(w);
    expect(w.toString()).toBe('{"chargingStation":{"model":"M","vendorName":"V"},"reason":"PowerUp"}');
  });

  it("round-trip a MeterValuesRequest with decimals and enums", () => {
    const src = '{"evseId":1,"meterValue":[{"sampledValue":[{"value":230.5,"measurand":"Voltage","phase":"L1-N","unitOfMeasure":{"unit":"V"}}],"timestamp":"2026-01-01T00:00:00Z"}]}';
    const r = MeterValuesRequest.decode(j, load(src));
    expect(r).not.toBeNull();
    const w = new Writer();
    r!.encode(w);
    expect(w.toString()).toBe(src);
  });
});
