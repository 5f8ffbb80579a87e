/* lam_exp_topdown.h: the top-down protocol shared by the laminar
 * experiments (P1-P3): T columns receive thalamic inputs X (T x d), one
 * top-down context z (d) reaches every column's apical dendrites, and the
 * projections are identities (W_Q = W_K = W_V = I, d_in = d_k = d_v = d), so
 * the Q.K match of column j is exactly the input similarity z . x_j / sqrt(d).
 * Everything else (transfer, gate, PV, SOM/VIP, clocks, time constants)
 * comes from the parameters the run is given (lam_exp_params and the
 * condition's fields). */
#ifndef LAM_EXP_TOPDOWN_H
#define LAM_EXP_TOPDOWN_H

#include "lam_experiment.h"

typedef struct lam_exp_td {
  size_t T, d;
  const double *X; /* T x d */
  const double *z; /* d */
  double basal;    /* stimulus level s: bottom-up drive x_j -> s x_j */
  double apical;   /* input.z_gain: top-down drive z -> a z */
  double t_end;    /* s */
  const char *tag; /* NULL, or a suffix of the input file names, so that
                      conditions of one seed that differ in X or z keep
                      their own files (x_seed<N><tag>.csv) */
  unsigned long proj_seed; /* 0: identity projections; else W_Q, W_K, W_V
                              drawn N(0, 1/d) with this seed (GSL mt19937) */
} lam_exp_td;

/* Per-column read-outs at the end of the run (all arrays T long). */
typedef struct lam_exp_td_out {
  double *l4;   /* |V_j| (L4, values) */
  double *l23;  /* |Q_j| (L2/3) */
  double *l5b;  /* |K_j| (L5 basal) */
  double *attn; /* R_j, burst rate of key j for the top-down query (mean over heads) */
  double *out;  /* O (d values): the routed output of the top-down query */
  double *V, *Q; /* full L4 and L2/3 states, T x d each */
  size_t T, d;
} lam_exp_td_out;

/* Run the protocol on a copy of p (from lam_exp_params, with the
 * condition's fields set) with the protocol's network, input, weights and
 * stimulus fields set. The inputs are also written to
 * DIR/NAME/inputs/{x,z}_seed<N><tag>.csv (N = p->input.seed) and
 * identity_<d>.csv (or w{q,k,v}_<d>_proj<seed>.csv for random projections),
 * so that a run can be repeated by hand. */
int lam_exp_td_run(lam_exp *x, const lam_sim_params *p, const lam_exp_td *td,
                   lam_exp_td_out *out, lam_err *err);
void lam_exp_td_out_free(lam_exp_td_out *o);

/* Inputs of graded similarity: z a random direction with |z|^2 = d, and
 * x_j = m_j z + sqrt(1 - m_j^2) n_j with n_j orthogonal to z, |n_j|^2 = d,
 * m_j = j / (T - 1). Seeded (GSL mt19937). X: T x d, z: d. */
int lam_exp_graded_inputs(size_t T, size_t d, unsigned long seed, double *X,
                          double *z, lam_err *err);

#endif
