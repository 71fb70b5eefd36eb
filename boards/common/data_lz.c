/*
 * The engine's static data image for MCU builds, stored compressed in flash (schemas/mcu-c.ts writes it and calls
 * cw_load_data from the instantiation in place of wasm2c's raw copies). Decoding checks every length and distance
 * against the image and the memory; a damaged image traps like any other bad memory access.
 */
#include <stdint.h>
#include <string.h>

#include "wasm-rt.h"

extern const uint32_t cw_data_at, cw_data_size, cw_data_lz_size;
extern const uint8_t cw_data_lz[];

void cw_load_data(wasm_rt_memory_t *memory);

/* A 4-bit count of 15 continues in the following bytes, each added, until one is not 255. */
static uint32_t count(const uint8_t **p, const uint8_t *end, uint32_t n) {
  if (n != 15) return n;
  uint8_t b;
  do {
    if (*p >= end) return UINT32_MAX;
    b = *(*p)++;
    n += b;
  } while (b == 255);
  return n;
}

void cw_load_data(wasm_rt_memory_t *memory) {
  if ((uint64_t)cw_data_at + cw_data_size > memory->size) wasm_rt_trap(WASM_RT_TRAP_OOB);
  const uint8_t *p = cw_data_lz, *end = cw_data_lz + cw_data_lz_size;
  uint8_t *const base = memory->data + cw_data_at, *o = base, *const out_end = base + cw_data_size;
  while (p < end) {
    const uint8_t t = *p++;
    const uint32_t lit = count(&p, end, t >> 4);
    if (lit > (uint32_t)(end - p) || lit > (uint32_t)(out_end - o)) wasm_rt_trap(WASM_RT_TRAP_OOB);
    memcpy(o, p, lit);
    o += lit;
    p += lit;
    if (p == end) break;
    if (end - p < 2) wasm_rt_trap(WASM_RT_TRAP_OOB);
    const uint32_t dist = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    p += 2;
    const uint32_t len = count(&p, end, t & 15u);
    if (len == UINT32_MAX || dist == 0 || dist > (uint32_t)(o - base) || len + 4 > (uint32_t)(out_end - o)) wasm_rt_trap(WASM_RT_TRAP_OOB);
    for (uint32_t i = 0; i < len + 4; i++, o++) *o = *(o - dist);
  }
  if (o != out_end) wasm_rt_trap(WASM_RT_TRAP_OOB);
}
