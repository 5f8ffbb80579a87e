/* lam_generator.c: emergent rhythm generators as clocks (lam_generator.h).
 *
 * The generator is the ordinary Jansen-Rit or Wilson-Cowan network
 * (circuits/), built from a private model that holds [network] columns =
 * ncols and the host model's [jansen_rit] / [wilson_cowan] keys, so the
 * equations and parameters are exactly those of the column kinds
 * (docs/neural-masses.md; Jansen & Rit 1995 [S13], Wilson-Cowan E-PV
 * [S10][S12]). The warm-up uses GSL odeiv2 (rk8pd) once at construction;
 * the right-hand side in the host's hot loop is the network's own.
 */
#include "lam_generator.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_system.h"

#define SAMPLE_DT 1e-4  /* s, sampling step of the range measurement */
#define WINDOW_S 1.0    /* s, length of the range measurement */
#define FLAT_REL 1e-9   /* peak-to-peak below this (relative): no rhythm */
#define SUSTAIN 0.99    /* second half-window's range / first's, at least */

struct lam_generator {
  lam_generator_kind kind;
  size_t T, nper;
  lam_system *sys;
  void *owner; /* the object behind sys, freed with the generator */
  void (*owner_free)(void *);
  double *ystart; /* state at the end of the warm-up */
  double *mid, *rhalf; /* (max + min) / 2 and 2 / (max - min) per column */
  double *hz;
};

void lam_generator_free(lam_generator *g) {
  if (!g) {
    return;
  }
  if (g->owner_free) {
    g->owner_free(g->owner);
  }
  free(g->ystart);
  free(g->mid);
  free(g->rhalf);
  free(g->hz);
  free(g);
}

size_t lam_generator_nstate(const lam_generator *g) {
  return g ? g->T * g->nper : 0;
}

void lam_generator_init(const lam_generator *g, double *y) {
  memcpy(y, g->ystart, g->T * g->nper * sizeof *y);
}

void lam_generator_rhs(const lam_generator *g, double t, const double *y,
                       double *dy) {
  /* The networks' right-hand sides cannot fail (they return 0). */
  (void)g->sys->ops->rhs(g->sys->self, t, y, dy);
}

/* The first observable of column col: Jansen-Rit v_pyr = y1 - y2 (mV),
 * Wilson-Cowan E. */
static double raw(const lam_generator *g, const double *y, size_t col) {
  const double *yc = y + col * g->nper;
  return g->kind == LAM_GENERATOR_JANSEN_RIT ? yc[1] - yc[2] : yc[0];
}

double lam_generator_signal(const lam_generator *g, const double *y,
                            size_t col) {
  return (raw(g, y, col) - g->mid[col]) * g->rhalf[col];
}

double lam_generator_hz(const lam_generator *g, size_t col) {
  return col < g->T ? g->hz[col] : 0.0;
}

static int gsl_rhs(double t, const double *y, double *dy, void *params) {
  const lam_system *s = params;
  return s->ops->rhs(s->self, t, y, dy) ? GSL_EBADFUNC : GSL_SUCCESS;
}

/* Warm up, then measure min, max and midpoint crossings per column. */
static int measure(lam_generator *g, double warmup_s, const char *what,
                   lam_err *err) {
  const size_t n = g->sys->n, T = g->T;
  double *y = malloc(n * sizeof *y), *lo = malloc(T * sizeof *lo),
         *hi = malloc(T * sizeof *hi);
  double *x = malloc((size_t)(WINDOW_S / SAMPLE_DT + 1.5) * T * sizeof *x);
  gsl_odeiv2_system gs = {gsl_rhs, NULL, n, g->sys};
  gsl_odeiv2_driver *d =
      gsl_odeiv2_driver_alloc_y_new(&gs, gsl_odeiv2_step_rk8pd, 1e-5, 1e-10, 1e-10);
  int rc = LAM_OK;
  if (!y || !lo || !hi || !x || !d) {
    rc = LAM_NOMEM(err);
    goto done;
  }
  memcpy(y, g->sys->y0, n * sizeof *y);
  double t = 0.0;
  if (warmup_s > 0.0 && gsl_odeiv2_driver_apply(d, &t, warmup_s, y) != GSL_SUCCESS) {
    rc = lam_err_set(err, LAM_ESOLVER, "%s: the generator's warm-up integration failed",
                     what);
    goto done;
  }
  const size_t ns = (size_t)(WINDOW_S / SAMPLE_DT + 0.5) + 1;
  for (size_t k = 0; k < ns; k++) {
    if (k > 0 && gsl_odeiv2_driver_apply(d, &t, warmup_s + (double)k * SAMPLE_DT,
                                         y) != GSL_SUCCESS) {
      rc = lam_err_set(err, LAM_ESOLVER, "%s: the generator's warm-up integration failed",
                       what);
      goto done;
    }
    for (size_t j = 0; j < T; j++) {
      x[k * T + j] = raw(g, y, j);
    }
  }
  memcpy(g->ystart, y, n * sizeof *y);
  for (size_t j = 0; j < T; j++) {
    /* Range of each half of the window: on a limit cycle they agree; a
     * transient decaying to a focus shrinks. */
    double l2[2], h2[2];
    for (int half = 0; half < 2; half++) {
      const size_t k0 = half ? ns / 2 : 0, k1 = half ? ns : ns / 2;
      l2[half] = h2[half] = x[k0 * T + j];
      for (size_t k = k0; k < k1; k++) {
        l2[half] = fmin(l2[half], x[k * T + j]);
        h2[half] = fmax(h2[half], x[k * T + j]);
      }
    }
    lo[j] = fmin(l2[0], l2[1]);
    hi[j] = fmax(h2[0], h2[1]);
    const double scale = fmax(1.0, fmax(fabs(lo[j]), fabs(hi[j])));
    const double pp0 = h2[0] - l2[0], pp1 = h2[1] - l2[1];
    if (!(pp1 > FLAT_REL * scale) || pp1 < SUSTAIN * pp0) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: the %s generator does not oscillate in column %zu "
                       "(peak-to-peak %g, then %g, over the second after a %g s "
                       "warm-up): expected parameters inside its oscillatory range "
                       "(docs/neural-masses.md)",
                       what, g->kind == LAM_GENERATOR_JANSEN_RIT ? "jansen-rit" : "wilson-cowan",
                       j, pp0, pp1, warmup_s);
      goto done;
    }
    g->mid[j] = 0.5 * (hi[j] + lo[j]);
    g->rhalf[j] = 2.0 / (hi[j] - lo[j]);
    /* Upward crossings of the midpoint: (count - 1) cycles between the first
     * and the last. */
    double first = -1.0, last = -1.0;
    size_t cnt = 0;
    for (size_t k = 1; k < ns; k++) {
      const double a = x[(k - 1) * T + j] - g->mid[j], b = x[k * T + j] - g->mid[j];
      if (a < 0.0 && b >= 0.0) {
        const double tc = ((double)(k - 1) + a / (a - b)) * SAMPLE_DT;
        first = cnt ? first : tc;
        last = tc;
        cnt++;
      }
    }
    g->hz[j] = cnt >= 2 ? (double)(cnt - 1) / (last - first) : 0.0;
  }
done:
  gsl_odeiv2_driver_free(d);
  free(y);
  free(lo);
  free(hi);
  free(x);
  return rc;
}

int lam_generator_new(lam_generator_kind kind, lam_system *sys, void *owner,
                      void (*owner_free)(void *), size_t ncols,
                      double warmup_s, const char *what, lam_generator **out,
                      lam_err *err) {
  *out = NULL;
  lam_generator *g = calloc(1, sizeof *g);
  if (!g) {
    if (owner_free) {
      owner_free(owner);
    }
    return LAM_NOMEM(err);
  }
  g->sys = sys;
  g->owner = owner;
  g->owner_free = owner_free;
  if (kind != LAM_GENERATOR_JANSEN_RIT && kind != LAM_GENERATOR_WILSON_COWAN) {
    lam_generator_free(g);
    return lam_err_set(err, LAM_EINVAL, "%s: unknown generator %d", what, (int)kind);
  }
  if (ncols == 0 || !(warmup_s >= 0.0) || !isfinite(warmup_s) || !sys ||
      sys->n % ncols != 0) {
    lam_generator_free(g);
    return lam_err_set(err, LAM_EINVAL,
                       "%s: expected at least one column, a system of ncols "
                       "columns and a warm-up >= 0 s", what);
  }
  g->kind = kind;
  g->T = ncols;
  g->nper = sys->n / ncols;
  g->ystart = malloc(g->sys->n * sizeof *g->ystart);
  g->mid = malloc(ncols * sizeof *g->mid);
  g->rhalf = malloc(ncols * sizeof *g->rhalf);
  g->hz = malloc(ncols * sizeof *g->hz);
  int rc = LAM_OK;
  if (!g->ystart || !g->mid || !g->rhalf || !g->hz) {
    rc = LAM_NOMEM(err);
  }
  if (!rc) {
    rc = measure(g, warmup_s, what, err);
  }
  if (rc) {
    lam_generator_free(g);
    return rc;
  }
  *out = g;
  return LAM_OK;
}
