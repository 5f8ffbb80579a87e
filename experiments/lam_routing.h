/* lam_routing.h: the routing task, a small retrieval problem learned by the
 * burst-dependent rule (docs/hierarchy.md, "The routing task").
 *
 * T columns in the topdown topology, one head. Column j receives
 * x_j = [k_j ; v_j], a key (nkey units) and a value (nval units), entries
 * N(0, 1) drawn afresh for every trial; the top-down cue is
 * z = [k_c + cue_noise n ; 0] for a target column c drawn uniformly.
 * Retrieval is correct when the attention weight after a trial of trial_s
 * seconds is largest on c (chance 1/T). Training runs blocks of ntrain
 * trials, each a fresh run with [plasticity] on whose final W_Q, W_K start
 * the next trial as its [weights] arrays; accuracy is measured on ntest
 * held-out trials with the weights frozen, before training and after every
 * block (the learning curve). */
#ifndef LAM_ROUTING_H
#define LAM_ROUTING_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_plasticity.h"
#include "lam_sim_params.h"

typedef struct lam_routing_task {
  size_t T, nkey, nval;          /* columns, key units, value units */
  size_t ntest, ntrain, nblocks; /* held-out trials, trials per block, blocks */
  double cue_noise;              /* SD of the cue's noise, a.u. */
  double trial_s;                /* length of a trial, s */
  unsigned long train_seed, test_seed; /* trial streams (GSL mt19937) */
} lam_routing_task;

/* T = 4, nkey = 8, nval = 4, ntest = 40, ntrain = 16, nblocks = 16,
 * cue_noise = 0.1, trial_s = 0.2, seeds 7 and 99. */
lam_routing_task lam_routing_defaults(void);

typedef struct lam_routing_rule {
  double eta;      /* plasticity.eta; 0: frozen weights */
  int eligibility; /* plasticity.eligibility: LAM_ELIG_RATE or LAM_ELIG_COINCIDENCE */
  int teach;       /* give the target as plasticity.teach (one-hot) */
} lam_routing_rule;

typedef struct lam_routing_result {
  double *acc;       /* nblocks + 1 held-out accuracies (caller's buffer) */
  double *wq0, *wk0; /* optional (caller's, d_in x nkey): starting weights */
  double *wq, *wk;   /* optional: final weights */
  int reinf[2][2];   /* [winner right][winner's weight rose]: counts, filled
                        when track_winner is set (two frozen runs per trial) */
  int track_winner;
} lam_routing_result;

/* Run the task: every trial is a copy of base (an attention network; base
 * is not changed) with the task's network, input (x and z as arrays),
 * weights, plasticity, stimulus (constant, no steps; the input noise of
 * the base is kept) and probe (off) fields set; everything else, the
 * solver too, is the base's. The weights of the first trial are the
 * base's [weights] (seeded random by default). */
int lam_routing_run(const lam_sim_params *base, const lam_routing_task *t,
                    const lam_routing_rule *r, lam_routing_result *res,
                    lam_err *err);

/* Held-out accuracy of the matched filter, the score z . x_j over the key
 * units: the closed-form read-out z^T M x_j with M the identity on the keys,
 * a ceiling for the learned bilinear score. */
double lam_routing_matched_filter(const lam_routing_task *t);

#endif
