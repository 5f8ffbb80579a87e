/* lam_exp_sets.h: parameter changes shared by several experiments. */
#ifndef LAM_EXP_SETS_H
#define LAM_EXP_SETS_H

#include "lam_sim_params.h"

/* The ideal transformer (docs/model.md, "Anchor identity"): every
 * biological departure of the base model switched off. */
static inline void lam_exp_ideal(lam_sim_params *p) {
  p->column.kind = LAM_KIND_ATTENTION;
  p->column.transfer = LAM_F_LINEAR;
  p->column.gate = LAM_GATE_PRODUCT;
  p->column.pv = LAM_PV_SUBTRACTIVE;
  p->column.pv_strength = 1.0;
  p->column.beta = 1.0;
  p->column.w_s = 0.0;
  p->column.w_vs = 0.0;
  p->column.w_sa = 0.0;
  p->column.c_vip = 0.0;
  p->network.topology = LAM_TOPO_SELF;
  p->network.lateral = LAM_LAT_NONE;
  p->network.c_lat = 0.0;
  p->network.c_td = 0.0;
  p->clocks.enabled = 0;
  p->stimulus.protocol = LAM_STIM_CONSTANT;
  p->stimulus.level = 1.0;
  p->stimulus.amplitude = 0.0;
  p->stimulus.noise_sigma = 0.0;
}

#endif
