/* USART1 of the STM32F405, interrupt-driven receive into a ring buffer: usart.c. */
#ifndef CHARGEWASM_USART_H
#define CHARGEWASM_USART_H

#include <stddef.h>
#include <stdint.h>

void usart_init(uint32_t pclk2_hz, uint32_t baud);
/* Takes up to cap received bytes; returns how many (0: none waiting). */
size_t usart_read(uint8_t *buf, size_t cap);
/* Sends len bytes, waiting while the transmitter is busy. */
void usart_write(const uint8_t *data, size_t len);
/* Bytes the peripheral lost before the interrupt took them (overrun errors). */
uint32_t usart_overruns(void);

#endif
