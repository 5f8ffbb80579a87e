/* out.c: the L5 burst output routes the values (docs/model.md):
 *   tau_out dO_ih/dt = -O_ih + sum_j R_ijh V_jh
 * At steady state with subtractive PV this is softmax(Q K^T / sqrt(d_k)) V,
 * transformer attention. One dgemm per head (CBLAS). */
#include <cblas.h>

#include "lam_column.h"

/* All queries: every head's share (lam_out_rows below), one thread. The
 * network runs lam_out_rows per unit (apical.c). */
void lam_out_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *O, const double *R, const double *V,
                 double *dO) {
  for (size_t h = 0; h < d->H; h++) {
    lam_out_rows(p, d, O, R, V, h, 0, d->nq, dO);
  }
}

/* One head's share of the queries [i0, i1): the decay of those dv-wide
 * row segments, then one dgemm adding their routed values. */
LAM_COLUMN_SIMD void lam_out_rows(const lam_column_params *p,
                                  const lam_dims *d, const double *O,
                                  const double *R, const double *V, size_t h,
                                  size_t i0, size_t i1, double *dO) {
  const size_t T = d->T, dv = d->dv, ldv = d->H * dv, ldr = d->H * T;
  const double k = 1.0 / p->tau_out, mk = -k;
  for (size_t i = i0; i < i1; i++) {
    const double *o = O + i * ldv + h * dv;
    double *d_o = dO + i * ldv + h * dv;
    for (size_t m = 0; m < dv; m++) {
      d_o[m] = mk * o[m];
    }
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(i1 - i0),
              (int)dv, (int)T, k, R + i0 * ldr + h * T, (int)ldr,
              V + h * dv, (int)ldv, 1.0, dO + i0 * ldv + h * dv, (int)ldv);
}
