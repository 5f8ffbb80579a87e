/* lam_metrics.h: named scalar read-outs of a finished run, computed from
 * samples collected in memory while it runs (so a sweep point never needs
 * an HDF5 file), and the per-layer spectral computations they share with
 * `laminar analyze`.
 *
 * Names are snake case; a few are families:
 *   mean_<pop>                 time mean of a population (any population of
 *                              the model: mean_l23, mean_out, mean_pv ...)
 *   mean_<layer>, gamma_power_<layer>, alpha_power_<layer>,
 *   gamma_peak_hz_<layer>, alpha_peak_hz_<layer>, gamma_coherence_<layer>,
 *   alpha_coherence_<layer>    layer signals as `laminar analyze` builds
 *                              them (<layer>: l1, l23, l4, l5, l6)
 * "alpha" here is the deep alpha/beta band, 8-30 Hz, and "gamma" 30-80 Hz
 * (lam_spectrum.h). Definitions: docs/analysis.md and
 * docs/sweeps.md. A metric the model cannot provide (no L5 in a
 * Jansen-Rit column, no attention weights) is NaN, not an error.
 *
 * The collector reads a system (core/lam_system.h) and the states it is
 * given, not a simulation: whatever runs the system feeds it.
 *
 * Use:
 *   lam_metrics *mc = lam_metrics_new(lam_sim_system(sim), &err);
 *   lam_run_opts o = lam_run_defaults(sim);
 *   o.on_sample = lam_metrics_sample; o.ctx = mc;
 *   lam_sim_run(sim, &o, NULL, &err);
 *   lam_metrics_value(mc, "gamma_power_l23", lam_sim_state(sim), &v, &err);
 */
#ifndef LAM_METRICS_H
#define LAM_METRICS_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_spectrum.h"
#include "lam_system.h"

typedef struct lam_metric_info {
  const char *name; /* a name or a family pattern ("mean_<pop>") */
  const char *unit; /* "Hz", "nats", "unit^2" (unit: the population's) */
  const char *doc;  /* one line */
} lam_metric_info;

extern const lam_metric_info lam_metric_table[];
extern const size_t lam_metric_ntable;

/* Welch segment of the layer spectra (s): 0, the rule of lam_welch_for, as
 * `laminar analyze` without --seg. */
#define LAM_METRICS_SEG_S 0.0

/* ---- per-layer spectral computations (shared with laminar analyze) ---- */

typedef struct lam_layer_bands {
  double pab, pg;   /* alpha/beta (8-30 Hz) and gamma (30-80 Hz) power, unit^2 */
  double fab, fg;   /* their peak frequencies, Hz */
  double cab, cg;   /* band-mean coherence over column pairs (NaN: 1 column) */
} lam_layer_bands;

/* Mean PSD of ncol series x[c * ld + i * stride] (i < n) and its band
 * powers and peaks (NaN where a band lies beyond fs/2 or has no peak). */
int lam_metrics_bands(lam_welch *w, const double *x, size_t ncol, size_t ld,
                      size_t stride, size_t n, lam_layer_bands *out,
                      lam_err *err);
/* Band-mean coherence of ncol series x[c * n + i], averaged over all
 * column pairs, into out->cab and out->cg (NaN with one column). */
int lam_metrics_coherence(lam_welch *w, const double *x, size_t ncol,
                          size_t n, lam_layer_bands *out, lam_err *err);
/* The same for any bands (laminar analyze --band): power[b] and peak[b] of
 * the mean PSD in bands[b], b < nb (NaN as above); the mean PSD itself into
 * psd[0 .. lam_welch_nfreq(w) - 1] when psd is not NULL. */
int lam_metrics_band_values(lam_welch *w, const double *x, size_t ncol,
                            size_t ld, size_t stride, size_t n,
                            const lam_band *bands, size_t nb, double *power,
                            double *peak, double *psd, lam_err *err);
/* Band-mean coherence per band over all column pairs of x[c * n + i]
 * (coh[b] NaN with one column). */
int lam_metrics_column_coherence(lam_welch *w, const double *x, size_t ncol,
                                 size_t n, const lam_band *bands, size_t nb,
                                 double *coh, lam_err *err);
/* Band-mean coherence per band between two layers' signals in the same
 * column, x[c * n + i] against y[c * n + i], mean over columns c < ncol. */
int lam_metrics_pair_coherence(lam_welch *w, const double *x, const double *y,
                               size_t ncol, size_t n, const lam_band *bands,
                               size_t nb, double *coh, lam_err *err);
/* Attention read-outs of burst rates R (the `attn` population), rows of T
 * keys, nrow = queries x heads: the Shannon entropy (nats) of each row's
 * normalised weights and its total burst rate sum_j R_j, both the mean over
 * rows (prediction P4; experiments/pv_softmax.c). */
void lam_metrics_attention(const double *r, size_t nrow, size_t T,
                           double *entropy, double *burst_rate);
/* Tort MI of deep (L5) alpha phase against superficial (L2/3) gamma
 * amplitude, x[c * n + i], mean over the columns both have. The first and
 * last 1 / taper seconds (band-pass wrap-around) are dropped, or a quarter
 * of the series when it is short. */
/* Seconds of a series of n samples at fs Hz that lam_metrics_pac uses. */
double lam_metrics_pac_seconds(size_t n, double fs);
int lam_metrics_pac(const double *deep, size_t ndeep, const double *sup,
                    size_t nsup, size_t n, double fs, double *mi,
                    lam_err *err);

/* ---- collecting a run ---- */

typedef struct lam_metrics lam_metrics;

/* A collector for runs of sys (which must outlive it). */
lam_metrics *lam_metrics_new(const lam_system *sys, lam_err *err);
void lam_metrics_free(lam_metrics *mc);
/* Forget the samples (before another run of the same sim). */
void lam_metrics_reset(lam_metrics *mc);
/* Collect only what metric name needs (call once per metric, before the
 * run): without any call every population and layer is collected and any
 * metric can be asked afterwards; after one, only the declared metrics can
 * (LAM_EINVAL for others). The values are the same either way; the saving
 * is the observations and spectra nobody asked for (docs/performance.md,
 * Sweep throughput). LAM_ENOTFOUND for an unknown name. */
int lam_metrics_want(lam_metrics *mc, const char *name, lam_err *err);
/* lam_run_opts.on_sample with ctx = the collector. Returns LAM_ENOMEM when
 * a sample cannot be stored. */
int lam_metrics_sample(void *ctx, double t, const double *y);

/* Whether name is a metric sys provides a column for (a known name or a
 * family member with an existing population or layer tag). unit gets its
 * unit. LAM_ENOTFOUND naming the metric otherwise. */
int lam_metrics_check(const lam_system *sys, const char *name, char *unit,
                      size_t len, lam_err *err);
/* The value of a metric after the run (NaN when the model lacks it).
 * y_end is the state at the end of the run (lam_sim_state), which the
 * metrics of the final state read (attention_entropy, burst_rate,
 * identity_error); with y_end NULL those are NaN. */
int lam_metrics_value(lam_metrics *mc, const char *name, const double *y_end,
                      double *value, lam_err *err);

#endif
