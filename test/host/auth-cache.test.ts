// The authorization cache (C10-C12): the CSMS's verdicts on idTokens kept in the store, used online with
// LocalPreAuthorize and offline with LocalAuthorizeOffline, cleared by ClearCache, kept over a reboot, forgotten after
// AuthCacheCtrlr.LifeTime. Asserted on what the CSMS received. Runs on every host.
import { afterEach, describe, expect, it } from "vitest";
import { rig, cv, type Rig } from "./harness.ts";
import { act, dm, expectWellFormed, QUIET, TOKENS, type Default } from "./charging.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const ID = "CS-TEST-1";
const authorizes = () => r.csms.calls.filter((c) => c.method === "Authorize").map((c) => c.params.idToken.idToken);
const tes = () => r.csms.calls.filter((c) => c.method === "TransactionEvent").map((c) => c.params);
const preAuthorize = dm("AuthCtrlr", "LocalPreAuthorize", "true");
const offline = [dm("AuthCtrlr", "LocalAuthorizeOffline", "true"), dm("OCPPCommCtrlr", "RetryBackOffWaitMinimum", "300"),
  dm("OCPPCommCtrlr", "RetryBackOffRandomRange", "0"), dm("OCPPCommCtrlr", "OfflineThreshold", "360")];

/** A station whose cache holds the CSMS's verdict on `token` (memory state IdTokenCached: authorized, then the EV left). */
async function cachedRig(token: string, defaults: Default[], tokens: Record<string, string> = { ...TOKENS }, groups = {}): Promise<void> {
  r = await rig({ tokens, groups });
  await r.start({ evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [...QUIET, ...defaults] });
  await act(r, () => r.station.plug(1));
  await act(r, () => r.station.tap(1, token));
  await act(r, () => r.station.unplug(1));
  expect(authorizes()).toEqual([token]);
}

async function tapAgain(token: string): Promise<void> {
  await act(r, () => r.station.plug(1));
  await act(r, () => r.station.tap(1, token));
}

describe("C12 authorization through the cache", () => {
  it("TC_C_08_CS: a cached Accepted idToken starts charging without an AuthorizeRequest (LocalPreAuthorize)", async () => {
    await cachedRig("ACCEPT1", [preAuthorize]);
    await tapAgain("ACCEPT1");
    expect(authorizes()).toEqual(["ACCEPT1"]);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true, pilot: "C" });
    expect(tes().at(-2)).toMatchObject({ triggerReason: "Authorized", idToken: { idToken: "ACCEPT1" } });
    expectWellFormed(r);
  });

  it("TC_C_09_CS: a cached Invalid idToken is checked with the CSMS again (DisablePostAuthorize false)", async () => {
    await cachedRig("INVALID1", [preAuthorize]);
    await tapAgain("INVALID1");
    expect(authorizes()).toEqual(["INVALID1", "INVALID1"]);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false });
  });

  it("DisablePostAuthorize true: a cached Blocked idToken is refused on the spot, and the display says why", async () => {
    await cachedRig("BLOCKED1", [preAuthorize, dm("AuthCacheCtrlr", "DisablePostAuthorize", "true")]);
    await tapAgain("BLOCKED1");
    expect(authorizes()).toEqual(["BLOCKED1"]);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, display: "Not authorized: Blocked" });
  });

  it("TC_C_36_CS: LocalPreAuthorize false: a cached idToken is still sent in an AuthorizeRequest", async () => {
    await cachedRig("ACCEPT1", []);
    await tapAgain("ACCEPT1");
    expect(authorizes()).toEqual(["ACCEPT1", "ACCEPT1"]);
  });

  it("TC_C_32_CS: the cache survives a reboot", async () => {
    await cachedRig("ACCEPT1", [preAuthorize]);
    await r.powerCut();
    await tapAgain("ACCEPT1");
    expect(authorizes()).toEqual(["ACCEPT1"]);
    expect(tes().filter((e) => e.triggerReason === "Authorized" && e.idToken?.idToken === "ACCEPT1")).toHaveLength(2);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true });
  });

  it("TC_C_46_CS: a record unused for AuthCacheCtrlr.LifeTime is gone: the idToken is checked with the CSMS again", async () => {
    await cachedRig("ACCEPT1", [preAuthorize, dm("AuthCacheCtrlr", "LifeTime", "60")]);
    await r.station.advance(61_000);
    await tapAgain("ACCEPT1");
    expect(authorizes()).toEqual(["ACCEPT1", "ACCEPT1"]);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true });
  });
});

describe("C11 ClearCache", () => {
  it("TC_C_37_CS: Accepted, and the next presentation is checked with the CSMS", async () => {
    await cachedRig("ACCEPT1", [preAuthorize]);
    expect(await r.csms.call(ID, "ClearCache", {})).toEqual({ status: "Accepted" });
    await tapAgain("ACCEPT1");
    expect(authorizes()).toEqual(["ACCEPT1", "ACCEPT1"]);
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true });
  });

  it("TC_C_38_CS: Rejected while AuthCacheCtrlr.Enabled is false", async () => {
    r = await rig();
    await r.start({ defaults: [dm("AuthCacheCtrlr", "Enabled", "false")] });
    expect(await r.csms.call(ID, "ClearCache", {})).toMatchObject({ status: "Rejected" });
    const got = await r.csms.call(ID, "GetVariables", { getVariableData: [cv("AuthCacheCtrlr", "Available"), cv("AuthCacheCtrlr", "Enabled")] });
    expect(got.getVariableResult.map((x: any) => x.attributeValue)).toEqual(["true", "false"]);
  });
});

describe("offline with LocalAuthorizeOffline", () => {
  it("TC_C_16_CS: a cached Accepted idToken starts charging offline; the CSMS then calls it Invalid: ended Deauthorized (StopTxOnInvalidId)", async () => {
    const tokens: Record<string, string> = { ...TOKENS, CARD1: "Accepted" };
    await cachedRig("CARD1", offline, tokens);
    tokens.CARD1 = "Invalid";
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(5_000);
    await tapAgain("CARD1");
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true, display: "Charging" });
    r.csms.accepting = true;
    await r.station.advance(400_000);
    const mine = tes().filter((e) => e.offline === true);
    expect(mine[0]).toMatchObject({ eventType: "Started", idToken: { idToken: "CARD1" } });
    expect(tes().at(-1)).toMatchObject({ eventType: "Ended", triggerReason: "Deauthorized" });
    expect(authorizes()).toEqual(["CARD1"]);
  });

  it("a cached idToken the CSMS did not accept is refused offline, even with OfflineTxForUnknownIdEnabled", async () => {
    await cachedRig("EXPIRED1", [...offline, dm("AuthCtrlr", "OfflineTxForUnknownIdEnabled", "true")]);
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(5_000);
    await tapAgain("EXPIRED1");
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: false, display: "Not authorized: Expired" });
  });

  it("TC_E_45_CS: stopped offline by another idToken of the same groupId (from the cache); the events follow after the reconnect", async () => {
    const groups = { ACCEPT1: "FLEET", ACCEPT2: "FLEET" };
    await cachedRig("ACCEPT2", offline, { ...TOKENS }, groups);
    await tapAgain("ACCEPT1");
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ contactor: true });
    const before = tes().length;
    r.csms.accepting = false;
    await r.csms.disconnect(ID);
    await r.station.advance(5_000);
    await act(r, () => r.station.tap(1, "ACCEPT2"));
    await act(r, () => r.station.unplug(1));
    r.csms.accepting = true;
    await r.station.advance(400_000);
    const late = tes().slice(before);
    expect(late.length).toBeGreaterThanOrEqual(1);
    expect(late.every((e) => e.offline === true)).toBe(true);
    expect(late.some((e) => e.triggerReason === "StopAuthorized")).toBe(true);
    expect(late.at(-1)).toMatchObject({ eventType: "Ended" });
    expectWellFormed(r);
  });
});
