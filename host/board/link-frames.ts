// The board link's frames (docs/BOARD-LINK.md): message types, CRC-16/CCITT-FALSE, encoding and a resynchronising parser.
export const BL = {
  SOF: 0x7e, HELLO: 0x01, PILOT_SET: 0x10, CONTACTOR_SET: 0x11, LOCK_SET: 0x12, DISPLAY: 0x13, METER_REQ: 0x14, NEXT: 0x15, SAFE: 0x16,
  NET_OPEN: 0x17, NET_SEND: 0x18, NET_CLOSE: 0x19,
  PILOT: 0x20, TOKEN: 0x21, BAY: 0x22, FEEDBACK: 0x23, METER: 0x24, EMS: 0x25, CLOCK: 0x26, NET_UP: 0x27, NET_DOWN: 0x28, NET_RECV: 0x29, PILOT_ADC: 0x2a,
  MAX_PAYLOAD: 512,
} as const;

/** CRC-16/CCITT-FALSE. */
export function crc16(data: Uint8Array): number {
  let crc = 0xffff;
  for (const b of data) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array()): Buffer {
  if (payload.length > BL.MAX_PAYLOAD) throw new Error("board link payload too large");
  const f = Buffer.alloc(payload.length + 6);
  f[0] = BL.SOF;
  f.writeUInt16LE(payload.length, 1);
  f[3] = type;
  f.set(payload, 4);
  f.writeUInt16LE(crc16(f.subarray(3, 4 + payload.length)), 4 + payload.length);
  return f;
}

/** Splits a byte stream into frames; bytes that do not make a valid frame are counted and skipped. */
export class FrameParser {
  private buf = Buffer.alloc(0);
  dropped = 0;
  push(chunk: Buffer): { type: number; payload: Buffer }[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: { type: number; payload: Buffer }[] = [];
    for (;;) {
      const sof = this.buf.indexOf(BL.SOF);
      if (sof < 0) { this.dropped += this.buf.length; this.buf = Buffer.alloc(0); break; }
      if (sof > 0) { this.dropped += sof; this.buf = this.buf.subarray(sof); }
      if (this.buf.length < 3) break;
      const n = this.buf.readUInt16LE(1);
      if (n > BL.MAX_PAYLOAD) { this.dropped++; this.buf = this.buf.subarray(1); continue; }
      if (this.buf.length < n + 6) break;
      const frame = this.buf.subarray(0, n + 6);
      if (frame.readUInt16LE(n + 4) !== crc16(frame.subarray(3, n + 4))) { this.dropped++; this.buf = this.buf.subarray(1); continue; }
      out.push({ type: frame[3], payload: Buffer.from(frame.subarray(4, n + 4)) });
      this.buf = this.buf.subarray(n + 6);
    }
    return out;
  }
}

