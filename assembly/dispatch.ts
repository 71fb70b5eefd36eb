// Routes decoded CALLs from the CSMS to their block, and results of our CALLs back.
import {
  Action, ACTION_NAMES, GetVariablesRequest, SetVariablesRequest, BootNotificationResponse, HeartbeatResponse,
  StatusNotificationResponse, AuthorizeResponse, TransactionEventResponse, MeterValuesResponse,
  RequestStartTransactionRequest, RequestStopTransactionRequest, GetTransactionStatusRequest, TriggerMessageRequest,
  UnlockConnectorRequest, ResetRequest, ChangeAvailabilityRequest, ClearCacheRequest,
  LogStatusNotificationResponse, FirmwareStatusNotificationResponse, SetChargingProfileRequest, ClearChargingProfileRequest,
  GetChargingProfilesRequest, GetCompositeScheduleRequest, ReportChargingProfilesResponse, NotifyChargingLimitResponse,
  ClearedChargingLimitResponse, SecurityEventNotificationResponse,
} from "./generated/ocpp";
import { setChargingProfile, clearChargingProfile, getChargingProfiles, getCompositeSchedule } from "./blocks/smart-charging";
import { Json } from "./json/reader";
import { Writer } from "./json/writer";
import { Served } from "./rpc/rpc";
import { Decode } from "./messages/codec";
import { warn } from "./core/log";
import { prov, Registration, getVariables, setVariables } from "./blocks/provisioning";
import { onAuthorize, onTransactionIdTokenInfo } from "./blocks/authorization";
import { sessionByTx } from "./blocks/transactions";
import {
  requestStart, requestStop, transactionStatus, triggerMessage, unlockConnector, reset, changeAvailability, clearCache,
} from "./blocks/remote-control";

export function onCall(a: Action, j: Json, p: i32, w: Writer): Served {
  // B03.FR.08: a station that is not (yet) registered answers CSMS requests with SecurityError.
  if (prov.registration == Registration.Unknown || prov.registration == Registration.Rejected) return Served.NotRegistered;
  switch (a) {
    case Action.GetVariables: { const r = GetVariablesRequest.decode(j, p); return r === null ? Served.Invalid : getVariables(r, w); }
    case Action.SetVariables: { const r = SetVariablesRequest.decode(j, p); return r === null ? Served.Invalid : setVariables(r, w); }
    case Action.RequestStartTransaction: { const r = RequestStartTransactionRequest.decode(j, p); return r === null ? Served.Invalid : requestStart(r, w); }
    case Action.RequestStopTransaction: { const r = RequestStopTransactionRequest.decode(j, p); return r === null ? Served.Invalid : requestStop(r, w); }
    case Action.GetTransactionStatus: { const r = GetTransactionStatusRequest.decode(j, p); return r === null ? Served.Invalid : transactionStatus(r, w); }
    case Action.TriggerMessage: { const r = TriggerMessageRequest.decode(j, p); return r === null ? Served.Invalid : triggerMessage(r, w); }
    case Action.UnlockConnector: { const r = UnlockConnectorRequest.decode(j, p); return r === null ? Served.Invalid : unlockConnector(r, w); }
    case Action.Reset: { const r = ResetRequest.decode(j, p); return r === null ? Served.Invalid : reset(r, w); }
    case Action.ChangeAvailability: { const r = ChangeAvailabilityRequest.decode(j, p); return r === null ? Served.Invalid : changeAvailability(r, w); }
    case Action.SetChargingProfile: { const r = SetChargingProfileRequest.decode(j, p); return r === null ? Served.Invalid : setChargingProfile(r, w); }
    case Action.ClearChargingProfile: { const r = ClearChargingProfileRequest.decode(j, p); return r === null ? Served.Invalid : clearChargingProfile(r, w); }
    case Action.GetChargingProfiles: { const r = GetChargingProfilesRequest.decode(j, p); return r === null ? Served.Invalid : getChargingProfiles(r, w); }
    case Action.GetCompositeSchedule: { const r = GetCompositeScheduleRequest.decode(j, p); return r === null ? Served.Invalid : getCompositeSchedule(r, w); }
    case Action.ClearCache: { const r = ClearCacheRequest.decode(j, p); return r === null ? Served.Invalid : clearCache(w); }
  }
  return Served.Unsupported;
}

export function onResult(a: Action, j: Json, p: i32, tag: string): void {
  switch (a) {
    case Action.BootNotification: {
      const r = BootNotificationResponse.decode(j, p);
      if (r === null) break;
      prov.onBoot(r);
      return;
    }
    case Action.Heartbeat: {
      const r = HeartbeatResponse.decode(j, p);
      if (r === null) break;
      prov.onHeartbeat(r);
      return;
    }
    case Action.Authorize: {
      const r = AuthorizeResponse.decode(j, p);
      if (r === null) warn("rpc: invalid Authorize response (" + Decode.why + "); token not accepted");
      onAuthorize(r);
      return;
    }
    case Action.TransactionEvent: {
      const r = TransactionEventResponse.decode(j, p);
      if (r === null) break;
      const info = r.idTokenInfo;
      const s = sessionByTx(tag);
      if (info !== null && s !== null) onTransactionIdTokenInfo(s, info);
      return;
    }
    case Action.StatusNotification: if (StatusNotificationResponse.decode(j, p) === null) break; return;
    case Action.MeterValues: if (MeterValuesResponse.decode(j, p) === null) break; return;
    case Action.LogStatusNotification: if (LogStatusNotificationResponse.decode(j, p) === null) break; return;
    case Action.FirmwareStatusNotification: if (FirmwareStatusNotificationResponse.decode(j, p) === null) break; return;
    case Action.ReportChargingProfiles: if (ReportChargingProfilesResponse.decode(j, p) === null) break; return;
    case Action.NotifyChargingLimit: if (NotifyChargingLimitResponse.decode(j, p) === null) break; return;
    case Action.ClearedChargingLimit: if (ClearedChargingLimitResponse.decode(j, p) === null) break; return;
    case Action.SecurityEventNotification: if (SecurityEventNotificationResponse.decode(j, p) === null) break; return;
    default: return;
  }
  warn("rpc: invalid " + ACTION_NAMES[a] + " response dropped (" + Decode.why + ")");
  onFailure(a, "invalid response", tag);
}

export function onFailure(a: Action, why: string, tag: string): void {
  if (a == Action.BootNotification) prov.bootFailed();
  else if (a == Action.Authorize) onAuthorize(null);
}
