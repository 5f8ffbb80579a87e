/* test_attn.c: the attention-weight math of analysis/lam_attn.h against
 * closed forms computed here: the entropy of uniform, one-hot and signed
 * weights, the mean over rows, closed-form softmax attention of the
 * default model's own matrices, the weights' shape, and that a model of
 * another kind is refused rather than misread. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attn.h"
#include "lam_params.h"
#include "lam_sim.h"

static lam_sim *load(const char *file, lam_model **mp) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/%s", getenv("LAM_SOURCE_ROOT"), file);
  lam_err err;
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, p, &err), 0, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), 0, "%s", err.msg);
  *mp = m;
  return sim;
}

Test(attn, entropy_of_known_distributions) {
  const double uniform[4] = {2.0, 2.0, 2.0, 2.0};
  cr_assert_float_eq(lam_attn_entropy_row(uniform, 4), log(4.0), 1e-15);
  const double onehot[3] = {0.0, 5.0, 0.0};
  cr_assert_eq(lam_attn_entropy_row(onehot, 3), 0.0);
  /* Negative entries count as 0: {-1, 1, 1} is the uniform pair. */
  const double signed3[3] = {-1.0, 1.0, 1.0};
  cr_assert_float_eq(lam_attn_entropy_row(signed3, 3), log(2.0), 1e-15);
  const double none[2] = {-1.0, 0.0};
  cr_assert_eq(lam_attn_entropy_row(none, 2), 0.0);
  /* p = (1/4, 3/4): -(1/4 ln 1/4 + 3/4 ln 3/4). */
  const double skew[2] = {1.0, 3.0};
  const double hs = -(0.25 * log(0.25) + 0.75 * log(0.75));
  cr_assert_float_eq(lam_attn_entropy_row(skew, 2), hs, 1e-15);
  /* Two queries x one head, then one query x two heads: the row mean. */
  const double w[4] = {2.0, 2.0, 1.0, 3.0};
  cr_assert_float_eq(lam_attn_entropy(w, 2, 1, 2), 0.5 * (log(2.0) + hs), 1e-15);
  cr_assert_float_eq(lam_attn_entropy(w, 1, 2, 2), 0.5 * (log(2.0) + hs), 1e-15);
}

Test(attn, reference_is_softmax_attention_of_the_models_matrices) {
  lam_model *m;
  lam_sim *sim = load("default.ini", &m);
  const lam_system *sys = lam_sim_system(sim);
  lam_attention *a = lam_attn_network(sys);
  cr_assert(a);
  const lam_dims *d = lam_attention_dims(a);
  const size_t T = d->T, H = d->H, dk = d->dk, dv = d->dv, din = lam_attention_din(a);
  const double *X = lam_attention_matrix(a, "x"), *WQ = lam_attention_matrix(a, "wq"),
               *WK = lam_attention_matrix(a, "wk"), *WV = lam_attention_matrix(a, "wv");
  double *ref = malloc(T * H * dv * sizeof *ref);
  lam_err err;
  cr_assert_eq(lam_attn_reference(sys, ref, &err), 0, "%s", err.msg);
  /* o_i = sum_j softmax_j(q_i . k_j / sqrt(d_k)) v_j per head, naively. */
  double worst = 0.0, scale = 0.0;
  for (size_t h = 0; h < H; h++) {
    for (size_t i = 0; i < T; i++) {
      double s[64], z = 0.0;
      cr_assert_leq(T, 64);
      for (size_t j = 0; j < T; j++) {
        double dot = 0.0;
        for (size_t u = 0; u < dk; u++) {
          double q = 0.0, k = 0.0;
          for (size_t r = 0; r < din; r++) {
            q += X[i * din + r] * WQ[r * H * dk + h * dk + u];
            k += X[j * din + r] * WK[r * H * dk + h * dk + u];
          }
          dot += q * k;
        }
        s[j] = exp(dot / sqrt((double)dk));
        z += s[j];
      }
      for (size_t u = 0; u < dv; u++) {
        double o = 0.0;
        for (size_t j = 0; j < T; j++) {
          double v = 0.0;
          for (size_t r = 0; r < din; r++) {
            v += X[j * din + r] * WV[r * H * dv + h * dv + u];
          }
          o += s[j] / z * v;
        }
        worst = fmax(worst, fabs(o - ref[i * H * dv + h * dv + u]));
        scale = fmax(scale, fabs(o));
      }
    }
  }
  cr_assert_gt(scale, 0.0);
  cr_assert_leq(worst, 1e-12 * scale, "closed form differs by %g (scale %g)", worst, scale);
  /* The weights at the initial state: nq x H x T, each finite. */
  size_t nq, hh, tt;
  cr_assert_eq(lam_attn_weights(sys, sys->y0, NULL, &nq, &hh, &tt, &err), 0, "%s", err.msg);
  cr_assert_eq(nq, d->nq);
  cr_assert_eq(hh, H);
  cr_assert_eq(tt, T);
  double *w = malloc(nq * hh * tt * sizeof *w);
  cr_assert_eq(lam_attn_weights(sys, sys->y0, w, &nq, &hh, &tt, &err), 0, "%s", err.msg);
  for (size_t i = 0; i < nq * hh * tt; i++) {
    cr_assert(isfinite(w[i]));
  }
  free(w);
  free(ref);
  lam_sim_free(sim);
  lam_model_free(m);
}

Test(attn, another_kind_is_refused) {
  lam_model *m;
  lam_sim *sim = load("jansen-rit.ini", &m);
  const lam_system *sys = lam_sim_system(sim);
  cr_assert_null(lam_attn_network(sys));
  size_t nq, H, T;
  double ref[1], rel = -1.0;
  lam_err err;
  cr_assert_eq(lam_attn_weights(sys, sys->y0, NULL, &nq, &H, &T, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "attention model"), "%s", err.msg);
  cr_assert_eq(lam_attn_reference(sys, ref, &err), LAM_EINVAL);
  cr_assert_eq(lam_attn_identity_error(sys, sys->y0, &rel, &err), LAM_EINVAL);
  cr_assert_eq(rel, -1.0);
  cr_assert_null(lam_attn_network(NULL));
  lam_sim_free(sim);
  lam_model_free(m);
}
