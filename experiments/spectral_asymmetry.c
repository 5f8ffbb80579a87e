/* spectral_asymmetry.c: P9, feedforward influence between areas is carried at
 * gamma, feedback influence at alpha/beta (docs/experiments/README.md; Bastos
 * et al. 2015 [S40], van Kerkoerle et al. 2014 [S41]). The base model's
 * sections become two stacked areas v1 -> v2 (docs/hierarchy.md) through an
 * [areas] override: v1's output feeds v2 forward, v2's L5 output feeds back
 * onto v1's top-down input, both links with 10 ms gamma-distributed delays (8
 * stages); v2 gets its own input, weights, clock phases and noise (seeds +
 * 1000). Clocks on, constant stimulus. Spectral Granger causality
 * (analysis/lam_granger.h, Geweke 1982) per band and direction:
 *   feedforward  v1 L2/3 -> v2 L2/3
 *   feedback     v2 L5 output -> v1 L5 apical dendrite (where z lands)
 * in the gamma band (gamma_hz +- 10 Hz) and the alpha/beta band (8-20 Hz),
 * with both links, with the feedback link cut (fb_gain = 0), with the
 * feedforward link cut (ff_gain = 0) and with both cut: the Granger estimate
 * has a floor that does not depend on the links (shared clocks, finite
 * samples), so the influence of a link is its Granger value minus the
 * both-cut value, which goes to zero when the links are cut.
 * With column-made rhythms (lam_exp_rhythms_made, models/emergent.ini) each
 * area's own narrow-band loops raise that floor (0.1-0.27 nats in 4 s runs,
 * as large as the links' influence): the runs last 8 s there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lam_experiment.h"
#include "lam_granger.h"

enum { NCOND = 4, NPAIR = 2, NBAND = 2 };

static const char *const cond_name[NCOND] = {"intact", "fb_lesion", "ff_lesion",
                                             "both_cut"};
/* Influences below this (nats) are not resolved by the estimate. */
#define INFLUENCE_FLOOR 1e-4
static const char *const pair_name[NPAIR] = {"ff", "fb"};
static const char *const band_name[NBAND] = {"gamma", "alphabeta"};

/* The base model's network as two areas v1 -> v2 linked both ways, in
 * condition c (its link cut: 1 feedback, 2 feedforward). */
static int two_areas(lam_exp *x, unsigned long seed, size_t c, lam_sim_params **out,
                     lam_err *err) {
  lam_sim_params *p = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc) {
    /* The whole model's keys first: set_areas copies them into each area. */
    p->clocks.enabled = 1;
    p->stimulus.protocol = LAM_STIM_CONSTANT;
    p->stimulus.amplitude = 0.0;
    p->network.columns = 4;
    p->probe.enabled = 0;
    rc = lam_sim_params_set_areas(p, "v1,v2", err);
  }
  if (!rc) {
    p->areas.ff_gain = c == 2 || c == 3 ? 0.0 : 1.0;
    p->areas.fb_gain = c == 1 || c == 3 ? 0.0 : 1.0;
    p->areas.fb_source = LAM_FB_L5;
    p->areas.ff_delay = 0.010;
    p->areas.ff_stages = 8;
    p->areas.fb_delay = 0.010;
    p->areas.fb_stages = 8;
    lam_attention_params *v2 = &p->area[1];
    v2->input.seed = (long)(seed + 1000);
    v2->weights.seed = (long)(seed + 1000);
    v2->stimulus.noise_seed = (long)(seed + 1000);
    v2->clocks.seed = (long)(seed + 1000);
  }
  if (rc) {
    lam_sim_params_free(p);
    p = NULL;
  }
  *out = p;
  return rc;
}

/* Granger of each pair in each band, g[p][b] (source -> target, nats). */
static int granger_run(lam_exp *x, unsigned long seed, size_t c, double f_gamma,
                       double g[NPAIR][NBAND], lam_err *err) {
  /* pair p: pops[2 p] (source) -> pops[2 p + 1] (target) */
  static const char *const pops[] = {"v1.l23", "v2.l23", "v2.out", "v1.l5a", NULL};
  const double band[NBAND][2] = {{f_gamma - 10.0, f_gamma + 10.0}, {8.0, 20.0}};
  const double dt = 0.002; /* 500 Hz: both bands well below Nyquist */
  const double t_end = lam_exp_rhythms_made(x) ? (lam_exp_quick(x) ? 4.0 : 8.0)
                                             : (lam_exp_quick(x) ? 1.2 : 4.0);
  double *s[4] = {NULL};
  size_t n = 0;
  lam_sim_params *prm = NULL;
  int rc = two_areas(x, seed, c, &prm, err);
  if (!rc) {
    rc = lam_exp_series(x, prm, t_end, dt, 0.2, pops, s, &n, err);
  }
  lam_sim_params_free(prm);
  for (size_t p = 0; !rc && p < NPAIR; p++) {
    /* order by AIC up to 20 lags (40 ms, longer than a gamma cycle and the
     * links' delays) */
    lam_granger *gr = lam_granger_new(s[2 * p], 1, s[2 * p + 1], 1, n, 1.0 / dt,
                                      20, LAM_GRANGER_AIC, err);
    rc = gr ? LAM_OK : err->code;
    for (size_t b = 0; !rc && b < NBAND; b++) {
      double fwd = NAN, back = NAN;
      rc = lam_granger_band(gr, band[b][0], band[b][1], &fwd, &back, err);
      g[p][b] = fwd;
    }
    lam_granger_free(gr);
  }
  for (size_t p = 0; p < 4; p++) {
    free(s[p]);
  }
  return rc;
}

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  lam_sim_params *base = NULL;
  int rc = lam_exp_params(x, seed, &base, err);
  const double f_gamma = rc ? NAN : base->clocks.gamma_hz;
  lam_sim_params_free(base);
  double g[NCOND][NPAIR][NBAND];
  for (size_t c = 0; !rc && c < NCOND; c++) {
    rc = granger_run(x, seed, c, f_gamma, g[c], err);
    for (size_t p = 0; !rc && p < NPAIR; p++) {
      for (size_t b = 0; !rc && b < NBAND; b++) {
        char metric[64];
        snprintf(metric, sizeof metric, "granger_%s_%s", pair_name[p], band_name[b]);
        rc = lam_exp_metric(x, cond_name[c], metric, g[c][p][b], "nats", err);
      }
    }
  }
  if (rc) {
    return rc;
  }
  /* Influence: Granger above the both-cut floor of the same pair and band. */
  double in[NCOND][NPAIR][NBAND];
  for (size_t c = 0; !rc && c < NCOND; c++) {
    for (size_t p = 0; !rc && p < NPAIR; p++) {
      for (size_t b = 0; !rc && b < NBAND; b++) {
        in[c][p][b] = fmax(g[c][p][b] - g[3][p][b], INFLUENCE_FLOOR);
        char metric[64];
        snprintf(metric, sizeof metric, "influence_%s_%s", pair_name[p], band_name[b]);
        rc = lam_exp_metric(x, cond_name[c], metric, in[c][p][b], "nats", err);
      }
    }
  }
  if (rc) {
    return rc;
  }
  /* Spectral asymmetry: the feedforward influence is relatively more gamma
   * than the feedback influence. */
  const double asym = log10((in[0][0][0] / in[0][0][1]) / (in[0][1][0] / in[0][1][1]));
  /* Lesion specificity: cutting feedback removes the feedback alpha/beta
   * influence, and leaves the feedforward gamma influence unchanged. */
  const double spec = log10(in[0][1][1] / in[1][1][1]) - fabs(log10(in[0][0][0] / in[1][0][0]));
  rc = lam_exp_metric(x, "intact", "asymmetry", asym, "log10", err);
  if (!rc) {
    rc = lam_exp_metric(x, "fb_lesion", "lesion_specificity", spec, "log10", err);
  }
  *effect = fmin(asym, spec);
  return rc;
}

static int figures(lam_exp *x, lam_err *err) {
  static const char *const ticks[NCOND] = {"intact", "feedback cut", "feedforward cut",
                                           "both cut"};
  static const char *const label[NPAIR][NBAND] = {
      {"feedforward, gamma", "feedforward, alpha/beta"},
      {"feedback, gamma", "feedback, alpha/beta"}};
  double y[NPAIR * NBAND][NCOND], lo[NPAIR * NBAND][NCOND], hi[NPAIR * NBAND][NCOND];
  lam_exp_curve cv[NPAIR * NBAND];
  for (size_t p = 0; p < NPAIR; p++) {
    for (size_t b = 0; b < NBAND; b++) {
      const size_t k = p * NBAND + b;
      char metric[64];
      snprintf(metric, sizeof metric, "granger_%s_%s", pair_name[p], band_name[b]);
      for (size_t c = 0; c < NCOND; c++) {
        int rc = lam_exp_mean_ci(x, cond_name[c], metric, &y[k][c], &lo[k][c], &hi[k][c], NULL, err);
        if (rc) {
          return rc;
        }
      }
      cv[k] = (lam_exp_curve){.label = label[p][b], .y = y[k], .lo = lo[k], .hi = hi[k]};
    }
  }
  const lam_exp_fig fig = {.file = "granger.png",
                           .title = "spectral-asymmetry: Granger influence between two areas",
                           .xlabel = "links",
                           .ylabel = "spectral Granger causality, band mean (nats)",
                           .xticks = ticks, .n = NCOND, .ylog = 1};
  return lam_exp_figure_lines(x, &fig, cv, NPAIR * NBAND, err);
}

const lam_experiment lam_exp_spectral_asymmetry = {
    .name = "spectral-asymmetry",
    .id = "P9",
    .category = "effective connectivity",
    .prediction = "Between two areas, feedforward influence is carried at gamma and feedback "
                  "influence at alpha/beta; cutting the feedback link removes the "
                  "low-frequency influence only",
    .protocol = "The base model's sections as two areas v1 -> v2 ([areas] override: "
                "ff_gain = fb_gain = 1, feedback from v2's L5 output, 10 ms delays of 8 "
                "stages; v2 seeds + 1000), 4 columns, clocks on, constant stimulus; run "
                "4 s, skip 0.2 s, 500 Hz; spectral Granger (VAR, AIC order <= 20) of "
                "v1 L2/3 -> v2 L2/3 (feedforward) and v2 L5 output -> v1 L5 apical "
                "(feedback), band means at gamma (gamma_hz +- 10 Hz) and alpha/beta "
                "(8-20 Hz); with column-made rhythms (clocks.gamma_source and alpha_source not "
                "clock) the runs last 8 s (4 s with --quick), so that the both-cut floor falls "
                "below the links' influence",
    .manipulation = "both links; feedback cut (areas.fb_gain = 0); feedforward cut "
                    "(areas.ff_gain = 0); both cut (the control: the floor of the estimate)",
    .metric = "Band-mean spectral Granger causality G (nats) per direction, band and condition; "
              "influence I = max(G - G(both cut), 1e-4 nats)",
    .effect = "min(asymmetry, lesion specificity) on the influences I: asymmetry = log10[(I_ff gamma / I_ff "
              "alpha/beta) / (I_fb gamma / I_fb alpha/beta)] with both links; lesion "
              "specificity = log10(I_fb alpha/beta intact / feedback cut) - |log10(I_ff "
              "gamma intact / feedback cut)|",
    .citation = "prediction P9 (docs/experiments/README.md); Bastos et al. 2015 [S40]; van "
                "Kerkoerle et al. 2014 [S41]; Geweke 1982",
    .criterion = {+1, 0.30103,
                  "feedforward influence relatively more gamma than feedback by more than a "
                  "factor 2, and cutting feedback removes more than a factor 2 of its "
                  "alpha/beta influence beyond any change of the feedforward gamma influence"},
    .evidence = LAM_EVIDENCE_EMERGENT,
    .run_seed = run_seed,
    .figures = figures,
};
