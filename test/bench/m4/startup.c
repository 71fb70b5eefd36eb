/* Reset handler and the two vector-table entries a Cortex-M4 needs to start: copy .data, clear .bss, main(). */
#include <stdint.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
  memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
  main();
  for (;;) {}
}

__attribute__((section(".isr_vector"), used)) static void *const vectors[2] = { &_estack, (void *)Reset_Handler };
