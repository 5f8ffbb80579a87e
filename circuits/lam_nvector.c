/* lam_nvector.c: see lam_nvector.h.
 *
 * The element loops are written four elements at a time, all loads of a
 * block before its stores: at -O2 the compiler turns such a block into
 * packed SIMD instructions (basic-block vectorisation) without having to
 * prove that z does not alias x or y, which it cannot (CVODE calls these in
 * place). A plain one-element loop stays scalar at -O2 (~9 instructions per
 * element of a linear sum against ~4 this way). Every element is computed
 * with the same operations in the same order as the one-element loop.
 *
 * Threads (OpenMP, core/lam_par.h; docs/performance.md): a vector and its
 * clones share one thread count (struct shared, after the serial content;
 * lam_nvector_set_threads changes it for all of them at once), and vectors
 * of at least PAR_MIN elements are cut into one contiguous range per
 * thread. With one thread no parallel region is entered. An
 * element's value does not depend on the range it falls in, and the two
 * reductions (WRMS norm, min) are summed over blocks whose size depends on
 * the length only, in block order: results are the same bits for any
 * number of threads. */
#include "lam_nvector.h"

#include <math.h>
#include <stdlib.h>

#include "lam_par.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* On x86-64 the kernels are also compiled for AVX2 (four doubles per
 * instruction instead of SSE2's two) and the loader picks the version the
 * processor runs: the same operations on the same elements, so the same
 * results, without building the whole project for one processor. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__) && \
    defined(__has_attribute) /* the loader's choice needs glibc's ifunc */
#if __has_attribute(target_clones)
#define LAM_SIMD __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LAM_SIMD
#define LAM_SIMD
#endif

/* The fused operations take at most this many vectors at once (CVODE passes
 * q + 1 <= 13 Nordsieck columns); longer lists are done in chunks. */
#define MAXV 16

/* Vectors shorter than this stay on one thread (core/lam_par.h). */
#define PAR_MIN LAM_PAR_MIN_VECTOR

/* Reductions: blocks of at least RED_BLOCK elements, at most RED_MAXB of
 * them; a vector of at most RED_BLOCK elements is one block (the sum of one
 * pass, as before threads). */
#define RED_BLOCK 2048
#define RED_MAXB 64

typedef sunindextype idx;

/* The thread count of a vector and its clones, freed with the last one. */
typedef struct shared {
  int threads;
  long refs;
} shared;

/* The serial vector's content, then the shared count: NV_DATA_S and the
 * other serial macros, and SUNDIALS' own serial operations (N_VDestroy
 * frees the content as one block), read only the first member, so the
 * vector stays a serial vector. */
typedef struct content {
  struct _N_VectorContent_Serial s;
  shared *sh;
} content;

static int threads_of(N_Vector v) { return ((const content *)v->content)->sh->threads; }

/* This thread's range [lo, hi) of n elements, boundaries on multiples of 8
 * (whole cache lines: threads never write the same line). */
static void my_range(idx n, idx *lo, idx *hi) {
#ifdef _OPENMP
  const idx nt = omp_get_num_threads(), t = omp_get_thread_num();
  *lo = t == 0 ? 0 : (n * t / nt) & ~(idx)7;
  *hi = t == nt - 1 ? n : (n * (t + 1) / nt) & ~(idx)7;
#else
  *lo = 0;
  *hi = n;
#endif
}

/* Blocks of a reduction over n elements: count and size (a multiple of 8),
 * functions of n alone. */
static idx red_blocks(idx n, idx *size) {
  idx nb = (n + RED_BLOCK - 1) / RED_BLOCK;
  nb = nb < 1 ? 1 : nb > RED_MAXB ? RED_MAXB : nb;
  *size = ((n + nb - 1) / nb + 7) & ~(idx)7;
  return nb;
}

/* Run KERNEL(lo, hi) over [0, n) on the threads of vector v (one: no
 * parallel region). */
#define PARALLEL_RANGES(v, n, KERNEL)                                         \
  do {                                                                         \
    const idx n_ = (n);                                                        \
    const int nt_ = lam_par_threads(threads_of(v), n_ >= PAR_MIN);             \
    if (nt_ > 1) {                                                             \
      LAM_OMP("omp parallel num_threads(nt_)")                                 \
      {                                                                        \
        idx lo, hi;                                                            \
        my_range(n_, &lo, &hi);                                                \
        KERNEL;                                                                \
      }                                                                        \
    } else {                                                                   \
      const idx lo = 0, hi = n_;                                               \
      KERNEL;                                                                  \
    }                                                                          \
  } while (0)

/* Run the block BODY for every k < nb (the blocks of a reduction over n
 * elements) on the threads of vector v (one: no parallel region). */
#define PARALLEL_BLOCKS(v, n, nb, ...)                                        \
  do {                                                                         \
    const idx nb_ = (nb);                                                      \
    const int nt_ = lam_par_threads(threads_of(v), (n) >= PAR_MIN);            \
    if (nt_ > 1) {                                                             \
      LAM_OMP("omp parallel for schedule(static) num_threads(nt_)")            \
      for (idx k = 0; k < nb_; k++) __VA_ARGS__                                \
    } else {                                                                   \
      for (idx k = 0; k < nb_; k++) __VA_ARGS__                                \
    }                                                                          \
  } while (0)

/* z = x + y: the Adams predictor's only operation (q (q + 1) / 2 of them
 * per step: the largest single cost of an Adams step). Same value as
 * 1 * x + 1 * y, with two multiplications fewer per element. */
LAM_SIMD static void sum(const sunrealtype *xd, const sunrealtype *yd, sunrealtype *zd,
                         idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype x0 = xd[i], x1 = xd[i + 1], x2 = xd[i + 2],
                      x3 = xd[i + 3];
    const sunrealtype y0 = yd[i], y1 = yd[i + 1], y2 = yd[i + 2],
                      y3 = yd[i + 3];
    zd[i] = x0 + y0;
    zd[i + 1] = x1 + y1;
    zd[i + 2] = x2 + y2;
    zd[i + 3] = x3 + y3;
  }
  for (; i < n; i++) {
    zd[i] = xd[i] + yd[i];
  }
}

LAM_SIMD static void axpby(sunrealtype a, const sunrealtype *xd, sunrealtype b,
                           const sunrealtype *yd, sunrealtype *zd, idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype x0 = xd[i], x1 = xd[i + 1], x2 = xd[i + 2],
                      x3 = xd[i + 3];
    const sunrealtype y0 = yd[i], y1 = yd[i + 1], y2 = yd[i + 2],
                      y3 = yd[i + 3];
    zd[i] = a * x0 + b * y0;
    zd[i + 1] = a * x1 + b * y1;
    zd[i + 2] = a * x2 + b * y2;
    zd[i + 3] = a * x3 + b * y3;
  }
  for (; i < n; i++) {
    zd[i] = a * xd[i] + b * yd[i];
  }
}

static void linear_sum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y,
                       N_Vector z) {
  const sunrealtype *xd = NV_DATA_S(x), *yd = NV_DATA_S(y);
  sunrealtype *zd = NV_DATA_S(z);
  if (a == 1.0 && b == 1.0) {
    PARALLEL_RANGES(z, NV_LENGTH_S(x), sum(xd + lo, yd + lo, zd + lo, hi - lo));
  } else {
    PARALLEL_RANGES(z, NV_LENGTH_S(x),
                    axpby(a, xd + lo, b, yd + lo, zd + lo, hi - lo));
  }
}

LAM_SIMD static void scale_k(sunrealtype c, const sunrealtype *xd, sunrealtype *zd,
                             idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype x0 = xd[i], x1 = xd[i + 1], x2 = xd[i + 2],
                      x3 = xd[i + 3];
    zd[i] = c * x0;
    zd[i + 1] = c * x1;
    zd[i + 2] = c * x2;
    zd[i + 3] = c * x3;
  }
  for (; i < n; i++) {
    zd[i] = c * xd[i];
  }
}

static void scale(sunrealtype c, N_Vector x, N_Vector z) {
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  PARALLEL_RANGES(z, NV_LENGTH_S(x), scale_k(c, xd + lo, zd + lo, hi - lo));
}

LAM_SIMD static void const_k(sunrealtype c, sunrealtype *zd, idx n) {
  for (idx i = 0; i < n; i++) {
    zd[i] = c;
  }
}

static void set_const(sunrealtype c, N_Vector z) {
  sunrealtype *zd = NV_DATA_S(z);
  PARALLEL_RANGES(z, NV_LENGTH_S(z), const_k(c, zd + lo, hi - lo));
}

LAM_SIMD static void abs_k(const sunrealtype *xd, sunrealtype *zd, idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype x0 = xd[i], x1 = xd[i + 1], x2 = xd[i + 2],
                      x3 = xd[i + 3];
    zd[i] = fabs(x0);
    zd[i + 1] = fabs(x1);
    zd[i + 2] = fabs(x2);
    zd[i + 3] = fabs(x3);
  }
  for (; i < n; i++) {
    zd[i] = fabs(xd[i]);
  }
}

static void vabs(N_Vector x, N_Vector z) {
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  PARALLEL_RANGES(z, NV_LENGTH_S(x), abs_k(xd + lo, zd + lo, hi - lo));
}

LAM_SIMD static void inv_k(const sunrealtype *xd, sunrealtype *zd, idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype x0 = xd[i], x1 = xd[i + 1], x2 = xd[i + 2],
                      x3 = xd[i + 3];
    zd[i] = 1.0 / x0;
    zd[i + 1] = 1.0 / x1;
    zd[i + 2] = 1.0 / x2;
    zd[i + 3] = 1.0 / x3;
  }
  for (; i < n; i++) {
    zd[i] = 1.0 / xd[i];
  }
}

static void inv(N_Vector x, N_Vector z) {
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  PARALLEL_RANGES(z, NV_LENGTH_S(x), inv_k(xd + lo, zd + lo, hi - lo));
}

LAM_SIMD static void add_const_k(const sunrealtype *xd, sunrealtype b, sunrealtype *zd,
                                 idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype x0 = xd[i], x1 = xd[i + 1], x2 = xd[i + 2],
                      x3 = xd[i + 3];
    zd[i] = x0 + b;
    zd[i + 1] = x1 + b;
    zd[i + 2] = x2 + b;
    zd[i + 3] = x3 + b;
  }
  for (; i < n; i++) {
    zd[i] = xd[i] + b;
  }
}

static void add_const(N_Vector x, sunrealtype b, N_Vector z) {
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  PARALLEL_RANGES(z, NV_LENGTH_S(x), add_const_k(xd + lo, b, zd + lo, hi - lo));
}

/* The first smallest element of a block (same choice as one pass). */
static sunrealtype min_k(const sunrealtype *xd, idx n) {
  sunrealtype m = xd[0];
  for (idx i = 1; i < n; i++) {
    m = xd[i] < m ? xd[i] : m;
  }
  return m;
}

static sunrealtype vmin(N_Vector x) {
  const idx n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x);
  idx bs;
  const idx nb = red_blocks(n, &bs);
  sunrealtype part[RED_MAXB];
  PARALLEL_BLOCKS(x, n, nb, {
    const idx lo = k * bs, hi = lo + bs < n ? lo + bs : n;
    part[k] = lo < hi ? min_k(xd + lo, hi - lo) : xd[0];
  });
  sunrealtype m = part[0];
  for (idx k = 1; k < nb; k++) {
    m = part[k] < m ? part[k] : m;
  }
  return m;
}

/* sum_i (x_i w_i)^2 over one block. Four partial sums (added at the end)
 * instead of one running sum: the running sum is a chain of dependent
 * additions, one per element, and was the slowest vector operation per
 * element. The result differs from the one-sum order only by rounding
 * (relative ~1e-16). */
LAM_SIMD static sunrealtype wsq_k(const sunrealtype *xd, const sunrealtype *wd, idx n) {
  sunrealtype s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype p0 = xd[i] * wd[i], p1 = xd[i + 1] * wd[i + 1],
                      p2 = xd[i + 2] * wd[i + 2], p3 = xd[i + 3] * wd[i + 3];
    s0 += p0 * p0;
    s1 += p1 * p1;
    s2 += p2 * p2;
    s3 += p3 * p3;
  }
  for (; i < n; i++) {
    const sunrealtype p = xd[i] * wd[i];
    s0 += p * p;
  }
  return (s0 + s1) + (s2 + s3);
}

/* sqrt(sum_i (x_i w_i)^2 / n), SUNDIALS' weighted root-mean-square norm:
 * block sums (wsq_k), then their sum in block order. */
static sunrealtype wrms_norm(N_Vector x, N_Vector w) {
  const idx n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x), *wd = NV_DATA_S(w);
  idx bs;
  const idx nb = red_blocks(n, &bs);
  sunrealtype part[RED_MAXB];
  PARALLEL_BLOCKS(x, n, nb, {
    const idx lo = k * bs, hi = lo + bs < n ? lo + bs : n;
    part[k] = lo < hi ? wsq_k(xd + lo, wd + lo, hi - lo) : 0.0;
  });
  sunrealtype s = part[0];
  for (idx k = 1; k < nb; k++) {
    s += part[k];
  }
  return sqrt(s / (sunrealtype)n);
}

/* z = sum_i c_i X_i over elements [lo, hi) (xd, zd already offset). */
LAM_SIMD static void lincomb_k(int nvec, const sunrealtype *c,
                               const sunrealtype *const *xd, idx lo, idx hi,
                               sunrealtype *zd) {
  idx j = lo;
  /* Eight elements per trip through the vectors: two AVX2 registers of
   * partial sums, half the loop work per element of four. */
  for (; j + 8 <= hi; j += 8) {
    const sunrealtype *x = xd[0] + j, c0 = c[0];
    sunrealtype s0 = c0 * x[0], s1 = c0 * x[1], s2 = c0 * x[2],
                s3 = c0 * x[3], s4 = c0 * x[4], s5 = c0 * x[5],
                s6 = c0 * x[6], s7 = c0 * x[7];
    for (int i = 1; i < nvec; i++) {
      const sunrealtype ci = c[i];
      x = xd[i] + j;
      s0 = ci * x[0] + s0;
      s1 = ci * x[1] + s1;
      s2 = ci * x[2] + s2;
      s3 = ci * x[3] + s3;
      s4 = ci * x[4] + s4;
      s5 = ci * x[5] + s5;
      s6 = ci * x[6] + s6;
      s7 = ci * x[7] + s7;
    }
    zd[j] = s0;
    zd[j + 1] = s1;
    zd[j + 2] = s2;
    zd[j + 3] = s3;
    zd[j + 4] = s4;
    zd[j + 5] = s5;
    zd[j + 6] = s6;
    zd[j + 7] = s7;
  }
  for (; j < hi; j++) {
    sunrealtype s = c[0] * xd[0][j];
    for (int i = 1; i < nvec; i++) {
      s = c[i] * xd[i][j] + s;
    }
    zd[j] = s;
  }
}

/* z[first, first + n) = sum_i c_i X_i there, nvec <= MAXV. Terms with a
 * zero coefficient are left out: each was a pass over a vector adding
 * 0 x_i, which changes no sum but the sign of an exact zero. Runge-Kutta
 * tables have such zeros: Dormand-Prince's a_72, b_2, b_7 and the error's
 * e_2 are four of the ~47 vector reads of a step. */
static void lincomb_part(int nvec, const sunrealtype *c, N_Vector *X,
                         N_Vector z, idx first, idx n) {
  const sunrealtype *xd[MAXV];
  sunrealtype cc[MAXV];
  int m = 0;
  for (int i = 0; i < nvec; i++) {
    if (c[i] != 0.0) {
      cc[m] = c[i];
      xd[m++] = NV_DATA_S(X[i]) + first;
    }
  }
  sunrealtype *zd = NV_DATA_S(z) + first;
  if (m == 0) {
    PARALLEL_RANGES(z, n, for (idx j = lo; j < hi; j++) zd[j] = 0.0);
    return;
  }
  PARALLEL_RANGES(z, n, lincomb_k(m, cc, xd, lo, hi, zd));
}

/* z = sum_i c_i X_i in one pass over the elements (z may be X_0). The sum
 * is accumulated in the order of SUNDIALS' fallback (c_0 X_0, then + c_i
 * X_i for i = 1, 2, ...), which made one pass per vector: CVodeGetDky
 * interpolates every recorded sample this way, and the Adams corrector
 * update uses it. */
static int linear_combination(int nvec, sunrealtype *c, N_Vector *X,
                              N_Vector z) {
  if (nvec < 1) {
    return -1;
  }
  if (nvec > MAXV) {
    /* z = first MAXV terms, then z += the rest, chunk by chunk. */
    int rc = linear_combination(MAXV, c, X, z);
    for (int k = MAXV; !rc && k < nvec; k += MAXV - 1) {
      sunrealtype cc[MAXV];
      N_Vector XX[MAXV];
      int m = nvec - k < MAXV - 1 ? nvec - k : MAXV - 1;
      cc[0] = 1.0;
      XX[0] = z;
      for (int i = 0; i < m; i++) {
        cc[i + 1] = c[k + i];
        XX[i + 1] = X[k + i];
      }
      rc = linear_combination(m + 1, cc, XX, z);
    }
    return rc;
  }
  lincomb_part(nvec, c, X, z, 0, NV_LENGTH_S(z));
  return 0;
}

void lam_nvector_lincomb_range(int nvec, const sunrealtype *c, N_Vector *X,
                               N_Vector z, size_t first, size_t end) {
  lincomb_part(nvec < MAXV ? nvec : MAXV, c, X, z, (idx)first,
               (idx)(end - first));
}

/* Z_i = a_i x + Y_i over elements [lo, hi), i < m <= MAXV. */
LAM_SIMD static void sam_k(int m, const sunrealtype *a, const sunrealtype *xd,
                           const sunrealtype *const *yd, sunrealtype *const *zd,
                           idx lo, idx hi) {
  idx j = lo;
  for (; j + 4 <= hi; j += 4) {
    const sunrealtype x0 = xd[j], x1 = xd[j + 1], x2 = xd[j + 2],
                      x3 = xd[j + 3];
    for (int i = 0; i < m; i++) {
      const sunrealtype *yi = yd[i], ai = a[i];
      sunrealtype *zi = zd[i];
      const sunrealtype y0 = yi[j], y1 = yi[j + 1], y2 = yi[j + 2],
                        y3 = yi[j + 3];
      zi[j] = ai * x0 + y0;
      zi[j + 1] = ai * x1 + y1;
      zi[j + 2] = ai * x2 + y2;
      zi[j + 3] = ai * x3 + y3;
    }
  }
  for (; j < hi; j++) {
    for (int i = 0; i < m; i++) {
      zd[i][j] = a[i] * xd[j] + yd[i][j];
    }
  }
}

/* Z_i = a_i x + Y_i, i < nvec, in one pass (Z_i may be Y_i): the Adams
 * corrector's update of the Nordsieck array after every step. */
static int scale_add_multi(int nvec, sunrealtype *a, N_Vector x, N_Vector *Y,
                           N_Vector *Z) {
  if (nvec < 1) {
    return -1;
  }
  const sunrealtype *xd = NV_DATA_S(x);
  for (int k = 0; k < nvec; k += MAXV) {
    const int m = nvec - k < MAXV ? nvec - k : MAXV;
    const sunrealtype *yd[MAXV];
    sunrealtype *zd[MAXV];
    for (int i = 0; i < m; i++) {
      yd[i] = NV_DATA_S(Y[k + i]);
      zd[i] = NV_DATA_S(Z[k + i]);
    }
    const sunrealtype *ak = a + k;
    PARALLEL_RANGES(x, NV_LENGTH_S(x), sam_k(m, ak, xd, yd, zd, lo, hi));
  }
  return 0;
}

/* A vector like w, with its operations and thread count, without data. */
static N_Vector clone_empty(N_Vector w) {
  N_Vector v = N_VNewEmpty(w->sunctx);
  if (!v) {
    return NULL;
  }
  content *c = malloc(sizeof *c);
  if (!c || N_VCopyOps(w, v)) {
    free(c);
    N_VFreeEmpty(v);
    return NULL;
  }
  c->s.length = NV_LENGTH_S(w);
  c->s.own_data = SUNFALSE;
  c->s.data = NULL;
  c->sh = ((content *)w->content)->sh;
  c->sh->refs++;
  v->content = c;
  return v;
}

static void destroy(N_Vector v) {
  if (v && v->content) {
    shared *sh = ((content *)v->content)->sh;
    if (sh && --sh->refs == 0) {
      free(sh);
    }
  }
  N_VDestroy_Serial(v);
}

static N_Vector clone(N_Vector w) {
  N_Vector v = clone_empty(w);
  if (!v) {
    return NULL;
  }
  const idx n = NV_LENGTH_S(w);
  if (n > 0) {
    sunrealtype *d = malloc((size_t)n * sizeof *d);
    if (!d) {
      N_VDestroy(v);
      return NULL;
    }
    NV_DATA_S(v) = d;
    NV_OWN_DATA_S(v) = SUNTRUE;
  }
  return v;
}

/* w = 1 / (rtol |y| + atol), element by element. */
LAM_SIMD static void ewt_k(sunrealtype rtol, sunrealtype atol,
                           const sunrealtype *yd, sunrealtype *wd, idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype y0 = yd[i], y1 = yd[i + 1], y2 = yd[i + 2],
                      y3 = yd[i + 3];
    wd[i] = 1.0 / (rtol * fabs(y0) + atol);
    wd[i + 1] = 1.0 / (rtol * fabs(y1) + atol);
    wd[i + 2] = 1.0 / (rtol * fabs(y2) + atol);
    wd[i + 3] = 1.0 / (rtol * fabs(y3) + atol);
  }
  for (; i < n; i++) {
    wd[i] = 1.0 / (rtol * fabs(yd[i]) + atol);
  }
}

void lam_nvector_ewt(N_Vector y, sunrealtype rtol, sunrealtype atol,
                     N_Vector w) {
  const sunrealtype *yd = NV_DATA_S(y);
  sunrealtype *wd = NV_DATA_S(w);
  PARALLEL_RANGES(w, NV_LENGTH_S(y), ewt_k(rtol, atol, yd + lo, wd + lo, hi - lo));
}

/* w = 1 / (rtol max(|y|, |p|) + atol), then p = y, element by element. */
LAM_SIMD static void ewt_max_k(sunrealtype rtol, sunrealtype atol,
                               const sunrealtype *yd, sunrealtype *pd,
                               sunrealtype *wd, idx n) {
  idx i = 0;
  for (; i + 4 <= n; i += 4) {
    const sunrealtype y0 = yd[i], y1 = yd[i + 1], y2 = yd[i + 2],
                      y3 = yd[i + 3];
    const sunrealtype a0 = fabs(y0), a1 = fabs(y1), a2 = fabs(y2),
                      a3 = fabs(y3);
    const sunrealtype b0 = fabs(pd[i]), b1 = fabs(pd[i + 1]),
                      b2 = fabs(pd[i + 2]), b3 = fabs(pd[i + 3]);
    wd[i] = 1.0 / (rtol * (a0 > b0 ? a0 : b0) + atol);
    wd[i + 1] = 1.0 / (rtol * (a1 > b1 ? a1 : b1) + atol);
    wd[i + 2] = 1.0 / (rtol * (a2 > b2 ? a2 : b2) + atol);
    wd[i + 3] = 1.0 / (rtol * (a3 > b3 ? a3 : b3) + atol);
    pd[i] = y0;
    pd[i + 1] = y1;
    pd[i + 2] = y2;
    pd[i + 3] = y3;
  }
  for (; i < n; i++) {
    const sunrealtype a = fabs(yd[i]), b = fabs(pd[i]);
    wd[i] = 1.0 / (rtol * (a > b ? a : b) + atol);
    pd[i] = yd[i];
  }
}

void lam_nvector_ewt_max(N_Vector y, sunrealtype *prev, sunrealtype rtol,
                         sunrealtype atol, N_Vector w) {
  const sunrealtype *yd = NV_DATA_S(y);
  sunrealtype *wd = NV_DATA_S(w);
  PARALLEL_RANGES(w, NV_LENGTH_S(y),
                  ewt_max_k(rtol, atol, yd + lo, prev + lo, wd + lo, hi - lo));
}

int lam_nvector_use_fast_ops(N_Vector v, int threads) {
  shared *sh = malloc(sizeof *sh);
  content *c = sh ? realloc(v->content, sizeof *c) : NULL;
  if (!c) {
    free(sh);
    return -1;
  }
  sh->threads = threads > 1 ? threads : 1;
  sh->refs = 1;
  c->sh = sh;
  v->content = c;
  v->ops->nvclone = clone;
  v->ops->nvcloneempty = clone_empty;
  v->ops->nvdestroy = destroy;
  v->ops->nvlinearsum = linear_sum;
  v->ops->nvscale = scale;
  v->ops->nvconst = set_const;
  v->ops->nvabs = vabs;
  v->ops->nvinv = inv;
  v->ops->nvaddconst = add_const;
  v->ops->nvmin = vmin;
  v->ops->nvwrmsnorm = wrms_norm;
  v->ops->nvlinearcombination = linear_combination;
  v->ops->nvscaleaddmulti = scale_add_multi;
  return 0;
}

void lam_nvector_set_threads(N_Vector v, int threads) {
  ((content *)v->content)->sh->threads = threads > 1 ? threads : 1;
}
