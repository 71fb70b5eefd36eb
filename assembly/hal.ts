// The HAL: every way out of the engine. Module "host"; plain integers and
// (pointer, length) byte ranges only. docs/HAL.md documents each import and a
// test compares this list with the Node host and the docs.

/** Monotonic milliseconds; never goes back. */
@external("host", "now_ms") export declare function now_ms(): i64;
/** The host's idea of UTC, milliseconds since 1970; the engine corrects it from the CSMS. */
@external("host", "utc_ms") export declare function utc_ms(): i64;
/** 32 random bits. */
@external("host", "random_u32") export declare function random_u32(): u32;
/** One log line (UTF-8); level 0 error, 1 warn, 2 info, 3 debug. */
@external("host", "log") export declare function log(level: i32, ptr: usize, len: i32): void;
/** Dial the CSMS: URL (ends with the station identity), Basic-auth user and password, security profile (0-3). */
@external("host", "ws_connect") export declare function ws_connect(
  url: usize, urlLen: i32, user: usize, userLen: i32, pass: usize, passLen: i32, profile: i32): void;
/** Send one text frame; returns 0 when handed to the transport. */
@external("host", "ws_send") export declare function ws_send(ptr: usize, len: i32): i32;
/** Read a persisted value into buf; returns its length, -1 when absent, -2 when larger than cap. */
@external("host", "store_read") export declare function store_read(key: usize, keyLen: i32, buf: usize, cap: i32): i32;
/** Persist a value (replaces); returns 0 on success. */
@external("host", "store_write") export declare function store_write(key: usize, keyLen: i32, val: usize, valLen: i32): i32;

// ---- board I/O, per EVSE (1-based) ----
/** Control pilot output: PWM duty in per mille (50 = 5 %, digital communication); 1000 = constant +12 V (no PWM); 0 = -12 V (not available). */
@external("host", "pilot_set") export declare function pilot_set(evse: i32, dutyPermille: i32): void;
/** Close (1) or open (0) the EVSE's contactor. */
@external("host", "contactor_set") export declare function contactor_set(evse: i32, closed: i32): void;
/** Lock (1) or unlock (0) a connector's cable lock. */
@external("host", "lock_set") export declare function lock_set(evse: i32, connector: i32, locked: i32): void;
/** Reads the EVSE's meter into out (f64 values, see docs/HAL.md for the order); returns how many were written. */
@external("host", "meter_read") export declare function meter_read(evse: i32, out: usize, cap: i32): i32;
/** Restart the station: the host stops this engine and starts a fresh one with this BootReasonEnumType index. */
@external("host", "reboot") export declare function reboot(bootReason: i32): void;
/** Show a text to the driver on an EVSE's display (UTF-8); an empty text clears it. */
@external("host", "display") export declare function display(evse: i32, ptr: usize, len: i32): void;
