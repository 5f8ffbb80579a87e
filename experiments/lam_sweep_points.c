/* lam_sweep_points.c: sweep points from grids, value lists, design CSVs
 * and Latin hypercubes; their ids and shards (lam_sweep_points.h). */
#include "lam_sweep_points.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lam_csv.h"

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

static char *fmt_num(double v) {
  char b[64];
  snprintf(b, sizeof b, "%.15g", v);
  return strdup(b);
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


/* ---- design files ---- */

int lam_sweep_load_design(lam_sweep_spec *sp, const char *path, lam_err *err) {
  /* A file or a pipe: a device such as /dev/zero would be read until
   * memory runs out, a directory reads as nothing. */
  struct stat st;
  if (stat(path, &st) == 0 && !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    return lam_err_set(err, LAM_EINVAL, "--design %s: expected a CSV file, found %s",
                       path, S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
  }
  lam_csv_text t;
  int rc = lam_csv_read_text(path, &t, err);
  if (rc == LAM_EIO) { /* "PATH: REASON": the file, not a line of it */
    return lam_err_prefix(err, "--design ");
  }
  if (rc) {
    return rc;
  }
  size_t first = sp->nd;
  for (size_t c = 0; t.rows > 0 && !rc && c < t.cols; c++) {
    /* The header: one dimension per column. */
    char arg[600], opt[560];
    snprintf(arg, sizeof arg, "%s=", lam_csv_text_cell(&t, 0, c));
    snprintf(opt, sizeof opt, "%s:%ld: column", path, t.lines[0]);
    const char *rest;
    rc = new_dim(sp, opt, arg, DIM_DESIGN, &rest, err) ? LAM_OK : err->code;
  }
  for (size_t c = 0; t.rows > 1 && !rc && c < t.cols; c++) {
    dim *x = &sp->d[first + c];
    x->vals = calloc(t.rows - 1, sizeof *x->vals);
    rc = x->vals ? LAM_OK : LAM_NOMEM(err);
  }
  /* Row by row, so that the first empty value in the file is the one named. */
  for (size_t r = 1; !rc && r < t.rows; r++) {
    for (size_t c = 0; !rc && c < t.cols; c++) {
      dim *x = &sp->d[first + c];
      const char *v = lam_csv_text_cell(&t, r, c);
      if (!v[0]) {
        rc = lam_err_set(err, LAM_EINVAL, "%s:%ld: %s: empty value", path, t.lines[r],
                         x->key);
      } else {
        x->vals[x->n] = strdup(v);
        rc = x->vals[x->n] ? LAM_OK : LAM_NOMEM(err);
        x->n += !rc;
      }
    }
  }
  lam_csv_text_free(&t);
  if (!rc && (sp->nd == first || sp->d[first].n == 0)) {
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
      sp->pts[i * sp->nd + k] = strdup(x->vals[j]);
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


const char *lam_sweep_arg(const lam_sweep_spec *sp, size_t d) { return sp->d[d].arg; }

int lam_sweep_is_range(const lam_sweep_spec *sp, size_t d) {
  return sp->d[d].kind == DIM_RANGE;
}

char *lam_sweep_end_value(const lam_sweep_spec *sp, size_t d, int last) {
  const dim *x = &sp->d[d];
  if (x->kind == DIM_RANGE || sp->np == 0) {
    return fmt_num(last ? x->hi : x->lo);
  }
  return strdup(x->vals[last ? x->n - 1 : 0]);
}

/* ---- shards ---- */

typedef struct id_at {
  uint64_t id;
  size_t i;
} id_at;

static int cmp_id_at(const void *a, const void *b) {
  const id_at *x = a, *y = b;
  if (x->id != y->id) {
    return x->id < y->id ? -1 : 1;
  }
  return x->i < y->i ? -1 : x->i > y->i;
}

int lam_sweep_shard(const lam_sweep_spec *sp, size_t k, size_t n, size_t **idx,
                    size_t *count, lam_err *err) {
  *idx = NULL;
  *count = 0;
  if (n && (k < 1 || k > n)) {
    return lam_err_set(err, LAM_EINVAL, "--shard %zu/%zu: expected 1 <= K <= N", k, n);
  }
  size_t m = 0, cap = sp->np ? sp->np : 1;
  id_at *a = malloc(cap * sizeof *a);
  size_t *out = malloc(cap * sizeof *out);
  unsigned char *keep = calloc(cap, 1);
  if (!a || !out || !keep) {
    free(a);
    free(out);
    free(keep);
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < sp->np; i++) {
    if (!n || i % n == k - 1) {
      a[m].id = lam_sweep_id(sp, i);
      a[m++].i = i;
    }
  }
  /* By id, then index: the first of each run of equal ids is kept. */
  qsort(a, m, sizeof *a, cmp_id_at);
  for (size_t j = 0; j < m; j++) {
    keep[a[j].i] = j == 0 || a[j].id != a[j - 1].id;
  }
  for (size_t i = 0; i < sp->np; i++) {
    if (keep[i]) {
      out[(*count)++] = i;
    }
  }
  free(a);
  free(keep);
  *idx = out;
  return LAM_OK;
}
