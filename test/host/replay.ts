// The Node twin of boards/posix/replay.c: runs a scenario (docs/NATIVE.md) through
// the engine in Node on a virtual clock and returns the same lines, so that the
// two hosts can be compared byte for byte.
import { readFileSync } from "node:fs";
import { Engine, engineModule } from "../../host/engine.ts";
import { seededRandom } from "../../host/clock.ts";
import { MemoryStore } from "../../host/storage.ts";
import { BOOT_REASONS, BootReason, ID_TOKEN_TYPES, BOARD_EVENT, SEND } from "../../host/hal.ts";

const UTC0 = Date.UTC(2026, 0, 1);

export async function replay(file: string): Promise<string> {
  const lines: string[] = [];
  let now = 0;
  const open: string[] = [];
  let tx = "";
  const meters = new Map<number, number[]>();
  let reboot: BootReason | undefined;
  const store = new MemoryStore();
  const random = seededRandom(42);
  const host = {
    clock: { now: () => now, utc: () => UTC0 + now, at: () => () => {} },
    random,
    store,
    log: () => {},
    connect: (url: string, _u: string, _p: string, profile: number) => { lines.push(`connect ${url} ${profile}`); },
    send: (text: string) => {
      lines.push(`> ${text}`);
      const m = /^\[2,"([^"]+)"/.exec(text);
      if (m) open.push(m[1]);
      const t = /"transactionId":"([0-9a-f-]{36})"/.exec(text);
      if (t) tx = t[1];
      return SEND.Ok;
    },
    pilotSet: (evse: number, duty: number) => { lines.push(`pilot ${evse} ${duty}`); },
    contactorSet: (evse: number, closed: boolean) => { lines.push(`contactor ${evse} ${closed ? 1 : 0}`); },
    lockSet: (evse: number, c: number, locked: boolean) => { lines.push(`lock ${evse} ${c} ${locked ? 1 : 0}`); },
    meterRead: (evse: number) => meters.get(evse) ?? Array(10).fill(NaN),
    reboot: (reason: BootReason) => { reboot = reason; lines.push(`reboot ${BOOT_REASONS.indexOf(reason)}`); },
    display: (evse: number, text: string) => { lines.push(`display ${evse} ${text}`); },
  };
  let e = await Engine.create(host, engineModule());
  let config = "";
  let bootReason = 3;
  let inited = 0;
  const tick = () => e.tick();
  const advance = (until: number) => {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const d = tick();
      if (d < 0 || now + d > until) break;
      now += d > 0 ? d : 1;
    }
    now = until;
    tick();
  };
  const reply = (payload: string, error: boolean) => {
    const id = open.shift();
    if (!id) throw new Error("replay: nothing to answer");
    e.onFrame(error ? `[4,"${id}","${payload}","",{}]` : `[3,"${id}",${payload}]`);
  };
  // latin1 keeps every byte as one character, so frames reach the engine exactly as the file has them.
  for (const raw of readFileSync(file, "latin1").split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!line || line.startsWith("#")) continue;
    const sp = line.indexOf(" ");
    const cmd = sp < 0 ? line : line.slice(0, sp);
    const arg = sp < 0 ? "" : line.slice(sp + 1);
    const nums = () => arg.split(" ").map(Number);
    switch (cmd) {
      case "config": config = arg; break;
      case "boot": bootReason = Number(arg); break;
      case "init":
        if (inited++) throw new Error("replay: init twice");
        e.init(JSON.parse(config), BOOT_REASONS[bootReason]);
        break;
      case "at": {
        const t = Number(arg);
        if (!(t >= now && t <= 10 * 366 * 86_400_000)) throw new Error(`replay: at ${arg}: out of range`);
        advance(t);
        break;
      }
      case "tick": tick(); break;
      case "connected": e.onConnection(true); break;
      case "disconnected": open.length = 0; e.onConnection(false); break;
      case "reply": reply(arg, false); break;
      case "error": reply(arg, true); break;
      case "frame": {
        const frame = tx ? arg.replaceAll("$TX", tx) : arg;
        const bytes = Buffer.from(frame, "latin1");
        lines.push(`< ${bytes.toString("utf8")}`);
        e.onFrame(bytes);
        break;
      }
      case "pilot": {
        const [evse, state, connector] = arg.split(" ");
        e.onBoardEvent(Number(evse), BOARD_EVENT.Pilot, (state.charCodeAt(0) - 65) | (Number(connector ?? 1) << 8));
        break;
      }
      case "event": { const [evse, kind, value] = nums(); e.onBoardEvent(evse, kind, value); break; }
      case "token": { const [evse, id, type] = arg.split(" "); e.onToken(Number(evse), id, ID_TOKEN_TYPES[Number(type ?? 2)]); break; }
      case "meter": { const [evse, ...v] = arg.split(" "); meters.set(Number(evse), v.map((x) => (x === "nan" ? NaN : Number(x)))); break; }
      default: throw new Error(`replay: unknown command ${cmd}`);
    }
    if (reboot) {
      const reason = reboot;
      reboot = undefined;
      open.length = 0;
      e = await Engine.create(host, engineModule());
      e.init(JSON.parse(config), reason);
    }
  }
  lines.push(`end ${now} restarts 0`);
  return lines.join("\n") + "\n";
}
