// The station's device model at init: the generated table (schemas/device-model.json, with the spec's names from
// OCPP 2.0.1 Part 2 appendix 3) instantiated for this station's EVSEs and connectors, the values the station
// config gives, the config's defaults, then what the store holds.
import { V } from "../generated/ocpp";
import { instantiate, instances, instanceOf, assign, check, loadStored, find } from "./model";
import { StationConfig } from "../station-config";
import { MAX_FRAME } from "../config";

export function build(cfg: StationConfig): void {
  const connectors: i32[] = [];
  for (let e = 0; e < cfg.evses.length; e++) connectors.push(cfg.evses[e].connectors.length);
  instantiate(connectors);
  assign(V.SecurityProfile, cfg.securityProfile.toString());
  assign(V.Identity, cfg.identity);
  assign(V.BasicAuthPassword, cfg.password);
  assign(V.OrganizationName, cfg.vendorName);
  assign(V.SupplyPhases, cfg.phases.toString());
  assign(V.Model, cfg.model);
  assign(V.VendorName, cfg.vendorName);
  const frame = MAX_FRAME.toString();
  assign(V.BytesPerMessageGetVariables, frame);
  assign(V.BytesPerMessageSetVariables, frame);
  assign(V.BytesPerMessageGetReport, frame);
  for (let e = 1; e <= cfg.evses.length; e++) {
    const evse = cfg.evses[e - 1], phases = evse.phases.toString();
    assign(instanceOf(V.EvseSupplyPhases, e, 0), phases);
    for (let c = 1; c <= evse.connectors.length; c++) {
      assign(instanceOf(V.ConnectorType, e, c), evse.connectors[c - 1]);
      assign(instanceOf(V.ConnectorSupplyPhases, e, c), phases);
    }
  }
  for (let i = 0; i < instances(); i++) loadStored(i);
}

/** Station-config overrides of factory defaults; a persisted value still wins. */
export function applyDefaults(cfg: StationConfig): string | null {
  for (let i = 0; i < cfg.defaults.length; i++) {
    const d = cfg.defaults[i];
    const x = find(d.component, null, d.evse, d.connector, d.variable, d.instance);
    if (x < 0) return "unknown variable " + d.component + "." + d.variable;
    const why = check(x, d.value);
    if (why !== null) return d.component + "." + d.variable + ": " + why;
    assign(x, d.value);
    loadStored(x);
  }
  return null;
}
