/*
 * An NXP PN532 RFID reader on a UART (HSU), polled without blocking from the main loop: it wakes the reader,
 * configures it (SAMConfiguration, at most two passive activation retries, so a poll answers at once when no card is
 * there), then asks every PN532_POLL_MS for one ISO 14443 type A target (InListPassiveTarget) and reports a card's
 * UID once per presentation. Frames whose length or data checksum is wrong are dropped; a reader that does not
 * answer is woken and configured again.
 */
#ifndef CHARGEWASM_PN532_H
#define CHARGEWASM_PN532_H

#include <stddef.h>
#include <stdint.h>

#define PN532_POLL_MS 200u
#define PN532_TIMEOUT_MS 100u
#define PN532_MAX_UID 10

typedef struct {
  int uart;
  int state;                  /* what the reader is doing: see pn532.c */
  uint32_t since;             /* when the command in flight was sent (ms) */
  uint8_t cmd;                /* the command in flight */
  int acked;
  uint8_t rx[64];
  size_t rx_len;
  uint8_t last[PN532_MAX_UID];   /* the card on the reader at the last poll */
  size_t last_len;
  int failures;               /* commands in a row without a valid answer */
  uint32_t bad_frames;        /* frames dropped for a checksum or length error */
} pn532;

void pn532_init(pn532 *r, int uart, uint32_t now_ms);
/* Moves the reader on; 1 when a card was newly presented: its UID as uppercase hex in uid (2 * PN532_MAX_UID + 1). */
int pn532_poll(pn532 *r, uint32_t now_ms, char *uid);
/* 1 once the reader has stopped answering (reported once per outage by the caller). */
int pn532_lost(const pn532 *r);

#endif
