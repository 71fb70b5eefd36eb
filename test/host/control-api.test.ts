// The control API refuses bad input with a clear error and changes nothing.
import { afterEach, describe, expect, it } from "vitest";
import { request, type Server } from "node:http";
import { chargingRig, tes } from "./charging.ts";
import type { Rig } from "./harness.ts";
import { startControl } from "../../host/board/control.ts";

let r: Rig;
let server: Server;
afterEach(async () => { server?.close(); await r?.close(); });

let base = "";
async function setup() {
  r = await chargingRig();
  const c = await startControl(r.station, 0);
  server = c.server;
  base = c.url;
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = { "content-type": "application/json" }) => {
    const res = await fetch(c.url + path, { method, headers, ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() };
  };
}

/** A request with a Host header of our choosing (fetch does not allow setting it). */
function withHost(host: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method: "POST", headers: { host, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (d) => { text += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end("{}");
  });
}

describe("control API", () => {
  it("drives the board and reports it", async () => {
    const api = await setup();
    expect((await api("POST", "/evse/1/plug", { maxCurrentA: 10, phases: 1 })).body.evses[0]).toMatchObject({ pilot: "B", ev: { maxCurrentA: 10, phases: 1 } });
    const after = await api("POST", "/evse/1/tap", { idToken: "ACCEPT1" });
    expect(after.status).toBe(200);
    await r.station.settle();
    expect(tes(r)[0]).toMatchObject({ eventType: "Started" });
    expect((await api("GET", "/status")).body).toMatchObject({ identity: "CS-TEST-1", connected: true, evses: [{ pilot: "C", drawnA: 10 }] });
  });

  it("answers bad requests with 4xx and a reason, changing nothing", async () => {
    const api = await setup();
    const cases: [string, string, unknown, number, string][] = [
      ["POST", "/evse/7/plug", {}, 404, "no EVSE 7 (this station has 1)"],
      ["POST", "/evse/1/plug", "{not json", 400, "body is not JSON"],
      ["POST", "/evse/1/plug", { maxCurrentA: "lots" }, 400, "maxCurrentA must be a number"],
      ["POST", "/evse/1/plug", { warp: 9 }, 400, "unknown EV property warp"],
      ["POST", "/evse/1/plug", { socPct: 120 }, 400, "socPct must be at most 100"],
      ["POST", "/evse/1/unplug", {}, 409, "nothing is plugged into EVSE 1"],
      ["POST", "/evse/1/tap", { idToken: "" }, 400, "idToken must be a string of 1 to 36 characters"],
      ["POST", "/evse/1/tap", { idToken: "A", type: "Magic" }, 400, "type must be one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization"],
      ["POST", "/evse/1/fault", { state: "X" }, 400, 'state must be "E", "F", "welded" or null'],
      ["GET", "/evse/1/plug", undefined, 405, "use POST"],
      ["GET", "/nowhere", undefined, 404, "no route GET /nowhere"],
    ];
    for (const [method, path, body, status, error] of cases) {
      expect(await api(method, path, body), `${method} ${path}`).toEqual({ status, body: { error } });
    }
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "A", ev: null });
  });

  it("only local tools drive the board: a foreign Origin, a non-JSON POST or a non-loopback Host is refused", async () => {
    const api = await setup();
    expect(await api("POST", "/evse/1/plug", {}, { "content-type": "application/json", origin: "http://evil.example" }))
      .toEqual({ status: 403, body: { error: "requests from http://evil.example are not allowed" } });
    expect(await api("POST", "/evse/1/plug", "{}", { "content-type": "text/plain" }))
      .toEqual({ status: 415, body: { error: "POST bodies must be JSON (Content-Type: application/json)" } });
    expect(await withHost("evil.example:9221", "/evse/1/plug")).toEqual({ status: 403, body: { error: "the control API answers only on a loopback Host" } });
    expect(r.station.board.evse(1).snapshot()).toMatchObject({ pilot: "A", ev: null });
    expect((await api("POST", "/evse/1/plug", {}, { "content-type": "application/json", origin: "http://127.0.0.1:5173" })).status).toBe(200);
  });

  it("status shows the meter as it is now, not as the engine last read it", async () => {
    const api = await setup();
    await api("POST", "/evse/1/plug", {});
    await api("POST", "/evse/1/tap", { idToken: "ACCEPT1" });
    await r.station.settle();
    const before = (await api("GET", "/status")).body.evses[0].energyWh;
    r.clock.set(r.clock.now() + 30_000);   // no engine call in between
    const after = (await api("GET", "/status")).body.evses[0];
    expect(after.energyWh - before).toBeCloseTo(after.powerW * 30 / 3600, 1);
    expect(after.energyWh - before).toBeGreaterThan(150);
  });

  it("a pilot fault (state E) makes the connector Faulted, and clearing it Available", async () => {
    const api = await setup();
    await api("POST", "/evse/1/fault", { state: "E" });
    await api("POST", "/evse/1/fault", { state: null });
    await r.station.settle();
    expect(r.calls("StatusNotification").map((x) => x.m[3].connectorStatus)).toEqual(["Available", "Faulted", "Available"]);
  });
});
