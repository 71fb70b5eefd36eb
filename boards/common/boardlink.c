/* The board link's framing (boards/include/boardlink.h). */
#include <string.h>

#include "boardlink.h"

uint16_t bl_crc(const uint8_t *data, size_t len) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < len; i++) {
    crc ^= (uint16_t)(data[i] << 8);
    for (int k = 0; k < 8; k++) crc = (uint16_t)((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
  }
  return crc;
}

size_t bl_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out) {
  out[0] = BL_SOF;
  out[1] = (uint8_t)len;
  out[2] = (uint8_t)(len >> 8);
  out[3] = type;
  if (len) memcpy(out + 4, payload, len);
  uint16_t crc = bl_crc(out + 3, len + 1);
  out[4 + len] = (uint8_t)crc;
  out[5 + len] = (uint8_t)(crc >> 8);
  return len + 6;
}

int bl_feed(bl_parser *p, uint8_t byte, uint8_t *type, const uint8_t **payload, size_t *len) {
  if (p->have == 0 && byte != BL_SOF) { p->dropped++; return 0; }
  p->buf[p->have++] = byte;
  if (p->have < 3) return 0;
  size_t n = (size_t)p->buf[1] | ((size_t)p->buf[2] << 8);
  if (n > BL_MAX_PAYLOAD) { p->dropped += (uint32_t)p->have; p->have = 0; return 0; }
  if (p->have < n + 6) return 0;
  uint16_t crc = (uint16_t)(p->buf[4 + n] | (p->buf[5 + n] << 8));
  p->have = 0;
  if (crc != bl_crc(p->buf + 3, n + 1)) { p->dropped += (uint32_t)(n + 6); return 0; }
  *type = p->buf[3];
  *payload = p->buf + 4;
  *len = n;
  return 1;
}
