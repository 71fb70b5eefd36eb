// A charging profile as the scheduler keeps it: the fields of ChargingProfileType and of its one
// ChargingScheduleType, read from a validated payload and written back for reports and storage.
// salesTariff (ISO 15118) is not kept: the engine has no ISO 15118 stack.
import {
  ChargingProfilePurposeEnumType as Purpose, ChargingProfileKindEnumType as Kind, ChargingRateUnitEnumType as Unit, E, P,
} from "../generated/ocpp";
import { Json } from "../json/reader";
import { Writer } from "../json/writer";
import { NO_INT, NO_TIME, NO_ENUM } from "../messages/codec";
import { field, intField, enumField, strField, timeField, count } from "../messages/schema";

export class Period {
  constructor(public startPeriod: i32, public limit: f64, public numberPhases: i32, public phaseToUse: i32) {}
}

export class Schedule {
  id: i32 = 0;
  startSchedule: i64 = NO_TIME;
  duration: i32 = NO_INT;
  unit: Unit = Unit.A;
  minChargingRate: f64 = NaN;
  periods: Period[] = [];
}

export class Profile {
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
  schedule: Schedule = new Schedule();

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
    s.id = intField(j, c, P.id);
    s.startSchedule = timeField(j, c, P.startSchedule);
    s.duration = intField(j, c, P.duration);
    s.unit = enumField(j, c, P.chargingRateUnit, E.ChargingRateUnitEnumType);
    const m = field(j, c, P.minChargingRate);
    if (m) s.minChargingRate = j.num(m);
    const ps = field(j, c, P.chargingSchedulePeriod);
    for (let e = j.first(ps); e; e = j.nextIn(ps, e)) {
      s.periods.push(new Period(intField(j, e, P.startPeriod), j.num(field(j, e, P.limit)), intField(j, e, P.numberPhases), intField(j, e, P.phaseToUse)));
    }
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
    w.k(P.id); w.int(s.id);
    if (s.startSchedule != NO_TIME) { w.k(P.startSchedule); w.time(s.startSchedule); }
    if (s.duration != NO_INT) { w.k(P.duration); w.int(s.duration); }
    w.k(P.chargingRateUnit); w.en(E.ChargingRateUnitEnumType, s.unit);
    w.k(P.chargingSchedulePeriod); w.arr();
    for (let i = 0; i < s.periods.length; i++) {
      const x = s.periods[i];
      w.obj();
      w.k(P.startPeriod); w.int(x.startPeriod);
      w.k(P.limit); w.num(x.limit);
      if (x.numberPhases != NO_INT) { w.k(P.numberPhases); w.int(x.numberPhases); }
      if (x.phaseToUse != NO_INT) { w.k(P.phaseToUse); w.int(x.phaseToUse); }
      w.endObj();
    }
    w.endArr();
    if (!isNaN(s.minChargingRate)) { w.k(P.minChargingRate); w.num(s.minChargingRate); }
    w.endObj(); w.endArr();
    if (this.transactionId !== null) { w.k(P.transactionId); w.str(this.transactionId!); }
    w.endObj();
  }
}
