/* test_solver_budget.c: the solver's time budget (lam_solver_stats
 * solver_seconds and rhs_seconds; docs/performance.md).
 *
 * A decay y' = -y whose right-hand side holds the processor for a fixed
 * D = 200 us per evaluation (it spins on the clock): whatever the machine's
 * speed or load, the time inside the right-hand side is at least
 * nfevals x D, at most the time inside the integrator, which is at most the
 * wall time around the lam_solver_advance calls. Each integrator (CVODE
 * Adams and BDF, ARKODE ERK, Heun) must account its evaluations this way;
 * an integrator that did not time its right-hand side reads 0 and fails the
 * lower bound. The monitor (lam_solver_set_monitor) runs once after each
 * evaluation of CVODE and ARKODE, inside the integrator call, and never for
 * Heun. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lam_solver.h"
#include "lam_time.h"

#define D 200e-6

typedef struct spin {
  long calls;
} spin;

static int spin_rhs(void *self, double t, const double *y, double *dy) {
  (void)t;
  spin *s = self;
  s->calls++;
  const double t0 = lam_time_now();
  while (lam_time_now() - t0 < D) {
  }
  dy[0] = -y[0];
  return 0;
}

static void spin_observe(void *self, size_t pop, double t, const double *y,
                         double *out) {
  (void)self, (void)pop, (void)t;
  out[0] = y[0];
}

/* Counts its calls and how many found a count of evaluations other than
 * its own: called once after each evaluation, none is off. */
typedef struct mon {
  const spin *sp;
  long n, off;
} mon;

static void count_monitor(void *ctx) {
  mon *m = ctx;
  m->n++;
  m->off += m->sp->calls != m->n;
}

static void check_budget(const char *method) {
  static const lam_system_ops ops = {.rhs = spin_rhs, .observe = spin_observe};
  static const lam_pop_info pop = {"y", "1", 1, 1, "", "decaying variable"};
  const double y0[1] = {1.0};
  spin sp = {0};
  lam_system sys = {.ops = &ops, .self = &sp, .n = 1, .npops = 1,
                    .pops = &pop, .y0 = (double *)y0, .kind = "spin"};
  lam_solver_params p;
  lam_err err = {0, ""};
  cr_assert_eq(lam_param_defaults(lam_solver_table, lam_solver_ntable, &p, &err),
               LAM_OK);
  p.method = lam_choice_index(lam_solver_table[0].choices, method);
  cr_assert_geq(p.method, 0, "%s", method);
  p.heun_dt = 0.01;
  lam_solver *s = NULL;
  cr_assert_eq(lam_solver_new(&sys, &p, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
  mon mn = {&sp, 0, 0};
  lam_solver_set_monitor(s, count_monitor, &mn);
  double y[1] = {y0[0]}, wall = 0.0; /* Heun advances y in place */
  for (int i = 1; i <= 10; i++) {
    const double t0 = lam_time_now();
    cr_assert_eq(lam_solver_advance(s, 0.1 * i, y, &err), LAM_OK, "%s", err.msg);
    wall += lam_time_now() - t0;
  }
  /* The answer, to the default tolerances (Heun: second order, dt 0.01). */
  cr_expect_lt(fabs(y[0] - exp(-1.0)), 1e-4, "%s: y(1) = %.9g", method, y[0]);
  lam_solver_stats st;
  lam_solver_get_stats(s, &st);
  cr_expect_eq(st.nfevals, sp.calls, "%s: %ld evaluations counted, %ld made",
               method, st.nfevals, sp.calls);
  cr_expect_geq(st.rhs_seconds, (double)sp.calls * D,
                "%s: %ld evaluations of %g s each, %g s accounted", method,
                sp.calls, D, st.rhs_seconds);
  cr_expect_leq(st.rhs_seconds, st.solver_seconds, "%s: rhs %g s, solver %g s",
                method, st.rhs_seconds, st.solver_seconds);
  cr_expect_leq(st.solver_seconds, wall, "%s: solver %g s, wall %g s", method,
                st.solver_seconds, wall);
  const int heun = !strcmp(method, "heun");
  cr_expect_eq(mn.n, heun ? 0 : sp.calls, "%s: monitor called %ld times, %ld evaluations",
               method, mn.n, sp.calls);
  cr_expect_eq(mn.off, 0, "%s: %ld monitor calls not right after an evaluation", method,
               mn.off);
  lam_solver_free(s);
}

Test(solver_budget, method_row_is_method) {
  cr_assert_str_eq(lam_solver_table[0].key, "method");
}

Test(solver_budget, adams) { check_budget("adams"); }
Test(solver_budget, bdf) { check_budget("bdf"); }
Test(solver_budget, erk) { check_budget("erk"); }
Test(solver_budget, heun) { check_budget("heun"); }
