/*
 * An energy meter of the Eastron SDM630 class on RS-485, read with Modbus RTU: function 04 (input registers), every
 * quantity an IEEE 754 float32 in two registers, high word first. One request reads the whole block the register
 * map needs; a reply is taken only with the right address, function, length and CRC, and only when every value is
 * plausible (a meter's energy register never goes back).
 */
#ifndef CHARGEWASM_MODBUS_H
#define CHARGEWASM_MODBUS_H

#include <stddef.h>
#include <stdint.h>

/* What a read ended with. */
enum { MB_OK = 0, MB_TIMEOUT = 1, MB_BAD_FRAME = 2, MB_EXCEPTION = 3, MB_ABSURD = 4 };

#define MB_MAX_METERS 4

typedef struct {
  int uart;                         /* the port's UART (mcu.h) */
  uint32_t timeout_ms;              /* for one answer */
  int attempts;                     /* per read while the meter answers; a meter that did not answer gets one */
  uint8_t exception;                /* the last exception code */
  int answered[MB_MAX_METERS + 1];  /* by address: the last read succeeded */
  double energy_wh[MB_MAX_METERS + 1];   /* by address: the last plausible register, -1 before the first */
} mb_meter;

void mb_init(mb_meter *m, int uart);
uint16_t mb_crc(const uint8_t *data, size_t len);
/* Reads the meter at `addr` (1..MB_MAX_METERS) into out, in the HAL's meter_read order (energy Wh, power W, current
 * L1-L3 A, voltage L1-L3 V; state of charge and offered current are not the meter's and are left as they are). */
int mb_read(mb_meter *m, uint8_t addr, double *out, size_t cap);

#endif
