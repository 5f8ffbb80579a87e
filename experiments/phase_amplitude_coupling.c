/* phase_amplitude_coupling.c: P8, superficial gamma amplitude is locked to
 * the phase of the deep alpha rhythm, through the interlaminar couplings
 * (Mejias et al. 2016 [S8][S9]; Tort et al. 2010 [S34]; P8 in
 * docs/experiments/README.md).
 * The attention column has no intrinsic rhythms (its clocks are imposed), so
 * this experiment runs the laminar rate model of Mejias et al. 2016,
 * models/mejias2016.ini beside the base model, with its published
 * interlaminar couplings on and off; the Tort modulation index of the L5/6
 * E alpha phase (8-12 Hz) against the L2/3 E gamma amplitude (30-80 Hz) is
 * compared with circularly shifted surrogates (analysis/lam_pac.h), as in
 * tests/circuits/test_mejias_pac.c.
 * On a base model whose rhythms are the column's own (lam_exp_rhythms_made:
 * gamma from the L2/3 <-> PV loop, alpha/beta from the L5 <-> SOM loop,
 * models/emergent.ini) the base model itself runs instead, with its deep ->
 * superficial link (column.w_dl) as made or cut, and the same measure takes
 * the L5 basal phase against the L2/3 amplitude. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lam_exp_util.h"
#include "lam_experiment.h"
#include "lam_outfile.h"
#include "lam_pac.h"
#include "lam_spectrum.h"

enum { NCOND = 2, NSURR = 199 };

static const struct {
  const char *name, *tick;
  int coupled; /* else mejias2016.j_e56_e23 = j_i23_e56 = 0 */
} cond[NCOND] = {{"coupled", "couplings on", 1}, {"uncoupled", "couplings off", 0}};

/* The column-made protocol: the base model on a constant stimulus (no step,
 * so the series is stationary), 4 columns, no probe; uncoupled cuts the
 * deep -> superficial link. */
static int column_params(lam_exp *x, unsigned long seed, size_t c, lam_sim_params **out,
                         lam_err *err) {
  int rc = lam_exp_params(x, seed, out, err);
  if (!rc) {
    lam_sim_params *p = *out;
    p->stimulus.protocol = LAM_STIM_CONSTANT;
    p->stimulus.amplitude = 0.0;
    p->network.columns = 4;
    p->probe.enabled = 0;
    if (!cond[c].coupled) {
      p->column.w_dl = 0.0;
    }
  }
  return rc;
}

/* Keep the resolved model of each run beside the outputs. */
static int save_model(lam_exp *x, const lam_sim_params *p, size_t c, unsigned long seed,
                      lam_err *err) {
  char dir[1100], path[1300];
  snprintf(dir, sizeof dir, "%s/inputs", lam_exp_dir(x));
  int rc = lam_exp_mkdirs(dir, err);
  if (rc) {
    return rc;
  }
  snprintf(path, sizeof path, "%s/%s_%s_seed%lu.ini", dir,
           lam_exp_rhythms_made(x) ? "base" : "mejias2016", cond[c].name, seed);
  lam_outfile *of = NULL;
  FILE *f = NULL;
  rc = lam_outfile_open(path, "model file", 0, &of, err);
  if (!rc && !(f = lam_outfile_stream(of, err))) {
    rc = LAM_EIO;
  }
  if (rc) {
    lam_outfile_abandon(of, 0, NULL);
    return rc;
  }
  char *text = lam_sim_params_text(p);
  if (!text) {
    lam_outfile_abandon(of, 0, NULL);
    return LAM_NOMEM(err);
  }
  fputs(text, f);
  free(text);
  if (lam_outfile_check(of, err)) {
    lam_outfile_abandon(of, 0, NULL);
    return LAM_EIO;
  }
  return lam_outfile_commit(of, NULL, NULL, err);
}

static int measure(lam_exp *x, unsigned long seed, size_t c, lam_pac_stats *st,
                   lam_err *err) {
  const double fs = 1000.0, skip = 1.0;
  const int made = lam_exp_rhythms_made(x);
  /* Mejias column: 2^18 samples (262 s; the coupling is weak, MI a few
   * 1e-5, and a 30 s run's chance level hides it); 2^16 with --quick. The
   * column-made rhythms couple more strongly (MI about 2e-4 at w_dl = 3,
   * docs/rhythms.md): 2^15 (33 s, over 300 alpha cycles), 2^14 with
   * --quick. */
  const size_t n = (size_t)1 << (made ? (lam_exp_quick(x) ? 14 : 15)
                                      : (lam_exp_quick(x) ? 16 : 18)),
               edge = (size_t)fs;
  static const char *const mejias_pops[] = {"l23_e", "l56_e", NULL};
  static const char *const column_pops[] = {"l23", "l5b", NULL};
  const char *const *pops = made ? column_pops : mejias_pops;
  lam_sim_params *p = NULL;
  double *s[2] = {NULL, NULL}, *ph = NULL, *amp = NULL;
  size_t got = 0;
  lam_hilbert *h = NULL;
  int rc = LAM_OK;
  if (made) {
    rc = column_params(x, seed, c, &p, err);
  } else {
    rc = lam_exp_params_file(x, seed, "mejias2016.ini", &p, err);
    if (!rc && !cond[c].coupled) {
      p->mejias2016.j_e56_e23 = 0.0;
      p->mejias2016.j_i23_e56 = 0.0;
    }
  }
  if (!rc) {
    rc = lam_exp_series(x, p, skip + (double)n / fs + 0.01, 1.0 / fs, skip, pops, s,
                        &got, err);
  }
  if (!rc) {
    rc = save_model(x, p, c, seed, err);
  }
  if (!rc && got < n) {
    rc = LAM_INTERNAL(err, "PAC series too short");
  }
  if (!rc) {
    h = lam_hilbert_new(n, fs, LAM_BANDPASS_TAPER_HZ, err);
    ph = malloc(n * sizeof *ph);
    amp = malloc(n * sizeof *amp);
    rc = !h ? err->code : (ph && amp ? LAM_OK : LAM_NOMEM(err));
  }
  if (!rc) {
    const lam_pac_bands b = lam_pac_bands_default();
    rc = lam_pac_signals(h, s[1], 1, s[0], 1, &b, ph, amp, err);
  }
  if (!rc) { /* drop 1 s at each end, where the circular band-pass rings */
    rc = lam_pac_surrogate(ph + edge, amp + edge, n - 2 * edge, LAM_PAC_NBINS, NSURR,
                           (size_t)fs, seed, st, err);
  }
  free(ph);
  free(amp);
  lam_hilbert_free(h);
  free(s[0]);
  free(s[1]);
  lam_sim_params_free(p);
  return rc;
}

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  lam_pac_stats st[NCOND];
  for (size_t c = 0; c < NCOND; c++) {
    int rc = measure(x, seed, c, &st[c], err);
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "tort_mi", st[c].mi, "1", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "surrogate_mean", st[c].mean, "1", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "surrogate_z", st[c].z, "1", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "surrogate_p", st[c].p, "1", err);
    }
    if (rc) {
      return lam_err_prefix(err, "condition %s: ", cond[c].name);
    }
  }
  *effect = st[0].z - st[1].z;
  return LAM_OK;
}

static int figures(lam_exp *x, lam_err *err) {
  double mi[NCOND], sm[NCOND], mlo[NCOND], mhi[NCOND], slo[NCOND], shi[NCOND];
  const char *ticks[NCOND];
  for (size_t c = 0; c < NCOND; c++) {
    int rc = lam_exp_mean_ci(x, cond[c].name, "tort_mi", &mi[c], &mlo[c], &mhi[c], NULL, err);
    if (!rc) {
      rc = lam_exp_mean_ci(x, cond[c].name, "surrogate_mean", &sm[c], &slo[c], &shi[c], NULL, err);
    }
    if (rc) {
      return rc;
    }
    ticks[c] = cond[c].tick;
  }
  const lam_exp_curve cv[] = {{.label = "Tort MI", .y = mi, .lo = mlo, .hi = mhi},
                              {.label = "shifted surrogates", .y = sm, .lo = slo, .hi = shi}};
  const int made = lam_exp_rhythms_made(x);
  const lam_exp_fig fig = {.file = "modulation_index.png",
                           .title = made ? "phase-amplitude-coupling: L5 alpha phase vs L2/3 gamma amplitude"
                                         : "phase-amplitude-coupling: L5/6 alpha phase vs L2/3 gamma amplitude",
                           .xlabel = made ? "deep -> superficial link (base model's column)"
                                          : "interlaminar couplings (Mejias 2016 column)",
                           .ylabel = "modulation index (1)", .xticks = ticks, .n = NCOND,
                           .ylog = 1};
  return lam_exp_figure_lines(x, &fig, cv, 2, err);
}

const lam_experiment lam_exp_phase_amplitude_coupling = {
    .name = "phase-amplitude-coupling",
    .id = "P8",
    .category = "oscillatory coordination",
    .prediction = "Superficial gamma amplitude is locked to the phase of the deep alpha rhythm "
                  "(PAC), through the interlaminar couplings",
    .protocol = "The Mejias 2016 laminar column (models/mejias2016.ini beside the base model, "
                "stochastic Heun, 0.2 ms) runs 263 s (66 s with --quick); 1 kHz samples after "
                "1 s; Tort MI (18 bins) of the L5/6 E " LAM_BAND_ALPHA_TEXT " phase against the "
                "L2/3 E " LAM_BAND_GAMMA_TEXT " amplitude, 1 s dropped at each end, against 199 "
                "circularly shifted "
                "surrogates (shifts >= 1 s). With column-made rhythms (clocks.gamma_source "
                "and alpha_source not clock) the base model itself runs instead (4 columns, "
                "constant stimulus, 33 s, 17 s with --quick) and the phase is the L5 basal "
                "rate's",
    .manipulation = "interlaminar couplings on (published j_e56_e23 = 1, j_i23_e56 = 0.75) or "
                    "off (both 0); with column-made rhythms the deep -> superficial link "
                    "column.w_dl as in the base model or 0",
    .metric = "Tort modulation index, its surrogate mean, z-score and p-value per condition",
    .effect = "surrogate z-score with the couplings on minus with them off",
    .citation = "prediction P8 (docs/experiments/README.md); Mejias et al. 2016 [S8][S9]; Tort et "
                "al. 2010 [S34]",
    .criterion = {+1, 2.0, "the couplings raise the surrogate z-score of the MI by more than 2"},
    .evidence = LAM_EVIDENCE_EMERGENT,
    .run_seed = run_seed,
    .figures = figures,
};
