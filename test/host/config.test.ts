// The station config: the engine checks it, with the same words on the Node host and the native posix station,
// and refuses exactly what schemas/station-config.schema.json refuses.
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { configError } from "../../host/engine.ts";
import { defaultStation } from "../../host/config.ts";
import { stationConfig } from "./harness.ts";
import { Station } from "../../host/station.ts";
import { VirtualClock } from "../../host/clock.ts";

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve("../../schemas/station-config.schema.json"), "utf8"));
const schemaAccepts = new Ajv({ allErrors: true }).compile(schema);
const POSIX = new URL("../../build/chargewasm-station", import.meta.url).pathname;

const good = defaultStation("ws://127.0.0.1:9220/ocpp");
const BAD: [string, object, string][] = [
  ["an identity with a slash", { ...good, identity: "CS/1" }, "identity must be 1 to 48 characters of A-Z a-z 0-9 * - _ = : + | @ ."],
  ["profile 3 on ws://", { ...good, securityProfile: 3 }, "securityProfile 3 needs a wss:// csmsUrl"],
  ["profile 2 on ws://", { ...good, securityProfile: 2, password: "0123456789abcdef" }, "securityProfile 2 needs a wss:// csmsUrl"],
  ["7 phases", { ...good, phases: 7 }, "phases must be 1, 2 or 3"],
  ["a negative maxPowerW", { ...good, evses: [{ connectors: ["cType2"], maxPowerW: -5 }] }, "evses[0].maxPowerW must be a number above 0"],
  ["an http:// URL", { ...good, csmsUrl: "http://x" }, "csmsUrl must start with ws:// or wss://"],
  ["no EVSE", { ...good, evses: [] }, "at least one EVSE is required"],
  ["3 EVSEs", { ...good, evses: [1, 2, 3].map(() => ({ connectors: ["cType2"] })) }, "at most 2 EVSEs fit this build's memory"],
  ["3 connectors on an EVSE", { ...good, evses: [{ connectors: ["cType2", "cCCS2", "sType2"] }] }, "evses[0] has more than 2 connectors"],
  ["a short password", { ...good, password: "short" }, "password must be 16 to 40 characters"],
  ["an unknown key", { ...good, extra: 1 }, "unknown config key extra"],
  ["a default without a value", { ...good, defaults: [{ component: "OCPPCommCtrlr", variable: "OfflineThreshold" }] }, "defaults[0] needs component, variable and value"],
];

/** What the posix station prints when it refuses a config, and its exit code. */
function posixRefusal(config: object): { status: number | null; error: string } {
  const dir = mkdtempSync(join(tmpdir(), "cw-config-"));
  writeFileSync(join(dir, "station.json"), JSON.stringify(config));
  const p = spawnSync(POSIX, [join(dir, "station.json"), join(dir, "store")], { encoding: "utf8", timeout: 10000 });
  return { status: p.status, error: /^\[error\] init: (.*)$/m.exec(p.stderr)?.[1] ?? p.stderr };
}

describe("station config", () => {
  it("the engine and the schema accept the simulator's and the tests' configs", async () => {
    for (const c of [good, stationConfig("ws://127.0.0.1:1/ocpp", { password: "0123456789abcdef" }), { ...good, csmsUrl: "wss://h/ocpp", securityProfile: 2, password: "0123456789abcdef" }]) {
      expect(await configError(c)).toBeNull();
      expect(schemaAccepts(c)).toBe(true);
    }
  });

  for (const [what, config, message] of BAD) {
    it(`${what}: refused by the schema, and by both hosts with the same message`, async () => {
      expect(schemaAccepts(config)).toBe(false);
      expect(await configError(config)).toBe(message);
      expect(posixRefusal(config)).toEqual({ status: 1, error: message });
    });
  }

  it("the Node station refuses an invalid config and logs why", async () => {
    const logs: string[] = [];
    const s = await Station.create({ config: { ...stationConfig("ws://127.0.0.1:1/ocpp"), evses: [] }, clock: new VirtualClock() });
    s.on("log", (l) => logs.push(l.msg));
    expect(() => s.boot()).toThrow(/refused the station config/);
    expect(logs).toContain("init: at least one EVSE is required");
    s.stop();
  });

  it("the engine refuses a default for a variable it does not have", async () => {
    const cfg = stationConfig("ws://127.0.0.1:1/ocpp", { defaults: [{ component: "OCPPCommCtrlr", variable: "NoSuchThing", value: "1" }] });
    expect(await configError(cfg)).toBe("defaults: unknown variable OCPPCommCtrlr.NoSuchThing");
  });
});
