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
};

export const ENGINE_EXPORTS: Record<string, { params: WasmType[]; result: WasmType | null }> = {
  init: { params: ["i32", "i32", "i32"], result: "i32" },
  on_connection: { params: ["i32"], result: null },
  on_frame: { params: ["i32", "i32"], result: null },
  tick: { params: [], result: "i32" },
  alloc: { params: ["i32"], result: "i32" },
  free: { params: ["i32"], result: null },
};

/** BootReasonEnumType in schema order: the boot reason argument of init(). */
export const BOOT_REASONS = [
  "ApplicationReset", "FirmwareUpdate", "LocalReset", "PowerUp", "RemoteReset",
  "ScheduledReset", "Triggered", "Unknown", "Watchdog",
] as const;
export type BootReason = (typeof BOOT_REASONS)[number];

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
