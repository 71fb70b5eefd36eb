/*
 * The wasm2c binding of the chargewasm engine: instantiates the C that wasm2c
 * made of engine.wasm, forwards the host imports to the board's cw_hal_*
 * functions (turning linear-memory offsets into checked C pointers), and turns
 * a trap into a logged, clean restart of the engine.
 */
#include <stdlib.h>
#include <string.h>

#include "chargewasm.h"
#include "engine.h"
#include "wasm-rt-impl.h"

struct Z_host_instance_t {
  cw_board *board;
  cw_engine *engine;
};

struct cw_engine {
  struct Z_host_instance_t host;
  Z_engine_instance_t inst;
  int live;
  char *config;
  size_t config_len;
  int32_t restarts;
  int32_t failures;   /* traps since an engine call last returned normally (init not counted) */
  int failed;         /* gave up after CW_MAX_FAILED_STARTS: no more calls into the engine */
  int inject_trap;
};

static int runtime_ready;

/* A checked view of engine memory; a bad range is an engine fault and traps. */
static uint8_t *mem(struct Z_host_instance_t *h, uint32_t ptr, uint32_t len) {
  wasm_rt_memory_t *m = Z_engineZ_memory(&h->engine->inst);
  if ((uint64_t)ptr + len > m->size) wasm_rt_trap(WASM_RT_TRAP_OOB);
  return m->data + ptr;
}

static void note(cw_board *b, const char *text) { cw_hal_log(b, 0, (const uint8_t *)text, strlen(text)); }

/* Profiling (make bench on an MCU under QEMU): with CW_PROFILE the board's instruction counter is told when engine code
 * starts and stops running, so host imports and the board's own work are not counted. cw_profile must ignore a
 * repeated state. */
#ifdef CW_PROFILE
void cw_profile(int engine_running);
#define ENGINE_RUNS(on) cw_profile(on)
#else
#define ENGINE_RUNS(on) ((void)0)
#endif
/* A host import's call into the board, outside the engine's count (HOST: one with a result; HOST_DO: without). */
#define HOST(call) __extension__({ ENGINE_RUNS(0); __typeof__(call) r_ = (call); ENGINE_RUNS(1); r_; })
#define HOST_DO(call) do { ENGINE_RUNS(0); call; ENGINE_RUNS(1); } while (0)

/* ---- imports ---- */
/* now_ms starts every engine entry, so an injected trap lands there. */
u64 Z_hostZ_now_ms(struct Z_host_instance_t *h) {
  if (h->engine->inject_trap) { h->engine->inject_trap = 0; wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); }
  return (u64)HOST(cw_hal_now_ms(h->board));
}
u64 Z_hostZ_utc_ms(struct Z_host_instance_t *h) { return (u64)HOST(cw_hal_utc_ms(h->board)); }
u32 Z_hostZ_random_u32(struct Z_host_instance_t *h) { return HOST(cw_hal_random_u32(h->board)); }
void Z_hostZ_log(struct Z_host_instance_t *h, u32 level, u32 p, u32 n) { HOST_DO(cw_hal_log(h->board, (int32_t)level, mem(h, p, n), n)); }
void Z_hostZ_ws_connect(struct Z_host_instance_t *h, u32 u, u32 ul, u32 id, u32 il, u32 pw, u32 pl, u32 profile) {
  HOST_DO(cw_hal_ws_connect(h->board, mem(h, u, ul), ul, mem(h, id, il), il, mem(h, pw, pl), pl, (int32_t)profile));
}
u32 Z_hostZ_ws_send(struct Z_host_instance_t *h, u32 p, u32 n) { return (u32)HOST(cw_hal_ws_send(h->board, mem(h, p, n), n)); }
u32 Z_hostZ_store_read(struct Z_host_instance_t *h, u32 k, u32 kl, u32 buf, u32 cap) {
  return (u32)HOST(cw_hal_store_read(h->board, mem(h, k, kl), kl, mem(h, buf, cap), cap));
}
u32 Z_hostZ_store_write(struct Z_host_instance_t *h, u32 k, u32 kl, u32 v, u32 vl) {
  return (u32)HOST(cw_hal_store_write(h->board, mem(h, k, kl), kl, mem(h, v, vl), vl));
}
void Z_hostZ_pilot_set(struct Z_host_instance_t *h, u32 evse, u32 duty) { HOST_DO(cw_hal_pilot_set(h->board, (int32_t)evse, (int32_t)duty)); }
void Z_hostZ_contactor_set(struct Z_host_instance_t *h, u32 evse, u32 closed) { HOST_DO(cw_hal_contactor_set(h->board, (int32_t)evse, (int32_t)closed)); }
void Z_hostZ_lock_set(struct Z_host_instance_t *h, u32 evse, u32 c, u32 locked) { HOST_DO(cw_hal_lock_set(h->board, (int32_t)evse, (int32_t)c, (int32_t)locked)); }
u32 Z_hostZ_meter_read(struct Z_host_instance_t *h, u32 evse, u32 out, u32 cap) {
  double values[16];
  size_t n = cap < 16 ? cap : 16;
  int32_t got = HOST(cw_hal_meter_read(h->board, (int32_t)evse, values, n));
  if (got < 0) got = 0;
  if ((size_t)got > n) got = (int32_t)n;
  memcpy(mem(h, out, (u32)got * 8), values, (size_t)got * 8);  /* wasm memory is little-endian, like these targets */
  return (u32)got;
}
void Z_hostZ_reboot(struct Z_host_instance_t *h, u32 reason) { HOST_DO(cw_hal_reboot(h->board, (int32_t)reason)); }
void Z_hostZ_display(struct Z_host_instance_t *h, u32 evse, u32 p, u32 n) { HOST_DO(cw_hal_display(h->board, (int32_t)evse, mem(h, p, n), n)); }

/* ---- lifecycle and trap handling ---- */
/* Our own words for a trap, the same whichever wasm2c runtime is linked. */
static const char *trap_name(wasm_rt_trap_t code) {
  switch (code) {
    case WASM_RT_TRAP_OOB: return "out-of-bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "division by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "bad indirect call";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "trap";
  }
}

static void restart(cw_engine *e, wasm_rt_trap_t code);

/* A fresh instance; its start function runs here and may trap too (e.g. out of linear memory). */
static int instantiate(cw_engine *e) {
  wasm_rt_trap_t code = wasm_rt_impl_try();
  if (code != WASM_RT_TRAP_NONE) { e->live = 0; restart(e, code); return e->live; }
  Z_engine_instantiate(&e->inst, &e->host);
  e->live = 1;
  return 1;
}

/* After a trap: a fresh instance, started again from the saved config with boot reason Watchdog; after
 * CW_MAX_FAILED_STARTS traps in a row the board makes its outputs safe and the engine is not called again. */
static void restart(cw_engine *e, wasm_rt_trap_t code) {
  /* Built with strcat, not snprintf: a firmware image need not carry a printf. */
  char text[200] = "engine: trap (";
  strcat(text, trap_name(code));
  e->restarts++;
  if (e->live) Z_engine_free(&e->inst);
  e->live = 0;
  if (++e->failures >= CW_MAX_FAILED_STARTS) {
    _Static_assert(CW_MAX_FAILED_STARTS < 10, "the count is written as one digit");
    char n[2] = { (char)('0' + e->failures), 0 };
    strcat(strcat(strcat(text, "), "), n), " in a row; giving up: outputs made safe, engine stopped");
    note(e->host.board, text);
    e->failed = 1;
    cw_board_fatal(e->host.board, text);
    return;
  }
  strcat(text, "); restarting");
  note(e->host.board, text);
  if (instantiate(e) && e->config) cw_engine_init(e, e->config, e->config_len, 8 /* Watchdog */);
}

/* Runs body unless the engine has failed for good; a trap restarts it. */
#define TRY(e, body)                                       \
  do {                                                     \
    if ((e)->failed || !(e)->live) break;                  \
    wasm_rt_trap_t code_ = wasm_rt_impl_try();             \
    if (code_ != WASM_RT_TRAP_NONE) { ENGINE_RUNS(0); restart(e, code_); break; } \
    ENGINE_RUNS(1);                                        \
    body;                                                  \
    ENGINE_RUNS(0);                                        \
  } while (0)
/* An engine call other than init: returning normally clears the count of traps in a row. */
#define GUARDED(e, body) TRY(e, { body; (e)->failures = 0; })

cw_engine *cw_engine_new(cw_board *b) {
  if (!runtime_ready) { wasm_rt_init(); Z_engine_init_module(); runtime_ready = 1; }
  cw_engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->host.board = b;
  e->host.engine = e;
  instantiate(e);
  return e;
}

/* Copies bytes into engine memory; 0 when the engine refuses the size. */
static u32 put(cw_engine *e, const void *data, size_t len) {
  u32 p = Z_engineZ_alloc(&e->inst, (u32)len);
  if (p) memcpy(mem(&e->host, p, (u32)len), data, len);
  return p;
}

int32_t cw_engine_init(cw_engine *e, const char *config, size_t len, int32_t boot_reason) {
  volatile int32_t rc = 1;
  if (config != e->config) {
    free(e->config);
    e->config = malloc(len);
    if (!e->config) return 1;
    memcpy(e->config, config, len);
    e->config_len = len;
  }
  if (e->failed || !e->live) return 1;
  /* A completed init does not clear the trap count: a trap right after every start is a failed start too. */
  TRY(e, {
    u32 p = put(e, e->config, len);
    if (!p) { note(e->host.board, "init: station config larger than the frame limit"); break; }
    rc = (int32_t)Z_engineZ_init(&e->inst, p, (u32)len, (u32)boot_reason);
    Z_engineZ_free(&e->inst, p);
  });
  return e->failed ? 1 : rc;
}

void cw_engine_on_connection(cw_engine *e, int32_t up) { GUARDED(e, Z_engineZ_on_connection(&e->inst, (u32)up)); }

void cw_engine_on_frame(cw_engine *e, const uint8_t *frame, size_t len) {
  GUARDED(e, {
    u32 p = len ? Z_engineZ_alloc(&e->inst, (u32)len) : 0;
    if (p) memcpy(mem(&e->host, p, (u32)len), frame, len);
    Z_engineZ_on_frame(&e->inst, p, (u32)len);
    if (p) Z_engineZ_free(&e->inst, p);
  });
}

void cw_engine_on_board_event(cw_engine *e, int32_t evse, int32_t kind, int32_t value) {
  GUARDED(e, Z_engineZ_on_board_event(&e->inst, (u32)evse, (u32)kind, (u32)value));
}

void cw_engine_on_token(cw_engine *e, int32_t evse, const char *id_token, size_t len, int32_t type) {
  GUARDED(e, {
    u32 p = Z_engineZ_alloc(&e->inst, (u32)(len ? len : 1));
    if (!p) break;
    memcpy(mem(&e->host, p, (u32)len), id_token, len);
    Z_engineZ_on_token(&e->inst, (u32)evse, p, (u32)len, (u32)type);
    Z_engineZ_free(&e->inst, p);
  });
}

int32_t cw_engine_tick(cw_engine *e) {
  volatile int32_t next = -1;
  GUARDED(e, next = (int32_t)Z_engineZ_tick(&e->inst));
  return next;
}

int32_t cw_engine_restarts(const cw_engine *e) { return e->restarts; }
int32_t cw_engine_failed(const cw_engine *e) { return e->failed; }
void cw_engine_inject_trap(cw_engine *e) { e->inject_trap = 1; }

void cw_engine_free(cw_engine *e) {
  if (!e) return;
  if (e->live) Z_engine_free(&e->inst);
  free(e->config);
  free(e);
}
