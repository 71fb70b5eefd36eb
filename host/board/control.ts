// The control API of a simulated station: HTTP + JSON on loopback, used by
// `chargewasm ctl`, scripts and other tools. Documented in docs/CONTROL-API.md.
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StationConfig } from "../station.ts";
import type { Board } from "./board.ts";
import { ID_TOKEN_TYPES, IdTokenType } from "../hal.ts";
import type { EvSpec } from "./board.ts";

/** What the control API drives: a Node-hosted Station, or the board of a native one (LinkedBoard). */
export interface Drivable {
  readonly identity: string;
  readonly connected: boolean;
  readonly board: Board;
  readonly opts: { config: StationConfig };
  plug(evse: number, ev?: Partial<EvSpec>, connector?: number): void;
  unplug(evse: number): void;
  setEv(evse: number, change: Partial<EvSpec>): void;
  fault(evse: number, state: "E" | "F" | null): void;
  weld(evse: number, welded: boolean): void;
  bay(evse: number, occupied: boolean): void;
  tap(evse: number, idToken: string, type?: IdTokenType): void;
  settle(ms?: number): Promise<void>;
  /** The board's clock, ms. */
  now(): number;
}
type Station = Drivable;

class HttpError extends Error { constructor(readonly status: number, msg: string) { super(msg); } }

const EV_KEYS: (keyof EvSpec)[] = ["maxCurrentA", "phases", "capacityWh", "socPct", "reportsSoC", "wantsCharge", "ventilation"];

function evSpec(body: Record<string, unknown>): Partial<EvSpec> {
  const out: Partial<EvSpec> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === "connector") continue;
    if (!EV_KEYS.includes(k as keyof EvSpec)) throw new HttpError(400, `unknown EV property ${k}`);
    const want = k === "reportsSoC" || k === "wantsCharge" || k === "ventilation" ? "boolean" : "number";
    if (typeof v !== want) throw new HttpError(400, `${k} must be a ${want}`);
    if (want === "number" && (!Number.isFinite(v) || (v as number) < 0)) throw new HttpError(400, `${k} must be a non-negative number`);
    (out as Record<string, unknown>)[k] = v;
  }
  if (out.socPct !== undefined && out.socPct > 100) throw new HttpError(400, "socPct must be at most 100");
  if (out.phases !== undefined && ![1, 2, 3].includes(out.phases)) throw new HttpError(400, "phases must be 1, 2 or 3");
  return out;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) { text += chunk; if (text.length > 65536) throw new HttpError(413, "body too large"); }
  if (!text.trim()) return {};
  let v: unknown;
  try { v = JSON.parse(text); } catch { throw new HttpError(400, "body is not JSON"); }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new HttpError(400, "body must be a JSON object");
  return v as Record<string, unknown>;
}

/** The board as it is at this moment: energy and SoC integrated up to now, not to the engine's last meter read. */
export function status(station: Station) {
  station.board.advance(station.now());
  return { identity: station.identity, connected: station.connected, evses: station.board.evses.map((e) => e.snapshot()) };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** Only local tools may drive the board: a loopback Host (no DNS rebinding), no foreign Origin, and JSON bodies
 *  (which a web page cannot POST across origins without a CORS preflight that this server never grants). */
function checkCaller(req: IncomingMessage): void {
  if (!LOOPBACK.test(req.headers.host ?? "")) throw new HttpError(403, "the control API answers only on a loopback Host");
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let host = "";
    try { host = new URL(origin).host; } catch { /* not a URL */ }
    if (!LOOPBACK.test(host)) throw new HttpError(403, `requests from ${origin} are not allowed`);
  }
  if (req.method === "POST" && !/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    throw new HttpError(415, "POST bodies must be JSON (Content-Type: application/json)");
  }
}

async function route(station: Station, req: IncomingMessage): Promise<unknown> {
  checkCaller(req);
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/status") return status(station);
  const m = /^\/evse\/(\d+)\/(plug|unplug|tap|fault|ev|bay)$/.exec(url.pathname);
  if (!m) throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  if (req.method !== "POST") throw new HttpError(405, "use POST");
  const evse = Number(m[1]);
  if (evse < 1 || evse > station.board.evses.length) throw new HttpError(404, `no EVSE ${evse} (this station has ${station.board.evses.length})`);
  const body = await readBody(req);
  switch (m[2]) {
    case "plug": {
      if (station.board.evse(evse).ev) throw new HttpError(409, `an EV is already plugged into EVSE ${evse}`);
      const connector = body.connector === undefined ? 1 : Number(body.connector);
      if (!Number.isInteger(connector) || connector < 1 || connector > station.opts.config.evses[evse - 1].connectors.length) throw new HttpError(400, "no such connector");
      station.plug(evse, evSpec(body), connector);
      break;
    }
    case "unplug":
      if (!station.board.evse(evse).ev) throw new HttpError(409, `nothing is plugged into EVSE ${evse}`);
      station.unplug(evse);
      break;
    case "tap": {
      const id = body.idToken, type = (body.type ?? "ISO14443") as IdTokenType;
      if (typeof id !== "string" || id.length < 1 || id.length > 36) throw new HttpError(400, "idToken must be a string of 1 to 36 characters");
      if (!ID_TOKEN_TYPES.includes(type)) throw new HttpError(400, `type must be one of ${ID_TOKEN_TYPES.join(", ")}`);
      station.tap(evse, id, type);
      break;
    }
    case "fault": {
      const s = body.state ?? null;
      if (s !== null && s !== "E" && s !== "F" && s !== "welded") throw new HttpError(400, 'state must be "E", "F", "welded" or null');
      if (s === "welded") station.weld(evse, true);
      else { station.weld(evse, false); station.fault(evse, s as "E" | "F" | null); }
      break;
    }
    case "ev":
      if (!station.board.evse(evse).ev) throw new HttpError(409, `no EV plugged into EVSE ${evse}`);
      station.setEv(evse, evSpec(body));
      break;
    case "bay":
      if (typeof body.occupied !== "boolean") throw new HttpError(400, "occupied must be a boolean");
      station.bay(evse, body.occupied);
      break;
  }
  await station.settle(500);
  return status(station);
}

export async function startControl(station: Station, port: number, host = "127.0.0.1"): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(station, req).then(
      (v) => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify(v)); },
      (e) => {
        const code = e instanceof HttpError ? e.status : 500;
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
      });
  });
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, host, () => resolve()); });
  const a = server.address() as AddressInfo;
  return { server, url: `http://${host}:${a.port}` };
}
