/* lam_registry.c: the experiments, in report order. One line per
 * experiment file. */
#include <string.h>

#include "lam_experiment.h"

extern const lam_experiment lam_exp_attention_identity;
extern const lam_experiment lam_exp_context_invariance_l4;
extern const lam_experiment lam_exp_selectivity_by_layer;
extern const lam_experiment lam_exp_apical_gain;
extern const lam_experiment lam_exp_pv_softmax;
extern const lam_experiment lam_exp_burst_multiplexing;
extern const lam_experiment lam_exp_apical_block;
extern const lam_experiment lam_exp_laminar_spectra;
extern const lam_experiment lam_exp_phase_amplitude_coupling;
extern const lam_experiment lam_exp_spectral_asymmetry;
extern const lam_experiment lam_exp_frequency_separation;
extern const lam_experiment lam_exp_head_lesion;
extern const lam_experiment lam_exp_burst_plasticity;

static const lam_experiment *const registry[] = {
    &lam_exp_attention_identity,
    &lam_exp_context_invariance_l4,
    &lam_exp_selectivity_by_layer,
    &lam_exp_apical_gain,
    &lam_exp_pv_softmax,
    &lam_exp_burst_multiplexing,
    &lam_exp_apical_block,
    &lam_exp_laminar_spectra,
    &lam_exp_phase_amplitude_coupling,
    &lam_exp_spectral_asymmetry,
    &lam_exp_frequency_separation,
    &lam_exp_head_lesion,
    &lam_exp_burst_plasticity,
};

size_t lam_experiment_count(void) {
  return sizeof registry / sizeof registry[0];
}

const lam_experiment *lam_experiment_get(size_t i) {
  return i < lam_experiment_count() ? registry[i] : NULL;
}

const lam_experiment *lam_experiment_find(const char *name) {
  for (size_t i = 0; i < lam_experiment_count(); i++) {
    if (!strcmp(registry[i]->name, name)) {
      return registry[i];
    }
  }
  return NULL;
}
