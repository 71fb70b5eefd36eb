// Authorization (block C, online): only an Accepted idToken starts a session; another
// token does not stop someone else's transaction.
import { afterEach, describe, expect, it } from "vitest";
import type { Rig } from "./harness.ts";
import { chargingRig, tes, authorizes, act } from "./charging.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

describe("C01 local authorization", () => {
  for (const [tc, id, status] of [
    ["TC_C_02_CS", "INVALID1", "Invalid"], ["TC_C_06_CS", "BLOCKED1", "Blocked"],
    ["TC_C_07_CS", "EXPIRED1", "Expired"], ["TC_C_56_CS", "NOBODY", "Unknown"],
  ] as const) {
    it(`${tc}: an idToken answered ${status} starts nothing`, async () => {
      r = await chargingRig();
      await act(r, () => r.station.plug(1));
      await act(r, () => r.station.tap(1, id));
      expect(authorizes(r)).toEqual([{ idToken: { idToken: id, type: "ISO14443" } }]);
      await r.station.advance(30_000);
      expect(tes(r)).toHaveLength(0);
      expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, dutyPermille: 1000, pilot: "B" });
      expect(r.station.logs.some((l) => l.msg === `authorization: ${id} ${status}`)).toBe(true);
    });
  }

  it("TC_C_04_CS: a different idToken is checked with Authorize but does not stop the transaction", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ACCEPT1"));
    const before = tes(r).length;
    await act(r, () => r.station.tap(1, "ACCEPT2"));
    expect(authorizes(r).map((a) => a.idToken.idToken)).toEqual(["ACCEPT1", "ACCEPT2"]);
    await r.station.advance(30_000);
    expect(tes(r)).toHaveLength(before);
    expect(tes(r).some((e) => e.eventType === "Ended" || (e.idToken && e.idToken.idToken === "ACCEPT2"))).toBe(false);
  });

  it("AuthCtrlr.Enabled false: any token authorizes without asking the CSMS", async () => {
    r = await chargingRig([{ component: "AuthCtrlr", variable: "Enabled", value: "false" }]);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "ANYONE"));
    expect(authorizes(r)).toHaveLength(0);
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", idToken: { idToken: "ANYONE" } });
  });

  it("a start button (idToken type NoAuthorization) starts and stops without the CSMS", async () => {
    r = await chargingRig();
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "", "NoAuthorization"));
    expect(authorizes(r)).toHaveLength(0);
    expect(tes(r)[0]).toMatchObject({ eventType: "Started", idToken: { idToken: "", type: "NoAuthorization" } });
    await act(r, () => r.station.tap(1, "", "NoAuthorization"));
    expect(tes(r).at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "StopAuthorized" });
  });

  it("StopTxOnInvalidId: a transaction whose idToken the CSMS calls Invalid is deauthorized", async () => {
    r = await chargingRig([{ component: "AuthCtrlr", variable: "Enabled", value: "false" }]);
    await act(r, () => r.station.plug(1));
    await act(r, () => r.station.tap(1, "INVALID1"));
    const last = tes(r).at(-1);
    expect(last).toMatchObject({ eventType: "Ended", triggerReason: "Deauthorized", transactionInfo: { stoppedReason: "DeAuthorized" } });
    expect(r.station.board.evse(1).snapshot().contactor).toBe(false);
  });
});
