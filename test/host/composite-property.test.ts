// Property test: random sets of charging profiles against an independent,
// obviously-correct per-second evaluator. The composite schedules must match exactly.
import { afterEach, describe, expect, it } from "vitest";
import type { Rig } from "./harness.ts";
import { chargingRig } from "./charging.ts";
import { seededRandom } from "../../host/clock.ts";

let r: Rig;
afterEach(async () => { await r?.close(); });

const DAY = 86400_000;
const HW = 32;   // the test EVSE's hardware limit, A per phase (22080 W / 230 V / 3)

interface Gen { evse: number; purpose: string; stackLevel: number; kind: string; recurrency?: string; start: number;
  duration?: number; validFrom?: number; validTo?: number; unit: "A" | "W"; periods: { startPeriod: number; limit: number; numberPhases?: number }[] }

/** The limit of one profile at t (A per phase), or undefined; written from the spec's definitions, one second at a time. */
function refProfile(p: Gen, t: number): number | undefined {
  if (p.validFrom !== undefined && t < p.validFrom) return undefined;
  if (p.validTo !== undefined && t >= p.validTo) return undefined;
  let start = p.start;
  if (p.kind === "Recurring") {
    const len = p.recurrency === "Weekly" ? 7 * DAY : DAY;
    if (t >= p.start) start = p.start + Math.floor((t - p.start) / len) * len;
  }
  if (t < start) return undefined;
  const off = Math.floor((t - start) / 1000);
  if (p.duration !== undefined && off >= p.duration) return undefined;
  const active = p.periods.filter((x) => x.startPeriod <= off).at(-1);
  if (!active) return undefined;
  return p.unit === "A" ? active.limit : active.limit / (230 * (active.numberPhases ?? 3));
}

function refComposite(ps: Gen[], t: number): number {
  const top = (list: Gen[]) => {
    let best: Gen | undefined, v: number | undefined;
    for (const p of list) {
      const l = refProfile(p, t);
      if (l !== undefined && (!best || p.stackLevel > best.stackLevel)) { best = p; v = l; }
    }
    return v;
  };
  const tx = top(ps.filter((p) => p.purpose === "TxDefaultProfile" && p.evse === 1)) ?? top(ps.filter((p) => p.purpose === "TxDefaultProfile" && p.evse === 0));
  const station = Math.min(HW, top(ps.filter((p) => p.purpose === "ChargingStationMaxProfile")) ?? Infinity);
  return Math.round(Math.min(HW, tx ?? Infinity, station) * 10) / 10;
}

function generate(rand: () => number, now: number): Gen[] {
  const pick = <T>(xs: T[]) => xs[rand() % xs.length];
  const out: Gen[] = [];
  const used = new Set<string>();
  const n = 1 + (rand() % 6);
  for (let i = 0; i < n; i++) {
    const purpose = pick(["ChargingStationMaxProfile", "TxDefaultProfile", "TxDefaultProfile"]);
    const evse = purpose === "ChargingStationMaxProfile" ? 0 : pick([0, 1]);
    const stackLevel = rand() % 5;
    const key = `${purpose}/${evse}/${stackLevel}`;
    if (used.has(key)) continue;
    used.add(key);
    const kind = pick(["Absolute", "Absolute", "Recurring"]);
    const unit = pick(["A", "W"] as const);
    const count = 1 + (rand() % 4);
    let sp = 0;
    const periods = Array.from({ length: count }, (_, k) => {
      if (k > 0) sp += 60 + (rand() % 7200);
      const amps = 6 + (rand() % 40);
      const phases = pick([1, 3]);
      return unit === "A" ? { startPeriod: sp, limit: amps } : { startPeriod: sp, limit: amps * 230 * phases, numberPhases: phases };
    });
    const g: Gen = { evse, purpose, stackLevel, kind, unit, periods, start: now - (rand() % 7200) * 1000 + (rand() % 3) * 3600_000 };
    if (kind === "Recurring") g.recurrency = pick(["Daily", "Weekly"]);
    if (rand() % 2) g.duration = sp + 60 + (rand() % 20000);
    if (rand() % 3 === 0) g.validFrom = now + (rand() % 36000) * 1000;
    if (rand() % 3 === 0) g.validTo = (g.validFrom ?? now) + (1 + (rand() % 50000)) * 1000;
    out.push(g);
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("GetCompositeSchedule matches a per-second reference", () => {
  it("for 40 random profile sets over 48 hours", async () => {
    r = await chargingRig();
    const rand = seededRandom(2024);
    let compared = 0;
    for (let round = 0; round < 40; round++) {
      await r.csms.call("CS-TEST-1", "ClearChargingProfile", { chargingProfileCriteria: {} }).catch(() => undefined);
      const now = Math.floor(r.clock.utc() / 1000) * 1000;
      const accepted: Gen[] = [];
      for (const [i, g] of generate(rand, now).entries()) {
        const res = await r.csms.call("CS-TEST-1", "SetChargingProfile", {
          evseId: g.evse,
          chargingProfile: {
            id: round * 10 + i + 1, stackLevel: g.stackLevel, chargingProfilePurpose: g.purpose, chargingProfileKind: g.kind,
            ...(g.recurrency ? { recurrencyKind: g.recurrency } : {}),
            ...(g.validFrom !== undefined ? { validFrom: iso(g.validFrom) } : {}), ...(g.validTo !== undefined ? { validTo: iso(g.validTo) } : {}),
            chargingSchedule: [{ id: 1, chargingRateUnit: g.unit, startSchedule: iso(g.start), ...(g.duration !== undefined ? { duration: g.duration } : {}), chargingSchedulePeriod: g.periods }],
          },
        });
        expect(res.status, JSON.stringify(res)).toBe("Accepted");
        accepted.push(g);
      }
      const duration = 2 * 86400;
      const res = await r.csms.call("CS-TEST-1", "GetCompositeSchedule", { evseId: 1, duration, chargingRateUnit: "A" });
      const periods: { startPeriod: number; limit: number }[] = res.schedule.chargingSchedulePeriod;
      const start = Date.parse(res.schedule.scheduleStart);
      expect(start).toBe(now);
      let k = 0;
      for (let s = 0; s < duration; s++) {
        while (k + 1 < periods.length && periods[k + 1].startPeriod <= s) k++;
        const want = refComposite(accepted, start + s * 1000);
        if (periods[k].limit !== want) {
          throw new Error(`round ${round}, second ${s}: engine ${periods[k].limit} A, reference ${want} A\nprofiles ${JSON.stringify(accepted)}\ncomposite ${JSON.stringify(periods)}`);
        }
        compared++;
      }
      await r.station.advance(3 * 3600_000 + (rand() % 3600) * 1000);
    }
    expect(compared).toBe(40 * 2 * 86400);
  }, 120_000);
});
