/* leaky.c: the leaky integration shared by L4, L2/3 and L5 basal
 * (docs/model.md; l4.c, l23.c, l5b.c): dY = k (-Y + F(drive)),
 * k = 1 / tau, over n units.
 *
 * One loop per transfer function, four elements at a time (packed SIMD at
 * -O2 without alias proofs, AVX2 where the processor has it): the switch
 * of lam_transfer inside one loop kept it scalar, ~13 instructions per
 * unit (docs/performance.md, "The attention right-hand side, fused"). Per
 * element the same operations as k * (-Y + lam_transfer(p, drive)). */
#include "lam_column.h"
#include "lam_par.h"

LAM_COLUMN_SIMD void lam_leaky_rhs(const lam_column_params *p, size_t n,
                                   double k, const double *Y,
                                   const double *drive, double *dY) {
  size_t i = 0;
  if (p->transfer == LAM_F_LINEAR) {
    for (; i + 4 <= n; i += 4) {
      const double y0 = Y[i], y1 = Y[i + 1], y2 = Y[i + 2], y3 = Y[i + 3];
      const double x0 = drive[i], x1 = drive[i + 1], x2 = drive[i + 2],
                   x3 = drive[i + 3];
      dY[i] = k * (-y0 + x0);
      dY[i + 1] = k * (-y1 + x1);
      dY[i + 2] = k * (-y2 + x2);
      dY[i + 3] = k * (-y3 + x3);
    }
  } else if (p->transfer == LAM_F_RELU) {
    for (; i + 4 <= n; i += 4) {
      const double y0 = Y[i], y1 = Y[i + 1], y2 = Y[i + 2], y3 = Y[i + 3];
      const double x0 = drive[i], x1 = drive[i + 1], x2 = drive[i + 2],
                   x3 = drive[i + 3];
      dY[i] = k * (-y0 + (x0 > 0.0 ? x0 : 0.0));
      dY[i + 1] = k * (-y1 + (x1 > 0.0 ? x1 : 0.0));
      dY[i + 2] = k * (-y2 + (x2 > 0.0 ? x2 : 0.0));
      dY[i + 3] = k * (-y3 + (x3 > 0.0 ? x3 : 0.0));
    }
  }
  for (; i < n; i++) {
    dY[i] = k * (-Y[i] + lam_transfer(p, drive[i]));
  }
}

/* One row of lam_leaky_rhs_gain, four units at a time, for the linear
 * (relu = 0) or ReLU transfer, with or without the c v term; called with
 * constant flags, so each of the four forms is compiled on its own. */
static inline size_t gain_row4(int relu, int hasv, size_t n, double k,
                               const double *y, double gj, const double *x,
                               double c, const double *v, double *dy) {
  size_t u = 0;
  for (; u + 4 <= n; u += 4) {
    const double y0 = y[u], y1 = y[u + 1], y2 = y[u + 2], y3 = y[u + 3];
    double x0 = gj * x[u], x1 = gj * x[u + 1], x2 = gj * x[u + 2],
           x3 = gj * x[u + 3];
    if (hasv) {
      x0 = x0 + c * v[u];
      x1 = x1 + c * v[u + 1];
      x2 = x2 + c * v[u + 2];
      x3 = x3 + c * v[u + 3];
    }
    if (relu) {
      x0 = x0 > 0.0 ? x0 : 0.0;
      x1 = x1 > 0.0 ? x1 : 0.0;
      x2 = x2 > 0.0 ? x2 : 0.0;
      x3 = x3 > 0.0 ? x3 : 0.0;
    }
    dy[u] = k * (-y0 + x0);
    dy[u + 1] = k * (-y1 + x1);
    dy[u + 2] = k * (-y2 + x2);
    dy[u + 3] = k * (-y3 + x3);
  }
  return u;
}

LAM_COLUMN_SIMD void lam_leaky_rhs_gain(const lam_column_params *p, size_t T,
                                        size_t n, double k, const double *Y,
                                        const double *g, const double *X,
                                        double c, const double *v,
                                        double *dY) {
  const int lin = p->transfer == LAM_F_LINEAR, relu = p->transfer == LAM_F_RELU;
  for (size_t j = 0; j < T; j++) {
    const double gj = g[j], *x = X + j * n, *y = Y + j * n;
    double *dy = dY + j * n;
    size_t u = 0;
    if (lin) {
      u = v ? gain_row4(0, 1, n, k, y, gj, x, c, v, dy)
            : gain_row4(0, 0, n, k, y, gj, x, c, v, dy);
    } else if (relu) {
      u = v ? gain_row4(1, 1, n, k, y, gj, x, c, v, dy)
            : gain_row4(1, 0, n, k, y, gj, x, c, v, dy);
    }
    for (; u < n; u++) {
      const double dr = v ? gj * x[u] + c * v[u] : gj * x[u];
      dy[u] = k * (-y[u] + lam_transfer(p, dr));
    }
  }
}

/* Threads (core/lam_par.h): each takes a contiguous range of the T rows;
 * an element depends on its own row alone, so the split changes no bit.
 * The per-column populations are most of a top-down network's right-hand
 * side (T x H d units each, against the single query's H x T apical
 * units). */
void lam_leaky_rhs_gain_par(const lam_column_params *p, const lam_dims *d,
                            size_t n, double k, const double *Y,
                            const double *g, const double *X, double c,
                            const double *v, double *dY) {
  const size_t T = d->T;
  const int nt = lam_par_threads(d->threads, T * n >= LAM_PAR_MIN_VECTOR);
  if (nt > 1) { /* one thread: no region (column/apical.c says why) */
    LAM_OMP_N(nt, "omp parallel num_threads(nt)")
    {
      size_t j0, j1;
      lam_par_rows(T, &j0, &j1);
      lam_leaky_rhs_gain(p, j1 - j0, n, k, Y + j0 * n, g + j0, X + j0 * n, c, v,
                         dY + j0 * n);
    }
  } else {
    lam_leaky_rhs_gain(p, T, n, k, Y, g, X, c, v, dY);
  }
}
