// UTF-8 byte helpers for passing strings through the HAL.
export function utf8(s: string): ArrayBuffer { return String.UTF8.encode(s); }
@inline export function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }
