// IEC 61851-1 control pilot: states A-F as the board measures them, and the PWM
// duty cycle that offers a current (Annex A). The EV side of the relation lives in
// the board model (host/board/board.ts).

export enum Pilot { A, B, C, D, E, F }

/** Duty cycle, per mille, that offers `amps`; below 6 A nothing can be offered. */
export function dutyForAmps(amps: f64): i32 {
  if (amps < 6) return DUTY_OFF;
  if (amps <= 51) return <i32>Math.floor(amps * 1000 / 60);       // duty % = I / 0.6
  if (amps <= 80) return <i32>Math.floor((amps / 2.5 + 64) * 10);  // duty % = I / 2.5 + 64
  return 960;
}

/** Constant +12 V: no PWM, charging not allowed (states A1/B1). */
export const DUTY_OFF: i32 = 1000;
/** Constant -12 V: the EVSE is not available (state F). */
export const DUTY_UNAVAILABLE: i32 = 0;

export function pluggedIn(p: Pilot): bool { return p == Pilot.B || p == Pilot.C || p == Pilot.D; }
export function wantsEnergy(p: Pilot): bool { return p == Pilot.C || p == Pilot.D; }
export function pilotFault(p: Pilot): bool { return p == Pilot.E || p == Pilot.F; }
