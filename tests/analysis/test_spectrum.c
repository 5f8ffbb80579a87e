/* test_spectrum.c: Welch PSD, coherence, bands and the segregation index
 * against properties that hold independently of the code: Parseval (the
 * integral of the one-sided density is the variance), the flat level
 * sigma^2 / (fs/2) of white noise, the coherence of linearly related (1),
 * independent (0) and half-shared (1/2) signals, exact integrals of linear
 * spectra and the vertex of a Gaussian peak. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "lam_spectrum.h"

#define TWO_PI 6.283185307179586

/* splitmix64 and Box-Muller: noise independent of the library's RNGs. */
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

static double variance(const double *x, size_t n) {
  double m = 0.0, v = 0.0;
  for (size_t i = 0; i < n; i++) {
    m += x[i];
  }
  m /= (double)n;
  for (size_t i = 0; i < n; i++) {
    v += (x[i] - m) * (x[i] - m);
  }
  return v / (double)n;
}

/* 2 sin(2 pi 10 t) + sin(2 pi 40 t + 1) + 3 at fs = 1000 Hz, 1 s segments:
 * both lines on bins, so the Hann main lobes (3 bins) stay inside their
 * bands and the powers are A^2 / 2 exactly: 2 and 0.5. */
Test(spectrum, sinusoids_peaks_and_band_powers) {
  const double fs = 1000.0;
  const size_t n = 10000;
  double *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / fs;
    x[i] = 2.0 * sin(TWO_PI * 10.0 * t) + sin(TWO_PI * 40.0 * t + 1.0) + 3.0;
  }
  lam_err err;
  lam_welch *w = lam_welch_new_seconds(1.0, fs, &err);
  cr_assert(w, "%s", err.msg);
  cr_assert_eq(lam_welch_nseg(w), 1000);
  cr_assert_eq(lam_welch_nfreq(w), 501);
  cr_assert_float_eq(lam_welch_df(w), 1.0, 1e-12);
  cr_assert_eq(lam_welch_nsegments(w, n), 19); /* (10000 - 1000) / 500 + 1 */
  size_t nf = lam_welch_nfreq(w);
  double *psd = malloc(nf * sizeof *psd);
  cr_assert_eq(lam_welch_psd(w, x, n, 1, psd, &err), LAM_OK, "%s", err.msg);
  double f;
  cr_assert_eq(lam_band_peak(psd, nf, 1.0, 8.0, 30.0, &f, &err), LAM_OK);
  cr_expect_float_eq(f, 10.0, 1e-9, "alpha/beta peak %g Hz", f);
  cr_assert_eq(lam_band_peak(psd, nf, 1.0, 30.0, 80.0, &f, &err), LAM_OK);
  cr_expect_float_eq(f, 40.0, 1e-9, "gamma peak %g Hz", f);
  double pab, pg, ptot;
  lam_band_power(psd, nf, 1.0, 8.0, 30.0, &pab, &err);
  lam_band_power(psd, nf, 1.0, 30.0, 80.0, &pg, &err);
  lam_band_power(psd, nf, 1.0, 0.0, 500.0, &ptot, &err);
  cr_expect_float_eq(pab, 2.0, 1e-9, "alpha/beta power %.12g", pab);
  cr_expect_float_eq(pg, 0.5, 1e-9, "gamma power %.12g", pg);
  /* Parseval: the mean (3) is removed, the variance is 2 + 0.5. */
  cr_expect_float_eq(ptot, variance(x, n), 1e-9, "total %.12g", ptot);
  cr_expect_float_eq(ptot, 2.5, 1e-9);
  /* A stride picks one column of a row-major array. */
  double *x2 = malloc(2 * n * sizeof *x2), *psd2 = malloc(nf * sizeof *psd2);
  for (size_t i = 0; i < n; i++) {
    x2[2 * i] = 0.0;
    x2[2 * i + 1] = x[i];
  }
  cr_assert_eq(lam_welch_psd(w, x2 + 1, n, 2, psd2, &err), LAM_OK);
  for (size_t k = 0; k < nf; k++) {
    cr_assert_float_eq(psd2[k], psd[k], 1e-12 * (1.0 + psd[k]));
  }
  free(x2);
  free(psd2);
  free(psd);
  free(x);
  lam_welch_free(w);
}

/* A line between bins: the log-parabola vertex lands within 0.1 bin. */
Test(spectrum, off_bin_peak_interpolated) {
  const double fs = 500.0, f0 = 23.37;
  const size_t n = 20000;
  double *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) {
    x[i] = cos(TWO_PI * f0 * (double)i / fs);
  }
  lam_err err;
  lam_welch *w = lam_welch_new(500, fs, &err);
  size_t nf = lam_welch_nfreq(w);
  double *psd = malloc(nf * sizeof *psd), f, tot;
  cr_assert_eq(lam_welch_psd(w, x, n, 1, psd, &err), LAM_OK);
  cr_assert_eq(lam_band_peak(psd, nf, lam_welch_df(w), 8.0, 80.0, &f, &err), LAM_OK);
  cr_expect(fabs(f - f0) < 0.1, "peak %g Hz, expected %g", f, f0);
  /* Parseval holds on average over segments: within 1 % of 1/2. */
  lam_band_power(psd, nf, lam_welch_df(w), 0.0, 250.0, &tot, &err);
  cr_expect(fabs(tot - 0.5) < 0.005, "total power %g, expected 0.5", tot);
  free(psd);
  free(x);
  lam_welch_free(w);
}

/* White noise of variance s^2 has the flat one-sided density s^2 / (fs/2). */
Test(spectrum, white_noise_level) {
  const double fs = 200.0, sd = 1.7;
  const size_t n = 1u << 18, nseg = 256;
  double *x = malloc(n * sizeof *x);
  uint64_t seed = 42;
  for (size_t i = 0; i < n; i++) {
    x[i] = sd * gauss(&seed);
  }
  lam_err err;
  lam_welch *w = lam_welch_new(nseg, fs, &err);
  size_t nf = lam_welch_nfreq(w);
  double *psd = malloc(nf * sizeof *psd);
  cr_assert_eq(lam_welch_psd(w, x, n, 1, psd, &err), LAM_OK);
  const double level = sd * sd / (fs / 2.0);
  /* Bin 1 lies in the Hann main lobe of DC, so removing each segment's
   * mean takes |W_1|^2 / n = n/16 out of sum w^2 = 3n/8: 5/6 of the level. */
  cr_expect(fabs(psd[1] / (level * 5.0 / 6.0) - 1.0) < 0.15, "bin 1: %g", psd[1]);
  /* DC: (sum w^2 - W_0^2 / n) / sum w^2 = 1/3, times the one-sided 1/2. */
  cr_expect(fabs(psd[0] / (level / 6.0) - 1.0) < 0.15, "DC: %g", psd[0]);
  double mean = 0.0;
  for (size_t k = 2; k + 1 < nf; k++) {
    mean += psd[k];
    /* About 2000 half-overlapping segments: a bin scatters ~2.5 %. */
    cr_expect(fabs(psd[k] / level - 1.0) < 0.15, "bin %zu: %g vs %g", k,
              psd[k], level);
  }
  mean /= (double)(nf - 3);
  cr_expect(fabs(mean / level - 1.0) < 0.01, "mean level %g vs %g", mean, level);
  /* DC and Nyquist carry half the one-sided factor: level / 2. */
  cr_expect(fabs(psd[nf - 1] / (0.5 * level) - 1.0) < 0.2);
  double tot;
  lam_band_power(psd, nf, lam_welch_df(w), 0.0, fs / 2.0, &tot, &err);
  cr_expect(fabs(tot / variance(x, n) - 1.0) < 0.01, "total %g vs variance %g",
            tot, variance(x, n));
  free(psd);
  free(x);
  lam_welch_free(w);
}

Test(spectrum, coherence_linear_independent_half) {
  const double fs = 250.0;
  const size_t n = 1u << 16, nseg = 256;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y),
         *z = malloc(n * sizeof *z), *h = malloc(n * sizeof *h);
  uint64_t seed = 7;
  for (size_t i = 0; i < n; i++) {
    x[i] = gauss(&seed);
    z[i] = gauss(&seed);
  }
  /* y = 2 x_t - x_{t-1} + 5: an LTI filter with |gain| >= 1 everywhere;
   * h = x + z, z independent of equal variance: coherence 1/2. */
  for (size_t i = 0; i < n; i++) {
    y[i] = 2.0 * x[i] - (i ? x[i - 1] : 0.0) + 5.0;
    h[i] = x[i] + z[i];
  }
  lam_err err;
  lam_welch *w = lam_welch_new(nseg, fs, &err);
  size_t nf = lam_welch_nfreq(w);
  double *c = malloc(nf * sizeof *c);
  cr_assert_eq(lam_welch_coherence(w, x, 1, y, 1, n, c, &err), LAM_OK, "%s", err.msg);
  for (size_t k = 1; k + 1 < nf; k++) {
    /* Only the one-sample edge of each segment is not shared. */
    cr_expect(c[k] > 0.99 && c[k] <= 1.0, "linear: bin %zu coherence %g", k, c[k]);
  }
  cr_assert_eq(lam_welch_coherence(w, x, 1, z, 1, n, c, &err), LAM_OK);
  double mean = 0.0, mx = 0.0;
  for (size_t k = 1; k + 1 < nf; k++) {
    mean += c[k];
    mx = c[k] > mx ? c[k] : mx;
  }
  mean /= (double)(nf - 2);
  /* About 500 segments: the null coherence is of order 1/500. */
  cr_expect(mean < 0.01, "independent: mean coherence %g", mean);
  cr_expect(mx < 0.05, "independent: max coherence %g", mx);
  cr_assert_eq(lam_welch_coherence(w, x, 1, h, 1, n, c, &err), LAM_OK);
  double cm;
  cr_assert_eq(lam_band_mean(c, nf, lam_welch_df(w), 1.0, 120.0, &cm, &err), LAM_OK);
  cr_expect(fabs(cm - 0.5) < 0.02, "shared half: mean coherence %g", cm);
  free(c);
  free(x);
  free(y);
  free(z);
  free(h);
  lam_welch_free(w);
}

/* psd[k] = 3 + 2 f_k: the trapezoid rule on the linear interpolant is exact,
 * the integral over [a, b] is 3 (b - a) + (b^2 - a^2); bands add up. */
Test(spectrum, band_power_exact_for_linear_spectrum) {
  const double df = 0.5;
  const size_t nf = 201; /* 0 .. 100 Hz */
  double psd[201];
  for (size_t k = 0; k < nf; k++) {
    psd[k] = 3.0 + 2.0 * (double)k * df;
  }
  lam_err err;
  double p, p1, p2;
  cr_assert_eq(lam_band_power(psd, nf, df, 8.13, 29.71, &p, &err), LAM_OK);
  double exact = 3.0 * (29.71 - 8.13) + (29.71 * 29.71 - 8.13 * 8.13);
  cr_expect_float_eq(p, exact, 1e-9 * exact, "%.12g vs %.12g", p, exact);
  lam_band_power(psd, nf, df, 8.0, 30.0, &p, &err);
  lam_band_power(psd, nf, df, 8.0, 17.3, &p1, &err);
  lam_band_power(psd, nf, df, 17.3, 30.0, &p2, &err);
  cr_expect_float_eq(p1 + p2, p, 1e-9 * p);
  /* Errors: inverted band, band past the last bin, too few bins. */
  cr_expect_eq(lam_band_power(psd, nf, df, 30.0, 8.0, &p, &err), LAM_EINVAL);
  cr_expect_eq(lam_band_power(psd, nf, df, 8.0, 120.0, &p, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "120"), "%s", err.msg);
  cr_expect_eq(lam_band_power(psd, 1, df, 0.0, 0.1, &p, &err), LAM_EINVAL);
}

/* A Gaussian line has a parabolic logarithm: the vertex is exact. */
Test(spectrum, peak_vertex_of_gaussian) {
  const double df = 0.25, f0 = 41.13, s = 1.3;
  double psd[401];
  for (size_t k = 0; k < 401; k++) {
    double d = (double)k * df - f0;
    psd[k] = 5.0 * exp(-d * d / (2.0 * s * s));
  }
  lam_err err;
  double f;
  cr_assert_eq(lam_band_peak(psd, 401, df, 30.0, 80.0, &f, &err), LAM_OK);
  cr_expect_float_eq(f, f0, 1e-9, "peak %.12g", f);
  double zero[10] = {0};
  /* No local maximum in a flat (zero) spectrum: no peak. */
  cr_expect_eq(lam_band_peak(zero, 10, 1.0, 1.0, 5.0, &f, &err), LAM_ENOTFOUND);
  cr_expect(isnan(f));
  cr_expect_eq(lam_band_peak(psd, 401, df, 30.1, 30.2, &f, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "no frequency bin"), "%s", err.msg);
  double m;
  cr_expect_eq(lam_band_mean(psd, 401, df, 30.1, 30.2, &m, &err), LAM_EINVAL);
}

Test(spectrum, segregation_index) {
  lam_segregation s;
  lam_err err;
  cr_assert_eq(lam_segregation_index(4.0, 1.0, 2.0, 3.0, &s, &err), LAM_OK);
  cr_expect_float_eq(s.gamma_ratio, 2.0, 1e-15);
  cr_expect_float_eq(s.alphabeta_ratio, 3.0, 1e-15);
  cr_expect_float_eq(s.laminar_ratio, (4.0 / 1.0) / (2.0 / 3.0), 1e-12);
  cr_expect_eq(lam_segregation_index(4.0, 0.0, 2.0, 3.0, &s, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "alphabeta_sup"), "%s", err.msg);
  cr_expect_eq(lam_segregation_index(NAN, 1.0, 2.0, 3.0, &s, &err), LAM_EINVAL);
}

Test(spectrum, bands_table) {
  const lam_band *g = lam_band_find("gamma");
  cr_assert(g);
  cr_expect_float_eq(g->lo_hz, 30.0, 0);
  cr_expect_float_eq(g->hi_hz, 80.0, 0);
  const lam_band *a = lam_band_find("alphabeta");
  cr_assert(a);
  cr_expect_float_eq(a->lo_hz, 8.0, 0);
  cr_expect_float_eq(a->hi_hz, 30.0, 0);
  cr_expect_null(lam_band_find("delta"));
  cr_expect_null(lam_band_find(NULL));
}

/* The text forms that help and tables print say the same edges. */
Test(spectrum, band_texts) {
  cr_expect_str_eq(LAM_BAND_GAMMA_TEXT, "30-80 Hz");
  cr_expect_str_eq(LAM_BAND_ALPHABETA_TEXT, "8-30 Hz");
  cr_expect_str_eq(LAM_BAND_ALPHA_TEXT, "8-12 Hz");
  cr_expect_str_eq(LAM_BAND_GAMMA_SPEC, "30:80");
  cr_expect_str_eq(LAM_BAND_ALPHABETA_SPEC, "8:30");
  cr_expect_float_eq(LAM_BAND_ALPHA_LO_HZ, 8.0, 0);
  cr_expect_float_eq(LAM_BAND_ALPHA_HI_HZ, 12.0, 0);
}

Test(spectrum, errors) {
  lam_err err;
  cr_expect_null(lam_welch_new(1, 100.0, &err));
  cr_expect_eq(err.code, LAM_EINVAL);
  cr_expect_null(lam_welch_new(64, 0.0, &err));
  cr_expect_null(lam_welch_new(64, NAN, &err));
  cr_expect_null(lam_welch_new_seconds(0.001, 100.0, &err));
  cr_expect_null(lam_welch_new_seconds(-1.0, 100.0, &err));
  lam_welch *w = lam_welch_new(64, 100.0, &err);
  double x[100] = {0}, out[33];
  cr_expect_eq(lam_welch_psd(w, x, 63, 1, out, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "64"), "%s", err.msg);
  x[17] = NAN;
  cr_expect_eq(lam_welch_psd(w, x, 100, 1, out, &err), LAM_ENONFINITE);
  cr_expect(strstr(err.msg, "17"), "%s", err.msg);
  cr_expect_eq(lam_welch_coherence(w, x + 50, 1, x, 1, 50, out, &err), LAM_EINVAL);
  x[17] = 0.0;
  cr_expect_eq(lam_welch_coherence(w, x, 1, x, 1, 100, out, &err), LAM_OK);
  for (size_t k = 0; k < 33; k++) {
    cr_expect_float_eq(out[k], 0.0, 0.0); /* zero spectra: coherence 0 */
  }
  cr_expect_eq(lam_welch_psd(w, x, 100, 0, out, &err), LAM_EINVAL);
  cr_expect_eq(lam_welch_psd(w, x, 100, 1, NULL, &err), LAM_EINVAL);
  lam_welch_free(w);
  lam_welch_free(NULL);
}

/* A spectrum rising through the top of a band (log power concave, growing
 * past f_hi): the band's edge is not a peak and no bin inside is a local
 * maximum, so the band has none (it used to report its top bin). */
Test(spectrum, band_peak_stays_inside_the_band) {
  double psd[200];
  const double df = 1.0;
  for (size_t k = 0; k < 200; k++) {
    psd[k] = exp(3.0 * sqrt((double)k)); /* concave rise in log power */
  }
  double f = 0.0;
  lam_err err = {0};
  cr_assert_eq(lam_band_peak(psd, 200, df, 8.0, 30.0, &f, &err), LAM_ENOTFOUND);
  cr_assert(isnan(f), "peak %g Hz", f);
  cr_assert_eq(lam_band_max_at_edge(psd, 200, df, 8.0, 30.0), 1);
}

/* A local maximum inside the band beats larger power at its edges: a
 * 1/f background (largest at 8 Hz) with a small Gaussian line at 20.3 Hz,
 * and a line centred on the top edge (30 Hz) that is not the band's. */
Test(spectrum, band_peak_is_a_local_maximum_inside) {
  double psd[100];
  const double df = 1.0;
  for (size_t k = 0; k < 100; k++) {
    const double fk = (double)k * df, d1 = fk - 20.3, d2 = fk - 30.0;
    psd[k] = 10.0 / (1.0 + fk) + 0.3 * exp(-d1 * d1 / 2.0) + 5.0 * exp(-d2 * d2 / 2.0);
  }
  double f = 0.0;
  lam_err err = {0};
  cr_assert_eq(lam_band_peak(psd, 100, df, 8.0, 30.0, &f, &err), LAM_OK, "%s", err.msg);
  cr_assert(f > 19.5 && f < 21.0, "peak %g Hz, expected near 20.3", f);
  cr_assert_eq(lam_band_max_at_edge(psd, 100, df, 8.0, 30.0), 1);
  /* The line at 30 Hz is the gamma band's edge too: no peak at 30 there. */
  cr_assert_eq(lam_band_peak(psd, 100, df, 30.0, 80.0, &f, &err), LAM_ENOTFOUND);
  /* Inside 25-35 Hz it is a peak, at 30 Hz (the background's slope moves
   * the vertex a little). */
  cr_assert_eq(lam_band_peak(psd, 100, df, 25.0, 35.0, &f, &err), LAM_OK);
  cr_assert_float_eq(f, 30.0, 0.1);
  cr_assert_eq(lam_band_max_at_edge(psd, 100, df, 25.0, 35.0), 0);
}

/* The segment rule: the longest of 1, 1/2, 1/4 s of which 3 half-
 * overlapping segments fit (2 segments' length), else 1/4 s, never above
 * the run; an explicit length wins. */
Test(spectrum, segment_rule) {
  const double fs = 1000.0;
  cr_assert_eq(lam_welch_rule_nseg(10000, fs, 0.0), 1000);
  cr_assert_eq(lam_welch_rule_nseg(2000, fs, 0.0), 1000);
  cr_assert_eq(lam_welch_rule_nseg(1999, fs, 0.0), 500);
  cr_assert_eq(lam_welch_rule_nseg(1000, fs, 0.0), 500);
  cr_assert_eq(lam_welch_rule_nseg(999, fs, 0.0), 250);
  cr_assert_eq(lam_welch_rule_nseg(301, fs, 0.0), 250);
  cr_assert_eq(lam_welch_rule_nseg(200, fs, 0.0), 200);
  cr_assert_eq(lam_welch_rule_nseg(10000, fs, 2.0), 2000);
  cr_assert_eq(lam_welch_rule_nseg(10000, fs, 20.0), 10000);
  lam_err err;
  lam_welch *w = lam_welch_for(4500, fs, 0.0, &err);
  cr_assert(w, "%s", err.msg);
  cr_assert_eq(lam_welch_nsegments(w, 4500), LAM_WELCH_MIN_SEGMENTS);
  cr_assert_eq(lam_welch_nsegments(w, 4499), LAM_WELCH_MIN_SEGMENTS - 1);
  lam_welch_free(w);
}
