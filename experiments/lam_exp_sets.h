/* lam_exp_sets.h: model overrides shared by several experiments. */
#ifndef LAM_EXP_SETS_H
#define LAM_EXP_SETS_H

/* The ideal transformer (docs/model.md, "Anchor identity"): every
 * biological departure of the base model switched off. */
static const char *const LAM_EXP_IDEAL[] = {
    "column.kind=attention", "column.transfer=linear", "column.gate=product",
    "column.pv=subtractive", "column.pv_strength=1",  "column.beta=1",
    "column.w_s=0",          "column.w_vs=0",          "column.w_sa=0",
    "column.c_vip=0",        "network.topology=self",  "network.lateral=none",
    "network.c_lat=0",       "network.c_td=0",         "clocks.enabled=false",
    "stimulus.protocol=constant", "stimulus.level=1",  "stimulus.amplitude=0",
    "stimulus.noise_sigma=0",
    NULL};

#endif
