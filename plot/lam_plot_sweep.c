/* lam_plot_sweep.c: the `sweep` kind's data, read from a sweep CSV.
 *
 * Format: ('#' comment lines of older tables,) a header row (id, point, the swept keys such as
 * column.beta, the metrics, status, error, wall_s, ...), then one row per
 * point. Swept keys are the header names with a '.' (section.key); the
 * bookkeeping columns below are neither keys nor metrics; every other
 * column is a metric. Cells may be double-quoted (an error message with a
 * comma). Points with equal key values are repeats (seeds): the figure
 * shows their mean and sample standard deviation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_plot_private.h"
#include "lam_sections.h"

static const char *const bookkeeping[] = {"id",   "point",  "status", "error",
                                          "wall_s", "seed", "repeat", "rep"};

#define MAX_FIELDS 256

/* Split line in place into at most MAX_FIELDS fields; quotes removed. */
static size_t split(char *line, char **f) {
  size_t n = 0;
  char *w = line, *r = line;
  while (n < MAX_FIELDS) {
    f[n++] = w;
    int q = 0;
    while (*r && (q || (*r != ',' && *r != '\n' && *r != '\r'))) {
      if (*r == '"') {
        if (q && r[1] == '"') {
          *w++ = '"';
          r += 2;
          continue;
        }
        q = !q;
        r++;
        continue;
      }
      *w++ = *r++;
    }
    int more = *r == ',';
    *w = 0;
    if (!more) {
      break;
    }
    r++;
    w = r;
  }
  return n;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') {
    s++;
  }
  size_t L = strlen(s);
  while (L > 0 && (s[L - 1] == ' ' || s[L - 1] == '\t')) {
    s[--L] = 0;
  }
  return s;
}

static double num(const char *s) {
  char *end;
  double v = strtod(s, &end);
  return (end == s || *trim(end)) ? NAN : v;
}

typedef struct table {
  size_t ncol, nrow;
  char **head;   /* ncol names */
  double *v;     /* nrow x ncol (NaN for text) */
  int *ok;       /* nrow: status ok (or no status column) */
} table;

static void table_free(table *t) {
  for (size_t i = 0; t->head && i < t->ncol; i++) {
    free(t->head[i]);
  }
  free(t->head);
  free(t->v);
  free(t->ok);
}

static int read_table(const char *path, table *t, lam_err *err) {
  memset(t, 0, sizeof *t);
  FILE *fp = fopen(path, "r");
  if (!fp) {
    return lam_err_set(err, LAM_EIO, "%s: cannot open the sweep CSV", path);
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0, rcap = 0;
  long status_col = -1;
  int rc = LAM_OK;
  char *f[MAX_FIELDS];
  while (!rc && getline(&line, &cap, fp) != -1) {
    lineno++;
    char *s = trim(line);
    if (!*s || *s == '#' || *s == '\n' || *s == '\r') {
      continue;
    }
    size_t n = split(s, f);
    if (!t->head) {
      t->head = calloc(n, sizeof *t->head);
      if (!t->head) {
        rc = LAM_NOMEM(err);
        break;
      }
      t->ncol = n;
      for (size_t i = 0; i < n; i++) {
        const char *name = trim(f[i]);
        t->head[i] = malloc(strlen(name) + 1);
        if (!t->head[i]) {
          rc = LAM_NOMEM(err);
          break;
        }
        strcpy(t->head[i], name);
        if (!strcmp(name, "status")) {
          status_col = (long)i;
        }
      }
      continue;
    }
    if (n != t->ncol) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s:%zu: expected %zu cells like the header, found %zu",
                       path, lineno, t->ncol, n);
      break;
    }
    if (t->nrow == rcap) {
      rcap = rcap ? 2 * rcap : 64;
      double *nv = realloc(t->v, rcap * t->ncol * sizeof *nv);
      int *nok = nv ? realloc(t->ok, rcap * sizeof *nok) : NULL;
      if (nv) {
        t->v = nv;
      }
      if (!nok) {
        rc = LAM_NOMEM(err);
        break;
      }
      t->ok = nok;
    }
    for (size_t i = 0; i < n; i++) {
      t->v[t->nrow * t->ncol + i] = num(trim(f[i]));
    }
    t->ok[t->nrow] =
        status_col < 0 || !strcmp(trim(f[status_col]), "ok");
    t->nrow++;
  }
  free(line);
  fclose(fp);
  if (!rc && !t->head) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: no header row (expected id, "
                     "swept keys, metrics, status, ...)", path);
  }
  if (rc) {
    table_free(t);
  }
  return rc;
}

static int is_key(const char *name) { return strchr(name, '.') != NULL; }

/* The unit of swept key (section.key) from the section list into buf ("" when
 * unknown or not a quantity: "-"), for the axis label. */
static const char *key_unit(const char *key, char *buf, size_t len) {
  if (lam_sections_unit(key, buf, len) != LAM_OK || !strcmp(buf, "-")) {
    buf[0] = '\0';
  }
  return buf;
}

static int is_metric(const char *name) {
  if (is_key(name)) {
    return 0;
  }
  for (size_t i = 0; i < sizeof bookkeeping / sizeof bookkeeping[0]; i++) {
    if (!strcmp(name, bookkeeping[i])) {
      return 0;
    }
  }
  return 1;
}

/* Column of name (or the k-th column passing pred when name is NULL). */
static long find_col(const table *t, const char *name, int (*pred)(const char *),
                     size_t k) {
  for (size_t i = 0; i < t->ncol; i++) {
    if (name ? !strcmp(t->head[i], name) : (pred(t->head[i]) && k-- == 0)) {
      return (long)i;
    }
  }
  return -1;
}

static void list_cols(const table *t, int (*pred)(const char *), char *out,
                      size_t len) {
  out[0] = 0;
  for (size_t i = 0; i < t->ncol; i++) {
    if (pred(t->head[i])) {
      size_t L = strlen(out);
      snprintf(out + L, len - L, "%s%s", L ? ", " : "", t->head[i]);
    }
  }
  if (!out[0]) {
    snprintf(out, len, "none");
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : (x > y);
}

/* Sorted distinct finite values of column c over the ok rows. */
static double *distinct(const table *t, long c, size_t *n) {
  double *u = malloc((t->nrow ? t->nrow : 1) * sizeof *u);
  size_t m = 0;
  for (size_t r = 0; u && r < t->nrow; r++) {
    double x = t->v[r * t->ncol + (size_t)c];
    if (t->ok[r] && isfinite(x)) {
      u[m++] = x;
    }
  }
  if (u) {
    qsort(u, m, sizeof *u, cmp_double);
  }
  size_t k = 0;
  for (size_t i = 0; u && i < m; i++) {
    if (k == 0 || u[i] != u[k - 1]) {
      u[k++] = u[i];
    }
  }
  *n = k;
  return u;
}

static size_t index_of(const double *u, size_t n, double x) {
  const double *p = bsearch(&x, u, n, sizeof *u, cmp_double);
  return p ? (size_t)(p - u) : n;
}

int lam__plot_sweep_extract(const char *csv, const lam_plot_opts *o,
                            lam_plot_data *d, lam_err *err) {
  table t;
  int rc = read_table(csv, &t, err);
  if (rc) {
    return rc;
  }
  char names[1024];
  long cx = find_col(&t, o->xkey, is_key, 0);
  long cy = -1;
  if (!o->ykey) {
    cy = find_col(&t, NULL, is_key, 0);
    cy = cy == cx ? find_col(&t, NULL, is_key, 1) : cy;
  } else if (o->ykey[0]) {
    cy = find_col(&t, o->ykey, is_key, 0);
  }
  long cm = find_col(&t, o->metric, is_metric, 0);
  if (cx < 0 || (o->ykey && o->ykey[0] && cy < 0)) {
    list_cols(&t, is_key, names, sizeof names);
    rc = lam_err_set(err, LAM_EINVAL,
                     "%s: swept key '%s' not found (the sweep's keys: %s)",
                     csv, cx < 0 ? (o->xkey ? o->xkey : "") : o->ykey,
                     names);
  } else if (cm < 0 || !is_metric(t.head[cm])) {
    list_cols(&t, is_metric, names, sizeof names);
    rc = lam_err_set(err, LAM_EINVAL,
                     "%s: metric '%s' not found (the sweep's metrics: %s)",
                     csv, o->metric ? o->metric : "", names);
  } else if (cx == cy) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: --x and --y are both %s", csv,
                     t.head[cx]);
  }
  size_t nx = 0, ny = 1;
  double *ux = NULL, *uy = NULL;
  if (!rc) {
    ux = distinct(&t, cx, &nx);
    uy = cy >= 0 ? distinct(&t, cy, &ny) : NULL;
    if (!ux || (cy >= 0 && !uy)) {
      rc = LAM_NOMEM(err);
    } else if (nx == 0 || ny == 0) {
      rc = lam_err_set(err, LAM_ENOTFOUND,
                       "%s: no completed points (status ok) to plot", csv);
    }
  }
  lam_plot_array *ax = NULL, *ay = NULL, *mean = NULL, *sd = NULL, *cnt = NULL;
  if (!rc) {
    char xu[64], yu[64];
    ax = lam__plot_add(d, "sweep/x", key_unit(t.head[cx], xu, sizeof xu), t.head[cx], 1,
                       nx, err);
    ay = !ax || cy < 0 ? NULL
                       : lam__plot_add(d, "sweep/y", key_unit(t.head[cy], yu, sizeof yu),
                                       t.head[cy], 1, ny, err);
    mean = (!ax || (cy >= 0 && !ay)) ? NULL
           : lam__plot_add(d, "sweep/mean", "", t.head[cm], cy >= 0 ? nx : 1,
                           cy >= 0 ? ny : nx, err);
    sd = mean ? lam__plot_add(d, "sweep/sd", "", t.head[cm], mean->rows,
                              mean->cols, err)
              : NULL;
    cnt = sd ? lam__plot_add(d, "sweep/n", "", "points", mean->rows,
                             mean->cols, err)
             : NULL;
    rc = cnt ? LAM_OK : err->code;
  }
  if (!rc) {
    memcpy(ax->v, ux, nx * sizeof *ux);
    if (ay) {
      memcpy(ay->v, uy, ny * sizeof *uy);
    }
    /* Two passes (mean, then squared deviations): exact for repeats. */
    for (int pass = 0; pass < 2; pass++) {
      for (size_t r = 0; r < t.nrow; r++) {
        const double *row = t.v + r * t.ncol;
        double m = row[cm];
        if (!t.ok[r] || !isfinite(m) || !isfinite(row[cx]) ||
            (cy >= 0 && !isfinite(row[cy]))) {
          continue;
        }
        size_t ix = index_of(ux, nx, row[cx]);
        size_t iy = cy >= 0 ? index_of(uy, ny, row[cy]) : 0;
        size_t c = ix * ny + iy;
        if (pass == 0) {
          mean->v[c] += m;
          cnt->v[c] += 1.0;
        } else {
          sd->v[c] += (m - mean->v[c]) * (m - mean->v[c]);
        }
      }
      for (size_t c = 0; c < nx * ny; c++) {
        if (pass == 0) {
          mean->v[c] = cnt->v[c] > 0 ? mean->v[c] / cnt->v[c] : NAN;
        } else {
          sd->v[c] = cnt->v[c] > 1 ? sqrt(sd->v[c] / (cnt->v[c] - 1.0))
                                   : (cnt->v[c] > 0 ? 0.0 : NAN);
        }
      }
    }
    snprintf(d->title + strlen(d->title), sizeof d->title - strlen(d->title),
             ": %s", t.head[cm]);
  }
  free(ux);
  free(uy);
  table_free(&t);
  return rc;
}
