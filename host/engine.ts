// Loads engine.wasm and implements the HAL imports (hal.ts) for one station.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { instantiate } from "@assemblyscript/loader";
import { BOOT_REASONS, BootReason, HAL_IMPORTS, ID_TOKEN_TYPES, IdTokenType, MAX_FRAME, METER_FIELDS, SendResult } from "./hal.ts";
import type { Clock } from "./clock.ts";
import type { Store } from "./storage.ts";

export const ENGINE_WASM = fileURLToPath(new URL("../build/engine.wasm", import.meta.url));

export interface HalHost {
  clock: Clock;
  random(): number;
  log(level: number, msg: string): void;
  connect(url: string, user: string, password: string, securityProfile: number): void;
  /** Sends one text frame: SEND.Ok, SEND.Closed (no open connection) or SEND.Busy (the transport is full for now). */
  send(text: string): SendResult;
  store: Store;
  pilotSet(evse: number, dutyPermille: number): void;
  contactorSet(evse: number, closed: boolean): void;
  lockSet(evse: number, connector: number, locked: boolean): void;
  /** The EVSE's meter, in METER_FIELDS order (NaN for what the meter does not measure). */
  meterRead(evse: number): number[];
  reboot(reason: BootReason): void;
  display(evse: number, text: string): void;
}

type Exports = {
  memory: WebAssembly.Memory;
  init(ptr: number, len: number, reason: number): number;
  on_connection(up: number): void;
  on_frame(ptr: number, len: number): void;
  tick(): number;
  alloc(len: number): number;
  free(ptr: number): void;
  on_board_event(evse: number, kind: number, value: number): void;
  on_token(evse: number, ptr: number, len: number, type: number): void;
};

/** Why the engine refuses a station config, in its own words (every host prints the same), or null when it takes it. */
export async function configError(config: object, module = engineModule()): Promise<string | null> {
  let why: string | null = null;
  const none = () => {};
  const e = await Engine.create({
    clock: { now: () => 0, utc: () => 0, at: () => none }, random: () => 0,
    log: (level, msg) => { if (level === 0 && why === null && msg.startsWith("init: ")) why = msg.slice(6); },
    connect: none, send: () => 1, store: { read: () => undefined, write: () => true },
    pilotSet: none, contactorSet: none, lockSet: none, meterRead: () => [], reboot: none, display: none,
  }, module);
  try { e.init(config); return null; } catch { return why ?? "refused"; }
}

/** init() refused the config: not a fault of the engine. */
export class ConfigRefused extends Error {}

let compiled: WebAssembly.Module | undefined;
/** Compiles engine.wasm once per process; every station instantiates the same module. */
export function engineModule(path = ENGINE_WASM): WebAssembly.Module {
  if (!compiled || path !== ENGINE_WASM) compiled = new WebAssembly.Module(readFileSync(path));
  return compiled;
}

const utf8 = new TextDecoder("utf-8");
/** Frames up to this many UTF-16 units are encoded directly into engine memory. */
const SMALL_FRAME = Math.floor(MAX_FRAME / 3);
const enc = new TextEncoder();

export class Engine {
  private constructor(private x: Exports) {}

  /** `instrument`: further import modules, for an instrumented build (make bench's heap tracer). */
  static async create(host: HalHost, module = engineModule(), instrument: WebAssembly.Imports = {}): Promise<Engine> {
    let x!: Exports;
    const bytes = (p: number, n: number) => new Uint8Array(x.memory.buffer, p >>> 0, n);
    const text = (p: number, n: number) => utf8.decode(bytes(p, n));
    const imports: Record<string, (...a: any[]) => any> = {
      now_ms: () => BigInt(Math.floor(host.clock.now())),
      utc_ms: () => BigInt(Math.floor(host.clock.utc())),
      random_u32: () => host.random() | 0,
      log: (level: number, p: number, n: number) => host.log(level, text(p, n)),
      ws_connect: (u: number, ul: number, id: number, il: number, pw: number, pl: number, profile: number) =>
        host.connect(text(u, ul), text(id, il), text(pw, pl), profile),
      ws_send: (p: number, n: number) => host.send(text(p, n)),
      store_read: (k: number, kl: number, buf: number, cap: number) => {
        const v = host.store.read(text(k, kl));
        if (v === undefined) return -1;
        if (v.length > cap) return -2;
        bytes(buf, v.length).set(v);
        return v.length;
      },
      store_write: (k: number, kl: number, v: number, vl: number) =>
        host.store.write(text(k, kl), bytes(v, vl).slice()) ? 0 : 1,
      pilot_set: (evse: number, duty: number) => host.pilotSet(evse, duty),
      contactor_set: (evse: number, closed: number) => host.contactorSet(evse, closed !== 0),
      lock_set: (evse: number, c: number, locked: number) => host.lockSet(evse, c, locked !== 0),
      meter_read: (evse: number, out: number, cap: number) => {
        const v = host.meterRead(evse).slice(0, Math.min(cap, METER_FIELDS.length));
        const view = new DataView(x.memory.buffer, out >>> 0, v.length * 8);
        v.forEach((f, i) => view.setFloat64(i * 8, f, true));
        return v.length;
      },
      reboot: (reason: number) => host.reboot(BOOT_REASONS[reason] ?? "Unknown"),
      display: (evse: number, p: number, n: number) => host.display(evse, text(p, n)),
    };
    for (const name of Object.keys(HAL_IMPORTS)) if (!imports[name]) throw new Error(`HAL import ${name} not implemented`);
    const inst = await instantiate<Exports>(module, { ...instrument, host: imports } as any);
    x = inst.exports as unknown as Exports;
    return new Engine(x);
  }

  /** Starts the engine; throws with the engine's reason when the config is refused. */
  init(config: object, reason: BootReason = "PowerUp"): void {
    const b = enc.encode(JSON.stringify(config));
    const p = this.x.alloc(b.length);
    if (!p) throw new Error(`station config larger than the engine's frame limit (${b.length} bytes)`);
    new Uint8Array(this.x.memory.buffer, p, b.length).set(b);
    const rc = this.x.init(p, b.length, BOOT_REASONS.indexOf(reason));
    this.x.free(p);
    if (rc !== 0) throw new ConfigRefused("engine refused the station config (see its log)");
  }

  onConnection(up: boolean): void { this.x.on_connection(up ? 1 : 0); }

  /** One frame from the CSMS: text, or its bytes as received (which need not be valid UTF-8). */
  onFrame(frame: string | Uint8Array): void {
    let p: number, n: number;
    if (typeof frame === "string" && frame.length <= SMALL_FRAME) {
      // Encoded straight into engine memory (at most 3 bytes per UTF-16 unit): no copy in between.
      const cap = frame.length * 3;
      p = this.x.alloc(Math.max(cap, 1));
      n = enc.encodeInto(frame, new Uint8Array(this.x.memory.buffer, p, cap)).written;
    } else {
      const b = typeof frame === "string" ? enc.encode(frame) : frame;
      n = b.length;
      p = this.x.alloc(n);
      if (!p) { this.x.on_frame(0, n); return; }
      new Uint8Array(this.x.memory.buffer, p, n).set(b);
    }
    try { this.x.on_frame(p, n); } finally { this.x.free(p); }
  }

  onBoardEvent(evse: number, kind: number, value: number): void { this.x.on_board_event(evse, kind, value); }

  onToken(evse: number, idToken: string, type: IdTokenType): void {
    const b = enc.encode(idToken);
    const p = this.x.alloc(Math.max(1, b.length));
    new Uint8Array(this.x.memory.buffer, p, b.length).set(b);
    try { this.x.on_token(evse, p, b.length, ID_TOKEN_TYPES.indexOf(type)); } finally { this.x.free(p); }
  }

  /** Runs due timers; ms until the next deadline, or -1. */
  tick(): number { return this.x.tick(); }

  get memoryBytes(): number { return this.x.memory.buffer.byteLength; }
}
