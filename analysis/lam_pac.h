/* lam_pac.h: analytic signal, zero-phase FFT band-pass and the Tort
 * modulation index of phase-amplitude coupling.
 *
 * Prediction P8 (docs/experiments/README.md) asks whether superficial gamma
 * amplitude is locked to the phase of the deep alpha/beta rhythm; the measure
 * is the modulation index of Tort et al. 2010 [S34] (docs/analysis.md,
 * "Phase-amplitude coupling"). A lam_hilbert is a plan for series of n samples:
 * the GSL complex-FFT wavetable, workspace and a 2n buffer are allocated once
 * and reused (one plan per thread).
 *
 * Definitions (docs/analysis.md):
 *   - analytic signal z = x + i H[x]: Z = FFT(x) times 1 at DC, 2 on the
 *     positive frequencies, 1 at Nyquist (n even), 0 on the negative ones,
 *     then the inverse FFT (as scipy.signal.hilbert); amplitude |z|, phase
 *     arg z in (-pi, pi]; x is treated as one period of a periodic signal;
 *   - band-pass: the spectrum times a real, even gain G(|f|) (so the filter
 *     has zero phase): G = 1 on [f_lo, f_hi], raised-cosine tapers of width
 *     taper_hz outside each edge, 0 beyond. Circular: a caller drops the
 *     ends (about 1/taper_hz seconds) where the wrap-around rings;
 *   - MI = (log N - H(P)) / log N with P(j) the mean amplitude in phase bin
 *     j normalised to sum 1, H(P) = -sum P log P, N bins of equal width on
 *     [-pi, pi) (N = 18 by default) [S34].
 */
#ifndef LAM_PAC_H
#define LAM_PAC_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_spectrum.h"

/* Tort et al. 2010 use 18 phase bins of 20 degrees [S34]. */
#define LAM_PAC_NBINS 18
/* Default bands (lam_spectrum.h): phase from the alpha rhythm 8-12 Hz
 * [S16], amplitude from gamma 30-80 Hz [S10][S12]. */
#define LAM_PAC_PHASE_LO_HZ LAM_BAND_ALPHA_LO_HZ
#define LAM_PAC_PHASE_HI_HZ LAM_BAND_ALPHA_HI_HZ
#define LAM_PAC_AMP_LO_HZ LAM_BAND_GAMMA_LO_HZ
#define LAM_PAC_AMP_HI_HZ LAM_BAND_GAMMA_HI_HZ
/* Default width of the band-pass edge tapers: short enough to keep the band
 * edges sharp, long enough that the ringing decays within ~1 s. */
#define LAM_BANDPASS_TAPER_HZ 1.0

typedef struct lam_hilbert lam_hilbert;

/* A plan for series of n >= 2 samples at fs Hz (> 0), band-pass tapers of
 * taper_hz >= 0 Hz (0: a pure brick wall). NULL on failure. */
lam_hilbert *lam_hilbert_new(size_t n, double fs, double taper_hz,
                             lam_err *err);
void lam_hilbert_free(lam_hilbert *h);
size_t lam_hilbert_n(const lam_hilbert *h);

/* Analytic signal of x[0], x[stride], ... (n samples) into z_out[0 .. 2n-1]
 * as interleaved (re, im) pairs. */
int lam_hilbert_analytic(lam_hilbert *h, const double *x, size_t stride,
                         double *z_out, lam_err *err);
/* Instantaneous amplitude |z| and phase arg z (rad, (-pi, pi]) of x; either
 * output may be NULL. */
int lam_hilbert_amp_phase(lam_hilbert *h, const double *x, size_t stride,
                          double *amp, double *phase, lam_err *err);
/* Zero-phase band-pass of x over [f_lo, f_hi] Hz (0 <= f_lo < f_hi <=
 * fs/2) into y[0 .. n-1]. */
int lam_hilbert_bandpass(lam_hilbert *h, const double *x, size_t stride,
                         double f_lo, double f_hi, double *y, lam_err *err);
/* Band-pass then analytic signal in one FFT pair: amplitude and phase of
 * the [f_lo, f_hi] component (either output may be NULL). */
int lam_hilbert_band(lam_hilbert *h, const double *x, size_t stride,
                     double f_lo, double f_hi, double *amp, double *phase,
                     lam_err *err);

/* ---- Modulation index ---- */

/* Tort MI of amp against phase (n samples, phase in rad, any branch) with
 * nbins >= 2 bins; p_out (nbins values, may be NULL) receives P(j), bin j
 * covering [-pi + 2 pi j / N, -pi + 2 pi (j+1) / N). LAM_EINVAL if a bin is
 * empty (series too short or phase not cycling), an amplitude is negative
 * or all are zero; LAM_ENONFINITE on a non-finite input. */
int lam_pac_mi(const double *phase, const double *amp, size_t n, size_t nbins,
               double *mi, double *p_out, lam_err *err);

/* Surrogate test: nsurr MIs of amp circularly shifted by lags drawn
 * uniformly from [min_lag, n - min_lag] (GSL mt19937 seeded with seed),
 * against the MI of the unshifted pair. */
typedef struct lam_pac_stats {
  double mi;   /* the observed MI */
  double mean; /* surrogate mean */
  double sd;   /* surrogate standard deviation (n - 1) */
  double z;    /* (mi - mean) / sd; 0 when sd is 0 */
  double p;    /* (1 + #{surrogate >= mi}) / (nsurr + 1): never 0 */
  size_t nsurr;
} lam_pac_stats;

/* Needs nsurr >= 2 and n > 2 min_lag (LAM_EINVAL); errors as lam_pac_mi. */
int lam_pac_surrogate(const double *phase, const double *amp, size_t n,
                      size_t nbins, size_t nsurr, size_t min_lag,
                      unsigned long seed, lam_pac_stats *out, lam_err *err);

/* The two series the MI needs, from raw signals: the phase of x_phase in
 * [phase_lo, phase_hi] Hz and the amplitude of x_amp in [amp_lo, amp_hi] Hz
 * (n = lam_hilbert_n(h) samples each, own strides) into phase_out and
 * amp_out (n values each). */
typedef struct lam_pac_bands {
  double phase_lo_hz, phase_hi_hz, amp_lo_hz, amp_hi_hz;
} lam_pac_bands;
/* The defaults above (alpha phase, gamma amplitude). */
lam_pac_bands lam_pac_bands_default(void);
int lam_pac_signals(lam_hilbert *h, const double *x_phase, size_t phase_stride,
                    const double *x_amp, size_t amp_stride,
                    const lam_pac_bands *bands, double *phase_out,
                    double *amp_out, lam_err *err);

#endif
