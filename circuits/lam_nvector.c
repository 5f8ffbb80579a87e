/* lam_nvector.c: see lam_nvector.h. Plain loops the compiler vectorises. */
#include "lam_nvector.h"

#include <math.h>

static void linear_sum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y,
                       N_Vector z) {
  const sunindextype n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x), *yd = NV_DATA_S(y);
  sunrealtype *zd = NV_DATA_S(z);
  for (sunindextype i = 0; i < n; i++) {
    zd[i] = a * xd[i] + b * yd[i];
  }
}

static void scale(sunrealtype c, N_Vector x, N_Vector z) {
  const sunindextype n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  for (sunindextype i = 0; i < n; i++) {
    zd[i] = c * xd[i];
  }
}

static void set_const(sunrealtype c, N_Vector z) {
  const sunindextype n = NV_LENGTH_S(z);
  sunrealtype *zd = NV_DATA_S(z);
  for (sunindextype i = 0; i < n; i++) {
    zd[i] = c;
  }
}

static void vabs(N_Vector x, N_Vector z) {
  const sunindextype n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  for (sunindextype i = 0; i < n; i++) {
    zd[i] = fabs(xd[i]);
  }
}

static void inv(N_Vector x, N_Vector z) {
  const sunindextype n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  for (sunindextype i = 0; i < n; i++) {
    zd[i] = 1.0 / xd[i];
  }
}

static void add_const(N_Vector x, sunrealtype b, N_Vector z) {
  const sunindextype n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x);
  sunrealtype *zd = NV_DATA_S(z);
  for (sunindextype i = 0; i < n; i++) {
    zd[i] = xd[i] + b;
  }
}

/* sqrt(sum_i (x_i w_i)^2 / n), SUNDIALS' weighted root-mean-square norm. */
static sunrealtype wrms_norm(N_Vector x, N_Vector w) {
  const sunindextype n = NV_LENGTH_S(x);
  const sunrealtype *xd = NV_DATA_S(x), *wd = NV_DATA_S(w);
  sunrealtype sum = 0.0;
  for (sunindextype i = 0; i < n; i++) {
    const sunrealtype p = xd[i] * wd[i];
    sum += p * p;
  }
  return sqrt(sum / (sunrealtype)n);
}

void lam_nvector_use_fast_ops(N_Vector v) {
  v->ops->nvlinearsum = linear_sum;
  v->ops->nvscale = scale;
  v->ops->nvconst = set_const;
  v->ops->nvabs = vabs;
  v->ops->nvinv = inv;
  v->ops->nvaddconst = add_const;
  v->ops->nvwrmsnorm = wrms_norm;
}
