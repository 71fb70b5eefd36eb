// Text that only goes out (CALLERROR descriptions, the driver's display): schemas/log-text.mjs keeps such literals as
// UTF-8 bytes in static data and makes the string only when it is used, instead of a UTF-16 string object (twice the
// bytes plus a 20-byte header) that would sit in the engine's one page for good.

/** A literal for the driver's display; the transform turns `say("...")` into __utf8 (without it, the literal itself). */
export function say(text: string): string { return text; }

// @ts-ignore: decorator
@global export function __utf8(p: usize, n: i32): string { return String.UTF8.decodeUnsafe(p, <usize>n); }
