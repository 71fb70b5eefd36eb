// Routes CALLs from the CSMS to their block, and results of our CALLs back. Every payload is first checked
// against its schema table (assembly/generated/ocpp.ts); handlers then read it from the JSON tape.
import { Action, ACTION_COUNT } from "./generated/ocpp";
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

type Handler = (j: Json, p: i32, w: Writer) => Served;

/** Per action, the block's handler of the CALL; the request's schema is its row in REQUEST_TYPES. */
const handlers = new StaticArray<Handler | null>(ACTION_COUNT);
handlers[Action.GetVariables] = getVariables;
handlers[Action.SetVariables] = setVariables;
handlers[Action.RequestStartTransaction] = requestStart;
handlers[Action.RequestStopTransaction] = requestStop;
handlers[Action.GetTransactionStatus] = transactionStatus;
handlers[Action.TriggerMessage] = triggerMessage;
handlers[Action.UnlockConnector] = unlockConnector;
handlers[Action.Reset] = reset;
handlers[Action.ChangeAvailability] = changeAvailability;
handlers[Action.SetChargingProfile] = setChargingProfile;
handlers[Action.ClearChargingProfile] = clearChargingProfile;
handlers[Action.GetChargingProfiles] = getChargingProfiles;
handlers[Action.GetCompositeSchedule] = getCompositeSchedule;
handlers[Action.ClearCache] = clearCache;

export function onCall(a: Action, j: Json, p: i32, w: Writer): Served {
  // B03.FR.08: a station that is not (yet) registered answers CSMS requests with SecurityError.
  if (prov.registration == Registration.Unknown || prov.registration == Registration.Rejected) return Served.NotRegistered;
  const t = requestType(a), h = handlers[a];
  if (!t || h === null) return Served.Unsupported;
  if (!check(j, p, t)) return Served.Invalid;
  return h(j, p, w);
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
