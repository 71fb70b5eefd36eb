// The simulated charger hardware behind the HAL: per EVSE an EV model, a meter IC
// that integrates energy from the current actually drawn, the contactor, the
// cable lock, the pilot line (IEC 61851-1) and an optional parking-bay sensor.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { PilotState } from "../hal.ts";

export interface EvSpec {
  maxCurrentA: number;     // per phase
  phases: number;
  capacityWh: number;
  socPct: number;
  reportsSoC: boolean;     // only EVs that talk ISO 15118 tell their SoC
  wantsCharge: boolean;
  ventilation: boolean;    // asks for charging with ventilation (state D)
}

export const DEFAULT_EV: EvSpec = { maxCurrentA: 32, phases: 3, capacityWh: 60000, socPct: 20, reportsSoC: false, wantsCharge: true, ventilation: false };

/** Amps an EV may draw for a PWM duty cycle in per mille (IEC 61851-1 Annex A). */
export function ampsForDuty(permille: number): number {
  if (permille >= 80 && permille < 100) return 6;
  if (permille >= 100 && permille <= 850) return (permille * 6) / 100;       // duty% x 0.6, kept exact
  if (permille > 850 && permille <= 960) return ((permille - 640) * 25) / 100; // (duty% - 64) x 2.5
  if (permille > 960 && permille <= 970) return 80;
  return 0;
}

export class EvseSim {
  ev: EvSpec | null = null;
  connector = 1;
  duty = 1000;
  contactor = false;
  locked = false;
  bay = false;
  fault: "E" | "F" | null = null;
  welded = false;          // the contactor stays closed whatever it is told
  energyWh = 0;
  display = "";
  private lastT: number;
  private reported: PilotState | null = null;

  constructor(readonly id: number, readonly phases: number, readonly voltage: number, now: number) { this.lastT = now; }

  get offeredA(): number { return ampsForDuty(this.duty); }
  get phasesUsed(): number { return this.ev ? Math.min(this.ev.phases, this.phases) : 0; }

  /** What the EV does with the pilot: B when connected, C when it wants energy and PWM offers at least 6 A. */
  pilot(): PilotState {
    if (this.fault) return this.fault;
    if (!this.ev) return "A";
    const ready = this.ev.wantsCharge && this.ev.socPct < 100 && this.offeredA >= 6;
    return ready ? (this.ev.ventilation ? "D" : "C") : "B";
  }

  /** Current per phase flowing now. */
  drawnA(): number {
    const p = this.pilot();
    if (!this.ev || !this.contactorClosed || (p !== "C" && p !== "D")) return 0;
    return Math.min(this.offeredA, this.ev.maxCurrentA);
  }

  powerW(): number { return this.drawnA() * this.voltage * this.phasesUsed; }

  /** Integrates energy (and the EV's state of charge) up to time t (ms). */
  advance(t: number): void {
    const dtH = (t - this.lastT) / 3_600_000;
    this.lastT = t;
    if (dtH <= 0) return;
    let wh = this.powerW() * dtH;
    if (this.ev && wh > 0) {
      wh = Math.min(wh, ((100 - this.ev.socPct) / 100) * this.ev.capacityWh);   // a full battery takes no more
      this.ev.socPct = Math.min(100, this.ev.socPct + (wh / this.ev.capacityWh) * 100);
    }
    this.energyWh += wh;
  }

  /** ms until the battery is full at the present draw, or Infinity. */
  msUntilFull(): number {
    const p = this.powerW();
    if (!this.ev || p <= 0) return Infinity;
    return Math.ceil(((100 - this.ev.socPct) / 100) * this.ev.capacityWh / p * 3_600_000);
  }

  get contactorClosed(): boolean { return this.contactor || this.welded; }

  private reportedFeedback = "";
  /** Contactor and lock feedback [closed, locked], when it or the command it answers changed since last reported. */
  feedbackChange(): [boolean, boolean] | null {
    const now = `${this.contactor}/${this.contactorClosed}/${this.locked}`;
    if (now === this.reportedFeedback) return null;
    this.reportedFeedback = now;
    return [this.contactorClosed, this.locked];
  }

  /** The pilot state if it changed since last reported. */
  pilotChange(): PilotState | null {
    const p = this.pilot();
    if (p === this.reported) return null;
    this.reported = p;
    return p;
  }

  forgetReported(): void { this.reported = null; this.reportedFeedback = ""; }

  /** Called whenever a reading is about to show a new register (Board.keepRegisters). */
  onRegister: (() => void) | undefined;
  private shown = NaN;

  /** meter_read's values (docs/HAL.md). */
  meter(): number[] {
    if (this.energyWh !== this.shown) { this.shown = this.energyWh; this.onRegister?.(); }
    const n = this.phasesUsed, i = this.drawnA();
    const cur = [0, 1, 2].map((p) => (p < this.phases ? (p < n ? i : 0) : NaN));
    const volt = [0, 1, 2].map((p) => (p < this.phases ? this.voltage : NaN));
    const soc = this.ev && this.ev.reportsSoC ? this.ev.socPct : NaN;
    return [this.energyWh, this.powerW(), ...cur, ...volt, soc, this.offeredA];
  }

  snapshot() {
    return {
      evse: this.id, connector: this.connector, pilot: this.pilot(), dutyPermille: this.duty, offeredA: round(this.offeredA, 1),
      contactor: this.contactorClosed, locked: this.locked, bay: this.bay, fault: this.fault, drawnA: round(this.drawnA(), 2),
      powerW: round(this.powerW(), 1), energyWh: round(this.energyWh, 3), display: this.display, ev: this.ev ? { ...this.ev, socPct: round(this.ev.socPct, 2) } : null,
    };
  }
}

function round(v: number, d: number): number { const f = 10 ** d; return Math.round(v * f) / f; }

export class Board {
  readonly evses: EvseSim[];
  constructor(layout: { phases?: number }[], defaultPhases: number, now: number, voltage = 230) {
    this.evses = layout.map((e, i) => new EvseSim(i + 1, e.phases ?? defaultPhases, voltage, now));
  }
  evse(id: number): EvseSim {
    const e = this.evses[id - 1];
    if (!e) throw new Error(`no EVSE ${id} (this station has ${this.evses.length})`);
    return e;
  }
  advance(t: number): void { for (const e of this.evses) e.advance(t); }

  /** The meters' energy registers live in a file, as a real meter keeps its register through a power cut of the
   *  controller: read from it now, written before any reading shows a new value (so no value a station reported is
   *  ever above what the file holds). */
  keepRegisters(path: string): void {
    let saved: Record<string, unknown> = {};
    if (existsSync(path)) {
      try { saved = JSON.parse(readFileSync(path, "utf8")); } catch (e) {
        throw new Error(`meter register file ${path} is corrupt (${(e as Error).message}); move it away or delete it to start the meters at 0 Wh`);
      }
    }
    for (const e of this.evses) {
      const wh = saved[e.id];
      if (typeof wh === "number" && Number.isFinite(wh) && wh >= 0) e.energyWh = wh;
      e.onRegister = () => {
        writeFileSync(path + ".tmp", JSON.stringify(Object.fromEntries(this.evses.map((x) => [x.id, x.energyWh]))));
        renameSync(path + ".tmp", path);
      };
    }
  }

  /** Every contactor open, every lock released, every pilot at -12 V: what the hardware does when the engine is given up. */
  makeSafe(): void { for (const e of this.evses) { e.contactor = false; e.locked = false; e.duty = 0; } }

  /** The physical changes people and scripts make, each at time t (energy up to t is integrated first). */
  plug(evse: number, ev: Partial<EvSpec>, connector: number, t: number): void {
    const e = this.evse(evse);
    this.advance(t);
    e.ev = { ...DEFAULT_EV, ...ev };
    e.connector = connector;
  }
  unplug(evse: number, t: number): void { const e = this.evse(evse); this.advance(t); e.ev = null; }
  setEv(evse: number, change: Partial<EvSpec>, t: number): void {
    const e = this.evse(evse);
    if (!e.ev) throw new Error(`no EV plugged into EVSE ${evse}`);
    this.advance(t);
    Object.assign(e.ev, change);
  }
  fault(evse: number, state: "E" | "F" | null, t: number): void { const e = this.evse(evse); this.advance(t); e.fault = state; }
  /** A welded contactor stays closed whatever it is told. */
  weld(evse: number, welded: boolean, t: number): void { const e = this.evse(evse); this.advance(t); e.welded = welded; }
}
