// `make sim` end to end: the CLI starts the dev CSMS and a station on the wall
// clock; the station boots, reports its connector and heartbeats.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => { child?.kill("SIGTERM"); if (dir) rmSync(dir, { recursive: true, force: true }); });

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", () => res()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((res) => srv.close(res));
  return port;
}

describe("chargewasm sim", () => {
  it("boots against the built-in CSMS, reports its connector and heartbeats", async () => {
    dir = mkdtempSync(join(tmpdir(), "cw-sim-"));
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "host/cli.ts", "sim", "--port", String(port), "--heartbeat", "1", "--state", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => { out += d; });
    child.stderr!.on("data", (d) => { out += d; });
    const want = [
      `dev CSMS listening on ws://127.0.0.1:${port}/ocpp`,
      `connecting to ws://127.0.0.1:${port}/ocpp/CW-SIM-001`,
      '"BootNotification",{"chargingStation":{"serialNumber":"CW-SIM-001","model":"sim-ac22","vendorName":"chargewasm","firmwareVersion":"0.1.0"},"reason":"PowerUp"}]',
      '"status":"Accepted"',
      '"StatusNotification",{',
      '"Heartbeat",{}]',
    ];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("sim output incomplete:\n" + out)), 20000);
      const check = () => { if (want.every((w) => out.includes(w))) { clearTimeout(timer); resolve(); } };
      child!.stdout!.on("data", check);
    });
    for (let i = 1; i < want.length; i++) expect(out.indexOf(want[i])).toBeGreaterThan(out.indexOf(want[i - 1]));
  });
});
