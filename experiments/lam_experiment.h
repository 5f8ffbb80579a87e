/* lam_experiment.h: the predictions of the column-as-attention hypothesis as
 * named, reproducible experiments (docs/experiments/).
 *
 * An experiment declares, before it runs, its prediction, protocol,
 * manipulation, metric and criterion. The framework runs it once per seed,
 * collects one effect size per seed, bootstraps a 95% confidence interval of
 * the mean effect over seeds and compares the interval with the criterion:
 *
 *   supported      the whole CI lies on the predicted side of the threshold
 *   not supported  the whole CI lies on the other side
 *   inconclusive   the CI straddles the threshold (or too few seeds)
 *
 * Every experiment writes DIR/NAME/metrics.csv (tidy: seed, condition,
 * metric, value, unit) and DIR/NAME/result.json; `--all` adds DIR/report.md
 * and DIR/report.html (experiments/lam_report.c).
 */
#ifndef LAM_EXPERIMENT_H
#define LAM_EXPERIMENT_H

#include <signal.h>
#include <stddef.h>

#include "lam_error.h"
#include "lam_sim.h"
#include "lam_sim_params.h"

typedef enum {
  LAM_VERDICT_SUPPORTED = 0,
  LAM_VERDICT_NOT_SUPPORTED = 1,
  LAM_VERDICT_INCONCLUSIVE = 2
} lam_verdict;

/* "supported", "not supported", "inconclusive". */
const char *lam_verdict_name(lam_verdict v);

/* The pre-declared criterion on the effect size: effect > threshold
 * (direction +1) or effect < threshold (direction -1). */
typedef struct lam_criterion {
  int direction;
  double threshold;
  const char *text; /* the same in words, with units */
} lam_criterion;

/* Verdict of a confidence interval [lo, hi] against a criterion. Fewer
 * than 2 seeds (n < 2) is inconclusive whatever the interval. */
lam_verdict lam_verdict_of(const lam_criterion *c, double lo, double hi,
                           size_t n);

/* Mean of x[n] and its percentile-bootstrap 95% interval (nboot resamples,
 * GSL mt19937 seeded with seed). n = 1 gives lo = hi = x[0]. */
int lam_bootstrap_ci(const double *x, size_t n, size_t nboot,
                     unsigned long seed, double *mean, double *lo, double *hi,
                     lam_err *err);

typedef struct lam_exp lam_exp; /* one running experiment (context) */

/* What decides a verdict (docs/experiments/README.md, "Evidence"):
 * analytic  it follows from the equations whatever the parameters (the page
 *           gives the derivation);
 * emergent  it depends on the simulated dynamics and the parameters;
 * mixed     some clauses are analytic, others emergent (listed in clauses). */
typedef enum {
  LAM_EVIDENCE_EMERGENT = 0,
  LAM_EVIDENCE_ANALYTIC = 1,
  LAM_EVIDENCE_MIXED = 2
} lam_evidence;

/* "emergent", "analytic", "mixed". */
const char *lam_evidence_name(lam_evidence v);

/* One clause of a prediction and the class of its evidence. */
typedef struct lam_exp_clause {
  const char *clause;
  lam_evidence evidence; /* analytic or emergent */
} lam_exp_clause;

typedef struct lam_experiment {
  const char *name;         /* "pv-softmax" */
  const char *prediction;   /* one line: what the hypothesis predicts */
  const char *category;     /* "contextual modulation", ... */
  const char *id;           /* "P4", or "" */
  const char *protocol;     /* what is run */
  const char *manipulation; /* what is changed */
  const char *metric;       /* what is measured, with units */
  const char *effect;       /* definition of the per-seed effect size */
  const char *citation;     /* sources (docs/references.md) */
  lam_criterion criterion;
  lam_evidence evidence;
  /* For mixed evidence: the clauses, NULL-terminated ({NULL} ends it). */
  const lam_exp_clause *clauses;
  /* Run one seed: record metrics with lam_exp_metric and return the effect
   * size of this seed in *effect. */
  int (*run_seed)(lam_exp *x, unsigned long seed, double *effect,
                  lam_err *err);
  /* Optional: draw the experiment's figures into lam_exp_dir from the
   * per-condition means over seeds (lam_exp_mean), after the last seed.
   * Without PLplot (LAM_EUNSUPPORTED) the run goes on without figures. */
  int (*figures)(lam_exp *x, lam_err *err);
} lam_experiment;

/* The registry, in report order. */
size_t lam_experiment_count(void);
const lam_experiment *lam_experiment_get(size_t i);
const lam_experiment *lam_experiment_find(const char *name);

/* Where in its declared parameter region a prediction holds
 * (experiments/lam_region.h): written into result.json as "region". */
#define LAM_REGION_MAX_KEYS 4
typedef struct lam_region_summary {
  size_t points;     /* drawn */
  size_t failed;     /* points whose run failed (not in the fraction) */
  size_t supported;  /* points where the effect meets the criterion */
  size_t seeds;      /* per point */
  double fraction;   /* supported / (points - failed) */
  double lo, hi;     /* its Wilson 95% interval */
  size_t nkeys;      /* keys, by decreasing |rho| */
  const char *key[LAM_REGION_MAX_KEYS];
  double key_lo[LAM_REGION_MAX_KEYS], key_hi[LAM_REGION_MAX_KEYS];
  double rho[LAM_REGION_MAX_KEYS]; /* Spearman of the key with the effect */
} lam_region_summary;

/* How to run. */
typedef struct lam_exp_opts {
  const char *model_path;  /* base model file (models/default.ini) */
  char **sets;             /* --set overrides of the base model */
  size_t nsets;
  size_t nseeds;           /* seeds 1..nseeds */
  int quick;               /* fewer seeds, shorter runs (CI) */
  const char *outdir;      /* DIR */
  /* progress: called before each seed of each experiment */
  void (*progress)(void *ctx, const char *name, size_t seed, size_t nseeds);
  void *ctx;
  volatile sig_atomic_t *stop; /* non-zero: stop at the next seed */
  const lam_region_summary *region; /* or NULL: "region" in result.json */
} lam_exp_opts;

/* The summary of one finished experiment (also in result.json). */
typedef struct lam_exp_result {
  const lam_experiment *e;
  lam_verdict verdict;
  double effect, lo, hi;   /* mean effect and its 95% CI over seeds */
  size_t nseeds;
  int preliminary;         /* a --quick run: few seeds, shorter runs */
  double wall_seconds;
  int has_region;           /* o->region was given: its copy */
  lam_region_summary region;
} lam_exp_result;

/* Run one experiment and write DIR/NAME/. */
int lam_experiment_run(const lam_experiment *e, const lam_exp_opts *o,
                       lam_exp_result *res, lam_err *err);

/* Run seeds 1..nseeds of e on the base model with o's --set overrides and
 * its effects into effects[nseeds]: one point of a prediction map
 * (lam_region.h). sets[0..nsets) ("section.key=value") are applied after
 * them to the base model (file NULL) or else only to the model file the
 * experiment reads by that name (lam_exp_params_file). Metrics are not
 * kept; files the experiment writes for its runs go to dir. */
int lam_exp_run_point(const lam_experiment *e, const lam_exp_opts *o,
                      const char *const *sets, size_t nsets, const char *file,
                      const char *dir, size_t nseeds, double *effects, lam_err *err);

/* Write DIR/report.md and DIR/report.html from finished results. */
int lam_report_write(const char *outdir, const lam_exp_result *r, size_t n,
                     const lam_exp_opts *o, lam_err *err);

/* ---- for experiment files ------------------------------------------ */

/* Is this a --quick run (shorter runs, fewer points)? */
int lam_exp_quick(const lam_exp *x);

/* Fresh parameters: the base model (read once per experiment, with the
 * user's --set overrides) with the seed as input.seed, weights.seed,
 * solver.seed and stimulus.noise_seed. The experiment sets the fields of
 * its condition (p->column.pv_strength = 0.5) and frees *out with
 * lam_sim_params_free. */
int lam_exp_params(lam_exp *x, unsigned long seed, lam_sim_params **out,
                   lam_err *err);

/* Are the base model's rhythms the column's own? Clocks on and neither band
 * from a prescribed clock (gamma_source and alpha_source both other than
 * "clock": ping / deep, or a generator; docs/rhythms.md). The oscillatory
 * experiments then change their protocol (their pages, "On the emergent
 * model"). */
int lam_exp_rhythms_made(const lam_exp *x);

/* Fresh parameters from another model file (path relative to the base
 * model's directory, e.g. "mejias2016.ini" beside models/default.ini), for
 * experiments that need another column kind: solver.seed = seed (the noise
 * of the stochastic solvers). The user's --set overrides target the base
 * model and are not applied. */
int lam_exp_params_file(lam_exp *x, unsigned long seed, const char *file,
                        lam_sim_params **out, lam_err *err);

/* Record a metric of this seed under a condition label. */
int lam_exp_metric(lam_exp *x, const char *condition, const char *metric,
                   double value, const char *unit, lam_err *err);

/* Simulate p (from lam_exp_params; the simulation keeps its own copy) for
 * t_end seconds with no recording; *out is the finished simulation (final
 * state inside). */
int lam_exp_simulate(lam_exp *x, const lam_sim_params *p, double t_end,
                     lam_sim **out, lam_err *err);

/* Mean over columns of the per-column population activity, sampled every
 * dt seconds after t_skip: a samples x 1 series per population, for
 * spectra. pops: NULL-terminated names; out[p] are malloc'ed (n each). */
int lam_exp_series(lam_exp *x, const lam_sim_params *p, double t_end, double dt,
                   double t_skip, const char *const *pops, double **out,
                   size_t *n, lam_err *err);

/* Run p for t_end seconds and return the Welch band power (1 kHz samples
 * after t_skip, 0.25 s Hann segments) of the column-mean series of each
 * population in pops (NULL-terminated, at most 8) in each band [lo, hi] Hz:
 * pw[i * nb + b] for population i. experiments/lam_exp_spectra.c. */
int lam_exp_band_power(lam_exp *x, const lam_sim_params *p, double t_end,
                       double t_skip, const char *const *pops, const double (*band)[2],
                       size_t nb, double *pw, lam_err *err);

/* Directory of this experiment's outputs (for figures). */
const char *lam_exp_dir(const lam_exp *x);

/* Ordinary least squares y ~ design (n x p, row-major): coefficients
 * coef[p] (or NULL) and R^2 (or NULL). experiments/lam_exp_fit.c. */
int lam_exp_lsq(const double *design, const double *y, size_t n, size_t p,
                double *coef, double *r2, lam_err *err);

/* ---- figures (experiments/lam_exp_figure.c) ------------------------ */

/* Mean and standard deviation over seeds of a recorded metric (sd may be
 * NULL; 0 for one seed). LAM_ENOTFOUND when it was never recorded. */
int lam_exp_mean(const lam_exp *x, const char *condition, const char *metric,
                 double *mean, double *sd, lam_err *err);

/* Mean over seeds of a recorded metric and its percentile-bootstrap 95%
 * interval [lo, hi], the bootstrap of the verdicts (2000 resamples, fixed
 * seed); *n (may be NULL) the number of seeds. One seed: lo = hi = mean.
 * LAM_ENOTFOUND when it was never recorded. The figures' error bars. */
int lam_exp_mean_ci(const lam_exp *x, const char *condition,
                    const char *metric, double *mean, double *lo, double *hi,
                    size_t *n, lam_err *err);

/* One curve: n values y, with error half-widths e (+- s.d.) or the
 * interval [lo, hi] of each point (a bootstrap CI: lam_exp_mean_ci), or
 * neither. */
typedef struct lam_exp_curve {
  const char *label; /* legend, or the y label of a stacked panel */
  const double *y;
  const double *e;
  const double *lo, *hi;
} lam_exp_curve;

/* A figure written to lam_exp_dir()/file (.png). x: n positions, or NULL
 * for n categories at 0..n-1 named by xticks (tick labels on the axis).
 * stacked: one panel per curve, sharing x. Log axes draw intervals
 * (lo/hi) but drop +- e bars. bars: what the error bars are, said under
 * the title ("95% bootstrap CI over 10 seeds"); NULL: the figure says
 * "bars: 95% bootstrap CI" when a curve has lo/hi, "bars: +- s.d." when
 * one has e. */
typedef struct lam_exp_fig {
  const char *file, *title, *xlabel, *ylabel;
  const double *x;
  const char *const *xticks;
  size_t n;
  int xlog, ylog, stacked;
  const char *bars;
} lam_exp_fig;

/* Points joined by lines, one colour per curve, legend when several. */
int lam_exp_figure_lines(lam_exp *x, const lam_exp_fig *fig,
                         const lam_exp_curve *c, size_t nc, lam_err *err);

/* Heat map of z (x-major: z[ix * ny + iy]) over fig->x (n values) x y (ny
 * values), cells centred on the values; an uneven grid is drawn on the
 * index of its values, its ticks named by the values. */
int lam_exp_figure_heatmap(lam_exp *x, const lam_exp_fig *fig, const double *y,
                           size_t ny, const double *z, const char *zlabel,
                           lam_err *err);

#endif
