/* lam_params.h: a model file (with --set overrides) read into typed
 * parameters, and the simulation built from it.
 *
 * lam_params_from_model() fills every section the model's kind reads from
 * the lam_model (io/lam_model.h: the INI text store) in the order the kind
 * reads them, with their tables' type and range checks and file:line
 * messages; reads the CSV files of its path keys into arrays; records
 * where each key was given; and then reports any key or section nothing
 * read (a misspelt key is an error naming its file and line). Nothing
 * below io/ sees INI text.
 */
#ifndef LAM_PARAMS_H
#define LAM_PARAMS_H

#include "lam_error.h"
#include "lam_model.h"
#include "lam_sim.h"
#include "lam_sim_params.h"

int lam_params_from_model(lam_model *m, lam_sim_params **out, lam_err *err);

/* Read the CSV file of every path key of p that names one and has no
 * array yet (a key set by name after p was read: a sweep's point), as
 * lam_params_from_model reads them. */
int lam_params_load_arrays(lam_sim_params *p, lam_err *err);

/* A model file with its --set overrides ("section.key=value", as the
 * command line gives them, nsets of them) read into parameters: the
 * messages name the file and line, or the override. */
int lam_params_load(const char *path, const char *const *sets, size_t nsets,
                    lam_sim_params **out, lam_err *err);

/* lam_params_from_model, then lam_sim_new. */
int lam_sim_from_model(lam_model *m, lam_sim **out, lam_err *err);

/* A command-line option that sets [run] key (option "--t-end", key
 * "t_end"): checked now against the key's range, with messages naming the
 * option ("--t-end 0: run.t_end: expected a value in [1e-09, 1e+09] s,
 * found 0"), then set over the model file, so the recorded model text
 * holds it. Call before lam_params_from_model. */
int lam_params_option(lam_model *m, const char *option, const char *key,
                      const char *value, lam_err *err);

#endif
