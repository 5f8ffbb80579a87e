/* lam_spectrum.c: Welch PSD and coherence on GSL's mixed-radix real FFT,
 * band integrals, peak frequency and the segregation index.
 *
 * The plan owns everything a call needs (wavetable, workspace, window, two
 * segment buffers, cross-spectrum accumulators), so lam_welch_psd and
 * lam_welch_coherence allocate nothing. Definitions in lam_spectrum.h and
 * docs/analysis.md.
 */
#include "lam_spectrum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h> /* M_PI */
#include <gsl/gsl_fft_real.h>

struct lam_welch {
  size_t nseg, nfreq, step;
  double fs;
  double wsum2; /* sum of w^2 */
  double *win;  /* nseg */
  double *bx, *by; /* nseg: segment buffers (half-complex after the FFT) */
  double *sxy_re, *sxy_im, *sxx, *syy; /* nfreq: coherence accumulators */
  gsl_fft_real_wavetable *wt;
  gsl_fft_real_workspace *ws;
};

void lam_welch_free(lam_welch *w) {
  if (!w) {
    return;
  }
  gsl_fft_real_wavetable_free(w->wt);
  gsl_fft_real_workspace_free(w->ws);
  free(w->win);
  free(w->bx);
  free(w->by);
  free(w->sxy_re);
  free(w->sxy_im);
  free(w->sxx);
  free(w->syy);
  free(w);
}

lam_welch *lam_welch_new(size_t nseg, double fs, lam_err *err) {
  if (nseg < 2) {
    lam_err_set(err, LAM_EINVAL,
                "welch: segment length: expected >= 2 samples, found %zu", nseg);
    return NULL;
  }
  if (!(isfinite(fs) && fs > 0.0)) {
    lam_err_set(err, LAM_EINVAL,
                "welch: sampling rate: expected a finite value > 0 Hz, found %g",
                fs);
    return NULL;
  }
  lam_welch *w = calloc(1, sizeof *w);
  if (!w) {
    LAM_NOMEM(err);
    return NULL;
  }
  w->nseg = nseg;
  w->nfreq = nseg / 2 + 1;
  w->step = nseg - nseg / 2; /* noverlap = floor(nseg/2), as scipy */
  w->fs = fs;
  w->win = malloc(nseg * sizeof *w->win);
  w->bx = malloc(nseg * sizeof *w->bx);
  w->by = malloc(nseg * sizeof *w->by);
  w->sxy_re = malloc(w->nfreq * sizeof(double));
  w->sxy_im = malloc(w->nfreq * sizeof(double));
  w->sxx = malloc(w->nfreq * sizeof(double));
  w->syy = malloc(w->nfreq * sizeof(double));
  w->wt = gsl_fft_real_wavetable_alloc(nseg);
  w->ws = gsl_fft_real_workspace_alloc(nseg);
  if (!w->win || !w->bx || !w->by || !w->sxy_re || !w->sxy_im || !w->sxx ||
      !w->syy || !w->wt || !w->ws) {
    lam_welch_free(w);
    LAM_NOMEM(err);
    return NULL;
  }
  /* Periodic Hann window: the DFT-even form used for spectral estimation. */
  w->wsum2 = 0.0;
  for (size_t i = 0; i < nseg; i++) {
    w->win[i] = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)nseg);
    w->wsum2 += w->win[i] * w->win[i];
  }
  return w;
}

lam_welch *lam_welch_new_seconds(double seg_s, double fs, lam_err *err) {
  if (!(isfinite(seg_s) && seg_s > 0.0) || !(isfinite(fs) && fs > 0.0)) {
    lam_err_set(err, LAM_EINVAL,
                "welch: segment %g s at %g Hz: expected both finite and > 0",
                seg_s, fs);
    return NULL;
  }
  double ns = floor(seg_s * fs + 0.5);
  if (ns < 2.0 || ns > 1e12) {
    lam_err_set(err, LAM_EINVAL,
                "welch: segment %g s at %g Hz gives %g samples: expected 2 .. 1e12",
                seg_s, fs, ns);
    return NULL;
  }
  return lam_welch_new((size_t)ns, fs, err);
}

size_t lam_welch_rule_nseg(size_t n, double fs, double seg_s) {
  /* In samples, as doubles: no size_t overflow. */
  double ns = floor(seg_s * fs + 0.5);
  if (!(seg_s > 0.0)) {
    /* The longest of 1, 1/2, 1/4 s of which 3 half-overlapping segments
     * fit (nseg + 2 step <= n), else 1/4 s. */
    for (double seg = LAM_WELCH_SEG_MAX_S;; seg *= 0.5) {
      ns = floor(seg * fs + 0.5);
      const double step = ns - floor(ns / 2.0);
      if (seg <= LAM_WELCH_SEG_MIN_S || ns + 2.0 * step <= (double)n) {
        break;
      }
    }
  }
  if (!(ns < (double)n)) {
    return n;
  }
  return ns < 4.0 ? (n < 4 ? n : 4) : (size_t)ns;
}

lam_welch *lam_welch_for(size_t n, double fs, double seg_s, lam_err *err) {
  if (!(isfinite(fs) && fs > 0.0)) {
    return lam_welch_new(0, fs, err); /* its message */
  }
  return lam_welch_new(lam_welch_rule_nseg(n, fs, seg_s), fs, err);
}

size_t lam_welch_nseg(const lam_welch *w) { return w->nseg; }
size_t lam_welch_nfreq(const lam_welch *w) { return w->nfreq; }
double lam_welch_freq(const lam_welch *w, size_t k) {
  return (double)k * w->fs / (double)w->nseg;
}
double lam_welch_df(const lam_welch *w) { return w->fs / (double)w->nseg; }

size_t lam_welch_nsegments(const lam_welch *w, size_t n) {
  return n < w->nseg ? 0 : (n - w->nseg) / w->step + 1;
}

/* Copy one segment, remove its mean, window it and transform it in place
 * (GSL half-complex layout). */
static int seg_fft(lam_welch *w, const double *x, size_t stride, size_t start,
                   double *buf, lam_err *err) {
  double mean = 0.0;
  for (size_t i = 0; i < w->nseg; i++) {
    buf[i] = x[(start + i) * stride];
    mean += buf[i];
  }
  mean /= (double)w->nseg;
  for (size_t i = 0; i < w->nseg; i++) {
    buf[i] = (buf[i] - mean) * w->win[i];
  }
  int rc = gsl_fft_real_transform(buf, 1, w->nseg, w->wt, w->ws);
  if (rc != GSL_SUCCESS) {
    return LAM_INTERNAL(err, gsl_strerror(rc));
  }
  return LAM_OK;
}

/* Bin k of a half-complex array of length n. */
static void hc_bin(const double *h, size_t n, size_t k, double *re, double *im) {
  if (k == 0) {
    *re = h[0];
    *im = 0.0;
  } else if (2 * k == n) {
    *re = h[n - 1];
    *im = 0.0;
  } else {
    *re = h[2 * k - 1];
    *im = h[2 * k];
  }
}

/* One-sided factor: 2 except at DC and the (even-length) Nyquist bin. */
static double one_sided(size_t nseg, size_t k) {
  return (k == 0 || 2 * k == nseg) ? 1.0 : 2.0;
}

static int check_series(const lam_welch *w, const double *x, size_t n,
                        size_t stride, const char *name, lam_err *err) {
  if (!x) {
    return lam_err_set(err, LAM_EINVAL, "welch: %s: NULL series", name);
  }
  if (stride < 1) {
    return lam_err_set(err, LAM_EINVAL, "welch: %s: stride must be >= 1", name);
  }
  if (n < w->nseg) {
    return lam_err_set(err, LAM_EINVAL,
                       "welch: %s: expected at least one segment of %zu samples, "
                       "found %zu samples",
                       name, w->nseg, n);
  }
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i * stride])) {
      return lam_err_set(err, LAM_ENONFINITE,
                         "welch: %s: sample %zu is not finite", name, i);
    }
  }
  return LAM_OK;
}

int lam_welch_psd(lam_welch *w, const double *x, size_t n, size_t stride,
                  double *psd_out, lam_err *err) {
  int rc = check_series(w, x, n, stride, "x", err);
  if (rc != LAM_OK) {
    return rc;
  }
  if (!psd_out) {
    return lam_err_set(err, LAM_EINVAL, "welch: NULL output");
  }
  size_t nsegs = lam_welch_nsegments(w, n);
  memset(psd_out, 0, w->nfreq * sizeof *psd_out);
  for (size_t s = 0; s < nsegs; s++) {
    rc = seg_fft(w, x, stride, s * w->step, w->bx, err);
    if (rc != LAM_OK) {
      return rc;
    }
    for (size_t k = 0; k < w->nfreq; k++) {
      double re, im;
      hc_bin(w->bx, w->nseg, k, &re, &im);
      psd_out[k] += re * re + im * im;
    }
  }
  /* Density scaling 1/(fs sum w^2) makes the integral equal the variance. */
  double scale = 1.0 / (w->fs * w->wsum2 * (double)nsegs);
  for (size_t k = 0; k < w->nfreq; k++) {
    psd_out[k] *= scale * one_sided(w->nseg, k);
  }
  return LAM_OK;
}

int lam_welch_coherence(lam_welch *w, const double *x, size_t xstride,
                        const double *y, size_t ystride, size_t n,
                        double *coh_out, lam_err *err) {
  int rc = check_series(w, x, n, xstride, "x", err);
  if (rc == LAM_OK) {
    rc = check_series(w, y, n, ystride, "y", err);
  }
  if (rc != LAM_OK) {
    return rc;
  }
  if (!coh_out) {
    return lam_err_set(err, LAM_EINVAL, "welch: NULL output");
  }
  size_t nf = w->nfreq;
  memset(w->sxx, 0, nf * sizeof(double));
  memset(w->syy, 0, nf * sizeof(double));
  memset(w->sxy_re, 0, nf * sizeof(double));
  memset(w->sxy_im, 0, nf * sizeof(double));
  size_t nsegs = lam_welch_nsegments(w, n);
  for (size_t s = 0; s < nsegs; s++) {
    rc = seg_fft(w, x, xstride, s * w->step, w->bx, err);
    if (rc == LAM_OK) {
      rc = seg_fft(w, y, ystride, s * w->step, w->by, err);
    }
    if (rc != LAM_OK) {
      return rc;
    }
    for (size_t k = 0; k < nf; k++) {
      double xr, xi, yr, yi;
      hc_bin(w->bx, w->nseg, k, &xr, &xi);
      hc_bin(w->by, w->nseg, k, &yr, &yi);
      w->sxx[k] += xr * xr + xi * xi;
      w->syy[k] += yr * yr + yi * yi;
      /* X conj(Y) */
      w->sxy_re[k] += xr * yr + xi * yi;
      w->sxy_im[k] += xi * yr - xr * yi;
    }
  }
  /* Scale factors cancel in the ratio. */
  for (size_t k = 0; k < nf; k++) {
    double den = w->sxx[k] * w->syy[k];
    if (den > 0.0) {
      double c = (w->sxy_re[k] * w->sxy_re[k] + w->sxy_im[k] * w->sxy_im[k]) / den;
      coh_out[k] = c > 1.0 ? 1.0 : c; /* rounding only: Cauchy-Schwarz */
    } else {
      coh_out[k] = 0.0;
    }
  }
  return LAM_OK;
}

/* ---- Bands ---- */

const lam_band lam_bands[] = {
    {"alphabeta", LAM_BAND_ALPHABETA_LO_HZ, LAM_BAND_ALPHABETA_HI_HZ,
     "Alpha/beta: the deep-layer feedback rhythm [S28]"},
    {"gamma", LAM_BAND_GAMMA_LO_HZ, LAM_BAND_GAMMA_HI_HZ,
     "Gamma: the superficial feedforward rhythm [S10][S12]"},
};
const size_t lam_nbands = sizeof lam_bands / sizeof lam_bands[0];

const lam_band *lam_band_find(const char *name) {
  for (size_t i = 0; name && i < lam_nbands; i++) {
    if (strcmp(lam_bands[i].name, name) == 0) {
      return &lam_bands[i];
    }
  }
  return NULL;
}

static int check_grid(const double *v, size_t nfreq, double df, double f_lo,
                      double f_hi, lam_err *err) {
  if (!v || nfreq < 2 || !(isfinite(df) && df > 0.0)) {
    return lam_err_set(err, LAM_EINVAL,
                       "band: expected a spectrum of >= 2 bins with df > 0, "
                       "found %zu bins, df = %g Hz",
                       nfreq, df);
  }
  if (!(isfinite(f_lo) && isfinite(f_hi) && f_lo >= 0.0 && f_lo < f_hi)) {
    return lam_err_set(err, LAM_EINVAL,
                       "band: expected 0 <= f_lo < f_hi, found [%g, %g] Hz", f_lo,
                       f_hi);
  }
  return LAM_OK;
}

/* Linear interpolation of psd at frequency f (inside the grid). */
static double interp(const double *psd, size_t nfreq, double df, double f) {
  double u = f / df;
  size_t k = (size_t)floor(u);
  if (k >= nfreq - 1) {
    return psd[nfreq - 1];
  }
  double t = u - (double)k;
  return psd[k] + t * (psd[k + 1] - psd[k]);
}

int lam_band_power(const double *psd, size_t nfreq, double df, double f_lo,
                   double f_hi, double *power, lam_err *err) {
  int rc = check_grid(psd, nfreq, df, f_lo, f_hi, err);
  if (rc != LAM_OK) {
    return rc;
  }
  double fmax = (double)(nfreq - 1) * df;
  if (f_hi > fmax * (1.0 + 1e-12)) {
    return lam_err_set(err, LAM_EINVAL,
                       "band: upper edge %g Hz is above the last bin %g Hz", f_hi,
                       fmax);
  }
  if (f_hi > fmax) {
    f_hi = fmax;
  }
  /* Trapezoids between consecutive nodes: f_lo, the bins inside, f_hi. */
  size_t k = (size_t)floor(f_lo / df) + 1; /* first bin strictly above f_lo */
  double fa = f_lo, pa = interp(psd, nfreq, df, f_lo), sum = 0.0;
  for (; k < nfreq && (double)k * df < f_hi; k++) {
    double fb = (double)k * df;
    sum += 0.5 * (pa + psd[k]) * (fb - fa);
    fa = fb;
    pa = psd[k];
  }
  sum += 0.5 * (pa + interp(psd, nfreq, df, f_hi)) * (f_hi - fa);
  *power = sum;
  return LAM_OK;
}

/* Bins k with f_k in [f_lo, f_hi]: [*k0, *k1). */
static int band_bins(size_t nfreq, double df, double f_lo, double f_hi,
                     size_t *k0, size_t *k1, lam_err *err) {
  double a = ceil(f_lo / df - 1e-9), b = floor(f_hi / df + 1e-9);
  if (b >= (double)nfreq) {
    b = (double)(nfreq - 1);
  }
  if (a > b) {
    return lam_err_set(err, LAM_EINVAL,
                       "band: no frequency bin in [%g, %g] Hz (df = %g Hz, last "
                       "bin %g Hz)",
                       f_lo, f_hi, df, (double)(nfreq - 1) * df);
  }
  *k0 = (size_t)a;
  *k1 = (size_t)b + 1;
  return LAM_OK;
}

int lam_band_peak(const double *psd, size_t nfreq, double df, double f_lo,
                  double f_hi, double *f_peak, lam_err *err) {
  size_t k0, k1;
  *f_peak = NAN;
  int rc = check_grid(psd, nfreq, df, f_lo, f_hi, err);
  if (rc == LAM_OK) {
    rc = band_bins(nfreq, df, f_lo, f_hi, &k0, &k1, err);
  }
  if (rc != LAM_OK) {
    return rc;
  }
  /* Local maxima strictly inside: an edge bin, or a bin whose neighbour is
   * missing (DC, Nyquist), is never one. */
  size_t kb = 0;
  for (size_t k = k0 > 1 ? k0 : 1; k < k1 && k + 1 < nfreq; k++) {
    const double f = (double)k * df;
    if (f - f_lo > 1e-9 * df && f_hi - f > 1e-9 * df &&
        psd[k] > psd[k - 1] && psd[k] > psd[k + 1] && psd[k] > 0.0 &&
        (kb == 0 || psd[k] > psd[kb])) {
      kb = k;
    }
  }
  if (kb == 0) {
    return lam_err_set(err, LAM_ENOTFOUND,
                       "band: no local maximum inside (%g, %g) Hz (the power "
                       "only rises or falls through the band)",
                       f_lo, f_hi);
  }
  double delta = 0.0;
  if (psd[kb - 1] > 0.0 && psd[kb + 1] > 0.0) {
    /* Vertex of the parabola through (k-1, a), (k, b), (k+1, c) of log P:
     * exact for a Gaussian-shaped peak, |delta| <= 1/2 at a local max. */
    double a = log(psd[kb - 1]), b = log(psd[kb]), c = log(psd[kb + 1]);
    double den = a - 2.0 * b + c;
    if (den < 0.0) {
      delta = 0.5 * (a - c) / den;
    }
  }
  *f_peak = fmin(fmax(((double)kb + delta) * df, f_lo), f_hi);
  return LAM_OK;
}

int lam_band_max_at_edge(const double *psd, size_t nfreq, double df,
                         double f_lo, double f_hi) {
  size_t k0, k1;
  if (check_grid(psd, nfreq, df, f_lo, f_hi, NULL) ||
      band_bins(nfreq, df, f_lo, f_hi, &k0, &k1, NULL) || k1 - k0 < 2) {
    return 0;
  }
  size_t kb = k0;
  for (size_t k = k0 + 1; k < k1; k++) {
    kb = psd[k] > psd[kb] ? k : kb;
  }
  return psd[kb] > 0.0 && (kb == k0 || kb + 1 == k1);
}

int lam_band_mean(const double *v, size_t nfreq, double df, double f_lo,
                  double f_hi, double *mean, lam_err *err) {
  size_t k0, k1;
  int rc = check_grid(v, nfreq, df, f_lo, f_hi, err);
  if (rc == LAM_OK) {
    rc = band_bins(nfreq, df, f_lo, f_hi, &k0, &k1, err);
  }
  if (rc != LAM_OK) {
    return rc;
  }
  double s = 0.0;
  for (size_t k = k0; k < k1; k++) {
    s += v[k];
  }
  *mean = s / (double)(k1 - k0);
  return LAM_OK;
}

int lam_segregation_index(double gamma_sup, double alphabeta_sup,
                          double gamma_deep, double alphabeta_deep,
                          lam_segregation *out, lam_err *err) {
  const double v[4] = {gamma_sup, alphabeta_sup, gamma_deep, alphabeta_deep};
  const char *names[4] = {"gamma_sup", "alphabeta_sup", "gamma_deep",
                          "alphabeta_deep"};
  for (int i = 0; i < 4; i++) {
    if (!(isfinite(v[i]) && v[i] > 0.0)) {
      return lam_err_set(err, LAM_EINVAL,
                         "segregation: %s: expected a finite power > 0, found %g",
                         names[i], v[i]);
    }
  }
  out->gamma_ratio = gamma_sup / gamma_deep;
  out->alphabeta_ratio = alphabeta_deep / alphabeta_sup;
  out->laminar_ratio = out->gamma_ratio * out->alphabeta_ratio;
  return LAM_OK;
}
