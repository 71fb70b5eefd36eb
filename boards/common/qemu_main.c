/*
 * The station firmware as QEMU runs it: `station CONFIG FLASH-IMAGE [--virtual-clock]` on the semihosted command
 * line. The station config is read from the host's file; the flash key-value store lives in a window of RAM that
 * stands for the MCU's flash sectors (QEMU models no flash controller), loaded from FLASH-IMAGE at start and written
 * through to it at every erase and program, so the image survives the QEMU process like flash survives a power cut.
 * Log lines go to QEMU's stdout. CW_FLASH_WINDOW: the window's address (2 x CW_FLASH_SECTOR bytes of RAM the
 * firmware does not otherwise use).
 */
#include <string.h>

#include "kvstore.h"
#include "mcu.h"
#include "semihost.h"

#ifndef CW_FLASH_SECTOR
#define CW_FLASH_SECTOR (32u * 1024u)
#endif
#define WINDOW ((uint8_t *)(CW_FLASH_WINDOW))
#define MAX_CONFIG 4096

static int32_t image = -1;

static const uint8_t *flash_map(void *ctx, int sector) { (void)ctx; return WINDOW + sector * CW_FLASH_SECTOR; }
static int write_through(uint32_t off, uint32_t len) { return sh_seek(image, off) || sh_write(image, WINDOW + off, len); }
static int flash_erase(void *ctx, int sector) {
  (void)ctx;
  memset(WINDOW + sector * CW_FLASH_SECTOR, 0xFF, CW_FLASH_SECTOR);
  return write_through((uint32_t)sector * CW_FLASH_SECTOR, CW_FLASH_SECTOR);
}
static int flash_program(void *ctx, int sector, uint32_t off, const void *data, uint32_t len) {
  (void)ctx;
  uint8_t *p = WINDOW + sector * CW_FLASH_SECTOR + off;
  for (uint32_t i = 0; i < len; i++) p[i] &= ((const uint8_t *)data)[i];   /* NOR: programming only clears bits */
  return write_through((uint32_t)sector * CW_FLASH_SECTOR + off, len);
}
static const cw_flash flash = { CW_FLASH_SECTOR, flash_map, flash_erase, flash_program, NULL };

static void fail(const char *why) {
  sh_console(why, strlen(why));
  sh_exit(2);
}

static void fail70(void) {
  static const char why[] = "[error] fault: the firmware stopped\n";
  sh_console(why, sizeof why - 1);
  sh_exit(70);
}

void mcu_console(const char *text, size_t len) { sh_console(text, len); }

/* A fault under QEMU ends the run with status 70, where a board's watchdog would reset it. */
void cw_fault(void) { fail70(); }

int main(int argc, char **argv) {
  static char config[MAX_CONFIG];
  (void)argc;
  (void)argv;
  char *args[4];
  int n = sh_cmdline(args, 4);
  if (n < 3) fail("usage: station CONFIG FLASH-IMAGE [--virtual-clock]\n");
  int32_t fd = sh_open(args[1], SH_RB), len = fd >= 0 ? sh_flen(fd) : -1;
  if (len < 0 || len > MAX_CONFIG || sh_read(fd, config, (size_t)len)) fail("station: cannot read the config (at most 4096 bytes)\n");
  image = sh_open(args[2], SH_RWB);
  if (image >= 0 && sh_flen(image) == 2 * CW_FLASH_SECTOR) {
    if (sh_read(image, WINDOW, 2 * CW_FLASH_SECTOR)) fail("station: cannot read the flash image\n");
  } else {
    image = sh_open(args[2], SH_WRB);   /* a new, erased flash */
    memset(WINDOW, 0xFF, 2 * CW_FLASH_SECTOR);
    if (image < 0 || write_through(0, 2 * CW_FLASH_SECTOR)) fail("station: cannot create the flash image\n");
  }
  mcu_init();
  sh_exit(mcu_station(config, (size_t)len, &flash, n > 3 && !strcmp(args[3], "--virtual-clock")));
}
