/* test_clock.c: the rhythm clocks against closed forms.
 *
 * The clock right-hand side is integrated here with GSL odeiv2 (rk8pd, tight
 * tolerances), independently of the library's solvers, and compared with:
 * free rotation theta(t) = theta(0) + 2 pi f t; Adler's locking angle
 * asin(dw/k) and beat frequency sqrt(dw^2 - k^2) for two coupled columns; the
 * Stuart-Landau amplitude law r(t) = sqrt(mu) / sqrt(1 + (mu/r0^2 - 1)
 * e^{-2 mu t}) and its driven limit cycle sqrt(mu - alpha_drive drive);
 * Kuramoto synchrony of identical oscillators; the O(T^2) pairwise sums the
 * mean-field rhs replaces. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h> /* M_PI */
#include <gsl/gsl_odeiv2.h>

#include "lam_clock.h"
#include "tu_clock.h"

#define TWO_PI (2.0 * M_PI)

typedef struct ctx {
  const lam_clock *c;
  const double *drive;
} ctx;

static int f_gsl(double t, const double y[], double dy[], void *p) {
  const ctx *x = p;
  lam_clock_rhs_driven(x->c, t, y, x->drive, dy);
  return GSL_SUCCESS;
}

typedef struct integ {
  ctx x;
  gsl_odeiv2_system sys;
  gsl_odeiv2_driver *d;
  double t;
} integ;

static void integ_init(integ *g, const lam_clock *c, const double *drive) {
  gsl_set_error_handler_off();
  g->x.c = c;
  g->x.drive = drive;
  g->sys = (gsl_odeiv2_system){f_gsl, NULL, lam_clock_nstate(c), &g->x};
  g->d = gsl_odeiv2_driver_alloc_y_new(&g->sys, gsl_odeiv2_step_rk8pd, 1e-5,
                                       1e-13, 1e-13);
  cr_assert(g->d);
  gsl_odeiv2_driver_set_nmax(g->d, 0);
  g->t = 0.0;
}

static void integ_to(integ *g, double t1, double *y) {
  int rc = gsl_odeiv2_driver_apply(g->d, &g->t, t1, y);
  cr_assert_eq(rc, GSL_SUCCESS, "odeiv2 failed at t = %g: %d", g->t, rc);
}

static double wrapd(double a) { return remainder(a, TWO_PI); }

/* splitmix64 uniform in (0, 1): independent of the library's generators. */
static double unif(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static lam_clock *make(lam_clock_params *p, size_t T) {
  lam_err err = {0, ""};
  lam_clock *c;
  cr_assert_eq(lam_clock_new(p, T, &c, &err), LAM_OK, "%s", err.msg);
  return c;
}

static void set_hz(lam_clock *c, lam_clock_band b, size_t col, double hz) {
  lam_err err = {0, ""};
  cr_assert_eq(lam_clock_set_frequency(c, b, col, hz, &err), LAM_OK, "%s",
               err.msg);
}

/* k = 0: every oscillator turns at its own frequency, exactly. */
static void free_rotation(int model) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.model = model;
  p.coupling = 0.0;
  p.gamma_depth = 0.3;
  p.alpha_depth = 0.7;
  p.init_phase = LAM_CLOCK_INIT_RANDOM;
  p.seed = 7;
  const size_t T = 3;
  lam_clock *c = make(&p, T);
  set_hz(c, LAM_CLOCK_GAMMA, 1, 43.0);
  set_hz(c, LAM_CLOCK_ALPHA, 2, 12.5);
  const double hz[2][3] = {{40, 43, 40}, {10, 10, 12.5}};
  const size_t n = lam_clock_nstate(c);
  cr_assert_eq(n, (model == LAM_CLOCK_PHASE ? 2 : 4) * T);
  double *y = malloc(n * sizeof *y);
  lam_clock_init(c, y);
  double th0[2][3];
  for (int b = 0; b < 2; b++) {
    for (size_t j = 0; j < T; j++) {
      th0[b][j] = lam_clock_phase(c, 0.0, y, (lam_clock_band)b, j);
    }
  }
  /* random initial phases really differ */
  cr_assert_gt(fabs(wrapd(th0[0][0] - th0[0][1])), 1e-3);
  integ g;
  integ_init(&g, c, NULL);
  const double times[] = {0.0123, 0.5, 2.0, 10.0};
  for (size_t k = 0; k < 4; k++) {
    integ_to(&g, times[k], y);
    const double t = times[k];
    for (size_t j = 0; j < T; j++) {
      double th[2];
      for (int b = 0; b < 2; b++) {
        th[b] = th0[b][j] + TWO_PI * hz[b][j] * t;
        double got = lam_clock_phase(c, t, y, (lam_clock_band)b, j);
        cr_assert_lt(fabs(wrapd(got - th[b])), 1e-8,
                     "band %d col %zu t %g: %.12g vs %.12g", b, j, t, got,
                     wrapd(th[b]));
        cr_assert(got > -M_PI - 1e-15 && got <= M_PI + 1e-15);
        cr_assert_lt(fabs(lam_clock_amplitude(c, y, (lam_clock_band)b, j) - 1.0),
                     1e-9);
      }
      double gff, gfb;
      lam_clock_gains(c, t, y, j, &gff, &gfb);
      cr_assert_lt(fabs(gff - (1.0 + 0.3 * cos(th[0]))), 1e-8);
      cr_assert_lt(fabs(gfb - (1.0 + 0.7 * cos(th[1]))), 1e-8);
    }
  }
  gsl_odeiv2_driver_free(g.d);
  free(y);
  lam_clock_free(c);
}

Test(clock, free_rotation_phase) { free_rotation(LAM_CLOCK_PHASE); }
Test(clock, free_rotation_stuart_landau) {
  free_rotation(LAM_CLOCK_STUART_LANDAU);
}

/* Two columns, column 0 detuned by df: psi = theta_0 - theta_1 obeys
 * dpsi/dt = dw - k sin(psi) (Adler). */
static void adler(lam_clock_band band, double f0, double df, double k) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.coupling = k;
  p.gamma_hz = 40.0;
  p.alpha_hz = 10.0;
  lam_clock *c = make(&p, 2);
  set_hz(c, band, 0, f0 + df);
  double y[4];
  lam_clock_init(c, y);
  const double dw = TWO_PI * df;
  integ g;
  integ_init(&g, c, NULL);
  if (fabs(dw) < k) {
    integ_to(&g, 6.0, y);
    double psi = lam_clock_phase(c, g.t, y, band, 0) -
                 lam_clock_phase(c, g.t, y, band, 1);
    cr_assert_lt(fabs(wrapd(psi - asin(dw / k))), 1e-8,
                 "locked at %.12g, Adler %.12g", wrapd(psi), asin(dw / k));
    /* locked: both turn at the mean frequency */
    double y1[4];
    memcpy(y1, y, sizeof y);
    const double t1 = g.t, h = 0.05;
    integ_to(&g, t1 + h, y1);
    for (size_t j = 0; j < 2; j++) {
      double adv = lam_clock_phase(c, t1 + h, y1, band, j) -
                   lam_clock_phase(c, t1, y, band, j);
      double want = TWO_PI * (f0 + 0.5 * df) * h;
      cr_assert_lt(fabs(wrapd(adv - want)), 1e-8);
    }
  } else {
    /* Slip times: psi(t) crosses 2 pi n (the state is unwrapped). */
    const double beat = sqrt(dw * dw - k * k);
    const double want = TWO_PI / beat;
    const size_t off = (size_t)band * 2;
    const double h = 1e-4;
    double prev = y[off] - y[off + 1], tprev = 0.0;
    double slips[16];
    size_t ns = 0;
    while (ns < 8) {
      integ_to(&g, tprev + h, y);
      double psi = y[off] - y[off + 1];
      double a = floor(prev / TWO_PI), b = floor(psi / TWO_PI);
      if (b > a) {
        double lvl = b * TWO_PI;
        slips[ns++] = tprev + h * (lvl - prev) / (psi - prev);
      }
      prev = psi;
      tprev = g.t;
      cr_assert_lt(tprev, 20.0 * want, "no slips");
    }
    for (size_t i = 1; i < ns; i++) {
      double period = slips[i] - slips[i - 1];
      cr_assert_lt(fabs(period - want) / want, 1e-4,
                   "slip period %.9g s, Adler 2 pi / sqrt(dw^2 - k^2) = %.9g s",
                   period, want);
    }
  }
  gsl_odeiv2_driver_free(g.d);
  lam_clock_free(c);
}

Test(clock, adler_lock_gamma) { adler(LAM_CLOCK_GAMMA, 40.0, 2.0, 20.0); }
Test(clock, adler_lock_alpha_negative_detuning) {
  adler(LAM_CLOCK_ALPHA, 10.0, -1.5, 12.0);
}
Test(clock, adler_drift_gamma) { adler(LAM_CLOCK_GAMMA, 40.0, 4.0, 20.0); }
Test(clock, adler_drift_alpha) { adler(LAM_CLOCK_ALPHA, 10.0, 2.5, 11.0); }

static double r_exact(double mu, double r0, double t) {
  return sqrt(mu) / sqrt(1.0 + (mu / (r0 * r0) - 1.0) * exp(-2.0 * mu * t));
}

/* |z| relaxes to sqrt(mu) along the closed-form logistic law. */
Test(clock, stuart_landau_amplitude) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.model = LAM_CLOCK_STUART_LANDAU;
  p.mu = 50.0;
  const size_t T = 3;
  lam_clock *c = make(&p, T);
  cr_assert_eq(lam_clock_nstate(c), 4 * T);
  double y[12];
  const double r0[2][3] = {{0.3, 12.0, 1.0}, {2.0, 0.05, 7.5}};
  for (int b = 0; b < 2; b++) {
    for (size_t j = 0; j < T; j++) {
      double ang = 0.3 + (double)(b * 3 + j);
      y[b * 2 * T + 2 * j] = r0[b][j] * cos(ang);
      y[b * 2 * T + 2 * j + 1] = r0[b][j] * sin(ang);
    }
  }
  integ g;
  integ_init(&g, c, NULL);
  const double times[] = {0.002, 0.01, 0.02, 0.05, 0.3};
  for (size_t k = 0; k < 5; k++) {
    integ_to(&g, times[k], y);
    for (int b = 0; b < 2; b++) {
      for (size_t j = 0; j < T; j++) {
        double got = lam_clock_amplitude(c, y, (lam_clock_band)b, j) * sqrt(50.0);
        double want = r_exact(50.0, r0[b][j], times[k]);
        cr_assert_lt(fabs(got - want) / want, 1e-8, "t %g: %.12g vs %.12g",
                     times[k], got, want);
      }
    }
  }
  gsl_odeiv2_driver_free(g.d);
  lam_clock_free(c);
}

/* Drive lowers mu_alpha = mu - alpha_drive drive: the alpha limit cycle
 * shrinks to sqrt(mu_alpha), and with it the feedback modulation; past
 * mu_alpha < 0 the alpha rhythm dies. Gamma is untouched. */
Test(clock, alpha_drive) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.model = LAM_CLOCK_STUART_LANDAU;
  p.mu = 50.0;
  p.alpha_drive = 10.0;
  p.alpha_depth = 0.8;
  p.gamma_depth = 0.4;
  const size_t T = 4;
  const double drive[4] = {0.0, 1.0, 3.0, 6.0};
  lam_clock *c = make(&p, T);
  double y[16];
  lam_clock_init(c, y);
  integ g;
  integ_init(&g, c, drive);
  integ_to(&g, 2.0, y);
  for (size_t j = 0; j < T; j++) {
    double mua = 50.0 - 10.0 * drive[j];
    double want = mua > 0 ? sqrt(mua / 50.0) : 0.0;
    double amp = lam_clock_amplitude(c, y, LAM_CLOCK_ALPHA, j);
    cr_assert_lt(fabs(amp - want), mua > 0 ? 1e-9 : 1e-6, "col %zu: %.12g vs %.12g",
                 j, amp, want);
    cr_assert_lt(fabs(lam_clock_amplitude(c, y, LAM_CLOCK_GAMMA, j) - 1.0), 1e-9);
    /* The modulation of g_fb over one alpha period (state frozen: it is
     * stationary in the rotating frame). */
    double gmax = -1e9, gmin = 1e9;
    const size_t ns = 20000;
    for (size_t s = 0; s < ns; s++) {
      double t = g.t + 0.1 * (double)s / (double)ns;
      double gff, gfb;
      lam_clock_gains(c, t, y, j, &gff, &gfb);
      gmax = gfb > gmax ? gfb : gmax;
      gmin = gfb < gmin ? gfb : gmin;
    }
    cr_assert_lt(fabs((gmax - 1.0) - 0.8 * want), 1e-6, "col %zu: max g_fb %.9g", j,
                 gmax);
    cr_assert_lt(fabs((1.0 - gmin) - 0.8 * want), 1e-6, "col %zu: min g_fb %.9g", j,
                 gmin);
  }
  /* Without drive the same clock keeps full alpha amplitude. */
  lam_clock_init(c, y);
  integ g2;
  integ_init(&g2, c, NULL);
  integ_to(&g2, 1.0, y);
  for (size_t j = 0; j < T; j++) {
    cr_assert_lt(fabs(lam_clock_amplitude(c, y, LAM_CLOCK_ALPHA, j) - 1.0), 1e-9);
  }
  gsl_odeiv2_driver_free(g.d);
  gsl_odeiv2_driver_free(g2.d);
  lam_clock_free(c);
}

/* |mean e^{i theta}| computed from the phases, independently. */
static double order_from_phases(const lam_clock *c, double t, const double *y,
                                lam_clock_band b) {
  double sx = 0.0, sy = 0.0;
  const size_t T = lam_clock_ncols(c);
  for (size_t j = 0; j < T; j++) {
    double th = lam_clock_phase(c, t, y, b, j);
    sx += cos(th);
    sy += sin(th);
  }
  return hypot(sx, sy) / (double)T;
}

static void kuramoto_sync(int model) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.model = model;
  p.coupling = 10.0;
  p.init_phase = LAM_CLOCK_INIT_RANDOM;
  p.seed = 3;
  const size_t T = 50;
  lam_clock *c = make(&p, T);
  const size_t n = lam_clock_nstate(c);
  double *y = malloc(n * sizeof *y);
  lam_clock_init(c, y);
  for (int b = 0; b < 2; b++) {
    double r = lam_clock_order(c, y, (lam_clock_band)b);
    cr_assert_lt(fabs(r - order_from_phases(c, 0.0, y, (lam_clock_band)b)), 1e-12);
    cr_assert_lt(r, 0.5, "random phases should start incoherent (r = %g)", r);
  }
  integ g;
  integ_init(&g, c, NULL);
  integ_to(&g, 8.0, y);
  for (int b = 0; b < 2; b++) {
    double r = lam_clock_order(c, y, (lam_clock_band)b);
    cr_assert_lt(fabs(r - order_from_phases(c, g.t, y, (lam_clock_band)b)), 1e-12);
    cr_assert_gt(r, 1.0 - 1e-6, "band %d order %.12g", b, r);
  }
  gsl_odeiv2_driver_free(g.d);
  free(y);
  lam_clock_free(c);
}

Test(clock, kuramoto_order_phase) { kuramoto_sync(LAM_CLOCK_PHASE); }
Test(clock, kuramoto_order_stuart_landau) {
  kuramoto_sync(LAM_CLOCK_STUART_LANDAU);
}

/* The O(T) mean-field rhs equals the pairwise O(T^2) sums of lam_clock.h. */
Test(clock, mean_field_equals_pairwise) {
  uint64_t s = 11;
  const size_t T = 7;
  const double drive[7] = {0.1, 0.5, 0.0, 2.0, 1.0, 0.3, 0.9};
  for (int model = 0; model < 2; model++) {
    lam_clock_params p = lam_clock_defaults();
    p.enabled = 1;
    p.model = model;
    p.coupling = 13.0;
    p.mu = 30.0;
    p.alpha_drive = 4.0;
    lam_clock *c = make(&p, T);
    double hz[2][7];
    for (int b = 0; b < 2; b++) {
      for (size_t j = 0; j < T; j++) {
        hz[b][j] = (b ? 10.0 : 40.0) + 4.0 * (unif(&s) - 0.5);
        set_hz(c, (lam_clock_band)b, j, hz[b][j]);
      }
    }
    const size_t n = lam_clock_nstate(c);
    double y[28], dy[28];
    for (size_t i = 0; i < n; i++) {
      y[i] = model ? 8.0 * (unif(&s) - 0.5) : TWO_PI * unif(&s);
    }
    lam_clock_rhs_driven(c, 0.37, y, drive, dy);
    const double kT = 13.0 / (double)T;
    for (int b = 0; b < 2; b++) {
      const double f0 = b ? 10.0 : 40.0;
      for (size_t j = 0; j < T; j++) {
        const double dw = TWO_PI * (hz[b][j] - f0);
        if (model == LAM_CLOCK_PHASE) {
          const double *ph = y + b * T;
          double want = dw;
          for (size_t i = 0; i < T; i++) {
            want += kT * sin(ph[i] - ph[j]);
          }
          cr_assert_lt(fabs(dy[b * T + j] - want), 1e-11);
        } else {
          const double *w = y + b * 2 * T;
          double x = w[2 * j], v = w[2 * j + 1];
          double mu = b ? 30.0 - 4.0 * drive[j] : 30.0;
          double a = mu - x * x - v * v;
          double wr = a * x - dw * v, wi = a * v + dw * x;
          for (size_t i = 0; i < T; i++) {
            wr += kT * (w[2 * i] - x);
            wi += kT * (w[2 * i + 1] - v);
          }
          cr_assert_lt(fabs(dy[b * 2 * T + 2 * j] - wr), 1e-10);
          cr_assert_lt(fabs(dy[b * 2 * T + 2 * j + 1] - wi), 1e-10);
        }
      }
    }
    /* Undriven: the alpha band uses mu. */
    lam_clock_rhs(c, 0.37, y, dy);
    if (model == LAM_CLOCK_STUART_LANDAU) {
      double x = y[2 * T + 6], v = y[2 * T + 7];
      double dw = TWO_PI * (hz[1][3] - 10.0);
      double want = (30.0 - x * x - v * v) * x - dw * v;
      for (size_t i = 0; i < T; i++) {
        want += kT * (y[2 * T + 2 * i] - x);
      }
      cr_assert_lt(fabs(dy[2 * T + 6] - want), 1e-10);
    }
    lam_clock_free(c);
  }
}

Test(clock, disabled_is_neutral) {
  lam_clock_params p = lam_clock_defaults();
  cr_assert_eq(p.enabled, 0);
  cr_assert_eq(p.model, LAM_CLOCK_PHASE);
  cr_assert_float_eq(p.gamma_hz, 40.0, 1e-15);
  cr_assert_float_eq(p.alpha_hz, 10.0, 1e-15);
  cr_assert_float_eq(p.coupling, 0.0, 1e-15);
  lam_clock *c = make(&p, 4);
  cr_assert_eq(lam_clock_enabled(c), 0);
  cr_assert_eq(lam_clock_nstate(c), 0);
  cr_assert_eq(lam_clock_ncols(c), 4);
  double dummy[1] = {123.0};
  lam_clock_init(c, dummy);
  cr_assert_eq(dummy[0], 123.0, "a disabled clock writes no state");
  for (size_t j = 0; j < 4; j++) {
    for (double t = 0.0; t < 1.0; t += 0.0137) {
      double gff = -1, gfb = -1;
      lam_clock_gains(c, t, NULL, j, &gff, &gfb);
      cr_assert(gff == 1.0 && gfb == 1.0, "gains exactly 1");
    }
    cr_assert(lam_clock_phase(c, 0.3, NULL, LAM_CLOCK_GAMMA, j) == 0.0);
    cr_assert(lam_clock_amplitude(c, NULL, LAM_CLOCK_ALPHA, j) == 0.0);
  }
  cr_assert(lam_clock_order(c, NULL, LAM_CLOCK_GAMMA) == 0.0);
  lam_clock_gains(c, 0.0, NULL, 0, NULL, NULL); /* NULL outputs allowed */
  lam_clock_free(c);
  lam_clock_free(NULL);
}

/* lam_clock_gains_all against lam_clock_gains column by column, bit for
 * bit: both models, random and equal phases (one cosine per run of equal
 * phases), columns past the clock's, a disabled and a NULL clock. */
static void gains_all_case(int model, int init, size_t T, size_t ncols) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1, p.model = model, p.init_phase = init, p.seed = 3;
  p.gamma_depth = 0.4, p.alpha_depth = 0.6;
  lam_clock *c = make(&p, T);
  const size_t n = lam_clock_nstate(c);
  double *y = malloc(n * sizeof *y), *g = malloc(4 * ncols * sizeof *g);
  lam_clock_init(c, y);
  uint64_t s = 11;
  if (init == LAM_CLOCK_INIT_ZERO && model == LAM_CLOCK_STUART_LANDAU) {
    for (size_t i = 0; i < n; i++) { /* off the limit cycle, in phase */
      y[i] *= 0.7;
    }
  }
  if (init == LAM_CLOCK_INIT_ZERO && model == LAM_CLOCK_PHASE) {
    y[T / 2] = -0.0; /* -0 next to +0: equal phases, other bits */
    y[T + 1] = 0.25; /* a run broken in the alpha band */
  }
  for (double t = 0.0; t < 0.3; t += 0.0173 + 0.001 * unif(&s)) {
    lam_clock_gains_all(c, t, y, ncols, g, g + ncols);
    for (size_t j = 0; j < ncols; j++) {
      double gff = -1, gfb = -1;
      lam_clock_gains(c, t, y, j, &gff, &gfb);
      cr_assert(memcmp(&g[j], &gff, sizeof gff) == 0 &&
                    memcmp(&g[ncols + j], &gfb, sizeof gfb) == 0,
                "model %d col %zu t %g: %.17g %.17g vs %.17g %.17g", model, j, t,
                g[j], g[ncols + j], gff, gfb);
    }
    lam_clock_gains_all(c, t, y, ncols, NULL, g); /* one band alone */
    for (size_t j = 0; j < ncols; j++) {
      cr_assert(g[j] == g[ncols + j]);
    }
  }
  free(y);
  free(g);
  lam_clock_free(c);
}

Test(clock, gains_all_equal_column_gains) {
  for (int model = 0; model < 2; model++) {
    gains_all_case(model, LAM_CLOCK_INIT_RANDOM, 7, 7);
    gains_all_case(model, LAM_CLOCK_INIT_ZERO, 9, 9);
    gains_all_case(model, LAM_CLOCK_INIT_ZERO, 5, 8); /* columns past T: 1 */
  }
  lam_clock_params p = lam_clock_defaults();
  lam_clock *c = make(&p, 3);
  double g[6] = {0};
  lam_clock_gains_all(c, 0.1, NULL, 3, g, g + 3);
  lam_clock_gains_all(NULL, 0.1, NULL, 2, g, NULL);
  for (size_t j = 0; j < 6; j++) {
    cr_assert(g[j] == 1.0, "disabled: gains exactly 1");
  }
  lam_clock_free(c);
}

static void expect_bad(lam_clock_params p, size_t T, const char *key) {
  lam_err err = {0, ""};
  lam_clock *c = (lam_clock *)1;
  cr_assert_eq(lam_clock_new(&p, T, &c, &err), LAM_EINVAL, "%s accepted", key);
  cr_assert_null(c);
  cr_assert(strstr(err.msg, key), "message '%s' should name %s", err.msg, key);
}

Test(clock, bad_values) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  lam_clock_params q = p;
  q.gamma_hz = -1.0;
  expect_bad(q, 2, "clocks.gamma_hz");
  q = p;
  q.alpha_hz = NAN;
  expect_bad(q, 2, "clocks.alpha_hz");
  q = p;
  q.gamma_depth = 1.5;
  expect_bad(q, 2, "clocks.gamma_depth");
  q = p;
  q.alpha_depth = -0.1;
  expect_bad(q, 2, "clocks.alpha_depth");
  q = p;
  q.coupling = -2.0;
  expect_bad(q, 2, "clocks.coupling");
  q = p;
  q.mu = 0.0;
  expect_bad(q, 2, "clocks.mu");
  q = p;
  q.alpha_drive = -1.0;
  expect_bad(q, 2, "clocks.alpha_drive");
  q = p;
  q.seed = -5;
  expect_bad(q, 2, "clocks.seed");
  q = p;
  q.model = 7;
  expect_bad(q, 2, "clocks.model");
  q = p;
  q.init_phase = 9;
  expect_bad(q, 2, "clocks.init_phase");
  expect_bad(p, 0, "clocks");

  lam_err err = {0, ""};
  lam_clock *c = make(&p, 3);
  cr_assert_eq(lam_clock_set_frequency(c, LAM_CLOCK_GAMMA, 0, -3.0, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "clocks.gamma_hz"), "%s", err.msg);
  cr_assert_eq(lam_clock_set_frequency(c, LAM_CLOCK_ALPHA, 3, 10.0, &err), LAM_EINVAL);
  cr_assert_eq(lam_clock_set_frequency(c, LAM_CLOCK_ALPHA, 0, INFINITY, &err),
               LAM_EINVAL);
  lam_clock_free(c);
}

static int from_text(const char *text, size_t T, lam_clock **c, lam_err *err) {
  lam_model *m = lam_model_new();
  cr_assert(m);
  int rc = lam_model_load_text(m, text, "clocks.ini", NULL, err);
  cr_assert_eq(rc, LAM_OK, "%s", err->msg);
  rc = tu_clock_from_model(m, T, c, err);
  lam_model_free(m);
  return rc;
}

Test(clock, from_model) {
  lam_err err = {0, ""};
  lam_clock *c;
  cr_assert_eq(from_text("[clocks]\nenabled = true\nmodel = stuart-landau\n"
                         "gamma_hz = 60\ninit_phase = random\n",
                         5, &c, &err),
               LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_clock_nstate(c), 20);
  lam_clock_free(c);
  cr_assert_eq(from_text("", 5, &c, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_clock_nstate(c), 0);
  lam_clock_free(c);

  cr_assert_eq(from_text("[clocks]\nenabled = true\nalpha_depth = 2\n", 2, &c, &err),
               LAM_EINVAL);
  cr_assert(strstr(err.msg, "clocks.ini:3") && strstr(err.msg, "clocks.alpha_depth"),
            "%s", err.msg);
  cr_assert_eq(from_text("[clocks]\ngamma_hz = -40\n", 2, &c, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "clocks.ini:2") && strstr(err.msg, "clocks.gamma_hz"),
            "%s", err.msg);
  cr_assert_eq(from_text("[clocks]\nmodel = wilson-cowan\n", 2, &c, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "clocks.model"), "%s", err.msg);
}

/* gamma_source = ping / alpha_source = deep (LAM_CLOCK_SOURCE_CIRCUIT): the
 * band's gain is the network's to set, so the clock leaves it exactly 1;
 * with both bands the circuit's there is no oscillator state at all, and
 * with one band the other keeps its oscillator (2T phases). */
Test(clock, circuit_sources_leave_the_gain_to_the_network) {
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.gamma_source = LAM_CLOCK_SOURCE_CIRCUIT;
  p.alpha_source = LAM_CLOCK_SOURCE_CIRCUIT;
  lam_generator *gen[2] = {NULL, NULL};
  lam_clock *c = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_clock_build(&p, 3, gen, &c, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(lam_clock_nstate(c), 0);
  double gff[3], gfb[3];
  lam_clock_gains_all(c, 0.0123, NULL, 3, gff, gfb);
  for (size_t j = 0; j < 3; j++) {
    cr_expect(gff[j] == 1.0 && gfb[j] == 1.0, "column %zu: %g %g", j, gff[j], gfb[j]);
  }
  cr_expect_eq(lam_clock_phase(c, 0.1, NULL, LAM_CLOCK_GAMMA, 0), 0.0);
  lam_clock_free(c);
  p.alpha_source = LAM_CLOCK_SOURCE_CLOCK;
  cr_assert_eq(lam_clock_build(&p, 3, gen, &c, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(lam_clock_nstate(c), 6);
  double y[6] = {0};
  lam_clock_gains_all(c, 0.0, y, 3, gff, gfb);
  cr_expect(gff[0] == 1.0, "gamma gain %g", gff[0]);
  cr_expect(fabs(gfb[0] - (1.0 + p.alpha_depth)) < 1e-15, "alpha gain %g", gfb[0]);
  lam_clock_free(c);
}
