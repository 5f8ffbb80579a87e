/* lam_plot_data.c: what each figure kind shows, read from a run's HDF5 file
 * through the checked reader io/lam_runfile.h (layout: io/lam_h5.c; arrays:
 * lam_plot.h).
 *
 * Extraction is kept apart from drawing so that the numbers a figure shows
 * can be checked against the file without decoding pictures, and so that
 * experiments can reuse them. Only the time window's rows are read
 * (hyperslabs on the samples dimension): a quick look at a long run does
 * not load it whole.
 */
#include "lam_plot_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_model.h"
#include "lam_run_analyze.h"
#include "lam_runfile.h"
#include "lam_spectrum.h"

/* ---- the run file (io/lam_runfile.h) ------------------------------------ */

typedef struct run_file {
  const char *path;
  lam_runfile *rf;
  char prefix[72]; /* "AREA." of the area drawn in a run of areas, else "" */
} run_file;

static const char shape_trace[] = "samples x columns x units";

static int run_open(const char *path, unsigned flags, run_file *r,
                    lam_err *err) {
  r->path = path;
  r->prefix[0] = 0;
  return lam_runfile_open(path, flags, &r->rf, err);
}

static void run_close(run_file *r) {
  lam_runfile_free(r->rf);
  r->rf = NULL;
}

static int exists(const run_file *r, const char *name) {
  return lam_runfile_exists(r->rf, name);
}

/* Rows [r0, r1) of the first dimension of dataset name, of rank rank (all
 * rows when r1 == 0) into a new array; unit (if non-NULL, 64 bytes) gets its
 * unit attribute. */
static int ds_read(const run_file *r, const char *name, int rank,
                   const char *shape, size_t r0, size_t r1, double **out,
                   size_t dims[3], char *unit, lam_err *err) {
  int rc = lam_runfile_read(r->rf, name, rank, shape, r0, r1, out, dims, err);
  if (!rc && unit) {
    rc = lam_runfile_attr_text(r->rf, name, "unit", unit, 64, err);
    if (rc) {
      free(*out);
      *out = NULL;
    }
  }
  return rc;
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
  int rc = ds_read(r, "/time", 1, "samples", 0, 0, &w->t, dims, NULL, err);
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
  int rc = lam_runfile_attr_text(r->rf, "/", "kind", kind, sizeof kind, err);
  if (rc || strcmp(kind, "areas")) {
    return rc;
  }
  char *text;
  rc = lam_runfile_attr_dup(r->rf, "/", "model", &text, err);
  if (rc) {
    return rc;
  }
  lam_model *m = text ? lam_model_new() : NULL;
  lam_err merr = {0, ""};
  const char *names = NULL;
  if (m && lam_model_load_text(m, text, r->path, ".", &merr) == LAM_OK) {
    names = lam_model_value(m, "areas", "names");
  }
  for (const char *q = names; q && *q && !rc;) {
    size_t k = strcspn(q, ",");
    const char *p = q, *e = q + k;
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
    q += k + (q[k] == ','); /* from the item's start: p moved past blanks */
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
  run_file r = {run_h5, NULL, ""};
  area_list a;
  /* Only the areas: completeness is for lam_plot_extract to check. */
  int rc = run_open(run_h5, LAM_RUNFILE_PARTIAL, &r, err);
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

/* Cortical order (as on a laminar probe: L2/3 at the top, then L4, L5,
 * interneurons, output): the attention network's populations by name,
 * others by their layer attribute. */
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

/* The recorded populations in cortical order (*n may be 0). */
static int list_pops(const run_file *r, pop_entry **out, size_t *n,
                     lam_err *err) {
  *out = NULL;
  *n = 0;
  lam_runfile_pop *p;
  size_t np;
  int rc = lam_runfile_pops(r->rf, LAM_RUNFILE_BY_CREATION, &p, &np, err);
  if (rc) {
    return rc;
  }
  pop_entry *e = calloc(np ? np : 1, sizeof *e);
  if (!e) {
    free(p);
    return LAM_NOMEM(err);
  }
  /* In a run of areas only the drawn area's populations (AREA.pop), ranked
   * by their name within the area. */
  size_t pl = strlen(r->prefix), kept = 0;
  for (size_t i = 0; i < np; i++) {
    if (strncmp(p[i].name, r->prefix, pl)) {
      continue;
    }
    pop_entry *q = &e[kept];
    snprintf(q->name, sizeof q->name, "%s", p[i].name);
    snprintf(q->layer, sizeof q->layer, "%s", p[i].layer);
    q->order = kept++;
    q->rank = cortical_rank(q->name + pl, q->layer);
  }
  free(p);
  qsort(e, kept, sizeof *e, cmp_pop);
  *out = e;
  *n = kept;
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
    snprintf(name, sizeof name, "/traces/%s", pops[p].name);
    rc = lam_runfile_shape(r->rf, name, 3, shape_trace, dims, err);
    if (!rc && dims[1] > maxcols) {
      maxcols = dims[1];
    }
  }
  for (size_t k = 0; !rc && o->columns && k < o->ncolumns; k++) {
    if (o->columns[k] < 0 || (size_t)o->columns[k] >= maxcols) {
      char has[64] = "no columns";
      if (maxcols) {
        snprintf(has, sizeof has, "%zu column%s, 0..%zu", maxcols,
                 maxcols == 1 ? "" : "s", maxcols - 1);
      }
      rc = lam_err_set(err, LAM_EINVAL,
                       "--columns: column %d does not exist (%s has %s)",
                       o->columns[k], r->path, has);
    }
  }
  size_t ntw = w.i1 - w.i0;
  for (size_t p = 0; !rc && p < np; p++) {
    char name[160], unit[64];
    size_t dims[3];
    snprintf(name, sizeof name, "/traces/%s", pops[p].name);
    free(v);
    v = NULL;
    rc = ds_read(r, name, 3, shape_trace, w.i0, w.i1, &v, dims, unit, err);
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

/* The spectra and peaks of `laminar analyze` (io/lam_run_analyze.h: the
 * segment rule, the mean of the columns' PSDs, peaks strictly inside the
 * bands), over the window, for the layers of the area drawn. */
static int extract_psd(const run_file *r, const lam_plot_opts *o,
                       lam_plot_data *d, lam_err *err) {
  lam_analysis_opts ao = lam_analysis_defaults();
  ao.t0 = isnan(o->t0_s) ? 0.0 : o->t0_s;
  ao.t1 = isnan(o->t1_s) ? INFINITY : o->t1_s;
  ao.columns = o->columns;
  ao.ncolumns = o->ncolumns;
  lam_analysis *an = NULL;
  /* The traces' checks first: the window and --columns, with their
   * messages. */
  lam_plot_data *tr = calloc(1, sizeof *tr);
  int rc = tr ? extract_traces(r, o, tr, err) : LAM_NOMEM(err);
  lam_plot_data_free(tr);
  if (!rc) {
    rc = lam_run_analyze(r->rf, &ao, &an, err);
  }
  if (rc == LAM_EINVAL && strstr(err->msg, "no population with a cortical layer")) {
    rc = lam_err_set(err, LAM_ENOTFOUND,
                     "%s: no recorded population carries a cortical layer "
                     "(L1..L6): record the layered populations (laminar run "
                     "MODEL --record POP,...)",
                     r->path);
  }
  const size_t nf = rc ? 0 : an->nfreq;
  if (!rc) {
    lam_plot_array *f = lam__plot_add(d, "freq", "Hz", "frequency", 1, nf - 1,
                                      err);
    rc = f ? LAM_OK : err->code;
    for (size_t k = 1; !rc && k < nf; k++) {
      f->v[k - 1] = (double)k * an->df;
    }
  }
  if (!rc) {
    lam_plot_array *b = lam__plot_add(d, "bands", "Hz", "", an->nb, 2, err);
    rc = b ? LAM_OK : err->code;
    for (size_t k = 0; !rc && k < an->nb; k++) {
      b->v[2 * k] = an->band[k].lo_hz;
      b->v[2 * k + 1] = an->band[k].hi_hz;
    }
  }
  /* The area drawn: r->prefix is "AREA." in a run of areas. */
  char area[72];
  snprintf(area, sizeof area, "%s", r->prefix);
  area[strcspn(area, ".")] = 0;
  size_t nlayers = 0;
  for (size_t l = 0; !rc && l < an->nl; l++) {
    const lam_analysis_layer *ly = &an->layer[l];
    if (strcmp(ly->area, area)) {
      continue;
    }
    char name[96], pu[96];
    snprintf(name, sizeof name, "psd/%s", ly->name);
    snprintf(pu, sizeof pu, "%s^2/Hz", ly->unit[0] ? ly->unit : "1");
    lam_plot_array *a = lam__plot_add(d, name, pu, ly->name, 1, nf - 1, err);
    snprintf(name, sizeof name, "peaks/%s", ly->name);
    lam_plot_array *pk = a ? lam__plot_add(d, name, "Hz", ly->name, an->nb, 2, err)
                           : NULL;
    if (!pk) {
      rc = err->code;
      break;
    }
    memcpy(a->v, ly->psd + 1, (nf - 1) * sizeof *ly->psd);
    for (size_t b = 0; b < an->nb; b++) {
      /* analyze's peak, and the PSD there (linear between bins). */
      const double fp = ly->pk[b];
      double pp = NAN;
      if (isfinite(fp)) {
        size_t k0 = (size_t)floor(fp / an->df);
        double u = fp / an->df - (double)k0;
        pp = k0 + 1 < nf ? (1.0 - u) * ly->psd[k0] + u * ly->psd[k0 + 1]
                         : ly->psd[k0];
      }
      pk->v[2 * b] = fp;
      pk->v[2 * b + 1] = pp;
    }
    nlayers++;
  }
  if (!rc && nlayers == 0) {
    rc = lam_err_set(err, LAM_ENOTFOUND,
                     "%s: no recorded population of this area carries a "
                     "cortical layer (L1..L6)", r->path);
  }
  lam_analysis_free(an);
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
  const char *pshape = csd ? "samples x (contacts - 2)" : "samples x contacts";
  if (!rc) {
    rc = lam_runfile_shape(r->rf, sname, 2, pshape, dims, err);
    if (!rc && dims[0] != w.nt) {
      rc = lam_err_set(err, LAM_EIO,
                       "%s: %s has %zu samples, /time %zu: expected one row "
                       "per recorded sample",
                       r->path, sname, dims[0], w.nt);
    }
  }
  if (!rc) {
    rc = ds_read(r, sname, 2, pshape, w.i0, w.i1, &v, dims, unit, err);
  }
  if (!rc) {
    rc = ds_read(r, "/probe/depth_um", 1, "contacts", 0, 0, &depth, ddims,
                 NULL, err);
  }
  size_t nc = dims[1], ncont = ddims[0];
  if (!rc && csd && ncont < 3) {
    rc = lam_err_set(err, LAM_EIO, "%s: /probe/depth_um has %zu contacts: a "
                     "CSD needs at least 3", r->path, ncont);
  } else if (!rc && nc != (csd ? ncont - 2 : ncont)) {
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
    rc = ds_read(r, fattn, 2, "queries x heads*keys", 0, 0, &v, dims, NULL,
                 err);
    if (!rc) {
      rc = lam_runfile_attr_real(r->rf, fattn, "t", &at, err);
    }
    if (!rc) {
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
      rc = ds_read(r, tattn, 3, "samples x queries x heads*keys", best,
                   best + 1, &v, dims, NULL, err);
    }
    free(w.t);
  }
  /* nq x (H T): T from the L4 population (one column per position). */
  size_t nq = dims[1], units = dims[2], T = nq;
  const char *tsrc[] = {fl4, tl4};
  for (size_t s = 0; !rc && s < 2; s++) {
    if (exists(r, tsrc[s])) {
      size_t td[3];
      rc = s == 0 ? lam_runfile_shape(r->rf, fl4, 2, "columns x units", td, err)
                  : lam_runfile_shape(r->rf, tl4, 3, shape_trace, td, err);
      T = s == 0 ? td[0] : td[1];
      break;
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
  } else if (o->kind == LAM_PLOT_BIFURCATION) {
    rc = lam__plot_bif_extract(input, o, d, err);
  } else {
    run_file r = {input, NULL, ""};
    rc = run_open(input, o->partial ? LAM_RUNFILE_PARTIAL : 0, &r, err);
    if (!rc) {
      rc = pick_area(&r, o, d, err);
    }
    if (!rc && !lam_runfile_complete(r.rf)) {
      /* Read with o->partial: the figure says so. */
      size_t L = strlen(d->title);
      snprintf(d->title + L, sizeof d->title - L, " (incomplete run)");
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
