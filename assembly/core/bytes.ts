// UTF-8 byte helpers for passing strings through the HAL.
export function utf8(s: string): ArrayBuffer { return String.UTF8.encode(s); }
@inline export function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }

/** Whether the n bytes at a and at b are the same. */
@inline export function sameBytes(a: usize, b: usize, n: i32): bool {
  for (let i: usize = 0; i < <usize>n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
