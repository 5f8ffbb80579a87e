/* lam_vmath.c: see lam_vmath.h.
 *
 * libmvec's entry points follow the x86-64 vector function ABI: _ZGVbN2v_exp
 * takes and returns two doubles in an SSE register (any x86-64),
 * _ZGVdN4v_exp four in an AVX register (callable where AVX2 runs; glibc's
 * own ifunc then picks its AVX2 + FMA code or a wrapper around the SSE
 * one). The AVX2 caller is compiled for AVX2 alone (target attribute) and
 * chosen at run time, so the project is not built for one processor.
 * _ZGVbN2v_tanh / _ZGVdN4v_tanh are the same ABI for tanh. */
#include "lam_vmath.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__)
#define LAM_HAVE_MVEC 1
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)
/* libmvec's tanh arrived in glibc 2.35 (Debian 12 has 2.36). */
#define LAM_HAVE_MVEC_TANH 1
#endif

typedef double lam_v2d __attribute__((vector_size(16)));
lam_v2d _ZGVbN2v_exp(lam_v2d x);
#ifdef LAM_HAVE_MVEC_TANH
lam_v2d _ZGVbN2v_tanh(lam_v2d x);
#endif

/* y = f(x) two at a time; the tail goes through the same routine, padded
 * with zeros, so a value does not depend on its position. */
static void map_sse2(lam_v2d (*f)(lam_v2d), size_t n, const double *x,
                     double *y) {
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    lam_v2d v;
    memcpy(&v, x + i, sizeof v);
    v = f(v);
    memcpy(y + i, &v, sizeof v);
  }
  if (i < n) {
    lam_v2d v = {x[i], 0.0};
    v = f(v);
    y[i] = v[0];
  }
}

#pragma GCC push_options
#pragma GCC target("avx2")
typedef double lam_v4d __attribute__((vector_size(32)));
lam_v4d _ZGVdN4v_exp(lam_v4d x);
#ifdef LAM_HAVE_MVEC_TANH
lam_v4d _ZGVdN4v_tanh(lam_v4d x);
#endif

/* y = f(x) four at a time, the tail padded with zeros. */
static void map_avx2(lam_v4d (*f)(lam_v4d), size_t n, const double *x,
                     double *y) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    lam_v4d v;
    memcpy(&v, x + i, sizeof v);
    v = f(v);
    memcpy(y + i, &v, sizeof v);
  }
  if (i < n) {
    lam_v4d v = {0.0, 0.0, 0.0, 0.0};
    for (size_t k = 0; k < n - i; k++) {
      v[k] = x[i + k];
    }
    v = f(v);
    for (size_t k = 0; k < n - i; k++) {
      y[i + k] = v[k];
    }
  }
}
#pragma GCC pop_options

static int have_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
#endif

void lam_vmath_exp(size_t n, const double *x, double *y) {
#ifdef LAM_HAVE_MVEC
  if (have_avx2()) {
    map_avx2(_ZGVdN4v_exp, n, x, y);
  } else {
    map_sse2(_ZGVbN2v_exp, n, x, y);
  }
#else
  for (size_t i = 0; i < n; i++) {
    y[i] = exp(x[i]);
  }
#endif
}

void lam_vmath_tanh(size_t n, const double *x, double *y) {
#ifdef LAM_HAVE_MVEC_TANH
  if (have_avx2()) {
    map_avx2(_ZGVdN4v_tanh, n, x, y);
  } else {
    map_sse2(_ZGVbN2v_tanh, n, x, y);
  }
#else
  for (size_t i = 0; i < n; i++) {
    y[i] = tanh(x[i]);
  }
#endif
}

const char *lam_vmath_exp_kind(void) {
#ifdef LAM_HAVE_MVEC
  return have_avx2() ? "avx2" : "sse2";
#else
  return "scalar";
#endif
}

const char *lam_vmath_tanh_kind(void) {
#ifdef LAM_HAVE_MVEC_TANH
  return have_avx2() ? "avx2" : "sse2";
#else
  return "scalar";
#endif
}
