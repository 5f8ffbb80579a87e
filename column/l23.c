/* l23.c: L2/3 pyramidal cells carry the queries (docs/model.md).
 *   tau_l23 dQ_jh/dt = -Q_jh + F(g_ff W_Q^h x_j + c_lat sum_i L_ji Q_ih + c_td W_Q^h z)
 * The lateral and top-down terms are summed into drive by the network. */
#include "lam_column.h"

void lam_l23_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *Q, const double *drive, double *dQ) {
  const size_t n = d->T * d->H * d->dk;
  lam_leaky_rhs(p, n, 1.0 / p->tau_l23, Q, drive, dQ);
}

void lam_l23_rhs_gain(const lam_column_params *p, const lam_dims *d,
                      const double *Q, const double *g, const double *XQ,
                      double c_td, const double *zQ,
                      double *dQ) {
  lam_leaky_rhs_gain_par(p, d, d->H * d->dk, 1.0 / p->tau_l23, Q, g, XQ, c_td, zQ, dQ);
}
