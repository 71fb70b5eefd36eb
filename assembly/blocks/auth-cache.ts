// The authorization cache (C10-C12): the CSMS's last verdict on each idToken it was asked about (AuthorizeResponse,
// TransactionEventResponse), kept in the store and nowhere else (AUTH_CACHE_SLOTS records "ac/<slot>", read when a
// token is presented), so it costs the engine's page nothing and survives a reboot. The least recently used record
// makes room; one not used for AuthCacheCtrlr.LifeTime is gone.
import { AuthorizationStatusEnumType as AS, IdTokenEnumType, E, P, V } from "../generated/ocpp";
import { Json } from "../json/reader";
import { field, enumField, strField, timeField } from "../messages/schema";
import { NO_TIME } from "../messages/codec";
import { store_read, store_write } from "../hal";
import { utf8, ptr } from "../core/bytes";
import { utcNow } from "../core/clock";
import { intOf } from "../device-model/model";
import { AUTH_CACHE_SLOTS } from "../config";
import { Token } from "./authorization";

export class Cached {
  constructor(public slot: i32, public status: AS, public expires: i64, public used: i64, public type: IdTokenEnumType,
              public group: string | null, public id: string) {}

  /** Accepted, and its cacheExpiryDateTime (if any) not passed. */
  get accepted(): bool { return this.status == AS.Accepted && (this.expires == 0 || utcNow() <= this.expires); }
}

const KEY = memory.data<u8>([0x61, 0x63, 0x2f, 0x30]);   // "ac/<slot>"
const REC = 128;
const BUF = memory.data(REC);
// A record: status u8, type u8, expires i64, used i64 (UTC ms), group length u8, the group's and the id's UTF-8.
const HEAD = 19;

function keyOf(slot: i32): usize {
  store<u8>(KEY + 3, 0x30 + <u8>slot);
  return KEY;
}

/** Slot's record into BUF: its length, or 0 when there is none (or it cannot be one). */
function load_(slot: i32): i32 {
  const n = store_read(keyOf(slot), 4, BUF, REC);
  return n >= HEAD && HEAD + <i32>load<u8>(BUF + 18) <= n ? n : 0;
}

/** Whether BUF's record (length n) is the token (id as UTF-8 in `id`). */
function matches(n: i32, id: ArrayBuffer, type: IdTokenEnumType): bool {
  const at = HEAD + <i32>load<u8>(BUF + 18);
  return <i32>load<u8>(BUF + 1) == <i32>type && n - at == id.byteLength && memory.compare(BUF + <usize>at, ptr(id), id.byteLength) == 0;
}

function decode(slot: i32, n: i32): Cached {
  const g = <i32>load<u8>(BUF + 18);
  return new Cached(slot, <AS>load<u8>(BUF), load<i64>(BUF + 2), load<i64>(BUF + 10), <IdTokenEnumType>load<u8>(BUF + 1),
    g ? String.UTF8.decodeUnsafe(BUF + HEAD, g) : null, String.UTF8.decodeUnsafe(BUF + HEAD + g, n - HEAD - g));
}

function write(c: Cached): void {
  const g = utf8(c.group !== null ? c.group! : ""), id = utf8(c.id);
  const n = HEAD + g.byteLength + id.byteLength;
  if (g.byteLength > 255 || n > REC) return;
  store<u8>(BUF, <u8>c.status); store<u8>(BUF + 1, <u8>c.type);
  store<i64>(BUF + 2, c.expires); store<i64>(BUF + 10, c.used); store<u8>(BUF + 18, <u8>g.byteLength);
  memory.copy(BUF + HEAD, ptr(g), g.byteLength);
  memory.copy(BUF + HEAD + <usize>g.byteLength, ptr(id), id.byteLength);
  store_write(keyOf(c.slot), 4, BUF, n);
}

function forget(slot: i32): void { store_write(keyOf(slot), 4, 0, 0); }

/** The token's record, or null; a record unused for LifeTime is removed on the way. */
export function cacheFind(token: Token): Cached | null {
  const life = intOf(V.AuthCacheLifeTime) * 1000, id = utf8(token.id);
  for (let s = 0; s < AUTH_CACHE_SLOTS; s++) {
    const n = load_(s);
    if (!n || !matches(n, id, token.type)) continue;
    if (life > 0 && utcNow() - load<i64>(BUF + 10) > life) { forget(s); return null; }
    return decode(s, n);
  }
  return null;
}

/** The record was used to authorize: it is the most recently used. */
export function cacheUse(c: Cached): void { c.used = utcNow(); write(c); }

/** Keeps the CSMS's verdict (an idTokenInfo) on a token, replacing its record or the least recently used one. */
export function cacheStore(token: Token, j: Json, info: i32): void {
  const exp = timeField(j, info, P.cacheExpiryDateTime);
  const g = field(j, info, P.groupIdToken);
  let same = -1, free = -1, lru = 0, oldest: i64 = i64.MAX_VALUE;
  const id = utf8(token.id);
  for (let s = 0; s < AUTH_CACHE_SLOTS; s++) {
    const n = load_(s);
    if (!n) { if (free < 0) free = s; continue; }
    if (matches(n, id, token.type)) same = s;
    const used = load<i64>(BUF + 10);
    if (used < oldest) { oldest = used; lru = s; }
  }
  const slot = same >= 0 ? same : free >= 0 ? free : lru;
  write(new Cached(slot, enumField(j, info, P.status, E.AuthorizationStatusEnumType), exp == NO_TIME ? 0 : exp, utcNow(), token.type,
    g ? strField(j, g, P.idToken) : null, token.id));
}

export function cacheClear(): void { for (let s = 0; s < AUTH_CACHE_SLOTS; s++) forget(s); }
