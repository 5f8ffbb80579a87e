/* lam_stability_family.c: systems along one parameter (see
 * lam_stability_family.h). */
#include "lam_stability_family.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_sim.h"

struct lam_stability_family {
  lam_sim_params *base;
  char key[256];
  lam_sim *sim; /* current */
  double mu;
  int have;
};

void lam_stability_family_free(lam_stability_family *f) {
  if (!f) {
    return;
  }
  lam_sim_free(f->sim);
  lam_sim_params_free(f->base);
  free(f);
}

int lam_stability_family_at(void *family, double mu, const lam_system **sys,
                            lam_err *err) {
  lam_stability_family *f = family;
  if (f->have && mu == f->mu) {
    *sys = lam_sim_system(f->sim);
    return LAM_OK;
  }
  lam_sim_params *p = lam_sim_params_copy(f->base, err);
  if (!p) {
    return err ? err->code : LAM_ENOMEM;
  }
  lam_sim *sim = NULL;
  int rc = lam_sim_params_set_number(p, f->key, mu, err);
  if (!rc) {
    rc = lam_sim_new(p, &sim, err);
  }
  lam_sim_params_free(p);
  if (rc) {
    return rc;
  }
  lam_sim_free(f->sim);
  f->sim = sim;
  f->mu = mu;
  f->have = 1;
  *sys = lam_sim_system(sim);
  return LAM_OK;
}

int lam_stability_family_new(const lam_sim_params *base, const char *key,
                             lam_stability_family **out, lam_err *err) {
  *out = NULL;
  const char *dot = strrchr(key, '.');
  if (!dot || dot == key || !dot[1] || strlen(key) >= 256) {
    return lam_err_set(err, LAM_EINVAL,
                       "stability: expected section.key to vary, found '%s'", key);
  }
  lam_stability_family *f = calloc(1, sizeof *f);
  if (!f) {
    return LAM_NOMEM(err);
  }
  snprintf(f->key, sizeof f->key, "%s", key);
  f->base = lam_sim_params_copy(base, err);
  /* Build once at the model's own value, so bad models fail here, and
   * check the key names a number of this model. */
  char text[64];
  int rc = f->base ? lam_sim_params_get(f->base, key, text, sizeof text, err)
                   : (err ? err->code : LAM_ENOMEM);
  if (!rc) {
    rc = lam_sim_new(f->base, &f->sim, err);
  }
  if (rc) {
    lam_stability_family_free(f);
    return rc;
  }
  *out = f;
  return LAM_OK;
}
