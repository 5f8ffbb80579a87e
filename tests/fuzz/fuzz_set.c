/* fuzz_set: `--set` assignments (lam_model_set) on models/default.ini, as
 * `laminar run MODEL --set ... --set ...` applies them: the input split on
 * newlines is one assignment per line, applied in order until the first
 * error, then lam_sim_new fills every section the assignments reached.
 * Seeds: corpus/set/; dictionary: set.dict (section and key names). */
#include "lam_fuzz.h"
#include "lam_model.h"
#include "lam_sim.h"
#include "lam_params.h"

static lam_model *base;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lam_err err = {0, ""};
  if (!base) {
    base = lam_model_new();
    if (!base ||
        lam_model_load(base, LAM_SOURCE_ROOT "/models/default.ini", &err)) {
      fprintf(stderr, "fuzz_set: %s\n", err.msg);
      abort();
    }
  }
  lam_model *m = lam_model_clone(base, &err);
  if (!m) {
    abort();
  }
  char *text = lam_fuzz_text(data, size);
  int rc = LAM_OK;
  for (char *line = text, *next; !rc && line; line = next) {
    char *nl = strchr(line, '\n');
    next = nl ? nl + 1 : NULL;
    if (nl) {
      *nl = '\0';
    }
    if (*line) { /* a blank line is not an assignment */
      rc = lam_model_set(m, line, &err);
    }
  }
  if (!rc) {
    lam_sim *sim = NULL;
    if (lam_sim_from_model(m, &sim, &err) == LAM_OK) {
      free(lam_sim_params_text(lam_sim_params_of(sim)));
    }
    lam_sim_free(sim);
  }
  lam_model_free(m);
  free(text);
  return 0;
}
