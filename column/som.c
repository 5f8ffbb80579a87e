/* som.c: SOM (Martinotti) cells inhibit the L5 apical dendrite and so scale
 * the gate; VIP cells inhibit them (docs/model.md; del Molino 2017 [S35]).
 *   tau_som dS_j/dt = -S_j + F(w_s mean(Q_j, K_j) - w_vs I_j [+ x_j])
 * x_j: the deep loop's L5 -> SOM excitation when alpha_source = deep
 * (rhythm.c).
 * mean(Q_j, K_j) is the mean over all heads and features of column j's
 * queries and keys. */
#include "lam_column.h"

static double som_target(const lam_column_params *p, size_t n, double m,
                         double vip, const double *x) {
  m /= (double)(2 * n);
  return lam_transfer(p, x ? p->w_s * m - p->w_vs * vip + *x
                           : p->w_s * m - p->w_vs * vip);
}

/* The column sums run over four columns at once, each in its own
 * accumulator from u = 0 up: the same bits as one column at a time, with
 * four independent chains of additions instead of one. */
void lam_som_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *S, const double *Q, const double *K,
                 const double *vip, double *dS) {
  lam_som_rhs_extra(p, d, S, Q, K, vip, NULL, dS);
}

/* x: the deep loop's extra drive per column (rhythm.c), or NULL. */
void lam_som_rhs_extra(const lam_column_params *p, const lam_dims *d,
                       const double *S, const double *Q, const double *K,
                       const double *vip, const double *x, double *dS) {
  const size_t T = d->T, n = d->H * d->dk;
  const double k = 1.0 / p->tau_som;
  size_t j = 0;
  for (; j + 4 <= T; j += 4) {
    const double *q = Q + j * n, *kk = K + j * n;
    double m0 = 0.0, m1 = 0.0, m2 = 0.0, m3 = 0.0;
    for (size_t u = 0; u < n; u++) {
      m0 += q[u] + kk[u];
      m1 += q[n + u] + kk[n + u];
      m2 += q[2 * n + u] + kk[2 * n + u];
      m3 += q[3 * n + u] + kk[3 * n + u];
    }
    const double m[4] = {m0, m1, m2, m3};
    for (size_t c = 0; c < 4; c++) {
      dS[j + c] = k * (-S[j + c] + som_target(p, n, m[c], vip[j + c], x ? x + j + c : NULL));
    }
  }
  for (; j < T; j++) {
    double m = 0.0;
    for (size_t u = 0; u < n; u++) {
      m += Q[j * n + u] + K[j * n + u];
    }
    dS[j] = k * (-S[j] + som_target(p, n, m, vip[j], x ? x + j : NULL));
  }
}
