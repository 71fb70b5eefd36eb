// Test harness: the dev CSMS (ocpp-rpc, strict mode) and a station on a virtual
// clock, plus a validator that checks every frame the station sent against the
// official OCPP 2.0.1 schemas. A schema failure fails the test.
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import { DevCsms, CsmsOptions } from "../../host/csms/server.ts";
import { Station, StationConfig, StationOptions } from "../../host/station.ts";
import { VirtualClock } from "../../host/clock.ts";
import { MemoryStore, Store } from "../../host/storage.ts";
import { createServer } from "node:net";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RemoteStation } from "./remote-station.ts";

/** CW_HOST=posix runs the suites against the native posix station instead of the Node-hosted engine; stm32 and
 *  rv32 against the station firmware of that MCU under QEMU. */
const HOSTS = ["node", "posix", "stm32", "rv32"] as const;
export const HOST: (typeof HOSTS)[number] = HOSTS.find((h) => h === process.env.CW_HOST) ?? "node";
/** The station is a native process (posix or QEMU) driven through the board link. */
export const NATIVE = HOST !== "node";
/** The station is MCU firmware under QEMU. */
export const MCU = HOST === "stm32" || HOST === "rv32";

const require = createRequire(import.meta.url);
const schemas: any[] = require("ocpp-rpc/lib/schemas/ocpp2_0_1.json");
const ajv = new Ajv({ strict: false, allErrors: true });
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
// Keyed by action: ajv 8 cannot resolve the schemas' "urn:X.req" ids as URIs.
for (const { $id, ...s } of schemas) ajv.addSchema(s, $id.replace("urn:", ""));

export const RPC_ERROR_CODES = [
  "FormatViolation", "GenericError", "InternalError", "MessageTypeNotSupported", "NotImplemented", "NotSupported",
  "OccurrenceConstraintViolation", "PropertyConstraintViolation", "ProtocolError", "RpcFrameworkError",
  "SecurityError", "TypeConstraintViolation",
];

function check(id: string, payload: unknown): string | null {
  const v = ajv.getSchema(id);
  if (!v) return `no schema ${id}`;
  return v(payload) ? null : `${id}: ${ajv.errorsText(v.errors)}`;
}

/** Every problem with the frames the station sent (CALLs, CALLRESULTs against the CSMS CALL they answer, CALLERRORs). */
export function frameViolations(station: Station): string[] { return violations(station.frames); }

/** The same check on the frames a CSMS recorded for one station ("in": sent by the station). */
export function csmsFrameViolations(csms: DevCsms, identity: string): string[] {
  return violations(csms.frames.filter((f) => f.identity === identity).map((f) => ({ dir: f.dir === "in" ? "out" : "in", text: f.text })));
}

function violations(frames: { dir: string; text: string }[]): string[] {
  const bad: string[] = [];
  const csmsCalls = new Map<string, string>();
  for (const f of frames) {
    let m: any;
    try { m = JSON.parse(f.text); } catch { if (f.dir === "out") bad.push(`station sent invalid JSON: ${f.text}`); continue; }
    if (f.dir === "in") {
      if (Array.isArray(m) && m[0] === 2) csmsCalls.set(m[1], m[2]);
      continue;
    }
    if (!Array.isArray(m)) { bad.push(`not an array: ${f.text}`); continue; }
    if (typeof m[1] !== "string" || m[1].length < 1 || m[1].length > 36) bad.push(`bad message id: ${f.text}`);
    if (m[0] === 2) {
      if (m.length !== 4) bad.push(`CALL with ${m.length} elements`);
      const e = check(`${m[2]}.req`, m[3]);
      if (e) bad.push(e);
    } else if (m[0] === 3) {
      const action = csmsCalls.get(m[1]);
      if (!action) bad.push(`CALLRESULT for no CSMS CALL: ${f.text}`);
      else { const e = check(`${action}.conf`, m[2]); if (e) bad.push(e); }
    } else if (m[0] === 4) {
      if (m.length !== 5 || !RPC_ERROR_CODES.includes(m[2]) || typeof m[3] !== "string" || m[3].length > 255 ||
          typeof m[4] !== "object" || m[4] === null || Array.isArray(m[4])) bad.push(`malformed CALLERROR: ${f.text}`);
    } else bad.push(`unknown message type: ${f.text}`);
  }
  return bad;
}

export function stationConfig(csmsUrl: string, over: Partial<StationConfig> = {}): StationConfig {
  return {
    csmsUrl,
    identity: "CS-TEST-1",
    vendorName: "chargewasm",
    model: "test-2x",
    serialNumber: "SN-1",
    firmwareVersion: "0.1.0",
    evses: [{ connectors: ["cType2"] }, { connectors: ["cType2", "cCCS2"] }],
    ...over,
  };
}

export interface Rig {
  clock: VirtualClock;
  csms: DevCsms;
  url: string;
  station: Station;
  /** Starts (or restarts, on the same store) the station. */
  start(over?: Partial<StationConfig>, opts?: Partial<StationOptions>): Promise<Station>;
  /** Starts the CSMS of a rig made with listen false. */
  listen(): Promise<void>;
  /** The controller loses power and starts again (PowerUp) on the same store and board; with settle false it is left
   *  booting (a cut during the reboot follows). */
  powerCut(settle?: boolean): Promise<void>;
  /** Node host: the power fails during the n-th store write from now, which lands wholly or not at all. */
  cutAtWrite(n: number, lands: boolean): void;
  /** Node host: a cut armed by cutAtWrite has happened (the station is dead until powerCut). */
  readonly cut: boolean;
  /** Frames the station sent, parsed, with their virtual times. */
  out(): { t: number; m: any[] }[];
  calls(action: string): { t: number; m: any[] }[];
  close(): Promise<void>;
}

/** A CSMS and (after start()) a station sharing one virtual clock; skewMs puts the CSMS's clock ahead.
 *  With listen false the CSMS's port is chosen but nothing answers there until listen(). */
export async function rig(csmsOpts: CsmsOptions = {}, skewMs = 0, listen = true): Promise<Rig> {
  const clock = new VirtualClock();
  const csms = new DevCsms({ now: () => clock.utc() + skewMs, ...csmsOpts });
  const port = listen ? 0 : await freePort();
  const url = listen ? await csms.listen() : `ws://127.0.0.1:${port}/ocpp`;
  let booting: Station | undefined;   // a station whose boot may be cut by the store
  const store = new CutStore(() => (booting ?? r.station).kill());
  const nativeDir = NATIVE ? mkdtempSync(join(tmpdir(), `cw-${HOST}-rig-`)) : "";
  const stations: Station[] = [];
  const r: Rig = {
    clock, csms, url, station: undefined as unknown as Station,
    async start(over = {}, opts = {}) {
      r.station?.stop();
      const s = HOST !== "node"
        ? await RemoteStation.start(stationConfig(url, over), clock, csms, nativeDir, (opts as Partial<StationOptions>).settleMs, HOST) as unknown as Station
        : await Station.start({ config: stationConfig(url, over), clock, seed: 42, store, record: true, scenario: CORPUS !== undefined, ...opts });
      stations.push(s);
      r.station = s;
      await s.settle();
      return s;
    },
    async listen() { await csms.listen(port); },
    async powerCut(settle = true) {
      if (NATIVE) { await (r.station as unknown as RemoteStation).powerCut(settle); return; }
      const old = r.station;
      old.kill();
      store.cut = false;
      const s = booting = await Station.create({ config: old.opts.config, clock, seed: 43 + stations.length, store, record: true, board: old.board });
      s.boot();
      booting = undefined;
      stations.push(s);
      r.station = s;
      if (settle) await s.settle();
    },
    cutAtWrite(n, lands) {
      if (NATIVE) throw new Error("cutAtWrite: the Node host only (a native station is cut by SIGKILL)");
      store.arm(n, lands);
    },
    get cut() { return store.cut; },
    out() { return r.station.frames.filter((f) => f.dir === "out").map((f) => ({ t: f.t, m: JSON.parse(f.text) })); },
    calls(action) { return r.out().filter((x) => x.m[0] === 2 && x.m[2] === action); },
    async close() {
      for (const s of stations) s.stop();
      if (CORPUS && stations[0]?.scenario) saveScenario(stations[0].scenario.lines);
      await csms.close();
      const bad = stations.flatMap(frameViolations);
      if (bad.length) throw new Error("station sent frames that violate the OCPP 2.0.1 schemas:\n" + bad.join("\n"));
      if (csms.violations.length) throw new Error("ocpp-rpc strict mode failures:\n" + JSON.stringify(csms.violations, null, 1));
    },
  };
  return r;
}

/** The Node host's store, which can lose power in the middle of a write: the write lands wholly or not at all (as
 *  FileStore's and kvstore.c's do), the station dies, and the HAL call that wrote never returns to the engine. */
class CutStore implements Store {
  private inner = new MemoryStore();
  private armed = 0;
  private lands = false;
  cut = false;
  constructor(private kill: () => void) {}
  arm(n: number, lands: boolean): void { this.armed = n; this.lands = lands; }
  read(key: string) { return this.inner.read(key); }
  write(key: string, value: Uint8Array): boolean {
    if (this.armed > 0 && --this.armed === 0) {
      if (this.lands) this.inner.write(key, value);
      this.cut = true;
      this.kill();
      throw new Error("power cut during a store write");
    }
    return this.inner.write(key, value);
  }
}

/** CW_CORPUS=DIR: each rig's first station's inputs are saved there as a replay scenario (make fuzz-corpus). */
const CORPUS = process.env.CW_CORPUS;
const FUZZ_MAX_LEN = 32768;   // make fuzz's -max_len
function saveScenario(lines: string[]): void {
  const text = lines.join("\n") + "\n";
  if (lines.length < 4 || text.length > FUZZ_MAX_LEN) return;   // a flood's is no seed
  mkdirSync(CORPUS!, { recursive: true });
  writeFileSync(join(CORPUS!, createHash("sha1").update(text).digest("hex").slice(0, 16) + ".scenario"), text);
}

/** GetVariables/SetVariables item helpers. */
export const cv = (component: string, variable: string, extra: Record<string, unknown> = {}) =>
  ({ component: { name: component }, variable: { name: variable }, ...extra });

/** A loopback port that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((res) => srv.close(res));
  return port;
}
