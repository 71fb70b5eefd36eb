/* The flash key-value store: boards/include/kvstore.h. */
#include <string.h>

#include "kvstore.h"

#define MAGIC 0x564B5743u   /* "CWKV" */
#define HEADER 12u          /* generation, its complement, magic */

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc;
}

static uint32_t word_at(const uint8_t *p) { uint32_t w; memcpy(&w, p, 4); return w; }
static uint32_t record_size(uint32_t key_len, uint32_t val_len) { return 4 + ((key_len + val_len + 3u) & ~3u) + 4; }

/* The size of the intact record at off, or 0 when there is none there (erased, torn or garbage). */
static uint32_t record_at(const cw_kv *kv, const uint8_t *s, uint32_t off) {
  uint32_t room = kv->flash->sector_size - off;
  if (room < 8) return 0;
  uint32_t key_len = (uint32_t)(s[off] | s[off + 1] << 8), val_len = (uint32_t)(s[off + 2] | s[off + 3] << 8);
  if (key_len == 0 || key_len > CW_KV_MAX_KEY || val_len > CW_KV_MAX_VALUE) return 0;
  uint32_t size = record_size(key_len, val_len);
  if (size > room) return 0;
  uint32_t crc = ~crc32_update(0xFFFFFFFFu, s + off, 4 + key_len + val_len);
  return word_at(s + off + size - 4) == crc ? size : 0;
}

/* A sector counts when its header is whole: a cut while erasing the older sector may leave any of its words erased
 * (an erased generation reads as the highest), so the generation's complement must match too. */
static int sector_valid(const cw_kv *kv, int sector, uint32_t *generation) {
  const uint8_t *s = kv->flash->map(kv->flash->ctx, sector);
  *generation = word_at(s);
  return word_at(s + 4) == ~*generation && word_at(s + 8) == MAGIC;
}

/* Writes a sector's header once its records are in: the generation and its complement, then the magic (the commit). */
static int commit(const cw_flash *f, int sector, uint32_t generation) {
  const uint32_t header[3] = { generation, ~generation, MAGIC };
  if (f->program(f->ctx, sector, 0, header, 8)) return 2;
  return f->program(f->ctx, sector, 8, &header[2], 4) ? 2 : 0;
}

/* Finds where the records of the active sector end; dirty when anything but erased flash follows them. */
static void scan(cw_kv *kv) {
  const uint8_t *s = kv->flash->map(kv->flash->ctx, kv->active);
  uint32_t off = HEADER, size;
  while ((size = record_at(kv, s, off)) != 0) off += size;
  kv->end = off;
  kv->dirty = 0;
  for (uint32_t i = off; i < kv->flash->sector_size; i++) if (s[i] != 0xFF) { kv->dirty = 1; break; }
}

int cw_kv_mount(cw_kv *kv, const cw_flash *flash) {
  kv->flash = flash;
  uint32_t g0, g1;
  int v0 = sector_valid(kv, 0, &g0), v1 = sector_valid(kv, 1, &g1);
  if (!v0 && !v1) {
    if (flash->erase(flash->ctx, 0) || commit(flash, 0, 1)) return 2;
    kv->active = 0;
  } else {
    kv->active = v1 && (!v0 || g1 > g0) ? 1 : 0;
  }
  scan(kv);
  return 0;
}

static int same_key(const uint8_t *rec, const uint8_t *key, size_t key_len) {
  return (size_t)(rec[0] | rec[1] << 8) == key_len && memcmp(rec + 4, key, key_len) == 0;
}

/* The offset of the newest record of key in the active sector, or 0. */
static uint32_t find(const cw_kv *kv, const uint8_t *key, size_t key_len) {
  const uint8_t *s = kv->flash->map(kv->flash->ctx, kv->active);
  uint32_t found = 0;
  for (uint32_t off = HEADER, size; off < kv->end; off += size) {
    size = record_at(kv, s, off);
    if (same_key(s + off, key, key_len)) found = off;
  }
  return found;
}

int32_t cw_kv_read(const cw_kv *kv, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap) {
  uint32_t off = find(kv, key, key_len);
  if (!off) return -1;
  const uint8_t *rec = kv->flash->map(kv->flash->ctx, kv->active) + off;
  size_t val_len = (size_t)(rec[2] | rec[3] << 8);
  if (val_len > cap) return -2;
  memcpy(buf, rec + 4 + key_len, val_len);
  return (int32_t)val_len;
}

/* Copies the newest record of every key into the other sector, then makes that sector the active one. */
static int compact(cw_kv *kv) {
  const cw_flash *f = kv->flash;
  const uint8_t *s = f->map(f->ctx, kv->active);
  int to = 1 - kv->active;
  uint32_t generation = word_at(s) + 1, out = HEADER;
  if (f->erase(f->ctx, to)) return 2;
  for (uint32_t off = HEADER, size; off < kv->end; off += size) {
    size = record_at(kv, s, off);
    uint32_t key_len = (uint32_t)(s[off] | s[off + 1] << 8);
    if (find(kv, s + off + 4, key_len) != off) continue;   /* a newer record of the key follows */
    if (f->program(f->ctx, to, out, s + off, size)) return 2;
    out += size;
  }
  if (commit(f, to, generation)) return 2;
  kv->active = to;
  kv->end = out;
  kv->dirty = 0;
  return 0;
}

/* Programs a record in 4-byte-aligned pieces of 64 bytes, the CRC with the last piece. */
static int append(cw_kv *kv, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len) {
  const cw_flash *f = kv->flash;
  uint8_t chunk[64 + 4];   /* room for the CRC after a full last piece */
  uint32_t n = 0, off = kv->end, crc = 0xFFFFFFFFu;
  const uint8_t header[4] = { (uint8_t)key_len, (uint8_t)(key_len >> 8), (uint8_t)len, (uint8_t)(len >> 8) };
  const struct { const uint8_t *p; size_t n; } parts[3] = { { header, 4 }, { key, key_len }, { val, len } };
  for (int k = 0; k < 3; k++) {
    crc = crc32_update(crc, parts[k].p, parts[k].n);
    for (size_t i = 0; i < parts[k].n; i++) {
      chunk[n++] = parts[k].p[i];
      if (n == 64) { if (f->program(f->ctx, kv->active, off, chunk, n)) return 2; off += n; n = 0; }
    }
  }
  while (n % 4) chunk[n++] = 0;
  crc = ~crc;
  memcpy(chunk + n, &crc, 4);
  n += 4;
  if (f->program(f->ctx, kv->active, off, chunk, n)) return 2;
  kv->end = off + n;
  return 0;
}

int32_t cw_kv_write(cw_kv *kv, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len) {
  if (key_len == 0 || key_len > CW_KV_MAX_KEY || len > CW_KV_MAX_VALUE) return 3;
  uint32_t size = record_size((uint32_t)key_len, (uint32_t)len);
  if ((kv->dirty || kv->end + size > kv->flash->sector_size) && compact(kv)) { kv->dirty = 1; return 2; }
  if (kv->end + size > kv->flash->sector_size) return 1;
  if (append(kv, key, key_len, val, len)) { kv->dirty = 1; return 2; }
  return 0;
}
