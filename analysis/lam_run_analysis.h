/* lam_run_analysis.h: the spectral observables of a recorded run, from its
 * layer signals (lam_layers.h), as `laminar analyze` reports them
 * (definitions: docs/analysis.md).
 *
 * From the layer signals: per layer the mean, the Welch band power and peak
 * frequency per band (of the mean of the columns' PSDs) and the band-mean
 * coherence between columns; the coherence between every two layers (same
 * column, mean over columns); per area the spectral segregation index
 * (L2/3 vs L5, needs the bands gamma and alphabeta) and the Tort modulation
 * index of L5 alpha phase against L2/3 gamma amplitude; between every two
 * areas of a run of stacked areas, both directions, the spectral Granger
 * causality per band of their area signals (analysis/lam_granger.h).
 * Then, per area, what the caller has: the entropy and total burst rate of
 * the attention weights (lam_analysis_attention) and the spectra per LFP
 * contact (lam_analysis_probe).
 *
 * The functions take arrays, never files: io/lam_run_analyze.h reads a run
 * file into them.
 *
 *   lam_analysis_opts o = lam_analysis_defaults();
 *   lam_analysis_time(t, ntot, o.t0, &fs, &i0, &n, &err);
 *   lam_layers_new(n, &ly, &err);   lam_layers_add(...) per population;
 *   lam_layers_finish(ly);
 *   lam_analysis_new(ly, fs, &o, &an, &err);
 *   ... an->layer[i].pw[b], an->area[k].segr, an->granger.pair[p] ...
 *   lam_analysis_free(an);
 */
#ifndef LAM_RUN_ANALYSIS_H
#define LAM_RUN_ANALYSIS_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_layers.h"
#include "lam_spectrum.h"

#define LAM_ANALYSIS_MAXBANDS 8
#define LAM_ANALYSIS_NAMELEN LAM_LAYERS_NAMELEN
#define LAM_ANALYSIS_MAXWARN 32
/* PAC needs this many cycles of its slowest phase frequency (8 Hz) in the
 * samples it uses; fewer: a warning. */
#define LAM_ANALYSIS_PAC_MIN_CYCLES 20

typedef struct lam_analysis_opts {
  /* The bands (Hz, 0 <= lo < hi); names are copied by lam_analysis_new. */
  lam_band band[LAM_ANALYSIS_MAXBANDS];
  size_t nb;
  double t0;  /* s: samples before it are ignored (lam_analysis_time) */
  double t1;  /* s: and samples after it (INFINITY: none; a plot's window) */
  const int *columns; /* the columns analysed (NULL: all; a plot's
                         --columns), ncolumns of them */
  size_t ncolumns;
  double seg; /* s: Welch segment (shortened to the data, at least 4
                 samples); 0: the rule of lam_welch_for */
  size_t granger_order; /* largest (or, fixed, the) VAR order between areas */
  int granger_criterion; /* LAM_GRANGER_AIC, _BIC or _FIXED */
} lam_analysis_opts;

/* The bands alphabeta 8-30 Hz and gamma 30-80 Hz (lam_bands), t0 0, t1
 * INFINITY, seg
 * 0 (the segment rule), Granger order up to 20 by BIC. */
lam_analysis_opts lam_analysis_defaults(void);

/* The sampling of a run from its sample times t[ntot]: fs = 1 / (t[1] -
 * t[0]), i0 the first sample at or after t0 (within 1e-9 of a sample), n =
 * ntot - i0. LAM_EINVAL with the message "expected at least 4 samples in",
 * "expected increasing, finite sample times in" or "--t0 leaves fewer than
 * 4 samples of" (the caller names the dataset after it). */
int lam_analysis_time(const double *t, size_t ntot, double t0, double *fs,
                      size_t *i0, size_t *n, lam_err *err);

typedef struct lam_analysis_layer {
  char name[LAM_ANALYSIS_NAMELEN];   /* as lam_layer_signal */
  char area[LAM_ANALYSIS_NAMELEN];
  char label[2 * LAM_ANALYSIS_NAMELEN + 2];
  char pops[256];
  char unit[LAM_ANALYSIS_NAMELEN];
  size_t ncols;
  double mean;
  /* per band: power (unit^2), peak (Hz), band-mean coherence between columns
   * (NaN with one column) */
  double pw[LAM_ANALYSIS_MAXBANDS], pk[LAM_ANALYSIS_MAXBANDS],
      coh[LAM_ANALYSIS_MAXBANDS];
  double *psd; /* the mean of the columns' PSDs, an->nfreq bins of an->df Hz,
                  in unit^2/Hz: the spectrum the peaks are found on */
} lam_analysis_layer;

/* What is computed per area (one area, named "", in a single-area run). */
typedef struct lam_analysis_area {
  char name[LAM_ANALYSIS_NAMELEN];
  int have_seg, have_pac;
  lam_segregation segr;
  double mi; /* Tort MI */
  /* attention weights (lam_analysis_attention) */
  int have_attn;
  size_t attn_rows, attn_keys;
  double ent_final, burst_final, ent_mean, burst_mean;
  /* probe (lam_analysis_probe): per contact c, cpw/cpk[c * nb + b] */
  size_t nc;
  double *depth, *cmean, *cpw, *cpk;
  char lfp_unit[LAM_ANALYSIS_NAMELEN];
} lam_analysis_area;

typedef struct lam_analysis_gpair {
  size_t from, to, order; /* areas (indices into granger.name) */
  double gc[LAM_ANALYSIS_MAXBANDS]; /* band mean, from -> to, nats; NaN: none */
} lam_analysis_gpair;

/* Granger causality between the area signals (computed with two or more). */
typedef struct lam_analysis_granger {
  size_t na;
  char name[LAM_LAYERS_MAXAREAS][LAM_ANALYSIS_NAMELEN];
  size_t pmax;
  int criterion;
  size_t np;
  lam_analysis_gpair pair[LAM_LAYERS_MAXAREAS * (LAM_LAYERS_MAXAREAS - 1)];
  char note[1200]; /* why a pair was not computed ("AREA:AREA: why"), or "" */
} lam_analysis_granger;

/* The results (read-only for the caller). */
typedef struct lam_analysis {
  size_t n;        /* samples analysed */
  double fs;       /* Hz */
  double t0;       /* s, as asked */
  double seg;      /* s, the Welch segment used */
  size_t nsegments; /* Welch segments averaged */
  size_t nfreq;    /* bins of each layer's psd, 0 .. fs/2 */
  double df;       /* Hz, their spacing */
  lam_band band[LAM_ANALYSIS_MAXBANDS];
  size_t nb;
  lam_analysis_layer layer[LAM_LAYERS_MAX];
  size_t nl;
  /* pcoh[i][j][b]: coherence of layers i < j, same columns (min of both) */
  double pcoh[LAM_LAYERS_MAX][LAM_LAYERS_MAX][LAM_ANALYSIS_MAXBANDS];
  int multi; /* a run of stacked areas */
  lam_analysis_area area[LAM_LAYERS_MAXAREAS];
  size_t na;
  lam_analysis_granger granger;
  /* What the numbers cannot be trusted for, one sentence each (the first
   * LAM_ANALYSIS_MAXWARN; nwarn counts all): too few Welch segments for
   * coherence, a band whose power is largest at its edge, a Granger order
   * at its maximum, a run shorter than 3 cycles of the lowest band, PAC
   * over too few slow cycles. */
  char warn[LAM_ANALYSIS_MAXWARN][240];
  size_t nwarn;
  /* private: band names, the Welch estimator of the layer spectra */
  char bandname_[LAM_ANALYSIS_MAXBANDS][LAM_ANALYSIS_NAMELEN];
  lam_welch *welch_;
} lam_analysis;

/* Everything from the layer signals of ly (lam_layers_finish done) sampled
 * at fs Hz. Errors: LAM_EINVAL (no layer, bad options), LAM_ENOMEM, and a
 * failing spectrum (its message, then the layer's name). */
int lam_analysis_new(const lam_layer_group *ly, double fs,
                     const lam_analysis_opts *opts, lam_analysis **out,
                     lam_err *err);
void lam_analysis_free(lam_analysis *an);

/* Attention weights of area k: v holds an->n samples of rows x keys burst
 * rates (row-major per sample, rows = queries x heads); their entropy and
 * total burst rate (analysis/lam_metrics.h) at the last sample and the
 * means over all. */
void lam_analysis_attention(lam_analysis *an, size_t k, const double *v,
                            size_t rows, size_t keys);

/* The LFP of area k: lfp holds an->n samples x nc contacts (row-major) at
 * depths depth[nc] (um, copied), in unit: per contact the mean and the band
 * powers and peaks. LAM_ENOMEM, or a failing spectrum. */
int lam_analysis_probe(lam_analysis *an, size_t k, const double *lfp,
                       size_t nc, const double *depth, const char *unit,
                       lam_err *err);

#endif
