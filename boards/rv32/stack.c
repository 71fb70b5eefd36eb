/*
 * The C stack's high-water mark of the rv32 replay firmware (picolibc): before main, the stack region between the
 * heap's end and the top of RAM is painted; at exit the deepest word the stack overwrote says how much it used,
 * reported on stderr ("stack: N bytes"), as boards/stm32f405/startup.c does for the Cortex-M4. All of the region
 * overwritten means the stack ran into the heap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PAINT 0x5AA5F00Du
extern uint32_t __heap_end[], __stack[];

static void report(void) {
  uint32_t *p = __heap_end;
  while (p < __stack && *p == PAINT) p++;
  fprintf(stderr, "stack: %u bytes\n", (unsigned)((uintptr_t)__stack - (uintptr_t)p));
}

__attribute__((constructor)) static void paint(void) {
  uint32_t *sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  for (uint32_t *p = __heap_end; p < sp - 16; p++) *p = PAINT;
  atexit(report);
}
