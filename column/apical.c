/* apical.c: the apical dendrites and PV of an evaluation in one sweep
 * (DESIGN.md section 2; the equations are those of l5a.c and pv.c):
 *   tau_l5a dA_ijh/dt = -A_ijh + g_fb,j G_ijh / (1 + w_sa S_j)
 *   R_ijh = exp(beta (A_ijh - s P_ih))  (or the other PV modes of pv.c)
 *   tau_pv dP_ih/dt = sum_j R_ijh - 1   (or the divisive form)
 * Done one after the other, each block made a pass over the nq x H x T
 * arrays (A twice, R three times); here a group of rows goes through all
 * three while it sits in the first-level cache (docs/performance.md, "The
 * attention right-hand side, fused"). A row's values do not depend on the
 * group it is in (lam_vmath_exp: the same value at any position), so the
 * grouping and the threads' split leave every bit as the separate blocks
 * give it. */
#include "lam_column.h"
#include "lam_par.h"
#include "lam_vmath.h"

/* Rows per group: 8 rows of T = 64 keys are 4 KB per array. */
enum { GROUP_ELEMS = 512 };

/* Subtractive PV: dA of lam_l5a_rhs_rows and the rate arguments
 * beta (A - s P) of lam_pv_rates_rows in one loop over A, four at a time
 * (the same operations per element as those two). */
LAM_COLUMN_SIMD static void rows_subtractive(const lam_column_params *p,
                                             const lam_column_params *ppv,
                                             size_t T, size_t r0, size_t r1,
                                             const double *A, const double *G,
                                             const double *fac,
                                             const double *P, double *R,
                                             double *dA) {
  const double k = 1.0 / p->tau_l5a, b = ppv->beta, s = ppv->pv_strength;
  for (size_t ih = r0; ih < r1; ih++) {
    const double *a = A + ih * T, *g = G + ih * T, sp = s * P[ih];
    double *da = dA + ih * T, *r = R + ih * T;
    size_t j = 0;
    for (; j + 4 <= T; j += 4) {
      const double a0 = a[j], a1 = a[j + 1], a2 = a[j + 2], a3 = a[j + 3];
      const double f0 = g[j] * fac[j], f1 = g[j + 1] * fac[j + 1],
                   f2 = g[j + 2] * fac[j + 2], f3 = g[j + 3] * fac[j + 3];
      da[j] = k * (-a0 + f0);
      da[j + 1] = k * (-a1 + f1);
      da[j + 2] = k * (-a2 + f2);
      da[j + 3] = k * (-a3 + f3);
      r[j] = b * (a0 - sp);
      r[j + 1] = b * (a1 - sp);
      r[j + 2] = b * (a2 - sp);
      r[j + 3] = b * (a3 - sp);
    }
    for (; j < T; j++) {
      da[j] = k * (-a[j] + g[j] * fac[j]);
      r[j] = b * (a[j] - sp);
    }
  }
  lam_vmath_exp((r1 - r0) * T, R + r0 * T, R + r0 * T);
}

void lam_apical_rhs(const lam_column_params *p, const lam_column_params *ppv,
                    const lam_dims *d, const double *A, const double *G,
                    const double *fac, const double *P, double *R, double *dA,
                    double *dP) {
  const size_t T = d->T, rows = d->nq * d->H;
  const size_t per = T >= GROUP_ELEMS ? 1 : GROUP_ELEMS / T;
  const long ngroups = (long)((rows + per - 1) / per);
  const int nt = lam_par_threads(d->threads, rows * T >= LAM_PAR_MIN_APICAL);
  LAM_OMP_N(nt, "omp parallel for schedule(static) num_threads(nt) if (nt > 1)")
  for (long g = 0; g < ngroups; g++) {
    const size_t r0 = (size_t)g * per, r1 = r0 + per < rows ? r0 + per : rows;
    if (ppv->pv == LAM_PV_SUBTRACTIVE) {
      rows_subtractive(p, ppv, T, r0, r1, A, G, fac, P, R, dA);
    } else {
      lam_l5a_rhs_rows(p, T, r0, r1, A, G, fac, dA);
      lam_pv_rates_rows(ppv, T, r0, r1, A, P, R);
    }
    lam_pv_rhs_rows(p, T, r0, r1, P, R, dP);
  }
}
