// The posix station (the native engine on libwebsockets) against the dev CSMS on
// ocpp-rpc in strict mode: boot, heartbeat, device model, OCPP-J errors,
// persistence, reset and reconnect, every frame schema-validated. Wall clock:
// these tests wait for frames, they never assert how long anything took.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevCsms } from "../../host/csms/server.ts";
import { csmsFrameViolations, cv } from "./harness.ts";
import { LinkedBoard } from "../../host/board/link.ts";

// The station built with AddressSanitizer and UBSan: every scenario here also checks the C side for memory errors.
const BIN = new URL("../../build/chargewasm-station-asan", import.meta.url).pathname;
const ID = "CS-POSIX";
let csms: DevCsms;
let output: (() => string) | undefined;
let procs: ChildProcess[] = [];
let dir: string;

afterEach(async () => {
  for (const p of procs) p.kill("SIGTERM");
  procs = [];
  if (output && /AddressSanitizer|runtime error:|exited with/.test(output())) throw new Error("the posix station failed:\n" + output());
  await csms?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  const bad = csms ? csmsFrameViolations(csms, ID) : [];
  if (bad.length) throw new Error("posix station sent invalid frames:\n" + bad.join("\n"));
  if (csms?.violations.length) throw new Error("ocpp-rpc strict mode failures:\n" + JSON.stringify(csms.violations));
});

let linked: LinkedBoard | undefined;
afterEach(async () => { await linked?.close(); linked = undefined; });

async function setup(opts: ConstructorParameters<typeof DevCsms>[0] = {}, withBoard = false) {
  csms = new DevCsms({ heartbeatInterval: 300, tokens: { ACCEPT1: "Accepted" }, ...opts });
  const url = await csms.listen();
  dir = mkdtempSync(join(tmpdir(), "cw-posix-"));
  const config = join(dir, "station.json");
  const cfg = {
    csmsUrl: url, identity: ID, vendorName: "chargewasm", model: "posix", evses: [{ connectors: ["cType2"], maxPowerW: 22080 }],
    defaults: [{ component: "OCPPCommCtrlr", variable: "RetryBackOffWaitMinimum", value: "1" }, { component: "OCPPCommCtrlr", variable: "RetryBackOffRandomRange", value: "0" }],
  };
  writeFileSync(config, JSON.stringify(cfg));
  const boardArgs: string[] = [];
  if (withBoard) {
    linked = new LinkedBoard(cfg);
    boardArgs.push("--board", `tcp:127.0.0.1:${await linked.listen()}`);
  }
  let out = "";
  const start = () => {
    const p = spawn(BIN, [config, join(dir, "store"), ...boardArgs], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1" } });
    p.on("exit", (code, signal) => { if (code !== 0 && signal !== "SIGTERM") out += `\nexited with ${code ?? signal}`; });
    p.stdout!.on("data", (d) => { out += d; });
    p.stderr!.on("data", (d) => { out += d; });
    procs.push(p);
    return p;
  };
  output = () => out;
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

  it("charges a car driven through the board link, with meter values read over it", async () => {
    const s = await setup({}, true);
    s.start();
    await until(() => calls("StatusNotification").length === 1 && linked!.connected, "boot and board link");
    linked!.plug(1, { maxCurrentA: 16 });
    await until(() => calls("StatusNotification").at(-1)?.params.connectorStatus === "Occupied", "Occupied");
    linked!.tap(1, "ACCEPT1");
    await until(() => calls("TransactionEvent").some((c) => c.params.transactionInfo.chargingState === "Charging"), "Charging");
    expect(calls("Authorize")[0].params).toEqual({ idToken: { idToken: "ACCEPT1", type: "ISO14443" } });
    expect(calls("TransactionEvent")[0].params).toMatchObject({ eventType: "Started", idToken: { idToken: "ACCEPT1" }, evse: { id: 1, connectorId: 1 } });
    expect(linked!.board.evse(1).snapshot()).toMatchObject({ pilot: "C", contactor: true, locked: true, drawnA: 16, dutyPermille: 533 });
    await new Promise((r) => setTimeout(r, 300));
    linked!.unplug(1);
    await until(() => calls("TransactionEvent").some((c) => c.params.eventType === "Ended"), "Ended");
    const ended = calls("TransactionEvent").find((c) => c.params.eventType === "Ended")!.params;
    expect(ended).toMatchObject({ triggerReason: "EVCommunicationLost", transactionInfo: { stoppedReason: "EVDisconnected", chargingState: "Idle" } });
    const wh = ended.meterValue[0].sampledValue[0];
    expect(wh).toMatchObject({ context: "Transaction.End", measurand: "Energy.Active.Import.Register" });
    expect(wh.value).toBeGreaterThan(0);
    expect(wh.value).toBeCloseTo(linked!.board.evse(1).energyWh, 1);
    await until(() => linked!.board.evse(1).display.startsWith("Session ended"), "display");
  });

  it("connects over wss (TLS with OpenSSL) and Basic auth: security profile 2", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-posix-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    csms = new DevCsms({ passwords: { [ID]: "tls-password-12345" } });
    const url = await csms.listenTls(readFileSync(join(dir, "cert.pem"), "utf8"), readFileSync(join(dir, "key.pem"), "utf8"));
    expect(url.startsWith("wss://localhost:")).toBe(true);
    writeFileSync(join(dir, "station.json"), JSON.stringify({ csmsUrl: url, identity: ID, password: "tls-password-12345", securityProfile: 2,
      vendorName: "chargewasm", model: "posix", evses: [{ connectors: ["cType2"] }] }));
    let out = "";
    const p = spawn(BIN, [join(dir, "station.json"), join(dir, "store")], { stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CHARGEWASM_CA_FILE: join(dir, "cert.pem"), ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1" } });
    p.stdout!.on("data", (d) => { out += d; });
    p.stderr!.on("data", (d) => { out += d; });
    procs.push(p);
    await until(() => calls("StatusNotification").length === 1, "boot over TLS");
    expect(calls("BootNotification")[0].params.reason).toBe("PowerUp");
    expect(out).toContain("connecting to wss://localhost:");
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
