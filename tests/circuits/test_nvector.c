/* test_nvector.c: laminar's vector kernels (circuits/lam_nvector.c) against
 * SUNDIALS' own serial N_Vector operations, bit for bit.
 *
 * The kernels promise the same operations in the same order per element as
 * SUNDIALS' serial vector: the error weights of lam_nvector_ewt against
 * N_VAbs, N_VScale, N_VAddConst, N_VInv (what CVODE and ARKODE do for scalar
 * tolerances), and the fused linear combination against
 * N_VLinearCombination_Serial, over lengths that leave every remainder of
 * the 4- and 8-element blocks and values from 0 to 1e300 of either sign;
 * with zero coefficients, as numbers (those terms are left out). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lam_param.h"
#include "lam_nvector.h"
#include "lam_test_util.h"

static const sunindextype lengths[] = {1, 3, 4, 7, 8, 9, 15, 16, 17, 1001};

/* Values over many magnitudes, zeros and signs included. */
static void fill(N_Vector v, uint64_t *seed) {
  double *d = N_VGetArrayPointer(v);
  for (sunindextype i = 0; i < N_VGetLength(v); i++) {
    const double u = tu_uniform(seed);
    d[i] = i % 13 == 5 ? 0.0 : (u - 0.5) * pow(10.0, 600.0 * tu_uniform(seed) - 300.0);
  }
}

static int same_bits(N_Vector a, N_Vector b) {
  return !memcmp(N_VGetArrayPointer(a), N_VGetArrayPointer(b),
                 (size_t)N_VGetLength(a) * sizeof(double));
}

Test(nvector, ewt_equals_sundials_four_passes) {
  SUNContext ctx;
  cr_assert_eq(SUNContext_Create(NULL, &ctx), 0);
  uint64_t seed = 11;
  const double tol[][2] = {{1e-6, 1e-9}, {1e-10, 1e-12}, {0.3, 1e-20}};
  for (size_t k = 0; k < LAM_NELEM(lengths); k++) {
    N_Vector y = N_VNew_Serial(lengths[k], ctx), w = N_VClone(y);
    N_Vector ref = N_VNew_Serial(lengths[k], ctx); /* SUNDIALS' own ops */
    cr_assert_eq(lam_nvector_use_fast_ops(w, 1), 0);
    for (size_t t = 0; t < LAM_NELEM(tol); t++) {
      fill(y, &seed);
      lam_nvector_ewt(y, tol[t][0], tol[t][1], w);
      N_VAbs(y, ref);
      N_VScale(tol[t][0], ref, ref);
      N_VAddConst(ref, tol[t][1], ref);
      N_VInv(ref, ref);
      cr_expect(same_bits(w, ref), "n = %ld, rtol %g", (long)lengths[k], tol[t][0]);
    }
    N_VDestroy(y);
    N_VDestroy(w);
    N_VDestroy(ref);
  }
  SUNContext_Free(&ctx);
}

/* Zero coefficients (Runge-Kutta tables have them): the terms are left out,
 * so every element equals SUNDIALS' sum, which adds 0 x_i, as a number (the
 * sign of an exact zero may differ), and is the same bits as the sum over
 * the nonzero terms alone; all coefficients zero give zeros. X: 8 vectors. */
static void zero_coefficients(N_Vector *X, N_Vector fast, N_Vector ref,
                              SUNContext ctx) {
  const sunindextype n = N_VGetLength(fast);
  N_Vector alone = N_VNew_Serial(n, ctx), Xnz[8];
  /* Dormand-Prince's solution weights b (b_2 = b_7 = 0) after y_n, and
   * patterns with the first, the last and every coefficient zero. */
  const double pat[][8] = {
      {1.0, 35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0.0},
      {0.0, 1.5, -0.25, 2.0, 0.0, 0.0, 1.0, 0.5},
      {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}};
  for (size_t p = 0; p < LAM_NELEM(pat); p++) {
    double cnz[8];
    int m = 0;
    for (int i = 0; i < 8; i++) {
      if (pat[p][i] != 0.0) {
        cnz[m] = pat[p][i];
        Xnz[m++] = X[i];
      }
    }
    N_VConst(7.0, fast);
    cr_assert_eq(N_VLinearCombination(8, (double *)pat[p], X, fast), 0);
    cr_assert_eq(N_VLinearCombination_Serial(8, (double *)pat[p], X, ref), 0);
    if (m > 0) {
      cr_assert_eq(N_VLinearCombination_Serial(m, cnz, Xnz, alone), 0);
    } else {
      N_VConst(0.0, alone);
    }
    const double *f = N_VGetArrayPointer(fast), *r = N_VGetArrayPointer(ref);
    for (sunindextype i = 0; i < n; i++) {
      cr_expect(f[i] == r[i], "pattern %zu, n = %ld, [%ld]: %.17g vs %.17g",
                p, (long)n, (long)i, f[i], r[i]);
    }
    cr_expect(same_bits(fast, alone), "pattern %zu, n = %ld", p, (long)n);
  }
  N_VDestroy(alone);
}

Test(nvector, linear_combination_equals_sundials) {
  SUNContext ctx;
  cr_assert_eq(SUNContext_Create(NULL, &ctx), 0);
  uint64_t seed = 12;
  for (size_t k = 0; k < LAM_NELEM(lengths); k++) {
    N_Vector fast = N_VNew_Serial(lengths[k], ctx);
    cr_assert_eq(lam_nvector_use_fast_ops(fast, 1), 0);
    N_Vector ref = N_VNew_Serial(lengths[k], ctx);
    N_Vector X[13];
    for (int i = 0; i < 13; i++) {
      X[i] = N_VNew_Serial(lengths[k], ctx);
      fill(X[i], &seed);
    }
    /* 1 to 13 vectors (the Adams history has q + 1 <= 13). */
    for (int nvec = 1; nvec <= 13; nvec++) {
      double c[13];
      for (int i = 0; i < nvec; i++) {
        c[i] = 4.0 * tu_uniform(&seed) - 2.0;
      }
      cr_assert_eq(N_VLinearCombination(nvec, c, X, fast), 0);
      cr_assert_eq(N_VLinearCombination_Serial(nvec, c, X, ref), 0);
      cr_expect(same_bits(fast, ref), "n = %ld, %d vectors", (long)lengths[k], nvec);
    }
    zero_coefficients(X, fast, ref, ctx);
    for (int i = 0; i < 13; i++) {
      N_VDestroy(X[i]);
    }
    N_VDestroy(fast);
    N_VDestroy(ref);
  }
  SUNContext_Free(&ctx);
}
