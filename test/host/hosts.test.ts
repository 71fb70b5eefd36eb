// One suite, two hosts: the same OCTT-derived checks against the engine hosted
// by Node (virtual clock) and by the native posix station (wasm2c +
// libwebsockets, ASan/UBSan build, board over the board link). Every check here
// waits on what the CSMS receives, so it means the same on both clocks.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevCsms } from "../../host/csms/server.ts";
import { Station, StationConfig } from "../../host/station.ts";
import { VirtualClock } from "../../host/clock.ts";
import { LinkedBoard } from "../../host/board/link.ts";
import type { Drivable } from "../../host/board/control.ts";
import { csmsFrameViolations, cv } from "./harness.ts";
import { TOKENS } from "./charging.ts";

const ID = "CS-HOSTS";
const BIN = new URL("../../build/chargewasm-station-asan", import.meta.url).pathname;

interface Host { csms: DevCsms; drive: Drivable; close(): Promise<void> }

async function nodeHost(csms: DevCsms, cfg: StationConfig): Promise<Host> {
  const station = await Station.start({ config: cfg, clock: new VirtualClock(), seed: 7 });
  return { csms, drive: station, close: async () => station.stop() };
}

async function posixHost(csms: DevCsms, cfg: StationConfig): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), "cw-hosts-"));
  writeFileSync(join(dir, "station.json"), JSON.stringify(cfg));
  const board = new LinkedBoard(cfg);
  const port = await board.listen();
  let out = "";
  const p: ChildProcess = spawn(BIN, [join(dir, "station.json"), join(dir, "store"), "--board", `tcp:127.0.0.1:${port}`],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1" } });
  p.stdout!.on("data", (d) => { out += d; });
  p.stderr!.on("data", (d) => { out += d; });
  return {
    csms, drive: board,
    close: async () => {
      const exited = p.exitCode !== null ? Promise.resolve() : new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await exited;   // it may still be writing its store
      await board.close();
      rmSync(dir, { recursive: true, force: true });
      if (/AddressSanitizer|runtime error:/.test(out)) throw new Error("posix station:\n" + out);
    },
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 15000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let h: Host | undefined;
afterEach(async () => {
  if (!h) return;
  await h.close();
  await h.csms.close();
  const bad = csmsFrameViolations(h.csms, ID);
  if (bad.length) throw new Error("invalid frames:\n" + bad.join("\n"));
  if (h.csms.violations.length) throw new Error(JSON.stringify(h.csms.violations));
  h = undefined;
});

for (const [name, make] of [["node", nodeHost], ["posix", posixHost]] as const) {
  describe(`${name} host`, () => {
    async function start(defaults: StationConfig["defaults"] = []) {
      const csms = new DevCsms({ tokens: TOKENS });
      const url = await csms.listen();
      const cfg: StationConfig = { csmsUrl: url, identity: ID, vendorName: "chargewasm", model: "hosts",
        evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [{ component: "AlignedDataCtrlr", variable: "Interval", value: "0" }, ...defaults] };
      h = await make(csms, cfg);
      await until(() => calls("StatusNotification").length === 1, "boot");
      return h;
    }
    const calls = (m: string) => h!.csms.calls.filter((c) => c.identity === ID && c.method === m);
    const call = (m: string, p: unknown) => h!.csms.call(ID, m, p);
    const tes = () => calls("TransactionEvent").map((c) => c.params);

    it("TC_B_06_CS / TC_B_09_CS / TC_B_32_CS / TC_B_33_CS / TC_B_34_CS / TC_B_11_CS: device model", async () => {
      await start();
      expect((await call("SetVariables", { setVariableData: [{ ...cv("OCPPCommCtrlr", "OfflineThreshold"), attributeValue: "300", attributeType: "Actual" }] })).setVariableResult[0].attributeStatus).toBe("Accepted");
      const res = await call("GetVariables", { getVariableData: [
        cv("OCPPCommCtrlr", "OfflineThreshold", { attributeType: "Actual" }), cv("UnknownComponent", "OfflineThreshold"),
        cv("OCPPCommCtrlr", "UnknownVariable"), cv("OCPPCommCtrlr", "OfflineThreshold", { attributeType: "Target" }),
      ] });
      expect(res.getVariableResult.map((x: any) => [x.attributeStatus, x.attributeValue])).toEqual([
        ["Accepted", "300"], ["UnknownComponent", undefined], ["UnknownVariable", undefined], ["NotSupportedAttributeType", undefined],
      ]);
      expect((await call("SetVariables", { setVariableData: [{ ...cv("OCPPCommCtrlr", "HeartbeatInterval"), attributeValue: "abc" }] })).setVariableResult[0])
        .toMatchObject({ attributeStatus: "Rejected", attributeStatusInfo: { reasonCode: "InvalidValue" } });
    });

    it("Part 4: CALLERROR for malformed CALLs", async () => {
      await start();
      const cases: [string, string, string][] = [
        ['[2,"e1","Heartbeat",{', "-1", "RpcFrameworkError"], ['[9,"e3","GetVariables",{}]', "e3", "MessageTypeNotSupported"],
        ['[2,"e4","BrewCoffee",{}]', "e4", "NotImplemented"], ['[2,"e5","ReserveNow",{"id":1,"expiryDateTime":"2026-01-01T00:00:00Z","idToken":{"idToken":"A","type":"Central"}}]', "e5", "NotSupported"],
        ['[2,"e7","GetVariables",{}]', "e7", "OccurrenceConstraintViolation"], ['[2,"e8","GetVariables",{"getVariableData":"x"}]', "e8", "TypeConstraintViolation"],
      ];
      for (const [frame, id, code] of cases) {
        const from = h!.csms.frames.length;
        h!.csms.sendRaw(ID, frame);
        const m = await h!.csms.nextFrame(ID, (x) => x[1] === id && x[0] === 4, from);
        expect([m[1], m[2]], frame).toEqual([id, code]);
      }
    });

    it("TC_E_03_CS / TC_F_08_CS: cable first, local authorization, charging, remote stop", async () => {
      await start();
      h!.drive.plug(1, { maxCurrentA: 16 });
      await until(() => calls("StatusNotification").at(-1)?.params.connectorStatus === "Occupied", "Occupied");
      h!.drive.tap(1, "ACCEPT1");
      await until(() => tes().some((e) => e.transactionInfo.chargingState === "Charging"), "Charging");
      expect(tes()[0]).toMatchObject({ eventType: "Started", triggerReason: "Authorized", idToken: { idToken: "ACCEPT1", type: "ISO14443" } });
      await until(() => h!.drive.board.evse(1).snapshot().drawnA === 16, "16 A at the board");
      expect(await call("RequestStopTransaction", { transactionId: tes()[0].transactionInfo.transactionId })).toEqual({ status: "Accepted" });
      await until(() => tes().some((e) => e.eventType === "Ended"), "Ended");
      expect(tes().at(-1)).toMatchObject({ triggerReason: "RemoteStop", transactionInfo: { stoppedReason: "Remote" } });
      await until(() => !h!.drive.board.evse(1).snapshot().contactor, "contactor open");
    });

    it("TC_K_60_CS: a TxProfile lowers the offered current at the board", async () => {
      await start();
      h!.drive.plug(1);
      h!.drive.tap(1, "ACCEPT1");
      await until(() => tes().some((e) => e.transactionInfo.chargingState === "Charging"), "Charging");
      const tx = tes()[0].transactionInfo.transactionId;
      const res = await call("SetChargingProfile", { evseId: 1, chargingProfile: { id: 9, stackLevel: 0, chargingProfilePurpose: "TxProfile",
        chargingProfileKind: "Relative", transactionId: tx, chargingSchedule: [{ id: 1, chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] } });
      expect(res.status).toBe("Accepted");
      await until(() => h!.drive.board.evse(1).snapshot().drawnA === 9.96, "10 A offered");
      await until(() => tes().some((e) => e.triggerReason === "ChargingRateChanged"), "ChargingRateChanged");
    });

    it("TC_F_20_CS / TC_F_23_CS: TriggerMessage Heartbeat and StatusNotification", async () => {
      await start();
      expect(await call("TriggerMessage", { requestedMessage: "Heartbeat" })).toEqual({ status: "Accepted" });
      await until(() => calls("Heartbeat").length === 1, "Heartbeat");
      expect(await call("TriggerMessage", { requestedMessage: "StatusNotification", evse: { id: 1, connectorId: 1 } })).toEqual({ status: "Accepted" });
      await until(() => calls("StatusNotification").length === 2, "StatusNotification");
    });
  });
}
