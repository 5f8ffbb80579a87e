/* lam_region.h: prediction maps (docs/experiments/README.md, "Prediction
 * maps"): where in the plausible parameter region does each prediction
 * hold?
 *
 * Every experiment declares a region (experiments/lam_regions.c): 1 to
 * LAM_REGION_MAX_KEYS model keys, each with a range in its parameter
 * table's unit and the biological source of that range. lam_region_run
 * draws N Latin-hypercube points in it (the sweep engine's points,
 * lam_sweep_points.h), runs the experiment at each point with a few seeds
 * in worker processes (lam_sweep_pool.h), appends one row per point to
 * DIR/NAME/region.csv (the sweep engine's crash-safe table,
 * lam_sweep_table.h: an interrupted map resumes where it stopped), and
 * summarises: the fraction of points where the prediction holds, its
 * Wilson 95% interval over the points, the Spearman rank correlation of
 * each key with the effect, and DIR/NAME/region.png, the effect over the
 * two keys with the largest |rho|.
 */
#ifndef LAM_REGION_H
#define LAM_REGION_H

#include <stddef.h>

#include "lam_experiment.h"

/* One key of a region: values drawn in [lo, hi] (uniform, or uniform in
 * log space with log), in the unit of the key's parameter table. */
typedef struct lam_region_key {
  const char *key;    /* "column.tau_pv" */
  double lo, hi;
  int log;
  const char *source; /* why this range, citing docs/references.md */
} lam_region_key;

typedef struct lam_region {
  const char *experiment; /* its name in the registry */
  size_t seeds;           /* seeds per point (1..seeds) */
  size_t nkeys;
  lam_region_key keys[LAM_REGION_MAX_KEYS];
  /* NULL: the keys are the base model's. Else the model file beside the
   * base model that the experiment runs (lam_exp_params_file), whose keys
   * these are ("mejias2016.ini"). */
  const char *model;
} lam_region;

/* The declared regions (lam_regions.c), one per experiment. */
size_t lam_region_count(void);
const lam_region *lam_region_get(size_t i);
/* The region of an experiment, or NULL when it declares none. */
const lam_region *lam_region_find(const char *experiment);

/* Check a region before anything runs or is written: r not NULL (else
 * "experiment NAME declares no region"), 1..LAM_REGION_MAX_KEYS keys, each
 * a number key of a parameter table with lo < hi inside its documented
 * range (log: lo > 0), no key twice, seeds >= 1, 1 <= npoints <=
 * LAM_SWEEP_MAX_POINTS. LAM_EINVAL with a message naming the experiment
 * and the key. */
int lam_region_check(const lam_experiment *e, const lam_region *r, size_t npoints,
                     lam_err *err);

/* Wilson score 95% interval (z = 1.96) of k successes in n trials; n = 0
 * gives [0, 1]. */
void lam_region_wilson(size_t k, size_t n, double *lo, double *hi);

/* Spearman rank correlation of x and y (n pairs, ties get mean ranks);
 * NAN when n < 3 or either is constant. */
double lam_region_spearman(const double *x, const double *y, size_t n);

typedef struct lam_region_opts {
  size_t npoints;      /* N */
  unsigned long seed;  /* of the Latin hypercube */
  int jobs;            /* worker processes (>= 1) */
  int restart;         /* move an existing region.csv of another draw aside */
  /* After every point written (done of todo this invocation). */
  void (*progress)(void *ctx, const char *name, size_t done, size_t todo);
  void *ctx;
} lam_region_opts;

/* Map the prediction of e over r (checked first: nothing is written on a
 * bad region), into o->outdir/NAME/region.csv and region.png; points
 * already in region.csv are not run again. A point whose experiment fails
 * is a failed row (counted in sum->failed, not in the fraction). o->stop
 * interrupts (LAM_EINTERRUPT; the rows written stay). The point's seeds
 * run in o->outdir/NAME/region-points/ID/ (the files an experiment writes
 * for its runs). */
int lam_region_run(const lam_experiment *e, const lam_region *r, const lam_exp_opts *o,
                   const lam_region_opts *ro, lam_region_summary *sum, lam_err *err);

/* The figure of a map (experiments/lam_exp_figure.c): a heat map (viridis)
 * of the effect z over keys x and y, interpolated between the points
 * (inverse squared distance in the range-normalised plane, log10 for log
 * keys), with the points on top, sky blue where the prediction holds
 * (ok[i]), vermillion where not. Without y (one key): z against x, with
 * the criterion's threshold as a line. */
typedef struct lam_exp_map {
  const char *path, *title, *xlabel, *ylabel, *zlabel;
  const double *x, *y, *z;
  const int *ok;
  size_t n;
  double x0, x1, y0, y1; /* the ranges */
  int xlog, ylog;
  double threshold;
} lam_exp_map;

int lam_exp_figure_map(const lam_exp_map *m, lam_err *err);

#endif
