// The board link's framing: CRC-16/CCITT-FALSE, frames split across reads, and
// resynchronisation after garbage or a corrupted frame.
import { describe, expect, it } from "vitest";
import { crc16, encodeFrame, FrameParser, BL } from "../../host/board/link.ts";

describe("board link framing", () => {
  it("uses CRC-16/CCITT-FALSE", () => {
    expect(crc16(Buffer.from("123456789"))).toBe(0x29b1);
  });

  it("encodes SOF, length, type, payload, CRC", () => {
    expect([...encodeFrame(BL.PILOT, Uint8Array.of(1, 2, 1))]).toEqual([0x7e, 3, 0, 0x20, 1, 2, 1, ...(() => { const c = crc16(Uint8Array.of(0x20, 1, 2, 1)); return [c & 0xff, c >> 8]; })()]);
  });

  it("reassembles frames split across reads and skips garbage and corrupted frames", () => {
    const a = encodeFrame(BL.PILOT, Uint8Array.of(1, 2, 1));
    const b = encodeFrame(BL.TOKEN, Buffer.concat([Uint8Array.of(1, 2), Buffer.from("ACCEPT1")]));
    const bad = Buffer.from(encodeFrame(BL.BAY, Uint8Array.of(1, 1)));
    bad[5] ^= 0xff;
    const stream = Buffer.concat([Buffer.from("noise"), a, bad, b]);
    const p = new FrameParser();
    const got = [...stream].flatMap((byte) => p.push(Buffer.of(byte)));
    expect(got.map((f) => [f.type, [...f.payload]])).toEqual([[BL.PILOT, [1, 2, 1]], [BL.TOKEN, [1, 2, ...Buffer.from("ACCEPT1")]]]);
    expect(p.dropped).toBeGreaterThan(5);
  });

  it("refuses payloads over the limit", () => {
    expect(() => encodeFrame(BL.DISPLAY, new Uint8Array(513))).toThrow(/too large/);
  });
});
