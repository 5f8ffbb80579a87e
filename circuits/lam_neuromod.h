/* lam_neuromod.h: a neuromodulatory gain, a global gate of an attention
 * network (acetylcholine / noradrenaline-like; docs/hierarchy.md).
 *
 * The gate g(t) >= 0 scales two couplings of the network (docs/hierarchy.md,
 * "Neuromodulatory gain"; the global gate the paper names as missing [S1]):
 *   apical coupling   tau_l5a dA/dt = -A + f_A g_fb G / (1 + w_sa S)
 *   inverse temperature  R = exp(f_beta beta (A - s P))   (PV, column/pv.c)
 * with f_A = g^apical_scale and f_beta = g^beta_scale (exponent 0: that
 * coupling is not modulated; 1: proportional to g). In the ideal regime
 * (linear F, product gate, subtractive PV) the steady state is
 *   A = f_A G,   attention = softmax_j(f_beta f_A beta G_j).
 * Modes:
 *   off       g = 1, no state, nothing evaluated: the model exactly as without
 *   schedule  g(t) = level + gain on [onset, onset + duration) (duration 0:
 *             forever), level outside; its edges are solver breakpoints
 *   surprise  g(t) = level + gain * U(t), U the surprise:
 *               tau_pred dp_j/dt = x_j(t) - p_j     (the prediction of x_j)
 *               e(t) = sqrt(mean_{j,u} (x_ju(t) - p_ju)^2)   (mismatch, RMS)
 *               tau dU/dt = e - U                    (leaky integrator)
 *             with x_j(t) = s_j(t) x_j + xext_j(t) the deterministic input
 *             (stimulus gain times X plus the feedforward input of a lower
 *             area; the input noise eta is not predicted). p starts at x(0),
 *             U at 0, so a constant input causes no surprise. For a step of
 *             every x_j by dx at t0 (p settled): e = rms(dx) exp(-t'/tau_pred)
 *             and U = rms(dx) tau_pred / (tau_pred - tau)
 *             (exp(-t'/tau_pred) - exp(-t'/tau)), t' = t - t0.
 * g is clipped at 0. State (surprise only): p (T x d_in) then U (1).
 */
#ifndef LAM_NEUROMOD_H
#define LAM_NEUROMOD_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_param.h"
#include "lam_param.h"

enum { LAM_NM_OFF, LAM_NM_SCHEDULE, LAM_NM_SURPRISE };

/* [neuromod] */
typedef struct lam_neuromod_params {
  int mode;
  double level, gain, onset, duration;
  double apical_scale, beta_scale;
  double tau, tau_pred;
} lam_neuromod_params;
extern const lam_param lam_neuromod_table[];
extern const size_t lam_neuromod_ntable;


/* State size: T d_in + 1 in surprise mode, else 0. */
size_t lam_neuromod_nstate(const lam_neuromod_params *p, size_t T, size_t din);

/* The gate g(t) (state: the neuromod block, NULL unless surprise). */
double lam_neuromod_gate(const lam_neuromod_params *p, double t,
                         const double *state, size_t T, size_t din);

/* f_A and f_beta from the gate. */
void lam_neuromod_factors(const lam_neuromod_params *p, double g, double *fa,
                          double *fbeta);

/* Surprise mode: d(state)/dt from the input x (T x d_in). Pure. */
void lam_neuromod_rhs(const lam_neuromod_params *p, size_t T, size_t din,
                      const double *x, const double *state, double *dstate);

/* Next schedule edge strictly after t, or INFINITY. */
double lam_neuromod_next_break(const lam_neuromod_params *p, double t);

#endif
