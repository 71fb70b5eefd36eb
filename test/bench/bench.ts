// `make bench`: the engine's sizes, instruction counts and throughput, each deterministic figure printed beside
// its budget (test/bench/budgets.json). A figure over its ceiling fails the run; `make bench-check` (part of
// make test) measures only the deterministic figures. Wall-clock figures are printed, never checked.
import { readFileSync, readdirSync, statSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import binaryen from "binaryen";
import { Engine, engineModule } from "../../host/engine.ts";
import { VirtualClock, seededRandom } from "../../host/clock.ts";
import { MemoryStore } from "../../host/storage.ts";
import { defaultStation, DEV_TOKENS } from "../../host/config.ts";
import { Station } from "../../host/station.ts";
import { DevCsms } from "../../host/csms/server.ts";
import { qemu } from "../../host/qemu.ts";

const row = (k: string, v: string) => console.log(`${k.padEnd(52)} ${v}`);
const CHECK_ONLY = process.argv.includes("--check");

/** Deterministic figures, by the names test/bench/budgets.json uses. */
const figures = new Map<string, number>();
const figure = (name: string, label: string, value: number, unit: string) => { figures.set(name, value); row(label, `${value} ${unit}`); };

/** Each figure beside its ceiling (today's, a regression fails), its target (the issue's) and MicroOcpp's. */
function checkBudgets(): boolean {
  const budgets: Record<string, { ceiling: number; target: number; microocpp?: string; what: string }> =
    JSON.parse(readFileSync(new URL("./budgets.json", import.meta.url), "utf8")).figures;
  let ok = true;
  console.log(`\n${"figure".padEnd(44)} ${"now".padStart(9)} ${"ceiling".padStart(9)} ${"target".padStart(9)}  MicroOcpp`);
  for (const [name, b] of Object.entries(budgets)) {
    const v = figures.get(name);
    if (v === undefined) { console.log(`${b.what.padEnd(44)} not measured`); ok = false; continue; }
    const over = v > b.ceiling;
    if (over) ok = false;
    const mark = over ? "  OVER CEILING" : v <= b.target ? "  target reached" : "";
    console.log(`${b.what.padEnd(44)} ${String(v).padStart(9)} ${String(b.ceiling).padStart(9)} ${String(b.target).padStart(9)}  ${b.microocpp ?? ""}${mark}`);
  }
  return ok;
}

function sizes(): void {
  for (const f of ["build/engine.wasm"]) {
    const b = readFileSync(f);
    row(`${f} size`, `${statSync(f).size} B (gzip ${gzipSync(b, { level: 9 }).length} B)`);
  }
}

/** An engine behind a scripted host: no sockets, the CSMS's answers are written by hand. */
async function bootedEngine(module: WebAssembly.Module, defaults: object[] = [], instrument: WebAssembly.Imports = {}, evses = 1) {
  const clock = new VirtualClock();
  const sent: string[] = [];
  const e: Engine = await Engine.create({
    clock, random: seededRandom(1), store: new MemoryStore(), log: () => {},
    connect: () => {}, send: (t) => { sent.push(t); return 0; },
    pilotSet: () => {}, contactorSet: () => {}, lockSet: () => {}, meterRead: () => [], reboot: () => {}, display: () => {},
  }, module, instrument);
  const station = defaultStation("ws://bench/ocpp");
  const evse = evses > 1 ? { ...station.evses[0], connectors: ["cType2", "cCCS2"] } : station.evses[0];
  e.init({ ...station, evses: Array.from({ length: evses }, () => evse), defaults });
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
  const { e, clock, sent, answer } = await bootedEngine(engineModule());
  const mem0 = e.memoryBytes;
  const set = JSON.stringify([2, "bench-set", "SetVariables", { setVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" }, attributeValue: "300" }] }]);
  const n = 100_000;
  let before = sent.length;
  const setRate = rate(n, () => e.onFrame(set));
  if (!sent[sent.length - 1].startsWith('[3,"bench-set",{"setVariableResult":[{"attributeStatus":"Accepted"')) throw new Error("unexpected SetVariables answer: " + sent[sent.length - 1]);
  row("SetVariables CALL -> CALLRESULT (decode+handle+encode, value persisted)", `${Math.round(setRate)} frames/s`);
  const get = JSON.stringify([2, "bench-get", "GetVariables", { getVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" } }] }]);
  const getRate = rate(n, () => e.onFrame(get));
  if (!sent[sent.length - 1].startsWith('[3,"bench-get",{"getVariableResult":[{"attributeStatus":"Accepted"')) throw new Error("unexpected GetVariables answer: " + sent[sent.length - 1]);
  row("GetVariables CALL -> CALLRESULT (small frame decoded, dispatched, answered)", `${Math.round(getRate)} frames/s (target >= 150000 per core)`);
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

/** GetCompositeSchedule over a day with every profile slot filled: 3 purposes, 3 + 3 + 2 stack levels, 24 periods each. */
async function composite(): Promise<void> {
  const { e, sent, answer } = await bootedEngine(engineModule(), [{ component: "AuthCtrlr", variable: "Enabled", value: "false" }]);
  e.onBoardEvent(1, 1, 1 | (1 << 8));        // pilot B: plugged in
  answer("{}");                               // StatusNotification Occupied
  e.onToken(1, "BENCH", "ISO14443");          // authorized: the transaction starts
  const started = JSON.parse(sent.at(-1)!);
  answer("{}");
  const txId = started[3].transactionInfo.transactionId;
  const t0 = Date.UTC(2026, 0, 1);
  let id = 1;
  for (const [purpose, evse, levels] of [["ChargingStationMaxProfile", 0, 3], ["TxDefaultProfile", 1, 3], ["TxProfile", 1, 2]] as const) {
    for (let level = 0; level < levels; level++) {
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
  row("GetCompositeSchedule, 24 h, 8 profiles (3 purposes) x 24 periods", `${(1e6 / perSecond).toFixed(0)} us per request (${periods} periods in the answer)`);
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
  const scenario = (extra: string[]) => {
    const f = join(dir, "s.scenario");
    writeFileSync(f, [...base, ...extra].join("\n") + "\n");
    return f;
  };
  const count = (extra: string[]) => {
    // Only the engine counts: collection toggles on when an export is entered and off again inside the HAL calls it
    // makes (Z_hostZ_*: the replay host's ws_send prints and scans each frame), so the scenario reader and the
    // board stand-in are left out.
    const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", "--toggle-collect=Z_engineZ_*", "--toggle-collect=Z_hostZ_*", bin, scenario(extra)], { encoding: "utf8" });
    const m = /Collected : (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error("callgrind run failed: " + r.stderr.split("\n").filter((l) => !l.startsWith("==")).join("\n"));
    return Number(m[1]);
  };
  // The same on the MCUs: the replay firmware under QEMU -icount (one instruction per virtual ns), counting only while
  // engine code runs (CW_PROFILE in the binding), from rv32's retired-instruction counter or the M4's SysTick.
  const mcus = [{ key: "m4", name: "Cortex-M4", mcu: "stm32", elf: "build/stm32f405/replay-profile.elf" },
    { key: "rv32", name: "rv32imc", mcu: "rv32", elf: "build/rv32/replay-profile.elf" }] as const;
  const countOn = (mcu: (typeof mcus)[number], extra: string[]) => {
    const r = spawnSync(...qemu(mcu.mcu, mcu.elf, [scenario(extra)], { icount: true }), { encoding: "utf8", timeout: 120_000 });
    const m = /^engine instructions (\d+)$/m.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`${mcu.name} run failed: ` + r.stdout.slice(-500) + r.stderr);
    return Number(m[1]);
  };
  const n = 200;
  const empty = count([]), emptyOn = mcus.map((m) => countOn(m, []));
  const per = (key: string | null, name: string, lines: (i: number) => string[]) => {
    const extra = Array.from({ length: n }, (_, i) => lines(i)).flat();
    const v = Math.round((count(extra) - empty) / n);
    if (key) figure(key, `instructions per ${name}`, v, "Ir"); else row(`instructions per ${name}`, `${v}`);
    mcus.forEach((mcu, i) => {
      const on = Math.round((countOn(mcu, extra) - emptyOn[i]) / n);
      if (key) figure(`${mcu.key}_${key}`, `  on ${mcu.name} (QEMU -icount)`, on, "instructions"); else row(`  on ${mcu.name} (QEMU -icount)`, `${on}`);
    });
  };
  const getVar = JSON.stringify({ getVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" } }] });
  const setVar = JSON.stringify({ setVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" }, attributeValue: "300" }] });
  per("ir_get_variables", "GetVariables, 1 variable, CALL -> CALLRESULT", (i) => [`frame [2,"g${i}","GetVariables",${getVar}]`]);
  per("ir_set_variables", "SetVariables, 1 variable, CALL -> CALLRESULT", (i) => [`frame [2,"s${i}","SetVariables",${setVar}]`]);
  per("ir_idle_tick", "idle engine tick", () => ["tick"]);
  per(null, "Heartbeat (tick, CALL out, CALLRESULT in)", (i) => [`at ${1000 + (i + 1) * 300_000}`, 'reply {"currentTime":"2026-01-01T00:00:00Z"}']);
  per(null, "Authorize round trip (token in, CALL out, CALLRESULT in)", (i) => [`token 1 OTHER${i} 2`, 'reply {"idTokenInfo":{"status":"Accepted"}}']);
  per("ir_transaction_event", "TransactionEvent Updated with 10 sampled values (trigger in, CALL out, result in)", (i) => [`frame [2,"t${i}","TriggerMessage",{"requestedMessage":"TransactionEvent","evse":{"id":1}}]`, "reply {}"]);
  if (CHECK_ONLY) { rmSync(dir, { recursive: true, force: true }); return; }
  const profiles: string[] = [];
  let id = 1;
  for (const [purpose, evse, levels] of [["ChargingStationMaxProfile", 0, 3], ["TxDefaultProfile", 1, 3], ["TxProfile", 1, 2]] as const) {
    for (let level = 0; level < levels; level++) {
      const periods = Array.from({ length: 24 }, (_, k) => ({ startPeriod: k ? k * 3600 + level * 60 : 0, limit: 6 + ((k * 7 + level * 3) % 26) }));
      const p = { id: id++, stackLevel: level, chargingProfilePurpose: purpose, chargingProfileKind: "Absolute", ...(purpose === "TxProfile" ? { transactionId: "$TX" } : {}),
        chargingSchedule: [{ id: 1, chargingRateUnit: "A", startSchedule: "2026-01-01T00:00:00Z", duration: 86400 - level * 600, chargingSchedulePeriod: periods }] };
      profiles.push(`frame [2,"p${id}","SetChargingProfile",${JSON.stringify({ evseId: evse, chargingProfile: p })}]`);
    }
  }
  const withProfiles = count(profiles);
  const asks = count([...profiles, ...Array.from({ length: 20 }, (_, i) => `frame [2,"c${i}","GetCompositeSchedule",{"evseId":1,"duration":86400,"chargingRateUnit":"A"}]`)]);
  row("instructions per GetCompositeSchedule (24 h, 8 profiles x 24 periods)", `${Math.round((asks - withProfiles) / 20)}`);
  rmSync(dir, { recursive: true, force: true });
}

/** The engine as MCU firmware (wasm2c, the static runtime, a board that does nothing): build/m4/engine-m4.elf for a
 *  Cortex-M4 (STM32F405), build/rv32/engine-rv32.elf for an rv32imc MCU; and the whole station firmware of each
 *  (the engine with its drivers, board link and network bridge client, flash store, QEMU start-up). */
function mcuImages(): void {
  const mcus = [["m4", "Cortex-M4", "arm-none-eabi-size", "build/m4/engine-m4.elf", "build/chargewasm-station-stm32.elf"],
    ["rv32", "rv32imc", "riscv64-unknown-elf-size", "build/rv32/engine-rv32.elf", "build/chargewasm-station-rv32.elf"]];
  for (const [key, name, size, engine, station] of mcus) {
    const sizeOf = (elf: string) => execFileSync(size, [elf], { encoding: "utf8" }).split("\n")[1].trim().split(/\s+/).map(Number);
    const [text, data, bss] = sizeOf(engine);
    figure(`${key}_flash`, `${name} image flash (text+rodata+data)`, text + data, "B");
    figure(`${key}_ram_static`, `${name} RAM besides linear memory (data+bss)`, data + bss - 65536, "B");
    const [sText, sData, sBss] = sizeOf(station);
    figure(`${key}_station_flash`, `${name} station firmware flash (text+rodata+data)`, sText + sData, "B");
    figure(`${key}_station_ram`, `${name} station firmware RAM (data+bss, with the 64 KiB page)`, sData + sBss, "B");
  }
}

/** The C stack's high-water mark on each MCU: the replay firmware paints its free stack at start and reports the
 *  deepest word the stack reached (boards/stm32f405/startup.c, boards/rv32/stack.c); the most over every
 *  test/native scenario. */
function mcuStack(): void {
  const dir = "test/native";
  const scenarios = [...readdirSync(dir).filter((f) => f.endsWith(".scenario")).map((f) => join(dir, f)),
    ...readdirSync(join(dir, "faults")).map((f) => join(dir, "faults", f))];
  for (const [key, name, mcu] of [["m4", "Cortex-M4", "stm32"], ["rv32", "rv32imc", "rv32"]] as const) {
    let most = 0;
    for (const s of scenarios) {
      const r = spawnSync(...qemu(mcu, `build/chargewasm-replay-${mcu}.elf`, [s]), { encoding: "utf8", timeout: 60_000 });
      const m = /^stack: (\d+) bytes$/m.exec(r.stderr + r.stdout);
      if (r.status !== 0 || !m) throw new Error(`${name} replay of ${s} failed: ${r.stderr}`);
      most = Math.max(most, Number(m[1]));
    }
    figure(`${key}_stack`, `${name} C stack high-water (test/native replays)`, most, "B");
  }
}

/** engine.wasm with its memory capped at `pages` (as on an MCU, where growing past the static array fails). */
function capped(pages: number): WebAssembly.Module {
  const m = binaryen.readBinary(readFileSync("build/engine.wasm"));
  const mem = m.getMemoryInfo("0");
  const seg = m.getMemorySegmentInfoByIndex(0);
  m.removeExport("memory");
  m.setMemory(Math.min(mem.initial, pages), pages, "memory", [{ offset: m.i32.const(seg.offset as unknown as number), data: new Uint8Array(seg.data), passive: false }], mem.shared, mem.is64, "0");
  const bytes = m.emitBinary();
  m.dispose();
  return new WebAssembly.Module(new Uint8Array(bytes));
}

/** The fewest 64 KiB pages in which the whole session runs (TLSF doubles memory when it may, so Node's figure is higher). */
async function pagesNeeded(): Promise<void> {
  for (let pages = 1; pages <= 16; pages++) {
    try { await runSession(capped(pages)); } catch { continue; }
    figure("linear_pages_session", "linear memory a one-EVSE charging session needs", pages, "pages of 64 KiB");
    return;
  }
  throw new Error("the session does not run in 16 pages");
}

/** One EVSE, a whole session (boot, Get/Set, a profile, plug, authorize, an hour of TransactionEvents, stop, unplug). */
async function session(): Promise<void> {
  const e = await runSession(engineModule());
  row("linear memory after that session in Node (TLSF doubles when it may)", `${e.memoryBytes / 65536} pages`);
}

/** An engine built with AssemblyScript's allocation hooks (ASC_RTRACE), and a tracer of its heap: the most in use at
 *  any moment (TLSF blocks, headers included) and the highest byte any block ever reached, which is what must fit the
 *  MCU's static linear memory (static data, shadow stack, TLSF's root and the blocks, fragmentation included). */
function traced(): { module: WebAssembly.Module; instrument: () => { imports: WebAssembly.Imports; heap: () => { base: number; peak: number; top: number } } } {
  const file = "build/engine.rtrace.wasm";
  // Imported memory: the hooks fire while the module starts, before its exports (and its own memory) are reachable.
  execFileSync("npx", ["asc", "assembly/index.ts", "--config", join(process.cwd(), "asconfig.json"), "--target", "release", "--use", "ASC_RTRACE=1", "--importMemory", "--maximumMemory", "4", "-o", file], { stdio: "ignore" });
  const module = new WebAssembly.Module(readFileSync(file));
  return { module, instrument: () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    let base = 0, used = 0, peak = 0, top = 0;
    const size = (block: number) => (new Uint32Array(memory.buffer, block, 1)[0] & ~3) + 4;
    const grew = (block: number, n: number) => { used += n; peak = Math.max(peak, used); top = Math.max(top, block + size(block)); };
    const rtrace = {
      oninit: (b: number) => { base = b; },
      onalloc: (block: number) => grew(block, size(block)),
      onresize: (block: number, old: number) => grew(block, size(block) - old),
      onmove: () => {},
      onfree: (block: number) => { used -= size(block); },
      onvisit: () => true, oncollect: () => {}, oninterrupt: () => {}, onyield: () => {},
      onstore: (ptr: number) => ptr, onload: (ptr: number) => ptr,
    };
    return { imports: { rtrace, env: { memory } }, heap: () => ({ base, peak, top }) };
  } };
}

async function peakHeap(): Promise<void> {
  const t = traced();
  const one = t.instrument();
  await runSession(t.module, one.imports);
  const h = one.heap();
  row("peak heap in that session (TLSF blocks in use, headers included)", `${h.peak} B, above ${h.base} B of static data and shadow stack`);
  figure("linear_bytes_session", "linear memory that session reaches (highest byte in use)", h.top, "B");
  // Capacity: the largest station the config allows (MAX_EVSES 2 of MAX_CONNECTORS 2), every profile slot filled with
  // PeriodsPerSchedule periods, then the session.
  const full = t.instrument();
  await runSession(t.module, full.imports, true);
  figure("linear_bytes_capacity", "the same with 2 EVSEs of 2 connectors and 8 profiles of 24 periods", full.heap().top, "B");
}

/** Profiles that fill every slot (MAX_PROFILES 8): 24 periods each, stack levels 0-7 of TxDefaultProfile on EVSE 1 and 2. */
const FULL_PROFILES = Array.from({ length: 8 }, (_, k) => JSON.stringify([2, `f${k}`, "SetChargingProfile", { evseId: 1 + (k >> 2), chargingProfile: {
  id: 100 + k, stackLevel: k & 3, chargingProfilePurpose: "TxDefaultProfile", chargingProfileKind: "Absolute", chargingSchedule: [{ id: 1, chargingRateUnit: "A",
    startSchedule: "2026-01-01T00:00:00Z", chargingSchedulePeriod: Array.from({ length: 24 }, (_, i) => ({ startPeriod: i * 3611, limit: 6.5 + i })) }] } }]));

async function runSession(module: WebAssembly.Module, instrument: WebAssembly.Imports = {}, full = false): Promise<Engine> {
  const { e, clock, sent, answer } = await bootedEngine(module, [{ component: "SampledDataCtrlr", variable: "TxUpdatedInterval", value: "60" },
    { component: "AuthCtrlr", variable: "Enabled", value: "false" }], instrument, full ? 2 : 1);
  for (const f of full ? FULL_PROFILES : []) {
    e.onFrame(f);
    if (!sent[sent.length - 1].includes('"Accepted"')) throw new Error("profile refused: " + sent[sent.length - 1]);
  }
  const reply = () => { while (answer("{}")); };
  e.onFrame(JSON.stringify([2, "g", "GetVariables", { getVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "HeartbeatInterval" } }] }]));
  e.onFrame(JSON.stringify([2, "s", "SetVariables", { setVariableData: [{ component: { name: "OCPPCommCtrlr" }, variable: { name: "OfflineThreshold" }, attributeValue: "600" }] }]));
  e.onFrame(JSON.stringify([2, "p", "SetChargingProfile", { evseId: 1, chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: "TxDefaultProfile",
    chargingProfileKind: "Absolute", chargingSchedule: [{ id: 1, chargingRateUnit: "A", startSchedule: "2026-01-01T00:00:00Z",
      chargingSchedulePeriod: Array.from({ length: 24 }, (_, k) => ({ startPeriod: k * 3600, limit: 16 + (k % 4) })) }] } }]));
  reply();
  e.onBoardEvent(1, 1, 1 | (1 << 8));
  reply();
  e.onToken(1, "BENCH", "ISO14443");
  reply();
  e.onBoardEvent(1, 1, 2 | (1 << 8));
  reply();
  for (let s = 0; s < 3600; s += 60) { clock.set(clock.now() + 60_000); e.tick(); reply(); }
  e.onToken(1, "BENCH", "ISO14443");
  reply();
  e.onBoardEvent(1, 1, 0 | (1 << 8));
  reply();
  if (!sent.some((f) => f.includes('"eventType":"Ended"'))) throw new Error("the session did not end");
  return e;
}

if (!CHECK_ONLY) {
  sizes();
  await throughput();
  await composite();
  await day();
}
await session();
await peakHeap();
await pagesNeeded();
mcuImages();
mcuStack();
native();
if (!checkBudgets()) { console.error("\nbench: a figure is over its ceiling (test/bench/budgets.json)"); process.exit(1); }
