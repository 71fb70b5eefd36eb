// A simulated NXP PN532 RFID reader on an MCU firmware's RFID UART (HSU), for QEMU runs: it answers
// SAMConfiguration, RFConfiguration and InListPassiveTarget as the chip does (an ACK frame, then the response), with
// the card that was tapped, which stays on the reader for two polls. A test can make it answer with garbage.
import { UartPeer } from "./uart-peer.ts";

const ACK = Buffer.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);

/** A PN532 information frame: preamble, start code, LEN, LCS, data, DCS, postamble. */
export function pn532Frame(data: Uint8Array): Buffer {
  const sum = data.reduce((a, b) => a + b, 0);
  return Buffer.concat([Buffer.of(0x00, 0x00, 0xff, data.length, (0x100 - data.length) & 0xff), data, Buffer.of((0x100 - (sum & 0xff)) & 0xff, 0x00)]);
}

export class Pn532Sim extends UartPeer {
  /** Answer every command with bytes that are no frame at all. */
  garbage = false;
  private card: Buffer | undefined;
  private polls = 0;

  /** A card with this UID (hex) held to the reader. */
  tap(uidHex: string): void { this.card = Buffer.from(uidHex, "hex"); this.polls = 0; }

  /** A tapped card the firmware has not read yet. */
  get pending(): boolean { return this.card !== undefined && this.polls === 0; }

  protected receive(): void {
    for (;;) {
      const start = this.buf.indexOf(Buffer.of(0x00, 0x00, 0xff));
      if (start < 0) { this.buf = this.buf.subarray(Math.max(0, this.buf.length - 2)); return; }
      this.buf = this.buf.subarray(start);
      if (this.buf.length < 5) return;
      const len = this.buf[3];
      if (((len + this.buf[4]) & 0xff) !== 0) { this.buf = this.buf.subarray(1); continue; }
      if (this.buf.length < len + 7) return;
      const data = this.buf.subarray(5, 5 + len);
      const ok = ((data.reduce((a, b) => a + b, 0) + this.buf[5 + len]) & 0xff) === 0;
      this.buf = this.buf.subarray(len + 7);
      if (ok && data[0] === 0xd4) this.answer(data[1], data.subarray(2));
    }
  }

  private answer(cmd: number, _args: Buffer): void {
    if (this.garbage) { this.write(Buffer.of(0xff, 0x00, 0x00, 0xff, 0x03, 0x13, 0x37, 0x00, 0x00, 0xff, 0x05, 0xfb, 0xd5, 0x4b, 0x01)); return; }
    let data: Buffer;
    if (cmd === 0x14 || cmd === 0x32) data = Buffer.of(0xd5, cmd + 1);
    else if (cmd === 0x4a) {
      const card = this.card;
      if (card && ++this.polls >= 2) this.card = undefined;   // taken away after two polls
      data = card ? Buffer.concat([Buffer.of(0xd5, 0x4b, 0x01, 0x01, 0x00, 0x44, 0x00, card.length), card]) : Buffer.of(0xd5, 0x4b, 0x00);
    } else data = Buffer.of(0x7f);   // the chip's error frame: a command it does not know
    this.write(Buffer.concat([ACK, pn532Frame(data)]));
  }
}
