// One simulated charging station: the engine, its HAL, a WebSocket transport and
// a clock. Frames and log lines are emitted as events for the CLI, the dashboard and tests.
import { EventEmitter } from "node:events";
import { randomInt } from "node:crypto";
import { Engine, engineModule } from "./engine.ts";
import { Clock, VirtualClock, WallClock, seededRandom } from "./clock.ts";
import { MemoryStore, Store } from "./storage.ts";
import { WsTransport } from "./transport/ws.ts";
import { BootReason, LOG_LEVELS } from "./hal.ts";

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
  bootReason?: BootReason;
  wasm?: WebAssembly.Module;
  /** Keep every frame in `frames` (tests). */
  record?: boolean;
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
  private engine!: Engine;
  private transport: WsTransport;
  private cancel: (() => void) | undefined;
  private open = new Set<string>();     // our CALLs awaiting an answer
  private dialing = false;
  private stopped = false;
  connected = false;

  private constructor(private opts: StationOptions) {
    super();
    this.clock = opts.clock ?? new WallClock();
    this.store = opts.store ?? new MemoryStore();
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
    const random = seededRandom(opts.seed ?? randomInt(1, 2 ** 31));
    s.engine = await Engine.create({
      clock: s.clock,
      random,
      store: s.store,
      log: (level, msg) => s.log(level, msg),
      connect: (url, user, pw, profile) => {
        if (s.stopped) return;
        s.dials.push(s.clock.now());
        s.dialing = true;
        s.emit("dial", url);
        s.transport.connect(url, user, pw, profile);
      },
      send: (text) => {
        if (!s.transport.send(text)) return false;
        s.record("out", text);
        return true;
      },
    }, opts.wasm ?? engineModule());
    return s;
  }

  boot(): void { this.enter(() => this.engine.init(this.opts.config, this.opts.bootReason ?? "PowerUp")); }

  get identity(): string { return this.opts.config.identity; }

  private log(level: number, msg: string): void {
    const line: LogLine = { level: LOG_LEVELS[level] ?? "debug", t: this.clock.now(), msg };
    if (this.opts.record) this.logs.push(line);
    this.emit("log", line);
  }

  private record(dir: "out" | "in", text: string): void {
    const f: Frame = { dir, t: this.clock.now(), utc: this.clock.utc(), text };
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

  /** Calls into the engine, then arms the one timer for its next deadline. */
  private enter(fn: () => void): void {
    if (this.stopped) return;
    fn();
    this.rearm();
  }

  private rearm(): void {
    this.cancel?.();
    this.cancel = undefined;
    if (this.stopped) return;
    const ms = this.engine.tick();
    if (ms >= 0) this.cancel = this.clock.at(this.clock.now() + ms, () => { this.cancel = undefined; this.rearm(); });
  }

  /** Waits (real time, bounded) until no dial and no CALL of ours is outstanding. */
  async settle(limitMs = this.opts.settleMs ?? 3000): Promise<void> {
    const end = Date.now() + limitMs;
    for (let i = 0; ; i++) {
      await new Promise((r) => setImmediate(r));
      if (!this.dialing && this.open.size === 0 && i > 2) return;
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
    this.stopped = true;
    this.cancel?.();
    this.transport.close();
  }
}
