/* test_stability.c: equilibria, eigenvalues and continuation against
 * closed forms and published bifurcation values.
 *
 * - A linear system dx/dt = M x + c: the equilibrium -M^-1 c and the
 *   eigenvalues of M are known exactly.
 * - The normal form of the fold, dx/dt = mu - x^2 (plus a decoupled stable
 *   variable), has its fold at mu = 0.
 * - The Jansen-Rit column continued in p: Hopf points at p = 89.83/s and
 *   315.70/s and a fold at 113.59/s (Grimbert & Faugeras 2006 [S15];
 *   docs/neural-masses.md), each within 0.5 %, Hopf frequencies 10-11.5 Hz
 *   (the computed 10.4 and 11.2 Hz: alpha).
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "lam_model.h"
#include "lam_stability.h"
#include "lam_stability_family.h"

static void setup(void) { gsl_set_error_handler_off(); }

/* ---- linear system ---- */

typedef struct lin {
  double M[9], c[3];
} lin;

static int lin_rhs(void *self, double t, const double *y, double *dy) {
  const lin *L = self;
  (void)t;
  for (int i = 0; i < 3; i++) {
    dy[i] = L->c[i];
    for (int j = 0; j < 3; j++) {
      dy[i] += L->M[i * 3 + j] * y[j];
    }
  }
  return 0;
}

static const lam_system_ops lin_ops = {.rhs = lin_rhs};

Test(stability, linear_fixed_point_and_eigenvalues, .init = setup) {
  /* Block [[-1, -4], [4, -1]] (eigenvalues -1 +- 4i) and -3. */
  lin L = {{-1, -4, 0, 4, -1, 0, 0, 0, -3}, {1, 2, 3}};
  double y0[3] = {5, -5, 5};
  lam_system sys = {.ops = &lin_ops, .self = &L, .n = 3, .y0 = y0};
  double x[3], re[3], im[3];
  lam_err err;
  cr_assert_eq(lam_stability_fixed_point(&sys, y0, x, NULL, &err), LAM_OK,
               "%s", err.msg);
  /* -M^-1 c with M^-1 = 1/17 [[-1, 4], [-4, -1]] on the block:
   * x = -(1/17) (-1 + 8, -4 - 2) = (-7, 6) / 17; and x3 = 3 / 3. */
  cr_assert_float_eq(x[0], -7.0 / 17.0, 1e-10);
  cr_assert_float_eq(x[1], 6.0 / 17.0, 1e-10);
  cr_assert_float_eq(x[2], 1.0, 1e-10);
  cr_assert_eq(lam_stability_eigen(&sys, x, re, im, NULL, &err), LAM_OK);
  cr_assert_float_eq(re[0], -1.0, 1e-6);
  cr_assert_float_eq(fabs(im[0]), 4.0, 1e-6);
  cr_assert_float_eq(re[1], -1.0, 1e-6);
  cr_assert_float_eq(im[0] + im[1], 0.0, 1e-9);
  cr_assert_float_eq(re[2], -3.0, 1e-6);
}

/* ---- fold normal form ---- */

typedef struct foldnf {
  double mu;
  double y0[2];
  lam_system sys;
} foldnf;

static int fold_rhs(void *self, double t, const double *y, double *dy) {
  const foldnf *F = self;
  (void)t;
  dy[0] = F->mu - y[0] * y[0];
  dy[1] = -y[1];
  return 0;
}
static const lam_system_ops fold_ops = {.rhs = fold_rhs};

static int fold_at(void *ctx, double mu, const lam_system **sys,
                   lam_err *err) {
  (void)err;
  foldnf *F = ctx;
  F->mu = mu;
  *sys = &F->sys;
  return LAM_OK;
}

Test(stability, fold_normal_form, .init = setup) {
  foldnf F = {.mu = 1.0, .y0 = {1.0, 0.3}};
  F.sys = (lam_system){.ops = &fold_ops, .self = &F, .n = 2, .y0 = F.y0};
  /* Start on the stable branch x = sqrt(mu) at mu = 1 and go down: the
   * branch turns at mu = 0 and returns along x = -sqrt(mu). */
  lam_continuation c = {.mu_lo = -0.5, .mu_hi = 1.0, .mu_start = 1.0,
                        .ds = 0.01, .max_steps = 2000};
  lam_bifurcation b[4];
  size_t nb = 0;
  lam_err err;
  cr_assert_eq(lam_stability_continue(fold_at, &F, &c, NULL, b, 4, &nb, &err),
               LAM_OK, "%s", err.msg);
  cr_assert_eq(nb, 1, "found %zu bifurcations", nb);
  cr_assert_eq(b[0].type, LAM_BIF_FOLD);
  cr_assert(fabs(b[0].mu) < 1e-8, "fold at mu = %g", b[0].mu);
}

Test(stability, bad_range, .init = setup) {
  foldnf F = {.mu = 1.0, .y0 = {1.0, 0.0}};
  F.sys = (lam_system){.ops = &fold_ops, .self = &F, .n = 2, .y0 = F.y0};
  lam_continuation c = {.mu_lo = 1.0, .mu_hi = 0.0, .mu_start = 1.0,
                        .ds = 0.01, .max_steps = 10};
  lam_bifurcation b[1];
  size_t nb;
  lam_err err;
  cr_assert_eq(lam_stability_continue(fold_at, &F, &c, NULL, b, 1, &nb, &err),
               LAM_EINVAL);
  lam_stability_family *fam = NULL;
  lam_sim_params *m = lam_sim_params_new(LAM_KIND_JANSEN_RIT, &err);
  cr_assert(m, "%s", err.msg);
  cr_assert_eq(lam_stability_family_new(m, "nodot", &fam, &err), LAM_EINVAL);
  cr_assert_eq(lam_stability_family_new(m, "jansen_rit.nope", &fam, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "nope"), "%s", err.msg);
  lam_sim_params_free(m);
}

/* ---- Jansen-Rit ---- */

static int near_rel(double x, double ref, double rel) {
  return fabs(x - ref) <= rel * fabs(ref);
}

Test(stability, jansen_rit_bifurcations_in_p, .init = setup) {
  /* Built from numbers, no model file: kind jansen-rit, p = 0. */
  lam_err err;
  lam_sim_params *m = lam_sim_params_new(LAM_KIND_JANSEN_RIT, &err);
  cr_assert(m, "%s", err.msg);
  m->jansen_rit.p = 0.0;
  lam_stability_family *fam = NULL;
  cr_assert_eq(lam_stability_family_new(m, "jansen_rit.p", &fam, &err), LAM_OK,
               "%s", err.msg);
  lam_continuation c = {.mu_lo = -100.0, .mu_hi = 400.0, .mu_start = -100.0,
                        .ds = 2.0, .max_steps = 5000};
  lam_bifurcation b[16];
  size_t nb = 0;
  cr_assert_eq(lam_stability_continue(lam_stability_family_at, fam, &c, NULL,
                                      b, 16, &nb, &err),
               LAM_OK, "%s", err.msg);
  int hopf1 = 0, hopf2 = 0, fold = 0;
  for (size_t i = 0; i < nb && i < 16; i++) {
    cr_log_info("%s at p = %.4f /s, %.3f Hz", b[i].type == LAM_BIF_HOPF ? "hopf" : "fold",
                b[i].mu, b[i].freq_hz);
    if (b[i].type == LAM_BIF_HOPF && near_rel(b[i].mu, 89.83, 0.005)) {
      hopf1 = 1;
      cr_expect(b[i].freq_hz >= 10.0 && b[i].freq_hz <= 11.5, "%g Hz", b[i].freq_hz);
    }
    if (b[i].type == LAM_BIF_HOPF && near_rel(b[i].mu, 315.70, 0.005)) {
      hopf2 = 1;
      cr_expect(b[i].freq_hz >= 10.0 && b[i].freq_hz <= 11.5, "%g Hz", b[i].freq_hz);
    }
    if (b[i].type == LAM_BIF_FOLD && near_rel(b[i].mu, 113.59, 0.005)) {
      fold = 1;
    }
  }
  cr_expect(hopf1, "no Hopf point within 0.5 %% of p = 89.83/s");
  cr_expect(hopf2, "no Hopf point within 0.5 %% of p = 315.70/s");
  cr_expect(fold, "no fold within 0.5 %% of p = 113.59/s");
  lam_stability_family_free(fam);
  lam_sim_params_free(m);
}
