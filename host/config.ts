// The simulator's default station: one 22 kW AC EVSE with a Type 2 socket.
import type { StationConfig } from "./station.ts";

export function defaultStation(csmsUrl: string, identity = "CW-SIM-001", password?: string): StationConfig {
  return {
    csmsUrl,
    identity,
    ...(password ? { password } : {}),
    vendorName: "chargewasm",
    model: "sim-ac22",
    serialNumber: identity,
    firmwareVersion: "0.1.0",
    phases: 3,
    evses: [{ connectors: ["cType2"], maxPowerW: 22000 }],
  };
}

/** Tokens the dev CSMS accepts. */
export const DEV_TOKENS: Record<string, string> = { ACCEPT1: "Accepted", ACCEPT2: "Accepted", BLOCKED1: "Blocked", EXPIRED1: "Expired" };
