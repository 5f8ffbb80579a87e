/* test_routing.c: the routing task under burst-dependent plasticity
 * (experiments/lam_routing.c; docs/hierarchy.md, "The routing
 * task"), on the model defaults (linear F, product gate, subtractive PV,
 * beta = 1, pbar = 0.15), BDF.
 *
 * Declared criteria: learned when the held-out accuracy after the last
 * block is >= 0.8; "at chance" without plasticity when the mean frozen
 * accuracy over the weight seeds 1..8 is within 2 standard errors of 1/T.
 * References from outside the circuit: the matched filter (closed form),
 * the spread of the accuracy of random bilinear read-outs (closed-form
 * draws, below), the signs of the eigenvalues of M = W_Q W_K^T (GSL). */
#include <criterion/criterion.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <string.h>

#include "lam_routing.h"

/* The base model of every trial: defaults, BDF, weights of seed wseed. */
static lam_sim_params *base_params(int wseed) {
  lam_err err = {0};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert_not_null(p, "%s", err.msg);
  p->weights.seed = wseed;
  p->solver.method = LAM_SOLVER_BDF;
  p->solver.rtol = 1e-6;
  p->solver.atol = 1e-9;
  return p;
}

static void run(int wseed, const lam_routing_task *t, const lam_routing_rule *r,
                lam_routing_result *res) {
  lam_sim_params *p = base_params(wseed);
  lam_err err = {0};
  cr_assert_eq(lam_routing_run(p, t, r, res, &err), LAM_OK, "%s", err.msg);
  lam_sim_params_free(p);
}

/* Alignment of the key block of M = W_Q W_K^T with the identity (the
 * matched filter): cos = tr(S) / (||S||_F sqrt(nkey)) of its symmetric
 * part S, in [-1, 1]; ~0 for random weights, 1 for M ~ identity on the
 * keys. npos: how many eigenvalues of S are positive (GSL). */
static double key_block_alignment(const lam_routing_task *t, const double *wq,
                                  const double *wk, size_t *npos) {
  const size_t nk = t->nkey, dk = t->nkey;
  gsl_matrix *ms = gsl_matrix_alloc(nk, nk);
  double tr = 0.0, fro = 0.0;
  for (size_t u = 0; u < nk; u++) {
    for (size_t v = 0; v < nk; v++) {
      double muv = 0.0, mvu = 0.0;
      for (size_t c = 0; c < dk; c++) {
        muv += wq[u * dk + c] * wk[v * dk + c];
        mvu += wq[v * dk + c] * wk[u * dk + c];
      }
      const double sv = 0.5 * (muv + mvu);
      gsl_matrix_set(ms, u, v, sv);
      tr += u == v ? sv : 0.0;
      fro += sv * sv;
    }
  }
  gsl_vector *ev = gsl_vector_alloc(nk);
  gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(nk);
  gsl_eigen_symm(ms, ev, w);
  *npos = 0;
  for (size_t i = 0; i < nk; i++) {
    *npos += gsl_vector_get(ev, i) > 0.0;
  }
  gsl_eigen_symm_free(w);
  gsl_vector_free(ev);
  gsl_matrix_free(ms);
  return tr / (sqrt(fro) * sqrt((double)nk));
}

/* Without plasticity nothing is learned: eta = 0 leaves the weights, and so
 * the curve, flat, and random weights retrieve at chance. One draw of
 * random weights can sit well away from 1/T, so the chance claim is over
 * the draws: the mean frozen accuracy over the weight seeds 1..8 lies
 * within 2 standard errors of 1/T. The standard error combines the spread
 * of the accuracy across random weights (SD 0.079, from 400 closed-form
 * draws of W_Q, W_K of this task's shape, numpy, 200 trials each; mean
 * 0.249) and the binomial error of 40 trials:
 * sqrt(0.079^2 / 8 + 0.25 0.75 / 320) = 0.037. */
Test(routing, frozen_weights_stay_at_chance) {
  lam_routing_task t = lam_routing_defaults();
  t.nblocks = 2;
  double sum = 0.0;
  for (int sd = 1; sd <= 8; sd++) {
    double acc[3];
    lam_routing_result res = {.acc = acc, .track_winner = 1};
    const lam_routing_rule frozen = {0.0, LAM_ELIG_RATE, 0};
    run(sd, &t, &frozen, &res);
    cr_log_info("weights seed %d, eta 0: accuracy %.3f before and after every block", sd, acc[0]);
    cr_assert_eq(acc[1], acc[0]);
    cr_assert_eq(acc[2], acc[0]);
    cr_assert_eq(res.reinf[0][1] + res.reinf[1][1], 0, "a frozen trial changed the attention");
    sum += acc[0];
  }
  const double mean = sum / 8.0, band = 2.0 * 0.037;
  cr_log_info("mean frozen accuracy over 8 weight seeds: %.3f", mean);
  cr_assert(fabs(mean - 0.25) <= band, "mean frozen accuracy %.3f outside 0.25 +- %.3f", mean, band);
}

/* eta = 0.1, the rate eligibility (Payeur et al.'s own event rate), no
 * teaching signal. The burst probability of column j follows its apical
 * drive, the attention score q.K_j the current weights give it; nothing in
 * the circuit tells the rule which column is the target. Declared claim:
 * the rule strengthens the column that wins a trial (its attention weight
 * under frozen weights, before and after the plastic trial) in more than
 * half of the trials where that winner is wrong, as it does when it is
 * right. */
Test(routing, the_rate_rule_reinforces_the_winner_right_or_wrong) {
  lam_routing_task t = lam_routing_defaults();
  t.nblocks = 8;
  double acc[9];
  lam_routing_result res = {.acc = acc, .track_winner = 1};
  const lam_routing_rule rate = {0.1, LAM_ELIG_RATE, 0};
  run(2, &t, &rate, &res);
  for (size_t b = 0; b <= t.nblocks; b++) {
    cr_log_info("eta 0.1, rate: accuracy after block %zu: %.3f", b, acc[b]);
  }
  const int nw = res.reinf[0][0] + res.reinf[0][1], nr = res.reinf[1][0] + res.reinf[1][1];
  cr_log_info("wrong winner reinforced in %d of %d trials, right winner in %d of %d",
              res.reinf[0][1], nw, res.reinf[1][1], nr);
  cr_assert_gt(nw, 0);
  cr_assert_gt(nr, 0);
  cr_assert_gt(2 * res.reinf[0][1], nw, "wrong winners reinforced in %d of %d", res.reinf[0][1], nw);
  cr_assert_gt(2 * res.reinf[1][1], nr, "right winners reinforced in %d of %d", res.reinf[1][1], nr);
}

/* The taught coincidence rule (docs/hierarchy.md, "Teaching signal").
 * Declared: from the random starting weights of each of the seeds 1..4,
 * eta = 1, the held-out accuracy after 16 blocks is >= 0.8 (the matched
 * filter is logged beside it), and learning aligns the key block of
 * M = W_Q W_K^T with the identity: cosine > 0.5 after learning (random
 * weights: near 0). The rate rule acts on M by congruence and cannot make
 * an indefinite M positive. */
Test(routing, the_taught_coincidence_rule_learns_the_task) {
  const lam_routing_task t = lam_routing_defaults();
  cr_log_info("matched-filter accuracy on the held-out trials: %.3f",
              lam_routing_matched_filter(&t));
  for (int sd = 1; sd <= 4; sd++) {
    enum { NW = 12 * 8 };
    double acc[17], wq[NW], wk[NW], wq0[NW], wk0[NW];
    cr_assert_eq(t.nblocks, 16);
    cr_assert_eq((t.nkey + t.nval) * t.nkey, (size_t)NW);
    lam_routing_result res = {.acc = acc, .wq0 = wq0, .wk0 = wk0, .wq = wq, .wk = wk};
    const lam_routing_rule taught = {1.0, LAM_ELIG_COINCIDENCE, 1};
    run(sd, &t, &taught, &res);
    char line[512];
    int n = 0;
    for (size_t b = 0; b <= t.nblocks; b++) {
      n += snprintf(line + n, sizeof line - (size_t)n, " %.3f", acc[b]);
    }
    size_t p0 = 0, p1 = 0;
    const double c0 = key_block_alignment(&t, wq0, wk0, &p0),
                 c1 = key_block_alignment(&t, wq, wk, &p1);
    cr_log_info("weights seed %d: learning curve%s; alignment of sym(M_keys) with the identity "
                "%.3f -> %.3f, positive eigenvalues %zu -> %zu of %zu",
                sd, line, c0, c1, p0, p1, t.nkey);
    cr_assert_geq(acc[t.nblocks], 0.8, "seed %d: held-out accuracy %.3f", sd, acc[t.nblocks]);
    cr_assert_gt(c1, 0.5, "seed %d: key block alignment %.3f after learning", sd, c1);
  }
}

/* A setting the model does not know is refused with a message naming it;
 * a base the task cannot build stops the task with the model's message
 * (and leaves the result untouched); so does an impossible task. */
Test(routing, bad_settings_are_reported) {
  lam_sim_params *p = base_params(1);
  lam_err err = {0};
  cr_assert_neq(lam_sim_params_set(p, "solver.no_such_key", "1", "--set", &err), LAM_OK);
  cr_assert(strstr(err.msg, "no_such_key"), "%s", err.msg);
  /* An initial state of no model's shape. */
  const double bad[3] = {0.0, 0.0, 0.0};
  cr_assert_eq(lam_sim_params_set_array(p, "init.state", 1, 3, bad, &err), LAM_OK, "%s",
               err.msg);
  lam_routing_task t = lam_routing_defaults();
  t.nblocks = 1;
  double acc[2] = {-1.0, -1.0};
  lam_routing_result res = {.acc = acc};
  const lam_routing_rule frozen = {0.0, LAM_ELIG_RATE, 0};
  lam_err err1 = {0};
  cr_assert_neq(lam_routing_run(p, &t, &frozen, &res, &err1), LAM_OK);
  cr_assert(strstr(err1.msg, "init.state"), "%s", err1.msg);
  cr_assert_eq(acc[0], -1.0);
  t.T = 1;
  lam_err err2 = {0};
  cr_assert_neq(lam_routing_run(p, &t, &frozen, &res, &err2), LAM_OK);
  cr_assert(strstr(err2.msg, "T >= 2"), "%s", err2.msg);
  lam_sim_params_free(p);
}
