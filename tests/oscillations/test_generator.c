/* test_generator.c: emergent generators (Jansen-Rit, Wilson-Cowan) driving
 * the clock gains ([clocks] gamma_source / alpha_source).
 *
 * - The clock state integrated alone (GSL rk8pd, written here): g_fb from a
 *   Jansen-Rit generator at p = 220/s sweeps [1 - m, 1 + m] at a frequency
 *   in 9-12 Hz (Jansen-Rit at p = 220/s is in its alpha regime, 10.9 Hz:
 *   docs/neural-masses.md), the
 *   frequency the clock reports; g_ff from a Wilson-Cowan E-PV generator at
 *   a gamma frequency (30-80 Hz).
 * - In the attention network: with a generator of known frequency f_gen
 *   (measured by the generator, not by the attention code) the L4 response
 *   (gamma_source) and the L5 output (alpha_source) oscillate at f_gen, not
 *   at the clock's gamma_hz / alpha_hz; with depth 0 the run equals the run
 *   without clocks (the gains are exactly 1).
 * - Errors: a noisy generator, a generator below its Hopf point, a
 *   generator asked of lam_clock_new.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_real.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_clock.h"
#include "tu_clock.h"
#include "lam_model.h"
#include "lam_sim.h"
#include "lam_params.h"

static void setup(void) { gsl_set_error_handler_off(); }

static lam_model *load(const char *text) {
  lam_model *m = lam_model_new();
  lam_err err;
  cr_assert_eq(lam_model_load_text(m, text, "gen.ini", ".", &err), LAM_OK, "%s",
               err.msg);
  return m;
}

/* Upward crossings of the mean, per second, over x[0..n) sampled at dt. */
static double crossing_hz(const double *x, size_t n, double dt) {
  double mean = 0.0;
  for (size_t k = 0; k < n; k++) {
    mean += x[k] / (double)n;
  }
  double first = -1.0, last = -1.0;
  size_t cnt = 0;
  for (size_t k = 1; k < n; k++) {
    double a = x[k - 1] - mean, b = x[k] - mean;
    if (a < 0.0 && b >= 0.0) {
      double tc = ((double)(k - 1) + a / (a - b)) * dt;
      first = cnt ? first : tc;
      last = tc;
      cnt++;
    }
  }
  return cnt >= 2 ? (double)(cnt - 1) / (last - first) : 0.0;
}

/* Peak of the periodogram of x (mean removed, Hann window), Hz. */
static double peak_hz(const double *x, size_t n, double dt) {
  double *w = malloc(n * sizeof *w), mean = 0.0;
  for (size_t k = 0; k < n; k++) {
    mean += x[k] / (double)n;
  }
  for (size_t k = 0; k < n; k++) {
    w[k] = (x[k] - mean) * (0.5 - 0.5 * cos(2.0 * M_PI * (double)k / (double)n));
  }
  gsl_fft_real_wavetable *wt = gsl_fft_real_wavetable_alloc(n);
  gsl_fft_real_workspace *ws = gsl_fft_real_workspace_alloc(n);
  cr_assert_eq(gsl_fft_real_transform(w, 1, n, wt, ws), GSL_SUCCESS);
  size_t best = 1;
  double bp = 0.0;
  for (size_t k = 1; k < n / 2; k++) {
    double p = w[2 * k - 1] * w[2 * k - 1] + w[2 * k] * w[2 * k];
    if (p > bp) {
      bp = p;
      best = k;
    }
  }
  gsl_fft_real_wavetable_free(wt);
  gsl_fft_real_workspace_free(ws);
  free(w);
  return (double)best / ((double)n * dt);
}

/* ---- the clock alone ---- */

static int clock_rhs(double t, const double *y, double *dy, void *p) {
  lam_clock_rhs(p, t, y, dy);
  return GSL_SUCCESS;
}

Test(generator, clock_gains_from_jansen_rit_and_wilson_cowan, .init = setup) {
  lam_model *m = load("[clocks]\nenabled = true\ngamma_source = wilson-cowan\n"
                      "alpha_source = jansen-rit\ngamma_depth = 0.3\nalpha_depth = 0.5\n"
                      "[jansen_rit]\np = 220\n");
  lam_clock *c = NULL;
  lam_err err;
  cr_assert_eq(tu_clock_from_model(m, 2, &c, &err), LAM_OK, "%s", err.msg);
  /* Phase oscillators 2T, Wilson-Cowan 2 per column, Jansen-Rit 6. */
  const size_t n = lam_clock_nstate(c);
  cr_assert_eq(n, 2 * 2 + 2 * 2 + 2 * 6);
  double *y = calloc(n, sizeof *y);
  lam_clock_init(c, y);
  gsl_odeiv2_system sys = {clock_rhs, NULL, n, c};
  gsl_odeiv2_driver *d =
      gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-5, 1e-10, 1e-10);
  const double dt = 1e-4;
  const size_t ns = 20000;
  double *gff = malloc(ns * sizeof *gff), *gfb = malloc(ns * sizeof *gfb);
  double t = 0.0, lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (size_t k = 0; k < ns; k++) {
    cr_assert_eq(gsl_odeiv2_driver_apply(d, &t, (double)(k + 1) * dt, y), GSL_SUCCESS);
    lam_clock_gains(c, t, y, 1, &gff[k], &gfb[k]);
    double all[2][2]; /* lam_clock_gains_all: the same bits, both columns */
    lam_clock_gains_all(c, t, y, 2, all[0], all[1]);
    cr_assert(all[0][1] == gff[k] && all[1][1] == gfb[k], "gains_all at %g", t);
    lo[0] = fmin(lo[0], gff[k]);
    hi[0] = fmax(hi[0], gff[k]);
    lo[1] = fmin(lo[1], gfb[k]);
    hi[1] = fmax(hi[1], gfb[k]);
  }
  /* The generator sits on its limit cycle: the gains span 1 +- depth. */
  cr_assert(fabs(lo[0] - 0.7) < 2e-3 && fabs(hi[0] - 1.3) < 2e-3, "g_ff in [%g, %g]",
            lo[0], hi[0]);
  cr_assert(fabs(lo[1] - 0.5) < 2e-3 && fabs(hi[1] - 1.5) < 2e-3, "g_fb in [%g, %g]",
            lo[1], hi[1]);
  const double fa = crossing_hz(gfb, ns, dt), fg = crossing_hz(gff, ns, dt);
  cr_log_info("g_fb %.3f Hz (clock reports %.3f), g_ff %.3f Hz (%.3f)", fa,
              lam_clock_source_hz(c, LAM_CLOCK_ALPHA, 1), fg,
              lam_clock_source_hz(c, LAM_CLOCK_GAMMA, 1));
  cr_assert(fa >= 9.0 && fa <= 12.0, "Jansen-Rit gain at %g Hz", fa);
  cr_assert(fg >= 30.0 && fg <= 80.0, "Wilson-Cowan gain at %g Hz", fg);
  cr_assert(fabs(fa / lam_clock_source_hz(c, LAM_CLOCK_ALPHA, 1) - 1.0) < 0.01);
  cr_assert(fabs(fg / lam_clock_source_hz(c, LAM_CLOCK_GAMMA, 1) - 1.0) < 0.01);
  gsl_odeiv2_driver_free(d);
  free(gff);
  free(gfb);
  free(y);
  lam_clock_free(c);
  lam_model_free(m);
}

/* ---- in the attention network ---- */

typedef struct rec {
  lam_system *sys;
  size_t pop, k, cap;
  double *x, *buf;
} rec;

static int on_sample(void *ctx, double t, const double *y) {
  rec *r = ctx;
  if (r->k < r->cap) {
    r->sys->ops->observe(r->sys->self, r->pop, t, y, r->buf);
    r->x[r->k++] = r->buf[0];
  }
  return 0;
}

#define NET "[network]\ncolumns = 2\nheads = 1\nd_in = 4\nd_k = 2\nd_v = 2\n" \
            "[input]\nseed = 3\n[weights]\nseed = 4\n"

/* Run text for t_end at 1 kHz; unit 0 of column 0 of population pop. The
 * frequency of the band's source (clock or generator) into *src_hz. */
static double *series(const char *text, const char *pop, double t_end,
                      size_t *n, lam_clock_band band, double *src_hz) {
  lam_model *m = load(text);
  lam_err err;
  if (src_hz) {
    lam_model *m2 = load(text);
    lam_clock *c = NULL;
    cr_assert_eq(tu_clock_from_model(m2, 2, &c, &err), LAM_OK, "%s", err.msg);
    *src_hz = lam_clock_source_hz(c, band, 0);
    lam_clock_free(c);
    lam_model_free(m2);
  }
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  rec r = {.sys = lam_sim_system(sim)};
  while (r.pop < r.sys->npops && strcmp(r.sys->pops[r.pop].name, pop)) {
    r.pop++;
  }
  cr_assert_lt(r.pop, r.sys->npops);
  r.cap = (size_t)(t_end / 1e-3 + 1.5);
  r.x = calloc(r.cap, sizeof *r.x);
  r.buf = calloc(r.sys->pops[r.pop].ncols * r.sys->pops[r.pop].nunits, sizeof *r.buf);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = 1e-3;
  o.on_sample = on_sample;
  o.ctx = &r;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  *n = r.k;
  free(r.buf);
  lam_sim_free(sim);
  lam_model_free(m);
  return r.x;
}

Test(generator, l4_follows_a_wilson_cowan_gamma_generator, .init = setup) {
  size_t n;
  double f_gen;
  double *x = series(NET "[clocks]\nenabled = true\ngamma_source = wilson-cowan\n"
                         "gamma_hz = 40\ngamma_depth = 0.4\n",
                     "l4", 1.5, &n, LAM_CLOCK_GAMMA, &f_gen);
  /* The last second (1 Hz bins): the step response has settled. */
  double f = peak_hz(x + n - 1000, 1000, 1e-3);
  cr_log_info("L4 peak %.1f Hz, Wilson-Cowan generator %.2f Hz", f, f_gen);
  cr_assert(f_gen >= 30.0 && f_gen <= 80.0 && fabs(f_gen - 40.0) > 5.0,
            "generator at %g Hz", f_gen);
  cr_assert(fabs(f - f_gen) <= 1.0, "L4 peak %g Hz, generator %g Hz", f, f_gen);
  free(x);
}

Test(generator, l5_output_follows_a_jansen_rit_alpha_generator, .init = setup) {
  size_t n;
  double f_gen;
  double *x = series(NET "[clocks]\nenabled = true\nalpha_source = jansen-rit\n"
                         "alpha_hz = 20\nalpha_depth = 0.5\ngamma_depth = 0\n",
                     "out", 2.5, &n, LAM_CLOCK_ALPHA, &f_gen);
  /* The last 2 s (0.5 Hz bins). */
  double f = peak_hz(x + n - 2000, 2000, 1e-3);
  cr_log_info("L5 output peak %.2f Hz, Jansen-Rit generator %.2f Hz", f, f_gen);
  cr_assert(f_gen >= 9.0 && f_gen <= 12.0, "generator at %g Hz", f_gen);
  cr_assert(fabs(f - f_gen) <= 0.5, "L5 output peak %g Hz, generator %g Hz", f, f_gen);
  free(x);
}

Test(generator, depth_zero_equals_no_clocks, .init = setup) {
  size_t n0, n1;
  double *x0 = series(NET "[solver]\nrtol = 1e-10\natol = 1e-12\n", "out", 0.3, &n0,
                      LAM_CLOCK_GAMMA, NULL);
  double *x1 = series(NET "[solver]\nrtol = 1e-10\natol = 1e-12\n"
                          "[clocks]\nenabled = true\ngamma_source = wilson-cowan\n"
                          "alpha_source = jansen-rit\ngamma_depth = 0\nalpha_depth = 0\n",
                      "out", 0.3, &n1, LAM_CLOCK_GAMMA, NULL);
  cr_assert_eq(n0, n1);
  double e = 0.0, big = 0.0;
  for (size_t k = 0; k < n0; k++) {
    e = fmax(e, fabs(x0[k] - x1[k]));
    big = fmax(big, fabs(x0[k]));
  }
  cr_log_info("depth 0: max difference %g (scale %g)", e, big);
  cr_assert(big > 0.0);
  cr_assert_lt(e, 1e-7 * big + 1e-9, "depth 0 differs from no clocks by %g", e);
  free(x0);
  free(x1);
}

Test(generator, bad_generators, .init = setup) {
  lam_err err;
  lam_clock *c = NULL;
  lam_model *m = load("[clocks]\nenabled = true\nalpha_source = jansen-rit\n"
                      "[jansen_rit]\nsigma = 1\n");
  cr_assert_eq(tu_clock_from_model(m, 1, &c, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "gen.ini:5") && strstr(err.msg, "jansen_rit.sigma"), "%s",
            err.msg);
  lam_model_free(m);
  /* p = 50/s: below the first Hopf point (89.83/s) the column is at rest. */
  m = load("[clocks]\nenabled = true\nalpha_source = jansen-rit\n[jansen_rit]\np = 50\n");
  cr_assert_eq(tu_clock_from_model(m, 1, &c, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "clocks.alpha_source") && strstr(err.msg, "does not oscillate"),
            "%s", err.msg);
  lam_model_free(m);
  lam_clock_params p = lam_clock_defaults();
  p.enabled = 1;
  p.gamma_source = LAM_CLOCK_SOURCE_WILSON_COWAN;
  cr_assert_eq(lam_clock_new(&p, 1, &c, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "clocks.gamma_source"), "%s", err.msg);
}
