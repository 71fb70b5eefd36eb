// The Node end of one of an MCU firmware's UARTs under QEMU (`-serial tcp:...`): a loopback server that takes one
// connection at a time (a restarted QEMU connects again) and hands what arrives to the device it plays.
import { createServer, Server, Socket } from "node:net";

export abstract class UartPeer {
  private server: Server;
  private socket: Socket | undefined;
  /** Bytes received and not yet consumed by receive(). */
  protected buf = Buffer.alloc(0);

  constructor() {
    this.server = createServer((s) => {
      this.socket?.destroy();
      this.socket = s;
      this.buf = Buffer.alloc(0);
      s.setNoDelay(true);
      s.on("data", (chunk) => { this.buf = Buffer.concat([this.buf, chunk]); this.receive(); });
      s.on("error", () => {});
    });
  }

  /** Consumes what it can of `buf`. */
  protected abstract receive(): void;

  protected write(bytes: Uint8Array): void { this.socket?.write(bytes); }

  get connected(): boolean { return this.socket !== undefined && !this.socket.destroyed; }

  async listen(): Promise<number> {
    await new Promise<void>((res) => this.server.listen(0, "127.0.0.1", () => res()));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
