/* pv.c: PV interneurons normalize the L5 burst rates like a softmax
 * (docs/model.md, "PV"; Carandini & Heeger 2012 [S17]; Grossberg 1973 [S19]).
 *
 *   subtractive: R_ijh = exp(beta (A_ijh - s P_ih)),
 *                tau_pv dP_ih/dt = sum_j R_ijh - 1
 *     Integral feedback: at steady state sum_j R = 1, so R = softmax_j(beta A)
 *     exactly, for any strength s > 0 (perfect adaptation). s = 0 silences PV.
 *   divisive:    R = exp(beta A) / (sigma + g s P),  tau_pv dP/dt = -P + sum_j R
 *     (shunting inhibition: a Carandini-Heeger normalization, not exactly softmax)
 *   threshold:   R = max(0, beta (A - s P)) with the subtractive integral
 *     controller: sum_j R = 1 at steady state gives sparsemax(beta A), with
 *     exact zeros for keys below the threshold.
 *   off:         R = exp(beta A), P frozen at zero (PV silenced).
 * With clocks.gamma_source = ping, L2/3 also drives P (lam_pv_ping_add):
 *   tau_pv dP_jh/dt += w_ep (E_jh - Ebar_jh)   (the PING loop, rhythm.c)
 */
#include "lam_column.h"
#include "lam_par.h"
#include "lam_vmath.h"

/* The rates of the query-head rows [r0, r1), each row T keys. The
 * exponentials go through lam_vmath_exp, one call over the rows' arguments
 * (glibc's vector exp: docs/performance.md, "The attention network"); the
 * arguments are written to R first. */
LAM_COLUMN_SIMD void lam_pv_rates_rows(const lam_column_params *p, size_t T,
                                       size_t r0, size_t r1, const double *A,
                                       const double *P, double *R) {
  const double b = p->beta, s = p->pv_strength;
  if (p->pv == LAM_PV_THRESHOLD) {
    for (size_t ih = r0; ih < r1; ih++) {
      const double ph = P[ih];
      for (size_t j = 0; j < T; j++) {
        const double r = b * (A[ih * T + j] - s * ph);
        R[ih * T + j] = r > 0.0 ? r : 0.0;
      }
    }
    return;
  }
  if (p->pv == LAM_PV_SUBTRACTIVE) {
    for (size_t ih = r0; ih < r1; ih++) {
      const double sp = s * P[ih], *a = A + ih * T;
      double *r = R + ih * T;
      size_t j = 0;
      /* Four at a time, loads before stores: packed SIMD at -O2 without an
       * alias proof (as in circuits/lam_nvector.c), the same operations. */
      for (; j + 4 <= T; j += 4) {
        const double a0 = a[j], a1 = a[j + 1], a2 = a[j + 2], a3 = a[j + 3];
        r[j] = b * (a0 - sp);
        r[j + 1] = b * (a1 - sp);
        r[j + 2] = b * (a2 - sp);
        r[j + 3] = b * (a3 - sp);
      }
      for (; j < T; j++) {
        r[j] = b * (a[j] - sp);
      }
    }
  } else {
    for (size_t k = r0 * T; k < r1 * T; k++) {
      R[k] = b * A[k];
    }
  }
  lam_vmath_exp((r1 - r0) * T, R + r0 * T, R + r0 * T);
  if (p->pv == LAM_PV_DIVISIVE) {
    for (size_t ih = r0; ih < r1; ih++) {
      const double den = 1.0 / (p->pv_sigma + p->pv_gain * s * P[ih]);
      for (size_t j = 0; j < T; j++) {
        R[ih * T + j] *= den;
      }
    }
  }
}

/* Threads (core/lam_par.h): each takes a contiguous range of rows; a rate
 * depends only on its own arguments (lam_vmath_exp: the same value at any
 * position and array length), so the split does not change a bit. */
void lam_pv_rates(const lam_column_params *p, const lam_dims *d,
                  const double *A, const double *P, double *R) {
  const size_t T = d->T, rows = d->nq * d->H;
  const int nt = lam_par_threads(d->threads, rows * T >= LAM_PAR_MIN_APICAL);
  if (nt > 1) { /* one thread: no region (column/apical.c says why) */
    LAM_OMP_N(nt, "omp parallel num_threads(nt)")
    {
      size_t r0, r1;
      lam_par_rows(rows, &r0, &r1);
      lam_pv_rates_rows(p, T, r0, r1, A, P, R);
    }
  } else {
    lam_pv_rates_rows(p, T, 0, rows, A, P, R);
  }
}

/* dP of the rows [r0, r1). The row sums run over eight rows at once, each
 * in its own accumulator from j = 0 up, as in a loop over one row: the same
 * bits, but eight independent chains of additions instead of one (the
 * chain's latency, not the additions, was the cost). */
void lam_pv_rhs_rows(const lam_column_params *p, size_t T, size_t r0,
                     size_t r1, const double *P, const double *R, double *dP) {
  const double k = 1.0 / p->tau_pv;
  for (size_t ih = r0; ih < r1;) {
    double sum[8];
    const size_t nr = r1 - ih >= 8 ? 8 : 1;
    if (nr == 8) {
      const double *r = R + ih * T;
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0,
             s6 = 0.0, s7 = 0.0;
      for (size_t j = 0; j < T; j++) {
        s0 += r[j];
        s1 += r[T + j];
        s2 += r[2 * T + j];
        s3 += r[3 * T + j];
        s4 += r[4 * T + j];
        s5 += r[5 * T + j];
        s6 += r[6 * T + j];
        s7 += r[7 * T + j];
      }
      sum[0] = s0, sum[1] = s1, sum[2] = s2, sum[3] = s3;
      sum[4] = s4, sum[5] = s5, sum[6] = s6, sum[7] = s7;
    } else {
      const double *r = R + ih * T;
      double s0 = 0.0;
      for (size_t j = 0; j < T; j++) {
        s0 += r[j];
      }
      sum[0] = s0;
    }
    for (size_t q = 0; q < nr; q++, ih++) {
      if (p->pv == LAM_PV_OFF || p->pv_strength == 0.0) {
        dP[ih] = 0.0;
      } else if (p->pv == LAM_PV_DIVISIVE) {
        dP[ih] = k * (-P[ih] + sum[q]);
      } else {
        dP[ih] = k * (sum[q] - 1.0);
      }
    }
  }
}

/* All rows, one thread (the network runs the rows per unit, apical.c). */
void lam_pv_rhs(const lam_column_params *p, const lam_dims *d,
                const double *P, const double *R, double *dP) {
  lam_pv_rhs_rows(p, d->T, 0, d->nq * d->H, P, R, dP);
}

/* PING (rhythm.c; docs/rhythms.md): L2/3 excites the same PV state that
 * normalizes the rates, through the deviation of its rate from the slow
 * mean, so the normalization's steady state is unchanged. PV silenced
 * (pv_strength = 0) has dP = 0 (lam_pv_rhs_rows), here too. */
void lam_pv_ping_add(const lam_column_params *p, const lam_dims *d,
                     const double *E, const double *yping, double *dP) {
  if (p->pv == LAM_PV_OFF || p->pv_strength == 0.0) {
    return;
  }
  const size_t T = d->T, H = d->H;
  const double k = p->w_ep / p->tau_pv;
  for (size_t j = 0; j < T; j++) {
    for (size_t h = 0; h < H; h++) {
      dP[j * H + h] += k * (E[j * H + h] - yping[j * LAM_PING_NPER * H + h]);
    }
  }
}
