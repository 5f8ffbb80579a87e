/* tu_clock.h: clocks from model text, read as io/ reads a model file
 * (the [clocks] section and the generators' sections it names). */
#ifndef TU_CLOCK_H
#define TU_CLOCK_H

#include "lam_attention.h"
#include "lam_model.h"
#include "lam_params.h"

static inline int tu_clock_from_model(lam_model *m, size_t T, lam_clock **c,
                                      lam_err *err) {
  lam_sim_params *p = NULL;
  *c = NULL;
  int rc = lam_params_from_model(m, &p, err);
  if (!rc) {
    lam_attention_params a;
    lam_sim_params_attention(p, &a);
    rc = lam_attention_clock(&a, p->given, T, c, err);
  }
  lam_sim_params_free(p);
  return rc;
}

#endif
