/* test_pac.c: analytic signal, band-pass and the Tort modulation index.
 *
 * The analytic signal of cos(w t + p) is exp(i (w t + p)) exactly when the
 * window holds whole periods; a band-pass keeps the lines inside the band
 * and removes the others. The Tort MI [S34] is 0 for an amplitude that does
 * not depend on phase, and for A(phi) = 1 + m cos(phi) sampled densely it
 * is the KL divergence of the bin distribution P_j = <A>_j / sum <A> from
 * the uniform one divided by log N, with <A>_j = 1 + m (sin b_j - sin a_j)
 * / (b_j - a_j) on bin [a_j, b_j): computed here from that closed form. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "lam_pac.h"

#define PI 3.141592653589793
#define TWO_PI 6.283185307179586

/* Expected MI of A(phi) = 1 + m cos(phi) over N equal bins on [-pi, pi). */
static double mi_closed_form(double m, size_t N) {
  double dphi = TWO_PI / (double)N, sum = 0.0, P[64];
  for (size_t j = 0; j < N; j++) {
    double a = -PI + dphi * (double)j, b = a + dphi;
    P[j] = 1.0 + m * (sin(b) - sin(a)) / dphi;
    sum += P[j];
  }
  double kl = 0.0;
  for (size_t j = 0; j < N; j++) {
    double p = P[j] / sum;
    kl += p * log(p * (double)N);
  }
  return kl / log((double)N);
}

static double wrap(double a) { return atan2(sin(a), cos(a)); }

Test(pac, uniform_amplitude_gives_zero) {
  const size_t n = 18 * 50;
  double *ph = malloc(n * sizeof *ph), *amp = malloc(n * sizeof *amp);
  for (size_t i = 0; i < n; i++) {
    ph[i] = 3.0 * TWO_PI * ((double)i + 0.5) / (double)n; /* any branch */
    amp[i] = 2.5;
  }
  double mi, P[LAM_PAC_NBINS];
  lam_err err;
  cr_assert_eq(lam_pac_mi(ph, amp, n, LAM_PAC_NBINS, &mi, P, &err), LAM_OK, "%s", err.msg);
  cr_expect(fabs(mi) < 1e-12, "MI %g", mi);
  for (size_t j = 0; j < LAM_PAC_NBINS; j++) {
    cr_expect_float_eq(P[j], 1.0 / 18.0, 1e-12);
  }
  free(ph);
  free(amp);
}

/* Dense phases (100 midpoints per 20-degree bin): the midpoint rule makes the
 * bin means match the closed form to ~1e-5. */
Test(pac, known_modulation_matches_kl_closed_form) {
  const double ms[] = {0.1, 0.5, 0.9};
  const size_t per_bin = 100, n = LAM_PAC_NBINS * per_bin;
  double *ph = malloc(n * sizeof *ph), *amp = malloc(n * sizeof *amp);
  for (size_t q = 0; q < 3; q++) {
    for (size_t i = 0; i < n; i++) {
      ph[i] = -PI + TWO_PI * ((double)i + 0.5) / (double)n;
      amp[i] = 1.0 + ms[q] * cos(ph[i]);
    }
    double mi;
    lam_err err;
    cr_assert_eq(lam_pac_mi(ph, amp, n, LAM_PAC_NBINS, &mi, NULL, &err), LAM_OK);
    double want = mi_closed_form(ms[q], LAM_PAC_NBINS);
    cr_expect(fabs(mi / want - 1.0) < 1e-3, "m = %g: MI %.8g, closed form %.8g",
              ms[q], mi, want);
    /* Small m: KL ~ m^2 / 4 (second order), so MI / m^2 ~ 1 / (4 log 18). */
    if (ms[q] == 0.1) {
      cr_expect(fabs(mi / (0.01 / (4.0 * log(18.0))) - 1.0) < 0.05, "MI %g", mi);
    }
  }
  free(ph);
  free(amp);
}

/* Whole periods in the window: the analytic signal is exact. */
Test(pac, analytic_signal_of_cosine) {
  const double fs = 1000.0, f = 12.0, p0 = 0.3;
  const size_t n = 1000;
  double *x = malloc(n * sizeof *x), *z = malloc(2 * n * sizeof *z),
         *a = malloc(n * sizeof *a), *ph = malloc(n * sizeof *ph);
  for (size_t i = 0; i < n; i++) {
    x[i] = 1.5 * cos(TWO_PI * f * (double)i / fs + p0);
  }
  lam_err err;
  lam_hilbert *h = lam_hilbert_new(n, fs, LAM_BANDPASS_TAPER_HZ, &err);
  cr_assert(h, "%s", err.msg);
  cr_assert_eq(lam_hilbert_n(h), n);
  cr_assert_eq(lam_hilbert_analytic(h, x, 1, z, &err), LAM_OK);
  cr_assert_eq(lam_hilbert_amp_phase(h, x, 1, a, ph, &err), LAM_OK);
  for (size_t i = 0; i < n; i++) {
    double w = TWO_PI * f * (double)i / fs + p0;
    cr_assert_float_eq(z[2 * i], 1.5 * cos(w), 1e-10);
    cr_assert_float_eq(z[2 * i + 1], 1.5 * sin(w), 1e-10);
    cr_assert_float_eq(a[i], 1.5, 1e-10);
    cr_assert(fabs(wrap(ph[i] - w)) < 1e-10, "phase %zu", i);
  }
  lam_hilbert_free(h);
  free(x);
  free(z);
  free(a);
  free(ph);
}

Test(pac, bandpass_keeps_band_removes_rest) {
  const double fs = 1000.0;
  const size_t n = 2000;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / fs;
    x[i] = sin(TWO_PI * 10.0 * t) + 0.7 * sin(TWO_PI * 40.0 * t) + 2.0;
  }
  lam_err err;
  lam_hilbert *h = lam_hilbert_new(n, fs, LAM_BANDPASS_TAPER_HZ, &err);
  cr_assert_eq(lam_hilbert_bandpass(h, x, 1, 30.0, 80.0, y, &err), LAM_OK);
  for (size_t i = 0; i < n; i++) {
    cr_assert_float_eq(y[i], 0.7 * sin(TWO_PI * 40.0 * (double)i / fs), 1e-10);
  }
  cr_assert_eq(lam_hilbert_bandpass(h, x, 1, 8.0, 12.0, y, &err), LAM_OK);
  for (size_t i = 0; i < n; i++) {
    cr_assert_float_eq(y[i], sin(TWO_PI * 10.0 * (double)i / fs), 1e-10);
  }
  /* A line inside the taper is scaled by the raised cosine: 40 Hz at 0.5 Hz
   * beyond the upper edge 39.5 Hz of a 1 Hz taper gets 0.5 (1 + cos(pi/2)). */
  cr_assert_eq(lam_hilbert_bandpass(h, x, 1, 30.0, 39.5, y, &err), LAM_OK);
  for (size_t i = 0; i < n; i++) {
    cr_assert_float_eq(y[i], 0.35 * sin(TWO_PI * 40.0 * (double)i / fs), 1e-10);
  }
  cr_expect_eq(lam_hilbert_bandpass(h, x, 1, 30.0, 600.0, y, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "fs/2"), "%s", err.msg);
  cr_expect_eq(lam_hilbert_bandpass(h, x, 1, 30.0, 20.0, y, &err), LAM_EINVAL);
  lam_hilbert_free(h);
  free(x);
  free(y);
}

/* The whole pipeline on an amplitude-modulated carrier: phase from a 10 Hz
 * rhythm, the 50 Hz carrier's envelope 1 + m cos(phase) (sidebands 40 and
 * 60 Hz, inside the gamma band). fs = 3600 Hz puts 20 phase samples at the
 * centres of 1-degree steps in every bin. */
Test(pac, pipeline_on_am_signal) {
  const double fs = 3600.0, m = 0.6, d = PI / 360.0; /* half a degree */
  const size_t n = 3600;
  double *xp = malloc(n * sizeof *xp), *xa = malloc(n * sizeof *xa),
         *ph = malloc(n * sizeof *ph), *amp = malloc(n * sizeof *amp);
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / fs, phi = TWO_PI * 10.0 * t + d;
    xp[i] = cos(phi);
    xa[i] = (1.0 + m * cos(phi)) * cos(TWO_PI * 50.0 * t) + 0.3 * cos(phi);
  }
  lam_err err;
  lam_hilbert *h = lam_hilbert_new(n, fs, LAM_BANDPASS_TAPER_HZ, &err);
  lam_pac_bands b = lam_pac_bands_default();
  cr_expect_float_eq(b.phase_lo_hz, 8.0, 0);
  cr_expect_float_eq(b.amp_hi_hz, 80.0, 0);
  cr_assert_eq(lam_pac_signals(h, xp, 1, xa, 1, &b, ph, amp, &err), LAM_OK, "%s", err.msg);
  for (size_t i = 0; i < n; i++) {
    double phi = TWO_PI * 10.0 * (double)i / fs + d;
    cr_assert_float_eq(amp[i], 1.0 + m * cos(phi), 1e-9);
    cr_assert(fabs(wrap(ph[i] - phi)) < 1e-9);
  }
  double mi;
  cr_assert_eq(lam_pac_mi(ph, amp, n, LAM_PAC_NBINS, &mi, NULL, &err), LAM_OK);
  double want = mi_closed_form(m, LAM_PAC_NBINS);
  cr_expect(fabs(mi / want - 1.0) < 1e-3, "MI %.8g vs %.8g", mi, want);

  /* No coupling: the amplitude of an unrelated 7 Hz-modulated carrier. */
  for (size_t i = 0; i < n; i++) {
    amp[i] = 1.0 + m * cos(TWO_PI * 7.0 * (double)i / fs);
  }
  cr_assert_eq(lam_pac_mi(ph, amp, n, LAM_PAC_NBINS, &mi, NULL, &err), LAM_OK);
  cr_expect(mi < 0.01 * want, "MI of unrelated modulation %g (coupled: %g)", mi, want);
  lam_hilbert_free(h);
  free(xp);
  free(xa);
  free(ph);
  free(amp);
}

/* Surrogates need a phase that decorrelates: a 10 Hz rhythm with phase
 * diffusion (variance 0.04 rad^2 per sample, ~8 rad^2 at the minimum lag).
 * Coupled amplitude: far above every shifted copy; uncoupled: not. */
Test(pac, surrogates) {
  const size_t n = 20000;
  double *ph = malloc(n * sizeof *ph), *amp = malloc(n * sizeof *amp),
         *amp0 = malloc(n * sizeof *amp0);
  uint64_t s = 11;
  double phi = 0.0;
  for (size_t i = 0; i < n; i++) {
    ph[i] = phi;
    amp[i] = 1.0 + 0.5 * cos(phi);
    amp0[i] = 1.0 + 0.5 * cos(0.001 * (double)i); /* slow, unrelated */
    /* splitmix64 + Box-Muller */
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL), z2;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    z2 = (s += 0x9E3779B97F4A7C15ULL);
    z2 = (z2 ^ (z2 >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z2 = (z2 ^ (z2 >> 27)) * 0x94D049BB133111EBULL;
    z2 ^= z2 >> 31;
    double u = ((double)(z >> 11) + 0.5) / 9007199254740992.0;
    double v = ((double)(z2 >> 11) + 0.5) / 9007199254740992.0;
    phi += TWO_PI * 10.0 / 1000.0 + 0.2 * sqrt(-2.0 * log(u)) * cos(TWO_PI * v);
  }
  lam_err err;
  lam_pac_stats st;
  cr_assert_eq(lam_pac_surrogate(ph, amp, n, LAM_PAC_NBINS, 100, 200, 3, &st, &err),
               LAM_OK, "%s", err.msg);
  double mi;
  lam_pac_mi(ph, amp, n, LAM_PAC_NBINS, &mi, NULL, &err);
  cr_expect_float_eq(st.mi, mi, 1e-15);
  cr_expect_eq(st.nsurr, 100);
  cr_expect_float_eq(st.p, 1.0 / 101.0, 1e-12, "p %g", st.p);
  cr_expect(st.z > 10.0, "z %g", st.z);
  cr_expect(st.mean < 0.1 * mi, "surrogate mean %g vs MI %g", st.mean, mi);
  cr_assert_eq(lam_pac_surrogate(ph, amp0, n, LAM_PAC_NBINS, 100, 200, 3, &st, &err),
               LAM_OK);
  cr_expect(st.p > 0.01, "uncoupled: p %g, z %g", st.p, st.z);
  free(ph);
  free(amp);
  free(amp0);
}

Test(pac, errors) {
  lam_err err;
  cr_expect_null(lam_hilbert_new(1, 100.0, 1.0, &err));
  cr_expect_null(lam_hilbert_new(10, -1.0, 1.0, &err));
  cr_expect_null(lam_hilbert_new(10, 100.0, -1.0, &err)); /* taper */
  double ph[40], amp[40];
  for (size_t i = 0; i < 40; i++) {
    ph[i] = 0.1; /* never cycles */
    amp[i] = 1.0;
  }
  double mi;
  cr_expect_eq(lam_pac_mi(ph, amp, 40, 18, &mi, NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "empty"), "%s", err.msg);
  for (size_t i = 0; i < 40; i++) {
    ph[i] = -PI + TWO_PI * ((double)i + 0.5) / 40.0;
  }
  cr_expect_eq(lam_pac_mi(ph, amp, 40, 1, &mi, NULL, &err), LAM_EINVAL);
  cr_expect_eq(lam_pac_mi(ph, amp, 10, 18, &mi, NULL, &err), LAM_EINVAL);
  amp[5] = -1.0;
  cr_expect_eq(lam_pac_mi(ph, amp, 40, 18, &mi, NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "amplitude 5"), "%s", err.msg);
  amp[5] = NAN;
  cr_expect_eq(lam_pac_mi(ph, amp, 40, 18, &mi, NULL, &err), LAM_ENONFINITE);
  for (size_t i = 0; i < 40; i++) {
    amp[i] = 0.0;
  }
  cr_expect_eq(lam_pac_mi(ph, amp, 40, 4, &mi, NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "zero"), "%s", err.msg);
  amp[0] = 1.0;
  lam_pac_stats st;
  cr_expect_eq(lam_pac_surrogate(ph, amp, 40, 4, 1, 5, 1, &st, &err), LAM_EINVAL);
  cr_expect_eq(lam_pac_surrogate(ph, amp, 40, 4, 10, 20, 1, &st, &err), LAM_EINVAL);
  lam_hilbert_free(NULL);
}
