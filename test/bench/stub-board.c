/*
 * The smallest MCU firmware around the engine (Cortex-M4 and rv32imc), for measuring it (make bench): the wasm2c binding, the
 * static runtime and a board whose HAL does nothing. It boots the engine and runs its timers, and calls every other
 * export on an input that never comes, so that the image holds the whole engine. The station firmware
 * (boards/common/mcu_station.c) is this with real drivers.
 */
#include <stdint.h>
#include "chargewasm.h"

struct cw_board { int64_t now; uint32_t seed; };
static volatile int input;

static const char config[] =
  "{\"csmsUrl\":\"ws://csms/ocpp\",\"identity\":\"CW-M4\",\"vendorName\":\"chargewasm\",\"model\":\"m4\","
  "\"evses\":[{\"connectors\":[\"cType2\"]}]}";

int64_t cw_hal_now_ms(cw_board *b) { return b->now; }
int64_t cw_hal_utc_ms(cw_board *b) { return b->now; }
uint32_t cw_hal_random_u32(cw_board *b) { b->seed = b->seed * 1664525u + 1013904223u; return b->seed; }
void cw_hal_log(cw_board *b, int32_t level, const uint8_t *msg, size_t len) { (void)b; (void)level; (void)msg; (void)len; }
void cw_hal_ws_connect(cw_board *b, const uint8_t *url, size_t url_len, const uint8_t *user, size_t user_len,
                       const uint8_t *pass, size_t pass_len, int32_t profile) {
  (void)b; (void)url; (void)url_len; (void)user; (void)user_len; (void)pass; (void)pass_len; (void)profile;
}
int32_t cw_hal_ws_send(cw_board *b, const uint8_t *frame, size_t len) { (void)b; (void)frame; (void)len; return CW_SEND_CLOSED; }
int32_t cw_hal_store_read(cw_board *b, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap) {
  (void)b; (void)key; (void)key_len; (void)buf; (void)cap; return -1;
}
int32_t cw_hal_store_write(cw_board *b, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len) {
  (void)b; (void)key; (void)key_len; (void)val; (void)len; return 0;
}
void cw_hal_pilot_set(cw_board *b, int32_t evse, int32_t duty) { (void)b; (void)evse; (void)duty; }
void cw_hal_contactor_set(cw_board *b, int32_t evse, int32_t closed) { (void)b; (void)evse; (void)closed; }
void cw_hal_lock_set(cw_board *b, int32_t evse, int32_t c, int32_t locked) { (void)b; (void)evse; (void)c; (void)locked; }
int32_t cw_hal_meter_read(cw_board *b, int32_t evse, double *out, size_t cap) { (void)b; (void)evse; (void)out; (void)cap; return 0; }
void cw_hal_reboot(cw_board *b, int32_t reason) { (void)b; (void)reason; }
void cw_hal_display(cw_board *b, int32_t evse, const uint8_t *text, size_t len) { (void)b; (void)evse; (void)text; (void)len; }
void cw_board_fatal(cw_board *b, const char *reason) { (void)b; (void)reason; }

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  static cw_board board;
  cw_engine *e = cw_engine_new(&board);
  if (!e || cw_engine_init(e, config, sizeof config - 1, 3)) return 1;
  for (;;) {
    if (input == 1) cw_engine_on_connection(e, 1);
    if (input == 2) cw_engine_on_frame(e, (const uint8_t *)config, sizeof config - 1);
    if (input == 3) cw_engine_on_board_event(e, 1, CW_PILOT, 1);
    if (input == 4) cw_engine_on_token(e, 0, "04A2B3C4", 8, 2);
    int32_t next = cw_engine_tick(e);
    board.now += next > 0 ? next : 1000;
  }
}
