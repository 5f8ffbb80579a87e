/* l5a.c: the L5 apical dendrite multiplies query and key (docs/model.md;
 * BAC firing, Larkum et al. 1999 [S20]).
 *   tau_l5a dA_ijh/dt = -A_ijh + g_fb(t) G(Q_ih, K_jh) / sqrt(d_k) / (1 + w_sa S_j)
 * Gate `product`: G = sum_m Q_m K_m, one dgemm per head (CBLAS).
 * Gate `bac`: G = sum_m s(Q_m) s(K_m), s(x) = x_s tanh(x / x_s): a saturating
 * coincidence that tends to the product as x_s grows (the Shai et al. 2015
 * composite sigmoid [S21] saturates in both inputs the same way). */
#include <cblas.h>

#include "lam_column.h"
#include "lam_par.h"
#include "lam_vmath.h"

/* Columns [j0, j1) of kt (n x T) = K^T (K: T x n), four rows of K at a
 * time so that each store is four contiguous elements. */
LAM_COLUMN_SIMD static void transpose_cols(size_t T, size_t n, const double *K,
                                           double *kt, size_t j0, size_t j1) {
  size_t j = j0;
  for (; j + 4 <= j1; j += 4) {
    const double *k0 = K + j * n, *k1 = k0 + n, *k2 = k1 + n, *k3 = k2 + n;
    for (size_t m = 0; m < n; m++) {
      double *o = kt + m * T + j;
      const double e0 = k0[m], e1 = k1[m], e2 = k2[m], e3 = k3[m];
      o[0] = e0;
      o[1] = e1;
      o[2] = e2;
      o[3] = e3;
    }
  }
  for (; j < j1; j++) {
    for (size_t m = 0; m < n; m++) {
      kt[m * T + j] = K[j * n + m];
    }
  }
}

/* kt = K^T, split across the threads of d from LAM_PAR_MIN_VECTOR elements
 * on (a copy: the same bits for any split). Serial, it was 7 % of a
 * top-down T = 1024 run on 2 threads, the other thread waiting. */
static void transpose(const lam_dims *d, size_t T, size_t n, const double *K,
                      double *kt) {
  const int nt = lam_par_threads(d->threads, T * n >= LAM_PAR_MIN_VECTOR);
  if (nt > 1) { /* one thread: no region (column/apical.c says why) */
    LAM_OMP_N(nt, "omp parallel num_threads(nt)")
    {
      size_t b0, b1; /* in blocks of four columns */
      lam_par_rows((T + 3) / 4, &b0, &b1);
      transpose_cols(T, n, K, kt, 4 * b0, 4 * b1 < T ? 4 * b1 : T);
    }
  } else {
    transpose_cols(T, n, K, kt, 0, T);
  }
}

void lam_l5a_gate_prepare(const lam_column_params *p, const lam_dims *d,
                          const double *Qg, size_t ldq, const double *K,
                          double *work, const double **q, size_t *ldq_out) {
  const size_t T = d->T, H = d->H, dk = d->dk, nq = d->nq;
  const size_t ldk = H * dk;
  *q = Qg;
  *ldq_out = ldq;
  /* work: the gate's query side (BAC: s(Q), nq x H dk), then its key side
   * transposed, H dk x T, so that every head's product is a plain
   * NoTrans x NoTrans dgemm: OpenBLAS takes its small-matrix path for that
   * shape and not for Q K^T (docs/performance.md, "The attention
   * right-hand side, fused"). */
  double *kt = work + nq * ldk;
  if (p->gate == LAM_GATE_BAC) {
    const double xs = p->bac_saturation;
    double *sq = work;
    /* The arguments first, then one vector tanh over both blocks (they are
     * adjacent in work): 2 T H d_k scalar tanh calls per evaluation were
     * the largest single cost of the default model (docs/performance.md). */
    for (size_t i = 0; i < nq; i++) {
      for (size_t m = 0; m < ldk; m++) {
        sq[i * ldk + m] = Qg[i * ldq + m] / xs;
      }
    }
    transpose(d, T, ldk, K, kt);
    for (size_t i = 0; i < T * ldk; i++) {
      kt[i] = kt[i] / xs;
    }
    lam_vmath_tanh((nq + T) * ldk, work, work);
    for (size_t i = 0; i < (nq + T) * ldk; i++) {
      work[i] *= xs;
    }
    *q = sq;
    *ldq_out = ldk;
  } else {
    transpose(d, T, ldk, K, kt);
  }
}

void lam_l5a_gate_rows(const lam_dims *d, const double *q, size_t ldq,
                       const double *work, size_t h, size_t i0, size_t i1,
                       double *G) {
  const size_t T = d->T, dk = d->dk, ldg = d->H * T;
  const double *kt = work + d->nq * d->H * dk;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(i1 - i0),
              (int)T, (int)dk, 1.0 / sqrt((double)dk), q + i0 * ldq + h * dk,
              (int)ldq, kt + h * dk * T, (int)T, 0.0, G + i0 * ldg + h * T,
              (int)ldg);
}

void lam_l5a_gate(const lam_column_params *p, const lam_dims *d,
                  const double *Qg, size_t ldq, const double *K, double *G,
                  double *work) {
  const double *q;
  size_t ldqq;
  lam_l5a_gate_prepare(p, d, Qg, ldq, K, work, &q, &ldqq);
  for (size_t h = 0; h < d->H; h++) {
    lam_l5a_gate_rows(d, q, ldqq, work, h, 0, d->nq, G);
  }
}

/* The rows [r0, r1) (query-head pairs, T keys each) with the key column's
 * factor fac[j] = g_fb[j] / (1 + w_sa S_j) computed once per evaluation by
 * the network: T divisions instead of one per apical unit (the division
 * was most of this block's cost). dA = k (fac_j G - A): the same value as
 * lam_l5a_rhs below up to the rounding of the two products (bit for bit
 * when 1 + w_sa S_j = 1, as with w_sa = 0). */
LAM_COLUMN_SIMD void lam_l5a_rhs_rows(const lam_column_params *p, size_t T,
                                      size_t r0, size_t r1, const double *A,
                                      const double *G, const double *fac,
                                      double *dA) {
  const double k = 1.0 / p->tau_l5a;
  for (size_t ih = r0; ih < r1; ih++) {
    const double *a = A + ih * T, *g = G + ih * T;
    double *da = dA + ih * T;
    size_t j = 0;
    /* Four at a time, loads before stores (see lam_l5a_rhs). */
    for (; j + 4 <= T; j += 4) {
      const double a0 = a[j], a1 = a[j + 1], a2 = a[j + 2], a3 = a[j + 3];
      const double f0 = g[j] * fac[j], f1 = g[j + 1] * fac[j + 1],
                   f2 = g[j + 2] * fac[j + 2], f3 = g[j + 3] * fac[j + 3];
      da[j] = k * (-a0 + f0);
      da[j + 1] = k * (-a1 + f1);
      da[j + 2] = k * (-a2 + f2);
      da[j + 3] = k * (-a3 + f3);
    }
    for (; j < T; j++) {
      da[j] = k * (-a[j] + g[j] * fac[j]);
    }
  }
}

void lam_l5a_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *A, const double *G, const double *g_fb,
                 const double *som_div, double *dA) {
  const size_t T = d->T, nqh = d->nq * d->H;
  const double k = 1.0 / p->tau_l5a;
  for (size_t ih = 0; ih < nqh; ih++) {
    const double *a = A + ih * T, *g = G + ih * T;
    double *da = dA + ih * T;
    size_t j = 0;
    /* Four at a time, loads before stores: packed SIMD at -O2 without an
     * alias proof (as in circuits/lam_nvector.c); the same operations per
     * element as the one-element loop. */
    for (; j + 4 <= T; j += 4) {
      const double a0 = a[j], a1 = a[j + 1], a2 = a[j + 2], a3 = a[j + 3];
      const double f0 = g_fb[j] * g[j], f1 = g_fb[j + 1] * g[j + 1],
                   f2 = g_fb[j + 2] * g[j + 2], f3 = g_fb[j + 3] * g[j + 3];
      const double s0 = som_div[j], s1 = som_div[j + 1], s2 = som_div[j + 2],
                   s3 = som_div[j + 3];
      da[j] = k * (-a0 + f0 / s0);
      da[j + 1] = k * (-a1 + f1 / s1);
      da[j + 2] = k * (-a2 + f2 / s2);
      da[j + 3] = k * (-a3 + f3 / s3);
    }
    for (; j < T; j++) {
      da[j] = k * (-a[j] + g_fb[j] * g[j] / som_div[j]);
    }
  }
}
