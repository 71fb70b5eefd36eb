// `make bench`: sizes and throughput of the engine. Prints figures; asserts nothing.
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { Engine, engineModule } from "../../host/engine.ts";
import { VirtualClock, seededRandom } from "../../host/clock.ts";
import { MemoryStore } from "../../host/storage.ts";
import { defaultStation, DEV_TOKENS } from "../../host/config.ts";
import { Station } from "../../host/station.ts";
import { DevCsms } from "../../host/csms/server.ts";

const row = (k: string, v: string) => console.log(`${k.padEnd(52)} ${v}`);

function sizes(): void {
  for (const f of ["build/engine.wasm", "build/engine.mcu.wasm"]) {
    const b = readFileSync(f);
    row(`${f} size`, `${statSync(f).size} B (gzip ${gzipSync(b, { level: 9 }).length} B)`);
  }
}

/** An engine behind a scripted host: no sockets, the CSMS's answers are written by hand. */
async function bootedEngine() {
  const clock = new VirtualClock();
  const sent: string[] = [];
  const e = await Engine.create({
    clock, random: seededRandom(1), store: new MemoryStore(), log: () => {},
    connect: () => {}, send: (t) => { sent.push(t); return true; },
    pilotSet: () => {}, contactorSet: () => {}, lockSet: () => {}, meterRead: () => [], reboot: () => {},
  }, engineModule());
  e.init(defaultStation("ws://bench/ocpp"));
  e.onConnection(true);
  const answer = (payload: string) => {
    const m = JSON.parse(sent[sent.length - 1]);
    e.onFrame(`[3,"${m[1]}",${payload}]`);
  };
  answer(`{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}`);
  answer("{}");  // StatusNotification
  return { e, clock, sent, answer };
}

function rate(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(1000, n); i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0);
  return n / (ns / 1e9);
}

async function throughput(): Promise<void> {
  const { e, clock, sent, answer } = await bootedEngine();
  const mem0 = e.memoryBytes;
  const set = JSON.stringify([2, "bench-set", "SetVariables", { setVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" }, attributeValue: "300" }] }]);
  const n = 100_000;
  let before = sent.length;
  const setRate = rate(n, () => e.onFrame(set));
  if (!sent[sent.length - 1].startsWith('[3,"bench-set",{"setVariableResult":[{"attributeStatus":"Accepted"')) throw new Error("unexpected SetVariables answer: " + sent[sent.length - 1]);
  row("SetVariables CALL -> CALLRESULT (decode+handle+encode)", `${Math.round(setRate)} frames/s`);
  before = sent.length;
  const hbRate = rate(n, () => {
    clock.set(clock.now() + 300_000);
    e.tick();
    answer(`{"currentTime":"2026-01-01T00:00:00Z"}`);
  });
  if (sent.length - before < n) throw new Error("heartbeats were not sent");
  row("Heartbeat CALL out + CALLRESULT in (encode+decode+handle)", `${Math.round(hbRate)} round trips/s`);
  row("engine linear memory after 2 x 100k messages", `${e.memoryBytes / 1024} KiB (at boot ${mem0 / 1024} KiB)`);
}

/** A 24 h day on the virtual clock: two EVSEs, three 2-hour sessions each, against the dev CSMS over loopback. */
async function day(): Promise<void> {
  const clock = new VirtualClock();
  const csms = new DevCsms({ now: () => clock.utc(), tokens: DEV_TOKENS });
  const url = await csms.listen();
  const config = { ...defaultStation(url, "CW-BENCH-DAY"), evses: [{ connectors: ["cType2"] }, { connectors: ["cType2"] }],
    defaults: [{ component: "SampledDataCtrlr", variable: "TxUpdatedInterval", value: "60" }] };
  const s = await Station.start({ config, clock, seed: 1 });
  let frames = 0;
  s.on("frame", () => { frames++; });
  const t0 = performance.now();
  await s.settle();
  for (let session = 0; session < 3; session++) {
    for (const evse of [1, 2]) { s.plug(evse, { maxCurrentA: 16 }); s.tap(evse, "ACCEPT1"); }
    await s.settle();
    await s.advance(2 * 3600_000);
    for (const evse of [1, 2]) s.unplug(evse);
    await s.settle();
    await s.advance(6 * 3600_000);
  }
  const wall = (performance.now() - t0) / 1000;
  s.stop();
  await csms.close();
  row("24 h, 2 EVSEs, 6 sessions on the virtual clock", `${Math.round(86400 / wall)} simulated s per wall s (${frames} frames in ${wall.toFixed(2)} s)`);
}

sizes();
await throughput();
await day();
