// A charging profile as the scheduler keeps it: the fields of ChargingProfileType and of its one
// ChargingScheduleType, read from a validated payload and written back for reports and storage.
// salesTariff (ISO 15118) is not kept: the engine has no ISO 15118 stack.
import {
  ChargingProfilePurposeEnumType as Purpose, ChargingProfileKindEnumType as Kind, ChargingRateUnitEnumType as Unit, E, P, V,
} from "../generated/ocpp";
import { intOf } from "../device-model/model";
import { Json } from "../json/reader";
import { Writer } from "../json/writer";
import { NO_INT, NO_TIME, NO_ENUM } from "../messages/codec";
import { field, intField, enumField, strField, timeField, count } from "../messages/schema";

/** A period packed in 20 bytes: startPeriod, numberPhases, phaseToUse (i32; NO_INT when absent), limit (f64). */
const PERIOD_BYTES = 20;

/** The profile's one ChargingScheduleType (a base class: one object per profile, not two). */
export class Schedule {
  scheduleId: i32 = 0;
  startSchedule: i64 = NO_TIME;
  duration: i32 = NO_INT;
  unit: Unit = Unit.A;
  minChargingRate: f64 = NaN;
  /** How many periods the CSMS sent; the first PeriodsPerSchedule of them are kept (validation refuses more). */
  count: i32 = 0;
  private periods: StaticArray<u8> = new StaticArray<u8>(0);

  /** Periods kept. */
  get length(): i32 { return this.periods.length / PERIOD_BYTES; }
  startPeriod(i: i32): i32 { return load<i32>(this.at(i)); }
  numberPhases(i: i32): i32 { return load<i32>(this.at(i), 4); }
  phaseToUse(i: i32): i32 { return load<i32>(this.at(i), 8); }
  limit(i: i32): f64 { return load<f64>(this.at(i), 12); }

  /** Reads the chargingSchedulePeriod array at node ps, keeping at most `keep` periods. */
  readPeriods(j: Json, ps: i32, keep: i32): void {
    this.count = count(j, ps);
    this.periods = new StaticArray<u8>(min(this.count, keep) * PERIOD_BYTES);
    let i = 0;
    for (let e = j.first(ps); e && i < this.length; e = j.nextIn(ps, e)) {
      const q = this.at(i++);
      store<i32>(q, intField(j, e, P.startPeriod));
      store<i32>(q, intField(j, e, P.numberPhases), 4);
      store<i32>(q, intField(j, e, P.phaseToUse), 8);
      store<f64>(q, j.num(field(j, e, P.limit)), 12);
    }
  }

  @inline private at(i: i32): usize { return changetype<usize>(this.periods) + <usize>(i * PERIOD_BYTES); }
}

export class Profile extends Schedule {
  id: i32 = 0;
  stackLevel: i32 = 0;
  purpose: Purpose = Purpose.TxDefaultProfile;
  kind: Kind = Kind.Absolute;
  recurrency: i32 = NO_ENUM;
  validFrom: i64 = NO_TIME;
  validTo: i64 = NO_TIME;
  transactionId: string | null = null;
  /** How many chargingSchedules the CSMS sent; only the first is kept (validation refuses more than one). */
  schedules: i32 = 0;
  get schedule(): Schedule { return this; }

  /** From a ChargingProfileType node that passed the schema check. */
  static read(j: Json, n: i32): Profile {
    const p = new Profile();
    p.id = intField(j, n, P.id);
    p.stackLevel = intField(j, n, P.stackLevel);
    p.purpose = enumField(j, n, P.chargingProfilePurpose, E.ChargingProfilePurposeEnumType);
    p.kind = enumField(j, n, P.chargingProfileKind, E.ChargingProfileKindEnumType);
    p.recurrency = enumField(j, n, P.recurrencyKind, E.RecurrencyKindEnumType);
    p.validFrom = timeField(j, n, P.validFrom);
    p.validTo = timeField(j, n, P.validTo);
    p.transactionId = strField(j, n, P.transactionId);
    const list = field(j, n, P.chargingSchedule);
    p.schedules = count(j, list);
    const c = j.first(list), s = p.schedule;
    s.scheduleId = intField(j, c, P.id);
    s.startSchedule = timeField(j, c, P.startSchedule);
    s.duration = intField(j, c, P.duration);
    s.unit = enumField(j, c, P.chargingRateUnit, E.ChargingRateUnitEnumType);
    const m = field(j, c, P.minChargingRate);
    if (m) s.minChargingRate = j.num(m);
    s.readPeriods(j, field(j, c, P.chargingSchedulePeriod), <i32>intOf(V.PeriodsPerSchedule));
    return p;
  }

  write(w: Writer): void {
    w.obj();
    w.k(P.id); w.int(this.id);
    w.k(P.stackLevel); w.int(this.stackLevel);
    w.k(P.chargingProfilePurpose); w.en(E.ChargingProfilePurposeEnumType, this.purpose);
    w.k(P.chargingProfileKind); w.en(E.ChargingProfileKindEnumType, this.kind);
    if (this.recurrency != NO_ENUM) { w.k(P.recurrencyKind); w.en(E.RecurrencyKindEnumType, this.recurrency); }
    if (this.validFrom != NO_TIME) { w.k(P.validFrom); w.time(this.validFrom); }
    if (this.validTo != NO_TIME) { w.k(P.validTo); w.time(this.validTo); }
    const s = this.schedule;
    w.k(P.chargingSchedule); w.arr(); w.obj();
    w.k(P.id); w.int(s.scheduleId);
    if (s.startSchedule != NO_TIME) { w.k(P.startSchedule); w.time(s.startSchedule); }
    if (s.duration != NO_INT) { w.k(P.duration); w.int(s.duration); }
    w.k(P.chargingRateUnit); w.en(E.ChargingRateUnitEnumType, s.unit);
    w.k(P.chargingSchedulePeriod); w.arr();
    for (let i = 0; i < s.length; i++) {
      w.obj();
      w.k(P.startPeriod); w.int(s.startPeriod(i));
      w.k(P.limit); w.num(s.limit(i));
      const n = s.numberPhases(i), u = s.phaseToUse(i);
      if (n != NO_INT) { w.k(P.numberPhases); w.int(n); }
      if (u != NO_INT) { w.k(P.phaseToUse); w.int(u); }
      w.endObj();
    }
    w.endArr();
    if (!isNaN(s.minChargingRate)) { w.k(P.minChargingRate); w.num(s.minChargingRate); }
    w.endObj(); w.endArr();
    if (this.transactionId !== null) { w.k(P.transactionId); w.str(this.transactionId!); }
    w.endObj();
  }
}
