/* lam_plasticity.c: burst-dependent plasticity (see lam_plasticity.h). */
#include "lam_plasticity.h"

#include <gsl/gsl_cblas.h>

#define S lam_plasticity_params
const lam_param lam_plasticity_table[] = {
    LAM_BOOL(S, enabled, "false", "Burst-dependent plasticity of W_Q and W_K (state variables; docs/hierarchy.md)"),
    LAM_REAL(S, eta, "0.1", "1/(a.u.^2 s)", 0, 1e6, "Learning rate eta of dW/dt = eta (B - Pbar E) x"),
    LAM_REAL(S, pbar, "0.15", "1", 0, 1, "Burst probability threshold Pbar (fixed; initial value when pbar_tau > 0)"),
    LAM_REAL(S, pbar_tau, "0", "s", 0, 1e6, "Time constant of the moving average Pbar of P (0: Pbar fixed)"),
    LAM_REAL(S, p_gain, "4", "1/a.u.", 0, 1e6, "Slope of the burst probability P = sigmoid(p_gain (apical - p_threshold))"),
    LAM_REAL(S, p_threshold, "0.5", "a.u.", -1e6, 1e6, "Apical drive at which P = 1/2"),
    LAM_CHOICE(S, targets, "both", "both|wq|wk", "Plastic projections: W_Q and W_K, or one of them"),
    LAM_CHOICE(S, eligibility, "rate", "rate|coincidence",
               "Postsynaptic factor: the unit's own event rate (Payeur et al. 2021), or its partner "
               "at the apical coincidence (docs/hierarchy.md)"),
    LAM_PATHP(S, teach, "", "Teaching targets y, queries x columns CSV (topdown: 1 x T); the apical "
              "feedback e = y - attention sets the burst probability; empty: none"),
    LAM_REAL(S, teach_gain, "1", "a.u.", 0, 1e6, "Apical drive per unit of teaching error e"),
};
#undef S
const size_t lam_plasticity_ntable = LAM_NELEM(lam_plasticity_table);


void lam_plasticity_dw(const lam_plasticity_params *p, size_t T, size_t din,
                       size_t H, size_t d, const double *X, const double *E,
                       const double *P, const double *Pbar, double *work,
                       double *dW) {
  const size_t n = H * d;
  for (size_t j = 0; j < T; j++) {
    for (size_t h = 0; h < H; h++) {
      const double pb = Pbar ? Pbar[j * H + h] : p->pbar;
      const double f = P[j * H + h] - pb; /* (B - Pbar E) / E */
      for (size_t c = 0; c < d; c++) {
        work[j * n + h * d + c] = f * E[j * n + h * d + c];
      }
    }
  }
  /* dW = eta X^T work: sums over the columns j. */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)din, (int)n,
              (int)T, p->eta, X, (int)din, work, (int)n, 0.0, dW, (int)n);
}

void lam_plasticity_dw_coincidence(const lam_plasticity_params *p, size_t nq,
                                   size_t T, size_t din, size_t H, size_t d,
                                   const double *xq, const double *xk,
                                   const double *Q, const double *K,
                                   const double *dQ, const double *dK,
                                   const double *delta, double *work,
                                   double *dWQ, double *dWK) {
  const size_t n = H * d, ldd = H * T;
  double *kq = work;         /* T x n: sum_i delta_ihj Q_ihc */
  double *qk = work + T * n; /* nq x n: sum_j delta_ihj K_jhc */
  for (size_t h = 0; h < H; h++) {
    /* delta_h is nq x T at delta + h T, leading dimension H T. */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)T, (int)d,
                (int)nq, 1.0, delta + h * T, (int)ldd, Q + h * d, (int)n, 0.0,
                kq + h * d, (int)n);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nq, (int)d,
                (int)T, 1.0, delta + h * T, (int)ldd, K + h * d, (int)n, 0.0,
                qk + h * d, (int)n);
  }
  for (size_t i = 0; dK && i < T * n; i++) {
    kq[i] *= dK[i];
  }
  for (size_t i = 0; dQ && i < nq * n; i++) {
    qk[i] *= dQ[i];
  }
  if (dWK) {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)din, (int)n,
                (int)T, p->eta, xk, (int)din, kq, (int)n, 0.0, dWK, (int)n);
  }
  if (dWQ) {
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)din, (int)n,
                (int)nq, p->eta, xq, (int)din, qk, (int)n, 0.0, dWQ, (int)n);
  }
}
