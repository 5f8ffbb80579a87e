/* test_fused.c: the fused and regrouped blocks of column/ against the
 * blocks they replace, on random inputs (docs/performance.md, "The
 * attention right-hand side, fused"):
 *   - lam_apical_rhs (G, dA, R, dP, dO a unit at a time) against
 *     lam_l5a_gate and lam_out_rhs at the rounding of their dgemms, and
 *     against lam_l5a_rhs_rows, lam_pv_rates and lam_pv_rhs bit for bit,
 *     every PV mode and both gates; G, R, dP and dO against the equations;
 *   - lam_l5a_rhs_rows (one factor per key column) against lam_l5a_rhs
 *     (the equation as written): bit for bit when 1 + w_sa S = 1, else
 *     within the rounding of two products;
 *   - lam_pv_rhs and lam_som_rhs (several rows or columns summed at once)
 *     against sums written out here in the order j = 0, 1, ..., bit for bit;
 *   - lam_leaky_rhs_gain and the _gain forms of L4, L2/3, L5 basal against
 *     the drive formed first and the population blocks, bit for bit;
 *   - the gate (key side transposed, one NoTrans dgemm per head) against
 *     its definition, sizes with and without a remainder of four;
 *   - the _gain forms and the gate's transpose split across 2 and 3
 *     threads (core/lam_par.h) against one thread, bit for bit, at a size
 *     over the threshold with rows left over to every split. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lam_column.h"
#include "lam_par.h"

static uint64_t rng = 88172645463325252ull;
static double unif(double lo, double hi) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; /* xorshift64 */
  return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}
static double *rnd(size_t n, double lo, double hi) {
  double *x = malloc(n * sizeof *x);
  cr_assert_not_null(x);
  for (size_t i = 0; i < n; i++) {
    x[i] = unif(lo, hi);
  }
  return x;
}

static lam_column_params params(void) {
  lam_column_params p;
  lam_err err = {0};
  cr_assert_eq(lam_param_defaults(lam_column_table, lam_column_ntable, &p, &err), LAM_OK);
  p.tau_l5a = 0.007, p.tau_pv = 0.008, p.beta = 1.7, p.pv_strength = 0.9;
  p.pv_sigma = 0.6, p.pv_gain = 1.3;
  return p;
}

static void same_bits(const double *a, const double *b, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++) {
    cr_assert(memcmp(&a[i], &b[i], sizeof a[i]) == 0, "%s[%zu]: %.17g vs %.17g",
              what, i, a[i], b[i]);
  }
}

/* G (nq x H T) against sum_m q_m k_m / sqrt(dk) (BAC: q and k through
 * xs tanh(. / xs) first; xs = 0: the product gate), within the rounding of
 * the sum. */
static void check_gate(const double *G, const double *Q, size_t ldq,
                       const double *K, size_t nq, size_t H, size_t T,
                       size_t dk, double xs) {
  for (size_t i = 0; i < nq; i++) {
    for (size_t h = 0; h < H; h++) {
      for (size_t j = 0; j < T; j++) {
        double sg = 0.0, sa = 0.0;
        for (size_t m = 0; m < dk; m++) {
          double qv = Q[i * ldq + h * dk + m], kv = K[j * H * dk + h * dk + m];
          if (xs > 0.0) {
            qv = xs * tanh(qv / xs), kv = xs * tanh(kv / xs);
          }
          sg += qv * kv;
          sa += fabs(qv * kv);
        }
        cr_assert_float_eq(G[i * H * T + h * T + j], sg / sqrt((double)dk),
                           1e-14 * (1.0 + sa), "gate (xs %g) [%zu,%zu,%zu]", xs,
                           i, h, j);
      }
    }
  }
}

/* T keys, nq queries, H heads: rows = nq H, with query blocks of 16 and a
 * remainder, and T not a multiple of four. */
static void apical_case(size_t T, size_t nq, size_t H, int pv, int gate) {
  lam_column_params p = params(), ppv = p;
  p.pv = ppv.pv = pv;
  p.gate = gate;
  p.bac_saturation = 1.3;
  ppv.beta = 2.3; /* the rates' own parameters (a modulated beta) */
  const size_t dk = 5, dv = 3;
  const lam_dims d = {T, H, dk, dv, nq, 1};
  const size_t n = nq * H * T, rows = nq * H, ldq = H * dk + 1;
  double *A = rnd(n, -2, 2), *fac = rnd(T, 0.2, 1.8), *P = rnd(rows, -1, 1),
         *Q = rnd(nq * ldq, -1.5, 1.5), *K = rnd(T * H * dk, -1.5, 1.5),
         *O = rnd(nq * H * dv, -1, 1), *V = rnd(T * H * dv, -1, 1);
  double *G1 = calloc(n, sizeof *G1), *G2 = calloc(n, sizeof *G2),
         *R1 = calloc(n, sizeof *R1), *R2 = calloc(n, sizeof *R2),
         *dA1 = calloc(n, sizeof *dA1), *dA2 = calloc(n, sizeof *dA2),
         *dP1 = calloc(rows, sizeof *dP1), *dP2 = calloc(rows, sizeof *dP2),
         *dO1 = calloc(nq * H * dv, sizeof *dO1),
         *dO2 = calloc(nq * H * dv, sizeof *dO2),
         *w1 = calloc((nq + T) * H * dk, sizeof *w1),
         *w2 = calloc((nq + T) * H * dk, sizeof *w2);
  lam_apical_args x = {.gatework = w1, .A = A, .P = P, .fac = fac, .O = O,
                       .V = V, .G = G1, .R = R1, .dA = dA1, .dP = dP1,
                       .dO = dO1};
  lam_l5a_gate_prepare(&p, &d, Q, ldq, K, w1, &x.q, &x.ldq);
  lam_apical_rhs(&p, &ppv, &d, &x);
  /* The gate and the routed output are dgemms over 16 queries here and
   * over all of them in the blocks: the same sums, but BLAS does not
   * promise the same bits for another row count, so they are compared at
   * the rounding of their sums; the rest bit for bit, from the same G. */
  lam_l5a_gate(&p, &d, Q, ldq, K, G2, w2);
  for (size_t e = 0; e < n; e++) {
    cr_assert_float_eq(G1[e], G2[e], 1e-14 * (1.0 + fabs(G2[e])), "G[%zu]", e);
  }
  lam_l5a_rhs_rows(&p, T, 0, rows, A, G1, fac, dA2);
  lam_pv_rates(&ppv, &d, A, P, R2);
  lam_pv_rhs(&p, &d, P, R2, dP2);
  lam_out_rhs(&p, &d, O, R1, V, dO2);
  same_bits(dA1, dA2, n, "dA");
  same_bits(R1, R2, n, "R");
  same_bits(dP1, dP2, rows, "dP");
  for (size_t e = 0; e < nq * H * dv; e++) {
    cr_assert_float_eq(dO1[e], dO2[e], 1e-14 * (1.0 + fabs(dO2[e])), "dO[%zu]", e);
  }
  /* The gate against its definition. */
  check_gate(G1, Q, ldq, K, nq, H, T, dk, gate == LAM_GATE_BAC ? 1.3 : 0.0);
  /* ... and the rates, dP and dO are what pv.c's and out.c's equations
   * say. */
  const double k = 1.0 / p.tau_pv;
  for (size_t ih = 0; ih < rows; ih++) {
    double sum = 0.0;
    for (size_t j = 0; j < T; j++) {
      const double a = A[ih * T + j], u = ppv.beta * (a - ppv.pv_strength * P[ih]);
      const double want = pv == LAM_PV_THRESHOLD ? fmax(u, 0.0)
                          : pv == LAM_PV_SUBTRACTIVE ? exp(u)
                          : pv == LAM_PV_DIVISIVE
                              ? exp(ppv.beta * a) /
                                    (ppv.pv_sigma + ppv.pv_gain * ppv.pv_strength * P[ih])
                              : exp(ppv.beta * a);
      cr_assert_float_eq(R1[ih * T + j], want, 4e-15 * fabs(want) + 1e-300, "R");
      sum += R1[ih * T + j];
    }
    const double want = pv == LAM_PV_OFF ? 0.0
                        : pv == LAM_PV_DIVISIVE ? k * (-P[ih] + sum)
                                                : k * (sum - 1.0);
    cr_assert(memcmp(&dP1[ih], &want, sizeof want) == 0, "dP[%zu] %.17g vs %.17g",
              ih, dP1[ih], want);
  }
  const double ko = 1.0 / p.tau_out;
  for (size_t i = 0; i < nq; i++) {
    for (size_t h = 0; h < H; h++) {
      for (size_t m = 0; m < dv; m++) {
        double s = 0.0, sa = 0.0;
        for (size_t j = 0; j < T; j++) {
          const double t = R1[i * H * T + h * T + j] * V[j * H * dv + h * dv + m];
          s += t;
          sa += fabs(t);
        }
        const size_t e = i * H * dv + h * dv + m;
        cr_assert_float_eq(dO1[e], ko * (-O[e] + s), 1e-14 * ko * (1.0 + sa + fabs(O[e])),
                           "dO[%zu]", e);
      }
    }
  }
  free(A), free(fac), free(P), free(Q), free(K), free(O), free(V);
  free(G1), free(G2), free(R1), free(R2), free(dA1), free(dA2), free(dP1),
      free(dP2), free(dO1), free(dO2), free(w1), free(w2);
}

Test(fused, apical_block_equals_the_blocks_every_pv_mode) {
  const int modes[] = {LAM_PV_SUBTRACTIVE, LAM_PV_DIVISIVE, LAM_PV_THRESHOLD, LAM_PV_OFF};
  for (size_t m = 0; m < 4; m++) {
    for (int gate = 0; gate < 2; gate++) {
      const int g = gate ? LAM_GATE_BAC : LAM_GATE_PRODUCT;
      apical_case(64, 64, 4, modes[m], g); /* the benchmark's shape */
      apical_case(13, 37, 2, modes[m], g); /* 3 query blocks of 16, 5 left */
      apical_case(1031, 1, 3, modes[m], g); /* top-down: one query */
    }
  }
}

/* fac = g_fb / som_div against the equation's g_fb G / som_div. */
Test(fused, apical_factor_against_the_equation) {
  lam_column_params p = params();
  const size_t T = 37, nq = 5, H = 3, n = nq * H * T;
  const lam_dims d = {T, H, 2, 2, nq, 1};
  double *A = rnd(n, -2, 2), *G = rnd(n, -3, 3), *gfb = rnd(T, 0.5, 1.5),
         *sd = rnd(T, 1.0, 3.0), *ones = malloc(T * sizeof *ones),
         *fac = malloc(T * sizeof *fac), *d1 = malloc(n * sizeof *d1),
         *d2 = malloc(n * sizeof *d2);
  for (size_t j = 0; j < T; j++) {
    ones[j] = 1.0;
    fac[j] = gfb[j] / sd[j];
  }
  lam_l5a_rhs_rows(&p, T, 0, nq * H, A, G, fac, d1);
  lam_l5a_rhs(&p, &d, A, G, gfb, sd, d2);
  const double k = 1.0 / p.tau_l5a, eps = 0x1p-52;
  for (size_t i = 0; i < n; i++) {
    /* fac rounds once, G fac once; the equation rounds g_fb G and the
     * quotient: the products differ by at most ~2 eps of their size. */
    const size_t j = i % T;
    const double prod = fabs(gfb[j] * G[i] / sd[j]);
    cr_assert_leq(fabs(d1[i] - d2[i]), k * (4 * eps * prod) + 2 * eps * fabs(d2[i]),
                  "dA[%zu] %.17g vs %.17g", i, d1[i], d2[i]);
  }
  for (size_t j = 0; j < T; j++) {
    fac[j] = gfb[j] / 1.0;
  }
  lam_l5a_rhs_rows(&p, T, 0, nq * H, A, G, fac, d1);
  lam_l5a_rhs(&p, &d, A, G, gfb, ones, d2);
  same_bits(d1, d2, n, "dA (som_div = 1)");
  free(A), free(G), free(gfb), free(sd), free(ones), free(fac), free(d1), free(d2);
}

Test(fused, som_column_sums_in_order) {
  lam_column_params p = params();
  p.transfer = LAM_F_RELU, p.w_s = 0.8, p.w_vs = 0.3, p.tau_som = 0.016;
  const size_t T = 11, H = 3, dk = 5, n = H * dk; /* two groups of 4, 3 left */
  const lam_dims d = {T, H, dk, 2, T, 1};
  double *Q = rnd(T * n, -1, 2), *K = rnd(T * n, -1, 2), *S = rnd(T, 0, 1),
         *I = rnd(T, 0, 1), dS[11];
  lam_som_rhs(&p, &d, S, Q, K, I, dS);
  for (size_t j = 0; j < T; j++) {
    double m = 0.0;
    for (size_t u = 0; u < n; u++) {
      m += Q[j * n + u] + K[j * n + u];
    }
    m /= (double)(2 * n);
    const double x = p.w_s * m - p.w_vs * I[j];
    const double want = (1.0 / p.tau_som) * (-S[j] + (x > 0.0 ? x : 0.0));
    cr_assert(memcmp(&dS[j], &want, sizeof want) == 0, "dS[%zu]", j);
  }
  free(Q), free(K), free(S), free(I);
}

/* The _gain forms against the drive formed first, every transfer, with
 * and without the c v term, rows not a multiple of four units long. */
Test(fused, leaky_gain_equals_drive_then_block) {
  const int tr[] = {LAM_F_LINEAR, LAM_F_RELU, LAM_F_SIGMOID};
  const size_t T = 7, n = 10;
  double *Y = rnd(T * n, -1, 1), *X = rnd(T * n, -2, 2), *g = rnd(T, 0.3, 1.7),
         *v = rnd(n, -1, 1), drive[70], d1[70], d2[70];
  for (size_t t = 0; t < 3; t++) {
    lam_column_params p = params();
    p.transfer = tr[t];
    for (int hasv = 0; hasv < 2; hasv++) {
      const double c = 0.6;
      for (size_t j = 0; j < T; j++) {
        for (size_t u = 0; u < n; u++) {
          drive[j * n + u] = hasv ? g[j] * X[j * n + u] + c * v[u] : g[j] * X[j * n + u];
        }
      }
      lam_leaky_rhs_gain(&p, T, n, 1.0 / 0.013, Y, g, X, c, hasv ? v : NULL, d1);
      lam_leaky_rhs(&p, T * n, 1.0 / 0.013, Y, drive, d2);
      same_bits(d1, d2, T * n, "leaky");
      for (size_t i = 0; i < T * n; i++) { /* and the equation */
        const double want = (1.0 / 0.013) * (-Y[i] + lam_transfer(&p, drive[i]));
        cr_assert(memcmp(&d2[i], &want, sizeof want) == 0, "leaky eq [%zu]", i);
      }
    }
    /* The population forms: T x H dk (dk = 5, H = 2) and T x H dv. */
    const lam_dims d = {T, 2, 5, 5, T, 1};
    p.tau_l4 = 0.011, p.tau_l23 = 0.013, p.tau_l5b = 0.017;
    for (size_t i = 0; i < T * n; i++) {
      drive[i] = g[i / n] * X[i];
    }
    lam_l4_rhs_gain(&p, &d, Y, g, X, d1);
    lam_l4_rhs(&p, &d, Y, drive, d2);
    same_bits(d1, d2, T * n, "l4");
    lam_l5b_rhs_gain(&p, &d, Y, g, X, d1);
    lam_l5b_rhs(&p, &d, Y, drive, d2);
    same_bits(d1, d2, T * n, "l5b");
    for (size_t i = 0; i < T * n; i++) {
      drive[i] = g[i / n] * X[i] + 0.4 * v[i % n];
    }
    lam_l23_rhs_gain(&p, &d, Y, g, X, 0.4, v, d1);
    lam_l23_rhs(&p, &d, Y, drive, d2);
    same_bits(d1, d2, T * n, "l23");
  }
  free(Y), free(X), free(g), free(v);
}

/* The gate with the key side transposed, T = 9 (two blocks of four keys
 * and one left), both gates, against sum_m q_m k_m / sqrt(dk). */
Test(fused, gate_transposed_keys) {
  lam_column_params p = params();
  const size_t T = 9, H = 3, dk = 5, nq = 6, ldq = H * dk + 2;
  const lam_dims d = {T, H, dk, 2, nq, 1};
  double *Q = rnd(nq * ldq, -2, 2), *K = rnd(T * H * dk, -2, 2),
         *G = malloc(nq * H * T * sizeof *G),
         *work = malloc((nq + T) * H * dk * sizeof *work);
  for (int gate = 0; gate < 2; gate++) {
    p.gate = gate ? LAM_GATE_BAC : LAM_GATE_PRODUCT;
    p.bac_saturation = 1.1;
    lam_l5a_gate(&p, &d, Q, ldq, K, G, work);
    check_gate(G, Q, ldq, K, nq, H, T, dk, gate ? 1.1 : 0.0);
  }
  free(Q), free(K), free(G), free(work);
}

/* T = 601 columns of H d = 32 units: 19,232 per population, over
 * LAM_PAR_MIN_VECTOR; 601 rows split unevenly over 2 and 3 threads, and
 * 601 keys leave one past the blocks of four of the transpose. */
Test(fused, threads_split_changes_no_bit) {
#if LAM_PAR_HAVE_OPENMP
  const size_t T = 601, H = 4, dk = 8, n = H * dk, nq = 1;
  cr_assert_geq(T * n, LAM_PAR_MIN_VECTOR, "the threaded paths must be reached");
  lam_column_params p = params();
  p.transfer = LAM_F_RELU;
  double *Y = rnd(T * n, -1, 1), *X = rnd(T * n, -2, 2), *g = rnd(T, 0.3, 1.7),
         *v = rnd(n, -1, 1), *Q = rnd(nq * n, -2, 2);
  double *d1 = malloc(T * n * sizeof *d1), *dn = malloc(T * n * sizeof *dn),
         *G1 = malloc(nq * H * T * sizeof *G1), *Gn = malloc(nq * H * T * sizeof *Gn),
         *w1 = malloc((nq + T) * n * sizeof *w1), *wn = malloc((nq + T) * n * sizeof *wn);
  cr_assert(d1 && dn && G1 && Gn && w1 && wn);
  for (int gate = 0; gate < 2; gate++) {
    p.gate = gate ? LAM_GATE_BAC : LAM_GATE_PRODUCT;
    p.bac_saturation = 1.1;
    const lam_dims one = {T, H, dk, dk, nq, 1};
    lam_l23_rhs_gain(&p, &one, Y, g, X, 0.4, v, d1);
    lam_l5a_gate(&p, &one, Q, n, X, G1, w1);
    for (int nt = 2; nt <= 3; nt++) {
      const lam_dims d = {T, H, dk, dk, nq, nt};
      lam_l4_rhs_gain(&p, &d, Y, g, X, dn);
      lam_l4_rhs_gain(&p, &one, Y, g, X, d1);
      same_bits(dn, d1, T * n, "l4 threads");
      lam_l5b_rhs_gain(&p, &d, Y, g, X, dn);
      lam_l5b_rhs_gain(&p, &one, Y, g, X, d1);
      same_bits(dn, d1, T * n, "l5b threads");
      lam_l23_rhs_gain(&p, &d, Y, g, X, 0.4, v, dn);
      lam_l23_rhs_gain(&p, &one, Y, g, X, 0.4, v, d1);
      same_bits(dn, d1, T * n, "l23 threads");
      lam_l5a_gate(&p, &d, Q, n, X, Gn, wn);
      same_bits(Gn, G1, nq * H * T, "gate threads");
      same_bits(wn + nq * n, w1 + nq * n, T * n, "transposed keys threads");
    }
    check_gate(G1, Q, n, X, nq, H, T, dk, gate ? 1.1 : 0.0);
  }
  free(Y), free(X), free(g), free(v), free(Q), free(d1), free(dn), free(G1), free(Gn);
  free(w1), free(wn);
#else
  cr_skip_test("a build without OpenMP has one thread");
#endif
}
