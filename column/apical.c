/* apical.c: the T x T block of an evaluation, everything that lives on the
 * L5 apical dendrites (docs/model.md; the equations are those of
 * l5a.c, pv.c and out.c):
 *   G_ijh = gate(Q_ih, K_jh) / sqrt(d_k)
 *   tau_l5a dA_ijh/dt = -A_ijh + g_fb,j G_ijh / (1 + w_sa S_j)
 *   R_ijh = exp(beta (A_ijh - s P_ih))  (or the other PV modes of pv.c)
 *   tau_pv dP_ih/dt = sum_j R_ijh - 1   (or the divisive form)
 *   tau_out dO_ih/dt = -O_ih + sum_j R_ijh V_jh
 * Done one after the other over all queries, each block made a pass over
 * the nq x H x T arrays, and with threads each split them its own way (the
 * gate and the output by heads, the rates by rows), so that every array
 * went from one core's cache to the other's between blocks. Here the work
 * comes in units, a block of queries with all their heads (or one head of
 * the single top-down query), and a unit goes through all five while its
 * rows sit in the core's cache; threads take contiguous
 * ranges of units in one parallel region (docs/performance.md, "The
 * attention right-hand side in units"). A unit's gate and output are one
 * dgemm each, the same calls for any number of threads, and a row's values
 * do not depend on the unit it is in (lam_vmath_exp: the same value at any
 * position), so results are the same bits for any thread count. */
#include "lam_column.h"
#include "lam_par.h"
#include "lam_vmath.h"

/* Queries per unit: 16 (a whole number of OpenBLAS's small-matrix row
 * tiles; T = 64 queries make 4 units). Rows per group inside a unit: 8
 * rows of T = 64 keys are 4 KB per array. */
enum { QBLOCK = 16, GROUP_ELEMS = 512 };

/* Subtractive PV: dA of lam_l5a_rhs_rows and the rate arguments
 * beta (A - s P) of lam_pv_rates_rows in one loop over A, four at a time
 * (the same operations per element as those two), then the rates. */
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

/* One unit: the heads [h0, h1) of the queries [i0, i1), either all heads
 * or one query, so that its rows [i0 H + h0, (i1 - 1) H + h1) are
 * contiguous. */
static void unit(const lam_column_params *p, const lam_column_params *ppv,
                 const lam_dims *d, const lam_apical_args *x, size_t i0,
                 size_t i1, size_t h0, size_t h1) {
  const size_t T = d->T, H = d->H, r0 = i0 * H + h0, r1 = (i1 - 1) * H + h1;
  for (size_t h = h0; h < h1; h++) {
    lam_l5a_gate_rows(d, x->q, x->ldq, x->gatework, h, i0, i1, x->G);
  }
  /* dA, R and dP a group of rows at a time, while the group's rows of A,
   * G and R are in the first-level cache. */
  const size_t per = T >= GROUP_ELEMS ? 1 : GROUP_ELEMS / T;
  for (size_t g0 = r0; g0 < r1; g0 += per) {
    const size_t g1 = g0 + per < r1 ? g0 + per : r1;
    if (ppv->pv == LAM_PV_SUBTRACTIVE) {
      rows_subtractive(p, ppv, T, g0, g1, x->A, x->G, x->fac, x->P, x->R,
                       x->dA);
    } else {
      lam_l5a_rhs_rows(p, T, g0, g1, x->A, x->G, x->fac, x->dA);
      lam_pv_rates_rows(ppv, T, g0, g1, x->A, x->P, x->R);
    }
    lam_pv_rhs_rows(p, T, g0, g1, x->P, x->R, x->dP);
  }
  for (size_t h = h0; h < h1; h++) {
    lam_out_rows(p, d, x->O, x->R, x->V, h, i0, i1, x->dO);
  }
}

/* Unit u of lam_apical_rhs. */
static void unit_at(const lam_column_params *p, const lam_column_params *ppv,
                    const lam_dims *d, const lam_apical_args *x, long u, size_t nh,
                    size_t per_q) {
  const size_t nq = d->nq, b = (size_t)u / nh, h0 = (size_t)u % nh * per_q,
               i0 = b * QBLOCK, i1 = i0 + QBLOCK < nq ? i0 + QBLOCK : nq;
  unit(p, ppv, d, x, i0, i1, h0, h0 + per_q);
}

/* Units: blocks of QBLOCK queries with all their heads, or with a single
 * query (the top-down topology) its heads one by one. They depend on the
 * sizes alone, not on the thread count. */
void lam_apical_rhs(const lam_column_params *p, const lam_column_params *ppv,
                    const lam_dims *d, const lam_apical_args *x) {
  const size_t nq = d->nq, H = d->H;
  const size_t per_q = nq > 1 ? H : 1; /* heads per unit */
  const size_t nb = (nq + QBLOCK - 1) / QBLOCK, nh = H / per_q;
  const long nunits = (long)(nb * nh);
  const int nt = lam_par_threads(d->threads, nq * H * d->T >= LAM_PAR_MIN_APICAL);
  /* One thread: no region at all. An `if (0)` clause still starts a team of
   * one in libgomp, with a futex wake at its end: one system call per
   * evaluation, ~10 % of a small model's run. */
  if (nt > 1) {
    LAM_OMP_N(nt, "omp parallel for schedule(static) num_threads(nt)")
    for (long u = 0; u < nunits; u++) {
      unit_at(p, ppv, d, x, u, nh, per_q);
    }
  } else {
    for (long u = 0; u < nunits; u++) {
      unit_at(p, ppv, d, x, u, nh, per_q);
    }
  }
}
