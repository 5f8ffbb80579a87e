/* lam_delay.h: conduction delays kept an ODE by the linear chain trick.
 *
 * A delay of mean D (s) carried by k stages in series, each a leaky
 * integrator with tau = D / k:
 *   dx_1/dt = (u - x_1) / tau,   dx_i/dt = (x_{i-1} - x_i) / tau.
 * The last stage x_k is u convolved with the Erlang (gamma) density of shape
 * k and mean D, so the response to a unit step at t = 0 is the regularised
 * lower incomplete gamma function P(k, k t / D); as k grows the kernel
 * narrows (standard deviation D / sqrt(k)) towards the exact delay u(t - D)
 * (MacDonald 1978, "Time lags in biological models"; docs/hierarchy.md has
 * the accuracy table). A chain of n signals stores k blocks of n values,
 * stage by stage: x[s * n + i].
 */
#ifndef LAM_DELAY_H
#define LAM_DELAY_H

#include <stddef.h>

/* dx for the k * n chain state x driven by u (n values). Pure. */
void lam_delay_rhs(size_t k, double D, size_t n, const double *u,
                   const double *x, double *dx);

/* The delayed signal: the last stage (n values). */
static inline const double *lam_delay_out(size_t k, size_t n,
                                          const double *x) {
  return x + (k - 1) * n;
}

#endif
