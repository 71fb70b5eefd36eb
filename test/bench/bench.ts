// `make bench`: sizes and throughput of the engine. Prints figures; asserts nothing.
import { readFileSync, statSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
async function bootedEngine(defaults: object[] = []) {
  const clock = new VirtualClock();
  const sent: string[] = [];
  const e = await Engine.create({
    clock, random: seededRandom(1), store: new MemoryStore(), log: () => {},
    connect: () => {}, send: (t) => { sent.push(t); return 0; },
    pilotSet: () => {}, contactorSet: () => {}, lockSet: () => {}, meterRead: () => [], reboot: () => {}, display: () => {},
  }, engineModule());
  e.init({ ...defaultStation("ws://bench/ocpp"), defaults });
  e.onConnection(true);
  const answered = new Set<string>();
  /** Answers the station's last CALL, if it is still open; false when there is none. */
  const answer = (payload: string): boolean => {
    const m = JSON.parse(sent[sent.length - 1]);
    if (m[0] !== 2 || answered.has(m[1])) return false;
    answered.add(m[1]);
    e.onFrame(`[3,"${m[1]}",${payload}]`);
    return true;
  };
  answer(`{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}`);
  answer("{}");  // StatusNotification
  answer("{}");  // SecurityEventNotification
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

/** GetCompositeSchedule over a day with 3 purposes x 5 stack levels x 24 periods installed. */
async function composite(): Promise<void> {
  const { e, sent, answer } = await bootedEngine([{ component: "AuthCtrlr", variable: "Enabled", value: "false" }]);
  e.onBoardEvent(1, 1, 1 | (1 << 8));        // pilot B: plugged in
  answer("{}");                               // StatusNotification Occupied
  e.onToken(1, "BENCH", "ISO14443");          // authorized: the transaction starts
  const started = JSON.parse(sent.at(-1)!);
  answer("{}");
  const txId = started[3].transactionInfo.transactionId;
  const t0 = Date.UTC(2026, 0, 1);
  let id = 1;
  for (const [purpose, evse] of [["ChargingStationMaxProfile", 0], ["TxDefaultProfile", 1], ["TxProfile", 1]] as const) {
    for (let level = 0; level < 5; level++) {
      const periods = Array.from({ length: 24 }, (_, k) => ({ startPeriod: k * 3600 + level * 60, limit: 6 + ((k * 7 + level * 3) % 26) }));
      periods[0].startPeriod = 0;
      const profile = { id: id++, stackLevel: level, chargingProfilePurpose: purpose, chargingProfileKind: "Absolute",
        ...(purpose === "TxProfile" ? { transactionId: txId } : {}),
        chargingSchedule: [{ id: 1, chargingRateUnit: "A", startSchedule: new Date(t0).toISOString(), duration: 86400 - level * 600, chargingSchedulePeriod: periods }] };
      const tag = `p${id}`;
      e.onFrame(JSON.stringify([2, tag, "SetChargingProfile", { evseId: evse, chargingProfile: profile }]));
      const result = sent.find((f) => f.startsWith(`[3,"${tag}"`));
      if (!result?.includes('"Accepted"')) throw new Error("profile refused: " + result);
      while (answer("{}"));   // the ChargingRateChanged events it caused
    }
  }
  const req = JSON.stringify([2, "cs", "GetCompositeSchedule", { evseId: 1, duration: 86400, chargingRateUnit: "A" }]);
  const n = 2000;
  const perSecond = rate(n, () => e.onFrame(req));
  const periods = JSON.parse(sent.filter((f) => f.startsWith('[3,"cs"')).at(-1)!)[2].schedule.chargingSchedulePeriod.length;
  row("GetCompositeSchedule, 24 h, 3 purposes x 5 levels x 24 periods", `${(1e6 / perSecond).toFixed(0)} us per request (${periods} periods in the answer)`);
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

/** Native (wasm2c, -O2, x86-64): engine text size and instructions per message under callgrind (repeatable counts). */
function native(): void {
  const bin = "build/chargewasm-replay";
  const text = execFileSync("size", ["build/native/engine.o"], { encoding: "utf8" }).split("\n")[1].trim().split(/\s+/)[0];
  row("native engine text (wasm2c, gcc -O2, x86-64)", `${text} B`);
  let valgrind = true;
  try { execFileSync("valgrind", ["--version"]); } catch { valgrind = false; }
  if (!valgrind) { row("instructions per message", "valgrind not installed; skipped"); return; }
  const dir = mkdtempSync(join(tmpdir(), "cw-bench-"));
  const config = JSON.stringify({ ...defaultStation("ws://bench/ocpp", "CW-BENCH"), defaults: [
    { component: "AuthCtrlr", variable: "Enabled", value: "false" },
    { component: "SampledDataCtrlr", variable: "TxUpdatedInterval", value: "0" },
    { component: "AlignedDataCtrlr", variable: "Interval", value: "0" },
    { component: "AlignedDataCtrlr", variable: "Measurands", value: "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC,Current.Offered" },
  ] });
  const base = [`config ${config}`, "init", "connected", 'reply {"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}', "reply {}", "reply {}",
    "meter 1 1000 11040 16 16 16 230 230 230 55 16", "pilot 1 B", "reply {}", "token 1 BENCH 2", "reply {}", "pilot 1 C", "reply {}", "at 1000"];
  const count = (extra: string[]) => {
    const f = join(dir, "s.scenario");
    writeFileSync(f, [...base, ...extra].join("\n") + "\n");
    const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", bin, f], { encoding: "utf8" });
    const m = /Collected : (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error("callgrind run failed: " + r.stderr.split("\n").filter((l) => !l.startsWith("==")).join("\n"));
    return Number(m[1]);
  };
  const n = 200;
  const empty = count([]);
  const per = (name: string, lines: (i: number) => string[]) => {
    const total = count(Array.from({ length: n }, (_, i) => lines(i)).flat());
    row(`instructions per ${name}`, `${Math.round((total - empty) / n)}`);
  };
  const setVar = JSON.stringify({ setVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" }, attributeValue: "300" }] });
  per("SetVariables CALL -> CALLRESULT", (i) => [`frame [2,"s${i}","SetVariables",${setVar}]`]);
  per("Heartbeat (tick, CALL out, CALLRESULT in)", (i) => [`at ${1000 + (i + 1) * 300_000}`, 'reply {"currentTime":"2026-01-01T00:00:00Z"}']);
  per("Authorize round trip (token in, CALL out, CALLRESULT in)", (i) => [`token 1 OTHER${i} 2`, 'reply {"idTokenInfo":{"status":"Accepted"}}']);
  per("TransactionEvent Updated with 10 sampled values (trigger in, CALL out, result in)", (i) => [`frame [2,"t${i}","TriggerMessage",{"requestedMessage":"TransactionEvent","evse":{"id":1}}]`, "reply {}"]);
  const profiles: string[] = [];
  let id = 1;
  for (const [purpose, evse] of [["ChargingStationMaxProfile", 0], ["TxDefaultProfile", 1], ["TxProfile", 1]] as const) {
    for (let level = 0; level < 5; level++) {
      const periods = Array.from({ length: 24 }, (_, k) => ({ startPeriod: k ? k * 3600 + level * 60 : 0, limit: 6 + ((k * 7 + level * 3) % 26) }));
      const p = { id: id++, stackLevel: level, chargingProfilePurpose: purpose, chargingProfileKind: "Absolute", ...(purpose === "TxProfile" ? { transactionId: "$TX" } : {}),
        chargingSchedule: [{ id: 1, chargingRateUnit: "A", startSchedule: "2026-01-01T00:00:00Z", duration: 86400 - level * 600, chargingSchedulePeriod: periods }] };
      profiles.push(`frame [2,"p${id}","SetChargingProfile",${JSON.stringify({ evseId: evse, chargingProfile: p })}]`);
    }
  }
  const withProfiles = count(profiles);
  const asks = count([...profiles, ...Array.from({ length: 20 }, (_, i) => `frame [2,"c${i}","GetCompositeSchedule",{"evseId":1,"duration":86400,"chargingRateUnit":"A"}]`)]);
  row("instructions per GetCompositeSchedule (24 h, 3 x 5 x 24)", `${Math.round((asks - withProfiles) / 20)}`);
  rmSync(dir, { recursive: true, force: true });
}

sizes();
await throughput();
await composite();
await day();
native();
