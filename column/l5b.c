/* l5b.c: L5 pyramidal soma / basal dendrites carry the keys, driven
 * bottom-up only (DESIGN.md section 2):
 *   tau_l5b dK_jh/dt = -K_jh + F(W_K^h x_j) */
#include "lam_column.h"

void lam_l5b_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *K, const double *drive, double *dK) {
  const size_t n = d->T * d->H * d->dk;
  const double k = 1.0 / p->tau_l5b;
  for (size_t i = 0; i < n; i++) {
    dK[i] = k * (-K[i] + lam_transfer(p, drive[i]));
  }
}
