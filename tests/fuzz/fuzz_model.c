/* fuzz_model: the model-file loader (io/lam_model.c) and everything a
 * loaded model builds on the path of `laminar run`: lam_model_load_text,
 * lam_model_load on a file holding the same bytes, then lam_sim_new (every
 * section a model can have: column kinds, areas, solver, stimulus, inputs,
 * initial state) and the resolved text, without integrating.
 * Seeds: corpus/model/ (the shipped models); dictionary: model.dict. */
#include "lam_fuzz.h"
#include "lam_model.h"
#include "lam_sim.h"
#include "lam_params.h"

static void build(lam_model *m) {
  lam_err err = {0, ""};
  lam_sim *sim = NULL;
  if (lam_sim_from_model(m, &sim, &err) == LAM_OK) {
    lam_run_opts o = lam_run_defaults(sim);
    (void)o;
    free(lam_sim_params_text(lam_sim_params_of(sim)));
    (void)lam_model_hash(m);
  }
  lam_sim_free(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lam_err err = {0, ""};
  char *text = lam_fuzz_text(data, size);
  lam_model *m = lam_model_new();
  if (lam_model_load_text(m, text, "fuzz.ini", lam_fuzz_dir(), &err) == LAM_OK) {
    build(m);
  }
  lam_model_free(m);
  free(text);

  const char *path = lam_fuzz_file("model.ini", data, size);
  m = lam_model_new();
  if (lam_model_load(m, path, &err) == LAM_OK) {
    build(m);
  }
  lam_model_free(m);
  return 0;
}
