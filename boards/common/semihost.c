/* Semihosting calls (boards/include/semihost.h) on a Cortex-M (bkpt 0xab) and on RISC-V (the ebreak sequence). */
#include <string.h>

#include "semihost.h"

enum { SYS_OPEN = 0x01, SYS_WRITE = 0x05, SYS_READ = 0x06, SYS_SEEK = 0x0A, SYS_FLEN = 0x0C, SYS_GET_CMDLINE = 0x15,
       SYS_EXIT_EXTENDED = 0x20 };

static intptr_t call(intptr_t op, void *args) {
#if defined(__arm__)
  register intptr_t r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = args;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
#elif defined(__riscv)
  register intptr_t a0 __asm__("a0") = op;
  register void *a1 __asm__("a1") = args;
  /* The debugger recognises ebreak between these two no-ops, uncompressed and on one page. */
  __asm__ volatile(".option push\n.option norvc\n.balign 16\nslli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
                   : "+r"(a0) : "r"(a1) : "memory");
  return a0;
#else
#error "semihosting needs an ARM or RISC-V target"
#endif
}

int32_t sh_open(const char *path, int mode) {
  intptr_t a[3] = { (intptr_t)path, mode, (intptr_t)strlen(path) };
  return (int32_t)call(SYS_OPEN, a);
}
int sh_read(int32_t fd, void *buf, size_t len) {
  intptr_t a[3] = { fd, (intptr_t)buf, (intptr_t)len };
  return call(SYS_READ, a) != 0;
}
int sh_write(int32_t fd, const void *buf, size_t len) {
  intptr_t a[3] = { fd, (intptr_t)buf, (intptr_t)len };
  return call(SYS_WRITE, a) != 0;
}
int sh_seek(int32_t fd, uint32_t pos) {
  intptr_t a[2] = { fd, (intptr_t)pos };
  return call(SYS_SEEK, a) != 0;
}
int32_t sh_flen(int32_t fd) {
  intptr_t a[1] = { fd };
  return (int32_t)call(SYS_FLEN, a);
}

void sh_console(const char *text, size_t len) {
  static int32_t out = -1;
  if (out < 0) out = sh_open(":tt", 4);   /* ":tt" opened for writing ("w") is stdout */
  if (out >= 0) sh_write(out, text, len);
}

int sh_cmdline(char **argv, int max) {
  static char buf[256];
  struct { char *p; intptr_t len; } block = { buf, sizeof buf - 1 };
  if (call(SYS_GET_CMDLINE, &block) != 0) return 0;
  buf[block.len] = 0;
  int argc = 0;
  for (char *s = buf; *s && argc < max;) {
    while (*s == ' ') *s++ = 0;
    if (!*s) break;
    argv[argc++] = s;
    while (*s && *s != ' ') s++;
  }
  return argc;
}

void sh_exit(int status) {
  intptr_t a[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, status };
  call(SYS_EXIT_EXTENDED, a);
  for (;;) {}
}
