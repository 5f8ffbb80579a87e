/* lam_fixed_points.c: multistart equilibrium search and the branch driver
 * (see lam_fixed_points.h). */
#include "lam_fixed_points.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LAM_TWO_PI 6.283185307179586

lam_fixed_points_opts lam_fixed_points_defaults(void) {
  return (lam_fixed_points_opts){.guesses = 64,
                                 .seed = 1,
                                 .spread_decades = 2.0,
                                 .spread_div = 10.0,
                                 .same_tol = 1e-6,
                                 .stab = lam_stability_defaults()};
}

void lam_fixed_points_free(lam_equilibrium *e, size_t n) {
  for (size_t i = 0; e && i < n; i++) {
    free(e[i].x);
    free(e[i].re);
    free(e[i].im);
  }
  free(e);
}

static int same_point(const double *a, const double *b, size_t n, double tol) {
  double scale = 1.0, d = 0.0;
  for (size_t i = 0; i < n; i++) {
    scale = fmax(scale, fmax(fabs(a[i]), fabs(b[i])));
    d = fmax(d, fabs(a[i] - b[i]));
  }
  return d <= tol * scale;
}

double lam_fixed_points_dominant_hz(const double *re, const double *im,
                                    size_t n, double im_tol) {
  double big = 0.0;
  for (size_t k = 0; k < n; k++) {
    big = fmax(big, hypot(re[k], im[k]));
  }
  for (size_t k = 0; k < n; k++) {
    if (fabs(im[k]) > im_tol * big) {
      return fabs(im[k]) / LAM_TWO_PI;
    }
  }
  return NAN;
}

static int cmp_eqm(const void *pa, const void *pb) {
  const lam_equilibrium *a = pa, *b = pb;
  return (a->x[0] > b->x[0]) - (a->x[0] < b->x[0]);
}

/* Append equilibrium x (n values) with its eigenvalues to *e. */
static int add_equilibrium(const lam_system *sys, const double *x,
                           const lam_stability_opts *o, lam_equilibrium **e,
                           size_t *ne, lam_err *err) {
  const size_t n = sys->n;
  lam_equilibrium *tmp = realloc(*e, (*ne + 1) * sizeof *tmp);
  if (!tmp) {
    return LAM_NOMEM(err);
  }
  *e = tmp;
  lam_equilibrium *q = &tmp[*ne];
  q->x = malloc(n * sizeof *q->x);
  q->re = malloc(n * sizeof *q->re);
  q->im = malloc(n * sizeof *q->im);
  (*ne)++;
  if (!q->x || !q->re || !q->im) {
    return LAM_NOMEM(err);
  }
  memcpy(q->x, x, n * sizeof *x);
  int rc = lam_stability_eigen(sys, x, q->re, q->im, o, err);
  if (!rc) {
    q->nunstable = 0;
    for (size_t k = 0; k < n; k++) {
      q->nunstable += q->re[k] > 0.0;
    }
    q->dom_hz = lam_fixed_points_dominant_hz(q->re, q->im, n, o->im_tol);
  }
  return rc;
}

int lam_fixed_points_find(const lam_system *sys,
                          const lam_fixed_points_opts *opts,
                          lam_equilibrium **out, size_t *nout, lam_err *err) {
  *out = NULL;
  *nout = 0;
  const lam_fixed_points_opts o = opts ? *opts : lam_fixed_points_defaults();
  if (o.guesses < 1 || !(o.same_tol >= 0) || !(o.spread_div > 0) ||
      !isfinite(o.spread_decades)) {
    return lam_err_set(err, LAM_EINVAL, "fixed points: expected guesses >= 1, "
                       "same_tol >= 0, spread_div > 0 and a finite spread_decades");
  }
  const size_t n = sys->n;
  lam_equilibrium *e = NULL;
  size_t ne = 0;
  double *guess = malloc(n * sizeof *guess), *x = malloc(n * sizeof *x);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!guess || !x || !rng) {
    free(guess);
    free(x);
    gsl_rng_free(rng);
    return LAM_NOMEM(err);
  }
  gsl_rng_set(rng, o.seed);
  double scale = 1.0;
  for (size_t i = 0; i < n; i++) {
    scale = fmax(scale, fabs(sys->y0[i]));
  }
  int rc = LAM_OK;
  for (long g = 0; g < o.guesses && !rc; g++) {
    const double s =
        g == 0 ? 0.0 : scale * pow(10.0, o.spread_decades * gsl_rng_uniform(rng));
    for (size_t i = 0; i < n; i++) {
      guess[i] = sys->y0[i] + s * gsl_ran_gaussian(rng, 1.0) / (g ? o.spread_div : 1.0);
    }
    lam_err e2;
    if (lam_stability_fixed_point(sys, guess, x, &o.stab, &e2) != LAM_OK) {
      continue; /* this start did not converge; others may */
    }
    int dup = 0;
    for (size_t k = 0; k < ne && !dup; k++) {
      dup = same_point(e[k].x, x, n, o.same_tol);
    }
    if (!dup) {
      rc = add_equilibrium(sys, x, &o.stab, &e, &ne, err);
    }
  }
  free(guess);
  free(x);
  gsl_rng_free(rng);
  if (rc) {
    lam_fixed_points_free(e, ne);
    return rc;
  }
  if (ne == 0) {
    return lam_err_set(err, LAM_ENOTFOUND,
                       "no equilibrium found from %ld starting points", o.guesses);
  }
  qsort(e, ne, sizeof *e, cmp_eqm);
  *out = e;
  *nout = ne;
  return LAM_OK;
}

/* ---- the branch ---- */

lam_branch_opts lam_branch_defaults(void) {
  return (lam_branch_opts){.steps = 400,
                           .max_steps_factor = 50,
                           .max_bif = 256,
                           .stab = lam_stability_defaults()};
}

void lam_branch_free(lam_branch *b) {
  if (!b) {
    return;
  }
  free(b->mu);
  free(b->x);
  free(b->nunstable);
  free(b->bif);
  free(b);
}

typedef struct recorder {
  lam_branch *b;
  size_t cap;
  int nomem;
} recorder;

static void on_point(void *ctx, double mu, const double *x, size_t nunstable) {
  recorder *r = ctx;
  lam_branch *b = r->b;
  if (r->nomem) {
    return;
  }
  if (b->len == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 256;
    double *mu2 = realloc(b->mu, cap * sizeof *mu2);
    if (mu2) {
      b->mu = mu2;
    }
    double *x2 = mu2 ? realloc(b->x, cap * b->n * sizeof *x2) : NULL;
    if (x2) {
      b->x = x2;
    }
    size_t *nu2 = x2 ? realloc(b->nunstable, cap * sizeof *nu2) : NULL;
    if (!nu2) {
      r->nomem = 1;
      return;
    }
    b->nunstable = nu2;
    r->cap = cap;
  }
  b->mu[b->len] = mu;
  memcpy(b->x + b->len * b->n, x, b->n * sizeof *x);
  b->nunstable[b->len] = nunstable;
  b->len++;
}

int lam_fixed_points_branch(lam_stability_at at, void *ctx,
                            const lam_branch_opts *opts, lam_branch **out,
                            lam_err *err) {
  *out = NULL;
  if (!(opts->lo < opts->hi) || opts->steps < 2 || opts->max_steps_factor < 1 ||
      opts->max_bif < 1) {
    return lam_err_set(err, LAM_EINVAL, "branch: expected lo < hi, steps >= 2, "
                       "max_steps_factor >= 1 and max_bif >= 1");
  }
  /* The family at lo first: its own error (a bad key or value) if any. */
  const lam_system *sys = NULL;
  int rc = at(ctx, opts->lo, &sys, err);
  if (rc) {
    return rc;
  }
  lam_branch *b = calloc(1, sizeof *b);
  if (b) {
    b->bif = malloc(opts->max_bif * sizeof *b->bif);
  }
  if (!b || !b->bif) {
    lam_branch_free(b);
    return LAM_NOMEM(err);
  }
  b->n = sys->n;
  recorder r = {.b = b};
  lam_continuation c = {.mu_lo = opts->lo,
                        .mu_hi = opts->hi,
                        .mu_start = opts->lo,
                        .ds = (opts->hi - opts->lo) / (double)opts->steps,
                        .max_steps = opts->max_steps_factor * opts->steps,
                        .on_point = on_point,
                        .point_ctx = &r};
  rc = lam_stability_continue(at, ctx, &c, &opts->stab, b->bif, opts->max_bif,
                              &b->nbif, err);
  if (!rc && r.nomem) {
    rc = LAM_NOMEM(err);
  }
  if (rc) {
    lam_branch_free(b);
    return rc;
  }
  b->nbif = b->nbif < opts->max_bif ? b->nbif : opts->max_bif;
  *out = b;
  return LAM_OK;
}

/* ---- every branch ---- */

lam_scan_opts lam_scan_defaults(void) {
  return (lam_scan_opts){.branch = lam_branch_defaults(),
                         .fp = lam_fixed_points_defaults(),
                         .values = 9,
                         .max_branches = 32};
}

void lam_scan_free(lam_scan *s) {
  if (!s) {
    return;
  }
  for (size_t i = 0; i < s->nbranch; i++) {
    lam_branch_free(s->branch[i]);
  }
  free(s->branch);
  free(s->bif);
  free(s->bif_branch);
  free(s);
}

/* 1 when x (at mu) lies on branch b: within one chord's length of the
 * chord between two consecutive points whose mu bracket it. */
static int on_branch(const lam_branch *b, double mu, const double *x) {
  const size_t n = b->n;
  for (size_t i = 0; i + 1 < b->len; i++) {
    const double m0 = b->mu[i], m1 = b->mu[i + 1];
    if (!((m0 <= mu && mu <= m1) || (m1 <= mu && mu <= m0))) {
      continue;
    }
    const double u = m1 != m0 ? (mu - m0) / (m1 - m0) : 0.0;
    const double *a = b->x + i * n, *c = b->x + (i + 1) * n;
    double d = 0.0, len = 0.0, scale = 1.0;
    for (size_t j = 0; j < n; j++) {
      const double xi = a[j] + u * (c[j] - a[j]);
      d = fmax(d, fabs(x[j] - xi));
      len = fmax(len, fabs(c[j] - a[j]));
      scale = fmax(scale, fabs(xi));
    }
    if (d <= fmax(len, 1e-6 * scale)) {
      return 1;
    }
  }
  return 0;
}

/* Append branch (b1 reversed, then b2 without its first point, the seed
 * both start from) as one branch; frees b1 and b2. */
static lam_branch *join(lam_branch *b1, lam_branch *b2, lam_err *err) {
  if (!b1) {
    return b2;
  }
  if (!b2) {
    /* Reverse b1 in place: the branch by increasing arclength from mu low. */
    for (size_t i = 0, j = b1->len ? b1->len - 1 : 0; i < j; i++, j--) {
      double m = b1->mu[i];
      b1->mu[i] = b1->mu[j];
      b1->mu[j] = m;
      size_t u = b1->nunstable[i];
      b1->nunstable[i] = b1->nunstable[j];
      b1->nunstable[j] = u;
      for (size_t k = 0; k < b1->n; k++) {
        double t = b1->x[i * b1->n + k];
        b1->x[i * b1->n + k] = b1->x[j * b1->n + k];
        b1->x[j * b1->n + k] = t;
      }
    }
    return b1;
  }
  const size_t n = b1->n, len = b1->len + (b2->len ? b2->len - 1 : 0);
  lam_branch *b = calloc(1, sizeof *b);
  if (b) {
    b->n = n;
    b->mu = malloc(len * sizeof *b->mu);
    b->x = malloc(len * n * sizeof *b->x);
    b->nunstable = malloc(len * sizeof *b->nunstable);
    b->bif = malloc((b1->nbif + b2->nbif + 1) * sizeof *b->bif);
  }
  if (!b || !b->mu || !b->x || !b->nunstable || !b->bif) {
    lam_branch_free(b);
    lam_branch_free(b1);
    lam_branch_free(b2);
    LAM_NOMEM(err);
    return NULL;
  }
  for (size_t i = 0; i < b1->len; i++) {
    const size_t s = b1->len - 1 - i;
    b->mu[b->len] = b1->mu[s];
    b->nunstable[b->len] = b1->nunstable[s];
    memcpy(b->x + b->len * n, b1->x + s * n, n * sizeof *b->x);
    b->len++;
  }
  for (size_t i = 1; i < b2->len; i++) {
    b->mu[b->len] = b2->mu[i];
    b->nunstable[b->len] = b2->nunstable[i];
    memcpy(b->x + b->len * n, b2->x + i * n, n * sizeof *b->x);
    b->len++;
  }
  memcpy(b->bif, b1->bif, b1->nbif * sizeof *b->bif);
  memcpy(b->bif + b1->nbif, b2->bif, b2->nbif * sizeof *b->bif);
  b->nbif = b1->nbif + b2->nbif;
  lam_branch_free(b1);
  lam_branch_free(b2);
  return b;
}

/* The branch through x at mu, followed one way (dir = +1 / -1) until it
 * leaves [lo, hi]. A continuation stopping early keeps what it has
 * (*stopped = 1). NULL on no memory. */
static lam_branch *follow(lam_stability_at at, void *ctx, const lam_scan_opts *o,
                          double mu, const double *x, size_t n, int dir,
                          int *stopped, lam_err *err) {
  const lam_branch_opts *bo = &o->branch;
  lam_branch *b = calloc(1, sizeof *b);
  if (b) {
    b->bif = malloc(bo->max_bif * sizeof *b->bif);
  }
  if (!b || !b->bif) {
    lam_branch_free(b);
    LAM_NOMEM(err);
    return NULL;
  }
  b->n = n;
  recorder r = {.b = b};
  lam_continuation c = {.mu_lo = bo->lo,
                        .mu_hi = bo->hi,
                        .mu_start = mu,
                        .ds = (bo->hi - bo->lo) / (double)bo->steps,
                        .max_steps = bo->max_steps_factor * bo->steps,
                        .guess = x,
                        .dir = dir,
                        .on_point = on_point,
                        .point_ctx = &r};
  lam_err e2 = {0};
  int rc = lam_stability_continue(at, ctx, &c, &bo->stab, b->bif, bo->max_bif,
                                  &b->nbif, &e2);
  b->nbif = b->nbif < bo->max_bif ? b->nbif : bo->max_bif;
  if (r.nomem || rc == LAM_ENOMEM) {
    lam_branch_free(b);
    LAM_NOMEM(err);
    return NULL;
  }
  *stopped |= rc != LAM_OK;
  return b;
}

static int by_mu(const void *pa, const void *pb) {
  const lam_bifurcation *a = pa, *b = pb;
  return (a->mu > b->mu) - (a->mu < b->mu);
}

/* The bifurcations of every branch, by mu, each once (the same fold is
 * met from both of the branches' pieces it joins). */
static int collect(lam_scan *s, double range, lam_err *err) {
  size_t total = 0;
  for (size_t i = 0; i < s->nbranch; i++) {
    total += s->branch[i]->nbif;
  }
  s->bif = malloc((total + 1) * sizeof *s->bif);
  s->bif_branch = malloc((total + 1) * sizeof *s->bif_branch);
  if (!s->bif || !s->bif_branch) {
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < s->nbranch; i++) {
    for (size_t k = 0; k < s->branch[i]->nbif; k++) {
      const lam_bifurcation *f = &s->branch[i]->bif[k];
      int dup = 0;
      for (size_t j = 0; j < s->nbif && !dup; j++) {
        dup = s->bif[j].type == f->type &&
              fabs(s->bif[j].mu - f->mu) <= 1e-6 * fmax(range, fabs(f->mu));
      }
      if (!dup) {
        s->bif[s->nbif] = *f;
        s->bif_branch[s->nbif++] = i;
      }
    }
  }
  /* By mu, the branch index carried along (insertion sort: few points). */
  for (size_t i = 1; i < s->nbif; i++) {
    for (size_t j = i; j > 0 && by_mu(&s->bif[j], &s->bif[j - 1]) < 0; j--) {
      lam_bifurcation t = s->bif[j];
      s->bif[j] = s->bif[j - 1];
      s->bif[j - 1] = t;
      size_t u = s->bif_branch[j];
      s->bif_branch[j] = s->bif_branch[j - 1];
      s->bif_branch[j - 1] = u;
    }
  }
  return LAM_OK;
}

int lam_fixed_points_scan(lam_stability_at at, void *ctx,
                          const lam_scan_opts *o, lam_scan **out,
                          lam_err *err) {
  *out = NULL;
  const lam_branch_opts *bo = &o->branch;
  if (!(bo->lo < bo->hi) || bo->steps < 2 || bo->max_steps_factor < 1 ||
      bo->max_bif < 1 || o->values < 1 || o->max_branches < 1) {
    return lam_err_set(err, LAM_EINVAL, "scan: expected lo < hi, steps >= 2, "
                       "max_steps_factor >= 1, max_bif >= 1, values >= 1 and "
                       "max_branches >= 1");
  }
  const lam_system *sys = NULL;
  int rc = at(ctx, bo->lo, &sys, err); /* the family's own error first */
  if (rc) {
    return rc;
  }
  lam_scan *s = calloc(1, sizeof *s);
  if (s) {
    s->branch = calloc(o->max_branches, sizeof *s->branch);
  }
  if (!s || !s->branch) {
    lam_scan_free(s);
    return LAM_NOMEM(err);
  }
  const size_t n = sys->n;
  size_t found = 0;
  for (long v = 0; !rc && v < o->values; v++) {
    const double mu = o->values == 1 ? bo->lo
                      : v + 1 == o->values
                          ? bo->hi
                          : bo->lo + (bo->hi - bo->lo) * (double)v / (double)(o->values - 1);
    lam_equilibrium *e = NULL;
    size_t ne = 0;
    lam_err e2 = {0};
    rc = at(ctx, mu, &sys, err);
    if (rc) {
      break;
    }
    int frc = lam_fixed_points_find(sys, &o->fp, &e, &ne, &e2);
    if (frc == LAM_ENOMEM || frc == LAM_EINVAL) {
      rc = lam_err_set(err, frc, "%s", e2.msg);
      break;
    }
    found += ne;
    for (size_t k = 0; !rc && k < ne; k++) {
      int seen = 0;
      for (size_t i = 0; i < s->nbranch && !seen; i++) {
        seen = on_branch(s->branch[i], mu, e[k].x);
      }
      if (seen || s->nbranch == o->max_branches) {
        continue;
      }
      int stopped = 0;
      lam_branch *down = mu > bo->lo
                             ? follow(at, ctx, o, mu, e[k].x, n, -1, &stopped, err)
                             : NULL;
      lam_branch *up = (mu > bo->lo && !down) ? NULL
                       : mu < bo->hi
                           ? follow(at, ctx, o, mu, e[k].x, n, +1, &stopped, err)
                           : NULL;
      if ((mu > bo->lo && !down) || (mu < bo->hi && !up)) {
        lam_branch_free(down);
        lam_branch_free(up);
        rc = err->code ? err->code : LAM_ENOMEM;
        break;
      }
      lam_branch *b = join(down, up, err);
      if (!b) {
        rc = err->code;
        break;
      }
      if (b->len == 0) {
        lam_branch_free(b); /* not even the start converged */
        continue;
      }
      s->branch[s->nbranch++] = b;
      s->incomplete += (size_t)stopped;
    }
    lam_fixed_points_free(e, ne);
  }
  if (!rc && found == 0) {
    rc = lam_err_set(err, LAM_ENOTFOUND,
                     "scan: no equilibrium found at any of %ld values from %ld "
                     "starting points each", o->values, o->fp.guesses);
  }
  if (!rc) {
    rc = collect(s, bo->hi - bo->lo, err);
  }
  if (rc) {
    lam_scan_free(s);
    return rc;
  }
  *out = s;
  return LAM_OK;
}
