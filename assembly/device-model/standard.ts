// The components and variables this build implements, with the spec's names
// (OCPP 2.0.1 Part 2 appendix, "standardized components and variables").
import { DataEnumType as D, MutabilityEnumType as M } from "../generated/ocpp";
import { DeviceModel, Variable } from "./model";
import { StationConfig } from "../station-config";
import { MAX_FRAME } from "../config";

export const dm = new DeviceModel();

// Handles the engine reads directly; set by build().
export let HeartbeatInterval!: Variable;
export let MessageTimeout!: Variable;
export let OfflineThreshold!: Variable;
export let RetryBackOffWaitMinimum!: Variable;
export let RetryBackOffRandomRange!: Variable;
export let RetryBackOffRepeatTimes!: Variable;
export let ItemsPerMessageGetVariables!: Variable;
export let ItemsPerMessageSetVariables!: Variable;
export let BytesPerMessageGetVariables!: Variable;
export let BytesPerMessageSetVariables!: Variable;
export let SecurityProfile!: Variable;
export let Identity!: Variable;
export let BasicAuthPassword!: Variable;
export let DateTime!: Variable;
export let AuthEnabled!: Variable;
export let AuthorizeRemoteStart!: Variable;
export let EVConnectionTimeOut!: Variable;
export let StopTxOnEVSideDisconnect!: Variable;
export let StopTxOnInvalidId!: Variable;
export let TxStartPoint!: Variable;
export let TxStopPoint!: Variable;
export let TxStartedMeasurands!: Variable;
export let TxUpdatedMeasurands!: Variable;
export let TxUpdatedInterval!: Variable;
export let TxEndedMeasurands!: Variable;
export let TxEndedInterval!: Variable;
export let AlignedInterval!: Variable;
export let AlignedMeasurands!: Variable;
export let AlignedTxEndedInterval!: Variable;
export let AlignedTxEndedMeasurands!: Variable;
export let AlignedSendDuringIdle!: Variable;
export let SmartChargingEnabled!: Variable;
export let SmartChargingEntries!: Variable;
export let PeriodsPerSchedule!: Variable;
export let ProfileStackLevel!: Variable;
export let LimitChangeSignificance!: Variable;
export let ExternalControlSignalsEnabled!: Variable;

const RW = M.ReadWrite, RO = M.ReadOnly, WO = M.WriteOnly;

export const TX_POINTS = "ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer";
/** The measurands this build's meter model provides (meter_read in docs/HAL.md). */
export const MEASURANDS = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC,Current.Offered";

/** Gives a list-typed variable its allowed values, then takes its persisted value (which is checked against them). */
function list(x: Variable, values: string): Variable {
  x.valuesList = values;
  x.load();
  return x;
}

function v(c: string, name: string, inst: string | null, t: D, m: M, value: string, persistent: bool = true): Variable {
  return dm.add(new Variable(c, 0, 0, name, inst, t, m, value, persistent));
}

function limited(x: Variable, min: f64, max: f64, unit: string | null = null): Variable {
  x.minLimit = min; x.maxLimit = max; x.unit = unit;
  return x;
}

export function build(cfg: StationConfig): void {
  const C = "OCPPCommCtrlr";
  HeartbeatInterval = limited(v(C, "HeartbeatInterval", null, D.integer, RW, "300"), 1, 86400, "s");
  MessageTimeout = limited(v(C, "MessageTimeout", "Default", D.integer, RW, "30"), 1, 3600, "s");
  OfflineThreshold = limited(v(C, "OfflineThreshold", null, D.integer, RW, "300"), 0, 86400, "s");
  RetryBackOffWaitMinimum = limited(v(C, "RetryBackOffWaitMinimum", null, D.integer, RW, "5"), 0, 3600, "s");
  RetryBackOffRandomRange = limited(v(C, "RetryBackOffRandomRange", null, D.integer, RW, "10"), 0, 3600, "s");
  RetryBackOffRepeatTimes = limited(v(C, "RetryBackOffRepeatTimes", null, D.integer, RW, "5"), 0, 20);
  limited(v(C, "NetworkProfileConnectionAttempts", null, D.integer, RW, "3"), 1, 100);
  v(C, "NetworkConfigurationPriority", null, D.string, RW, "0");
  list(v(C, "FileTransferProtocols", null, D.MemberList, RO, "", false), "");
  limited(v(C, "ResetRetries", null, D.integer, RW, "1"), 0, 10);
  v(C, "UnlockOnEVSideDisconnect", null, D.boolean, RW, "true");
  limited(v(C, "MessageAttempts", "TransactionEvent", D.integer, RW, "3"), 1, 100);
  limited(v(C, "MessageAttemptInterval", "TransactionEvent", D.integer, RW, "60"), 1, 3600, "s");

  const A = "AuthCtrlr";
  AuthEnabled = v(A, "Enabled", null, D.boolean, RW, "true");
  AuthorizeRemoteStart = v(A, "AuthorizeRemoteStart", null, D.boolean, RW, "true");
  v(A, "LocalAuthorizeOffline", null, D.boolean, RW, "false");
  v(A, "LocalPreAuthorize", null, D.boolean, RW, "false");

  const T = "TxCtrlr";
  EVConnectionTimeOut = limited(v(T, "EVConnectionTimeOut", null, D.integer, RW, "60"), 1, 3600, "s");
  StopTxOnEVSideDisconnect = v(T, "StopTxOnEVSideDisconnect", null, D.boolean, RO, "true");
  StopTxOnInvalidId = v(T, "StopTxOnInvalidId", null, D.boolean, RW, "true");
  TxStartPoint = list(v(T, "TxStartPoint", null, D.MemberList, RW, "PowerPathClosed"), TX_POINTS);
  TxStopPoint = list(v(T, "TxStopPoint", null, D.MemberList, RW, "EVConnected,Authorized"), TX_POINTS);

  const SD = "SampledDataCtrlr";
  TxStartedMeasurands = list(v(SD, "TxStartedMeasurands", null, D.MemberList, RW, "Energy.Active.Import.Register"), MEASURANDS);
  TxUpdatedMeasurands = list(v(SD, "TxUpdatedMeasurands", null, D.MemberList, RW, "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"), MEASURANDS);
  TxUpdatedInterval = limited(v(SD, "TxUpdatedInterval", null, D.integer, RW, "60"), 0, 86400, "s");
  TxEndedMeasurands = list(v(SD, "TxEndedMeasurands", null, D.MemberList, RW, "Energy.Active.Import.Register"), MEASURANDS);
  TxEndedInterval = limited(v(SD, "TxEndedInterval", null, D.integer, RW, "0"), 0, 86400, "s");

  const AD = "AlignedDataCtrlr";
  AlignedInterval = limited(v(AD, "Interval", null, D.integer, RW, "900"), 0, 86400, "s");
  AlignedMeasurands = list(v(AD, "Measurands", null, D.MemberList, RW, "Energy.Active.Import.Register"), MEASURANDS);
  AlignedTxEndedInterval = limited(v(AD, "TxEndedInterval", null, D.integer, RW, "0"), 0, 86400, "s");
  AlignedTxEndedMeasurands = list(v(AD, "TxEndedMeasurands", null, D.MemberList, RW, "Energy.Active.Import.Register"), MEASURANDS);
  AlignedSendDuringIdle = v(AD, "SendDuringIdle", null, D.boolean, RW, "false");

  const SC = "SmartChargingCtrlr";
  SmartChargingEnabled = v(SC, "Enabled", null, D.boolean, RW, "true");
  SmartChargingEntries = limited(v(SC, "Entries", "ChargingProfiles", D.integer, RO, "0", false), 0, 24);
  PeriodsPerSchedule = v(SC, "PeriodsPerSchedule", null, D.integer, RO, "24", false);
  ProfileStackLevel = v(SC, "ProfileStackLevel", null, D.integer, RO, "8", false);
  list(v(SC, "RateUnit", null, D.MemberList, RO, "A,W", false), "A,W");
  LimitChangeSignificance = limited(v(SC, "LimitChangeSignificance", null, D.decimal, RW, "10"), 0, 100, "Percent");
  ExternalControlSignalsEnabled = v(SC, "ExternalControlSignalsEnabled", null, D.boolean, RW, "true");

  const DD = "DeviceDataCtrlr";
  ItemsPerMessageGetVariables = limited(v(DD, "ItemsPerMessage", "GetVariables", D.integer, RO, "32"), 1, 1000);
  ItemsPerMessageSetVariables = limited(v(DD, "ItemsPerMessage", "SetVariables", D.integer, RO, "32"), 1, 1000);
  limited(v(DD, "ItemsPerMessage", "GetReport", D.integer, RO, "32"), 1, 1000);
  BytesPerMessageGetVariables = v(DD, "BytesPerMessage", "GetVariables", D.integer, RO, MAX_FRAME.toString());
  BytesPerMessageSetVariables = v(DD, "BytesPerMessage", "SetVariables", D.integer, RO, MAX_FRAME.toString());
  v(DD, "BytesPerMessage", "GetReport", D.integer, RO, MAX_FRAME.toString());

  DateTime = v("ClockCtrlr", "DateTime", null, D.dateTime, RO, "", false);
  list(v("ClockCtrlr", "TimeSource", null, D.SequenceList, RW, "Heartbeat"), "Heartbeat,NTP,GPS,RealTimeClock,MobileNetwork,RadioTimeTransmitter");

  const S = "SecurityCtrlr";
  SecurityProfile = limited(v(S, "SecurityProfile", null, D.integer, RO, cfg.securityProfile.toString(), false), 0, 3);
  Identity = v(S, "Identity", null, D.string, RO, cfg.identity, false);
  BasicAuthPassword = v(S, "BasicAuthPassword", null, D.string, WO, cfg.password);
  v(S, "OrganizationName", null, D.string, RW, cfg.vendorName);
  v(S, "CertificateEntries", null, D.integer, RO, "0", false);

  v("ChargingStation", "Available", null, D.boolean, RO, "true", false);
  v("ChargingStation", "AvailabilityState", null, D.OptionList, RO, "Available", false).valuesList = AVAILABILITY;
  v("ChargingStation", "SupplyPhases", null, D.integer, RO, cfg.phases.toString(), false);
  v("ChargingStation", "Model", null, D.string, RO, cfg.model, false);
  v("ChargingStation", "VendorName", null, D.string, RO, cfg.vendorName, false);
  for (let e = 1; e <= cfg.evses.length; e++) {
    const evse = cfg.evses[e - 1];
    dm.add(new Variable("EVSE", e, 0, "Available", null, D.boolean, RO, "true", false));
    dm.add(new Variable("EVSE", e, 0, "AvailabilityState", null, D.OptionList, RO, "Available", false)).valuesList = AVAILABILITY;
    dm.add(new Variable("EVSE", e, 0, "SupplyPhases", null, D.integer, RO, evse.phases.toString(), false));
    const power = dm.add(new Variable("EVSE", e, 0, "Power", null, D.decimal, RO, "0", false, "W"));
    power.maxLimit = evse.maxPowerW;
    for (let c = 1; c <= evse.connectors.length; c++) {
      dm.add(new Variable("Connector", e, c, "Available", null, D.boolean, RO, "true", false));
      dm.add(new Variable("Connector", e, c, "AvailabilityState", null, D.OptionList, RO, "Available", false)).valuesList = AVAILABILITY;
      dm.add(new Variable("Connector", e, c, "ConnectorType", null, D.string, RO, evse.connectors[c - 1], false));
      dm.add(new Variable("Connector", e, c, "SupplyPhases", null, D.integer, RO, evse.phases.toString(), false));
    }
  }
}

/** Station-config overrides of factory defaults; a persisted value still wins. */
export function applyDefaults(cfg: StationConfig): string | null {
  for (let i = 0; i < cfg.defaults.length; i++) {
    const d = cfg.defaults[i];
    const x = dm.find(d.component, null, d.evse, d.connector, d.variable, d.instance);
    if (x === null) return "unknown variable " + d.component + "." + d.variable;
    const why = x.check(d.value);
    if (why !== null) return d.component + "." + d.variable + ": " + why;
    x.value = d.value;
    x.refresh();
    x.load();
  }
  return null;
}

const AVAILABILITY = "Available,Occupied,Reserved,Unavailable,Faulted";
