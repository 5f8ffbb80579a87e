/* out.c: the L5 burst output routes the values (DESIGN.md section 2):
 *   tau_out dO_ih/dt = -O_ih + sum_j R_ijh V_jh
 * At steady state with subtractive PV this is softmax(Q K^T / sqrt(d_k)) V,
 * transformer attention. One dgemm per head (CBLAS). */
#include <cblas.h>

#include "lam_column.h"
#include "lam_par.h"

/* dO = -k O, four at a time (packed SIMD at -O2, AVX2 where the processor
 * has it; the same products). */
LAM_COLUMN_SIMD static void decay(size_t n, double k, const double *O,
                                  double *dO) {
  const double mk = -k;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const double o0 = O[i], o1 = O[i + 1], o2 = O[i + 2], o3 = O[i + 3];
    dO[i] = mk * o0;
    dO[i + 1] = mk * o1;
    dO[i + 2] = mk * o2;
    dO[i + 3] = mk * o3;
  }
  for (; i < n; i++) {
    dO[i] = mk * O[i];
  }
}

void lam_out_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *O, const double *R, const double *V,
                 double *dO) {
  const size_t T = d->T, H = d->H, dv = d->dv, nq = d->nq;
  const size_t ldv = H * dv, ldr = H * T;
  const double k = 1.0 / p->tau_out;
  decay(nq * ldv, k, O, dO);
  /* Threads: one call per head, as in l5a.c (core/lam_par.h). */
  const long nh = (long)H;
  const int nt = lam_par_threads(d->threads, nq * H * T >= LAM_PAR_MIN_APICAL);
  LAM_OMP_N(nt, "omp parallel for schedule(static) num_threads(nt) if (nt > 1)")
  for (long h = 0; h < nh; h++) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nq, (int)dv,
                (int)T, k, R + h * T, (int)ldr, V + h * dv, (int)ldv, 1.0,
                dO + h * dv, (int)ldv);
  }
}

/* One head's share of the queries [i0, i1): the decay of those dv-wide
 * row segments, then one dgemm adding their routed values. Each element
 * gets the same operations as in lam_out_rhs. */
LAM_COLUMN_SIMD void lam_out_rows(const lam_column_params *p,
                                  const lam_dims *d, const double *O,
                                  const double *R, const double *V, size_t h,
                                  size_t i0, size_t i1, double *dO) {
  const size_t T = d->T, dv = d->dv, ldv = d->H * dv, ldr = d->H * T;
  const double k = 1.0 / p->tau_out;
  if (i1 <= i0) {
    return;
  }
  const double mk = -k;
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
