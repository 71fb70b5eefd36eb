// Routes CALLs from the CSMS to their block, and results of our CALLs back. Every payload is first checked
// against its schema table (assembly/generated/ocpp.ts); handlers then read it from the JSON tape.
import { Action } from "./generated/ocpp";
import { setChargingProfile, clearChargingProfile, getChargingProfiles, getCompositeSchedule } from "./blocks/smart-charging";
import { Json } from "./json/reader";
import { Writer } from "./json/writer";
import { Served } from "./rpc/rpc";
import { Decode } from "./messages/codec";
import { check, requestType, responseType, actionName, field } from "./messages/schema";
import { P } from "./generated/ocpp";
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
  const t = requestType(a);
  if (!t) return Served.Unsupported;
  if (!check(j, p, t)) return Served.Invalid;
  switch (a) {
    case Action.GetVariables: return getVariables(j, p, w);
    case Action.SetVariables: return setVariables(j, p, w);
    case Action.RequestStartTransaction: return requestStart(j, p, w);
    case Action.RequestStopTransaction: return requestStop(j, p, w);
    case Action.GetTransactionStatus: return transactionStatus(j, p, w);
    case Action.TriggerMessage: return triggerMessage(j, p, w);
    case Action.UnlockConnector: return unlockConnector(j, p, w);
    case Action.Reset: return reset(j, p, w);
    case Action.ChangeAvailability: return changeAvailability(j, p, w);
    case Action.SetChargingProfile: return setChargingProfile(j, p, w);
    case Action.ClearChargingProfile: return clearChargingProfile(j, p, w);
    case Action.GetChargingProfiles: return getChargingProfiles(j, p, w);
    case Action.GetCompositeSchedule: return getCompositeSchedule(j, p, w);
    case Action.ClearCache: return clearCache(w);
  }
  return Served.Unsupported;
}

export function onResult(a: Action, j: Json, p: i32, tag: string): void {
  const t = responseType(a);
  if (t && !check(j, p, t)) {
    if (a == Action.Authorize) { warn("rpc: invalid Authorize response (" + Decode.why + "); token not accepted"); onAuthorize(null, 0); return; }
    warn("rpc: invalid " + actionName(a) + " response dropped (" + Decode.why + ")");
    onFailure(a, "invalid response", tag);
    return;
  }
  switch (a) {
    case Action.BootNotification: prov.onBoot(j, p); break;
    case Action.Heartbeat: prov.onHeartbeat(j, p); break;
    case Action.Authorize: onAuthorize(j, field(j, p, P.idTokenInfo)); break;
    case Action.TransactionEvent: {
      const info = field(j, p, P.idTokenInfo);
      const s = sessionByTx(tag);
      if (info && s !== null) onTransactionIdTokenInfo(s, j, info);
      break;
    }
    default: break;
  }
}

export function onFailure(a: Action, why: string, tag: string): void {
  if (a == Action.BootNotification) prov.bootFailed();
  else if (a == Action.Authorize) onAuthorize(null, 0);
}
