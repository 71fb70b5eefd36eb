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

/* Drops the first byte and everything up to the next SOF: a frame may start inside a broken one. */
static void resync(bl_parser *p) {
  size_t i = 1;
  while (i < p->have && p->buf[i] != BL_SOF) i++;
  p->dropped += (uint32_t)i;
  memmove(p->buf, p->buf + i, p->have - i);
  p->have -= i;
}

int bl_feed(bl_parser *p, uint8_t byte, uint8_t *type, const uint8_t **payload, size_t *len) {
  if (p->taken) {   /* the frame returned last time */
    memmove(p->buf, p->buf + p->taken, p->have - p->taken);
    p->have -= p->taken;
    p->taken = 0;
  }
  if (p->have == 0 && byte != BL_SOF) { p->dropped++; return 0; }
  p->buf[p->have++] = byte;
  for (;;) {
    if (p->have < 3) return 0;
    size_t n = (size_t)p->buf[1] | ((size_t)p->buf[2] << 8);
    if (n > BL_MAX_PAYLOAD) { resync(p); continue; }
    if (p->have < n + 6) return 0;
    uint16_t crc = (uint16_t)(p->buf[4 + n] | (p->buf[5 + n] << 8));
    if (crc != bl_crc(p->buf + 3, n + 1)) { resync(p); continue; }
    p->taken = n + 6;
    *type = p->buf[3];
    *payload = p->buf + 4;
    *len = n;
    return 1;
  }
}

/* ---- the firmware's end ---- */
void bl_send(bl_client *c, uint8_t type, const uint8_t *payload, size_t len) {
  uint8_t frame[BL_MAX_PAYLOAD + 6];
  if (c->down) return;
  if (len > BL_MAX_PAYLOAD) len = BL_MAX_PAYLOAD;
  c->write(c, frame, bl_encode(type, payload, len, frame));
}

static void le32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static int64_t get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return (int64_t)v;
}

/* Virtual time: take it, run what is due, and tell the board the next deadline and the frame counts. */
static void clock_tick(bl_client *c, const uint8_t *d) {
  c->vnow = get64(d);
  c->vutc = get64(d + 8);
  c->have_clock = 1;
  int32_t next = c->engine ? cw_engine_tick(c->engine) : -1;
  uint8_t p[12];
  le32(p, (uint32_t)next);
  le32(p + 4, c->sent);
  le32(p + 8, c->received);
  bl_send(c, BL_NEXT, p, sizeof p);
}

void bl_input(bl_client *c, const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint8_t type; const uint8_t *p; size_t len;
    if (!bl_feed(&c->parser, bytes[i], &type, &p, &len)) continue;
    if (c->other && c->other(c, type, p, len)) continue;
    if (type == BL_CLOCK && len == 16 && !c->engine) clock_tick(c, p);
    else if (type == BL_METER && len == 81 && p[0] == c->meter_evse) {
      for (int k = 0; k < 10; k++) { int64_t v = get64(p + 1 + 8 * k); memcpy(&c->meter[k], &v, 8); }
      c->meter_evse = 0;
    } else bl_queue(c, type, p, len);
  }
}

int bl_queue(bl_client *c, uint8_t type, const uint8_t *p, size_t len) {
  if (c->ev_count == BL_EVENTS || len > sizeof c->events[0].data) {
    static const char full[] = "board link: event queue full; input dropped";
    cw_hal_log(c->port, 1, (const uint8_t *)full, sizeof full - 1);
    return 0;
  }
  bl_event *e = &c->events[(c->ev_head + c->ev_count++) % BL_EVENTS];
  e->type = type;
  e->len = (uint8_t)len;
  memcpy(e->data, p, len);
  return 1;
}

void bl_deliver(bl_client *c) {
  while (c->ev_count && c->engine) {
    bl_event *e = &c->events[c->ev_head];
    c->ev_head = (c->ev_head + 1) % BL_EVENTS;
    c->ev_count--;
    const uint8_t *d = e->data;
    cw_engine *g = c->engine;
    if (e->type == BL_PILOT && e->len == 3) cw_engine_on_board_event(g, d[0], CW_PILOT, d[1] | (d[2] << 8));
    else if (e->type == BL_TOKEN && e->len >= 2) cw_engine_on_token(g, d[0], (const char *)d + 2, e->len - 2u, d[1]);
    else if (e->type == BL_BAY && e->len == 2) cw_engine_on_board_event(g, d[0], CW_BAY, d[1]);
    else if (e->type == BL_FEEDBACK && e->len == 3) cw_engine_on_board_event(g, d[0], d[1], d[2]);
    else if (e->type == BL_CLOCK && e->len == 16) clock_tick(c, d);
    else if (e->type == BL_EMS && e->len == 5) cw_engine_on_board_event(g, d[0], CW_EMS_LIMIT, (int32_t)((uint32_t)d[1] | (uint32_t)d[2] << 8 | (uint32_t)d[3] << 16 | (uint32_t)d[4] << 24));
    else {
      static const char unknown[] = "board link: unknown or malformed input ignored";
      cw_hal_log(c->port, 1, (const uint8_t *)unknown, sizeof unknown - 1);
    }
  }
}

void bl_hello(bl_client *c) {
  uint8_t hello[2] = { 1, c->caps };   /* version, capabilities */
  c->restarts = c->engine ? cw_engine_restarts(c->engine) : 0;
  bl_send(c, BL_HELLO, hello, c->caps ? 2 : 1);
}

void bl_await_clock(bl_client *c) {
  while (c->virtual_clock && !c->have_clock && !c->down) c->wait(c, 1000);
}

void bl_pilot_set(bl_client *c, int32_t evse, int32_t duty) {
  uint8_t p[3] = { (uint8_t)evse, (uint8_t)duty, (uint8_t)(duty >> 8) };
  bl_send(c, BL_PILOT_SET, p, sizeof p);
}
void bl_contactor_set(bl_client *c, int32_t evse, int32_t closed) {
  uint8_t p[2] = { (uint8_t)evse, (uint8_t)closed };
  bl_send(c, BL_CONTACTOR_SET, p, sizeof p);
}
void bl_lock_set(bl_client *c, int32_t evse, int32_t connector, int32_t locked) {
  uint8_t p[3] = { (uint8_t)evse, (uint8_t)connector, (uint8_t)locked };
  bl_send(c, BL_LOCK_SET, p, sizeof p);
}
void bl_display(bl_client *c, int32_t evse, const uint8_t *text, size_t len) {
  uint8_t p[BL_MAX_PAYLOAD];
  if (len > BL_MAX_PAYLOAD - 1) len = BL_MAX_PAYLOAD - 1;
  p[0] = (uint8_t)evse;
  memcpy(p + 1, text, len);
  bl_send(c, BL_DISPLAY, p, len + 1);
}
void bl_safe(bl_client *c) {
  uint8_t all[1] = { 0 };   /* EVSE 0: every EVSE */
  bl_send(c, BL_SAFE, all, sizeof all);
}

int32_t bl_meter_read(bl_client *c, int32_t evse, double *out, size_t cap) {
  if (c->down) return 0;
  uint8_t p[1] = { (uint8_t)evse };
  c->meter_evse = evse;
  bl_send(c, BL_METER_REQ, p, 1);
  for (int64_t until = c->ms(c) + 500; c->meter_evse && !c->down && c->ms(c) < until;) c->wait(c, 50);
  if (c->meter_evse) {
    static const char none[] = "board link: no meter answer";
    c->meter_evse = 0;
    cw_hal_log(c->port, 1, (const uint8_t *)none, sizeof none - 1);
    return 0;
  }
  size_t n = cap < 10 ? cap : 10;
  memcpy(out, c->meter, n * sizeof(double));
  return (int32_t)n;
}
