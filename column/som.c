/* som.c: SOM (Martinotti) cells inhibit the L5 apical dendrite and so scale
 * the gate; VIP cells inhibit them (DESIGN.md section 2; del Molino 2017 [S35]).
 *   tau_som dS_j/dt = -S_j + F(w_s mean(Q_j, K_j) - w_vs I_j)
 * mean(Q_j, K_j) is the mean over all heads and features of column j's
 * queries and keys. */
#include "lam_column.h"

void lam_som_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *S, const double *Q, const double *K,
                 const double *vip, double *dS) {
  const size_t T = d->T, n = d->H * d->dk;
  const double k = 1.0 / p->tau_som;
  for (size_t j = 0; j < T; j++) {
    double m = 0.0;
    for (size_t u = 0; u < n; u++) {
      m += Q[j * n + u] + K[j * n + u];
    }
    m /= (double)(2 * n);
    dS[j] = k * (-S[j] + lam_transfer(p, p->w_s * m - p->w_vs * vip[j]));
  }
}
