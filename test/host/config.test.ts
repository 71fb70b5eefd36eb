// The station config: the schema accepts what the simulator and tests use, and
// the engine itself refuses a bad config with a reason instead of starting.
import { describe, expect, it } from "vitest";
import { configProblems } from "../../host/validate-config.ts";
import { defaultStation } from "../../host/config.ts";
import { stationConfig } from "./harness.ts";
import { Station } from "../../host/station.ts";
import { VirtualClock } from "../../host/clock.ts";

describe("station config", () => {
  it("the schema accepts the simulator's and the tests' configs", () => {
    expect(configProblems(defaultStation("ws://127.0.0.1:9220/ocpp"))).toEqual([]);
    expect(configProblems(stationConfig("ws://127.0.0.1:1/ocpp", { password: "0123456789abcdef" }))).toEqual([]);
  });

  it("the schema names what is wrong", () => {
    const bad = { ...defaultStation("http://x"), evses: [], extra: 1 };
    const p = configProblems(bad);
    expect(p.some((x) => x.includes("/csmsUrl"))).toBe(true);
    expect(p.some((x) => x.includes("/evses"))).toBe(true);
    expect(p.some((x) => x.includes("additional properties"))).toBe(true);
  });

  it("the engine refuses an invalid config and logs why", async () => {
    const logs: string[] = [];
    const s = await Station.create({ config: { ...stationConfig("ws://127.0.0.1:1/ocpp"), evses: [] }, clock: new VirtualClock() });
    s.on("log", (l) => logs.push(l.msg));
    expect(() => s.boot()).toThrow(/refused the station config/);
    expect(logs).toContain("init: at least one EVSE is required");
    s.stop();
  });

  it("the engine refuses a default for a variable it does not have", async () => {
    const logs: string[] = [];
    const cfg = stationConfig("ws://127.0.0.1:1/ocpp", { defaults: [{ component: "OCPPCommCtrlr", variable: "NoSuchThing", value: "1" }] });
    const s = await Station.create({ config: cfg, clock: new VirtualClock() });
    s.on("log", (l) => logs.push(l.msg));
    expect(() => s.boot()).toThrow();
    expect(logs).toContain("init: defaults: unknown variable OCPPCommCtrlr.NoSuchThing");
    s.stop();
  });
});
