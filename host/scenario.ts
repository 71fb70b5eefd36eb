// Records what goes into an engine as a replay scenario (docs/NATIVE.md): its config and boot, CSMS frames, board
// events, tokens, connection changes and the meter readings it took, each at its time. Replayed by the native engine
// (build/chargewasm-replay, the fuzz target's corpus), the same engine gets the same inputs at the same times.
import type { Engine } from "./engine.ts";
import { BOOT_REASONS, ID_TOKEN_TYPES } from "./hal.ts";

export class ScenarioRecorder {
  readonly lines: string[] = [];
  private t = 0;
  private inited = false;
  /** Where a meter reading goes: before the input (or the time step) that made the engine read it. */
  private cause = 0;
  private meters = new Map<number, string>();

  constructor(private now: () => number) {}

  private clock(): void {
    const t = Math.floor(this.now());
    if (t === this.t) return;
    this.t = t;
    this.cause = this.lines.length;
    this.lines.push(`at ${t}`);
  }

  private input(line: string): void {
    this.clock();
    this.cause = this.lines.length;
    this.lines.push(line);
  }

  meter(evse: number, values: number[]): void {
    const text = values.map((v) => (Number.isNaN(v) ? "nan" : String(v))).join(" ");
    if (this.meters.get(evse) === text) return;
    this.clock();
    this.meters.set(evse, text);
    this.lines.splice(this.cause++, 0, `meter ${evse} ${text}`);
  }

  /** The engine with every input recorded first. A later init (a reboot) is the replay's own doing. */
  wrap(e: Engine): Engine {
    const rec = this;
    return Object.assign(Object.create(e), {
      init(config: object, reason = "PowerUp" as (typeof BOOT_REASONS)[number]) {
        if (!rec.inited) { rec.inited = true; rec.lines.push(`config ${JSON.stringify(config)}`, `boot ${BOOT_REASONS.indexOf(reason)}`, "init"); }
        e.init(config, reason);
      },
      onConnection(up: boolean) { rec.input(up ? "connected" : "disconnected"); e.onConnection(up); },
      onFrame(frame: string) { rec.input(`frame ${String(frame).replace(/[\r\n]/g, " ")}`); e.onFrame(frame); },
      onBoardEvent(evse: number, kind: number, value: number) { rec.input(`event ${evse} ${kind} ${value}`); e.onBoardEvent(evse, kind, value); },
      onToken(evse: number, id: string, type: (typeof ID_TOKEN_TYPES)[number]) { rec.input(`token ${evse} ${id} ${ID_TOKEN_TYPES.indexOf(type)}`); e.onToken(evse, id, type); },
    }) as Engine;
  }
}
