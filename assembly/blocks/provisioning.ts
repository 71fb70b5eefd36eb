// Provisioning (B01-B06): BootNotification and registration state, Heartbeat,
// GetVariables and SetVariables.
import {
  Action, BootNotificationRequest, BootNotificationResponse, BootReasonEnumType, RegistrationStatusEnumType,
  RegistrationStatusEnumType_name, HeartbeatRequest, HeartbeatResponse, GetVariablesRequest, GetVariablesResponse,
  GetVariableResultType, GetVariableStatusEnumType as GS, SetVariablesRequest, SetVariablesResponse, SetVariableResultType,
  SetVariableStatusEnumType as SS, AttributeEnumType, MutabilityEnumType, StatusInfoType, ComponentType, VariableType,
  DataEnumType, SecurityEventNotificationRequest,
} from "../generated/ocpp";
import { Writer } from "../json/writer";
import { formatTime } from "../json/time";
import { rpc, Served } from "../rpc/rpc";
import { ErrorCode } from "../rpc/errors";
import { reject } from "../messages/codec";
import { now, setUtc, utcNow, reschedule } from "../core/clock";
import { info } from "../core/log";
import { dm, HeartbeatInterval, ItemsPerMessageGetVariables, ItemsPerMessageSetVariables } from "../device-model/standard";
import { Variable } from "../device-model/model";
import { StationConfig } from "../station-config";
import { markAll } from "./availability";

/** Wait before re-sending a BootNotification that failed or came back with interval 0. */
export const BOOT_RETRY_MS: i64 = 60000;

export enum Registration { Unknown, Pending, Rejected, Accepted }

export class Provisioning {
  registration: Registration = Registration.Unknown;
  bootReason: BootReasonEnumType = BootReasonEnumType.PowerUp;
  bootAt: i64 = 0;             // when the next BootNotification is due; -1 when none
  cfg: StationConfig = new StationConfig();
  /** The security event of this start (StartupOfTheDevice or ResetOrReboot) is still to be sent. */
  startupPending: bool = true;

  get accepted(): bool { return this.registration == Registration.Accepted; }

  /** Which CALLs may start: before acceptance only BootNotification (B02.FR.02, B03.FR.02). */
  mayStart(a: Action): bool { return this.accepted || a == Action.BootNotification; }

  sendBoot(): void {
    this.bootAt = -1;
    if (rpc.pending(Action.BootNotification)) return;
    const m = new BootNotificationRequest();
    m.reason = this.bootReason;
    const cs = m.chargingStation;
    cs.vendorName = this.cfg.vendorName; cs.model = this.cfg.model;
    cs.serialNumber = this.cfg.serialNumber; cs.firmwareVersion = this.cfg.firmwareVersion;
    m.encode(rpc.body.reset());
    rpc.enqueue(Action.BootNotification, true);
  }

  onBoot(r: BootNotificationResponse): void {
    setUtc(r.currentTime);
    const was = this.registration;
    this.registration = r.status == RegistrationStatusEnumType.Accepted ? Registration.Accepted
      : r.status == RegistrationStatusEnumType.Pending ? Registration.Pending : Registration.Rejected;
    info("provisioning: BootNotification " + RegistrationStatusEnumType_name(r.status) + ", interval " + r.interval.toString() + " s");
    if (this.accepted) {
      if (r.interval > 0) HeartbeatInterval.set(r.interval.toString());
      if (was != Registration.Accepted) markAll();
      return;
    }
    this.bootAt = now() + (r.interval > 0 ? <i64>r.interval * 1000 : BOOT_RETRY_MS);
    reschedule();
  }

  /** After the connectors' statuses (reusable state Booted, step 7): the security event that says why this start happened. */
  reportStartup(): void {
    if (!this.startupPending || !this.accepted) return;
    this.startupPending = false;
    const m = new SecurityEventNotificationRequest();
    m.type = this.bootReason == BootReasonEnumType.PowerUp ? "StartupOfTheDevice" : "ResetOrReboot";
    m.timestamp = utcNow();
    m.encode(rpc.body.reset());
    rpc.enqueue(Action.SecurityEventNotification);
  }

  bootFailed(): void {
    if (!this.accepted) { this.bootAt = now() + BOOT_RETRY_MS; reschedule(); }
  }

  /** Heartbeat after HeartbeatInterval of inactivity; returns ms until due, -1 when none. */
  heartbeat(t: i64): i64 {
    if (!this.accepted || !rpc.connected) return -1;
    if (rpc.pending(Action.Heartbeat)) return -1;
    const due = rpc.lastActivity + HeartbeatInterval.int * 1000;
    if (t < due) return due - t;
    this.sendHeartbeat();
    return -1;
  }

  sendHeartbeat(): void {
    if (rpc.pending(Action.Heartbeat)) return;
    new HeartbeatRequest().encode(rpc.body.reset());
    rpc.enqueue(Action.Heartbeat);
  }

  onHeartbeat(r: HeartbeatResponse): void { setUtc(r.currentTime); }
}

export const prov = new Provisioning();

/** Statuses shared by GetVariableStatusEnumType and SetVariableStatusEnumType (same values in both). */
const FOUND = 0, UNKNOWN_COMPONENT = 2, UNKNOWN_VARIABLE = 3, UNSUPPORTED_ATTRIBUTE = 4;
let found: Variable | null = null;

/** Looks up the item's variable into `found`; returns FOUND or why not. */
function resolve(c: ComponentType, v: VariableType, attributeType: AttributeEnumType): i32 {
  const e = c.evse;
  const evse = e !== null ? e.id : 0;
  const connector = e !== null && e.connectorId > 0 ? e.connectorId : 0;
  found = null;
  if (!dm.hasComponent(c.name, c.instance, evse, connector)) return UNKNOWN_COMPONENT;
  found = dm.find(c.name, c.instance, evse, connector, v.name, v.instance);
  if (found === null) return UNKNOWN_VARIABLE;
  if (attributeType >= 0 && attributeType != AttributeEnumType.Actual) return UNSUPPORTED_ATTRIBUTE;
  return FOUND;
}

function reason(code: string): StatusInfoType {
  const s = new StatusInfoType();
  s.reasonCode = code;
  return s;
}

export function getVariables(r: GetVariablesRequest, w: Writer): Served {
  const items = r.getVariableData;
  if (items.length > <i32>ItemsPerMessageGetVariables.int) {
    reject(ErrorCode.OccurrenceConstraintViolation, "getVariableData", "more than ItemsPerMessageGetVariables items");
    return Served.Invalid;
  }
  const res = new GetVariablesResponse();
  for (let i = 0; i < items.length; i++) {
    const d = items[i];
    const o = new GetVariableResultType();
    o.component = d.component; o.variable = d.variable; o.attributeType = d.attributeType;
    const st = resolve(d.component, d.variable, d.attributeType);
    const v = found;
    if (st != FOUND || v === null) o.attributeStatus = <GS>st;
    else if (v.mutability == MutabilityEnumType.WriteOnly) { o.attributeStatus = GS.Rejected; o.attributeStatusInfo = reason("WriteOnly"); }
    else {
      o.attributeStatus = GS.Accepted;
      o.attributeValue = v.dataType == DataEnumType.dateTime && v.name == "DateTime" ? formatTime(utcNow()) : v.value;
    }
    res.getVariableResult.push(o);
  }
  res.encode(w);
  return Served.Answered;
}

export function setVariables(r: SetVariablesRequest, w: Writer): Served {
  const items = r.setVariableData;
  if (items.length > <i32>ItemsPerMessageSetVariables.int) {
    reject(ErrorCode.OccurrenceConstraintViolation, "setVariableData", "more than ItemsPerMessageSetVariables items");
    return Served.Invalid;
  }
  const res = new SetVariablesResponse();
  for (let i = 0; i < items.length; i++) {
    const d = items[i];
    const o = new SetVariableResultType();
    o.component = d.component; o.variable = d.variable; o.attributeType = d.attributeType;
    const st = resolve(d.component, d.variable, d.attributeType);
    const v = found;
    if (st != FOUND || v === null) o.attributeStatus = <SS>st;
    else if (v.mutability == MutabilityEnumType.ReadOnly) { o.attributeStatus = SS.Rejected; o.attributeStatusInfo = reason("ReadOnly"); }
    else {
      const why = v.check(d.attributeValue);
      if (why !== null) { o.attributeStatus = SS.Rejected; o.attributeStatusInfo = reason(why); }
      else {
        v.set(d.attributeValue);
        o.attributeStatus = v.rebootRequired ? SS.RebootRequired : SS.Accepted;
        info("provisioning: " + v.key + " = " + (v.mutability == MutabilityEnumType.WriteOnly ? "***" : d.attributeValue));
      }
    }
    res.setVariableResult.push(o);
  }
  res.encode(w);
  return Served.Answered;
}
