// One simulated charging station: the engine, its HAL, a WebSocket transport and
// a clock. Frames and log lines are emitted as events for the CLI, the dashboard and tests.
import { EventEmitter } from "node:events";
import { randomInt } from "node:crypto";
import { ConfigRefused, Engine, engineModule } from "./engine.ts";
import { Clock, VirtualClock, WallClock, seededRandom } from "./clock.ts";
import { MemoryStore, Store } from "./storage.ts";
import { ScenarioRecorder } from "./scenario.ts";
import { WsTransport } from "./transport/ws.ts";
import { BootReason, LOG_LEVELS, BOARD_EVENT, PILOT_STATES, IdTokenType, MAX_FAILED_STARTS, SEND } from "./hal.ts";
import { Board, EvSpec } from "./board/board.ts";

export interface StationConfig {
  csmsUrl: string;
  identity: string;
  password?: string;
  securityProfile?: number;
  vendorName: string;
  model: string;
  serialNumber?: string;
  firmwareVersion?: string;
  phases?: number;
  evses: { connectors: string[]; phases?: number; maxPowerW?: number }[];
  defaults?: { component: string; evse?: number; connector?: number; variable: string; instance?: string; value: string }[];
}

export interface StationOptions {
  config: StationConfig;
  clock?: Clock;
  seed?: number;
  store?: Store;
  /** The hardware, when it outlives a previous station process (a power cut of the controller only). */
  board?: Board;
  bootReason?: BootReason;
  wasm?: WebAssembly.Module;
  /** Keep every frame in `frames` (tests). */
  record?: boolean;
  /** Record the engine's inputs as a replay scenario in `scenario` (the fuzz corpus). */
  scenario?: boolean;
  /** Real-time bound of settle(), ms (default 3000); tests that withhold answers lower it. */
  settleMs?: number;
}

export interface Frame { dir: "out" | "in"; t: number; utc: number; text: string }
export interface LogLine { level: (typeof LOG_LEVELS)[number]; t: number; msg: string }

export class Station extends EventEmitter {
  readonly frames: Frame[] = [];
  readonly logs: LogLine[] = [];
  /** Monotonic times at which the engine dialed the CSMS. */
  readonly dials: number[] = [];
  readonly clock: Clock;
  readonly store: Store;
  readonly board: Board;
  /** Boot reasons of every engine start (a Reset starts a new engine). */
  readonly boots: BootReason[] = [];
  readonly scenario: ScenarioRecorder | undefined;
  private engine!: Engine;
  private module!: WebAssembly.Module;
  private random!: () => number;
  private fullTimer: (() => void) | undefined;
  private transport: WsTransport;
  private cancel: (() => void) | undefined;
  private open = new Set<string>();     // our CALLs awaiting an answer
  private dialing = false;
  private stopped = false;
  private traps = 0;              // traps since an engine call last returned normally (init not counted)
  private injectTrap = false;
  private rebooting = false;
  /** Why the engine was given up after MAX_FAILED_STARTS traps in a row; the board's outputs are then safe. */
  fatal: string | undefined;
  connected = false;

  private constructor(readonly opts: StationOptions) {
    super();
    this.clock = opts.clock ?? new WallClock();
    this.store = opts.store ?? new MemoryStore();
    this.board = opts.board ?? new Board(opts.config.evses, opts.config.phases ?? 3, this.clock.now());
    if (opts.scenario) this.scenario = new ScenarioRecorder(() => this.clock.now());
    for (const e of this.board.evses) e.forgetReported();
    this.transport = new WsTransport({
      up: () => { this.dialing = false; this.connected = true; this.emit("connected"); this.enter(() => this.engine.onConnection(true)); },
      down: (why) => {
        this.dialing = false;
        const was = this.connected;
        this.connected = false;
        this.open.clear();
        this.log(1, `transport: ${why}`);
        if (was) this.emit("disconnected", why);
        this.enter(() => this.engine.onConnection(false));
      },
      frame: (text) => { this.record("in", text); this.enter(() => this.engine.onFrame(text)); },
      writable: () => this.enter(() => {}),
    }, (msg) => this.log(1, `transport: ${msg}`));
  }

  /** Creates and boots a station. */
  static async start(opts: StationOptions): Promise<Station> {
    const s = await Station.create(opts);
    s.boot();
    return s;
  }

  /** Creates a station without booting it, so that listeners see its first log lines. */
  static async create(opts: StationOptions): Promise<Station> {
    const s = new Station(opts);
    s.random = seededRandom(opts.seed ?? randomInt(1, 2 ** 31));
    s.module = opts.wasm ?? engineModule();
    s.engine = await s.newEngine();
    return s;
  }

  private newEngine(): Promise<Engine> {
    const board = this.board;
    const at = () => { board.advance(this.clock.now()); };
    return Engine.create({
      clock: {
        now: () => {
          // now_ms starts every engine entry: an injected trap (testing) lands there, as a fault inside the engine would.
          if (this.injectTrap) { this.injectTrap = false; throw new WebAssembly.RuntimeError("unreachable (injected)"); }
          return this.clock.now();
        },
        utc: () => this.clock.utc(),
        at: (t, fn) => this.clock.at(t, fn),
      },
      random: this.random,
      store: this.store,
      log: (level, msg) => this.log(level, msg),
      connect: (url, user, pw, profile) => {
        if (this.stopped) return;
        this.dials.push(this.clock.now());
        this.dialing = true;
        this.emit("dial", url);
        this.transport.connect(url, user, pw, profile);
      },
      send: (text) => {
        const rc = this.transport.send(text);
        if (rc === SEND.Ok) this.record("out", text);
        return rc;
      },
      pilotSet: (evse, duty) => { at(); board.evse(evse).duty = duty; },
      contactorSet: (evse, closed) => { at(); board.evse(evse).contactor = closed; },
      lockSet: (evse, _c, locked) => { board.evse(evse).locked = locked; },
      meterRead: (evse) => {
        at();
        const v = board.evse(evse).meter();
        this.scenario?.meter(evse, v);
        return v;
      },
      reboot: (reason) => { this.pendingReboot = reason; },
      display: (evse, text) => { board.evse(evse).display = text; this.emit("display", { evse, text }); },
    }, this.module).then((e) => this.scenario?.wrap(e) ?? e);
  }

  private pendingReboot: BootReason | undefined;

  boot(): void {
    const reason = this.opts.bootReason ?? "PowerUp";
    this.boots.push(reason);
    this.enter(() => this.engine.init(this.opts.config, reason), true);
  }

  /** Testing: the engine traps at its next entry. */
  trapNext(): void { this.injectTrap = true; }

  /** A fresh engine on the same store and board, as after a power cycle of the controller: after a Reset the
   *  frames already handed to the transport are delivered and the WebSocket closed (1001) first. */
  private async restart(reason: BootReason, graceful: boolean): Promise<void> {
    this.log(2, `host: rebooting (${reason})`);
    this.rebooting = true;
    this.cancel?.();
    this.cancel = undefined;
    if (graceful) await this.transport.closeGracefully(); else this.transport.close();
    this.connected = false;
    this.dialing = false;
    this.open.clear();
    this.engine = await this.newEngine();
    this.rebooting = false;
    for (const e of this.board.evses) e.forgetReported();
    this.boots.push(reason);
    this.enter(() => this.engine.init(this.opts.config, reason), true);
  }

  /** A trap (or an exception from a HAL call) leaves the engine unusable: restart it with Watchdog, or give up. */
  private trapped(e: unknown): void {
    if (this.stopped) return;
    const msg = e instanceof Error ? e.message : String(e);
    if (++this.traps >= MAX_FAILED_STARTS) {
      this.fatal = `engine: trap (${msg}), ${this.traps} in a row; giving up: outputs made safe, engine stopped`;
      this.log(0, this.fatal);
      this.halt();
      this.transport.close();
      this.connected = false;
      this.board.makeSafe();
      this.emit("fatal", this.fatal);
      return;
    }
    this.log(0, `engine: trap (${msg}); restarting`);
    void this.restart("Watchdog", false);
  }

  // ---- the board, driven by people, scripts and tests ----
  plug(evse: number, ev: Partial<EvSpec> = {}, connector = 1): void { this.board.plug(evse, ev, connector, this.clock.now()); this.enter(() => {}); }
  unplug(evse: number): void { this.board.unplug(evse, this.clock.now()); this.enter(() => {}); }
  setEv(evse: number, change: Partial<EvSpec>): void { this.board.setEv(evse, change, this.clock.now()); this.enter(() => {}); }
  fault(evse: number, state: "E" | "F" | null): void { this.board.fault(evse, state, this.clock.now()); this.enter(() => {}); }
  weld(evse: number, welded: boolean): void { this.board.weld(evse, welded, this.clock.now()); this.enter(() => {}); }
  bay(evse: number, occupied: boolean): void {
    this.board.evse(evse).bay = occupied;
    this.enter(() => this.engine.onBoardEvent(evse, BOARD_EVENT.BayOccupied, occupied ? 1 : 0));
  }
  tap(evse: number, idToken: string, type: IdTokenType = "ISO14443"): void { this.enter(() => this.engine.onToken(evse, idToken, type)); }
  /** An external (EMS) limit for an EVSE (0: the station) in A per phase; null lifts it. */
  emsLimit(evse: number, amps: number | null): void {
    if (amps !== null && !(amps >= 0 && amps < 200_000_000)) throw new Error(`limit ${amps} A is out of range`);
    this.enter(() => this.engine.onBoardEvent(evse, BOARD_EVENT.EmsLimit, amps === null ? -1 : Math.round(amps * 10)));
  }

  /** The engine's linear memory, bytes (it only grows when the engine needs more). */
  get memoryBytes(): number { return this.engine.memoryBytes; }

  get identity(): string { return this.opts.config.identity; }
  now(): number { return this.clock.now(); }

  /** A log line from the engine or the host (level 0 error .. 3 debug). */
  log(level: number, msg: string): void {
    const line: LogLine = { level: LOG_LEVELS[level] ?? "debug", t: this.clock.now(), msg };
    if (this.opts.record) this.logs.push(line);
    this.emit("log", line);
  }

  private record(dir: "out" | "in", text: string): void {
    const f: Frame = { dir, t: this.clock.now(), utc: this.clock.utc(), text: maskSecrets(text) };
    try {
      const m = JSON.parse(text);
      if (Array.isArray(m)) {
        if (dir === "out" && m[0] === 2) this.open.add(m[1]);
        if (dir === "in" && (m[0] === 3 || m[0] === 4)) this.open.delete(m[1]);
      }
    } catch { /* logged by the engine */ }
    if (this.opts.record) this.frames.push(f);
    this.emit("frame", f);
  }

  /** Calls into the engine, lets the board answer (pilot changes), then arms the one timer for the next deadline. */
  private enter(fn: () => void, init = false): void {
    if (this.stopped || this.rebooting) return;
    try {
      fn();
      if (!init) this.traps = 0;
      this.react();
    } catch (e) {
      if (e instanceof ConfigRefused) throw e;
      this.trapped(e);
      return;
    }
    this.emit("board", null);
    this.armBatteryFull();
    const reboot = this.pendingReboot;
    if (reboot) { this.pendingReboot = undefined; void this.restart(reboot, true); return; }
    this.rearm();
  }

  /** The board's reactions to what the engine commanded (pilot changes, feedback), delivered after its call returned. */
  private react(): void {
    for (let round = 0; round < 16; round++) {
      let changed = false;
      for (const e of this.board.evses) {
        const p = e.pilotChange();
        if (p !== null) {
          changed = true;
          this.emit("board", e.snapshot());
          this.engine.onBoardEvent(e.id, BOARD_EVENT.Pilot, PILOT_STATES.indexOf(p) | (e.connector << 8));
        }
        const fb = e.feedbackChange();
        if (fb !== null) {
          changed = true;
          this.engine.onBoardEvent(e.id, BOARD_EVENT.ContactorFeedback, fb[0] ? 1 : 0);
          this.engine.onBoardEvent(e.id, BOARD_EVENT.LockFeedback, fb[1] ? 1 : 0);
        }
      }
      if (!changed) break;
    }
  }

  /** The EV's battery filling up changes the pilot (C -> B) at a time only the board knows. */
  private armBatteryFull(): void {
    this.fullTimer?.();
    this.fullTimer = undefined;
    this.board.advance(this.clock.now());
    const ms = Math.min(...this.board.evses.map((e) => e.msUntilFull()));
    if (Number.isFinite(ms)) this.fullTimer = this.clock.at(this.clock.now() + ms, () => { this.fullTimer = undefined; this.board.advance(this.clock.now()); this.enter(() => {}); });
  }

  private rearm(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.stopped || this.rebooting) return;
    let ms: number;
    try { ms = this.engine.tick(); this.traps = 0; } catch (e) { this.trapped(e); return; }
    if (ms >= 0) this.cancel = this.clock.at(this.clock.now() + ms, () => { this.cancel = undefined; this.rearm(); });
  }

  /** Waits (real time, bounded) until no dial and no CALL of ours is outstanding. */
  async settle(limitMs = this.opts.settleMs ?? 3000): Promise<void> {
    const end = Date.now() + limitMs;
    for (let i = 0; ; i++) {
      await new Promise((r) => setImmediate(r));
      if (!this.dialing && !this.rebooting && this.open.size === 0 && i > 2) return;
      if (Date.now() > end) return;
      if (i > 2) await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Virtual clock only: runs every timer due within ms, letting the network settle between them. */
  async advance(ms: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) throw new Error("advance() needs a VirtualClock");
    const target = clock.now() + ms;
    await this.settle();
    for (;;) {
      const timer = clock.takeDue(target);
      if (!timer) break;
      timer.fn();
      await this.settle();
    }
    clock.set(target);
    this.rearm();
    await this.settle();
  }

  /** Frames sent by the station, parsed. */
  sent(): unknown[][] { return this.frames.filter((f) => f.dir === "out").map((f) => JSON.parse(f.text)); }

  stop(): void {
    this.halt();
    void this.transport.closeGracefully(500);
  }

  /** The controller loses power: everything stops at once, nothing is closed cleanly; the board keeps its state. */
  kill(): void {
    this.halt();
    this.transport.close();
  }

  /** No engine call and no timer from now on. */
  private halt(): void {
    this.stopped = true;
    this.cancel?.();
    this.fullTimer?.();
  }
}

/** A frame as traced: one that names BasicAuthPassword shows every attributeValue string as "***" (as the posix station does). */
export function maskSecrets(text: string): string {
  return text.includes("BasicAuthPassword") ? text.replace(/("attributeValue"\s*:\s*")(?:[^"\\]|\\.)*"/g, '$1***"') : text;
}
