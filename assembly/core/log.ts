import { log } from "../hal";

export const enum Level { Error = 0, Warn = 1, Info = 2, Debug = 3 }

export function say(level: Level, msg: string): void {
  const b = String.UTF8.encode(msg);
  log(level, changetype<usize>(b), b.byteLength);
}
export function error(msg: string): void { say(Level.Error, msg); }
export function warn(msg: string): void { say(Level.Warn, msg); }
export function info(msg: string): void { say(Level.Info, msg); }

/** Replaces AssemblyScript's env.abort: logs through the HAL, then traps. */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  error("abort: " + (message !== null ? message : "") + " at " + (file !== null ? file : "?") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
