/* laminar_spectra.c: P7, gamma power in L2/3 tracks bottom-up drive
 * (contrast) and alpha/beta power in L5 tracks the top-down state (Bastos
 * et al. 2015 [S40]; van Kerkoerle et al. 2014 [S41]; P7 in
 * docs/experiments/README.md). The base model runs with its clocks on
 * (gamma gates the feedforward drive, alpha the apical drive) on a constant
 * stimulus; contrast (stimulus level) and the
 * top-down drive (z gain) are raised one at a time. Welch spectra of the
 * column-mean L2/3 activity and L5 burst output (lam_exp_band_power).
 * With column-made rhythms (lam_exp_rhythms_made, models/emergent.ini) the
 * same conditions run, and two controls show that the band powers measure
 * the column's rhythms: the baseline with PV silenced (pv_strength = 0, no
 * PING loop) and with the deep loop cut (w_sl = 0, no SOM -> L5
 * inhibition). */
#include <math.h>
#include <stdio.h>

#include "lam_experiment.h"
#include "lam_spectrum.h"

enum { NCOND = 3, NCTRL = 2, NPOP = 2, NBAND = 2 };

/* The conditions, then the controls of column-made rhythms. */
static const struct {
  const char *name, *tick;
  double level, zgain; /* stimulus.level, input.z_gain */
  int pv_off, deep_off; /* column.pv_strength = 0, column.w_sl = 0 */
} cond[NCOND + NCTRL] = {{"baseline", "baseline", 1.0, 1.0, 0, 0},
                         {"high_contrast", "contrast x2", 2.0, 1.0, 0, 0},
                         {"high_topdown", "top-down x2", 1.0, 2.0, 0, 0},
                         {"pv_silenced", "PV silenced", 1.0, 1.0, 1, 0},
                         {"deep_cut", "deep loop cut", 1.0, 1.0, 0, 1}};
static const char *const pops[NPOP + 1] = {"l23", "out", NULL};
static const char *const popname[NPOP] = {"l23", "l5_out"};
static const struct {
  const char *name;
  double lo, hi;
} band[NBAND] = {{"gamma", LAM_BAND_GAMMA_LO_HZ, LAM_BAND_GAMMA_HI_HZ},
                 {"alphabeta", LAM_BAND_ALPHABETA_LO_HZ, LAM_BAND_ALPHABETA_HI_HZ}};

static int measure(lam_exp *x, unsigned long seed, size_t c,
                   double pw[NPOP][NBAND], lam_err *err) {
  const double bands[NBAND][2] = {{band[0].lo, band[0].hi}, {band[1].lo, band[1].hi}};
  lam_sim_params *prm = NULL;
  int rc = lam_exp_params(x, seed, &prm, err);
  if (!rc) {
    prm->clocks.enabled = 1;
    prm->stimulus.protocol = LAM_STIM_CONSTANT;
    prm->stimulus.amplitude = 0.0;
    prm->network.columns = 4;
    prm->stimulus.level = cond[c].level;
    prm->input.z_gain = cond[c].zgain;
    if (cond[c].pv_off) {
      prm->column.pv_strength = 0.0;
    }
    if (cond[c].deep_off) {
      prm->column.w_sl = 0.0;
    }
    rc = lam_exp_band_power(x, prm, lam_exp_quick(x) ? 1.0 : 2.5, 0.25, pops, bands,
                            NBAND, &pw[0][0], err);
  }
  lam_sim_params_free(prm);
  for (size_t p = 0; !rc && p < NPOP; p++) {
    for (size_t b = 0; !rc && b < NBAND; b++) {
      char metric[48];
      snprintf(metric, sizeof metric, "%s_power_%s", band[b].name, popname[p]);
      rc = lam_exp_metric(x, cond[c].name, metric, pw[p][b], "a.u.^2", err);
    }
  }
  return rc;
}

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  double pw[NCOND + NCTRL][NPOP][NBAND];
  const size_t nc = lam_exp_rhythms_made(x) ? NCOND + NCTRL : NCOND;
  for (size_t c = 0; c < nc; c++) {
    int rc = measure(x, seed, c, pw[c], err);
    if (rc) {
      return lam_err_prefix(err, "condition %s: ", cond[c].name);
    }
  }
  /* log10 gains: gamma of L2/3 with contrast, alpha/beta of L5 with
   * top-down drive, and the two cross terms for the record. */
  const double g_c = log10(pw[1][0][0] / pw[0][0][0]);
  const double a_t = log10(pw[2][1][1] / pw[0][1][1]);
  int rc = lam_exp_metric(x, "gain", "gamma_l23_vs_contrast", g_c, "log10", err);
  if (!rc) {
    rc = lam_exp_metric(x, "gain", "alphabeta_l5_vs_topdown", a_t, "log10", err);
  }
  if (!rc) {
    rc = lam_exp_metric(x, "gain", "gamma_l23_vs_topdown",
                        log10(pw[2][0][0] / pw[0][0][0]), "log10", err);
  }
  if (!rc) {
    rc = lam_exp_metric(x, "gain", "alphabeta_l5_vs_contrast",
                        log10(pw[1][1][1] / pw[0][1][1]), "log10", err);
  }
  if (!rc && nc > NCOND) { /* what is left of each rhythm without its loop */
    rc = lam_exp_metric(x, "control", "gamma_l23_pv_silenced",
                        log10(pw[3][0][0] / pw[0][0][0]), "log10", err);
    if (!rc) {
      rc = lam_exp_metric(x, "control", "alphabeta_l5_deep_cut",
                          log10(pw[4][1][1] / pw[0][1][1]), "log10", err);
    }
  }
  *effect = fmin(g_c, a_t);
  return rc;
}

static int figures(lam_exp *x, lam_err *err) {
  double y[2][NCOND], lo[2][NCOND], hi[2][NCOND];
  const char *ticks[NCOND];
  for (size_t c = 0; c < NCOND; c++) {
    int rc = lam_exp_mean_ci(x, cond[c].name, "gamma_power_l23", &y[0][c], &lo[0][c], &hi[0][c], NULL, err);
    if (!rc) {
      rc = lam_exp_mean_ci(x, cond[c].name, "alphabeta_power_l5_out", &y[1][c], &lo[1][c], &hi[1][c], NULL, err);
    }
    if (rc) {
      return rc;
    }
    ticks[c] = cond[c].tick;
  }
  const lam_exp_curve cv[] = {{.label = "L2/3 gamma power (a.u.#u2#d)", .y = y[0], .lo = lo[0], .hi = hi[0]},
                              {.label = "L5 alpha/beta power (a.u.#u2#d)", .y = y[1], .lo = lo[1], .hi = hi[1]}};
  const lam_exp_fig fig = {.file = "band_power.png",
                           .title = "laminar-spectra: band power (" LAM_BAND_GAMMA_TEXT
                                    ", " LAM_BAND_ALPHABETA_TEXT ")",
                           .xlabel = "condition", .xticks = ticks, .n = NCOND,
                           .ylog = 1, .stacked = 1};
  return lam_exp_figure_lines(x, &fig, cv, 2, err);
}

const lam_experiment lam_exp_laminar_spectra = {
    .name = "laminar-spectra",
    .id = "P7",
    .category = "oscillatory coordination",
    .prediction = "Gamma power in L2/3 rises with bottom-up drive (contrast); alpha/beta power "
                  "in L5 rises with top-down drive",
    .protocol = "The base model with 4 columns, clocks on, a constant stimulus; run 2.5 s, "
                "skip 0.25 s, sample at 1 kHz; Welch PSD (0.25 s Hann segments) of the "
                "column-mean L2/3 activity and L5 burst output",
    .manipulation = "contrast: stimulus.level 1 -> 2; top-down drive: input.z_gain 1 -> 2; "
                    "one at a time; with column-made rhythms also the controls PV silenced "
                    "(column.pv_strength = 0) and deep loop cut (column.w_sl = 0)",
    .metric = "Band power, " LAM_BAND_GAMMA_TEXT " (gamma) and " LAM_BAND_ALPHABETA_TEXT
              " (alpha/beta), per layer and condition",
    .effect = "min(log10 gamma(L2/3) contrast gain, log10 alpha/beta(L5) top-down gain)",
    .citation = "prediction P7 (docs/experiments/README.md); Bastos et al. 2015 [S40]; van "
                "Kerkoerle et al. 2014 [S41]",
    .criterion = {+1, 0.0792, "both band powers rise by more than 20% (log10 gain > 0.0792)"},
    .evidence = LAM_EVIDENCE_EMERGENT,
    .run_seed = run_seed,
    .figures = figures,
};
