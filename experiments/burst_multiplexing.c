/* burst_multiplexing.c: P5, L5 multiplexes two signals: the event rate
 * follows the basal (bottom-up) input, the burst probability the apical
 * (top-down) input (Naud & Sprekeler 2018; Larkum 2013). The attention
 * column has no separate event/burst split, so the events are the L5 basal
 * rate E = mean_j |K_j| and the bursts the total burst rate B = sum_j R_j of
 * the top-down query; the burst probability is P = B / E. */
#include <math.h>
#include <stdio.h>

#include "lam_exp_topdown.h"

enum { T = 8, D = 8, NL = 3 };

static const double level[NL] = {0.5, 1.0, 2.0};

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  double X[T * D], z[D], lE[NL * NL], lP[NL * NL], design[NL * NL * 3];
  int rc = lam_exp_graded_inputs(T, D, seed, X, z, err);
  for (size_t ia = 0; !rc && ia < NL; ia++) {
    for (size_t ib = 0; !rc && ib < NL; ib++) {
      const double a = level[ia], b = level[ib];
      const lam_exp_td td = {T, D, X, z, b, a, lam_exp_quick(x) ? 0.5 : 1.0, NULL, 0};
      lam_exp_td_out o;
      lam_sim_params *p = NULL;
      rc = lam_exp_params(x, seed, &p, err);
      if (!rc) {
        rc = lam_exp_td_run(x, p, &td, &o, err);
      }
      lam_sim_params_free(p);
      if (rc) {
        break;
      }
      double E = 0.0, B = 0.0;
      for (size_t j = 0; j < T; j++) {
        E += o.l5b[j] / T;
        B += o.attn[j];
      }
      lam_exp_td_out_free(&o);
      const size_t i = ia * NL + ib;
      lE[i] = log(E);
      lP[i] = log(B / E);
      design[3 * i] = 1.0;
      design[3 * i + 1] = log(a);
      design[3 * i + 2] = log(b);
      char cond[48];
      snprintf(cond, sizeof cond, "apical_%g_basal_%g", a, b);
      rc = lam_exp_metric(x, cond, "event_rate", E, "a.u.", err);
      if (!rc) {
        rc = lam_exp_metric(x, cond, "burst_rate", B, "a.u.", err);
      }
      if (!rc) {
        rc = lam_exp_metric(x, cond, "burst_probability", B / E, "1/a.u.", err);
      }
    }
  }
  /* Elasticities: log r = c0 + e_a log a + e_b log b. */
  double ce[3], cp[3];
  if (!rc) {
    rc = lam_exp_lsq(design, lE, NL * NL, 3, ce, NULL, err);
  }
  if (!rc) {
    rc = lam_exp_lsq(design, lP, NL * NL, 3, cp, NULL, err);
  }
  const char *names[4] = {"event_vs_apical", "event_vs_basal", "burstprob_vs_apical",
                          "burstprob_vs_basal"};
  const double v[4] = {ce[1], ce[2], cp[1], cp[2]};
  for (size_t k = 0; !rc && k < 4; k++) {
    rc = lam_exp_metric(x, "elasticity", names[k], v[k], "1", err);
  }
  *effect = fmin(ce[2] - fabs(ce[1]), cp[1] - fabs(cp[2]));
  return rc;
}

static int grid_figure(lam_exp *x, const char *metric, const char *file,
                       const char *title, const char *zlabel, lam_err *err) {
  double zz[NL * NL];
  for (size_t ib = 0; ib < NL; ib++) {
    for (size_t ia = 0; ia < NL; ia++) {
      char cond[48];
      snprintf(cond, sizeof cond, "apical_%g_basal_%g", level[ia], level[ib]);
      int rc = lam_exp_mean(x, cond, metric, &zz[ib * NL + ia], NULL, err);
      if (rc) {
        return rc;
      }
    }
  }
  const lam_exp_fig fig = {.file = file, .title = title,
                           .xlabel = "basal drive b (stimulus level)",
                           .ylabel = "apical drive a (z gain)", .x = level, .n = NL};
  return lam_exp_figure_heatmap(x, &fig, level, NL, zz, zlabel, err);
}

static int figures(lam_exp *x, lam_err *err) {
  int rc = grid_figure(x, "burst_probability", "burst_probability.png",
                       "burst-multiplexing: burst probability P = B / E",
                       "P (1/a.u.)", err);
  if (!rc) {
    rc = grid_figure(x, "event_rate", "event_rate.png",
                     "burst-multiplexing: event rate E (L5 basal)", "E (a.u.)", err);
  }
  return rc;
}

const lam_experiment lam_exp_burst_multiplexing = {
    .name = "burst-multiplexing",
    .id = "P5",
    .category = "dendritic integration",
    .prediction = "The L5 event rate follows the basal (bottom-up) input alone; the burst "
                  "probability follows the apical (top-down) input; the burst rate their product",
    .protocol = "8 columns with inputs of graded similarity to one top-down context (topdown "
                "topology, identity projections); a grid of apical drive a (z gain) x basal "
                "drive b (stimulus level), 0.5, 1, 2 each; run 1 s per point",
    .manipulation = "apical drive a and basal drive b varied independently",
    .metric = "Event rate E = mean_j |K_j| (L5 basal), burst rate B = sum_j R_j (top-down "
              "query), burst probability P = B / E; elasticities d log E / d log a, "
              "d log E / d log b, d log P / d log a, d log P / d log b from least-squares "
              "fits of log E and log P on log a and log b",
    .effect = "min(e_E,b - |e_E,a|, e_P,a - |e_P,b|): E follows b more than a, P follows a "
              "more than b",
    .citation = "prediction P5 (docs/experiments/README.md); Larkum 2013 [S38]; Naud & Sprekeler "
                "2018 [S22]",
    .criterion = {+1, 0.1, "both elasticity margins exceed 0.1"},
    /* Subtractive PV holds sum_j R_j = 1 at steady state, so B = 1 and
     * P = 1 / E; E = mean_j |K_j| has no apical term and is positively
     * homogeneous in b (rectified or linear F), so e_P,b = -1, e_P,a = 0
     * (docs/experiments/burst-multiplexing.md). */
    .evidence = LAM_EVIDENCE_ANALYTIC,
    .run_seed = run_seed,
    .figures = figures,
};
