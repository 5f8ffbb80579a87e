/* lam_delay.c: the linear chain trick (see lam_delay.h). */
#include "lam_delay.h"

void lam_delay_rhs(size_t k, double D, size_t n, const double *u,
                   const double *x, double *dx) {
  const double rate = (double)k / D; /* 1 / tau */
  for (size_t s = 0; s < k; s++) {
    const double *in = s ? x + (s - 1) * n : u;
    for (size_t i = 0; i < n; i++) {
      dx[s * n + i] = rate * (in[i] - x[s * n + i]);
    }
  }
}
