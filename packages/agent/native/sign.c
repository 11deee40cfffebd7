/*
 * sign - the native thin client of `qsign agent` (docs/agent.md).
 *
 * An ordinary, non-setuid program: it finds the agent named in the client
 * config ("agent": {"socket": PATH}), sends its arguments, working directory
 * and (filter mode) stdin in one wire-format v1 request frame, and relays the
 * agent's stdout / stderr frames and exit code. The agent parses and checks
 * the arguments exactly as the Node `sign` does, holds the client key and
 * signs each request body with it. Without an agent (no config, no "agent"
 * field, nobody listening) it runs the Node client instead (QSIGN_NODE_SIGN).
 *
 * Frames: u32 length (big-endian) | u8 version (1) | u8 type | payload.
 * Build: cc -O2 -o sign sign.c -DQSIGN_NODE='"/usr/bin/node"' -DQSIGN_SIGN_JS='".../sign.js"'
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef QSIGN_NODE
#define QSIGN_NODE "node"
#endif
#ifndef QSIGN_SIGN_JS
#define QSIGN_SIGN_JS "sign.js"
#endif

#define WIRE_VERSION 1
#define T_REQUEST 1
#define T_STDOUT 2
#define T_STDERR 3
#define T_EXIT 4
#define PROGRAM_SIGN 1
#define FLAG_STDIN 1
#define MAX_FRAME (64u * 1024 * 1024 + 512 * 1024)
#define MAX_STDIN (64u * 1024 * 1024)
#define MAX_STRING 4096
#define MAX_ARGS 256
#define MAX_CONFIG (1024 * 1024)

static void die(const char *msg) {
  fprintf(stderr, "sign: %s\n", msg);
  exit(1);
}

/* ---- a byte buffer ---- */
struct buf { unsigned char *p; size_t n, cap; };

static void put(struct buf *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n) cap *= 2;
    unsigned char *q = realloc(b->p, cap);
    if (!q) die("out of memory");
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}
static void put8(struct buf *b, unsigned v) { unsigned char c = (unsigned char)v; put(b, &c, 1); }
static void put16(struct buf *b, unsigned v) { unsigned char c[2] = { (unsigned char)(v >> 8), (unsigned char)v }; put(b, c, 2); }
static void put32(struct buf *b, uint32_t v) { unsigned char c[4] = { v >> 24, v >> 16, v >> 8, v }; put(b, c, 4); }
static void putstr(struct buf *b, const char *s) {
  size_t n = strlen(s);
  if (n > MAX_STRING) die("an argument or path is longer than 4096 bytes");
  put16(b, (unsigned)n);
  put(b, s, n);
}

/* ---- just enough JSON to read "agent": {"socket": "..."} from client.json ---- */
static const char *ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static void utf8(struct buf *b, unsigned long c) {
  if (c < 0x80) put8(b, c);
  else if (c < 0x800) { put8(b, 0xc0 | (c >> 6)); put8(b, 0x80 | (c & 0x3f)); }
  else if (c < 0x10000) { put8(b, 0xe0 | (c >> 12)); put8(b, 0x80 | ((c >> 6) & 0x3f)); put8(b, 0x80 | (c & 0x3f)); }
  else { put8(b, 0xf0 | (c >> 18)); put8(b, 0x80 | ((c >> 12) & 0x3f)); put8(b, 0x80 | ((c >> 6) & 0x3f)); put8(b, 0x80 | (c & 0x3f)); }
}

static int hex4(const char *p, unsigned long *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    *v <<= 4;
    if (c >= '0' && c <= '9') *v |= (unsigned long)(c - '0');
    else if (c >= 'a' && c <= 'f') *v |= (unsigned long)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') *v |= (unsigned long)(c - 'A' + 10);
    else return -1;
  }
  return 0;
}

/* Reads a JSON string at p (at its opening quote) into out (NUL-terminated); returns the end, or NULL. */
static const char *jstring(const char *p, const char *e, struct buf *out) {
  if (p >= e || *p != '"') return NULL;
  out->n = 0;
  for (p++; p < e; p++) {
    if (*p == '"') { put8(out, 0); return p + 1; }
    if ((unsigned char)*p < 0x20) return NULL;
    if (*p != '\\') { put8(out, (unsigned char)*p); continue; }
    if (++p >= e) return NULL;
    switch (*p) {
      case '"': case '\\': case '/': put8(out, (unsigned char)*p); break;
      case 'b': put8(out, '\b'); break;
      case 'f': put8(out, '\f'); break;
      case 'n': put8(out, '\n'); break;
      case 'r': put8(out, '\r'); break;
      case 't': put8(out, '\t'); break;
      case 'u': {
        unsigned long c, lo;
        if (e - p < 5 || hex4(p + 1, &c)) return NULL;
        p += 4;
        if (c >= 0xd800 && c < 0xdc00) {
          if (e - p < 7 || p[1] != '\\' || p[2] != 'u' || hex4(p + 3, &lo) || lo < 0xdc00 || lo > 0xdfff) return NULL;
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          p += 6;
        }
        if (c == 0) return NULL;
        utf8(out, c);
        break;
      }
      default: return NULL;
    }
  }
  return NULL;
}

/* Skips any JSON value; returns its end, or NULL if malformed. */
static const char *jskip(const char *p, const char *e, int depth) {
  struct buf tmp = { 0 };
  p = ws(p, e);
  if (p >= e || depth > 64) return NULL;
  if (*p == '"') { p = jstring(p, e, &tmp); free(tmp.p); return p; }
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    p = ws(p + 1, e);
    if (p < e && *p == close) return p + 1;
    for (;;) {
      if (close == '}') {
        p = jstring(ws(p, e), e, &tmp);
        if (!p || (p = ws(p, e)) >= e || *p != ':') { free(tmp.p); return NULL; }
        p++;
      }
      if (!(p = jskip(p, e, depth + 1))) { free(tmp.p); return NULL; }
      p = ws(p, e);
      if (p < e && *p == ',') { p++; continue; }
      free(tmp.p);
      return p < e && *p == close ? p + 1 : NULL;
    }
  }
  while (p < e && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) p++;
  return p;
}

/* Finds the string at path key1.key2 in a JSON object; 1 if found (into out), 0 if absent, -1 if malformed. */
static int jfind(const char *p, const char *e, const char *const *keys, int nkeys, struct buf *out) {
  struct buf key = { 0 };
  int rc = -1;
  p = ws(p, e);
  if (p >= e || *p != '{') return -1;
  p = ws(p + 1, e);
  if (p < e && *p == '}') return 0;
  for (;;) {
    if (!(p = jstring(ws(p, e), e, &key))) break;
    if ((p = ws(p, e)) >= e || *p != ':') break;
    p = ws(p + 1, e);
    if (strcmp((char *)key.p, keys[0]) == 0) {
      if (nkeys == 1) rc = *p == '"' && jstring(p, e, out) ? 1 : 0;
      else rc = *p == '{' ? jfind(p, e, keys + 1, nkeys - 1, out) : 0;
      break;
    }
    if (!(p = jskip(p, e, 1))) break;
    p = ws(p, e);
    if (p < e && *p == ',') { p++; continue; }
    rc = p < e && *p == '}' ? 0 : -1;
    break;
  }
  free(key.p);
  return rc;
}

/* ---- I/O helpers ---- */
static int read_all(int fd, struct buf *b, size_t max) {
  unsigned char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    if (b->n + (size_t)n > max) return -2;
    put(b, chunk, (size_t)n);
  }
}

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_exact(int fd, unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* The Node client, for when there is no agent to use. */
static void run_node(char **argv) {
  int argc = 0;
  while (argv[argc]) argc++;
  char **args = calloc((size_t)argc + 3, sizeof *args);
  if (!args) die("out of memory");
  args[0] = QSIGN_NODE;
  args[1] = QSIGN_SIGN_JS;
  for (int i = 1; i < argc; i++) args[i + 1] = argv[i];
  execvp(args[0], args);
  fprintf(stderr, "sign: cannot run the Node client %s %s: %s\n", QSIGN_NODE, QSIGN_SIGN_JS, strerror(errno));
  exit(1);
}

/* The config file and agent socket (absolute); 0 if there is no agent to use. */
static int find_agent(const char *explicit_config, struct buf *config, struct buf *socket_path) {
  const char *path = explicit_config ? explicit_config : getenv("QSIGN_CONFIG");
  const char *no = getenv("QSIGN_NO_AGENT");
  if (no && strcmp(no, "1") == 0) return 0;
  if (!path) path = access("client.json", F_OK) == 0 ? "client.json" : NULL;
  if (!path) return 0;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  struct buf text = { 0 };
  int rc = read_all(fileno(f), &text, MAX_CONFIG);
  fclose(f);
  const char *keys[] = { "agent", "socket" };
  struct buf sock = { 0 };
  int found = rc == 0 && text.n ? jfind((char *)text.p, (char *)text.p + text.n, keys, 2, &sock) : 0;
  free(text.p);
  if (found != 1 || !sock.n || !sock.p[0]) { free(sock.p); return 0; }
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) die("cannot read the working directory");
  config->n = 0;
  if (path[0] != '/') { put(config, cwd, strlen(cwd)); put8(config, '/'); }
  put(config, path, strlen(path) + 1);
  socket_path->n = 0;
  if (sock.p[0] != '/') {
    const char *slash = strrchr((char *)config->p, '/');
    put(socket_path, config->p, (size_t)(slash - (char *)config->p) + 1);
  }
  put(socket_path, sock.p, strlen((char *)sock.p) + 1);
  free(sock.p);
  return 1;
}

static int connect_agent(const char *path) {
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof a.sun_path) return -1;
  strcpy(a.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
  return fd;
}

int main(int argc, char **argv) {
  /* Options as obs-sign parses them: which one names the config, and whether this is filter mode. */
  const char *config_arg = NULL;
  int mode = 0, files = 0, i = 1;
  int which = argc > 1 && strcmp(argv[1], "--which-client") == 0;
  if (which && argc > 3 && strcmp(argv[2], "--config") == 0) config_arg = argv[3];
  for (; !which && i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--")) { i++; break; }
    if (!strcmp(o, "-u") || !strcmp(o, "-h") || !strcmp(o, "-T") || !strcmp(o, "--config")) {
      if (i + 1 >= argc) break; /* the agent reports the usage error */
      if (!strcmp(o, "--config")) config_arg = argv[i + 1];
      i++;
    } else if (strlen(o) == 2 && strchr("cdDrkpt", o[1])) mode = o[1];
  }
  if (!which) files = argc - i;

  struct buf config = { 0 }, sock = { 0 };
  if (!find_agent(config_arg, &config, &sock)) {
    if (which) { puts("node-direct (no agent configured)"); return 0; }
    run_node(argv);
  }
  int fd = connect_agent((char *)sock.p);
  if (which) {
    printf(fd >= 0 ? "native agent %s\n" : "node-direct (agent %s not answering)\n", (char *)sock.p);
    return 0;
  }
  if (fd < 0) run_node(argv); /* it says that no agent answers, and signs directly */
  if (argc - 1 > MAX_ARGS) die("too many arguments");

  struct buf req = { 0 };
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) die("cannot read the working directory");
  int filter = files == 0 && mode && strchr("cdDr", mode);
  put32(&req, 0); /* length, filled in below */
  put8(&req, WIRE_VERSION);
  put8(&req, T_REQUEST);
  put8(&req, PROGRAM_SIGN);
  put8(&req, filter ? FLAG_STDIN : 0);
  putstr(&req, (char *)config.p);
  putstr(&req, cwd);
  put16(&req, (unsigned)(argc - 1));
  for (int k = 1; k < argc; k++) putstr(&req, argv[k]);
  if (filter) {
    struct buf in = { 0 };
    int rc = read_all(0, &in, MAX_STDIN);
    if (rc == -2) die("stdin is larger than the agent takes (64 MiB); sign a file by name instead");
    if (rc < 0) die("cannot read stdin");
    put32(&req, (uint32_t)in.n);
    if (in.n) put(&req, in.p, in.n);
    free(in.p);
  }
  uint32_t len = (uint32_t)(req.n - 4);
  req.p[0] = len >> 24; req.p[1] = len >> 16; req.p[2] = len >> 8; req.p[3] = len;
  /* An agent that refuses (say, an oversize request) closes early: read its answer rather than die of SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  int sent = write_all(fd, req.p, req.n) == 0;
  free(req.p);

  /* Answer: STDOUT / STDERR frames, then EXIT. */
  for (;;) {
    unsigned char h[6];
    if (read_exact(fd, h, 4)) die(sent ? "the agent closed the connection without an answer" : "cannot send the request to the agent");
    uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (n < 2 || n > MAX_FRAME) die("bad answer from the agent: frame length out of range");
    if (read_exact(fd, h + 4, 2)) die("the agent closed the connection inside a frame");
    if (h[4] != WIRE_VERSION) die("bad answer from the agent: unsupported wire version");
    size_t body = n - 2;
    unsigned char *d = malloc(body ? body : 1);
    if (!d) die("out of memory");
    if (read_exact(fd, d, body)) die("the agent closed the connection inside a frame");
    if (h[5] == T_EXIT) {
      if (body != 1) die("bad answer from the agent: exit frame of the wrong size");
      return d[0];
    }
    if (h[5] != T_STDOUT && h[5] != T_STDERR) die("bad answer from the agent: unknown frame type");
    if (write_all(h[5] == T_STDOUT ? 1 : 2, d, body) && h[5] == T_STDOUT) die("cannot write stdout");
    free(d);
  }
}
