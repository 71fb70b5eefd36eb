// chargewasm command line: `sim` (a station against the built-in or a given CSMS) and `csms` (the dev CSMS alone).
import { parseArgs } from "node:util";
import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { DevCsms } from "./csms/server.ts";
import { Station, StationConfig } from "./station.ts";
import { FileStore } from "./storage.ts";
import { defaultStation, DEV_TOKENS } from "./config.ts";
import { checkedConfig } from "./validate-config.ts";
import { startControl } from "./board/control.ts";
import { EmsBridge } from "./ems/mqtt.ts";
import { LinkedBoard } from "./board/link.ts";

const USAGE = `usage:
  chargewasm sim  [--csms ws://host:port/path] [--id IDENTITY] [--password PW] [--config station.json] [--state DIR]
                  [--port N] [--heartbeat SECONDS] [--control-port N] [--mqtt mqtt://host:port] [--runtime node|posix]
  chargewasm csms [--port N] [--heartbeat SECONDS]
  chargewasm ctl  [--control-port N] status
                  | plug EVSE [--max-current A] [--phases N] [--soc PCT] [--capacity WH] [--connector N]
                  | unplug EVSE | tap EVSE IDTOKEN [--type ISO14443] | fault EVSE E|F|clear
                  | ev EVSE [--wants-charge true|false] [--max-current A] | bay EVSE on|off

  sim without --csms starts the dev CSMS on 127.0.0.1:PORT (default 9220) and connects one station to it;
  its board is driven through the control API on 127.0.0.1:9221 (docs/CONTROL-API.md), e.g. by ctl.`;

function stamp(): string { return new Date().toISOString().slice(11, 23); }

async function startCsms(port: number, heartbeatInterval: number): Promise<{ csms: DevCsms; url: string }> {
  const csms = new DevCsms({ tokens: DEV_TOKENS, heartbeatInterval });
  const url = await csms.listen(port);
  csms.on("connect", (id) => console.log(`${stamp()} csms: ${id} connected`));
  csms.on("disconnect", (id) => console.log(`${stamp()} csms: ${id} disconnected`));
  return { csms, url };
}

async function ctl(args: string[], controlPort: number, o: Record<string, string | boolean | undefined>): Promise<void> {
  const [verb, evse, arg] = args;
  const base = `http://127.0.0.1:${controlPort}`;
  const num = (k: string) => (o[k] === undefined ? undefined : Number(o[k]));
  const bool = (k: string) => (o[k] === undefined ? undefined : o[k] === "true");
  let path = "", body: Record<string, unknown> = {};
  switch (verb) {
    case "status": break;
    case "plug":
      path = `/evse/${evse}/plug`;
      body = { maxCurrentA: num("max-current"), phases: num("phases"), socPct: num("soc"), capacityWh: num("capacity"), connector: num("connector") };
      break;
    case "unplug": path = `/evse/${evse}/unplug`; break;
    case "tap": path = `/evse/${evse}/tap`; body = { idToken: arg, type: o.type }; break;
    case "fault": path = `/evse/${evse}/fault`; body = { state: arg === "clear" ? null : arg }; break;
    case "ev": path = `/evse/${evse}/ev`; body = { wantsCharge: bool("wants-charge"), maxCurrentA: num("max-current") }; break;
    case "bay": path = `/evse/${evse}/bay`; body = { occupied: arg === "on" }; break;
    default: console.error(USAGE); process.exit(2);
  }
  if (verb !== "status" && !/^\d+$/.test(evse ?? "")) { console.error("ctl: give the EVSE number, e.g. ctl plug 1"); process.exit(2); }
  body = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  let res: Response;
  try {
    res = await fetch(base + (verb === "status" ? "/status" : path), verb === "status" ? {} : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  } catch {
    console.error(`ctl: no simulator answers on ${base} (start one with make sim)`);
    process.exit(1);
  }
  const out = await res.json();
  if (!res.ok) { console.error(`ctl: ${out.error}`); process.exit(1); }
  console.log(JSON.stringify(out, null, 2));
}

/** The native station (build/chargewasm-station) with its board served over the board link. */
async function simPosix(config: StationConfig, stateDir: string, controlPort: number): Promise<void> {
  const bin = fileURLToPath(new URL("../build/chargewasm-station", import.meta.url));
  if (!existsSync(bin)) { console.error("build/chargewasm-station is missing: run make native"); process.exit(1); }
  const board = new LinkedBoard(config);
  const port = await board.listen();
  mkdirSync(stateDir, { recursive: true });
  const cfgPath = join(stateDir, `${config.identity}.station.json`);
  writeFileSync(cfgPath, JSON.stringify(config));
  const child = spawn(bin, [cfgPath, join(stateDir, `${config.identity}-store`), "--board", `tcp:127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`${stamp()} ${line}`));
  }
  child.on("exit", (code) => { console.log(`${stamp()} posix station exited (${code})`); process.exit(code ?? 1); });
  board.on("link", (up) => console.log(`${stamp()} board link ${up ? "up" : "down"}`));
  const control = await startControl(board, controlPort);
  console.log(`control API on ${control.url} (try: host/chargewasm ctl plug 1)`);
  const stop = () => { child.kill("SIGTERM"); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || rest.includes("--help")) { console.log(USAGE); return; }
  const { values: o, positionals } = parseArgs({
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
  const controlPort = Number(o["control-port"] ?? 9221);
  if (cmd === "ctl") return ctl(positionals, controlPort, o);
  const port = Number(o.port ?? 9220);
  const heartbeat = Number(o.heartbeat ?? 300);
  if (cmd === "csms") {
    const { url } = await startCsms(port, heartbeat);
    console.log(`dev CSMS listening on ${url}/<stationId> (subprotocol ocpp2.0.1, strict schema validation)`);
    return;
  }
  if (cmd !== "sim") { console.error(USAGE); process.exit(2); }
  let url = o.csms;
  if (!url) {
    url = (await startCsms(port, heartbeat)).url;
    console.log(`dev CSMS listening on ${url}`);
  }
  const config: StationConfig = o.config ? JSON.parse(readFileSync(o.config, "utf8")) : defaultStation(url, o.id, o.password);
  if (o.config && o.csms) config.csmsUrl = o.csms;
  checkedConfig(config);
  const stateDir = o.state ?? ".state";
  if (o.runtime === "posix") return simPosix(config, stateDir, controlPort);
  if (o.runtime !== undefined && o.runtime !== "node") { console.error(`unknown runtime ${o.runtime} (node or posix)`); process.exit(2); }
  const station = await Station.create({ config, store: new FileStore(join(stateDir, `${config.identity}.json`)) });
  station.on("dial", (u) => console.log(`${stamp()} station ${config.identity}: connecting to ${u}`));
  station.on("connected", () => console.log(`${stamp()} station ${config.identity}: connected`));
  station.on("frame", (f) => console.log(`${stamp()} ${f.dir === "out" ? "station -> csms" : "csms -> station"} ${f.text}`));
  station.on("log", (l) => { if (l.level !== "debug") console.log(`${stamp()} [${l.level}] ${l.msg}`); });
  station.boot();
  const control = await startControl(station, controlPort);
  if (o.mqtt) {
    new EmsBridge(station, { url: o.mqtt });
    console.log(`EMS bridge: publishing chargewasm/${config.identity}/evse/<n>/state, taking limits on chargewasm/${config.identity}/limit and .../evse/<n>/limit`);
  }
  console.log(`control API on ${control.url} (try: host/chargewasm ctl plug 1)`);
  const stop = () => { station.stop(); process.exit(0); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
