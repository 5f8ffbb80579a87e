/* lam_heun.c: stochastic Heun (see lam_heun.h). */
#include "lam_heun.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_time.h"

struct lam_heun {
  const lam_system *sys;
  double dt;
  gsl_rng *rng;
  double *f0, *f1, *s0, *s1, *yp, *dw; /* work arrays, n each */
  long nsteps, nfevals;
  double rhs_seconds; /* wall time inside the right-hand side */
};

void lam_heun_free(lam_heun *h) {
  if (!h) {
    return;
  }
  gsl_rng_free(h->rng);
  free(h->f0);
  free(h);
}

int lam_heun_new(const lam_system *sys, double dt, unsigned long seed,
                 lam_heun **out, lam_err *err) {
  *out = NULL;
  if (!(dt > 0) || !isfinite(dt)) {
    return lam_err_set(err, LAM_EINVAL,
                       "solver.heun_dt: expected a step > 0 s, found %g", dt);
  }
  lam_heun *h = calloc(1, sizeof *h);
  if (!h) {
    return LAM_NOMEM(err);
  }
  h->sys = sys;
  h->dt = dt;
  size_t n = sys->n ? sys->n : 1;
  /* One block for all six work arrays: one allocation, freed at once. */
  h->f0 = calloc(6 * n, sizeof(double));
  h->rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!h->f0 || !h->rng) {
    lam_heun_free(h);
    return LAM_NOMEM(err);
  }
  h->f1 = h->f0 + n;
  h->s0 = h->f1 + n;
  h->s1 = h->s0 + n;
  h->yp = h->s1 + n;
  h->dw = h->yp + n;
  gsl_rng_set(h->rng, seed);
  *out = h;
  return LAM_OK;
}

static int rhs_fail(double t, int rc, lam_err *err) {
  return lam_err_set(err, LAM_ESOLVER,
                     "solver: right-hand side failed at t = %g s (code %d)", t,
                     rc);
}

/* The system's right-hand side, timed. */
static int eval(lam_heun *h, double t, const double *y, double *f) {
  const double t0 = lam_time_now();
  int rc = h->sys->ops->rhs(h->sys->self, t, y, f);
  h->rhs_seconds += lam_time_now() - t0;
  h->nfevals++;
  return rc;
}

/* One step of length step from (t, y), in place. */
static int step(lam_heun *h, double t, double *y, double step, lam_err *err) {
  const lam_system *sys = h->sys;
  const size_t n = sys->n;
  const int noisy = sys->ops->noise != NULL;
  int rc = eval(h, t, y, h->f0);
  if (rc) {
    return rhs_fail(t, rc, err);
  }
  if (noisy) {
    sys->ops->noise(sys->self, t, y, h->s0);
    const double sq = sqrt(step);
    for (size_t i = 0; i < n; i++) {
      /* Draw for every variable, noisy or not, so the path of variable i
       * does not depend on which others carry noise. */
      h->dw[i] = sq * gsl_ran_ugaussian(h->rng);
      h->yp[i] = y[i] + step * h->f0[i] + h->s0[i] * h->dw[i];
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      h->yp[i] = y[i] + step * h->f0[i];
    }
  }
  rc = eval(h, t + step, h->yp, h->f1);
  if (rc) {
    return rhs_fail(t + step, rc, err);
  }
  if (noisy) {
    sys->ops->noise(sys->self, t + step, h->yp, h->s1);
    for (size_t i = 0; i < n; i++) {
      y[i] += 0.5 * step * (h->f0[i] + h->f1[i]) +
              0.5 * (h->s0[i] + h->s1[i]) * h->dw[i];
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      y[i] += 0.5 * step * (h->f0[i] + h->f1[i]);
    }
  }
  h->nsteps++;
  return LAM_OK;
}

int lam_heun_advance(lam_heun *h, double *t, double *y, double tout,
                     lam_err *err) {
  /* Steps end on the grid k * dt so that output times do not shift it; a
   * tolerance of 1e-9 steps absorbs rounding in tout. */
  const double eps = 1e-9 * h->dt;
  while (*t < tout - eps) {
    double next = (floor(*t / h->dt + 1e-9) + 1.0) * h->dt;
    if (next > tout - eps) {
      next = tout;
    }
    int rc = step(h, *t, y, next - *t, err);
    if (rc) {
      return rc;
    }
    *t = next;
  }
  *t = tout;
  return LAM_OK;
}

void lam_heun_stats(const lam_heun *h, long *nsteps, long *nfevals,
                    double *rhs_seconds) {
  *nsteps = h->nsteps;
  *nfevals = h->nfevals;
  *rhs_seconds = h->rhs_seconds;
}
