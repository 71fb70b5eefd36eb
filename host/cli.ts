// chargewasm command line: `sim` (a station against the built-in or a given CSMS), `csms` (the dev CSMS alone)
// and `ctl` (drives a running simulator's board). Every mistake a user can make ends in one line that names the
// flag or file and says what to do, and nothing is started before the flags, the config and the runtime are checked.
import { parseArgs } from "node:util";
import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Server } from "node:http";
import { DevCsms } from "./csms/server.ts";
import { Station, StationConfig, maskSecrets } from "./station.ts";
import { FileStore } from "./storage.ts";
import { defaultStation, DEV_TOKENS } from "./config.ts";
import { checkedConfig } from "./validate-config.ts";
import { startControl } from "./board/control.ts";
import { EmsBridge } from "./ems/mqtt.ts";
import { LinkedBoard } from "./board/link.ts";
import type { Board } from "./board/board.ts";
import { ENGINE_WASM } from "./engine.ts";
import { Mcu, qemu } from "./qemu.ts";

type Runtime = "posix" | Mcu;
const bin = (f: string) => fileURLToPath(new URL(`../build/${f}`, import.meta.url));
/** What each native runtime runs: the posix station, or the station firmware of an MCU (under QEMU). */
const NATIVE_BINS: Record<Runtime, string> = {
  posix: bin("chargewasm-station"), stm32: bin("chargewasm-station-stm32.elf"), rv32: bin("chargewasm-station-rv32.elf"),
};

const USAGE = `usage:
  chargewasm sim  [--csms ws://host:port/path] [--id IDENTITY] [--password PW] [--config station.json] [--state DIR]
                  [--port N] [--heartbeat SECONDS] [--control-port N] [--mqtt mqtt://host:port] [--runtime node|posix|stm32|rv32]
  chargewasm csms [--port N] [--heartbeat SECONDS]
  chargewasm ctl  [--control-port N] status
                  | plug EVSE [--max-current A] [--phases N] [--soc PCT] [--capacity WH] [--connector N] [--wants-charge true|false]
                  | unplug EVSE | tap EVSE IDTOKEN [--type ISO14443] | fault EVSE E|F|welded|clear
                  | ev EVSE [--wants-charge true|false] [--max-current A] | bay EVSE on|off
  chargewasm --version

  sim connects to --csms if given, else to the csmsUrl of --config if it has one, else to the dev CSMS it starts
  on 127.0.0.1:PORT (default 9220). Flags win over the config file: --id, --password and --csms replace its
  identity, password and csmsUrl. The board is driven through the control API on 127.0.0.1:9221
  (docs/CONTROL-API.md), e.g. by ctl.`;

const VERBS = ["status", "plug", "unplug", "tap", "fault", "ev", "bay"];

/** A mistake of the user's: printed as one line (no stack trace), exit code 2. */
class UsageError extends Error {}
const fail = (msg: string): never => { throw new UsageError(msg); };

function stamp(): string { return new Date().toISOString().slice(11, 23); }

function port(o: Record<string, unknown>, flag: string, dflt: number): number {
  const v = o[flag];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(String(v)) || n < 1 || n > 65535) fail(`--${flag} must be a TCP port number from 1 to 65535, not "${v}"`);
  return n;
}

function number(o: Record<string, unknown>, flag: string, what: string, ok: (n: number) => boolean): number | undefined {
  const v = o[flag];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (String(v).trim() === "" || !Number.isFinite(n) || !ok(n)) fail(`--${flag} must be ${what}, not "${v}"`);
  return n;
}

function bool(o: Record<string, unknown>, flag: string): boolean | undefined {
  const v = o[flag];
  if (v === undefined) return undefined;
  if (v !== "true" && v !== "false") fail(`--${flag} takes true or false, not "${v}"`);
  return v === "true";
}

/** Binds a server, turning "port in use" into the flag to change. */
async function bound<T>(what: string, flag: string, p: number, start: () => Promise<T>): Promise<T> {
  try { return await start(); } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "EADDRINUSE") fail(`${what}: port ${p} is already in use (another make sim?); stop it or pass --${flag} N`);
    if (code === "EACCES") fail(`${what}: not allowed to listen on port ${p}; pass --${flag} N`);
    throw e;
  }
}

async function startCsms(p: number, heartbeatInterval: number): Promise<{ csms: DevCsms; url: string }> {
  const csms = new DevCsms({ tokens: DEV_TOKENS, heartbeatInterval });
  const url = await bound("dev CSMS", "port", p, () => csms.listen(p));
  csms.on("connect", (id) => console.log(`${stamp()} csms: ${id} connected`));
  csms.on("disconnect", (id) => console.log(`${stamp()} csms: ${id} disconnected`));
  return { csms, url };
}

async function ctl(args: string[], controlPort: number, o: Record<string, string | boolean | undefined>): Promise<void> {
  const [verb, evse, arg, ...extra] = args;
  if (verb === undefined) fail(`ctl: say what to do: ${VERBS.join(", ")}`);
  if (!VERBS.includes(verb)) fail(`ctl: unknown action "${verb}"; one of ${VERBS.join(", ")}`);
  if (verb !== "status" && !/^\d+$/.test(evse ?? "")) fail(`ctl ${verb}: give the EVSE number, e.g. ctl ${verb} 1`);
  const wantsArg = verb === "tap" || verb === "fault" || verb === "bay";
  if (extra.length || (!wantsArg && arg !== undefined) || (verb === "status" && evse !== undefined)) fail(`ctl ${verb}: unexpected argument "${extra[0] ?? arg ?? evse}"`);
  const positive = (n: number) => n >= 0;
  let body: Record<string, unknown> = {};
  switch (verb) {
    case "plug":
      body = {
        maxCurrentA: number(o, "max-current", "a number of amperes", positive), phases: number(o, "phases", "1, 2 or 3", (n) => [1, 2, 3].includes(n)),
        socPct: number(o, "soc", "a percentage from 0 to 100", (n) => n >= 0 && n <= 100), capacityWh: number(o, "capacity", "a number of Wh", positive),
        connector: number(o, "connector", "a connector number from 1", (n) => Number.isInteger(n) && n >= 1), wantsCharge: bool(o, "wants-charge"),
      };
      break;
    case "tap":
      if (!arg) fail("ctl tap: give the idToken, e.g. ctl tap 1 ACCEPT1");
      body = { idToken: arg, type: o.type };
      break;
    case "fault":
      if (!["E", "F", "welded", "clear"].includes(arg ?? "")) fail(`ctl fault: give the fault: E, F, welded or clear${arg ? `, not "${arg}"` : ""}`);
      body = { state: arg === "clear" ? null : arg };
      break;
    case "ev":
      body = { wantsCharge: bool(o, "wants-charge"), maxCurrentA: number(o, "max-current", "a number of amperes", positive) };
      break;
    case "bay":
      if (arg !== "on" && arg !== "off") fail(`ctl bay: give on or off${arg ? `, not "${arg}"` : ""}`);
      body = { occupied: arg === "on" };
      break;
  }
  const base = `http://127.0.0.1:${controlPort}`;
  body = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  let res: Response;
  try {
    res = await fetch(verb === "status" ? `${base}/status` : `${base}/evse/${evse}/${verb}`,
      verb === "status" ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  } catch {
    console.error(`ctl: no simulator answers on ${base} (start one with make sim, or pass --control-port N)`);
    process.exit(1);
  }
  const out = await res.json();
  if (!res.ok) { console.error(`ctl: ${out.error}`); process.exit(1); }
  console.log(JSON.stringify(out, null, 2));
}

/** The station config: --config (flags win over it) or the simulator's default; checked by the engine itself. */
async function stationConfig(o: Record<string, string | boolean | undefined>): Promise<{ config: Partial<StationConfig>; csmsGiven: boolean }> {
  let config: Partial<StationConfig> = defaultStation("");
  delete config.csmsUrl;
  if (typeof o.config === "string") {
    let text: string;
    try { text = readFileSync(o.config, "utf8"); } catch (e) { fail(`--config ${o.config}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
    try { config = JSON.parse(text!); } catch (e) { fail(`--config ${o.config}: not valid JSON (${(e as Error).message})`); }
    if (typeof config !== "object" || config === null || Array.isArray(config)) fail(`--config ${o.config}: must hold a JSON object (schemas/station-config.schema.json)`);
  }
  if (typeof o.id === "string") { config.identity = o.id; if (!o.config) config.serialNumber = o.id; }
  if (typeof o.password === "string") config.password = o.password;
  if (typeof o.csms === "string") config.csmsUrl = o.csms;
  return { config, csmsGiven: typeof config.csmsUrl === "string" };
}

async function check(config: Partial<StationConfig>, source: string): Promise<StationConfig> {
  try { return await checkedConfig(config); } catch (e) { return fail(`${source}: ${(e as Error).message}`); }
}

/** The simulated meters keep their energy registers in the state directory: they outlive the station's process. */
function keepRegisters(board: Board, stateDir: string, identity: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  try { board.keepRegisters(join(stateDir, `${identity}.meters.json`)); } catch (e) { fail((e as Error).message); }
}

/** A native station with its board served over the board link: the posix station (build/chargewasm-station), or
 *  the station firmware of an MCU under QEMU, whose meters and network bridge are served here too. */
async function simNative(config: StationConfig, stateDir: string, controlPort: number, runtime: Runtime): Promise<void> {
  const board = new LinkedBoard(config);
  keepRegisters(board.board, stateDir, config.identity);
  const control = await bound("control API", "control-port", controlPort, () => startControl(board, controlPort));
  const port = await board.listen();
  const cfgPath = join(stateDir, `${config.identity}.station.json`);
  writeFileSync(cfgPath, JSON.stringify(config), { mode: 0o600 });
  const [cmd, args] = runtime === "posix"
    ? [NATIVE_BINS.posix, [cfgPath, `flash:${join(stateDir, `${config.identity}-posix.flash`)}`, "--board", `tcp:127.0.0.1:${port}`]]
    : qemu(runtime, NATIVE_BINS[runtime], ["station", cfgPath, join(stateDir, `${config.identity}-${runtime}.flash`)], {
      own: true, serial: [port, await board.meters.listen(), await board.rfid.listen()].map((p) => `tcp:127.0.0.1:${p},nodelay=on`),
    });
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`${stamp()} ${line}`));
  }
  child.on("exit", (code) => { console.log(`${stamp()} ${runtime} station exited (${code})`); process.exit(code ?? 1); });
  board.on("link", (up) => console.log(`${stamp()} board link ${up ? "up" : "down"}`));
  board.on("warning", (msg) => console.log(`${stamp()} ${msg}`));
  // The MCU firmware traces no frames itself; its bridge sees them all.
  board.on("frame", (f: { dir: string; text: string }) => console.log(`${stamp()} ${f.dir === "out" ? "station -> csms" : "csms -> station"} ${maskSecrets(f.text)}`));
  console.log(`control API on ${control.url} (try: host/chargewasm ctl plug 1)`);
  const stop = () => { child.kill("SIGTERM"); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h" || rest.includes("--help")) { console.log(USAGE); return; }
  if (cmd === "--version" || cmd === "version") {
    console.log(`chargewasm ${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}`);
    return;
  }
  if (!["sim", "csms", "ctl"].includes(cmd)) fail(`unknown command "${cmd}"; one of sim, csms, ctl (chargewasm help shows them all)`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: cmd === "ctl",
      options: {
        csms: { type: "string" }, id: { type: "string" }, password: { type: "string" },
        config: { type: "string" }, state: { type: "string" }, port: { type: "string" }, heartbeat: { type: "string" },
        "control-port": { type: "string" }, "max-current": { type: "string" }, phases: { type: "string" }, soc: { type: "string" },
        capacity: { type: "string" }, connector: { type: "string" }, type: { type: "string" }, "wants-charge": { type: "string" },
        mqtt: { type: "string" }, runtime: { type: "string" },
      },
    });
  } catch (e) {
    return fail(`${cmd}: ${(e as Error).message.split("\n")[0].replace(/\.$/, "")}; chargewasm help lists the options`);
  }
  const o = parsed.values as Record<string, string | undefined>;
  const controlPort = port(o, "control-port", 9221);
  if (cmd === "ctl") return ctl(parsed.positionals, controlPort, o);
  const csmsPort = port(o, "port", 9220);
  const heartbeat = number(o, "heartbeat", "a whole number of seconds above 0", (n) => Number.isInteger(n) && n > 0) ?? 300;
  if (!existsSync(ENGINE_WASM)) fail("build/engine.wasm is missing: run make first (make sim builds it)");
  if (cmd === "csms") {
    const { url } = await startCsms(csmsPort, heartbeat);
    console.log(`dev CSMS listening on ${url}/<stationId> (subprotocol ocpp2.0.1, strict schema validation)`);
    return;
  }

  // sim: everything is checked before anything starts.
  const runtime = o.runtime ?? "node";
  if (runtime !== "node" && !(runtime in NATIVE_BINS)) fail(`--runtime must be node, posix, stm32 or rv32, not "${runtime}"`);
  if (runtime !== "node" && !existsSync(NATIVE_BINS[runtime as Runtime])) {
    fail(`--runtime ${runtime}: ${NATIVE_BINS[runtime as Runtime]} is missing; run make sim RUNTIME=${runtime} (or make native)`);
  }
  if (o.mqtt !== undefined && !/^mqtts?:\/\/[^/]+/.test(o.mqtt)) fail(`--mqtt must be a broker URL such as mqtt://127.0.0.1:1883, not "${o.mqtt}"`);
  const { config: partial, csmsGiven } = await stationConfig(o);
  const source = typeof o.config === "string" ? `--config ${o.config}` : "station config";
  const stateDir = o.state ?? ".state";
  await check({ ...partial, csmsUrl: partial.csmsUrl ?? `ws://127.0.0.1:${csmsPort}/ocpp` }, source);
  let store: FileStore | undefined;
  if (runtime === "node") {
    try { store = new FileStore(join(stateDir, `${partial.identity}.store`), join(stateDir, `${partial.identity}.json`)); } catch (e) { fail((e as Error).message); }
  }

  if (!csmsGiven) {
    const { url } = await startCsms(csmsPort, heartbeat);
    partial.csmsUrl = url;
    console.log(`dev CSMS listening on ${url}`);
  } else if (o.port !== undefined || o.heartbeat !== undefined) {
    console.log(`${stamp()} note: --port and --heartbeat configure the dev CSMS, which is not started (the station connects to ${partial.csmsUrl})`);
  }
  const config = partial as StationConfig;
  if (runtime !== "node") return simNative(config, stateDir, controlPort, runtime as Runtime);

  const station = await Station.create({ config, store });
  keepRegisters(station.board, stateDir, config.identity);
  const control = await bound("control API", "control-port", controlPort, () => startControl(station, controlPort));
  station.on("dial", (u) => console.log(`${stamp()} station ${config.identity}: connecting to ${u}`));
  station.on("connected", () => console.log(`${stamp()} station ${config.identity}: connected`));
  station.on("frame", (f) => console.log(`${stamp()} ${f.dir === "out" ? "station -> csms" : "csms -> station"} ${f.text}`));
  station.on("log", (l) => { if (l.level !== "debug") console.log(`${stamp()} [${l.level}] ${l.msg}`); });
  station.on("fatal", (why) => { console.error(`${stamp()} station ${config.identity}: ${why}`); process.exit(3); });
  station.boot();
  if (o.mqtt) {
    new EmsBridge(station, { url: o.mqtt });
    console.log(`EMS bridge: publishing chargewasm/${config.identity}/evse/<n>/state, taking limits on chargewasm/${config.identity}/limit and .../evse/<n>/limit`);
  }
  console.log(`control API on ${control.url} (try: host/chargewasm ctl plug 1)`);
  const stop = () => { station.stop(); (control.server as Server).close(); setTimeout(() => process.exit(0), 200); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((e) => {
  if (e instanceof UsageError) { console.error(`chargewasm: ${e.message}`); process.exit(2); }
  console.error(`chargewasm: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
