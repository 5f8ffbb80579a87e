/* lam_regions.c: the parameter region of each experiment (lam_region.h),
 * over which `laminar experiment run NAME --region N` maps its prediction.
 *
 * A region holds keys the experiment does not set itself (its conditions
 * would overwrite them), each over the range the cited measurements or
 * models support, in the unit of its parameter table (docs/model-reference.md;
 * checked against the table's valid range before anything runs). The
 * sources are in docs/references.md; each experiment's page lists its
 * region ("Region"). seeds: per point, chosen so that
 * `experiment run --all --region 32 -j 2` stays under an hour on 2 cores
 * (docs/experiments/README.md, "Prediction maps"). */
#include <string.h>

#include "lam_region.h"

/* The ranges, shared by several regions. */

/* L4 / L2/3 excitatory time constant: from the 6 ms of the L2/3 E
 * population of Mejias et al. 2016 [S8] to the 16 ms L5 soma of Naud's
 * two-compartment neuron [S23] (Jansen & Rit's 10 ms [S13] inside). */
#define TAU_L4 {"column.tau_l4", 0.006, 0.016, 0, "[S8] 6 ms to [S23] 16 ms"}
#define TAU_L23 {"column.tau_l23", 0.006, 0.016, 0, "[S8] 6 ms to [S23] 16 ms"}
/* L5 soma: from Jansen & Rit's 10 ms excitatory constant [S13] to the
 * 30 ms L5/6 E of Mejias et al. 2016 [S8] (Naud's 16 ms [S23] inside). */
#define TAU_L5B {"column.tau_l5b", 0.010, 0.030, 0, "[S13] 10 ms to [S8] 30 ms"}
/* L5 apical dendrite: half to twice Naud's 7 ms dendritic constant [S23]. */
#define TAU_L5A {"column.tau_l5a", 0.0035, 0.014, 0, "[S23] 7 ms, x0.5 to x2"}
/* PV: del Molino's 8 ms PV cells [S35] up to the 15 ms L2/3 I population
 * of Mejias et al. 2016 [S8], down to half of 8 ms. */
#define TAU_PV {"column.tau_pv", 0.004, 0.015, 0, "[S35] 8 ms x0.5 to [S8] 15 ms"}
/* SOM, VIP: half to twice del Molino's 16 ms SST and VIP cells [S35]. */
#define TAU_SOM {"column.tau_som", 0.008, 0.032, 0, "[S35] 16 ms, x0.5 to x2"}
#define TAU_VIP {"column.tau_vip", 0.008, 0.032, 0, "[S35] 16 ms, x0.5 to x2"}
/* Burst output: no single source (docs/model.md); half to twice its 20 ms,
 * which keeps it at or above the apical and PV constants' lower ends. */
#define TAU_OUT {"column.tau_out", 0.010, 0.040, 0, "20 ms (docs/model.md), x0.5 to x2"}
/* The clocks: the gamma band 30-80 Hz [S10][S12], alpha 8-12 Hz [S16]. */
#define GAMMA_HZ {"clocks.gamma_hz", 30.0, 80.0, 0, "gamma band [S10][S12]"}
#define ALPHA_HZ {"clocks.alpha_hz", 8.0, 12.0, 0, "alpha band [S16]"}

static const lam_region regions[] = {
    /* The identity holds at the steady state whatever the time constants:
     * a map that is not 1 everywhere is a bug. */
    {"attention-identity", 2, 3, {TAU_L5A, TAU_PV, TAU_OUT}, NULL},
    {"context-invariance-l4", 2, 3, {TAU_L4, TAU_L23, TAU_L5B}, NULL},
    {"selectivity-by-layer", 2, 3, {TAU_L23, TAU_L5B, TAU_L5A}, NULL},
    {"apical-gain", 2, 3, {TAU_L5A, TAU_L5B, TAU_SOM}, NULL},
    {"pv-softmax", 2, 3, {TAU_PV, TAU_L5A, TAU_OUT}, NULL},
    {"burst-multiplexing", 2, 3, {TAU_L5A, TAU_L5B, TAU_OUT}, NULL},
    {"apical-block", 2, 3, {TAU_L5A, TAU_SOM, TAU_VIP}, NULL},
    {"laminar-spectra", 2, 3, {GAMMA_HZ, ALPHA_HZ, TAU_L23}, NULL},
    /* The laminar rate model of Mejias et al. 2016 (models/mejias2016.ini):
     * its external inputs to L2/3 E and L5/6 E, +-2 around the published
     * 6 and 8 [S9] (the published figures vary them over this span), and
     * its deep time constants, 20-45 ms around the published 30 ms (5 x
     * the superficial 6 ms) [S8]. */
    {"phase-amplitude-coupling", 1, 3,
     {{"mejias2016.i_e23", 4.0, 8.0, 0, "[S9] 6, +-2"},
      {"mejias2016.i_e56", 6.0, 10.0, 0, "[S9] 8, +-2"},
      {"mejias2016.tau_e56", 0.020, 0.045, 0, "[S8] 30 ms, 20 to 45 ms"}},
     "mejias2016.ini"},
    {"spectral-asymmetry", 1, 3, {GAMMA_HZ, ALPHA_HZ, TAU_L23}, NULL},
    {"frequency-separation", 2, 3, {GAMMA_HZ, ALPHA_HZ, TAU_L23}, NULL},
    {"head-lesion", 2, 3, {TAU_L5A, TAU_PV, TAU_SOM}, NULL},
    {"burst-plasticity", 1, 3, {TAU_L5A, TAU_L5B, TAU_OUT}, NULL},
};

size_t lam_region_count(void) { return sizeof regions / sizeof regions[0]; }

const lam_region *lam_region_get(size_t i) {
  return i < lam_region_count() ? &regions[i] : NULL;
}

const lam_region *lam_region_find(const char *experiment) {
  for (size_t i = 0; i < lam_region_count(); i++) {
    if (!strcmp(regions[i].experiment, experiment)) {
      return &regions[i];
    }
  }
  return NULL;
}
