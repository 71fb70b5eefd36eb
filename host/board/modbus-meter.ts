// Simulated energy meters of the Eastron SDM630 class on one RS-485 bus, for an MCU firmware under QEMU: the other
// end of its meter UART. Meter N (Modbus address N) measures EVSE N of the board simulator and answers Modbus RTU
// function 04 (input registers, float32 high word first) as the real meter does. Faults a test can inject per meter:
// silent (no answer), corrupt (a bad CRC), exception (code 04, device failure) and absurd (a voltage no mains has).
import { UartPeer } from "./uart-peer.ts";
import type { Board } from "./board.ts";

export type MeterFault = "silent" | "corrupt" | "exception" | "absurd";

/** CRC-16/MODBUS. */
export function modbusCrc(data: Uint8Array): number {
  let crc = 0xffff;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

// Input registers -> index into EvseSim.meter() (energy Wh, power W, I1-I3, V1-V3), with the factor to the meter's unit.
const REGISTERS: [number, number, number][] = [
  [0x0000, 5, 1], [0x0002, 6, 1], [0x0004, 7, 1], [0x0006, 2, 1], [0x0008, 3, 1], [0x000a, 4, 1], [0x0034, 1, 1], [0x0048, 0, 0.001],
];
const LAST_REGISTER = 0x0180;

export class ModbusMeters extends UartPeer {
  readonly faults = new Map<number, MeterFault>();
  /** Requests answered, per address. */
  readonly answered = new Map<number, number>();

  constructor(private board: Board, private now: () => number) {
    super();
  }

  protected receive(): void {
    // Requests of function 04 are 8 bytes; a window whose CRC does not match is noise: move on by a byte.
    while (this.buf.length >= 8) {
      const req = this.buf.subarray(0, 8);
      if (modbusCrc(req.subarray(0, 6)) !== req.readUInt16LE(6)) { this.buf = this.buf.subarray(1); continue; }
      this.buf = this.buf.subarray(8);
      this.answer(req[0], req[1], req.readUInt16BE(2), req.readUInt16BE(4));
    }
  }

  private answer(addr: number, fn: number, start: number, count: number): void {
    const e = this.board.evses[addr - 1];
    const fault = this.faults.get(addr);
    if (!e || fault === "silent") return;
    let reply: Buffer;
    if (fn !== 0x04) reply = Buffer.of(addr, fn | 0x80, 0x01);
    else if (count < 1 || count > 125 || start + count > LAST_REGISTER) reply = Buffer.of(addr, 0x84, 0x02);
    else if (fault === "exception") reply = Buffer.of(addr, 0x84, 0x04);
    else {
      this.board.advance(this.now());
      const values = e.meter();
      const regs = Buffer.alloc(count * 2);
      for (const [reg, index, factor] of REGISTERS) {
        const at = (reg - start) * 2;
        if (at < 0 || at + 4 > regs.length) continue;
        const v = values[index];
        regs.writeFloatBE(fault === "absurd" && index === 5 ? 99999 : Number.isNaN(v) ? 0 : v * factor, at);
      }
      reply = Buffer.concat([Uint8Array.of(addr, 0x04, count * 2), regs]);
    }
    const crc = modbusCrc(reply) ^ (fault === "corrupt" ? 0x5a5a : 0);
    const out = Buffer.alloc(reply.length + 2);
    reply.copy(out);
    out.writeUInt16LE(crc, reply.length);
    this.answered.set(addr, (this.answered.get(addr) ?? 0) + 1);
    this.write(out);
  }
}
