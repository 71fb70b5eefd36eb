// The charging-profile scheduler (K01-K08, K11-K14): the profile store, the
// composite schedule, and the limit each EVSE offers the car, shared out of the
// station maximum, including external (EMS) limits.
import {
  Action, ChargingProfilePurposeEnumType as Purpose, ChargingProfileKindEnumType as Kind,
  RecurrencyKindEnumType as Recurrency, ChargingRateUnitEnumType as Unit, ChargingProfileStatusEnumType,
  ClearChargingProfileStatusEnumType, GetChargingProfileStatusEnumType, ChargingLimitSourceEnumType as Source,
  GenericStatusEnumType, TriggerReasonEnumType as TR, E, P, T,
} from "../generated/ocpp";
import { field, intField, enumField, enumOf, check, writeStatus, answerStatus } from "../messages/schema";
import { Json, K, JsonError } from "../json/reader";
import { Writer } from "../json/writer";
import { NO_INT, NO_TIME, NO_ENUM, resetDecode } from "../messages/codec";
import { Profile, Schedule } from "./charging-profile";
import { Served, rpc } from "../rpc/rpc";
import { store_read, store_write } from "../hal";
import { utf8, ptr } from "../core/bytes";
import { now, utcNow } from "../core/clock";
import { error, info, warn } from "../core/log";
import { sessions, session, Session, takeSessionsChanged } from "./transactions";
import { V } from "../generated/ocpp";
import { intOf, numOf, assign } from "../device-model/model";
import { removeAt } from "../core/arrays";

/** Volts per phase used to convert between A and W. */
export const VOLTAGE: f64 = 230;
/** Most profiles the store holds (SmartChargingCtrlr.Entries reports how many are installed). */
export const MAX_PROFILES: i32 = 8;
/** Profiles per ReportChargingProfilesRequest, so that a report fits a frame (24 periods each). */
export const PROFILES_PER_REPORT: i32 = 4;
const DAY: i64 = 86400000;
const NEVER: i64 = i64.MAX_VALUE;

class Installed {
  installedAt: i64 = utcNow();
  /** Where it is persisted (its own store key), -1 when it is not (TxProfiles end with their transaction). */
  slot: i32 = -1;
  constructor(public evse: i32, public p: Profile, public txId: string) {}
}

export const profiles: Installed[] = [];
/** Where a Relative profile starts when its EVSE has no transaction: now, or the start of a requested composite schedule. */
let relativeOrigin: i64 = 0;
/** External limits from a local energy manager, per phase in A, by EVSE (0: the station); NaN: none. */
export const emsLimits: f64[] = [];

// ---- evaluating one profile ----

/** Start (UTC ms) of the occurrence of a profile's schedule that covers t, or NO_TIME. */
function occurrence(x: Installed, t: i64): i64 {
  const p = x.p, sch = p.schedule;
  if (p.kind == Kind.Absolute) return sch.startSchedule;
  if (p.kind == Kind.Relative) {
    const s = session(x.evse);
    return s !== null && s.active ? s.txStartUtc : relativeOrigin;
  }
  const start = sch.startSchedule, len = p.recurrency == Recurrency.Weekly ? 7 * DAY : DAY;
  if (t < start) return start;
  return start + ((t - start) / len) * len;
}

function phasesOf(sch: Schedule, i: i32, dflt: i32): i32 {
  const n = sch.numberPhases(i);
  return n != NO_INT ? n : dflt;
}

/** A profile's limit at t in A per phase, or NaN when it does not apply at t. */
function limitAt(x: Installed, t: i64, phases: i32): f64 {
  const p = x.p;
  if (p.validFrom != NO_TIME && t < p.validFrom) return NaN;
  if (p.validTo != NO_TIME && t >= p.validTo) return NaN;
  const sch = p.schedule;
  const start = occurrence(x, t);
  if (start == NO_TIME || t < start) return NaN;
  const off = (t - start) / 1000;
  if (sch.duration != NO_INT && off >= <i64>sch.duration) return NaN;
  let found = -1;
  for (let i = 0; i < sch.length; i++) if (<i64>sch.startPeriod(i) <= off) found = i;
  if (found < 0) return NaN;
  const limit = sch.limit(found);
  return sch.unit == Unit.A ? limit : limit / (VOLTAGE * <f64>phasesOf(sch, found, phases));
}

/** The first moment after t at which this profile's limit may change. */
function nextBoundary(x: Installed, t: i64): i64 {
  const p = x.p, sch = p.schedule;
  let next = NEVER;
  if (p.validFrom != NO_TIME && p.validFrom > t) next = min(next, p.validFrom);
  if (p.validTo != NO_TIME && p.validTo > t) next = min(next, p.validTo);
  const start = occurrence(x, t);
  if (start == NO_TIME) return next;
  if (start > t) return min(next, start);
  for (let i = 0; i < sch.length; i++) {
    const b = start + <i64>sch.startPeriod(i) * 1000;
    if (b > t) { next = min(next, b); break; }
  }
  if (sch.duration != NO_INT) { const end = start + <i64>sch.duration * 1000; if (end > t) next = min(next, end); }
  if (p.kind == Kind.Recurring) next = min(next, start + (p.recurrency == Recurrency.Weekly ? 7 * DAY : DAY));
  return next;
}

// ---- the composite schedule ----

function applies(x: Installed, evse: i32, purpose: Purpose): bool {
  if (x.p.purpose != purpose) return false;
  if (purpose == Purpose.TxProfile) {
    const s = session(x.evse);
    return x.evse == evse && s !== null && s.active && x.txId == s.txId;
  }
  return x.evse == evse;
}

/** The highest stack level's limit of one purpose for one EVSE (or the station, 0) at t; NaN when none applies. */
function purposeLimit(evse: i32, purpose: Purpose, t: i64, phases: i32): f64 {
  let best = -1;
  let limit = NaN;
  for (let i = 0; i < profiles.length; i++) {
    const x = profiles[i];
    if (!applies(x, evse, purpose) || x.p.stackLevel <= best) continue;
    const l = limitAt(x, t, phases);
    if (isNaN(l)) continue;
    best = x.p.stackLevel;
    limit = l;
  }
  return limit;
}

function minIgnoringNaN(a: f64, b: f64): f64 { return isNaN(a) ? b : isNaN(b) ? a : min(a, b); }

function hardwareAmps(evse: i32): f64 {
  if (evse > 0) { const s = session(evse); return s !== null ? s.maxAmps : 0; }
  let sum: f64 = 0;
  for (let i = 0; i < sessions.length; i++) sum += sessions[i].maxAmps;
  return sum;
}

function phasesFor(evse: i32): i32 {
  const s = session(evse);
  return s !== null ? s.phases : 3;
}

/** The station-wide limit at t in A per phase (ChargingStationMaxProfile, the EMS's station limit, the hardware). */
function stationLimit(t: i64): f64 {
  let l = minIgnoringNaN(hardwareAmps(0), purposeLimit(0, Purpose.ChargingStationMaxProfile, t, 3));
  return minIgnoringNaN(l, emsLimits.length ? emsLimits[0] : NaN);
}

/** The composite limit at t in A per phase for an EVSE, or for the station with evse 0 (K08). */
export function compositeAt(evse: i32, t: i64): f64 {
  if (evse == 0) return stationLimit(t);
  const phases = phasesFor(evse);
  let tx = purposeLimit(evse, Purpose.TxProfile, t, phases);
  if (isNaN(tx)) tx = purposeLimit(evse, Purpose.TxDefaultProfile, t, phases);
  if (isNaN(tx)) tx = purposeLimit(0, Purpose.TxDefaultProfile, t, phases);
  let l = minIgnoringNaN(hardwareAmps(evse), tx);
  l = minIgnoringNaN(l, stationLimit(t));
  return minIgnoringNaN(l, evse < emsLimits.length ? emsLimits[evse] : NaN);
}

/** The first moment after t at which any profile's limit may change. */
export function nextChange(t: i64): i64 {
  let next = NEVER;
  for (let i = 0; i < profiles.length; i++) next = min(next, nextBoundary(profiles[i], t));
  return next;
}

// ---- enforcement ----

/** Sets each EVSE's offered current from the composite schedule, sharing the station limit between the EVSEs that charge (K04). */
export function enforce(): void {
  purgeTxProfiles();
  const t = utcNow();
  relativeOrigin = t;
  let charging = 0;
  for (let i = 0; i < sessions.length; i++) if (sessions[i].authorized && sessions[i].plugged) charging++;
  const station = stationLimit(t);
  const share = charging > 0 ? station / <f64>charging : station;
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i];
    let limit = intOf(V.SmartChargingEnabled) ? compositeAt(s.evse, t) : s.maxAmps;
    if (intOf(V.SmartChargingEnabled) && s.authorized && s.plugged) limit = min(limit, share);
    limit = Math.floor(max(limit, 0) * 10) / 10;
    if (limit == s.offeredLimit) continue;
    const before = s.offeredLimit;
    s.offeredLimit = limit;
    const significant = before <= 0 || Math.abs(limit - before) / before * 100 > numOf(V.LimitChangeSignificance);
    info("smart charging: EVSE " + s.evse.toString() + " limit " + limit.toString() + " A");
    if (s.active && significant) s.apply(TR.ChargingRateChanged); else s.refresh();
  }
}

/** Drops TxProfiles whose transaction has ended, and those waiting for a remote start that did not come. */
function purgeTxProfiles(): void {
  for (let i = profiles.length - 1; i >= 0; i--) {
    const x = profiles[i];
    if (x.p.purpose != Purpose.TxProfile) continue;
    const s = session(x.evse);
    if (s === null) { removeAt(profiles, i); continue; }
    if (!x.txId.length) {
      // Sent with RequestStartTransaction: binds to the transaction when it starts, lapses if none starts in time.
      const wait = (intOf(V.EVConnectionTimeOut) + intOf(V.MessageTimeout)) * 1000;
      if (s.active) { x.txId = s.txId; x.p.transactionId = s.txId; }
      else if (!s.authorized && utcNow() - x.installedAt > wait) removeAt(profiles, i);
      continue;
    }
    if (!s.active || s.txId != x.txId) removeAt(profiles, i);
  }
  countEntries();
}

/** SmartChargingCtrlr.Entries follows the store; its text is rebuilt only when the count changes. */
function countEntries(): void {
  if (intOf(V.SmartChargingEntries) != <i64>profiles.length) assign(V.SmartChargingEntries, profiles.length.toString());
}

/** ms until the next composite change, -1 when none; enforces when due. */
let nextAt: i64 = NEVER;
/** Set when a profile or an external limit changed; sessions, the clock and SmartChargingCtrlr.Enabled are checked here. */
let stale = true;
let lastOffset: i64 = 0;
let lastEnabled: i64 = -1;

/** Applies the limits when something they depend on changed or a change point is reached (not on every tick:
 *  an idle engine recomputes nothing). Returns ms until the next change point, or -1. */
export function smartTick(): i64 {
  const t = utcNow();
  const offset = t - now();
  const changed = takeSessionsChanged();
  if (stale || changed || t >= nextAt || offset != lastOffset || intOf(V.SmartChargingEnabled) != lastEnabled || awaitingTransaction()) {
    stale = false;
    lastOffset = offset;
    lastEnabled = intOf(V.SmartChargingEnabled);
    enforce();
    nextAt = nextChange(t);
  }
  return nextAt == NEVER ? -1 : nextAt - t;
}

/** A TxProfile sent with RequestStartTransaction that no transaction has taken yet (it lapses with time). */
function awaitingTransaction(): bool {
  for (let i = 0; i < profiles.length; i++) if (profiles[i].p.purpose == Purpose.TxProfile && !profiles[i].txId.length) return true;
  return false;
}

// ---- SetChargingProfile (K01) ----

function validate(evse: i32, p: Profile): string | null {
  if (evse > sessions.length || evse < 0) return "UnknownEvse";
  const purpose = p.purpose;
  if (purpose == Purpose.ChargingStationExternalConstraints) return "UnsupportedParam";
  if (purpose == Purpose.ChargingStationMaxProfile && evse != 0) return "InvalidProfile";
  if (purpose == Purpose.TxProfile) {
    if (evse == 0) return "InvalidProfile";
    const s = session(evse)!;
    if (p.transactionId === null || !s.active || s.txId != p.transactionId!) return "TxNotFound";
  }
  if (p.stackLevel < 0 || p.stackLevel > <i32>intOf(V.ProfileStackLevel)) return "InvalidStackLevel";
  if (p.schedules != 1) return "InvalidSchedule";
  const sch = p.schedule;
  if (sch.count > <i32>intOf(V.PeriodsPerSchedule)) return "TooManyElements";
  if (sch.startPeriod(0) != 0) return "InvalidSchedule";
  for (let i = 0; i < sch.length; i++) {
    if (i > 0 && sch.startPeriod(i) <= sch.startPeriod(i - 1)) return "InvalidSchedule";
    if (sch.limit(i) < 0) return "InvalidSchedule";
    const n = sch.numberPhases(i);
    if (n != NO_INT && (n < 1 || n > 3)) return "InvalidSchedule";
  }
  if (sch.duration != NO_INT && sch.duration < 0) return "InvalidSchedule";
  const kind = p.kind;
  if ((kind == Kind.Absolute || kind == Kind.Recurring) && sch.startSchedule == NO_TIME) return "InvalidSchedule";
  if (kind == Kind.Recurring && p.recurrency == NO_ENUM) return "InvalidSchedule";
  if (kind != Kind.Recurring && p.recurrency != NO_ENUM) return "InvalidSchedule";
  if (kind == Kind.Relative && sch.startSchedule != NO_TIME) return "InvalidSchedule";
  if (p.validFrom != NO_TIME && p.validTo != NO_TIME && p.validTo <= p.validFrom) return "InvalidSchedule";
  for (let i = 0; i < profiles.length; i++) {
    const x = profiles[i];
    if (x.p.id != p.id && x.evse == evse && x.p.purpose == purpose && x.p.stackLevel == p.stackLevel &&
        overlaps(x.p, p)) return "DuplicateProfile";
  }
  return null;
}

function overlaps(a: Profile, b: Profile): bool {
  const aFrom = a.validFrom != NO_TIME ? a.validFrom : i64.MIN_VALUE, aTo = a.validTo != NO_TIME ? a.validTo : NEVER;
  const bFrom = b.validFrom != NO_TIME ? b.validFrom : i64.MIN_VALUE, bTo = b.validTo != NO_TIME ? b.validTo : NEVER;
  return aFrom < bTo && bFrom < aTo;
}

/** Installs a checked profile, replacing one with the same id (K01.FR.05). Null, or why it was refused. */
export function install(evse: i32, p: Profile, txId: string): string | null {
  let slot = -1;
  for (let i = 0; i < profiles.length; i++) {
    if (profiles[i].p.id != p.id) continue;
    slot = profiles[i].slot;
    removeAt(profiles, i);
    break;
  }
  if (profiles.length >= MAX_PROFILES) return "OutOfStorage";
  const x = new Installed(evse, p, txId);
  x.slot = slot;
  profiles.push(x);
  countEntries();
  save(x);
  stale = true;
  info("smart charging: profile " + p.id.toString() + " installed on EVSE " + evse.toString());
  return null;
}

export function setChargingProfile(j: Json, r: i32, w: Writer): Served {
  const evse = intField(j, r, P.evseId);
  const p = Profile.read(j, field(j, r, P.chargingProfile));
  let why: string | null = intOf(V.SmartChargingEnabled) ? validate(evse, p) : "NotEnabled";
  if (why === null) why = install(evse, p, p.transactionId !== null ? p.transactionId! : "");
  answerStatus(w, E.ChargingProfileStatusEnumType, why === null ? ChargingProfileStatusEnumType.Accepted : ChargingProfileStatusEnumType.Rejected, why);
  if (why === null) enforce();
  return Served.Answered;
}

/** A TxProfile sent with RequestStartTransaction (K05): checked now, bound to the transaction when it starts. */
export function checkRemoteStartProfile(s: Session, p: Profile): string | null {
  if (!intOf(V.SmartChargingEnabled)) return "NotEnabled";
  if (p.purpose != Purpose.TxProfile) return "InvalidProfile";
  if (p.transactionId !== null) return "InvalidProfile";
  p.purpose = Purpose.TxDefaultProfile;   // the checks of a TxProfile need a running transaction
  const why = validate(s.evse, p);
  p.purpose = Purpose.TxProfile;
  return why;
}

// ---- ClearChargingProfile, GetChargingProfiles ----

export function clearChargingProfile(j: Json, r: i32, w: Writer): Served {
  let cleared = 0;
  const c = field(j, r, P.chargingProfileCriteria);
  const id = intField(j, r, P.chargingProfileId);
  const evse = c ? intField(j, c, P.evseId) : NO_INT;
  const purpose = c ? enumField(j, c, P.chargingProfilePurpose, E.ChargingProfilePurposeEnumType) : NO_ENUM;
  const level = c ? intField(j, c, P.stackLevel) : NO_INT;
  for (let i = profiles.length - 1; i >= 0; i--) {
    const x = profiles[i];
    let hit = id != NO_INT ? x.p.id == id : c != 0;
    if (hit && c) {
      if (evse != NO_INT && x.evse != evse) hit = false;
      if (purpose != NO_ENUM && x.p.purpose != purpose) hit = false;
      if (level != NO_INT && x.p.stackLevel != level) hit = false;
    }
    if (hit) { forget(x); removeAt(profiles, i); cleared++; }
  }
  answerStatus(w, E.ClearChargingProfileStatusEnumType, cleared ? ClearChargingProfileStatusEnumType.Accepted : ClearChargingProfileStatusEnumType.Unknown);
  if (cleared) { countEntries(); stale = true; enforce(); }
  return Served.Answered;
}

function matches(x: Installed, j: Json, r: i32): bool {
  const evse = intField(j, r, P.evseId);
  if (evse != NO_INT && x.evse != evse) return false;
  const c = field(j, r, P.chargingProfile);
  const purpose = enumField(j, c, P.chargingProfilePurpose, E.ChargingProfilePurposeEnumType);
  if (purpose != NO_ENUM && x.p.purpose != purpose) return false;
  const level = intField(j, c, P.stackLevel);
  if (level != NO_INT && x.p.stackLevel != level) return false;
  const ids = field(j, c, P.chargingProfileId);
  if (ids) {
    let hit = false;
    for (let e = j.first(ids); e; e = j.nextIn(ids, e)) if (<i32>j.num(e) == x.p.id) hit = true;
    if (!hit) return false;
  }
  const sources = field(j, c, P.chargingLimitSource);
  if (sources) {
    let hit = false;
    for (let e = j.first(sources); e; e = j.nextIn(sources, e)) if (enumOf(j, e, E.ChargingLimitSourceEnumType) == Source.CSO) hit = true;
    if (!hit) return false;
  }
  return true;
}

export function getChargingProfiles(j: Json, r: i32, w: Writer): Served {
  // One report per EVSE and per PROFILES_PER_REPORT profiles, in EVSE order; tbc on all but the last.
  const hits = new Array<Installed>();
  for (let e = 0; e <= sessions.length; e++) {
    for (let i = 0; i < profiles.length; i++) if (profiles[i].evse == e && matches(profiles[i], j, r)) hits.push(profiles[i]);
  }
  answerStatus(w, E.GetChargingProfileStatusEnumType, hits.length ? GetChargingProfileStatusEnumType.Accepted : GetChargingProfileStatusEnumType.NoProfiles);
  const requestId = intField(j, r, P.requestId);
  let i = 0;
  while (i < hits.length) {
    const evse = hits[i].evse;
    const b = rpc.call();
    b.obj();
    b.k(P.requestId); b.int(requestId);
    b.k(P.chargingLimitSource); b.en(E.ChargingLimitSourceEnumType, Source.CSO);
    b.k(P.chargingProfile); b.arr();
    for (let n = 0; i < hits.length && hits[i].evse == evse && n < PROFILES_PER_REPORT; n++) hits[i++].p.write(b);
    b.endArr();
    b.k(P.tbc); b.bool(i < hits.length);
    b.k(P.evseId); b.int(evse);
    b.endObj();
    rpc.enqueue(Action.ReportChargingProfiles);
  }
  return Served.Answered;
}

// ---- GetCompositeSchedule (K08) ----

export function getCompositeSchedule(j: Json, r: i32, w: Writer): Served {
  const evse = intField(j, r, P.evseId), duration = intField(j, r, P.duration);
  if (evse < 0 || evse > sessions.length || duration <= 0) {
    answerStatus(w, E.GenericStatusEnumType, GenericStatusEnumType.Rejected, duration <= 0 ? "InvalidValue" : "UnknownEvse");
    return Served.Answered;
  }
  const u = enumField(j, r, P.chargingRateUnit, E.ChargingRateUnitEnumType);
  const unit = u != NO_ENUM ? u : Unit.A;
  const phases = evse > 0 ? phasesFor(evse) : 3;
  const start = (utcNow() / 1000) * 1000, end = start + <i64>duration * 1000;
  relativeOrigin = start;
  w.obj();
  writeStatus(w, E.GenericStatusEnumType, GenericStatusEnumType.Accepted);
  w.k(P.schedule); w.obj();
  w.k(P.chargingSchedulePeriod); w.arr();
  let t = start;
  let last = NaN;
  let n = 0;
  while (t < end && n < <i32>intOf(V.PeriodsPerSchedule) * 4) {
    const a = compositeAt(evse, t);
    const limit = unit == Unit.A ? a : a * VOLTAGE * <f64>phases;
    if (limit != last) {
      w.obj();
      w.k(P.startPeriod); w.int((t - start) / 1000);
      w.k(P.limit); w.num(Math.round(limit * 10) / 10);
      if (unit == Unit.W) { w.k(P.numberPhases); w.int(phases); }
      w.endObj();
      last = limit;
      n++;
    }
    t = nextChange(t);
  }
  w.endArr();
  w.k(P.evseId); w.int(evse);
  w.k(P.duration); w.int(duration);
  w.k(P.scheduleStart); w.time(start);
  w.k(P.chargingRateUnit); w.en(E.ChargingRateUnitEnumType, unit);
  w.endObj();
  w.endObj();
  return Served.Answered;
}

// ---- external limits (K11-K14) ----

/** A limit from a local energy manager for an EVSE (0: the station), per phase in A; NaN lifts it. */
export function setEmsLimit(evse: i32, amps: f64): void {
  while (emsLimits.length <= sessions.length) emsLimits.push(NaN);
  const before = emsLimits[evse];
  if (before == amps || (isNaN(before) && isNaN(amps))) return;
  emsLimits[evse] = amps;
  stale = true;
  const w = rpc.call();
  w.obj();
  if (isNaN(amps)) {
    w.k(P.chargingLimitSource); w.en(E.ChargingLimitSourceEnumType, Source.EMS);
    if (evse > 0) { w.k(P.evseId); w.int(evse); }
    w.endObj();
    rpc.enqueue(Action.ClearedChargingLimit);
    info("smart charging: EMS limit lifted on " + (evse > 0 ? "EVSE " + evse.toString() : "the station"));
  } else {
    w.k(P.chargingSchedule); w.arr(); w.obj();
    w.k(P.id); w.int(evse);
    w.k(P.startSchedule); w.time(utcNow());
    w.k(P.chargingRateUnit); w.en(E.ChargingRateUnitEnumType, Unit.A);
    w.k(P.chargingSchedulePeriod); w.arr(); w.obj(); w.k(P.startPeriod); w.int(0); w.k(P.limit); w.num(amps); w.endObj(); w.endArr();
    w.endObj(); w.endArr();
    if (evse > 0) { w.k(P.evseId); w.int(evse); }
    w.k(P.chargingLimit); w.obj(); w.k(P.chargingLimitSource); w.en(E.ChargingLimitSourceEnumType, Source.EMS); w.endObj();
    w.endObj();
    rpc.enqueue(Action.NotifyChargingLimit);
    info("smart charging: EMS limit " + amps.toString() + " A on " + (evse > 0 ? "EVSE " + evse.toString() : "the station"));
  }
  enforce();
}

// ---- persistence (K01.FR.27: profiles survive a reboot; TxProfiles end with their transaction) ----

/** Each persisted profile has a store key of its own (a slot), so persisting one costs one small buffer and all
 *  MAX_PROFILES fit; an emptied slot reads as none. Written before this layout: one key holding an array. */
const SLOT_KEY = "smart-charging/profile/";
const OLD_KEY = "smart-charging/profiles";

const SLOT = memory.data(32);

/** The slot's store key, SLOT_KEY and the slot's number, built at SLOT (nothing allocated); returns its length. */
function slotKey(slot: i32): i32 {
  let n = SLOT_KEY.length;
  for (let i = 0; i < n; i++) store<u8>(SLOT + <usize>i, <u8>SLOT_KEY.charCodeAt(i));
  if (slot >= 10) { store<u8>(SLOT + <usize>n, <u8>(0x30 + slot / 10)); n++; }
  store<u8>(SLOT + <usize>n, <u8>(0x30 + slot % 10));
  return n + 1;
}

/** Persists a profile in its slot (a free one when it has none); TxProfiles are not persisted. */
function save(x: Installed): void {
  if (x.p.purpose == Purpose.TxProfile) { forget(x); return; }
  if (x.slot < 0) {
    let slot = 0;
    while (used(slot)) slot++;
    x.slot = slot;
  }
  // Written in the frame buffer's unused part: SetChargingProfile writes its answer after this.
  const w = rpc.scratch();
  w.obj(); w.key("evseId"); w.int(x.evse); w.key("profile"); x.p.write(w); w.endObj();
  if (w.overflow) warn("smart charging: profile " + x.p.id.toString() + " too large to persist");
  else if (store_write(SLOT, slotKey(x.slot), w.buf, w.pos) != 0) warn("smart charging: could not persist profile " + x.p.id.toString());
}

function used(slot: i32): bool {
  for (let i = 0; i < profiles.length; i++) if (profiles[i].slot == slot) return true;
  return false;
}

/** Empties a profile's slot. */
function forget(x: Installed): void {
  if (x.slot < 0) return;
  if (store_write(SLOT, slotKey(x.slot), 0, 0) != 0) warn("smart charging: could not remove stored profile " + x.p.id.toString());
  x.slot = -1;
}

/** Reads the JSON stored under key onto the engine's tape (node 0); its length, 0 when there is none, -1 when it is
 *  larger than cap or unreadable (logged). */
function readStored(key: usize, keyLen: i32, buf: usize, cap: i32): i32 {
  const n = store_read(key, keyLen, buf, cap);
  if (n == -2) { error("smart charging: a stored profile record exceeds " + cap.toString() + " bytes; dropped"); return -1; }
  if (n <= 0) return 0;
  const j = rpc.j;   // no frame is being handled at init
  if (j.parse(buf, n) != JsonError.None) { warn("smart charging: dropped an unreadable stored profile"); return -1; }
  return n;
}

/** A stored {"evseId": n, "profile": {...}} at tape node e: installed (slot -1 for now), or warned about. */
function restore(e: i32, slot: i32): void {
  const j = rpc.j;
  let evse = -1, pn = 0;
  resetDecode();
  if (j.kindOf(e) == K.Obj) for (let key = j.first(e); key; key = j.nextKey(e, key)) {
    if (j.is(key, "evseId") && j.kindOf(key + 1) == K.Num) evse = <i32>j.num(key + 1);
    else if (j.is(key, "profile")) pn = key + 1;
  }
  if (!pn || !check(j, pn, T.ChargingProfileType) || evse < 0 || evse > sessions.length || profiles.length >= MAX_PROFILES) {
    warn("smart charging: dropped an unreadable stored profile");
    return;
  }
  const x = new Installed(evse, Profile.read(j, pn), "");
  x.slot = slot;
  profiles.push(x);
}

export function loadProfiles(): void {
  while (emsLimits.length <= sessions.length) emsLimits.push(NaN);
  // Read into the frame buffer, which init does not use otherwise.
  const w = rpc.scratch(), buf = w.buf, cap = w.cap;
  for (let slot = 0; slot < MAX_PROFILES; slot++) if (readStored(SLOT, slotKey(slot), buf, cap) > 0) restore(0, slot);
  const old = utf8(OLD_KEY);
  const n = readStored(ptr(old), old.byteLength, buf, cap);
  if (n > 0) {
    const j = rpc.j;
    const moved = new Array<Installed>();
    // The layout before slots: one key holding an array. Its profiles move into slots, then it is emptied.
    if (j.kindOf(0) == K.Arr) {
      for (let e = j.first(0); e; e = j.nextIn(0, e)) {
        const before = profiles.length;
        restore(e, -1);
        if (profiles.length > before) moved.push(profiles[profiles.length - 1]);
      }
    } else warn("smart charging: stored profiles unreadable; starting without");
    for (let i = 0; i < moved.length; i++) save(moved[i]);
  }
  if (n != 0) store_write(ptr(old), old.byteLength, 0, 0);
  countEntries();
}
