/*
 * USART1 of the STM32F405 (PA9 TX, PA10 RX, alternate function 7): received bytes go into a ring buffer from the
 * interrupt; sending waits for the data register to empty. When the ring is full the interrupt is masked in the NVIC
 * (masking RXNEIE alone does not lower QEMU's interrupt line), so the byte stays in the data register (the sender
 * waits, or the peripheral reports an overrun) until the reader makes room: nothing is dropped in silence.
 * Register-level, no vendor library.
 */
#include <stddef.h>
#include <stdint.h>

#include "usart.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB2ENR REG(0x40023844u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRH REG(0x40020024u)
#define USART1_SR REG(0x40011000u)
#define USART1_DR REG(0x40011004u)
#define USART1_BRR REG(0x40011008u)
#define USART1_CR1 REG(0x4001100Cu)
#define NVIC_ISER1 REG(0xE000E104u)
#define NVIC_ICER1 REG(0xE000E184u)
#define USART1_IRQ 37

#define SR_ORE (1u << 3)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_RXNEIE (1u << 5)
#define CR1_UE (1u << 13)

#define RING 1024u   /* a power of two */
static volatile uint8_t ring[RING];
static volatile uint32_t head, tail;   /* written by the interrupt, read by the reader */
static volatile uint32_t overruns;

void USART1_IRQHandler(void) {
  while (USART1_SR & SR_RXNE) {
    if (head - tail == RING) { NVIC_ICER1 = 1u << (USART1_IRQ - 32); return; }   /* full: leave the byte waiting */
    if (USART1_SR & SR_ORE) overruns++;
    ring[head % RING] = (uint8_t)USART1_DR;
    head++;
  }
}

void usart_init(uint32_t pclk2_hz, uint32_t baud) {
  RCC_AHB1ENR |= 1u << 0;    /* GPIOA */
  RCC_APB2ENR |= 1u << 4;    /* USART1 */
  GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18);   /* PA9, PA10: alternate function */
  GPIOA_AFRH = (GPIOA_AFRH & ~0xFF0u) | 0x770u;                  /* AF7: USART1 */
  USART1_BRR = (pclk2_hz + baud / 2) / baud;
  USART1_CR1 = CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE;
  NVIC_ISER1 = 1u << (USART1_IRQ - 32);
}

size_t usart_read(uint8_t *buf, size_t cap) {
  size_t n = 0;
  while (n < cap && tail != head) { buf[n++] = ring[tail % RING]; tail++; }
  if (n) NVIC_ISER1 = 1u << (USART1_IRQ - 32);   /* room again: take what waits in the data register */
  return n;
}

void usart_write(const uint8_t *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    while (!(USART1_SR & SR_TXE)) {}
    USART1_DR = data[i];
  }
}

uint32_t usart_overruns(void) { return overruns; }
