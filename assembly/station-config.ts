// The station configuration handed to init(): identity, CSMS, hardware layout and
// factory defaults. Described by schemas/station-config.schema.json.
import { Json, K, JsonError } from "./json/reader";
import { error } from "./core/log";
import { MAX_EVSES, MAX_CONNECTORS } from "./config";

export class EvseConfig {
  connectors: string[] = [];     // ConnectorEnumType value per connector, e.g. "cType2"
  phases: i32 = 3;
  maxPowerW: f64 = 22000;
}

export class DefaultValue {
  component: string = "";
  evse: i32 = 0;
  connector: i32 = 0;
  variable: string = "";
  instance: string | null = null;
  value: string = "";
  given: bool = false;
}

export class StationConfig {
  csmsUrl: string = "";
  identity: string = "";
  password: string = "";
  securityProfile: i32 = 0;
  vendorName: string = "";
  model: string = "";
  serialNumber: string | null = null;
  firmwareVersion: string | null = null;
  phases: i32 = 3;
  evses: EvseConfig[] = [];
  defaults: DefaultValue[] = [];
  failed: bool = false;   // the reason is logged where it is found
}

function str(j: Json, n: i32, field: string, cfg: StationConfig): string {
  if (j.kindOf(n) != K.Str) { cfg.failed = true; error("init: " + field + " must be a string"); return ""; }
  return j.str(n);
}

function int(j: Json, n: i32, field: string, cfg: StationConfig): i32 {
  if (j.kindOf(n) != K.Num || !j.isIntegral(n)) { cfg.failed = true; error("init: " + field + " must be an integer"); return 0; }
  return <i32>j.num(n);
}

export function parseConfig(j: Json, ptr: usize, len: i32): StationConfig {
  const cfg = new StationConfig();
  if (j.parse(ptr, len) != JsonError.None || j.kindOf(0) != K.Obj) { cfg.failed = true; error("init: config is not a JSON object"); return cfg; }
  let profileGiven = false;
  for (let k = j.first(0); k && !cfg.failed; k = j.nextKey(0, k)) {
    const v = k + 1;
    if (j.is(k, "csmsUrl")) cfg.csmsUrl = str(j, v, "csmsUrl", cfg);
    else if (j.is(k, "identity")) cfg.identity = str(j, v, "identity", cfg);
    else if (j.is(k, "password")) cfg.password = str(j, v, "password", cfg);
    else if (j.is(k, "securityProfile")) { cfg.securityProfile = int(j, v, "securityProfile", cfg); profileGiven = true; }
    else if (j.is(k, "vendorName")) cfg.vendorName = str(j, v, "vendorName", cfg);
    else if (j.is(k, "model")) cfg.model = str(j, v, "model", cfg);
    else if (j.is(k, "serialNumber")) cfg.serialNumber = str(j, v, "serialNumber", cfg);
    else if (j.is(k, "firmwareVersion")) cfg.firmwareVersion = str(j, v, "firmwareVersion", cfg);
    else if (j.is(k, "phases")) cfg.phases = int(j, v, "phases", cfg);
    else if (j.is(k, "evses")) parseEvses(j, v, cfg);
    else if (j.is(k, "defaults")) parseDefaults(j, v, cfg);
    else { cfg.failed = true; error("init: unknown config key " + j.str(k)); }
  }
  if (cfg.failed) return cfg;
  if (!profileGiven) cfg.securityProfile = cfg.password.length ? 1 : 0;
  cfg.failed = !check(cfg);
  return cfg;
}

/** The rules of schemas/station-config.schema.json, with the messages both hosts print; false when one is broken (logged). */
function check(cfg: StationConfig): bool {
  if (!cfg.csmsUrl.length || !cfg.identity.length || !cfg.vendorName.length || !cfg.model.length) { error("init: csmsUrl, identity, vendorName and model are required"); return false; }
  const wss = cfg.csmsUrl.startsWith("wss://");
  if (!wss && !cfg.csmsUrl.startsWith("ws://")) { error("init: csmsUrl must start with ws:// or wss://"); return false; }
  if (cfg.identity.length > 48 || !identityChars(cfg.identity)) { error("init: identity must be 1 to 48 characters of A-Z a-z 0-9 * - _ = : + | @ ."); return false; }
  if (cfg.password.length && (cfg.password.length < 16 || cfg.password.length > 40)) { error("init: password must be 16 to 40 characters"); return false; }
  if (cfg.securityProfile < 0 || cfg.securityProfile > 3) { error("init: securityProfile must be 0, 1, 2 or 3"); return false; }
  if (cfg.securityProfile >= 2 && !wss) { error("init: securityProfile " + cfg.securityProfile.toString() + " needs a wss:// csmsUrl"); return false; }
  if ((cfg.securityProfile == 1 || cfg.securityProfile == 2) && !cfg.password.length) { error("init: securityProfile " + cfg.securityProfile.toString() + " needs a password"); return false; }
  if (cfg.vendorName.length > 50) { error("init: vendorName must be at most 50 characters"); return false; }
  if (cfg.model.length > 20) { error("init: model must be at most 20 characters"); return false; }
  const sn = cfg.serialNumber, fw = cfg.firmwareVersion;
  if (sn !== null && sn.length > 25) { error("init: serialNumber must be at most 25 characters"); return false; }
  if (fw !== null && fw.length > 50) { error("init: firmwareVersion must be at most 50 characters"); return false; }
  if (cfg.phases < 1 || cfg.phases > 3) { error("init: phases must be 1, 2 or 3"); return false; }
  if (cfg.evses.length == 0) { error("init: at least one EVSE is required"); return false; }
  if (cfg.evses.length > MAX_EVSES) { error("init: at most " + MAX_EVSES.toString() + " EVSEs fit this build's memory"); return false; }
  for (let e = 0; e < cfg.evses.length; e++) {
    const ev = cfg.evses[e];
    const at = "evses[" + e.toString() + "]";
    if (ev.connectors.length > MAX_CONNECTORS) { error("init: " + at + " has more than " + MAX_CONNECTORS.toString() + " connectors"); return false; }
    if (ev.phases < 1 || ev.phases > 3) { error("init: " + at + ".phases must be 1, 2 or 3"); return false; }
    if (!(ev.maxPowerW > 0) || !isFinite(ev.maxPowerW)) { error("init: " + at + ".maxPowerW must be a number above 0"); return false; }
  }
  for (let i = 0; i < cfg.defaults.length; i++) {
    const d = cfg.defaults[i];
    const at = "defaults[" + i.toString() + "]";
    if (!d.component.length || !d.variable.length || !d.given) { error("init: " + at + " needs component, variable and value"); return false; }
  }
  return true;
}

function identityChars(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 58) || (c >= 64 && c <= 90) || (c >= 97 && c <= 122) || c == 42 || c == 43 || c == 45 || c == 46 || c == 61 || c == 95 || c == 124;
    if (!ok) return false;
  }
  return true;
}

function parseEvses(j: Json, a: i32, cfg: StationConfig): void {
  if (j.kindOf(a) != K.Arr) { cfg.failed = true; error("init: evses must be an array"); return; }
  for (let e = j.first(a); e && !cfg.failed; e = j.nextIn(a, e)) {
    if (j.kindOf(e) != K.Obj) { cfg.failed = true; error("init: each EVSE must be an object"); return; }
    const evse = new EvseConfig();
    evse.phases = cfg.phases;
    for (let k = j.first(e); k && !cfg.failed; k = j.nextKey(e, k)) {
      const v = k + 1;
      if (j.is(k, "connectors")) {
        if (j.kindOf(v) != K.Arr) { cfg.failed = true; error("init: connectors must be an array"); return; }
        for (let c = j.first(v); c && !cfg.failed; c = j.nextIn(v, c)) evse.connectors.push(str(j, c, "connector type", cfg));
      } else if (j.is(k, "phases")) evse.phases = int(j, v, "phases", cfg);
      else if (j.is(k, "maxPowerW")) {
        if (j.kindOf(v) != K.Num) { cfg.failed = true; error("init: maxPowerW must be a number"); return; }
        evse.maxPowerW = j.num(v);
      }
      else { cfg.failed = true; error("init: unknown EVSE key " + j.str(k)); }
    }
    if (evse.connectors.length == 0 && !cfg.failed) { cfg.failed = true; error("init: each EVSE needs at least one connector"); }
    cfg.evses.push(evse);
  }
}

function parseDefaults(j: Json, a: i32, cfg: StationConfig): void {
  if (j.kindOf(a) != K.Arr) { cfg.failed = true; error("init: defaults must be an array"); return; }
  for (let e = j.first(a); e && !cfg.failed; e = j.nextIn(a, e)) {
    if (j.kindOf(e) != K.Obj) { cfg.failed = true; error("init: each default must be an object"); return; }
    const d = new DefaultValue();
    for (let k = j.first(e); k && !cfg.failed; k = j.nextKey(e, k)) {
      const v = k + 1;
      if (j.is(k, "component")) d.component = str(j, v, "component", cfg);
      else if (j.is(k, "evse")) { d.evse = int(j, v, "evse", cfg); if (!cfg.failed && d.evse < 1) { cfg.failed = true; error("init: a default's evse must be at least 1"); } }
      else if (j.is(k, "connector")) { d.connector = int(j, v, "connector", cfg); if (!cfg.failed && d.connector < 1) { cfg.failed = true; error("init: a default's connector must be at least 1"); } }
      else if (j.is(k, "variable")) d.variable = str(j, v, "variable", cfg);
      else if (j.is(k, "instance")) d.instance = str(j, v, "instance", cfg);
      else if (j.is(k, "value")) { d.value = str(j, v, "value", cfg); d.given = true; }
      else { cfg.failed = true; error("init: unknown default key " + j.str(k)); }
    }
    cfg.defaults.push(d);
  }
}
