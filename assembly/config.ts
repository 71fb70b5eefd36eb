// Compile-time bounds. Every buffer and queue in the engine is sized from here.
export const MAX_FRAME: i32 = 4096;         // largest frame sent or accepted, bytes (DeviceDataCtrlr.BytesPerMessage)
export const MAX_JSON_NODES: i32 = 512;     // JSON values in one frame
export const MAX_JSON_DEPTH: i32 = 16;      // nesting of objects and arrays
export const CALL_QUEUE: i32 = 16;          // outgoing CALLs waiting for the one in flight
export const QUEUE_BYTES: i32 = MAX_FRAME;  // their payloads and the one in flight's, together
export const HELD_ANSWERS: i32 = 4;         // answers held while the transport is full
export const JOURNAL_SLOTS: i32 = 16;       // TransactionEvents kept in the store until answered (at most 32)
export const JOURNAL_RESERVE: i32 = 4;      // of those, slots periodic meter values may not take
export const AUTH_CACHE_SLOTS: i32 = 8;     // idTokens in the authorization cache (store keys ac/0 ..), least recently used replaced
export const MAX_MESSAGE_ID: i32 = 36;      // Part 4: MessageId is string[36]
// What one page of linear memory holds with every profile slot full (make bench's capacity figure).
export const MAX_EVSES: i32 = 2;
export const MAX_CONNECTORS: i32 = 2;       // per EVSE
