/* pv.c: PV interneurons normalize the L5 burst rates like a softmax
 * (DESIGN.md section 2; Carandini & Heeger 2012 [S17]; Grossberg 1973 [S19]).
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
 */
#include "lam_column.h"
#include "lam_vmath.h"

/* The exponentials go through lam_vmath_exp in one call over all nq H T
 * arguments (glibc's vector exp: docs/performance.md, "The attention
 * network"); the arguments are written to R first. */
void lam_pv_rates(const lam_column_params *p, const lam_dims *d,
                  const double *A, const double *P, double *R) {
  const size_t T = d->T, H = d->H, nq = d->nq, n = nq * H * T;
  const double b = p->beta, s = p->pv_strength;
  if (p->pv == LAM_PV_THRESHOLD) {
    for (size_t ih = 0; ih < nq * H; ih++) {
      const double ph = P[ih];
      for (size_t j = 0; j < T; j++) {
        const double r = b * (A[ih * T + j] - s * ph);
        R[ih * T + j] = r > 0.0 ? r : 0.0;
      }
    }
    return;
  }
  if (p->pv == LAM_PV_SUBTRACTIVE) {
    for (size_t ih = 0; ih < nq * H; ih++) {
      const double ph = P[ih];
      for (size_t j = 0; j < T; j++) {
        R[ih * T + j] = b * (A[ih * T + j] - s * ph);
      }
    }
  } else {
    for (size_t k = 0; k < n; k++) {
      R[k] = b * A[k];
    }
  }
  lam_vmath_exp(n, R, R);
  if (p->pv == LAM_PV_DIVISIVE) {
    for (size_t ih = 0; ih < nq * H; ih++) {
      const double den = 1.0 / (p->pv_sigma + p->pv_gain * s * P[ih]);
      for (size_t j = 0; j < T; j++) {
        R[ih * T + j] *= den;
      }
    }
  }
}

void lam_pv_rhs(const lam_column_params *p, const lam_dims *d,
                const double *P, const double *R, double *dP) {
  const size_t T = d->T, H = d->H, nq = d->nq;
  const double k = 1.0 / p->tau_pv;
  for (size_t i = 0; i < nq; i++) {
    for (size_t h = 0; h < H; h++) {
      const double *r = R + i * H * T + h * T;
      double sum = 0.0;
      for (size_t j = 0; j < T; j++) {
        sum += r[j];
      }
      const size_t ih = i * H + h;
      if (p->pv == LAM_PV_OFF || p->pv_strength == 0.0) {
        dP[ih] = 0.0;
      } else if (p->pv == LAM_PV_DIVISIVE) {
        dP[ih] = k * (-P[ih] + sum);
      } else {
        dP[ih] = k * (sum - 1.0);
      }
    }
  }
}
