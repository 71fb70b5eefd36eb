// A small MQTT 3.1.1 client on mqtt-packet and a TCP socket: what the EMS bridge needs and no more
// (QoS 0/1 publish with retain, QoS 1 subscriptions, keep-alive, and reconnecting with a back-off that doubles
// from 1 s to 60 s, so a broker that is down costs a log line per attempt, not one a second forever).
import { EventEmitter } from "node:events";
import { connect, Socket } from "node:net";
import mqtt from "mqtt-packet";

export const BACKOFF_MIN_MS = 1000, BACKOFF_MAX_MS = 60_000;
const KEEPALIVE_S = 30;

export interface MqttClientOptions { clientId: string; log: (msg: string) => void }

/** Events: "connect", "message" (topic, payload). */
export class MqttClient extends EventEmitter {
  private socket: Socket | undefined;
  private parser = mqtt.parser({ protocolVersion: 4 });
  private host: string;
  private port: number;
  private nextId = 1;
  private wait = BACKOFF_MIN_MS;
  private retry: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private closed = false;
  connected = false;

  constructor(readonly url: string, private opts: MqttClientOptions) {
    super();
    const u = new URL(url);
    if (u.protocol !== "mqtt:") throw new Error(`${url}: only mqtt:// brokers are supported`);
    this.host = u.hostname;
    this.port = Number(u.port || 1883);
    this.parser.on("packet", (p) => this.onPacket(p));
    this.parser.on("error", (e) => { this.opts.log(`ems: bad packet from the broker (${e.message}); reconnecting`); this.socket?.destroy(); });
    this.dial();
  }

  private dial(): void {
    this.retry = undefined;
    const s = connect(this.port, this.host);
    this.socket = s;
    s.on("connect", () => this.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: this.opts.clientId, keepalive: KEEPALIVE_S }));
    s.on("data", (d) => this.parser.parse(d));
    s.on("error", (e) => { if (!this.connected) this.opts.log(`ems: broker ${this.url} not reachable (${e.message})`); });
    s.on("close", () => this.lost(s));
  }

  private lost(s: Socket): void {
    if (this.socket !== s) return;
    if (this.connected) this.opts.log(`ems: connection to ${this.url} lost`);
    this.connected = false;
    this.socket = undefined;
    clearInterval(this.ping);
    this.parser = mqtt.parser({ protocolVersion: 4 });
    this.parser.on("packet", (p) => this.onPacket(p));
    if (this.closed) return;
    this.opts.log(`ems: next attempt in ${this.wait / 1000} s`);
    this.retry = setTimeout(() => this.dial(), this.wait);
    this.wait = Math.min(this.wait * 2, BACKOFF_MAX_MS);
  }

  private onPacket(p: mqtt.Packet): void {
    switch (p.cmd) {
      case "connack":
        if (p.returnCode !== 0) { this.opts.log(`ems: broker refused the connection (return code ${p.returnCode})`); this.socket?.destroy(); return; }
        this.connected = true;
        this.wait = BACKOFF_MIN_MS;
        this.ping = setInterval(() => this.send({ cmd: "pingreq" }), (KEEPALIVE_S * 1000) / 2);
        this.emit("connect");
        break;
      case "publish":
        if (p.qos === 1 && p.messageId !== undefined) this.send({ cmd: "puback", messageId: p.messageId });
        this.emit("message", p.topic, Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload));
        break;
      case "suback":
        if (p.granted.some((g) => g === 0x80)) this.opts.log("ems: the broker refused a subscription");
        break;
    }
  }

  private send(p: mqtt.Packet): void { if (this.socket?.writable) this.socket.write(mqtt.generate(p)); }
  private id(): number { const id = this.nextId; this.nextId = (this.nextId % 65535) + 1; return id; }

  subscribe(topics: string[]): void {
    this.send({ cmd: "subscribe", messageId: this.id(), subscriptions: topics.map((topic) => ({ topic, qos: 1 as const })) });
  }

  publish(topic: string, payload: string, retain: boolean): void {
    this.send({ cmd: "publish", topic, payload, qos: 1, retain, dup: false, messageId: this.id() });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    const s = this.socket;
    if (!s) return;
    if (this.connected) this.send({ cmd: "disconnect" });
    await new Promise<void>((res) => { s.once("close", () => res()); s.end(); setTimeout(() => { s.destroy(); res(); }, 1000); });
  }
}
