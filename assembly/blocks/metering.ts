// Meter sampling (J01, J02; SampledDataCtrlr and AlignedDataCtrlr): reads an
// EVSE's meter through the HAL and turns a measurand list into SampledValues.
import {
  MeterValueType, SampledValueType, MeasurandEnumType as M, ReadingContextEnumType, PhaseEnumType, LocationEnumType,
  UnitOfMeasureType, MeterValuesRequest, Action,
} from "../generated/ocpp";
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

@inline function round3(v: f64): f64 { return Math.round(v * 1000) / 1000; }

function sample(list: MeterValueType, value: f64, m: M, ctx: ReadingContextEnumType, unit: string, phase: i32 = -1, location: i32 = -1): void {
  if (isNaN(value)) return;
  const s = new SampledValueType();
  s.value = round3(value); s.measurand = m; s.context = ctx; s.phase = phase; s.location = location;
  const u = new UnitOfMeasureType();
  u.unit = unit;
  s.unitOfMeasure = u;
  list.sampledValue.push(s);
}

/** One MeterValue for the comma-separated measurand list, or null when it has no values. */
export function meterValue(evse: i32, measurands: string, ctx: ReadingContextEnumType, phases: i32): MeterValueType | null {
  if (!measurands.length) return null;
  const r = readMeter(evse);
  const mv = new MeterValueType();
  mv.timestamp = utcNow();
  const names = measurands.split(",");
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n == "Energy.Active.Import.Register") sample(mv, r[Field.EnergyWh], M.Energy_Active_Import_Register, ctx, "Wh");
    else if (n == "Power.Active.Import") sample(mv, r[Field.PowerW], M.Power_Active_Import, ctx, "W");
    else if (n == "Current.Offered") sample(mv, r[Field.OfferedA], M.Current_Offered, ctx, "A");
    else if (n == "SoC") sample(mv, r[Field.SoC], M.SoC, ctx, "Percent", -1, LocationEnumType.EV);
    else if (n == "Current.Import") {
      for (let p = 0; p < phases; p++) sample(mv, r[Field.CurrentL1 + p], M.Current_Import, ctx, "A", PhaseEnumType.L1 + p);
    } else if (n == "Voltage") {
      for (let p = 0; p < phases; p++) sample(mv, r[Field.VoltageL1 + p], M.Voltage, ctx, "V", PhaseEnumType.L1_N + p);
    }
  }
  return mv.sampledValue.length ? mv : null;
}

/** Queues a MeterValuesRequest (values outside a transaction: aligned data, or a trigger). */
export function sendMeterValues(evse: i32, measurands: string, ctx: ReadingContextEnumType, phases: i32): bool {
  const mv = meterValue(evse, measurands, ctx, phases);
  if (mv === null) return false;
  const m = new MeterValuesRequest();
  m.evseId = evse;
  m.meterValue.push(mv);
  m.encode(rpc.body.reset());
  return rpc.enqueue(Action.MeterValues);
}
