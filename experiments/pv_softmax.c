/* pv_softmax.c: P4, removing PV normalization flattens competition
 * (docs/experiments/README.md; Carandini & Heeger 2012 [S17]). PV strength is
 * scaled from normal to silenced in the base model; the attention distribution
 * over keys is read from the L5 burst rates at the end of the run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_attn.h"
#include "lam_experiment.h"
#include "lam_spectrum.h"

/* Peak frequency and power of the gamma band of the column-mean L2/3
 * activity: 4 Hz bins (the Welch resolution of 0.25 s segments) from 20 to
 * 100 Hz through lam_exp_band_power. On a model with an imposed gamma clock
 * this measures the clock's imprint; with an emergent (PING) generator it
 * measures the E-I loop that PV closes. */
enum { NBIN = 20 };
static int gamma_peak(lam_exp *x, const lam_sim_params *p, double *power,
                      double *peak_hz, lam_err *err) {
  static const char *const pops[] = {"l23", NULL};
  double band[NBIN + 1][2], pw[NBIN + 1];
  for (size_t b = 0; b < NBIN; b++) {
    band[b][0] = 20.0 + 4.0 * (double)b;
    band[b][1] = band[b][0] + 4.0;
  }
  band[NBIN][0] = LAM_BAND_GAMMA_LO_HZ;
  band[NBIN][1] = LAM_BAND_GAMMA_HI_HZ;
  const double t_end = lam_exp_quick(x) ? 1.25 : 2.5;
  int rc = lam_exp_band_power(x, p, t_end, 0.25, pops, (const double(*)[2])band,
                              NBIN + 1, pw, err);
  if (rc) {
    return rc;
  }
  size_t best = 0;
  for (size_t b = 1; b < NBIN; b++) {
    best = pw[b] > pw[best] ? b : best;
  }
  *power = pw[NBIN];
  *peak_hz = band[best][0] + 2.0;
  return LAM_OK;
}

static int measure(lam_exp *x, unsigned long seed, double strength,
                   double *entropy, double *onorm, lam_err *err) {
  lam_sim_params *p = NULL;
  lam_sim *sim = NULL;
  double *w = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc) {
    p->column.pv_strength = strength;
    /* 3 s: the integral controller's rows settle (they had not at 1 s). */
    rc = lam_exp_simulate(x, p, lam_exp_quick(x) ? 1.0 : 3.0, &sim, err);
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
    /* Per query and head: total rate, its distance from 1 (the
     * normalization error) and the largest normalised weight. */
    double total = 0.0, maxw = 0.0, nerr = 0.0;
    for (size_t q = 0; q < nq * H; q++) {
      double s = 0.0, mx = 0.0;
      for (size_t j = 0; j < T; j++) {
        s += w[q * T + j];
        mx = w[q * T + j] > mx ? w[q * T + j] : mx;
      }
      total += s;
      nerr += fabs(s - 1.0);
      maxw += s > 0.0 ? mx / s : 0.0;
    }
    /* The routed output's size, |O| (Frobenius) over every query and head. */
    lam_attention *a = lam_sim_impl(sim, "attention");
    double oo = 0.0;
    if (a) {
      const double *O = lam_sim_state(sim) + lam_attention_offset(a, "out");
      for (size_t i = 0; i < nq * H * (size_t)p->network.d_v; i++) {
        oo += O[i] * O[i];
      }
    }
    *onorm = sqrt(oo);
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
      rc = lam_exp_metric(x, cond, "normalization_error",
                          nerr / (double)(nq * H), "1", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond, "routed_output_norm", *onorm, "a.u.", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond, "max_entropy", log((double)T), "nat", err);
    }
    if (!rc && (strength == 1.0 || strength == 0.0)) {
      double gp = 0.0, fp = 0.0;
      rc = gamma_peak(x, p, &gp, &fp, err);
      if (!rc) {
        rc = lam_exp_metric(x, cond, "l23_gamma_power", gp, "a.u.^2", err);
      }
      if (!rc) {
        rc = lam_exp_metric(x, cond, "l23_gamma_peak_hz", fp, "Hz", err);
      }
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
  double h[4], o[4];
  for (size_t i = 0; i < 4; i++) {
    int rc = measure(x, seed, strength[i], &h[i], &o[i], err);
    if (rc) {
      return rc;
    }
  }
  *effect = h[3] - h[0];
  /* The routed output's gain: silenced against normal PV. */
  return lam_exp_metric(x, "pv_strength_0", "routed_gain",
                        o[0] > 0.0 ? o[3] / o[0] : NAN, "1", err);
}

/* Entropy, largest weight and total burst rate against PV strength. */
static int figures(lam_exp *x, lam_err *err) {
  static const char *const metric[] = {"attention_entropy", "max_weight",
                                       "total_burst_rate", "normalization_error"};
  double y[4][4], lo[4][4], hi[4][4];
  for (size_t m = 0; m < 4; m++) {
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
                              {.label = "total burst rate (a.u.)", .y = y[2], .lo = lo[2], .hi = hi[2]},
                              {.label = "normalization error (1)", .y = y[3], .lo = lo[3], .hi = hi[3]}};
  const lam_exp_fig fig = {.file = "pv_strength.png",
                           .title = "pv-softmax: competition against PV strength",
                           .xlabel = "column.pv_strength (1 normal, 0 silenced)",
                           .x = strength, .n = 4, .stacked = 1};
  return lam_exp_figure_lines(x, &fig, cv, 4, err);
}

const lam_experiment lam_exp_pv_softmax = {
    .name = "pv-softmax",
    .id = "P4",
    .category = "contextual modulation",
    .prediction = "Removing PV-mediated normalization flattens competition: attention entropy "
                  "goes up and winner-take-all is lost",
    .protocol = "Run the base model for 3 s (the rows settle) with PV strength 1, 0.5, 0.1 and 0 "
                "(silenced); read the L5 burst rates R of every query and head and the routed "
                "output O; at strength 1 and 0 also run 2.5 s and take the Welch spectrum of the "
                "column-mean L2/3 activity (after 0.25 s)",
    .manipulation = "column.pv_strength from 1 (normal) to 0 (silenced)",
    .metric = "Entropy (nats) of the normalised burst-rate distribution over keys, its largest "
              "weight, the total burst rate per query and its normalization error |sum_j R - 1|, "
              "the routed output's norm |O| and gain |O|(silenced) / |O|(normal), L2/3 gamma "
              "power (" LAM_BAND_GAMMA_TEXT ") and peak frequency",
    .effect = "entropy(silenced) - entropy(normal), nats",
    .citation = "prediction P4 (docs/experiments/README.md); Carandini & Heeger 2012 [S17]; "
                "Cardin et al. 2009 [S42] (PV and gamma)",
    .criterion = {+1, 0.05, "entropy rises by more than 0.05 nat when PV is silenced"},
    /* Subtractive PV: R_ij = exp(beta (A_ij - P_i)) and A has no PV term, so
     * R_ij / sum_j R_ij = softmax_j(beta A_ij) whatever P_i (the page). */
    .evidence = LAM_EVIDENCE_ANALYTIC,
    .run_seed = run_seed,
    .figures = figures,
};
