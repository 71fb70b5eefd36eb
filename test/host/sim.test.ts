// `make sim` end to end: the CLI starts the dev CSMS and a station on the wall
// clock; the station boots and heartbeats; `chargewasm ctl` plugs, taps and
// unplugs through the control API, and the TransactionEvents flow.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, execFile, ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { createServer } from "node:net";
import { DevCsms } from "../../host/csms/server.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./harness.ts";
import { defaultStation, DEV_TOKENS } from "../../host/config.ts";

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => { child?.kill("SIGTERM"); if (dir) rmSync(dir, { recursive: true, force: true }); });

const CLI = new URL("../../host/chargewasm", import.meta.url).pathname;
const run = promisify(execFile);


function waitFor(get: () => string, want: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (want.every((w) => get().includes(w))) return resolve();
      if (Date.now() - started > 20000) return reject(new Error(`${what}: output incomplete:\n${get()}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

describe("chargewasm sim + ctl", () => {
  // posix, and the station firmware of each MCU under QEMU (its meter answers over Modbus, its frames go through the bridge).
  for (const runtime of ["posix", "stm32", "rv32"]) it(`--runtime ${runtime}: the native station on the same board, driven by ctl`, async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-sim-"));
    const [port, control] = [await freePort(), await freePort()];
    child = spawn(CLI, ["sim", "--runtime", runtime, "--port", String(port), "--control-port", String(control), "--state", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => { out += d; });
    child.stderr!.on("data", (d) => { out += d; });
    await waitFor(() => out, ["board link up", '"StatusNotification",{', `control API on http://127.0.0.1:${control}`], "posix boot");
    const ctl = async (...args: string[]) => JSON.parse((await run(CLI, ["ctl", "--control-port", String(control), ...args])).stdout);
    await ctl("plug", "1");
    await ctl("tap", "1", "ACCEPT1");
    await waitFor(() => out, ['"TransactionEvent",{"eventType":"Started"', '"chargingState":"Charging"'], "posix charging");
    expect((await ctl("status")).evses[0]).toMatchObject({ pilot: "C", contactor: true });
    await ctl("unplug", "1");
    await waitFor(() => out, ['"stoppedReason":"EVDisconnected"'], "posix end");
    if (runtime !== "posix") expect(out).toMatch(/"measurand":"Energy.Active.Import.Register"/);
  });

  it("boots against the built-in CSMS, heartbeats, and charges a car driven by ctl", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-sim-"));
    const [port, control] = [await freePort(), await freePort()];
    child = spawn(CLI, ["sim", "--port", String(port), "--control-port", String(control), "--heartbeat", "1", "--state", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => { out += d; });
    child.stderr!.on("data", (d) => { out += d; });
    const boot = [
      `dev CSMS listening on ws://127.0.0.1:${port}/ocpp`,
      `connecting to ws://127.0.0.1:${port}/ocpp/CW-SIM-001`,
      '"BootNotification",{"chargingStation":{"serialNumber":"CW-SIM-001","model":"sim-ac22","vendorName":"chargewasm","firmwareVersion":"0.1.0"},"reason":"PowerUp"}]',
      '"status":"Accepted"',
      '"StatusNotification",{',
      '"Heartbeat",{}]',
      `control API on http://127.0.0.1:${control}`,
    ];
    await waitFor(() => out, boot, "boot");
    for (let i = 1; i < boot.length - 1; i++) expect(out.indexOf(boot[i])).toBeGreaterThan(out.indexOf(boot[i - 1]));

    const ctl = async (...args: string[]) => JSON.parse((await run(CLI, ["ctl", "--control-port", String(control), ...args])).stdout);
    expect((await ctl("plug", "1", "--max-current", "16")).evses[0]).toMatchObject({ pilot: "B", ev: { maxCurrentA: 16 } });
    const charging = (await ctl("tap", "1", "ACCEPT1")).evses[0];
    await waitFor(() => out, ['"TransactionEvent",{"eventType":"Started"'], "start");
    await waitFor(() => out, ['"chargingState":"Charging"'], "charging");
    expect(charging.ev.maxCurrentA).toBe(16);
    expect((await ctl("status")).evses[0]).toMatchObject({ pilot: "C", contactor: true, drawnA: 16 });
    await ctl("unplug", "1");
    await waitFor(() => out, ['"eventType":"Ended"', '"stoppedReason":"EVDisconnected"'], "end");
    await expect(run(CLI, ["ctl", "--control-port", String(control), "unplug", "1"])).rejects.toMatchObject({ stderr: "ctl: nothing is plugged into EVSE 1\n" });
    expect((await ctl("plug", "1", "--wants-charge", "false")).evses[0]).toMatchObject({ pilot: "B", ev: { wantsCharge: false } });
  });
});

/** Runs the CLI to its end: exit code, stdout, stderr. */
function cli(args: string[], timeout = 20000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(CLI, args, { timeout }, (e, out, err) => resolve({ code: e ? (typeof e.code === "number" ? e.code : -1) : 0, out, err }));
  });
}

/** Occupies a loopback port for the duration of fn. */
async function busy<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
  try { return await fn((srv.address() as { port: number }).port); } finally { srv.close(); }
}

describe("chargewasm: mistakes a new user makes get one clear line", () => {
  const oneLine = (r: { code: number; err: string }, code: number, text: string) => {
    expect(r.err).toBe(`chargewasm: ${text}\n`);
    expect(r.code).toBe(code);
  };

  it("bad flags, commands and ctl arguments", async () => {
    const cases: [string[], string][] = [
      [["foo"], 'unknown command "foo"; one of sim, csms, ctl (chargewasm help shows them all)'],
      [["sim", "--port", "abc"], '--port must be a TCP port number from 1 to 65535, not "abc"'],
      [["sim", "--port", "99999"], '--port must be a TCP port number from 1 to 65535, not "99999"'],
      [["sim", "--control-port", "0"], '--control-port must be a TCP port number from 1 to 65535, not "0"'],
      [["sim", "--heartbeat", "abc"], '--heartbeat must be a whole number of seconds above 0, not "abc"'],
      [["csms", "--heartbeat=-5"], '--heartbeat must be a whole number of seconds above 0, not "-5"'],
      [["sim", "--runtime", "wasm3"], '--runtime must be node, posix, stm32 or rv32, not "wasm3"'],
      [["sim", "--warp"], "sim: Unknown option '--warp'; chargewasm help lists the options"],
      [["ctl", "foo", "1"], 'ctl: unknown action "foo"; one of status, plug, unplug, tap, fault, ev, bay'],
      [["ctl", "plug"], "ctl plug: give the EVSE number, e.g. ctl plug 1"],
      [["ctl", "bay", "1", "maybe"], 'ctl bay: give on or off, not "maybe"'],
      [["ctl", "ev", "1", "--wants-charge", "maybe"], '--wants-charge takes true or false, not "maybe"'],
      [["ctl", "plug", "1", "--max-current", "lots"], '--max-current must be a number of amperes, not "lots"'],
      [["ctl", "fault", "1"], "ctl fault: give the fault: E, F, welded or clear"],
    ];
    for (const [args, text] of cases) oneLine(await cli(args), 2, text);
    expect((await cli(["--version"])).out).toMatch(/^chargewasm \d+\.\d+\.\d+\n$/);
    expect((await cli(["help"])).out).toContain("fault EVSE E|F|welded|clear");
  });

  it("bad config and state files are named, and nothing starts", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-cli-"));
    writeFileSync(join(dir, "bad.json"), "{not json");
    writeFileSync(join(dir, "slash.json"), JSON.stringify({ identity: "CS/1", vendorName: "v", model: "m", evses: [{ connectors: ["cType2"] }] }));
    writeFileSync(join(dir, "CW-SIM-001.json"), '{"dm/x": ');
    const port = String(await freePort());
    const bad = await cli(["sim", "--config", join(dir, "bad.json"), "--port", port]);
    expect(bad.err).toMatch(new RegExp(`^chargewasm: --config ${join(dir, "bad.json")}: not valid JSON \\(.*\\)\n$`));
    oneLine(await cli(["sim", "--config", join(dir, "slash.json"), "--port", port]), 2,
      `--config ${join(dir, "slash.json")}: invalid station config: identity must be 1 to 48 characters of A-Z a-z 0-9 * - _ = : + | @ .`);
    const state = await cli(["sim", "--state", dir, "--port", port]);
    expect(state.err).toMatch(new RegExp(`^chargewasm: state file ${join(dir, "CW-SIM-001.json")} is corrupt \\(.*\\); move it away or delete it to start afresh\n$`));
    for (const r of [bad, state]) { expect(r.code).toBe(2); expect(r.out).toBe(""); }
  });

  it("a port in use names the flag to change, before anything dials", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-cli-"));
    await busy(async (p) => {
      const r = await cli(["sim", "--port", String(p), "--control-port", String(await freePort()), "--state", dir!]);
      oneLine(r, 2, `dev CSMS: port ${p} is already in use (another make sim?); stop it or pass --port N`);
      expect(r.out).not.toContain("connecting");
    });
    await busy(async (p) => {
      const r = await cli(["sim", "--port", String(await freePort()), "--control-port", String(p), "--state", dir!]);
      oneLine(r, 2, `control API: port ${p} is already in use (another make sim?); stop it or pass --control-port N`);
      expect(r.out).not.toMatch(/connecting|dialing/);
    });
  });

  it("flags win over --config, and a config that names a CSMS starts no dev CSMS", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-cli-"));
    const csms = new DevCsms();
    const url = await csms.listen();
    try {
      writeFileSync(join(dir, "station.json"), JSON.stringify({ csmsUrl: url, identity: "FROM-FILE", vendorName: "v", model: "m", evses: [{ connectors: ["cType2"] }] }));
      child = spawn(CLI, ["sim", "--config", join(dir, "station.json"), "--id", "FROM-FLAG", "--control-port", String(await freePort()), "--state", dir], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (d) => { out += d; });
      await waitFor(() => out, ['"BootNotification"', '"status":"Accepted"'], "boot at the config's CSMS");
      expect(csms.calls.map((c) => c.identity)).toContain("FROM-FLAG");
      expect(out).not.toContain("dev CSMS listening");
    } finally {
      child?.kill("SIGTERM");
      await csms.close();
    }
  });

  it("SIGKILLed while charging and started again on its state: the transaction ends PowerLoss, the meter kept its register", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-cut-"));
    const csms = new DevCsms({ tokens: DEV_TOKENS });
    const url = await csms.listen();
    const control = await freePort();
    writeFileSync(join(dir, "station.json"), JSON.stringify({ ...defaultStation(url, "CW-CUT"), defaults: [
      { component: "SampledDataCtrlr", variable: "TxUpdatedInterval", value: "1" }] }));
    const start = () => {
      const c = spawn(CLI, ["sim", "--config", join(dir!, "station.json"), "--control-port", String(control), "--state", dir!], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      c.stdout!.on("data", (d) => { out += d; });
      c.stderr!.on("data", (d) => { out += d; });
      return { c, out: () => out };
    };
    const tes = () => csms.calls.filter((c) => c.method === "TransactionEvent").map((c) => c.params);
    const registers = () => tes().flatMap((e) => (e.meterValue ?? []).flatMap((m: any) => m.sampledValue))
      .filter((v: any) => v.measurand === "Energy.Active.Import.Register").map((v: any) => v.value as number);
    const until = async (ok: () => boolean, what: string, out: () => string) => {
      for (const end = Date.now() + 20000; !ok(); await new Promise((r) => setTimeout(r, 25))) if (Date.now() > end) throw new Error(`${what}:\n${out()}`);
    };
    try {
      let sim = start();
      child = sim.c;
      await waitFor(sim.out, [`control API on http://127.0.0.1:${control}`, '"status":"Accepted"'], "boot");
      const ctl = async (...args: string[]) => JSON.parse((await run(CLI, ["ctl", "--control-port", String(control), ...args])).stdout);
      await ctl("plug", "1");
      await ctl("tap", "1", "ACCEPT1");
      await until(() => registers().some((v) => v > 0), "no energy reported", sim.out);
      const before = Math.max(...registers());
      const exited = new Promise((r) => sim.c.once("exit", r));
      sim.c.kill("SIGKILL");
      await exited;
      sim = start();
      child = sim.c;
      await until(() => tes().some((e) => e.transactionInfo.stoppedReason === "PowerLoss"), "no PowerLoss end", sim.out);
      const ended = tes().find((e) => e.eventType === "Ended")!;
      expect(ended).toMatchObject({ triggerReason: "AbnormalCondition", transactionInfo: { transactionId: tes()[0].transactionInfo.transactionId } });
      const end = ended.meterValue.flatMap((m: any) => m.sampledValue).find((v: any) => v.context === "Transaction.End" && v.measurand === "Energy.Active.Import.Register");
      expect(end.value).toBeGreaterThanOrEqual(before);
      expect((await ctl("status")).evses[0].energyWh).toBeGreaterThanOrEqual(before);
    } finally {
      child?.kill("SIGTERM");
      await csms.close();
    }
  });

  it("run before make: says to run make first", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-fresh-"));
    mkdirSync(join(dir, "host"));
    copyFileSync(CLI, join(dir, "host", "chargewasm"));
    const fresh = await new Promise<{ code: number; err: string }>((resolve) =>
      execFile("bash", [join(dir!, "host", "chargewasm"), "help"], (e, _o, err) => resolve({ code: e ? Number(e.code) : 0, err })));
    expect(fresh).toEqual({ code: 2, err: `chargewasm: the dependencies are not installed; run make first (in ${dir})\n` });
  });
});
