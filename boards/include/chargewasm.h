/*
 * chargewasm: the engine's HAL ABI in C, the mirror of assembly/hal.ts.
 *
 * Runtime neutral: a board implements the cw_hal_* functions with plain C
 * pointers; a runtime binding (boards/common/engine_wasm2c.c for wasm2c, a wasm3
 * binding would be another small file) translates the engine's linear-memory
 * offsets and calls them. docs/HAL.md documents each function;
 * test/host/hal-abi.test.ts fails when this header, engine.wasm and the Node
 * host disagree.
 */
#ifndef CHARGEWASM_H
#define CHARGEWASM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The board's state, opaque to the engine and its runtime binding. */
typedef struct cw_board cw_board;

/* ---- imports: what the board provides (module "host") ---- */
int64_t cw_hal_now_ms(cw_board *b);
int64_t cw_hal_utc_ms(cw_board *b);
uint32_t cw_hal_random_u32(cw_board *b);
void cw_hal_log(cw_board *b, int32_t level, const uint8_t *msg, size_t len);
void cw_hal_ws_connect(cw_board *b, const uint8_t *url, size_t url_len, const uint8_t *user, size_t user_len,
                       const uint8_t *pass, size_t pass_len, int32_t profile);
int32_t cw_hal_ws_send(cw_board *b, const uint8_t *frame, size_t len);
int32_t cw_hal_store_read(cw_board *b, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap);
int32_t cw_hal_store_write(cw_board *b, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len);
void cw_hal_pilot_set(cw_board *b, int32_t evse, int32_t duty_permille);
void cw_hal_contactor_set(cw_board *b, int32_t evse, int32_t closed);
void cw_hal_lock_set(cw_board *b, int32_t evse, int32_t connector, int32_t locked);
int32_t cw_hal_meter_read(cw_board *b, int32_t evse, double *out, size_t cap);
void cw_hal_reboot(cw_board *b, int32_t boot_reason);
void cw_hal_display(cw_board *b, int32_t evse, const uint8_t *text, size_t len);

/* Not an engine import: the runtime binding calls it when the engine trapped CW_MAX_FAILED_STARTS times in a
 * row without one call returning normally. The board opens every contactor, releases every cable lock, sets
 * every pilot to -12 V (not available) and reports `reason`; the engine is not called again. */
#define CW_MAX_FAILED_STARTS 3
void cw_board_fatal(cw_board *b, const char *reason);

/* The largest OCPP-J frame the engine sends or accepts (bytes); a transport closes the connection with
 * 1009 (message too big) rather than buffer a larger one. */
#define CW_MAX_FRAME 4096

/* ws_send results. After CW_SEND_BUSY the host calls cw_engine_tick() once the transport has room again. */
enum { CW_SEND_OK = 0, CW_SEND_CLOSED = 1, CW_SEND_BUSY = 2 };

/* ---- exports: what a board asks of the engine ---- */
typedef struct cw_engine cw_engine;

/* Board event kinds of cw_engine_on_board_event (docs/HAL.md). */
enum { CW_PILOT = 1, CW_BAY = 2, CW_CONTACTOR_FEEDBACK = 3, CW_LOCK_FEEDBACK = 4, CW_EMS_LIMIT = 5 };

/* A new engine bound to a board; NULL when out of memory. */
cw_engine *cw_engine_new(cw_board *b);
/* Starts it with a station-config JSON and a BootReasonEnumType index; 0, or non-zero when refused (logged). */
int32_t cw_engine_init(cw_engine *e, const char *config, size_t len, int32_t boot_reason);
void cw_engine_on_connection(cw_engine *e, int32_t up);
void cw_engine_on_frame(cw_engine *e, const uint8_t *frame, size_t len);
void cw_engine_on_board_event(cw_engine *e, int32_t evse, int32_t kind, int32_t value);
void cw_engine_on_token(cw_engine *e, int32_t evse, const char *id_token, size_t len, int32_t type);
/* Runs what is due; milliseconds until the next deadline, or -1. */
int32_t cw_engine_tick(cw_engine *e);
/* Engine restarts after a trap since cw_engine_new (each restart is logged with its reason). */
int32_t cw_engine_restarts(const cw_engine *e);
/* Testing: the engine's next call out to the board traps, as a fault inside the engine would. */
void cw_engine_inject_trap(cw_engine *e);
/* Non-zero once the engine has been given up (see cw_board_fatal). */
int32_t cw_engine_failed(const cw_engine *e);
void cw_engine_free(cw_engine *e);

#ifdef __cplusplus
}
#endif
#endif
