/* l5b.c: L5 pyramidal soma / basal dendrites carry the keys, driven
 * bottom-up only (docs/model.md):
 *   tau_l5b dK_jh/dt = -K_jh + F(W_K^h x_j) */
#include "lam_column.h"

void lam_l5b_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *K, const double *drive, double *dK) {
  const size_t n = d->T * d->H * d->dk;
  lam_leaky_rhs(p, n, 1.0 / p->tau_l5b, K, drive, dK);
}

void lam_l5b_rhs_gain(const lam_column_params *p, const lam_dims *d,
                      const double *K, const double *s, const double *XK,
                      double *dK) {
  lam_leaky_rhs_gain_par(p, d, d->H * d->dk, 1.0 / p->tau_l5b, K, s, XK, 0.0, NULL, dK);
}
