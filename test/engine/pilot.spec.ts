import { dutyForAmps, DUTY_OFF, Pilot, pluggedIn, wantsEnergy, pilotFault } from "../../assembly/evse/pilot";

describe("IEC 61851-1 pilot duty cycle", () => {
  it("offers nothing below 6 A", () => {
    expect(dutyForAmps(0)).toBe(DUTY_OFF);
    expect(dutyForAmps(5.9)).toBe(DUTY_OFF);
  });

  it("uses duty = I / 0.6 from 6 A to 51 A", () => {
    expect(dutyForAmps(6)).toBe(100);
    expect(dutyForAmps(16)).toBe(266);
    expect(dutyForAmps(32)).toBe(533);
    expect(dutyForAmps(51)).toBe(850);
  });

  it("uses duty = I / 2.5 + 64 from 51 A to 80 A", () => {
    expect(dutyForAmps(63)).toBe(892);
    expect(dutyForAmps(80)).toBe(960);
    expect(dutyForAmps(200)).toBe(960);
  });

  it("classifies pilot states", () => {
    expect(pluggedIn(Pilot.A)).toBe(false);
    expect(pluggedIn(Pilot.B) && pluggedIn(Pilot.C) && pluggedIn(Pilot.D)).toBe(true);
    expect(wantsEnergy(Pilot.B)).toBe(false);
    expect(wantsEnergy(Pilot.C) && wantsEnergy(Pilot.D)).toBe(true);
    expect(pilotFault(Pilot.E) && pilotFault(Pilot.F)).toBe(true);
  });
});
