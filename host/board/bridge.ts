// The network bridge of an MCU station firmware (docs/BOARD-LINK.md, NET messages): the firmware stays the OCPP
// client and decides when to open, what to send and when to close; the bridge only carries its frames to and from a
// WebSocket (subprotocol ocpp2.0.1, HTTP Basic auth, wss with the system's CAs or CHARGEWASM_CA_FILE), as a modem
// would. Frames travel in fragments of at most 511 bytes, the last one flagged.
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { BL } from "./link-frames.ts";
import { SUBPROTOCOL } from "../transport/ws.ts";

const FRAGMENT = BL.MAX_PAYLOAD - 1;
/** The bridge's own receive bound, as a modem's buffer is: a frame over it closes the connection (1009) before it
 *  reaches the firmware, which drops anything over the 4 KiB frame limit itself. */
export const BRIDGE_MAX_FRAME = 16 * 1024;

export class NetBridge {
  private ws: WebSocket | undefined;
  private sending: Buffer[] = [];

  constructor(private send: (type: number, payload: Uint8Array) => void, private log: (msg: string) => void,
    private trace: (dir: "out" | "in", text: string) => void = () => {}) {}

  /** Takes the NET messages of the link; false for any other. */
  handle(type: number, p: Buffer): boolean {
    if (type === BL.NET_OPEN && p.length >= 3) {
      const [url, user, pass] = p.subarray(1).toString("utf8").split("\0");
      this.open(p[0], url, user ?? "", pass ?? "");
    } else if (type === BL.NET_SEND && p.length >= 1) {
      this.sending.push(p.subarray(1));
      if (p[0] & 1) {
        const text = Buffer.concat(this.sending).toString("utf8");
        this.sending = [];
        if (this.ws?.readyState === WebSocket.OPEN) { this.trace("out", text); this.ws.send(text); }
      }
    } else if (type === BL.NET_CLOSE && p.length === 2) {
      this.ws?.close(p.readUInt16LE(0));
    } else return false;
    return true;
  }

  private open(profile: number, url: string, user: string, password: string): void {
    this.close();
    const headers: Record<string, string> = {};
    if (profile >= 1 && password) headers.Authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
    const caFile = process.env.CHARGEWASM_CA_FILE;
    let reported = false;
    const down = (code: number, why: string) => {
      if (reported || this.ws !== ws) return;
      reported = true;
      this.ws = undefined;
      const p = Buffer.alloc(2 + Buffer.byteLength(why));
      p.writeUInt16LE(code, 0);
      p.write(why, 2);
      this.send(BL.NET_DOWN, p.subarray(0, BL.MAX_PAYLOAD));
    };
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, [SUBPROTOCOL], { headers, handshakeTimeout: 10000, maxPayload: BRIDGE_MAX_FRAME, ...(caFile ? { ca: readFileSync(caFile) } : {}) });
    } catch (e) {
      this.send(BL.NET_DOWN, Buffer.concat([Buffer.of(0, 0), Buffer.from(`bad URL ${url}: ${(e as Error).message}`)]).subarray(0, BL.MAX_PAYLOAD));
      return;
    }
    this.ws = ws;
    this.sending = [];
    ws.on("open", () => {
      if (ws.protocol !== SUBPROTOCOL) { ws.close(1002); down(0, `CSMS did not agree to subprotocol ${SUBPROTOCOL} (got "${ws.protocol}")`); return; }
      const utc = Buffer.alloc(8);
      utc.writeBigInt64LE(BigInt(Date.now()));
      this.send(BL.NET_UP, utc);
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) { this.log("bridge: dropped a binary frame (OCPP-J uses text frames)"); return; }
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.toString());
      this.trace("in", bytes.toString("utf8"));
      for (let off = 0; off < bytes.length || off === 0; off += FRAGMENT) {
        const last = off + FRAGMENT >= bytes.length;
        this.send(BL.NET_RECV, Buffer.concat([Uint8Array.of(last ? 1 : 0), bytes.subarray(off, off + FRAGMENT)]));
        if (last) break;
      }
    });
    ws.on("unexpected-response", (_req, res) => { down(0, `HTTP ${res.statusCode} on upgrade`); ws.terminate(); });
    ws.on("error", (e) => down(0, e.message));
    ws.on("close", (code) => down(code, `closed (${code})`));
  }

  /** The link went away: so does the connection. */
  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    this.sending = [];
    ws?.terminate();
  }
}
