// One charging session per EVSE: the IEC 61851 pilot and contactor, authorization
// state, and the OCPP transaction (E01-E15) with its TxStartPoint / TxStopPoint,
// seqNo, triggerReason, chargingState and meter values (J02).
import {
  Action, ChargingStateEnumType as CS, TriggerReasonEnumType as TR, ReasonEnumType, TransactionEventEnumType,
  ReadingContextEnumType as Ctx, ConnectorStatusEnumType, E, P,
} from "../generated/ocpp";
import { enumName } from "../messages/schema";
import { Token } from "./authorization";
import { NO_INT, NO_ENUM } from "../messages/codec";
import { pilot_set, contactor_set, lock_set } from "../hal";
import { now, utcNow, reschedule } from "../core/clock";
import { info, warn, error } from "../core/log";
import { rpc, newMessageId, DROPPED } from "../rpc/rpc";
import { saveTx, loadTx, journal, NOT_JOURNALED } from "../rpc/journal";
import { Pilot, dutyForAmps, DUTY_OFF, DUTY_UNAVAILABLE, pluggedIn, wantsEnergy, pilotFault } from "../evse/pilot";
import { setStatus } from "./availability";
import { show } from "../core/display";
import { say } from "../core/text";
import { readMeter, Field, Sample, sampled, writeMeterValue } from "./metering";
import { V, TX_POINTS } from "../generated/ocpp";
import { intOf, bitsOf } from "../device-model/model";

// TxStartPoint / TxStopPoint conditions: bits of the TX_POINTS list.
const P_EV: u32 = TX_POINTS.EVConnected, P_AUTH: u32 = TX_POINTS.Authorized, P_PPC: u32 = TX_POINTS.PowerPathClosed,
  P_ENERGY: u32 = TX_POINTS.EnergyTransfer, P_BAY: u32 = TX_POINTS.ParkingBayOccupancy;
@inline function startPoints(): u32 { return bitsOf(V.TxStartPoint); }
@inline function stopPoints(): u32 { return bitsOf(V.TxStopPoint); }

/** How long contactor or lock feedback may disagree with its command before the connector is Faulted. */
export const FEEDBACK_GRACE_MS: i64 = 1000;

/** How long an EV may take to answer a new PWM offer (B -> C) before it counts as SuspendedEV. */
export const EV_RESPONSE_MS: i64 = 3000;

/** How often the meter is read while a refused idToken's transaction may still take energy (MaxEnergyOnInvalidId). */
export const ENERGY_CAP_POLL_MS: i64 = 1000;

/** Samples kept for the Ended event (TxEndedInterval); when full, the oldest periodic one is dropped. */
export const MAX_ENDED_SAMPLES: i32 = 24;

export class Session {
  // inputs
  pilot: Pilot = Pilot.A;
  connector: i32 = 1;              // the connector the pilot belongs to
  bay: bool = false;
  /** ChangeAvailability targets (persisted); they take effect when no transaction runs. */
  wantEvse: bool = true;
  wantConnector: StaticArray<bool>;
  operative: bool = true;          // in effect for the active connector
  offeredLimit: f64;               // amps the EVSE may offer (hardware limit until smart charging)
  // authorization
  authorized: bool = false;
  token: Token | null = null;
  groupId: string | null = null;
  authorizedAt: i64 = 0;
  remoteStartId: i32 = NO_INT;
  stopReason: ReasonEnumType = NO_ENUM;
  forceEnd: bool = false;
  // outputs
  duty: i32 = -1;
  pwmSince: i64 = -1;              // when the PWM offer started, -1 while not offering
  contactor: bool = false;
  locked: bool = false;
  state: CS = CS.Idle;
  // transaction
  txId: string = "";
  seqNo: i32 = 0;
  tokenReported: bool = true;
  seen: u32 = 0;
  everPlugged: bool = false;
  txStartedAt: i64 = 0;
  txStartUtc: i64 = 0;
  startWh: f64 = NaN;
  nextUpdate: i64 = -1;
  nextEndedSample: i64 = -1;
  chargingSince: i64 = -1;
  chargingMs: i64 = 0;
  endedSamples: Sample[] = [];
  /** The meter's register at which a transaction whose idToken the CSMS refused is no longer offered energy (NaN:
   *  none), and whether it got there. */
  invalidUntilWh: f64 = NaN;
  energyCapped: bool = false;

  constructor(public evse: i32, public connectors: i32, public phases: i32, public maxAmps: f64) {
    this.offeredLimit = Math.floor(maxAmps * 10) / 10;
    this.wantConnector = new StaticArray<bool>(connectors + 1);
    for (let c = 0; c <= connectors; c++) this.wantConnector[c] = true;
  }

  /** Whether a connector may be used, by the station's, this EVSE's and the connector's availability. */
  usable(c: i32): bool { return stationOperative && this.wantEvse && this.wantConnector[c]; }

  /** Set while the contactor or lock feedback has contradicted its command for FEEDBACK_GRACE_MS: the connector is Faulted. */
  hardwareFault: bool = false;
  private contactorFb: i8 = -1;    // last feedback, -1 before any
  private lockFb: i8 = -1;
  private mismatchSince: i64 = -1;

  get active(): bool { return this.txId.length > 0; }

  /** Contactor or lock feedback from the board. Feedback lags its command, so only a lasting mismatch is a fault. */
  feedback(contactor: bool, closed: bool): void {
    if (contactor) this.contactorFb = closed ? 1 : 0; else this.lockFb = closed ? 1 : 0;
    this.checkFeedback();
  }

  /** Starts or stops the mismatch timer; a fault clears as soon as feedback and commands agree again. */
  private checkFeedback(): void {
    const bad = (this.contactorFb >= 0 && (this.contactorFb == 1) != this.contactor) || (this.lockFb >= 0 && (this.lockFb == 1) != this.locked);
    if (bad) { if (this.mismatchSince < 0) this.mismatchSince = now(); return; }
    this.mismatchSince = -1;
    if (this.hardwareFault) { this.hardwareFault = false; this.apply(TR.ChargingStateChanged); }
  }

  get plugged(): bool { return pluggedIn(this.pilot); }

  authorize(token: Token | null, groupId: string | null, trigger: TR, remoteStartId: i32 = NO_INT): void {
    this.authorized = true;
    this.token = token; this.groupId = groupId;
    this.authorizedAt = now();
    this.tokenReported = token === null;
    this.remoteStartId = remoteStartId;
    this.apply(trigger);
  }

  deauthorize(trigger: TR, reason: ReasonEnumType, forceEnd: bool = false): void {
    this.authorized = false;
    this.stopReason = reason;
    this.forceEnd = forceEnd;
    this.apply(trigger);
  }

  private chargingState(): CS {
    if (!this.plugged) return CS.Idle;
    if (!this.authorized) return CS.EVConnected;
    if (!this.allowed()) return CS.SuspendedEVSE;
    if (wantsEnergy(this.pilot)) return CS.Charging;
    // An EV that has not yet had time to answer the PWM offer is not suspending anything.
    return this.pwmSince < 0 || now() - this.pwmSince < EV_RESPONSE_MS ? CS.EVConnected : CS.SuspendedEV;
  }

  private allowed(): bool {
    return this.authorized && this.plugged && this.operative && !pilotFault(this.pilot) && !this.hardwareFault && this.offeredLimit >= 6 &&
      !this.energyCapped;
  }

  /** The CSMS refused this transaction's idToken and StopTxOnInvalidId is false: at most `wh` more than at its start. */
  limitEnergy(wh: i64): void {
    if (!this.active) return;
    const start = isNaN(this.startWh) ? readMeter(this.evse)[Field.EnergyWh] : this.startWh;
    this.invalidUntilWh = start + <f64>wh;
    this.checkEnergyCap();
    reschedule();
  }

  private checkEnergyCap(): void {
    if (this.energyCapped || isNaN(this.invalidUntilWh)) return;
    const wh = readMeter(this.evse)[Field.EnergyWh];
    if (isNaN(wh) || wh < this.invalidUntilWh) return;
    info("transactions: " + this.txId + " reached MaxEnergyOnInvalidId; energy no longer offered");
    this.energyCapped = true;
    this.apply(TR.ChargingStateChanged);
  }

  private conditions(state: CS): u32 {
    let c: u32 = 0;
    if (this.plugged) c |= P_EV;
    if (this.authorized) c |= P_AUTH;
    if (this.plugged && this.authorized) c |= P_PPC;
    if (state == CS.Charging) c |= P_ENERGY;
    if (this.bay) c |= P_BAY;
    return c;
  }

  /** Re-evaluates the session after an input changed; `trigger` is what changed. */
  apply(trigger: TR): void {
    reschedule();
    sessionsChanged = true;
    if (this.plugged != this.shownPlugged) {
      this.shownPlugged = this.plugged;
      if (!this.plugged || !this.authorized) this.message = "";
    }
    const state = this.chargingState();
    const changed = state != this.state;
    this.trackCharging(state);
    this.state = state;
    const startMask = startPoints(), stopMask = stopPoints();
    const cur = this.conditions(state);
    if (!this.active) {
      if (cur & startMask) this.start(trigger, state);
    } else {
      this.seen |= cur & stopMask;
      if (this.plugged) this.everPlugged = true;
      const lost = (this.seen & stopMask & ~cur) != 0;
      const nothingHolds = cur == 0 && this.everPlugged;
      const evSide = !this.plugged && !intOf(V.StopTxOnEVSideDisconnect);
      if (this.forceEnd || ((lost || nothingHolds) && !evSide)) this.end(trigger, state);
      else if (changed || explicit(trigger)) this.event(TransactionEventEnumType.Updated, trigger, state);
    }
    if (!this.active && !this.plugged && this.authorized && trigger == TR.EVCommunicationLost) this.authorized = false;
    this.outputs();
  }

  private outputs(): void {
    if (!this.active) this.operative = this.usable(this.connector);
    const allow = this.allowed();
    const duty = allow ? dutyForAmps(this.offeredLimit) : this.operative ? DUTY_OFF : DUTY_UNAVAILABLE;
    if (duty != this.duty) {
      const pwm = duty > DUTY_UNAVAILABLE && duty < DUTY_OFF;
      if (!pwm) this.pwmSince = -1;
      else if (this.pwmSince < 0) this.pwmSince = now();
      this.duty = duty;
      pilot_set(this.evse, duty);
    }
    const close = allow && wantsEnergy(this.pilot);
    if (close != this.contactor) { this.contactor = close; contactor_set(this.evse, close ? 1 : 0); }
    const lock = this.plugged && (this.authorized || this.active);
    if (lock != this.locked) { this.locked = lock; lock_set(this.evse, this.connector, lock ? 1 : 0); }
    const mismatch = (this.contactorFb >= 0 && (this.contactorFb == 1) != this.contactor) || (this.lockFb >= 0 && (this.lockFb == 1) != this.locked);
    if (!mismatch) this.mismatchSince = -1; else if (this.mismatchSince < 0) this.mismatchSince = now();
    this.state = this.chargingState();
    const fault = this.faulted;
    for (let c = 1; c <= this.connectors; c++) {
      const mine = c == this.connector;
      setStatus(this.evse, c, fault ? ConnectorStatusEnumType.Faulted
        : mine && this.active ? ConnectorStatusEnumType.Occupied
        : !this.usable(c) ? ConnectorStatusEnumType.Unavailable
        : mine && this.plugged ? ConnectorStatusEnumType.Occupied : ConnectorStatusEnumType.Available);
    }
    this.display();
  }

  /** The pilot reports an error or the contactor/lock does not follow its command: the connector is Faulted. */
  get faulted(): bool { return pilotFault(this.pilot) || this.hardwareFault; }

  // ---- the driver's display: what is happening now, or the last thing that happened to the driver's card or session ----
  message: string = "";             // the last event's text; cleared when a cable is plugged in or out
  private shown: string = "";
  private shownSay: Say = Say.Message;
  private shownPlugged: bool = false;

  /** Tells the driver about an event (an authorization result, an ended session) until the situation changes. */
  tell(text: string): void { this.message = text; this.display(); }

  private display(): void {
    const what = this.faulted ? Say.OutOfOrder
      : this.state == CS.Charging ? Say.Charging
      : this.state == CS.SuspendedEV ? Say.PausedByEV
      : this.state == CS.SuspendedEVSE ? Say.PausedByEVSE
      : !this.authorized || this.message.length ? Say.Message
      : this.plugged ? Say.Authorized : Say.PlugIn;
    if (what == this.shownSay && (what != Say.Message || this.message == this.shown)) return;
    const text = what == Say.Message ? this.message : sayText(what);
    this.shownSay = what;
    if (text != this.shown) { this.shown = text; show(this.evse, text); }
  }

  /** Commands the contactor open and every cable lock released, whatever the engine last commanded. */
  makeSafe(): void {
    this.contactor = false;
    contactor_set(this.evse, 0);
    this.locked = false;
    for (let c = 1; c <= this.connectors; c++) lock_set(this.evse, c, 0);
  }

  /** Re-applies outputs and statuses after an availability change. */
  refresh(): void { this.outputs(); }

  private trackCharging(state: CS): void {
    const t = now();
    if (state == CS.Charging && this.chargingSince < 0) this.chargingSince = t;
    if (state != CS.Charging && this.chargingSince >= 0) { this.chargingMs += t - this.chargingSince; this.chargingSince = -1; }
  }

  /** At start-up: a transaction the last run left open (a power failure cut it) is ended, PowerLoss, with the next
   *  seqNo and the meter's register now. */
  endCut(): void {
    const cut = loadTx(this.evse, rpc.scratch().buf);
    if (cut === null) return;
    // The event the state was written for may not have reached the journal: then its seqNo is free again.
    const seq = cut.landed ? cut.nextSeq : cut.nextSeq - 1;
    if ((cut.ended && cut.landed) || seq <= 0) {
      // Ended and queued, or never reported (its Started did not reach the journal): nothing is open.
      saveTx(this.evse, "", 0, 0, 0, false, rpc.scratch().buf);
      return;
    }
    this.txId = cut.txId;
    this.seqNo = seq;
    if (cut.connector >= 1 && cut.connector <= this.connectors) this.connector = cut.connector;
    this.tokenReported = true;
    warn("transactions: " + this.txId + " on EVSE " + this.evse.toString() + " was cut by a power failure; ended (PowerLoss)");
    this.event(TransactionEventEnumType.Ended, TR.AbnormalCondition, <CS>NO_ENUM, ReasonEnumType.PowerLoss);
    this.txId = "";
  }

  private start(trigger: TR, state: CS): void {
    this.txId = newMessageId();
    this.seqNo = 0;
    this.seen = 0;
    this.everPlugged = this.plugged;
    this.txStartedAt = now();
    this.txStartUtc = utcNow();
    this.chargingMs = 0;
    this.chargingSince = state == CS.Charging ? this.txStartedAt : -1;
    this.endedSamples = [];
    this.invalidUntilWh = NaN;
    this.energyCapped = false;
    const up = intOf(V.TxUpdatedInterval) * 1000, ended = intOf(V.TxEndedInterval) * 1000;
    this.nextUpdate = up > 0 ? this.txStartedAt + up : -1;
    this.nextEndedSample = ended > 0 ? this.txStartedAt + ended : -1;
    this.seen = this.conditions(state) & stopPoints();
    info("transactions: " + this.txId + " started on EVSE " + this.evse.toString() + " (" + enumName(E.TriggerReasonEnumType, trigger) + ")");
    this.startWh = readMeter(this.evse)[Field.EnergyWh];
    this.event(TransactionEventEnumType.Started, trigger, state);
  }

  private end(trigger: TR, state: CS): void {
    const reason = this.stopReason != NO_ENUM ? this.stopReason
      : !this.plugged ? ReasonEnumType.EVDisconnected
      : !this.authorized ? ReasonEnumType.Local
      // Energy was on offer but the EV stopped taking it (TC_E_22_CS), whether or not it is already counted SuspendedEV.
      : this.allowed() && !wantsEnergy(this.pilot) ? ReasonEnumType.StoppedByEV : ReasonEnumType.Other;
    this.trackCharging(CS.Idle);
    this.event(TransactionEventEnumType.Ended, trigger, state, reason);
    info("transactions: " + this.txId + " ended (" + enumName(E.TriggerReasonEnumType, trigger) + ")");
    const wh = readMeter(this.evse)[Field.EnergyWh] - this.startWh;
    this.message = isNaN(wh) ? say("Session ended") : say("Session ended: ") + (Math.round(wh / 10) / 100).toString() + say(" kWh");
    this.txId = "";
    this.authorized = false;
    this.token = null; this.groupId = null;
    this.remoteStartId = NO_INT;
    this.stopReason = NO_ENUM;
    this.forceEnd = false;
    this.nextUpdate = -1; this.nextEndedSample = -1;
    this.endedSamples = [];
    this.invalidUntilWh = NaN;
    this.energyCapped = false;
  }

  /** Queues one TransactionEvent of this session's transaction, with a MeterValue of `extra` (measurand list bits) if it
   *  has values. An Ended event that would not fit a frame with all its TxEnded samples keeps the newest that fit:
   *  the end of a transaction is never dropped for its samples. */
  event(type: TransactionEventEnumType, trigger: TR, state: CS, reason: ReasonEnumType = NO_ENUM, extra: u32 = 0, extraCtx: Ctx = Ctx.Sample_Periodic): void {
    const seq = this.seqNo++;
    const isEnded = type == TransactionEventEnumType.Ended;
    saveTx(this.evse, this.txId, this.seqNo, this.connector, journal.tail, isEnded, rpc.scratch().buf);
    const remoteStartId = this.remoteStartId;
    this.remoteStartId = NO_INT;
    const token: Token | null = this.tokenReported ? null : this.token;
    this.tokenReported = true;
    const ev = this.evse, ph = this.phases;
    // The measurands each MeterValue reports (0: none), read once however often the payload is written.
    const extraBits = sampled(ev, extra, ph);
    const startedBits = type == TransactionEventEnumType.Started ? sampled(ev, bitsOf(V.TxStartedMeasurands), ph) : 0;
    const endedBits = isEnded ? sampled(ev, bitsOf(V.TxEndedMeasurands), ph) : 0;
    const all = isEnded ? this.endedSamples.length : 0;
    let keep = all;
    while (this.writeEvent(type, trigger, state, reason, extraBits, extraCtx, startedBits, endedBits, seq, remoteStartId, token, keep) && keep > 0) keep >>= 1;
    if (keep < all) {
      // Halving may have dropped more than needed: samples are added back while they fit, then the last fit is written.
      while (keep < all && !this.writeEvent(type, trigger, state, reason, extraBits, extraCtx, startedBits, endedBits, seq, remoteStartId, token, keep + 1)) keep++;
      if (keep < all) this.writeEvent(type, trigger, state, reason, extraBits, extraCtx, startedBits, endedBits, seq, remoteStartId, token, keep);
      warn("transactions: the Ended event of " + this.txId + " carries the last " + keep.toString() + " of " + all.toString() + " TxEnded samples (frame limit)");
    }
    const kept = rpc.enqueueTx(this.txId, trigger == TR.MeterValuePeriodic);
    // Not in the journal: a dropped event gives its seqNo back (the next one takes it); one sent from memory only counts.
    if (kept == DROPPED) this.seqNo = seq;
    if (kept < 0) saveTx(this.evse, this.txId, this.seqNo, this.connector, NOT_JOURNALED, isEnded && kept != DROPPED, rpc.scratch().buf);
  }

  /** Writes the event's payload with the newest `samples` TxEnded samples; true when it did not fit. */
  private writeEvent(type: TransactionEventEnumType, trigger: TR, state: CS, reason: ReasonEnumType, extraBits: u32, extraCtx: Ctx,
                     startedBits: u32, endedBits: u32, seq: i32, remoteStartId: i32, token: Token | null, samples: i32): bool {
    const ev = this.evse, ph = this.phases, isEnded = type == TransactionEventEnumType.Ended;
    const w = rpc.callTx();
    w.obj();
    w.k(P.eventType); w.en(E.TransactionEventEnumType, type);
    if (extraBits || startedBits || endedBits || samples > 0) {
      w.k(P.meterValue); w.arr();
      if (extraBits) writeMeterValue(w, ev, extraBits, extraCtx, ph);
      if (startedBits) writeMeterValue(w, ev, startedBits, Ctx.Transaction_Begin, ph);
      for (let i = this.endedSamples.length - samples; i < this.endedSamples.length; i++) this.endedSamples[i].write(w);
      if (endedBits) writeMeterValue(w, ev, endedBits, Ctx.Transaction_End, ph);
      w.endArr();
    }
    w.k(P.timestamp); w.time(utcNow());
    w.k(P.triggerReason); w.en(E.TriggerReasonEnumType, trigger);
    w.k(P.seqNo); w.int(seq);
    if (!rpc.connected) { w.k(P.offline); w.bool(true); }   // generated while the CSMS could not be reached (E11, E12)
    w.k(P.transactionInfo); w.obj();
    w.k(P.transactionId); w.str(this.txId);
    if (state >= 0) { w.k(P.chargingState); w.en(E.ChargingStateEnumType, state); }
    const charging = this.chargingMs + (this.chargingSince >= 0 ? now() - this.chargingSince : 0);
    if (charging > 0) { w.k(P.timeSpentCharging); w.int(charging / 1000); }
    if (isEnded && reason >= 0) { w.k(P.stoppedReason); w.en(E.ReasonEnumType, reason); }
    if (remoteStartId != NO_INT) { w.k(P.remoteStartId); w.int(remoteStartId); }
    w.endObj();
    w.k(P.evse); w.obj(); w.k(P.id); w.int(ev); w.k(P.connectorId); w.int(this.connector); w.endObj();
    if (token !== null) { w.k(P.idToken); token.write(w); }
    w.endObj();
    return w.overflow;
  }

  keepEndedSample(s: Sample): void {
    if (this.endedSamples.length >= MAX_ENDED_SAMPLES) this.endedSamples.shift();
    this.endedSamples.push(s);
  }

  /** Timers: EVConnectionTimeOut, TxUpdatedInterval, TxEndedInterval. Returns ms until the next, or -1. */
  tick(t: i64): i64 {
    let next: i64 = -1;
    if (this.authorized && !this.plugged && !this.active) {
      const due = this.authorizedAt + intOf(V.EVConnectionTimeOut) * 1000;
      if (t >= due) {
        info("transactions: EV not connected within EVConnectionTimeOut on EVSE " + this.evse.toString());
        this.message = say("Authorization expired: no cable plugged in");
        this.deauthorize(TR.EVConnectTimeout, ReasonEnumType.Timeout);
      } else next = due - t;
    }
    if (this.active && this.authorized && !this.everPlugged) {
      const due = this.authorizedAt + intOf(V.EVConnectionTimeOut) * 1000;
      if (t >= due) {
        info("transactions: EV not connected within EVConnectionTimeOut on EVSE " + this.evse.toString());
        this.deauthorize(TR.EVConnectTimeout, ReasonEnumType.Timeout);
      } else next = earliest(next, due - t);
    }
    if (this.mismatchSince >= 0 && !this.hardwareFault) {
      const due = this.mismatchSince + FEEDBACK_GRACE_MS;
      if (t >= due) {
        error("board: EVSE " + this.evse.toString() + " contactor or lock does not follow its command");
        this.hardwareFault = true;
        this.apply(TR.AbnormalCondition);
      } else next = earliest(next, due - t);
    }
    if (this.state == CS.EVConnected && this.allowed() && this.pwmSince >= 0) {
      const due = this.pwmSince + EV_RESPONSE_MS;
      if (t >= due) this.apply(TR.ChargingStateChanged);
      else next = earliest(next, due - t);
    }
    if (this.active && !this.energyCapped && !isNaN(this.invalidUntilWh)) {
      this.checkEnergyCap();
      if (!this.energyCapped) next = earliest(next, ENERGY_CAP_POLL_MS);
    }
    if (this.active && this.nextUpdate >= 0) {
      if (t >= this.nextUpdate) {
        const step = intOf(V.TxUpdatedInterval) * 1000;
        while (this.nextUpdate <= t) this.nextUpdate += step > 0 ? step : 1 << 30;
        this.event(TransactionEventEnumType.Updated, TR.MeterValuePeriodic, this.state, NO_ENUM, bitsOf(V.TxUpdatedMeasurands), Ctx.Sample_Periodic);
      }
      next = earliest(next, this.nextUpdate - t);
    }
    if (this.active && this.nextEndedSample >= 0) {
      if (t >= this.nextEndedSample) {
        const step = intOf(V.TxEndedInterval) * 1000;
        while (this.nextEndedSample <= t) this.nextEndedSample += step > 0 ? step : 1 << 30;
        const bits = sampled(this.evse, bitsOf(V.TxEndedMeasurands), this.phases);
        if (bits) this.keepEndedSample(new Sample(this.evse, bits, Ctx.Sample_Periodic, this.phases));
      }
      next = earliest(next, this.nextEndedSample - t);
    }
    return next;
  }

  describe(): string {
    return "EVSE " + this.evse.toString() + ": " + enumName(E.ChargingStateEnumType, this.state);
  }
}

/** What the display shows besides the session's last message. */
const enum Say { Message, OutOfOrder, Charging, PausedByEV, PausedByEVSE, Authorized, PlugIn }

function sayText(s: Say): string {
  switch (s) {
    case Say.OutOfOrder: return say("Out of order");
    case Say.Charging: return say("Charging");
    case Say.PausedByEV: return say("Charging paused by the vehicle");
    case Say.PausedByEVSE: return say("Charging paused by the station");
    case Say.Authorized: return say("Authorized");
    default: return say("Authorized - please plug in");
  }
}

/** Triggers that are reported even when the charging state did not change. */
function explicit(t: TR): bool {
  return t == TR.Authorized || t == TR.RemoteStart || t == TR.StopAuthorized || t == TR.RemoteStop ||
    t == TR.Deauthorized || t == TR.Trigger || t == TR.EVConnectTimeout || t == TR.ChargingRateChanged ||
    t == TR.ResetCommand || t == TR.AbnormalCondition;
}

export function earliest(a: i64, b: i64): i64 {
  if (a < 0) return b;
  if (b < 0) return a;
  return min(a, b);
}

export const sessions: Session[] = [];
/** Set whenever a session re-evaluates (plug, authorization, state): the smart-charging limits depend on it. */
let sessionsChanged = true;
export function takeSessionsChanged(): bool { const c = sessionsChanged; sessionsChanged = false; return c; }
/** The station-wide ChangeAvailability target. */
export let stationOperative = true;
export function setStationOperative(v: bool): void { stationOperative = v; }

export function session(evse: i32): Session | null {
  return evse >= 1 && evse <= sessions.length ? sessions[evse - 1] : null;
}

export function sessionByTx(id: string): Session | null {
  for (let i = 0; i < sessions.length; i++) if (sessions[i].active && sessions[i].txId == id) return sessions[i];
  return null;
}
