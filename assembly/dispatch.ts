// Routes decoded CALLs from the CSMS to their block, and results of our CALLs back.
import {
  Action, GetVariablesRequest, SetVariablesRequest, BootNotificationResponse, HeartbeatResponse,
  StatusNotificationResponse, ACTION_NAMES,
} from "./generated/ocpp";
import { Json } from "./json/reader";
import { Writer } from "./json/writer";
import { Served } from "./rpc/rpc";
import { Decode } from "./messages/codec";
import { warn } from "./core/log";
import { prov, Registration, getVariables, setVariables } from "./blocks/provisioning";

export function onCall(a: Action, j: Json, p: i32, w: Writer): Served {
  // B03.FR.08: a station that is not (yet) registered answers CSMS requests with SecurityError.
  if (prov.registration == Registration.Unknown || prov.registration == Registration.Rejected) return Served.NotRegistered;
  switch (a) {
    case Action.GetVariables: {
      const r = GetVariablesRequest.decode(j, p);
      return r === null ? Served.Invalid : getVariables(r, w);
    }
    case Action.SetVariables: {
      const r = SetVariablesRequest.decode(j, p);
      return r === null ? Served.Invalid : setVariables(r, w);
    }
  }
  return Served.Unsupported;
}

export function onResult(a: Action, j: Json, p: i32): void {
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
    case Action.StatusNotification: {
      if (StatusNotificationResponse.decode(j, p) === null) break;
      return;
    }
    default: return;
  }
  warn("rpc: invalid " + ACTION_NAMES[a] + " response dropped (" + Decode.why + ")");
  onFailure(a, "invalid response");
}

export function onFailure(a: Action, why: string): void {
  if (a == Action.BootNotification) prov.bootFailed();
}
