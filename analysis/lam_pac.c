/* lam_pac.c: analytic signal and band-pass on GSL's mixed-radix complex
 * FFT, and the Tort modulation index with its circular-shift surrogates.
 *
 * Band-pass and Hilbert are both multiplications of the spectrum by a mask,
 * so lam_hilbert_band does them with one forward and one inverse FFT.
 * Definitions in lam_pac.h and docs/analysis.md; MI after [S34].
 */
#include "lam_pac.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_complex.h>
#include <gsl/gsl_math.h> /* M_PI */
#include <gsl/gsl_rng.h>

struct lam_hilbert {
  size_t n;
  double fs, taper_hz;
  double *buf; /* 2n: interleaved complex */
  gsl_fft_complex_wavetable *wt;
  gsl_fft_complex_workspace *ws;
};

void lam_hilbert_free(lam_hilbert *h) {
  if (!h) {
    return;
  }
  gsl_fft_complex_wavetable_free(h->wt);
  gsl_fft_complex_workspace_free(h->ws);
  free(h->buf);
  free(h);
}

lam_hilbert *lam_hilbert_new(size_t n, double fs, double taper_hz,
                             lam_err *err) {
  if (n < 2) {
    lam_err_set(err, LAM_EINVAL, "hilbert: length: expected >= 2, found %zu", n);
    return NULL;
  }
  if (!(isfinite(fs) && fs > 0.0)) {
    lam_err_set(err, LAM_EINVAL,
                "hilbert: sampling rate: expected a finite value > 0 Hz, found %g",
                fs);
    return NULL;
  }
  if (!(isfinite(taper_hz) && taper_hz >= 0.0)) {
    lam_err_set(err, LAM_EINVAL,
                "hilbert: taper: expected a finite width >= 0 Hz, found %g",
                taper_hz);
    return NULL;
  }
  lam_hilbert *h = calloc(1, sizeof *h);
  if (!h) {
    LAM_NOMEM(err);
    return NULL;
  }
  h->n = n;
  h->fs = fs;
  h->taper_hz = taper_hz;
  h->buf = malloc(2 * n * sizeof *h->buf);
  h->wt = gsl_fft_complex_wavetable_alloc(n);
  h->ws = gsl_fft_complex_workspace_alloc(n);
  if (!h->buf || !h->wt || !h->ws) {
    lam_hilbert_free(h);
    LAM_NOMEM(err);
    return NULL;
  }
  return h;
}

size_t lam_hilbert_n(const lam_hilbert *h) { return h->n; }

/* Load x into the buffer and transform it forward. */
static int load_fft(lam_hilbert *h, const double *x, size_t stride,
                    lam_err *err) {
  if (!x || stride < 1) {
    return lam_err_set(err, LAM_EINVAL, "hilbert: NULL series or zero stride");
  }
  for (size_t i = 0; i < h->n; i++) {
    double v = x[i * stride];
    if (!isfinite(v)) {
      return lam_err_set(err, LAM_ENONFINITE,
                         "hilbert: sample %zu is not finite", i);
    }
    h->buf[2 * i] = v;
    h->buf[2 * i + 1] = 0.0;
  }
  int rc = gsl_fft_complex_forward(h->buf, 1, h->n, h->wt, h->ws);
  return rc == GSL_SUCCESS ? LAM_OK : LAM_INTERNAL(err, gsl_strerror(rc));
}

static int inverse(lam_hilbert *h, lam_err *err) {
  int rc = gsl_fft_complex_inverse(h->buf, 1, h->n, h->wt, h->ws);
  return rc == GSL_SUCCESS ? LAM_OK : LAM_INTERNAL(err, gsl_strerror(rc));
}

/* Analytic-signal weight of bin k: 1 at DC and Nyquist, 2 for positive
 * frequencies, 0 for negative ones. */
static double analytic_weight(size_t n, size_t k) {
  if (k == 0 || 2 * k == n) {
    return 1.0;
  }
  return 2 * k < n ? 2.0 : 0.0;
}

/* Band-pass gain at |f|: 1 on [lo, hi], raised-cosine tapers of width t
 * outside the edges (G(lo - t) = G(hi + t) = 0), 0 elsewhere. */
static double band_gain(double f, double lo, double hi, double t) {
  if (f >= lo && f <= hi) {
    return 1.0;
  }
  if (t > 0.0 && f < lo && f > lo - t) {
    return 0.5 * (1.0 + cos(M_PI * (lo - f) / t));
  }
  if (t > 0.0 && f > hi && f < hi + t) {
    return 0.5 * (1.0 + cos(M_PI * (f - hi) / t));
  }
  return 0.0;
}

/* |frequency| of FFT bin k in Hz. */
static double bin_hz(const lam_hilbert *h, size_t k) {
  size_t kk = 2 * k <= h->n ? k : h->n - k;
  return (double)kk * h->fs / (double)h->n;
}

static int check_band(const lam_hilbert *h, double lo, double hi,
                      lam_err *err) {
  if (!(isfinite(lo) && isfinite(hi) && lo >= 0.0 && lo < hi &&
        hi <= 0.5 * h->fs)) {
    return lam_err_set(err, LAM_EINVAL,
                       "band-pass: expected 0 <= f_lo < f_hi <= fs/2 = %g Hz, "
                       "found [%g, %g] Hz",
                       0.5 * h->fs, lo, hi);
  }
  return LAM_OK;
}

static void amp_phase_out(const lam_hilbert *h, double *amp, double *phase) {
  for (size_t i = 0; i < h->n; i++) {
    double re = h->buf[2 * i], im = h->buf[2 * i + 1];
    if (amp) {
      amp[i] = hypot(re, im);
    }
    if (phase) {
      phase[i] = atan2(im, re);
    }
  }
}

int lam_hilbert_analytic(lam_hilbert *h, const double *x, size_t stride,
                         double *z_out, lam_err *err) {
  if (!z_out) {
    return lam_err_set(err, LAM_EINVAL, "hilbert: NULL output");
  }
  int rc = load_fft(h, x, stride, err);
  if (rc != LAM_OK) {
    return rc;
  }
  for (size_t k = 0; k < h->n; k++) {
    double g = analytic_weight(h->n, k);
    h->buf[2 * k] *= g;
    h->buf[2 * k + 1] *= g;
  }
  rc = inverse(h, err);
  if (rc == LAM_OK) {
    memcpy(z_out, h->buf, 2 * h->n * sizeof *z_out);
  }
  return rc;
}

int lam_hilbert_amp_phase(lam_hilbert *h, const double *x, size_t stride,
                          double *amp, double *phase, lam_err *err) {
  int rc = load_fft(h, x, stride, err);
  if (rc != LAM_OK) {
    return rc;
  }
  for (size_t k = 0; k < h->n; k++) {
    double g = analytic_weight(h->n, k);
    h->buf[2 * k] *= g;
    h->buf[2 * k + 1] *= g;
  }
  rc = inverse(h, err);
  if (rc == LAM_OK) {
    amp_phase_out(h, amp, phase);
  }
  return rc;
}

int lam_hilbert_bandpass(lam_hilbert *h, const double *x, size_t stride,
                         double f_lo, double f_hi, double *y, lam_err *err) {
  if (!y) {
    return lam_err_set(err, LAM_EINVAL, "band-pass: NULL output");
  }
  int rc = check_band(h, f_lo, f_hi, err);
  if (rc == LAM_OK) {
    rc = load_fft(h, x, stride, err);
  }
  if (rc != LAM_OK) {
    return rc;
  }
  for (size_t k = 0; k < h->n; k++) {
    double g = band_gain(bin_hz(h, k), f_lo, f_hi, h->taper_hz);
    h->buf[2 * k] *= g;
    h->buf[2 * k + 1] *= g;
  }
  rc = inverse(h, err);
  if (rc == LAM_OK) {
    /* G is even, so the result is real up to rounding. */
    for (size_t i = 0; i < h->n; i++) {
      y[i] = h->buf[2 * i];
    }
  }
  return rc;
}

int lam_hilbert_band(lam_hilbert *h, const double *x, size_t stride,
                     double f_lo, double f_hi, double *amp, double *phase,
                     lam_err *err) {
  int rc = check_band(h, f_lo, f_hi, err);
  if (rc == LAM_OK) {
    rc = load_fft(h, x, stride, err);
  }
  if (rc != LAM_OK) {
    return rc;
  }
  for (size_t k = 0; k < h->n; k++) {
    double g = analytic_weight(h->n, k) *
               band_gain(bin_hz(h, k), f_lo, f_hi, h->taper_hz);
    h->buf[2 * k] *= g;
    h->buf[2 * k + 1] *= g;
  }
  rc = inverse(h, err);
  if (rc == LAM_OK) {
    amp_phase_out(h, amp, phase);
  }
  return rc;
}

/* ---- Modulation index [S34] ---- */

/* Bin of a phase (any branch) among nbins equal bins on [-pi, pi). */
static size_t phase_bin(double ph, size_t nbins) {
  double u = (ph + M_PI) / (2.0 * M_PI);
  u -= floor(u); /* wrap into [0, 1) */
  size_t j = (size_t)(u * (double)nbins);
  return j >= nbins ? nbins - 1 : j;
}

static int check_pac(const double *phase, const double *amp, size_t n,
                     size_t nbins, lam_err *err) {
  if (!phase || !amp) {
    return lam_err_set(err, LAM_EINVAL, "pac: NULL series");
  }
  if (nbins < 2) {
    return lam_err_set(err, LAM_EINVAL,
                       "pac: phase bins: expected >= 2, found %zu", nbins);
  }
  if (n < nbins) {
    return lam_err_set(err, LAM_EINVAL,
                       "pac: expected at least %zu samples (one per bin), found %zu",
                       nbins, n);
  }
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(phase[i]) || !isfinite(amp[i])) {
      return lam_err_set(err, LAM_ENONFINITE, "pac: sample %zu is not finite", i);
    }
    if (amp[i] < 0.0) {
      return lam_err_set(err, LAM_EINVAL,
                         "pac: amplitude %zu: expected >= 0, found %g", i, amp[i]);
    }
  }
  return LAM_OK;
}

/* MI of amp shifted by lag against phase; bins[i] holds phase bins, count
 * the samples per bin, sum scratch of nbins. */
static int mi_lag(const size_t *bins, const size_t *count, const double *amp,
                  size_t n, size_t nbins, size_t lag, double *sum, double *mi,
                  double *p_out, lam_err *err) {
  memset(sum, 0, nbins * sizeof *sum);
  for (size_t i = 0; i < n; i++) {
    size_t s = i + lag;
    sum[bins[i]] += amp[s < n ? s : s - n];
  }
  double tot = 0.0;
  for (size_t j = 0; j < nbins; j++) {
    sum[j] /= (double)count[j]; /* mean amplitude <A>_j */
    tot += sum[j];
  }
  if (!(tot > 0.0)) {
    return lam_err_set(err, LAM_EINVAL, "pac: all amplitudes are zero");
  }
  double H = 0.0;
  for (size_t j = 0; j < nbins; j++) {
    double P = sum[j] / tot;
    if (P > 0.0) {
      H -= P * log(P); /* 0 log 0 = 0 */
    }
    if (p_out) {
      p_out[j] = P;
    }
  }
  double logN = log((double)nbins);
  *mi = (logN - H) / logN;
  return LAM_OK;
}

/* Phase bins of every sample and the count per bin; fails on an empty bin. */
static int bin_phases(const double *phase, size_t n, size_t nbins,
                      size_t *bins, size_t *count, lam_err *err) {
  memset(count, 0, nbins * sizeof *count);
  for (size_t i = 0; i < n; i++) {
    bins[i] = phase_bin(phase[i], nbins);
    count[bins[i]]++;
  }
  for (size_t j = 0; j < nbins; j++) {
    if (count[j] == 0) {
      return lam_err_set(err, LAM_EINVAL,
                         "pac: phase bin %zu of %zu is empty (series too short or "
                         "phase not cycling)",
                         j, nbins);
    }
  }
  return LAM_OK;
}

int lam_pac_mi(const double *phase, const double *amp, size_t n, size_t nbins,
               double *mi, double *p_out, lam_err *err) {
  int rc = check_pac(phase, amp, n, nbins, err);
  if (rc != LAM_OK) {
    return rc;
  }
  size_t *bins = malloc(n * sizeof *bins);
  size_t *count = malloc(nbins * sizeof *count);
  double *sum = malloc(nbins * sizeof *sum);
  if (!bins || !count || !sum) {
    rc = LAM_NOMEM(err);
  } else {
    rc = bin_phases(phase, n, nbins, bins, count, err);
    if (rc == LAM_OK) {
      rc = mi_lag(bins, count, amp, n, nbins, 0, sum, mi, p_out, err);
    }
  }
  free(bins);
  free(count);
  free(sum);
  return rc;
}

int lam_pac_surrogate(const double *phase, const double *amp, size_t n,
                      size_t nbins, size_t nsurr, size_t min_lag,
                      unsigned long seed, lam_pac_stats *out, lam_err *err) {
  int rc = check_pac(phase, amp, n, nbins, err);
  if (rc != LAM_OK) {
    return rc;
  }
  if (nsurr < 2) {
    return lam_err_set(err, LAM_EINVAL,
                       "pac: surrogates: expected >= 2, found %zu", nsurr);
  }
  if (n <= 2 * min_lag) {
    return lam_err_set(err, LAM_EINVAL,
                       "pac: minimum lag %zu leaves no lag for %zu samples "
                       "(need n > 2 min_lag)",
                       min_lag, n);
  }
  size_t *bins = malloc(n * sizeof *bins);
  size_t *count = malloc(nbins * sizeof *count);
  double *sum = malloc(nbins * sizeof *sum);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!bins || !count || !sum || !rng) {
    rc = LAM_NOMEM(err);
    goto done;
  }
  gsl_rng_set(rng, seed);
  rc = bin_phases(phase, n, nbins, bins, count, err);
  if (rc != LAM_OK) {
    goto done;
  }
  double mi0;
  rc = mi_lag(bins, count, amp, n, nbins, 0, sum, &mi0, NULL, err);
  if (rc != LAM_OK) {
    goto done;
  }
  /* Welford's running mean and variance of the surrogate MIs. */
  double mean = 0.0, m2 = 0.0;
  size_t above = 0;
  unsigned long span = (unsigned long)(n - 2 * min_lag + 1);
  for (size_t s = 0; s < nsurr; s++) {
    size_t lag = min_lag + (size_t)gsl_rng_uniform_int(rng, span);
    double mi;
    rc = mi_lag(bins, count, amp, n, nbins, lag % n, sum, &mi, NULL, err);
    if (rc != LAM_OK) {
      goto done;
    }
    double d = mi - mean;
    mean += d / (double)(s + 1);
    m2 += d * (mi - mean);
    if (mi >= mi0) {
      above++;
    }
  }
  out->mi = mi0;
  out->mean = mean;
  out->sd = sqrt(m2 / (double)(nsurr - 1));
  out->z = out->sd > 0.0 ? (mi0 - mean) / out->sd : 0.0;
  out->p = (double)(1 + above) / (double)(nsurr + 1);
  out->nsurr = nsurr;
done:
  gsl_rng_free(rng);
  free(bins);
  free(count);
  free(sum);
  return rc;
}

lam_pac_bands lam_pac_bands_default(void) {
  lam_pac_bands b = {LAM_PAC_PHASE_LO_HZ, LAM_PAC_PHASE_HI_HZ,
                     LAM_PAC_AMP_LO_HZ, LAM_PAC_AMP_HI_HZ};
  return b;
}

int lam_pac_signals(lam_hilbert *h, const double *x_phase, size_t phase_stride,
                    const double *x_amp, size_t amp_stride,
                    const lam_pac_bands *bands, double *phase_out,
                    double *amp_out, lam_err *err) {
  if (!bands || !phase_out || !amp_out) {
    return lam_err_set(err, LAM_EINVAL, "pac: NULL bands or output");
  }
  int rc = lam_hilbert_band(h, x_phase, phase_stride, bands->phase_lo_hz,
                            bands->phase_hi_hz, NULL, phase_out, err);
  if (rc != LAM_OK) {
    lam_err_prefix(err, "pac: phase band: ");
    return rc;
  }
  rc = lam_hilbert_band(h, x_amp, amp_stride, bands->amp_lo_hz,
                        bands->amp_hi_hz, amp_out, NULL, err);
  if (rc != LAM_OK) {
    lam_err_prefix(err, "pac: amplitude band: ");
    return rc;
  }
  return LAM_OK;
}
