/* frequency_separation.c: the claim that separate gamma (feedforward) and
 * alpha (feedback) bands keep the two streams apart (Bastos et al. 2015;
 * docs/rhythms.md). The base model runs with its clocks on a constant
 * stimulus, once with the clocks at separate frequencies (gamma_hz, alpha_hz
 * of the base model) and once with the gamma clock moved onto the alpha
 * frequency. In each arrangement the L5 output's power in the feedback
 * band (alpha_hz +- 2 Hz) is measured with both clocks and with the
 * feedback clock switched off (alpha_depth = 0): what remains is the
 * feedforward stream's cross-talk into the feedback channel.
 * With column-made rhythms (lam_exp_rhythms_made: gamma from the L2/3 <-> PV
 * loop, alpha/beta from the L5 <-> SOM loop, models/emergent.ini) there are
 * no clock frequencies to move: the shared arrangement slows the PING loop
 * with its own knobs (a slower PV -> L2/3 synapse, a stronger PV -> L2/3
 * weight) until its peak sits near the deep loop's, and the feedback loop is
 * cut by removing SOM -> L5 inhibition (column.w_sl = 0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lam_experiment.h"

enum { NARR = 2 };

static const char *const arr_name[NARR] = {"separate", "shared"};

/* The PING loop moved onto the alpha band: with tau_gaba 3 ms -> 60 ms and
 * w_pe 5 -> 15 the L2/3 peak of models/emergent.ini (4 columns, constant
 * stimulus) goes from 40 Hz to 11.4 Hz, beside the L5 peak at 10.4-11.2 Hz
 * (docs/experiments/frequency-separation.md). */
#define SHARED_TAU_GABA 0.060
#define SHARED_W_PE 15.0

static int fb_power(lam_exp *x, unsigned long seed, double gamma_hz, int shared,
                    int alpha_off, double f_fb, double *pw, lam_err *err) {
  static const char *const pops[] = {"out", NULL};
  const double band[1][2] = {{f_fb - 2.0, f_fb + 2.0}};
  lam_sim_params *p = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc) {
    p->clocks.enabled = 1;
    p->stimulus.protocol = LAM_STIM_CONSTANT;
    p->stimulus.amplitude = 0.0;
    p->network.columns = 4;
    if (lam_exp_rhythms_made(x)) {
      if (shared) { /* the PING loop slowed onto alpha */
        p->column.tau_gaba = SHARED_TAU_GABA;
        p->column.w_pe = SHARED_W_PE;
      }
      if (alpha_off) { /* the deep loop cut: no SOM -> L5 inhibition */
        p->column.w_sl = 0.0;
      }
    } else {
      p->clocks.gamma_hz = gamma_hz;
      if (alpha_off) { /* else the base model's alpha depth */
        p->clocks.alpha_depth = 0.0;
      }
    }
    rc = lam_exp_band_power(x, p, lam_exp_quick(x) ? 1.0 : 2.5, 0.25, pops, band, 1,
                            pw, err);
  }
  lam_sim_params_free(p);
  return rc;
}

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  /* The feedback frequency and depth are the base model's own. */
  lam_sim_params *p = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  double f_fb = NAN, f_ff = NAN;
  if (!rc) {
    f_fb = p->clocks.alpha_hz;
    f_ff = p->clocks.gamma_hz;
  }
  lam_sim_params_free(p);
  const double gam[NARR] = {f_ff, f_fb};
  double xt[NARR] = {NAN, NAN};
  for (size_t k = 0; !rc && k < NARR; k++) {
    double both = NAN, ffonly = NAN;
    rc = fb_power(x, seed, gam[k], k == 1, 0, f_fb, &both, err);
    if (!rc) {
      rc = fb_power(x, seed, gam[k], k == 1, 1, f_fb, &ffonly, err);
    }
    if (!rc) {
      xt[k] = both > 0.0 ? ffonly / both : NAN;
      rc = lam_exp_metric(x, arr_name[k], "fb_band_power_both", both, "a.u.^2", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, arr_name[k], "fb_band_power_ff_only", ffonly, "a.u.^2", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, arr_name[k], "crosstalk", xt[k], "1", err);
    }
  }
  *effect = log10(xt[1] / xt[0]);
  return rc;
}

static int figures(lam_exp *x, lam_err *err) {
  static const char *const ticks[NARR] = {"separate (gamma != alpha)",
                                          "shared (gamma = alpha)"};
  double y[NARR], lo[NARR], hi[NARR];
  for (size_t k = 0; k < NARR; k++) {
    int rc = lam_exp_mean_ci(x, arr_name[k], "crosstalk", &y[k], &lo[k], &hi[k], NULL, err);
    if (rc) {
      return rc;
    }
  }
  const lam_exp_curve cv = {.label = "cross-talk", .y = y, .lo = lo, .hi = hi};
  const lam_exp_fig fig = {.file = "crosstalk.png",
                           .title = "frequency-separation: feedforward power in the feedback band",
                           .xlabel = "clock frequencies",
                           .ylabel = "L5 feedback-band power, alpha clock off / on (1)",
                           .xticks = ticks, .n = NARR, .ylog = 1};
  return lam_exp_figure_lines(x, &fig, &cv, 1, err);
}

const lam_experiment lam_exp_frequency_separation = {
    .name = "frequency-separation",
    .id = "",
    .category = "oscillatory coordination",
    .prediction = "Separate gamma (feedforward) and alpha (feedback) frequencies keep the two "
                  "streams apart: with one shared frequency the feedforward stream leaks into "
                  "the feedback channel",
    .protocol = "The base model with 4 columns, clocks on, a constant stimulus; run 2.5 s, "
                "skip 0.25 s, 1 kHz; Welch power of the column-mean L5 output in the feedback "
                "band (alpha_hz +- 2 Hz), with both clocks and with the alpha clock's depth 0. "
                "With column-made rhythms (clocks.gamma_source and alpha_source not clock): "
                "the same runs, the feedback loop cut by column.w_sl = 0",
    .manipulation = "gamma clock at its own frequency (separate) or at the alpha frequency "
                    "(shared); with column-made rhythms the PING loop as made (about 40 Hz) or "
                    "slowed onto the alpha band (column.tau_gaba = 0.06 s, w_pe = 15: 11 Hz)",
    .metric = "Cross-talk: feedback-band power with the feedback clock off / with both clocks",
    .effect = "log10(cross-talk shared / cross-talk separate)",
    .citation = "docs/rhythms.md; Bastos et al. 2015 [S40]; van Kerkoerle et al. 2014 [S41]",
    .criterion = {+1, 1.0, "sharing one frequency raises the cross-talk more than tenfold"},
    .evidence = LAM_EVIDENCE_EMERGENT,
    .run_seed = run_seed,
    .figures = figures,
};
