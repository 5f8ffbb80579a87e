/* test_neuromod.c: the neuromodulatory gate (circuits/lam_neuromod.c) in an
 * attention network.
 *
 * - mode = off is the model without [neuromod] bit for bit, and so is a
 *   schedule whose gate stays exactly 1.
 * - A step schedule to g = 2 (ideal column: linear F, product gate,
 *   subtractive PV, clocks off, self topology): with apical_scale = 1 the
 *   apical units settle to exactly 2 times those of the unmodulated model;
 *   with beta_scale = 1 the attention weights settle to softmax(2 beta A),
 *   A of the unmodulated model (closed form of the PV integral controller).
 * - Raising g lowers the attention entropy monotonically (beta scaling).
 * - Surprise: a step of the input gain s from 1 to 1.5 gives
 *   U(t') = rms(0.5 X) tau_p / (tau_p - tau) (exp(-t'/tau_p) - exp(-t'/tau)),
 *   zero before the step; it decays with tau. */
#include <criterion/criterion.h>

#include "lam_attention.h"
#include "lam_neuromod.h"
#include "lam_sim.h"
#include "lam_test_util.h"
#include "lam_params.h"

static const char *base =
    "[network]\ncolumns = 4\nheads = 2\nd_in = 4\nd_k = 3\nd_v = 3\n"
    "topology = self\n"
    "[input]\nseed = 5\n"
    "[solver]\nmethod = bdf\nrtol = 1e-10\natol = 1e-12\n";

static lam_sim *run(const char *extra, double t_end) {
  char text[4096];
  snprintf(text, sizeof text, "%s%s", base, extra);
  lam_model *m = lam_model_new();
  lam_err err = {0};
  cr_assert_eq(lam_model_load_text(m, text, "m.ini", ".", &err), LAM_OK, "%s",
               err.msg);
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

/* Observe population `name` of the final state into out. */
static void observe(lam_sim *sim, const char *name, double t, double *out) {
  lam_system *s = lam_sim_system(sim);
  for (size_t p = 0; p < s->npops; p++) {
    if (!strcmp(s->pops[p].name, name)) {
      s->ops->observe(s->self, p, t, lam_sim_state(sim), out);
      return;
    }
  }
  cr_assert_fail("no population %s", name);
}

Test(neuromod, off_is_the_unmodulated_model_bit_for_bit) {
  lam_sim *plain = run("", 0.1);
  lam_sim *off = run("[neuromod]\nmode = off\n", 0.1);
  lam_sim *unit = run("[neuromod]\nmode = schedule\nlevel = 0.5\ngain = 0.5\n"
                      "onset = 0.03\nduration = 0.02\nbeta_scale = 2\n",
                      0.1);
  const size_t n = lam_sim_system(plain)->n;
  cr_assert_eq(lam_sim_system(off)->n, n);
  cr_assert_eq(lam_sim_system(off)->npops, lam_sim_system(plain)->npops);
  cr_assert_eq(memcmp(lam_sim_state(plain), lam_sim_state(off), n * sizeof(double)), 0);
  /* The gate is 1 only during the step: not the same run. */
  cr_assert_eq(lam_sim_system(unit)->n, n);
  cr_assert_neq(memcmp(lam_sim_state(plain), lam_sim_state(unit), n * sizeof(double)), 0);
  done(unit);
  /* level 1, no step: g = 1 exactly, factors 1, same arithmetic. */
  unit = run("[neuromod]\nmode = schedule\nlevel = 1\ngain = 0\nbeta_scale = 2\n", 0.1);
  cr_assert_eq(memcmp(lam_sim_state(plain), lam_sim_state(unit), n * sizeof(double)), 0);
  done(unit);
  done(off);
  done(plain);
}

static double entropy(const double *w, size_t n) {
  double h = 0.0;
  for (size_t i = 0; i < n; i++) {
    h -= w[i] > 0.0 ? w[i] * log(w[i]) : 0.0;
  }
  return h;
}

Test(neuromod, step_schedule_scales_apical_drive_and_beta) {
  const double t_end = 0.6;
  const size_t T = 4, H = 2, na = T * H * T;
  lam_sim *plain = run("", t_end);
  lam_attention *a0 = lam_sim_impl(plain, "attention");
  const double *A0 = lam_sim_state(plain) + lam_attention_offset(a0, "l5a");
  /* Apical coupling: A -> 2 A. */
  lam_sim *ap = run("[neuromod]\nmode = schedule\nlevel = 1\ngain = 1\n"
                    "onset = 0.2\napical_scale = 1\nbeta_scale = 0\n", t_end);
  const double *A1 = lam_sim_state(ap) + lam_attention_offset(a0, "l5a");
  double maxerr = 0.0, maxa = 0.0;
  for (size_t i = 0; i < na; i++) {
    maxerr = fmax(maxerr, fabs(A1[i] - 2.0 * A0[i]));
    maxa = fmax(maxa, fabs(A0[i]));
  }
  cr_log_info("apical: max |A - 2 A_0| = %g of %g", maxerr, maxa);
  cr_assert_gt(maxa, 0.1);
  cr_assert_lt(maxerr, 1e-6 * maxa);
  double gate[3];
  observe(ap, "nm_gain", t_end, gate);
  cr_assert_eq(gate[0], 2.0);
  cr_assert_eq(gate[1], 2.0);
  cr_assert_eq(gate[2], 1.0);
  done(ap);
  /* beta: attention = softmax(g beta A_0) per query and head; entropy falls
   * as g rises. */
  const double gs[4] = {0.5, 1.0, 2.0, 4.0};
  double hprev = INFINITY;
  for (size_t k = 0; k < 4; k++) {
    char extra[256];
    snprintf(extra, sizeof extra,
             "[neuromod]\nmode = schedule\nlevel = %g\ngain = 0\n"
             "apical_scale = 0\nbeta_scale = 1\n", gs[k]);
    lam_sim *b = run(extra, t_end);
    double w[32];
    observe(b, "attn", t_end, w);
    double err = 0.0, h = 0.0;
    for (size_t r = 0; r < T * H; r++) { /* row (query i, head h) */
      const double *ar = A0 + r * T;
      double mx = -INFINITY, sum = 0.0, want[4];
      for (size_t j = 0; j < T; j++) {
        mx = fmax(mx, gs[k] * ar[j]);
      }
      for (size_t j = 0; j < T; j++) {
        want[j] = exp(gs[k] * ar[j] - mx);
        sum += want[j];
      }
      for (size_t j = 0; j < T; j++) {
        err = fmax(err, fabs(w[r * T + j] - want[j] / sum));
      }
      h += entropy(w + r * T, T) / (double)(T * H);
    }
    cr_log_info("g = %g: max |attn - softmax(g beta A_0)| = %g, mean entropy %.6f",
                gs[k], err, h);
    cr_assert_lt(err, 1e-6);
    cr_assert_lt(h, hprev);
    hprev = h;
    done(b);
  }
  done(plain);
}

Test(neuromod, surprise_rises_on_an_input_change_and_decays_with_tau) {
  const double tau = 0.1, taup = 0.02, t0 = 0.2;
  const char *extra = "[stimulus]\nprotocol = steps\nlevel = 1\namplitude = 0.5\n"
                      "onset = 0.2\n"
                      "[neuromod]\nmode = surprise\nlevel = 1\ngain = 2\n"
                      "tau = 0.1\ntau_pred = 0.02\n";
  const double ts[5] = {0.15, 0.21, 0.25, 0.5, 0.8};
  double U[5];
  for (size_t k = 0; k < 5; k++) {
    lam_sim *sim = run(extra, ts[k]);
    lam_attention *a = lam_sim_impl(sim, "attention");
    const double *X = lam_attention_matrix(a, "x");
    double ss = 0.0;
    for (size_t i = 0; i < 16; i++) {
      ss += 0.25 * X[i] * X[i];
    }
    const double rms = sqrt(ss / 16.0);
    const long off = lam_attention_offset(a, "nm_surprise");
    cr_assert_geq(off, 0);
    U[k] = lam_sim_state(sim)[off];
    const double tp = ts[k] - t0;
    const double want =
        tp <= 0.0 ? 0.0
                  : rms * taup / (taup - tau) * (exp(-tp / taup) - exp(-tp / tau));
    double gate[3];
    observe(sim, "nm_gain", ts[k], gate);
    cr_log_info("t = %g: U = %.9g, closed form %.9g, g = %.9g", ts[k], U[k], want,
                gate[0]);
    cr_assert_lt(fabs(U[k] - want), 1e-6 * rms, "t = %g: U %g, want %g", ts[k],
                 U[k], want);
    cr_assert_float_eq(gate[0], 1.0 + 2.0 * U[k], 1e-12);
    done(sim);
  }
  cr_assert_eq(U[0], 0.0);
  cr_assert_gt(U[2], U[1]);
  /* Late: U decays with tau (the tau_pred term is e^-15 smaller). */
  cr_assert_float_eq(U[4] / U[3], exp(-0.3 / tau), 1e-5);
}

Test(neuromod, bad_values_name_file_line_key) {
  char text[4096];
  snprintf(text, sizeof text, "%s[neuromod]\nmode = sometimes\n", base);
  lam_model *m = lam_model_new();
  lam_err err = {0};
  cr_assert_eq(lam_model_load_text(m, text, "m.ini", ".", &err), LAM_OK);
  lam_sim *sim = NULL;
  cr_assert_neq(lam_sim_from_model(m, &sim, &err), LAM_OK);
  cr_log_info("%s", err.msg);
  cr_assert(strstr(err.msg, "m.ini:15") && strstr(err.msg, "neuromod.mode"), "%s",
            err.msg);
  lam_model_free(m);
}
