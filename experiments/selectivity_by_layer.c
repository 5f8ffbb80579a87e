/* selectivity_by_layer.c: P2, attention-like selectivity is strongest at the L5
 * output and weak in L4 (P2, docs/experiments/README.md). Competing inputs of
 * graded similarity to the top-down context; the distribution of activity over
 * the competing columns is read per layer and its entropy compared. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "lam_attn.h"
#include "lam_exp_topdown.h"

enum { T = 8, D = 8 };

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  double X[T * D], z[D];
  int rc = lam_exp_graded_inputs(T, D, seed, X, z, err);
  /* Unequal input norms (so that H(L4) is not log T by construction): row j
   * scaled by a factor uniform in [0.5, 1.5], seeded. */
  gsl_rng *rng = rc ? NULL : gsl_rng_alloc(gsl_rng_mt19937);
  if (!rc && !rng) {
    rc = LAM_NOMEM(err);
  }
  if (!rc) {
    gsl_rng_set(rng, seed + 7000);
    for (size_t j = 0; j < T; j++) {
      const double g = 0.5 + gsl_rng_uniform(rng);
      for (size_t u = 0; u < D; u++) {
        X[j * D + u] *= g;
      }
    }
    gsl_rng_free(rng);
  }
  /* Random projections (seeded): Q.K is not the input similarity itself. */
  const lam_exp_td td = {T, D, X, z, 1.0, 1.0, lam_exp_quick(x) ? 0.5 : 1.0, NULL,
                         seed + 5000};
  lam_exp_td_out o;
  lam_sim_params *p = NULL;
  if (!rc) {
    rc = lam_exp_params(x, seed, &p, err);
  }
  if (!rc) {
    rc = lam_exp_td_run(x, p, &td, &o, err);
  }
  lam_sim_params_free(p);
  if (rc) {
    return rc;
  }
  const double h4 = lam_attn_entropy_row(o.l4, T);
  const double h23 = lam_attn_entropy_row(o.l23, T);
  const double h5 = lam_attn_entropy_row(o.attn, T);
  lam_exp_td_out_free(&o);
  rc = lam_exp_metric(x, "graded", "entropy_l4", h4, "nat", err);
  if (!rc) {
    rc = lam_exp_metric(x, "graded", "entropy_l23", h23, "nat", err);
  }
  if (!rc) {
    rc = lam_exp_metric(x, "graded", "entropy_l5", h5, "nat", err);
  }
  if (!rc) {
    rc = lam_exp_metric(x, "graded", "entropy_max", log((double)T), "nat", err);
  }
  /* Both steps of the ordering H(L5) < H(L2/3) < H(L4) must hold. */
  *effect = fmin(h4 - h23, h23 - h5);
  return rc;
}

/* Entropy per layer (mean +- SD over seeds) against its maximum log T. */
static int figures(lam_exp *x, lam_err *err) {
  static const char *const metric[] = {"entropy_l4", "entropy_l23", "entropy_l5"};
  static const char *const ticks[] = {"L4 |V|", "L2/3 |Q|", "L5 burst R"};
  double y[3], lo[3], hi[3], hmax[3];
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < 3; i++) {
    rc = lam_exp_mean_ci(x, "graded", metric[i], &y[i], &lo[i], &hi[i], NULL, err);
    hmax[i] = log((double)T);
  }
  if (rc) {
    return rc;
  }
  const lam_exp_curve cv[] = {{.label = "entropy", .y = y, .lo = lo, .hi = hi},
                              {.label = "log T (max)", .y = hmax}};
  const lam_exp_fig fig = {.file = "entropy_by_layer.png",
                           .title = "selectivity-by-layer: entropy of the activity over 8 competing columns",
                           .xlabel = "layer", .ylabel = "entropy (nat)",
                           .xticks = ticks, .n = 3};
  return lam_exp_figure_lines(x, &fig, cv, 2, err);
}

const lam_experiment lam_exp_selectivity_by_layer = {
    .name = "selectivity-by-layer",
    .id = "P2",
    .category = "laminar specialization",
    .prediction = "Attention-like selectivity (sharpening of the distribution over competing "
                  "inputs) is strongest at the L5 output, after the Q.K gate, and weak in L4",
    .protocol = "8 columns receive inputs of graded similarity m_j = j/7 to one top-down "
                "context z and unequal norms (row j scaled by U[0.5, 1.5], seeded), through "
                "random seeded projections W_Q, W_K, W_V ~ N(0, 1/d) (topdown topology); run 1 s",
    .manipulation = "similarity of each competing input to the context",
    .metric = "Entropy (nats) over columns of the normalised activity per layer: |V_j| (L4), "
              "|Q_j| (L2/3), burst rate R_j of the top-down query (L5)",
    .effect = "min(H(L4) - H(L2/3), H(L2/3) - H(L5)), nats: positive when H(L5) < H(L2/3) < H(L4)",
    .citation = "prediction P2 (docs/experiments/README.md)",
    /* 0.05 nat: the entropy drop when one of 8 keys gets 2.2 times the
     * weight of the others (docs/experiments/selectivity-by-layer.md). */
    .criterion = {+1, 0.05, "H(L5) < H(L2/3) < H(L4), each step by more than 0.05 nat"},
    .evidence = LAM_EVIDENCE_EMERGENT,
    .run_seed = run_seed,
    .figures = figures,
};
