import { log } from "../hal";

export const enum Level { Error = 0, Warn = 1, Info = 2, Debug = 3 }

/** Longest line, in UTF-16 units; a longer one is cut. Lines are encoded into one static buffer, not the heap. */
const LINE_MAX = 400;
const LINE = memory.data(LINE_MAX * 3);

export function say(level: Level, msg: string): void {
  const n = String.UTF8.encodeUnsafe(changetype<usize>(msg), min(msg.length, LINE_MAX), LINE);
  log(level, LINE, <i32>n);
}

/** A line of up to four parts, joined in the line buffer instead of by concatenation on the heap. */
export function sayParts(level: Level, a: string, b: string, c: string = "", d: string = ""): void {
  let n = 0;
  n = part(n, a); n = part(n, b); n = part(n, c); n = part(n, d);
  log(level, LINE, n);
}

function part(n: i32, s: string): i32 {
  const room = (LINE_MAX * 3 - n) / 3;   // units that surely fit in what is left (3 bytes each at most)
  return room > 0 ? n + <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), min(s.length, room), LINE + <usize>n) : n;
}
export function error(msg: string): void { say(Level.Error, msg); }
export function warn(msg: string): void { say(Level.Warn, msg); }
export function info(msg: string): void { say(Level.Info, msg); }

/** Replaces AssemblyScript's env.abort: logs through the HAL, then traps. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  error("abort: " + (message !== null ? message : "") + " at " + (file !== null ? file : "?") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
