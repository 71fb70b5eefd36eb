// The posix station (the native engine on libwebsockets) against the dev CSMS on
// ocpp-rpc in strict mode: boot, heartbeat, device model, OCPP-J errors,
// persistence, reset and reconnect, every frame schema-validated. Wall clock:
// these tests wait for frames, they never assert how long anything took.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevCsms } from "../../host/csms/server.ts";
import { csmsFrameViolations, cv } from "./harness.ts";

const BIN = new URL("../../build/chargewasm-station", import.meta.url).pathname;
const ID = "CS-POSIX";
let csms: DevCsms;
let procs: ChildProcess[] = [];
let dir: string;

afterEach(async () => {
  for (const p of procs) p.kill("SIGTERM");
  procs = [];
  await csms?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const bad = csms ? csmsFrameViolations(csms, ID) : [];
  if (bad.length) throw new Error("posix station sent invalid frames:\n" + bad.join("\n"));
  if (csms?.violations.length) throw new Error("ocpp-rpc strict mode failures:\n" + JSON.stringify(csms.violations));
});

async function setup(opts: ConstructorParameters<typeof DevCsms>[0] = {}) {
  csms = new DevCsms({ heartbeatInterval: 300, ...opts });
  const url = await csms.listen();
  dir = mkdtempSync(join(tmpdir(), "cw-posix-"));
  const config = join(dir, "station.json");
  writeFileSync(config, JSON.stringify({
    csmsUrl: url, identity: ID, vendorName: "chargewasm", model: "posix", evses: [{ connectors: ["cType2"] }],
    defaults: [{ component: "OCPPCommCtrlr", variable: "RetryBackOffWaitMinimum", value: "1" }, { component: "OCPPCommCtrlr", variable: "RetryBackOffRandomRange", value: "0" }],
  }));
  let out = "";
  const start = () => {
    const p = spawn(BIN, [config, join(dir, "store")], { stdio: ["ignore", "pipe", "pipe"] });
    p.stdout!.on("data", (d) => { out += d; });
    p.stderr!.on("data", (d) => { out += d; });
    procs.push(p);
    return p;
  };
  return { start, output: () => out };
}

const calls = (method: string) => csms.calls.filter((c) => c.identity === ID && c.method === method);

async function until(cond: () => boolean, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("posix station", () => {
  it("boots, reports its connector and heartbeats", async () => {
    const s = await setup({ heartbeatInterval: 1 });
    s.start();
    await until(() => calls("Heartbeat").length >= 2, "two heartbeats");
    expect(calls("BootNotification")[0].params).toEqual({ reason: "PowerUp", chargingStation: { model: "posix", vendorName: "chargewasm" } });
    expect(calls("StatusNotification")[0].params).toMatchObject({ connectorStatus: "Available", evseId: 1, connectorId: 1 });
  });

  it("answers GetVariables/SetVariables and every malformed CALL per Part 4, and keeps the value across a restart", async () => {
    const s = await setup();
    const p = s.start();
    await until(() => calls("StatusNotification").length === 1, "boot");
    const set = await csms.call(ID, "SetVariables", { setVariableData: [{ ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "77" }] });
    expect(set.setVariableResult[0].attributeStatus).toBe("Accepted");
    const from = csms.frames.length;
    csms.sendRaw(ID, '[2,"x1","BrewCoffee",{}]');
    csms.sendRaw(ID, '[2,"x2","GetVariables",{}]');
    csms.sendRaw(ID, "not json");
    await until(() => csms.frames.slice(from).filter((f) => f.dir === "in").length === 3, "three CALLERRORs");
    expect(csms.frames.slice(from).filter((f) => f.dir === "in").map((f) => JSON.parse(f.text).slice(0, 3))).toEqual([
      [4, "x1", "NotImplemented"], [4, "x2", "OccurrenceConstraintViolation"], [4, "-1", "RpcFrameworkError"],
    ]);
    p.kill("SIGTERM");
    await until(() => !csms.clients.has(ID), "disconnect");
    s.start();
    await until(() => csms.clients.has(ID) && calls("BootNotification").length === 2, "second boot");
    const get = await csms.call(ID, "GetVariables", { getVariableData: [cv("OCPPCommCtrlr", "OfflineThreshold")] });
    expect(get.getVariableResult[0].attributeValue).toBe("77");
  });

  it("reboots on Reset and reconnects after losing the CSMS", async () => {
    const s = await setup();
    s.start();
    await until(() => calls("StatusNotification").length === 1, "boot");
    expect(await csms.call(ID, "Reset", { type: "Immediate" })).toEqual({ status: "Accepted" });
    await until(() => calls("BootNotification").length === 2, "boot after reset");
    expect(calls("BootNotification")[1].params.reason).toBe("RemoteReset");
    await until(() => csms.clients.has(ID), "connected again");
    await csms.disconnect(ID);
    await until(() => csms.clients.has(ID), "reconnect");
    expect(calls("BootNotification")).toHaveLength(2);
    expect(s.output()).toContain("transport: closed");
  });
});
