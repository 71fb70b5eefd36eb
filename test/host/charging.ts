// Helpers for charging scenarios: a one-EVSE station with quiet meter timers unless a test asks for them.
import { expect } from "vitest";
import { rig, Rig } from "./harness.ts";
import type { StationConfig } from "../../host/station.ts";

export const TOKENS = { ACCEPT1: "Accepted", ACCEPT2: "Accepted", BLOCKED1: "Blocked", EXPIRED1: "Expired", INVALID1: "Invalid" };

export type Default = NonNullable<StationConfig["defaults"]>[number];
export const dm = (component: string, variable: string, value: string, instance?: string): Default =>
  ({ component, variable, value, ...(instance ? { instance } : {}) });

export const QUIET = [dm("AlignedDataCtrlr", "Interval", "0"), dm("SampledDataCtrlr", "TxUpdatedInterval", "0")];

export async function chargingRig(defaults: Default[] = [], over: Partial<StationConfig> = {}, csms = {}): Promise<Rig> {
  const r = await rig({ tokens: TOKENS, ...csms });
  await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [...QUIET, ...defaults], ...over });
  return r;
}

/** TransactionEventRequest payloads the station sent, in order. */
export const tes = (r: Rig): any[] => r.calls("TransactionEvent").map((x) => x.m[3]);
export const statuses = (r: Rig): string[] => r.calls("StatusNotification").map((x) => `${x.m[3].evseId}/${x.m[3].connectorId} ${x.m[3].connectorStatus}`);
export const authorizes = (r: Rig): any[] => r.calls("Authorize").map((x) => x.m[3]);

/** The events as "eventType triggerReason chargingState [stoppedReason]" lines, easy to compare. */
export const story = (r: Rig, from = 0): string[] => tes(r).slice(from).map((e) =>
  [e.eventType, e.triggerReason, e.transactionInfo.chargingState, e.transactionInfo.stoppedReason].filter(Boolean).join(" "));

export async function act(r: Rig, fn: () => void): Promise<void> { fn(); await r.station.settle(); }

/** seqNo runs 0, 1, 2, ... per transaction, and all events of one transaction share its id. */
export function expectWellFormed(r: Rig): void {
  const byTx = new Map<string, any[]>();
  for (const e of tes(r)) byTx.set(e.transactionInfo.transactionId, [...(byTx.get(e.transactionInfo.transactionId) ?? []), e]);
  for (const [, events] of byTx) {
    expect(events.map((e) => e.seqNo)).toEqual(events.map((_, i) => i));
    expect(events[0].eventType).toBe("Started");
    expect(events.slice(1, -1).every((e) => e.eventType === "Updated")).toBe(true);
  }
}
