/* pv_softmax.c: P4, removing PV normalization flattens competition
 * (docs/experiments/README.md; Carandini & Heeger 2012 [S17]). PV strength is
 * scaled from normal to silenced in the base model; the attention distribution
 * over keys is read from the L5 burst rates at the end of the run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lam_attn.h"
#include "lam_experiment.h"

static int measure(lam_exp *x, unsigned long seed, double strength,
                   double *entropy, lam_err *err) {
  lam_sim_params *p = NULL;
  lam_sim *sim = NULL;
  double *w = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc) {
    p->column.pv_strength = strength;
    rc = lam_exp_simulate(x, p, lam_exp_quick(x) ? 0.5 : 1.0, &sim, err);
  }
  size_t nq = 0, H = 0, T = 0;
  if (!rc) {
    rc = lam_attn_weights(lam_sim_system(sim), lam_sim_state(sim), NULL, &nq, &H, &T, err);
  }
  if (!rc) {
    w = malloc(nq * H * T * sizeof *w);
    rc = w ? lam_attn_weights(lam_sim_system(sim), lam_sim_state(sim), w, &nq, &H, &T, err)
           : LAM_NOMEM(err);
  }
  if (!rc) {
    /* Per query and head: total rate and the largest normalised weight. */
    double total = 0.0, maxw = 0.0;
    for (size_t q = 0; q < nq * H; q++) {
      double s = 0.0, mx = 0.0;
      for (size_t j = 0; j < T; j++) {
        s += w[q * T + j];
        mx = w[q * T + j] > mx ? w[q * T + j] : mx;
      }
      total += s;
      maxw += s > 0.0 ? mx / s : 0.0;
    }
    *entropy = lam_attn_entropy(w, nq, H, T);
    char cond[32];
    snprintf(cond, sizeof cond, "pv_strength_%g", strength);
    rc = lam_exp_metric(x, cond, "attention_entropy", *entropy, "nat", err);
    if (!rc) {
      rc = lam_exp_metric(x, cond, "max_weight", maxw / (double)(nq * H), "1",
                          err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond, "total_burst_rate", total / (double)(nq * H),
                          "a.u.", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond, "max_entropy", log((double)T), "nat", err);
    }
  }
  free(w);
  lam_sim_free(sim);
  lam_sim_params_free(p);
  return rc;
}

static const double strength[] = {1.0, 0.5, 0.1, 0.0};

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  double h[4];
  for (size_t i = 0; i < 4; i++) {
    int rc = measure(x, seed, strength[i], &h[i], err);
    if (rc) {
      return rc;
    }
  }
  *effect = h[3] - h[0];
  return LAM_OK;
}

/* Entropy, largest weight and total burst rate against PV strength. */
static int figures(lam_exp *x, lam_err *err) {
  static const char *const metric[] = {"attention_entropy", "max_weight",
                                       "total_burst_rate"};
  double y[3][4], lo[3][4], hi[3][4];
  for (size_t m = 0; m < 3; m++) {
    for (size_t i = 0; i < 4; i++) {
      char cond[32];
      snprintf(cond, sizeof cond, "pv_strength_%g", strength[i]);
      int rc = lam_exp_mean_ci(x, cond, metric[m], &y[m][i], &lo[m][i], &hi[m][i], NULL, err);
      if (rc) {
        return rc;
      }
    }
  }
  const lam_exp_curve cv[] = {{.label = "entropy (nat)", .y = y[0], .lo = lo[0], .hi = hi[0]},
                              {.label = "largest weight (1)", .y = y[1], .lo = lo[1], .hi = hi[1]},
                              {.label = "total burst rate (a.u.)", .y = y[2], .lo = lo[2], .hi = hi[2]}};
  const lam_exp_fig fig = {.file = "pv_strength.png",
                           .title = "pv-softmax: competition against PV strength",
                           .xlabel = "column.pv_strength (1 normal, 0 silenced)",
                           .x = strength, .n = 4, .stacked = 1};
  return lam_exp_figure_lines(x, &fig, cv, 3, err);
}

const lam_experiment lam_exp_pv_softmax = {
    .name = "pv-softmax",
    .id = "P4",
    .category = "contextual modulation",
    .prediction = "Removing PV-mediated normalization flattens competition: attention entropy "
                  "goes up and winner-take-all is lost",
    .protocol = "Run the base model to steady state (1 s) with PV strength 1, 0.5, 0.1 and 0 "
                "(silenced); read the L5 burst rates R of every query and head",
    .manipulation = "column.pv_strength from 1 (normal) to 0 (silenced)",
    .metric = "Entropy (nats) of the normalised burst-rate distribution over keys, its largest "
              "weight, and the total burst rate per query",
    .effect = "entropy(silenced) - entropy(normal), nats",
    .citation = "prediction P4 (docs/experiments/README.md); Carandini & Heeger 2012 [S17]; "
                "Cardin et al. 2009 [S42] (PV and gamma)",
    .criterion = {+1, 0.05, "entropy rises by more than 0.05 nat when PV is silenced"},
    .run_seed = run_seed,
    .figures = figures,
};
