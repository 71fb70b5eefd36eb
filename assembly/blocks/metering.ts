// Meter sampling (J01, J02; SampledDataCtrlr and AlignedDataCtrlr): reads an EVSE's meter through the HAL and
// writes a measurand list's SampledValues straight into a message.
import {
  MeasurandEnumType as M, ReadingContextEnumType, PhaseEnumType, LocationEnumType, Action, E, P, MEASURANDS,
} from "../generated/ocpp";
import { Writer } from "../json/writer";
import { meter_read } from "../hal";
import { now, utcNow } from "../core/clock";
import { rpc } from "../rpc/rpc";

/** meter_read's values, in order (docs/HAL.md). */
export const enum Field { EnergyWh, PowerW, CurrentL1, CurrentL2, CurrentL3, VoltageL1, VoltageL2, VoltageL3, SoC, OfferedA, Count }

const buf = new StaticArray<f64>(Field.Count);
let bufEvse = 0;
let bufAt: i64 = -1;

/** Forgets the last reading: called on every entry into the engine, since the board may have changed. */
export function meterStale(): void { bufAt = -1; }

/** Reads the EVSE's meter (fields the board did not provide are NaN). Within one engine call and millisecond,
 *  a second read of the same EVSE reuses the first: on a board link every read is a round trip. */
export function readMeter(evse: i32): StaticArray<f64> {
  const t = now();
  if (evse == bufEvse && t == bufAt) return buf;
  for (let i = 0; i < Field.Count; i++) unchecked(buf[i] = NaN);
  meter_read(evse, changetype<usize>(buf), Field.Count);
  bufEvse = evse;
  bufAt = t;
  return buf;
}

// The measurands the engine samples: bits of a measurand list (SampledDataCtrlr and AlignedDataCtrlr values).
const ENERGY: u32 = MEASURANDS.Energy_Active_Import_Register, POWER: u32 = MEASURANDS.Power_Active_Import,
  OFFERED: u32 = MEASURANDS.Current_Offered, SOC: u32 = MEASURANDS.SoC, CURRENT: u32 = MEASURANDS.Current_Import, VOLTAGE: u32 = MEASURANDS.Voltage;

/** Whether a reading has any value for the measurand bits. */
function any(r: StaticArray<f64>, bits: u32, phases: i32): bool {
  if (bits & ENERGY && !isNaN(r[Field.EnergyWh])) return true;
  if (bits & POWER && !isNaN(r[Field.PowerW])) return true;
  if (bits & OFFERED && !isNaN(r[Field.OfferedA])) return true;
  if (bits & SOC && !isNaN(r[Field.SoC])) return true;
  for (let p = 0; p < phases; p++) {
    if (bits & CURRENT && !isNaN(r[Field.CurrentL1 + p])) return true;
    if (bits & VOLTAGE && !isNaN(r[Field.VoltageL1 + p])) return true;
  }
  return false;
}

function value(w: Writer, v: f64, m: M, ctx: ReadingContextEnumType, unit: string, phase: i32 = -1, location: i32 = -1): void {
  if (isNaN(v)) return;
  w.obj();
  w.k(P.value); w.num(Math.round(v * 1000) / 1000);
  w.k(P.context); w.en(E.ReadingContextEnumType, ctx);
  w.k(P.measurand); w.en(E.MeasurandEnumType, m);
  if (phase >= 0) { w.k(P.phase); w.en(E.PhaseEnumType, phase); }
  if (location >= 0) { w.k(P.location); w.en(E.LocationEnumType, location); }
  w.k(P.unitOfMeasure); w.obj(); w.k(P.unit); w.str(unit); w.endObj();
  w.endObj();
}

/** One MeterValue object of a reading taken at `at`. */
function writeValues(w: Writer, at: i64, r: StaticArray<f64>, bits: u32, ctx: ReadingContextEnumType, phases: i32): void {
  w.obj();
  w.k(P.sampledValue); w.arr();
  if (bits & ENERGY) value(w, r[Field.EnergyWh], M.Energy_Active_Import_Register, ctx, "Wh");
  if (bits & POWER) value(w, r[Field.PowerW], M.Power_Active_Import, ctx, "W");
  if (bits & OFFERED) value(w, r[Field.OfferedA], M.Current_Offered, ctx, "A");
  if (bits & SOC) value(w, r[Field.SoC], M.SoC, ctx, "Percent", -1, LocationEnumType.EV);
  if (bits & CURRENT) for (let p = 0; p < phases; p++) value(w, r[Field.CurrentL1 + p], M.Current_Import, ctx, "A", PhaseEnumType.L1 + p);
  if (bits & VOLTAGE) for (let p = 0; p < phases; p++) value(w, r[Field.VoltageL1 + p], M.Voltage, ctx, "V", PhaseEnumType.L1_N + p);
  w.endArr();
  w.k(P.timestamp); w.time(at);
  w.endObj();
}

/** A reading kept for later (TxEndedInterval samples for the Ended event). */
export class Sample {
  at: i64 = utcNow();
  values: StaticArray<f64> = new StaticArray<f64>(Field.Count);
  constructor(evse: i32, public bits: u32, public ctx: ReadingContextEnumType, public phases: i32) {
    const r = readMeter(evse);
    for (let i = 0; i < Field.Count; i++) unchecked(this.values[i] = r[i]);
  }
  write(w: Writer): void { writeValues(w, this.at, this.values, this.bits, this.ctx, this.phases); }
}

/** A measurand list's bits when the EVSE's meter has a value for one of them now; 0 when there is nothing to report. */
export function sampled(evse: i32, bits: u32, phases: i32): u32 {
  return bits != 0 && any(readMeter(evse), bits, phases) ? bits : 0;
}

/** Writes the EVSE's MeterValue of the measurands `bits` (from sampled()) now. */
export function writeMeterValue(w: Writer, evse: i32, bits: u32, ctx: ReadingContextEnumType, phases: i32): void {
  writeValues(w, utcNow(), readMeter(evse), bits, ctx, phases);
}

/** Queues a MeterValuesRequest (values outside a transaction: aligned data, or a trigger). */
export function sendMeterValues(evse: i32, list: u32, ctx: ReadingContextEnumType, phases: i32): bool {
  const bits = sampled(evse, list, phases);
  if (!bits) return false;
  const w = rpc.call();
  w.obj();
  w.k(P.evseId); w.int(evse);
  w.k(P.meterValue); w.arr(); writeMeterValue(w, evse, bits, ctx, phases); w.endArr();
  w.endObj();
  return rpc.enqueue(Action.MeterValues);
}
