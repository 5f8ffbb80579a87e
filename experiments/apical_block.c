/* apical_block.c: P6, cutting the apical dendrite's nonlinearity, or raising
 * SOM inhibition of the apical tuft, abolishes the gate: context selection is
 * lost while the feedforward response is kept (Larkum 2013 [S38]; Murayama et
 * al. 2009 [S39]; P6, docs/experiments/README.md). The block is biological:
 * SOM -> apical division raised with VIP's top-down disinhibition removed
 * (the gate is divided, not set to zero by a degenerate constant); VIP
 * silenced alone is recorded beside it. The single-spike (event) output is
 * the L5 basal rate, measured on its own. */
#include <math.h>
#include <stdio.h>

#include "lam_attn.h"
#include "lam_exp_topdown.h"

enum { T = 8, D = 8, NCOND = 3 };

static void vip_off(lam_sim_params *p) { p->column.c_vip = 0.0; }
static void som(lam_sim_params *p) {
  p->column.w_s = 2.0;
  p->column.w_sa = 20.0;
  p->column.c_vip = 0.0;
}
static const struct {
  const char *name, *tick;
  void (*set)(lam_sim_params *p);
} cond[NCOND] = {{"intact", "intact", NULL},
                 {"som_raised", "SOM raised", som},
                 {"vip_silenced", "VIP silenced", vip_off}};

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  double X[T * D], z[D], si[NCOND], ff[NCOND];
  int rc = lam_exp_graded_inputs(T, D, seed, X, z, err);
  for (size_t c = 0; !rc && c < NCOND; c++) {
    const lam_exp_td td = {T, D, X, z, 1.0, 1.0, lam_exp_quick(x) ? 0.5 : 1.0, NULL, 0};
    lam_exp_td_out o;
    lam_sim_params *p = NULL;
    rc = lam_exp_params(x, seed, &p, err);
    if (!rc) {
      if (cond[c].set) {
        cond[c].set(p);
      }
      rc = lam_exp_td_run(x, p, &td, &o, err);
    }
    lam_sim_params_free(p);
    if (rc) {
      break;
    }
    /* Selection: 1 - H(R) / log T (0 uniform over keys, 1 one key). */
    si[c] = 1.0 - lam_attn_entropy_row(o.attn, T) / log((double)T);
    ff[c] = 0.0;
    double l4 = 0.0;
    for (size_t j = 0; j < T; j++) {
      ff[c] += o.l5b[j] / T;
      l4 += o.l4[j] / T;
    }
    lam_exp_td_out_free(&o);
    rc = lam_exp_metric(x, cond[c].name, "selection_index", si[c], "1", err);
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "l5_basal_rate", ff[c], "a.u.", err);
    }
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "l4_rate", l4, "a.u.", err);
    }
  }
  /* Per block: the share of selection lost, and the share of the
   * feedforward response kept (min(r, 1/r) of the L5 basal rate). */
  double e = NAN;
  for (size_t c = 1; !rc && c < NCOND; c++) {
    const double lost = si[0] > 0.0 ? 1.0 - si[c] / si[0] : 0.0;
    const double r = ff[0] > 0.0 ? ff[c] / ff[0] : 0.0;
    const double kept = r > 0.0 ? fmin(r, 1.0 / r) : 0.0;
    rc = lam_exp_metric(x, cond[c].name, "selection_lost", lost, "1", err);
    if (!rc) {
      rc = lam_exp_metric(x, cond[c].name, "feedforward_kept", kept, "1", err);
    }
    if (c == 1) { /* the effect is the SOM block's */
      e = fmin(lost, kept);
    }
  }
  *effect = e;
  return rc;
}

static int figures(lam_exp *x, lam_err *err) {
  double y[2][NCOND], lo[2][NCOND], hi[2][NCOND];
  const char *ticks[NCOND];
  for (size_t c = 0; c < NCOND; c++) {
    int rc = lam_exp_mean_ci(x, cond[c].name, "selection_index", &y[0][c], &lo[0][c], &hi[0][c], NULL, err);
    if (!rc) {
      rc = lam_exp_mean_ci(x, cond[c].name, "l5_basal_rate", &y[1][c], &lo[1][c], &hi[1][c], NULL, err);
    }
    if (rc) {
      return rc;
    }
    ticks[c] = cond[c].tick;
  }
  const lam_exp_curve cv[] = {{.label = "selection index (1)", .y = y[0], .lo = lo[0], .hi = hi[0]},
                              {.label = "L5 basal rate (a.u.)", .y = y[1], .lo = lo[1], .hi = hi[1]}};
  const lam_exp_fig fig = {.file = "selection_and_feedforward.png",
                           .title = "apical-block: context selection and feedforward response",
                           .xlabel = "apical gate", .xticks = ticks, .n = NCOND,
                           .stacked = 1};
  return lam_exp_figure_lines(x, &fig, cv, 2, err);
}

const lam_experiment lam_exp_apical_block = {
    .name = "apical-block",
    .id = "P6",
    .category = "dendritic integration",
    .prediction = "Blocking the apical nonlinearity or raising SOM inhibition of the apical "
                  "dendrite abolishes context selection while the feedforward response is kept",
    .protocol = "8 columns with inputs of graded similarity to one top-down context (topdown "
                "topology, identity projections); run 1 s intact, with SOM raised and with "
                "VIP silenced (recorded, not in the effect)",
    .manipulation = "SOM raised: column.w_s = 2, w_sa = 20, c_vip = 0 (dendrite-targeting "
                    "inhibition up, top-down disinhibition off); VIP silenced: c_vip = 0",
    .metric = "Selection index 1 - H(R)/log T of the burst rates over keys; single-spike "
              "(event) output: L5 basal rate mean_j |K_j|; L4 rate mean_j |V_j|",
    .effect = "min(selection lost, feedforward kept) under SOM raised: selection lost = 1 - "
              "SI(block)/SI(intact), feedforward kept = min(r, 1/r), r = L5 basal rate "
              "block/intact",
    .citation = "prediction P6 (docs/experiments/README.md); Larkum 2013 [S38]; Murayama et al. "
                "2009 [S39] (SOM and apical dendrites)",
    .criterion = {+1, 0.5, "raising SOM loses more than half the selection and keeps more "
                           "than half the feedforward response"},
    .evidence = LAM_EVIDENCE_MIXED,
    .clauses = (const lam_exp_clause[]){
        {"the event (L5 basal) output is kept: the basal equation has no apical or SOM term",
         LAM_EVIDENCE_ANALYTIC},
        {"raising SOM loses more than half the selection", LAM_EVIDENCE_EMERGENT},
        {NULL, LAM_EVIDENCE_EMERGENT}},
    .run_seed = run_seed,
    .figures = figures,
};
