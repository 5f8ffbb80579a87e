/* lam_solver.c: the one file that talks to SUNDIALS (CVODE 6.x), plus the
 * dispatch to the stochastic Heun integrator. See lam_solver.h. */
#include "lam_solver.h"

#include <cvode/cvode.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

#include "lam_heun.h"
#include "lam_nvector.h"

#define S lam_solver_params
const lam_param lam_solver_table[] = {
    LAM_CHOICE(S, method, "adams", "adams|bdf|heun",
               "Integrator: CVODE Adams (non-stiff), CVODE BDF + SPGMR (stiff), "
               "or fixed-step stochastic Heun (white noise)"),
    LAM_REAL(S, rtol, "1e-6", "1", 1e-14, 1, "Relative tolerance (CVODE)"),
    LAM_REAL(S, atol, "1e-9", "state units", 1e-20, 1e3, "Absolute tolerance (CVODE)"),
    LAM_INT(S, max_steps, "100000", "1", 1, 1e12, "Maximum internal steps per output interval (CVODE)"),
    LAM_INT(S, max_order, "0", "1", 0, 12, "Maximum method order (0: CVODE's default, 12 Adams / 5 BDF)"),
    LAM_REAL(S, h_max, "0", "s", 0, 1e6, "Maximum step size (0: unlimited)"),
    LAM_REAL(S, heun_dt, "0.0001", "s", 1e-9, 1, "Step of the stochastic Heun integrator"),
    LAM_INT(S, seed, "1", "1", 0, 4294967295.0, "Seed of the white noise (heun)"),
};
#undef S
const size_t lam_solver_ntable = LAM_NELEM(lam_solver_table);

struct lam_solver {
  const lam_system *sys;
  lam_solver_params p;
  SUNContext ctx;
  void *cvode;
  N_Vector y;
  SUNLinearSolver ls;
  SUNNonlinearSolver nls;
  lam_heun *heun;
  double t;
  char msg[512]; /* last CVODE message, from the error handler */
};

static int f_cvode(sunrealtype t, N_Vector y, N_Vector ydot, void *user) {
  const lam_solver *s = user;
  return s->sys->ops->rhs(s->sys->self, t, N_VGetArrayPointer(y),
                          N_VGetArrayPointer(ydot));
}

/* CVODE would print to stderr; keep the message for lam_err instead. */
static void on_error(int code, const char *module, const char *function,
                     char *msg, void *user) {
  lam_solver *s = user;
  snprintf(s->msg, sizeof s->msg, "%s/%s (%d): %s", module, function, code,
           msg);
}

void lam_solver_free(lam_solver *s) {
  if (!s) {
    return;
  }
  if (s->cvode) {
    CVodeFree(&s->cvode);
  }
  if (s->ls) {
    SUNLinSolFree(s->ls);
  }
  if (s->nls) {
    SUNNonlinSolFree(s->nls);
  }
  if (s->y) {
    N_VDestroy(s->y);
  }
  if (s->ctx) {
    SUNContext_Free(&s->ctx);
  }
  lam_heun_free(s->heun);
  free(s);
}

static int fail(lam_solver *s, lam_err *err, const char *what, int flag) {
  return lam_err_set(err, LAM_ESOLVER, "solver: %s failed (flag %d)%s%s", what,
                     flag, s->msg[0] ? ": " : "", s->msg);
}

int lam_solver_new(const lam_system *sys, const lam_solver_params *p,
                   double t0, const double *y0, lam_solver **out,
                   lam_err *err) {
  *out = NULL;
  lam_solver *s = calloc(1, sizeof *s);
  if (!s) {
    return LAM_NOMEM(err);
  }
  s->sys = sys;
  s->p = *p;
  s->t = t0;
  if (p->method == LAM_SOLVER_HEUN) {
    int rc = lam_heun_new(sys, p->heun_dt, (unsigned long)p->seed, &s->heun,
                          err);
    if (rc) {
      free(s);
      return rc;
    }
    s->y = NULL;
    *out = s;
    return lam_solver_reset(s, t0, y0, err);
  }
  int flag = SUNContext_Create(NULL, &s->ctx);
  if (flag) {
    free(s);
    return lam_err_set(err, LAM_ESOLVER, "solver: SUNContext_Create failed");
  }
  s->y = N_VNew_Serial((sunindextype)sys->n, s->ctx);
  if (!s->y) {
    lam_solver_free(s);
    return LAM_NOMEM(err);
  }
  /* Optimised kernels for CVODE's hot vector operations (lam_nvector.h). */
  lam_nvector_use_fast_ops(s->y);
  memcpy(N_VGetArrayPointer(s->y), y0, sys->n * sizeof(double));
  s->cvode = CVodeCreate(p->method == LAM_SOLVER_BDF ? CV_BDF : CV_ADAMS,
                         s->ctx);
  if (!s->cvode) {
    lam_solver_free(s);
    return lam_err_set(err, LAM_ESOLVER, "solver: CVodeCreate failed");
  }
  CVodeSetErrHandlerFn(s->cvode, on_error, s);
  if ((flag = CVodeInit(s->cvode, f_cvode, t0, s->y))) {
    int rc = fail(s, err, "CVodeInit", flag);
    lam_solver_free(s);
    return rc;
  }
  CVodeSetUserData(s->cvode, s);
  CVodeSStolerances(s->cvode, p->rtol, p->atol);
  CVodeSetMaxNumSteps(s->cvode, p->max_steps);
  if (p->max_order > 0) {
    CVodeSetMaxOrd(s->cvode, (int)p->max_order);
  }
  if (p->h_max > 0) {
    CVodeSetMaxStep(s->cvode, p->h_max);
  }
  if (p->method == LAM_SOLVER_BDF) {
    /* Matrix-free Newton-Krylov: no Jacobian matrix is stored. */
    s->ls = SUNLinSol_SPGMR(s->y, SUN_PREC_NONE, 0, s->ctx);
    if (!s->ls || CVodeSetLinearSolver(s->cvode, s->ls, NULL)) {
      int rc = fail(s, err, "SPGMR set-up", -1);
      lam_solver_free(s);
      return rc;
    }
  } else {
    /* Adams on non-stiff problems: fixed-point iteration, no Jacobian and
     * no linear solver (CVODE's default Newton would need one). */
    s->nls = SUNNonlinSol_FixedPoint(s->y, 0, s->ctx);
    if (!s->nls || CVodeSetNonlinearSolver(s->cvode, s->nls)) {
      int rc = fail(s, err, "fixed-point solver set-up", -1);
      lam_solver_free(s);
      return rc;
    }
  }
  *out = s;
  return LAM_OK;
}

int lam_solver_reset(lam_solver *s, double t0, const double *y0,
                     lam_err *err) {
  s->t = t0;
  if (s->heun) {
    return LAM_OK;
  }
  memcpy(N_VGetArrayPointer(s->y), y0, s->sys->n * sizeof(double));
  int flag = CVodeReInit(s->cvode, t0, s->y);
  return flag ? fail(s, err, "CVodeReInit", flag) : LAM_OK;
}

static int check_finite(const double *y, size_t n, double t, lam_err *err) {
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(y[i])) {
      return lam_err_set(err, LAM_ENONFINITE,
                         "solver: state variable %zu is not finite at t = %g s",
                         i, t);
    }
  }
  return LAM_OK;
}

int lam_solver_advance(lam_solver *s, double tout, double *y, lam_err *err) {
  if (s->heun) {
    int rc = lam_heun_advance(s->heun, &s->t, y, tout, err);
    return rc ? rc : check_finite(y, s->sys->n, tout, err);
  }
  sunrealtype tret = s->t;
  s->msg[0] = '\0';
  int flag = CVode(s->cvode, tout, s->y, &tret, CV_NORMAL);
  if (flag < 0) {
    return lam_err_set(err, LAM_ESOLVER,
                       "solver: CVODE failed at t = %g s (flag %d)%s%s", tret,
                       flag, s->msg[0] ? ": " : "", s->msg);
  }
  s->t = tret;
  memcpy(y, N_VGetArrayPointer(s->y), s->sys->n * sizeof(double));
  return check_finite(y, s->sys->n, tret, err);
}

int lam_solver_set_stop(lam_solver *s, double tstop, lam_err *err) {
  if (s->heun) {
    return LAM_OK; /* Heun's steps end exactly on every output time */
  }
  /* CVODE never steps past a stop time, so no right-hand-side evaluation
   * sees the input beyond the discontinuity. A stop time survives
   * CVodeReInit and SUNDIALS 6.4 has no call to clear it, so "no stop" is
   * a stop time beyond any simulation. */
  int flag = CVodeSetStopTime(s->cvode, isfinite(tstop) ? tstop : 1e300);
  return flag ? fail(s, err, "CVodeSetStopTime", flag) : LAM_OK;
}

void lam_solver_get_stats(const lam_solver *s, lam_solver_stats *st) {
  memset(st, 0, sizeof *st);
  if (s->heun) {
    lam_heun_stats(s->heun, &st->nsteps, &st->nfevals);
    st->last_step = s->p.heun_dt;
    st->last_order = 1;
    return;
  }
  CVodeGetNumSteps(s->cvode, &st->nsteps);
  CVodeGetNumRhsEvals(s->cvode, &st->nfevals);
  CVodeGetNumErrTestFails(s->cvode, &st->netfails);
  CVodeGetNumNonlinSolvIters(s->cvode, &st->nniters);
  CVodeGetNumNonlinSolvConvFails(s->cvode, &st->nncfails);
  CVodeGetLastOrder(s->cvode, &st->last_order);
  CVodeGetLastStep(s->cvode, &st->last_step);
  if (s->ls) {
    CVodeGetNumLinIters(s->cvode, &st->nliters);
    CVodeGetNumJtimesEvals(s->cvode, &st->njvevals);
    long fels = 0;
    CVodeGetNumLinRhsEvals(s->cvode, &fels);
    st->nfevals += fels;
  }
}
