// Time comes only from the HAL. UTC is the host clock plus the offset learnt
// from the CSMS's currentTime (BootNotification and Heartbeat responses).
import { now_ms, utc_ms } from "../hal";

let offset: i64 = 0;

export function now(): i64 { return now_ms(); }

/** Set by whatever may move a deadline while the engine runs; the engine then gathers its deadlines once more,
 *  so that one set while handling an event reaches the host's timer. */
export let rescheduled = false;
export function reschedule(): void { rescheduled = true; }
export function clearRescheduled(): void { rescheduled = false; }
export function utcNow(): i64 { return utc_ms() + offset; }
export function setUtc(csmsTime: i64): void { offset = csmsTime - utc_ms(); }
