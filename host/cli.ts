#!/usr/bin/env -S npx tsx
// chargewasm command line: `sim` (a station against the built-in or a given CSMS) and `csms` (the dev CSMS alone).
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DevCsms } from "./csms/server.ts";
import { Station, StationConfig } from "./station.ts";
import { FileStore } from "./storage.ts";
import { defaultStation, DEV_TOKENS } from "./config.ts";
import { checkedConfig } from "./validate-config.ts";

const USAGE = `usage:
  chargewasm sim  [--csms ws://host:port/path] [--id IDENTITY] [--password PW] [--config station.json] [--state DIR]
                  [--port N] [--heartbeat SECONDS]
  chargewasm csms [--port N] [--heartbeat SECONDS]

  sim without --csms starts the dev CSMS on 127.0.0.1:PORT (default 9220) and connects one station to it.`;

function stamp(): string { return new Date().toISOString().slice(11, 23); }

async function startCsms(port: number, heartbeatInterval: number): Promise<{ csms: DevCsms; url: string }> {
  const csms = new DevCsms({ tokens: DEV_TOKENS, heartbeatInterval });
  const url = await csms.listen(port);
  csms.on("connect", (id) => console.log(`${stamp()} csms: ${id} connected`));
  csms.on("disconnect", (id) => console.log(`${stamp()} csms: ${id} disconnected`));
  return { csms, url };
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const { values: o } = parseArgs({
    args: rest,
    options: {
      csms: { type: "string" }, id: { type: "string" }, password: { type: "string" },
      config: { type: "string" }, state: { type: "string" }, port: { type: "string" }, heartbeat: { type: "string" },
    },
  });
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
  const station = await Station.create({ config, store: new FileStore(join(stateDir, `${config.identity}.json`)) });
  station.on("dial", (u) => console.log(`${stamp()} station ${config.identity}: connecting to ${u}`));
  station.on("connected", () => console.log(`${stamp()} station ${config.identity}: connected`));
  station.on("frame", (f) => console.log(`${stamp()} ${f.dir === "out" ? "station -> csms" : "csms -> station"} ${f.text}`));
  station.on("log", (l) => { if (l.level !== "debug") console.log(`${stamp()} [${l.level}] ${l.msg}`); });
  station.boot();
  const stop = () => { station.stop(); process.exit(0); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
