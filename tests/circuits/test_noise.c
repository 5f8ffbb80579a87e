/* test_noise.c: the frozen Ornstein-Uhlenbeck path against its closed-form
 * statistics and its determinism contract (lam_noise.h).
 *
 * Statistics: stationary variance sigma^2 tau / 2 from t = 0 on, lag-1
 * autocorrelation e^{-dt/tau} of the exact OU update, white noise
 * (tau = 0) with variance sigma^2 / dt and no correlation. Tolerances are
 * several standard errors of the estimators (stated at each check).
 * Determinism: same seed same path, a channel's path independent of the
 * number of channels and of the order of queries, linear interpolation
 * between grid points (the kinks: exactly the grid points), NaN outside
 * the retained history. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_noise.h"

static lam_noise *make(lam_noise_params p) {
  lam_err err = {0, ""};
  lam_noise *n;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_OK, "%s", err.msg);
  return n;
}

/* Sample variance and lag-1 autocorrelation over nch channels x N points,
 * read in grid order (the ring keeps only recent points). */
static void stats(lam_noise *n, size_t nch, size_t N, double *var,
                  double *rho1, double *mean) {
  double s = 0.0, s2 = 0.0, s11 = 0.0;
  double *prev = calloc(nch, sizeof *prev);
  for (size_t k = 0; k < N; k++) {
    for (size_t c = 0; c < nch; c++) {
      double x = lam_noise_grid(n, c, k);
      cr_assert(isfinite(x));
      s += x;
      s2 += x * x;
      if (k > 0) {
        s11 += x * prev[c];
      }
      prev[c] = x;
    }
  }
  free(prev);
  double M = (double)(nch * N);
  *mean = s / M;
  *var = s2 / M - (*mean) * (*mean);
  *rho1 = (s11 / (double)(nch * (N - 1))) / (s2 / M);
}

Test(noise, ou_stationary_variance_and_autocorrelation) {
  lam_noise_params p = lam_noise_defaults();
  p.tau = 0.02;
  p.sigma = 3.0;
  p.dt = 0.002; /* a = e^{-0.1} */
  p.nchannels = 8;
  p.seed = 12345;
  lam_noise *n = make(p);
  const double want_var = 0.5 * 9.0 * 0.02; /* sigma^2 tau / 2 = 0.09 */
  cr_assert_float_eq(lam_noise_variance(n), want_var, 1e-15);
  double var, rho, mean;
  const size_t N = 200000;
  stats(n, 8, N, &var, &rho, &mean);
  /* Effective independent samples ~ 8 N (1 - a) / (1 + a) ~ 8e4:
   * relative sd of the variance ~ sqrt(2 / 8e4) = 0.5 %; allow 3 %. */
  cr_assert_lt(fabs(var / want_var - 1.0), 0.03, "variance %g vs %g", var,
               want_var);
  /* sd of rho1 ~ sqrt((1 - a^2) / (8 N)) ~ 4e-4; allow 3e-3. */
  const double a = exp(-0.1);
  cr_assert_lt(fabs(rho - a), 3e-3, "lag-1 autocorrelation %g vs %g", rho, a);
  /* sd of the mean ~ sqrt(var / 8e4) ~ 1e-3; allow 6e-3. */
  cr_assert_lt(fabs(mean), 6e-3, "mean %g", mean);
  lam_noise_free(n);
}

/* x_0 is drawn from the stationary law: the variance over many channels at
 * t = 0 already equals sigma^2 tau / 2 (no warm-up transient). */
Test(noise, stationary_from_t0) {
  lam_noise_params p = lam_noise_defaults();
  p.tau = 0.05;
  p.sigma = 2.0;
  p.nchannels = 20000;
  p.block = 4;
  p.nblocks = 2;
  lam_noise *n = make(p);
  double s2 = 0.0;
  for (size_t c = 0; c < p.nchannels; c++) {
    double x = lam_noise_value(n, c, 0.0);
    s2 += x * x;
  }
  const double want = 0.5 * 4.0 * 0.05;
  /* relative sd sqrt(2 / 2e4) = 1 %; allow 5 %. */
  cr_assert_lt(fabs(s2 / (double)p.nchannels / want - 1.0), 0.05);
  lam_noise_free(n);
}

Test(noise, white_noise) {
  lam_noise_params p = lam_noise_defaults();
  p.tau = 0.0;
  p.sigma = 0.5;
  p.dt = 1e-3;
  p.nchannels = 4;
  lam_noise *n = make(p);
  const double want = 0.25 / 1e-3; /* sigma^2 / dt */
  cr_assert_float_eq(lam_noise_variance(n), want, 1e-12);
  double var, rho, mean;
  stats(n, 4, 100000, &var, &rho, &mean);
  /* 4e5 independent samples: relative sd 0.22 %, rho sd 1.6e-3. */
  cr_assert_lt(fabs(var / want - 1.0), 0.015, "variance %g vs %g", var, want);
  cr_assert_lt(fabs(rho), 0.01, "white noise lag-1 correlation %g", rho);
  lam_noise_free(n);
}

Test(noise, same_seed_same_path) {
  lam_noise_params p = lam_noise_defaults();
  p.nchannels = 3;
  p.seed = 99;
  lam_noise *a = make(p), *b = make(p);
  p.seed = 100;
  lam_noise *c = make(p);
  int differ = 0;
  for (double t = 0.0; t < 5.0; t += 0.00731) {
    for (size_t ch = 0; ch < 3; ch++) {
      double x = lam_noise_value(a, ch, t), y = lam_noise_value(b, ch, t);
      cr_assert(x == y, "t %g ch %zu: %.17g vs %.17g", t, ch, x, y);
      differ += lam_noise_value(c, ch, t) != x;
    }
  }
  cr_assert_gt(differ, 1000, "another seed gives another path");
  /* channels are different processes */
  cr_assert_neq(lam_noise_value(a, 0, 4.0), lam_noise_value(a, 1, 4.0));
  lam_noise_free(a);
  lam_noise_free(b);
  lam_noise_free(c);
}

/* A channel's path depends on (seed, channel, n) only. */
Test(noise, independent_of_channel_count) {
  lam_noise_params p = lam_noise_defaults();
  p.seed = 5;
  p.nchannels = 1;
  lam_noise *one = make(p);
  p.nchannels = 6;
  lam_noise *six = make(p);
  for (size_t k = 0; k < 5000; k++) {
    cr_assert(lam_noise_grid(one, 0, k) == lam_noise_grid(six, 0, k));
  }
  lam_noise_free(one);
  lam_noise_free(six);
}

/* Forward queries vs a CVODE-like pattern (jump ahead, step back within the
 * history, retry): identical values. */
Test(noise, query_order_independent) {
  lam_noise_params p = lam_noise_defaults();
  p.nchannels = 2;
  p.block = 64;
  p.nblocks = 3;
  lam_noise *fwd = make(p), *mix = make(p);
  const size_t M = 4000;
  double *ref = malloc(2 * M * sizeof *ref);
  for (size_t i = 0; i < M; i++) {
    double t = 0.00137 * (double)i;
    ref[2 * i] = lam_noise_value(fwd, 0, t);
    ref[2 * i + 1] = lam_noise_value(fwd, 1, t);
  }
  /* mix: visit in blocks of 40 samples (0.055 s < history 0.127 s),
   * each block backwards, so every query steps back. */
  double hist = lam_noise_history(mix);
  cr_assert_float_eq(hist, (2.0 * 64.0 - 1.0) * 1e-3, 1e-15);
  for (size_t b0 = 0; b0 < M; b0 += 40) {
    size_t b1 = b0 + 40 < M ? b0 + 40 : M;
    for (size_t i = b1; i-- > b0;) {
      double t = 0.00137 * (double)i;
      double out[2];
      cr_assert_eq(lam_noise_eval(mix, t, out, NULL), LAM_OK);
      cr_assert(out[0] == ref[2 * i] && out[1] == ref[2 * i + 1],
                "t %g: query order changed the path", t);
    }
  }
  free(ref);
  lam_noise_free(fwd);
  lam_noise_free(mix);
}

Test(noise, linear_interpolation) {
  lam_noise_params p = lam_noise_defaults();
  p.dt = 0.004;
  lam_noise *n = make(p);
  for (size_t k = 0; k < 50; k++) {
    double x0 = lam_noise_grid(n, 0, k), x1 = lam_noise_grid(n, 0, k + 1);
    double tk = 0.004 * (double)k;
    cr_assert_float_eq(lam_noise_value(n, 0, tk), x0, 1e-12);
    cr_assert_float_eq(lam_noise_value(n, 0, tk + 0.001), 0.75 * x0 + 0.25 * x1,
                       1e-12);
  }
  lam_noise_free(n);
}

/* The kinks are the grid points k dt, each strictly after the time asked,
 * none skipped: walking from 0 meets k dt for k = 1, 2, ... exactly, and
 * the path is linear between two of them (its midpoint is the mean). */
Test(noise, kinks_are_the_grid_points) {
  lam_noise_params p = lam_noise_defaults();
  p.dt = 0.001;
  lam_noise *n = make(p);
  double t = 0.0;
  for (size_t k = 1; k <= 3000; k++) {
    const double next = lam_noise_next_kink(n, t);
    cr_assert(next == (double)k * p.dt, "kink %zu at %.17g, expected %.17g", k, next,
              (double)k * p.dt);
    const double mid = lam_noise_value(n, 0, 0.5 * (t + next));
    cr_assert_float_eq(mid, 0.5 * (lam_noise_value(n, 0, t) + lam_noise_value(n, 0, next)),
                       1e-12);
    t = next;
  }
  cr_assert(lam_noise_next_kink(n, 0.0005) == 0.001);
  cr_assert(lam_noise_next_kink(n, nextafter(0.001, 0.0)) == 0.001);
  cr_assert(lam_noise_next_kink(n, 0.001) == 0.002);
  cr_assert(isinf(lam_noise_next_kink(n, 1e300)));
  lam_noise_free(n);
}

Test(noise, nan_beyond_history) {
  lam_noise_params p = lam_noise_defaults();
  p.block = 100;
  p.nblocks = 3;
  p.dt = 1e-3;
  lam_noise *n = make(p);
  const double h = lam_noise_history(n); /* (2 * 100 - 1) ms */
  const double tl = 2.0;
  cr_assert(isfinite(lam_noise_value(n, 0, tl)));
  cr_assert(isfinite(lam_noise_value(n, 0, tl - h)), "within the history");
  cr_assert(isnan(lam_noise_value(n, 0, tl - h - 0.02)), "beyond the history");
  double out[1] = {7.0};
  lam_err err = {0, ""};
  cr_assert_eq(lam_noise_eval(n, tl - h - 0.02, out, &err), LAM_EINVAL);
  cr_assert(out[0] == 7.0, "out untouched on failure");
  cr_assert(strstr(err.msg, "outside the retained window"), "%s", err.msg);
  cr_assert(isnan(lam_noise_value(n, 0, -1e-3)));
  cr_assert(isnan(lam_noise_value(n, 0, NAN)));
  cr_assert(isnan(lam_noise_value(n, 0, INFINITY)));
  cr_assert(isnan(lam_noise_value(n, 1, tl)), "channel out of range");
  cr_assert(isnan(lam_noise_grid(n, 0, 10)), "grid point fallen out");
  lam_noise_free(n);
}

Test(noise, zero_sigma_is_silent) {
  lam_noise_params p = lam_noise_defaults();
  p.sigma = 0.0;
  lam_noise *n = make(p);
  for (double t = 0.0; t < 3.0; t += 0.0101) {
    cr_assert(lam_noise_value(n, 0, t) == 0.0);
  }
  lam_noise_free(n);
}

Test(noise, bad_parameters) {
  lam_err err = {0, ""};
  lam_noise *n = (lam_noise *)1;
  lam_noise_params p = lam_noise_defaults();
  p.tau = -1.0;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL);
  cr_assert_null(n);
  cr_assert(strstr(err.msg, "noise.tau"), "%s", err.msg);
  p = lam_noise_defaults();
  p.sigma = NAN;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "noise.sigma"), "%s", err.msg);
  p = lam_noise_defaults();
  p.dt = 0.0;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "noise.dt"), "%s", err.msg);
  p = lam_noise_defaults();
  p.nblocks = 1;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL);
  p = lam_noise_defaults();
  p.nchannels = 0;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL);
  p = lam_noise_defaults();
  p.block = (size_t)-1 / 2;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL, "ring size overflow");
  /* 4 blocks of 2^59 doubles: the byte count wraps to 0 */
  p.block = (size_t)-1 / 32 + 1;
  cr_assert_eq(lam_noise_new(&p, &n, &err), LAM_EINVAL, "byte count overflow");
  lam_noise_free(NULL);
}
