// OCPP-J transport: a WebSocket client (npm ws) with subprotocol ocpp2.0.1 and
// HTTP Basic auth. It dials when the engine says so and reports every close or
// failed attempt; reconnect timing belongs to the engine. Bounded both ways: a
// frame over MAX_FRAME closes the connection (1009) instead of filling memory,
// and at most SEND_WINDOW frames wait to be written (then ws_send answers Busy).
// Near that point frames from the CSMS are no longer handed to the engine and
// the socket stops being read (TCP back-pressure) until the backlog drains;
// what ws had already read by then waits in a small inbox.
import WebSocket from "ws";
import { MAX_FRAME, SEND, SendResult } from "../hal.ts";

export const SUBPROTOCOL = "ocpp2.0.1";
export const SEND_WINDOW = 64;
const PAUSE_AT = SEND_WINDOW - 8, RESUME_AT = SEND_WINDOW / 4;

export interface TransportEvents {
  up(): void;
  down(reason: string): void;
  frame(text: string): void;
  /** The transport had answered Busy and has room again. */
  writable(): void;
}

export class WsTransport {
  private ws: WebSocket | undefined;
  private unsent = 0;
  private blocked = false;
  private paused = false;
  private inbox: string[] = [];

  constructor(private ev: TransportEvents, private log: (msg: string) => void) {}

  connect(url: string, user: string, password: string, profile: number): void {
    this.close();
    const headers: Record<string, string> = {};
    if (profile >= 1 && password) headers.Authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, [SUBPROTOCOL], { headers, handshakeTimeout: 10000, maxPayload: MAX_FRAME });
    } catch (e) {
      queueMicrotask(() => this.ev.down(`bad URL ${url}: ${(e as Error).message}`));
      return;
    }
    this.ws = ws;
    this.unsent = 0;
    this.blocked = this.paused = false;
    this.inbox = [];
    let reported = false;
    const down = (why: string) => {
      if (reported || this.ws !== ws) return;
      reported = true;
      this.ws = undefined;
      this.ev.down(why);
    };
    ws.on("open", () => {
      if (ws.protocol !== SUBPROTOCOL) {
        this.log(`CSMS did not agree to subprotocol ${SUBPROTOCOL} (got "${ws.protocol}"); closing`);
        ws.close(1002);
        down("subprotocol refused");
        return;
      }
      this.ev.up();
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) { this.log("dropped a binary frame (OCPP-J uses text frames)"); return; }
      this.inbox.push(data.toString());
      this.pump(ws);
    });
    ws.on("unexpected-response", (_req, res) => { down(`HTTP ${res.statusCode} on upgrade`); ws.terminate(); });
    ws.on("error", (e) => {
      if ((e as { code?: string }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") { down(`a frame from the CSMS exceeds ${MAX_FRAME} bytes; closing (1009)`); return; }
      down(/subprotocol/i.test(e.message) ? `CSMS did not agree to subprotocol ${SUBPROTOCOL} (${e.message})` : e.message);
    });
    ws.on("close", (code) => down(`closed (${code})`));
  }

  send(text: string): SendResult {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return SEND.Closed;
    if (this.unsent >= SEND_WINDOW) { this.blocked = true; return SEND.Busy; }
    this.unsent++;
    if (this.unsent >= PAUSE_AT && !this.paused) { this.paused = true; ws.pause(); }
    ws.send(text, () => {
      if (this.ws !== ws) return;
      this.unsent--;
      if (this.blocked) { this.blocked = false; this.ev.writable(); }
      this.pump(ws);
    });
    return SEND.Ok;
  }

  /** Hands waiting frames to the engine while the send window has room; reads the socket again once it drained. */
  private pump(ws: WebSocket): void {
    while (this.inbox.length && this.unsent < PAUSE_AT && this.ws === ws) this.ev.frame(this.inbox.shift()!);
    if (this.paused && !this.inbox.length && this.unsent <= RESUME_AT && this.ws === ws) { this.paused = false; ws.resume(); }
  }

  /** Waits (at most limitMs) until every frame handed over is written, then closes with 1001 and waits for the close. */
  async closeGracefully(limitMs = 3000): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) { this.close(); return; }
    const end = Date.now() + limitMs;
    while (this.unsent > 0 && this.ws === ws && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
    this.ws = undefined;
    const closed = new Promise<void>((r) => ws.once("close", () => r()));
    ws.close(1001, "rebooting");
    const timer = new Promise<void>((r) => setTimeout(r, Math.max(0, end - Date.now())));
    await Promise.race([closed, timer]);
    ws.terminate();
  }

  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
  }
}
