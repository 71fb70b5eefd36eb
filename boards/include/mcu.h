/*
 * What an MCU port provides to the station firmware (boards/common/mcu_station.c): a millisecond clock, UARTs with
 * receive buffers, a watchdog and a way to sleep. A port is one file per MCU (boards/stm32f405/port.c,
 * boards/rv32/port.c); docs/PORTING.md says what each function must do.
 */
#ifndef CHARGEWASM_MCU_H
#define CHARGEWASM_MCU_H

#include <stddef.h>
#include <stdint.h>

#include "kvstore.h"

/* The station's UARTs, in the order a port numbers them. */
enum { MCU_LINK = 0, MCU_METER = 1, MCU_RFID = 2, MCU_UARTS = 3 };

void mcu_init(void);
uint32_t mcu_ms(void);                                        /* milliseconds since mcu_init (wraps after 49 days) */
size_t mcu_uart_read(int uart, uint8_t *buf, size_t cap);     /* what has arrived, without waiting */
void mcu_uart_write(int uart, const uint8_t *data, size_t len);
void mcu_watchdog_kick(void);
void mcu_idle(void);                                          /* sleeps until the next interrupt (at most 1 ms) */
void mcu_console(const char *text, size_t len);               /* log lines, for whoever watches the board */

/* The station firmware's entry: runs until the engine is given up (3) or refuses its config (1). virtual_clock:
 * time comes from the board link's CLOCK messages (tests). */
int mcu_station(const char *config, size_t config_len, const cw_flash *flash, int virtual_clock);

#endif
