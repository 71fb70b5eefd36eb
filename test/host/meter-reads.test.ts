// Every meter read may be a round trip over the board link: one event must not read the same meter twice.
import { describe, expect, it } from "vitest";
import { Engine, engineModule } from "../../host/engine.ts";
import { seededRandom } from "../../host/clock.ts";
import { MemoryStore } from "../../host/storage.ts";
import { defaultStation } from "../../host/config.ts";

describe("meter reads", () => {
  it("a transaction's start and end each read the meter once", async () => {
    let now = 0;
    const reads: number[] = [];
    const sent: string[] = [];
    const e = await Engine.create({
      clock: { now: () => now, utc: () => Date.UTC(2026, 0, 1) + now, at: () => () => {} }, random: seededRandom(3), store: new MemoryStore(),
      log: () => {}, connect: () => {}, send: (t) => { sent.push(t); return 0; },
      pilotSet: () => {}, contactorSet: () => {}, lockSet: () => {}, reboot: () => {}, display: () => {},
      meterRead: (evse) => { reads.push(now); return [1000 + now, 0, 0, 0, 0, 230, 230, 230, NaN, 0]; },
    }, engineModule());
    const answer = (payload: string) => { const m = JSON.parse(sent.at(-1)!); e.onFrame(`[3,"${m[1]}",${payload}]`); };
    e.init({ ...defaultStation("ws://x/ocpp"), defaults: [{ component: "AuthCtrlr", variable: "Enabled", value: "false" },
      { component: "AlignedDataCtrlr", variable: "Interval", value: "0" }, { component: "SampledDataCtrlr", variable: "TxUpdatedInterval", value: "0" }] });
    e.onConnection(true);
    answer('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}');
    answer("{}");   // StatusNotification
    answer("{}");   // SecurityEventNotification StartupOfTheDevice
    e.onBoardEvent(1, 1, 1 | (1 << 8));
    answer("{}");
    now = 5000;
    e.onToken(1, "A", "ISO14443");
    expect(reads).toEqual([5000]);
    expect(JSON.parse(sent.at(-1)!)[3].meterValue[0].sampledValue[0].value).toBe(6000);
    answer("{}");
    now = 9000;
    e.onToken(1, "A", "ISO14443");
    expect(reads).toEqual([5000, 9000]);
  });
});
