// The development CSMS: the npm ocpp-rpc server in strict mode (both directions
// validated against the OCPP 2.0.1 schemas), accepting boots, answering Authorize
// from a token list, and recording every frame. Used by `make sim` and by the tests.
import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import rpc from "ocpp-rpc";

const { RPCServer, createRPCError } = rpc as any;

export type BootPolicy = (identity: string, count: number) => { status: "Accepted" | "Pending" | "Rejected"; interval: number };

export interface CsmsOptions {
  /** Boot answer; default Accepted with heartbeatInterval. */
  boot?: BootPolicy;
  heartbeatInterval?: number;
  /** idToken -> AuthorizationStatusEnumType; unknown tokens are Unknown. */
  tokens?: Record<string, string>;
  /** idToken -> the groupIdToken its idTokenInfo carries. */
  groups?: Record<string, string>;
  /** identity -> Basic-auth password; when set, other identities and wrong passwords are refused (401). */
  passwords?: Record<string, string>;
  /** The CSMS clock; default the wall clock. Tests pass the station's virtual UTC. */
  now?: () => number;
  /** Subprotocols offered (default ocpp2.0.1); tests use others to play a CSMS that does not speak OCPP 2.0.1. */
  protocols?: string[];
  /** Awaited before answering each CALL from a station (tests use it to delay or withhold answers). */
  hold?: (identity: string, method: string, params: any) => Promise<void> | void;
}

export interface CsmsFrame { identity: string; dir: "in" | "out"; text: string }
export interface CsmsCall { identity: string; method: string; params: any }

export class DevCsms extends EventEmitter {
  readonly frames: CsmsFrame[] = [];
  readonly calls: CsmsCall[] = [];
  /** Strict-mode validation failures in either direction: any entry means a non-conformant frame. */
  readonly violations: { identity: string; error: string; payload: unknown }[] = [];
  readonly clients = new Map<string, any>();
  /** How each station connection ended, as the CSMS saw it (code 1005: closed without a close frame's code; 1006: no close frame). */
  readonly closes: { identity: string; code: number; reason: string }[] = [];
  private server: any;
  private http: any;
  private boots = new Map<string, number>();
  private now: () => number;
  /** While false, new connections are refused with HTTP 503 (to simulate an outage). */
  accepting = true;

  constructor(private opts: CsmsOptions = {}) {
    super();
    this.now = opts.now ?? Date.now;
    this.server = new RPCServer({ protocols: opts.protocols ?? ["ocpp2.0.1"], strictMode: true, pingIntervalMs: 0, callTimeoutMs: 10000 });
    this.server.auth((accept: any, reject: any, hs: any) => {
      if (!this.accepting) { reject(503, "CSMS unavailable"); return; }
      const want = opts.passwords?.[hs.identity];
      if (opts.passwords && (want === undefined || hs.password?.toString() !== want)) { reject(401, "unknown station or wrong password"); return; }
      accept();
    });
    this.server.on("client", (client: any) => this.attach(client));
  }

  private time(): string { return new Date(this.now()).toISOString(); }

  private attach(client: any): void {
    const id: string = client.identity;
    this.clients.set(id, client);
    this.emit("connect", id);
    client.on("message", ({ message, outbound }: any) => {
      const f: CsmsFrame = { identity: id, dir: outbound ? "out" : "in", text: message.toString() };
      this.frames.push(f);
      this.emit("frame", f);
    });
    client.on("strictValidationFailure", (ev: any) => {
      this.violations.push({ identity: id, error: String(ev.error?.message ?? ev.error), payload: ev.payload ?? ev.params });
    });
    client.on("close", ({ code, reason }: any) => {
      this.closes.push({ identity: id, code, reason: String(reason ?? "") });
      if (this.clients.get(id) === client) this.clients.delete(id);
      this.emit("disconnect", id);
    });
    const answer = (method: string, fn: (params: any) => any) => client.handle(method, async ({ params }: any) => {
      const c = { identity: id, method, params };
      this.calls.push(c);
      this.emit("call", c);
      await this.opts.hold?.(id, method, params);
      return fn(params);
    });
    const tokenInfo = (idToken: any) => {
      const group = this.opts.groups?.[idToken.idToken];
      return { status: idToken.type === "NoAuthorization" ? "Accepted" : this.opts.tokens?.[idToken.idToken] ?? "Unknown",
        ...(group ? { groupIdToken: { idToken: group, type: "Central" } } : {}) };
    };
    answer("BootNotification", () => {
      const n = (this.boots.get(id) ?? 0) + 1;
      this.boots.set(id, n);
      const b = this.opts.boot?.(id, n) ?? { status: "Accepted", interval: this.opts.heartbeatInterval ?? 300 };
      return { currentTime: this.time(), interval: b.interval, status: b.status };
    });
    answer("Heartbeat", () => ({ currentTime: this.time() }));
    answer("Authorize", (p) => ({ idTokenInfo: tokenInfo(p.idToken) }));
    answer("TransactionEvent", (p) => (p.idToken ? { idTokenInfo: tokenInfo(p.idToken) } : {}));
    for (const m of ["StatusNotification", "MeterValues", "NotifyReport", "NotifyEvent", "SecurityEventNotification",
      "FirmwareStatusNotification", "LogStatusNotification", "NotifyChargingLimit", "ClearedChargingLimit",
      "ReportChargingProfiles", "NotifyMonitoringReport", "NotifyDisplayMessages", "NotifyCustomerInformation"]) {
      answer(m, () => ({}));
    }
    client.handle(({ method }: any) => {
      throw createRPCError("NotImplemented", `${method} is not handled by the dev CSMS`);
    });
  }

  /** Serves wss:// with the given PEM certificate and key (security profile 2). */
  async listenTls(cert: string, key: string, port = 0, host = "127.0.0.1"): Promise<string> {
    const https = await import("node:https");
    this.http = https.createServer({ cert, key });
    this.http.on("upgrade", this.server.handleUpgrade);
    await new Promise<void>((res) => this.http.listen(port, host, () => res()));
    return `wss://${host === "127.0.0.1" ? "localhost" : host}:${(this.http.address() as AddressInfo).port}/ocpp`;
  }

  /** Serves ws://; rejects (EADDRINUSE, EACCES, ...) when the port cannot be had. */
  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    const http = await import("node:http");
    this.http = http.createServer();
    this.http.on("upgrade", this.server.handleUpgrade);
    await new Promise<void>((res, rej) => { this.http.once("error", rej); this.http.listen(port, host, () => { this.http.off("error", rej); res(); }); });
    const a = this.http.address() as AddressInfo;
    return `ws://${host}:${a.port}/ocpp`;
  }

  client(identity: string): any {
    const c = this.clients.get(identity);
    if (!c) throw new Error(`station ${identity} is not connected`);
    return c;
  }

  /** A CALL from the CSMS; resolves with the station's (validated) result, rejects with its CALLERROR. */
  call(identity: string, method: string, params: unknown): Promise<any> { return this.client(identity).call(method, params); }

  /** Sends a frame as is (to test malformed input). */
  sendRaw(identity: string, text: string): void { this.client(identity).sendRaw(text); }

  /** The next frame from `identity` matching pred (already received ones included when from >= 0). */
  nextFrame(identity: string, pred: (m: any[]) => boolean, from = this.frames.length): Promise<any[]> {
    return new Promise((resolve, reject) => {
      for (let i = from; i < this.frames.length; i++) {
        const f = this.frames[i];
        if (f.identity === identity && f.dir === "in") { const m = JSON.parse(f.text); if (pred(m)) return resolve(m); }
      }
      const timer = setTimeout(() => { this.off("frame", on); reject(new Error("no matching frame within 5 s")); }, 5000);
      const on = (f: CsmsFrame) => {
        if (f.identity !== identity || f.dir !== "in") return;
        let m: any; try { m = JSON.parse(f.text); } catch { return; }
        if (pred(m)) { clearTimeout(timer); this.off("frame", on); resolve(m); }
      };
      this.on("frame", on);
    });
  }

  /** Drops a station's connection. */
  async disconnect(identity: string): Promise<void> { await this.client(identity).close({ code: 1001, force: true }); }

  async close(): Promise<void> {
    await this.server.close({ force: true, awaitPending: false });
    if (this.http?.listening) await new Promise((res) => this.http.close(res));
  }
}
