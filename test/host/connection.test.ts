// Transport and reconnection (Part 4 sections 3 and 5.3): subprotocol, Basic auth,
// and the engine's back-off, measured on the virtual clock.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { rig, Rig, stationConfig, freePort } from "./harness.ts";
import { Station } from "../../host/station.ts";
import { VirtualClock } from "../../host/clock.ts";

let r: Rig | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await r?.close();
  r = undefined;
});


const backoff = (min: number, range: number, repeat: number) => [
  { component: "OCPPCommCtrlr", variable: "RetryBackOffWaitMinimum", value: String(min) },
  { component: "OCPPCommCtrlr", variable: "RetryBackOffRandomRange", value: String(range) },
  { component: "OCPPCommCtrlr", variable: "RetryBackOffRepeatTimes", value: String(repeat) },
];

async function unreachable(defaults: ReturnType<typeof backoff>, seed = 42) {
  const clock = new VirtualClock();
  const s = await Station.start({
    config: stationConfig(`ws://127.0.0.1:${await freePort()}/ocpp`, { defaults }), clock, seed, record: true,
  });
  cleanups.push(() => s.stop());
  return s;
}

describe("reconnect back-off", () => {
  it("doubles RetryBackOffWaitMinimum after each failure, RetryBackOffRepeatTimes times, then repeats", async () => {
    const s = await unreachable(backoff(10, 0, 3));
    await s.advance(400_000);
    expect(s.dials).toEqual([0, 10_000, 30_000, 70_000, 150_000, 230_000, 310_000, 390_000]);
  });

  it("adds a random part of at most RetryBackOffRandomRange to every wait", async () => {
    const s = await unreachable(backoff(10, 5, 2), 7);
    await s.advance(600_000);
    const waits = s.dials.slice(1).map((t, i) => t - s.dials[i]);
    const base = [10_000, 20_000, 40_000, 40_000, 40_000, 40_000];
    waits.slice(0, base.length).forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(base[i]);
      expect(w).toBeLessThanOrEqual(base[i] + 5000);
    });
    expect(new Set(waits.map((w, i) => w - (base[i] ?? 40_000))).size).toBeGreaterThan(1);
  });

  it("reconnects after a dropped connection without a new BootNotification", async () => {
    r = await rig();
    await r.start({ defaults: backoff(15, 0, 3) });
    await r.station.advance(1000);
    await r.csms.disconnect("CS-TEST-1");
    await r.station.settle();
    const tDrop = r.clock.now();
    await r.station.advance(15_000);
    expect(r.station.dials.map((t) => t - tDrop)).toEqual([-1000, 15_000]);
    expect(r.station.connected).toBe(true);
    expect(r.calls("BootNotification")).toHaveLength(1);
    expect(r.calls("StatusNotification")).toHaveLength(3);
  });

  it("reports every connector again after being offline longer than OfflineThreshold", async () => {
    r = await rig();
    await r.start({ defaults: [...backoff(30, 0, 0), { component: "OCPPCommCtrlr", variable: "OfflineThreshold", value: "60" }] });
    r.csms.accepting = false;
    await r.csms.disconnect("CS-TEST-1");
    await r.station.advance(61_000);
    expect(r.station.connected).toBe(false);
    r.csms.accepting = true;
    await r.station.advance(30_000);
    expect(r.station.connected).toBe(true);
    expect(r.calls("BootNotification")).toHaveLength(1);
    expect(r.calls("StatusNotification")).toHaveLength(6);
  });
});

describe("WebSocket handshake", () => {
  it("refuses a CSMS that does not agree to ocpp2.0.1, and retries", async () => {
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => false });
    await new Promise((res) => wss.once("listening", res));
    cleanups.push(() => new Promise((res) => wss.close(res)));
    const clock = new VirtualClock();
    const port = (wss.address() as { port: number }).port;
    const s = await Station.start({ config: stationConfig(`ws://127.0.0.1:${port}/ocpp`, { defaults: backoff(10, 0, 0) }), clock, seed: 1, record: true });
    cleanups.push(() => s.stop());
    await s.settle();
    await s.advance(10_000);
    expect(s.dials).toEqual([0, 10_000]);
    expect(s.frames).toHaveLength(0);
    expect(s.logs.some((l) => l.msg.includes("did not agree to subprotocol ocpp2.0.1"))).toBe(true);
  });

  it("sends the station identity in the URL and HTTP Basic credentials (security profile 1)", async () => {
    r = await rig({ passwords: { "CS-TEST-1": "correct-horse-battery" } });
    await r.start({ password: "correct-horse-battery" });
    expect(r.station.connected).toBe(true);
    expect(r.calls("BootNotification")).toHaveLength(1);
  });

  it("does not get in with a wrong password, and keeps retrying", async () => {
    r = await rig({ passwords: { "CS-TEST-1": "correct-horse-battery" } });
    await r.start({ password: "wrong-password-123", defaults: backoff(10, 0, 0) });
    await r.station.advance(20_000);
    expect(r.station.connected).toBe(false);
    expect(r.station.dials).toEqual([0, 10_000, 20_000]);
    expect(r.station.logs.some((l) => l.msg.includes("HTTP 401"))).toBe(true);
  });
});
