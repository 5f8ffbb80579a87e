/* context_invariance_l4.c: P1, L4 carries stimulus content independent of
 * the task context; context shows up in L2/3 and L5 (P1,
 * docs/experiments/README.md). The
 * thalamic input is fixed and the top-down context swapped. */
#include <math.h>
#include <stdlib.h>

#include "lam_exp_topdown.h"

enum { T = 8, D = 8 };

static double rel_change(const double *a, const double *b, size_t n) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < n; i++) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    den += a[i] * a[i];
  }
  return den > 0.0 ? sqrt(num / den) : 0.0;
}

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  double X[T * D], z1[D], z2[D], Xo[T * D];
  /* Two independent contexts: the second from another seed's draw. */
  int rc = lam_exp_graded_inputs(T, D, seed, X, z1, err);
  if (!rc) {
    rc = lam_exp_graded_inputs(T, D, seed + 100000, Xo, z2, err);
  }
  const double t_end = lam_exp_quick(x) ? 0.5 : 1.0;
  const lam_exp_td td1 = {T, D, X, z1, 1.0, 1.0, t_end, "_z1", 0};
  const lam_exp_td td2 = {T, D, X, z2, 1.0, 1.0, t_end, "_z2", 0};
  lam_exp_td_out o1, o2;
  lam_sim_params *p = NULL;
  if (!rc) {
    rc = lam_exp_params(x, seed, &p, err);
  }
  if (!rc) {
    rc = lam_exp_td_run(x, p, &td1, &o1, err);
  }
  /* Common random numbers: the second context runs with the same seed (input
   * noise, clock phases, weights), so that the context is the only
   * difference between the two runs. */
  if (!rc) {
    rc = lam_exp_td_run(x, p, &td2, &o2, err);
    if (rc) {
      lam_exp_td_out_free(&o1);
    }
  }
  lam_sim_params_free(p);
  if (rc) {
    return rc;
  }
  const double d4 = rel_change(o1.V, o2.V, T * D);
  const double d23 = rel_change(o1.Q, o2.Q, T * D);
  const double d5 = rel_change(o1.out, o2.out, D);
  lam_exp_td_out_free(&o1);
  lam_exp_td_out_free(&o2);
  rc = lam_exp_metric(x, "swap", "change_l4", d4, "1", err);
  if (!rc) {
    rc = lam_exp_metric(x, "swap", "change_l23", d23, "1", err);
  }
  if (!rc) {
    rc = lam_exp_metric(x, "swap", "change_l5_out", d5, "1", err);
  }
  *effect = fmin(d23, d5) - d4;
  return rc;
}

/* Relative change per layer when the context is swapped (mean +- SD). */
static int figures(lam_exp *x, lam_err *err) {
  static const char *const metric[] = {"change_l4", "change_l23", "change_l5_out"};
  static const char *const ticks[] = {"L4 V", "L2/3 Q", "L5 output O"};
  double y[3], lo[3], hi[3];
  for (size_t i = 0; i < 3; i++) {
    int rc = lam_exp_mean_ci(x, "swap", metric[i], &y[i], &lo[i], &hi[i], NULL, err);
    if (rc) {
      return rc;
    }
  }
  const lam_exp_curve cv = {.label = "relative change", .y = y, .lo = lo, .hi = hi};
  const lam_exp_fig fig = {.file = "change_by_layer.png",
                           .title = "context-invariance-l4: change when the top-down context is swapped",
                           .xlabel = "layer", .ylabel = "relative change ||r(z1) - r(z2)|| / ||r(z1)|| (1)",
                           .xticks = ticks, .n = 3};
  return lam_exp_figure_lines(x, &fig, &cv, 1, err);
}

const lam_experiment lam_exp_context_invariance_l4 = {
    .name = "context-invariance-l4",
    .id = "P1",
    .category = "laminar specialization",
    .prediction = "L4 carries stimulus content (V) largely independent of the task context; "
                  "context and selection show up in L2/3 and L5",
    .protocol = "8 columns, fixed thalamic input; two independent top-down contexts z1, z2 "
                "(topdown topology, identity projections); run 1 s each with the same seed (input "
                "noise, clock phases: common random numbers)",
    .manipulation = "swap the top-down context z1 -> z2 with the thalamic input fixed",
    .metric = "Relative change ||r(z1) - r(z2)|| / ||r(z1)|| of the final L4 state V, L2/3 "
              "state Q and L5 output O",
    .effect = "min(change L2/3, change L5) - change L4",
    .citation = "prediction P1 (docs/experiments/README.md)",
    .criterion = {+1, 0.05, "L2/3 and L5 change by at least 0.05 more than L4"},
    .evidence = LAM_EVIDENCE_MIXED,
    .clauses = (const lam_exp_clause[]){
        {"L4 does not change with the context (no top-down term in the L4 equation)",
         LAM_EVIDENCE_ANALYTIC},
        {"L2/3 and L5 change by more than 0.05", LAM_EVIDENCE_EMERGENT},
        {NULL, LAM_EVIDENCE_EMERGENT}},
    .run_seed = run_seed,
    .figures = figures,
};
