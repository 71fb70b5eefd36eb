/*
 * The debugger's calls (ARM semihosting, which RISC-V reuses) as QEMU answers them with
 * -semihosting-config enable=on,target=native: how firmware under QEMU reads its command line and files, writes
 * to the console and exits with a status. Only the QEMU runs use them; a board in the field has none.
 */
#ifndef CHARGEWASM_SEMIHOST_H
#define CHARGEWASM_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

/* File modes of SYS_OPEN (fopen's "rb", "r+b", "w+b"). */
enum { SH_RB = 1, SH_RWB = 3, SH_WRB = 7 };

int32_t sh_open(const char *path, int mode);              /* a handle, -1 when it cannot */
int sh_read(int32_t fd, void *buf, size_t len);            /* 0 when all len bytes were read */
int sh_write(int32_t fd, const void *buf, size_t len);     /* 0 when all len bytes were written */
int sh_seek(int32_t fd, uint32_t pos);                     /* 0 on success */
int32_t sh_flen(int32_t fd);                               /* the file's length, -1 on error */
void sh_console(const char *text, size_t len);             /* QEMU's stdout */
/* The command line given with -semihosting-config arg=...: splits it at spaces into argv; argc. */
int sh_cmdline(char **argv, int max);
void sh_exit(int status) __attribute__((noreturn));

#endif
