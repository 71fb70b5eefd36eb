/*
 * The rv32imc port of the station firmware (boards/include/mcu.h), as QEMU's virt machine has it: the machine
 * timer (10 MHz) for the millisecond clock and to wake from wfi, the NS16550 UART at 0x10000000 for the board link,
 * and two more 16550s for the meter bus and the RFID reader. An ESP32-C3 has its UARTs on chip; virt has one, so
 * the other two are a pci-serial-2x card that mcu_init finds on the PCI bus and maps into I/O space. virt models no
 * watchdog: mcu_watchdog_kick does nothing here (on an ESP32-C3 it feeds the RTC watchdog). The UARTs are read by
 * polling (QEMU holds what a full receive FIFO cannot take); their receive interrupts, through the PLIC, only wake
 * the core from wfi, with interrupts left off.
 */
#include <stdint.h>

#include "mcu.h"

#define REG8(addr) (*(volatile uint8_t *)(addr))
#define REG32(addr) (*(volatile uint32_t *)(addr))
#define MTIME_LO REG32(0x0200BFF8u)
#define MTIME_HI REG32(0x0200BFFCu)
#define MTIMECMP_LO REG32(0x02004000u)
#define MTIMECMP_HI REG32(0x02004004u)
#define TICKS_PER_MS 10000u

#define PLIC 0x0C000000u
#define PLIC_ENABLE REG32(PLIC + 0x2000u)          /* hart 0, machine mode: sources 0-31 */
#define PLIC_ENABLE_HI REG32(PLIC + 0x2004u)       /* sources 32-63 */
#define PLIC_THRESHOLD REG32(PLIC + 0x200000u)
#define PLIC_CLAIM REG32(PLIC + 0x200004u)
#define UART0_IRQ 10u
#define PCI_IRQS 32u                                 /* INTA-INTD of the PCI bus: sources 32-35 */
#define PCI_ECAM 0x30000000u
#define PCI_IO 0x03000000u
#define CARD_SLOT 1u            /* -device pci-serial-2x,addr=01.0 */
#define CARD_IO 0x1000u         /* where its I/O BAR is mapped */

/* 16550 registers */
enum { RBR = 0, THR = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5, DLL = 0, DLM = 1 };
#define LSR_DR 0x01u
#define LSR_THRE 0x20u

static uintptr_t uarts[MCU_UARTS];

/* How the firmware stops on a fault (under QEMU it exits with a status); by default it waits for a reset. */
__attribute__((weak)) void cw_fault(void) {}
__attribute__((interrupt("machine"), aligned(4))) static void trap(void) {
  cw_fault();
  for (;;) {}
}

static uint64_t mtime(void) {
  uint32_t hi, lo;
  do { hi = MTIME_HI; lo = MTIME_LO; } while (hi != MTIME_HI);
  return (uint64_t)hi << 32 | lo;
}

static void uart_init(uintptr_t base, uint32_t baud) {
  uint32_t div = 3686400u / (16u * baud);   /* virt's 16550 clock; QEMU ignores the divisor */
  REG8(base + IER) = 0;
  REG8(base + LCR) = 0x80;                   /* divisor latch */
  REG8(base + DLL) = (uint8_t)div;
  REG8(base + DLM) = (uint8_t)(div >> 8);
  REG8(base + LCR) = 0x03;                   /* 8N1 */
  REG8(base + FCR) = 0x07;                   /* FIFOs on and cleared */
  REG8(base + MCR) = 0x0B;                   /* DTR, RTS, OUT2 (the interrupt line) */
  REG8(base + IER) = 0x01;                   /* received data available */
}

/* The pci-serial-2x card: I/O BAR 0 at CARD_IO, I/O decoding on; its ports are 8 bytes apart. 0 when absent. */
static uintptr_t card(void) {
  uintptr_t cfg = PCI_ECAM + (CARD_SLOT << 15);
  if (REG32(cfg) == 0xFFFFFFFFu) return 0;
  REG32(cfg + 0x10) = CARD_IO;
  REG32(cfg + 0x04) |= 1u;
  return PCI_IO + CARD_IO;
}

void mcu_init(void) {
  __asm__ volatile("csrw mtvec, %0" : : "r"(trap));   /* exceptions (interrupts stay off) */
  uintptr_t extra = card();
  uarts[MCU_LINK] = 0x10000000u;
  uarts[MCU_METER] = extra;
  uarts[MCU_RFID] = extra ? extra + 8 : 0;
  for (int n = 0; n < MCU_UARTS; n++) if (uarts[n]) uart_init(uarts[n], n == MCU_METER ? 9600u : 115200u);
  for (unsigned irq = 1; irq < 64; irq++) REG32(PLIC + 4u * irq) = irq == UART0_IRQ || (irq >= PCI_IRQS && irq < PCI_IRQS + 4) ? 1 : 0;
  PLIC_ENABLE = 1u << UART0_IRQ;
  PLIC_ENABLE_HI = 0xFu << (PCI_IRQS - 32);
  PLIC_THRESHOLD = 0;
  __asm__ volatile("csrs mie, %0" : : "r"((1u << 7) | (1u << 11)));   /* timer and external: they wake wfi */
}

uint32_t mcu_ms(void) { return (uint32_t)(mtime() / TICKS_PER_MS); }

size_t mcu_uart_read(int uart, uint8_t *buf, size_t cap) {
  uintptr_t base = uarts[uart];
  size_t n = 0;
  while (base && n < cap && (REG8(base + LSR) & LSR_DR)) buf[n++] = REG8(base + RBR);
  return n;
}

void mcu_uart_write(int uart, const uint8_t *data, size_t len) {
  uintptr_t base = uarts[uart];
  for (size_t i = 0; base && i < len; i++) {
    while (!(REG8(base + LSR) & LSR_THRE)) {}
    REG8(base + THR) = data[i];
  }
}

void mcu_watchdog_kick(void) {}

void mcu_idle(void) {
  uint64_t at = mtime() + TICKS_PER_MS;
  MTIMECMP_HI = 0xFFFFFFFFu;
  MTIMECMP_LO = (uint32_t)at;
  MTIMECMP_HI = (uint32_t)(at >> 32);
  __asm__ volatile("wfi");
  for (uint32_t id; (id = PLIC_CLAIM) != 0;) PLIC_CLAIM = id;   /* taken: a source still asserted is pending again */
}
