// Hardware conditions the engine must handle: pilot state D, a welded contactor.
import { afterEach, describe, expect, it } from "vitest";
import type { Rig } from "./harness.ts";
import { chargingRig, tes, statuses, act, story, dm } from "./charging.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

describe("board conditions", () => {
  it("the display tells the driver what happens", async () => {
    r = await chargingRig();
    const display = () => r.station.board.evse(1).snapshot().display;
    await act(r, () => r.station.tap(1, "INVALID1"));
    expect(display()).toBe("Not authorized: Invalid");
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(display()).toBe("Authorized - please plug in");
    await act(r, () => r.station.plug(1, { maxCurrentA: 16 }));
    await r.station.advance(3600_000);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(display()).toBe("Session ended: 11.04 kWh");
  });

  it("the display follows the session: charging, a refusal cleared at unplug, a tap while offline", async () => {
    r = await chargingRig();
    const display = () => r.station.board.evse(1).snapshot().display;
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(display()).toBe("Authorized - please plug in");
    await act(r, () => r.station.plug(1));
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "C", contactor: true, display: "Charging" });
    await act(r, () => r.station.setEv(1, { wantsCharge: false }));
    await r.station.advance(5000);
    expect(display()).toBe("Charging paused by the vehicle");
    await act(r, () => r.station.unplug(1));
    expect(display()).toMatch(/^Session ended: \d+(\.\d+)? kWh$/);

    await act(r, () => r.station.plug(1));
    expect(display()).toBe("");
    await act(r, () => r.station.tap(1, "BLOCKED1"));
    expect(display()).toBe("Not authorized: Blocked");
    await act(r, () => r.station.unplug(1));
    expect(display()).toBe("");

    const authorizes = () => r.calls("Authorize").length;
    const before = authorizes();
    await r.csms.disconnect(r.station.identity);
    r.csms.accepting = false;
    await r.station.advance(1000);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(display()).toBe("Offline - card not checked, try again later");
    r.csms.accepting = true;
    await r.station.advance(10 * 60_000);
    expect(r.station.connected).toBe(true);
    expect(authorizes()).toBe(before);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ locked: false, contactor: false });
  });

  it("an EV asking for ventilation (state D) charges like state C", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1, { ventilation: true, maxCurrentA: 20 }));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "D", contactor: true, drawnA: 20 });
    expect(story(r).at(-1)).toBe("Updated ChargingStateChanged Charging");
  });

  it("a welded contactor faults the connector and keeps it from charging", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.weld(1, true));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "StopAuthorized" });
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");      // feedback may lag its command for a moment
    await r.station.advance(1000);
    expect(statuses(r).at(-1)).toBe("1/1 Faulted");
    expect(r.station.logs.some((l) => l.level === "error" && l.msg === "board: EVSE 1 contactor or lock does not follow its command")).toBe(true);
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    expect(r.station.board.evse(1).snapshot().dutyPermille).toBe(1000);
    await act(r, () => r.station.weld(1, false));
    expect(statuses(r).at(-1)).toBe("1/1 Occupied");
  });

  it("energy stopped on the station's side with EnergyTransfer in TxStopPoint ends the transaction with stoppedReason Other", async () => {
    r = await chargingRig([dm("TxCtrlr", "TxStopPoint", "EnergyTransfer")]);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const transactionId = tes(r)[0].transactionInfo.transactionId;
    await r.csms.call(r.station.identity, "SetChargingProfile", { evseId: 1, chargingProfile: { id: 9, stackLevel: 0, chargingProfilePurpose: "TxProfile",
      chargingProfileKind: "Relative", transactionId, chargingSchedule: [{ id: 1, chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }] }] } });
    await r.station.settle();
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "ChargingRateChanged", transactionInfo: { chargingState: "SuspendedEVSE", stoppedReason: "Other" } });
  });

  it("a pilot error (state E/F) while charging counts as the EV gone: EVCommunicationLost / EVDisconnected, connector Faulted", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    await act(r, () => r.station.fault(1, "F"));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "EVCommunicationLost", transactionInfo: { stoppedReason: "EVDisconnected" } });
    expect(statuses(r).at(-1)).toBe("1/1 Faulted");
  });
});
