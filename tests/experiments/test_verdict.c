/* test_verdict.c: the verdict rule and the bootstrap interval, on synthetic
 * effects whose right verdict is known in advance. */
#include <criterion/criterion.h>
#include <math.h>

#include "lam_experiment.h"

static const lam_criterion above = {+1, 0.5, "effect > 0.5"};
static const lam_criterion below = {-1, -4.0, "effect < -4"};

Test(verdict, clearly_inside_outside_straddling) {
  cr_assert_eq(lam_verdict_of(&above, 0.6, 0.9, 10), LAM_VERDICT_SUPPORTED);
  cr_assert_eq(lam_verdict_of(&above, 0.1, 0.4, 10), LAM_VERDICT_NOT_SUPPORTED);
  cr_assert_eq(lam_verdict_of(&above, 0.4, 0.6, 10), LAM_VERDICT_INCONCLUSIVE);
  cr_assert_eq(lam_verdict_of(&below, -6.0, -5.0, 10), LAM_VERDICT_SUPPORTED);
  cr_assert_eq(lam_verdict_of(&below, -3.0, -1.0, 10), LAM_VERDICT_NOT_SUPPORTED);
  cr_assert_eq(lam_verdict_of(&below, -4.5, -3.5, 10), LAM_VERDICT_INCONCLUSIVE);
  /* One seed never decides; a NaN interval never decides. */
  cr_assert_eq(lam_verdict_of(&above, 0.9, 0.9, 1), LAM_VERDICT_INCONCLUSIVE);
  cr_assert_eq(lam_verdict_of(&above, NAN, NAN, 10), LAM_VERDICT_INCONCLUSIVE);
  cr_assert_str_eq(lam_verdict_name(LAM_VERDICT_NOT_SUPPORTED), "not supported");
}

/* Effects drawn around a known mean: the interval must contain it, have
 * about the normal-theory width 2 * 1.96 s / sqrt(n), and decide the verdict
 * the same way as the known mean does when it is far from the threshold. */
Test(verdict, bootstrap_interval_matches_normal_theory) {
  enum { N = 400 };
  double x[N];
  /* A deterministic sample with mean 1 and standard deviation 0.5 (a
   * symmetric two-point design: +-0.5 around 1). */
  for (size_t i = 0; i < N; i++) {
    x[i] = 1.0 + (i % 2 ? 0.5 : -0.5);
  }
  double mean, lo, hi;
  lam_err err = {0};
  cr_assert_eq(lam_bootstrap_ci(x, N, 4000, 7, &mean, &lo, &hi, &err), LAM_OK);
  cr_assert_float_eq(mean, 1.0, 1e-12);
  const double half = 1.96 * 0.5 / sqrt((double)N); /* 0.049 */
  cr_assert(lo < 1.0 && hi > 1.0, "[%g, %g]", lo, hi);
  cr_assert_float_eq(hi - lo, 2 * half, 0.15 * 2 * half, "width %g vs %g", hi - lo, 2 * half);
  cr_assert_eq(lam_verdict_of(&above, lo, hi, N), LAM_VERDICT_SUPPORTED);
  /* Same seed, same interval. */
  double m2, lo2, hi2;
  lam_bootstrap_ci(x, N, 4000, 7, &m2, &lo2, &hi2, &err);
  cr_assert(lo2 == lo && hi2 == hi);
}

Test(verdict, bootstrap_edge_cases) {
  double one = 3.0, mean, lo, hi;
  lam_err err = {0};
  cr_assert_eq(lam_bootstrap_ci(&one, 1, 100, 1, &mean, &lo, &hi, &err), LAM_OK);
  cr_assert(mean == 3.0 && lo == 3.0 && hi == 3.0);
  cr_assert_eq(lam_bootstrap_ci(&one, 0, 100, 1, &mean, &lo, &hi, &err), LAM_EINVAL);
}

Test(registry, names_unique_and_documented) {
  const size_t n = lam_experiment_count();
  cr_assert_geq(n, 2);
  for (size_t i = 0; i < n; i++) {
    const lam_experiment *e = lam_experiment_get(i);
    cr_assert(e->name && e->prediction && e->protocol && e->manipulation &&
              e->metric && e->effect && e->citation && e->criterion.text &&
              e->run_seed && e->id);
    cr_assert(e->criterion.direction == 1 || e->criterion.direction == -1);
    cr_assert_eq(lam_experiment_find(e->name), e);
    for (size_t j = 0; j < i; j++) {
      cr_assert_str_neq(lam_experiment_get(j)->name, e->name);
    }
  }
  cr_assert_null(lam_experiment_find("no-such-experiment"));
}
