/* lam_routing.c: the routing task (see lam_routing.h). */
#include "lam_routing.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_attn.h"
#include "lam_experiment.h"
#include "lam_outfile.h"
#include "lam_sim.h"
#include "lam_params.h"

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
  const lam_model *base;
  const char *const *sets;
  const lam_routing_task *t;
  const char *dir;
  double *wq, *wk, *attn; /* current weights (din x nkey), T weights */
  int have_w;             /* wq/wk hold weights (else: the base's) */
} ctx;

/* A matrix as CSV, full precision (the next run reads it back exactly).
 * Rewritten for every trial and read back at once: no fsync (a crash loses
 * nothing the next run would not write again). */
static int write_csv(const char *path, const double *a, size_t rows,
                     size_t cols, lam_err *err) {
  lam_outfile *of = NULL;
  FILE *f = NULL;
  int rc = lam_outfile_open(path, "input file", LAM_OUTFILE_NOSYNC, &of, err);
  if (!rc && !(f = lam_outfile_stream(of, err))) {
    rc = LAM_EIO;
  }
  if (rc) {
    lam_outfile_abandon(of, 0, NULL);
    return rc;
  }
  for (size_t i = 0; i < rows; i++) {
    for (size_t j = 0; j < cols; j++) {
      fprintf(f, "%s%.17g", j ? "," : "", a[i * cols + j]);
    }
    fputc('\n', f);
  }
  if (lam_outfile_check(of, err)) {
    lam_outfile_abandon(of, 0, NULL);
    return LAM_EIO;
  }
  return lam_outfile_commit(of, NULL, NULL, err);
}

static int setf(lam_model *m, lam_err *err, const char *fmt, ...) {
  char buf[2400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return lam_model_set(m, buf, err);
}

/* One trial with rule r (NULL: frozen); *right: attention peaks on the
 * target. A plastic trial leaves its final weights in c->wq, c->wk. */
static int run_trial(ctx *c, const trial *tr, const lam_routing_rule *r,
                     int *right, lam_err *err) {
  const lam_routing_task *t = c->t;
  const size_t din = din_of(t), T = t->T, nk = t->nkey;
  char path[2200];
  int rc = LAM_OK;
  const struct { const char *name; const double *a; size_t rows, cols; } files[] = {
      {"x", tr->x, T, din}, {"z", tr->z, 1, din}, {"wq", c->wq, din, nk}, {"wk", c->wk, din, nk}};
  for (size_t f = 0; !rc && f < (c->have_w ? 4u : 2u); f++) {
    snprintf(path, sizeof path, "%s/%s.csv", c->dir, files[f].name);
    rc = write_csv(path, files[f].a, files[f].rows, files[f].cols, err);
  }
  const int plastic = r && r->eta > 0.0;
  if (!rc && plastic && r->teach) {
    double *y = calloc(T, sizeof *y);
    if (!y) {
      return LAM_NOMEM(err);
    }
    y[tr->target] = 1.0;
    snprintf(path, sizeof path, "%s/teach.csv", c->dir);
    rc = write_csv(path, y, 1, T, err);
    free(y);
  }
  lam_model *m = rc ? NULL : lam_model_clone(c->base, err);
  if (!rc && !m) {
    rc = err->code ? err->code : LAM_NOMEM(err);
  }
  const char *d = c->dir;
  /* The task's keys, in order; the first failure's status is kept. */
#define SET(...)                        \
  do {                                  \
    if (!rc) {                          \
      rc = setf(m, err, __VA_ARGS__);   \
    }                                   \
  } while (0)
  SET("network.columns=%zu", T);
  SET("network.heads=1");
  SET("network.d_in=%zu", din);
  SET("network.d_k=%zu", nk);
  SET("network.d_v=%zu", nk);
  SET("network.topology=topdown");
  SET("input.x=%s/x.csv", d);
  SET("input.z=%s/z.csv", d);
  SET("input.z_gain=1");
  SET("stimulus.protocol=constant");
  SET("stimulus.amplitude=0");
  SET("probe.enabled=false");
  SET("plasticity.enabled=%s", plastic ? "true" : "false");
  SET("plasticity.eta=%.17g", plastic ? r->eta : 0.0);
  SET("plasticity.eligibility=%s", plastic ? r->eligibility : "rate");
  if (plastic && r->teach) {
    SET("plasticity.teach=%s/teach.csv", d);
  }
  if (c->have_w) {
    SET("weights.wq=%s/wq.csv", d);
    SET("weights.wk=%s/wk.csv", d);
  }
#undef SET
  for (size_t i = 0; !rc && c->sets && c->sets[i]; i++) {
    rc = lam_model_set(m, c->sets[i], err);
  }
  lam_sim *sim = NULL;
  if (!rc) {
    rc = lam_sim_from_model(m, &sim, err);
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
  lam_model_free(m);
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

int lam_routing_run(const lam_model *base, const char *const *sets,
                    const lam_routing_task *t, const lam_routing_rule *r,
                    const char *dir, lam_routing_result *res, lam_err *err) {
  if (t->T < 2 || t->nkey < 1 || t->ntest < 1) {
    return lam_err_set(err, LAM_EINVAL,
                       "routing: needs T >= 2 columns, a key and a held-out trial");
  }
  const size_t din = din_of(t), nw = din * t->nkey;
  ctx c = {.base = base, .sets = sets, .t = t, .dir = dir};
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
  /* The trials' files go; the folder is the caller's. */
  static const char *const files[] = {"x", "z", "wq", "wk", "teach"};
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    char path[2200];
    snprintf(path, sizeof path, "%s/%s.csv", dir, files[f]);
    remove(path);
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
