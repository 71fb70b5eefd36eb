// Authorization (C01, C02, C05, C06 online parts): idTokens presented at the
// station are checked with Authorize; an accepted token starts a session, the same
// token (or one of the same groupIdToken) stops it. Remote starts (F01-F03) come here too.
import {
  Action, AuthorizationStatusEnumType as AS, IdTokenEnumType, TriggerReasonEnumType as TR, ReasonEnumType, E, P,
} from "../generated/ocpp";
import { Json } from "../json/reader";
import { Writer } from "../json/writer";
import { field, enumField, strField, enumName } from "../messages/schema";
import { NO_INT } from "../messages/codec";
import { rpc } from "../rpc/rpc";
import { info as info_, warn } from "../core/log";
import { Session, sessions, session } from "./transactions";
import { V } from "../generated/ocpp";
import { intOf } from "../device-model/model";
import { prov } from "./provisioning";
import { say } from "../core/text";
import { Cached, cacheFind, cacheUse, cacheStore } from "./auth-cache";

const MAX_PENDING = 8;

/** An idToken: its id and type, and when it came from the CSMS the Token JSON to echo as it was sent. */
export class Token {
  constructor(public id: string, public type: IdTokenEnumType, public json: string | null = null) {}

  static read(j: Json, n: i32): Token {
    return new Token(strField(j, n, P.idToken)!, enumField(j, n, P.type, E.IdTokenEnumType), j.raw(n));
  }

  write(w: Writer): void {
    if (this.json !== null) { w.json(this.json!); return; }
    w.obj(); w.k(P.idToken); w.str(this.id); w.k(P.type); w.en(E.IdTokenEnumType, this.type); w.endObj();
  }
}

class PendingAuth {
  constructor(public evse: i32, public token: Token, public remoteStartId: i32, public stopCheck: bool) {}
}

/** Authorize requests in the order they were queued; results come back in the same order. */
const pending: PendingAuth[] = [];

export function sameToken(a: Token | null, b: Token): bool {
  return a !== null && a.id == b.id && a.type == b.type;
}

/** The session a token presented at `evse` (0: the station's reader) concerns. */
function target(evse: i32, token: Token): Session | null {
  if (evse > 0) return session(evse);
  for (let i = 0; i < sessions.length; i++) if (sessions[i].authorized && sameToken(sessions[i].token, token)) return sessions[i];
  for (let i = 0; i < sessions.length; i++) if (sessions[i].plugged && !sessions[i].authorized && sessions[i].operative) return sessions[i];
  for (let i = 0; i < sessions.length; i++) if (!sessions[i].authorized && sessions[i].operative) return sessions[i];
  return null;
}

function requestAuthorize(s: Session, token: Token, remoteStartId: i32, stopCheck: bool): void {
  if (pending.length >= MAX_PENDING) { warn("authorization: too many pending Authorize requests; token ignored"); return; }
  const w = rpc.call();
  w.obj(); w.k(P.idToken); token.write(w); w.endObj();
  if (rpc.enqueue(Action.Authorize)) pending.push(new PendingAuth(s.evse, token, remoteStartId, stopCheck));
}

/** Whether no CSMS can check a token now. */
function offline(): bool { return !(rpc.connected && prov.accepted); }

/** The token's authorization cache record, when the cache is enabled and `use` (LocalPreAuthorize online,
 *  LocalAuthorizeOffline offline) lets it decide. */
function cached(token: Token, use: bool): Cached | null {
  return use && intOf(V.AuthCacheEnabled) ? cacheFind(token) : null;
}

/** A session authorized from the cache (C12); an idToken the cache does not accept only tells the driver. */
function startCached(s: Session, token: Token, c: Cached, off: bool): void {
  if (!c.accepted) {
    info_("authorization: " + token.id + " not accepted by the authorization cache");
    s.tell(say("Not authorized: ") + enumName(E.AuthorizationStatusEnumType, c.status == AS.Accepted ? AS.Expired : c.status));
    return;
  }
  info_("authorization: " + token.id + " accepted by the authorization cache");
  cacheUse(c);
  s.authorize(token, c.group, TR.Authorized);
  if (off) s.tell("Offline: charging");
}

/** Whether a token may start charging unchecked: offline with OfflineTxForUnknownIdEnabled (C15), and before the
 *  CSMS has accepted this start only with TxBeforeAcceptedEnabled. Its transaction's events carry it to the CSMS. */
function offlineStart(s: Session, token: Token): bool {
  if (!intOf(V.OfflineTxForUnknownIdEnabled)) return false;
  if (!prov.accepted && !intOf(V.TxBeforeAcceptedEnabled)) return false;
  info_("authorization: " + token.id + " starts unchecked (OfflineTxForUnknownIdEnabled)");
  s.authorize(token, null, TR.Authorized);
  s.tell("Offline: charging, card checked later");
  return true;
}

/** An idToken presented locally (RFID, key code, ...). */
export function presentToken(evse: i32, id: string, type: IdTokenEnumType): void {
  const token = new Token(id, type);
  const s = target(evse, token);
  if (s === null) { warn("authorization: no EVSE " + evse.toString() + " for token " + id); return; }
  info_("authorization: token " + id + " presented at EVSE " + s.evse.toString());
  const off = offline();
  const c = cached(token, intOf(off ? V.LocalAuthorizeOffline : V.LocalPreAuthorize) != 0);
  if (s.authorized) {
    if (sameToken(s.token, token)) { s.deauthorize(TR.StopAuthorized, ReasonEnumType.Local); return; }
    // Another token may stop the session only if it is in the session's group: the cache or the CSMS says.
    if (c !== null && c.accepted && c.group !== null && s.groupId !== null && c.group == s.groupId) {
      cacheUse(c);
      s.deauthorize(TR.StopAuthorized, ReasonEnumType.Local);
      return;
    }
    if (off) { warn("authorization: offline; token " + id + " not checked"); return; }
    requestAuthorize(s, token, NO_INT, true);
    return;
  }
  if (!s.operative) { warn("authorization: EVSE " + s.evse.toString() + " is unavailable"); s.tell("Not available"); return; }
  // A start button (C02) or disabled authorization needs no CSMS.
  if (!intOf(V.AuthEnabled) || type == IdTokenEnumType.NoAuthorization) { s.authorize(token, null, TR.Authorized); return; }
  if (c !== null && (off || c.accepted || intOf(V.AuthCacheDisablePostAuthorize))) { startCached(s, token, c, off); return; }
  // Without a CSMS an unknown token cannot be checked; an Authorize sent later would start a session for a driver who
  // may be long gone.
  if (off) {
    warn("authorization: offline; token " + id + " not checked");
    if (!offlineStart(s, token)) s.tell("Offline - card not checked, try again later");
    return;
  }
  requestAuthorize(s, token, NO_INT, false);
}

/** A remote start accepted by RequestStartTransaction; authorizes at once or after Authorize (AuthorizeRemoteStart). */
export function remoteStart(s: Session, token: Token, remoteStartId: i32, checkFirst: bool): void {
  if (checkFirst && intOf(V.AuthEnabled)) requestAuthorize(s, token, remoteStartId, false);
  else s.authorize(token, null, TR.RemoteStart, remoteStartId);
}

function groupOf(j: Json, info: i32): string | null {
  const g = field(j, info, P.groupIdToken);
  return g ? strField(j, g, P.idToken) : null;
}

/** An Authorize answer: its idTokenInfo node, or (j null) none. */
export function onAuthorize(j: Json | null, info: i32): void {
  if (!pending.length) return;
  const p = pending.shift();
  const s = session(p.evse);
  if (s === null) return;
  const status = j !== null ? enumField(j, info, P.status, E.AuthorizationStatusEnumType) : AS.Invalid;
  info_("authorization: " + p.token.id + " " + (j !== null ? enumName(E.AuthorizationStatusEnumType, status) : "not answered"));
  if (j !== null && intOf(V.AuthCacheEnabled)) cacheStore(p.token, j, info);
  if (!p.stopCheck) {
    const pm = j !== null ? field(j, info, P.personalMessage) : 0;
    const text = pm ? strField(j!, pm, P.content)! : status == AS.Accepted ? ""
      : j !== null ? say("Not authorized: ") + enumName(E.AuthorizationStatusEnumType, status) : say("Not authorized: no answer");
    if (status == AS.Accepted && !s.authorized) s.message = text; else s.tell(text);
  }
  if (status != AS.Accepted) return;
  const group = groupOf(j!, info);
  if (p.stopCheck) {
    if (s.authorized && group !== null && s.groupId !== null && group == s.groupId) s.deauthorize(TR.StopAuthorized, ReasonEnumType.Local);
    return;
  }
  if (s.authorized) return;
  s.authorize(p.token, group, p.remoteStartId != NO_INT ? TR.RemoteStart : TR.Authorized, p.remoteStartId);
}

/** The CSMS's verdict on a transaction's idToken (TransactionEventResponse.idTokenInfo). */
export function onTransactionIdTokenInfo(s: Session, j: Json, info: i32): void {
  if (s.token !== null && intOf(V.AuthCacheEnabled)) cacheStore(s.token!, j, info);
  if (enumField(j, info, P.status, E.AuthorizationStatusEnumType) == AS.Accepted) {
    if (s.groupId === null) s.groupId = groupOf(j, info);
    return;
  }
  if (!s.authorized) return;
  if (intOf(V.StopTxOnInvalidId)) { s.deauthorize(TR.Deauthorized, ReasonEnumType.DeAuthorized); return; }
  // The transaction goes on, with at most MaxEnergyOnInvalidId delivered; then energy is no longer offered.
  s.limitEnergy(intOf(V.MaxEnergyOnInvalidId));
  s.tell("Card not accepted: charging limited");
}
