// RFC 3339 date-times <-> milliseconds since the Unix epoch (UTC).

export const NO_TIME: i64 = i64.MIN_VALUE;

function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  y -= m <= 2 ? 1 : 0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** Writes v as w decimal digits at p. */
@inline function digits(p: usize, v: i32, w: i32): void {
  for (let i = w - 1; i >= 0; i--) { store<u8>(p + <usize>i, <u8>(0x30 + v % 10)); v /= 10; }
}

/** Longest formatTimeTo output. */
export const TIME_MAX: i32 = 24;

/** Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (milliseconds only when non-zero) at p; returns its length. */
export function formatTimeTo(p: usize, ms: i64): i32 {
  // Two 64-bit divisions; the rest in 32 bits (day numbers of years 0-9999 fit), which a 32-bit MCU does in hardware.
  let days = <i32>(ms / 86400000);
  let rem = <i32>(ms % 86400000);
  if (rem < 0) { rem += 86400000; days--; }
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const sec = rem / 1000;
  const milli = rem % 1000;
  digits(p, y, 4); store<u8>(p + 4, 0x2d); digits(p + 5, m, 2); store<u8>(p + 7, 0x2d); digits(p + 8, d, 2);
  store<u8>(p + 10, 0x54); digits(p + 11, sec / 3600, 2); store<u8>(p + 13, 0x3a); digits(p + 14, (sec / 60) % 60, 2);
  store<u8>(p + 16, 0x3a); digits(p + 17, sec % 60, 2);
  let n = 19;
  if (milli) { store<u8>(p + 19, 0x2e); digits(p + 20, milli, 3); n = 23; }
  store<u8>(p + <usize>n, 0x5a);
  return n + 1;
}

export function formatTime(ms: i64): string {
  const b = memory.data(TIME_MAX);
  return String.UTF8.decodeUnsafe(b, formatTimeTo(b, ms));
}

function num(p: usize, n: i32): i32 {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Parses an RFC 3339 date-time from UTF-8 bytes; NO_TIME when malformed. */
export function parseTime(p: usize, len: i32): i64 {
  if (len < 20) return NO_TIME;
  const y = num(p, 4), mo = num(p + 5, 2), d = num(p + 8, 2);
  const h = num(p + 11, 2), mi = num(p + 14, 2), s = num(p + 17, 2);
  const t = load<u8>(p + 10) | 0x20;
  if (load<u8>(p + 4) != 0x2d || load<u8>(p + 7) != 0x2d || t != 0x74 ||
      load<u8>(p + 13) != 0x3a || load<u8>(p + 16) != 0x3a) return NO_TIME;
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return NO_TIME;
  const mdays = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (d > mdays[mo - 1]) return NO_TIME;
  let i = 19;
  let frac: i64 = 0;
  if (load<u8>(p + i) == 0x2e) {
    i++;
    let scale = 100; const from = i;
    while (i < len) {
      const c = <i32>load<u8>(p + i) - 0x30;
      if (c < 0 || c > 9) break;
      frac += <i64>(c * scale); scale /= 10; i++;
    }
    if (i == from) return NO_TIME;
  }
  if (i >= len) return NO_TIME;
  let offset: i64 = 0;
  const z = load<u8>(p + i) | 0x20;
  if (z == 0x7a) { i++; }
  else {
    const sign = load<u8>(p + i);
    if ((sign != 0x2b && sign != 0x2d) || i + 6 != len || load<u8>(p + i + 3) != 0x3a) return NO_TIME;
    const oh = num(p + i + 1, 2), om = num(p + i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NO_TIME;
    offset = <i64>(oh * 60 + om) * 60000;
    if (sign == 0x2d) offset = -offset;
    i += 6;
  }
  if (i != len) return NO_TIME;
  const secs = daysFromCivil(y, mo, d) * 86400 + <i64>(h * 3600 + mi * 60 + (s == 60 ? 59 : s));
  return secs * 1000 + frac - offset;
}
