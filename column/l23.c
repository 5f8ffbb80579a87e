/* l23.c: L2/3 pyramidal cells carry the queries (DESIGN.md section 2).
 *   tau_l23 dQ_jh/dt = -Q_jh + F(g_ff W_Q^h x_j + c_lat sum_i L_ji Q_ih + c_td W_Q^h z)
 * The lateral and top-down terms are summed into drive by the network. */
#include "lam_column.h"

void lam_l23_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *Q, const double *drive, double *dQ) {
  const size_t n = d->T * d->H * d->dk;
  const double k = 1.0 / p->tau_l23;
  for (size_t i = 0; i < n; i++) {
    dQ[i] = k * (-Q[i] + lam_transfer(p, drive[i]));
  }
}
