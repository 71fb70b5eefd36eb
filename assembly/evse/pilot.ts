// IEC 61851-1 control pilot: states A-F as the board measures them, and the PWM
// duty cycle <-> offered current relation of Annex A.

export enum Pilot { A, B, C, D, E, F }

/** Duty cycle, per mille, that offers `amps`; below 6 A nothing can be offered. */
export function dutyForAmps(amps: f64): i32 {
  if (amps < 6) return DUTY_OFF;
  if (amps <= 51) return <i32>Math.floor(amps * 1000 / 60);       // duty % = I / 0.6
  if (amps <= 80) return <i32>Math.floor((amps / 2.5 + 64) * 10);  // duty % = I / 2.5 + 64
  return 960;
}

/** The current an EV may draw for a duty cycle (per mille); 0 outside the charging range. */
export function ampsForDuty(permille: i32): f64 {
  const d = <f64>permille / 10;
  if (d >= 8 && d < 10) return 6;
  if (d >= 10 && d <= 85) return d * 0.6;
  if (d > 85 && d <= 96) return (d - 64) * 2.5;
  if (d > 96 && d <= 97) return 80;
  return 0;
}

/** Constant +12 V: no PWM, charging not allowed (states A1/B1). */
export const DUTY_OFF: i32 = 1000;
/** Constant -12 V: the EVSE is not available (state F). */
export const DUTY_UNAVAILABLE: i32 = 0;

export function pluggedIn(p: Pilot): bool { return p == Pilot.B || p == Pilot.C || p == Pilot.D; }
export function wantsEnergy(p: Pilot): bool { return p == Pilot.C || p == Pilot.D; }
export function pilotFault(p: Pilot): bool { return p == Pilot.E || p == Pilot.F; }
