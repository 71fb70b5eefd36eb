// The engine's exports. The host calls in; the engine answers through hal.ts.
import { Json } from "./json/reader";
import { BootReasonEnumType } from "./generated/ocpp";
import { MAX_FRAME } from "./config";
import { rpc } from "./rpc/rpc";
import { conn, Link } from "./core/connection";
import { now } from "./core/clock";
import { error, info } from "./core/log";
import { parseConfig } from "./station-config";
import { build, applyDefaults, MessageTimeout, OfflineThreshold } from "./device-model/standard";
import { prov } from "./blocks/provisioning";
import { addConnector, flush, reportAll } from "./blocks/availability";
import { onCall, onResult, onFailure } from "./dispatch";

let started = false;

/** Starts the engine from a station-config JSON. Returns 0, or 1 when the config is invalid (logged). */
export function init(cfgPtr: usize, cfgLen: i32, bootReason: i32): i32 {
  if (started) { error("init: already started"); return 1; }
  const cfg = parseConfig(new Json(), cfgPtr, cfgLen);
  if (cfg.error.length) { error("init: " + cfg.error); return 1; }
  build(cfg);
  const bad = applyDefaults(cfg);
  if (bad !== null) { error("init: defaults: " + bad); return 1; }
  for (let e = 0; e < cfg.evses.length; e++) {
    for (let c = 0; c < cfg.evses[e].connectors.length; c++) addConnector(e + 1, c + 1);
  }
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
  return 0;
}

/** The transport came up (1) or went down / failed to connect (0). */
export function on_connection(up: i32): void {
  if (!started) return;
  if (up) {
    conn.up();
    rpc.connected = true;
    rpc.lastActivity = now();
    if (prov.registration == 0 || prov.bootAt >= 0 && prov.bootAt <= now()) prov.sendBoot();
    else if (prov.accepted && now() - conn.downSince > OfflineThreshold.int * 1000) reportAll();
  } else {
    if (conn.state == Link.Down) return;
    rpc.disconnected();
    conn.down();
  }
  service();
}

/** One text frame from the CSMS; ptr 0 means the host dropped a frame larger than alloc() allows. */
export function on_frame(ptr: usize, len: i32): void {
  if (!started) return;
  rpc.receive(ptr, len);
  service();
}

/** Runs due timers. Returns ms until the next deadline, or -1 when nothing is scheduled. */
export function tick(): i32 {
  if (!started) return -1;
  return service();
}

function service(): i32 {
  const t = now();
  rpc.timeoutMs = MessageTimeout.int * 1000;
  let next = earliest(-1, conn.tick(t));
  if (conn.state == Link.Up) {
    if (prov.bootAt >= 0) {
      if (t >= prov.bootAt) prov.sendBoot(); else next = earliest(next, prov.bootAt - t);
    }
    if (prov.accepted && !rpc.busy && rpc.queued == 0) flush();
    rpc.pump();
    next = earliest(next, prov.heartbeat(t));
    next = earliest(next, rpc.tick(t));
  }
  return next < 0 ? -1 : <i32>min(next, <i64>i32.MAX_VALUE);
}

function earliest(a: i64, b: i64): i64 {
  if (a < 0) return b;
  if (b < 0) return a;
  return min(a, b);
}

/** Room for an incoming frame; 0 when len exceeds the frame limit. */
export function alloc(len: i32): usize {
  if (len <= 0 || len > MAX_FRAME) return 0;
  return heap.alloc(<usize>len);
}

export function free(ptr: usize): void { if (ptr) heap.free(ptr); }
