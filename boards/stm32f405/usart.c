/*
 * USART1-3 of the STM32F405 (alternate function 7): received bytes go into a ring buffer from the interrupt;
 * sending waits for the data register to empty. When a ring is full its interrupt is masked in the NVIC (masking
 * RXNEIE alone does not lower QEMU's interrupt line), so the byte stays in the data register (the sender waits, or
 * the peripheral reports an overrun) until the reader makes room: nothing is dropped in silence.
 * Register-level, no vendor library. Baud rates assume the clocks port.c sets up (PCLK2 84 MHz, PCLK1 42 MHz).
 */
#include <stddef.h>
#include <stdint.h>

#include "usart.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB1ENR REG(0x40023840u)
#define RCC_APB2ENR REG(0x40023844u)
#define GPIO_MODER(port) REG(port)
#define GPIO_AFR(port, pin) REG((port) + 0x20u + ((pin) / 8u) * 4u)
#define NVIC_ISER(irq) REG(0xE000E100u + ((irq) / 32u) * 4u)
#define NVIC_ICER(irq) REG(0xE000E180u + ((irq) / 32u) * 4u)
#define SR(u) REG((u)->base)
#define DR(u) REG((u)->base + 4u)
#define BRR(u) REG((u)->base + 8u)
#define CR1(u) REG((u)->base + 12u)

#define SR_ORE (1u << 3)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_RXNEIE (1u << 5)
#define CR1_UE (1u << 13)

#define RING 512u   /* a power of two */
struct usart {
  uint32_t base, gpio, pclk;
  volatile uint32_t *enable;
  uint8_t enable_bit, irq, tx_pin, gpio_bit;
  volatile uint8_t ring[RING];
  volatile uint32_t head, tail;   /* written by the interrupt, read by the reader */
  volatile uint32_t overruns;
};

static struct usart usarts[USARTS] = {
  { .base = 0x40011000u, .gpio = 0x40020000u, .pclk = 84000000u, .enable = &RCC_APB2ENR, .enable_bit = 4, .irq = 37, .tx_pin = 9, .gpio_bit = 0 },
  { .base = 0x40004400u, .gpio = 0x40020000u, .pclk = 42000000u, .enable = &RCC_APB1ENR, .enable_bit = 17, .irq = 38, .tx_pin = 2, .gpio_bit = 0 },
  { .base = 0x40004800u, .gpio = 0x40020400u, .pclk = 42000000u, .enable = &RCC_APB1ENR, .enable_bit = 18, .irq = 39, .tx_pin = 10, .gpio_bit = 1 },
};

static void serve(struct usart *u) {
  while (SR(u) & SR_RXNE) {
    if (u->head - u->tail == RING) { NVIC_ICER(u->irq) = 1u << (u->irq % 32u); return; }   /* full: leave the byte waiting */
    if (SR(u) & SR_ORE) u->overruns++;
    u->ring[u->head % RING] = (uint8_t)DR(u);
    u->head++;
  }
}

void USART1_IRQHandler(void) { serve(&usarts[0]); }
void USART2_IRQHandler(void) { serve(&usarts[1]); }
void USART3_IRQHandler(void) { serve(&usarts[2]); }

void usart_init(int n, uint32_t baud) {
  struct usart *u = &usarts[n];
  RCC_AHB1ENR |= 1u << u->gpio_bit;
  *u->enable |= 1u << u->enable_bit;
  for (uint32_t pin = u->tx_pin; pin <= u->tx_pin + 1u; pin++) {   /* TX and RX: alternate function 7 */
    GPIO_MODER(u->gpio) = (GPIO_MODER(u->gpio) & ~(3u << (2u * pin))) | (2u << (2u * pin));
    GPIO_AFR(u->gpio, pin) = (GPIO_AFR(u->gpio, pin) & ~(0xFu << (4u * (pin % 8u)))) | (7u << (4u * (pin % 8u)));
  }
  BRR(u) = (u->pclk + baud / 2) / baud;
  CR1(u) = CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE;
  NVIC_ISER(u->irq) = 1u << (u->irq % 32u);
}

size_t usart_read(int n, uint8_t *buf, size_t cap) {
  struct usart *u = &usarts[n];
  size_t got = 0;
  while (got < cap && u->tail != u->head) { buf[got++] = u->ring[u->tail % RING]; u->tail++; }
  if (got) NVIC_ISER(u->irq) = 1u << (u->irq % 32u);   /* room again: take what waits in the data register */
  return got;
}

void usart_write(int n, const uint8_t *data, size_t len) {
  struct usart *u = &usarts[n];
  for (size_t i = 0; i < len; i++) {
    while (!(SR(u) & SR_TXE)) {}
    DR(u) = data[i];
  }
}

uint32_t usart_overruns(int n) { return usarts[n].overruns; }
