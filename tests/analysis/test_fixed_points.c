/* test_fixed_points.c: the multistart equilibrium search and the branch
 * driver (analysis/lam_fixed_points.h) against closed forms and published
 * bifurcation values.
 *
 * - Logistic growth dx/dt = r x (1 - x / K): equilibria 0 (eigenvalue r,
 *   unstable) and K (eigenvalue -r, stable); the multistart finds both.
 * - A damped oscillator with a constant force, dx/dt = v,
 *   dv/dt = -w^2 x - 2 z w v + c: one equilibrium (c / w^2, 0), eigenvalues
 *   -z w +- i w sqrt(1 - z^2), dominant frequency w sqrt(1 - z^2) / 2 pi.
 * - dx/dt = 1 + x^2 has no equilibrium: LAM_ENOTFOUND.
 * - The Jansen-Rit column followed in p from -100 to 400/s: Hopf points at
 *   p = 89.83/s and 315.70/s, a fold at 113.59/s (Grimbert & Faugeras 2006
 *   [S15]), each within 0.5 %, Hopf frequencies 10-11.5 Hz; the branch
 *   starts at p = -100 and its stability changes where they are. At
 *   p = 50/s, between the folds of its S-shaped branch, three equilibria,
 *   the middle one a saddle (one eigenvalue with Re > 0).
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846

#include "lam_fixed_points.h"
#include "lam_sim_params.h"
#include "lam_stability_family.h"

static void setup(void) { gsl_set_error_handler_off(); }

static int near_rel(double x, double ref, double rel) {
  return fabs(x - ref) <= rel * fabs(ref);
}

/* ---- closed forms ---- */

typedef struct par {
  double p[4];
} par;

static int logistic(void *self, double t, const double *y, double *dy) {
  const par *P = self;
  (void)t;
  dy[0] = P->p[0] * y[0] * (1.0 - y[0] / P->p[1]);
  return 0;
}

static int oscillator(void *self, double t, const double *y, double *dy) {
  const par *P = self;
  const double w = P->p[0], z = P->p[1], c = P->p[2];
  (void)t;
  dy[0] = y[1];
  dy[1] = -w * w * y[0] - 2.0 * z * w * y[1] + c;
  return 0;
}

static int no_root(void *self, double t, const double *y, double *dy) {
  (void)self;
  (void)t;
  dy[0] = 1.0 + y[0] * y[0];
  return 0;
}

static const lam_system_ops logistic_ops = {.rhs = logistic};
static const lam_system_ops oscillator_ops = {.rhs = oscillator};
static const lam_system_ops no_root_ops = {.rhs = no_root};

Test(fixed_points, defaults) {
  lam_fixed_points_opts o = lam_fixed_points_defaults();
  cr_assert_eq(o.guesses, 64);
  cr_assert_eq(o.seed, 1);
  cr_assert_float_eq(o.same_tol, 1e-6, 0);
  cr_assert_float_eq(o.stab.tol_f, lam_stability_defaults().tol_f, 0);
  lam_branch_opts b = lam_branch_defaults();
  cr_assert_eq(b.steps, 400);
  cr_assert_eq(b.max_steps_factor, 50);
  cr_assert_eq(b.max_bif, 256);
}

Test(fixed_points, logistic_two_equilibria, .init = setup) {
  par P = {{2.0, 3.0}};
  double y0[1] = {1.0};
  lam_system sys = {.ops = &logistic_ops, .self = &P, .n = 1, .y0 = y0};
  lam_equilibrium *e = NULL;
  size_t ne = 0;
  lam_err err;
  cr_assert_eq(lam_fixed_points_find(&sys, NULL, &e, &ne, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(ne, 2);
  /* Sorted by x: 0 then K. */
  cr_assert_float_eq(e[0].x[0], 0.0, 1e-9);
  cr_assert_float_eq(e[0].re[0], 2.0, 1e-5);
  cr_assert_eq(e[0].nunstable, 1);
  cr_assert_float_eq(e[1].x[0], 3.0, 1e-9);
  cr_assert_float_eq(e[1].re[0], -2.0, 1e-5);
  cr_assert_eq(e[1].nunstable, 0);
  cr_assert(isnan(e[1].dom_hz), "a real eigenvalue has no frequency");
  lam_fixed_points_free(e, ne);
}

Test(fixed_points, damped_oscillator, .init = setup) {
  const double w = 2.0 * PI * 10.0, z = 0.1, c = 50.0;
  par P = {{w, z, c}};
  double y0[2] = {0.0, 0.0};
  lam_system sys = {.ops = &oscillator_ops, .self = &P, .n = 2, .y0 = y0};
  lam_fixed_points_opts o = lam_fixed_points_defaults();
  o.guesses = 8;
  lam_equilibrium *e = NULL;
  size_t ne = 0;
  lam_err err;
  cr_assert_eq(lam_fixed_points_find(&sys, &o, &e, &ne, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(ne, 1, "a linear system has one equilibrium");
  cr_assert(near_rel(e[0].x[0], c / (w * w), 1e-8), "%g", e[0].x[0]);
  cr_assert_float_eq(e[0].x[1], 0.0, 1e-9);
  const double wd = w * sqrt(1.0 - z * z);
  cr_assert(near_rel(e[0].re[0], -z * w, 1e-5), "%g", e[0].re[0]);
  cr_assert(near_rel(fabs(e[0].im[0]), wd, 1e-5), "%g", e[0].im[0]);
  cr_assert_eq(e[0].nunstable, 0);
  cr_assert(near_rel(e[0].dom_hz, wd / (2.0 * PI), 1e-5), "%g Hz", e[0].dom_hz);
  /* The same from the eigenvalues directly. */
  cr_assert_float_eq(lam_fixed_points_dominant_hz(e[0].re, e[0].im, 2, 1e-9),
                     e[0].dom_hz, 0);
  lam_fixed_points_free(e, ne);
}

Test(fixed_points, dominant_hz_of_real_and_complex) {
  const double re[3] = {-1.0, -1.0, -5.0}, im[3] = {0.0, 0.0, 0.0};
  cr_assert(isnan(lam_fixed_points_dominant_hz(re, im, 3, 1e-9)));
  const double re2[3] = {0.5, -2.0, -2.0}, im2[3] = {0.0, 6.0, -6.0};
  cr_assert_float_eq(lam_fixed_points_dominant_hz(re2, im2, 3, 1e-9),
                     6.0 / (2.0 * PI), 1e-12);
}

Test(fixed_points, none_found, .init = setup) {
  double y0[1] = {0.0};
  lam_system sys = {.ops = &no_root_ops, .n = 1, .y0 = y0};
  lam_fixed_points_opts o = lam_fixed_points_defaults();
  o.guesses = 5;
  lam_equilibrium *e = NULL;
  size_t ne = 7;
  lam_err err;
  cr_assert_eq(lam_fixed_points_find(&sys, &o, &e, &ne, &err), LAM_ENOTFOUND);
  cr_assert_null(e);
  cr_assert_eq(ne, 0);
  cr_assert(strstr(err.msg, "from 5 starting points"), "%s", err.msg);
  o.guesses = 0;
  cr_assert_eq(lam_fixed_points_find(&sys, &o, &e, &ne, &err), LAM_EINVAL);
}

/* ---- Jansen-Rit ---- */

/* A Jansen-Rit column at input rate p, built from numbers. */
static lam_sim_params *jansen_rit(double p) {
  lam_err err;
  lam_sim_params *m = lam_sim_params_new(LAM_KIND_JANSEN_RIT, &err);
  cr_assert(m, "%s", err.msg);
  m->jansen_rit.p = p;
  return m;
}

Test(fixed_points, jansen_rit_branch_in_p, .init = setup) {
  lam_sim_params *m = jansen_rit(0.0);
  lam_stability_family *fam = NULL;
  lam_err err;
  cr_assert_eq(lam_stability_family_new(m, "jansen_rit.p", &fam, &err), LAM_OK,
               "%s", err.msg);
  lam_branch_opts o = lam_branch_defaults();
  o.lo = -100.0;
  o.hi = 400.0;
  o.steps = 250;
  lam_branch *b = NULL;
  cr_assert_eq(lam_fixed_points_branch(lam_stability_family_at, fam, &o, &b, &err),
               LAM_OK, "%s", err.msg);
  lam_stability_family_free(fam);
  lam_sim_params_free(m);
  cr_assert_eq(b->n, 6, "Jansen-Rit has 6 state variables");
  cr_assert_gt(b->len, 250);
  cr_assert_float_eq(b->mu[0], -100.0, 1e-12);
  cr_assert_eq(b->nunstable[0], 0, "stable at p = -100");
  int hopf1 = 0, hopf2 = 0, fold = 0;
  for (size_t i = 0; i < b->nbif; i++) {
    const lam_bifurcation *f = &b->bif[i];
    if (f->type == LAM_BIF_HOPF && (near_rel(f->mu, 89.83, 0.005) ||
                                    near_rel(f->mu, 315.70, 0.005))) {
      hopf1 += near_rel(f->mu, 89.83, 0.005);
      hopf2 += near_rel(f->mu, 315.70, 0.005);
      cr_assert(f->freq_hz >= 10.0 && f->freq_hz <= 11.5, "%g Hz", f->freq_hz);
    }
    fold += f->type == LAM_BIF_FOLD && near_rel(f->mu, 113.59, 0.005);
  }
  cr_assert_eq(hopf1, 1, "Hopf near 89.83/s");
  cr_assert_eq(hopf2, 1, "Hopf near 315.70/s");
  cr_assert_eq(fold, 1, "fold near 113.59/s");
  /* Between the Hopf points the equilibrium is unstable (a complex pair). */
  int unstable_inside = 0;
  for (size_t i = 0; i < b->len; i++) {
    unstable_inside |= b->mu[i] > 150.0 && b->mu[i] < 300.0 && b->nunstable[i] >= 2;
  }
  cr_assert(unstable_inside);
  lam_branch_free(b);
}

Test(fixed_points, jansen_rit_three_equilibria_at_p50, .init = setup) {
  lam_sim_params *m = jansen_rit(50.0);
  lam_stability_family *fam = NULL;
  lam_err err;
  cr_assert_eq(lam_stability_family_new(m, "jansen_rit.p", &fam, &err), LAM_OK,
               "%s", err.msg);
  const lam_system *sys = NULL;
  cr_assert_eq(lam_stability_family_at(fam, 50.0, &sys, &err), LAM_OK, "%s", err.msg);
  lam_equilibrium *e = NULL;
  size_t ne = 0;
  cr_assert_eq(lam_fixed_points_find(sys, NULL, &e, &ne, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(ne, 3);
  cr_assert_eq(e[0].nunstable, 0);
  cr_assert_eq(e[1].nunstable, 1, "the middle equilibrium is a saddle");
  for (size_t k = 0; k < ne; k++) {
    /* y3 = y4 = y5 = 0 at every Jansen-Rit equilibrium. */
    for (size_t i = 3; i < 6; i++) {
      cr_assert_float_eq(e[k].x[i], 0.0, 1e-9);
    }
  }
  lam_fixed_points_free(e, ne);
  lam_stability_family_free(fam);
  lam_sim_params_free(m);
}
