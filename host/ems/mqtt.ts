// The MQTT bridge to a local energy manager: publishes each EVSE's state (retained)
// and takes external limits for the station and per EVSE (QoS 1). Topics and
// payloads: docs/MQTT.md and schemas/mqtt/.
import { readFileSync } from "node:fs";
import { MqttClient } from "./client.ts";
import { Ajv } from "ajv";
import type { Station } from "../station.ts";

const load = (f: string) => JSON.parse(readFileSync(new URL(`../../schemas/mqtt/${f}`, import.meta.url), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
const checkLimit = ajv.compile(load("limit.schema.json"));

export interface EmsBridgeOptions { url: string; prefix?: string; log?: (msg: string) => void }

/** A parsed limit payload: amps per phase, null to lift; throws with the reason when the payload is bad. */
export function parseLimit(payload: Buffer, phases: number): number | null {
  const text = payload.toString("utf8").trim();
  if (!text) return null;
  let v: unknown;
  try { v = JSON.parse(text); } catch { throw new Error("payload is not JSON"); }
  if (!checkLimit(v)) throw new Error(ajv.errorsText(checkLimit.errors));
  if (v === null) return null;
  const o = v as { limitA?: number | null; limitW?: number | null };
  if (typeof o.limitA === "number") return o.limitA;
  if (typeof o.limitW === "number") return o.limitW / (230 * phases);
  return null;
}

export class EmsBridge {
  readonly client: MqttClient;
  private readonly base: string;
  private last = new Map<number, string>();
  private log: (msg: string) => void;

  constructor(private station: Station, opts: EmsBridgeOptions) {
    this.base = `${opts.prefix ?? "chargewasm"}/${station.identity}`;
    this.log = opts.log ?? ((m) => station.log(2, m));
    this.client = new MqttClient(opts.url, { clientId: `${station.identity}-ems`, log: this.log });
    this.client.on("connect", () => {
      this.log(`ems: connected to ${opts.url}`);
      this.client.subscribe([`${this.base}/limit`, `${this.base}/evse/+/limit`]);
      this.last.clear();
      this.publish();
    });
    this.client.on("message", (topic: string, payload: Buffer) => this.onLimit(topic, payload));
    station.on("board", () => this.publish());
  }

  private onLimit(topic: string, payload: Buffer): void {
    const m = new RegExp(`^${this.base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(?:evse/(\\d+)/)?limit$`).exec(topic);
    if (!m) return;
    const evse = m[1] === undefined ? 0 : Number(m[1]);
    if (evse > this.station.board.evses.length || (m[1] !== undefined && evse < 1)) { this.log(`ems: rejected limit on ${topic}: no EVSE ${evse}`); return; }
    const phases = evse ? this.station.board.evse(evse).phases : 3;
    let amps: number | null;
    try { amps = parseLimit(payload, phases); } catch (e) {
      this.log(`ems: rejected limit on ${topic}: ${(e as Error).message}`);
      return;
    }
    this.station.emsLimit(evse, amps);
  }

  /** Publishes every EVSE whose state changed, retained. */
  publish(): void {
    if (!this.client.connected) return;
    for (const e of this.station.board.evses) {
      const s = e.snapshot();
      const state = { evse: s.evse, pilot: s.pilot, offeredA: s.offeredA, drawnA: s.drawnA, powerW: s.powerW, energyWh: s.energyWh, contactor: s.contactor };
      const key = JSON.stringify(state);
      if (this.last.get(e.id) === key) continue;
      this.last.set(e.id, key);
      this.client.publish(`${this.base}/evse/${e.id}/state`, JSON.stringify({ ...state, timestamp: new Date(this.station.clock.utc()).toISOString() }), true);
    }
  }

  async close(): Promise<void> { await this.client.close(); }
}
