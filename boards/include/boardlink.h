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
       BL_NEXT = 0x15, BL_SAFE = 0x16, BL_NET_OPEN = 0x17, BL_NET_SEND = 0x18, BL_NET_CLOSE = 0x19 };
/* board -> firmware */
enum { BL_PILOT = 0x20, BL_TOKEN = 0x21, BL_BAY = 0x22, BL_FEEDBACK = 0x23, BL_METER = 0x24, BL_EMS = 0x25, BL_CLOCK = 0x26,
       BL_NET_UP = 0x27, BL_NET_DOWN = 0x28, BL_NET_RECV = 0x29, BL_PILOT_ADC = 0x2A };
/* HELLO's second byte: what the firmware does itself. */
#define BL_CAP_PILOT_ADC 0x01   /* decodes the pilot from samples: send PILOT_ADC instead of PILOT */

uint16_t bl_crc(const uint8_t *data, size_t len);
/* Writes a frame into out (room for len + 6 bytes); returns its size. */
size_t bl_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out);

typedef struct {
  uint8_t buf[BL_MAX_PAYLOAD + 6];
  size_t have;
  size_t taken;                /* the size of the frame returned last, dropped at the next byte */
  uint32_t dropped;            /* bytes skipped while resynchronising */
} bl_parser;

/* Feeds one byte; returns 1 when a whole, valid frame is complete (type and payload set, valid until the next call).
 * After a bad length or CRC it drops one byte and looks for the next SOF in what it holds, so a frame that starts
 * inside a broken one is still found. */
int bl_feed(bl_parser *p, uint8_t byte, uint8_t *type, const uint8_t **payload, size_t *len);

/* ---- the firmware's end: board inputs queued for the engine, the meter's answer, virtual time ---- */
#include "chargewasm.h"

/* A board input waiting to reach the engine (never from inside an engine call). */
typedef struct { uint8_t type; uint8_t len; uint8_t data[62]; } bl_event;
#define BL_EVENTS 32

typedef struct bl_client bl_client;
struct bl_client {
  bl_parser parser;
  bl_event events[BL_EVENTS];
  int ev_head, ev_count;
  double meter[10];
  int meter_evse;               /* the EVSE whose METER answer is awaited, 0 when none */
  int virtual_clock;            /* time comes from the board's CLOCK messages */
  int have_clock;
  int64_t vnow, vutc;
  uint32_t sent, received;      /* OCPP frames, reported in NEXT so the board knows when all is delivered */
  int32_t restarts;             /* engine restarts already told to the board (HELLO) */
  uint8_t caps;                 /* BL_CAP_* sent with HELLO */
  int down;                     /* the link is gone: writes are dropped */
  cw_engine *engine;            /* NULL before the first start */
  /* The port: writes a whole frame (sets down when it cannot); waits up to ms for input and feeds it to bl_input
   (0: nothing came). */
  void (*write)(bl_client *c, const uint8_t *bytes, size_t len);
  int (*wait)(bl_client *c, int ms);
  int64_t (*ms)(bl_client *c);  /* a monotonic clock in ms (real time, for timeouts) */
  /* Messages the port handles itself (the network bridge on an MCU); 1 when taken. May be NULL. */
  int (*other)(bl_client *c, uint8_t type, const uint8_t *payload, size_t len);
  void *port;
};

void bl_send(bl_client *c, uint8_t type, const uint8_t *payload, size_t len);
/* Queues an input for the engine as if the board had sent it (0 when the queue is full: logged). */
int bl_queue(bl_client *c, uint8_t type, const uint8_t *payload, size_t len);
/* Parses bytes from the board: METER answers are kept, CLOCK before the engine starts is answered, the rest queued. */
void bl_input(bl_client *c, const uint8_t *bytes, size_t len);
/* Hands queued inputs to the engine, one at a time; call outside any engine call. */
void bl_deliver(bl_client *c);
/* HELLO, after every engine start: the board reports all its inputs again. */
void bl_hello(bl_client *c);
/* Until the board's first CLOCK (virtual time). */
void bl_await_clock(bl_client *c);
/* The board outputs of the HAL, over the link. */
void bl_pilot_set(bl_client *c, int32_t evse, int32_t duty);
void bl_contactor_set(bl_client *c, int32_t evse, int32_t closed);
void bl_lock_set(bl_client *c, int32_t evse, int32_t connector, int32_t locked);
void bl_display(bl_client *c, int32_t evse, const uint8_t *text, size_t len);
void bl_safe(bl_client *c);
/* Asks the board and waits (at most 500 ms); the number of values, 0 without an answer. */
int32_t bl_meter_read(bl_client *c, int32_t evse, double *out, size_t cap);

#endif
