/* lam_attention.h: T attention columns x H heads as one lam_system.
 *
 * State layout (population-major; docs/state-layout.md):
 *   l4   V  T  x H*dv     l23 Q  T x H*dk     l5b K  T x H*dk
 *   l5a  A  nq x H*T      pv  P  nq x H       som S  T    vip I  T
 *   out  O  nq x H*dv     clocks (if enabled) after out
 *   wq, wk  d_in x H*dk   and pbar T x H (pbar_tau > 0) after the clocks,
 *           under [plasticity] (column/lam_plasticity.h)
 * nq = T for topology `self` (each column's query attends over all columns,
 * T^2 H apical units) and 1 for `topdown` (one query per head, q = W_Q z,
 * broadcast to every column: T H apical units). Head h of a row occupies
 * units h*d ... (h+1)*d - 1; apical unit (i, h*T + j) pairs query i with key j.
 * Derived population `attn` (not state): the burst rates R, shaped like l5a.
 * Initial state: all zero unless `[init] state` is given.
 */
#ifndef LAM_ATTENTION_H
#define LAM_ATTENTION_H

#include "lam_clock.h"
#include "lam_column.h"
#include "lam_given.h"
#include "lam_jansen_rit.h"
#include "lam_neuromod.h"
#include "lam_plasticity.h"
#include "lam_stimulus.h"
#include "lam_system.h"
#include "lam_wilson_cowan.h"

enum { LAM_TOPO_SELF, LAM_TOPO_TOPDOWN };
enum { LAM_LAT_NONE, LAM_LAT_RING, LAM_LAT_ALL, LAM_LAT_RANDOM, LAM_LAT_CSV };

/* [network] */
typedef struct lam_network_params {
  long columns, heads, d_in, d_k, d_v;
  int topology;
  int lateral;
  lam_path lateral_file;
  double lateral_p;
  long lateral_seed;
  double c_lat, c_td;
} lam_network_params;

extern const lam_param lam_network_table[];
extern const size_t lam_network_ntable;

/* [input]: the thalamic input X and the top-down input z. */
typedef struct lam_input_params {
  lam_path x, z;
  long seed;
  double z_gain;
} lam_input_params;
extern const lam_param lam_input_table[];
extern const size_t lam_input_ntable;

/* [weights]: W_Q, W_K, W_V. */
typedef struct lam_weight_params {
  lam_path wq, wk, wv;
  long seed;
  double scale;
} lam_weight_params;
extern const lam_param lam_weights_table[];
extern const size_t lam_weights_ntable;

/* Everything an attention network is built from: one bundle per model-file
 * section. [jansen_rit] / [wilson_cowan] matter only when they drive the
 * clocks (clocks.gamma_source / alpha_source). */
typedef struct lam_attention_params {
  lam_column_params column;
  lam_network_params network;
  lam_input_params input;
  lam_weight_params weights;
  lam_plasticity_params plasticity;
  lam_neuromod_params neuromod;
  lam_clock_params clocks;
  lam_stimulus_params stimulus;
  lam_jansen_rit_params jansen_rit;
  lam_wilson_cowan_params wilson_cowan;
} lam_attention_params;

typedef struct lam_attention lam_attention;

/* The most values (doubles) a model may ask for: its matrices, its state
 * and the integrator's 16 state-sized vectors, 2^29 values (4 GiB). A
 * larger [network] is refused before anything is allocated, naming its
 * sizes, so a mistyped size is an error rather than terabytes asked of
 * malloc or minutes spent filling them (docs/memory.md). */
#define LAM_ATTENTION_MAX_VALUES ((double)(1UL << 29))
/* Columns with lateral wiring (a dense T x T matrix drawn entry by entry:
 * 4096^2 = 2^24 entries, 128 MiB, well under a second; 22000 columns took
 * minutes under the sanitizers). */
#define LAM_ATTENTION_MAX_LATERAL 4096

/* Build from p. given (may be NULL) holds the arrays of the path keys that
 * are set (input.x, input.z, weights.wq/wk/wv, network.lateral_file,
 * plasticity.teach, stimulus.file; a path key without its array is an
 * error) and where keys were given, for messages; an empty path draws the
 * seeded random matrix (or zeros) of docs/model.md. */
int lam_attention_new(const lam_attention_params *p, const lam_given *given,
                      lam_attention **out, lam_err *err);
void lam_attention_free(lam_attention *a);
/* The clocks of p for T columns, with the emergent generators its
 * gamma_source / alpha_source name (built from p's [jansen_rit] or
 * [wilson_cowan], deterministic: a noise intensity above 0 is an error
 * naming the key). What lam_attention_new builds its clocks with. */
int lam_attention_clock(const lam_attention_params *p, const lam_given *given,
                        size_t T, lam_clock **out, lam_err *err);
lam_system *lam_attention_system(lam_attention *a);

/* Read-only views for tests and analysis. */
const lam_column_params *lam_attention_column(const lam_attention *a);
const lam_dims *lam_attention_dims(const lam_attention *a);
/* Size of the thalamic input vector x_j. */
size_t lam_attention_din(const lam_attention *a);
/* X (T x d_in), W_Q, W_K (d_in x H*dk), W_V (d_in x H*dv), z (d_in). */
const double *lam_attention_matrix(const lam_attention *a, const char *name);
/* The right-hand side with external, state-dependent inputs (stacked
 * areas, circuits/lam_areas.h): xext (T x d_in) adds to the thalamic input,
 * x_j(t) = s_j(t) x_j + eta_j(t) + xext_j, through W_V, W_Q, W_K with the
 * same feedforward gains; zext (d_in) adds to the top-down input z (L2/3
 * through c_td W_Q, the topdown gate, VIP). NULL: none, and then it is the
 * system's own right-hand side exactly. Pure, like every rhs. */
int lam_attention_rhs_input(lam_attention *a, double t, const double *y,
                            const double *xext, const double *zext,
                            double *dy);
/* Offset of a population's block in the state vector, or -1 ("wq", "wk"
 * and "pbar" too under [plasticity]). */
long lam_attention_offset(const lam_attention *a, const char *pop);

#endif
