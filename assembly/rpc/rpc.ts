// OCPP-J RPC (Part 4): CALL / CALLRESULT / CALLERROR framing, one outgoing CALL
// in flight, a bounded queue behind it, MessageTimeout, and CALLERRORs for every
// malformed or unserviceable incoming CALL.
import { Json, K, JsonError } from "../json/reader";
import { Writer } from "../json/writer";
import { Action } from "../generated/ocpp";
import { actionName, actionRef, actionOf } from "../messages/schema";
import { ErrorCode, errorCodeName } from "./errors";
import { Decode, resetDecode } from "../messages/codec";
import { CALL_QUEUE, QUEUE_BYTES, MAX_MESSAGE_ID, MAX_FRAME, HELD_ANSWERS } from "../config";
import { ws_send, random_u32 } from "../hal";
import { now } from "../core/clock";
import { warn, error } from "../core/log";
import { removeAt } from "../core/arrays";
import { journal } from "./journal";

export const CALL: i32 = 2, CALLRESULT: i32 = 3, CALLERROR: i32 = 4;

/** ws_send results: taken; no open connection; the transport is full for now (it calls tick() once it has room). */
export const SEND_OK: i32 = 0, SEND_CLOSED: i32 = 1, SEND_BUSY: i32 = 2;
/** enqueueTx: the event is not sent at all (-1: it went into the queue in memory only). */
export const DROPPED: i64 = -2;

/** What a CALL handler did. */
export const enum Served { Answered = 1, Unsupported = 0, Invalid = -1, NotRegistered = -2 }

export type CallHandler = (a: Action, j: Json, payload: i32, w: Writer) => Served;
export type ResultHandler = (a: Action, j: Json, payload: i32, tag: string) => void;
export type FailureHandler = (a: Action, why: string, tag: string) => void;
export type SendFilter = (a: Action) => bool;

/** A CALL waiting or in flight; its payload is `len` bytes at `at` in the queue's byte store. */
class Queued {
  action: Action = 0;
  tag: string = "";
  at: i32 = 0;
  len: i32 = 0;
  seq: i64 = -1;        // a TransactionEvent's number in the journal, -1 for every other CALL
  attempts: i32 = 0;    // transmissions that failed (timeout or CALLERROR)
  notBefore: i64 = 0;   // not sent again before this time (MessageAttemptInterval)
}


export class Rpc {
  readonly j: Json = new Json();
  readonly out: Writer = new Writer();      // the frame being sent
  private readonly body: Writer = new Writer(0);   // a CALL payload being built, in the store's free space
  private readonly tail: Writer = new Writer(0);   // scratch in the unused part of `out`
  private handling: bool = false;           // CALLs queued by a handler wait until its answer is sent
  private queue: Queued[] = [];
  private inflight: Queued | null = null;
  /** The payloads of the queued CALLs and the one in flight, packed from offset 0 in order of arrival (QUEUE_BYTES). */
  private store: usize = heap.alloc(QUEUE_BYTES);
  private stored: i32 = 0;
  private spare: Queued[] = [];             // entries to reuse: queuing a CALL allocates nothing
  /** The MessageId of the CALL in flight (36 bytes of a UUID). */
  private inflightId: usize = heap.alloc(36);
  private held: ArrayBuffer[] = [];         // answers the transport was too busy to take
  private deadline: i64 = 0;
  connected: bool = false;
  lastActivity: i64 = 0;
  timeoutMs: i64 = 30000;
  /** TransactionEvents: transmissions in all (MessageAttempts) and the wait after the n-th failed one (n times this). */
  attempts: i32 = 3;
  attemptIntervalMs: i64 = 60000;
  dropped: i32 = 0;
  private callRefused: bool = false;       // the transport was busy for the CALL now at the queue's head

  /** Something the transport refused (busy) waits to be sent at the next tick. */
  get blocked(): bool { return this.callRefused || this.held.length > 0; }

  onCall: CallHandler = (a: Action, j: Json, p: i32, w: Writer): Served => Served.Unsupported;
  onResult: ResultHandler = (a: Action, j: Json, p: i32, tag: string): void => {};
  onFailure: FailureHandler = (a: Action, why: string, tag: string): void => {};
  mayStart: SendFilter = (a: Action): bool => true;

  /** A writer over the unused part of `out`: scratch for a handler before it writes its answer (which overwrites
   *  it), or for init, when no frame is being written. */
  scratch(): Writer {
    const s = this.tail, o = this.out;
    s.buf = o.buf + <usize>o.pos;
    s.cap = o.cap - o.pos;
    return s.reset();
  }

  /** Starts a CALL payload: it is written straight into the free part of the queue's store, and enqueue() keeps it. */
  call(): Writer {
    const w = this.body;
    w.buf = this.store + <usize>this.stored;
    w.cap = min(QUEUE_BYTES - this.stored, MAX_FRAME);
    return w.reset();
  }

  /** Queues the CALL whose payload the caller wrote into call()'s writer; `tag` marks it (a transactionId). False (and
   *  logged) when it does not fit: more than CALL_QUEUE CALLs, or more bytes than the store has left. */
  enqueue(a: Action, urgent: bool = false, tag: string = ""): bool {
    const w = this.body;
    if (w.overflow || this.queue.length >= CALL_QUEUE) {
      if (w.overflow && w.cap == MAX_FRAME) error("rpc: " + actionName(a) + " payload exceeds the frame limit; dropped");
      else warn("rpc: queue full (" + CALL_QUEUE.toString() + " CALLs, " + QUEUE_BYTES.toString() + " bytes); " + actionName(a) + " dropped");
      this.dropped++;
      return false;
    }
    const q = this.spare.length ? this.spare.pop() : new Queued();
    q.action = a; q.tag = tag; q.at = this.stored; q.len = w.pos;
    this.stored += w.pos;
    if (urgent) this.queue.unshift(q); else this.queue.push(q);
    this.pump();
    return true;
  }

  /** A writer for a TransactionEvent's payload, enqueued with enqueueTx(): the unused part of `out` (a whole frame
   *  outside a CALL handler), since the queue's store may not have room for it while the journal does. */
  callTx(): Writer {
    if (!this.handling) this.out.reset();
    return this.scratch();
  }

  /** Queues the TransactionEvent written into callTx()'s writer: persisted first (the journal), then taken into the
   *  queue in order with the ones before it; while older ones still wait in the store, so does this one. `periodic`:
   *  periodic meter values, which a nearly full journal drops. Its journal number; -1: queued in memory only;
   *  DROPPED: not sent at all. */
  enqueueTx(tag: string, periodic: bool): i64 {
    const w = this.tail;
    if (w.overflow) { error("rpc: TransactionEvent payload exceeds the frame limit; dropped"); this.dropped++; return DROPPED; }
    const seq = journal.add(w.buf, w.pos, periodic);
    if (seq == -2) { this.dropped++; return DROPPED; }
    if (seq >= 0 && journal.loaded != <u32>seq) return seq;
    if (this.queue.length >= CALL_QUEUE || QUEUE_BYTES - this.stored < w.pos) {
      if (seq >= 0) return seq;   // it waits in the store
      warn("rpc: queue full and the event is not persisted; TransactionEvent dropped");
      this.dropped++;
      return DROPPED;
    }
    memory.copy(this.store + <usize>this.stored, w.buf, w.pos);
    this.keep(Action.TransactionEvent, tag, w.pos, seq);
    if (seq >= 0) journal.loaded = <u32>seq + 1;
    this.pump();
    return seq;
  }

  /** Takes the payload just placed at the store's free end into the queue. */
  private keep(a: Action, tag: string, len: i32, seq: i64): void {
    const q = this.spare.length ? this.spare.pop() : new Queued();
    q.action = a; q.tag = tag; q.at = this.stored; q.len = len; q.seq = seq;
    this.stored += len;
    this.queue.push(q);
  }

  /** Moves the journal's events the queue has no copy of yet into it, in order, while there is room. */
  private feed(): void {
    while (journal.loaded < journal.tail && this.queue.length < CALL_QUEUE) {
      const n = journal.read(journal.loaded, this.store + <usize>this.stored, QUEUE_BYTES - this.stored);
      if (n == -2) return;
      if (n < 0) {
        warn("rpc: queued TransactionEvent " + journal.loaded.toString() + " is missing from the store");
        journal.finish(journal.loaded++);
        continue;
      }
      this.keep(Action.TransactionEvent, txIdOf(this.store + <usize>this.stored, n), n, journal.loaded++);
    }
  }

  /** Whether a CALL of this action (and tag, when given) is waiting or in flight. */
  pending(a: Action, tag: string = ""): bool {
    if (a == Action.TransactionEvent && journal.loaded < journal.tail) {
      if (!tag.length) return true;
      // Still only in the store: read each (in the free part of the frame buffer) for its transactionId.
      const buf = this.scratch();
      for (let n = journal.loaded; n < journal.tail; n++) {
        const len = journal.read(n, buf.buf, buf.cap);
        if (len > 0 && txIdOf(buf.buf, len) == tag) return true;
      }
    }
    const f = this.inflight;
    if (f !== null && f.action == a && (!tag.length || f.tag == tag)) return true;
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i];
      if (q.action == a && (!tag.length || q.tag == tag)) return true;
    }
    return false;
  }

  get busy(): bool { return this.inflight !== null; }
  get queued(): i32 { return this.queue.length; }

  /** Sends answers the transport could not take yet, then the first queued CALL that may start now. */
  pump(): void {
    this.feed();
    if (!this.connected || this.handling) return;
    while (this.held.length) {
      const h = this.held[0];
      const rc = ws_send(changetype<usize>(h), h.byteLength);
      if (rc == SEND_BUSY) return;
      if (rc != SEND_OK) {
        warn("rpc: connection gone; " + this.held.length.toString() + " held answer(s) not sent");
        this.held.length = 0;
        break;
      }
      this.held.shift();
    }
    if (this.inflight !== null) return;
    const t = now();
    let retrying = false;   // a TransactionEvent waits for its next attempt: the later ones wait behind it
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i];
      if (q.seq >= 0 && (retrying || q.notBefore > t)) { retrying = true; continue; }
      if (!this.mayStart(q.action)) continue;
      removeAt(this.queue, i);
      this.inflight = q;
      uuidTo(this.inflightId);
      this.deadline = t + this.timeoutMs;
      const w = this.out.reset();
      w.arr(); w.int(CALL); w.quotedBytes(this.inflightId, 36); w.name(actionRef(q.action));
      w.bytesValue(this.store + <usize>q.at, q.len);
      w.endArr();
      this.callRefused = this.transmit() == SEND_BUSY;
      if (this.callRefused) { this.inflight = null; this.queue.unshift(q); }
      return;
    }
  }

  /** The connection dropped: the CALL in flight is given back to the queue's head to be sent again. */
  disconnected(): void {
    this.connected = false;
    this.held.length = 0;
    this.callRefused = false;
    const f = this.inflight;
    if (f !== null) { this.queue.unshift(f); this.inflight = null; }
  }

  /** Drops queued CALLs of one action (for messages the state machine regenerates). */
  discard(a: Action): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const q = this.queue[i];
      if (q.action == a) { removeAt(this.queue, i); this.release(q); }
    }
  }

  /** Fails the CALL in flight when its MessageTimeout has passed (its failure handler may schedule new work). */
  expire(t: i64): void {
    const f = this.inflight;
    if (f === null || t < this.deadline) return;
    warn("rpc: " + actionName(f.action) + " " + String.UTF8.decodeUnsafe(this.inflightId, 36) + " timed out");
    this.inflight = null;
    if (this.retry(f, t)) { this.pump(); return; }
    const a = f.action, tag = f.tag;
    this.release(f);
    this.onFailure(a, "timeout", tag);
    this.pump();
  }

  /** A TransactionEvent that failed goes back to the queue's head for its next attempt (E13), after the interval
   *  times the failed transmissions so far; after MessageAttempts of them it is given up. True when it is retried. */
  private retry(f: Queued, t: i64): bool {
    if (f.seq < 0) return false;
    if (++f.attempts < this.attempts) {
      f.notBefore = t + this.attemptIntervalMs * f.attempts;
      this.queue.unshift(f);
      return true;
    }
    warn("rpc: TransactionEvent given up after " + f.attempts.toString() + " attempt(s)");
    journal.finish(<u32>f.seq);
    return false;
  }

  /** Gives a finished CALL's bytes back: later payloads move down to close the gap. */
  private release(q: Queued): void {
    const end = q.at + q.len;
    memory.copy(this.store + <usize>q.at, this.store + <usize>end, this.stored - end);
    this.stored -= q.len;
    for (let i = 0; i < this.queue.length; i++) { const x = this.queue[i]; if (x.at > q.at) x.at -= q.len; }
    const f = this.inflight;
    if (f !== null && f.at > q.at) f.at -= q.len;
    q.tag = "";
    q.seq = -1;
    q.attempts = 0;
    q.notBefore = 0;
    this.spare.push(q);
  }

  /** Milliseconds until the CALL in flight times out or a TransactionEvent's next attempt is due, or -1. */
  until(t: i64): i64 {
    if (this.inflight !== null) return max<i64>(0, this.deadline - t);
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i];
      if (q.seq >= 0) return q.notBefore > t ? q.notBefore - t : -1;
    }
    return -1;
  }

  /** Hands `out` to the transport; ws_send's result (SEND_OK, SEND_CLOSED, SEND_BUSY). */
  private transmit(): i32 {
    const w = this.out;
    if (w.overflow) { error("rpc: frame exceeds " + MAX_FRAME.toString() + " bytes; not sent"); return SEND_OK; }
    const rc = ws_send(w.buf, w.pos);
    if (rc == SEND_OK) this.lastActivity = now();
    else if (rc != SEND_BUSY) warn("rpc: no connection; frame not sent");
    return rc;
  }

  /** Sends an answer to the CSMS; one the transport cannot take yet is held and sent first when it can. */
  private answer(): void {
    if (this.held.length == 0 && this.transmit() != SEND_BUSY) return;
    if (this.held.length >= HELD_ANSWERS) { error("rpc: transport full and " + HELD_ANSWERS.toString() + " answers held; answer dropped"); this.dropped++; return; }
    const w = this.out;
    const b = new ArrayBuffer(w.pos);
    memory.copy(changetype<usize>(b), w.buf, w.pos);
    this.held.push(b);
  }

  /** The MessageId a CALLERROR answers: the CALL's (node idn, echoed as it was sent), or "-1" (idn 0) when unreadable. */
  private sendError(idn: i32, code: ErrorCode, desc: string): void {
    if (desc.length > 255) desc = desc.substring(0, 255);
    const name = errorCodeName(code);
    warn("rpc: CALLERROR " + name + " for " + this.idText(idn) + ": " + desc);
    const w = this.out.reset();
    w.arr(); w.int(CALLERROR); this.writeId(w, idn); w.str(name); w.str(desc); w.obj(); w.endObj(); w.endArr();
    this.answer();
  }

  private idText(idn: i32): string { return idn ? this.j.str(idn) : "-1"; }

  private writeId(w: Writer, idn: i32): void {
    if (idn) w.quotedBytes(this.j.ptr(idn), this.j.byteLen(idn)); else w.str("-1");
  }

  /** A frame from the CSMS. */
  receive(ptr: usize, len: i32): void {
    this.lastActivity = now();
    if (len <= 0) { this.sendError(0, ErrorCode.RpcFrameworkError, "Invalid JSON (empty frame)"); return; }
    if (ptr == 0) { this.sendError(0, ErrorCode.RpcFrameworkError, "Frame of " + len.toString() + " bytes exceeds the limit of " + MAX_FRAME.toString()); return; }
    const j = this.j;
    const e = j.parse(ptr, len);
    if (e != JsonError.None) {
      this.sendError(0, ErrorCode.RpcFrameworkError, "Invalid JSON (" + jsonErrorText(e) + " at byte " + j.errorAt.toString() + ")");
      return;
    }
    if (j.kindOf(0) != K.Arr) { this.sendError(0, ErrorCode.RpcFrameworkError, "Message must be an array"); return; }
    const t = j.first(0);
    if (!t || j.kindOf(t) != K.Num || !j.isIntegral(t)) { this.sendError(0, ErrorCode.RpcFrameworkError, "MessageTypeId must be an integer"); return; }
    const idn = j.nextIn(0, t);
    const idLen = idn != 0 && j.kindOf(idn) == K.Str ? (j.byteLen(idn) <= MAX_MESSAGE_ID ? j.byteLen(idn) : j.codePoints(idn)) : 0;
    const idOk = idLen > 0 && idLen <= MAX_MESSAGE_ID;
    const type = <i32>j.num(t);
    if (type != CALL && type != CALLRESULT && type != CALLERROR) {
      this.sendError(idOk ? idn : 0, ErrorCode.MessageTypeNotSupported, "MessageTypeId " + type.toString() + " is not supported");
      return;
    }
    if (!idOk) {
      if (type == CALL) this.sendError(0, ErrorCode.RpcFrameworkError, "MessageId must be a string of 1 to 36 characters");
      else warn("rpc: dropped a response without a readable MessageId");
      return;
    }
    let n = 0;
    for (let x = j.first(0); x; x = j.nextIn(0, x)) n++;
    if (type == CALL) this.receiveCall(idn, n);
    else this.receiveResponse(type, idn, n);
  }

  private receiveCall(idn: i32, n: i32): void {
    const j = this.j;
    if (n != 4) { this.sendError(idn, ErrorCode.RpcFrameworkError, "A CALL has 4 elements, not " + n.toString()); return; }
    const an = j.nextIn(0, idn);
    const pn = j.nextIn(0, an);
    if (j.kindOf(an) != K.Str) { this.sendError(idn, ErrorCode.RpcFrameworkError, "Action must be a string"); return; }
    const action = actionOf(j, an);
    if (action < 0) { this.sendError(idn, ErrorCode.NotImplemented, "Unknown action " + j.str(an)); return; }
    if (j.kindOf(pn) != K.Obj) { this.sendError(idn, ErrorCode.FormatViolation, "Payload must be a JSON object"); return; }
    resetDecode();
    // The handler writes its answer straight into the CALLRESULT frame; any failure replaces it with a CALLERROR.
    const w = this.out.reset();
    w.arr(); w.int(CALLRESULT); this.writeId(w, idn);
    this.handling = true;
    const r = this.onCall(<Action>action, j, pn, w);
    this.handling = false;
    if (r == Served.Unsupported) this.sendError(idn, ErrorCode.NotSupported, actionName(<Action>action) + " is not supported");
    else if (r == Served.NotRegistered) this.sendError(idn, ErrorCode.SecurityError, "The station is not accepted by the CSMS");
    else if (r == Served.Invalid) this.sendError(idn, Decode.code, Decode.why);
    else {
      w.endArr();
      if (w.overflow) this.sendError(idn, ErrorCode.InternalError, "Response exceeds the frame limit");
      else this.answer();
    }
    this.pump();
  }

  private receiveResponse(type: i32, idn: i32, n: i32): void {
    const j = this.j;
    const f = this.inflight;
    if (f === null || !j.isBytes(idn, this.inflightId, 36)) { warn("rpc: dropped unmatched or late response " + this.idText(idn)); return; }
    const want = type == CALLRESULT ? 3 : 5;
    if (n != want) { warn("rpc: dropped malformed response " + this.idText(idn)); return; }
    this.inflight = null;
    const a = f.action, tag = f.tag;
    const p = j.nextIn(0, idn);
    if (type == CALLERROR) {
      const why = (j.kindOf(p) == K.Str ? j.str(p) : "?") + ": " + (j.kindOf(j.nextIn(0, p)) == K.Str ? j.str(j.nextIn(0, p)) : "");
      warn("rpc: " + actionName(a) + " " + this.idText(idn) + " answered with CALLERROR " + why);
      if (this.retry(f, now())) { this.pump(); return; }
      this.release(f);
      this.onFailure(a, why, tag);
    } else {
      if (f.seq >= 0) journal.finish(<u32>f.seq);
      this.release(f);
      resetDecode();
      this.onResult(a, j, p, tag);
    }
    this.pump();
  }
}

function jsonErrorText(e: JsonError): string {
  switch (e) {
    case JsonError.TooDeep: return "nested too deep";
    case JsonError.TooManyNodes: return "too many values";
    case JsonError.TooLong: return "longer than 16383 bytes";
    case JsonError.BadUtf8: return "invalid UTF-8";
    case JsonError.BadEscape: return "invalid escape";
    case JsonError.Trailing: return "trailing characters";
    case JsonError.Empty: return "empty frame";
  }
  return "syntax error";
}

/** The transactionId in a TransactionEvent payload ("" when there is none). */
function txIdOf(p: usize, n: i32): string {
  const k = 17;   // "transactionId":"
  const key = memory.data<u8>([0x22, 0x74, 0x72, 0x61, 0x6e, 0x73, 0x61, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x49, 0x64, 0x22, 0x3a, 0x22]);
  for (let i = 0; i + k < n; i++) {
    if (memory.compare(p + <usize>i, key, k) != 0) continue;
    let e = i + k;
    while (e < n && load<u8>(p + <usize>e) != 0x22) e++;
    return String.UTF8.decodeUnsafe(p + <usize>(i + k), e - i - k);
  }
  return "";
}

/** A random (version 4) UUID: 36 characters, the longest MessageId allowed. */
const HEX_DIGITS = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

/** Writes a random (version 4) UUID's 36 characters at b. */
function uuidTo(b: usize): void {
  let o: usize = 0;
  for (let i = 0; i < 4; i++) {
    let r = random_u32();
    if (i == 1) r = (r & 0xffff0fff) | 0x00004000;
    if (i == 2) r = (r & 0x3fffffff) | 0x80000000;
    for (let k = 0; k < 8; k++) {
      store<u8>(b + o++, load<u8>(HEX_DIGITS + <usize>(r >>> 28)));
      r <<= 4;
      if (o == 8 || o == 13 || o == 18 || o == 23) store<u8>(b + o++, 0x2d);
    }
  }
}

/** A new random UUID (transaction ids). */
export function newMessageId(): string {
  const b = memory.data(36);
  uuidTo(b);
  return String.UTF8.decodeUnsafe(b, 36);
}

export const rpc = new Rpc();
