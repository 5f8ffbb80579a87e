/* test_granger.c: spectral Granger causality of a bivariate VAR(1) with
 * known coefficients against Geweke's closed form.
 *
 *   x_t = a x_{t-1} + e_x,   y_t = b y_{t-1} + c x_{t-1} + e_y,
 *   e_x, e_y independent with variances sx^2, sy^2.
 * With z = exp(-i w), H = A(w)^{-1}, A = [[1 - a z, 0], [-c z, 1 - b z]]:
 *   H_xy = 0, so f_{y->x}(w) = 0, and
 *   S_yy = sx^2 |H_yx|^2 + sy^2 |H_yy|^2, intrinsic part sy^2 |H_yy|^2, so
 *   f_{x->y}(w) = ln(1 + c^2 sx^2 / (sy^2 |1 - a z|^2))
 * (Geweke 1982; Ding, Chen & Bressler 2006, eq. for the bivariate case). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lam_granger.h"

#define TWO_PI 6.283185307179586

static double uni(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(uint64_t *s) {
  double u = uni(s), v = uni(s);
  return sqrt(-2.0 * log(u)) * cos(TWO_PI * v);
}

static const double A = 0.8, B = 0.4, C = 0.5, SX = 1.0, SY = 0.7, FS = 200.0;

static double closed_x_to_y(double f) {
  double w = TWO_PI * f / FS;
  double re = 1.0 - A * cos(w), im = A * sin(w);
  return log(1.0 + C * C * SX * SX / (SY * SY * (re * re + im * im)));
}

/* Samples x 2, row-major, after a burn-in. */
static double *simulate(size_t n, uint64_t seed) {
  double *d = malloc(2 * n * sizeof *d), x = 0.0, y = 0.0;
  for (size_t t = 0; t < n + 500; t++) {
    double xn = A * x + SX * gauss(&seed);
    double yn = B * y + C * x + SY * gauss(&seed);
    x = xn;
    y = yn;
    if (t >= 500) {
      d[2 * (t - 500)] = x + 3.0; /* offsets: the intercept absorbs them */
      d[2 * (t - 500) + 1] = y - 1.0;
    }
  }
  return d;
}

Test(granger, var1_matches_geweke_closed_form) {
  const size_t n = 40000;
  double *d = simulate(n, 5);
  lam_err err;
  lam_granger *g = lam_granger_new(d, 2, d + 1, 2, n, FS, 8, LAM_GRANGER_BIC, &err);
  cr_assert(g, "%s", err.msg);
  cr_expect_eq(lam_granger_order(g), 1, "BIC order %zu", lam_granger_order(g));
  /* Coefficients within ~5 standard errors (1/sqrt(n) scale). */
  cr_expect(fabs(lam_granger_coef(g, 1, 0, 0) - A) < 0.02);
  cr_expect(fabs(lam_granger_coef(g, 1, 0, 1)) < 0.02);
  cr_expect(fabs(lam_granger_coef(g, 1, 1, 0) - C) < 0.02);
  cr_expect(fabs(lam_granger_coef(g, 1, 1, 1) - B) < 0.02);
  cr_expect(isnan(lam_granger_coef(g, 2, 0, 0)));
  cr_expect(fabs(lam_granger_noise_cov(g, 0, 0) - SX * SX) < 0.03);
  cr_expect(fabs(lam_granger_noise_cov(g, 1, 1) - SY * SY) < 0.02);
  cr_expect(fabs(lam_granger_noise_cov(g, 0, 1)) < 0.02);
  /* BIC is lowest at the true order among those tried. */
  for (size_t p = 2; p <= 8; p++) {
    cr_expect(lam_granger_ic(g, p) > lam_granger_ic(g, 1));
  }
  cr_expect(isnan(lam_granger_ic(g, 9)));
  for (double f = 0.0; f <= 100.0; f += 12.5) {
    double xy, yx;
    cr_assert_eq(lam_granger_spectrum(g, f, &xy, &yx, &err), LAM_OK);
    double want = closed_x_to_y(f);
    cr_expect(fabs(xy - want) < 0.03 + 0.03 * want, "f = %g Hz: x->y %g, closed form %g",
              f, xy, want);
    cr_expect(fabs(yx) < 0.01, "f = %g Hz: y->x %g, expected 0", f, yx);
  }
  /* Band mean against a fine trapezoid of the closed form. */
  double xy, yx, ref = 0.0;
  const int K = 4000;
  for (int q = 0; q <= K; q++) {
    double w = (q == 0 || q == K) ? 0.5 : 1.0;
    ref += w * closed_x_to_y(8.0 + 22.0 * q / K);
  }
  ref /= K;
  cr_assert_eq(lam_granger_band(g, 8.0, 30.0, &xy, &yx, &err), LAM_OK);
  cr_expect(fabs(xy - ref) < 0.03 + 0.03 * ref, "band x->y %g vs %g", xy, ref);
  cr_expect(fabs(yx) < 0.01, "band y->x %g", yx);
  lam_granger_free(g);

  /* Swapping the channels swaps the directions. */
  g = lam_granger_new(d + 1, 2, d, 2, n, FS, 1, LAM_GRANGER_FIXED, &err);
  cr_assert(g, "%s", err.msg);
  cr_expect(isnan(lam_granger_ic(g, 1)));
  cr_assert_eq(lam_granger_spectrum(g, 10.0, &xy, &yx, &err), LAM_OK);
  cr_expect(fabs(yx - closed_x_to_y(10.0)) < 0.03 + 0.03 * closed_x_to_y(10.0));
  cr_expect(fabs(xy) < 0.01);
  lam_granger_free(g);
  free(d);
}

/* Two independent AR(1) series: no influence either way (AIC may pick a
 * larger order; the spectra must stay ~0). */
Test(granger, independent_series_give_zero) {
  const size_t n = 20000;
  double *d = malloc(2 * n * sizeof *d), x = 0.0, y = 0.0;
  uint64_t s = 9;
  for (size_t t = 0; t < n; t++) {
    x = 0.6 * x + gauss(&s);
    y = -0.3 * y + gauss(&s);
    d[2 * t] = x;
    d[2 * t + 1] = y;
  }
  lam_err err;
  lam_granger *g = lam_granger_new(d, 2, d + 1, 2, n, FS, 5, LAM_GRANGER_AIC, &err);
  cr_assert(g, "%s", err.msg);
  double xy, yx;
  cr_assert_eq(lam_granger_band(g, 0.0, 100.0, &xy, &yx, &err), LAM_OK);
  cr_expect(xy >= 0.0 && xy < 0.005, "x->y %g", xy);
  cr_expect(yx >= 0.0 && yx < 0.005, "y->x %g", yx);
  lam_granger_free(g);
  free(d);
}

Test(granger, errors) {
  double x[50], y[50];
  for (int i = 0; i < 50; i++) {
    x[i] = sin(0.3 * i) + 0.1 * cos(1.7 * i * i);
    y[i] = cos(0.5 * i);
  }
  lam_err err;
  cr_expect_null(lam_granger_new(x, 1, y, 1, 50, FS, 0, LAM_GRANGER_AIC, &err));
  cr_expect(strstr(err.msg, "order"), "%s", err.msg);
  cr_expect_null(lam_granger_new(x, 1, y, 1, 50, 0.0, 2, LAM_GRANGER_AIC, &err));
  cr_expect_null(lam_granger_new(x, 1, y, 1, 50, FS, 2, 7, &err));
  cr_expect_null(lam_granger_new(x, 1, y, 1, 10, FS, 3, LAM_GRANGER_AIC, &err));
  cr_expect(strstr(err.msg, "samples"), "%s", err.msg);
  /* y a copy of x: the residual covariance is singular. */
  cr_expect_null(lam_granger_new(x, 1, x, 1, 50, FS, 2, LAM_GRANGER_FIXED, &err));
  cr_expect(strstr(err.msg, "singular"), "%s", err.msg);
  y[20] = NAN;
  cr_expect_null(lam_granger_new(x, 1, y, 1, 50, FS, 2, LAM_GRANGER_AIC, &err));
  cr_expect_eq(err.code, LAM_ENONFINITE);
  y[20] = 0.0;
  lam_granger *g = lam_granger_new(x, 1, y, 1, 50, FS, 2, LAM_GRANGER_FIXED, &err);
  cr_assert(g, "%s", err.msg);
  double a, b;
  cr_expect_eq(lam_granger_spectrum(g, 150.0, &a, &b, &err), LAM_EINVAL);
  cr_expect_eq(lam_granger_band(g, 30.0, 8.0, &a, &b, &err), LAM_EINVAL);
  lam_granger_free(g);
  lam_granger_free(NULL);
}
