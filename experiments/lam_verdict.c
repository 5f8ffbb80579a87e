/* lam_verdict.c: verdicts from bootstrap confidence intervals (see
 * lam_experiment.h). The rule is fixed before any experiment runs: only the
 * position of the whole 95% interval relative to the declared threshold
 * decides, so a verdict cannot be talked into "supported" after the fact. */
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

#include "lam_experiment.h"

const char *lam_verdict_name(lam_verdict v) {
  switch (v) {
  case LAM_VERDICT_SUPPORTED:
    return "supported";
  case LAM_VERDICT_NOT_SUPPORTED:
    return "not supported";
  default:
    return "inconclusive";
  }
}

const char *lam_evidence_name(lam_evidence v) {
  switch (v) {
  case LAM_EVIDENCE_ANALYTIC:
    return "analytic";
  case LAM_EVIDENCE_MIXED:
    return "mixed";
  default:
    return "emergent";
  }
}

lam_verdict lam_verdict_of(const lam_criterion *c, double lo, double hi,
                           size_t n) {
  if (n < 2 || !(lo <= hi)) {
    return LAM_VERDICT_INCONCLUSIVE;
  }
  const double t = c->threshold;
  if (c->direction > 0) {
    return lo > t ? LAM_VERDICT_SUPPORTED
                  : (hi <= t ? LAM_VERDICT_NOT_SUPPORTED
                             : LAM_VERDICT_INCONCLUSIVE);
  }
  return hi < t ? LAM_VERDICT_SUPPORTED
                : (lo >= t ? LAM_VERDICT_NOT_SUPPORTED
                           : LAM_VERDICT_INCONCLUSIVE);
}

int lam_bootstrap_ci(const double *x, size_t n, size_t nboot,
                     unsigned long seed, double *mean, double *lo, double *hi,
                     lam_err *err) {
  if (n == 0 || nboot < 2) {
    return lam_err_set(err, LAM_EINVAL,
                       "bootstrap: need at least one value and two resamples");
  }
  *mean = gsl_stats_mean(x, 1, n);
  if (n == 1) {
    *lo = *hi = x[0];
    return LAM_OK;
  }
  double *means = malloc(nboot * sizeof *means);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!means || !rng) {
    free(means);
    gsl_rng_free(rng);
    return LAM_NOMEM(err);
  }
  gsl_rng_set(rng, seed);
  for (size_t b = 0; b < nboot; b++) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
      s += x[gsl_rng_uniform_int(rng, n)];
    }
    means[b] = s / (double)n;
  }
  gsl_sort(means, 1, nboot);
  *lo = gsl_stats_quantile_from_sorted_data(means, 1, nboot, 0.025);
  *hi = gsl_stats_quantile_from_sorted_data(means, 1, nboot, 0.975);
  free(means);
  gsl_rng_free(rng);
  return LAM_OK;
}
