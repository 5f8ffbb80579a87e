/* test_metrics.c: sweep metrics against closed forms: the attention
 * entropy of the ideal circuit equals that of closed-form softmax weights
 * (docs/model.md, "Anchor identity"), its identity error is small, the
 * band power and peak of a known sinusoid, the registry's names, and that
 * collecting only the asked metrics (lam_metrics_want) changes no value. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_exp_sets.h"
#include "lam_metrics.h"
#include "lam_params.h"
#include "lam_sim.h"

static const double PI = 3.14159265358979323846;

static lam_sim *ideal(void) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err;
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, p, &err), 0, "%s", err.msg);
  lam_sim_params *prm = NULL;
  cr_assert_eq(lam_params_from_model(m, &prm, &err), 0, "%s", err.msg);
  lam_model_free(m);
  lam_exp_ideal(prm);
  prm->solver.rtol = 1e-10;
  prm->solver.atol = 1e-12;
  lam_sim *sim;
  cr_assert_eq(lam_sim_new(prm, &sim, &err), 0, "%s", err.msg);
  lam_sim_params_free(prm); /* the simulation keeps its own copy */
  return sim;
}

Test(metrics, attention_entropy_equals_closed_form_softmax) {
  lam_sim *sim = ideal();
  lam_err err;
  lam_metrics *mc = lam_metrics_new(lam_sim_system(sim), &err);
  cr_assert(mc, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 1.0;
  o.on_sample = lam_metrics_sample;
  o.ctx = mc;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), 0, "%s", err.msg);
  double h, e;
  cr_assert_eq(lam_metrics_value(mc, "attention_entropy", lam_sim_state(sim), &h, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_metrics_value(mc, "identity_error", lam_sim_state(sim), &e, &err), 0, "%s", err.msg);

  /* Closed form: w_ij = softmax_j(q_i . k_j / sqrt(d_k)) per head from
   * X W_Q and X W_K, its Shannon entropy averaged over queries and heads. */
  lam_attention *a = lam_sim_impl(sim, "attention");
  const lam_dims *d = lam_attention_dims(a);
  size_t T = d->T, H = d->H, dk = d->dk, din = lam_attention_din(a);
  const double *X = lam_attention_matrix(a, "x"), *WQ = lam_attention_matrix(a, "wq"),
               *WK = lam_attention_matrix(a, "wk");
  double *Q = calloc(T * H * dk, sizeof *Q), *K = calloc(T * H * dk, sizeof *K);
  for (size_t t = 0; t < T; t++) {
    for (size_t c = 0; c < H * dk; c++) {
      for (size_t i = 0; i < din; i++) {
        Q[t * H * dk + c] += X[t * din + i] * WQ[i * H * dk + c];
        K[t * H * dk + c] += X[t * din + i] * WK[i * H * dk + c];
      }
    }
  }
  double total = 0.0;
  for (size_t hd = 0; hd < H; hd++) {
    for (size_t i = 0; i < T; i++) {
      double s[64], mx = -INFINITY, z = 0.0;
      for (size_t j = 0; j < T; j++) {
        s[j] = 0.0;
        for (size_t u = 0; u < dk; u++) {
          s[j] += Q[i * H * dk + hd * dk + u] * K[j * H * dk + hd * dk + u];
        }
        s[j] /= sqrt((double)dk);
        mx = fmax(mx, s[j]);
      }
      for (size_t j = 0; j < T; j++) {
        s[j] = exp(s[j] - mx);
        z += s[j];
      }
      for (size_t j = 0; j < T; j++) {
        total -= s[j] / z * log(s[j] / z);
      }
    }
  }
  double want = total / (double)(T * H);
  cr_assert_leq(fabs(h - want), 1e-4, "attention_entropy %.8g, closed form %.8g", h, want);
  cr_assert(want > 0.5 && want < log((double)T), "a non-trivial distribution: %g", want);
  cr_assert_lt(e, 1e-3, "identity_error %g", e);
  /* At the softmax fixed point each query's weights sum to 1. */
  double b;
  cr_assert_eq(lam_metrics_value(mc, "burst_rate", lam_sim_state(sim), &b, &err), 0, "%s", err.msg);
  cr_assert_leq(fabs(b - 1.0), 1e-4, "burst_rate %.8g, softmax rows sum to 1", b);
  /* Spectral metrics of an ideal (clock-free, constant-input) run exist
   * but a metric the model lacks is NaN, not an error. */
  double v;
  cr_assert_eq(lam_metrics_value(mc, "gamma_power_l6", lam_sim_state(sim), &v, &err), 0);
  cr_assert(isnan(v));
  cr_assert_eq(lam_metrics_value(mc, "mean_nonexistent", lam_sim_state(sim), &v, &err), LAM_ENOTFOUND);
  cr_assert(strstr(err.msg, "mean_nonexistent"));
  free(Q);
  free(K);
  lam_metrics_free(mc);
  lam_sim_free(sim);
}

Test(metrics, band_power_and_peak_of_a_sinusoid) {
  /* x = 1 + A sin(2 pi 40 t) + B sin(2 pi 12 t) for 4 s at 1 kHz in two
   * columns: gamma power A^2/2, alpha/beta power B^2/2, peaks 40 and 12 Hz
   * (bins every 1 Hz with 1 s segments), coherence 1 between identical
   * columns. Hann leakage beyond the band edges is < 1e-3 of the power. */
  const double fs = 1000.0, A = 0.3, B = 0.5;
  const size_t n = 4000;
  double *x = malloc(2 * n * sizeof *x);
  for (size_t i = 0; i < n; i++) {
    double t = (double)i / fs;
    x[i] = x[n + i] = 1.0 + A * sin(2 * PI * 40.0 * t) + B * sin(2 * PI * 12.0 * t);
  }
  lam_err err;
  lam_welch *w = lam_welch_new(1000, fs, &err);
  lam_layer_bands b;
  cr_assert_eq(lam_metrics_bands(w, x, 2, n, 1, n, &b, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_metrics_coherence(w, x, 2, n, &b, &err), 0, "%s", err.msg);
  cr_assert_leq(fabs(b.pg - A * A / 2) / (A * A / 2), 1e-3, "gamma power %g", b.pg);
  cr_assert_leq(fabs(b.pab - B * B / 2) / (B * B / 2), 1e-3, "alpha power %g", b.pab);
  cr_assert_leq(fabs(b.fg - 40.0), 1e-6, "gamma peak %g", b.fg);
  cr_assert_leq(fabs(b.fab - 12.0), 1e-6, "alpha peak %g", b.fab);
  cr_assert_leq(fabs(b.cg - 1.0), 1e-9);
  cr_assert_leq(fabs(b.cab - 1.0), 1e-9);
  lam_welch_free(w);
  free(x);
}

Test(metrics, registry_names_are_snake_case_with_units) {
  cr_assert_gt(lam_metric_ntable, 10);
  for (size_t i = 0; i < lam_metric_ntable; i++) {
    const lam_metric_info *mi = &lam_metric_table[i];
    cr_assert(mi->unit && mi->unit[0] && mi->doc && mi->doc[0], "%s", mi->name);
    for (const char *c = mi->name; *c; c++) {
      cr_assert((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                    *c == '<' || *c == '>',
                "%s is not snake case", mi->name);
    }
  }
}

/* Narrowing (lam_metrics_want) must not change a value: the default model
 * (noise, clocks, 1 s) feeds one collector of everything and, for each
 * metric, a collector that asked for that metric alone; the values must be
 * bit-identical, mean_l23 must equal the time mean of the L2/3 population
 * taken here directly from the state, and a metric not asked for is an
 * error instead of a silent NaN. */
#define NNARROW 12
static const char *const narrow_names[NNARROW] = {
    "attention_entropy", "mean_l23",          "mean_attn",         "mean_l5",
    "gamma_power_l23",   "alpha_power_l5",    "gamma_peak_hz_l23", "gamma_coherence_l23",
    "alpha_coherence_l5", "segregation_index", "pac_mi",           "segregation_alpha_ratio"};

typedef struct feed {
  lam_metrics *all, *one[NNARROW];
  const lam_system *sys;
  long l23;
  double sum, *obs;
  size_t n;
} feed;

static int feed_sample(void *ctx, double t, const double *y) {
  feed *f = ctx;
  int rc = lam_metrics_sample(f->all, t, y);
  for (size_t i = 0; !rc && i < NNARROW; i++) {
    rc = lam_metrics_sample(f->one[i], t, y);
  }
  const lam_pop_info *pi = &f->sys->pops[f->l23];
  size_t k = pi->ncols * pi->nunits;
  f->sys->ops->observe(f->sys->self, (size_t)f->l23, t, y, f->obs);
  double s = 0.0;
  for (size_t i = 0; i < k; i++) {
    s += f->obs[i];
  }
  f->sum += s / (double)k;
  f->n++;
  return rc;
}

Test(metrics, asking_for_fewer_metrics_gives_the_same_values) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err;
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, p, &err), 0, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), 0, "%s", err.msg);
  feed f = {0};
  f.sys = lam_sim_system(sim);
  f.l23 = -1;
  for (size_t q = 0; q < f.sys->npops; q++) {
    if (!strcmp(f.sys->pops[q].name, "l23")) {
      f.l23 = (long)q;
    }
  }
  cr_assert_geq(f.l23, 0);
  f.obs = malloc(f.sys->pops[f.l23].ncols * f.sys->pops[f.l23].nunits * sizeof *f.obs);
  f.all = lam_metrics_new(lam_sim_system(sim), &err);
  cr_assert(f.all, "%s", err.msg);
  for (size_t i = 0; i < NNARROW; i++) {
    f.one[i] = lam_metrics_new(lam_sim_system(sim), &err);
    cr_assert(f.one[i], "%s", err.msg);
    cr_assert_eq(lam_metrics_want(f.one[i], narrow_names[i], &err), 0, "%s", err.msg);
  }
  cr_assert_eq(lam_metrics_want(f.one[0], "no_such_metric", &err), LAM_ENOTFOUND);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 1.0;
  o.on_sample = feed_sample;
  o.ctx = &f;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), 0, "%s", err.msg);
  for (size_t i = 0; i < NNARROW; i++) {
    double a, b;
    cr_assert_eq(lam_metrics_value(f.all, narrow_names[i], lam_sim_state(sim), &a, &err), 0, "%s", err.msg);
    cr_assert_eq(lam_metrics_value(f.one[i], narrow_names[i], lam_sim_state(sim), &b, &err), 0, "%s", err.msg);
    cr_assert(isfinite(a), "%s = %g", narrow_names[i], a);
    cr_assert(memcmp(&a, &b, sizeof a) == 0, "%s: %.17g collected alone, %.17g with all",
              narrow_names[i], b, a);
  }
  double v;
  cr_assert_eq(lam_metrics_value(f.one[1], "mean_l23", lam_sim_state(sim), &v, &err), 0, "%s", err.msg);
  cr_assert_leq(fabs(v - f.sum / (double)f.n), 1e-12 * fabs(v), "mean_l23 %.17g, direct %.17g",
                v, f.sum / (double)f.n);
  /* gamma_power_l23 was not asked of the mean_l23 collector. */
  cr_assert_eq(lam_metrics_value(f.one[1], "gamma_power_l23", lam_sim_state(sim), &v, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "gamma_power_l23"), "%s", err.msg);
  /* Too late once samples are in. */
  cr_assert_eq(lam_metrics_want(f.one[1], "pac_mi", &err), LAM_EINVAL);
  lam_metrics_free(f.all);
  for (size_t i = 0; i < NNARROW; i++) {
    lam_metrics_free(f.one[i]);
  }
  free(f.obs);
  lam_sim_free(sim);
  lam_model_free(m);
}
