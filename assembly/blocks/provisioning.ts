// Provisioning (B01-B06): BootNotification and registration state, Heartbeat,
// GetVariables and SetVariables.
import {
  Action, BootReasonEnumType, RegistrationStatusEnumType, GetVariableStatusEnumType as GS,
  SetVariableStatusEnumType as SS, AttributeEnumType, MutabilityEnumType, E, P, V,
} from "../generated/ocpp";
import { Json } from "../json/reader";
import { writeReason, field, enumField, intField, timeField, count, enumName } from "../messages/schema";
import { Writer } from "../json/writer";
import { rpc, Served } from "../rpc/rpc";
import { ErrorCode } from "../rpc/errors";
import { reject } from "../messages/codec";
import { now, setUtc, utcNow, reschedule } from "../core/clock";
import { info, lineStart, lineText, lineBytes, lineSend, Level } from "../core/log";
import {
  intOf, set, check, findAt, hasComponentAt, rowOf, mutability, rebootRequired, keyBytes, writeValue, KEY_BYTES,
} from "../device-model/model";
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
    const w = rpc.call(), c = this.cfg;
    w.obj();
    w.k(P.chargingStation); w.obj();
    if (c.serialNumber !== null) { w.k(P.serialNumber); w.str(c.serialNumber!); }
    w.k(P.model); w.str(c.model); w.k(P.vendorName); w.str(c.vendorName);
    if (c.firmwareVersion !== null) { w.k(P.firmwareVersion); w.str(c.firmwareVersion!); }
    w.endObj();
    w.k(P.reason); w.en(E.BootReasonEnumType, this.bootReason);
    w.endObj();
    rpc.enqueue(Action.BootNotification, true);
  }

  onBoot(j: Json, r: i32): void {
    setUtc(timeField(j, r, P.currentTime));
    const was = this.registration;
    const status = enumField(j, r, P.status, E.RegistrationStatusEnumType), interval = intField(j, r, P.interval);
    this.registration = status == RegistrationStatusEnumType.Accepted ? Registration.Accepted
      : status == RegistrationStatusEnumType.Pending ? Registration.Pending : Registration.Rejected;
    info("provisioning: BootNotification " + enumName(E.RegistrationStatusEnumType, status) + ", interval " + interval.toString() + " s");
    if (this.accepted) {
      if (interval > 0) set(V.HeartbeatInterval, interval.toString());
      if (was != Registration.Accepted) markAll();
      return;
    }
    this.bootAt = now() + (interval > 0 ? <i64>interval * 1000 : BOOT_RETRY_MS);
    reschedule();
  }

  /** After the connectors' statuses (reusable state Booted, step 7): the security event that says why this start happened. */
  reportStartup(): void {
    if (!this.startupPending || !this.accepted) return;
    this.startupPending = false;
    const w = rpc.call();
    w.obj();
    w.k(P.type); w.str(this.bootReason == BootReasonEnumType.PowerUp ? "StartupOfTheDevice" : "ResetOrReboot");
    w.k(P.timestamp); w.time(utcNow());
    w.endObj();
    rpc.enqueue(Action.SecurityEventNotification);
  }

  bootFailed(): void {
    if (!this.accepted) { this.bootAt = now() + BOOT_RETRY_MS; reschedule(); }
  }

  /** Heartbeat after HeartbeatInterval of inactivity; returns ms until due, -1 when none. */
  heartbeat(t: i64): i64 {
    if (!this.accepted || !rpc.connected) return -1;
    if (rpc.pending(Action.Heartbeat)) return -1;
    const due = rpc.lastActivity + intOf(V.HeartbeatInterval) * 1000;
    if (t < due) return due - t;
    this.sendHeartbeat();
    return -1;
  }

  sendHeartbeat(): void {
    if (rpc.pending(Action.Heartbeat)) return;
    const w = rpc.call();
    w.obj(); w.endObj();
    rpc.enqueue(Action.Heartbeat);
  }

  onHeartbeat(j: Json, r: i32): void { setUtc(timeField(j, r, P.currentTime)); }
}

export const prov = new Provisioning();

/** Statuses shared by GetVariableStatusEnumType and SetVariableStatusEnumType (same values in both). */
const ACCEPTED = 0, REJECTED = 1, UNKNOWN_COMPONENT = 2, UNKNOWN_VARIABLE = 3, UNSUPPORTED_ATTRIBUTE = 4;
let found = -1;

/** Looks up an item's variable into `found`; returns ACCEPTED or why not. */
function resolve(j: Json, c: i32, v: i32, attributeType: i32): i32 {
  const e = field(j, c, P.evse);
  const evse = e ? intField(j, e, P.id) : 0;
  const connector = e ? max(intField(j, e, P.connectorId, 0), 0) : 0;
  const name = field(j, c, P.name), instance = field(j, c, P.instance);
  found = findAt(j, name, instance, evse, connector, field(j, v, P.name), field(j, v, P.instance));
  if (found < 0) return hasComponentAt(j, name, instance, evse, connector) ? UNKNOWN_VARIABLE : UNKNOWN_COMPONENT;
  if (attributeType >= 0 && attributeType != AttributeEnumType.Actual) return UNSUPPORTED_ATTRIBUTE;
  return ACCEPTED;
}

/** The result item's common part: the request's component, variable and attributeType echoed, and the status. */
function result(w: Writer, j: Json, c: i32, v: i32, attributeType: i32, statusEnum: u32, status: i32, why: string | null): void {
  w.k(P.attributeStatus); w.en(statusEnum, status);
  if (why !== null) writeReason(w, P.attributeStatusInfo, why);
  if (attributeType >= 0) { w.k(P.attributeType); w.en(E.AttributeEnumType, attributeType); }
  w.k(P.component); w.bytesValue(j.ptr(c), j.byteLen(c));
  w.k(P.variable); w.bytesValue(j.ptr(v), j.byteLen(v));
}

/** A request may carry at most DeviceDataCtrlr.ItemsPerMessage (its instance: the message) items. */
function withinItems(j: Json, items: i32, limit: V, key: string, message: string): bool {
  if (count(j, items) <= <i32>intOf(limit)) return true;
  reject(ErrorCode.OccurrenceConstraintViolation, key, "more than ItemsPerMessage" + message + " items");
  return false;
}

export function getVariables(j: Json, r: i32, w: Writer): Served {
  const items = field(j, r, P.getVariableData);
  if (!withinItems(j, items, V.ItemsPerMessageGetVariables, "getVariableData", "GetVariables")) return Served.Invalid;
  w.obj(); w.k(P.getVariableResult); w.arr();
  for (let d = j.first(items); d; d = j.nextIn(items, d)) {
    const c = field(j, d, P.component), v = field(j, d, P.variable), at = enumField(j, d, P.attributeType, E.AttributeEnumType);
    let st = resolve(j, c, v, at);
    const x = found;
    let why: string | null = null;
    if (st == ACCEPTED && mutability(rowOf(x)) == MutabilityEnumType.WriteOnly) { st = REJECTED; why = "WriteOnly"; }
    w.obj();
    result(w, j, c, v, at, E.GetVariableStatusEnumType, st, why);
    if (st == ACCEPTED) {
      w.k(P.attributeValue);
      if (x == V.DateTime) w.time(utcNow()); else writeValue(w, x);
    }
    w.endObj();
  }
  w.endArr(); w.endObj();
  return Served.Answered;
}

export function setVariables(j: Json, r: i32, w: Writer): Served {
  const items = field(j, r, P.setVariableData);
  if (!withinItems(j, items, V.ItemsPerMessageSetVariables, "setVariableData", "SetVariables")) return Served.Invalid;
  w.obj(); w.k(P.setVariableResult); w.arr();
  for (let d = j.first(items); d; d = j.nextIn(items, d)) {
    const c = field(j, d, P.component), v = field(j, d, P.variable), at = enumField(j, d, P.attributeType, E.AttributeEnumType);
    let st = resolve(j, c, v, at);
    const x = found;
    let why: string | null = null;
    if (st == ACCEPTED) {
      const vn = field(j, d, P.attributeValue), value = j.str(vn), row = rowOf(x);
      if (mutability(row) == MutabilityEnumType.ReadOnly) why = "ReadOnly";
      else why = check(x, value);
      if (why !== null) st = REJECTED;
      else {
        if (j.escaped(vn)) set(x, value); else set(x, value, j.ptr(vn), j.byteLen(vn));
        if (rebootRequired(row)) st = SS.RebootRequired;
        lineStart(); lineText("provisioning: "); lineBytes(KEY_BYTES, keyBytes(x)); lineText(" = ");
        if (mutability(row) == MutabilityEnumType.WriteOnly) lineText("***");
        else if (j.escaped(vn)) lineText(value); else lineBytes(j.ptr(vn), j.byteLen(vn));
        lineSend(Level.Info);
      }
    }
    w.obj();
    result(w, j, c, v, at, E.SetVariableStatusEnumType, st, why);
    w.endObj();
  }
  w.endArr(); w.endObj();
  return Served.Answered;
}
