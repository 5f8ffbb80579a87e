/* lam_granger.c: least-squares VAR fit (GSL multifit, SVD) with AIC/BIC
 * order selection, and Geweke's spectral Granger causality for a pair.
 *
 * Formulas in lam_granger.h and docs/analysis.md. The "intrinsic" part of
 * each auto-spectrum is evaluated as the squared modulus it equals,
 *   S_xx - (Sigma_yy - Sigma_xy^2/Sigma_xx)|H_xy|^2
 *     = Sigma_xx |H_xx + (Sigma_xy/Sigma_xx) H_xy|^2,
 * so the logarithm never sees a difference of nearly equal numbers.
 */
#include "lam_granger.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h> /* M_PI */
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_vector.h>

#define M 2 /* channels */

struct lam_granger {
  size_t p, pmax;
  int criterion;
  double fs;
  double *A;  /* p blocks of M x M, row-major: A[(l-1) M M + i M + j] */
  double c[M]; /* intercepts */
  double sig[M * M];
  double *ic; /* pmax values, ic[p-1] */
};

void lam_granger_free(lam_granger *g) {
  if (!g) {
    return;
  }
  free(g->A);
  free(g->ic);
  free(g);
}

/* Least-squares fit of order p on rows t = t0 .. n-1. Columns of the design
 * matrix: 1, x_{t-1}, y_{t-1}, ..., x_{t-p}, y_{t-p}. Fills A (p M M, may be
 * NULL), c (may be NULL) and sig (ML residual covariance). */
static int fit(const double *const u[M], const size_t stride[M], size_t n,
               size_t p, size_t t0, double *A, double *c, double sig[M * M],
               lam_err *err) {
  size_t N = n - t0, k = 1 + M * p;
  gsl_matrix *X = gsl_matrix_alloc(N, k);
  gsl_vector *yv = gsl_vector_alloc(N);
  gsl_vector *b[M] = {gsl_vector_alloc(k), gsl_vector_alloc(k)};
  gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(N, k);
  int rc = LAM_OK;
  if (!X || !yv || !b[0] || !b[1] || !w) {
    rc = LAM_NOMEM(err);
    goto done;
  }
  for (size_t r = 0; r < N; r++) {
    size_t t = t0 + r;
    gsl_matrix_set(X, r, 0, 1.0);
    for (size_t l = 1; l <= p; l++) {
      for (size_t j = 0; j < M; j++) {
        gsl_matrix_set(X, r, 1 + (l - 1) * M + j, u[j][(t - l) * stride[j]]);
      }
    }
  }
  int grc = gsl_multifit_linear_svd(X, w);
  if (grc != GSL_SUCCESS) {
    rc = LAM_INTERNAL(err, gsl_strerror(grc));
    goto done;
  }
  for (size_t i = 0; i < M; i++) {
    for (size_t r = 0; r < N; r++) {
      gsl_vector_set(yv, r, u[i][(t0 + r) * stride[i]]);
    }
    double rnorm, snorm;
    grc = gsl_multifit_linear_solve(0.0, X, yv, b[i], &rnorm, &snorm, w);
    if (grc != GSL_SUCCESS) {
      rc = LAM_INTERNAL(err, gsl_strerror(grc));
      goto done;
    }
  }
  /* Residuals and their covariance (divide by N: the ML estimate). */
  memset(sig, 0, M * M * sizeof *sig);
  for (size_t r = 0; r < N; r++) {
    double e[M];
    for (size_t i = 0; i < M; i++) {
      double pred = 0.0;
      for (size_t q = 0; q < k; q++) {
        pred += gsl_matrix_get(X, r, q) * gsl_vector_get(b[i], q);
      }
      e[i] = u[i][(t0 + r) * stride[i]] - pred;
    }
    for (size_t i = 0; i < M; i++) {
      for (size_t j = 0; j < M; j++) {
        sig[i * M + j] += e[i] * e[j];
      }
    }
  }
  for (size_t i = 0; i < M * M; i++) {
    sig[i] /= (double)N;
  }
  if (!(sig[0] * sig[3] - sig[1] * sig[2] > 0.0)) {
    rc = lam_err_set(err, LAM_EINVAL,
                     "granger: singular residual covariance at order %zu "
                     "(constant or collinear series)",
                     p);
    goto done;
  }
  for (size_t i = 0; i < M; i++) {
    if (c) {
      c[i] = gsl_vector_get(b[i], 0);
    }
    for (size_t l = 1; A && l <= p; l++) {
      for (size_t j = 0; j < M; j++) {
        A[(l - 1) * M * M + i * M + j] = gsl_vector_get(b[i], 1 + (l - 1) * M + j);
      }
    }
  }
done:
  gsl_multifit_linear_free(w);
  gsl_vector_free(b[0]);
  gsl_vector_free(b[1]);
  gsl_vector_free(yv);
  gsl_matrix_free(X);
  return rc;
}

lam_granger *lam_granger_new(const double *x, size_t xstride, const double *y,
                             size_t ystride, size_t n, double fs, size_t pmax,
                             int criterion, lam_err *err) {
  if (!x || !y || xstride < 1 || ystride < 1) {
    lam_err_set(err, LAM_EINVAL, "granger: NULL series or zero stride");
    return NULL;
  }
  if (!(isfinite(fs) && fs > 0.0)) {
    lam_err_set(err, LAM_EINVAL,
                "granger: sampling rate: expected a finite value > 0 Hz, found %g",
                fs);
    return NULL;
  }
  if (pmax < 1) {
    lam_err_set(err, LAM_EINVAL, "granger: maximum order: expected >= 1, found 0");
    return NULL;
  }
  if (criterion != LAM_GRANGER_AIC && criterion != LAM_GRANGER_BIC &&
      criterion != LAM_GRANGER_FIXED) {
    lam_err_set(err, LAM_EINVAL, "granger: unknown order criterion %d", criterion);
    return NULL;
  }
  /* Need more fitted rows than unknowns per equation, at the largest order. */
  if (n <= pmax + 1 + M * pmax) {
    lam_err_set(err, LAM_EINVAL,
                "granger: expected more than %zu samples for order %zu, found %zu",
                pmax + 1 + M * pmax, pmax, n);
    return NULL;
  }
  for (size_t t = 0; t < n; t++) {
    if (!isfinite(x[t * xstride]) || !isfinite(y[t * ystride])) {
      lam_err_set(err, LAM_ENONFINITE, "granger: sample %zu is not finite", t);
      return NULL;
    }
  }
  lam_granger *g = calloc(1, sizeof *g);
  if (!g) {
    LAM_NOMEM(err);
    return NULL;
  }
  g->pmax = pmax;
  g->criterion = criterion;
  g->fs = fs;
  g->ic = malloc(pmax * sizeof *g->ic);
  if (!g->ic) {
    lam_granger_free(g);
    LAM_NOMEM(err);
    return NULL;
  }
  const double *u[M] = {x, y};
  const size_t stride[M] = {xstride, ystride};
  size_t order = pmax;
  if (criterion == LAM_GRANGER_FIXED) {
    for (size_t p = 0; p < pmax; p++) {
      g->ic[p] = NAN;
    }
  } else {
    /* Every order on the same rows t = pmax .. n-1, so the criteria compare. */
    double N = (double)(n - pmax);
    double pen = criterion == LAM_GRANGER_AIC ? 2.0 : log(N);
    double best = INFINITY;
    for (size_t p = 1; p <= pmax; p++) {
      double sig[M * M];
      if (fit(u, stride, n, p, pmax, NULL, NULL, sig, err) != LAM_OK) {
        lam_granger_free(g);
        return NULL;
      }
      double logdet = log(sig[0] * sig[3] - sig[1] * sig[2]);
      g->ic[p - 1] = logdet + pen * (double)(p * M * M) / N;
      if (g->ic[p - 1] < best) {
        best = g->ic[p - 1];
        order = p;
      }
    }
  }
  g->p = order;
  g->A = malloc(order * M * M * sizeof *g->A);
  if (!g->A) {
    lam_granger_free(g);
    LAM_NOMEM(err);
    return NULL;
  }
  if (fit(u, stride, n, order, order, g->A, g->c, g->sig, err) != LAM_OK) {
    lam_granger_free(g);
    return NULL;
  }
  return g;
}

size_t lam_granger_order(const lam_granger *g) { return g->p; }

double lam_granger_ic(const lam_granger *g, size_t p) {
  return (p >= 1 && p <= g->pmax) ? g->ic[p - 1] : NAN;
}

double lam_granger_coef(const lam_granger *g, size_t lag, size_t i, size_t j) {
  if (lag < 1 || lag > g->p || i >= M || j >= M) {
    return NAN;
  }
  return g->A[(lag - 1) * M * M + i * M + j];
}

double lam_granger_noise_cov(const lam_granger *g, size_t i, size_t j) {
  return (i < M && j < M) ? g->sig[i * M + j] : NAN;
}

/* Both directions at one frequency; no argument checks. */
static void spectrum(const lam_granger *g, double f_hz, double *x_to_y,
                     double *y_to_x) {
  double complex a[M][M] = {{1.0, 0.0}, {0.0, 1.0}};
  double w = 2.0 * M_PI * f_hz / g->fs;
  for (size_t l = 1; l <= g->p; l++) {
    double complex e = cexp(-I * w * (double)l);
    for (size_t i = 0; i < M; i++) {
      for (size_t j = 0; j < M; j++) {
        a[i][j] -= g->A[(l - 1) * M * M + i * M + j] * e;
      }
    }
  }
  double complex det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  double complex h[M][M] = {{a[1][1] / det, -a[0][1] / det},
                            {-a[1][0] / det, a[0][0] / det}};
  const double *s = g->sig;
  /* S = H Sigma H^*, diagonal only. */
  double sxx = creal(h[0][0] * conj(h[0][0]) * s[0] + h[0][0] * conj(h[0][1]) * s[1] +
                     h[0][1] * conj(h[0][0]) * s[2] + h[0][1] * conj(h[0][1]) * s[3]);
  double syy = creal(h[1][0] * conj(h[1][0]) * s[0] + h[1][0] * conj(h[1][1]) * s[1] +
                     h[1][1] * conj(h[1][0]) * s[2] + h[1][1] * conj(h[1][1]) * s[3]);
  double ix = s[0] * pow(cabs(h[0][0] + (s[1] / s[0]) * h[0][1]), 2);
  double iy = s[3] * pow(cabs(h[1][1] + (s[1] / s[3]) * h[1][0]), 2);
  *y_to_x = log(sxx / ix);
  *x_to_y = log(syy / iy);
}

int lam_granger_spectrum(const lam_granger *g, double f_hz, double *x_to_y,
                         double *y_to_x, lam_err *err) {
  if (!(isfinite(f_hz) && f_hz >= 0.0 && f_hz <= 0.5 * g->fs)) {
    return lam_err_set(err, LAM_EINVAL,
                       "granger: frequency: expected 0 .. fs/2 = %g Hz, found %g",
                       0.5 * g->fs, f_hz);
  }
  spectrum(g, f_hz, x_to_y, y_to_x);
  return LAM_OK;
}

int lam_granger_band(const lam_granger *g, double f_lo, double f_hi,
                     double *x_to_y, double *y_to_x, lam_err *err) {
  if (!(isfinite(f_lo) && isfinite(f_hi) && f_lo >= 0.0 && f_lo < f_hi &&
        f_hi <= 0.5 * g->fs)) {
    return lam_err_set(err, LAM_EINVAL,
                       "granger: band: expected 0 <= f_lo < f_hi <= fs/2 = %g Hz, "
                       "found [%g, %g] Hz",
                       0.5 * g->fs, f_lo, f_hi);
  }
  const size_t np = LAM_GRANGER_BAND_POINTS;
  double sxy = 0.0, syx = 0.0;
  for (size_t q = 0; q <= np; q++) {
    double f = f_lo + (f_hi - f_lo) * (double)q / (double)np;
    double a, b;
    spectrum(g, f, &a, &b);
    double wgt = (q == 0 || q == np) ? 0.5 : 1.0;
    sxy += wgt * a;
    syx += wgt * b;
  }
  *x_to_y = sxy / (double)np;
  *y_to_x = syx / (double)np;
  return LAM_OK;
}
