/*
 * chargewasm-replay: runs the native engine through a scripted scenario on a
 * virtual clock and prints everything it does (frames sent, board outputs,
 * display texts), one line each. test/host/replay.ts does the same with the
 * Node host; the two outputs must be byte-identical (docs/NATIVE.md has the
 * scenario format).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chargewasm.h"
#include "wasm-rt.h"   /* only for fault injection: the `trap-on-*` commands */

#define MAX_LINE 20000
#define MAX_KEYS 128
#define MAX_OPEN 64
#define MAX_EVSE 8

struct cw_board {
  int64_t now;
  uint32_t seed;
  char *keys[MAX_KEYS];
  uint8_t *vals[MAX_KEYS];
  size_t lens[MAX_KEYS];
  char open[MAX_OPEN][40];   /* MessageIds of our CALLs not yet answered, oldest first */
  int n_open;
  double meter[MAX_EVSE + 1][10];
  char tx[40];               /* the last transactionId the engine sent: $TX in a frame */
  int reboot;
  int inited;                /* the scenario's init ran (a reboot inits the new engine itself) */
  int trap_on_store_write;    /* trap in the next store_write */
  int trap_on_meter_read;     /* trap in the next meter_read */
  int trap_on_store_read;     /* trap in every store_read (an engine that can never start) */
};

static void trap_now(const char *where) { printf("fault: trap during %s\n", where); wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); }

/* Complaints about the scenario and the engine's errors; the fuzz target, whose inputs are mostly wrong, keeps quiet. */
#ifdef CW_FUZZ
#define complain(...) ((void)sizeof(__VA_ARGS__, 0))
#define MAX_STEPS 20000   /* timers run by one `at`: an input that asks for a year of 1 s ticks is cut short */
#else
#define complain(...) fprintf(stderr, __VA_ARGS__)
#define MAX_STEPS 1000000
#endif

static const int64_t UTC0 = 1767225600000LL; /* 2026-01-01T00:00:00Z */

static void out(const char *kind, const uint8_t *text, size_t len) {
  printf("%s %.*s\n", kind, (int)len, (const char *)text);
}

int64_t cw_hal_now_ms(cw_board *b) { return b->now; }
int64_t cw_hal_utc_ms(cw_board *b) { return UTC0 + b->now; }
uint32_t cw_hal_random_u32(cw_board *b) {
  uint32_t s = b->seed;
  s ^= s << 13; s ^= s >> 17; s ^= s << 5;
  return b->seed = s;
}
void cw_hal_log(cw_board *b, int32_t level, const uint8_t *msg, size_t len) {
  (void)b;
  if (level == 0) complain("error: %.*s\n", (int)len, (const char *)msg);
}
void cw_hal_ws_connect(cw_board *b, const uint8_t *url, size_t url_len, const uint8_t *user, size_t user_len,
                       const uint8_t *pass, size_t pass_len, int32_t profile) {
  (void)b; (void)user; (void)user_len; (void)pass; (void)pass_len;
  printf("connect %.*s %d\n", (int)url_len, (const char *)url, (int)profile);
}
#ifdef CW_FUZZ
void cw_fuzz_sent(const uint8_t *frame, size_t len);
#endif
int32_t cw_hal_ws_send(cw_board *b, const uint8_t *frame, size_t len) {
  out(">", frame, len);
#ifdef CW_FUZZ
  cw_fuzz_sent(frame, len);
#endif
  static const char key[] = "\"transactionId\":\"";
  for (size_t i = 0; i + sizeof key - 1 + 36 <= len; i++) {
    if (memcmp(frame + i, key, sizeof key - 1) == 0) { memcpy(b->tx, frame + i + sizeof key - 1, 36); b->tx[36] = 0; break; }
  }
  if (len > 42 && memcmp(frame, "[2,\"", 4) == 0 && b->n_open < MAX_OPEN) {
    const uint8_t *q = memchr(frame + 4, '"', len - 4);
    size_t n = q ? (size_t)(q - frame - 4) : 0;
    if (n && n < sizeof b->open[0]) { memcpy(b->open[b->n_open], frame + 4, n); b->open[b->n_open++][n] = 0; }
  }
  return 0;
}
static int find(cw_board *b, const uint8_t *key, size_t len) {
  for (int i = 0; i < MAX_KEYS; i++)
    if (b->keys[i] && strlen(b->keys[i]) == len && memcmp(b->keys[i], key, len) == 0) return i;
  return -1;
}
int32_t cw_hal_store_read(cw_board *b, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap) {
  if (b->trap_on_store_read) trap_now("store_read");
  int i = find(b, key, key_len);
  if (i < 0) return -1;
  if (b->lens[i] > cap) return -2;
  memcpy(buf, b->vals[i], b->lens[i]);
  return (int32_t)b->lens[i];
}
int32_t cw_hal_store_write(cw_board *b, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len) {
  if (b->trap_on_store_write) { b->trap_on_store_write = 0; trap_now("store_write"); }
  int i = find(b, key, key_len);
  if (i < 0) {
    for (i = 0; i < MAX_KEYS && b->keys[i]; i++) {}
    if (i == MAX_KEYS) return 1;
    b->keys[i] = calloc(1, key_len + 1);
    memcpy(b->keys[i], key, key_len);
  }
  free(b->vals[i]);
  b->vals[i] = malloc(len ? len : 1);
  memcpy(b->vals[i], val, len);
  b->lens[i] = len;
  return 0;
}
void cw_hal_pilot_set(cw_board *b, int32_t evse, int32_t duty) { (void)b; printf("pilot %d %d\n", (int)evse, (int)duty); }
void cw_hal_contactor_set(cw_board *b, int32_t evse, int32_t closed) { (void)b; printf("contactor %d %d\n", (int)evse, (int)closed); }
void cw_hal_lock_set(cw_board *b, int32_t evse, int32_t c, int32_t locked) { (void)b; printf("lock %d %d %d\n", (int)evse, (int)c, (int)locked); }
int32_t cw_hal_meter_read(cw_board *b, int32_t evse, double *values, size_t cap) {
  if (evse < 1 || evse > MAX_EVSE) return 0;
  if (b->trap_on_meter_read) { b->trap_on_meter_read = 0; trap_now("meter_read"); }
  size_t n = cap < 10 ? cap : 10;
  memcpy(values, b->meter[evse], n * sizeof(double));
  return (int32_t)n;
}
void cw_board_fatal(cw_board *b, const char *reason) { (void)b; printf("fatal %s\n", reason); }
void cw_hal_reboot(cw_board *b, int32_t reason) { b->reboot = reason; printf("reboot %d\n", (int)reason); }
void cw_hal_display(cw_board *b, int32_t evse, const uint8_t *text, size_t len) {
  (void)b;
  printf("display %d %.*s\n", (int)evse, (int)len, (const char *)text);
}

/* Runs every timer due up to `until` on the virtual clock. */
static void advance(cw_engine *e, cw_board *b, int64_t until) {
  for (int guard = 0; guard < MAX_STEPS; guard++) {
    int32_t d = cw_engine_tick(e);
    if (d < 0 || b->now + d > until) break;
    b->now += d > 0 ? d : 1;
  }
  b->now = until;
  cw_engine_tick(e);
}

static int reply(cw_engine *e, cw_board *b, const char *payload, int error) {
  if (!b->n_open) { complain("replay: nothing to answer\n"); return 2; }
  char *frame = malloc(strlen(payload) + 128);
  if (error) sprintf(frame, "[4,\"%s\",\"%s\",\"\",{}]", b->open[0], payload);
  else sprintf(frame, "[3,\"%s\",%s]", b->open[0], payload);
  memmove(b->open[0], b->open[1], sizeof b->open[0] * (size_t)(b->n_open - 1));
  b->n_open--;
  cw_engine_on_frame(e, (const uint8_t *)frame, strlen(frame));
  free(frame);
  return 0;
}

#ifdef CW_PROFILE
/* make bench on an MCU under QEMU -icount: the guest instructions the engine runs (the binding says when, cw_profile),
 * from the core's retired-instruction counter (rv32), or the board's (boards/stm32f405/icount.c). */
#if defined(__riscv)
#define INSTRUCTIONS_PER_COUNT 1.0
static uint64_t instructions(void) {
#define CSR(name, v) __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr %0, " name "\n.option pop" : "=r"(v))
  uint32_t hi, lo, again;
  do { CSR("minstreth", hi); CSR("minstret", lo); CSR("minstreth", again); } while (hi != again);
  return (uint64_t)hi << 32 | lo;
}
#else
/* The board's counter, in counts of INSTRUCTIONS_PER_COUNT (kept cheap to read: it runs at every transition). */
uint64_t cw_counter(void);
double cw_instructions_per_count(void);
#define instructions cw_counter
#define INSTRUCTIONS_PER_COUNT cw_instructions_per_count()
#endif
static uint64_t engine_instructions, since;
static int running;
void cw_profile(int on) {
  if (on == running) return;
  uint64_t t = instructions();
  if (on) since = t; else engine_instructions += t - since;
  running = on;
}
#endif

/* A board whose scenario can come over its UART (the STM32F405 replay firmware) gives it as a stream here. */
__attribute__((weak)) FILE *cw_serial_input(void) { return NULL; }

/* Runs a scenario's commands from f on the engine *ep (replaced after a reboot): 0, or 1 (init refused) or 2 (a bad
 * command), with a message on stderr. */
static int run(cw_engine **ep, cw_board *board, FILE *f, char *config, size_t config_cap, int *boot_reason) {
  cw_engine *e = *ep;
  static char line[MAX_LINE];
  int rc = 0;
  while (!rc && fgets(line, sizeof line, f)) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (!n || line[0] == '#') continue;
    char *arg = strchr(line, ' ');
    if (arg) *arg++ = 0; else arg = line + n;
    if (!strcmp(line, "config")) snprintf(config, config_cap, "%s", arg);
    else if (!strcmp(line, "boot")) *boot_reason = atoi(arg);
    else if (!strcmp(line, "init")) {
      if (board->inited++) { complain("replay: init twice\n"); rc = 2; }
      else if (cw_engine_init(e, config, strlen(config), *boot_reason) && !cw_engine_failed(e)) { complain("replay: init refused\n"); rc = 1; }
    }
    else if (!strcmp(line, "at")) {
      /* The monotonic clock never goes back, and a scenario spans at most ten years. */
      int64_t t = strtoll(arg, NULL, 10);
      if (t < board->now || t > 10LL * 366 * 86400000) { complain("replay: at %s: out of range\n", arg); rc = 2; }
      else advance(e, board, t);
    }
    else if (!strcmp(line, "tick")) cw_engine_tick(e);
    else if (!strcmp(line, "connected")) cw_engine_on_connection(e, 1);
    else if (!strcmp(line, "disconnected")) { board->n_open = 0; cw_engine_on_connection(e, 0); }
#ifndef CW_FUZZ
    else if (!strcmp(line, "trap-on-store-write")) board->trap_on_store_write = 1;
    else if (!strcmp(line, "trap-on-meter-read")) board->trap_on_meter_read = 1;
    else if (!strcmp(line, "trap-on-store-read")) board->trap_on_store_read = 1;
#endif
    else if (!strcmp(line, "reply")) rc = reply(e, board, arg, 0);
    else if (!strcmp(line, "error")) rc = reply(e, board, arg, 1);
    else if (!strcmp(line, "frame")) {
      char *tx;
      while ((tx = strstr(arg, "$TX")) != NULL && strlen(board->tx) == 36 && strlen(line) + 1 + strlen(arg) + 33 < sizeof line) {
        memmove(tx + 36, tx + 3, strlen(tx + 3) + 1);   /* the placeholder is 3 bytes, the id 36 */
        memcpy(tx, board->tx, 36);
      }
      size_t len = strlen(arg);
#ifdef CW_FUZZ
      if (len > CW_MAX_FRAME) len = CW_MAX_FRAME;   /* a transport never hands the engine more */
#endif
      out("<", (const uint8_t *)arg, len);
      cw_engine_on_frame(e, (const uint8_t *)arg, len);
    }
    else if (!strcmp(line, "pilot")) {
      int evse = 0, connector = 1; char state = 'A';
      sscanf(arg, "%d %c %d", &evse, &state, &connector);
      cw_engine_on_board_event(e, evse, CW_PILOT, (state - 'A') | (connector << 8));
    } else if (!strcmp(line, "event")) {
      int evse = 0, kind = 0, value = 0;
      sscanf(arg, "%d %d %d", &evse, &kind, &value);
      cw_engine_on_board_event(e, evse, kind, value);
    } else if (!strcmp(line, "token")) {
      int evse = 0, type = 2; char id[64] = "";
      sscanf(arg, "%d %63s %d", &evse, id, &type);
      cw_engine_on_token(e, evse, id, strlen(id), type);
    } else if (!strcmp(line, "meter")) {
      int evse = atoi(arg);
      char *p = strchr(arg, ' ');
      for (int k = 0; k < 10 && p && evse >= 0 && evse <= MAX_EVSE; k++) {
        board->meter[evse][k] = strncmp(p + 1, "nan", 3) == 0 ? NAN : strtod(p + 1, NULL);
        p = strchr(p + 1, ' ');
      }
    } else { complain("replay: unknown command %s\n", line); rc = 2; }
    if (board->reboot) {
      int reason = board->reboot;
      board->reboot = 0;
      board->n_open = 0;
      cw_engine_free(e);
      *ep = e = cw_engine_new(board);
      if (cw_engine_init(e, config, strlen(config), reason)) rc = 1;
    }
  }
  return rc;
}

#ifndef CW_FUZZ   /* test/native/fuzz-engine.c runs scenarios through run() instead */
int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: chargewasm-replay SCENARIO|serial\n"); return 2; }
  FILE *f = strcmp(argv[1], "serial") ? fopen(argv[1], "r") : cw_serial_input();
  if (!f) { perror(argv[1]); return 2; }
  static cw_board board;
  board.seed = 42;
  for (int i = 0; i <= MAX_EVSE; i++) for (int k = 0; k < 10; k++) board.meter[i][k] = NAN;
  cw_engine *e = cw_engine_new(&board);
  static char config[MAX_LINE];
  int boot_reason = 3;
  int rc = run(&e, &board, f, config, sizeof config, &boot_reason);
  if (rc) return rc;
  fclose(f);
  printf("end %lld restarts %d\n", (long long)board.now, (int)cw_engine_restarts(e));
#ifdef CW_PROFILE
  printf("engine instructions %llu\n", (unsigned long long)((double)engine_instructions * INSTRUCTIONS_PER_COUNT + 0.5));
#endif
  cw_engine_free(e);
  return 0;
}
#endif
