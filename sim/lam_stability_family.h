/* lam_stability_family.h: the family of systems mu -> a model with one
 * key set to mu, for the stability analysis' continuation
 * (analysis/lam_stability.h: a lam_stability_at).
 */
#ifndef LAM_STABILITY_FAMILY_H
#define LAM_STABILITY_FAMILY_H

#include "lam_error.h"
#include "lam_sim_params.h"
#include "lam_system.h"

typedef struct lam_stability_family lam_stability_family;

/* The family mu -> base with "section.key" = mu (a number key). base is
 * copied (it may be freed afterwards). LAM_EINVAL when key is not a number
 * key of the model or the model cannot be built at its own value of the
 * key (errors name the file and line). */
int lam_stability_family_new(const lam_sim_params *base, const char *key,
                             lam_stability_family **out, lam_err *err);
void lam_stability_family_free(lam_stability_family *f);
/* A lam_stability_at for ctx = the family. */
int lam_stability_family_at(void *family, double mu, const lam_system **sys,
                            lam_err *err);

#endif
