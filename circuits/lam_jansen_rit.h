/* lam_jansen_rit.h: a network of Jansen-Rit columns as one lam_system.
 *
 * The neural mass of Jansen & Rit 1995 (Biol Cybern 73:357), in the form of
 * [S13][S14] (docs/neural-masses.md): three populations (pyramidal cells,
 * excitatory and inhibitory interneurons) linked by second-order synaptic
 * kernels. Per column i, with v_i = y1_i - y2_i (mV):
 *
 *   y0' = y3                 y3' = A a S(v_i)                 - 2a y3 - a^2 y0
 *   y1' = y4                 y4' = A a [p_i + C2 S(C1 y0)]    - 2a y4 - a^2 y1
 *   y2' = y5                 y5' = B b C4 S(C3 y0)            - 2b y5 - b^2 y2
 *   S(v) = 2 e0 / (1 + exp(r (v0 - v)))                       (1/s)
 *   p_i(t) = p + K sum_j W_ij S(v_j)  [+ sigma xi_i(t), white, heun only]
 *
 * y0: PSP of the pyramidal cells onto both interneuron pools; y1, y2: the
 * excitatory and inhibitory PSPs onto the pyramidal cells (mV); y3..y5
 * their derivatives (mV/s). The coupled input enters where p enters: the
 * excitatory drive onto the pyramidal cells (docs/neural-masses.md).
 *
 * State layout: column by column, y[col * 6 + row], rows y0..y5
 * (docs/state-layout.md), so an `[init] state` CSV has 6 rows x N columns.
 * Default initial state: all zeros.
 *
 * Populations: v_pyr (y1 - y2, mV, N x 1), rate_pyr (S(y1 - y2), 1/s,
 * N x 1), psp (y0, y1, y2, mV, N x 3).
 */
#ifndef LAM_JANSEN_RIT_H
#define LAM_JANSEN_RIT_H

#include "lam_coupling.h"
#include "lam_coupling.h"
#include "lam_given.h"
#include "lam_system.h"

#define LAM_JR_NSTATE 6

/* [jansen_rit] */
typedef struct lam_jansen_rit_params {
  double p, k;
  lam_path coupling;
  double A, B, a, b, C, c1, c2, c3, c4, e0, v0, r;
  double sigma;
} lam_jansen_rit_params;
extern const lam_param lam_jansen_rit_table[];
extern const size_t lam_jansen_rit_ntable;

typedef struct lam_jansen_rit lam_jansen_rit;

/* Build from [network] columns (net) and [jansen_rit] (params), with the coupling
 * matrix from the given arrays. Errors:
 * LAM_EINVAL for bad keys or a coupling matrix that is not N x N (naming
 * file:line: jansen_rit.coupling), LAM_EIO, LAM_ENOMEM. */
int lam_jansen_rit_new(const lam_mass_network_params *net,
                       const lam_jansen_rit_params *params, const lam_given *given,
                       lam_jansen_rit **out, lam_err *err);
void lam_jansen_rit_free(lam_jansen_rit *jr);
lam_system *lam_jansen_rit_system(lam_jansen_rit *jr);

/* The parameters in use. Writable: a program (the stability analysis, a
 * test) may change scalar parameters between right-hand-side calls. */
lam_jansen_rit_params *lam_jansen_rit_params_of(lam_jansen_rit *jr);
size_t lam_jansen_rit_columns(const lam_jansen_rit *jr);

/* The sigmoid S(v) = 2 e0 / (1 + exp(r (v0 - v))), 1/s, v in mV. */
double lam_jansen_rit_sigmoid(const lam_jansen_rit_params *p, double v);

#endif
