/* Modbus RTU master for an SDM630-class energy meter (boards/include/modbus.h). */
#include <math.h>
#include <string.h>

#include "mcu.h"
#include "modbus.h"

/* The register map: input register -> meter_read field, with the factor to the HAL's unit. */
enum { F_ENERGY, F_POWER, F_I1, F_I2, F_I3, F_V1, F_V2, F_V3, F_COUNT };
static const struct { uint16_t reg; uint8_t field; float factor; } MAP[] = {
  { 0x0000, F_V1, 1 }, { 0x0002, F_V2, 1 }, { 0x0004, F_V3, 1 },          /* phase to neutral volts */
  { 0x0006, F_I1, 1 }, { 0x0008, F_I2, 1 }, { 0x000A, F_I3, 1 },          /* phase currents, A */
  { 0x0034, F_POWER, 1 },                                                   /* total system power, W */
  { 0x0048, F_ENERGY, 1000 },                                               /* total import energy, kWh */
};
#define FIRST 0x0000u
#define COUNT 0x004Au           /* registers 0x0000..0x0049: the whole map in one request */
#define REPLY (5u + 2u * COUNT)

/* Plausible for one charging point: beyond these a reading is a fault, not a measurement. */
#define MAX_VOLTS 1000.0
#define MAX_AMPS 1000.0
#define MAX_WATTS 1.0e6
#define MAX_WH 1.0e10

uint16_t mb_crc(const uint8_t *data, size_t len) {
  uint16_t crc = 0xFFFF;
  for (size_t i = 0; i < len; i++) {
    crc ^= data[i];
    for (int k = 0; k < 8; k++) crc = (uint16_t)((crc & 1) ? (crc >> 1) ^ 0xA001 : crc >> 1);
  }
  return crc;
}

void mb_init(mb_meter *m, int uart) {
  memset(m, 0, sizeof *m);
  m->uart = uart;
  m->timeout_ms = 300;
  m->attempts = 3;
  for (int i = 0; i <= MB_MAX_METERS; i++) { m->energy_wh[i] = -1; m->answered[i] = 1; }
}

static float f32_be(const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  float f;
  memcpy(&f, &v, 4);
  return f;
}

/* One request and its answer into reply; MB_OK, MB_TIMEOUT, MB_BAD_FRAME or MB_EXCEPTION. */
static int transact(mb_meter *m, uint8_t addr, uint8_t *reply) {
  uint8_t req[8] = { addr, 0x04, FIRST >> 8, FIRST & 0xFF, COUNT >> 8, COUNT & 0xFF, 0, 0 };
  uint16_t crc = mb_crc(req, 6);
  req[6] = (uint8_t)crc;
  req[7] = (uint8_t)(crc >> 8);
  uint8_t stale[32];
  while (mcu_uart_read(m->uart, stale, sizeof stale)) {}   /* a late answer to an earlier request */
  mcu_uart_write(m->uart, req, sizeof req);
  size_t have = 0, want = REPLY;
  for (uint32_t start = mcu_ms(); have < want && mcu_ms() - start < m->timeout_ms;) {
    size_t n = mcu_uart_read(m->uart, reply + have, want - have);
    if (!n) { mcu_watchdog_kick(); mcu_idle(); continue; }
    have += n;
    if (have >= 2 && reply[1] == (0x04 | 0x80)) want = 5;   /* an exception answer */
  }
  if (have < want) return have ? MB_BAD_FRAME : MB_TIMEOUT;
  if (reply[0] != addr || mb_crc(reply, want - 2) != (uint16_t)(reply[want - 2] | reply[want - 1] << 8)) return MB_BAD_FRAME;
  if (want == 5) { m->exception = reply[2]; return MB_EXCEPTION; }
  return reply[1] == 0x04 && reply[2] == 2 * COUNT ? MB_OK : MB_BAD_FRAME;
}

int mb_read(mb_meter *m, uint8_t addr, double *out, size_t cap) {
  if (addr < 1 || addr > MB_MAX_METERS) return MB_TIMEOUT;
  uint8_t reply[REPLY];
  int status = MB_TIMEOUT;
  for (int i = 0; i < (m->answered[addr] ? m->attempts : 1); i++) {
    status = transact(m, addr, reply);
    if (status == MB_OK || status == MB_EXCEPTION) break;
  }
  m->answered[addr] = status == MB_OK;
  if (status != MB_OK) return status;
  double v[F_COUNT];
  for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) {
    float f = f32_be(reply + 3 + 2 * (MAP[i].reg - FIRST));
    v[MAP[i].field] = (double)f * MAP[i].factor;
  }
  for (int i = 0; i < F_COUNT; i++) if (!isfinite(v[i])) return MB_ABSURD;
  for (int p = 0; p < 3; p++) if (fabs(v[F_V1 + p]) > MAX_VOLTS || fabs(v[F_I1 + p]) > MAX_AMPS) return MB_ABSURD;
  if (fabs(v[F_POWER]) > MAX_WATTS || v[F_ENERGY] < 0 || v[F_ENERGY] > MAX_WH || v[F_ENERGY] < m->energy_wh[addr]) return MB_ABSURD;
  m->energy_wh[addr] = v[F_ENERGY];
  for (size_t i = 0; i < cap && i < F_COUNT; i++) out[i] = v[i];
  return MB_OK;
}
