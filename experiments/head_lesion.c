/* head_lesion.c: P10, heads with their own Q/K tuning route different features;
 * silencing one head degrades only its own feature's routing
 * (docs/experiments/README.md). The base model's network (random, scattered
 * W_Q, W_K per head) runs intact, then once per head with that head's W_Q and
 * W_K columns zeroed (given as arrays; written to DIR/NAME/inputs/ as CSV
 * files too): its apical gate sees no match and its attention falls back to
 * uniform. The routed output of each head (its d_v block of O) is compared
 * with the intact run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_exp_util.h"
#include "lam_experiment.h"

enum { HMAX = 8 };

typedef struct net {
  size_t nq, H, dk, dv, din;
  double *O; /* nq x H*dv */
} net;

/* The lesioned weights (din x cols each), or NULL for the intact run. */
typedef struct lesion {
  size_t din, kc, vc;
  const double *wq, *wk, *wv;
} lesion;

static int run_net(lam_exp *x, unsigned long seed, const lesion *l, net *n,
                   double **wq, double **wk, double **wv, lam_err *err) {
  lam_sim_params *p = NULL;
  lam_sim *sim = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc && l) {
    rc = lam_sim_params_set_array(p, "weights.wq", l->din, l->kc, l->wq, err);
  }
  if (!rc && l) {
    rc = lam_sim_params_set_array(p, "weights.wk", l->din, l->kc, l->wk, err);
  }
  if (!rc && l) {
    rc = lam_sim_params_set_array(p, "weights.wv", l->din, l->vc, l->wv, err);
  }
  if (!rc) {
    rc = lam_exp_simulate(x, p, lam_exp_quick(x) ? 0.5 : 1.0, &sim, err);
  }
  lam_attention *a = rc ? NULL : lam_sim_impl(sim, "attention");
  if (!rc && !a) {
    rc = lam_err_set(err, LAM_EINVAL, "head-lesion needs column.kind = attention");
  }
  if (!rc) {
    const lam_dims *d = lam_attention_dims(a);
    n->nq = d->nq, n->H = d->H, n->dk = d->dk, n->dv = d->dv;
    n->din = lam_attention_din(a);
    const size_t no = d->nq * d->H * d->dv;
    n->O = malloc(no * sizeof *n->O);
    rc = n->O ? LAM_OK : LAM_NOMEM(err);
    if (!rc) {
      memcpy(n->O, lam_sim_state(sim) + lam_attention_offset(a, "out"), no * sizeof *n->O);
    }
    /* The intact run hands out its weights for the lesions. */
    const char *names[3] = {"wq", "wk", "wv"};
    double **w[3] = {wq, wk, wv};
    const size_t cols[3] = {d->H * d->dk, d->H * d->dk, d->H * d->dv};
    for (size_t k = 0; !rc && wq && k < 3; k++) {
      const size_t nw = n->din * cols[k];
      *w[k] = malloc(nw * sizeof **w[k]);
      rc = *w[k] ? LAM_OK : LAM_NOMEM(err);
      if (!rc) {
        memcpy(*w[k], lam_attention_matrix(a, names[k]), nw * sizeof **w[k]);
      }
    }
  }
  lam_sim_free(sim);
  lam_sim_params_free(p);
  return rc;
}

/* Relative change of head g's output block between two runs. */
static double head_error(const net *a, const net *b, size_t g) {
  double num = 0.0, den = 0.0;
  const size_t w = a->H * a->dv;
  for (size_t q = 0; q < a->nq; q++) {
    for (size_t u = g * a->dv; u < (g + 1) * a->dv; u++) {
      const double d = b->O[q * w + u] - a->O[q * w + u];
      num += d * d;
      den += a->O[q * w + u] * a->O[q * w + u];
    }
  }
  return den > 0.0 ? sqrt(num / den) : 0.0;
}

static int run_seed(lam_exp *x, unsigned long seed, double *effect,
                    lam_err *err) {
  net intact = {0}, les = {0};
  double *wq = NULL, *wk = NULL, *wv = NULL, *lq = NULL, *lk = NULL;
  int rc = run_net(x, seed, NULL, &intact, &wq, &wk, &wv, err);
  const size_t H = intact.H, din = intact.din, kc = H * intact.dk;
  if (!rc && (H < 2 || H > HMAX)) {
    rc = lam_err_set(err, LAM_EINVAL, "head-lesion needs 2..%d heads (network.heads = %zu)",
                     HMAX, H);
  }
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/inputs", lam_exp_dir(x));
  if (!rc) {
    rc = lam_exp_mkdirs(dir, err);
  }
  if (!rc) {
    lq = malloc(din * kc * sizeof *lq);
    lk = malloc(din * kc * sizeof *lk);
    rc = lq && lk ? LAM_OK : LAM_NOMEM(err);
  }
  double sum = 0.0;
  for (size_t h = 0; !rc && h < H; h++) {
    memcpy(lq, wq, din * kc * sizeof *lq);
    memcpy(lk, wk, din * kc * sizeof *lk);
    for (size_t r = 0; r < din; r++) {
      for (size_t c = h * intact.dk; c < (h + 1) * intact.dk; c++) {
        lq[r * kc + c] = 0.0;
        lk[r * kc + c] = 0.0;
      }
    }
    /* The files repeat the run by hand (`laminar run --set weights.wq=...`);
     * the run takes the same numbers as arrays. */
    char p[1200];
    const char *tag[3] = {"wq", "wk", "wv"};
    const double *mat[3] = {lq, lk, wv};
    const size_t cols[3] = {kc, kc, H * intact.dv};
    for (size_t k = 0; !rc && k < 3; k++) {
      snprintf(p, sizeof p, "%s/%s_lesion_head%zu_seed%lu.csv", dir, tag[k], h, seed);
      rc = lam_exp_write_csv(p, mat[k], din, cols[k], err);
    }
    const lesion l = {din, kc, H * intact.dv, lq, lk, wv};
    if (!rc) {
      rc = run_net(x, seed, &l, &les, NULL, NULL, NULL, err);
    }
    double own = 0.0, other = 0.0;
    char cond[32];
    snprintf(cond, sizeof cond, "lesion_head%zu", h);
    for (size_t g = 0; !rc && g < H; g++) {
      const double e = head_error(&intact, &les, g);
      char metric[32];
      snprintf(metric, sizeof metric, "error_head%zu", g);
      rc = lam_exp_metric(x, cond, metric, e, "1", err);
      if (g == h) {
        own = e;
      } else {
        other = fmax(other, e);
      }
    }
    free(les.O);
    les.O = NULL;
    sum += log10(fmax(own, 1e-300) / fmax(other, 1e-300));
  }
  *effect = H ? sum / (double)H : NAN;
  free(intact.O);
  free(wq), free(wk), free(wv), free(lq), free(lk);
  return rc;
}

/* Routing error of every head's output (rows) for each lesion (columns). */
static int figures(lam_exp *x, lam_err *err) {
  double hv[HMAX], z[HMAX * HMAX];
  size_t H = 0;
  for (; H < HMAX; H++) {
    char cond[32];
    double v;
    snprintf(cond, sizeof cond, "lesion_head%zu", H);
    if (lam_exp_mean(x, cond, "error_head0", &v, NULL, NULL)) {
      break;
    }
    hv[H] = (double)H;
  }
  for (size_t h = 0; h < H; h++) {
    for (size_t g = 0; g < H; g++) {
      char cond[32], metric[32];
      snprintf(cond, sizeof cond, "lesion_head%zu", h);
      snprintf(metric, sizeof metric, "error_head%zu", g);
      double v = NAN;
      int rc = lam_exp_mean(x, cond, metric, &v, NULL, err);
      if (rc) {
        return rc;
      }
      z[h * H + g] = log10(fmax(v, 1e-16));
    }
  }
  const lam_exp_fig fig = {.file = "routing_error.png",
                           .title = "head-lesion: routing error of each head's output",
                           .xlabel = "lesioned head (W_Q, W_K zeroed)",
                           .ylabel = "head whose output is compared", .x = hv, .n = H};
  return lam_exp_figure_heatmap(x, &fig, hv, H, z, "log10 relative error", err);
}

const lam_experiment lam_exp_head_lesion = {
    .name = "head-lesion",
    .id = "P10",
    .category = "effective connectivity / multi-head",
    .prediction = "Heads with their own Q/K tuning route different features; silencing one "
                  "head degrades only its own feature's routing",
    .protocol = "The base model's network (self topology, random W_Q, W_K, W_V per head; the "
                "heads of a column share its SOM cell, driven by the mean Q and K of every "
                "head and dividing every head's apical drive, so a lesion can spill over) runs "
                "1 s intact, then once per head with that head's W_Q and W_K columns zeroed "
                "(weights from CSV files); same seed, noise and clock phases",
    .manipulation = "lesion of head h: W_Q and W_K columns h d_k .. (h+1) d_k - 1 set to 0",
    .metric = "Routing error of head g: ||O_g(lesion) - O_g(intact)|| / ||O_g(intact)|| over "
              "the final L5 output block of head g",
    .effect = "mean over lesions h of log10(error of head h / largest error of another head)",
    .citation = "prediction P10 (docs/experiments/README.md); Vaswani et al. 2017 (multi-head "
                "attention)",
    .criterion = {+1, 1.0, "the lesioned head's error is more than 10 times any other head's"},
    .evidence = LAM_EVIDENCE_EMERGENT,
    .run_seed = run_seed,
    .figures = figures,
};
