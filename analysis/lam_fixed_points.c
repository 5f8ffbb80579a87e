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
