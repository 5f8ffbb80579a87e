/* lam_sweep.c: sweep points (grids, value lists, design CSVs, Latin
 * hypercubes), their ids, the resumable CSV and the serial and forked
 * runners (lam_sweep.h, docs/sweeps.md).
 *
 * Crash safety rests on three rules: a row is one write() of a whole line
 * followed by fsync(); only one process writes; on resume a last line
 * without its newline (a kill inside write()) is cut off before appending.
 * Points run in forked worker processes (each point with its own model and
 * solver), with -j 1 too, so a point that crashes its process becomes a
 * failed row instead of ending the sweep. A lock on the table keeps a
 * second sweep out, and the table records the SHA-256 of every input file
 * so that rows made from different inputs never mix. */
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_hash.h"
#include "lam_metrics.h"
#include "lam_sim.h"
#include "lam_sweep_private.h"
#include "lam_time.h"
#include "lam_params.h"
#include "lam_simrec.h"

enum { DIM_GRID, DIM_VALUES, DIM_RANGE, DIM_DESIGN };

typedef struct dim {
  char *key;   /* section.key */
  char *arg;   /* the argument as given, for messages */
  int kind;
  double lo, hi;
  size_t n;
  int log;
  char **vals; /* grid and value lists: the values as text */
} dim;

struct lam_sweep_spec {
  dim *d;
  size_t nd;
  char **pts; /* npoints x nd values */
  size_t np;
  char design[512];
};

lam_sweep_spec *lam_sweep_spec_new(void) { return calloc(1, sizeof(lam_sweep_spec)); }

static void free_vals(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++) {
    free(v[i]);
  }
  free(v);
}

void lam_sweep_spec_free(lam_sweep_spec *sp) {
  if (!sp) {
    return;
  }
  for (size_t k = 0; k < sp->nd; k++) {
    free(sp->d[k].key);
    free(sp->d[k].arg);
    free_vals(sp->d[k].vals, sp->d[k].n);
  }
  free(sp->d);
  free_vals(sp->pts, sp->np * sp->nd);
  free(sp);
}

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c) {
    memcpy(c, s, n);
  }
  return c;
}

static char *fmt_num(double v) {
  char b[64];
  snprintf(b, sizeof b, "%.15g", v);
  return dupstr(b);
}

/* A new dimension for "section.key=REST": *rest points after '='. */
static dim *new_dim(lam_sweep_spec *sp, const char *opt, const char *arg,
                    int kind, const char **rest, lam_err *err) {
  const char *eq = strchr(arg, '=');
  const char *dot = strchr(arg, '.');
  if (!eq || !dot || dot > eq || dot == arg || dot + 1 == eq) {
    lam_err_set(err, LAM_EINVAL, "%s %s: expected section.key=..., found '%s'", opt,
                arg, arg);
    return NULL;
  }
  size_t klen = (size_t)(eq - arg);
  if (sp->nd == LAM_SWEEP_MAX_KEYS) {
    /* lam_sweep_id hashes this many keys: more would give distinct points
     * one id, and resume would skip points never run. */
    lam_err_set(err, LAM_EINVAL, "%s %s: more than %d swept keys", opt, arg,
                LAM_SWEEP_MAX_KEYS);
    return NULL;
  }
  for (size_t k = 0; k < sp->nd; k++) {
    if (strlen(sp->d[k].key) == klen && !strncmp(sp->d[k].key, arg, klen)) {
      lam_err_set(err, LAM_EINVAL, "%s %s: key %.*s is swept twice", opt, arg, (int)klen,
                  arg);
      return NULL;
    }
  }
  dim *d = realloc(sp->d, (sp->nd + 1) * sizeof *d);
  if (!d) {
    LAM_NOMEM(err);
    return NULL;
  }
  sp->d = d;
  dim *x = &sp->d[sp->nd];
  memset(x, 0, sizeof *x);
  x->key = malloc(klen + 1);
  size_t alen = strlen(opt) + strlen(arg) + 2;
  x->arg = malloc(alen);
  if (!x->key || !x->arg) {
    free(x->key);
    free(x->arg);
    LAM_NOMEM(err);
    return NULL;
  }
  memcpy(x->key, arg, klen);
  x->key[klen] = '\0';
  snprintf(x->arg, alen, "%s %s", opt, arg);
  x->kind = kind;
  sp->nd++;
  *rest = eq + 1;
  return x;
}

/* Undo new_dim after a bad argument: the spec stays as it was. */
static int drop_last(lam_sweep_spec *sp, int rc) {
  dim *x = &sp->d[--sp->nd];
  free(x->key);
  free(x->arg);
  free_vals(x->vals, x->n);
  memset(x, 0, sizeof *x);
  return rc;
}

static int parse_real(const char *s, size_t len, double *v) {
  char b[64];
  if (len == 0 || len >= sizeof b) {
    return 0;
  }
  memcpy(b, s, len);
  b[len] = '\0';
  char *end;
  *v = strtod(b, &end);
  return *end == '\0' && isfinite(*v);
}

/* "LO:HI[:N][:log]" with N present when want_n. */
static int parse_span(dim *x, const char *rest, int want_n, lam_err *err) {
  const char *f[5];
  size_t len[5], nf = 0;
  const char *p = rest;
  while (nf < 5) {
    const char *c = strchr(p, ':');
    f[nf] = p;
    len[nf] = c ? (size_t)(c - p) : strlen(p);
    nf++;
    if (!c) {
      break;
    }
    p = c + 1;
  }
  size_t need = want_n ? 3 : 2;
  const char *form = want_n ? "START:STOP:N or START:STOP:N:log" : "LO:HI or LO:HI:log";
  if (nf < need || nf > need + 1 ||
      (nf == need + 1 && (len[need] != 3 || strncmp(f[need], "log", 3)))) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected %s", x->arg, form);
  }
  x->log = nf == need + 1;
  if (!parse_real(f[0], len[0], &x->lo) || !parse_real(f[1], len[1], &x->hi)) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected finite numbers in %s", x->arg, form);
  }
  if (want_n) {
    double n;
    if (!parse_real(f[2], len[2], &n) || n != floor(n) || n < 1 ||
        n > LAM_SWEEP_MAX_POINTS) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: expected N >= 1 (an integer, at most %d), found '%.*s'",
                         x->arg, LAM_SWEEP_MAX_POINTS, (int)len[2], f[2]);
    }
    x->n = (size_t)n;
  }
  if (x->log && !(x->lo > 0 && x->lo <= x->hi)) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: a log %s needs 0 < %s <= %s, found %g and %g", x->arg,
                       want_n ? "grid" : "range", want_n ? "START" : "LO",
                       want_n ? "STOP" : "HI", x->lo, x->hi);
  }
  if (!want_n && !(x->lo < x->hi)) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected LO < HI, found %g and %g", x->arg,
                       x->lo, x->hi);
  }
  return LAM_OK;
}

int lam_sweep_add_grid(lam_sweep_spec *sp, const char *arg, lam_err *err) {
  const char *rest;
  dim *x = new_dim(sp, "--grid", arg, DIM_GRID, &rest, err);
  if (!x) {
    return err->code;
  }
  int rc = parse_span(x, rest, 1, err);
  if (!rc) {
    x->vals = calloc(x->n, sizeof *x->vals);
    rc = x->vals ? LAM_OK : LAM_NOMEM(err);
  }
  for (size_t i = 0; !rc && i < x->n; i++) {
    double f = x->n > 1 ? (double)i / (double)(x->n - 1) : 0.0, v;
    if (x->log) {
      v = exp(log(x->lo) + f * (log(x->hi) - log(x->lo)));
    } else {
      v = x->lo + f * (x->hi - x->lo);
    }
    if (i + 1 == x->n && x->n > 1) {
      v = x->hi; /* the end point exactly, free of rounding */
    }
    x->vals[i] = fmt_num(v);
    rc = x->vals[i] ? LAM_OK : LAM_NOMEM(err);
    x->n = rc ? i : x->n;
  }
  return rc ? drop_last(sp, rc) : LAM_OK;
}

int lam_sweep_add_values(lam_sweep_spec *sp, const char *arg, lam_err *err) {
  const char *rest;
  dim *x = new_dim(sp, "--values", arg, DIM_VALUES, &rest, err);
  if (!x) {
    return err->code;
  }
  size_t n = 1;
  for (const char *p = rest; *p; p++) {
    n += *p == ',';
  }
  x->vals = calloc(n, sizeof *x->vals);
  if (!x->vals) {
    return drop_last(sp, LAM_NOMEM(err));
  }
  const char *p = rest;
  for (size_t i = 0; i < n; i++) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    if (len == 0) {
      return drop_last(sp, lam_err_set(err, LAM_EINVAL, "%s: empty value (expected a,b,c)",
                                       x->arg));
    }
    x->vals[i] = malloc(len + 1);
    if (!x->vals[i]) {
      return drop_last(sp, LAM_NOMEM(err));
    }
    memcpy(x->vals[i], p, len);
    x->vals[i][len] = '\0';
    x->n = i + 1;
    p = c ? c + 1 : p + len;
  }
  return LAM_OK;
}

int lam_sweep_add_range(lam_sweep_spec *sp, const char *arg, lam_err *err) {
  const char *rest;
  dim *x = new_dim(sp, "--range", arg, DIM_RANGE, &rest, err);
  if (!x) {
    return err->code;
  }
  int rc = parse_span(x, rest, 0, err);
  return rc ? drop_last(sp, rc) : LAM_OK;
}

/* ---- CSV fields ---- */

/* Split a line (no newline) into fields, unquoting "..." ("" inside is a
 * quote). Fields are malloc'ed. Returns the count or -1 on a bad quote. */
static long split_csv(const char *line, char ***out) {
  size_t cap = 8, n = 0;
  char **f = malloc(cap * sizeof *f);
  size_t len = strlen(line);
  char *buf = malloc(len + 1);
  if (!f || !buf) {
    free(f);
    free(buf);
    return -1;
  }
  const char *p = line;
  for (;;) {
    size_t k = 0;
    while (*p == ' ' || *p == '\t') {
      p++;
    }
    if (*p == '"') {
      p++;
      for (;;) {
        if (!*p) {
          free(buf);
          free_vals(f, n);
          return -1;
        }
        if (*p == '"' && p[1] == '"') {
          buf[k++] = '"';
          p += 2;
        } else if (*p == '"') {
          p++;
          break;
        } else {
          buf[k++] = *p++;
        }
      }
      while (*p == ' ' || *p == '\t') {
        p++;
      }
      if (*p && *p != ',') {
        free(buf);
        free_vals(f, n);
        return -1;
      }
    } else {
      while (*p && *p != ',') {
        buf[k++] = *p++;
      }
      while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\t' || buf[k - 1] == '\r')) {
        k--;
      }
    }
    buf[k] = '\0';
    if (n == cap) {
      char **g = realloc(f, 2 * cap * sizeof *g);
      if (!g) {
        free(buf);
        free_vals(f, n);
        return -1;
      }
      f = g;
      cap *= 2;
    }
    f[n++] = dupstr(buf);
    if (*p != ',') {
      break;
    }
    p++;
  }
  free(buf);
  *out = f;
  return (long)n;
}

/* Append s to a growing buffer, quoted when it holds a comma, quote or
 * newline (newlines become spaces: one row is one line). */
typedef struct sbuf {
  char *s;
  size_t n, cap;
  int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len) {
  if (b->oom) {
    return;
  }
  if (b->n + len + 1 > b->cap) {
    size_t cap = (b->cap ? 2 * b->cap : 256) + len;
    char *t = realloc(b->s, cap);
    if (!t) {
      b->oom = 1;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, len);
  b->n += len;
  b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_field(sbuf *b, const char *s, int always_quote) {
  if (!always_quote && !strpbrk(s, ",\"\n\r")) {
    sb_str(b, s);
    return;
  }
  sb_put(b, "\"", 1);
  for (const char *p = s; *p; p++) {
    if (*p == '"') {
      sb_put(b, "\"\"", 2);
    } else if (*p == '\n' || *p == '\r') {
      sb_put(b, " ", 1);
    } else {
      sb_put(b, p, 1);
    }
  }
  sb_put(b, "\"", 1);
}

/* ---- design files ---- */

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *s = malloc(cap);
  for (;;) {
    if (!s) {
      break;
    }
    if (n + 1 >= cap) {
      char *t = realloc(s, cap * 2);
      if (!t) {
        free(s);
        s = NULL;
        break;
      }
      s = t;
      cap *= 2;
    }
    size_t k = fread(s + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) {
      break;
    }
  }
  if (s && ferror(f)) { /* a read error is not the end of the file */
    int e = errno;
    free(s);
    s = NULL;
    errno = e;
  }
  fclose(f);
  if (s) {
    s[n] = '\0';
    *len = n;
  }
  return s;
}

int lam_sweep_load_design(lam_sweep_spec *sp, const char *path, lam_err *err) {
  /* A file or a pipe: a device such as /dev/zero would be read until
   * memory runs out, a directory reads as nothing. */
  struct stat st;
  if (stat(path, &st) == 0 && !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    return lam_err_set(err, LAM_EINVAL, "--design %s: expected a CSV file, found %s",
                       path, S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
  }
  size_t len;
  char *text = read_file(path, &len);
  if (!text) {
    return lam_err_set(err, LAM_EIO, "--design %s: %s", path, strerror(errno));
  }
  snprintf(sp->design, sizeof sp->design, "%s", path);
  int rc = LAM_OK;
  long ncols = -1;
  size_t first = sp->nd, lineno = 0;
  char *save = NULL;
  for (char *line = text; !rc && line && *line; line = save) {
    char *nl = strchr(line, '\n');
    save = nl ? nl + 1 : NULL;
    if (nl) {
      *nl = '\0';
    }
    lineno++;
    const char *q = line;
    while (*q == ' ' || *q == '\t' || *q == '\r') {
      q++;
    }
    if (!*q || *q == '#') {
      continue;
    }
    char **f;
    long nf = split_csv(line, &f);
    if (nf < 0) {
      rc = lam_err_set(err, LAM_EINVAL, "%s:%zu: unbalanced quote", path, lineno);
      break;
    }
    if (ncols < 0) {
      ncols = nf;
      for (long k = 0; !rc && k < nf; k++) {
        char arg[600];
        snprintf(arg, sizeof arg, "%s=", f[k]);
        const char *rest;
        char opt[560];
        snprintf(opt, sizeof opt, "%s:%zu: column", path, lineno);
        dim *x = new_dim(sp, opt, arg, DIM_DESIGN, &rest, err);
        rc = x ? LAM_OK : err->code;
      }
    } else if (nf != ncols) {
      rc = lam_err_set(err, LAM_EINVAL, "%s:%zu: expected %ld values, found %ld", path,
                       lineno, ncols, nf);
    } else {
      for (long k = 0; !rc && k < nf; k++) {
        dim *x = &sp->d[first + (size_t)k];
        if (!f[k][0]) {
          rc = lam_err_set(err, LAM_EINVAL, "%s:%zu: %s: empty value", path, lineno, x->key);
          break;
        }
        char **v = realloc(x->vals, (x->n + 1) * sizeof *v);
        if (!v) {
          rc = LAM_NOMEM(err);
          break;
        }
        x->vals = v;
        x->vals[x->n] = dupstr(f[k]);
        x->n++;
      }
    }
    free_vals(f, (size_t)nf);
  }
  free(text);
  if (!rc && (ncols <= 0 || sp->d[first].n == 0)) {
    rc = lam_err_set(err, LAM_EINVAL,
                     "--design %s: expected a header of section.key names and at least one row",
                     path);
  }
  while (rc && sp->nd > first) {
    drop_last(sp, rc);
  }
  return rc;
}

/* ---- points ---- */

static int make_points(lam_sweep_spec *sp, const int *kinds, int product,
                       size_t np, unsigned long seed, lam_err *err);

int lam_sweep_build(lam_sweep_spec *sp, size_t lhs_n, unsigned long seed,
                    lam_err *err) {
  int kinds[4] = {0, 0, 0, 0};
  for (size_t k = 0; k < sp->nd; k++) {
    kinds[sp->d[k].kind] = 1;
  }
  int product = kinds[DIM_GRID] || kinds[DIM_VALUES];
  if (product + kinds[DIM_RANGE] + kinds[DIM_DESIGN] != 1) {
    return lam_err_set(err, LAM_EINVAL,
                       sp->nd ? "sweep: use one of --grid/--values, --design, or --lhs with "
                                "--range, not several"
                              : "sweep: no points (give --grid, --values, --design or "
                                "--lhs N with --range)");
  }
  if (kinds[DIM_RANGE] && lhs_n == 0) {
    return lam_err_set(err, LAM_EINVAL, "sweep: --range needs --lhs N (N >= 1)");
  }
  if (!kinds[DIM_RANGE] && lhs_n > 0) {
    return lam_err_set(err, LAM_EINVAL, "sweep: --lhs needs at least one --range");
  }
  /* In double: the product of the grids and lhs_n times the keys must not
   * wrap around size_t before the limit is checked. */
  double np = 1;
  if (product) {
    for (size_t k = 0; k < sp->nd; k++) {
      np *= (double)sp->d[k].n;
    }
  } else if (kinds[DIM_DESIGN]) {
    np = (double)sp->d[0].n;
  } else {
    np = (double)lhs_n;
  }
  if (np > LAM_SWEEP_MAX_POINTS) {
    return lam_err_set(err, LAM_EINVAL,
                       "sweep: %.15g points, more than the limit of %d", np,
                       LAM_SWEEP_MAX_POINTS);
  }
  if (np * (double)sp->nd > LAM_SWEEP_MAX_VALUES) {
    return lam_err_set(err, LAM_EINVAL,
                       "sweep: %.15g points x %zu keys, more than the limit of %d values",
                       np, sp->nd, LAM_SWEEP_MAX_VALUES);
  }
  return make_points(sp, kinds, product, (size_t)np, seed, err);
}

/* The points of lam_sweep_build, np within the limits. */
static int make_points(lam_sweep_spec *sp, const int *kinds, int product,
                       size_t np, unsigned long seed, lam_err *err) {
  sp->pts = calloc(np * sp->nd, sizeof *sp->pts);
  if (!sp->pts) {
    return LAM_NOMEM(err);
  }
  sp->np = np;
  int rc = LAM_OK;
  if (kinds[DIM_RANGE]) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *perm = malloc(np * sizeof *perm);
    if (!r || !perm) {
      rc = LAM_NOMEM(err);
    } else {
      gsl_rng_set(r, seed);
      for (size_t k = 0; !rc && k < sp->nd; k++) {
        const dim *x = &sp->d[k];
        for (size_t i = 0; i < np; i++) {
          perm[i] = i;
        }
        gsl_ran_shuffle(r, perm, np, sizeof *perm);
        double a = x->log ? log(x->lo) : x->lo, b = x->log ? log(x->hi) : x->hi;
        for (size_t i = 0; !rc && i < np; i++) {
          double u = gsl_rng_uniform(r); /* [0, 1) */
          double v = a + ((double)perm[i] + u) / (double)np * (b - a);
          sp->pts[i * sp->nd + k] = fmt_num(x->log ? exp(v) : v);
          rc = sp->pts[i * sp->nd + k] ? LAM_OK : LAM_NOMEM(err);
        }
      }
    }
    free(perm);
    gsl_rng_free(r);
    return rc;
  }
  for (size_t i = 0; !rc && i < np; i++) {
    size_t rem = i;
    for (size_t k = sp->nd; k-- > 0;) {
      const dim *x = &sp->d[k];
      size_t j = product ? rem % x->n : i;
      rem = product ? rem / x->n : rem;
      sp->pts[i * sp->nd + k] = dupstr(x->vals[j]);
      if (!sp->pts[i * sp->nd + k]) {
        rc = LAM_NOMEM(err);
        break;
      }
    }
  }
  return rc;
}

size_t lam_sweep_ndims(const lam_sweep_spec *sp) { return sp->nd; }
size_t lam_sweep_npoints(const lam_sweep_spec *sp) { return sp->np; }
const char *lam_sweep_key(const lam_sweep_spec *sp, size_t d) { return sp->d[d].key; }
const char *lam_sweep_value(const lam_sweep_spec *sp, size_t i, size_t d) {
  return sp->pts[i * sp->nd + d];
}

uint64_t lam_sweep_id(const lam_sweep_spec *sp, size_t i) {
  /* Dimensions in key order (insertion sort: a handful of keys). */
  size_t ord[LAM_SWEEP_MAX_KEYS], n = sp->nd < LAM_SWEEP_MAX_KEYS ? sp->nd : LAM_SWEEP_MAX_KEYS;
  for (size_t k = 0; k < n; k++) {
    size_t j = k;
    while (j > 0 && strcmp(sp->d[ord[j - 1]].key, sp->d[k].key) > 0) {
      ord[j] = ord[j - 1];
      j--;
    }
    ord[j] = k;
  }
  uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 offset basis */
  for (size_t k = 0; k < n; k++) {
    const char *parts[4] = {sp->d[ord[k]].key, "=", lam_sweep_value(sp, i, ord[k]), "\n"};
    for (int p = 0; p < 4; p++) {
      for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++) {
        h ^= *c;
        h *= 1099511628211ULL; /* FNV 64 prime */
      }
    }
  }
  return h;
}

/* ---- running one point ---- */

static int apply_point(lam_model *m, const lam_sweep_spec *sp, size_t i,
                       lam_err *err) {
  for (size_t k = 0; k < sp->nd; k++) {
    size_t len = strlen(sp->d[k].key) + strlen(lam_sweep_value(sp, i, k)) + 2;
    char *a = malloc(len);
    if (!a) {
      return LAM_NOMEM(err);
    }
    snprintf(a, len, "%s=%s", sp->d[k].key, lam_sweep_value(sp, i, k));
    int rc = lam_model_set(m, a, err);
    free(a);
    if (rc) {
      return rc;
    }
  }
  return LAM_OK;
}

int lam_sweep_validate(const lam_model *base, const lam_sweep_spec *sp,
                       lam_err *err) {
  for (size_t k = 0; k < sp->nd; k++) {
    const dim *x = &sp->d[k];
    for (int end = 0; end < 2; end++) {
      const char *v = NULL;
      if (x->kind == DIM_RANGE || sp->np == 0) {
        char *s = fmt_num(end ? x->hi : x->lo);
        if (!s) {
          return LAM_NOMEM(err);
        }
        /* Checked through a one-value spec below. */
        lam_model *m = lam_model_clone(base, err);
        int rc = m ? LAM_OK : err->code;
        if (!rc) {
          size_t len = strlen(x->key) + strlen(s) + 2;
          char a[1200];
          snprintf(a, len < sizeof a ? len : sizeof a, "%s=%s", x->key, s);
          rc = lam_model_set(m, a, err);
        }
        lam_sim *sim = NULL;
        if (!rc) {
          rc = lam_sim_from_model(m, &sim, err);
        }
        lam_sim_free(sim);
        lam_model_free(m);
        free(s);
        if (rc) {
          return lam_err_prefix(err, "%s: ", x->arg);
        }
        continue;
      }
      v = x->vals[end ? x->n - 1 : 0];
      lam_model *m = lam_model_clone(base, err);
      int rc = m ? LAM_OK : err->code;
      char a[1200];
      snprintf(a, sizeof a, "%s=%s", x->key, v);
      if (!rc) {
        rc = lam_model_set(m, a, err);
      }
      lam_sim *sim = NULL;
      if (!rc) {
        rc = lam_sim_from_model(m, &sim, err);
      }
      lam_sim_free(sim);
      lam_model_free(m);
      if (rc) {
        return lam_err_prefix(err, "%s: ", x->arg);
      }
    }
  }
  return LAM_OK;
}

/* ---- input files ---- */

typedef struct sweep_input {
  char *sk;    /* section.key */
  char *value; /* the swept value naming the file, or NULL (the base's) */
  char *path;  /* as resolved by the model */
  char hash[LAM_SHA256_HEX];
} sweep_input;

struct lam__sweep_inputs {
  sweep_input *v;
  size_t n;
};

void lam__sweep_inputs_free(lam__sweep_inputs *in) {
  if (!in) {
    return;
  }
  for (size_t k = 0; k < in->n; k++) {
    free(in->v[k].sk);
    free(in->v[k].value);
    free(in->v[k].path);
  }
  free(in->v);
  free(in);
}

/* A clone of base with "key=value" applied (key NULL: none), built. */
static int build_one(const lam_model *base, const char *key, const char *value,
                     lam_model **mo, lam_sim **so, lam_err *err) {
  *so = NULL;
  *mo = lam_model_clone(base, err);
  int rc = *mo ? LAM_OK : err->code;
  if (!rc && key) {
    size_t len = strlen(key) + strlen(value) + 2;
    char *a = malloc(len);
    rc = a ? LAM_OK : LAM_NOMEM(err);
    if (!rc) {
      snprintf(a, len, "%s=%s", key, value);
      rc = lam_model_set(*mo, a, err);
    }
    free(a);
  }
  if (!rc) {
    rc = lam_sim_from_model(*mo, so, err);
  }
  if (rc) {
    lam_sim_free(*so);
    lam_model_free(*mo);
    *so = NULL;
    *mo = NULL;
  }
  return rc;
}

static int add_input(lam__sweep_inputs *in, const char *sk, const char *value,
                     const char *path, lam_err *err) {
  sweep_input *v = realloc(in->v, (in->n + 1) * sizeof *v);
  if (!v) {
    return LAM_NOMEM(err);
  }
  in->v = v;
  sweep_input *x = &in->v[in->n];
  memset(x, 0, sizeof *x);
  x->sk = dupstr(sk);
  x->value = value ? dupstr(value) : NULL;
  x->path = dupstr(path);
  if (!x->sk || !x->path || (value && !x->value)) {
    free(x->sk);
    free(x->value);
    free(x->path);
    return LAM_NOMEM(err);
  }
  int rc = lam_hash_file(path, x->hash, NULL, err);
  if (rc) {
    free(x->sk);
    free(x->value);
    free(x->path);
    return lam_err_prefix(err, "input %s: ", sk);
  }
  in->n++;
  return LAM_OK;
}

/* The index of the swept dimension of key sk, or -1. */
static long swept_dim(const lam_sweep_spec *sp, const char *sk) {
  for (size_t k = 0; k < sp->nd; k++) {
    if (!strcmp(sp->d[k].key, sk)) {
      return (long)k;
    }
  }
  return -1;
}

/* The path model m gives for input sk, or NULL. */
static const char *input_of(const lam_model *m, const char *sk) {
  for (size_t j = 0; j < lam_model_ninputs(m); j++) {
    const char *sec, *key;
    const char *path = lam_model_input(m, j, &sec, &key);
    size_t ls = strlen(sec);
    if (!strncmp(sk, sec, ls) && sk[ls] == '.' && !strcmp(sk + ls + 1, key)) {
      return path;
    }
  }
  return NULL;
}

int lam__sweep_inputs_new(const lam_model *base, const lam_sweep_spec *sp,
                          lam__sweep_inputs **out, lam_err *err) {
  *out = NULL;
  lam__sweep_inputs *in = calloc(1, sizeof *in);
  if (!in) {
    return LAM_NOMEM(err);
  }
  lam_model *m;
  lam_sim *sim;
  int rc = build_one(base, NULL, NULL, &m, &sim, err);
  for (size_t j = 0; !rc && j < lam_model_ninputs(m); j++) {
    const char *sec, *key;
    const char *path = lam_model_input(m, j, &sec, &key);
    char sk[600];
    snprintf(sk, sizeof sk, "%s.%s", sec, key);
    if (swept_dim(sp, sk) < 0) { /* a swept key's file is the point's */
      rc = add_input(in, sk, NULL, path, err);
    }
  }
  lam_sim_free(sim);
  lam_model_free(m);
  /* A swept key that names a file: one entry per value. */
  for (size_t k = 0; !rc && k < sp->nd && sp->np > 0; k++) {
    if (sp->d[k].kind == DIM_RANGE) {
      continue; /* numbers */
    }
    for (size_t i = 0; !rc && i < sp->np; i++) {
      const char *v = lam_sweep_value(sp, i, k);
      int seen = 0;
      for (size_t q = 0; q < in->n && !seen; q++) {
        seen = in->v[q].value && !strcmp(in->v[q].sk, sp->d[k].key) &&
               !strcmp(in->v[q].value, v);
      }
      if (seen) {
        continue;
      }
      rc = build_one(base, sp->d[k].key, v, &m, &sim, err);
      if (rc) {
        rc = lam_err_prefix(err, "%s: ", sp->d[k].arg);
        break;
      }
      const char *path = input_of(m, sp->d[k].key);
      if (path) {
        rc = add_input(in, sp->d[k].key, v, path, err);
      }
      lam_sim_free(sim);
      lam_model_free(m);
      if (!path && i == 0) {
        break; /* not a file key */
      }
    }
  }
  if (rc) {
    lam__sweep_inputs_free(in);
    return rc;
  }
  *out = in;
  return LAM_OK;
}

/* The entry of input sk for point i, or NULL. */
static const sweep_input *expected_input(const lam__sweep_inputs *in,
                                         const lam_sweep_spec *sp, size_t i,
                                         const char *sk) {
  long k = swept_dim(sp, sk);
  const char *v = k >= 0 ? lam_sweep_value(sp, i, (size_t)k) : NULL;
  for (size_t q = 0; q < in->n; q++) {
    const sweep_input *x = &in->v[q];
    if (!strcmp(x->sk, sk) && (v ? x->value && !strcmp(x->value, v) : !x->value)) {
      return x;
    }
  }
  return NULL;
}

/* Point i's model m reads the files, with the contents, the sweep started
 * with (else LAM_EIO: not the point's fault, and no row). */
static int check_inputs(const lam__sweep_inputs *in, const lam_sweep_spec *sp,
                        size_t i, const lam_model *m, lam_err *err) {
  for (size_t j = 0; in && j < lam_model_ninputs(m); j++) {
    const char *sec, *key;
    const char *path = lam_model_input(m, j, &sec, &key);
    char sk[600], hex[LAM_SHA256_HEX];
    snprintf(sk, sizeof sk, "%s.%s", sec, key);
    const sweep_input *x = expected_input(in, sp, i, sk);
    if (!x || strcmp(x->path, path)) {
      return lam_err_set(err, LAM_EIO,
                         "input %s (%s) was not among the inputs when the sweep started",
                         sk, path);
    }
    lam_err e = {0, ""};
    if (lam_hash_file(path, hex, NULL, &e)) {
      return lam_err_set(err, LAM_EIO, "input %s: %s", sk, e.msg);
    }
    if (strcmp(hex, x->hash)) {
      return lam_err_set(err, LAM_EIO,
                         "input %s (%s) changed during the sweep (SHA-256 %.12s... at the "
                         "start, %.12s... now)",
                         sk, path, x->hash, hex);
    }
  }
  return LAM_OK;
}

/* "# input SECTION.KEY[=VALUE] sha256 HEX PATH\n" (newlines in the value
 * or path would end the line: they become '?'). */
static void put_input_line(sbuf *b, const sweep_input *x) {
  sb_str(b, "# input ");
  size_t from = b->n;
  sb_str(b, x->sk);
  if (x->value) {
    sb_str(b, "=");
    sb_str(b, x->value);
  }
  sb_str(b, " sha256 ");
  sb_str(b, x->hash);
  sb_str(b, " ");
  sb_str(b, x->path);
  for (size_t k = from; !b->oom && k < b->n; k++) {
    if (b->s[k] == '\n' || b->s[k] == '\r') {
      b->s[k] = '?';
    }
  }
  sb_str(b, "\n");
}

lam_sweep_opts lam_sweep_defaults(void) {
  lam_sweep_opts o;
  memset(&o, 0, sizeof o);
  o.jobs = 1;
  return o;
}

static void put_id(sbuf *b, uint64_t id) {
  char s[24];
  snprintf(s, sizeof s, "%016llx", (unsigned long long)id);
  sb_str(b, s);
}

static void row_start(sbuf *b, const lam_sweep_spec *sp, size_t i) {
  put_id(b, lam_sweep_id(sp, i));
  for (size_t k = 0; k < sp->nd; k++) {
    sb_str(b, ",");
    sb_field(b, lam_sweep_value(sp, i, k), 0);
  }
}

static void row_end(sbuf *b, int ok, const char *msg, double wall, long nsteps,
                    long nfevals, int have_stats) {
  char s[96];
  sb_str(b, ok ? ",ok," : ",failed,");
  sb_field(b, msg, 1);
  snprintf(s, sizeof s, ",%.6f", wall);
  sb_str(b, s);
  if (have_stats) {
    snprintf(s, sizeof s, ",%ld,%ld\n", nsteps, nfevals);
  } else {
    snprintf(s, sizeof s, ",,\n");
  }
  sb_str(b, s);
}

char *lam__sweep_failed_row(const lam_sweep_spec *sp, const lam_sweep_opts *o,
                            size_t i, const char *msg) {
  sbuf b = {0};
  row_start(&b, sp, i);
  for (size_t k = 0; k < o->nmetrics; k++) {
    sb_str(&b, ",");
  }
  row_end(&b, 0, msg, 0.0, 0, 0, 0);
  if (b.oom) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

int lam__sweep_row(const lam_model *base, const lam_sweep_spec *sp,
                   const lam_sweep_opts *o, const lam__sweep_inputs *in,
                   size_t i, char **line, int *failed, lam_err *err) {
  double t0 = lam_time_now();
  lam_err e = {0, ""};
  lam_model *m = lam_model_clone(base, &e);
  lam_sim *sim = NULL;
  lam_metrics *mc = NULL;
  lam_recorder *rec = NULL;
  int *flags = NULL; /* populations to record: [run] record */
  double *vals = calloc(o->nmetrics ? o->nmetrics : 1, sizeof *vals);
  int rc = m && vals ? LAM_OK : LAM_NOMEM(&e);
  if (!rc) {
    rc = apply_point(m, sp, i, &e);
  }
  /* Not the point's own: an input file that cannot be read or changed,
   * its traces file. */
  int env = 0;
  if (!rc) {
    rc = lam_sim_from_model(m, &sim, &e);
    env = rc == LAM_EIO;
  }
  if (!rc) {
    rc = check_inputs(in, sp, i, m, &e);
    env = rc != LAM_OK;
  }
  if (!rc) {
    mc = lam_metrics_new(lam_sim_system(sim), &e);
    rc = mc ? LAM_OK : e.code;
  }
  /* Collect only what the asked metrics read (same values, less work). */
  for (size_t k = 0; !rc && k < o->nmetrics; k++) {
    rc = lam_metrics_want(mc, o->metrics[k], &e);
  }
  if (!rc && o->traces_dir) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%016llx.h5", o->traces_dir,
             (unsigned long long)lam_sweep_id(sp, i));
    /* The traces hold what [run] record names, as `laminar run` does. */
    flags = calloc(lam_sim_system(sim)->npops + 1, sizeof *flags);
    rc = flags ? lam_sim_record_flags(sim, flags, &e) : LAM_NOMEM(&e);
    if (!rc) {
      rec = lam_recorder_open(path, lam_sim_system(sim), flags, &e);
      rc = rec ? LAM_OK : e.code;
      env = rc != LAM_OK;
    }
  }
  if (!rc) {
    lam_run_opts ro = lam_run_defaults(sim);
    if (o->t_end > 0) {
      ro.t_end = o->t_end;
    }
    if (o->dt_record > 0) {
      ro.dt_record = o->dt_record;
    }
    ro.record = flags;
    ro.on_sample = lam_metrics_sample;
    ro.ctx = mc;
    ro.stop = o->stop;
    rc = lam_sim_record(sim, &ro, rec, &e);
    env = rec && rc == LAM_EIO; /* writing the traces */
    if (rc == LAM_ENOMEM && !e.msg[0]) {
      lam_err_set(&e, LAM_ENOMEM, "out of memory collecting samples");
    }
  }
  if (rec) {
    lam_err ce = {0, ""};
    int crc = lam_recorder_close(rec, rc == LAM_OK, &ce);
    if (!rc && crc) {
      rc = crc;
      e = ce;
      env = 1;
    }
  }
  if (!rc) {
    const lam_system *s = lam_sim_system(sim);
    const double *y = lam_sim_state(sim);
    for (size_t k = 0; k < s->n; k++) {
      if (!isfinite(y[k])) {
        rc = lam_err_set(&e, LAM_ENONFINITE, "non-finite state at the end of the run "
                                             "(y[%zu] = %g)", k, y[k]);
        break;
      }
    }
  }
  for (size_t k = 0; !rc && k < o->nmetrics; k++) {
    rc = lam_metrics_value(mc, o->metrics[k], lam_sim_state(sim), &vals[k], &e);
  }
  int status = LAM_OK;
  if (rc == LAM_EINTERRUPT) {
    status = lam_err_set(err, LAM_EINTERRUPT, "%s", e.msg);
  } else if (env) {
    status = lam_err_set(err, LAM_EIO, "point %016llx: %s",
                         (unsigned long long)lam_sweep_id(sp, i),
                         e.msg[0] ? e.msg : lam_strerror(rc));
  } else {
    lam_solver_stats st;
    memset(&st, 0, sizeof st);
    if (sim) {
      lam_sim_stats(sim, &st, NULL);
    }
    sbuf b = {0};
    row_start(&b, sp, i);
    for (size_t k = 0; k < o->nmetrics; k++) {
      char s[40];
      if (rc) {
        s[0] = '\0';
      } else if (isnan(vals[k])) {
        snprintf(s, sizeof s, "NaN");
      } else if (isinf(vals[k])) {
        snprintf(s, sizeof s, vals[k] > 0 ? "Inf" : "-Inf");
      } else {
        snprintf(s, sizeof s, "%.17g", vals[k]);
      }
      sb_str(&b, ",");
      sb_str(&b, s);
    }
    row_end(&b, rc == LAM_OK, rc ? (e.msg[0] ? e.msg : lam_strerror(rc)) : "", lam_time_now() - t0,
            st.nsteps, st.nfevals, sim != NULL);
    if (b.oom) {
      free(b.s);
      status = LAM_NOMEM(err);
    } else {
      *line = b.s;
      *failed = rc != LAM_OK;
    }
  }
  free(vals);
  free(flags);
  lam_metrics_free(mc);
  lam_sim_free(sim);
  lam_model_free(m);
  return status;
}

/* ---- the output file ---- */

int lam__sweep_write(int fd, const char *line, const char *path, lam_err *err) {
  size_t len = strlen(line), off = 0;
  while (off < len) {
    ssize_t k = write(fd, line + off, len - off);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k <= 0) {
      return lam_err_set(err, LAM_EIO, "%s: cannot append a row: %s", path, strerror(errno));
    }
    off += (size_t)k;
  }
  if (fsync(fd) != 0 && errno != EINVAL) {
    return lam_err_set(err, LAM_EIO, "%s: fsync: %s", path, strerror(errno));
  }
  return LAM_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The header: comment lines, then the column names. The lines that must
 * match on resume are the model, run and column lines. */
static int make_header(const lam_model *base, const lam_sweep_spec *sp,
                       const lam_sweep_opts *o, sbuf *fixed, sbuf *cols,
                       lam_err *err) {
  lam_model *m = lam_model_clone(base, err);
  lam_sim *sim = NULL;
  int rc = m ? lam_sim_from_model(m, &sim, err) : err->code;
  for (size_t k = 0; !rc && k < o->nmetrics; k++) {
    char unit[64];
    rc = lam_metrics_check(lam_sim_system(sim), o->metrics[k], unit, sizeof unit, err);
  }
  if (!rc) {
    char s[1400];
    const char *path = lam_model_path(base);
    snprintf(s, sizeof s, "# model %s hash %016llx\n", path[0] ? path : "(text)",
             (unsigned long long)lam_model_hash(m));
    sb_str(fixed, s);
    char te[32] = "model", dr[32] = "model";
    if (o->t_end > 0) {
      snprintf(te, sizeof te, "%.15g", o->t_end);
    }
    if (o->dt_record > 0) {
      snprintf(dr, sizeof dr, "%.15g", o->dt_record);
    }
    snprintf(s, sizeof s, "# run t_end %s dt_record %s\n", te, dr);
    sb_str(fixed, s);
    sb_str(cols, "id");
    for (size_t k = 0; k < sp->nd; k++) {
      sb_str(cols, ",");
      sb_field(cols, sp->d[k].key, 0);
    }
    for (size_t k = 0; k < o->nmetrics; k++) {
      sb_str(cols, ",");
      sb_str(cols, o->metrics[k]);
    }
    sb_str(cols, ",status,error,wall_s,nsteps,nfevals\n");
    if (fixed->oom || cols->oom) {
      rc = LAM_NOMEM(err);
    }
  }
  lam_sim_free(sim);
  lam_model_free(m);
  return rc;
}

/* A line of a '# input' record: name (SECTION.KEY or SECTION.KEY=VALUE),
 * hash, path. */
typedef struct input_rec {
  char *line; /* owns the strings below */
  const char *name, *hash, *path;
} input_rec;

static int parse_input_line(char *p, input_rec *r) {
  r->line = dupstr(p + 8); /* after "# input " */
  if (!r->line) {
    return 0;
  }
  char *h = strstr(r->line, " sha256 ");
  if (!h || strlen(h + 8) < LAM_SHA256_HEX || h[8 + LAM_SHA256_HEX - 1] != ' ') {
    free(r->line);
    r->line = NULL;
    return 1; /* not ours to read: ignored */
  }
  *h = '\0';
  h[8 + LAM_SHA256_HEX - 1] = '\0';
  r->name = r->line;
  r->hash = h + 8;
  r->path = h + 8 + LAM_SHA256_HEX;
  return 1;
}

/* The first line of text for a message: at most 40 characters, anything
 * unprintable as '?'. */
static void preview(const char *text, size_t len, char out[48]) {
  size_t k = 0;
  for (; k < len && k < 40 && text[k] != '\n'; k++) {
    unsigned char c = (unsigned char)text[k];
    out[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  out[k] = '\0';
  if (k == 40) {
    memcpy(out + 37, "...", 4);
  }
}

/* Compare the table's '# input' records with ours: a changed file stops the
 * sweep; a swept file the table lacks (a value added to the sweep) is
 * recorded by appending its line to *add. */
static int check_table_inputs(const char *path, const input_rec *recs, size_t nrecs,
                              const lam__sweep_inputs *in, sbuf *add, lam_err *err) {
  for (size_t k = 0; in && k < in->n; k++) {
    const sweep_input *x = &in->v[k];
    /* Our line as the table would hold it, read back: the same folding of
     * newlines on both sides. */
    sbuf line = {0};
    put_input_line(&line, x);
    input_rec me = {NULL, NULL, NULL, NULL};
    if (line.oom) {
      free(line.s);
      return LAM_NOMEM(err);
    }
    line.s[line.n - 1] = '\0';
    int got = parse_input_line(line.s, &me);
    free(line.s);
    if (!got || !me.line) {
      free(me.line);
      return LAM_NOMEM(err);
    }
    const input_rec *r = NULL;
    for (size_t q = 0; q < nrecs && !r; q++) {
      r = !strcmp(recs[q].name, me.name) ? &recs[q] : NULL;
    }
    int rc = LAM_OK;
    if (r && (strcmp(r->hash, me.hash) || strcmp(r->path, me.path))) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: input %s (%s) is not the one this table was made with "
                       "(SHA-256 %.12s... of %s then, %.12s... now): its rows and new ones "
                       "would mix; restore the file, or rerun with --restart to start a "
                       "new table (this one is kept as %s.old)",
                       path, me.name, me.path, r->hash, r->path, me.hash, path);
    } else if (!r && !x->value) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: this table does not record input %s (%s)%s, so its rows "
                       "cannot be checked against that file; rerun with --restart to "
                       "start a new table (this one is kept as %s.old)",
                       path, me.name, me.path,
                       nrecs ? "" : " (it records no input files: an older laminar "
                                    "wrote it)",
                       path);
    } else if (!r) {
      put_input_line(add, x);
    }
    free(me.line);
    if (rc) {
      return rc;
    }
  }
  return add->oom ? LAM_NOMEM(err) : LAM_OK;
}

/* Read an existing output: check that it is a laminar sweep table, check
 * its header and inputs against ours, collect the ids of complete rows, and
 * cut a torn last line. *fresh when the file is empty or holds only the
 * start of our own header (it is then rewritten). */
static int resume(const char *path, const sbuf *fixed, const sbuf *cols,
                  const lam__sweep_inputs *in, size_t nfields, uint64_t **ids,
                  size_t *nids, int *fresh, sbuf *add, lam_err *err) {
  size_t len;
  *ids = NULL;
  *nids = 0;
  *fresh = 1;
  char *text = read_file(path, &len);
  if (!text) {
    return errno == ENOENT ? LAM_OK
                           : lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  /* Whatever is not recognisably ours is left alone: a sweep table begins
   * with "# laminar " (one write() with the rest of its header). */
  static const char magic[] = "# laminar ";
  size_t mlen = sizeof magic - 1;
  if (len > 0 && (len < mlen || memcmp(text, magic, mlen))) {
    char first[48];
    preview(text, len, first);
    free(text);
    return lam_err_set(err, LAM_EINVAL,
                       "%s: not a laminar sweep table (its first line is '%s', not "
                       "'# laminar VERSION'); it is left as it is: use another -o, or "
                       "remove it",
                       path, first);
  }
  int rc = LAM_OK;
  size_t good = 0, lineno = 0, cap = 0, nrecs = 0;
  input_rec *recs = NULL;
  int have_cols = 0, have_model = 0;
  char *p = text;
  while (!rc && p < text + len) {
    char *nl = memchr(p, '\n', (size_t)(text + len - p));
    lineno++;
    if (!nl) {
      break; /* a torn last line: cut below */
    }
    *nl = '\0';
    if (!strncmp(p, "# input ", 8)) {
      input_rec *t = realloc(recs, (nrecs + 1) * sizeof *t);
      if (!t) {
        rc = LAM_NOMEM(err);
      } else {
        recs = t;
        if (!parse_input_line(p, &recs[nrecs])) {
          rc = LAM_NOMEM(err);
        } else if (recs[nrecs].line) {
          nrecs++;
        }
      }
    } else if (!have_cols) {
      if (!strncmp(p, "# model ", 8) || !strncmp(p, "# run ", 6)) {
        /* Must appear verbatim in our fixed header lines. */
        size_t k = strlen(p);
        const char *hit = strstr(fixed->s, p);
        if (!hit || hit[k] != '\n') {
          rc = lam_err_set(err, LAM_EINVAL,
                           "%s:%zu: this CSV was written for another model or run "
                           "settings ('%s'); use another -o, remove it, or --restart",
                           path, lineno, p);
        }
        have_model += p[2] == 'm';
      } else if (p[0] != '#') {
        if (strncmp(p, cols->s, cols->n - 1) || strlen(p) != cols->n - 1) {
          rc = lam_err_set(err, LAM_EINVAL,
                           "%s:%zu: this CSV has other columns (keys or metrics) than "
                           "this sweep; use another -o, remove it, or --restart",
                           path, lineno);
        } else if (!have_model) {
          rc = lam_err_set(err, LAM_EINVAL, "%s: no '# model' header line", path);
        }
        have_cols = 1;
        *fresh = 0;
      }
    } else if (p[0] && p[0] != '#') {
      char **f;
      long nf = split_csv(p, &f);
      int ok = nf == (long)nfields &&
               (!strcmp(f[nfields - 5], "ok") || !strcmp(f[nfields - 5], "failed")) &&
               strlen(f[0]) == 16;
      if (ok) {
        if (*nids == cap) {
          cap = cap ? 2 * cap : 256;
          uint64_t *t = realloc(*ids, cap * sizeof *t);
          if (!t) {
            rc = LAM_NOMEM(err);
          } else {
            *ids = t;
          }
        }
        if (!rc) {
          (*ids)[(*nids)++] = strtoull(f[0], NULL, 16);
        }
      } else if (nl + 1 < text + len) {
        rc = lam_err_set(err, LAM_EINVAL, "%s:%zu: a malformed row inside the file", path,
                         lineno);
      } else {
        /* A malformed complete last line cannot come from a kill (the row
         * is one write ending in its newline), but drop it like a torn one
         * so the point runs again. */
        if (nf >= 0) {
          free_vals(f, (size_t)nf);
        }
        break;
      }
      if (nf >= 0) {
        free_vals(f, (size_t)nf);
      }
    }
    p = nl + 1;
    if (have_cols) {
      good = (size_t)(p - text);
    }
  }
  free(text);
  if (!rc && !*fresh) {
    rc = check_table_inputs(path, recs, nrecs, in, add, err);
  }
  for (size_t k = 0; k < nrecs; k++) {
    free(recs[k].line);
  }
  free(recs);
  if (!rc && !*fresh && good < len) {
    if (truncate(path, (off_t)good) != 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: cannot cut the torn last row: %s", path,
                       strerror(errno));
    }
  }
  if (!rc && *nids) {
    qsort(*ids, *nids, sizeof **ids, cmp_u64);
  }
  return rc;
}

/* --traces DIR: made if missing, and a folder we can write in, before any
 * point runs (else every point would fail for the same reason). */
static int check_traces_dir(const char *d, lam_err *err) {
  if (mkdir(d, 0777) != 0 && errno != EEXIST) {
    return lam_err_set(err, LAM_EIO, "--traces %s: cannot make the folder: %s", d,
                       strerror(errno));
  }
  struct stat st;
  if (stat(d, &st) != 0) {
    return lam_err_set(err, LAM_EIO, "--traces %s: %s", d, strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return lam_err_set(err, LAM_EIO, "--traces %s: not a folder (it is %s)", d,
                       S_ISREG(st.st_mode) ? "a file" : "a special file");
  }
  size_t len = strlen(d) + 64;
  char *probe = malloc(len);
  if (!probe) {
    return LAM_NOMEM(err);
  }
  snprintf(probe, len, "%s/.laminar-write-test-%ld", d, (long)getpid());
  int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
  int e = errno;
  if (fd >= 0) {
    close(fd);
    unlink(probe);
  }
  free(probe);
  if (fd < 0) {
    return lam_err_set(err, LAM_EIO, "--traces %s: cannot write in the folder: %s", d,
                       strerror(e));
  }
  return LAM_OK;
}

/* --restart: keep an existing, non-empty output as PATH.old (PATH.old.2,
 * ... when that exists: link() never replaces a file), then remove PATH. */
static int move_aside(const char *path, lam_err *err) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    return errno == ENOENT ? LAM_OK
                           : lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  if (S_ISREG(st.st_mode) && st.st_size == 0) {
    return LAM_OK;
  }
  size_t len = strlen(path) + 32;
  char *old = malloc(len);
  if (!old) {
    return LAM_NOMEM(err);
  }
  int rc = LAM_EIO;
  for (int k = 1; k <= 1000; k++) {
    if (k == 1) {
      snprintf(old, len, "%s.old", path);
    } else {
      snprintf(old, len, "%s.old.%d", path, k);
    }
    if (link(path, old) == 0) {
      rc = unlink(path) == 0 ? LAM_OK
                             : lam_err_set(err, LAM_EIO, "--restart: %s: %s", path,
                                           strerror(errno));
      break;
    }
    if (errno != EEXIST) {
      rc = lam_err_set(err, LAM_EIO, "--restart: cannot keep %s as %s: %s", path, old,
                       strerror(errno));
      break;
    }
  }
  if (rc == LAM_EIO && !err->msg[0]) {
    lam_err_set(err, LAM_EIO, "--restart: %s.old ... %s.old.1000 all exist", path, path);
  }
  free(old);
  return rc;
}

int lam__sweep_prepare(const lam_model *base, const lam_sweep_spec *sp,
                       const lam_sweep_opts *o, const lam__sweep_inputs *in,
                       size_t **todo, size_t *ntodo, lam_sweep_summary *sum,
                       int *fd, lam_lock **lock, lam_err *err) {
  memset(sum, 0, sizeof *sum);
  *todo = NULL;
  *ntodo = 0;
  *fd = -1;
  *lock = NULL;
  if (o->shard_n && (o->shard_k < 1 || o->shard_k > o->shard_n)) {
    return lam_err_set(err, LAM_EINVAL, "--shard %zu/%zu: expected 1 <= K <= N", o->shard_k,
                       o->shard_n);
  }
  if (!o->output) {
    return lam_err_set(err, LAM_EINVAL, "sweep: no output CSV (-o FILE.csv)");
  }
  /* One sweep per table, from before it is read until the last row. */
  int rc = lam_lock_acquire(o->output, "sweep table", lock, err);
  if (rc) {
    return rc;
  }
  if (o->traces_dir) {
    rc = check_traces_dir(o->traces_dir, err);
  }
  sbuf fixed = {0}, cols = {0}, inl = {0}, add = {0};
  uint64_t *ids = NULL;
  size_t nids = 0;
  int fresh = 1;
  if (!rc) {
    rc = make_header(base, sp, o, &fixed, &cols, err);
  }
  for (size_t k = 0; !rc && in && k < in->n; k++) {
    put_input_line(&inl, &in->v[k]);
  }
  if (!rc && inl.oom) {
    rc = LAM_NOMEM(err);
  }
  if (!rc && o->restart) {
    rc = move_aside(o->output, err);
  }
  if (!rc) {
    rc = resume(o->output, &fixed, &cols, in, 1 + sp->nd + o->nmetrics + 5, &ids, &nids,
                &fresh, &add, err);
  }
  if (!rc) {
    int flags = O_WRONLY | O_CREAT | O_APPEND | (fresh ? O_TRUNC : 0);
    *fd = open(o->output, flags, 0644);
    if (*fd < 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s", o->output, strerror(errno));
    }
  }
  if (!rc && fresh) {
    sbuf h = {0};
    char s[64];
    snprintf(s, sizeof s, "# laminar %s\n", LAM_VERSION);
    sb_str(&h, s);
    sb_str(&h, fixed.s);
    if (inl.s) {
      sb_str(&h, inl.s);
    }
    sb_str(&h, "# command ");
    sb_str(&h, o->command ? o->command : "(library)");
    sb_str(&h, "\n");
    sb_str(&h, cols.s);
    rc = h.oom ? LAM_NOMEM(err) : lam__sweep_write(*fd, h.s, o->output, err);
    free(h.s);
  } else if (!rc && add.n) {
    rc = lam__sweep_write(*fd, add.s, o->output, err);
  }
  size_t *t = rc ? NULL : malloc((sp->np ? sp->np : 1) * sizeof *t);
  uint64_t *seen = rc ? NULL : malloc((sp->np ? sp->np : 1) * sizeof *seen);
  if (!rc && (!t || !seen)) {
    rc = LAM_NOMEM(err);
  }
  size_t nseen = 0;
  for (size_t i = 0; !rc && i < sp->np; i++) {
    if (o->shard_n && i % o->shard_n != o->shard_k - 1) {
      continue;
    }
    uint64_t id = lam_sweep_id(sp, i);
    /* A repeated point (a design with duplicate rows) runs once. */
    int dup = 0;
    for (size_t j = 0; j < nseen && !dup; j++) {
      dup = seen[j] == id;
    }
    if (dup) {
      continue;
    }
    seen[nseen++] = id;
    sum->points++;
    if (nids && bsearch(&id, ids, nids, sizeof *ids, cmp_u64)) {
      sum->skipped++;
      continue;
    }
    t[(*ntodo)++] = i;
  }
  free(seen);
  free(ids);
  free(fixed.s);
  free(cols.s);
  free(inl.s);
  free(add.s);
  if (rc) {
    free(t);
    if (*fd >= 0) {
      close(*fd);
      *fd = -1;
    }
    lam_lock_release(*lock);
    *lock = NULL;
    return rc;
  }
  *todo = t;
  return LAM_OK;
}

/* ---- runners ---- */

/* Exit codes of a worker process. */
enum { WK_OK = 0, WK_INTERRUPT = 3, WK_FAIL = 4 };

#define NO_POINT ((size_t)-1)

typedef struct worker {
  pid_t pid;    /* -1: no process in this slot */
  int fd;       /* the parent's end of the worker's socket pair */
  size_t point; /* the point it runs, NO_POINT when idle */
  sbuf out;     /* bytes of its current row */
} worker;

/* A worker process: reads point indices from its socket, one size_t each,
 * and answers each with its row (one line); exits when the parent shuts
 * the socket (or on Ctrl-C / SIGTERM during a point, without a row). */
static void run_child(const lam_model *base, const lam_sweep_spec *sp,
                      const lam_sweep_opts *o, const lam__sweep_inputs *in, int fd) {
  for (;;) {
    size_t i, got = 0;
    while (got < sizeof i) {
      ssize_t k = read(fd, (char *)&i + got, sizeof i - got);
      if (k < 0 && errno == EINTR && !(o->stop && *o->stop)) {
        continue;
      }
      if (k <= 0) {
        _exit(k == 0 && got == 0 ? WK_OK : (o->stop && *o->stop ? WK_INTERRUPT : WK_FAIL));
      }
      got += (size_t)k;
    }
    char *line = NULL;
    int failed = 0;
    lam_err e = {0, ""};
    int rc = lam__sweep_row(base, sp, o, in, i, &line, &failed, &e);
    if (rc == LAM_EINTERRUPT) {
      _exit(WK_INTERRUPT);
    }
    if (rc == LAM_EIO) {
      /* Not the point's own error: "!" and the message, no row. */
      size_t n = strlen(e.msg);
      line = malloc(n + 3);
      if (line) {
        line[0] = '!';
        for (size_t k = 0; k < n; k++) {
          line[k + 1] = e.msg[k] == '\n' ? ' ' : e.msg[k];
        }
        memcpy(line + n + 1, "\n", 2);
      }
    } else if (rc) {
      line = lam__sweep_failed_row(sp, o, i, e.msg);
    }
    size_t len = line ? strlen(line) : 0, off = 0;
    while (off < len) {
      ssize_t k = write(fd, line + off, len - off);
      if (k < 0 && errno == EINTR) {
        continue;
      }
      if (k <= 0) {
        _exit(WK_FAIL);
      }
      off += (size_t)k;
    }
    if (!line) {
      _exit(WK_FAIL);
    }
    free(line);
  }
}

/* Start a worker process in slot k. */
static int spawn(const lam_model *base, const lam_sweep_spec *sp,
                 const lam_sweep_opts *o, const lam__sweep_inputs *in, int fd,
                 const lam_lock *lock, worker *w, size_t nw, size_t k,
                 lam_err *err) {
  int p[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) != 0) {
    return lam_err_set(err, LAM_EIO, "sweep: socketpair: %s", strerror(errno));
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return lam_err_set(err, LAM_EIO, "sweep: fork: %s", strerror(errno));
  }
  if (pid == 0) {
#ifdef __linux__
    /* A worker dies with the parent (SIGKILL included) instead of running
     * its point for nobody. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(WK_FAIL);
    }
#endif
    close(p[0]);
    close(fd);
    if (lam_lock_fd(lock) >= 0) {
      close(lam_lock_fd(lock)); /* else the lock outlives a killed parent */
    }
    for (size_t q = 0; q < nw; q++) {
      if (w[q].pid > 0) {
        close(w[q].fd); /* else a sibling would never see its EOF */
      }
    }
    run_child(base, sp, o, in, p[1]);
  }
  close(p[1]);
  w[k].pid = pid;
  w[k].fd = p[0];
  w[k].point = NO_POINT;
  w[k].out.n = 0;
  return LAM_OK;
}

/* Hand point todo[*next] to the idle worker k. MSG_NOSIGNAL: a worker
 * killed meanwhile shows up as its EOF, not as SIGPIPE in the parent. */
static int assign(worker *x, const size_t *todo, size_t *next, lam_err *err) {
  size_t i = todo[*next], off = 0;
  while (off < sizeof i) {
    ssize_t k = send(x->fd, (const char *)&i + off, sizeof i - off, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k < 0 && errno == EPIPE) {
      break; /* it died: its EOF fails the point below */
    }
    if (k < 0) {
      return lam_err_set(err, LAM_EIO, "sweep: send: %s", strerror(errno));
    }
    off += (size_t)k;
  }
  x->point = i;
  (*next)++;
  return LAM_OK;
}

/* At most jobs worker processes (one for -j 1: a crash must not end the
 * sweep there either), each running points one after another (a fresh
 * model and solver per point; the process and its warmed-up memory are
 * reused, which saves a fork, an exit and ~500 page faults per point). The
 * parent hands out points, collects each row from the worker's socket and
 * is the only writer. A worker that dies fails only the point it was
 * running; another process takes its slot. A worker's "!message" line is
 * an error that is not its point's own: the sweep stops with it. */
int lam__sweep_run_workers(const lam_model *base, const lam_sweep_spec *sp,
                           const lam_sweep_opts *o, const lam__sweep_inputs *in,
                           int jobs, const size_t *todo, size_t ntodo, int fd,
                           const lam_lock *lock, lam_sweep_summary *sum,
                           lam_err *err) {
  size_t nw = jobs > 1 ? (size_t)jobs : 1;
  if (nw > ntodo) {
    nw = ntodo;
  }
  worker *w = calloc(nw ? nw : 1, sizeof *w);
  struct pollfd *pf = calloc(nw ? nw : 1, sizeof *pf);
  size_t *map = calloc(nw ? nw : 1, sizeof *map);
  if (!w || !pf || !map) {
    free(w);
    free(pf);
    free(map);
    return LAM_NOMEM(err);
  }
  for (size_t k = 0; k < nw; k++) {
    w[k].pid = -1;
    w[k].point = NO_POINT;
  }
  size_t next = 0, running = 0;
  int rc = LAM_OK, stopping = 0, shut = 0;
  fflush(NULL); /* nothing buffered is written twice by a child */
  for (;;) {
    if (((o->stop && *o->stop) || rc) && !stopping) {
      stopping = 1;
      for (size_t k = 0; k < nw; k++) {
        if (w[k].pid > 0 && w[k].point != NO_POINT) {
          kill(w[k].pid, SIGTERM);
        }
      }
    }
    /* Fill empty slots, give idle workers a point, or let them go. */
    for (size_t k = 0; k < nw; k++) {
      if (!stopping && w[k].pid < 0 && next < ntodo) {
        int src = spawn(base, sp, o, in, fd, lock, w, nw, k, err);
        if (src) {
          rc = rc ? rc : src;
          stopping = 1;
          break;
        }
        running++;
      }
      if (!stopping && w[k].pid > 0 && w[k].point == NO_POINT && next < ntodo) {
        int arc = assign(&w[k], todo, &next, err);
        if (arc) {
          rc = rc ? rc : arc;
          stopping = 1;
        }
      }
    }
    if ((stopping || next >= ntodo) && !shut) {
      shut = 1; /* no more points: each worker exits after its last row */
      for (size_t k = 0; k < nw; k++) {
        if (w[k].pid > 0) {
          shutdown(w[k].fd, SHUT_WR);
        }
      }
    }
    if (running == 0) {
      break;
    }
    size_t np = 0;
    for (size_t k = 0; k < nw; k++) {
      if (w[k].pid > 0) {
        pf[np].fd = w[k].fd;
        pf[np].events = POLLIN;
        pf[np].revents = 0;
        map[np++] = k;
      }
    }
    int pr = poll(pf, np, 200);
    if (pr < 0) {
      if (errno == EINTR) {
        continue;
      }
      rc = rc ? rc : lam_err_set(err, LAM_EIO, "sweep: poll: %s", strerror(errno));
      continue;
    }
    for (size_t q = 0; q < np; q++) {
      if (!pf[q].revents) {
        continue;
      }
      worker *x = &w[map[q]];
      char buf[4096];
      ssize_t k = read(x->fd, buf, sizeof buf);
      if (k < 0 && errno == EINTR) {
        continue;
      }
      char *line = NULL; /* always ours to free */
      if (k > 0) {
        sb_put(&x->out, buf, (size_t)k);
        char *nl = x->out.oom ? NULL : memchr(x->out.s, '\n', x->out.n);
        if (!nl || x->point == NO_POINT) {
          continue; /* the row is not complete yet (a row is one line) */
        }
        size_t len = (size_t)(nl - x->out.s) + 1;
        line = malloc(len + 1);
        if (line) {
          memcpy(line, x->out.s, len);
          line[len] = '\0';
        }
        memmove(x->out.s, x->out.s + len, x->out.n - len);
        x->out.n -= len;
        x->point = NO_POINT;
        /* The worker's next point starts before this row's fsync (a few
         * ms), so no core waits for the disk; the row is still durable
         * before the next one is written, as resume needs. */
        if (!stopping && !(o->stop && *o->stop) && next < ntodo && line &&
            line[0] != '!') {
          int arc = assign(x, todo, &next, err);
          if (arc) {
            rc = rc ? rc : arc;
          }
        }
      } else {
        /* EOF: the worker exited. */
        close(x->fd);
        int ws = 0;
        while (waitpid(x->pid, &ws, 0) < 0 && errno == EINTR) {
        }
        x->pid = -1;
        running--;
        size_t point = x->point;
        x->point = NO_POINT;
        x->out.n = 0;
        if (point == NO_POINT || stopping ||
            (WIFEXITED(ws) && WEXITSTATUS(ws) == WK_INTERRUPT)) {
          continue; /* no point lost, or no row: it runs again on resume */
        }
        char msg[128];
        if (WIFSIGNALED(ws)) {
          snprintf(msg, sizeof msg, "worker process died: signal %d (%s)", WTERMSIG(ws),
                   strsignal(WTERMSIG(ws)));
        } else {
          snprintf(msg, sizeof msg, "worker process exited with status %d",
                   WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
        }
        line = lam__sweep_failed_row(sp, o, point, msg);
      }
      if (!line) {
        rc = rc ? rc : LAM_NOMEM(err);
        continue;
      }
      if (line[0] == '!') {
        line[strcspn(line, "\n")] = '\0';
        rc = rc ? rc : lam_err_set(err, LAM_EIO, "%s", line + 1);
        free(line);
        continue;
      }
      int failed = strstr(line, ",failed,") != NULL && !strstr(line, ",ok,");
      int wrc = lam__sweep_write(fd, line, o->output, err);
      free(line);
      if (wrc) {
        rc = rc ? rc : wrc;
        continue;
      }
      sum->ran++;
      sum->failed += (size_t)failed;
      if (o->progress) {
        o->progress(o->ctx, sum->ran, ntodo, sum->failed);
      }
    }
  }
  for (size_t k = 0; k < nw; k++) {
    free(w[k].out.s);
  }
  free(w);
  free(pf);
  free(map);
  if (!rc && stopping) {
    rc = lam_err_set(err, LAM_EINTERRUPT, "sweep: interrupted");
  }
  return rc;
}

int lam_sweep_run(const lam_model *base, const lam_sweep_spec *sp,
                  const lam_sweep_opts *o, lam_sweep_summary *sum,
                  lam_err *err) {
  size_t *todo = NULL, ntodo = 0;
  int fd = -1;
  lam_lock *lock = NULL;
  lam__sweep_inputs *in = NULL;
  memset(sum, 0, sizeof *sum);
  int rc = lam__sweep_inputs_new(base, sp, &in, err);
  if (!rc) {
    rc = lam__sweep_prepare(base, sp, o, in, &todo, &ntodo, sum, &fd, &lock, err);
  }
  if (!rc && ntodo > 0) {
    rc = lam__sweep_run_workers(base, sp, o, in, o->jobs, todo, ntodo, fd, lock, sum, err);
  }
  if (fd >= 0) {
    close(fd);
  }
  lam_lock_release(lock);
  lam__sweep_inputs_free(in);
  free(todo);
  return rc;
}

#if !LAM_HAVE_MPI
int lam_sweep_run_mpi(const lam_model *base, const lam_sweep_spec *sp,
                      const lam_sweep_opts *o, lam_sweep_summary *sum,
                      lam_err *err) {
  (void)base, (void)sp, (void)o, (void)sum;
  return lam_err_set(err, LAM_EUNSUPPORTED,
                     "sweep: this build has no MPI (meson setup -Dmpi=enabled)");
}
#endif
