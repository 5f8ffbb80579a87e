/* lam_stability.h: equilibria, their linear stability, and one-parameter
 * continuation with Hopf and fold detection, for any lam_system.
 *
 * Equilibria x* with f(t, x*) = 0 are found by GSL multiroots (Powell's
 * hybrid method, hybrids); the Jacobian is formed by central differences of
 * the system's right-hand side and its eigenvalues by GSL's nonsymmetric
 * eigensolver. The continuation follows the curve F(x, mu) = 0 by
 * pseudo-arclength (secant predictor, corrector on the hyperplane normal to
 * the secant, solved by hybrids in n + 1 unknowns), so it passes folds and
 * follows S-shaped branches back and forth in mu. Along it:
 *   - a fold (saddle-node) is where det J changes sign (a real eigenvalue
 *     through zero);
 *   - a Hopf point is where the number of eigenvalues with Re > 0 and
 *     Im != 0 changes (a complex pair through the imaginary axis);
 * each is refined by bisection on the arclength, and a Hopf point reports
 * |Im lambda| / 2 pi as its frequency (the system's time unit is s, so Hz).
 *
 * The caller supplies the family mu -> system with a callback; for a model
 * file, lam_stability_family_new builds it from "section.key" (the same
 * model file as runs and sweeps; the model is rebuilt for each new mu).
 * Units of mu are the key's. GSL's error handler must be off in the caller
 * (gsl_set_error_handler_off): this library never installs it.
 */
#ifndef LAM_STABILITY_H
#define LAM_STABILITY_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_system.h"

typedef struct lam_stability_opts {
  double t;         /* s, time at which f is evaluated (autonomous: any) */
  double tol_step;  /* relative step tolerance of the root finder */
  double tol_f;     /* absolute residual accepted at convergence, state units/s */
  long max_iter;    /* root-finder iterations */
  double fd_rel;    /* relative finite-difference step of the Jacobian */
  double im_tol;    /* |Im| / max|lambda| below which an eigenvalue is real */
  double mu_tol;    /* relative tolerance of the bisection on mu */
} lam_stability_opts;

/* t 0, tol_step 1e-12, tol_f 1e-6, max_iter 200, fd_rel 1e-6, im_tol 1e-9,
 * mu_tol 1e-10. */
lam_stability_opts lam_stability_defaults(void);

/* An equilibrium of sys near guess (n values) into x (n values). LAM_ESOLVER
 * when the root finder does not converge (message: iterations, residual),
 * LAM_ENOMEM. opts NULL: defaults. */
int lam_stability_fixed_point(const lam_system *sys, const double *guess,
                              double *x, const lam_stability_opts *opts,
                              lam_err *err);

/* The n x n Jacobian df/dy at x, row-major J[i * n + j] = df_i/dy_j, by
 * central differences. LAM_ESOLVER if the right-hand side fails. */
int lam_stability_jacobian(const lam_system *sys, const double *x, double *J,
                           const lam_stability_opts *opts, lam_err *err);

/* The n eigenvalues of the Jacobian at x, sorted by decreasing real part,
 * into re[n], im[n] (1/s). LAM_ESOLVER if GSL fails. */
int lam_stability_eigen(const lam_system *sys, const double *x, double *re,
                        double *im, const lam_stability_opts *opts,
                        lam_err *err);

/* The family mu -> system: set *sys to the system at parameter mu. The
 * system may be rebuilt or changed in place; it must stay valid until the
 * next call. */
typedef int (*lam_stability_at)(void *ctx, double mu, const lam_system **sys,
                                lam_err *err);

enum { LAM_BIF_HOPF, LAM_BIF_FOLD };

typedef struct lam_bifurcation {
  int type;       /* LAM_BIF_HOPF or LAM_BIF_FOLD */
  double mu;      /* parameter value */
  double freq_hz; /* Hopf: |Im lambda| / 2 pi; fold: 0 */
} lam_bifurcation;

typedef struct lam_continuation {
  double mu_lo, mu_hi; /* stop when mu leaves [mu_lo, mu_hi] */
  double mu_start;     /* first point (usually mu_lo or mu_hi) */
  double ds;           /* arclength step in (state, mu) units; > 0 */
  long max_steps;      /* bound on the number of points */
  const double *guess; /* state near the equilibrium at mu_start (NULL:
                          the system's y0) */
  int dir;             /* first direction in mu: +1 increasing, -1
                          decreasing, 0 towards mu_hi unless mu_start is it */
  /* Optional: called at every point of the branch with the number of
   * eigenvalues with positive real part. */
  void (*on_point)(void *ctx, double mu, const double *x, size_t nunstable);
  void *point_ctx;
} lam_continuation;

/* Follow the equilibrium branch from mu_start (in direction c->dir, or by
 * default increasing mu if mu_start < mu_hi, else decreasing) until mu leaves
 * [mu_lo, mu_hi] or max_steps points; write up to max_out bifurcations in
 * the order met into out and their count into *nfound (it may exceed
 * max_out: only max_out are stored). LAM_EINVAL for a bad range or step,
 * LAM_ESOLVER when the first equilibrium cannot be found or the corrector
 * fails even at 1/1024 of the step. */
int lam_stability_continue(lam_stability_at at, void *ctx,
                           const lam_continuation *c,
                           const lam_stability_opts *opts,
                           lam_bifurcation *out, size_t max_out,
                           size_t *nfound, lam_err *err);

#endif
