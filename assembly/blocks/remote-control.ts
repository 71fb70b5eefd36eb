// Remote control (F01-F06) and availability (G03, G04) and reset (B11, B12):
// RequestStartTransaction, RequestStopTransaction, GetTransactionStatus,
// TriggerMessage, UnlockConnector, Reset, ChangeAvailability, ClearCache.
import {
  Action, RequestStartTransactionRequest, RequestStartTransactionResponse, RequestStartStopStatusEnumType as RS,
  RequestStopTransactionRequest, RequestStopTransactionResponse, GetTransactionStatusRequest, GetTransactionStatusResponse,
  TriggerMessageRequest, TriggerMessageResponse, TriggerMessageStatusEnumType as TMS, MessageTriggerEnumType as MT,
  UnlockConnectorRequest, UnlockConnectorResponse, UnlockStatusEnumType as US, ResetRequest, ResetResponse,
  ResetEnumType, ResetStatusEnumType as RST, ChangeAvailabilityRequest, ChangeAvailabilityResponse,
  ChangeAvailabilityStatusEnumType as CAS, OperationalStatusEnumType, ClearCacheResponse, ClearCacheStatusEnumType,
  StatusInfoType, TriggerReasonEnumType as TR, ReasonEnumType, TransactionEventEnumType, ReadingContextEnumType as Ctx,
  BootReasonEnumType, LogStatusNotificationRequest, UploadLogStatusEnumType, FirmwareStatusNotificationRequest,
  FirmwareStatusEnumType,
} from "../generated/ocpp";
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
import { Session, sessions, session, sessionByTx, stationOperative, setStationOperative } from "./transactions";
import { meterValue, sendMeterValues } from "./metering";
import { checkRemoteStartProfile, install } from "./smart-charging";
import { AuthorizeRemoteStart, AlignedMeasurands } from "../device-model/standard";

function reason(code: string): StatusInfoType {
  const s = new StatusInfoType();
  s.reasonCode = code;
  return s;
}

export function requestStart(r: RequestStartTransactionRequest, w: Writer): Served {
  const res = new RequestStartTransactionResponse();
  res.status = RS.Rejected;
  let s: Session | null = null;
  if (!prov.accepted) res.statusInfo = reason("CSNotAccepted");
  else if (r.evseId != NO_INT) {
    s = session(r.evseId);
    if (s === null) res.statusInfo = reason("UnknownEvse");
  } else {
    for (let i = 0; i < sessions.length && s === null; i++) if (!sessions[i].authorized && sessions[i].operative && sessions[i].plugged) s = sessions[i];
    for (let i = 0; i < sessions.length && s === null; i++) if (!sessions[i].authorized && sessions[i].operative) s = sessions[i];
    if (s === null) res.statusInfo = reason("NotFound");
  }
  if (s !== null) {
    if (s.authorized) res.statusInfo = reason("TxInProgress");
    else if (!s.operative || !s.usable(s.connector)) res.statusInfo = reason("NotEnabled");
    else {
      const p = r.chargingProfile;
      const why = p !== null ? checkRemoteStartProfile(s, p) : null;
      if (why !== null) res.statusInfo = reason(why);
      else {
        res.status = RS.Accepted;
        if (s.active) res.transactionId = s.txId;
      }
    }
  }
  res.encode(w);
  if (res.status == RS.Accepted) {
    const p = r.chargingProfile;
    if (p !== null) install(s!.evse, p, s!.active ? s!.txId : "");
    remoteStart(s!, r.idToken, r.remoteStartId, AuthorizeRemoteStart.int != 0);
  }
  return Served.Answered;
}

export function requestStop(r: RequestStopTransactionRequest, w: Writer): Served {
  const s = sessionByTx(r.transactionId);
  const res = new RequestStopTransactionResponse();
  res.status = s !== null ? RS.Accepted : RS.Rejected;
  if (s === null) res.statusInfo = reason("TxNotFound");
  res.encode(w);
  if (s !== null) s.deauthorize(TR.RemoteStop, ReasonEnumType.Remote, true);
  return Served.Answered;
}

export function transactionStatus(r: GetTransactionStatusRequest, w: Writer): Served {
  const res = new GetTransactionStatusResponse();
  const id = r.transactionId;
  if (id !== null) {
    res.ongoingIndicator = sessionByTx(id) !== null ? 1 : 0;
    res.messagesInQueue = rpc.pending(Action.TransactionEvent, id) ? 1 : 0;
  } else res.messagesInQueue = rpc.pending(Action.TransactionEvent) ? 1 : 0;
  res.encode(w);
  return Served.Answered;
}

export function triggerMessage(r: TriggerMessageRequest, w: Writer): Served {
  const e = r.evse;
  const res = new TriggerMessageResponse();
  const s = e !== null ? session(e.id) : null;
  if (e !== null && (s === null || (e.connectorId != NO_INT && (e.connectorId < 1 || e.connectorId > s.connectors)))) {
    res.status = TMS.Rejected;
    res.statusInfo = reason("UnknownEvse");
    res.encode(w);
    return Served.Answered;
  }
  res.status = TMS.Accepted;
  switch (r.requestedMessage) {
    case MT.BootNotification: if (prov.accepted) res.status = TMS.Rejected; break;
    case MT.Heartbeat: case MT.StatusNotification: case MT.MeterValues: case MT.LogStatusNotification:
    case MT.FirmwareStatusNotification: break;
    case MT.TransactionEvent: {
      let any = false;
      for (let i = 0; i < sessions.length; i++) if (sessions[i].active && (s === null || sessions[i] === s)) any = true;
      if (!any) res.status = TMS.Rejected;
      break;
    }
    default: res.status = TMS.NotImplemented;
  }
  res.encode(w);
  if (res.status == TMS.Accepted) sendTriggered(r.requestedMessage, s, e !== null ? e.connectorId : NO_INT);
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
        if (s === null || x === s) sendMeterValues(x.evse, AlignedMeasurands.value, Ctx.Trigger, x.phases);
      }
      break;
    case MT.TransactionEvent:
      for (let i = 0; i < sessions.length; i++) {
        const x = sessions[i];
        if (x.active && (s === null || x === s)) {
          x.event(TransactionEventEnumType.Updated, TR.Trigger, x.state, -1, meterValue(x.evse, AlignedMeasurands.value, Ctx.Trigger, x.phases));
        }
      }
      break;
    case MT.LogStatusNotification: {
      const n = new LogStatusNotificationRequest();
      n.status = UploadLogStatusEnumType.Idle;
      n.encode(rpc.body.reset());
      rpc.enqueue(Action.LogStatusNotification);
      break;
    }
    case MT.FirmwareStatusNotification: {
      const n = new FirmwareStatusNotificationRequest();
      n.status = FirmwareStatusEnumType.Idle;
      n.encode(rpc.body.reset());
      rpc.enqueue(Action.FirmwareStatusNotification);
      break;
    }
    default: break;
  }
}

export function unlockConnector(r: UnlockConnectorRequest, w: Writer): Served {
  const s = session(r.evseId);
  const res = new UnlockConnectorResponse();
  if (s === null || r.connectorId < 1 || r.connectorId > s.connectors) res.status = US.UnknownConnector;
  else if (s.active && s.authorized && s.connector == r.connectorId) res.status = US.OngoingAuthorizedTransaction;
  else {
    lock_set(s.evse, r.connectorId, 0);
    if (s.connector == r.connectorId) s.locked = false;
    res.status = US.Unlocked;
  }
  res.encode(w);
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

export function reset(r: ResetRequest, w: Writer): Served {
  const res = new ResetResponse();
  const onIdle = r.type == ResetEnumType.OnIdle;
  if (r.evseId != NO_INT) {
    const s = session(r.evseId);
    if (s === null) { res.status = RST.Rejected; res.statusInfo = reason("UnknownEvse"); res.encode(w); return Served.Answered; }
    res.status = s.active && onIdle ? RST.Scheduled : RST.Accepted;
    res.encode(w);
    if (s.active && !onIdle) s.deauthorize(TR.ResetCommand, ReasonEnumType.ImmediateReset, true);
    return Served.Answered;
  }
  let busy = false;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active) busy = true;
  res.status = busy && onIdle ? RST.Scheduled : RST.Accepted;
  res.encode(w);
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

/** True when a requested reset is due now: no transaction left and its messages sent (or waited long enough). */
export function resetReady(): bool {
  if (!resetDue) return false;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active) return false;
  if (resetOnIdle) resetDeadline = max(resetDeadline, now());
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

export function changeAvailability(r: ChangeAvailabilityRequest, w: Writer): Served {
  const on = r.operationalStatus == OperationalStatusEnumType.Operative;
  const e = r.evse;
  const res = new ChangeAvailabilityResponse();
  let busy = false;
  if (e === null) {
    for (let i = 0; i < sessions.length; i++) if (sessions[i].active) busy = true;
    setStationOperative(on);
    persist(availabilityKey(0, 0), on);
  } else {
    const s = session(e.id);
    const c = e.connectorId != NO_INT ? e.connectorId : 0;
    if (s === null || c < 0 || c > s.connectors) {
      res.status = CAS.Rejected; res.statusInfo = reason("UnknownEvse"); res.encode(w);
      return Served.Answered;
    }
    busy = s.active && (c == 0 || c == s.connector);
    if (c == 0) s.wantEvse = on; else s.wantConnector[c] = on;
    persist(availabilityKey(s.evse, c), on);
  }
  res.status = busy ? CAS.Scheduled : CAS.Accepted;
  res.encode(w);
  for (let i = 0; i < sessions.length; i++) sessions[i].refresh();
  info("availability: " + (on ? "Operative" : "Inoperative") + (busy ? " scheduled after the transaction" : ""));
  return Served.Answered;
}

export function clearCache(w: Writer): Served {
  const res = new ClearCacheResponse();
  // This build keeps no authorization cache (AuthCacheCtrlr is not implemented): nothing to clear.
  res.status = ClearCacheStatusEnumType.Rejected;
  res.statusInfo = reason("NotEnabled");
  res.encode(w);
  return Served.Answered;
}

