/*
 * STM32F405 start-up: the vector table, the reset handler (copy .data, clear .bss, then main) and fault handlers
 * that stop the core. With CW_SEMIHOSTING (the firmware run under QEMU for tests) main gets its argv from the
 * debugger's command line, stdio goes to the host and the exit status comes back to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(int argc, char **argv);

#ifdef CW_SEMIHOSTING
#include <stddef.h>
#include <stdio.h>
void *sbrk(ptrdiff_t increment);
void initialise_monitor_handles(void);

/* The C stack's high-water mark: the free RAM between the heap (kept HEAP_ROOM clear) and the stack is painted at
 * start; at exit, the deepest word the stack overwrote says how much it used (reported on stderr). */
#define PAINT 0x5AA5F00Du
#define HEAP_ROOM 4096u
extern uint32_t end;
static uint32_t *painted;

static void paint(void) {
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  painted = (uint32_t *)(((uintptr_t)&end + HEAP_ROOM + 3u) & ~3u);
  for (uint32_t *p = painted; p < sp - 16; p++) *p = PAINT;
}

static void report_stack(void) {
  uint32_t *p = painted, *brk = (uint32_t *)sbrk(0);
  if (brk > p) p = brk;   /* the heap grew into the painted RAM: the stack never reached below the break */
  while (p < &_estack && *p == PAINT) p++;
  fprintf(stderr, "stack: %u bytes\n", (unsigned)((uintptr_t)&_estack - (uintptr_t)p));
}

/* SYS_GET_CMDLINE (0x15): the command line QEMU was given with -semihosting-config arg=... */
static int cmdline(char **argv, int max) {
  static char buf[512];
  struct { char *p; int len; } block = { buf, sizeof buf - 1 };
  register int op __asm__("r0") = 0x15;
  register void *arg __asm__("r1") = &block;
  __asm__ volatile("bkpt 0xab" : "+r"(op) : "r"(arg) : "memory");
  if (op != 0) return 0;
  buf[block.len] = 0;
  int argc = 0;
  for (char *s = strtok(buf, " "); s && argc < max; s = strtok(NULL, " ")) argv[argc++] = s;
  return argc;
}
#endif

void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
  memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
#ifdef CW_SEMIHOSTING
  static char *argv[8];
  paint();
  initialise_monitor_handles();
  atexit(report_stack);
  int argc = cmdline(argv, 8);
  exit(main(argc, argv));
#else
  main(0, NULL);
  for (;;) {}
#endif
}

/* A firmware may say how it stops on a fault (the station under QEMU exits with a status); by default nothing. */
__attribute__((weak)) void cw_fault(void) {}

/* Faults and interrupts nobody handles: stop (under QEMU: exit with a failure status); a board's watchdog resets. */
void Default_Handler(void) {
#ifdef CW_SEMIHOSTING
  _Exit(70);
#else
  cw_fault();
  for (;;) {}
#endif
}

/* Handlers a driver may define (usart.c, icount.c); without one, Default_Handler. */
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
void USART1_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));
void USART2_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));
void USART3_IRQHandler(void) __attribute__((weak, alias("Default_Handler")));

/* The system exceptions, then the STM32F405's interrupts up to USART3 (IRQ 39). */
__attribute__((section(".isr_vector"), used)) static void *const vectors[16 + 40] = {
  [0] = &_estack, [1] = (void *)Reset_Handler,
  [2 ... 14] = (void *)Default_Handler,
  [15] = (void *)SysTick_Handler,
  [16 ... 16 + 36] = (void *)Default_Handler,
  [16 + 37] = (void *)USART1_IRQHandler,
  [16 + 38] = (void *)USART2_IRQHandler,
  [16 + 39] = (void *)USART3_IRQHandler,
};
