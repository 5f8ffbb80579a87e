/* l4.c: L4 spiny stellate cells carry the values (docs/model.md).
 *   tau_l4 dV_jh/dt = -V_jh + F(g_ff(t) W_V^h x_j)
 * The drive g_ff W_V x is computed by the network (circuits/lam_attention.c). */
#include "lam_column.h"

void lam_l4_rhs(const lam_column_params *p, const lam_dims *d,
                const double *V, const double *drive, double *dV) {
  const size_t n = d->T * d->H * d->dv;
  lam_leaky_rhs(p, n, 1.0 / p->tau_l4, V, drive, dV);
}

void lam_l4_rhs_gain(const lam_column_params *p, const lam_dims *d,
                     const double *V, const double *g, const double *XV,
                     double *dV) {
  lam_leaky_rhs_gain_par(p, d, d->H * d->dv, 1.0 / p->tau_l4, V, g, XV, 0.0, NULL, dV);
}
