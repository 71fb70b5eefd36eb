// The HAL ABI as data: every import of module "host" with its wasm signature.
// engine.ts implements exactly these; test/host/hal-abi.test.ts compares this
// table with engine.wasm's import section and with docs/HAL.md.
export type WasmType = "i32" | "i64" | "f32" | "f64";

export const HAL_IMPORTS: Record<string, { params: WasmType[]; result: WasmType | null }> = {
  now_ms: { params: [], result: "i64" },
  utc_ms: { params: [], result: "i64" },
  random_u32: { params: [], result: "i32" },
  log: { params: ["i32", "i32", "i32"], result: null },
  ws_connect: { params: ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], result: null },
  ws_send: { params: ["i32", "i32"], result: "i32" },
  store_read: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  store_write: { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  pilot_set: { params: ["i32", "i32"], result: null },
  contactor_set: { params: ["i32", "i32"], result: null },
  lock_set: { params: ["i32", "i32", "i32"], result: null },
  meter_read: { params: ["i32", "i32", "i32"], result: "i32" },
  reboot: { params: ["i32"], result: null },
  display: { params: ["i32", "i32", "i32"], result: null },
};

export const ENGINE_EXPORTS: Record<string, { params: WasmType[]; result: WasmType | null }> = {
  init: { params: ["i32", "i32", "i32"], result: "i32" },
  on_connection: { params: ["i32"], result: null },
  on_frame: { params: ["i32", "i32"], result: null },
  tick: { params: [], result: "i32" },
  alloc: { params: ["i32"], result: "i32" },
  free: { params: ["i32"], result: null },
  on_board_event: { params: ["i32", "i32", "i32"], result: null },
  on_token: { params: ["i32", "i32", "i32", "i32"], result: null },
};

/** on_board_event kinds. */
export const BOARD_EVENT = { Pilot: 1, BayOccupied: 2, ContactorFeedback: 3, LockFeedback: 4, EmsLimit: 5 } as const;
/** Pilot states as the board measures them (IEC 61851-1). */
export const PILOT_STATES = ["A", "B", "C", "D", "E", "F"] as const;
export type PilotState = (typeof PILOT_STATES)[number];
/** meter_read's values, in order. */
export const METER_FIELDS = ["energyWh", "powerW", "currentL1", "currentL2", "currentL3", "voltageL1", "voltageL2", "voltageL3", "soc", "offeredA"] as const;
/** IdTokenEnumType in schema order: the type argument of on_token(). */
export const ID_TOKEN_TYPES = ["Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"] as const;
export type IdTokenType = (typeof ID_TOKEN_TYPES)[number];

/** BootReasonEnumType in schema order: the boot reason argument of init(). */
export const BOOT_REASONS = [
  "ApplicationReset", "FirmwareUpdate", "LocalReset", "PowerUp", "RemoteReset",
  "ScheduledReset", "Triggered", "Unknown", "Watchdog",
] as const;
export type BootReason = (typeof BOOT_REASONS)[number];

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;

/** ws_send results (CW_SEND_* in chargewasm.h). After Busy the host calls tick() once the transport has room. */
export const SEND = { Ok: 0, Closed: 1, Busy: 2 } as const;
export type SendResult = (typeof SEND)[keyof typeof SEND];
/** The largest frame the engine sends or accepts (CW_MAX_FRAME); a transport closes with 1009 rather than buffer more. */
export const MAX_FRAME = 4096;
/** Traps in a row (no engine call returning normally between them) after which a host gives the engine up (CW_MAX_FAILED_STARTS). */
export const MAX_FAILED_STARTS = 3;
