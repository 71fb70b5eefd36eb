// The engine's exports. The host calls in; the engine answers through hal.ts.
import "./core/text";
import { BootReasonEnumType } from "./generated/ocpp";
import { MAX_FRAME } from "./config";
import { rpc } from "./rpc/rpc";
import { conn, Link } from "./blocks/connection";
import { now, rescheduled, clearRescheduled } from "./core/clock";
import { error, info, warn } from "./core/log";
import { parseConfig } from "./station-config";
import { build, applyDefaults } from "./device-model/standard";
import { V } from "./generated/ocpp";
import { intOf } from "./device-model/model";
import { prov } from "./blocks/provisioning";
import { addConnector, flush, markAll } from "./blocks/availability";
import { Session, sessions, session, earliest } from "./blocks/transactions";
import { presentToken } from "./blocks/authorization";
import { alignedTick } from "./blocks/aligned-data";
import { resetReady, resetBootReason, resetPending, loadAvailability } from "./blocks/remote-control";
import { Pilot } from "./evse/pilot";
import { meterStale } from "./blocks/metering";
import { loadProfiles, smartTick, setEmsLimit } from "./blocks/smart-charging";
import { onCall, onResult, onFailure } from "./dispatch";
import { journal } from "./rpc/journal";
import { reboot } from "./hal";
import { TriggerReasonEnumType as TR, IdTokenEnumType } from "./generated/ocpp";

let started = false;
/** Set once reboot() was asked for: this engine does nothing more while the host replaces it. */
let rebooting = false;

/** Starts the engine from a station-config JSON. Returns 0, or 1 when the config is invalid (logged). */
export function init(cfgPtr: usize, cfgLen: i32, bootReason: i32): i32 {
  if (started) { error("init: already started"); return 1; }
  const cfg = parseConfig(rpc.j, cfgPtr, cfgLen);
  if (cfg.failed) return 1;
  build(cfg);
  const bad = applyDefaults(cfg);
  if (bad !== null) { error("init: defaults: " + bad); return 1; }
  for (let e = 0; e < cfg.evses.length; e++) {
    const ev = cfg.evses[e];
    for (let c = 0; c < ev.connectors.length; c++) addConnector(e + 1, c + 1);
    sessions.push(new Session(e + 1, ev.connectors.length, ev.phases, ev.maxPowerW / (230 * <f64>ev.phases)));
  }
  // Whatever the outputs were before this start (a reboot, a trap, a power cut), they are made safe before any input counts.
  for (let i = 0; i < sessions.length; i++) sessions[i].makeSafe();
  loadAvailability();
  journal.open();
  for (let i = 0; i < sessions.length; i++) sessions[i].endCut();
  // The config's parsing (and the above) leaves garbage behind: collected before the stored profiles take their memory.
  __collect();
  loadProfiles();
  for (let i = 0; i < sessions.length; i++) sessions[i].refresh();
  prov.cfg = cfg;
  prov.bootReason = bootReason >= 0 && bootReason <= <i32>BootReasonEnumType.Watchdog ? <BootReasonEnumType>bootReason : BootReasonEnumType.PowerUp;
  rpc.onCall = onCall;
  rpc.onResult = onResult;
  rpc.onFailure = onFailure;
  rpc.mayStart = (a) => prov.mayStart(a);
  conn.url = cfg.csmsUrl;
  conn.identity = cfg.identity;
  started = true;
  info("init: " + cfg.vendorName + " " + cfg.model + ", " + cfg.evses.length.toString() + " EVSE(s)");
  conn.dial();
  __collect();   // and what restoring the profiles left: the session starts from the live heap alone
  return 0;
}

/** The transport came up (1) or went down / failed to connect (0). */
export function on_connection(up: i32): void {
  if (!started) return;
  meterStale();
  if (up) {
    conn.up();
    rpc.connected = true;
    rpc.lastActivity = now();
    if (prov.registration == 0 || prov.bootAt >= 0 && prov.bootAt <= now()) prov.sendBoot();
    else if (prov.accepted && now() - conn.downSince > intOf(V.OfflineThreshold) * 1000) markAll();
  } else {
    if (conn.state == Link.Down || conn.state == Link.Refused) return;
    rpc.disconnected();
    conn.down();
  }
  service();
}

/** One text frame from the CSMS; ptr 0 means the host dropped a frame larger than alloc() allows. */
export function on_frame(ptr: usize, len: i32): void {
  if (!started) return;
  meterStale();
  rpc.receive(ptr, len);
  service();
}

/** Set by service(): nothing can change before `settledUntil` (absolute ms; -1: never) without an event, which
 *  calls service() itself (every entry ends with it). A tick before then answers at once: an idle board loop costs
 *  almost nothing. */
let settled = false;
let settledUntil: i64 = -1;

/** Runs due timers. Returns ms until the next deadline, or -1 when nothing is scheduled. */
export function tick(): i32 {
  if (!started) return -1;
  if (settled) {
    if (settledUntil < 0) return -1;
    const t = now();
    if (t < settledUntil) return <i32>min(settledUntil - t, <i64>i32.MAX_VALUE);
  }
  return service();
}

/** Board input kinds of on_board_event. */
const PILOT = 1, BAY = 2, CONTACTOR_FEEDBACK = 3, LOCK_FEEDBACK = 4, EMS_LIMIT = 5;

/** A board input on an EVSE: kind 1 pilot (value = state 0-5 for A-F, plus connector id << 8), 2 bay occupied (0/1),
 *  3 contactor feedback, 4 lock feedback, 5 external (EMS) limit in tenths of an ampere per phase, -1 to lift (evse 0: the station). */
export function on_board_event(evse: i32, kind: i32, value: i32): void {
  if (!started) return;
  meterStale();
  if (kind == EMS_LIMIT) {
    if (evse < 0 || evse > sessions.length) { error("board: no EVSE " + evse.toString()); return; }
    if (!intOf(V.ExternalControlSignalsEnabled)) { warn("smart charging: external limit ignored (ExternalControlSignalsEnabled is false)"); return; }
    setEmsLimit(evse, value < 0 ? NaN : <f64>value / 10);
    service();
    return;
  }
  const s = session(evse);
  if (s === null) { error("board: no EVSE " + evse.toString()); return; }
  if (kind == PILOT) {
    const state = value & 0xff;
    if (state > <i32>Pilot.F) { error("board: pilot state " + state.toString() + " out of range"); return; }
    const was = s.plugged;
    const c = value >> 8;
    if (c >= 1 && c <= s.connectors && !s.active) s.connector = c;
    s.pilot = <Pilot>state;
    s.apply(s.plugged && !was ? TR.CablePluggedIn : !s.plugged && was ? TR.EVCommunicationLost : TR.ChargingStateChanged);
  } else if (kind == BAY) {
    s.bay = value != 0;
    s.apply(s.bay ? TR.EVDetected : TR.EVDeparted);
  } else if (kind == CONTACTOR_FEEDBACK || kind == LOCK_FEEDBACK) {
    s.feedback(kind == CONTACTOR_FEEDBACK, value != 0);
  } else error("board: unknown event kind " + kind.toString());
  service();
}

/** An idToken presented at an EVSE's reader (evse 0: the station's reader); type is an IdTokenEnumType index. */
export function on_token(evse: i32, ptr: usize, len: i32, type: i32): void {
  if (!started) return;
  meterStale();
  if (type < 0 || type > <i32>IdTokenEnumType.NoAuthorization || len > 36 || (len <= 0 && type != <i32>IdTokenEnumType.NoAuthorization)) {
    error("board: invalid idToken");
    return;
  }
  presentToken(evse, String.UTF8.decodeUnsafe(ptr, len), <IdTokenEnumType>type);
  service();
}

function service(): i32 {
  settled = false;
  const t = now();
  meterStale();
  rpc.timeoutMs = intOf(V.MessageTimeout) * 1000;
  rpc.attempts = <i32>intOf(V.MessageAttemptsTx);
  rpc.attemptIntervalMs = intOf(V.MessageAttemptIntervalTx) * 1000;
  if (conn.state == Link.Up) rpc.expire(t);
  // What runs in one pass may set a deadline another part already reported (a smart-charging change point
  // starts a PWM offer whose EV response is due in 3 s): then every deadline is gathered once more.
  let next: i64 = -1;
  for (let pass = 0; pass < 3; pass++) {
    clearRescheduled();
    next = earliest(-1, conn.tick(t));
    for (let i = 0; i < sessions.length; i++) next = earliest(next, sessions[i].tick(t));
    next = earliest(next, alignedTick(prov.accepted));
    next = earliest(next, smartTick());
    if (rebooting) return -1;
    if (resetReady()) { rebooting = true; info("reset: rebooting"); reboot(<i32>resetBootReason); return -1; }
    if (conn.state == Link.Up) {
      if (prov.bootAt >= 0) {
        if (t >= prov.bootAt) prov.sendBoot(); else next = earliest(next, prov.bootAt - t);
      }
      if (prov.accepted && !rpc.busy && rpc.queued == 0) flush();
      if (prov.accepted && !rpc.busy && rpc.queued == 0) prov.reportStartup();
      rpc.pump();
      next = earliest(next, prov.heartbeat(t));
      next = earliest(next, rpc.until(t));
    }
    if (!rescheduled) break;
  }
  // A refused send waits for the transport's tick and a pending reset for the queue to drain: no shortcut then.
  settled = !resetPending() && !rebooting && !rpc.blocked;
  settledUntil = next < 0 ? -1 : t + next;
  return next < 0 ? -1 : <i32>min(next, <i64>i32.MAX_VALUE);
}


/** The one buffer for a frame being received (the host fills it, calls on_frame, then frees it). */
const RX: usize = memory.data(MAX_FRAME);
let rxTaken = false;

/** Room for an incoming frame (or the configuration); 0 when len exceeds the frame limit or the buffer is in use. */
export function alloc(len: i32): usize {
  if (len <= 0 || len > MAX_FRAME || rxTaken) return 0;
  rxTaken = true;
  return RX;
}

export function free(ptr: usize): void {
  if (ptr == RX) rxTaken = false;
}
