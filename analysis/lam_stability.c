/* lam_stability.c: equilibria, eigenvalues and pseudo-arclength
 * continuation (see lam_stability.h for the method). */
#include "lam_stability.h"

#include <gsl/gsl_complex.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multiroots.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


lam_stability_opts lam_stability_defaults(void) {
  return (lam_stability_opts){.t = 0.0,
                              .tol_step = 1e-12,
                              .tol_f = 1e-6,
                              .max_iter = 200,
                              .fd_rel = 1e-6,
                              .im_tol = 1e-9,
                              .mu_tol = 1e-10};
}

/* ---- Root finding ---- */

/* The function handed to GSL: f(x) of a fixed system, or the augmented
 * F(x, mu) with the arclength hyperplane tau . (z - zp) = 0. */
typedef struct problem {
  const lam_system *sys; /* fixed system (augmented: NULL) */
  lam_stability_at at;
  void *ctx;
  size_t n;
  double t;
  const double *tau, *zp; /* augmented: n + 1 each */
  lam_err *err;
} problem;

static int f_gsl(const gsl_vector *z, void *params, gsl_vector *out) {
  problem *P = params;
  const lam_system *sys = P->sys;
  if (!sys) {
    if (P->at(P->ctx, gsl_vector_get(z, P->n), &sys, P->err)) {
      return GSL_EBADFUNC;
    }
  }
  if (sys->ops->rhs(sys->self, P->t, z->data, out->data)) {
    return GSL_EBADFUNC;
  }
  if (!P->sys) {
    double s = 0.0;
    for (size_t i = 0; i <= P->n; i++) {
      s += P->tau[i] * (gsl_vector_get(z, i) - P->zp[i]);
    }
    gsl_vector_set(out, P->n, s);
  }
  for (size_t i = 0; i < out->size; i++) {
    if (!isfinite(gsl_vector_get(out, i))) {
      return GSL_EBADFUNC;
    }
  }
  return GSL_SUCCESS;
}

/* Solve from z (in place). 0 on convergence, else a GSL code or -1. */
static int solve(gsl_multiroot_fsolver *s, problem *P, double *z, size_t dim,
                 const lam_stability_opts *o, double *resid) {
  gsl_multiroot_function F = {f_gsl, dim, P};
  gsl_vector_view zv = gsl_vector_view_array(z, dim);
  int st = gsl_multiroot_fsolver_set(s, &F, &zv.vector);
  if (st) {
    return st;
  }
  int conv = 0;
  for (long it = 0; it < o->max_iter && !conv; it++) {
    st = gsl_multiroot_fsolver_iterate(s);
    double r = 0.0;
    for (size_t i = 0; i < dim; i++) {
      r = fmax(r, fabs(gsl_vector_get(s->f, i)));
    }
    *resid = r;
    if (st && st != GSL_ENOPROG && st != GSL_ENOPROGJ) {
      return st;
    }
    const int small_step =
        gsl_multiroot_test_delta(s->dx, s->x, o->tol_step, o->tol_step) ==
        GSL_SUCCESS;
    if (r <= o->tol_f && (small_step || st)) {
      conv = 1;
    } else if (st) {
      return st; /* no progress and not converged */
    }
  }
  if (!conv) {
    return -1;
  }
  memcpy(z, s->x->data, dim * sizeof *z);
  return 0;
}

int lam_stability_fixed_point(const lam_system *sys, const double *guess,
                              double *x, const lam_stability_opts *opts,
                              lam_err *err) {
  const lam_stability_opts o = opts ? *opts : lam_stability_defaults();
  const size_t n = sys->n;
  gsl_multiroot_fsolver *s =
      gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, n);
  if (!s) {
    return LAM_NOMEM(err);
  }
  memcpy(x, guess, n * sizeof *x);
  problem P = {.sys = sys, .n = n, .t = o.t, .err = err};
  double r = NAN;
  int st = solve(s, &P, x, n, &o, &r);
  gsl_multiroot_fsolver_free(s);
  /* Powell's method can stall far from the root (a local minimum of |f|);
   * plain Newton from the same guess often passes it. */
  if (st) {
    s = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_dnewton, n);
    if (!s) {
      return LAM_NOMEM(err);
    }
    memcpy(x, guess, n * sizeof *x);
    st = solve(s, &P, x, n, &o, &r);
    gsl_multiroot_fsolver_free(s);
  }
  if (st) {
    return lam_err_set(err, LAM_ESOLVER,
                       "stability: no equilibrium found (%s; residual %g)",
                       st > 0 ? gsl_strerror(st) : "iteration limit", r);
  }
  return LAM_OK;
}

/* ---- Linearisation ---- */

int lam_stability_jacobian(const lam_system *sys, const double *x, double *J,
                           const lam_stability_opts *opts, lam_err *err) {
  const lam_stability_opts o = opts ? *opts : lam_stability_defaults();
  const size_t n = sys->n;
  double *xp = malloc(n * sizeof *xp), *fp = malloc(n * sizeof *fp),
         *fm = malloc(n * sizeof *fm);
  int rc = LAM_OK;
  if (!xp || !fp || !fm) {
    rc = LAM_NOMEM(err);
  }
  for (size_t j = 0; !rc && j < n; j++) {
    memcpy(xp, x, n * sizeof *xp);
    const double h = o.fd_rel * (1.0 + fabs(x[j]));
    xp[j] = x[j] + h;
    int a = sys->ops->rhs(sys->self, o.t, xp, fp);
    xp[j] = x[j] - h;
    int b = sys->ops->rhs(sys->self, o.t, xp, fm);
    if (a || b) {
      rc = lam_err_set(err, LAM_ESOLVER,
                       "stability: right-hand side failed while forming the Jacobian");
      break;
    }
    for (size_t i = 0; i < n; i++) {
      J[i * n + j] = (fp[i] - fm[i]) / (2.0 * h);
    }
  }
  free(xp);
  free(fp);
  free(fm);
  return rc;
}

typedef struct eig_pair {
  double re, im;
} eig_pair;

static int by_re_desc(const void *a, const void *b) {
  const eig_pair *p = a, *q = b;
  return (p->re < q->re) - (p->re > q->re);
}

int lam_stability_eigen(const lam_system *sys, const double *x, double *re,
                        double *im, const lam_stability_opts *opts,
                        lam_err *err) {
  const size_t n = sys->n;
  gsl_matrix *J = gsl_matrix_alloc(n, n);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
  gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(n);
  eig_pair *pairs = malloc(n * sizeof *pairs);
  int rc = LAM_OK;
  if (!J || !ev || !w || !pairs) {
    rc = LAM_NOMEM(err);
  }
  if (!rc) {
    rc = lam_stability_jacobian(sys, x, J->data, opts, err);
  }
  if (!rc) {
    /* Balancing helps the mixed scales of neural masses (a^2 y vs y'). */
    gsl_eigen_nonsymm_params(0, 1, w);
    int st = gsl_eigen_nonsymm(J, ev, w);
    if (st) {
      rc = lam_err_set(err, LAM_ESOLVER, "stability: eigenvalues: %s",
                       gsl_strerror(st));
    }
  }
  if (!rc) {
    for (size_t i = 0; i < n; i++) {
      gsl_complex z = gsl_vector_complex_get(ev, i);
      pairs[i] = (eig_pair){GSL_REAL(z), GSL_IMAG(z)};
    }
    qsort(pairs, n, sizeof *pairs, by_re_desc);
    for (size_t i = 0; i < n; i++) {
      re[i] = pairs[i].re;
      im[i] = pairs[i].im;
    }
  }
  gsl_matrix_free(J);
  gsl_vector_complex_free(ev);
  gsl_eigen_nonsymm_free(w);
  free(pairs);
  return rc;
}

/* ---- Continuation ---- */

typedef struct point_info {
  int detsign;      /* sign of det J = (-1)^(number of real negative eigenvalues) */
  size_t nunstable; /* eigenvalues with Re > 0 */
  double hopf_re, hopf_im; /* complex eigenvalue closest to the imaginary axis */
} point_info;

typedef struct cont {
  lam_stability_at at;
  void *ctx;
  size_t n;
  lam_stability_opts o;
  gsl_multiroot_fsolver *s;
  double *re, *im, *zp, *tau, *ztry;
  lam_err *err;
} cont;

static int analyse(cont *C, const double *z, point_info *pi) {
  const lam_system *sys;
  int rc = C->at(C->ctx, z[C->n], &sys, C->err);
  if (!rc) {
    rc = lam_stability_eigen(sys, z, C->re, C->im, &C->o, C->err);
  }
  if (rc) {
    return rc;
  }
  double maxabs = 0.0;
  for (size_t i = 0; i < C->n; i++) {
    maxabs = fmax(maxabs, hypot(C->re[i], C->im[i]));
  }
  pi->detsign = 1;
  pi->nunstable = 0;
  pi->hopf_re = INFINITY;
  pi->hopf_im = 0.0;
  for (size_t i = 0; i < C->n; i++) {
    const int complex_ = fabs(C->im[i]) > C->o.im_tol * maxabs;
    if (C->re[i] > 0.0) {
      pi->nunstable++;
    }
    if (!complex_ && C->re[i] < 0.0) {
      pi->detsign = -pi->detsign;
    }
    if (complex_ && fabs(C->re[i]) < fabs(pi->hopf_re)) {
      pi->hopf_re = C->re[i];
      pi->hopf_im = fabs(C->im[i]);
    }
  }
  return LAM_OK;
}

/* Corrector: the point on the branch in the hyperplane through
 * zp = z1 + ds tau normal to tau, starting from zp. Result in C->ztry. */
static int correct(cont *C, const double *z1, double ds) {
  const size_t d = C->n + 1;
  for (size_t i = 0; i < d; i++) {
    C->zp[i] = z1[i] + ds * C->tau[i];
  }
  memcpy(C->ztry, C->zp, d * sizeof *C->ztry);
  problem P = {.at = C->at, .ctx = C->ctx, .n = C->n, .t = C->o.t,
               .tau = C->tau, .zp = C->zp, .err = C->err};
  double r;
  if (solve(C->s, &P, C->ztry, d, &C->o, &r)) {
    return -1;
  }
  /* Reject a jump to another branch: the correction must stay short. */
  double dist = 0.0;
  for (size_t i = 0; i < d; i++) {
    dist += (C->ztry[i] - C->zp[i]) * (C->ztry[i] - C->zp[i]);
  }
  return sqrt(dist) <= ds ? 0 : -1;
}

/* Bisection on the step in [0, ds] for the change of a predicate between
 * z1 (info a) and the end of the step; writes the bifurcation. */
static int refine(cont *C, const double *z1, double ds, const point_info *a,
                  int type, lam_bifurcation *bif) {
  double lo = 0.0, hi = ds, mu_lo = z1[C->n], mu_hi = NAN;
  point_info pi = *a;
  for (int it = 0; it < 200; it++) {
    const double mid = 0.5 * (lo + hi);
    if (correct(C, z1, mid)) {
      return lam_err_set(C->err, LAM_ESOLVER,
                         "stability: corrector failed while refining near mu = %g",
                         z1[C->n]);
    }
    int rc = analyse(C, C->ztry, &pi);
    if (rc) {
      return rc;
    }
    const int same = type == LAM_BIF_FOLD ? pi.detsign == a->detsign
                                          : pi.nunstable == a->nunstable;
    if (same) {
      lo = mid;
      mu_lo = C->ztry[C->n];
    } else {
      hi = mid;
      mu_hi = C->ztry[C->n];
    }
    if (isfinite(mu_hi) &&
        fabs(mu_hi - mu_lo) <= C->o.mu_tol * (1.0 + fabs(mu_lo)) &&
        hi - lo <= 1e-6 * ds) {
      break;
    }
  }
  bif->type = type;
  bif->mu = isfinite(mu_hi) ? 0.5 * (mu_lo + mu_hi) : mu_lo;
  bif->freq_hz = type == LAM_BIF_HOPF ? pi.hopf_im / (2.0 * M_PI) : 0.0;
  return LAM_OK;
}

static void cont_free(cont *C) {
  if (C->s) {
    gsl_multiroot_fsolver_free(C->s);
  }
  free(C->re);
  free(C->im);
  free(C->zp);
  free(C->tau);
  free(C->ztry);
}

static void record(lam_bifurcation *out, size_t max_out, size_t *nfound,
                   const lam_bifurcation *b) {
  if (*nfound < max_out) {
    out[*nfound] = *b;
  }
  (*nfound)++;
}

int lam_stability_continue(lam_stability_at at, void *ctx,
                           const lam_continuation *c,
                           const lam_stability_opts *opts,
                           lam_bifurcation *out, size_t max_out,
                           size_t *nfound, lam_err *err) {
  *nfound = 0;
  if (!(c->mu_lo < c->mu_hi) || !(c->ds > 0.0) || c->max_steps < 2 ||
      !(c->mu_start >= c->mu_lo && c->mu_start <= c->mu_hi)) {
    return lam_err_set(err, LAM_EINVAL,
                       "stability: continuation needs mu_lo < mu_hi, mu_start in the range, "
                       "ds > 0 and max_steps >= 2 (got [%g, %g], start %g, ds %g, %ld steps)",
                       c->mu_lo, c->mu_hi, c->mu_start, c->ds, c->max_steps);
  }
  const lam_system *sys;
  int rc = at(ctx, c->mu_start, &sys, err);
  if (rc) {
    return rc;
  }
  const size_t n = sys->n, d = n + 1;
  cont C = {.at = at, .ctx = ctx, .n = n,
            .o = opts ? *opts : lam_stability_defaults(), .err = err};
  C.s = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, d);
  C.re = malloc(n * sizeof *C.re);
  C.im = malloc(n * sizeof *C.im);
  C.zp = malloc(d * sizeof *C.zp);
  C.tau = malloc(d * sizeof *C.tau);
  C.ztry = malloc(d * sizeof *C.ztry);
  double *z0 = malloc(d * sizeof *z0), *z1 = malloc(d * sizeof *z1);
  if (!C.s || !C.re || !C.im || !C.zp || !C.tau || !C.ztry || !z0 || !z1) {
    cont_free(&C);
    free(z0);
    free(z1);
    return LAM_NOMEM(err);
  }
  /* Two equilibria at fixed mu start the secant. */
  const double dir = c->dir ? (c->dir > 0 ? 1.0 : -1.0)
                            : (c->mu_start < c->mu_hi ? 1.0 : -1.0);
  const double mus[2] = {c->mu_start, c->mu_start + dir * c->ds};
  double *zs[2] = {z0, z1};
  for (int k = 0; !rc && k < 2; k++) {
    rc = at(ctx, mus[k], &sys, err);
    if (!rc) {
      rc = lam_stability_fixed_point(sys, k ? z0 : (c->guess ? c->guess : sys->y0),
                                     zs[k], &C.o, err);
    }
    if (rc) {
      lam_err_prefix(err, "at mu = %g: ", mus[k]);
    }
    zs[k][n] = mus[k];
  }
  point_info a, b;
  if (!rc) {
    rc = analyse(&C, z0, &a);
  }
  if (!rc && c->on_point) {
    c->on_point(c->point_ctx, z0[n], z0, a.nunstable);
  }
  double ds = c->ds;
  for (long step = 0; !rc && step < c->max_steps; step++) {
    /* Secant direction from the last two points. */
    double norm = 0.0;
    for (size_t i = 0; i < d; i++) {
      C.tau[i] = z1[i] - z0[i];
      norm += C.tau[i] * C.tau[i];
    }
    norm = sqrt(norm);
    for (size_t i = 0; i < d; i++) {
      C.tau[i] /= norm;
    }
    if (step == 0) {
      /* z1 came from a fixed-mu solve: step from z0 so z1 is on the path. */
      memcpy(z1, z0, d * sizeof *z1);
    }
    while (correct(&C, z1, ds)) {
      ds *= 0.5;
      if (ds < c->ds / 1024.0) {
        rc = lam_err_set(err, LAM_ESOLVER,
                         "stability: continuation stopped at mu = %g: the corrector "
                         "fails even at 1/1024 of the step",
                         z1[n]);
        break;
      }
    }
    if (rc) {
      break;
    }
    rc = analyse(&C, C.ztry, &b);
    if (rc) {
      break;
    }
    double *znew = malloc(d * sizeof *znew);
    if (!znew) {
      rc = LAM_NOMEM(err);
      break;
    }
    memcpy(znew, C.ztry, d * sizeof *znew);
    const int fold = b.detsign != a.detsign;
    const int hopf = !fold && b.nunstable != a.nunstable;
    if (fold || hopf) {
      lam_bifurcation bif;
      rc = refine(&C, z1, ds, &a, fold ? LAM_BIF_FOLD : LAM_BIF_HOPF, &bif);
      if (!rc && bif.mu >= c->mu_lo && bif.mu <= c->mu_hi) {
        record(out, max_out, nfound, &bif);
      }
    }
    if (!rc && c->on_point) {
      c->on_point(c->point_ctx, znew[n], znew, b.nunstable);
    }
    memcpy(z0, z1, d * sizeof *z0);
    memcpy(z1, znew, d * sizeof *z1);
    free(znew);
    a = b;
    ds = fmin(2.0 * ds, c->ds);
    if (z1[n] < c->mu_lo || z1[n] > c->mu_hi) {
      break;
    }
  }
  cont_free(&C);
  free(z0);
  free(z1);
  return rc;
}
