/*
 * chargewasm-station: the native engine as a Linux charging station. OCPP-J over
 * libwebsockets (subprotocol ocpp2.0.1, HTTP Basic auth, wss with the system's
 * CA store or CHARGEWASM_CA_FILE), the wall clock, file-backed storage. Board I/O goes over the board
 * link (docs/BOARD-LINK.md) to a board or the Node board simulator; without one
 * the station has no EV.
 *
 *   chargewasm-station CONFIG.json STORE-DIR [--board tcp:HOST:PORT]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boardlink.h"
#include "chargewasm.h"
#include "kvstore.h"

#define SUBPROTOCOL "ocpp2.0.1"
/* Outgoing frames the transport holds; past RX_PAUSE_AT it stops reading from the CSMS (TCP back-pressure),
 * when full ws_send answers CW_SEND_BUSY and the engine retries once the queue has drained. */
#define QUEUE 64
#define RX_PAUSE_AT (QUEUE - 8)
#define RX_RESUME_AT (QUEUE / 4)

struct frame { unsigned char *data; size_t len; };

struct cw_board {
  struct lws_context *ctx;
  struct lws *wsi;                /* the open connection */
  struct lws *pending;            /* the connection attempt under way */
  int up;
  char auth[512];                 /* "Basic ..." or empty */
  struct frame out[QUEUE];
  int out_head, out_count;
  unsigned char *rx;              /* the message being received, at most CW_MAX_FRAME bytes */
  size_t rx_len;
  int rx_paused;
  int too_large;                  /* 1: a frame over CW_MAX_FRAME is being dropped; 2: dropped, close with 1009 */
  int blocked;                    /* ws_send answered busy: tick the engine once there is room */
  int dialing;                    /* a connection attempt is under way */
  int report_down;                /* a close or failed attempt the engine has not been told of yet */
  int closing;                    /* rebooting: send what is queued, then a close frame */
  int fatal;                      /* the engine was given up (cw_board_fatal) */
  const char *store;
  cw_kv *flash;                   /* with a flash:IMAGE store: the MCU ports' key-value store on a simulated flash */
  int reboot;
  int link_fd;                    /* board link socket, -1 without a board */
  bl_client link;                 /* boards/common/boardlink.c */
};

static cw_engine *engine;
static volatile sig_atomic_t stopping, trap_requested;
static lws_sorted_usec_list_t tick_sul;
static struct lws_context *context;
static cw_board *the_board;
static int link_wait(bl_client *c, int timeout);

/* SIGUSR1 (testing): the engine traps at its next entry, as after a fault inside it. */
static void take_trap_request(void) {
  if (trap_requested && engine) { trap_requested = 0; cw_engine_inject_trap(engine); }
}

/* Runs the engine's due work, then wakes the event loop again at its next deadline (at least once a second). */
static void on_tick(lws_sorted_usec_list_t *sul) {
  (void)sul;
  if (!engine || stopping || the_board->reboot || the_board->fatal) return;
  take_trap_request();
  bl_client *link = &the_board->link;
  if (engine && cw_engine_restarts(engine) != link->restarts) bl_hello(link);
  if (the_board->report_down) { the_board->report_down = 0; cw_engine_on_connection(engine, 0); }
  if (!link->down) { link_wait(link, 0); take_trap_request(); bl_deliver(link); }
  int32_t next = cw_engine_tick(engine);
  int32_t cap = !link->down ? 10 : 1000;   /* with a board, look at its inputs every 10 ms */
  lws_sul_schedule(context, 0, &tick_sul, on_tick, (lws_usec_t)(next < 0 || next > cap ? cap : next) * LWS_US_PER_MS);
}

static int64_t ms(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int64_t cw_hal_now_ms(cw_board *b) { return b->link.virtual_clock ? b->link.vnow : ms(CLOCK_MONOTONIC); }
int64_t cw_hal_utc_ms(cw_board *b) { return b->link.virtual_clock ? b->link.vutc : ms(CLOCK_REALTIME); }
uint32_t cw_hal_random_u32(cw_board *b) {
  (void)b;
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, 0) != sizeof r) r = (uint32_t)ms(CLOCK_MONOTONIC) * 2654435761u;
  return r;
}

void cw_hal_log(cw_board *b, int32_t level, const uint8_t *msg, size_t len) {
  static const char *names[] = { "error", "warn", "info", "debug" };
  (void)b;
  if (level < 3) fprintf(stderr, "[%s] %.*s\n", names[level < 0 ? 0 : level], (int)len, (const char *)msg);
}

/* A frame as traced on stdout; one that names BasicAuthPassword shows every attributeValue string as "***". */
static void trace(const char *dir, const uint8_t *f, size_t len) {
  static const char secret[] = "BasicAuthPassword", key[] = "\"attributeValue\"";
  size_t i = 0;
  printf("%s ", dir);
  if (memmem(f, len, secret, sizeof secret - 1)) {
    for (const uint8_t *k; i < len && (k = memmem(f + i, len - i, key, sizeof key - 1)) != NULL;) {
      size_t j = (size_t)(k - f) + sizeof key - 1;
      while (j < len && (f[j] == ' ' || f[j] == ':' || f[j] == '\t' || f[j] == '\r' || f[j] == '\n')) j++;
      if (j >= len || f[j] != '"') { fwrite(f + i, 1, j - i, stdout); i = j; continue; }
      fwrite(f + i, 1, j + 1 - i, stdout);
      for (j++; j < len && f[j] != '"';) j += f[j] == '\\' ? 2 : 1;
      fputs("***", stdout);
      i = j;
    }
  }
  if (i < len) fwrite(f + i, 1, len - i, stdout);
  putchar('\n');
  fflush(stdout);
}

/* ---- the WebSocket ---- */
static void drop_queue(cw_board *b) {
  while (b->out_count) { free(b->out[b->out_head].data); b->out_head = (b->out_head + 1) % QUEUE; b->out_count--; }
}

/* Everything one connection had: its handles, the message being received, the frames waiting to be written. */
static void forget_connection(cw_board *b) {
  b->wsi = b->pending = NULL;
  b->up = b->dialing = 0;
  b->rx_len = 0;
  b->rx_paused = b->too_large = 0;
  drop_queue(b);
}

static void schedule_tick_now(void) { lws_sul_schedule(context, 0, &tick_sul, on_tick, 1); }

/* The connection closed or an attempt failed: the engine hears of it from on_tick, never from inside one of its calls. */
static void down(cw_board *b, const char *why) {
  if (stopping || (!b->wsi && !b->up && !b->dialing)) return;
  fprintf(stderr, "[warn] transport: %s\n", why);
  forget_connection(b);
  b->report_down = 1;
  schedule_tick_now();
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
  cw_board *b = (cw_board *)lws_context_user(lws_get_context(wsi));
  (void)user;
  switch (reason) {
  case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
    if (!b->auth[0]) break;
    unsigned char **p = (unsigned char **)in, *end = (*p) + len;
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)b->auth, (int)strlen(b->auth), p, end)) return -1;
    break;
  }
  case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH: {
    /* The handshake's headers are still here: refuse a CSMS that did not choose ocpp2.0.1. */
    char proto[64] = "";
    lws_hdr_copy(wsi, proto, sizeof proto, WSI_TOKEN_PROTOCOL);
    if (strcmp(proto, SUBPROTOCOL) != 0) {
      fprintf(stderr, "[warn] transport: CSMS did not agree to subprotocol %s (got \"%s\"); closing\n", SUBPROTOCOL, proto);
      return 1;
    }
    break;
  }
  case LWS_CALLBACK_CLIENT_ESTABLISHED: {
    if (wsi != b->pending) return -1;
    b->pending = NULL;
    b->wsi = wsi;
    b->up = 1;
    b->dialing = 0;
    b->link.sent = b->link.received = 0;   /* NEXT counts this connection's frames */
    printf("connected\n");
    fflush(stdout);
    cw_engine_on_connection(engine, 1);
    on_tick(NULL);
    break;
  }
  case LWS_CALLBACK_CLIENT_RECEIVE: {
    if (lws_frame_is_binary(wsi)) { fprintf(stderr, "[warn] transport: dropped a binary frame\n"); break; }
    int last = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
    if (!b->too_large && b->rx_len + len > CW_MAX_FRAME) {
      fprintf(stderr, "[warn] transport: a frame from the CSMS exceeds %d bytes; closing (1009)\n", CW_MAX_FRAME);
      b->too_large = 1;
    }
    /* Its bytes are read and dropped, not buffered; the close (1009) goes out once the whole frame is read, so
     * the CSMS gets the close frame rather than a reset, and from the writable callback (closing from here
     * crashes libwebsockets 4.1). */
    if (b->too_large) { if (last) { b->too_large = 2; lws_callback_on_writable(wsi); } break; }
    memcpy(b->rx + b->rx_len, in, len);
    b->rx_len += len;
    if (last) {
      trace("csms -> station", b->rx, b->rx_len);
      b->link.received++;
      size_t n = b->rx_len;
      b->rx_len = 0;
      cw_engine_on_frame(engine, b->rx, n);
      on_tick(NULL);
    }
    break;
  }
  case LWS_CALLBACK_CLIENT_WRITEABLE:
    if (b->too_large == 2) {
      lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"frame too large", 15);
      return -1;
    }
    if (b->out_count) {
      struct frame *f = &b->out[b->out_head];
      unsigned char *buf = malloc(LWS_PRE + f->len);
      if (!buf) return -1;
      memcpy(buf + LWS_PRE, f->data, f->len);
      int n = lws_write(wsi, buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
      free(buf);
      if (n < (int)f->len) return -1;
      free(f->data);
      b->out_head = (b->out_head + 1) % QUEUE;
      b->out_count--;
      if (b->rx_paused && b->out_count <= RX_RESUME_AT) { b->rx_paused = 0; lws_rx_flow_control(wsi, 1); }
      if (b->blocked) { b->blocked = 0; schedule_tick_now(); }
    }
    if (b->out_count) lws_callback_on_writable(wsi);
    else if (b->closing) {
      lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"rebooting", 9);
      return -1;
    }
    break;
  case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    /* May come from inside lws_client_connect_via_info, before it returned the attempt's wsi. */
    if (b->dialing && (!b->pending || wsi == b->pending)) down(b, in ? (const char *)in : "connection error");
    break;
  case LWS_CALLBACK_CLIENT_CLOSED:
  case LWS_CALLBACK_WSI_DESTROY:
    if (wsi == b->wsi || (wsi == b->pending && b->dialing)) down(b, "closed");
    break;
  default:
    break;
  }
  return 0;
}

static const struct lws_protocols protocols[] = {
  { SUBPROTOCOL, callback, 0, CW_MAX_FRAME, 0, NULL, 0 },
  { NULL, NULL, 0, 0, 0, NULL, 0 }
};

void cw_hal_ws_connect(cw_board *b, const uint8_t *url, size_t url_len, const uint8_t *user, size_t user_len,
                       const uint8_t *pass, size_t pass_len, int32_t profile) {
  char u[1024], *prot, *address, *path;
  int port;
  if (url_len >= sizeof u) { b->dialing = 1; down(b, "URL too long"); return; }
  memcpy(u, url, url_len);
  u[url_len] = 0;
  /* A new engine (after a trap) dials while the old connection may still be open: drop it, as a restart would. */
  struct lws *old = b->wsi ? b->wsi : b->pending;
  forget_connection(b);
  if (old) lws_set_timeout(old, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
  printf("connecting to %s\n", u);
  fflush(stdout);
  b->dialing = 1;
  if (lws_parse_uri(u, (const char **)&prot, (const char **)&address, &port, (const char **)&path)) { down(b, "bad URL"); return; }
  b->auth[0] = 0;
  if (profile >= 1 && pass_len) {
    char cred[400];
    int n = snprintf(cred, sizeof cred, "%.*s:%.*s", (int)user_len, (const char *)user, (int)pass_len, (const char *)pass);
    strcpy(b->auth, "Basic ");
    lws_b64_encode_string(cred, n, b->auth + 6, (int)sizeof b->auth - 7);
  }
  char fullpath[1100];
  snprintf(fullpath, sizeof fullpath, "/%s", path);
  struct lws_client_connect_info i;
  memset(&i, 0, sizeof i);
  i.context = b->ctx;
  i.address = address;
  i.port = port;
  i.path = fullpath;
  i.host = address;
  i.origin = address;
  i.protocol = SUBPROTOCOL;
  i.ssl_connection = !strcmp(prot, "wss") ? LCCSCF_USE_SSL : 0;
  struct lws *w = lws_client_connect_via_info(&i);
  if (!w) { if (b->dialing) down(b, "could not start the connection"); }
  else if (b->dialing) b->pending = w;
}

int32_t cw_hal_ws_send(cw_board *b, const uint8_t *frame, size_t len) {
  if (!b->up || !b->wsi || b->closing) return CW_SEND_CLOSED;
  struct frame *f = &b->out[(b->out_head + b->out_count) % QUEUE];
  if (b->out_count == QUEUE || !(f->data = malloc(len ? len : 1))) { b->blocked = 1; return CW_SEND_BUSY; }
  memcpy(f->data, frame, len);
  f->len = len;
  b->out_count++;
  b->link.sent++;
  trace("station -> csms", frame, len);
  if (b->out_count >= RX_PAUSE_AT && !b->rx_paused) { b->rx_paused = 1; lws_rx_flow_control(b->wsi, 0); }
  lws_callback_on_writable(b->wsi);
  return CW_SEND_OK;
}

/* ---- storage: one file per key under the store directory ---- */
static void key_path(cw_board *b, const uint8_t *key, size_t len, char *out, size_t cap) {
  size_t n = (size_t)snprintf(out, cap, "%s/", b->store);
  for (size_t i = 0; i < len && n + 1 < cap; i++) out[n++] = key[i] == '/' ? '~' : (char)key[i];
  out[n] = 0;
}

/* ---- storage as on an MCU: the flash key-value store (boards/common/kvstore.c) on a flash image file of two
 * FLASH_SECTOR sectors, mapped into memory; every erase and program reaches the file before it returns ---- */
#define FLASH_SECTOR (32u * 1024u)
static uint8_t *flash_image;
static const uint8_t *flash_map(void *ctx, int sector) { (void)ctx; return flash_image + (size_t)sector * FLASH_SECTOR; }
static int flash_sync(uint8_t *p, size_t len) {
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start = (uintptr_t)p & ~(page - 1);
  return msync((void *)start, len + ((uintptr_t)p - start), MS_SYNC);
}
static int flash_erase(void *ctx, int sector) {
  (void)ctx;
  memset(flash_image + (size_t)sector * FLASH_SECTOR, 0xFF, FLASH_SECTOR);
  return flash_sync(flash_image + (size_t)sector * FLASH_SECTOR, FLASH_SECTOR) ? 1 : 0;
}
static int flash_program(void *ctx, int sector, uint32_t off, const void *data, uint32_t len) {
  (void)ctx;
  uint8_t *p = flash_image + (size_t)sector * FLASH_SECTOR + off;
  for (uint32_t i = 0; i < len; i++) p[i] &= ((const uint8_t *)data)[i];   /* NOR: programming only clears bits */
  return flash_sync(p, len) ? 1 : 0;
}
static const cw_flash station_flash = { FLASH_SECTOR, flash_map, flash_erase, flash_program, NULL };

/* Opens (or creates, erased) the flash image and mounts the store on it; 0 on success. */
static int flash_open(cw_board *b, const char *path) {
  static cw_kv kv;
  int fd = open(path, O_RDWR | O_CREAT, 0600);   /* owner only: the store holds credentials */
  struct stat st;
  if (fd < 0 || fstat(fd, &st)) return 1;
  if (st.st_size != 2 * FLASH_SECTOR) {
    static uint8_t erased[FLASH_SECTOR];
    memset(erased, 0xFF, sizeof erased);
    if (ftruncate(fd, 0) || write(fd, erased, sizeof erased) != (ssize_t)sizeof erased || write(fd, erased, sizeof erased) != (ssize_t)sizeof erased) { close(fd); return 1; }
  }
  flash_image = mmap(NULL, 2 * FLASH_SECTOR, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (flash_image == MAP_FAILED || cw_kv_mount(&kv, &station_flash)) return 1;
  b->flash = &kv;
  return 0;
}

int32_t cw_hal_store_read(cw_board *b, const uint8_t *key, size_t key_len, uint8_t *buf, size_t cap) {
  if (b->flash) return cw_kv_read(b->flash, key, key_len, buf, cap);
  char path[1024];
  key_path(b, key, key_len, path, sizeof path);
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  rewind(f);
  if (size < 0 || (size_t)size > cap) { fclose(f); return -2; }
  size_t got = fread(buf, 1, (size_t)size, f);
  fclose(f);
  return (int32_t)got;
}

int32_t cw_hal_store_write(cw_board *b, const uint8_t *key, size_t key_len, const uint8_t *val, size_t len) {
  if (b->flash) return cw_kv_write(b->flash, key, key_len, val, len);
  char path[1024], tmp[1040];
  key_path(b, key, key_len, path, sizeof path);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  /* Owner only: the store holds credentials (SecurityCtrlr.BasicAuthPassword). */
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f) { if (fd >= 0) close(fd); return 1; }
  int ok = fwrite(val, 1, len, f) == len && fflush(f) == 0 && fdatasync(fd) == 0;   /* on the disk before it replaces the old */
  ok = fclose(f) == 0 && ok;
  return ok && rename(tmp, path) == 0 ? 0 : 1;
}

/* ---- the board link (boards/common/boardlink.c) over a TCP socket ---- */
static void link_write(bl_client *c, const uint8_t *frame, size_t n) {
  cw_board *b = c->port;
  for (size_t off = 0; off < n;) {
    ssize_t w = send(b->link_fd, frame + off, n - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EAGAIN) { struct pollfd pf = { b->link_fd, POLLOUT, 0 }; poll(&pf, 1, 100); continue; }
    if (w <= 0) { fprintf(stderr, "[error] board link: write failed; board I/O lost\n"); close(b->link_fd); c->down = 1; return; }
    off += (size_t)w;
  }
}

/* Reads what the board sent, waiting up to `timeout` ms for the first bytes. */
static int link_wait(bl_client *c, int timeout) {
  cw_board *b = c->port;
  uint8_t chunk[1024];
  struct pollfd pf = { b->link_fd, POLLIN, 0 };
  if (c->down || (timeout > 0 && poll(&pf, 1, timeout) <= 0)) return 0;
  int got = 0;
  for (;;) {
    ssize_t n = recv(b->link_fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      fprintf(stderr, "[error] board link: closed by the board\n");
      close(b->link_fd); c->down = 1; return got;
    }
    if (n < 0) return got;
    bl_input(c, chunk, (size_t)n);
    got = 1;
  }
}

static int64_t link_ms(bl_client *c) { (void)c; return ms(CLOCK_MONOTONIC); }

static int link_connect(const char *spec) {
  char host[256]; const char *port;
  if (strncmp(spec, "tcp:", 4) || !(port = strrchr(spec + 4, ':')) || (size_t)(port - spec - 4) >= sizeof host) return -1;
  memcpy(host, spec + 4, (size_t)(port - spec - 4));
  host[port - spec - 4] = 0;
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
  if (getaddrinfo(host, port + 1, &hints, &ai)) return -1;
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) { close(fd); fd = -1; }
  freeaddrinfo(ai);
  return fd;
}

/* ---- board outputs ---- */
void cw_hal_pilot_set(cw_board *b, int32_t evse, int32_t duty) { bl_pilot_set(&b->link, evse, duty); }
void cw_hal_contactor_set(cw_board *b, int32_t evse, int32_t closed) { bl_contactor_set(&b->link, evse, closed); }
void cw_hal_lock_set(cw_board *b, int32_t evse, int32_t c, int32_t locked) { bl_lock_set(&b->link, evse, c, locked); }
int32_t cw_hal_meter_read(cw_board *b, int32_t evse, double *out, size_t cap) { return bl_meter_read(&b->link, evse, out, cap); }
void cw_hal_display(cw_board *b, int32_t evse, const uint8_t *text, size_t len) { bl_display(&b->link, evse, text, len); }
void cw_hal_reboot(cw_board *b, int32_t reason) { b->reboot = reason; }
void cw_board_fatal(cw_board *b, const char *reason) {
  fprintf(stderr, "[error] fatal: %s\n", reason);
  bl_safe(&b->link);
  b->fatal = 1;
}

static void on_signal(int sig) { if (sig == SIGUSR1) trap_requested = 1; else stopping = 1; }

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (s) { *len = fread(s, 1, (size_t)n, f); s[*len] = 0; }
  fclose(f);
  return s;
}

int main(int argc, char **argv) {
  int virtual_clock = argc == 6 && !strcmp(argv[5], "--virtual-clock");
  if (argc != 3 && !((argc == 5 || virtual_clock) && !strcmp(argv[3], "--board"))) {
    fprintf(stderr, "usage: chargewasm-station CONFIG.json STORE-DIR|flash:IMAGE [--board tcp:HOST:PORT [--virtual-clock]]\n");
    return 2;
  }
  size_t config_len = 0;
  char *config = slurp(argv[1], &config_len);
  if (!config) { perror(argv[1]); return 2; }
  int on_flash = !strncmp(argv[2], "flash:", 6);
  if (!on_flash && mkdir(argv[2], 0700) && errno != EEXIST) { perror(argv[2]); return 2; }
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGUSR1, on_signal);
  signal(SIGPIPE, SIG_IGN);

  static cw_board board;
  the_board = &board;
  board.store = argv[2];
  board.link_fd = -1;
  board.link = (bl_client){ .down = 1, .write = link_write, .wait = link_wait, .ms = link_ms, .port = &board };
  if (on_flash && flash_open(&board, argv[2] + 6)) { fprintf(stderr, "store: cannot open the flash image %s\n", argv[2] + 6); return 2; }
  if (argc >= 5) {
    board.link_fd = link_connect(argv[4]);
    if (board.link_fd < 0) { fprintf(stderr, "board link: cannot connect to %s\n", argv[4]); return 1; }
    board.link.down = 0;
    bl_hello(&board.link);
    board.link.virtual_clock = virtual_clock;
    /* On a virtual clock nothing starts before the board says what time it is. */
    bl_await_clock(&board.link);
  }
  board.rx = malloc(CW_MAX_FRAME);
  lws_set_log_level(LLL_ERR, NULL);
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.user = &board;
  /* wss: the system's CA store, or the CA (bundle) file named by CHARGEWASM_CA_FILE, e.g. a CSMS's own root. */
  info.client_ssl_ca_filepath = getenv("CHARGEWASM_CA_FILE");
  board.ctx = context = lws_create_context(&info);
  if (!board.ctx) { fprintf(stderr, "libwebsockets: no context\n"); return 1; }

  int32_t reason = 3; /* PowerUp */
  int status = 0, starts = 0;
  for (;;) {
    board.link.engine = engine = cw_engine_new(&board);
    if (!engine) { fprintf(stderr, "out of memory\n"); return 1; }
    if (cw_engine_init(engine, config, config_len, reason)) {
      if (!cw_engine_failed(engine)) fprintf(stderr, "station config refused (%s)\n", argv[1]);
      status = cw_engine_failed(engine) ? 3 : 1;
      break;
    }
    if (starts++) bl_hello(&board.link);
    on_tick(NULL);
    while (!stopping && !board.reboot && !board.fatal) lws_service(board.ctx, 0);
    if (stopping || board.fatal) { status = board.fatal ? 3 : 0; break; }
    reason = board.reboot;
    /* Deliver what the engine already sent (the ResetResponse, the Ended events), close with 1001, then reboot. */
    if (board.wsi && board.up) {
      board.closing = 1;
      lws_set_timeout(board.wsi, PENDING_TIMEOUT_CLOSE_SEND, 3);
      lws_callback_on_writable(board.wsi);
      for (int64_t until = ms(CLOCK_MONOTONIC) + 4000; board.wsi && ms(CLOCK_MONOTONIC) < until;) lws_service(board.ctx, 0);
    }
    printf("rebooting (boot reason %d)\n", reason);
    if (board.wsi) lws_set_timeout(board.wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
    board.reboot = board.closing = board.report_down = board.blocked = 0;
    forget_connection(&board);
    cw_engine_free(engine);
  }
  stopping = 1;
  lws_sul_cancel(&tick_sul);
  lws_context_destroy(board.ctx);   /* its close callbacks still see the engine */
  cw_engine_free(engine);
  board.link.engine = engine = NULL;
  free(board.rx);
  free(config);
  return status;
}
