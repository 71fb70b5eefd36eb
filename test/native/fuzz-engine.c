/*
 * libFuzzer target over the native engine's receive path (make fuzz SECONDS=N). An input is a replay scenario
 * (docs/NATIVE.md): CSMS frames, answers to the station's CALLs, board events and time. One that does not start
 * with its own `config` runs after test/fuzz/prelude.scenario (a 2-EVSE station, booted). Every input gets a
 * fresh engine and store. A finding is: a sanitizer report, an engine trap (the engine has no input that traps it),
 * or a frame the station sends that is not a well-formed OCPP-J message in valid JSON. test/host/fuzz.test.ts
 * replays the corpus through the Node host and validates every frame against the schemas.
 */
#define CW_FUZZ 1
#include "../../boards/posix/replay.c"

/* test/fuzz/prelude.scenario (CW_FUZZ_PRELUDE names another), read once. */
static char *prelude;
static size_t prelude_len;

/* ---- a strict JSON (RFC 8259) reader that only says whether the text is one valid value ---- */
static const uint8_t *jp, *jend;
static int depth;
static void ws(void) { while (jp < jend && (*jp == ' ' || *jp == '\t' || *jp == '\n' || *jp == '\r')) jp++; }
static int lit(const char *w) { size_t n = strlen(w); if ((size_t)(jend - jp) < n || memcmp(jp, w, n)) return 0; jp += n; return 1; }
static int digits(void) { const uint8_t *s = jp; while (jp < jend && *jp >= '0' && *jp <= '9') jp++; return jp > s; }
static int number(void) {
  if (jp < jend && *jp == '-') jp++;
  if (jp < jend && *jp == '0') jp++; else if (!digits()) return 0;
  if (jp < jend && *jp == '.') { jp++; if (!digits()) return 0; }
  if (jp < jend && (*jp == 'e' || *jp == 'E')) { jp++; if (jp < jend && (*jp == '+' || *jp == '-')) jp++; if (!digits()) return 0; }
  return 1;
}
static int string(void) {
  if (jp >= jend || *jp++ != '"') return 0;
  while (jp < jend && *jp != '"') {
    uint8_t c = *jp++;
    if (c < 0x20) return 0;
    if (c == '\\') {
      if (jp >= jend) return 0;
      c = *jp++;
      if (c == 'u') { for (int i = 0; i < 4; i++, jp++) if (jp >= jend || !isxdigit(*jp)) return 0; }
      else if (!strchr("\"\\/bfnrt", c)) return 0;
    } else if (c >= 0x80) {   /* UTF-8: the lead byte says how many continuation bytes follow */
      int more = (c & 0xE0) == 0xC0 && c >= 0xC2 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 && c <= 0xF4 ? 3 : -1;
      if (more < 0) return 0;
      for (int i = 0; i < more; i++, jp++) if (jp >= jend || (*jp & 0xC0) != 0x80) return 0;
    }
  }
  return jp < jend && *jp++ == '"';
}
static int value(void) {
  ws();
  if (jp >= jend || ++depth > 64) return 0;
  int ok;
  if (*jp == '{' || *jp == '[') {
    int obj = *jp++ == '{';
    ws();
    ok = 1;
    if (jp < jend && *jp == (obj ? '}' : ']')) jp++;
    else for (;;) {
      if (obj) { ws(); if (!string()) { ok = 0; break; } ws(); if (jp >= jend || *jp++ != ':') { ok = 0; break; } }
      if (!value()) { ok = 0; break; }
      ws();
      if (jp < jend && *jp == ',') { jp++; continue; }
      ok = jp < jend && *jp++ == (obj ? '}' : ']');
      break;
    }
  } else if (*jp == '"') ok = string();
  else ok = lit("true") || lit("false") || lit("null") || number();
  depth--;
  return ok;
}

/* Every frame the engine hands its transport: one JSON array, [2|3|4, "<1-36 chars>", ...], at most CW_MAX_FRAME. */
void cw_fuzz_sent(const uint8_t *frame, size_t len) {
  jp = frame; jend = frame + len; depth = 0;
  int ok = len <= CW_MAX_FRAME && value() && (ws(), jp == jend);
  if (ok) {
    jp = frame; jend = frame + len;
    ws();
    ok = jp < jend && *jp++ == '[';
    ws();
    ok = ok && jp < jend && *jp >= '2' && *jp <= '4' && jp + 1 < jend && jp[1] == ',';
    if (ok) { jp += 2; ws(); const uint8_t *id = jp + 1; ok = string() && jp - 1 - id >= 1 && jp - 1 - id <= 36; }
  }
  if (!ok) { fprintf(stderr, "fuzz: the station sent a malformed frame: %.*s\n", (int)len, (const char *)frame); abort(); }
}

static cw_board board;

static void reset_board(void) {
  for (int i = 0; i < MAX_KEYS; i++) { free(board.keys[i]); free(board.vals[i]); }
  memset(&board, 0, sizeof board);
  board.seed = 42;
  for (int i = 0; i <= MAX_EVSE; i++) for (int k = 0; k < 10; k++) board.meter[i][k] = NAN;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  const char *path = getenv("CW_FUZZ_PRELUDE") ? getenv("CW_FUZZ_PRELUDE") : "test/fuzz/prelude.scenario";
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) || (prelude_len = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET) ||
      !(prelude = malloc(prelude_len)) || fread(prelude, 1, prelude_len, f) != prelude_len) {
    fprintf(stderr, "fuzz: cannot read the prelude %s (run from the repository's root, or set CW_FUZZ_PRELUDE)\n", path);
    exit(2);
  }
  fclose(f);
  if (!freopen("/dev/null", "w", stdout)) return 1;   /* the replay's trace: not wanted here */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char config[MAX_LINE];
  reset_board();
  config[0] = 0;
  int boot_reason = 3;
  cw_engine *e = cw_engine_new(&board);
  if (!e) abort();
  if (size < 7 || memcmp(data, "config ", 7)) {
    FILE *pre = fmemopen(prelude, prelude_len, "r");
    if (run(&e, &board, pre, config, sizeof config, &boot_reason)) abort();
    fclose(pre);
  }
  if (size) {
    FILE *f = fmemopen((void *)data, size, "r");
    run(&e, &board, f, config, sizeof config, &boot_reason);
    fclose(f);
  }
  if (cw_engine_restarts(e)) { fprintf(stderr, "fuzz: the engine trapped (%d restarts)\n", (int)cw_engine_restarts(e)); abort(); }
  cw_engine_free(e);
  return 0;
}
