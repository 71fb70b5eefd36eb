/*
 * The station firmware of an MCU: the engine with its board I/O over the board link (docs/BOARD-LINK.md), the
 * network through the link's NET messages to a bridge (the firmware stays the OCPP client: it opens, sends,
 * receives and closes; the bridge only carries bytes to a WebSocket), the energy meter over Modbus RTU
 * (boards/common/modbus.c), storage in the flash key-value store (boards/common/kvstore.c). Everything reaches the
 * engine from the main loop, never from an interrupt or from inside an engine call. The port (mcu.h) gives the
 * clock, UARTs, watchdog and sleep.
 */
#include <math.h>
#include <string.h>

#include "boardlink.h"
#include "chargewasm.h"
#include "kvstore.h"
#include "mcu.h"
#include "modbus.h"
#include "pilot.h"
#include "pn532.h"

#define MAX_EVSES 4
#define SEED_KEY "board/seed"

struct cw_board {
  bl_client link;
  cw_kv kv;
  mb_meter meter;
  pn532 rfid;                    /* the station's reader: tokens go to EVSE 0 */
  int rfid_lost;                 /* its outage is reported */
  int32_t duty[MAX_EVSES + 1];   /* the pilot duty last set, per mille: the current offered */
  cw_pilot pilot[MAX_EVSES + 1]; /* each EVSE's pilot, decoded from the samples the board's ADC takes */
  int reboot, fatal;
  int up, dialing;               /* the connection the bridge holds for the engine */
  int report_up, report_down;    /* to tell the engine from the main loop */
  uint8_t rx[CW_MAX_FRAME];      /* the frame being received from the CSMS */
  size_t rx_len;
  int rx_ready, too_large;
  int64_t utc_offset;            /* UTC minus mcu time, from the bridge's NET_UP */
  uint32_t ms_last, ms_wraps;    /* mcu_ms widened to 64 bits */
  uint64_t rng;
};

static void say(const char *text) { mcu_console(text, strlen(text)); }

static void say_num(const char *before, int32_t n, const char *after) {
  char digits[12], *p = digits + sizeof digits;
  uint32_t u = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
  *--p = 0;
  do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
  if (n < 0) *--p = '-';
  say(before);
  say(p);
  say(after);
}

static int64_t now_ms(cw_board *b) {
  uint32_t t = mcu_ms();
  if (t < b->ms_last) b->ms_wraps++;
  b->ms_last = t;
  return (int64_t)b->ms_wraps << 32 | t;
}

int64_t cw_hal_now_ms(cw_board *b) { return b->link.virtual_clock ? b->link.vnow : now_ms(b); }
int64_t cw_hal_utc_ms(cw_board *b) { return b->link.virtual_clock ? b->link.vutc : now_ms(b) + b->utc_offset; }

/* xorshift64*: seeded at every boot from a seed kept in flash and advanced each time, so no two boots repeat a
 * message or transaction id; mixed with the arrival times of board input. */
uint32_t cw_hal_random_u32(cw_board *b) {
  b->rng ^= b->rng >> 12;
  b->rng ^= b->rng << 25;
  b->rng ^= b->rng >> 27;
  return (uint32_t)((b->rng * 2685821657736338717ull) >> 32);
}

void cw_hal_log(cw_board *b, int32_t level, const uint8_t *msg, size_t len) {
  static const char *names[] = { "[error] ", "[warn] ", "[info] " };
  (void)b;
  if (level < 0 || level > 2) return;
  say(names[level]);
  mcu_console((const char *)msg, len);
  say("\n");
}

static void warn(cw_board *b, const char *text) { cw_hal_log(b, 1, (const uint8_t *)text, strlen(text)); }

/* ---- the network, through the bridge ---- */
void cw_hal_ws_connect(cw_board *b, const uint8_t *url, size_t url_len, const uint8_t *user, size_t user_len,
                       const uint8_t *pass, size_t pass_len, int32_t profile) {
  uint8_t p[BL_MAX_PAYLOAD];
  size_t n = 1 + url_len + 1 + user_len + 1 + pass_len;
  b->up = 0;
  b->rx_len = 0;
  b->rx_ready = b->too_large = 0;
  b->dialing = 1;
  if (n > sizeof p) { warn(b, "transport: URL and credentials too long for the bridge"); b->report_down = 1; return; }
  p[0] = (uint8_t)profile;
  memcpy(p + 1, url, url_len);
  p[1 + url_len] = 0;
  memcpy(p + 2 + url_len, user, user_len);
  p[2 + url_len + user_len] = 0;
  memcpy(p + 3 + url_len + user_len, pass, pass_len);
  say("connecting to ");
  mcu_console((const char *)url, url_len);
  say("\n");
  bl_send(&b->link, BL_NET_OPEN, p, n);
}

int32_t cw_hal_ws_send(cw_board *b, const uint8_t *frame, size_t len) {
  if (!b->up || b->link.down) return CW_SEND_CLOSED;
  uint8_t p[BL_MAX_PAYLOAD];
  size_t off = 0;
  do {
    size_t n = len - off < BL_MAX_PAYLOAD - 1 ? len - off : BL_MAX_PAYLOAD - 1;
    p[0] = off + n == len;   /* final fragment */
    memcpy(p + 1, frame + off, n);
    bl_send(&b->link, BL_NET_SEND, p, n + 1);
    off += n;
  } while (off < len);
  b->link.sent++;
  return CW_SEND_OK;
}

static void net_close(cw_board *b, uint16_t code) {
  uint8_t p[2] = { (uint8_t)code, (uint8_t)(code >> 8) };
  bl_send(&b->link, BL_NET_CLOSE, p, 2);
}

/* NET_* from the bridge and the pilot's ADC samples; the rest of the board's messages go to the board link's queue. */
static int net_input(bl_client *c, uint8_t type, const uint8_t *p, size_t len) {
  cw_board *b = c->port;
  b->rng ^= (uint64_t)mcu_ms() << 17;
  if (type == BL_NET_UP) {
    if (!b->dialing) return 1;
    b->dialing = 0;
    b->up = b->report_up = 1;
    b->link.sent = b->link.received = 0;   /* NEXT counts this connection's frames */
    if (len == 8) {
      int64_t utc = 0;
      for (int i = 7; i >= 0; i--) utc = utc << 8 | p[i];
      b->utc_offset = utc - now_ms(b);
    }
    say("connected\n");
  } else if (type == BL_NET_DOWN) {
    if (!b->up && !b->dialing) return 1;
    say("[warn] transport: ");
    if (len > 2) mcu_console((const char *)p + 2, len - 2);
    say("\n");
    b->up = b->dialing = 0;
    b->rx_len = 0;
    b->rx_ready = b->too_large = 0;
    b->report_down = 1;
  } else if (type == BL_NET_RECV && len >= 1) {
    if (!b->up) return 1;
    if (!b->too_large && b->rx_len + len - 1 > CW_MAX_FRAME) {
      warn(b, "transport: a frame from the CSMS exceeds 4096 bytes; closing (1009)");
      b->too_large = 1;
    }
    if (!b->too_large) { memcpy(b->rx + b->rx_len, p + 1, len - 1); b->rx_len += len - 1; }
    if (p[0] & 1) {
      if (b->too_large) { net_close(b, 1009); b->too_large = 0; b->rx_len = 0; }
      else b->rx_ready = 1;
    }
  } else if (type == BL_PILOT_ADC && len == 7 && p[0] >= 1 && p[0] <= MAX_EVSES) {
    /* u8 evse, u8 connector, u8 samples, i16 high mV, i16 low mV: that many ADC samples of one level */
    cw_pilot *pl = &b->pilot[p[0]];
    int32_t high = (int16_t)(p[3] | p[4] << 8), low = (int16_t)(p[5] | p[6] << 8);
    int pwm = b->duty[p[0]] > 0 && b->duty[p[0]] < 1000;
    for (int i = 0; i < p[2]; i++) {
      if (!cw_pilot_sample(pl, high, low, pwm)) continue;
      uint8_t ev[3] = { p[0], pl->state, p[1] };
      bl_queue(c, BL_PILOT, ev, sizeof ev);
    }
  } else return 0;
  return 1;
}

/* ---- the board link over its UART ---- */
static void link_write(bl_client *c, const uint8_t *bytes, size_t len) { (void)c; mcu_uart_write(MCU_LINK, bytes, len); }

/* Takes what arrived, one byte at a time, and stops once a CSMS frame is complete (it waits for the main loop). */
static int link_wait(bl_client *c, int ms) {
  cw_board *b = c->port;
  int got = 0;
  for (uint32_t start = mcu_ms();;) {
    uint8_t byte;
    while (!b->rx_ready && mcu_uart_read(MCU_LINK, &byte, 1)) { bl_input(c, &byte, 1); got = 1; }
    if (got || b->rx_ready || mcu_ms() - start >= (uint32_t)ms) return got;
    mcu_watchdog_kick();
    mcu_idle();
  }
}

static int64_t link_ms(bl_client *c) { return now_ms(c->port); }

/* ---- storage ---- */
int32_t cw_hal_store_read(cw_board *b, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap) {
  return cw_kv_read(&b->kv, key, key_len, buf, cap);
}
int32_t cw_hal_store_write(cw_board *b, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len) {
  return cw_kv_write(&b->kv, key, key_len, val, len);
}

/* ---- board outputs (over the link) and the meter (Modbus) ---- */
void cw_hal_pilot_set(cw_board *b, int32_t evse, int32_t duty) {
  if (evse >= 1 && evse <= MAX_EVSES) b->duty[evse] = duty;
  bl_pilot_set(&b->link, evse, duty);
}
void cw_hal_contactor_set(cw_board *b, int32_t evse, int32_t closed) { bl_contactor_set(&b->link, evse, closed); }
void cw_hal_lock_set(cw_board *b, int32_t evse, int32_t c, int32_t locked) { bl_lock_set(&b->link, evse, c, locked); }
void cw_hal_display(cw_board *b, int32_t evse, const uint8_t *text, size_t len) { bl_display(&b->link, evse, text, len); }

/* IEC 61851-1 annex A: the current a PWM duty offers. */
static double amps_for_duty(int32_t d) {
  if (d >= 80 && d < 100) return 6;
  if (d >= 100 && d <= 850) return d * 6 / 100.0;
  if (d > 850 && d <= 960) return (d - 640) * 25 / 100.0;
  if (d > 960 && d <= 970) return 80;
  return 0;
}

int32_t cw_hal_meter_read(cw_board *b, int32_t evse, double *out, size_t cap) {
  static const char *why[] = { "", "no answer", "a corrupt answer", "exception ", "implausible values" };
  if (evse < 1 || evse > MAX_EVSES) return 0;
  size_t n = cap < 10 ? cap : 10;
  for (size_t i = 0; i < n; i++) out[i] = NAN;   /* what the meter does not give (state of charge) or could not */
  if (n > 9) out[9] = amps_for_duty(b->duty[evse]);
  int status = mb_read(&b->meter, (uint8_t)evse, out, n < 8 ? n : 8);
  if (status == MB_OK) return (int32_t)n;
  say_num("[warn] meter ", evse, ": ");
  say(why[status]);
  if (status == MB_EXCEPTION) say_num("", b->meter.exception, "");
  say("; its values are left out\n");
  return (int32_t)n;
}

void cw_hal_reboot(cw_board *b, int32_t reason) { b->reboot = reason; }
void cw_board_fatal(cw_board *b, const char *reason) {
  say("[error] fatal: ");
  say(reason);
  say("\n");
  bl_safe(&b->link);
  b->fatal = 1;
}

static void seed(cw_board *b) {
  static const uint8_t key[] = SEED_KEY;
  uint64_t s = 0;
  cw_kv_read(&b->kv, key, sizeof key - 1, (uint8_t *)&s, sizeof s);
  s = s * 6364136223846793005ull + 1442695040888963407ull;
  cw_kv_write(&b->kv, key, sizeof key - 1, (const uint8_t *)&s, sizeof s);
  b->rng = (s ^ mcu_ms()) | 1;
}

/* Hands a complete frame from the CSMS to the engine; 1 when there was one. */
static int take_frame(cw_board *b, cw_engine *e) {
  if (!b->rx_ready) return 0;
  b->link.received++;
  size_t n = b->rx_len;
  b->rx_ready = 0;
  b->rx_len = 0;
  cw_engine_on_frame(e, b->rx, n);
  return 1;
}

/* HELLO after every engine start: the board sends every input again, and the pilots are decoded afresh (a new
 * engine starts from state A, so every other state must reach it as a change). */
static void hello(cw_board *b) {
  for (int i = 0; i <= MAX_EVSES; i++) cw_pilot_init(&b->pilot[i]);
  bl_hello(&b->link);
}

/* A card newly on the reader goes to the engine as an ISO 14443 idToken of the station's reader (EVSE 0). */
static int read_card(cw_board *b, cw_engine *e) {
  char uid[2 * PN532_MAX_UID + 1];
  int card = pn532_poll(&b->rfid, mcu_ms(), uid);
  if (pn532_lost(&b->rfid) != b->rfid_lost) {
    b->rfid_lost = !b->rfid_lost;
    say(b->rfid_lost ? "[warn] rfid: the reader does not answer\n" : "[info] rfid: the reader answers again\n");
  }
  if (card) cw_engine_on_token(e, 0, uid, strlen(uid), 2 /* ISO14443 */);
  return card;
}

/* Runs the engine until it reboots or is given up. */
static void run(cw_board *b, cw_engine *e) {
  int64_t due = 0;
  while (!b->reboot && !b->fatal) {
    mcu_watchdog_kick();
    int got = link_wait(&b->link, 0), busy = b->link.ev_count > 0;
    if (b->link.engine && cw_engine_restarts(e) != b->link.restarts) hello(b);
    if (b->report_down) { b->report_down = 0; cw_engine_on_connection(e, 0); busy = 1; }
    if (b->report_up) { b->report_up = 0; cw_engine_on_connection(e, 1); busy = 1; }
    busy |= take_frame(b, e);
    bl_deliver(&b->link);
    busy |= read_card(b, e);
    if (busy || (!b->link.virtual_clock && now_ms(b) >= due)) {
      int32_t next = cw_engine_tick(e);
      due = now_ms(b) + (next < 0 || next > 1000 ? 1000 : next);
    } else if (!got) mcu_idle();
  }
}

int mcu_station(const char *config, size_t config_len, const cw_flash *flash, int virtual_clock) {
  static cw_board board;
  cw_board *b = &board;
  b->link = (bl_client){ .write = link_write, .wait = link_wait, .ms = link_ms, .other = net_input, .port = b,
                         .virtual_clock = virtual_clock, .caps = BL_CAP_PILOT_ADC };
  for (int i = 0; i <= MAX_EVSES; i++) cw_pilot_init(&b->pilot[i]);
  mb_init(&b->meter, MCU_METER);
  pn532_init(&b->rfid, MCU_RFID, mcu_ms());
  if (cw_kv_mount(&b->kv, flash)) { say("[error] store: the flash cannot be mounted\n"); return 2; }
  seed(b);
  hello(b);
  bl_await_clock(&b->link);
  int32_t reason = 3;   /* PowerUp */
  for (int starts = 0;; starts++) {
    cw_engine *e = cw_engine_new(b);
    if (!e) { say("[error] out of memory\n"); return 1; }
    b->link.engine = e;
    if (cw_engine_init(e, config, config_len, reason)) {
      int failed = cw_engine_failed(e);
      if (!failed) say("[error] station config refused\n");
      cw_engine_free(e);
      return failed ? 3 : 1;
    }
    if (starts) hello(b);
    run(b, e);
    if (b->fatal) return 3;
    reason = b->reboot;
    /* What the engine sent is already with the bridge (the UART writes synchronously): close with 1001 and wait
     * (at most 4 s) until the bridge says the connection is down, so the next engine dials a CSMS that saw it go. */
    if (b->up) {
      net_close(b, 1001);
      for (int64_t until = now_ms(b) + 4000; b->up && !b->link.down && now_ms(b) < until;) {
        take_frame(b, e);   /* what the CSMS still sends (an answer to the last CALL) reaches the old engine */
        link_wait(&b->link, 50);
      }
    }
    say_num("rebooting (boot reason ", reason, ")\n");
    b->reboot = b->up = b->dialing = b->report_up = b->report_down = 0;
    b->rx_len = 0;
    b->rx_ready = b->too_large = 0;
    b->link.engine = NULL;
    cw_engine_free(e);
  }
}
