// The engine's duty cycle for a current, read back by the board's EV model
// (IEC 61851-1 Annex A from both sides): an EV may never draw more than offered.
import { describe, expect, it } from "vitest";
import { ampsForDuty } from "../../host/board/board.ts";
import { chargingRig, act } from "./charging.ts";

describe("pilot duty cycle, both sides", () => {
  it("the EV side reads the standard's table", () => {
    expect([50, 80, 100, 266, 533, 850, 892, 960, 1000].map(ampsForDuty)).toEqual([0, 6, 6, 15.96, 31.98, 51, 63, 80, 0]);
  });

  for (const maxPowerW of [4140, 7360, 11040, 22080, 43470]) {
    it(`an EVSE limited to ${maxPowerW} W offers no more than its per-phase current`, async () => {
      const r = await chargingRig([], { evses: [{ connectors: ["cType2"], maxPowerW }] });
      await act(r, () => r.station.plug(1, { maxCurrentA: 80 }));
      await act(r, () => r.station.tap(1, "ACCEPT1"));
      const perPhase = maxPowerW / (230 * 3);
      const offered = r.station.board.evse(1).offeredA;
      expect(offered).toBeLessThanOrEqual(perPhase);
      expect(offered).toBeGreaterThan(perPhase - 0.2);
      expect(r.station.board.evse(1).powerW()).toBeLessThanOrEqual(maxPowerW);
      await r.close();
    });
  }
});
