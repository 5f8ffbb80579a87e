/* lam_plot_data.c: what each figure kind shows, read from a run's HDF5 file
 * with the HDF5 C API (layout: io/lam_h5.c; arrays: lam_plot.h).
 *
 * Extraction is kept apart from drawing so that the numbers a figure shows
 * can be checked against the file without decoding pictures, and so that
 * experiments can reuse them. Only the time window's rows are read
 * (hyperslabs on the samples dimension): a quick look at a long run does
 * not load it whole.
 */
#include "lam_plot_private.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_model.h"
#include "lam_spectrum.h"

/* ---- container --------------------------------------------------------- */

static char *dup_str(const char *s) {
  s = s ? s : "";
  char *d = malloc(strlen(s) + 1);
  if (d) {
    strcpy(d, s);
  }
  return d;
}

lam_plot_array *lam__plot_add(lam_plot_data *d, const char *name,
                              const char *unit, const char *label,
                              size_t rows, size_t cols, lam_err *err) {
  if (d->n == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 16;
    lam_plot_array **na = realloc(d->a, cap * sizeof *na);
    if (!na) {
      LAM_NOMEM(err);
      return NULL;
    }
    d->a = na;
    d->cap = cap;
  }
  lam_plot_array *a = calloc(1, sizeof *a);
  if (!a) {
    LAM_NOMEM(err);
    return NULL;
  }
  a->name = dup_str(name);
  a->unit = dup_str(unit);
  a->label = dup_str(label);
  a->rows = rows;
  a->cols = cols;
  a->v = calloc(rows * cols > 0 ? rows * cols : 1, sizeof *a->v);
  if (!a->name || !a->unit || !a->label || !a->v) {
    free(a->name);
    free(a->unit);
    free(a->label);
    free(a->v);
    free(a);
    LAM_NOMEM(err);
    return NULL;
  }
  d->a[d->n++] = a;
  return a;
}

void lam_plot_data_free(lam_plot_data *d) {
  if (!d) {
    return;
  }
  for (size_t i = 0; i < d->n; i++) {
    free(d->a[i]->name);
    free(d->a[i]->unit);
    free(d->a[i]->label);
    free(d->a[i]->v);
    free(d->a[i]);
  }
  free(d->a);
  free(d);
}

size_t lam_plot_data_count(const lam_plot_data *d) { return d ? d->n : 0; }

const lam_plot_array *lam_plot_data_at(const lam_plot_data *d, size_t i) {
  return d && i < d->n ? d->a[i] : NULL;
}

const lam_plot_array *lam_plot_data_find(const lam_plot_data *d,
                                         const char *name) {
  for (size_t i = 0; d && i < d->n; i++) {
    if (!strcmp(d->a[i]->name, name)) {
      return d->a[i];
    }
  }
  return NULL;
}

const char *lam_plot_data_title(const lam_plot_data *d) {
  return d ? d->title : "";
}

/* ---- HDF5 helpers ------------------------------------------------------ */

typedef struct run_file {
  const char *path;
  hid_t f;
  char prefix[72]; /* "AREA." of the area drawn in a run of areas, else "" */
} run_file;

static int run_open(const char *path, run_file *r, lam_err *err) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  r->path = path;
  r->prefix[0] = 0;
  r->f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  if (r->f < 0) {
    char part[1100];
    snprintf(part, sizeof part, "%s.part", path);
    FILE *fp = fopen(part, "rb");
    if (fp) {
      fclose(fp);
      return lam_err_set(err, LAM_EIO,
                         "%s: cannot open (only %s exists: the run did not "
                         "complete)",
                         path, part);
    }
    return lam_err_set(err, LAM_EIO,
                       "%s: cannot open as an HDF5 run file (expected the "
                       "output of `laminar run`)",
                       path);
  }
  return LAM_OK;
}

static void run_close(run_file *r) {
  if (r->f >= 0) {
    H5Fclose(r->f);
  }
  r->f = -1;
}

/* Does every link of an absolute path exist? */
static int exists(const run_file *r, const char *name) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", name);
  for (char *p = strchr(buf + 1, '/');; p = strchr(p + 1, '/')) {
    if (p) {
      *p = 0;
    }
    htri_t e = H5Lexists(r->f, buf, H5P_DEFAULT);
    if (e <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
    if (!p) {
      return 1;
    }
    *p = '/';
  }
}

/* Text attribute of an object (fixed or variable length) as a new string
 * (caller frees), NULL if absent or unreadable. */
static char *attr_dup(hid_t obj, const char *name) {
  char *out = NULL;
  if (H5Aexists(obj, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return NULL;
  }
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t t = a >= 0 ? H5Aget_type(a) : -1;
  if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
    if (H5Tis_variable_str(t) > 0) {
      char *s = NULL;
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      H5Tset_cset(mt, H5Tget_cset(t)); /* HDF5 does not convert charsets */
      if (H5Aread(a, mt, &s) >= 0 && s) {
        out = dup_str(s);
        H5free_memory(s);
      }
      H5Tclose(mt);
    } else {
      size_t sz = H5Tget_size(t);
      char *s = calloc(sz + 1, 1);
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, sz + 1);
      H5Tset_cset(mt, H5Tget_cset(t));
      if (s && H5Aread(a, mt, s) >= 0) {
        out = s;
        s = NULL;
      }
      free(s);
      H5Tclose(mt);
    }
  }
  if (t >= 0) {
    H5Tclose(t);
  }
  if (a >= 0) {
    H5Aclose(a);
  }
  H5Eclear2(H5E_DEFAULT);
  return out;
}

/* Text attribute into out (len bytes), "" if absent. */
static void attr_text(hid_t obj, const char *name, char *out, size_t len) {
  char *s = attr_dup(obj, name);
  snprintf(out, len, "%s", s ? s : "");
  free(s);
}

/* Real attribute, NaN if absent. */
static double attr_real(hid_t obj, const char *name) {
  double v = NAN;
  if (H5Aexists(obj, name) > 0) {
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) {
      v = NAN;
    }
    if (a >= 0) {
      H5Aclose(a);
    }
  }
  H5Eclear2(H5E_DEFAULT);
  return v;
}

/* Shape of a dataset (rank 1..3). */
static int ds_shape(const run_file *r, const char *name, int *rank,
                    size_t dims[3], lam_err *err) {
  hid_t ds = H5Dopen2(r->f, name, H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
  int rk = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  hsize_t hd[3] = {0, 0, 0};
  if (rk >= 1 && rk <= 3) {
    H5Sget_simple_extent_dims(sp, hd, NULL);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (ds >= 0) {
    H5Dclose(ds);
  }
  H5Eclear2(H5E_DEFAULT);
  if (rk < 1 || rk > 3) {
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot read (expected a "
                       "dataset of rank 1..3)", r->path, name);
  }
  *rank = rk;
  for (int i = 0; i < 3; i++) {
    dims[i] = i < rk ? (size_t)hd[i] : 1;
  }
  return LAM_OK;
}

/* Rows [r0, r1) of the first dimension of dataset name (all of it when
 * r1 == 0) into a new array; unit (if non-NULL, 64 bytes) gets its unit
 * attribute. */
static int ds_read(const run_file *r, const char *name, size_t r0, size_t r1,
                   double **out, size_t dims[3], char *unit, lam_err *err) {
  int rank;
  *out = NULL;
  int rc = ds_shape(r, name, &rank, dims, err);
  if (rc) {
    return rc;
  }
  if (r1 == 0) {
    r1 = dims[0];
  }
  if (r0 > r1 || r1 > dims[0]) {
    return LAM_INTERNAL(err, "row range outside the dataset");
  }
  size_t rowlen = dims[1] * dims[2];
  size_t n = (r1 - r0) * rowlen;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) {
    return LAM_NOMEM(err);
  }
  hid_t ds = H5Dopen2(r->f, name, H5P_DEFAULT);
  hid_t fs = ds >= 0 ? H5Dget_space(ds) : -1;
  hsize_t start[3] = {r0, 0, 0}, count[3] = {r1 - r0, dims[1], dims[2]};
  herr_t hr = -1;
  if (n == 0) {
    hr = 0;
  } else if (fs >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL,
                                            count, NULL) >= 0) {
    hid_t ms = H5Screate_simple(rank, count, NULL);
    hr = ms >= 0 ? H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, v) : -1;
    if (ms >= 0) {
      H5Sclose(ms);
    }
  }
  if (unit && ds >= 0) {
    attr_text(ds, "unit", unit, 64);
  }
  if (fs >= 0) {
    H5Sclose(fs);
  }
  if (ds >= 0) {
    H5Dclose(ds);
  }
  H5Eclear2(H5E_DEFAULT);
  if (hr < 0) {
    free(v);
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot read", r->path, name);
  }
  dims[0] = r1 - r0;
  *out = v;
  return LAM_OK;
}

/* ---- the time window ---------------------------------------------------- */

typedef struct window {
  double *t; /* all of /time [s] */
  size_t nt; /* its length */
  size_t i0, i1; /* samples in the window: [i0, i1) */
} window;

static int read_window(const run_file *r, const lam_plot_opts *o, window *w,
                       lam_err *err) {
  memset(w, 0, sizeof *w);
  if (!exists(r, "/time")) {
    return lam_err_set(err, LAM_ENOTFOUND,
                       "%s: no /time dataset (expected the output of "
                       "`laminar run`)",
                       r->path);
  }
  size_t dims[3];
  int rc = ds_read(r, "/time", 0, 0, &w->t, dims, NULL, err);
  if (rc) {
    return rc;
  }
  w->nt = dims[0];
  if (w->nt == 0) {
    return lam_err_set(err, LAM_ENOTFOUND, "%s: the run has no samples",
                       r->path);
  }
  double t0 = isnan(o->t0_s) ? -INFINITY : o->t0_s;
  double t1 = isnan(o->t1_s) ? INFINITY : o->t1_s;
  if (!(t0 < t1)) {
    return lam_err_set(err, LAM_EINVAL,
                       "--t0 %g s, --t1 %g s: expected t0 < t1", o->t0_s,
                       o->t1_s);
  }
  size_t i = 0;
  while (i < w->nt && w->t[i] < t0) {
    i++;
  }
  w->i0 = i;
  while (i < w->nt && w->t[i] <= t1) {
    i++;
  }
  w->i1 = i;
  if (w->i1 - w->i0 < 2) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: fewer than 2 samples between --t0 and --t1 (the "
                       "run covers %g .. %g s)",
                       r->path, w->t[0], w->t[w->nt - 1]);
  }
  return LAM_OK;
}

static int add_time(lam_plot_data *d, const window *w, lam_err *err) {
  lam_plot_array *a =
      lam__plot_add(d, "time", "ms", "time", 1, w->i1 - w->i0, err);
  if (!a) {
    return err ? err->code : LAM_ENOMEM;
  }
  for (size_t i = w->i0; i < w->i1; i++) {
    a->v[i - w->i0] = 1e3 * w->t[i];
  }
  return LAM_OK;
}

/* ---- areas ---------------------------------------------------------------- */

/* A run of stacked areas (root attribute kind = "areas", docs/hierarchy.md)
 * names every dataset of area NAME with the prefix "NAME." (/traces/v1.l4,
 * /final/v1.attn, /v1.lfp). Its areas are read from the resolved model the
 * run recorded (root attribute model, [areas] names), the one list that
 * holds them all in hierarchy order whatever was recorded. */
#define MAX_AREAS 16

typedef struct area_list {
  size_t n;
  char name[MAX_AREAS][64];
} area_list;

static int read_areas(const run_file *r, area_list *a, lam_err *err) {
  a->n = 0;
  char kind[64];
  attr_text(r->f, "kind", kind, sizeof kind);
  if (strcmp(kind, "areas")) {
    return LAM_OK;
  }
  char *text = attr_dup(r->f, "model");
  lam_model *m = text ? lam_model_new() : NULL;
  lam_err merr = {0, ""};
  const char *names = NULL;
  if (m && lam_model_load_text(m, text, r->path, ".", &merr) == LAM_OK) {
    names = lam_model_value(m, "areas", "names");
  }
  int rc = LAM_OK;
  for (const char *p = names; p && *p && !rc;) {
    size_t k = strcspn(p, ",");
    const char *e = p + k;
    while (p < e && (*p == ' ' || *p == '\t')) {
      p++;
    }
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) {
      e--;
    }
    if (e > p) {
      if (a->n == MAX_AREAS || (size_t)(e - p) >= sizeof a->name[0]) {
        rc = lam_err_set(err, LAM_EIO,
                         "%s: more than %d areas or an area name longer "
                         "than %zu characters",
                         r->path, MAX_AREAS, sizeof a->name[0] - 1);
        break;
      }
      snprintf(a->name[a->n++], sizeof a->name[0], "%.*s", (int)(e - p), p);
    }
    p += k + (p[k] == ',');
  }
  lam_model_free(m);
  free(text);
  if (!rc && a->n == 0) {
    rc = lam_err_set(err, LAM_EIO,
                     "%s: a run of areas (kind = areas) whose recorded model "
                     "has no [areas] names: cannot tell its areas%s%s",
                     r->path, merr.msg[0] ? ": " : "", merr.msg);
  }
  return rc;
}

/* "v1, v2, ..." into out. */
static void join_areas(const area_list *a, const char *sep, char *out,
                       size_t len) {
  out[0] = 0;
  for (size_t i = 0, o = 0; i < a->n && o < len; i++) {
    int w = snprintf(out + o, len - o, "%s%s", i ? sep : "", a->name[i]);
    o += w > 0 ? (size_t)w : 0;
  }
}

int lam_plot_run_areas(const char *run_h5, char *names, size_t len, size_t *n,
                       lam_err *err) {
  lam_err local = {0, ""};
  if (!err) {
    err = &local;
  }
  if (names && len) {
    names[0] = 0;
  }
  *n = 0;
  run_file r = {run_h5, -1, ""};
  area_list a;
  int rc = run_open(run_h5, &r, err);
  if (!rc) {
    rc = read_areas(&r, &a, err);
  }
  run_close(&r);
  if (rc) {
    return rc;
  }
  char buf[MAX_AREAS * 66];
  join_areas(&a, ",", buf, sizeof buf);
  if (names && len && snprintf(names, len, "%s", buf) >= (int)len) {
    return lam_err_set(err, LAM_EINVAL, "%s: the area names do not fit in %zu "
                       "bytes", run_h5, len);
  }
  *n = a.n;
  return LAM_OK;
}

/* The area o->area (the first when NULL or "") of a run of areas: sets
 * r->prefix and adds ", area NAME" to the title. A single-area run takes no
 * --area. */
static int pick_area(run_file *r, const lam_plot_opts *o, lam_plot_data *d,
                     lam_err *err) {
  area_list a;
  int rc = read_areas(r, &a, err);
  if (rc) {
    return rc;
  }
  int given = o->area && o->area[0];
  if (a.n == 0) {
    if (given) {
      return lam_err_set(err, LAM_EINVAL,
                         "--area %s: %s is a single-area run (no [areas] in "
                         "its model): leave --area out",
                         o->area, r->path);
    }
    return LAM_OK;
  }
  size_t k = 0;
  while (given && k < a.n && strcmp(a.name[k], o->area)) {
    k++;
  }
  if (k == a.n) {
    char list[MAX_AREAS * 66];
    join_areas(&a, ", ", list, sizeof list);
    return lam_err_set(err, LAM_EINVAL,
                       "--area %s: %s has no such area; its areas are %s",
                       o->area, r->path, list);
  }
  snprintf(r->prefix, sizeof r->prefix, "%s.", a.name[k]);
  size_t L = strlen(d->title);
  snprintf(d->title + L, sizeof d->title - L, ", area %s", a.name[k]);
  return LAM_OK;
}

/* ---- traces ------------------------------------------------------------- */

typedef struct pop_entry {
  char name[128];
  char layer[32];
  double rank;
  size_t order;
} pop_entry;

/* Cortical order (issue: L2/3 at the top, then L4, L5, interneurons,
 * output): the attention network's populations by name, others by their
 * layer attribute. */
static double cortical_rank(const char *name, const char *layer) {
  static const char *const names[] = {"l23", "l4",  "l5b", "l5a", "pv",
                                      "som", "vip", "out", "attn"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!strcmp(name, names[i])) {
      return (double)i;
    }
  }
  static const char *const layers[] = {"L1", "L2/3", "L4", "L5", "L6"};
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
    if (!strcmp(layer, layers[i])) {
      return 10.0 + (double)i;
    }
  }
  return 20.0;
}

static int cmp_pop(const void *a, const void *b) {
  const pop_entry *p = a, *q = b;
  if (p->rank != q->rank) {
    return p->rank < q->rank ? -1 : 1;
  }
  return p->order < q->order ? -1 : (p->order > q->order);
}

typedef struct list_ctx {
  pop_entry *e;
  size_t n, cap;
  int fail;
} list_ctx;

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info,
                      void *data) {
  (void)g;
  (void)info;
  list_ctx *c = data;
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 16;
    pop_entry *ne = realloc(c->e, cap * sizeof *ne);
    if (!ne) {
      c->fail = 1;
      return -1;
    }
    c->e = ne;
    c->cap = cap;
  }
  pop_entry *p = &c->e[c->n];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  p->order = c->n++;
  return 0;
}

/* The recorded populations in cortical order (*n may be 0). */
static int list_pops(const run_file *r, pop_entry **out, size_t *n,
                     lam_err *err) {
  *out = NULL;
  *n = 0;
  if (!exists(r, "/traces")) {
    return LAM_OK;
  }
  hid_t g = H5Gopen2(r->f, "/traces", H5P_DEFAULT);
  if (g < 0) {
    H5Eclear2(H5E_DEFAULT);
    return lam_err_set(err, LAM_EIO, "%s: /traces: cannot open", r->path);
  }
  list_ctx c = {NULL, 0, 0, 0};
  herr_t hr = H5Literate(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, list_cb, &c);
  if (hr < 0 && !c.fail) {
    /* Files without creation-order tracking: name order. */
    H5Eclear2(H5E_DEFAULT);
    c.n = 0;
    hr = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, list_cb, &c);
  }
  /* In a run of areas only the drawn area's populations (AREA.pop), ranked
   * by their name within the area. */
  size_t pl = strlen(r->prefix), kept = 0;
  for (size_t i = 0; hr >= 0 && i < c.n; i++) {
    if (strncmp(c.e[i].name, r->prefix, pl)) {
      continue;
    }
    c.e[kept] = c.e[i];
    pop_entry *e = &c.e[kept++];
    hid_t ds = H5Dopen2(g, e->name, H5P_DEFAULT);
    if (ds >= 0) {
      attr_text(ds, "layer", e->layer, sizeof e->layer);
      H5Dclose(ds);
    }
    e->rank = cortical_rank(e->name + pl, e->layer);
  }
  if (hr >= 0) {
    c.n = kept;
  }
  H5Gclose(g);
  H5Eclear2(H5E_DEFAULT);
  if (c.fail) {
    free(c.e);
    return LAM_NOMEM(err);
  }
  if (hr < 0) {
    free(c.e);
    return lam_err_set(err, LAM_EIO, "%s: /traces: cannot list", r->path);
  }
  qsort(c.e, c.n, sizeof *c.e, cmp_pop);
  *out = c.e;
  *n = c.n;
  return LAM_OK;
}

static int is_clock(const char *name) { return !strncmp(name, "clock", 5); }

/* traces/<pop>: the column means over units of the selected columns. */
static int extract_traces(const run_file *r, const lam_plot_opts *o,
                          lam_plot_data *d, lam_err *err) {
  window w;
  pop_entry *pops = NULL;
  size_t np = 0;
  double *v = NULL;
  int *cols = NULL;
  int rc = read_window(r, o, &w, err);
  if (!rc) {
    rc = list_pops(r, &pops, &np, err);
  }
  if (!rc && np == 0 && r->prefix[0]) {
    rc = lam_err_set(err, LAM_ENOTFOUND,
                     "%s: no recorded populations of area %.*s (/traces/%s*):"
                     " run without --record, or list them (laminar run MODEL"
                     " --record %sl23,%sl4,...)",
                     r->path, (int)strlen(r->prefix) - 1, r->prefix,
                     r->prefix, r->prefix, r->prefix);
  } else if (!rc && np == 0) {
    rc = lam_err_set(err, LAM_ENOTFOUND,
                     "%s: no recorded populations (/traces is empty): run "
                     "without --record, or list the populations to draw "
                     "(laminar run MODEL --record l23,l4,...)",
                     r->path);
  }
  if (!rc) {
    rc = add_time(d, &w, err);
  }
  /* Columns: checked against the widest population. */
  size_t maxcols = 0;
  for (size_t p = 0; !rc && p < np; p++) {
    char name[160];
    size_t dims[3];
    int rank;
    snprintf(name, sizeof name, "/traces/%s", pops[p].name);
    rc = ds_shape(r, name, &rank, dims, err);
    if (!rc && dims[1] > maxcols) {
      maxcols = dims[1];
    }
  }
  for (size_t k = 0; !rc && o->columns && k < o->ncolumns; k++) {
    if (o->columns[k] < 0 || (size_t)o->columns[k] >= maxcols) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "--columns: column %d does not exist (the run has "
                       "columns 0..%zu)",
                       o->columns[k], maxcols ? maxcols - 1 : 0);
    }
  }
  size_t ntw = w.i1 - w.i0;
  for (size_t p = 0; !rc && p < np; p++) {
    char name[160], unit[64];
    size_t dims[3];
    snprintf(name, sizeof name, "/traces/%s", pops[p].name);
    free(v);
    v = NULL;
    rc = ds_read(r, name, w.i0, w.i1, &v, dims, unit, err);
    if (rc) {
      break;
    }
    if (dims[0] != ntw) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s has %zu samples in the window, "
                       "/time %zu", r->path, name, dims[0], ntw);
      break;
    }
    size_t nc = dims[1], nu = dims[2];
    if (is_clock(pops[p].name + strlen(r->prefix))) {
      /* clock_phase (rad; unit 0 gamma, unit 1 alpha/beta, circuits/
       * lam_attention.c) of the first shown column becomes the thin band
       * cos(phase); the other clock observables (gains) are the same
       * rhythm and are not drawn. */
      if (strcmp(pops[p].name, "clock_phase") || nc == 0) {
        continue;
      }
      size_t c0 = o->columns && (size_t)o->columns[0] < nc
                      ? (size_t)o->columns[0] : 0;
      static const char *const band[2] = {"clock/gamma", "clock/alpha"};
      for (size_t u = 0; u < nu && u < 2 && !rc; u++) {
        lam_plot_array *a = lam__plot_add(d, band[u], "1", "cos(phase)", 1,
                                          ntw, err);
        if (!a) {
          rc = err ? err->code : LAM_ENOMEM;
          break;
        }
        for (size_t i = 0; i < ntw; i++) {
          a->v[i] = cos(v[(i * nc + c0) * nu + u]);
        }
      }
      continue;
    }
    free(cols);
    cols = malloc((nc ? nc : 1) * sizeof *cols);
    if (!cols) {
      rc = LAM_NOMEM(err);
      break;
    }
    size_t ns = 0;
    if (o->columns) {
      for (size_t k = 0; k < o->ncolumns; k++) {
        if ((size_t)o->columns[k] < nc) {
          cols[ns++] = o->columns[k];
        }
      }
    } else {
      for (size_t c = 0; c < nc; c++) {
        cols[ns++] = (int)c;
      }
    }
    if (ns == 0 || nu == 0) {
      continue; /* none of the chosen columns in this population */
    }
    char aname[160];
    snprintf(aname, sizeof aname, "traces/%s", pops[p].name);
    lam_plot_array *a =
        lam__plot_add(d, aname, unit, pops[p].layer, ns, ntw, err);
    if (!a) {
      rc = err ? err->code : LAM_ENOMEM;
      break;
    }
    for (size_t k = 0; k < ns; k++) {
      for (size_t i = 0; i < ntw; i++) {
        const double *row = v + (i * nc + (size_t)cols[k]) * nu;
        double s = 0.0;
        for (size_t u = 0; u < nu; u++) {
          s += row[u];
        }
        a->v[k * ntw + i] = s / (double)nu;
      }
    }
    snprintf(aname, sizeof aname, "traces/%s/columns", pops[p].name);
    lam_plot_array *ca = lam__plot_add(d, aname, "", "", 1, ns, err);
    if (!ca) {
      rc = err ? err->code : LAM_ENOMEM;
      break;
    }
    for (size_t k = 0; k < ns; k++) {
      ca->v[k] = cols[k];
    }
  }
  free(cols);
  free(v);
  free(pops);
  free(w.t);
  return rc;
}

/* ---- psd ------------------------------------------------------------------ */

static const char *const psd_layers[] = {"L1", "L2/3", "L4", "L5", "L6"};
enum { NPSD_LAYERS = 5 };

/* Welch segments: a quarter of the window (about 7 half-overlapping
 * segments, the usual variance/resolution compromise), at least 16 samples. */
#define PSD_MIN_SAMPLES 16

static int extract_psd(const run_file *r, const lam_plot_opts *o,
                       lam_plot_data *d, lam_err *err) {
  lam_plot_data *tr = calloc(1, sizeof *tr);
  if (!tr) {
    return LAM_NOMEM(err);
  }
  int rc = extract_traces(r, o, tr, err);
  const lam_plot_array *time = rc ? NULL : lam_plot_data_find(tr, "time");
  size_t n = time ? time->cols : 0;
  double *sig = NULL, *psd = NULL;
  lam_welch *wp = NULL;
  if (!rc && n < PSD_MIN_SAMPLES) {
    rc = lam_err_set(err, LAM_EINVAL,
                     "%s: %zu samples in the window: a spectrum needs at "
                     "least %d",
                     r->path, n, PSD_MIN_SAMPLES);
  }
  double fs = 0.0;
  if (!rc) {
    double span_s = 1e-3 * (time->v[n - 1] - time->v[0]);
    fs = (double)(n - 1) / span_s;
    size_t nseg = n / 4 >= PSD_MIN_SAMPLES ? n / 4 : PSD_MIN_SAMPLES;
    wp = lam_welch_new(nseg, fs, err);
    rc = wp ? LAM_OK : err->code;
  }
  size_t nf = wp ? lam_welch_nfreq(wp) : 0;
  if (!rc) {
    sig = calloc(n, sizeof *sig);
    psd = calloc(nf, sizeof *psd);
    rc = sig && psd ? LAM_OK : LAM_NOMEM(err);
  }
  if (!rc) {
    lam_plot_array *f = lam__plot_add(d, "freq", "Hz", "frequency", 1, nf - 1,
                                      err);
    rc = f ? LAM_OK : err->code;
    for (size_t k = 1; !rc && k < nf; k++) {
      f->v[k - 1] = lam_welch_freq(wp, k);
    }
  }
  if (!rc) {
    lam_plot_array *b = lam__plot_add(d, "bands", "Hz", "", lam_nbands, 2,
                                      err);
    rc = b ? LAM_OK : err->code;
    for (size_t k = 0; !rc && k < lam_nbands; k++) {
      b->v[2 * k] = lam_bands[k].lo_hz;
      b->v[2 * k + 1] = lam_bands[k].hi_hz;
    }
  }
  size_t nlayers = 0;
  for (size_t l = 0; !rc && l < NPSD_LAYERS; l++) {
    /* The layer's signal: mean over its populations of the column means. */
    size_t npop = 0;
    char unit[64] = "";
    memset(sig, 0, n * sizeof *sig);
    for (size_t i = 0; i < tr->n; i++) {
      const lam_plot_array *a = tr->a[i];
      if (strncmp(a->name, "traces/", 7) || strchr(a->name + 7, '/') ||
          strcmp(a->label, psd_layers[l])) {
        continue;
      }
      if (!unit[0]) {
        snprintf(unit, sizeof unit, "%s", a->unit);
      }
      for (size_t k = 0; k < a->rows; k++) {
        for (size_t j = 0; j < n; j++) {
          sig[j] += a->v[k * n + j] / (double)a->rows;
        }
      }
      npop++;
    }
    if (npop == 0) {
      continue;
    }
    for (size_t j = 0; j < n; j++) {
      sig[j] /= (double)npop;
    }
    rc = lam_welch_psd(wp, sig, n, 1, psd, err);
    if (rc) {
      rc = lam_err_prefix(err, "%s: layer %s: ", r->path, psd_layers[l]);
      break;
    }
    char name[64], pu[96];
    snprintf(name, sizeof name, "psd/%s", psd_layers[l]);
    snprintf(pu, sizeof pu, "%s^2/Hz", unit[0] ? unit : "1");
    lam_plot_array *a = lam__plot_add(d, name, pu, psd_layers[l], 1, nf - 1,
                                      err);
    if (!a) {
      rc = err->code;
      break;
    }
    memcpy(a->v, psd + 1, (nf - 1) * sizeof *psd);
    snprintf(name, sizeof name, "peaks/%s", psd_layers[l]);
    lam_plot_array *pk = lam__plot_add(d, name, "Hz", psd_layers[l],
                                       lam_nbands, 2, err);
    if (!pk) {
      rc = err->code;
      break;
    }
    double df = lam_welch_df(wp);
    for (size_t b = 0; b < lam_nbands; b++) {
      double fp = NAN, pp = NAN;
      if (lam_bands[b].hi_hz <= 0.5 * fs &&
          lam_band_peak(psd, nf, df, lam_bands[b].lo_hz, lam_bands[b].hi_hz,
                        &fp, NULL) == LAM_OK) {
        /* A peak is a local maximum: the band's largest bin must exceed
         * both neighbours, else the spectrum only falls (or rises) through
         * the band and nothing is marked (bin 0, the removed mean, does
         * not count as a neighbour). */
        size_t k = (size_t)floor(fp / df + 0.5);
        if (k >= 2 && k + 1 < nf && psd[k] > psd[k - 1] &&
            psd[k] > psd[k + 1]) {
          /* The PSD at the refined peak, linearly interpolated. */
          size_t k0 = (size_t)floor(fp / df);
          double u = fp / df - (double)k0;
          pp = k0 + 1 < nf ? (1.0 - u) * psd[k0] + u * psd[k0 + 1] : psd[k0];
        } else {
          fp = NAN;
        }
      }
      pk->v[2 * b] = fp;
      pk->v[2 * b + 1] = pp;
    }
    nlayers++;
  }
  if (!rc && nlayers == 0) {
    rc = lam_err_set(err, LAM_ENOTFOUND,
                     "%s: no recorded population carries a cortical layer "
                     "(L1..L6): record the layered populations (laminar run "
                     "MODEL --record l23,l4,l5b,...)",
                     r->path);
  }
  lam_welch_free(wp);
  free(sig);
  free(psd);
  lam_plot_data_free(tr);
  return rc;
}

/* ---- probe: csd and lfp ----------------------------------------------------- */

/* A probe dataset, or the model-file line that makes `laminar run` write
 * it. */
static int need_probe(const run_file *r, const char *name, const char *what,
                      lam_err *err) {
  if (exists(r, name)) {
    return LAM_OK;
  }
  return lam_err_set(err, LAM_ENOTFOUND,
                     "%s: no %s (%s of the virtual laminar probe): add "
                     "\"[probe] enabled = true\" to the model file (or run "
                     "with --set probe.enabled=true) and run it again",
                     r->path, name, what);
}

static int extract_probe(const run_file *r, const lam_plot_opts *o,
                         int csd, lam_plot_data *d, lam_err *err) {
  char sname[96];
  snprintf(sname, sizeof sname, "/%s%s", r->prefix, csd ? "csd" : "lfp");
  window w;
  double *v = NULL, *depth = NULL;
  char unit[64] = "";
  size_t dims[3], ddims[3];
  int rc = need_probe(r, sname, csd ? "the current source density" :
                      "the laminar LFP", err);
  if (!rc) {
    rc = need_probe(r, "/probe/depth_um", "the contact depths", err);
  }
  if (!rc) {
    rc = read_window(r, o, &w, err);
  } else {
    memset(&w, 0, sizeof w);
  }
  if (!rc) {
    int rank;
    rc = ds_shape(r, sname, &rank, dims, err);
    if (!rc && dims[0] != w.nt) {
      rc = lam_err_set(err, LAM_EIO,
                       "%s: %s has %zu samples, /time %zu: expected one row "
                       "per recorded sample",
                       r->path, sname, dims[0], w.nt);
    }
  }
  if (!rc) {
    rc = ds_read(r, sname, w.i0, w.i1, &v, dims, unit, err);
  }
  if (!rc) {
    rc = ds_read(r, "/probe/depth_um", 0, 0, &depth, ddims, NULL, err);
  }
  size_t nc = dims[1], ncont = ddims[0];
  if (!rc && nc != (csd ? ncont - 2 : ncont)) {
    rc = lam_err_set(err, LAM_EIO,
                     "%s: %s has %zu values per sample for %zu contacts in "
                     "/probe/depth_um: expected %zu",
                     r->path, sname, nc, ncont, csd ? ncont - 2 : ncont);
  }
  if (!rc && nc < 1) {
    rc = lam_err_set(err, LAM_EIO, "%s: %s is empty", r->path, sname);
  }
  if (!rc) {
    rc = add_time(d, &w, err);
  }
  size_t ntw = w.i1 - w.i0;
  if (!rc) {
    lam_plot_array *a = lam__plot_add(d, "depth", "um", "depth", 1, nc, err);
    rc = a ? LAM_OK : err->code;
    for (size_t k = 0; !rc && k < nc; k++) {
      a->v[k] = depth[csd ? k + 1 : k];
    }
  }
  if (!rc) {
    lam_plot_array *a = csd ? lam__plot_add(d, "csd", unit, "CSD", ntw, nc, err)
                            : lam__plot_add(d, "lfp", unit, "LFP", nc, ntw, err);
    rc = a ? LAM_OK : err->code;
    for (size_t i = 0; !rc && i < ntw; i++) {
      for (size_t k = 0; k < nc; k++) {
        if (csd) {
          a->v[i * nc + k] = v[i * nc + k];
        } else {
          a->v[k * ntw + i] = v[i * nc + k];
        }
      }
    }
  }
  free(v);
  free(depth);
  free(w.t);
  return rc;
}

/* ---- attention ------------------------------------------------------------- */

static int extract_attention(const run_file *r, const lam_plot_opts *o,
                             lam_plot_data *d, lam_err *err) {
  /* /final/attn, or /final/AREA.attn in a run of areas; likewise below. */
  char fattn[96], tattn[96], fl4[96], tl4[96];
  snprintf(fattn, sizeof fattn, "/final/%sattn", r->prefix);
  snprintf(tattn, sizeof tattn, "/traces/%sattn", r->prefix);
  snprintf(fl4, sizeof fl4, "/final/%sl4", r->prefix);
  snprintf(tl4, sizeof tl4, "/traces/%sl4", r->prefix);
  int have_final = exists(r, fattn);
  int have_traces = exists(r, tattn);
  if (!have_final && !have_traces) {
    return lam_err_set(err, LAM_ENOTFOUND,
                       "%s: no attention weights (%s or %s): they come from "
                       "the attention network (\"[column] kind = attention\" "
                       "in the model file); when recording a subset, include "
                       "%sattn (laminar run MODEL --record ...,%sattn)",
                       r->path, fattn, tattn, r->prefix, r->prefix);
  }
  double *v = NULL;
  size_t dims[3];
  double at = NAN;
  int rc = LAM_OK;
  if (isnan(o->at_s) && have_final) {
    rc = ds_read(r, fattn, 0, 0, &v, dims, NULL, err);
    if (!rc) {
      hid_t ds = H5Dopen2(r->f, fattn, H5P_DEFAULT);
      at = ds >= 0 ? attr_real(ds, "t") : NAN;
      if (ds >= 0) {
        H5Dclose(ds);
      }
      /* Rank 2 (ncols x nunits): shift the shape to match a trace row. */
      dims[2] = dims[1];
      dims[1] = dims[0];
      dims[0] = 1;
    }
  } else {
    if (!have_traces) {
      return lam_err_set(err, LAM_ENOTFOUND,
                         "%s: --at needs %s (the run kept only the final "
                         "weights): record %sattn (laminar run MODEL "
                         "--record ...,%sattn)",
                         r->path, tattn, r->prefix, r->prefix);
    }
    window w;
    lam_plot_opts all = *o;
    all.t0_s = all.t1_s = NAN;
    rc = read_window(r, &all, &w, err);
    size_t best = 0;
    if (!rc) {
      double target = isnan(o->at_s) ? w.t[w.nt - 1] : o->at_s;
      if (target < w.t[0] - 1e-12 || target > w.t[w.nt - 1] + 1e-12) {
        rc = lam_err_set(err, LAM_EINVAL,
                         "--at %g s: outside the run (%g .. %g s)", o->at_s,
                         w.t[0], w.t[w.nt - 1]);
      }
      for (size_t i = 1; !rc && i < w.nt; i++) {
        if (fabs(w.t[i] - target) < fabs(w.t[best] - target)) {
          best = i;
        }
      }
      at = rc ? NAN : w.t[best];
    }
    if (!rc) {
      rc = ds_read(r, tattn, best, best + 1, &v, dims, NULL, err);
    }
    free(w.t);
  }
  /* nq x (H T): T from the L4 population (one column per position). */
  size_t nq = dims[1], units = dims[2], T = nq;
  const char *tsrc[] = {fl4, tl4};
  for (size_t s = 0; !rc && s < 2; s++) {
    if (exists(r, tsrc[s])) {
      size_t td[3];
      int rank;
      if (ds_shape(r, tsrc[s], &rank, td, NULL) == LAM_OK) {
        T = rank == 2 ? td[0] : td[1];
        break;
      }
    }
  }
  if (!rc && (T == 0 || units % T != 0)) {
    rc = lam_err_set(err, LAM_EIO,
                     "%s: attn has %zu units per query: expected heads x "
                     "%zu columns",
                     r->path, units, T);
  }
  size_t H = rc ? 0 : units / T;
  if (!rc) {
    lam_plot_array *a = lam__plot_add(d, "at", "s", "time", 1, 1, err);
    rc = a ? LAM_OK : err->code;
    if (a) {
      a->v[0] = at;
    }
  }
  for (size_t h = 0; !rc && h < H; h++) {
    char name[64], label[64];
    snprintf(name, sizeof name, "attention/h%zu", h);
    snprintf(label, sizeof label, "head %zu", h);
    lam_plot_array *a = lam__plot_add(d, name, "1", label, T, nq, err);
    if (!a) {
      rc = err->code;
      break;
    }
    /* R[i][h*T + j] (circuits/lam_attention.h) -> x = key j, y = query i. */
    for (size_t i = 0; i < nq; i++) {
      for (size_t j = 0; j < T; j++) {
        a->v[j * nq + i] = v[i * units + h * T + j];
      }
    }
  }
  free(v);
  return rc;
}

/* ---- dispatch ----------------------------------------------------------------- */

lam_plot_data *lam_plot_extract(const char *input, const lam_plot_opts *o,
                                lam_err *err) {
  lam_err local = {0, ""};
  if (!err) {
    err = &local; /* the helpers read err->code */
  }
  if (!input || !o || o->kind < 0 || o->kind >= LAM_PLOT_NKINDS) {
    lam_err_set(err, LAM_EINVAL, "plot: no input or unknown kind");
    return NULL;
  }
  lam_plot_data *d = calloc(1, sizeof *d);
  if (!d) {
    LAM_NOMEM(err);
    return NULL;
  }
  d->kind = o->kind;
  const char *base = strrchr(input, '/');
  snprintf(d->title, sizeof d->title, "%s", base ? base + 1 : input);
  int rc;
  if (o->kind == LAM_PLOT_SWEEP) {
    rc = lam__plot_sweep_extract(input, o, d, err);
  } else {
    run_file r = {input, -1, ""};
    rc = run_open(input, &r, err);
    if (!rc) {
      rc = pick_area(&r, o, d, err);
    }
    if (!rc) {
      switch (o->kind) {
      case LAM_PLOT_TRACES:
        rc = extract_traces(&r, o, d, err);
        break;
      case LAM_PLOT_PSD:
        rc = extract_psd(&r, o, d, err);
        break;
      case LAM_PLOT_CSD:
      case LAM_PLOT_LFP:
        rc = extract_probe(&r, o, o->kind == LAM_PLOT_CSD, d, err);
        break;
      default:
        rc = extract_attention(&r, o, d, err);
        break;
      }
    }
    run_close(&r);
  }
  if (rc) {
    lam_plot_data_free(d);
    return NULL;
  }
  return d;
}
