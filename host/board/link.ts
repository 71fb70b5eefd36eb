// The Node end of the board link (docs/BOARD-LINK.md): the board simulator served
// to a native firmware over TCP, so that a native station is driven exactly like
// the Node-hosted one (the control API and `chargewasm ctl` work on both).
import { EventEmitter } from "node:events";
import { createServer, Server, Socket } from "node:net";
import { Board, EvSpec } from "./board.ts";
import { NetBridge } from "./bridge.ts";
import { ModbusMeters } from "./modbus-meter.ts";
import { Pn532Sim } from "./pn532.ts";
import { BL, encodeFrame, FrameParser } from "./link-frames.ts";

export { BL, crc16, encodeFrame, FrameParser } from "./link-frames.ts";
import { BOARD_EVENT, ID_TOKEN_TYPES, IdTokenType, PILOT_STATES, PilotState } from "../hal.ts";
import type { StationConfig } from "../station.ts";

/** The pilot's high level in each state (IEC 61851-1), mV. */
const PILOT_MV: Record<PilotState, number> = { A: 12000, B: 9000, C: 6000, D: 3000, E: 0, F: -12000 };

/** What the firmware reports after taking a CLOCK: its next deadline and how many OCPP frames it sent and received. */
export interface Next { next: number; sent: number; received: number }

/** The simulated board of a native station, on the wall clock or on a virtual one it hands to the firmware. */
export class LinkedBoard extends EventEmitter {
  readonly board: Board;
  readonly opts: { config: StationConfig };
  private server: Server;
  private socket: Socket | undefined;
  private parser = new FrameParser();
  private timer: NodeJS.Timeout;
  private waiting: ((n: Next) => void)[] = [];
  /** An MCU firmware's network (its NET messages) and energy meters (its Modbus UART). */
  readonly bridge = new NetBridge((type, p) => this.send(type, p), (msg) => this.emit("warning", msg), (dir, text) => this.emit("frame", { dir, text }));
  readonly meters: ModbusMeters;
  /** An MCU firmware's RFID reader (its PN532 UART). */
  readonly rfid = new Pn532Sim();

  constructor(config: StationConfig, private clock?: { now(): number; utc(): number }) {
    super();
    this.opts = { config };
    this.board = new Board(config.evses, config.phases ?? 3, this.now());
    this.meters = new ModbusMeters(this.board, () => this.now());
    this.server = createServer((s) => this.attach(s));
    // The battery fills at a time only the board knows: look once a second.
    this.timer = setInterval(() => { this.board.advance(this.now()); this.drain(); }, 1000);
  }

  now(): number { return this.clock ? this.clock.now() : performance.now(); }

  /** ms until the board changes by itself (a battery gets full), Infinity when it will not. */
  nextChange(): number { this.board.advance(this.now()); return Math.min(...this.board.evses.map((e) => e.msUntilFull())); }

  /** Brings the board up to now and sends what changed (used on a virtual clock). */
  poll(): void { this.board.advance(this.now()); this.drain(); }

  /** Virtual clock: hands the firmware the time, which runs what is due and answers with NEXT. */
  clockTick(): Promise<Next> {
    if (!this.clock || !this.socket) return Promise.reject(new Error("no virtual clock or no firmware"));
    const p = Buffer.alloc(16);
    p.writeBigInt64LE(BigInt(Math.floor(this.clock.now())), 0);
    p.writeBigInt64LE(BigInt(Math.floor(this.clock.utc())), 8);
    return new Promise((resolve, reject) => {
      const done = (n: Next) => { clearTimeout(timer); resolve(n); };
      const timer = setTimeout(() => { this.waiting = this.waiting.filter((w) => w !== done); reject(new Error("firmware did not answer CLOCK")); }, 5000);
      this.waiting.push(done);
      this.send(BL.CLOCK, p);
    });
  }

  get identity(): string { return this.opts.config.identity; }
  get connected(): boolean { return this.socket !== undefined; }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((res) => this.server.listen(port, "127.0.0.1", () => res()));
    return (this.server.address() as { port: number }).port;
  }

  /** Firmware connections accepted so far (a restarted firmware connects again). */
  links = 0;
  /** HELLOs received: a firmware sends one when it starts, once its link UART listens. */
  hellos = 0;
  /** The firmware decodes the pilot itself (HELLO capability): it gets ADC samples (PILOT_ADC), not states. */
  private pilotAdc = false;
  /** A pilot level forced by a test (mV, and the low level under PWM), per EVSE: what the ADC reads whatever the EV does. */
  private forcedMv = new Map<number, [number, number | undefined]>();

  private attach(s: Socket): void {
    this.socket?.destroy();
    this.bridge.close();
    this.socket = s;
    this.links++;
    // What the last connection left half-sent or unanswered belongs to a firmware that is gone.
    this.parser = new FrameParser();
    this.waiting = [];
    s.setNoDelay(true);
    for (const e of this.board.evses) e.forgetReported();
    s.on("data", (chunk) => { for (const f of this.parser.push(chunk)) this.handle(f.type, f.payload); });
    s.on("close", () => { if (this.socket === s) { this.socket = undefined; this.bridge.close(); } this.emit("link", false); });
    s.on("error", () => {});
    this.emit("link", true);
  }

  private send(type: number, payload: Uint8Array): void { this.socket?.write(encodeFrame(type, payload)); }

  /** Bytes onto the link as they are: line noise and broken frames, for tests of the firmware's receiver. */
  raw(bytes: Uint8Array): void { this.socket?.write(bytes); }

  private handle(type: number, p: Buffer): void {
    if (this.bridge.handle(type, p)) return;
    if (type === BL.NEXT && p.length === 12) {
      this.waiting.shift()?.({ next: p.readInt32LE(0), sent: p.readUInt32LE(4), received: p.readUInt32LE(8) });
      return;
    }
    this.board.advance(this.now());
    const evse = p[0];
    const e = this.board.evses[evse - 1];
    if (type === BL.HELLO) {
      // A (re)started engine knows nothing of the board: report every input as it is now.
      this.hellos++;
      this.pilotAdc = p.length >= 2 && (p[1] & 1) !== 0;
      for (const x of this.board.evses) x.forgetReported();
      this.drain();
      return;
    }
    if (type === BL.SAFE) {
      // The firmware gave its engine up: every output to its safe state.
      this.board.makeSafe();
      this.emit("fatal");
      this.drain();
      return;
    }
    if (!e) { this.emit("warning", `board link: message ${type} for unknown EVSE ${evse}`); return; }
    if (type === BL.PILOT_SET && p.length === 3) e.duty = p.readUInt16LE(1);
    else if (type === BL.CONTACTOR_SET && p.length === 2) e.contactor = p[1] !== 0;
    else if (type === BL.LOCK_SET && p.length === 3) e.locked = p[2] !== 0;
    else if (type === BL.DISPLAY) { e.display = p.subarray(1).toString("utf8"); this.emit("display", { evse, text: e.display }); }
    else if (type === BL.METER_REQ) {
      const out = Buffer.alloc(81);
      out[0] = evse;
      e.meter().forEach((v, i) => out.writeDoubleLE(v, 1 + i * 8));
      this.send(BL.METER, out);
      return;
    } else { this.emit("warning", `board link: malformed message ${type}`); return; }
    this.drain();
  }

  /** Sends the board's reactions: pilot changes and contactor/lock feedback. */
  private drain(): void {
    if (!this.socket) return;
    for (const e of this.board.evses) {
      const p = e.pilotChange();
      if (p !== null) {
        if (this.pilotAdc) this.samples(e.id, e.connector, ...(this.forcedMv.get(e.id) ?? [PILOT_MV[p], undefined]), 8);
        else this.send(BL.PILOT, Uint8Array.of(e.id, PILOT_STATES.indexOf(p), e.connector));
        this.emit("board", e.snapshot());
      }
      const fb = e.feedbackChange();
      if (fb !== null) {
        this.send(BL.FEEDBACK, Uint8Array.of(e.id, BOARD_EVENT.ContactorFeedback, fb[0] ? 1 : 0));
        this.send(BL.FEEDBACK, Uint8Array.of(e.id, BOARD_EVENT.LockFeedback, fb[1] ? 1 : 0));
      }
    }
  }

  /** `count` ADC samples of the pilot at `mv`; the low level is `low`, or -12 V while a PWM runs, else the same. */
  private samples(evse: number, connector: number, mv: number, low: number | undefined, count: number): void {
    const e = this.board.evse(evse);
    const p = Buffer.alloc(7);
    p[0] = evse; p[1] = connector; p[2] = count;
    p.writeInt16LE(mv, 3);
    p.writeInt16LE(low ?? (e.duty > 0 && e.duty < 1000 ? -12000 : mv), 5);
    this.send(BL.PILOT_ADC, p);
  }

  private level(evse: number): [number, number | undefined] { return this.forcedMv.get(evse) ?? [PILOT_MV[this.board.evse(evse).pilot()], undefined]; }

  /** Forces the pilot level the firmware's ADC reads (mV; lowMv: the low level under PWM, a missing diode), or gives
   *  it back to the EV (null). Firmware that decodes the pilot itself only. */
  pilotVoltage(evse: number, mv: number | null, lowMv?: number): void {
    if (mv === null) this.forcedMv.delete(evse); else this.forcedMv.set(evse, [mv, lowMv]);
    this.samples(evse, this.board.evse(evse).connector, ...this.level(evse), 8);
  }

  /** A spike: `count` samples at `mv`, then the level as it was. */
  pilotGlitch(evse: number, mv: number, count: number): void {
    const connector = this.board.evse(evse).connector;
    this.samples(evse, connector, mv, undefined, count);
    this.samples(evse, connector, ...this.level(evse), 8);
  }

  // ---- the same driving surface as Station (used by the control API) ----
  plug(evse: number, ev: Partial<EvSpec> = {}, connector = 1): void { this.board.plug(evse, ev, connector, this.now()); this.drain(); }
  unplug(evse: number): void { this.board.unplug(evse, this.now()); this.drain(); }
  setEv(evse: number, change: Partial<EvSpec>): void { this.board.setEv(evse, change, this.now()); this.drain(); }
  fault(evse: number, state: "E" | "F" | null): void { this.board.fault(evse, state, this.now()); this.drain(); }
  weld(evse: number, welded: boolean): void { this.board.weld(evse, welded, this.now()); this.drain(); }
  bay(evse: number, occupied: boolean): void { this.board.evse(evse).bay = occupied; this.send(BL.BAY, Uint8Array.of(evse, occupied ? 1 : 0)); }
  /** A card UID (hex, 4, 7 or 10 bytes) goes to the PN532 reader when the firmware has one; any other token to the
   *  board link (an identifier the board got some other way). */
  tap(evse: number, idToken: string, type: IdTokenType = "ISO14443"): void {
    if (this.rfid.connected && type === "ISO14443" && /^([0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$/.test(idToken)) { this.rfid.tap(idToken); return; }
    const id = Buffer.from(idToken, "utf8");
    this.send(BL.TOKEN, Buffer.concat([Uint8Array.of(evse, ID_TOKEN_TYPES.indexOf(type)), id]));
  }
  emsLimit(evse: number, amps: number | null): void {
    const p = Buffer.alloc(5);
    p[0] = evse;
    p.writeInt32LE(amps === null ? -1 : Math.round(amps * 10), 1);
    this.send(BL.EMS, p);
  }
  /** The firmware answers on its own time: give it a moment. */
  async settle(ms = 300): Promise<void> { await new Promise((r) => setTimeout(r, Math.min(ms, 300))); }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.bridge.close();
    await this.meters.close();
    await this.rfid.close();
    this.socket?.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
