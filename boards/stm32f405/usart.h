/* USART1-3 of the STM32F405, interrupt-driven receive into ring buffers: usart.c. */
#ifndef CHARGEWASM_USART_H
#define CHARGEWASM_USART_H

#include <stddef.h>
#include <stdint.h>

#define USARTS 3   /* 0: USART1 (PA9/PA10), 1: USART2 (PA2/PA3), 2: USART3 (PB10/PB11) */

void usart_init(int n, uint32_t baud);
/* Takes up to cap received bytes; returns how many (0: none waiting). */
size_t usart_read(int n, uint8_t *buf, size_t cap);
/* Sends len bytes, waiting while the transmitter is busy. */
void usart_write(int n, const uint8_t *data, size_t len);
/* Bytes the peripheral lost before the interrupt took them (overrun errors). */
uint32_t usart_overruns(int n);

#endif
