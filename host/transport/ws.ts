// OCPP-J transport: a WebSocket client (npm ws) with subprotocol ocpp2.0.1 and
// HTTP Basic auth (security profile 1). It dials when the engine says so and
// reports every close; reconnect timing belongs to the engine.
import WebSocket from "ws";

export const SUBPROTOCOL = "ocpp2.0.1";

export interface TransportEvents {
  up(): void;
  down(reason: string): void;
  frame(text: string): void;
}

export class WsTransport {
  private ws: WebSocket | undefined;

  constructor(private ev: TransportEvents, private log: (msg: string) => void) {}

  connect(url: string, user: string, password: string, profile: number): void {
    this.close();
    const headers: Record<string, string> = {};
    if (profile >= 1 && password) headers.Authorization = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, [SUBPROTOCOL], { headers, handshakeTimeout: 10000 });
    } catch (e) {
      queueMicrotask(() => this.ev.down(`bad URL ${url}: ${(e as Error).message}`));
      return;
    }
    this.ws = ws;
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
      this.ev.frame(data.toString());
    });
    ws.on("unexpected-response", (_req, res) => { down(`HTTP ${res.statusCode} on upgrade`); ws.terminate(); });
    ws.on("error", (e) => down(/subprotocol/i.test(e.message) ? `CSMS did not agree to subprotocol ${SUBPROTOCOL} (${e.message})` : e.message));
    ws.on("close", (code) => down(`closed (${code})`));
  }

  send(text: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
  }
}
