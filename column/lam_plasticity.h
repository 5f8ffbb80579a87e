/* lam_plasticity.h: burst-dependent plasticity, the rate form of Payeur et
 * al. 2021 (Nat. Neurosci. 24:1010), on the projections W_Q and W_K.
 *
 * For the L2/3 (queries) and L5 basal (keys) units of column j, head h:
 *   E        event rate: the unit's activity (Q or K)
 *   P_jh     burst probability set by the apical drive a_jh of column j,
 *            head h: P = 1 / (1 + exp(-p_gain (a - p_threshold)))
 *   B = P E  burst rate
 *   dW_uc/dt = eta sum_j (B_jc - Pbar_jh E_jc) x_ju = eta sum_j (P_jh - Pbar_jh) E_jc x_ju
 * with x_j the presynaptic (thalamic plus feedforward) input. Pbar is fixed
 * (`pbar`, 0.15 as in Payeur et al.) or, with pbar_tau > 0, a moving average
 * tau dPbar/dt = P - Pbar per column and head. Bursts above the average
 * (top-down drive paired with bottom-up input) potentiate; events without
 * bursts (bottom-up alone, P < Pbar) depress.
 */
#ifndef LAM_PLASTICITY_H
#define LAM_PLASTICITY_H

#include <math.h>
#include <stddef.h>

#include "lam_error.h"
#include "lam_param.h"
#include "lam_param.h"

enum { LAM_PLAST_BOTH, LAM_PLAST_WQ, LAM_PLAST_WK };
enum { LAM_ELIG_RATE, LAM_ELIG_COINCIDENCE };

/* [plasticity] */
typedef struct lam_plasticity_params {
  int enabled;
  double eta, pbar, pbar_tau, p_gain, p_threshold;
  int targets;
  int eligibility;  /* LAM_ELIG_* */
  lam_path teach;   /* teaching targets y (nq x T CSV); empty: none */
  double teach_gain;
} lam_plasticity_params;
extern const lam_param lam_plasticity_table[];
extern const size_t lam_plasticity_ntable;


/* Burst probability from the apical drive. */
static inline double lam_burst_prob(const lam_plasticity_params *p,
                                    double apical) {
  return 1.0 / (1.0 + exp(-p->p_gain * (apical - p->p_threshold)));
}

/* dW (din x H*d, head h in columns h*d..) for T columns: presynaptic input
 * X (T x din), event rates E (T x H*d), burst probabilities P (T x H),
 * their averages Pbar (T x H; NULL: the fixed p->pbar). work: T x H*d. */
void lam_plasticity_dw(const lam_plasticity_params *p, size_t T, size_t din,
                       size_t H, size_t d, const double *X, const double *E,
                       const double *P, const double *Pbar, double *work,
                       double *dW);

/* Burst probability under a teaching signal (docs/hierarchy.md, "Teaching
 * signal"): the feedback onto the apical tuft carries the error e = y - a
 * between the target y and the attention weight a, and moves P away from
 * Pbar: P = 1 / (1 + exp(-(logit(pbar) + p_gain teach_gain e))), so e = 0
 * gives P = pbar exactly and the sign of P - pbar is the sign of e. */
static inline double lam_burst_prob_taught(const lam_plasticity_params *p,
                                           double target, double attn) {
  const double l = log(p->pbar / (1.0 - p->pbar));
  return 1.0 / (1.0 + exp(-(l + p->p_gain * p->teach_gain * (target - attn))));
}

/* The coincidence eligibility: dW_Q and dW_K for the product gate
 * A_ihj ~ sum_c Q_ihc K_jhc, the gradient of each apical coincidence times
 * its burst signal delta_ihj = P_ihj - Pbar_jh:
 *   dW_K[u, hc] = eta sum_ij delta_ihj xk_ju Q_ihc
 *   dW_Q[u, hc] = eta sum_ij delta_ihj xq_iu K_jhc
 * xq: the queries' presynaptic input (nq x din: the cue z in topdown, x_i
 * in self); xk: the keys' (T x din); Q (nq x H*d), K (T x H*d); delta in
 * the layout of the apical state (nq x H x T). work: (nq + T) x H*d. dWQ or
 * dWK may be NULL (not plastic). A saturating gate A ~ sum_c s(Q_ihc) s(K_jhc)
 * passes s(Q), s(K) as Q, K and the slopes s'(Q) (nq x H*d) and s'(K)
 * (T x H*d) as dQ, dK, so that the update stays the gradient of the gate;
 * NULL: slope 1 (product gate). */
void lam_plasticity_dw_coincidence(const lam_plasticity_params *p, size_t nq,
                                   size_t T, size_t din, size_t H, size_t d,
                                   const double *xq, const double *xk,
                                   const double *Q, const double *K,
                                   const double *dQ, const double *dK,
                                   const double *delta, double *work,
                                   double *dWQ, double *dWK);

#endif
