// When to dial the CSMS. The host only dials and reports; the back-off is ours
// (Part 4 section 5.3): the first retry waits RetryBackOffWaitMinimum plus a random
// part of at most RetryBackOffRandomRange; each failure doubles the wait, at most
// RetryBackOffRepeatTimes times; then the last wait repeats.
import { ws_connect, random_u32 } from "../hal";
import { now } from "../core/clock";
import { info, error } from "../core/log";
import { utf8, ptr } from "../core/bytes";
import { V } from "../generated/ocpp";
import { intOf, textOf } from "../device-model/model";

export const enum Link { Down, Dialing, Up, Refused }

export class Connection {
  state: Link = Link.Down;
  failures: i32 = 0;       // back-offs taken since the last good connection
  dialAt: i64 = 0;         // when to dial next while Down
  url: string = "";
  identity: string = "";
  downSince: i64 = 0;

  dial(): void {
    const profile = <i32>intOf(V.SecurityProfile);
    if (profile >= 2 && !this.url.startsWith("wss://")) {
      // Basic auth (profile 2) or a client certificate (profile 3) over plain ws:// would give the credentials away.
      error("connection: security profile " + profile.toString() + " needs a wss:// CSMS URL, not " + this.url + "; not connecting");
      this.state = Link.Refused;
      return;
    }
    this.state = Link.Dialing;
    const full = this.url.endsWith("/") ? this.url + this.identity : this.url + "/" + this.identity;
    info("connection: dialing " + full);
    const u = utf8(full), id = utf8(this.identity), pw = utf8(textOf(V.BasicAuthPassword));
    ws_connect(ptr(u), u.byteLength, ptr(id), id.byteLength, ptr(pw), pw.byteLength, profile);
  }

  /** The wait before the next attempt after `failures` failed ones, in ms. */
  backoff(): i64 {
    const doublings = min(this.failures, <i32>intOf(V.RetryBackOffRepeatTimes));
    const base = intOf(V.RetryBackOffWaitMinimum) * ((<i64>1) << <i64>doublings);
    const range = intOf(V.RetryBackOffRandomRange);
    const rand: i64 = range > 0 ? <i64>(random_u32() % <u32>(range * 1000 + 1)) : 0;
    return base * 1000 + rand;
  }

  up(): void { this.state = Link.Up; }

  /** Connection lost or attempt failed: schedules the next dial. */
  down(): void {
    const wasUp = this.state == Link.Up;
    if (wasUp) { this.downSince = now(); this.failures = 0; }
    this.state = Link.Down;
    const wait = this.backoff();
    this.failures++;
    this.dialAt = now() + wait;
    info("connection: " + (wasUp ? "lost" : "attempt failed") + "; next attempt in " + wait.toString() + " ms");
  }

  /** ms until the next dial, -1 when not waiting; dials when due. */
  tick(t: i64): i64 {
    if (this.state != Link.Down) return -1;
    if (t >= this.dialAt) { this.dial(); return -1; }
    return this.dialAt - t;
  }
}

export const conn = new Connection();
