/* lam_mejias.h: the laminar E-I rate model of Mejias, Murray, Kennedy &
 * Wang 2016 (Sci. Adv. 2:e1601335) as a network of columns.
 *
 * Each column has an L2/3 E-I pair and an L5/6 E-I pair
 * (docs/neural-masses.md; code of the paper [S8][S9]). With alpha, beta in
 * {E2/3, I2/3, E5/6, I5/6}:
 *
 *   x_alpha = sum_beta J_alpha,beta r_beta + I_alpha  [+ K sum_j W_ij r_E2/3,j
 *             onto E2/3 of column i]
 *   tau_alpha dr_alpha = (-r_alpha + phi(x_alpha)) dt
 *                        + sigma_alpha sqrt(tau_alpha) dW_alpha
 *   phi(x) = x / (1 - exp(-x))
 *
 * The noise term is the paper's Euler-Maruyama update
 * r += dt/tau (-r + phi) + sqrt(dt sigma^2 / tau) N(0,1), i.e. an additive
 * white noise of amplitude sigma / sqrt(tau) per sqrt(s) on dr/dt. Local
 * weights are the same in both layers (J_EE 1.5, J_EI -3.25, J_IE 3.5,
 * J_II -2.5, subscripts post,pre); L2/3 has tau 6/15 ms (gamma), L5/6 five
 * times slower, 30/75 ms (alpha). Interlaminar: L2/3 E -> L5/6 E 1.0 and
 * L5/6 E -> L2/3 I 0.75 (the phase-amplitude coupling figure [S9]); inputs
 * I_E2/3 = 6, I_E5/6 = 8 ([S9] main.m). The deterministic system has a
 * stable focus: the rhythms are noise-driven, so run it with
 * [solver] method = heun (docs/neural-masses.md).
 *
 * State: column by column, y[col * 4 + row], rows r_E2/3, r_I2/3, r_E5/6,
 * r_I5/6 (1/s). Default initial state: zeros. Populations l23_e, l23_i
 * (layer L2/3), l56_e, l56_i (layer L5), each N x 1, in 1/s; their
 * `input` is x_alpha.
 */
#ifndef LAM_MEJIAS_H
#define LAM_MEJIAS_H

#include "lam_coupling.h"
#include "lam_coupling.h"
#include "lam_given.h"
#include "lam_system.h"

#define LAM_MEJIAS_NSTATE 4

/* [mejias2016] */
typedef struct lam_mejias_params {
  double tau_e23, tau_i23, tau_e56, tau_i56;
  double j_ee, j_ei, j_ie, j_ii;
  double j_e56_e23, j_i56_e23, j_e23_e56, j_i23_e56;
  double i_e23, i_i23, i_e56, i_i56;
  double sigma_23, sigma_56;
  double k;
  lam_path coupling;
} lam_mejias_params;
extern const lam_param lam_mejias_table[];
extern const size_t lam_mejias_ntable;

typedef struct lam_mejias lam_mejias;

/* Build from [network] columns (net) and [mejias2016] (params), with the coupling
 * matrix from the given arrays. Errors as
 * lam_jansen_rit_new (coupling N x N, file:line: mejias2016.coupling). */
int lam_mejias_new(const lam_mass_network_params *net,
                   const lam_mejias_params *params, const lam_given *given,
                   lam_mejias **out, lam_err *err);
void lam_mejias_free(lam_mejias *mj);
lam_system *lam_mejias_system(lam_mejias *mj);
lam_mejias_params *lam_mejias_params_of(lam_mejias *mj);

/* phi(x) = x / (1 - exp(-x)), with its limit 1 at x = 0. */
double lam_mejias_phi(double x);

#endif
