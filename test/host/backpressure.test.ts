// ws_send answering "busy" (the transport is full): the engine loses nothing. A refused CALL waits at the head of
// its queue, refused answers are held (at most HELD_ANSWERS), and both go out, in order, at the next tick.
import { describe, expect, it } from "vitest";
import { Engine, engineModule } from "../../host/engine.ts";
import { seededRandom } from "../../host/clock.ts";
import { MemoryStore } from "../../host/storage.ts";
import { defaultStation } from "../../host/config.ts";
import { SEND } from "../../host/hal.ts";

describe("transport back-pressure", () => {
  it("a refused TransactionEvent and refused answers are sent, in order, once the transport has room", async () => {
    let busy = false;
    const sent: string[] = [], logs: string[] = [];
    const e = await Engine.create({
      clock: { now: () => 0, utc: () => Date.UTC(2026, 0, 1), at: () => () => {} }, random: seededRandom(5), store: new MemoryStore(),
      log: (_l, m) => logs.push(m), connect: () => {}, send: (t) => { if (busy) return SEND.Busy; sent.push(t); return SEND.Ok; },
      pilotSet: () => {}, contactorSet: () => {}, lockSet: () => {}, reboot: () => {}, display: () => {},
      meterRead: () => [1000, 0, 0, 0, 0, 230, 230, 230, NaN, 0],
    }, engineModule());
    const answer = (payload: string) => { const m = JSON.parse(sent.at(-1)!); e.onFrame(`[3,"${m[1]}",${payload}]`); };
    e.init({ ...defaultStation("ws://x/ocpp"), defaults: [{ component: "TxCtrlr", variable: "TxStartPoint", value: "EVConnected" }] });
    e.onConnection(true);
    answer('{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}');
    answer("{}");
    answer("{}");
    expect(sent).toHaveLength(3);

    busy = true;
    e.onBoardEvent(1, 1, 1 | (1 << 8));                       // plugged: TransactionEvent Started and a StatusNotification
    for (const id of ["g1", "g2", "g3"]) e.onFrame(`[2,"${id}","GetVariables",{"getVariableData":[{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"OfflineThreshold"}}]}]`);
    expect(sent).toHaveLength(3);
    busy = false;
    e.tick();
    const kinds = sent.slice(3).map((t) => { const m = JSON.parse(t); return m[0] === 3 ? `answer ${m[1]}` : m[2]; });
    expect(kinds).toEqual(["answer g1", "answer g2", "answer g3", "TransactionEvent"]);
    expect(JSON.parse(sent.at(-1)!)[3]).toMatchObject({ eventType: "Started", seqNo: 0 });
    answer("{}");
    expect(JSON.parse(sent.at(-1)!)[2]).toBe("StatusNotification");
    expect(logs.filter((l) => /dropped/.test(l))).toEqual([]);
  });
});
