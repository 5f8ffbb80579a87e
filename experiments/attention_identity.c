/* attention_identity.c: closed-form attention vs the circuit (docs/model.md,
 * "Anchor identity"), and the error each biological departure
 * adds. */
#include <math.h>

#include "lam_attn.h"
#include "lam_exp_sets.h"
#include "lam_experiment.h"

/* Relative Frobenius error of the final L5 output against closed form. */
static int identity_error(lam_exp *x, unsigned long seed,
                          void (*departure)(lam_sim_params *p), double *rel,
                          lam_err *err) {
  lam_sim_params *p = NULL;
  lam_sim *sim = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc) {
    lam_exp_ideal(p);
    p->solver.rtol = 1e-10;
    p->solver.atol = 1e-12;
    if (departure) {
      departure(p);
    }
    rc = lam_exp_simulate(x, p, lam_exp_quick(x) ? 0.6 : 1.0, &sim, err);
  }
  if (!rc) {
    rc = lam_attn_identity_error(lam_sim_system(sim), lam_sim_state(sim), rel, err);
  }
  lam_sim_free(sim);
  lam_sim_params_free(p);
  return rc;
}

static void bac(lam_sim_params *p) { p->column.gate = LAM_GATE_BAC; }
static void divisive(lam_sim_params *p) { p->column.pv = LAM_PV_DIVISIVE; }
static void relu(lam_sim_params *p) { p->column.transfer = LAM_F_RELU; }
static void clocks(lam_sim_params *p) {
  p->clocks.enabled = 1;
  p->clocks.gamma_depth = 0.3;
  p->clocks.alpha_depth = 0.3;
}
static void noise(lam_sim_params *p) {
  p->stimulus.noise_sigma = 0.1;
  p->stimulus.noise_tau = 0.01;
}
enum { NCOND = 6 };
static const struct {
  const char *name, *tick;
  void (*departure)(lam_sim_params *p);
} cond[NCOND] = {{"ideal", "ideal", NULL},
                 {"bac_gate", "BAC gate", bac},
                 {"divisive_pv", "divisive PV", divisive},
                 {"relu_transfer", "ReLU", relu},
                 {"clocks_depth_0.3", "clocks 0.3", clocks},
                 {"input_noise_0.1", "noise 0.1", noise}};

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  for (size_t c = 0; c < NCOND; c++) {
    double rel = NAN;
    int rc = identity_error(x, seed, cond[c].departure, &rel, err);
    if (rc) {
      return lam_err_prefix(err, "condition %s: ", cond[c].name);
    }
    rc = lam_exp_metric(x, cond[c].name, "relative_error", rel, "1", err);
    if (rc) {
      return rc;
    }
    if (c == 0) {
      *effect = log10(rel > 1e-300 ? rel : 1e-300);
    }
  }
  return LAM_OK;
}

/* Relative error per departure, mean over seeds, on a log scale. */
static int figures(lam_exp *x, lam_err *err) {
  double y[NCOND], lo[NCOND], hi[NCOND];
  const char *ticks[NCOND];
  for (size_t c = 0; c < NCOND; c++) {
    int rc = lam_exp_mean_ci(x, cond[c].name, "relative_error", &y[c], &lo[c], &hi[c], NULL, err);
    if (rc) {
      return rc;
    }
    ticks[c] = cond[c].tick;
  }
  const lam_exp_curve cv = {.label = "relative error", .y = y, .lo = lo, .hi = hi};
  const lam_exp_fig fig = {.file = "error_by_departure.png",
                           .title = "attention-identity: error of the circuit vs closed-form attention",
                           .xlabel = "biological departure (one at a time)",
                           .ylabel = "relative error ||O - O_ref|| / ||O_ref|| (1)",
                           .xticks = ticks, .n = NCOND, .ylog = 1};
  return lam_exp_figure_lines(x, &fig, &cv, 1, err);
}

const lam_experiment lam_exp_attention_identity = {
    .name = "attention-identity",
    .id = "",
    .category = "anchor",
    .prediction = "With linear transfer, product gate, subtractive PV, beta = 1 and clocks off, "
                  "the L5 output equals softmax(Q K^T / sqrt(d_k)) V exactly; each biological "
                  "departure adds a measurable error",
    .protocol = "Run the base model's network (self topology) to steady state (1 s) under the "
                "ideal settings, then with one departure at a time",
    .manipulation = "gate = bac; pv = divisive; transfer = relu; clocks on (depth 0.3); input "
                    "OU noise (sigma 0.1)",
    .metric = "Relative Frobenius error ||O - O_ref|| / ||O_ref|| of the final L5 output "
              "against closed-form attention from the same X, W_Q, W_K, W_V",
    .effect = "log10 of the relative error of the ideal circuit",
    .citation = "docs/model.md (anchor identity); Vaswani et al. 2017 (scaled dot-product attention)",
    .criterion = {-1, -4.0, "log10 relative error < -4 (ideal circuit within 1e-4 of closed form)"},
    /* At steady state the ideal circuit is softmax attention by its
     * equations (docs/model.md, "Anchor identity"); the run checks the
     * integration. */
    .evidence = LAM_EVIDENCE_ANALYTIC,
    .run_seed = run_seed,
    .figures = figures,
};
