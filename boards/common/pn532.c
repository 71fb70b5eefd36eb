/* The PN532 RFID reader over HSU (boards/include/pn532.h). */
#include <string.h>

#include "mcu.h"
#include "pn532.h"

enum { SAM_CONFIGURATION = 0x14, RF_CONFIGURATION = 0x32, IN_LIST_PASSIVE_TARGET = 0x4A };
enum { CONFIGURE, RETRIES, IDLE, WAITING };
#define LOST_AFTER 3

static void send(pn532 *r, uint8_t cmd, const uint8_t *data, size_t len, uint32_t now) {
  uint8_t f[24] = { 0x00, 0x00, 0xFF, (uint8_t)(len + 2), (uint8_t)(0x100 - (len + 2)), 0xD4, cmd };
  uint8_t sum = 0xD4 + cmd;
  for (size_t i = 0; i < len; i++) { f[7 + i] = data[i]; sum += data[i]; }
  f[7 + len] = (uint8_t)(0x100 - sum);
  f[8 + len] = 0x00;
  uint8_t scratch[16];
  while (mcu_uart_read(r->uart, scratch, sizeof scratch)) {}   /* what a previous command left */
  if (cmd == SAM_CONFIGURATION) {
    static const uint8_t wake[] = { 0x55, 0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };   /* out of power-down */
    mcu_uart_write(r->uart, wake, sizeof wake);
  }
  mcu_uart_write(r->uart, f, 9 + len);
  r->cmd = cmd;
  r->since = now;
  r->acked = 0;
  r->rx_len = 0;
  r->state = WAITING;
}

/* The next command of the reader's cycle. */
static void next(pn532 *r, int state, uint32_t now) {
  static const uint8_t sam[] = { 0x01, 0x14, 0x00 };            /* normal mode, 1 s virtual card timeout, no IRQ pin */
  static const uint8_t retries[] = { 0x05, 0xFF, 0x01, 0x02 };  /* MaxRetries: ATR 255, PSL 1, passive activation 2 */
  static const uint8_t list[] = { 0x01, 0x00 };                 /* one target, 106 kbps type A */
  if (state == CONFIGURE) send(r, SAM_CONFIGURATION, sam, sizeof sam, now);
  else if (state == RETRIES) send(r, RF_CONFIGURATION, retries, sizeof retries, now);
  else send(r, IN_LIST_PASSIVE_TARGET, list, sizeof list, now);
}

void pn532_init(pn532 *r, int uart, uint32_t now) {
  memset(r, 0, sizeof *r);
  r->uart = uart;
  next(r, CONFIGURE, now);
}

int pn532_lost(const pn532 *r) { return r->failures >= LOST_AFTER; }

/* Takes one complete frame from the front of rx: 1 a valid ACK or response (data at *d, n bytes from TFI on),
 * 0 none complete yet, -1 a broken one was dropped. */
static int frame(pn532 *r, const uint8_t **d, size_t *n) {
  size_t i = 0;
  while (i + 2 < r->rx_len && !(r->rx[i] == 0x00 && r->rx[i + 1] == 0x00 && r->rx[i + 2] == 0xFF)) i++;
  if (i) { memmove(r->rx, r->rx + i, r->rx_len - i); r->rx_len -= i; }
  if (r->rx_len < 5) return 0;
  uint8_t len = r->rx[3];
  if (len == 0 && r->rx[4] == 0xFF) {   /* ACK: 00 00 FF 00 FF 00 */
    if (r->rx_len < 6) return 0;
    *n = 0;
    *d = r->rx;
    return 1;
  }
  if ((uint8_t)(len + r->rx[4]) != 0 || len + 7u > sizeof r->rx) { r->bad_frames++; r->rx[0] = 1; return -1; }
  if (r->rx_len < len + 7u) return 0;
  uint8_t sum = 0;
  for (size_t k = 0; k <= len; k++) sum += r->rx[5 + k];
  if (sum != 0) { r->bad_frames++; r->rx[0] = 1; return -1; }
  *d = r->rx + 5;
  *n = len;
  return 1;
}

static void consumed(pn532 *r, size_t n) {
  size_t used = n ? n + 7u : 6u;
  memmove(r->rx, r->rx + used, r->rx_len - used);
  r->rx_len -= used;
}

int pn532_poll(pn532 *r, uint32_t now, char *uid) {
  if (r->state != WAITING) {
    if (r->state == IDLE && now - r->since < PN532_POLL_MS) return 0;
    next(r, r->state, now);
    return 0;
  }
  if (r->rx_len < sizeof r->rx) r->rx_len += mcu_uart_read(r->uart, r->rx + r->rx_len, sizeof r->rx - r->rx_len);
  for (;;) {
    const uint8_t *d;
    size_t n;
    int got = frame(r, &d, &n);
    if (got < 0) continue;
    if (got == 0) break;
    if (n == 0) { r->acked = 1; consumed(r, 0); continue; }
    int mine = r->acked && n >= 2 && d[0] == 0xD5 && d[1] == r->cmd + 1;
    if (!mine) { consumed(r, n); continue; }   /* an answer to something else, or an error frame */
    r->failures = 0;
    int found = 0;
    if (r->cmd == IN_LIST_PASSIVE_TARGET) {
      /* D5 4B NbTg [Tg SENS_RES(2) SEL_RES NFCIDLength NFCID1...] */
      size_t ulen = n >= 8 && d[2] >= 1 ? d[7] : 0;
      if (ulen > PN532_MAX_UID || 8 + ulen > n) ulen = 0;
      found = ulen && (ulen != r->last_len || memcmp(r->last, d + 8, ulen) != 0);
      if (found) {
        static const char hex[] = "0123456789ABCDEF";
        for (size_t k = 0; k < ulen; k++) { uid[2 * k] = hex[d[8 + k] >> 4]; uid[2 * k + 1] = hex[d[8 + k] & 15]; }
        uid[2 * ulen] = 0;
        memcpy(r->last, d + 8, ulen);
      }
      r->last_len = ulen;
    }
    consumed(r, n);
    r->state = r->cmd == SAM_CONFIGURATION ? RETRIES : IDLE;
    if (r->state == IDLE) r->since = now;
    return found;
  }
  if (now - r->since >= PN532_TIMEOUT_MS) {
    r->failures++;
    r->last_len = 0;
    r->state = r->failures >= LOST_AFTER || r->cmd != IN_LIST_PASSIVE_TARGET ? CONFIGURE : IDLE;
    if (r->state == IDLE) r->since = now;
  }
  return 0;
}
