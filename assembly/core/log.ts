import { log } from "../hal";

export const enum Level { Error = 0, Warn = 1, Info = 2, Debug = 3 }

/** Longest line, in UTF-16 units; a longer one is cut. Lines are encoded into one static buffer, not the heap. */
const LINE_MAX = 400;
const LINE = memory.data(LINE_MAX * 3);

export function say(level: Level, msg: string): void { lineStart(); lineText(msg); lineSend(level); }

/** A line built in place, part by part (no string concatenation on the heap): start(), text/bytes..., send(). */
let at = 0;
export function lineStart(): void { at = 0; }
export function lineText(s: string): void {
  const room = (LINE_MAX * 3 - at) / 3;   // units that surely fit (3 bytes each at most)
  if (room > 0) at += <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), min(s.length, room), LINE + <usize>at);
}
export function lineBytes(p: usize, n: i32): void {
  const k = min(n, LINE_MAX * 3 - at);
  memory.copy(LINE + <usize>at, p, k);
  at += k;
}
export function lineSend(level: Level): void { log(level, LINE, at); }

export function error(msg: string): void { say(Level.Error, msg); }
export function warn(msg: string): void { say(Level.Warn, msg); }
export function info(msg: string): void { say(Level.Info, msg); }

/** Replaces AssemblyScript's env.abort: logs through the HAL, then traps. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  error("abort: " + (message !== null ? message : "") + " at " + (file !== null ? file : "?") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
