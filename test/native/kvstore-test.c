/*
 * The flash key-value store (boards/common/kvstore.c) on a simulated NOR flash, with the power cut at every
 * single flash operation of a run: each word programmed and each sector erased. After every cut the store is
 * mounted again and must hold, for every key, the value of the last write that returned, or for the write the cut
 * interrupted its old or its new value; nothing else. The simulated flash fails a run that programs a word that
 * is not erased. Prints the number of cut points checked; exits non-zero on the first failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvstore.h"

#define SECTOR 1024u
#define KEYS 6
#define OPS 60

static uint8_t flash[2][SECTOR];
static long budget;        /* flash operations left before the power is cut; < 0: no cut */
static int cut;            /* the power is off: every operation fails */
static uint32_t rng = 1;
static long full;          /* writes refused as full, over all runs */
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void fail(const char *why, long at) { fprintf(stderr, "kvstore: %s (cut at operation %ld)\n", why, at); exit(1); }

/* One operation more; false when the power goes off now. */
static int power(void) {
  if (cut) return 0;
  if (budget >= 0 && budget-- == 0) { cut = 1; return 0; }
  return 1;
}

static const uint8_t *map(void *ctx, int sector) { (void)ctx; return flash[sector]; }

static int erase(void *ctx, int sector) {
  (void)ctx;
  if (!power()) {   /* cut while erasing: some words erased, the others as they were */
    for (uint32_t i = 0; i < SECTOR; i += 4) if (next_rand() & 1) memset(flash[sector] + i, 0xFF, 4);
    return 1;
  }
  memset(flash[sector], 0xFF, SECTOR);
  return 0;
}

static int program(void *ctx, int sector, uint32_t off, const void *data, uint32_t len) {
  (void)ctx;
  if (off % 4 || len % 4 || off + len > SECTOR) fail("unaligned or out-of-range program", -1);
  const uint8_t *d = data;
  for (uint32_t i = 0; i < len; i += 4) {
    uint8_t *w = flash[sector] + off + i;
    for (int k = 0; k < 4; k++) if (w[k] != 0xFF) fail("programmed a word that is not erased", -1);
    if (!power()) {   /* cut while programming this word: only some of its bits reach their value */
      for (int k = 0; k < 4; k++) w[k] = (uint8_t)(d[i + k] | (next_rand() & 0xFF));
      return 1;
    }
    memcpy(w, d + i, 4);
  }
  return 0;
}

static const cw_flash FLASH = { SECTOR, map, erase, program, NULL };

/* The run's writes: key index and value (length 0-300, contents from the op's number). */
typedef struct { int key; uint8_t val[300]; size_t len; } op;
static op ops[OPS];
static char keys[KEYS][24];

static void plan(void) {
  for (int k = 0; k < KEYS; k++) snprintf(keys[k], sizeof keys[k], "dm/key/%d", k);
  rng = 7;
  for (int i = 0; i < OPS; i++) {
    ops[i].key = (int)(next_rand() % KEYS);
    ops[i].len = (i % 7 == 3) ? 0 : next_rand() % 120;
    for (size_t b = 0; b < ops[i].len; b++) ops[i].val[b] = (uint8_t)(i * 31 + b);
  }
}

static int holds(const cw_kv *kv, int key, const uint8_t *val, long len) {
  uint8_t buf[400];
  int32_t n = cw_kv_read(kv, (const uint8_t *)keys[key], strlen(keys[key]), buf, sizeof buf);
  if (len < 0) return n == -1;
  return n == len && memcmp(buf, val, (size_t)len) == 0;
}

/* One run with the power cut after `at` operations (-1: never); returns 1 when the cut happened. */
static int run(long at) {
  memset(flash, 0xFF, sizeof flash);
  budget = at; cut = 0;
  cw_kv kv;
  long last[KEYS];   /* the op whose value each key must hold, -1: absent */
  for (int k = 0; k < KEYS; k++) last[k] = -1;
  int torn = -1;     /* the op the cut interrupted */
  if (cw_kv_mount(&kv, &FLASH) == 0) {
    for (int i = 0; i < OPS; i++) {
      const op *o = &ops[i];
      int32_t rc = cw_kv_write(&kv, (const uint8_t *)keys[o->key], strlen(keys[o->key]), o->val, o->len);
      if (cut) { torn = i; break; }
      if (rc == 1) { full++; continue; }   /* the live values do not fit: refused, the old value stands */
      if (rc) fail("a write failed without a power cut", at);
      last[o->key] = i;
    }
  }
  int was_cut = cut;
  budget = -1; cut = 0;   /* power back: mount again */
  if (cw_kv_mount(&kv, &FLASH)) fail("mount after the cut failed", at);
  for (int k = 0; k < KEYS; k++) {
    long i = last[k];
    int ok = holds(&kv, k, i < 0 ? NULL : ops[i].val, i < 0 ? -1 : (long)ops[i].len);
    if (!ok && torn >= 0 && ops[torn].key == k) ok = holds(&kv, k, ops[torn].val, (long)ops[torn].len);
    if (!ok) fail("a key holds neither its last written value nor the interrupted one", at);
  }
  /* and the store goes on working */
  static const uint8_t more[] = "after the cut";
  if (cw_kv_write(&kv, (const uint8_t *)keys[0], strlen(keys[0]), more, sizeof more) != 0) fail("write after the cut failed", at);
  if (!holds(&kv, 0, more, sizeof more)) fail("write after the cut not read back", at);
  return was_cut;
}

int main(void) {
  plan();
  long points = 0;
  for (long at = 0; run(at); at++) points++;
  /* Full: a value that cannot fit even after compaction is refused, and what was stored stands. */
  cw_kv kv;
  memset(flash, 0xFF, sizeof flash);
  budget = -1; cut = 0;
  if (cw_kv_mount(&kv, &FLASH)) fail("mount failed", -1);
  static const uint8_t small[] = "kept";
  static uint8_t big[SECTOR];
  if (cw_kv_write(&kv, (const uint8_t *)keys[1], strlen(keys[1]), small, sizeof small)) fail("small write failed", -1);
  if (cw_kv_write(&kv, (const uint8_t *)keys[2], strlen(keys[2]), big, sizeof big - 16) != 1) fail("an oversized value was not refused as full", -1);
  if (!holds(&kv, 1, small, sizeof small)) fail("a refused write lost another key", -1);
  uint8_t tiny[4];
  if (cw_kv_read(&kv, (const uint8_t *)keys[1], strlen(keys[1]), tiny, sizeof tiny) != -2) fail("a short buffer was not reported", -1);
  printf("kvstore: %ld power-cut points checked, %d writes a run (%ld refused as full over all runs)\n", points, OPS, full);
  return 0;
}
