// Connector status (G01/B01): every connector's ConnectorStatusEnumType, and one
// StatusNotification per changed connector. Changes are flags, not queued frames,
// so any number of connectors fits in bounded memory and the CSMS gets the latest state.
import { ConnectorStatusEnumType, Action, E, P } from "../generated/ocpp";
import { enumName } from "../messages/schema";
import { rpc } from "../rpc/rpc";
import { utcNow } from "../core/clock";
import { V } from "../generated/ocpp";
import { assign, instanceOf } from "../device-model/model";
import { info } from "../core/log";

export class Connector {
  status: ConnectorStatusEnumType = ConnectorStatusEnumType.Available;
  changedAt: i64 = 0;
  dirty: bool = false;
  constructor(public evse: i32, public id: i32) {}
}

export const connectors: Connector[] = [];

export function addConnector(evse: i32, id: i32): void { connectors.push(new Connector(evse, id)); }

export function setStatus(evse: i32, id: i32, s: ConnectorStatusEnumType): void {
  for (let i = 0; i < connectors.length; i++) {
    const c = connectors[i];
    if (c.evse != evse || c.id != id || c.status == s) continue;
    c.status = s; c.changedAt = utcNow(); c.dirty = true;
    const v = instanceOf(V.ConnectorAvailabilityState, evse, id);
    if (v >= 0) assign(v, enumName(E.ConnectorStatusEnumType, s));
    info("availability: connector " + evse.toString() + "/" + id.toString() + " " + enumName(E.ConnectorStatusEnumType, s));
  }
}

/** Marks every connector to be reported (after boot, after being offline longer than OfflineThreshold, on a trigger). */
export function markAll(): void {
  const t = utcNow();
  for (let i = 0; i < connectors.length; i++) { connectors[i].dirty = true; connectors[i].changedAt = t; }
}

/** Marks one connector to be reported again. */
export function markStatus(evse: i32, id: i32): void {
  for (let i = 0; i < connectors.length; i++) {
    const c = connectors[i];
    if (c.evse == evse && c.id == id) { c.dirty = true; c.changedAt = utcNow(); }
  }
}

/** Queues the StatusNotification of the next changed connector; false when none is due. */
export function flush(): bool {
  if (rpc.pending(Action.StatusNotification)) return false;
  for (let i = 0; i < connectors.length; i++) {
    const c = connectors[i];
    if (!c.dirty) continue;
    const w = rpc.call();
    w.obj();
    w.k(P.timestamp); w.time(c.changedAt);
    w.k(P.connectorStatus); w.en(E.ConnectorStatusEnumType, c.status);
    w.k(P.evseId); w.int(c.evse);
    w.k(P.connectorId); w.int(c.id);
    w.endObj();
    if (!rpc.enqueue(Action.StatusNotification)) return false;
    c.dirty = false;
    return true;
  }
  return false;
}
