// Time sources for the host. The engine sees only now_ms/utc_ms; a VirtualClock
// makes a day of charging replay in milliseconds.
export interface Clock {
  now(): number;                 // monotonic ms
  utc(): number;                 // ms since 1970
  /** Calls fn once at monotonic time `at`; returns a cancel function. */
  at(at: number, fn: () => void): () => void;
}

export class WallClock implements Clock {
  private t0 = performance.now();
  now(): number { return Math.floor(performance.now() - this.t0); }
  utc(): number { return Date.now(); }
  at(at: number, fn: () => void): () => void {
    const h = setTimeout(fn, Math.max(0, at - this.now()));
    return () => clearTimeout(h);
  }
}

interface Timer { at: number; seq: number; fn: () => void }

export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];
  constructor(private utc0 = Date.UTC(2026, 0, 1)) {}
  now(): number { return this.t; }
  utc(): number { return this.utc0 + this.t; }
  at(at: number, fn: () => void): () => void {
    const timer = { at, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => { this.timers = this.timers.filter((x) => x !== timer); };
  }
  /** The next timer due at or before `limit`, removed from the list. */
  takeDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers) if (x.at <= limit && (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq))) best = x;
    if (best) { this.timers = this.timers.filter((x) => x !== best); this.t = Math.max(this.t, best.at); }
    return best;
  }
  set(t: number): void { if (t > this.t) this.t = t; }
}

/** xorshift32: the deterministic randomness behind random_u32 in tests and fleets. */
export function seededRandom(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}
