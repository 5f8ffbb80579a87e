/* test_vmath.c: lam_vmath_exp and lam_vmath_tanh.
 *
 * lam_vmath_exp against exp computed independently in long
 * double (expl: 64-bit significand, its own error ~2^-64 relative, far
 * below one double ulp), over the whole finite range of double exp and
 * densely where the burst rates live (beta (A - s P) of a few tens at most).
 *
 * Bound: 4 ulp, glibc's documented accuracy for its vector math functions
 * (the GNU C Library manual, "Known Maximum Errors in Math Functions": the
 * vector variants are within 4 ulp). The largest error measured is printed.
 * Also: the value of an element does not depend on where it sits in the
 * array or on the array's length (the tail goes through the same routine),
 * and in place equals out of place.
 *
 * lam_vmath_tanh the same way against tanhl (long double), over the range
 * where tanh is not yet +-1 in double (|x| < 19.1), densely where the BAC
 * gate evaluates it (u / x_s of a few units), and near 0 where
 * tanh(x) ~ x - x^3/3; the same 4 ulp bound; plus the closed-form values
 * (tanh(0) = 0, tanh(+-inf) = +-1, tanh(ln 3 / 2) = 1/2) and oddness
 * tanh(-x) = -tanh(x). */
#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_vmath.h"

#define ULP_BOUND 4.0

/* |y - ref| in units of the spacing of doubles at ref (the long-double
 * reference value). */
static double ulp_error(long double ref, double y) {
  const double r = fabs((double)ref);
  const double ulp = r < 0x1p-1022 ? 0x1p-1074 /* subnormal spacing */
                                   : ldexp(1.0, ilogb(r) - 52);
  return (double)(fabsl((long double)y - ref) / (long double)ulp);
}

/* One vector function against its long-double reference. */
typedef struct vfun {
  const char *name;
  void (*f)(size_t, const double *, double *);
  long double (*ref)(long double);
  const char *(*kind)(void);
} vfun;

static const vfun vexp = {"exp", lam_vmath_exp, expl, lam_vmath_exp_kind};
static const vfun vtanh = {"tanh", lam_vmath_tanh, tanhl, lam_vmath_tanh_kind};

/* The largest error over x[n], asserting each is within ULP_BOUND. */
static double max_ulp(const vfun *v, const double *x, size_t n) {
  double *y = malloc(n * sizeof *y);
  cr_assert_not_null(y);
  v->f(n, x, y);
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double e = ulp_error(v->ref((long double)x[i]), y[i]);
    cr_assert(e <= ULP_BOUND, "%s(%.17g): %.17g, %.3g ulp from %sl (%s)", v->name,
              x[i], y[i], e, v->name, v->kind());
    m = e > m ? e : m;
  }
  free(y);
  return m;
}

Test(vmath, exp_within_bound_over_the_range) {
  enum { N = 400000 };
  double *x = malloc(N * sizeof *x);
  cr_assert_not_null(x);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 11);
  /* Where exp is finite and non-zero: [-745, 709.78]. */
  for (size_t i = 0; i < N; i++) {
    x[i] = -745.0 + (709.78 + 745.0) * gsl_rng_uniform(rng);
  }
  const double wide = max_ulp(&vexp, x, N);
  /* The burst-rate range, and exact small arguments. */
  for (size_t i = 0; i < N; i++) {
    x[i] = -60.0 + 120.0 * gsl_rng_uniform(rng);
  }
  const double narrow = max_ulp(&vexp, x, N);
  for (size_t i = 0; i < N; i++) {
    x[i] = ldexp(gsl_rng_uniform(rng) - 0.5, -(int)(i % 60));
  }
  const double tiny = max_ulp(&vexp, x, N);
  printf("lam_vmath_exp (%s): max %.3f ulp on [-745, 709.78], %.3f on [-60, 60], "
         "%.3f on |x| < 0.5\n",
         lam_vmath_exp_kind(), wide, narrow, tiny);
  gsl_rng_free(rng);
  free(x);
}

Test(vmath, exp_limits) {
  const double x[] = {0.0, -800.0, 710.0, -INFINITY, INFINITY, 1.0};
  double y[6];
  lam_vmath_exp(6, x, y);
  cr_assert_float_eq(y[0], 1.0, 1e-16);
  cr_assert(y[1] == 0.0, "exp(-800) = %g", y[1]);
  cr_assert(isinf(y[2]) && y[2] > 0, "exp(710) = %g", y[2]);
  cr_assert(y[3] == 0.0, "exp(-inf) = %g", y[3]);
  cr_assert(isinf(y[4]) && y[4] > 0, "exp(inf) = %g", y[4]);
  cr_assert(ulp_error(expl(1.0L), y[5]) <= ULP_BOUND);
}

/* f's value of an element depends on the element alone: any offset and
 * length of the array, and in place, give the bits of the whole array. */
static void check_position_independence(void (*f)(size_t, const double *, double *),
                                        double x0, double dx) {
  enum { N = 37 };
  double x[N], full[N];
  for (size_t i = 0; i < N; i++) {
    x[i] = x0 + dx * (double)i;
  }
  f(N, x, full);
  for (size_t off = 0; off < N; off++) {
    for (size_t n = 1; off + n <= N && n <= 9; n++) {
      double y[9];
      f(n, x + off, y);
      cr_assert(memcmp(y, full + off, n * sizeof *y) == 0,
                "offset %zu length %zu differs from the whole array", off, n);
    }
  }
  double in[N];
  memcpy(in, x, sizeof in);
  f(N, in, in);
  cr_assert(memcmp(in, full, sizeof in) == 0, "in place differs");
  f(0, x, full); /* n = 0 touches nothing */
}

Test(vmath, exp_independent_of_position_and_length) {
  check_position_independence(lam_vmath_exp, -20.0, 1.37);
}

Test(vmath, tanh_within_bound_over_the_range) {
  enum { N = 400000 };
  double *x = malloc(N * sizeof *x);
  cr_assert_not_null(x);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 13);
  for (size_t i = 0; i < N; i++) {
    x[i] = -25.0 + 50.0 * gsl_rng_uniform(rng);
  }
  const double wide = max_ulp(&vtanh, x, N);
  /* Where the BAC gate lives (u / x_s, rates of a few units). */
  for (size_t i = 0; i < N; i++) {
    x[i] = -4.0 + 8.0 * gsl_rng_uniform(rng);
  }
  const double narrow = max_ulp(&vtanh, x, N);
  for (size_t i = 0; i < N; i++) {
    x[i] = ldexp(gsl_rng_uniform(rng) - 0.5, -(int)(i % 60));
  }
  const double tiny = max_ulp(&vtanh, x, N);
  printf("lam_vmath_tanh (%s): max %.3f ulp on [-25, 25], %.3f on [-4, 4], "
         "%.3f on |x| < 0.5\n",
         lam_vmath_tanh_kind(), wide, narrow, tiny);
  gsl_rng_free(rng);
  free(x);
}

Test(vmath, tanh_closed_forms_and_oddness) {
  const double x[] = {0.0, INFINITY, -INFINITY, 40.0, -40.0, 0.5 * log(3.0)};
  double y[6];
  lam_vmath_tanh(6, x, y);
  cr_assert(y[0] == 0.0, "tanh(0) = %g", y[0]);
  cr_assert(y[1] == 1.0, "tanh(inf) = %.17g", y[1]);
  cr_assert(y[2] == -1.0, "tanh(-inf) = %.17g", y[2]);
  cr_assert(y[3] == 1.0, "tanh(40) = %.17g", y[3]);
  cr_assert(y[4] == -1.0, "tanh(-40) = %.17g", y[4]);
  /* tanh(ln(3)/2) = (3 - 1) / (3 + 1); the argument itself is rounded. */
  cr_assert_float_eq(y[5], 0.5, 1e-15);
  enum { N = 101 };
  double u[N], mu[N], tu[N], tmu[N];
  for (size_t i = 0; i < N; i++) {
    u[i] = 0.173 * (double)i;
    mu[i] = -u[i];
  }
  lam_vmath_tanh(N, u, tu);
  lam_vmath_tanh(N, mu, tmu);
  for (size_t i = 0; i < N; i++) {
    cr_assert(tmu[i] == -tu[i], "tanh(-%.17g) = %.17g, tanh(%.17g) = %.17g",
              u[i], tmu[i], u[i], tu[i]);
  }
}

Test(vmath, tanh_independent_of_position_and_length) {
  check_position_independence(lam_vmath_tanh, -6.0, 0.33);
}
