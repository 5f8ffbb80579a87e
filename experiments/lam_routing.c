/* lam_routing.c: the routing task (see lam_routing.h). */
#include "lam_routing.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_attn.h"
#include "lam_experiment.h"
#include "lam_sim.h"

lam_routing_task lam_routing_defaults(void) {
  return (lam_routing_task){.T = 4, .nkey = 8, .nval = 4, .ntest = 40,
                            .ntrain = 16, .nblocks = 16, .cue_noise = 0.1,
                            .trial_s = 0.2, .train_seed = 7, .test_seed = 99};
}

typedef struct trial {
  double *x, *z; /* T x din, din */
  size_t target;
} trial;

static size_t din_of(const lam_routing_task *t) { return t->nkey + t->nval; }

static void draw(const lam_routing_task *t, gsl_rng *rng, trial *tr) {
  const size_t din = din_of(t);
  for (size_t i = 0; i < t->T * din; i++) {
    tr->x[i] = gsl_ran_gaussian(rng, 1.0);
  }
  tr->target = (size_t)gsl_rng_uniform_int(rng, t->T);
  for (size_t u = 0; u < din; u++) {
    tr->z[u] = u < t->nkey ? tr->x[tr->target * din + u] +
                                 gsl_ran_gaussian(rng, t->cue_noise)
                           : 0.0;
  }
}

static int trial_alloc(const lam_routing_task *t, trial *tr) {
  tr->x = malloc(t->T * din_of(t) * sizeof *tr->x);
  tr->z = malloc(din_of(t) * sizeof *tr->z);
  return tr->x && tr->z ? 0 : -1;
}

static void trial_free(trial *tr) {
  free(tr->x);
  free(tr->z);
}

/* The state of one run of the task. */
typedef struct ctx {
  const lam_sim_params *base;
  const lam_routing_task *t;
  double *wq, *wk, *attn; /* current weights (din x nkey), T weights */
  int have_w;             /* wq/wk hold weights (else: the base's) */
} ctx;

/* One trial with rule r (NULL: frozen); *right: attention peaks on the
 * target. A plastic trial leaves its final weights in c->wq, c->wk. */
static int run_trial(ctx *c, const trial *tr, const lam_routing_rule *r,
                     int *right, lam_err *err) {
  const lam_routing_task *t = c->t;
  const size_t din = din_of(t), T = t->T, nk = t->nkey;
  const int plastic = r && r->eta > 0.0;
  lam_sim_params *p = lam_sim_params_copy(c->base, err);
  if (!p) {
    return err && err->code ? err->code : LAM_ENOMEM;
  }
  p->network.columns = (long)T;
  p->network.heads = 1;
  p->network.d_in = (long)din;
  p->network.d_k = (long)nk;
  p->network.d_v = (long)nk;
  p->network.topology = LAM_TOPO_TOPDOWN;
  p->input.z_gain = 1.0;
  p->stimulus.protocol = LAM_STIM_CONSTANT;
  p->stimulus.amplitude = 0.0;
  p->probe.enabled = 0;
  p->plasticity.enabled = plastic;
  p->plasticity.eta = plastic ? r->eta : 0.0;
  p->plasticity.eligibility = plastic ? r->eligibility : LAM_ELIG_RATE;
  int rc = lam_sim_params_set_array(p, "input.x", T, din, tr->x, err);
  if (!rc) {
    rc = lam_sim_params_set_array(p, "input.z", 1, din, tr->z, err);
  }
  if (!rc && plastic && r->teach) {
    double *y = calloc(T, sizeof *y);
    if (!y) {
      rc = LAM_NOMEM(err);
    } else {
      y[tr->target] = 1.0;
      rc = lam_sim_params_set_array(p, "plasticity.teach", 1, T, y, err);
      free(y);
    }
  }
  if (!rc && c->have_w) {
    rc = lam_sim_params_set_array(p, "weights.wq", din, nk, c->wq, err);
  }
  if (!rc && c->have_w) {
    rc = lam_sim_params_set_array(p, "weights.wk", din, nk, c->wk, err);
  }
  lam_sim *sim = NULL;
  if (!rc) {
    rc = lam_sim_new(p, &sim, err);
  }
  if (!rc) {
    lam_run_opts o = lam_run_defaults(sim);
    o.t_end = t->trial_s;
    o.dt_record = t->trial_s;
    rc = lam_sim_run(sim, &o, NULL, err);
  }
  size_t nq = 0, H = 0, TT = 0;
  if (!rc) {
    rc = lam_attn_weights(lam_sim_system(sim), lam_sim_state(sim), c->attn, &nq, &H, &TT,
                          err);
  }
  if (!rc) {
    size_t best = 0;
    for (size_t j = 1; j < T; j++) {
      best = c->attn[j] > c->attn[best] ? j : best;
    }
    *right = best == tr->target;
    lam_attention *a = lam_sim_impl(sim, "attention");
    const double *y = lam_sim_state(sim);
    if (plastic) {
      memcpy(c->wq, y + lam_attention_offset(a, "wq"), din * nk * sizeof *c->wq);
      memcpy(c->wk, y + lam_attention_offset(a, "wk"), din * nk * sizeof *c->wk);
    } else if (!c->have_w) {
      memcpy(c->wq, lam_attention_matrix(a, "wq"), din * nk * sizeof *c->wq);
      memcpy(c->wk, lam_attention_matrix(a, "wk"), din * nk * sizeof *c->wk);
    }
    c->have_w = 1;
  }
  lam_sim_free(sim);
  lam_sim_params_free(p);
  return rc;
}

static int accuracy(ctx *c, const trial *test, double *acc, lam_err *err) {
  int n = 0;
  for (size_t i = 0; i < c->t->ntest; i++) {
    int right = 0;
    int rc = run_trial(c, &test[i], NULL, &right, err);
    if (rc) {
      return rc;
    }
    n += right;
  }
  *acc = (double)n / (double)c->t->ntest;
  return LAM_OK;
}

int lam_routing_run(const lam_sim_params *base, const lam_routing_task *t,
                    const lam_routing_rule *r, lam_routing_result *res,
                    lam_err *err) {
  if (t->T < 2 || t->nkey < 1 || t->ntest < 1) {
    return lam_err_set(err, LAM_EINVAL,
                       "routing: needs T >= 2 columns, a key and a held-out trial");
  }
  const size_t din = din_of(t), nw = din * t->nkey;
  ctx c = {.base = base, .t = t};
  c.wq = malloc(nw * sizeof *c.wq);
  c.wk = malloc(nw * sizeof *c.wk);
  c.attn = malloc(t->T * sizeof *c.attn);
  double *a0 = malloc(t->T * sizeof *a0);
  trial *test = calloc(t->ntest, sizeof *test);
  trial tr = {0};
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = c.wq && c.wk && c.attn && a0 && test && rng && !trial_alloc(t, &tr)
               ? LAM_OK
               : LAM_NOMEM(err);
  for (size_t i = 0; !rc && i < t->ntest; i++) {
    rc = trial_alloc(t, &test[i]) ? LAM_NOMEM(err) : LAM_OK;
  }
  memset(res->reinf, 0, sizeof res->reinf);
  if (!rc) {
    gsl_rng_set(rng, t->test_seed);
    for (size_t i = 0; i < t->ntest; i++) {
      draw(t, rng, &test[i]);
    }
    gsl_rng_set(rng, t->train_seed);
    rc = accuracy(&c, test, &res->acc[0], err); /* the base's weights */
  }
  if (!rc && res->wq0) {
    memcpy(res->wq0, c.wq, nw * sizeof *c.wq);
    memcpy(res->wk0, c.wk, nw * sizeof *c.wk);
  }
  for (size_t b = 1; !rc && b <= t->nblocks; b++) {
    for (size_t i = 0; !rc && i < t->ntrain; i++) {
      draw(t, rng, &tr);
      int right = 0, dummy = 0;
      if (res->track_winner) {
        rc = run_trial(&c, &tr, NULL, &right, err);
        memcpy(a0, c.attn, t->T * sizeof *a0);
      }
      if (!rc) {
        rc = run_trial(&c, &tr, r, &dummy, err);
      }
      if (!rc && res->track_winner) {
        rc = run_trial(&c, &tr, NULL, &dummy, err);
        size_t w = 0;
        for (size_t j = 1; j < t->T; j++) {
          w = a0[j] > a0[w] ? j : w;
        }
        res->reinf[right][c.attn[w] > a0[w]]++;
      }
    }
    if (!rc) {
      rc = accuracy(&c, test, &res->acc[b], err);
    }
  }
  if (!rc && res->wq) {
    memcpy(res->wq, c.wq, nw * sizeof *c.wq);
    memcpy(res->wk, c.wk, nw * sizeof *c.wk);
  }
  for (size_t i = 0; test && i < t->ntest; i++) {
    trial_free(&test[i]);
  }
  trial_free(&tr);
  free(test);
  free(a0);
  free(c.wq);
  free(c.wk);
  free(c.attn);
  gsl_rng_free(rng);
  return rc;
}

double lam_routing_matched_filter(const lam_routing_task *t) {
  const size_t din = din_of(t);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  trial tr = {0};
  if (!rng || trial_alloc(t, &tr)) {
    gsl_rng_free(rng);
    trial_free(&tr);
    return NAN;
  }
  gsl_rng_set(rng, t->test_seed);
  size_t n = 0;
  for (size_t i = 0; i < t->ntest; i++) {
    draw(t, rng, &tr);
    size_t best = 0;
    double sbest = -INFINITY;
    for (size_t j = 0; j < t->T; j++) {
      double s = 0.0;
      for (size_t u = 0; u < t->nkey; u++) {
        s += tr.z[u] * tr.x[j * din + u];
      }
      if (s > sbest) {
        sbest = s;
        best = j;
      }
    }
    n += best == tr.target;
  }
  trial_free(&tr);
  gsl_rng_free(rng);
  return (double)n / (double)t->ntest;
}
