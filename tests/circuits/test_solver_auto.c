/* test_solver_auto.c: method = auto, the default integrator choice.
 *
 * - Robertson's chemical kinetics (Robertson 1966; Hairer & Wanner,
 *   Solving ODEs II, problem ROBER), the classic stiff test: auto starts
 *   with erk, its stiffness test fires and the run ends on bdf, the switch
 *   at an output time, with the published state at t = 40.
 * - A damped 5 Hz oscillator (non-stiff): auto stays on erk, gives the
 *   closed form, and its last test's h rho is below the fire threshold.
 * - A sample range (lam_solver_set_sample_range): the same bits as the
 *   whole sample in the range, the rest of y untouched, lam_solver_fill
 *   completing it, an error once a failed advance lost the stages.
 *   Through lam_sim: recording `out` alone gives the bits of recording it
 *   with `attn` (which reads the whole state), samples and final state.
 * - Inputs with kinks (continuous, slope jumps on a grid, as a frozen
 *   noise path): auto's steps end on them; fewer rejections and right-hand
 *   sides than without, and the exact cell-by-cell solution.
 * - White noise: auto takes heun, the same bits as method = heun.
 * - A builder's stiff hint (LAM_SOLVER_AUTO_STIFF, lam_sim's for plasticity):
 *   bdf from the start.
 * - Through lam_sim: models/default.ini (the attention network) runs erk,
 *   models/mejias2016.ini heun; a very fast PV loop (tau_pv = 10 us, the
 *   stiff case of docs/solvers.md) switches to bdf, and the run file's
 *   attributes say so (solver_auto, solver_method_end, solver_switch_time).
 * - Record defaults: [run] record = layers leaves out exactly l5a and attn,
 *   "layers,attn" adds attn back, and lam_sim_record_bytes counts 8 bytes
 *   per recorded value and sample. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_model.h"
#include "lam_params.h"
#include "lam_probe.h"
#include "lam_recorder.h"
#include "lam_runfile.h"
#include "lam_sim.h"
#include "lam_simrec.h"
#include "lam_solver.h"
#include "lam_test_util.h"

#define TWO_PI 6.283185307179586476925286766559

static void defaults(lam_solver_params *sp) {
  memset(sp, 0, sizeof *sp);
  lam_err err = {0, ""};
  cr_assert_eq(lam_param_defaults(lam_solver_table, lam_solver_ntable, sp, &err), LAM_OK);
  cr_assert_eq(sp->method, LAM_SOLVER_AUTO, "auto is the default method");
}

/* ------------------------------------------------------------ Robertson */

static int rober_rhs(void *self, double t, const double *y, double *dy) {
  (void)self, (void)t;
  const double r1 = 0.04 * y[0], r2 = 1e4 * y[1] * y[2], r3 = 3e7 * y[1] * y[1];
  dy[0] = -r1 + r2;
  dy[1] = r1 - r2 - r3;
  dy[2] = r3;
  return 0;
}

static void first_observe(void *self, size_t pop, double t, const double *y,
                          double *out) {
  (void)self, (void)pop, (void)t;
  out[0] = y[0];
}

static const lam_pop_info one_pop = {"x", "1", 1, 1, "", "first variable"};

Test(solver_auto, robertson_switches_to_bdf, .timeout = 120) {
  static const lam_system_ops ops = {.rhs = rober_rhs, .observe = first_observe};
  double y0[3] = {1.0, 0.0, 0.0};
  lam_system sys = {.ops = &ops, .n = 3, .npops = 1, .pops = &one_pop,
                    .y0 = y0, .kind = "rober"};
  lam_solver_params sp;
  defaults(&sp);
  sp.rtol = 1e-6;
  sp.atol = 1e-12;
  lam_err err = {0, ""};
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  double y[3];
  const double dt = 0.4;
  for (int k = 1; k <= 100; k++) {
    cr_assert_eq(lam_solver_advance(s, dt * k, y, &err), LAM_OK, "t = %g: %s",
                 dt * k, err.msg);
  }
  lam_solver_stats st;
  lam_solver_get_stats(s, &st);
  cr_expect_eq(st.method_start, LAM_SOLVER_ERK);
  cr_expect_eq(st.method_end, LAM_SOLVER_BDF, "the stiffness test did not fire "
               "(last h rho %g)", st.stiff_hrho);
  /* At an output time, early: the fast transient is over by t ~ 1e-3 and
   * from there the explicit step is held at the stability boundary. */
  cr_expect(st.switch_time > 0 && st.switch_time <= 4.0, "switch at %g", st.switch_time);
  const double k = st.switch_time / dt;
  cr_expect_float_eq(k, round(k), 1e-9, "switch at t = %g, not an output time",
                     st.switch_time);
  /* Hairer & Wanner's reference values at t = 40 (also SUNDIALS' cvRoberts
   * example): 0.7158271, 9.185535e-6, 0.2841637; rtol 1e-6 leaves a few
   * 1e-6 relative. */
  cr_expect_float_eq(y[0], 0.7158271, 2e-5 * 0.7158271, "y1(40) = %.8g", y[0]);
  cr_expect_float_eq(y[1], 9.185535e-6, 2e-4 * 9.185535e-6, "y2(40) = %.8g", y[1]);
  cr_expect_float_eq(y[2], 0.2841637, 2e-5 * 0.2841637, "y3(40) = %.8g", y[2]);
  cr_expect_float_eq(y[0] + y[1] + y[2], 1.0, 1e-6, "mass conservation");
  /* Explicit steps alone would need ~3.3 / (h rho) ... ~1e4 steps per unit
   * time once rho ~ 1e4: far more than the run took. */
  cr_expect_lt(st.nsteps, 20000, "%ld steps", st.nsteps);
  lam_solver_free(s);
}

/* -------------------------------------------------- damped oscillator */

typedef struct osc {
  double w, z;
} osc;

static int osc_rhs(void *self, double t, const double *y, double *dy) {
  (void)t;
  const osc *o = self;
  dy[0] = y[1];
  dy[1] = -o->w * o->w * y[0] - 2.0 * o->z * o->w * y[1];
  return 0;
}

Test(solver_auto, oscillator_stays_on_erk) {
  static const lam_system_ops ops = {.rhs = osc_rhs, .observe = first_observe};
  osc o = {TWO_PI * 5.0, 0.032};
  double y0[2] = {1.0, -3.0};
  lam_system sys = {.ops = &ops, .self = &o, .n = 2, .npops = 1,
                    .pops = &one_pop, .y0 = y0, .kind = "osc"};
  lam_solver_params sp;
  defaults(&sp);
  sp.rtol = sp.atol = 1e-10;
  lam_err err = {0, ""};
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  double y[2], maxerr = 0.0;
  const double a = o.z * o.w, wd = o.w * sqrt(1.0 - o.z * o.z);
  const double B = (y0[1] + a * y0[0]) / wd;
  for (int i = 1; i <= 2000; i++) {
    const double t = 0.001 * i;
    cr_assert_eq(lam_solver_advance(s, t, y, &err), LAM_OK, "%s", err.msg);
    const double want = exp(-a * t) * (y0[0] * cos(wd * t) + B * sin(wd * t));
    maxerr = fmax(maxerr, fabs(y[0] - want));
  }
  lam_solver_stats st;
  lam_solver_get_stats(s, &st);
  cr_expect_eq(st.method_start, LAM_SOLVER_ERK);
  cr_expect_eq(st.method_end, LAM_SOLVER_ERK);
  cr_expect(isnan(st.switch_time));
  /* The eigenvalues have |lambda| = w = 31.4/s: the test saw h rho =
   * h w, far inside Dormand-Prince's boundary 3.31. */
  cr_expect(st.stiff_hrho >= 0 && st.stiff_hrho < 0.8 * 3.31, "h rho %g", st.stiff_hrho);
  cr_expect_lt(maxerr, 1e-8, "max error %g", maxerr);
  /* The tests' own evaluations: what Dormand-Prince does not account for,
   * six per attempted step (the first same as the last), less ERKStep's
   * start (f(t0, y0) and its initial step estimate, at most 5). Far from
   * the boundary (h rho < 0.25 x 3.31) the gap between tests doubles from
   * 20 steps to 160: tests after 20, 60, 140, 300, 460, ... steps, at most
   * 4 + nsteps / 160 of them, four evaluations each (a test every 20 steps
   * would be nsteps / 5 evaluations, ~400 here). */
  const long tests_fe = st.nfevals - 6 * (st.nsteps + st.netfails);
  const long bound = 4 * (4 + st.nsteps / 160) + 5;
  cr_expect(tests_fe >= 0 && tests_fe <= bound,
            "%ld evaluations beyond six per step over %ld steps (at most %ld)", tests_fe,
            st.nsteps, bound);
  lam_solver_free(s);
}

/* A bank of undamped oscillators x'' = -w^2 x, 5-45 Hz, phases spread over
 * the cycle: at any time some of the 200 components pass through zero, as
 * the postsynaptic potentials' derivatives of a large Jansen-Rit network
 * do. Closed form x_k(t) = cos(w_k t + phi_k). */
enum { BANK = 100 };
static int bank_rhs(void *self, double t, const double *y, double *dy) {
  (void)t;
  const double *w = self;
  for (int k = 0; k < BANK; k++) {
    dy[2 * k] = y[2 * k + 1];
    dy[2 * k + 1] = -w[k] * w[k] * y[2 * k];
  }
  return 0;
}

static void run_bank(int method, double *maxerr, lam_solver_stats *st) {
  static const lam_system_ops ops = {.rhs = bank_rhs, .observe = first_observe};
  double w[BANK], phi[BANK], y0[2 * BANK], y[2 * BANK];
  for (int k = 0; k < BANK; k++) {
    w[k] = TWO_PI * (5.0 + 40.0 * k / (BANK - 1));
    phi[k] = TWO_PI * ((k * 37) % BANK) / BANK;
    y0[2 * k] = cos(phi[k]);
    y0[2 * k + 1] = -w[k] * sin(phi[k]);
  }
  lam_system sys = {.ops = &ops, .self = w, .n = 2 * BANK, .npops = 1,
                    .pops = &one_pop, .y0 = y0, .kind = "bank"};
  lam_solver_params sp;
  defaults(&sp);
  sp.method = method;
  sp.rtol = 1e-6;
  sp.atol = 1e-9;
  sp.threads = 1;
  lam_err err = {0, ""};
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  *maxerr = 0.0;
  for (int i = 1; i <= 1000; i++) {
    const double t = 0.001 * i;
    cr_assert_eq(lam_solver_advance(s, t, y, &err), LAM_OK, "%s", err.msg);
    for (int k = 0; k < BANK; k++) {
      *maxerr = fmax(*maxerr, fabs(y[2 * k] - cos(w[k] * t + phi[k])));
    }
  }
  lam_solver_get_stats(s, st);
  lam_solver_free(s);
}

/* The bank under auto (which must stay on erk) and under method = erk. */
static void run_bank_both(double *e_auto, lam_solver_stats *a, double *e_erk,
                          lam_solver_stats *x) {
  run_bank(LAM_SOLVER_AUTO, e_auto, a);
  run_bank(LAM_SOLVER_ERK, e_erk, x);
  cr_assert_eq(a->method_end, LAM_SOLVER_ERK);
}

/* auto's erk weighs each error by the larger |y| of the last two accepted
 * states (as SciPy's RK45 does with both ends of the step), so a component
 * next to zero at a step's start does not make the error norm jump: on a
 * smooth problem few steps are rejected, and the solution keeps to the
 * tolerance. With ERKStep's own weights, 1 / (rtol |y_n| + atol) (method
 * = erk), 215 of 1,930 steps were rejected here; auto: 1 of 1,289. */
Test(solver_auto, erk_weights_do_not_jump_at_zero_crossings) {
  double e_auto, e_erk;
  lam_solver_stats a, x;
  run_bank_both(&e_auto, &a, &e_erk, &x);
  cr_expect_lt(a.netfails * 10, a.nsteps, "auto: %ld rejected of %ld steps",
               a.netfails, a.nsteps);
  cr_expect_lt(a.nfevals, x.nfevals, "auto %ld, erk %ld evaluations", a.nfevals,
               x.nfevals);
  /* 1 s, amplitude 1, rtol 1e-6: a global error of a few hundred rtol at
   * most, well under SciPy RK45's on this problem class. */
  cr_expect_lt(e_auto, 1e-4, "auto max error %g (erk %g)", e_auto, e_erk);
  cr_log_info("bank: auto %ld steps %ld rejected %ld evals err %g; erk %ld %ld %ld %g",
              a.nsteps, a.netfails, a.nfevals, e_auto, x.nsteps, x.netfails,
              x.nfevals, e_erk);
}

/* auto's erk samples from Dormand-Prince's own continuous extension
 * (Shampine 1986): no right-hand side per output time, where ERKStep's
 * degree-4 Hermite interpolant (method = erk) evaluates one more for each.
 * 1,000 samples in a second of the oscillator bank: evaluations stay at
 * six per step (first same as last) plus the
 * stiffness tests' four every 20 steps, and the samples between steps keep
 * to the closed form as closely as the Hermite interpolant's. A wrong
 * coefficient or a stage taken out of order would put the samples off by
 * the step's size times the derivative (~1e-2 here). */
Test(solver_auto, samples_from_the_continuous_extension) {
  double e_auto, e_erk;
  lam_solver_stats a, x;
  run_bank_both(&e_auto, &a, &e_erk, &x);
  const long per_step = 6 * (a.nsteps + a.netfails) + 4 * (a.nsteps / 20 + 1) + 2;
  cr_expect_leq(a.nfevals, per_step, "auto: %ld evaluations, %ld steps", a.nfevals,
                a.nsteps);
  cr_expect_geq(x.nfevals, 6 * x.nsteps + 1000, "erk: %ld evaluations, %ld steps",
                x.nfevals, x.nsteps);
  cr_expect_lt(e_auto, 2.0 * e_erk + 1e-7, "auto %g, erk %g", e_auto, e_erk);
}

/* A sample range: the bank's oscillators 20..39 (states 40..79) only. The
 * range is the same bits as the whole sample, the rest of y is left as it
 * was, lam_solver_fill completes the last sample to the whole run's bits,
 * and after a failed advance it says the state is no longer known. */
static int bank_rhs_until(void *self, double t, const double *y, double *dy) {
  return t > 0.06 ? -1 : bank_rhs(self, t, y, dy);
}

Test(solver_auto, a_sample_range_is_the_whole_sample_s_bits) {
  static const lam_system_ops ops = {.rhs = bank_rhs, .observe = first_observe};
  static const lam_system_ops failing = {.rhs = bank_rhs_until, .observe = first_observe};
  double w[BANK], y0[2 * BANK];
  for (int k = 0; k < BANK; k++) {
    w[k] = TWO_PI * (5.0 + 40.0 * k / (BANK - 1));
    y0[2 * k] = cos(0.3 * k);
    y0[2 * k + 1] = -w[k] * sin(0.3 * k);
  }
  lam_system sys = {.ops = &ops, .self = w, .n = 2 * BANK, .npops = 1,
                    .pops = &one_pop, .y0 = y0, .kind = "bank"};
  lam_solver_params sp;
  defaults(&sp);
  sp.threads = 1;
  lam_err err = {0, ""};
  lam_solver *whole = NULL, *part = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &whole, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &part, &err), LAM_OK, "%s", err.msg);
  lam_solver_set_sample_range(part, 40, 80);
  double yw[2 * BANK], yp[2 * BANK];
  int inside = 0;
  for (int i = 1; i <= 300; i++) {
    const double t = 0.0007 * i;
    for (int k = 0; k < 2 * BANK; k++) {
      yp[k] = -1e300; /* what the range leaves alone */
    }
    cr_assert_eq(lam_solver_advance(whole, t, yw, &err), LAM_OK, "%s", err.msg);
    cr_assert_eq(lam_solver_advance(part, t, yp, &err), LAM_OK, "%s", err.msg);
    cr_assert_eq(memcmp(yp + 40, yw + 40, 40 * sizeof *yp), 0, "t = %g", t);
    int untouched = yp[0] == -1e300 && yp[39] == -1e300 && yp[80] == -1e300 &&
                    yp[2 * BANK - 1] == -1e300;
    inside += untouched; /* a sample at a step's end is whole */
  }
  cr_expect_gt(inside, 200, "only %d of 300 samples were interpolated in range", inside);
  cr_assert_eq(lam_solver_fill(part, yp, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(memcmp(yp, yw, sizeof yp), 0, "the filled sample differs from the whole one");
  lam_solver_free(whole);
  lam_solver_free(part);
  /* Failing after the last sample: its stages are gone. */
  sys.ops = &failing;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &part, &err), LAM_OK, "%s", err.msg);
  lam_solver_set_sample_range(part, 40, 80);
  cr_assert_eq(lam_solver_advance(part, 0.0503, yp, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_solver_fill(part, yp, &err), LAM_OK, "%s", err.msg); /* nothing since */
  cr_assert_eq(lam_solver_advance(part, 0.0507, yp, &err), LAM_OK, "%s", err.msg);
  cr_expect_neq(lam_solver_advance(part, 0.07, yp, &err), LAM_OK);
  err.msg[0] = '\0';
  cr_expect_eq(lam_solver_fill(part, yp, &err), LAM_ESOLVER);
  cr_expect(strstr(err.msg, "no longer known"), "%s", err.msg);
  lam_solver_free(part);
}

/* ------------------------------------------------------------- kinks */

/* tau y' = -y + u(t), u piecewise linear on a 1 ms grid (a frozen noise
 * path's shape: continuous, its slope jumps at every grid point), four
 * channels. On a cell where u = a + b s (s = t - t_k) the exact solution
 * is y(s) = a + b (s - tau) + (y_k - a + b tau) e^(-s / tau). */
enum { KINK_N = 4, KINK_CELLS = 300 };
#define KINK_DT 1e-3
#define KINK_TAU 0.01

typedef struct kinky {
  double u[KINK_N][KINK_CELLS + 2];
} kinky;

static void kink_cell(const kinky *k, size_t c, double t, size_t *cell,
                      double *a, double *b, double *s) {
  size_t j = (size_t)floor(t / KINK_DT);
  j = j > KINK_CELLS ? KINK_CELLS : j;
  *cell = j;
  *s = t - (double)j * KINK_DT;
  *a = k->u[c][j];
  *b = (k->u[c][j + 1] - k->u[c][j]) / KINK_DT;
}

static int kink_rhs(void *self, double t, const double *y, double *dy) {
  const kinky *k = self;
  for (size_t c = 0; c < KINK_N; c++) {
    size_t j;
    double a, b, s;
    kink_cell(k, c, t, &j, &a, &b, &s);
    dy[c] = (-y[c] + a + b * s) / KINK_TAU;
  }
  return 0;
}

static double kink_next(void *self, double t) {
  (void)self;
  double j = floor(t / KINK_DT);
  while (j * KINK_DT <= t) {
    j += 1.0;
  }
  return j * KINK_DT;
}

/* The exact y(t), cell by cell from y(0) = 0. */
static double kink_exact(const kinky *k, size_t c, double t) {
  double y = 0.0;
  size_t j;
  double a, b, s;
  kink_cell(k, c, t, &j, &a, &b, &s);
  for (size_t i = 0; i < j; i++) {
    const double ai = k->u[c][i], bi = (k->u[c][i + 1] - ai) / KINK_DT;
    y = ai + bi * (KINK_DT - KINK_TAU) + (y - ai + bi * KINK_TAU) * exp(-KINK_DT / KINK_TAU);
  }
  return a + b * (s - KINK_TAU) + (y - a + b * KINK_TAU) * exp(-s / KINK_TAU);
}

/* auto over 0.25 s, samples every 0.7 ms (inside the cells); *err the
 * largest sample error against the exact solution. */
static void run_kinky(const kinky *k, int with_kinks, double *err_max,
                      lam_solver_stats *st) {
  static const lam_system_ops plain = {.rhs = kink_rhs, .observe = first_observe};
  static const lam_system_ops told = {.rhs = kink_rhs, .observe = first_observe,
                                      .next_kink = kink_next};
  double y0[KINK_N] = {0};
  lam_system sys = {.ops = with_kinks ? &told : &plain, .self = (void *)k,
                    .n = KINK_N, .npops = 1, .pops = &one_pop, .y0 = y0,
                    .kind = "kinky"};
  lam_solver_params sp;
  defaults(&sp);
  sp.rtol = 1e-8;
  sp.atol = 1e-10;
  lam_err err = {0, ""};
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  double y[KINK_N];
  *err_max = 0.0;
  for (int i = 1; i * 0.7e-3 <= 0.25; i++) {
    const double t = i * 0.7e-3;
    cr_assert_eq(lam_solver_advance(s, t, y, &err), LAM_OK, "t = %g: %s", t, err.msg);
    for (size_t c = 0; c < KINK_N; c++) {
      *err_max = fmax(*err_max, fabs(y[c] - kink_exact(k, c, t)));
    }
  }
  lam_solver_get_stats(s, st);
  cr_expect_eq(st->method_end, LAM_SOLVER_ERK);
  lam_solver_free(s);
}

Test(solver_auto, steps_end_on_the_inputs_kinks) {
  static kinky k;
  unsigned long r = 12345;
  for (size_t c = 0; c < KINK_N; c++) {
    for (size_t j = 0; j < KINK_CELLS + 2; j++) {
      r = r * 6364136223846793005ul + 1442695040888963407ul;
      k.u[c][j] = (double)(r >> 11) / 9007199254740992.0 - 0.5;
    }
  }
  double e_told, e_plain;
  lam_solver_stats told, plain;
  run_kinky(&k, 1, &e_told, &told);
  run_kinky(&k, 0, &e_plain, &plain);
  /* A step across a kink is rejected or cut back: told where they are,
   * the steps end on them and hardly any is rejected. */
  cr_expect_lt(4 * told.netfails, plain.netfails, "error-test failures: %ld told, %ld not",
               told.netfails, plain.netfails);
  cr_expect_lt(2 * told.nfevals, plain.nfevals, "evaluations: %ld told, %ld not",
               told.nfevals, plain.nfevals);
  /* And no less accurate: within rtol of the exact solution (|y| <= 0.5;
   * a step across a kink loses orders there). */
  cr_expect_lt(e_told, 1e-8, "told: %g from the exact solution", e_told);
  cr_expect_lt(e_told, 2.0 * e_plain + 1e-9, "told %g, not told %g", e_told, e_plain);
  cr_log_info("kinks: %ld steps %ld failures %ld evaluations, error %.3g; "
              "without: %ld %ld %ld, %.3g", told.nsteps, told.netfails, told.nfevals,
              e_told, plain.nsteps, plain.netfails, plain.nfevals, e_plain);
}

/* ------------------------------------------------------------ noise */

static int ou_rhs(void *self, double t, const double *y, double *dy) {
  (void)self, (void)t;
  dy[0] = -10.0 * y[0];
  return 0;
}

static int ou_noise(void *self, double t, const double *y, double *sigma) {
  (void)self, (void)t, (void)y;
  sigma[0] = 0.5;
  return 0;
}

static void run_ou(int method, double *out, lam_solver_stats *st) {
  static const lam_system_ops ops = {.rhs = ou_rhs, .noise = ou_noise,
                                     .observe = first_observe};
  double y0[1] = {1.0};
  lam_system sys = {.ops = &ops, .n = 1, .npops = 1, .pops = &one_pop,
                    .y0 = y0, .kind = "ou"};
  lam_solver_params sp;
  defaults(&sp);
  sp.method = method;
  lam_err err = {0, ""};
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  double y[1] = {1.0};
  for (int i = 1; i <= 100; i++) {
    cr_assert_eq(lam_solver_advance(s, 0.001 * i, y, &err), LAM_OK, "%s", err.msg);
    out[i - 1] = y[0];
  }
  lam_solver_get_stats(s, st);
  lam_solver_free(s);
}

Test(solver_auto, white_noise_takes_heun_bit_for_bit) {
  double a[100], h[100];
  lam_solver_stats sa, sh;
  run_ou(LAM_SOLVER_AUTO, a, &sa);
  run_ou(LAM_SOLVER_HEUN, h, &sh);
  cr_expect_eq(sa.method_start, LAM_SOLVER_HEUN);
  cr_expect_eq(sa.method_end, LAM_SOLVER_HEUN);
  cr_expect_eq(memcmp(a, h, sizeof a), 0, "auto's heun differs from heun's bits");
  cr_expect_eq(sa.nsteps, sh.nsteps);
  lam_solver_params sp;
  defaults(&sp);
  cr_expect_str_eq(lam_solver_auto_reason(&sa, &sp), "white noise");
  sp.method = LAM_SOLVER_HEUN;
  cr_expect_null(lam_solver_auto_reason(&sh, &sp));
}

Test(solver_auto, stiff_hint_takes_bdf) {
  static const lam_system_ops ops = {.rhs = rober_rhs, .observe = first_observe};
  double y0[3] = {1.0, 0.0, 0.0};
  lam_system sys = {.ops = &ops, .n = 3, .npops = 1, .pops = &one_pop,
                    .y0 = y0, .kind = "rober"};
  lam_solver_params sp;
  defaults(&sp);
  sp.method = LAM_SOLVER_AUTO_STIFF;
  sp.atol = 1e-12;
  lam_err err = {0, ""};
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  double y[3];
  cr_assert_eq(lam_solver_advance(s, 1.0, y, &err), LAM_OK, "%s", err.msg);
  lam_solver_stats st;
  lam_solver_get_stats(s, &st);
  cr_expect_eq(st.method_start, LAM_SOLVER_BDF);
  cr_expect_eq(st.method_end, LAM_SOLVER_BDF);
  cr_expect_gt(st.nliters, 0, "SPGMR did not run");
  cr_expect_str_eq(lam_solver_auto_reason(&st, &sp), "stiff model");
  lam_solver_free(s);
}

/* ------------------------------------------------- through lam_sim */

static lam_sim *sim_of(const char *model, const char *const *sets, size_t nsets) {
  const char *root = getenv("LAM_SOURCE_ROOT");
  cr_assert(root, "LAM_SOURCE_ROOT not set");
  char path[512];
  snprintf(path, sizeof path, "%s/models/%s", root, model);
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  for (size_t i = 0; i < nsets; i++) {
    cr_assert_eq(lam_model_set(m, sets[i], &err), LAM_OK, "%s", err.msg);
  }
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m);
  return sim;
}

static void short_run(lam_sim *sim, double t_end, lam_solver_stats *st) {
  lam_err err = {0, ""};
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  lam_sim_stats(sim, st, NULL);
}

Test(solver_auto, shipped_models_choices, .timeout = 120) {
  lam_solver_stats st;
  lam_sim *sim = sim_of("default.ini", NULL, 0);
  cr_expect_eq(lam_sim_params_of(sim)->solver.method, LAM_SOLVER_AUTO,
               "models/default.ini ships method = auto");
  short_run(sim, 0.1, &st);
  cr_expect_eq(st.method_start, LAM_SOLVER_ERK);
  cr_expect_eq(st.method_end, LAM_SOLVER_ERK, "switched at %g (h rho %g)",
               st.switch_time, st.stiff_hrho);
  lam_sim_free(sim);
  const char *heun[] = {"solver.method=auto"};
  sim = sim_of("mejias2016.ini", heun, 1);
  short_run(sim, 0.1, &st);
  cr_expect_eq(st.method_start, LAM_SOLVER_HEUN);
  lam_sim_free(sim);
}

Test(solver_auto, fast_pv_switches_and_the_file_says_so, .timeout = 120) {
  char *dir = tu_tmpdir();
  char out[512];
  snprintf(out, sizeof out, "%s/stiff.h5", dir);
  const char *sets[] = {"column.tau_pv=1e-5"};
  lam_sim *sim = sim_of("default.ini", sets, 1);
  lam_err err = {0, ""};
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 0.02;
  const lam_system *sys = lam_sim_system(sim);
  int *flags = calloc(sys->npops, sizeof *flags);
  cr_assert_eq(lam_sim_record_flags(sim, flags, &err), LAM_OK, "%s", err.msg);
  lam_recorder *rec = lam_recorder_open(out, sys, flags, &err);
  cr_assert(rec, "%s", err.msg);
  o.record = flags;
  cr_assert_eq(lam_sim_record(sim, &o, rec, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  lam_solver_stats st;
  lam_sim_stats(sim, &st, NULL);
  cr_expect_eq(st.method_end, LAM_SOLVER_BDF, "no switch (h rho %g)", st.stiff_hrho);
  lam_runfile *rf = NULL;
  cr_assert_eq(lam_runfile_open(out, 0, &rf, &err), LAM_OK, "%s", err.msg);
  char text[256];
  cr_assert_eq(lam_runfile_attr_text(rf, "/", "solver_method", text, sizeof text, &err), LAM_OK);
  cr_expect_str_eq(text, "auto");
  cr_assert_eq(lam_runfile_attr_text(rf, "/", "solver_method_end", text, sizeof text, &err), LAM_OK);
  cr_expect_str_eq(text, "bdf");
  cr_assert_eq(lam_runfile_attr_text(rf, "/", "solver_auto", text, sizeof text, &err), LAM_OK);
  cr_expect(strstr(text, "erk") == text && strstr(text, "bdf from t = "), "%s", text);
  double ts = NAN;
  cr_assert_eq(lam_runfile_attr_real(rf, "/", "solver_switch_time", &ts, &err), LAM_OK);
  cr_expect_float_eq(ts, st.switch_time, 0.0);
  cr_expect(ts > 0 && ts < 0.02, "switch time %g", ts);
  double hr = NAN;
  cr_assert_eq(lam_runfile_attr_real(rf, "/", "solver_stiff_hrho", &hr, &err), LAM_OK);
  cr_expect(hr >= 0.8 * 3.31, "the last test before the switch fired: h rho %g", hr);
  /* The default record set: no T x T x H population in the file. */
  cr_expect(!lam_runfile_exists(rf, "/traces/attn"));
  cr_expect(!lam_runfile_exists(rf, "/traces/l5a"));
  cr_expect(lam_runfile_exists(rf, "/traces/out"));
  lam_runfile_free(rf);
  free(flags);
  lam_sim_free(sim);
  tu_cleanup();
}

/* Recording one population interpolates only its block of the state
 * (lam_sim_observer reads): its samples and the final state are the same
 * bits as when it is recorded with a population that needs the whole
 * state (attn). */
static double *recorded(const char *dir, const char *name, int with_attn,
                        const char *what, int rank, size_t dims[3]) {
  char out[512];
  snprintf(out, sizeof out, "%s/%s.h5", dir, name);
  /* Samples between the noise grid's kinks (where steps end), so that
   * they are interpolated. */
  const char *sets[] = {"probe.enabled=false", "run.dt_record=0.0007"};
  lam_sim *sim = sim_of("default.ini", sets, 2);
  const lam_system *sys = lam_sim_system(sim);
  int *flags = calloc(sys->npops, sizeof *flags);
  for (size_t p = 0; p < sys->npops; p++) {
    flags[p] = !strcmp(sys->pops[p].name, "out") ||
               (with_attn && !strcmp(sys->pops[p].name, "attn"));
  }
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(out, sys, flags, &err);
  cr_assert(rec, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 0.2975; /* the last sample inside a step too */
  o.record = flags;
  cr_assert_eq(lam_sim_record(sim, &o, rec, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  free(flags);
  lam_sim_free(sim);
  lam_runfile *rf = NULL;
  cr_assert_eq(lam_runfile_open(out, 0, &rf, &err), LAM_OK, "%s", err.msg);
  double *v = NULL;
  cr_assert_eq(lam_runfile_read(rf, what, rank, "the population", 0, 0, &v, dims, &err),
               LAM_OK, "%s: %s", what, err.msg);
  lam_runfile_free(rf);
  return v;
}

Test(solver_auto, recording_one_population_keeps_its_bits, .timeout = 120) {
  char *dir = tu_tmpdir();
  const char *what[] = {"/traces/out", "/final/l5b"};
  for (size_t i = 0; i < 2; i++) {
    size_t da[3], db[3];
    double *a = recorded(dir, "alone", 0, what[i], 3 - (int)i, da);
    double *b = recorded(dir, "with_attn", 1, what[i], 3 - (int)i, db);
    cr_assert(da[0] == db[0] && da[1] == db[1] && da[2] == db[2], "%s shapes", what[i]);
    cr_expect_eq(memcmp(a, b, da[0] * da[1] * da[2] * sizeof *a), 0,
                 "%s: recorded alone, it differs", what[i]);
    free(a);
    free(b);
  }
  tu_cleanup();
}

/* ---------------------------------------------------- record defaults */

Test(solver_auto, record_layers_leaves_out_pairwise_states) {
  lam_sim *sim = sim_of("default.ini", NULL, 0);
  const lam_system *sys = lam_sim_system(sim);
  int *flags = calloc(sys->npops, sizeof *flags);
  lam_err err = {0, ""};
  cr_assert_str_eq(lam_sim_params_of(sim)->run.record, "layers", "the default");
  cr_assert_eq(lam_sim_record_flags(sim, flags, &err), LAM_OK, "%s", err.msg);
  size_t pairwise = 0;
  double per = 0.0;
  for (size_t p = 0; p < sys->npops; p++) {
    const int pw = !strcmp(sys->pops[p].name, "l5a") || !strcmp(sys->pops[p].name, "attn");
    pairwise += pw;
    cr_expect_eq(flags[p], !pw, "%s", sys->pops[p].name);
    per += flags[p] ? (double)(sys->pops[p].ncols * sys->pops[p].nunits) : 0.0;
  }
  cr_expect_eq(pairwise, 2, "the attention network has l5a and attn");
  /* 1 s at 1 ms: 1001 samples of every recorded value and probe channel. */
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 1.0;
  o.dt_record = 0.001;
  double probe = 0.0;
  for (size_t k = 0; k < lam_sim_probe_count(sim); k++) {
    const lam_probe *pr = lam_sim_probe(sim, k, NULL, NULL);
    probe += (double)(lam_probe_ncontacts(pr) + lam_probe_ncsd(pr));
  }
  cr_expect_float_eq(lam_sim_record_bytes(sim, flags, &o), 8.0 * 1001 * (per + probe), 1e-6);
  lam_sim_free(sim);

  const char *sets[] = {"run.record=layers,attn"};
  sim = sim_of("default.ini", sets, 1);
  sys = lam_sim_system(sim); /* the first simulation's system is freed */
  cr_assert_eq(lam_sim_record_flags(sim, flags, &err), LAM_OK, "%s", err.msg);
  for (size_t p = 0; p < sys->npops; p++) {
    cr_expect_eq(flags[p], strcmp(lam_sim_system(sim)->pops[p].name, "l5a") != 0,
                 "%s", lam_sim_system(sim)->pops[p].name);
  }
  lam_sim_free(sim);
  free(flags);
  cr_expect(lam_sim_pairwise_pop("v1.attn") && lam_sim_pairwise_pop("l5a"));
  cr_expect(!lam_sim_pairwise_pop("l5b") && !lam_sim_pairwise_pop("attn2"));
}
