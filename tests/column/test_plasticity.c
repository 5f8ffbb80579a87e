/* test_plasticity.c: burst-dependent plasticity (column/lam_plasticity.c)
 * against the closed form of Payeur et al. 2021's rate rule,
 * dW_uc/dt = eta sum_j (P_jh - Pbar) E_jc x_ju, and in the network: top-down
 * input paired with bottom-up input (bursts, P > Pbar) potentiates, bottom-up
 * alone (P < Pbar) depresses, eta = 0 leaves the weights bit-identical. */
#include <criterion/criterion.h>

#include "../circuits/lam_test_util.h"
#include "lam_attention.h"
#include "lam_plasticity.h"
#include "lam_sim.h"
#include "lam_params.h"

Test(plasticity, dw_is_the_closed_form_for_fixed_rates) {
  const size_t T = 5, din = 3, H = 2, d = 4, n = H * d;
  lam_plasticity_params p = {.enabled = 1, .eta = 0.3, .pbar = 0.15};
  double X[15], E[40], P[10], Pbar[10], work[40], dW[24], dW2[24];
  uint64_t seed = 7;
  for (size_t i = 0; i < T * din; i++) {
    X[i] = tu_uniform(&seed);
  }
  for (size_t i = 0; i < T * n; i++) {
    E[i] = 2.0 * tu_uniform(&seed);
  }
  /* Bursting (P = 0.9 > Pbar) everywhere: every weight grows by exactly
   * eta (0.9 - 0.15) sum_j E_jc x_ju. */
  for (size_t i = 0; i < T * H; i++) {
    P[i] = 0.9;
    Pbar[i] = 0.15;
  }
  lam_plasticity_dw(&p, T, din, H, d, X, E, P, NULL, work, dW);
  lam_plasticity_dw(&p, T, din, H, d, X, E, P, Pbar, work, dW2);
  for (size_t u = 0; u < din; u++) {
    for (size_t c = 0; c < n; c++) {
      double want = 0.0;
      for (size_t j = 0; j < T; j++) {
        want += 0.3 * (0.9 - 0.15) * E[j * n + c] * X[j * din + u];
      }
      cr_assert_gt(dW[u * n + c], 0.0);
      cr_assert_float_eq(dW[u * n + c], want, 1e-12 * want);
      cr_assert_float_eq(dW2[u * n + c], want, 1e-12 * want);
    }
  }
  /* Events without bursts (P = 0.05 < Pbar): depression of the closed size. */
  for (size_t i = 0; i < T * H; i++) {
    P[i] = 0.05;
  }
  lam_plasticity_dw(&p, T, din, H, d, X, E, P, NULL, work, dW);
  for (size_t u = 0; u < din; u++) {
    for (size_t c = 0; c < n; c++) {
      double want = 0.0;
      for (size_t j = 0; j < T; j++) {
        want += 0.3 * (0.05 - 0.15) * E[j * n + c] * X[j * din + u];
      }
      cr_assert_lt(dW[u * n + c], 0.0);
      cr_assert_float_eq(dW[u * n + c], want, 1e-12 * fabs(want));
    }
  }
}

/* A network with non-negative inputs and weights (relu F), so that every
 * event rate E and presynaptic rate x is positive: the sign of dW is the
 * sign of P - Pbar. */
static lam_sim *network(const char *dir, double z, double eta, double t_end) {
  char text[2048], path[128];
  double X[12], W[12], zz[4];
  for (size_t i = 0; i < 12; i++) {
    X[i] = 0.5 + 0.1 * (double)(i % 5);
    W[i] = 0.3 + 0.05 * (double)(i % 4);
  }
  for (size_t i = 0; i < 4; i++) {
    zz[i] = z;
  }
  snprintf(path, sizeof path, "%s/x.csv", dir);
  tu_write_csv(path, X, 3, 4);
  snprintf(path, sizeof path, "%s/w.csv", dir);
  tu_write_csv(path, W, 4, 3);
  snprintf(path, sizeof path, "%s/z.csv", dir);
  tu_write_csv(path, zz, 1, 4);
  snprintf(text, sizeof text,
           "[network]\ncolumns = 3\nheads = 1\nd_in = 4\nd_k = 3\nd_v = 3\n"
           "topology = topdown\nc_td = 0.2\n"
           "[column]\ntransfer = relu\n"
           "[input]\nx = %s/x.csv\nz = %s/z.csv\n"
           "[weights]\nwq = %s/w.csv\nwk = %s/w.csv\nwv = %s/w.csv\n"
           "[plasticity]\nenabled = true\neta = %g\n"
           "[solver]\nmethod = bdf\nrtol = 1e-9\natol = 1e-12\n",
           dir, dir, dir, dir, dir, eta);
  lam_model *m = lam_model_new();
  lam_err err = {0};
  cr_assert_eq(lam_model_load_text(m, text, "p.ini", ".", &err), LAM_OK, "%s", err.msg);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m); /* the simulation keeps its own parameters */
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = t_end;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  return sim;
}

static void done(lam_sim *sim) {
  lam_sim_free(sim);
}

/* Change of W_Q and W_K over the run; returns the min and max entries. */
static void weight_change(lam_sim *sim, double *lo, double *hi) {
  lam_attention *a = lam_sim_impl(sim, "attention");
  const double *y = lam_sim_state(sim);
  const double *W0[2] = {lam_attention_matrix(a, "wq"), lam_attention_matrix(a, "wk")};
  const long off[2] = {lam_attention_offset(a, "wq"), lam_attention_offset(a, "wk")};
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t w = 0; w < 2; w++) {
    cr_assert_geq(off[w], 0);
    for (size_t i = 0; i < 12; i++) {
      const double dw = y[off[w] + i] - W0[w][i];
      *lo = fmin(*lo, dw);
      *hi = fmax(*hi, dw);
    }
  }
}

Test(plasticity, top_down_pairing_potentiates_bottom_up_alone_depresses) {
  const char *dir = tu_tmpdir();
  double lo, hi;
  lam_sim *paired = network(dir, 1.0, 0.01, 0.3);
  weight_change(paired, &lo, &hi);
  cr_log_info("paired: weight changes in [%g, %g]", lo, hi);
  cr_assert_gt(lo, 0.0, "paired: weakest change %g", lo);
  done(paired);
  lam_sim *alone = network(dir, 0.0, 0.01, 0.3);
  weight_change(alone, &lo, &hi);
  cr_log_info("bottom-up alone: weight changes in [%g, %g]", lo, hi);
  cr_assert_lt(hi, 0.0, "bottom-up alone: largest change %g", hi);
  done(alone);
  lam_sim *frozen = network(dir, 1.0, 0.0, 0.3);
  lam_attention *a = lam_sim_impl(frozen, "attention");
  const double *y = lam_sim_state(frozen);
  cr_assert_eq(memcmp(y + lam_attention_offset(a, "wq"),
                      lam_attention_matrix(a, "wq"), 12 * sizeof(double)), 0);
  cr_assert_eq(memcmp(y + lam_attention_offset(a, "wk"),
                      lam_attention_matrix(a, "wk"), 12 * sizeof(double)), 0);
  done(frozen);
}

/* The network's dW_K/dt at a state, against the rule evaluated here from
 * the same state: P_j = sigmoid(4 (A_j - 0.5)) from the apical unit of
 * column j, E = K, x = X (s_j = 1). */
Test(plasticity, network_rate_matches_the_rule) {
  const char *dir = tu_tmpdir();
  lam_sim *sim = network(dir, 1.0, 0.02, 0.2);
  lam_attention *a = lam_sim_impl(sim, "attention");
  lam_system *s = lam_sim_system(sim);
  const double *y = lam_sim_state(sim);
  double *dy = malloc(s->n * sizeof *dy);
  cr_assert_eq(s->ops->rhs(s->self, 0.2, y, dy), 0);
  const double *A = y + lam_attention_offset(a, "l5a");
  const double *K = y + lam_attention_offset(a, "l5b");
  const double *X = lam_attention_matrix(a, "x");
  const double *dWK = dy + lam_attention_offset(a, "wk");
  double maxerr = 0.0, maxw = 0.0;
  for (size_t u = 0; u < 4; u++) {
    for (size_t c = 0; c < 3; c++) {
      double want = 0.0;
      for (size_t j = 0; j < 3; j++) {
        const double P = 1.0 / (1.0 + exp(-4.0 * (A[j] - 0.5)));
        want += 0.02 * (P - 0.15) * K[j * 3 + c] * X[j * 4 + u];
      }
      maxerr = fmax(maxerr, fabs(dWK[u * 3 + c] - want));
      maxw = fmax(maxw, fabs(want));
    }
  }
  cr_assert_gt(maxw, 1e-3);
  cr_log_info("dW_K/dt: max error %g of %g", maxerr, maxw);
  cr_assert_lt(maxerr, 1e-12 * maxw, "max error %g of %g", maxerr, maxw);
  free(dy);
  done(sim);
}

/* The coincidence eligibility is eta times the gradient of the burst-weighted
 * coincidences S = sum_ihj delta_ihj sum_c s(Q_ihc) s(K_jhc) with
 * Q = Xq W_Q, K = Xk W_K and s the gate's saturation (identity for the
 * product gate, xs tanh(u / xs) for bac): checked against central
 * differences of S computed by plain loops. */
static double sat(double u, double xs) { return xs > 0.0 ? xs * tanh(u / xs) : u; }

enum { NQ = 3, TT = 4, DIN = 3, HH = 2, D = 2, N = HH * D };

static double weighted_score(const double *xq, const double *xk, const double *wq,
                             const double *wk, const double *delta, double xs) {
  double s = 0.0;
  for (size_t i = 0; i < NQ; i++) {
    for (size_t h = 0; h < HH; h++) {
      for (size_t j = 0; j < TT; j++) {
        for (size_t c = 0; c < D; c++) {
          double q = 0.0, k = 0.0;
          for (size_t u = 0; u < DIN; u++) {
            q += xq[i * DIN + u] * wq[u * N + h * D + c];
            k += xk[j * DIN + u] * wk[u * N + h * D + c];
          }
          s += delta[i * HH * TT + h * TT + j] * sat(q, xs) * sat(k, xs);
        }
      }
    }
  }
  return s;
}

Test(plasticity, coincidence_dw_is_the_gradient_of_the_weighted_scores) {
  lam_plasticity_params p = {.enabled = 1, .eta = 0.7, .pbar = 0.15};
  double xq[NQ * DIN], xk[TT * DIN], WQ[DIN * N], WK[DIN * N], delta[NQ * HH * TT];
  uint64_t seed = 11;
  for (size_t i = 0; i < NQ * DIN; i++) xq[i] = tu_gauss(&seed);
  for (size_t i = 0; i < TT * DIN; i++) xk[i] = tu_gauss(&seed);
  for (size_t i = 0; i < DIN * N; i++) WQ[i] = tu_gauss(&seed);
  for (size_t i = 0; i < DIN * N; i++) WK[i] = tu_gauss(&seed);
  for (size_t i = 0; i < NQ * HH * TT; i++) delta[i] = tu_uniform(&seed) - 0.5;
  const double xsat[] = {0.0, 1.5}; /* product gate; bac with saturation 1.5 */
  for (size_t g = 0; g < 2; g++) {
    const double xs = xsat[g];
    double Q[NQ * N] = {0}, K[TT * N] = {0}, sQ[NQ * N], sK[TT * N], dQ[NQ * N], dK[TT * N];
    for (size_t i = 0; i < NQ; i++)
      for (size_t m = 0; m < N; m++)
        for (size_t u = 0; u < DIN; u++) Q[i * N + m] += xq[i * DIN + u] * WQ[u * N + m];
    for (size_t j = 0; j < TT; j++)
      for (size_t m = 0; m < N; m++)
        for (size_t u = 0; u < DIN; u++) K[j * N + m] += xk[j * DIN + u] * WK[u * N + m];
    for (size_t i = 0; i < NQ * N; i++) {
      sQ[i] = sat(Q[i], xs);
      dQ[i] = xs > 0.0 ? 1.0 - pow(tanh(Q[i] / xs), 2) : 1.0;
    }
    for (size_t i = 0; i < TT * N; i++) {
      sK[i] = sat(K[i], xs);
      dK[i] = xs > 0.0 ? 1.0 - pow(tanh(K[i] / xs), 2) : 1.0;
    }
    double work[(NQ + TT) * N], dWQ[DIN * N], dWK[DIN * N];
    lam_plasticity_dw_coincidence(&p, NQ, TT, DIN, HH, D, xq, xk, sQ, sK,
                                  xs > 0.0 ? dQ : NULL, xs > 0.0 ? dK : NULL, delta,
                                  work, dWQ, dWK);
    const double hs = 1e-5;
    for (size_t w = 0; w < DIN * N; w++) {
      double keep = WQ[w];
      WQ[w] = keep + hs;
      double sp = weighted_score(xq, xk, WQ, WK, delta, xs);
      WQ[w] = keep - hs;
      double sm = weighted_score(xq, xk, WQ, WK, delta, xs);
      WQ[w] = keep;
      cr_assert_float_eq(dWQ[w], 0.7 * (sp - sm) / (2 * hs), 1e-7, "xs %g: dW_Q[%zu]", xs, w);
      keep = WK[w];
      WK[w] = keep + hs;
      sp = weighted_score(xq, xk, WQ, WK, delta, xs);
      WK[w] = keep - hs;
      sm = weighted_score(xq, xk, WQ, WK, delta, xs);
      WK[w] = keep;
      cr_assert_float_eq(dWK[w], 0.7 * (sp - sm) / (2 * hs), 1e-7, "xs %g: dW_K[%zu]", xs, w);
    }
  }
}

/* The taught burst probability sits exactly at Pbar when the error is zero
 * and moves with the sign of the error: logit(P) = logit(Pbar) + g k e. */
Test(plasticity, taught_burst_probability_is_centred_on_pbar) {
  lam_plasticity_params p = {.enabled = 1, .pbar = 0.15, .p_gain = 4, .teach_gain = 0.5};
  cr_assert_float_eq(lam_burst_prob_taught(&p, 0.3, 0.3), 0.15, 1e-15);
  const double e = 0.8, want = 1.0 / (1.0 + (0.85 / 0.15) * exp(-4 * 0.5 * e));
  cr_assert_float_eq(lam_burst_prob_taught(&p, 1.0, 0.2), want, 1e-14);
  cr_assert_lt(lam_burst_prob_taught(&p, 0.0, 0.6), 0.15);
}

/* [plasticity] teach: wrong uses name the file, line and key. */
Test(plasticity, teach_errors_name_the_key) {
  const char *dir = tu_tmpdir();
  char path[256], text[1024];
  snprintf(path, sizeof path, "%s/y.csv", dir);
  tu_write_text(path, "1,0,0,0\n");
  const char *cases[][2] = {
      {"enabled = false\n", "needs plasticity.enabled = true"},
      {"enabled = true\npbar_tau = 1\n", "needs a fixed Pbar"},
      {"enabled = true\npbar = 0\n", "needs 0 < plasticity.pbar < 1"},
  };
  for (size_t k = 0; k < 4; k++) {
    const int shape = k == 3;
    snprintf(text, sizeof text,
             "[network]\ncolumns = %d\nheads = 1\ntopology = topdown\n"
             "[plasticity]\n%steach = %s\n",
             shape ? 3 : 4, shape ? "enabled = true\n" : cases[k][0], path);
    lam_model *m = lam_model_new();
    lam_err err = {0};
    cr_assert_eq(lam_model_load_text(m, text, "t.ini", ".", &err), LAM_OK, "%s", err.msg);
    lam_sim *sim = NULL;
    cr_assert_neq(lam_sim_from_model(m, &sim, &err), LAM_OK);
    cr_assert(strstr(err.msg, "t.ini:"), "%s", err.msg);
    cr_assert(strstr(err.msg, "plasticity.teach"), "%s", err.msg);
    cr_assert(strstr(err.msg, shape ? "3" : cases[k][1]), "%s", err.msg);
    lam_model_free(m);
  }
}
