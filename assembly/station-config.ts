// The station configuration handed to init(): identity, CSMS, hardware layout and
// factory defaults. Described by schemas/station-config.schema.json.
import { Json, K, JsonError } from "./json/reader";

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
  error: string = "";
}

function str(j: Json, n: i32, field: string, cfg: StationConfig): string {
  if (j.kindOf(n) != K.Str) { cfg.error = field + " must be a string"; return ""; }
  return j.str(n);
}

function int(j: Json, n: i32, field: string, cfg: StationConfig): i32 {
  if (j.kindOf(n) != K.Num || !j.isIntegral(n)) { cfg.error = field + " must be an integer"; return 0; }
  return <i32>j.num(n);
}

export function parseConfig(j: Json, ptr: usize, len: i32): StationConfig {
  const cfg = new StationConfig();
  if (j.parse(ptr, len) != JsonError.None || j.kindOf(0) != K.Obj) { cfg.error = "config is not a JSON object"; return cfg; }
  let profileGiven = false;
  for (let k = j.first(0); k && !cfg.error.length; k = j.nextKey(0, k)) {
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
    else cfg.error = "unknown config key " + j.str(k);
  }
  if (cfg.error.length) return cfg;
  if (!cfg.csmsUrl.length || !cfg.identity.length || !cfg.vendorName.length || !cfg.model.length) {
    cfg.error = "csmsUrl, identity, vendorName and model are required";
  } else if (cfg.evses.length == 0) cfg.error = "at least one EVSE is required";
  if (!profileGiven) cfg.securityProfile = cfg.password.length ? 1 : 0;
  return cfg;
}

function parseEvses(j: Json, a: i32, cfg: StationConfig): void {
  if (j.kindOf(a) != K.Arr) { cfg.error = "evses must be an array"; return; }
  for (let e = j.first(a); e && !cfg.error.length; e = j.nextIn(a, e)) {
    if (j.kindOf(e) != K.Obj) { cfg.error = "each EVSE must be an object"; return; }
    const evse = new EvseConfig();
    evse.phases = cfg.phases;
    for (let k = j.first(e); k && !cfg.error.length; k = j.nextKey(e, k)) {
      const v = k + 1;
      if (j.is(k, "connectors")) {
        if (j.kindOf(v) != K.Arr) { cfg.error = "connectors must be an array"; return; }
        for (let c = j.first(v); c; c = j.nextIn(v, c)) evse.connectors.push(str(j, c, "connector type", cfg));
      } else if (j.is(k, "phases")) evse.phases = int(j, v, "phases", cfg);
      else if (j.is(k, "maxPowerW")) evse.maxPowerW = j.num(v);
      else cfg.error = "unknown EVSE key " + j.str(k);
    }
    if (evse.connectors.length == 0 && !cfg.error.length) cfg.error = "each EVSE needs at least one connector";
    cfg.evses.push(evse);
  }
}

function parseDefaults(j: Json, a: i32, cfg: StationConfig): void {
  if (j.kindOf(a) != K.Arr) { cfg.error = "defaults must be an array"; return; }
  for (let e = j.first(a); e && !cfg.error.length; e = j.nextIn(a, e)) {
    if (j.kindOf(e) != K.Obj) { cfg.error = "each default must be an object"; return; }
    const d = new DefaultValue();
    for (let k = j.first(e); k && !cfg.error.length; k = j.nextKey(e, k)) {
      const v = k + 1;
      if (j.is(k, "component")) d.component = str(j, v, "component", cfg);
      else if (j.is(k, "evse")) d.evse = int(j, v, "evse", cfg);
      else if (j.is(k, "connector")) d.connector = int(j, v, "connector", cfg);
      else if (j.is(k, "variable")) d.variable = str(j, v, "variable", cfg);
      else if (j.is(k, "instance")) d.instance = str(j, v, "instance", cfg);
      else if (j.is(k, "value")) d.value = str(j, v, "value", cfg);
      else cfg.error = "unknown default key " + j.str(k);
    }
    cfg.defaults.push(d);
  }
}
