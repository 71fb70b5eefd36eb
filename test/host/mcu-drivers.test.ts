// The MCU station firmwares' own drivers under QEMU, against the Node peripherals on their UARTs: the energy of a
// session comes through the Modbus RTU driver (USART2 on the STM32F405, the PCI 16550 on rv32) from the simulated
// SDM630 meter, and a meter that goes silent, answers with a bad CRC, an exception or absurd values is detected,
// logged, its values left out (never invented), and used again once it answers properly, without a reset. A board
// link that carries noise and corrupted frames loses only those.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevCsms } from "../../host/csms/server.ts";
import { VirtualClock } from "../../host/clock.ts";
import type { MeterFault } from "../../host/board/modbus-meter.ts";
import { RemoteStation } from "./remote-station.ts";
import { csmsFrameViolations, stationConfig } from "./harness.ts";
import { dm, TOKENS } from "./charging.ts";
import { BL, encodeFrame } from "../../host/board/link.ts";

const ENERGY = "Energy.Active.Import.Register";
let csms: DevCsms | undefined;
let station: RemoteStation | undefined;
afterEach(async () => {
  station?.stop();
  if (csms) {
    const bad = csmsFrameViolations(csms, "CS-TEST-1");
    await csms.close();
    expect(bad).toEqual([]);
    expect(csms.violations).toEqual([]);
  }
  csms = station = undefined;
});

const CARD = "04A2B3C4D5E6F7";

async function booted(mcu: "stm32" | "rv32"): Promise<RemoteStation> {
  const clock = new VirtualClock();
  csms = new DevCsms({ now: () => clock.utc(), tokens: { ...TOKENS, [CARD]: "Accepted" } });
  const url = await csms.listen();
  const config = stationConfig(url, { evses: [{ connectors: ["cType2"], maxPowerW: 22080 }], defaults: [dm("AlignedDataCtrlr", "Interval", "0"), dm("SampledDataCtrlr", "TxUpdatedInterval", "60")] });
  station = await RemoteStation.start(config, clock, csms, mkdtempSync(join(tmpdir(), `cw-${mcu}-drivers-`)), 3000, mcu);
  return station;
}

async function charging(mcu: "stm32" | "rv32"): Promise<RemoteStation> {
  await booted(mcu);
  station!.plug(1);
  await station!.settle();
  station!.tap(1, "ACCEPT1");
  await station!.settle();
  expect(station!.board.evse(1).snapshot(), station!.output).toMatchObject({ contactor: true, pilot: "C" });
  return station!;
}

const authorizes = () => csms!.calls.filter((c) => c.method === "Authorize").map((c) => c.params);
const realTime = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The energy register of every periodic TransactionEvent Updated (undefined where it was left out). */
function energies(s: RemoteStation): (number | undefined)[] {
  return s.sent().filter((m) => m[0] === 2 && m[2] === "TransactionEvent" && (m[3] as any).triggerReason === "MeterValuePeriodic")
    .map((m) => (m[3] as any).meterValue?.flatMap((v: any) => v.sampledValue).find((v: any) => v.measurand === ENERGY && !v.phase)?.value);
}

for (const mcu of ["stm32", "rv32"] as const) {
  describe(`${mcu} firmware drivers`, () => {
    it("a session's energy in TransactionEvents comes from the meter over Modbus RTU", async () => {
      const s = await charging(mcu);
      await s.advance(10 * 60_000);
      const e = energies(s);
      expect(e.length).toBeGreaterThanOrEqual(9);
      expect(e.every((v) => typeof v === "number")).toBe(true);
      for (let i = 1; i < e.length; i++) expect(e[i]!).toBeGreaterThan(e[i - 1]!);
      // 22 kW for 10 minutes is about 3.7 kWh; the meter's float32 kWh register is exact to well under 1 Wh here.
      expect(e.at(-1)!).toBeGreaterThan(3000);
      expect(Math.abs(e.at(-1)! - s.board.evse(1).snapshot().energyWh)).toBeLessThan(400);
      expect(s.meters.answered.get(1)).toBeGreaterThan(9);
    }, 60_000);

    it("a card on the PN532 reader is the idToken (its UID, ISO14443), read once per presentation, and starts charging", async () => {
      const s = await booted(mcu);
      s.plug(1);
      await s.settle();
      s.tap(1, CARD);
      await s.settle();
      expect(authorizes()).toEqual([{ idToken: { idToken: CARD, type: "ISO14443" } }]);
      expect(s.board.evse(1).snapshot()).toMatchObject({ contactor: true, pilot: "C" });
      await realTime(3 * 200);   // the card stays for two polls; it is not presented again
      await s.settle();
      expect(authorizes()).toHaveLength(1);
    }, 60_000);

    it("a reader that answers with garbage is reported once, and its cards are read again when it recovers", async () => {
      const s = await booted(mcu);
      s.meters.faults.clear();
      s.plug(1);
      await s.settle();
      s.rfid.garbage = true;
      await realTime(1500);
      await s.settle();
      expect(s.logs.filter((l) => l.msg === "rfid: the reader does not answer")).toHaveLength(1);
      s.rfid.garbage = false;
      await realTime(1000);
      expect(s.logs.map((l) => l.msg)).toContain("rfid: the reader answers again");
      s.tap(1, CARD);
      await s.settle();
      expect(authorizes()).toEqual([{ idToken: { idToken: CARD, type: "ISO14443" } }]);
      expect(s.boots).toEqual(["PowerUp"]);
    }, 60_000);

    it("the pilot is decoded from ADC samples: a level between two states or a missing diode is an error (Faulted); hysteresis and debouncing hold", async () => {
      const s = await booted(mcu);
      s.plug(1);
      await s.settle();
      const status = () => csms!.calls.filter((c) => c.method === "StatusNotification" && c.params.evseId === 1).map((c) => c.params.connectorStatus).at(-1);
      expect(status()).toBe("Occupied");
      s.pilotVoltage(1, 7500);   // between B (9 V) and C (6 V)
      await s.settle();
      expect(status()).toBe("Faulted");
      s.pilotVoltage(1, null);
      await s.settle();
      expect(status()).toBe("Occupied");
      s.pilotVoltage(1, 8200);   // within B's band once in B (hysteresis): no change
      await s.settle();
      expect(status()).toBe("Occupied");
      s.pilotVoltage(1, null);
      s.pilotGlitch(1, 0, 3);    // a spike shorter than the debounce
      await s.settle();
      const all = csms!.calls.filter((c) => c.method === "StatusNotification").map((c) => c.params.connectorStatus);
      expect(all.slice(all.indexOf("Occupied"))).toEqual(["Occupied", "Faulted", "Occupied"]);
      s.tap(1, "ACCEPT1");
      await s.settle();
      expect(s.board.evse(1).snapshot()).toMatchObject({ contactor: true, pilot: "C" });
      s.pilotVoltage(1, 6000, -2000);   // state C's level, but the PWM's low level is not -12 V: the EV's diode is missing
      await s.settle();
      expect(status()).toBe("Faulted");
      expect(s.board.evse(1).snapshot()).toMatchObject({ contactor: false });
      s.pilotVoltage(1, null);   // the fault holds until the EV is unplugged
      await s.settle();
      expect(status()).toBe("Faulted");
      s.unplug(1);
      await s.settle();
      expect(status()).toBe("Available");
      expect(s.boots).toEqual(["PowerUp"]);
    }, 60_000);

    it("noise and corrupted frames on the board link are skipped; the frames around them arrive", async () => {
      const s = await booted(mcu);
      const faulted = Buffer.from(encodeFrame(BL.PILOT, Uint8Array.of(1, 4, 1)));   // state E on EVSE 1 ...
      faulted[faulted.length - 1] ^= 0x55;                                            // ... with a broken CRC
      const tooLong = Buffer.of(BL.SOF, 0xff, 0xff, BL.PILOT);                        // a length over the limit
      s.raw(Buffer.concat([Buffer.from("line noise \x7e\x01"), faulted, tooLong, Buffer.alloc(700, 0x7e)]));
      s.plug(1);
      await s.settle();
      s.tap(1, "ACCEPT1");
      await s.settle();
      expect(s.board.evse(1).snapshot()).toMatchObject({ contactor: true, pilot: "C" });
      const statuses = csms!.calls.filter((c) => c.method === "StatusNotification").map((c) => c.params.connectorStatus);
      expect(statuses).not.toContain("Faulted");
      expect(s.boots).toEqual(["PowerUp"]);
    }, 60_000);

    const faults: [MeterFault, string][] = [["silent", "no answer"], ["corrupt", "a corrupt answer"], ["exception", "exception 4"], ["absurd", "implausible values"]];
    for (const [fault, said] of faults) {
      it(`a meter fault (${fault}) is logged, its values are left out, and readings resume when it answers again`, async () => {
        const s = await charging(mcu);
        await s.advance(2 * 60_000);
        const before = energies(s);
        s.meters.faults.set(1, fault);
        await s.advance(3 * 60_000);
        const during = energies(s).slice(before.length);
        expect(during.length).toBeGreaterThanOrEqual(2);
        expect(during, JSON.stringify(energies(s))).toEqual(during.map(() => undefined));
        expect(s.logs.map((l) => l.msg)).toContain(`meter 1: ${said}; its values are left out`);
        s.meters.faults.delete(1);
        await s.advance(3 * 60_000);
        const after = energies(s).slice(before.length + during.length);
        expect(after.length).toBeGreaterThanOrEqual(2);
        expect(after.every((v) => typeof v === "number" && v > before.at(-1)!)).toBe(true);
        expect(s.boots).toEqual(["PowerUp"]);
        expect(s.board.evse(1).snapshot()).toMatchObject({ contactor: true, pilot: "C" });
      }, 60_000);
    }
  });
}
