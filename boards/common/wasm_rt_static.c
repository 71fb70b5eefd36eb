/*
 * A wasm2c runtime for microcontrollers, in place of the stock wasm-rt-impl.c (which needs mmap, malloc and a
 * 64 KiB exception buffer): linear memory is one static array of CW_LINEAR_PAGES pages, growing fails past it;
 * the function table is static too; a trap longjmps to the binding's guard (engine_wasm2c.c), which restarts the
 * engine. Nothing here allocates.
 */
#include <stdarg.h>
#include <string.h>

#include "wasm-rt-impl.h"

#ifndef CW_LINEAR_PAGES
#define CW_LINEAR_PAGES 8
#endif
#ifndef CW_TABLE_MAX
#define CW_TABLE_MAX 128
#endif
#define CW_FUNC_TYPES 64
#define CW_TYPE_ARITY 16

jmp_buf wasm_rt_jmp_buf;
#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
uint32_t wasm_rt_saved_call_stack_depth;
#endif

#ifdef CW_ADDR_MASK
/* Masked addresses (see the Makefile's MCU_MEMCHECK): the mask covers the whole buffer only for a power of two, and an
 * access of up to 8 bytes at the last address runs 7 bytes past it. */
_Static_assert((CW_LINEAR_PAGES & (CW_LINEAR_PAGES - 1)) == 0, "CW_LINEAR_PAGES must be a power of two");
#define CW_LINEAR_SLACK 8u
#else
#define CW_LINEAR_SLACK 0u
#endif
static uint8_t linear[CW_LINEAR_PAGES * 65536u + CW_LINEAR_SLACK] __attribute__((aligned(8)));
static int linear_taken;
static wasm_rt_funcref_t table[CW_TABLE_MAX];
static int initialized;

void wasm_rt_init(void) { initialized = 1; }
bool wasm_rt_is_initialized(void) { return initialized; }
void wasm_rt_free(void) { initialized = 0; }

void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { (void)target; }

WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t code) {
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = wasm_rt_saved_call_stack_depth;
#endif
  WASM_RT_LONGJMP(wasm_rt_jmp_buf, code);
}

/* Function types compare by signature: the same signature gets the same index. Types arrive as ints (an enum
 * passed through "..." is promoted to int; reading it back as the enum breaks under arm-none-eabi's short enums). */
static uint8_t types[CW_FUNC_TYPES][2 + CW_TYPE_ARITY];
static uint32_t n_types;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint8_t sig[2 + CW_TYPE_ARITY] = { (uint8_t)params, (uint8_t)results };
  if (params + results > CW_TYPE_ARITY) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) sig[2 + i] = (uint8_t)va_arg(ap, int);
  va_end(ap);
  for (uint32_t i = 0; i < n_types; i++) if (!memcmp(types[i], sig, sizeof sig)) return i;
  if (n_types == CW_FUNC_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  memcpy(types[n_types], sig, sizeof sig);
  return n_types++;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *m, uint32_t initial_pages, uint32_t max_pages) {
  if (linear_taken || initial_pages > CW_LINEAR_PAGES) wasm_rt_trap(WASM_RT_TRAP_OOB);
  linear_taken = 1;
  m->data = linear;
  m->pages = initial_pages;
  m->max_pages = max_pages < CW_LINEAR_PAGES ? max_pages : CW_LINEAR_PAGES;
  m->size = initial_pages * 65536u;
  memset(linear, 0, (size_t)m->size);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *m, uint32_t delta) {
  uint32_t old = m->pages;
  if ((uint64_t)old + delta > m->max_pages) return (uint32_t)-1;
  memset(m->data + m->size, 0, (size_t)(delta * 65536u));
  m->pages = old + delta;
  m->size = m->pages * 65536u;
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *m) { (void)m; linear_taken = 0; }

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *t, uint32_t elements, uint32_t max_elements) {
  if (elements > CW_TABLE_MAX) wasm_rt_trap(WASM_RT_TRAP_OOB);
  t->data = table;
  t->size = elements;
  t->max_size = max_elements < CW_TABLE_MAX ? max_elements : CW_TABLE_MAX;
  memset(table, 0, sizeof table);
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *t) { (void)t; }

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *t, uint32_t elements, uint32_t max_elements) {
  (void)max_elements;
  if (elements) wasm_rt_trap(WASM_RT_TRAP_OOB);
  t->data = NULL;
  t->size = t->max_size = 0;
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t *t) { (void)t; }
