/* test_metrics.c: sweep metrics against closed forms: the attention
 * entropy of the ideal circuit equals that of closed-form softmax weights
 * (DESIGN.md section 2, anchor identity), its identity error is small, the
 * band power and peak of a known sinusoid, and the registry's names. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_exp_sets.h"
#include "lam_metrics.h"

static const double PI = 3.14159265358979323846;

static lam_sim *ideal(lam_model **mp) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err;
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, p, &err), 0, "%s", err.msg);
  for (const char *const *s = LAM_EXP_IDEAL; *s; s++) {
    cr_assert_eq(lam_model_set(m, *s, &err), 0, "%s", err.msg);
  }
  cr_assert_eq(lam_model_set(m, "solver.rtol=1e-10", &err), 0);
  cr_assert_eq(lam_model_set(m, "solver.atol=1e-12", &err), 0);
  lam_sim *sim;
  cr_assert_eq(lam_sim_new(m, &sim, &err), 0, "%s", err.msg);
  *mp = m;
  return sim;
}

Test(metrics, attention_entropy_equals_closed_form_softmax) {
  lam_model *m;
  lam_sim *sim = ideal(&m);
  lam_err err;
  lam_metrics *mc = lam_metrics_new(sim, &err);
  cr_assert(mc, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 1.0;
  o.on_sample = lam_metrics_sample;
  o.ctx = mc;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), 0, "%s", err.msg);
  double h, e;
  cr_assert_eq(lam_metrics_value(mc, "attention_entropy", &h, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_metrics_value(mc, "identity_error", &e, &err), 0, "%s", err.msg);

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
  cr_assert_eq(lam_metrics_value(mc, "burst_rate", &b, &err), 0, "%s", err.msg);
  cr_assert_leq(fabs(b - 1.0), 1e-4, "burst_rate %.8g, softmax rows sum to 1", b);
  /* Spectral metrics of an ideal (clock-free, constant-input) run exist
   * but a metric the model lacks is NaN, not an error. */
  double v;
  cr_assert_eq(lam_metrics_value(mc, "gamma_power_l6", &v, &err), 0);
  cr_assert(isnan(v));
  cr_assert_eq(lam_metrics_value(mc, "mean_nonexistent", &v, &err), LAM_ENOTFOUND);
  cr_assert(strstr(err.msg, "mean_nonexistent"));
  free(Q);
  free(K);
  lam_metrics_free(mc);
  lam_sim_free(sim);
  lam_model_free(m);
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
