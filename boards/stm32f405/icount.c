/*
 * The instruction counter of the STM32F405 replay's profiling build (CW_PROFILE, make bench). Under QEMU
 * `-icount shift=0` every instruction takes one nanosecond of virtual time, and SysTick, on the reference clock
 * (168 MHz / 8 on QEMU's netduinoplus2, measured), counts that time: instructions = ticks * 1e9 / 21 MHz, to one
 * tick (48 instructions) per reading; the conversion is left to the end, so that a reading stays cheap. QEMU models no DWT cycle counter, which would count cycles directly.
 */
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define REF_HZ 21000000u

static volatile uint32_t wraps;
void SysTick_Handler(void) { wraps++; }

/* SysTick ticks since the first call. */
uint64_t cw_counter(void) {
  static int started;
  if (!started) {
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 3;                   /* enable, interrupt on wrap, reference clock */
    while (SYST_CVR == 0) {}        /* the first tick loads the reload value */
    started = 1;
  }
  uint32_t w, v;
  do { w = wraps; v = SYST_CVR; } while (w != wraps);
  return (uint64_t)w << 24 | (0xFFFFFFu - v);
}

double cw_instructions_per_count(void) { return 1e9 / REF_HZ; }
