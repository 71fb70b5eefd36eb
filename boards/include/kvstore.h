/*
 * A key-value store for the HAL's store_read / store_write on a microcontroller's internal NOR flash: a log of
 * records in one of two sectors, compacted into the other when full. It survives a power cut at any point: a
 * record counts once its CRC-32 is in flash, and a compacted sector once its header is; until then the old data
 * stand. The flash is reached through cw_flash, so the same code runs on any MCU and on a simulated flash in tests.
 *
 * Sector: u32 generation, its complement, u32 magic "CWKV" (programmed last), then records, each 4-byte aligned:
 * u16 key length, u16 value length, key, value, padding, u32 CRC-32 of everything before it.
 */
#ifndef CHARGEWASM_KVSTORE_H
#define CHARGEWASM_KVSTORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t sector_size;                                   /* bytes per sector, a multiple of 4 */
  const uint8_t *(*map)(void *ctx, int sector);           /* the sector's bytes, memory-mapped */
  int (*erase)(void *ctx, int sector);                    /* 0 on success; afterwards every byte is 0xFF */
  int (*program)(void *ctx, int sector, uint32_t off, const void *data, uint32_t len);  /* off, len: multiples of 4 */
  void *ctx;
} cw_flash;

typedef struct {
  const cw_flash *flash;
  int active;       /* the sector in use */
  uint32_t end;     /* where the next record goes */
  int dirty;        /* a torn record follows the last good one: compact before writing */
} cw_kv;

#define CW_KV_MAX_KEY 200
#define CW_KV_MAX_VALUE 4096

/* Finds the newest intact sector, or formats the flash when there is none. 0 on success. */
int cw_kv_mount(cw_kv *kv, const cw_flash *flash);
/* store_read's contract: the value's length, -1 when absent, -2 when larger than cap. */
int32_t cw_kv_read(const cw_kv *kv, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap);
/* store_write's contract: 0 when stored; 1 when it does not fit even after compaction (full), 2 on a flash error,
 * 3 when the key or value is longer than CW_KV_MAX_KEY / CW_KV_MAX_VALUE. */
int32_t cw_kv_write(cw_kv *kv, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len);

#endif
