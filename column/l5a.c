/* l5a.c: the L5 apical dendrite multiplies query and key (DESIGN.md section 2;
 * BAC firing, Larkum et al. 1999 [S20]).
 *   tau_l5a dA_ijh/dt = -A_ijh + g_fb(t) G(Q_ih, K_jh) / sqrt(d_k) / (1 + w_sa S_j)
 * Gate `product`: G = sum_m Q_m K_m, one dgemm per head (CBLAS).
 * Gate `bac`: G = sum_m s(Q_m) s(K_m), s(x) = x_s tanh(x / x_s): a saturating
 * coincidence that tends to the product as x_s grows (the Shai et al. 2015
 * composite sigmoid [S21] saturates in both inputs the same way). */
#include <cblas.h>

#include "lam_column.h"

void lam_l5a_gate(const lam_column_params *p, const lam_dims *d,
                  const double *Qg, size_t ldq, const double *K, double *G,
                  double *work) {
  const size_t T = d->T, H = d->H, dk = d->dk, nq = d->nq;
  const size_t ldk = H * dk, ldg = H * T;
  const double scale = 1.0 / sqrt((double)dk);
  const double *q = Qg, *k = K;
  if (p->gate == LAM_GATE_BAC) {
    /* work holds s(Q) (nq x H dk) then s(K) (T x H dk). */
    const double xs = p->bac_saturation;
    double *sq = work, *sk = work + nq * ldk;
    for (size_t i = 0; i < nq; i++) {
      for (size_t m = 0; m < ldk; m++) {
        sq[i * ldk + m] = xs * tanh(Qg[i * ldq + m] / xs);
      }
    }
    for (size_t i = 0; i < T * ldk; i++) {
      sk[i] = xs * tanh(K[i] / xs);
    }
    q = sq;
    k = sk;
    ldq = ldk;
  }
  for (size_t h = 0; h < H; h++) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)T,
                (int)dk, scale, q + h * dk, (int)ldq, k + h * dk, (int)ldk, 0.0,
                G + h * T, (int)ldg);
  }
}

void lam_l5a_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *A, const double *G, const double *g_fb,
                 const double *som_div, double *dA) {
  const size_t T = d->T, H = d->H, nq = d->nq;
  const double k = 1.0 / p->tau_l5a;
  for (size_t i = 0; i < nq; i++) {
    for (size_t h = 0; h < H; h++) {
      const size_t o = i * H * T + h * T;
      for (size_t j = 0; j < T; j++) {
        dA[o + j] = k * (-A[o + j] + g_fb[j] * G[o + j] / som_div[j]);
      }
    }
  }
}
