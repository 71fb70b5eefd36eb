// `make sim` end to end: the CLI starts the dev CSMS and a station on the wall
// clock; the station boots and heartbeats; `chargewasm ctl` plugs, taps and
// unplugs through the control API, and the TransactionEvents flow.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, execFile, ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./harness.ts";

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
  it("--runtime posix: the native station on the same board, driven by ctl", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-sim-"));
    const [port, control] = [await freePort(), await freePort()];
    child = spawn(CLI, ["sim", "--runtime", "posix", "--port", String(port), "--control-port", String(control), "--state", dir], { stdio: ["ignore", "pipe", "pipe"] });
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
  });
});
