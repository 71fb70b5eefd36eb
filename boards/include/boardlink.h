/*
 * The board link: board I/O between a native firmware and a board (or the Node
 * board simulator) over any byte stream: TCP, a UART. docs/BOARD-LINK.md.
 *
 * Frame: 0x7E, payload length (u16 LE), type (u8), payload, CRC-16/CCITT-FALSE
 * of type and payload (u16 LE). A receiver that meets a bad CRC drops bytes
 * until the next 0x7E.
 */
#ifndef CHARGEWASM_BOARDLINK_H
#define CHARGEWASM_BOARDLINK_H

#include <stddef.h>
#include <stdint.h>

#define BL_SOF 0x7E
#define BL_MAX_PAYLOAD 512

/* firmware -> board */
enum { BL_HELLO = 0x01, BL_PILOT_SET = 0x10, BL_CONTACTOR_SET = 0x11, BL_LOCK_SET = 0x12, BL_DISPLAY = 0x13, BL_METER_REQ = 0x14,
       BL_NEXT = 0x15, BL_SAFE = 0x16 };
/* board -> firmware */
enum { BL_PILOT = 0x20, BL_TOKEN = 0x21, BL_BAY = 0x22, BL_FEEDBACK = 0x23, BL_METER = 0x24, BL_EMS = 0x25, BL_CLOCK = 0x26 };

uint16_t bl_crc(const uint8_t *data, size_t len);
/* Writes a frame into out (room for len + 6 bytes); returns its size. */
size_t bl_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out);

typedef struct {
  uint8_t buf[BL_MAX_PAYLOAD + 6];
  size_t have;
  uint32_t dropped;            /* bytes skipped while resynchronising */
} bl_parser;

/* Feeds one byte; returns 1 when a whole, valid frame is complete (type and payload set). */
int bl_feed(bl_parser *p, uint8_t byte, uint8_t *type, const uint8_t **payload, size_t *len);

#endif
