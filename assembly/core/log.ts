import { log } from "../hal";

export const enum Level { Error = 0, Warn = 1, Info = 2, Debug = 3 }

/** Longest line, in UTF-8 bytes; a longer one is cut. Lines are built in one static buffer, not the heap. */
const LINE_BYTES = 512;
const LINE = memory.data(LINE_BYTES);

export function say(level: Level, msg: string): void { lineStart(); lineText(msg); lineSend(level); }

/** A line built in place, part by part (no string concatenation on the heap): start(), text/bytes..., send(). */
let at = 0;
export function lineStart(): void { at = 0; }
export function lineText(s: string): void {
  const p = changetype<usize>(s), n = s.length;
  for (let i = 0; i < n; i++) {
    const c = load<u16>(p + (<usize>i << 1));
    if (c >= 0x80) {
      // The rest goes through the UTF-8 encoder when it surely fits (3 bytes a unit at most); else the line ends here.
      if ((n - i) * 3 <= LINE_BYTES - at) at += <i32>String.UTF8.encodeUnsafe(p + (<usize>i << 1), n - i, LINE + <usize>at);
      return;
    }
    if (at >= LINE_BYTES) return;
    store<u8>(LINE + <usize>at, <u8>c);
    at++;
  }
}
export function lineBytes(p: usize, n: i32): void {
  const k = min(n, LINE_BYTES - at);
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
