/* lam_par.c: see lam_par.h. */
#include "lam_par.h"

#include <math.h>
#include <stdio.h>

int lam_par_check_threads(long threads, const char *where, lam_err *err) {
  if (threads <= 1 || LAM_PAR_HAVE_OPENMP) {
    return LAM_OK;
  }
  return lam_err_set(err, LAM_EINVAL,
                     "%s: solver.threads: expected 1 in a build without OpenMP "
                     "(meson setup -Dopenmp=enabled), found %ld",
                     where ? where : "model", threads);
}

long lam_par_free_cores(long n, const char *loadavg) {
  n = n < 1 ? 1 : n > LAM_PAR_MAX_THREADS ? LAM_PAR_MAX_THREADS : n;
  double load = 0.0;
  long running = 0, total = 0;
  const int got = loadavg ? sscanf(loadavg, "%lf %*f %*f %ld/%ld", &load,
                                   &running, &total)
                          : 0;
  double free_cores = (double)n;
  if (got == 3 && running >= 1) {
    free_cores = (double)(n - (running - 1)); /* the reader itself runs */
  } else if (got >= 1 && load >= 0.0) {
    free_cores = floor((double)n - load + 0.5);
  }
  return free_cores < 1.0 ? 1 : free_cores > (double)n ? n : (long)free_cores;
}

enum { MIN_WORK = 8, HOLD_MIN = 4, HOLD_MAX = 64 };
#define MARGIN 0.9
#define SUDDEN 2.0

void lam_par_ctl_init(lam_par_ctl *c, int threads, double t, double w) {
  c->max = threads > 1 ? threads : 1;
  c->now = c->max;
  c->probing = 0;
  c->best = c->max;
  c->hold = HOLD_MIN;
  c->left = 1; /* measure the asked count once, then probe one thread */
  c->t0 = t;
  c->w0 = w;
  c->cost[0] = c->cost[1] = -1.0;
  c->spent[0] = c->spent[1] = 0.0;
}

int lam_par_ctl_tick(lam_par_ctl *c, double t, double w) {
  const double dt = t - c->t0, dw = w - c->w0;
  if (c->max <= 1 || dt < LAM_PAR_WINDOW || dw < MIN_WORK) {
    return c->now;
  }
  const double before = c->cost[c->now > 1];
  c->cost[c->now > 1] = dt / dw;
  c->spent[c->now > 1] += dt;
  c->t0 = t;
  c->w0 = w;
  if (!c->probing && before > 0 && dt / dw > SUDDEN * before) {
    c->left = 1; /* the machine changed: probe now, not after the hold */
  }
  if (c->probing) {
    /* Both costs are fresh: the choice's from the window before the probe. */
    c->probing = 0;
    const int best = c->cost[0] < MARGIN * c->cost[1] ? 1 : c->max;
    c->hold = best == c->best ? (c->hold * 2 < HOLD_MAX ? c->hold * 2 : HOLD_MAX)
                              : HOLD_MIN;
    c->best = best;
    c->now = best;
    c->left = c->hold;
  } else if (--c->left <= 0) {
    c->probing = 1;
    c->now = c->now > 1 ? 1 : c->max;
  }
  return c->now;
}
