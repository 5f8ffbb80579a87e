/* lam_noise.h: frozen Ornstein-Uhlenbeck (and white) noise for adaptive solvers.
 *
 * CVODE takes adaptive steps, retries failed steps and evaluates the
 * right-hand side at several times inside a step, so a noisy input must be a
 * fixed, deterministic function of time: the same t must always give the same
 * value. lam_noise pre-generates ("freezes") an Ornstein-Uhlenbeck path on a
 * fixed grid t_n = n * dt and interpolates linearly between grid points, so the
 * input is continuous and piecewise linear in t (docs/stimulus.md; why and
 * when to prefer it over white noise with stochastic Heun: docs/stimulus.md).
 *
 * The process, per channel c (one per column or feature):
 *
 *     dx = -x / tau dt + sigma dW,     stationary variance sigma^2 tau / 2,
 *
 * so sigma is the noise intensity in (units of x) / sqrt(s); the stationary
 * standard deviation is sigma sqrt(tau / 2). The grid values use the exact
 * OU update (no discretisation error at any dt):
 *
 *     x_{n+1} = x_n e^{-dt/tau} + sigma sqrt(tau/2 (1 - e^{-2 dt/tau})) N(0,1),
 *
 * and x_0 is drawn from the stationary law N(0, sigma^2 tau / 2), so the path
 * is stationary from t = 0. tau = 0 selects frozen white noise instead:
 * independent x_n ~ N(0, sigma^2 / dt), whose integral over many grid cells has
 * the variance sigma^2 t of sigma W(t) (a band-limited white noise).
 *
 * Memory is O(block), not O(t_end): the path is generated lazily, block after
 * block, into a ring that keeps the newest `nblocks` blocks. Every channel has
 * its own mt19937 generator seeded from (seed, channel) by a fixed hash and
 * its values are drawn strictly in grid order, so x_n depends only on the
 * seed, the channel and n: never on the query pattern, nor on the number of
 * channels. RESTRICTION: queries may move back in time by at most
 * (nblocks - 1) * block * dt seconds behind the latest time queried
 * (lam_noise_history()); CVODE only steps back within one step, so the default
 * (4 blocks of 1024 points: 3.07 s of history at dt = 1 ms) is ample. A query further
 * back (or at t < 0) returns NaN, which a solver reports as a non-finite state
 * instead of silently using a different path.
 *
 * Evaluation allocates nothing and does no I/O, but it advances the ring, so
 * one lam_noise must not be queried from two threads at once.
 */
#ifndef LAM_NOISE_H
#define LAM_NOISE_H

#include <stddef.h>

#include "lam_error.h"

typedef struct lam_noise lam_noise;

typedef struct lam_noise_params {
  double tau;          /* s; correlation time (0: frozen white noise) */
  double sigma;        /* units / sqrt(s); noise intensity (see above) */
  double dt;           /* s; grid step of the frozen path */
  size_t nchannels;    /* independent channels */
  unsigned long seed;  /* mt19937 seed (per channel hashed with the index) */
  size_t block;        /* grid points generated at a time */
  size_t nblocks;      /* blocks kept in the ring (>= 2) */
} lam_noise_params;

/* tau 0.01 s, sigma 1, dt 1e-3 s, 1 channel, seed 1, block 1024, nblocks 4. */
lam_noise_params lam_noise_defaults(void);

/* Create the noise source; generates the first block. Errors: LAM_EINVAL
 * (tau < 0, sigma < 0, dt <= 0, nchannels 0, block 0, nblocks < 2, or a
 * non-finite value), LAM_ENOMEM. *out is NULL on failure. */
int lam_noise_new(const lam_noise_params *p, lam_noise **out, lam_err *err);
void lam_noise_free(lam_noise *n);

/* Value of channel ch at time t (s), linearly interpolated between grid
 * points. NaN if ch is out of range, t < 0, t is not finite, or t lies more
 * than lam_noise_history() behind the latest query. */
double lam_noise_value(lam_noise *n, size_t ch, double t);

/* All channels at t into out[nchannels]. LAM_EINVAL (with the times) if t is
 * outside the retained window; out is then left unchanged. */
int lam_noise_eval(lam_noise *n, double t, double *out, lam_err *err);

/* Grid value x_k of channel ch (NaN when not retained); for tests and for
 * recording the exact path. */
double lam_noise_grid(lam_noise *n, size_t ch, size_t k);

/* The first grid time k dt strictly after t (s): where the path's slope
 * jumps. INFINITY for t beyond the grid's exact integers. */
double lam_noise_next_kink(const lam_noise *n, double t);

size_t lam_noise_nchannels(const lam_noise *n);
/* Seconds a query may go back behind the latest one: (nblocks-1)*block*dt. */
double lam_noise_history(const lam_noise *n);
/* Stationary variance of the process: sigma^2 tau / 2 (OU) or sigma^2 / dt
 * (white). */
double lam_noise_variance(const lam_noise *n);

#endif
