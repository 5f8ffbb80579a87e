/* lam_attn.h: attention-weight math at a state of the attention network:
 * the weights R (its `attn` population), their Shannon entropy, and
 * closed-form transformer attention softmax(Q K^T / sqrt(d_k)) V from the
 * network's own X, W_Q, W_K, W_V (docs/model.md, "Anchor identity").
 *
 * Everything reads a system (core/lam_system.h) and a state vector, not a
 * simulation, so the sweep metrics (lam_metrics.h) and the experiments
 * share one definition. A system of another kind is LAM_EINVAL.
 *
 * Use, after a run:
 *   lam_system *sys = lam_sim_system(sim);
 *   lam_attn_weights(sys, lam_sim_state(sim), NULL, &nq, &H, &T, &err);
 *   ... w = nq * H * T values ...
 *   lam_attn_weights(sys, lam_sim_state(sim), w, &nq, &H, &T, &err);
 *   double h = lam_attn_entropy(w, nq, H, T);
 */
#ifndef LAM_ATTN_H
#define LAM_ATTN_H

#include <stddef.h>

#include "lam_attention.h"
#include "lam_error.h"
#include "lam_system.h"

/* The attention network behind sys, or NULL when sys is another kind (a
 * neural mass, stacked areas). */
lam_attention *lam_attn_network(const lam_system *sys);

/* The attention weights at state y: nq x H x T values (query, head, key)
 * into w, and their sizes. w = NULL: the sizes only. */
int lam_attn_weights(const lam_system *sys, const double *y, double *w,
                     size_t *nq, size_t *H, size_t *T, lam_err *err);

/* Shannon entropy (nats) of v[n] normalised to sum 1 (negative entries
 * count as 0; 0 when none is positive). */
double lam_attn_entropy_row(const double *v, size_t n);

/* lam_attn_entropy_row of each query's weights w[(q * H + h) * T ..],
 * averaged over queries and heads. */
double lam_attn_entropy(const double *w, size_t nq, size_t H, size_t T);

/* Closed-form softmax(Q K^T / sqrt(d_k)) V per head from the network's X,
 * W_Q, W_K, W_V: ref has T x H*d_v entries (query-major). Needs
 * network.topology = self (LAM_EINVAL otherwise). */
int lam_attn_reference(const lam_system *sys, double *ref, lam_err *err);

/* ||O - ref||_F / ||ref||_F: the relative Frobenius error of the L5 output
 * O at state y against lam_attn_reference. */
int lam_attn_identity_error(const lam_system *sys, const double *y,
                            double *rel, lam_err *err);

#endif
