/* lam_spectrum.h: Welch power spectra, band power, peak frequency, the
 * spectral segregation index and magnitude-squared coherence.
 *
 * These are the spectral observables of docs/analysis.md (band power per
 * layer for prediction P7, inter-column coherence for P9). A lam_welch is a
 * plan in the FFTW sense: the GSL real-FFT wavetable, workspace, Hann window
 * and scratch buffers are allocated once by lam_welch_new and reused by
 * every call, so a sweep over many traces pays the set-up once. A plan
 * holds scratch memory: use one plan per thread.
 *
 * Definitions (docs/analysis.md gives the derivations):
 *   - segments of nseg samples, step nseg - floor(nseg/2) (50 % overlap),
 *     each one's mean removed, multiplied by the periodic Hann window
 *     w[i] = 0.5 - 0.5 cos(2 pi i / nseg);
 *   - one-sided PSD in unit^2/Hz: P[k] = c_k |X_k|^2 / (fs sum w^2) averaged
 *     over segments, c_k = 2 except at DC and (nseg even) Nyquist where
 *     c_k = 1, so that the integral of P over [0, fs/2] is the variance;
 *   - frequencies f_k = k fs / nseg, k = 0 .. floor(nseg/2).
 * This is the estimator of scipy.signal.welch(..., window='hann',
 * detrend='constant', scaling='density'), so results can be checked there.
 */
#ifndef LAM_SPECTRUM_H
#define LAM_SPECTRUM_H

#include <stddef.h>

#include "lam_error.h"

typedef struct lam_welch lam_welch;

/* A plan for segments of nseg samples (nseg >= 2) at sampling rate fs (Hz,
 * finite, > 0). NULL on failure (err says why: LAM_EINVAL, LAM_ENOMEM). */
lam_welch *lam_welch_new(size_t nseg, double fs, lam_err *err);
/* The same with the segment length given in seconds: nseg = round(seg_s fs). */
lam_welch *lam_welch_new_seconds(double seg_s, double fs, lam_err *err);
void lam_welch_free(lam_welch *w);

/* ---- The segment rule: one for every spectrum (docs/analysis.md) ----
 * analyze, plot --kind psd, the sweep metrics and the experiments all take
 * their plan from lam_welch_for: Hann window, 50 % overlap, and segments
 * of the longest of 1 s, 1/2 s and 1/4 s of which 3 half-overlapping ones
 * fit in the series (T >= 2 T_seg), else 1/4 s; never longer than the
 * series. 1 s segments (1 Hz bins) resolve the 8-12 Hz alpha band with
 * the Hann main lobe (+-2 bins) inside it, so every run of 2 s or more
 * gets them; shorter runs trade resolution (2 or 4 Hz bins) for at least
 * 3 segments. Coherence wants LAM_WELCH_MIN_SEGMENTS (8, runs of 4.5 s
 * and more with 1 s segments): with fewer it is biased towards 1 and
 * `laminar analyze` warns. An explicit seg_s > 0 (`--seg`) replaces the
 * rule (shortened to the series). */
#define LAM_WELCH_SEG_MAX_S 1.0
#define LAM_WELCH_SEG_MIN_S 0.25
#define LAM_WELCH_MIN_SEGMENTS 8

/* Samples per segment by the rule for n samples at fs Hz (seg_s <= 0), or
 * round(seg_s fs) (seg_s > 0); always in [min(4, n), n]. */
size_t lam_welch_rule_nseg(size_t n, double fs, double seg_s);
/* The plan for a series of n samples at fs Hz: lam_welch_new with
 * lam_welch_rule_nseg(n, fs, seg_s) samples. Errors as lam_welch_new. */
lam_welch *lam_welch_for(size_t n, double fs, double seg_s, lam_err *err);

size_t lam_welch_nseg(const lam_welch *w);
/* Number of one-sided frequency bins: floor(nseg/2) + 1. */
size_t lam_welch_nfreq(const lam_welch *w);
/* Frequency of bin k in Hz (k fs / nseg), and the bin spacing fs / nseg. */
double lam_welch_freq(const lam_welch *w, size_t k);
double lam_welch_df(const lam_welch *w);
/* Number of segments averaged for a series of n samples (0 if n < nseg). */
size_t lam_welch_nsegments(const lam_welch *w, size_t n);

/* One-sided PSD of x[0], x[stride], ..., x[(n-1) stride] (stride >= 1 lets
 * a caller pass one column of a row-major samples x units array) into
 * psd_out[0 .. nfreq-1], in unit(x)^2 / Hz. Needs n >= nseg (LAM_EINVAL),
 * finite input (LAM_ENONFINITE). */
int lam_welch_psd(lam_welch *w, const double *x, size_t n, size_t stride,
                  double *psd_out, lam_err *err);

/* Magnitude-squared coherence |Pxy|^2 / (Pxx Pyy) of x and y (both of n
 * samples, own strides) from Welch-averaged auto- and cross-spectra on the
 * plan's segments, into coh_out[0 .. nfreq-1], each in [0, 1]. A bin where
 * Pxx or Pyy is zero gets 0. Errors as lam_welch_psd. */
int lam_welch_coherence(lam_welch *w, const double *x, size_t xstride,
                        const double *y, size_t ystride, size_t n,
                        double *coh_out, lam_err *err);

/* ---- Bands ---- */

/* The bands, the one definition every user takes its edges from
 * (docs/analysis.md): gamma 30-80 Hz [S10][S12], deep alpha/beta 8-30 Hz
 * after Bastos et al. 2012 [S28], and alpha proper 8-12 Hz [S16], the
 * phase band of phase-amplitude coupling (lam_pac.h). Edges are whole Hz
 * written once here: LAM_BAND_X_LO_HZ is the number, LAM_BAND_X_TEXT the
 * text that help, tables and titles print ("30-80 Hz"). */
#define LAM_BAND_ALPHABETA_LO 8
#define LAM_BAND_ALPHABETA_HI 30
#define LAM_BAND_GAMMA_LO 30
#define LAM_BAND_GAMMA_HI 80
#define LAM_BAND_ALPHA_LO 8
#define LAM_BAND_ALPHA_HI 12

#define LAM_BAND_ALPHABETA_LO_HZ ((double)LAM_BAND_ALPHABETA_LO)
#define LAM_BAND_ALPHABETA_HI_HZ ((double)LAM_BAND_ALPHABETA_HI)
#define LAM_BAND_GAMMA_LO_HZ ((double)LAM_BAND_GAMMA_LO)
#define LAM_BAND_GAMMA_HI_HZ ((double)LAM_BAND_GAMMA_HI)
#define LAM_BAND_ALPHA_LO_HZ ((double)LAM_BAND_ALPHA_LO)
#define LAM_BAND_ALPHA_HI_HZ ((double)LAM_BAND_ALPHA_HI)

#define LAM_BAND_STR_(x) #x
#define LAM_BAND_STR(x) LAM_BAND_STR_(x)
/* "LO-HI Hz" and "LO:HI" (the form of `laminar analyze --band`). */
#define LAM_BAND_TEXT(lo, hi) LAM_BAND_STR(lo) "-" LAM_BAND_STR(hi) " Hz"
#define LAM_BAND_SPEC(lo, hi) LAM_BAND_STR(lo) ":" LAM_BAND_STR(hi)
#define LAM_BAND_ALPHABETA_TEXT LAM_BAND_TEXT(LAM_BAND_ALPHABETA_LO, LAM_BAND_ALPHABETA_HI)
#define LAM_BAND_GAMMA_TEXT LAM_BAND_TEXT(LAM_BAND_GAMMA_LO, LAM_BAND_GAMMA_HI)
#define LAM_BAND_ALPHA_TEXT LAM_BAND_TEXT(LAM_BAND_ALPHA_LO, LAM_BAND_ALPHA_HI)
#define LAM_BAND_ALPHABETA_SPEC LAM_BAND_SPEC(LAM_BAND_ALPHABETA_LO, LAM_BAND_ALPHABETA_HI)
#define LAM_BAND_GAMMA_SPEC LAM_BAND_SPEC(LAM_BAND_GAMMA_LO, LAM_BAND_GAMMA_HI)

typedef struct lam_band {
  const char *name; /* "alphabeta", "gamma" */
  double lo_hz, hi_hz;
  const char *doc;
} lam_band;

enum { LAM_BAND_ALPHABETA, LAM_BAND_GAMMA };
extern const lam_band lam_bands[];
extern const size_t lam_nbands;
/* The band called name, or NULL. */
const lam_band *lam_band_find(const char *name);

/* Integral of a one-sided spectrum psd[k] on the grid f_k = k df
 * (k < nfreq) over [f_lo, f_hi] Hz by the trapezoid rule on the piecewise-
 * linear interpolant, the end points interpolated: adjacent bands add up
 * exactly and the edges need not fall on bins. Units: unit(psd) * Hz, so a
 * PSD in unit^2/Hz gives a power in unit^2. Needs 0 <= f_lo < f_hi <=
 * (nfreq-1) df, nfreq >= 2 and df > 0 (LAM_EINVAL). */
int lam_band_power(const double *psd, size_t nfreq, double df, double f_lo,
                   double f_hi, double *power, lam_err *err);

/* The band's peak: of the local maxima strictly inside the band (bins k
 * with f_lo < f_k < f_hi and psd[k] above both neighbours, which may lie
 * outside the band), the largest; refined by the vertex of the parabola
 * through the log-PSD at that bin and its two neighbours (when all three
 * are > 0), kept inside the band. A band edge is never a peak: a spectrum
 * that only rises or falls through the band has none (LAM_ENOTFOUND,
 * *f_peak NaN). LAM_EINVAL if no bin falls in the band. */
int lam_band_peak(const double *psd, size_t nfreq, double df, double f_lo,
                  double f_hi, double *f_peak, lam_err *err);

/* 1 when the largest bin with f_k in [f_lo, f_hi] is the first or last of
 * them (the power is largest at a band edge: the band's peak, if any, is
 * not where its power is), else 0 (also when no bin falls in the band). */
int lam_band_max_at_edge(const double *psd, size_t nfreq, double df,
                         double f_lo, double f_hi);

/* Plain mean of v[k] over the bins with f_k = k df in [f_lo, f_hi] (for
 * band-averaged coherence). LAM_EINVAL if no bin falls in the band. */
int lam_band_mean(const double *v, size_t nfreq, double df, double f_lo,
                  double f_hi, double *mean, lam_err *err);

/* ---- Spectral segregation (prediction P7) ---- */

/* Band powers of a superficial (L2/3) and a deep (L5) signal:
 *   gamma_ratio     = gamma_sup / gamma_deep         (> 1: gamma superficial)
 *   alphabeta_ratio = alphabeta_deep / alphabeta_sup (> 1: alpha/beta deep)
 *   laminar_ratio   = gamma_ratio * alphabeta_ratio
 *                   = (gamma/alphabeta)_sup / (gamma/alphabeta)_deep
 * P7 holds when all three exceed 1 (docs/experiments/laminar-spectra.md;
 * Bastos et al. 2012 [S27]). */
typedef struct lam_segregation {
  double gamma_ratio;
  double alphabeta_ratio;
  double laminar_ratio;
} lam_segregation;

/* All four powers must be finite and > 0 (LAM_EINVAL). */
int lam_segregation_index(double gamma_sup, double alphabeta_sup,
                          double gamma_deep, double alphabeta_deep,
                          lam_segregation *out, lam_err *err);

#endif
