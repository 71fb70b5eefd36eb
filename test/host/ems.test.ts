// External limits from a local energy manager over a real MQTT broker (Debian's
// mosquitto, started here on a free loopback port): a limit reaches the pilot and
// the CSMS (NotifyChargingLimit), lifting it sends ClearedChargingLimit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect as tcp } from "node:net";
import mqtt, { MqttClient } from "mqtt";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import { freePort } from "./harness.ts";
import { chargingRig, act } from "./charging.ts";
import { EmsBridge } from "../../host/ems/mqtt.ts";

const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find(existsSync);
let broker: ChildProcess;
let url: string;

async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((res) => { const s = tcp(port, "127.0.0.1"); s.once("connect", () => { s.end(); res(true); }); s.once("error", () => res(false)); });
    if (ok) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error("mosquitto did not start");
}

beforeAll(async () => {
  if (!MOSQUITTO) throw new Error("mosquitto is not installed (make test installs the Debian package)");
  const port = await freePort();
  broker = spawn(MOSQUITTO, ["-p", String(port)], { stdio: "ignore" });
  await listening(port);
  url = `mqtt://127.0.0.1:${port}`;
});
afterAll(() => { broker?.kill("SIGTERM"); });

const stateSchema = JSON.parse(readFileSync(new URL("../../schemas/mqtt/evse-state.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv({ strict: false });
(formats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validState = ajv.compile(stateSchema);

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500 && !cond(); i++) await new Promise((res) => setTimeout(res, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe("EMS over MQTT", () => {
  it("a limit reaches the pilot and the CSMS; lifting it is reported; bad payloads change nothing", async () => {
    const r = await chargingRig();
    const bridge = new EmsBridge(r.station, { url });
    const ems: MqttClient = await mqtt.connectAsync(url, { clientId: "test-ems" });
    const states: any[] = [];
    ems.on("message", (topic, payload) => { if (topic.endsWith("/state")) states.push(JSON.parse(payload.toString())); });
    await ems.subscribeAsync("chargewasm/CS-TEST-1/evse/+/state", { qos: 1 });
    try {
      await until(() => bridge.client.connected, "bridge connection");
      await act(r, () => r.station.plug(1));
      await act(r, () => r.station.tap(1, "ACCEPT1"));
      await until(() => states.some((s) => s.drawnA === 31.98), "charging state");
      expect(states.every((s) => validState(s))).toBe(true);

      await ems.publishAsync("chargewasm/CS-TEST-1/evse/1/limit", JSON.stringify({ limitA: 10 }), { qos: 1 });
      await until(() => r.calls("NotifyChargingLimit").length === 1, "NotifyChargingLimit");
      await r.station.settle();
      expect(r.calls("NotifyChargingLimit")[0].m[3]).toMatchObject({
        chargingLimit: { chargingLimitSource: "EMS" }, evseId: 1,
        chargingSchedule: [{ chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }],
      });
      expect(r.station.board.evse(1).snapshot()).toMatchObject({ dutyPermille: 166, drawnA: 9.96 });
      await until(() => states.at(-1)?.drawnA === 9.96, "limited state");

      const composite = await r.csms.call("CS-TEST-1", "GetCompositeSchedule", { evseId: 1, duration: 60, chargingRateUnit: "A" });
      expect(composite.schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 10 }]);

      for (const bad of ["nonsense", JSON.stringify({ limitA: -3 }), JSON.stringify({ limitA: 5, limitW: 100 }), JSON.stringify({ watts: 3 })]) {
        await ems.publishAsync("chargewasm/CS-TEST-1/evse/1/limit", bad, { qos: 1 });
      }
      await ems.publishAsync("chargewasm/CS-TEST-1/evse/7/limit", JSON.stringify({ limitA: 6 }), { qos: 1 });
      await until(() => r.station.logs.filter((l) => l.msg.startsWith("ems: rejected limit")).length === 5, "5 rejections");
      expect(r.station.board.evse(1).snapshot().drawnA).toBe(9.96);

      await ems.publishAsync("chargewasm/CS-TEST-1/limit", JSON.stringify({ limitW: 4140 }), { qos: 1 });
      await until(() => r.calls("NotifyChargingLimit").length === 2, "station NotifyChargingLimit");
      await r.station.settle();
      expect(r.calls("NotifyChargingLimit")[1].m[3].evseId).toBeUndefined();
      expect(r.station.board.evse(1).snapshot().drawnA).toBe(6);

      await ems.publishAsync("chargewasm/CS-TEST-1/limit", "", { qos: 1 });
      await ems.publishAsync("chargewasm/CS-TEST-1/evse/1/limit", JSON.stringify({ limitA: null }), { qos: 1 });
      await until(() => r.calls("ClearedChargingLimit").length === 2, "ClearedChargingLimit");
      await r.station.settle();
      expect(r.calls("ClearedChargingLimit").map((x) => x.m[3])).toEqual([{ chargingLimitSource: "EMS" }, { chargingLimitSource: "EMS", evseId: 1 }]);
      expect(r.station.board.evse(1).snapshot().drawnA).toBe(31.98);
    } finally {
      await ems.endAsync();
      await bridge.close();
      await r.close();
    }
  });
});

describe("EMS bridge without a broker", () => {
  it("backs off (1 s, 2 s, 4 s, ...) instead of retrying every second, and connects once the broker is up", async () => {
    const port = await freePort();
    const logs: string[] = [];
    const r = await chargingRig();
    const bridge = new EmsBridge(r.station, { url: `mqtt://127.0.0.1:${port}`, log: (m) => logs.push(m) });
    await until(() => logs.filter((l) => l.startsWith("ems: next attempt")).length >= 3, "three failed attempts");
    expect(logs.filter((l) => l.startsWith("ems: next attempt")).slice(0, 3)).toEqual(["ems: next attempt in 1 s", "ems: next attempt in 2 s", "ems: next attempt in 4 s"]);
    const late = spawn(MOSQUITTO!, ["-p", String(port)], { stdio: "ignore" });
    try {
      await until(() => bridge.client.connected, "the bridge connecting to the late broker");
    } finally {
      await bridge.close();
      late.kill("SIGTERM");
      await r.close();
    }
  }, 30_000);
});
