/*
 * The replay's scenario over USART1 instead of a semihosting file (`replay serial`): a stdio stream on the
 * interrupt-driven USART driver. The sender waits for "serial: ready" and ends the scenario with EOT (0x04).
 * Tests the driver on QEMU's emulated USART with the scenario written into QEMU's serial port.
 */
#include <stdio.h>

#include "usart.h"

static int ended;

static int read_serial(void *cookie, char *buf, int n) {
  (void)cookie;
  if (ended) return 0;
  size_t got;
  while ((got = usart_read(0, (uint8_t *)buf, (size_t)n)) == 0) __asm__ volatile("wfi");   /* sleep until a byte comes */
  for (size_t i = 0; i < got; i++) if (buf[i] == 0x04) { ended = 1; return (int)i; }
  return (int)got;
}

FILE *cw_serial_input(void) {
  usart_init(0, 115200u);
  /* A UART drops what arrives before it is enabled: the sender waits for this line (on the semihosting stderr). */
  fputs("serial: ready\n", stderr);
  return funopen(NULL, read_serial, NULL, NULL, NULL);
}
