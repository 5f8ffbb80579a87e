/* lam_region_run.c: a prediction map (lam_region.h): the region checked,
 * its Latin-hypercube points run through the sweep engine's worker pool
 * into its crash-safe table, and the table summarised (supported fraction
 * with its Wilson interval, Spearman ranks of the keys, the figure). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_csv.h"
#include "lam_exp_util.h"
#include "lam_model.h"
#include "lam_params.h"
#include "lam_region.h"
#include "lam_sim_params.h"
#include "lam_sweep.h"
#include "lam_sweep_pool.h"
#include "lam_sweep_table.h"
#include "lam_time.h"

/* ---- checks ---- */

/* The parameter-table row of "section.key", or NULL. */
static const lam_param *key_param(const char *key) {
  const char *dot = key ? strrchr(key, '.') : NULL;
  char sec[128];
  lam_sim_section s;
  if (dot && (size_t)(dot - key) < sizeof sec) {
    memcpy(sec, key, (size_t)(dot - key));
    sec[dot - key] = '\0';
    if (lam_sim_section_find(sec, &s)) {
      return lam_param_find(s.table, s.n, dot + 1);
    }
  }
  return NULL;
}

/* An axis label: the key and its unit, "column.tau_l5a (s)". */
static void key_label(const char *key, char *buf, size_t n) {
  const lam_param *p = key_param(key);
  if (p && p->unit && p->unit[0] && strcmp(p->unit, "1")) {
    snprintf(buf, n, "%s (%s)", key, p->unit);
  } else {
    snprintf(buf, n, "%s", key);
  }
}

int lam_region_check(const lam_experiment *e, const lam_region *r, size_t npoints,
                     lam_err *err) {
  if (!r) {
    return lam_err_set(err, LAM_EINVAL,
                       "experiment %s declares no region (experiments/lam_regions.c): "
                       "no prediction map", e->name);
  }
  if (npoints < 1 || npoints > LAM_SWEEP_MAX_POINTS) {
    return lam_err_set(err, LAM_EINVAL,
                       "experiment %s: --region %zu: expected 1 to %d points", e->name,
                       npoints, LAM_SWEEP_MAX_POINTS);
  }
  if (r->nkeys < 1 || r->nkeys > LAM_REGION_MAX_KEYS) {
    return lam_err_set(err, LAM_EINVAL,
                       "experiment %s: its region has %zu parameters; expected 1 to %d keys",
                       e->name, r->nkeys, LAM_REGION_MAX_KEYS);
  }
  if (r->seeds < 1) {
    return lam_err_set(err, LAM_EINVAL, "experiment %s: its region runs 0 seeds per point",
                       e->name);
  }
  for (size_t k = 0; k < r->nkeys; k++) {
    const lam_region_key *q = &r->keys[k];
    const lam_param *p = key_param(q->key);
    if (!p) {
      return lam_err_set(err, LAM_EINVAL,
                         "experiment %s: region key '%s' is not a key of any parameter "
                         "table (laminar keys)", e->name, q->key ? q->key : "(null)");
    }
    if (p->type != LAM_PT_REAL && p->type != LAM_PT_INT) {
      return lam_err_set(err, LAM_EINVAL,
                         "experiment %s: region key %s is not a number key", e->name, q->key);
    }
    for (size_t j = 0; j < k; j++) {
      if (!strcmp(r->keys[j].key, q->key)) {
        return lam_err_set(err, LAM_EINVAL, "experiment %s: region key %s given twice",
                           e->name, q->key);
      }
    }
    if (!(q->lo < q->hi) || q->lo < p->min || q->hi > p->max || (q->log && q->lo <= 0.0)) {
      char a[32], b[32];
      lam_param_bound(p->min, p->type == LAM_PT_INT, a, sizeof a);
      lam_param_bound(p->max, p->type == LAM_PT_INT, b, sizeof b);
      return lam_err_set(err, LAM_EINVAL,
                         "experiment %s: region key %s: range [%g, %g] %s is not inside its "
                         "documented range [%s, %s] %s%s (docs/model-reference.md)",
                         e->name, q->key, q->lo, q->hi, p->unit, a, b, p->unit,
                         q->lo < q->hi ? (q->log && q->lo <= 0.0 ? " or not > 0 (log)" : "")
                                       : " or not increasing");
    }
  }
  return LAM_OK;
}

/* ---- statistics ---- */

void lam_region_wilson(size_t k, size_t n, double *lo, double *hi) {
  if (n == 0) {
    *lo = 0.0;
    *hi = 1.0;
    return;
  }
  const double z = 1.96, nn = (double)n, p = (double)k / nn, z2 = z * z;
  const double c = (p + z2 / (2.0 * nn)) / (1.0 + z2 / nn);
  const double h = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / (1.0 + z2 / nn);
  *lo = c - h > 0.0 ? c - h : 0.0;
  *hi = c + h < 1.0 ? c + h : 1.0;
}

/* Mean ranks (1-based) of v[n], ties sharing their mean rank. */
static int ranks(const double *v, size_t n, double *r) {
  size_t *ix = malloc(n * sizeof *ix);
  if (!ix) {
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    ix[i] = i;
  }
  for (size_t i = 1; i < n; i++) { /* insertion sort: n is small */
    size_t t = ix[i], j = i;
    while (j > 0 && v[ix[j - 1]] > v[t]) {
      ix[j] = ix[j - 1];
      j--;
    }
    ix[j] = t;
  }
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && v[ix[j + 1]] == v[ix[i]]) {
      j++;
    }
    for (size_t q = i; q <= j; q++) {
      r[ix[q]] = 0.5 * (double)(i + j) + 1.0;
    }
    i = j + 1;
  }
  free(ix);
  return 0;
}

double lam_region_spearman(const double *x, const double *y, size_t n) {
  if (n < 3) {
    return NAN;
  }
  double *rx = malloc(2 * n * sizeof *rx);
  if (!rx || ranks(x, n, rx) || ranks(y, n, rx + n)) {
    free(rx);
    return NAN;
  }
  /* Pearson correlation of the ranks (exact with ties). */
  const double *ry = rx + n, m = 0.5 * (double)(n + 1);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (size_t i = 0; i < n; i++) {
    sxy += (rx[i] - m) * (ry[i] - m);
    sxx += (rx[i] - m) * (rx[i] - m);
    syy += (ry[i] - m) * (ry[i] - m);
  }
  free(rx);
  return sxx > 0.0 && syy > 0.0 ? sxy / sqrt(sxx * syy) : NAN;
}

/* ---- the points ---- */

static const char *const columns[] = {"effect", "supported"};
enum { NCOLS = 2 };

typedef struct region_ctx {
  const lam_experiment *e;
  const lam_region *r;
  const lam_exp_opts *o;
  const lam_region_opts *ro;
  const lam_sweep_spec *sp;
  const char *dir;
  lam_sweep_table *table;
  size_t done, ntodo;
} region_ctx;

/* Does the mean effect meet the criterion? */
static int holds(const lam_criterion *c, double effect) {
  return isfinite(effect) && (c->direction > 0 ? effect > c->threshold : effect < c->threshold);
}

/* In a worker: run point i's seeds, its row into *line. */
static int point_row(void *vctx, size_t i, char **line, lam_err *err) {
  const region_ctx *c = vctx;
  const size_t nk = lam_sweep_ndims(c->sp), ns = c->r->seeds;
  char *sets[LAM_REGION_MAX_KEYS] = {NULL};
  double *eff = calloc(ns, sizeof *eff);
  char pdir[1300];
  snprintf(pdir, sizeof pdir, "%s/region-points/%016llx", c->dir,
           (unsigned long long)lam_sweep_id(c->sp, i));
  int rc = eff ? LAM_OK : LAM_ENOMEM;
  for (size_t k = 0; !rc && k < nk; k++) {
    size_t len = strlen(lam_sweep_key(c->sp, k)) + strlen(lam_sweep_value(c->sp, i, k)) + 2;
    sets[k] = malloc(len);
    rc = sets[k] ? LAM_OK : LAM_ENOMEM;
    if (!rc) {
      snprintf(sets[k], len, "%s=%s", lam_sweep_key(c->sp, k), lam_sweep_value(c->sp, i, k));
    }
  }
  if (!rc) {
    rc = lam_exp_mkdirs(pdir, err); /* not the point's own: stops the map */
    rc = rc ? LAM_EIO : LAM_OK;
  }
  const double t0 = lam_time_now();
  lam_err pe = {0, ""};
  int prc = LAM_OK;
  if (!rc) {
    prc = lam_exp_run_point(c->e, c->o, (const char *const *)sets, nk, c->r->model, pdir, ns,
                            eff, &pe);
    /* Stopped (whatever code the experiment made of it): no row, so that
     * a resume runs the point again. */
    if (prc && c->o->stop && *c->o->stop) {
      prc = LAM_EINTERRUPT;
    }
    if (prc == LAM_EINTERRUPT || prc == LAM_ENOMEM) {
      rc = prc;
      *err = pe;
    }
  }
  if (!rc) {
    double mean = 0.0;
    for (size_t s = 0; s < ns; s++) {
      mean += eff[s] / (double)ns;
    }
    const double vals[NCOLS] = {mean, holds(&c->e->criterion, mean)};
    lam_sweep_result res = {prc == LAM_OK, prc ? pe.msg : "", prc ? NULL : vals, NCOLS,
                            lam_time_now() - t0, 0, 0, 0};
    *line = lam_sweep_row(c->sp, i, &res);
    rc = *line ? LAM_OK : LAM_ENOMEM;
  }
  for (size_t k = 0; k < nk; k++) {
    free(sets[k]);
  }
  free(eff);
  return rc;
}

static char *crashed_row(void *vctx, size_t i, const char *why) {
  const region_ctx *c = vctx;
  return lam_sweep_failed_row(c->sp, NCOLS, i, why);
}

static int write_row(void *vctx, const char *line, lam_err *err) {
  region_ctx *c = vctx;
  int rc = lam_sweep_table_append(c->table, line, err);
  if (!rc && c->ro->progress) {
    c->ro->progress(c->ro->ctx, c->e->name, ++c->done, c->ntodo);
  }
  return rc;
}

/* ---- the summary ---- */

/* Column index of name in the header row, or -1. */
static long column_of(const lam_csv_text *t, const char *name) {
  for (size_t j = 0; j < t->cols; j++) {
    if (!strcmp(lam_csv_text_cell(t, 0, j), name)) {
      return (long)j;
    }
  }
  return -1;
}

typedef struct map_rows {
  size_t n;           /* ok points */
  double *v;          /* nkeys x n key values */
  double *eff;        /* n */
  int *ok;            /* n: holds */
  size_t failed, supported;
} map_rows;

/* The rows of this draw's points in the table (each id once). */
static int read_rows(const char *path, const lam_sweep_spec *sp, map_rows *m, lam_err *err) {
  const size_t nk = lam_sweep_ndims(sp), np = lam_sweep_npoints(sp);
  lam_csv_text t;
  int rc = lam_csv_read_text(path, &t, err);
  if (rc) {
    return rc;
  }
  long ck[LAM_REGION_MAX_KEYS], ce = column_of(&t, "effect"), cs = column_of(&t, "status");
  int bad = t.rows < 1 || ce < 0 || cs < 0;
  for (size_t k = 0; k < nk && !bad; k++) {
    ck[k] = column_of(&t, lam_sweep_key(sp, k));
    bad = ck[k] < 0;
  }
  m->v = calloc(nk * np + 1, sizeof *m->v);
  m->eff = calloc(np + 1, sizeof *m->eff);
  m->ok = calloc(np + 1, sizeof *m->ok);
  char *seen = calloc(np + 1, 1);
  if (!bad && (!m->v || !m->eff || !m->ok || !seen)) {
    rc = LAM_NOMEM(err);
  } else if (bad) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: not a region table (no id, key, effect or status "
                     "column)", path);
  }
  for (size_t i = 0; !rc && i < np; i++) {
    char id[24];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)lam_sweep_id(sp, i));
    for (size_t row = 1; row < t.rows && !seen[i]; row++) {
      if (strcmp(lam_csv_text_cell(&t, row, 0), id)) {
        continue;
      }
      seen[i] = 1;
      if (strcmp(lam_csv_text_cell(&t, row, (size_t)cs), "ok")) {
        m->failed++;
        continue;
      }
      for (size_t k = 0; k < nk; k++) {
        m->v[k * np + m->n] = strtod(lam_csv_text_cell(&t, row, (size_t)ck[k]), NULL);
      }
      m->eff[m->n] = strtod(lam_csv_text_cell(&t, row, (size_t)ce), NULL);
      m->n++;
    }
  }
  free(seen);
  lam_csv_text_free(&t);
  return rc;
}

static void rows_free(map_rows *m) {
  free(m->v);
  free(m->eff);
  free(m->ok);
}

static int summarise(const lam_experiment *e, const lam_region *r, const lam_sweep_spec *sp,
                     const char *dir, lam_region_summary *sum, lam_err *err) {
  const size_t nk = r->nkeys, np = lam_sweep_npoints(sp);
  char path[1200];
  snprintf(path, sizeof path, "%s/region.csv", dir);
  map_rows m;
  memset(&m, 0, sizeof m);
  int rc = read_rows(path, sp, &m, err);
  if (rc) {
    rows_free(&m);
    return rc;
  }
  for (size_t i = 0; i < m.n; i++) {
    m.ok[i] = holds(&e->criterion, m.eff[i]);
    m.supported += (size_t)m.ok[i];
  }
  memset(sum, 0, sizeof *sum);
  sum->points = np;
  sum->failed = m.failed;
  sum->supported = m.supported;
  sum->seeds = r->seeds;
  sum->fraction = m.n ? (double)m.supported / (double)m.n : NAN;
  lam_region_wilson(m.supported, m.n, &sum->lo, &sum->hi);
  /* The keys by decreasing |rho| (undefined rho last). */
  size_t order[LAM_REGION_MAX_KEYS];
  double rho[LAM_REGION_MAX_KEYS];
  for (size_t k = 0; k < nk; k++) {
    order[k] = k;
    rho[k] = lam_region_spearman(&m.v[k * np], m.eff, m.n);
  }
  for (size_t a = 1; a < nk; a++) {
    for (size_t b = a; b > 0; b--) {
      const double x = rho[order[b - 1]], y = rho[order[b]];
      const double ax = isnan(x) ? -1.0 : fabs(x), ay = isnan(y) ? -1.0 : fabs(y);
      if (ay > ax) {
        size_t t = order[b - 1];
        order[b - 1] = order[b];
        order[b] = t;
      }
    }
  }
  sum->nkeys = nk;
  for (size_t k = 0; k < nk; k++) {
    const lam_region_key *q = &r->keys[order[k]];
    sum->key[k] = q->key;
    sum->key_lo[k] = q->lo;
    sum->key_hi[k] = q->hi;
    sum->rho[k] = rho[order[k]];
  }
  /* The figure: the effect over the two keys that matter most. */
  snprintf(path, sizeof path, "%s/region.png", dir);
  char title[256], zlabel[256];
  snprintf(title, sizeof title, "%s: holds in %zu of %zu points", e->name, m.supported, m.n);
  snprintf(zlabel, sizeof zlabel, "effect (holds: %s %g)", e->criterion.direction > 0 ? ">" : "<",
           e->criterion.threshold);
  double *z = malloc((m.n + 1) * sizeof *z);
  if (!z) {
    rows_free(&m);
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < m.n; i++) {
    z[i] = m.eff[i];
  }
  const lam_region_key *kx = &r->keys[order[0]], *ky = nk > 1 ? &r->keys[order[1]] : NULL;
  char xlabel[160], ylabel[160];
  key_label(kx->key, xlabel, sizeof xlabel);
  key_label(ky ? ky->key : NULL, ylabel, sizeof ylabel);
  lam_exp_map map = {path, title, xlabel, ky ? ylabel : NULL, zlabel,
                     &m.v[order[0] * np], ky ? &m.v[order[1] * np] : NULL, z, m.ok, m.n,
                     kx->lo, kx->hi, ky ? ky->lo : 0.0, ky ? ky->hi : 0.0,
                     kx->log, ky ? ky->log : 0, e->criterion.threshold};
  rc = m.n ? lam_exp_figure_map(&map, err) : LAM_OK;
  if (rc == LAM_EUNSUPPORTED) { /* built without PLplot */
    lam_err_clear(err);
    rc = LAM_OK;
  } else if (rc) {
    lam_err_prefix(err, "experiment %s, region figure: ", e->name);
  }
  free(z);
  rows_free(&m);
  return rc;
}

/* ---- the map ---- */

/* The model the keys belong to: the base model with the user's --set
 * overrides, or (file) that model file beside it, as the experiment reads
 * it (lam_exp_params_file). */
static int load_base(const lam_region *r, const lam_exp_opts *o, lam_sim_params **out,
                     lam_err *err) {
  int rc = lam_params_load(o->model_path, (const char *const *)o->sets, o->nsets, out, err);
  if (!rc && r->model) {
    char path[2200];
    snprintf(path, sizeof path, "%s/%s", (*out)->basedir, r->model);
    lam_sim_params_free(*out);
    *out = NULL;
    rc = lam_params_load(path, NULL, 0, out, err);
  }
  return rc;
}

/* The draw: one Latin-hypercube dimension per key. */
static int make_points(const lam_experiment *e, const lam_region *r, const lam_region_opts *ro,
                       lam_sweep_spec **out, lam_err *err) {
  lam_sweep_spec *sp = lam_sweep_spec_new();
  int rc = sp ? LAM_OK : LAM_NOMEM(err);
  for (size_t k = 0; !rc && k < r->nkeys; k++) {
    char arg[400];
    snprintf(arg, sizeof arg, "%s=%.17g:%.17g%s", r->keys[k].key, r->keys[k].lo, r->keys[k].hi,
             r->keys[k].log ? ":log" : "");
    rc = lam_sweep_add_range(sp, arg, err);
  }
  if (!rc) {
    rc = lam_sweep_build(sp, ro->npoints, ro->seed, err);
  }
  if (rc) {
    lam_sweep_spec_free(sp);
    return lam_err_prefix(err, "experiment %s: region: ", e->name);
  }
  *out = sp;
  return LAM_OK;
}

int lam_region_run(const lam_experiment *e, const lam_region *r, const lam_exp_opts *o,
                   const lam_region_opts *ro, lam_region_summary *sum, lam_err *err) {
  memset(sum, 0, sizeof *sum);
  int rc = lam_region_check(e, r, ro->npoints, err);
  if (rc) {
    return rc;
  }
  lam_sim_params *base = NULL;
  lam_sweep_spec *sp = NULL;
  lam_sweep_table *table = NULL;
  size_t *todo = NULL, ntodo = 0;
  rc = load_base(r, o, &base, err);
  if (!rc) {
    rc = make_points(e, r, ro, &sp, err);
  }
  /* Every key at both ends of its range builds (values the tables cannot
   * check), before anything is written. */
  if (!rc && lam_sweep_validate(base, sp, err)) {
    rc = lam_err_prefix(err, "experiment %s: region: ", e->name);
  }
  char dir[1100], path[1200], model[1400];
  if (!rc && snprintf(dir, sizeof dir, "%s/%s", o->outdir, e->name) >= (int)sizeof dir) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: output directory name too long", o->outdir);
  }
  if (!rc) {
    rc = lam_exp_mkdirs(dir, err);
  }
  if (!rc) {
    snprintf(path, sizeof path, "%s/region.csv", dir);
    rc = lam_sweep_table_lock(path, &table, err);
  }
  if (!rc) {
    /* The model line names what the rows depend on beyond the model: a
     * table of another draw is refused, never mixed. */
    snprintf(model, sizeof model, "%s experiment %s region %zu seed %lu seeds %zu%s",
             base->path[0] ? base->path : "(text)", e->name, ro->npoints, ro->seed, r->seeds,
             o->quick ? " quick" : "");
    lam_sweep_header h;
    memset(&h, 0, sizeof h);
    h.model = model;
    rc = lam_sim_params_hash(base, &h.model_hash) ? LAM_OK : LAM_NOMEM(err);
    h.sp = sp;
    h.metrics = columns;
    h.nmetrics = NCOLS;
    if (!rc) {
      rc = lam_sweep_table_open(table, &h, ro->restart, err);
    }
  }
  if (!rc) {
    todo = malloc((lam_sweep_npoints(sp) + 1) * sizeof *todo);
    rc = todo ? LAM_OK : LAM_NOMEM(err);
  }
  for (size_t i = 0; !rc && i < lam_sweep_npoints(sp); i++) {
    if (!lam_sweep_table_has(table, lam_sweep_id(sp, i))) {
      todo[ntodo++] = i;
    }
  }
  if (!rc && ntodo) {
    region_ctx c = {e, r, o, ro, sp, dir, table, 0, ntodo};
    int fds[2];
    lam_sweep_table_fds(table, fds);
    lam_sweep_pool_ops ops = {point_row, crashed_row, write_row, &c, fds, 2, o->stop};
    rc = lam_sweep_pool_run(&ops, ro->jobs > 0 ? ro->jobs : 1, todo, ntodo, err);
    if (rc == LAM_EINTERRUPT) {
      lam_err_set(err, LAM_EINTERRUPT,
                  "experiment %s: region interrupted after %zu of %zu new points (%s); the "
                  "same command resumes it", e->name, c.done, ntodo, path);
    } else if (rc) {
      lam_err_prefix(err, "experiment %s, region: ", e->name);
    }
  }
  lam_sweep_table_close(table);
  if (!rc) {
    rc = summarise(e, r, sp, dir, sum, err);
  }
  free(todo);
  lam_sweep_spec_free(sp);
  lam_sim_params_free(base);
  return rc;
}
