// A native station seen through the same surface the suites use on a Node
// Station: the posix station, or the station firmware of an MCU under QEMU. It
// runs on the harness's virtual clock (handed over the board link), its board is
// the Node board simulator (for an MCU also its Modbus meters and its network
// bridge), and its frames are the ones the dev CSMS saw. CW_HOST=posix, stm32 or
// rv32 makes the harness use it.
import { EventEmitter } from "node:events";
import { spawn, ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { LinkedBoard } from "../../host/board/link.ts";
import type { EvSpec } from "../../host/board/board.ts";
import type { DevCsms } from "../../host/csms/server.ts";
import type { VirtualClock } from "../../host/clock.ts";
import type { Frame, LogLine, StationConfig } from "../../host/station.ts";
import { BOOT_REASONS, BootReason, IdTokenType, LOG_LEVELS } from "../../host/hal.ts";
import { Mcu, qemu } from "../../host/qemu.ts";

export type Runtime = "posix" | Mcu;
const build = (f: string) => new URL(`../../build/${f}`, import.meta.url).pathname;
const BIN = build("chargewasm-station-asan");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RemoteStation extends EventEmitter {
  readonly frames: Frame[] = [];
  readonly logs: LogLine[] = [];
  readonly dials: number[] = [];
  readonly boots: BootReason[] = ["PowerUp"];
  readonly opts: { config: StationConfig };
  private proc!: ChildProcess;
  private args: string[] = [];
  /** frames[] index where the running process's traffic starts (a power cut starts a new process with new counters). */
  private since = 0;
  /** frames[] index where the current (or, between connections, the next) CSMS connection starts. */
  private connection = 0;
  /** Everything the station process printed (its frame trace and log). */
  output = "";
  /** Between "connecting to" and its outcome: settle() waits for it (an MCU's bridge dials in real time). */
  private dialing = false;

  private constructor(private linked: LinkedBoard, readonly clock: VirtualClock, private csms: DevCsms, config: StationConfig, private settleMs: number,
    readonly runtime: Runtime) {
    super();
    this.opts = { config };
    // A CALL open when its connection ends is never answered: openCalls() looks at the current connection only.
    for (const ev of ["connect", "disconnect"]) csms.on(ev, (id: string) => { if (id === this.identity) this.connection = this.frames.length; });
    csms.on("frame", (f) => {
      if (f.identity !== this.identity) return;
      this.frames.push({ dir: f.dir === "in" ? "out" : "in", t: clock.now(), utc: clock.utc(), text: f.text });
    });
  }

  static async start(config: StationConfig, clock: VirtualClock, csms: DevCsms, dir: string, settleMs = 3000, runtime: Runtime = "posix"): Promise<RemoteStation> {
    const linked = new LinkedBoard(config, clock);
    const port = await linked.listen();
    const s = new RemoteStation(linked, clock, csms, config, settleMs, runtime);
    mkdirSync(join(dir, "store"), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, "station.json"), JSON.stringify(config));
    // The store as on an MCU: the flash key-value store (boards/common/kvstore.c) on a flash image.
    const image = join(dir, "store", "flash.img");
    s.image = image;
    if (runtime === "posix") {
      s.cmd = BIN;
      s.args = [join(dir, "station.json"), `flash:${image}`, "--board", `tcp:127.0.0.1:${port}`, "--virtual-clock"];
    } else {
      // UARTs: the board link, the meters' RS-485 bus, the RFID reader.
      const tcp = (p: number) => `tcp:127.0.0.1:${p},nodelay=on`;
      [s.cmd, s.args] = qemu(runtime, build(`chargewasm-station-${runtime}.elf`), ["station", join(dir, "station.json"), image, "--virtual-clock"],
        { serial: [tcp(port), tcp(await linked.meters.listen()), tcp(await linked.rfid.listen())], own: true });
    }
    await s.spawn();
    return s;
  }

  private cmd = BIN;
  private image = "";

  private async spawn(settle = true): Promise<void> {
    const was = this.linked.hellos;
    this.since = this.frames.length;
    this.dialing = false;
    this.proc = spawn(this.cmd, this.args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1" } });
    for (const stream of [this.proc.stdout!, this.proc.stderr!]) createInterface({ input: stream }).on("line", (l) => this.line(l));
    const end = Date.now() + 10000;
    // Until the firmware says HELLO: an MCU's UART drops what arrives before the firmware has enabled it.
    while (this.linked.hellos === was) { if (Date.now() > end) throw new Error(`${this.runtime} station did not open the board link:\n` + this.output); await sleep(5); }
    if (settle) await this.settle();
  }

  get storeDir(): string { return dirname(this.image); }
  /** The simulated Modbus meters and PN532 reader (an MCU's). */
  get meters() { return this.linked.meters; }
  get rfid() { return this.linked.rfid; }
  /** The pilot level the MCU firmware's ADC reads (mV; null: the EV's), and a short spike of it. */
  pilotVoltage(evse: number, mv: number | null, lowMv?: number): void { this.linked.pilotVoltage(evse, mv, lowMv); }
  pilotGlitch(evse: number, mv: number, samples: number): void { this.linked.pilotGlitch(evse, mv, samples); }
  /** Raw bytes onto the board link (noise, broken frames). */
  raw(bytes: Uint8Array): void { this.linked.raw(bytes); }

  /** Testing: the engine traps at its next entry (SIGUSR1; the posix station only). */
  trapNext(): void {
    if (this.runtime !== "posix") throw new Error("trapNext: only the posix station takes SIGUSR1");
    this.proc.kill("SIGUSR1");
  }

  /** The controller loses power (SIGKILL) and starts again on the same store and board, which keeps its outputs;
   *  with settle false it is left booting. */
  async powerCut(settle = true): Promise<void> {
    const exited = new Promise((r) => this.proc.once("exit", r));
    this.proc.kill("SIGKILL");
    await exited;
    this.boots.push("PowerUp");
    await this.spawn(settle);
  }

  private line(l: string): void {
    this.output += l + "\n";
    const m = /^\[(error|warn|info|debug)\] (.*)$/.exec(l);
    if (m) this.logs.push({ level: m[1] as (typeof LOG_LEVELS)[number], t: this.clock.now(), msg: m[2] });
    if (l.startsWith("connecting to ")) { this.dials.push(this.clock.now()); this.dialing = true; }
    if (l === "connected" || /^\[warn\] transport: /.test(l)) this.dialing = false;
    const b = /^rebooting \(boot reason (\d+)\)$/.exec(l);
    if (b) this.boots.push(BOOT_REASONS[Number(b[1])]);
  }

  get identity(): string { return this.opts.config.identity; }
  now(): number { return this.clock.now(); }
  get connected(): boolean { return this.csms.clients.has(this.identity); }
  get board() { return this.linked.board; }

  private openCalls(): number {
    const open = new Set<string>();
    for (const f of this.frames.slice(Math.max(this.since, this.connection))) {
      const m = JSON.parse(f.text);
      if (f.dir === "out" && m[0] === 2) open.add(m[1]);
      if (f.dir === "in" && (m[0] === 3 || m[0] === 4)) open.delete(m[1]);
      if (f.dir === "in" && m[0] === 2) open.add("csms:" + m[1]);
      if (f.dir === "out" && (m[0] === 3 || m[0] === 4)) open.delete("csms:" + m[1]);
    }
    return open.size;
  }

  /** Until every frame either side sent has arrived and been handled, and no CALL is open (bounded in real time). */
  async settle(limitMs = this.settleMs): Promise<void> {
    const end = Date.now() + limitMs;
    let stable = 0;
    while (Date.now() < end) {
      const n = await this.linked.clockTick();
      const mine = this.frames.slice(Math.max(this.since, this.connection));
      const fromStation = mine.filter((f) => f.dir === "out").length;
      const toStation = mine.filter((f) => f.dir === "in").length;
      const delivered = !this.connected || (fromStation >= n.sent && n.received >= toStation);
      if (delivered && this.openCalls() === 0 && !this.linked.rfid.pending && !this.dialing) { if (++stable >= 2) return; }
      else stable = 0;
      await sleep(3);
    }
  }

  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await this.settle();
    for (let guard = 0; guard < 100000; guard++) {
      const n = await this.linked.clockTick();
      const board = this.linked.nextChange();
      const next = Math.min(n.next < 0 ? Infinity : n.next, board);
      if (!Number.isFinite(next) || this.clock.now() + next > target) break;
      this.clock.set(this.clock.now() + Math.max(next, 1));
      this.linked.poll();
      await this.settle();
    }
    this.clock.set(target);
    await this.settle();
  }

  plug(evse: number, ev: Partial<EvSpec> = {}, connector = 1): void { this.linked.plug(evse, ev, connector); }
  unplug(evse: number): void { this.linked.unplug(evse); }
  setEv(evse: number, change: Partial<EvSpec>): void { this.linked.setEv(evse, change); }
  fault(evse: number, state: "E" | "F" | null): void { this.linked.fault(evse, state); }
  weld(evse: number, welded: boolean): void { this.linked.weld(evse, welded); }
  bay(evse: number, occupied: boolean): void { this.linked.bay(evse, occupied); }
  tap(evse: number, idToken: string, type: IdTokenType = "ISO14443"): void { this.linked.tap(evse, idToken, type); }
  emsLimit(evse: number, amps: number | null): void { this.linked.emsLimit(evse, amps); }

  sent(): unknown[][] { return this.frames.filter((f) => f.dir === "out").map((f) => JSON.parse(f.text)); }

  stop(): void {
    if (process.env.CW_DUMP) console.log(this.output);
    this.proc.kill("SIGTERM");
    void this.linked.close();
    if (/AddressSanitizer|runtime error:/.test(this.output)) throw new Error(`${this.runtime} station:\n` + this.output);
  }
}
