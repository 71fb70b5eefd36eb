// Remote control (F01-F06) and availability (G03, G04) and reset (B11, B12):
// RequestStartTransaction, RequestStopTransaction, GetTransactionStatus,
// TriggerMessage, UnlockConnector, Reset, ChangeAvailability, ClearCache.
import {
  Action, RequestStartStopStatusEnumType as RS, TriggerMessageStatusEnumType as TMS, MessageTriggerEnumType as MT,
  UnlockStatusEnumType as US, ResetEnumType, ResetStatusEnumType as RST, ChangeAvailabilityStatusEnumType as CAS,
  OperationalStatusEnumType, ClearCacheStatusEnumType, TriggerReasonEnumType as TR, ReasonEnumType,
  TransactionEventEnumType, ReadingContextEnumType as Ctx, BootReasonEnumType, UploadLogStatusEnumType, FirmwareStatusEnumType,
  E, P,
} from "../generated/ocpp";
import { Json } from "../json/reader";
import { field, intField, enumField, strField, writeStatus, answerStatus } from "../messages/schema";
import { Token } from "./authorization";
import { Writer } from "../json/writer";
import { NO_INT } from "../messages/codec";
import { Served, rpc } from "../rpc/rpc";
import { info } from "../core/log";
import { now } from "../core/clock";
import { store_write, store_read, lock_set } from "../hal";
import { utf8, ptr } from "../core/bytes";
import { prov } from "./provisioning";
import { markStatus, markAll } from "./availability";
import { remoteStart } from "./authorization";
import { cacheClear } from "./auth-cache";
import { Session, sessions, session, sessionByTx, stationOperative, setStationOperative } from "./transactions";
import { sendMeterValues } from "./metering";
import { checkRemoteStartProfile, install } from "./smart-charging";
import { Profile } from "./charging-profile";
import { V } from "../generated/ocpp";
import { intOf, bitsOf } from "../device-model/model";

export function requestStart(j: Json, r: i32, w: Writer): Served {
  let why: string | null = null;
  let s: Session | null = null;
  const evseId = intField(j, r, P.evseId);
  if (!prov.accepted) why = "CSNotAccepted";
  else if (evseId != NO_INT) {
    s = session(evseId);
    if (s === null) why = "UnknownEvse";
  } else {
    for (let i = 0; i < sessions.length && s === null; i++) if (!sessions[i].authorized && sessions[i].operative && sessions[i].plugged) s = sessions[i];
    for (let i = 0; i < sessions.length && s === null; i++) if (!sessions[i].authorized && sessions[i].operative) s = sessions[i];
    if (s === null) why = "NotFound";
  }
  const pn = field(j, r, P.chargingProfile);
  const p = pn ? Profile.read(j, pn) : null;
  if (s !== null) {
    if (s.authorized) why = "TxInProgress";
    else if (!s.operative || !s.usable(s.connector)) why = "NotEnabled";
    else if (p !== null) why = checkRemoteStartProfile(s, p);
  }
  w.obj();
  writeStatus(w, E.RequestStartStopStatusEnumType, why === null ? RS.Accepted : RS.Rejected, why);
  if (why === null && s!.active) { w.k(P.transactionId); w.str(s!.txId); }
  w.endObj();
  if (why === null) {
    if (p !== null) install(s!.evse, p, s!.active ? s!.txId : "");
    remoteStart(s!, Token.read(j, field(j, r, P.idToken)), intField(j, r, P.remoteStartId), intOf(V.AuthorizeRemoteStart) != 0);
  }
  return Served.Answered;
}

export function requestStop(j: Json, r: i32, w: Writer): Served {
  const s = sessionByTx(strField(j, r, P.transactionId)!);
  answerStatus(w, E.RequestStartStopStatusEnumType, s !== null ? RS.Accepted : RS.Rejected, s !== null ? null : "TxNotFound");
  if (s !== null) s.deauthorize(TR.RemoteStop, ReasonEnumType.Remote, true);
  return Served.Answered;
}

export function transactionStatus(j: Json, r: i32, w: Writer): Served {
  const id = strField(j, r, P.transactionId);
  w.obj();
  if (id !== null) { w.k(P.ongoingIndicator); w.bool(sessionByTx(id) !== null); }
  w.k(P.messagesInQueue); w.bool(id !== null ? rpc.pending(Action.TransactionEvent, id) : rpc.pending(Action.TransactionEvent));
  w.endObj();
  return Served.Answered;
}

export function triggerMessage(j: Json, r: i32, w: Writer): Served {
  const e = field(j, r, P.evse);
  const s = e ? session(intField(j, e, P.id)) : null;
  const connector = e ? intField(j, e, P.connectorId) : NO_INT;
  if (e && (s === null || (connector != NO_INT && (connector < 1 || connector > s.connectors)))) {
    answerStatus(w, E.TriggerMessageStatusEnumType, TMS.Rejected, "UnknownEvse");
    return Served.Answered;
  }
  const m = <MT>enumField(j, r, P.requestedMessage, E.MessageTriggerEnumType);
  let status = TMS.Accepted;
  switch (m) {
    case MT.BootNotification: if (prov.accepted) status = TMS.Rejected; break;
    case MT.Heartbeat: case MT.StatusNotification: case MT.MeterValues: case MT.LogStatusNotification:
    case MT.FirmwareStatusNotification: break;
    case MT.TransactionEvent: {
      let any = false;
      for (let i = 0; i < sessions.length; i++) if (sessions[i].active && (s === null || sessions[i] === s)) any = true;
      if (!any) status = TMS.Rejected;
      break;
    }
    default: status = TMS.NotImplemented;
  }
  answerStatus(w, E.TriggerMessageStatusEnumType, status);
  if (status == TMS.Accepted) sendTriggered(m, s, connector);
  return Served.Answered;
}

function sendTriggered(m: MT, s: Session | null, connector: i32): void {
  switch (m) {
    case MT.BootNotification: prov.bootReason = BootReasonEnumType.Triggered; prov.sendBoot(); break;
    case MT.Heartbeat: prov.sendHeartbeat(); break;
    case MT.StatusNotification:
      if (s === null) markAll();
      else for (let c = 1; c <= s.connectors; c++) if (connector == NO_INT || c == connector) markStatus(s.evse, c);
      break;
    case MT.MeterValues:
      for (let i = 0; i < sessions.length; i++) {
        const x = sessions[i];
        if (s === null || x === s) sendMeterValues(x.evse, bitsOf(V.AlignedMeasurands), Ctx.Trigger, x.phases);
      }
      break;
    case MT.TransactionEvent:
      for (let i = 0; i < sessions.length; i++) {
        const x = sessions[i];
        if (x.active && (s === null || x === s)) {
          x.event(TransactionEventEnumType.Updated, TR.Trigger, x.state, -1, bitsOf(V.AlignedMeasurands), Ctx.Trigger);
        }
      }
      break;
    case MT.LogStatusNotification:
      answerStatus(rpc.call(), E.UploadLogStatusEnumType, UploadLogStatusEnumType.Idle);
      rpc.enqueue(Action.LogStatusNotification);
      break;
    case MT.FirmwareStatusNotification:
      answerStatus(rpc.call(), E.FirmwareStatusEnumType, FirmwareStatusEnumType.Idle);
      rpc.enqueue(Action.FirmwareStatusNotification);
      break;
    default: break;
  }
}

export function unlockConnector(j: Json, r: i32, w: Writer): Served {
  const s = session(intField(j, r, P.evseId));
  const c = intField(j, r, P.connectorId);
  let status = US.Unlocked;
  if (s === null || c < 1 || c > s.connectors) status = US.UnknownConnector;
  else if (s.active && s.authorized && s.connector == c) status = US.OngoingAuthorizedTransaction;
  else {
    lock_set(s.evse, c, 0);
    if (s.connector == c) s.locked = false;
  }
  answerStatus(w, E.UnlockStatusEnumType, status);
  return Served.Answered;
}

// ---- Reset ----
let resetDue = false;
/** A reset waits for the transactions to end and the queue to drain (its deadline is not a timer of its own). */
export function resetPending(): bool { return resetDue; }
let resetOnIdle = false;
let resetDeadline: i64 = 0;
/** The boot reason the next engine reports: RemoteReset, or ScheduledReset after waiting for transactions. */
export let resetBootReason: BootReasonEnumType = BootReasonEnumType.RemoteReset;

export function reset(j: Json, r: i32, w: Writer): Served {
  const onIdle = enumField(j, r, P.type, E.ResetEnumType) == ResetEnumType.OnIdle;
  const evseId = intField(j, r, P.evseId);
  if (evseId != NO_INT) {
    const s = session(evseId);
    if (s === null) { answerStatus(w, E.ResetStatusEnumType, RST.Rejected, "UnknownEvse"); return Served.Answered; }
    answerStatus(w, E.ResetStatusEnumType, s.active && onIdle ? RST.Scheduled : RST.Accepted);
    if (s.active && !onIdle) s.deauthorize(TR.ResetCommand, ReasonEnumType.ImmediateReset, true);
    return Served.Answered;
  }
  let busy = false;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active) busy = true;
  answerStatus(w, E.ResetStatusEnumType, busy && onIdle ? RST.Scheduled : RST.Accepted);
  resetDue = true;
  resetOnIdle = onIdle;
  resetBootReason = busy && onIdle ? BootReasonEnumType.ScheduledReset : BootReasonEnumType.RemoteReset;
  resetDeadline = now() + 2 * rpc.timeoutMs;
  if (!onIdle) for (let i = 0; i < sessions.length; i++) {
    if (sessions[i].active) sessions[i].deauthorize(TR.ResetCommand, ReasonEnumType.ImmediateReset, true);
  }
  info("reset: " + (onIdle ? "OnIdle" : "Immediate") + (busy && onIdle ? ", waiting for transactions to end" : ""));
  return Served.Answered;
}

/** OnIdle: when the last transaction ended; its messages get 2 x MessageTimeout from then to be answered. */
let idleAt: i64 = -1;

/** True when a requested reset is due now: no transaction left and its messages answered (or waited long enough). */
export function resetReady(): bool {
  if (!resetDue) return false;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active) { idleAt = -1; return false; }
  if (resetOnIdle && idleAt < 0) { idleAt = now(); resetDeadline = max(resetDeadline, idleAt + 2 * rpc.timeoutMs); }
  return (!rpc.busy && rpc.queued == 0) || now() >= resetDeadline;
}

// ---- ChangeAvailability ----
function persist(key: string, on: bool): void {
  const k = utf8(key), v = utf8(on ? "Operative" : "Inoperative");
  store_write(ptr(k), k.byteLength, ptr(v), v.byteLength);
}

export function availabilityKey(evse: i32, connector: i32): string {
  return "availability/" + evse.toString() + "/" + connector.toString();
}

function stored(key: string): i32 {
  const k = utf8(key);
  const buf = new ArrayBuffer(16);
  const n = store_read(ptr(k), k.byteLength, ptr(buf), 16);
  if (n < 0) return -1;
  return String.UTF8.decodeUnsafe(ptr(buf), n) == "Operative" ? 1 : 0;
}

/** Restores ChangeAvailability decisions persisted before a reboot. */
export function loadAvailability(): void {
  const st = stored(availabilityKey(0, 0));
  if (st >= 0) setStationOperative(st == 1);
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i];
    const e = stored(availabilityKey(s.evse, 0));
    if (e >= 0) s.wantEvse = e == 1;
    for (let c = 1; c <= s.connectors; c++) {
      const v = stored(availabilityKey(s.evse, c));
      if (v >= 0) s.wantConnector[c] = v == 1;
    }
  }
}

export function changeAvailability(j: Json, r: i32, w: Writer): Served {
  const on = enumField(j, r, P.operationalStatus, E.OperationalStatusEnumType) == OperationalStatusEnumType.Operative;
  const e = field(j, r, P.evse);
  let busy = false;
  if (!e) {
    for (let i = 0; i < sessions.length; i++) if (sessions[i].active) busy = true;
    setStationOperative(on);
    persist(availabilityKey(0, 0), on);
  } else {
    const s = session(intField(j, e, P.id));
    const c = intField(j, e, P.connectorId, 0);
    if (s === null || c < 0 || c > s.connectors) {
      answerStatus(w, E.ChangeAvailabilityStatusEnumType, CAS.Rejected, "UnknownEvse");
      return Served.Answered;
    }
    busy = s.active && (c == 0 || c == s.connector);
    if (c == 0) s.wantEvse = on; else s.wantConnector[c] = on;
    persist(availabilityKey(s.evse, c), on);
  }
  answerStatus(w, E.ChangeAvailabilityStatusEnumType, busy ? CAS.Scheduled : CAS.Accepted);
  for (let i = 0; i < sessions.length; i++) sessions[i].refresh();
  info("availability: " + (on ? "Operative" : "Inoperative") + (busy ? " scheduled after the transaction" : ""));
  return Served.Answered;
}

export function clearCache(j: Json, r: i32, w: Writer): Served {
  // C11: Rejected while the cache is disabled (AuthCacheCtrlr.Enabled false).
  const on = intOf(V.AuthCacheEnabled) != 0;
  if (on) cacheClear();
  answerStatus(w, E.ClearCacheStatusEnumType, on ? ClearCacheStatusEnumType.Accepted : ClearCacheStatusEnumType.Rejected, on ? null : "NotEnabled");
  return Served.Answered;
}

