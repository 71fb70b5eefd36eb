// The transaction message queue (E11-E13): every TransactionEvent is persisted before it is sent and forgotten once
// the CSMS has answered it. The store keeps a window of sequence numbers [head, tail) in "txq/h" and "txq/t" and the
// payload of number n at "txq/<n % JOURNAL_SLOTS>", so after a power cut or a reboot the window is sent again, in
// order and exactly as it was written (seqNo, timestamp, offline). The RAM queue takes what fits; the rest is read
// back from the store as room frees up. A full window drops periodic meter values first (they are superseded by
// the next), keeping JOURNAL_RESERVE slots for the events that change a transaction.
import { store_read, store_write } from "../hal";
import { JOURNAL_SLOTS, JOURNAL_RESERVE } from "../config";
import { warn, error } from "../core/log";

const KEY: usize = memory.data(12);
const NUM: usize = memory.data(12);

/** "txq/" and then `what` (h, t) or the slot's number: the key's length. */
function key(slot: i32, what: u8 = 0): i32 {
  store<u32>(KEY, 0x2f717874);   // "txq/"
  if (what) { store<u8>(KEY + 4, what); return 5; }
  return 4 + digits(KEY + 4, <u32>slot);
}

function digits(at: usize, v: u32): i32 {
  let n = 0, x = v;
  do { n++; x /= 10; } while (x);
  for (let i = n - 1; i >= 0; i--) { store<u8>(at + <usize>i, 0x30 + <u8>(v % 10)); v /= 10; }
  return n;
}

function readNum(what: u8): i64 {
  const n = store_read(KEY, key(0, what), NUM, 11);
  if (n <= 0) return -1;
  let v: i64 = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(NUM + <usize>i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function writeNum(what: u8, v: u32): bool { return store_write(KEY, key(0, what), NUM, digits(NUM, v)) == 0; }

export class Journal {
  head: u32 = 0;       // the oldest event not yet answered
  tail: u32 = 0;       // the next sequence number
  loaded: u32 = 0;     // the next one the RAM queue has not taken yet
  private done: u32 = 0;   // bit (n - head): answered while an older one was still out

  /** Reads the window the last run left. */
  open(): void {
    const h = readNum(0x68), t = readNum(0x74);
    this.head = this.tail = this.loaded = 0;
    this.done = 0;
    if (h < 0 && t < 0) return;
    if (h < 0 || t < h || t - h > JOURNAL_SLOTS || t > <i64>u32.MAX_VALUE) {
      error("transactions: the stored message queue is inconsistent (head " + h.toString() + ", tail " + t.toString() + "); it is dropped");
      writeNum(0x68, <u32>max<i64>(t, 0));
      this.head = this.tail = this.loaded = <u32>max<i64>(t, 0);
      return;
    }
    this.head = this.loaded = <u32>h;
    this.tail = <u32>t;
    if (t > h) warn("transactions: " + (t - h).toString() + " message(s) from before the restart are sent again");
  }

  get size(): u32 { return this.tail - this.head; }

  /** Persists a payload as the next event; its sequence number, or -1 when it is not kept (dropped or not stored). */
  add(ptr: usize, len: i32, periodic: bool): i64 {
    if (this.size >= <u32>(JOURNAL_SLOTS - (periodic ? JOURNAL_RESERVE : 0))) {
      warn("transactions: message queue full (" + this.size.toString() + " events); " + (periodic ? "periodic meter values dropped" : "an event is kept in memory only"));
      return periodic ? -2 : -1;
    }
    const seq = this.tail;
    if (store_write(KEY, key(<i32>(seq % <u32>JOURNAL_SLOTS)), ptr, len) != 0 || !writeNum(0x74, seq + 1)) {
      warn("transactions: the store refused a queued event; it is kept in memory only");
      return -1;
    }
    this.tail = seq + 1;
    return seq;
  }

  /** Reads event n's payload into buf (cap bytes): its length, -1 when missing, -2 when it does not fit. */
  read(n: u32, buf: usize, cap: i32): i32 { return store_read(KEY, key(<i32>(n % <u32>JOURNAL_SLOTS)), buf, cap); }

  /** Event n was answered (or gave up): the window's start moves past every answered one. */
  finish(n: u32): void {
    if (n < this.head || n >= this.tail) return;
    this.done |= 1 << (n - this.head);
    let moved = false;
    while (this.done & 1) { this.done >>>= 1; this.head++; moved = true; }
    if (moved && !writeNum(0x68, this.head)) warn("transactions: the store refused the message queue's position");
  }
}

export const journal = new Journal();

/** The transaction on an EVSE, kept in the store ("txs/<evse>": "<next seqNo> <connector> <journal number> <O|E>
 *  <transactionId>") so that one cut by a power failure is found at the next start and ended. It is written just
 *  before each of its events goes into the journal, naming the journal number that event will get (NOT_JOURNALED:
 *  none, it went out without the journal): the event is in if the journal's tail has passed that number, so one write
 *  each keeps the two consistent whatever the cut. E: that event ends the transaction. */
export const NOT_JOURNALED: u32 = u32.MAX_VALUE;

export class CutTransaction {
  constructor(public txId: string, public nextSeq: i32, public connector: i32, public journaled: u32, public ended: bool) {}
  /** Whether its last event made it into the journal (or out without it). */
  get landed(): bool { return this.journaled == NOT_JOURNALED || this.journaled < journal.tail; }
}

function txKey(evse: i32): i32 {
  store<u32>(KEY, 0x2f737874);   // "txs/"
  return 4 + digits(KEY + 4, <u32>evse);
}

/** v's digits and a space at buf + n: the length after them. */
function putNum(buf: usize, n: i32, v: u32): i32 {
  n += digits(buf + <usize>n, v);
  store<u8>(buf + <usize>n, 0x20);
  return n + 1;
}

/** A state's longest text: three numbers of up to 10 digits, the kind, the separators and a 36-character id. */
const TX_STATE = 72;

/** `buf`: scratch of at least TX_STATE bytes; an empty txId clears the EVSE's state. */
export function saveTx(evse: i32, txId: string, nextSeq: i32, connector: i32, journaled: u32, ended: bool, buf: usize): void {
  let n = 0;
  if (txId.length) {
    n = putNum(buf, putNum(buf, putNum(buf, 0, <u32>nextSeq), <u32>connector), journaled);
    store<u8>(buf + <usize>n, ended ? 0x45 : 0x4f);
    store<u8>(buf + <usize>n + 1, 0x20);
    n += 2;
    n += <i32>String.UTF8.encodeUnsafe(changetype<usize>(txId), min(txId.length, 36), buf + <usize>n);
  }
  if (store_write(KEY, txKey(evse), buf, n) != 0) warn("transactions: the store refused the state of EVSE " + evse.toString());
}


export function loadTx(evse: i32, buf: usize): CutTransaction | null {
  const n = store_read(KEY, txKey(evse), buf, TX_STATE);
  if (n <= 0) return null;
  let a = 0;
  const f = new StaticArray<u32>(3);
  for (let i = 0; i < 3; i++, a++) {
    let v: u64 = 0;
    for (; a < n && load<u8>(buf + <usize>a) != 0x20; a++) v = v * 10 + <u64>load<u8>(buf + <usize>a) - 0x30;
    f[i] = <u32>v;
  }
  const kind = a < n ? load<u8>(buf + <usize>a) : 0;
  a += 2;
  if (a >= n || (kind != 0x45 && kind != 0x4f)) { error("transactions: unreadable state of EVSE " + evse.toString() + "; ignored"); return null; }
  return new CutTransaction(String.UTF8.decodeUnsafe(buf + <usize>a, n - a), <i32>f[0], <i32>f[1], f[2], kind == 0x45);
}
