/* lam_solver.c: the one file that talks to SUNDIALS (CVODE 6.x and ARKODE's
 * ERKStep 5.x), plus the dispatch to the stochastic Heun integrator. See
 * lam_solver.h. */
#include "lam_solver.h"

#include <arkode/arkode_erkstep.h>
#include <cvode/cvode.h>
#include <math.h>
#include <stdint.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

#include "lam_heun.h"
#include "lam_nvector.h"
#include "lam_par.h"
#include "lam_time.h"

#define S lam_solver_params
const lam_param lam_solver_table[] = {
    LAM_CHOICE(S, method, "auto", "adams|bdf|heun|erk|auto",
               "Integrator: CVODE Adams (non-stiff), CVODE BDF + SPGMR (stiff), "
               "fixed-step stochastic Heun (white noise), ARKODE's adaptive "
               "explicit Runge-Kutta (non-stiff), or auto: heun with white "
               "noise, bdf for stiff models, else erk switching to bdf where "
               "a stiffness test fires"),
    LAM_REAL(S, rtol, "1e-6", "1", 1e-14, 1, "Relative tolerance (CVODE, ARKODE)"),
    LAM_REAL(S, atol, "1e-9", "state units", 1e-20, 1e3, "Absolute tolerance (CVODE, ARKODE)"),
    LAM_INT(S, max_steps, "100000", "1", 1, 1e12, "Maximum internal steps per output interval (CVODE, ARKODE)"),
    LAM_INT(S, max_order, "0", "1", 0, 12, "Maximum method order (0: CVODE's default, 12 Adams / 5 BDF; erk: set by erk_table)"),
    LAM_REAL(S, h_max, "0", "s", 0, 1e6, "Maximum step size (0: unlimited)"),
    LAM_REAL(S, heun_dt, "0.0001", "s", 1e-9, 1, "Step of the stochastic Heun integrator"),
    LAM_INT(S, seed, "1", "1", 0, 4294967295.0, "Seed of the white noise (heun)"),
    LAM_CHOICE(S, erk_table, "dormand-prince",
               "dormand-prince|verner|bogacki-shampine",
               "Butcher table of method = erk (ARKODE): Dormand-Prince 5(4), "
               "7 stages (first same as last); Verner 6(5), 8 stages; "
               "Bogacki-Shampine 3(2), 4 stages (loose tolerances)"),
    LAM_INT(S, threads, "0", "1", 0, LAM_PAR_MAX_THREADS,
            "Threads for the solver's long vector passes and the T x T blocks "
            "of attention networks (OpenMP; same results for any count; 0: "
            "the cores other running tasks leave free at the start, falling "
            "back to one thread while that runs faster; 1 in a build without "
            "OpenMP)"),
};
#undef S
const size_t lam_solver_ntable = LAM_NELEM(lam_solver_table);

/* method = auto's erk with Dormand-Prince: samples from the method's own
 * continuous extension instead of ERKStep's Hermite interpolant. ERKStep
 * 5.4's degree-4 Hermite evaluates the right-hand side once more for every
 * output time (10,000 of the 55,084 evaluations of a 10 s Jansen-Rit run at
 * 1 kHz); the continuous extension of Dormand & Prince's pair (Shampine
 * 1986 [S45], the one SciPy's RK45 uses) is a combination of the step's
 * own stages, also of order 4, at no evaluation. ERKStep does not hand out
 * its stages, but it evaluates each into its own stage vector through our
 * right-hand side, so the wrapper notes the time and vector of every call;
 * after a step the last six calls are stages 2..7 when their times are
 * t_n + c_i h (checked, else the Hermite interpolant is used, as before). */
enum { DENSE_RING = 8 };
typedef struct dense_out {
  N_Vector k0, out;       /* f(t_n, y_n) (a copy), the sample */
  N_Vector k[6];          /* stages 2..7: ERKStep's vectors, not owned */
  double tn, t1, h;       /* the last step taken, [tn, t1], h = t1 - tn */
  int have_step, have_k0; /* a step since the (re)start; k0 is f(tn, yn) */
  int found;              /* the last step's stages 2..7 were found */
  int ok;                 /* ... and its k0: the interpolant is there */
  double stop;            /* the stop time ERKStep holds now (NAN: none known) */
  int partial;            /* the last sample filled only the sample range */
  double partial_t;       /* ... at this time, */
  unsigned long partial_calls; /* ... when ncalls was this */
  double h_free;          /* the next step ERKStep proposed after the last
                             step not cut to end on a stop time (NAN: none) */
  double call_t[DENSE_RING];
  N_Vector call_v[DENSE_RING];
  unsigned long ncalls;   /* right-hand sides evaluated through f_cvode */
} dense_out;

struct lam_solver {
  const lam_system *sys;
  lam_solver_params p;
  SUNContext ctx;
  void *cvode;
  void *erk; /* ARKODE ERKStep memory (method = erk) */
  N_Vector y;
  SUNLinearSolver ls;
  SUNNonlinearSolver nls;
  lam_heun *heun;
  double t;
  lam_solver_stats done; /* counts of the runs before the last restart */
  double solver_seconds, rhs_seconds; /* wall time, the whole life */
  lam_solver_monitor monitor; /* lam_solver_set_monitor */
  void *monitor_ctx;
  int is_auto;         /* method = auto (LAM_SOLVER_AUTO or _AUTO_STIFF) */
  int method;          /* running now: p.method, or auto's choice */
  int method_start;    /* the first one */
  double switch_time;  /* auto: erk -> bdf, NAN: none */
  double tstop;        /* the stop time set (1e300: none), for a switch */
  long test_steps;     /* erk steps at the last stiffness test */
  long test_gap;       /* erk steps from one test to the next (auto_vote) */
  int votes;           /* consecutive tests that found the step held */
  double hrho;         /* the last test's h rho, NAN: none yet */
  long test_fevals;    /* right-hand sides the tests evaluated */
  double *pw;          /* the tests' vectors: 4 x n, then ewt_auto's y: n */
  int have_dir;        /* pw's last direction is a start for the next */
  int have_prev;       /* ewt_auto has the state of its last call */
  dense_out *dense;    /* auto's erk: Dormand-Prince's own interpolant */
  size_t sample_lo, sample_hi; /* lam_solver_set_sample_range (hi 0: all) */
  char msg[512]; /* last SUNDIALS message, from the error handler */
};

/* ARKODE's built-in table for each erk_table choice (order 5, 6, 3).
 * Not offered: Fehlberg 8(7) (ARKODE_FEHLBERG_13_7_8): its error estimate
 * uses 4 of its 13 stages and under-reads: a damped 5 Hz oscillator at
 * rtol = atol = 1e-10 ended 2.5e-7 off its closed form (Dormand-Prince and
 * Verner: < 1e-8), Jansen-Rit at 1e-8 was 8e-6 mV off (Dormand-Prince
 * 5e-8), for 13 stages of vector passes per step. */
static const ARKODE_ERKTableID erk_tables[] = {
    [LAM_ERK_DORMAND_PRINCE] = ARKODE_DORMAND_PRINCE_7_4_5,
    [LAM_ERK_VERNER] = ARKODE_VERNER_8_5_6,
    [LAM_ERK_BOGACKI_SHAMPINE] = ARKODE_BOGACKI_SHAMPINE_4_2_3,
};

/* The right-hand side, timed: two clock reads per evaluation, ~0.1 % of
 * the cheapest evaluation measured (a 1000-column Jansen-Rit network). */
static int f_cvode(sunrealtype t, N_Vector y, N_Vector ydot, void *user) {
  lam_solver *s = user;
  if (s->dense) {
    dense_out *d = s->dense;
    d->call_t[d->ncalls % DENSE_RING] = t;
    d->call_v[d->ncalls % DENSE_RING] = ydot;
    d->ncalls++;
  }
  const double t0 = lam_time_now();
  int rc = s->sys->ops->rhs(s->sys->self, t, N_VGetArrayPointer(y),
                            N_VGetArrayPointer(ydot));
  s->rhs_seconds += lam_time_now() - t0;
  if (s->monitor) {
    s->monitor(s->monitor_ctx);
  }
  return rc;
}

/* The error weights w_i = 1 / (rtol |y_i| + atol) in one pass
 * (lam_nvector_ewt) where CVODE's and ARKODE's own code for scalar
 * tolerances makes four, every step: 2.4 % of the instructions of a
 * 1000-column Jansen-Rit run (docs/performance.md). The same weights; atol
 * > 0 (the parameter table's range), so none is infinite and the solvers'
 * positivity check has nothing to catch. */
static int ewt_fn(N_Vector y, N_Vector w, void *user) {
  const lam_solver *s = user;
  lam_nvector_ewt(y, s->p.rtol, s->p.atol, w);
  return 0;
}

/* method = auto's erk: w_i = 1 / (rtol max(|y_i|, |y_prev,i|) + atol),
 * y_prev the state of the last call (the last accepted step's start; y
 * itself after a start or restart). The error weights of SciPy's RK45 take
 * the larger of |y| at both ends of the step for the same reason: a state
 * variable passing through zero (the Jansen-Rit PSPs' derivatives, a
 * thousand of them in a large network) would otherwise weigh its error
 * with 1 / atol at a step that starts next to zero and with 1 / (rtol |y|)
 * at the next, and the error norm jumps with those few variables, not with
 * the step: ERKStep rejected 30 % of its steps on the 1000-column
 * Jansen-Rit network, against SciPy's 4 %; with these weights 0.1 %, and
 * 55,084 right-hand sides for 10 s instead of 76,097 (docs/solvers.md,
 * "`auto`"). */
static int ewt_auto_fn(N_Vector y, N_Vector w, void *user) {
  lam_solver *s = user;
  const size_t n = s->sys->n;
  double *prev = s->pw + 4 * n;
  if (n == 0) {
    return 0; /* no pw to keep y in */
  }
  if (!s->have_prev) {
    memcpy(prev, N_VGetArrayPointer(y), n * sizeof *prev);
    s->have_prev = 1;
  }
  lam_nvector_ewt_max(y, prev, s->p.rtol, s->p.atol, w);
  return 0;
}

/* CVODE and ARKODE would print to stderr; keep the message for lam_err
 * instead (both handlers have this signature). */
static void on_error(int code, const char *module, const char *function,
                     char *msg, void *user) {
  lam_solver *s = user;
  snprintf(s->msg, sizeof s->msg, "%s/%s (%d): %s", module, function, code,
           msg);
}

static void dense_free(dense_out *d) {
  if (!d) {
    return;
  }
  N_Vector v[] = {d->k0, d->out};
  for (size_t i = 0; i < LAM_NELEM(v); i++) {
    if (v[i]) {
      N_VDestroy(v[i]);
    }
  }
  free(d);
}

/* Dormand-Prince's continuous extension, y(t_n + theta h) = y_n + h sum_i
 * b_i(theta) k_i with b_i(theta) = sum_j P_ij theta^(j+1) (Shampine 1986
 * [S45]; the same P as SciPy's RK45). b_i(1) is the pair's fifth-order
 * weights [S44] exactly; the second stage's row is zero. */
static const double dense_p[7][4] = {
    {1.0, -8048581381.0 / 2820520608.0, 8663915743.0 / 2820520608.0,
     -12715105075.0 / 11282082432.0},
    {0.0, 0.0, 0.0, 0.0},
    {0.0, 131558114200.0 / 32700410799.0, -68118460800.0 / 10900136933.0,
     87487479700.0 / 32700410799.0},
    {0.0, -1754552775.0 / 470086768.0, 14199869525.0 / 1410260304.0,
     -10690763975.0 / 1880347072.0},
    {0.0, 127303824393.0 / 49829197408.0, -318862633887.0 / 49829197408.0,
     701980252875.0 / 199316789632.0},
    {0.0, -282668133.0 / 205662961.0, 2019193451.0 / 616988883.0,
     -1453857185.0 / 822651844.0},
    {0.0, 40617522.0 / 29380423.0, -110615467.0 / 29380423.0,
     69997945.0 / 29380423.0}};
/* The nodes c_2..c_7 of ARKODE_DORMAND_PRINCE_7_4_5. */
static const double dense_c[6] = {0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0};

static int dense_new(lam_solver *s) {
  dense_out *d = calloc(1, sizeof *d);
  if (!d) {
    return LAM_ENOMEM;
  }
  s->dense = d;
  d->stop = NAN;
  d->h_free = NAN;
  d->k0 = N_VClone(s->y);
  d->out = N_VClone(s->y);
  return d->k0 && d->out ? LAM_OK : LAM_ENOMEM;
}

/* After a step [tn, tn + h]: whether the last six right-hand sides were its
 * stages 2..7, at t_n + c_i h into six different vectors; keeps them. */
static int dense_find_stages(dense_out *d, unsigned long calls_before) {
  if (d->ncalls - calls_before < 6) {
    return 0;
  }
  const double tol = 1e-9 * fabs(d->h);
  for (int i = 0; i < 6; i++) {
    const unsigned long c = d->ncalls - 6 + (unsigned long)i;
    if (!(fabs(d->call_t[c % DENSE_RING] - (d->tn + dense_c[i] * d->h)) <=
          tol)) {
      return 0;
    }
    d->k[i] = d->call_v[c % DENSE_RING];
    for (int j = 0; j < i; j++) {
      if (d->k[j] == d->k[i]) {
        return 0;
      }
    }
  }
  return 1;
}

void lam_solver_free(lam_solver *s) {
  if (!s) {
    return;
  }
  if (s->cvode) {
    CVodeFree(&s->cvode);
  }
  if (s->erk) {
    ERKStepFree(&s->erk);
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
  free(s->pw);
  dense_free(s->dense);
  free(s);
}

static int fail(lam_solver *s, lam_err *err, const char *what, int flag) {
  return lam_err_set(err, LAM_ESOLVER, "solver: %s failed (flag %d)%s%s", what,
                     flag, s->msg[0] ? ": " : "", s->msg);
}

/* ARKODE's built-in table `id`, made safe for ERKStep 5.4 (SUNDIALS 6.4,
 * Debian's): that ERKStep takes every table whose last abscissa is c_s = 1
 * as "first same as last" and reuses its last stage as f(t_n+1, y_n+1)
 * without checking that the last row of A equals b (SUNDIALS issue #311,
 * fixed in 6.6). Verner 6(5) ends on c_s = 1 without being FSAL, so it
 * silently fell to third order (measured at fixed steps on a harmonic
 * oscillator: the error shrank 8x per halved step, 64x with the fix). Such a table gets one more stage, A_s+1 = b, c = 1, weight 0
 * in b and d: exactly f(t_n+1, y_n+1), which ERKStep evaluates at the end
 * of every step anyway, so the method, its error estimate and its count
 * of right-hand-side evaluations are unchanged, and a fixed ERKStep
 * (which checks the row) reuses it correctly too. NULL if out of memory. */
static ARKodeButcherTable erk_table(ARKODE_ERKTableID id) {
  ARKodeButcherTable b = ARKodeButcherTable_LoadERK(id);
  if (!b) {
    return NULL;
  }
  const int ns = b->stages;
  int fsal = b->c[ns - 1] == 1.0;
  for (int j = 0; fsal && j < ns; j++) {
    fsal = b->A[ns - 1][j] == b->b[j];
  }
  if (fsal || b->c[ns - 1] != 1.0) {
    return b; /* ERKStep 5.4 treats it right */
  }
  const int m = ns + 1;
  double *a = calloc((size_t)(m * m + 3 * m), sizeof *a);
  ARKodeButcherTable e = NULL;
  if (a) {
    double *c = a + m * m, *w = c + m, *d = w + m;
    for (int i = 0; i < ns; i++) {
      for (int j = 0; j < ns; j++) {
        a[i * m + j] = b->A[i][j];
      }
      a[ns * m + i] = b->b[i];
      c[i] = b->c[i];
      w[i] = b->b[i];
      d[i] = b->d[i];
    }
    c[ns] = 1.0;
    e = ARKodeButcherTable_Create(m, b->q, b->p, c, a, w, d);
    free(a);
  }
  ARKodeButcherTable_Free(b);
  return e;
}

/* ERKStep with the table, tolerances and step limits of p. */
static int erk_new(lam_solver *s, double t0, lam_err *err) {
  const lam_solver_params *p = &s->p;
  if (p->erk_table < 0 || (size_t)p->erk_table >= LAM_NELEM(erk_tables)) {
    return LAM_INTERNAL(err, "erk_table out of range");
  }
  s->erk = ERKStepCreate(f_cvode, t0, s->y, s->ctx);
  if (!s->erk) {
    return lam_err_set(err, LAM_ESOLVER, "solver: ERKStepCreate failed");
  }
  ERKStepSetErrHandlerFn(s->erk, on_error, s);
  int flag = ERKStepSetUserData(s->erk, s);
  if (!flag) {
    ARKodeButcherTable b = erk_table(erk_tables[p->erk_table]);
    if (!b) {
      return LAM_NOMEM(err);
    }
    flag = ERKStepSetTable(s->erk, b); /* ERKStep keeps a copy */
    /* Output is ERKStep's Hermite interpolant, of degree q - 1 by default.
     * ERKStep 5.4 evaluates the right-hand side again for every output time
     * from degree 4 on (once at 4, several times at 5): at 1 kHz output
     * Verner's degree 5 cost 40 % more evaluations than degree 4 for the
     * same error on a 100-column Jansen-Rit run (7.0e-5 mV both). Degree 4
     * (Dormand-Prince's default) for Verner; 3 would skip the evaluation but
     * lose an order at output times (16x the error at rtol 1e-8). */
    if (!flag && b->q - 1 > 4) {
      flag = ERKStepSetInterpolantDegree(s->erk, 4);
    }
    /* auto with Dormand-Prince samples from the pair's continuous
     * extension (struct dense_out); ERKStep's interpolant serves only
     * where the stages are not known (the first step after a start) and
     * at a stop time, where ARKODE returns its value. Degree 3 needs no
     * right-hand side of its own there; degree 4 evaluated one more in
     * every step that ended on a kink, and pushed that step's stages out
     * of the last six calls. */
    if (!flag && s->is_auto && p->erk_table == LAM_ERK_DORMAND_PRINCE) {
      flag = ERKStepSetInterpolantDegree(s->erk, 3);
    }
    ARKodeButcherTable_Free(b);
  }
  if (!flag) {
    flag = ERKStepWFtolerances(s->erk, s->is_auto ? ewt_auto_fn : ewt_fn);
  }
  if (!flag) {
    flag = ERKStepSetMaxNumSteps(s->erk, p->max_steps);
  }
  if (!flag && p->h_max > 0) {
    flag = ERKStepSetMaxStep(s->erk, p->h_max);
  }
  return flag ? fail(s, err, "ERKStep set-up", flag) : LAM_OK;
}

/* CVODE, Adams (fixed point) or BDF (SPGMR), starting at (t0, s->y). */
static int cvode_new(lam_solver *s, int method, double t0, lam_err *err) {
  const lam_solver_params *p = &s->p;
  s->cvode = CVodeCreate(method == LAM_SOLVER_BDF ? CV_BDF : CV_ADAMS, s->ctx);
  if (!s->cvode) {
    return lam_err_set(err, LAM_ESOLVER, "solver: CVodeCreate failed");
  }
  CVodeSetErrHandlerFn(s->cvode, on_error, s);
  int flag = CVodeInit(s->cvode, f_cvode, t0, s->y);
  if (flag) {
    return fail(s, err, "CVodeInit", flag);
  }
  CVodeSetUserData(s->cvode, s);
  CVodeWFtolerances(s->cvode, ewt_fn);
  CVodeSetMaxNumSteps(s->cvode, p->max_steps);
  if (p->max_order > 0) {
    /* Adams' orders go to 12, BDF's to 5: a switch to bdf keeps a value
     * that only Adams accepts at BDF's limit. */
    long mo = method == LAM_SOLVER_BDF && p->max_order > 5 ? 5 : p->max_order;
    CVodeSetMaxOrd(s->cvode, (int)mo);
  }
  if (p->h_max > 0) {
    CVodeSetMaxStep(s->cvode, p->h_max);
  }
  if (method == LAM_SOLVER_BDF) {
    /* Matrix-free Newton-Krylov: no Jacobian matrix is stored. */
    s->ls = SUNLinSol_SPGMR(s->y, SUN_PREC_NONE, 0, s->ctx);
    if (!s->ls || CVodeSetLinearSolver(s->cvode, s->ls, NULL)) {
      return fail(s, err, "SPGMR set-up", -1);
    }
  } else {
    /* Adams on non-stiff problems: fixed-point iteration, no Jacobian and
     * no linear solver (CVODE's default Newton would need one). */
    s->nls = SUNNonlinSol_FixedPoint(s->y, 0, s->ctx);
    if (!s->nls || CVodeSetNonlinearSolver(s->cvode, s->nls)) {
      return fail(s, err, "fixed-point solver set-up", -1);
    }
  }
  return LAM_OK;
}

/* method = auto's first choice: heun when any noise amplitude at (t0, y0)
 * is nonzero (CVODE and ARKODE would integrate the drift alone), bdf when
 * the builder knows the model is stiff, else erk. */
static int auto_choice(const lam_system *sys, const lam_solver_params *p,
                       double t0, const double *y0, int *method,
                       lam_err *err) {
  *method = p->method == LAM_SOLVER_AUTO_STIFF ? LAM_SOLVER_BDF : LAM_SOLVER_ERK;
  if (!sys->ops->noise || sys->n == 0) {
    return LAM_OK;
  }
  double *sigma = calloc(sys->n, sizeof *sigma);
  if (!sigma) {
    return LAM_NOMEM(err);
  }
  int rc = sys->ops->noise(sys->self, t0, y0, sigma);
  for (size_t i = 0; rc == 0 && i < sys->n; i++) {
    if (sigma[i] != 0.0) {
      *method = LAM_SOLVER_HEUN;
      break;
    }
  }
  free(sigma);
  return rc ? lam_err_set(err, LAM_EINVAL, "solver: the noise amplitudes "
                          "cannot be evaluated (status %d)", rc)
            : LAM_OK;
}

/* The stiffness test of method = auto. An explicit method's step h is
 * stable while h rho stays inside its stability region, rho the spectral
 * radius of the Jacobian; on a stiff stretch the error control holds the
 * step near that boundary (about 3.3 on the negative real axis for
 * Dormand-Prince 5(4)) although the solution is smooth, and Hairer's test
 * (Hairer & Wanner, Solving ODEs II, IV.2) calls the problem stiff when
 * h rho sits near the boundary for a run of steps. Hairer estimates rho
 * from two stages; ERKStep does not hand its stages out, so rho comes
 * from three power-iteration steps with difference quotients of the
 * right-hand side, (f(y + e v) - f(y)) / e, as LSODA's switch estimates
 * the Jacobian's norm: four evaluations per test, every TEST_STEPS steps
 * at most, warm-started from the last direction. While h rho stays under
 * TEST_FAR of the boundary the gap doubles, up to TEST_GAP_MAX steps: the
 * tests were ~3 % of a non-stiff run's evaluations (h rho 0.02-0.3 on the
 * benchmark networks and the default model), and a run turning stiff is
 * found at most TEST_GAP_MAX steps later, steps held at the boundary. */
enum { TEST_STEPS = 20, TEST_GAP_MAX = 160, TEST_VOTES = 3, TEST_ITERS = 3 };
#define TEST_SHARE 0.8 /* of the boundary: "near" it */
#define TEST_FAR 0.25  /* of the boundary: far from it */

/* The real stability boundary of each erk_table (|R(z)| = 1 on the
 * negative axis): Dormand-Prince 3.31, Verner 6(5) taken as 3.3 (no
 * smaller than Dormand-Prince's, so the test fires no later in doubt),
 * Bogacki-Shampine 2.51. */
static const double erk_boundary[] = {
    [LAM_ERK_DORMAND_PRINCE] = 3.31,
    [LAM_ERK_VERNER] = 3.3,
    [LAM_ERK_BOGACKI_SHAMPINE] = 2.51,
};

static double norm2(const double *v, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    s += v[i] * v[i];
  }
  return sqrt(s);
}

/* h rho at (t, y) with the erk's next step h; NAN when the right-hand side
 * fails there. */
static double stiff_hrho(lam_solver *s, double t, const double *y, double h) {
  const size_t n = s->sys->n;
  double *f0 = s->pw, *v = s->pw + n, *yp = s->pw + 2 * n, *f1 = s->pw + 3 * n;
  const double t0 = lam_time_now();
  int rc = s->sys->ops->rhs(s->sys->self, t, y, f0);
  s->test_fevals++;
  if (!s->have_dir) {
    memcpy(v, f0, n * sizeof *v); /* the solution's own direction */
  }
  double nv = norm2(v, n);
  if (!(nv > 0) || !isfinite(nv)) {
    for (size_t i = 0; i < n; i++) {
      v[i] = 1.0;
    }
    nv = sqrt((double)n);
  }
  const double ny = norm2(y, n);
  double rho = 0.0;
  for (int it = 0; rc == 0 && it < TEST_ITERS; it++) {
    const double e = 1.4901161193847656e-08 * fmax(1.0, ny) / nv;
    for (size_t i = 0; i < n; i++) {
      yp[i] = y[i] + e * v[i];
    }
    rc = s->sys->ops->rhs(s->sys->self, t, yp, f1);
    s->test_fevals++;
    for (size_t i = 0; i < n; i++) {
      v[i] = (f1[i] - f0[i]) / e;
    }
    const double nw = norm2(v, n);
    rho = nw / nv;
    nv = nw;
    if (!(nv > 0) || !isfinite(nv)) {
      break; /* a linear direction with no action: rho = 0 */
    }
  }
  s->rhs_seconds += lam_time_now() - t0;
  s->have_dir = rc == 0 && nv > 0 && isfinite(nv);
  return rc ? NAN : fabs(h) * rho;
}

static void own_stats(const lam_solver *s, lam_solver_stats *st);
static void add_counts(lam_solver_stats *a, const lam_solver_stats *b,
                       long sign);

/* erk -> bdf at (t, s->y): the counts so far go to done, CVODE BDF starts
 * there with the stop time that was set. */
static int switch_to_bdf(lam_solver *s, double t, lam_err *err) {
  lam_solver_stats st;
  own_stats(s, &st);
  add_counts(&s->done, &st, 1);
  ERKStepFree(&s->erk);
  dense_free(s->dense);
  s->dense = NULL;
  int rc = cvode_new(s, LAM_SOLVER_BDF, t, err);
  if (!rc && s->tstop < 1e300) {
    int flag = CVodeSetStopTime(s->cvode, s->tstop);
    rc = flag ? fail(s, err, "CVodeSetStopTime", flag) : LAM_OK;
  }
  s->method = LAM_SOLVER_BDF;
  s->switch_time = t;
  s->t = t;
  return rc;
}

/* The step the stiffness test weighs: the one the error control wants. A
 * step cut short to end on a kink (a noise grid point, struct dense_out)
 * says nothing of stability. */
static double test_step(lam_solver *s) {
  if (s->dense && isfinite(s->dense->h_free)) {
    return s->dense->h_free;
  }
  double h = 0.0;
  ERKStepGetCurrentStep(s->erk, &h);
  return h;
}

/* After an erk advance under auto, with the state at (t, s->y): test every
 * TEST_STEPS steps; 1 once TEST_VOTES tests in a row found the step at the
 * boundary (time to switch). */
static int auto_vote(lam_solver *s, double t) {
  long nst = 0;
  ERKStepGetNumSteps(s->erk, &nst);
  if (nst < s->test_steps) {
    s->test_steps = 0; /* a restart zeroed the count */
  }
  if (nst - s->test_steps < s->test_gap) {
    return 0;
  }
  s->test_steps = nst;
  const double hr = stiff_hrho(s, t, N_VGetArrayPointer(s->y), test_step(s));
  s->hrho = hr;
  const double bound = TEST_SHARE * erk_boundary[s->p.erk_table];
  s->votes = hr >= bound ? s->votes + 1 : 0;
  s->test_gap = hr < TEST_FAR * erk_boundary[s->p.erk_table]
                    ? (2 * s->test_gap < TEST_GAP_MAX ? 2 * s->test_gap : TEST_GAP_MAX)
                    : TEST_STEPS;
  return s->votes >= TEST_VOTES;
}

static int auto_check(lam_solver *s, double t, lam_err *err) {
  return auto_vote(s, t) ? switch_to_bdf(s, t, err) : LAM_OK;
}

const char *lam_solver_auto_reason(const lam_solver_stats *st,
                                   const lam_solver_params *p) {
  if (p->method != LAM_SOLVER_AUTO && p->method != LAM_SOLVER_AUTO_STIFF) {
    return NULL;
  }
  return st->method_start == LAM_SOLVER_HEUN  ? "white noise"
         : st->method_start == LAM_SOLVER_BDF ? "stiff model"
                                              : "deterministic, not known stiff";
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
  s->method = p->method;
  s->test_gap = TEST_STEPS;
  s->switch_time = NAN;
  s->hrho = NAN;
  s->tstop = 1e300;
  s->is_auto = p->method == LAM_SOLVER_AUTO || p->method == LAM_SOLVER_AUTO_STIFF;
  if (s->is_auto) {
    int rc = auto_choice(sys, p, t0, y0, &s->method, err);
    if (!rc && s->method == LAM_SOLVER_ERK) {
      s->pw = malloc(5 * sys->n * sizeof *s->pw);
      rc = s->pw || sys->n == 0 ? LAM_OK : LAM_NOMEM(err);
    }
    if (rc) {
      free(s);
      return rc;
    }
  }
  s->method_start = s->method;
  if (s->method == LAM_SOLVER_HEUN) {
    int rc = lam_heun_new(sys, p->heun_dt, (unsigned long)p->seed, &s->heun,
                          err);
    if (rc) {
      free(s->pw);
      free(s);
      return rc;
    }
    s->y = NULL;
    *out = s;
    return lam_solver_reset(s, t0, y0, err);
  }
  int flag = SUNContext_Create(NULL, &s->ctx);
  if (flag) {
    free(s->pw);
    free(s);
    return lam_err_set(err, LAM_ESOLVER, "solver: SUNContext_Create failed");
  }
  s->y = N_VNew_Serial((sunindextype)sys->n, s->ctx);
  if (!s->y) {
    lam_solver_free(s);
    return LAM_NOMEM(err);
  }
  /* Optimised kernels for the solvers' hot vector operations
   * (lam_nvector.h); ERKStep's stage sums, embedded error, solution update
   * and Hermite interpolation are all N_VLinearCombination calls. */
  if (lam_nvector_use_fast_ops(s->y, (int)p->threads)) {
    lam_solver_free(s);
    return LAM_NOMEM(err);
  }
  memcpy(N_VGetArrayPointer(s->y), y0, sys->n * sizeof(double));
  int rc = s->method == LAM_SOLVER_ERK ? erk_new(s, t0, err)
                                       : cvode_new(s, s->method, t0, err);
  if (!rc && s->is_auto && s->method == LAM_SOLVER_ERK &&
      p->erk_table == LAM_ERK_DORMAND_PRINCE && dense_new(s)) {
    rc = LAM_NOMEM(err);
  }
  if (rc) {
    lam_solver_free(s);
    return rc;
  }
  *out = s;
  return LAM_OK;
}

static void add_counts(lam_solver_stats *a, const lam_solver_stats *b,
                       long sign) {
  a->nsteps += sign * b->nsteps;
  a->nfevals += sign * b->nfevals;
  a->netfails += sign * b->netfails;
  a->nniters += sign * b->nniters;
  a->nncfails += sign * b->nncfails;
  a->nliters += sign * b->nliters;
  a->njvevals += sign * b->njvevals;
}

int lam_solver_reset(lam_solver *s, double t0, const double *y0,
                     lam_err *err) {
  s->t = t0;
  if (s->heun) {
    return LAM_OK;
  }
  /* A restart starts the solver's counters again (CVodeReInit and
   * ERKStepReInit zero them); keep what the run so far has cost. */
  lam_solver_stats before, after;
  own_stats(s, &before);
  memcpy(N_VGetArrayPointer(s->y), y0, s->sys->n * sizeof(double));
  int flag;
  if (s->erk) {
    /* A one-step method carries no history across the break; ReInit also
     * re-estimates the first step from the new right-hand side. */
    s->have_prev = 0;
    if (s->dense) {
      s->dense->have_step = 0; /* the stages before the break are no use */
      s->dense->stop = NAN;
      s->dense->h_free = NAN;
      s->dense->partial = 0;
    }
    flag = ERKStepReInit(s->erk, f_cvode, t0, s->y);
  } else {
    flag = CVodeReInit(s->cvode, t0, s->y);
  }
  own_stats(s, &after);
  add_counts(&s->done, &before, 1);
  add_counts(&s->done, &after, -1);
  return flag ? fail(s, err, s->erk ? "ERKStepReInit" : "CVodeReInit", flag)
              : LAM_OK;
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

/* y = src, and LAM_ENONFINITE naming the first non-finite variable. Called
 * at every recorded sample: one branch-free pass (an exponent of all ones
 * is an infinity or a NaN) instead of memcpy then check_finite's branch per
 * element; 1.5 instead of 3.9 us at 6,000 variables (docs/performance.md,
 * "Jansen-Rit: the time around the solver"). Two-lane vectors (GNU C):
 * plain SSE2, which every x86-64 has. */
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static int copy_finite(double *restrict y, const double *restrict src,
                       size_t n, double t, lam_err *err) {
  /* (b & expo) + one: bit 63 set exactly when the exponent is all ones. */
  const uint64_t expo = UINT64_C(0x7ff0000000000000);
  const uint64_t one = UINT64_C(0x0010000000000000);
  u64x2 acc = {0, 0}, acc2 = {0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    u64x2 b, c;
    memcpy(&b, &src[i], sizeof b);
    memcpy(&c, &src[i + 2], sizeof c);
    memcpy(&y[i], &b, sizeof b);
    memcpy(&y[i + 2], &c, sizeof c);
    acc |= (b & expo) + one;
    acc2 |= (c & expo) + one;
  }
  acc |= acc2;
  uint64_t bad = acc[0] | acc[1];
  for (; i < n; i++) {
    uint64_t b;
    memcpy(&b, &src[i], sizeof b);
    y[i] = src[i];
    bad |= (b & expo) + one;
  }
  return bad >> 63 ? check_finite(y, n, t, err) : LAM_OK;
}

/* "solver: ARKODE|CVODE failed at t = ..." with SUNDIALS' last message. */
static int failed(const lam_solver *s, double t, int flag, lam_err *err) {
  return lam_err_set(err, LAM_ESOLVER,
                     "solver: %s failed at t = %g s (flag %d)%s%s",
                     s->erk ? "ARKODE" : "CVODE", t, flag,
                     s->msg[0] ? ": " : "", s->msg);
}

/* auto's erk took max_steps within one output interval, reaching (t,
 * s->y): if the test finds the step held by stability there, switch there
 * and go on to tout with CVODE (*tret, *flag: CVODE's). */
static int stiff_rescue(lam_solver *s, double t, double tout,
                        sunrealtype *tret, int *flag, lam_err *err) {
  s->test_steps = 0;
  s->hrho = stiff_hrho(s, t, N_VGetArrayPointer(s->y), test_step(s));
  if (s->hrho < TEST_SHARE * erk_boundary[s->p.erk_table]) {
    return LAM_OK;
  }
  int rc = switch_to_bdf(s, t, err);
  if (!rc) {
    *flag = CVode(s->cvode, tout, s->y, tret, CV_NORMAL);
  }
  return rc;
}

/* d->out[lo, hi) = y(tout) for tout inside the last step (d->ok): from
 * the step's end, y_{n+1} = y_n + h sum_i b_i(1) k_i (what ERKStep
 * computed), y = y_{n+1} + h sum_i (b_i(theta) - b_i(1)) k_i, so y_n needs
 * no copy and theta = 1 gives y_{n+1} itself. */
static void dense_eval(lam_solver *s, double tout, size_t lo, size_t hi) {
  dense_out *d = s->dense;
  const double th = (tout - d->tn) / d->h;
  double c[7];
  N_Vector v[7] = {s->y, d->k0, d->k[1], d->k[2], d->k[3], d->k[4], d->k[5]};
  c[0] = 1.0;
  for (int i = 1; i < 7; i++) {
    const double *q = dense_p[i == 1 ? 0 : i];
    c[i] = d->h * (th * (q[0] + th * (q[1] + th * (q[2] + th * q[3]))) -
                   (q[0] + q[1] + q[2] + q[3]));
  }
  if (lo == 0 && hi == s->sys->n) {
    N_VLinearCombination(7, c, v, d->out);
  } else {
    lam_nvector_lincomb_range(7, c, v, d->out, lo, hi);
  }
}

/* lam_solver_advance for auto's erk with the continuous extension (struct
 * dense_out): ERKStep takes one step at a time until a step ends at or past
 * tout, and y(tout) comes from that step's stages. */
static int dense_advance(lam_solver *s, double tout, double *y, lam_err *err) {
  dense_out *d = s->dense;
  const size_t n = s->sys->n;
  if (!d->have_step) {
    d->tn = d->t1 = s->t;
    d->h = 0.0;
    d->found = d->ok = 0;
  }
  int flag = ARK_SUCCESS;
  long taken = 0;
  s->msg[0] = '\0';
  while (tout > d->t1) {
    if (taken >= s->p.max_steps) {
      flag = ARK_TOO_MUCH_WORK;
      snprintf(s->msg, sizeof s->msg,
               "ARKODE/ERKStepEvolve (%d): At t = %g, mxstep steps taken "
               "before reaching tout.",
               ARK_TOO_MUCH_WORK, d->t1);
      break;
    }
    /* The step just taken is the start of the next: first same as last,
     * f(t_n, y_n) is its seventh stage, in a vector ERKStep reuses. */
    d->have_k0 = d->have_step && d->found;
    if (d->have_k0) {
      N_VScale(1.0, d->k[5], d->k0);
    }
    /* End the step on the inputs' next kink, if it comes before the run's
     * stop time: a step across it would see a slope jump its error
     * estimate reads as a large local error, and be cut back and retried.
     * ARKODE drops a stop time once reached, so it is set each step. */
    double want = s->tstop;
    if (s->sys->ops->next_kink) {
      const double k = s->sys->ops->next_kink(s->sys->self, d->t1);
      want = k < want ? k : want;
    }
    if (!(want == d->stop)) {
      flag = ERKStepSetStopTime(s->erk, want);
      if (flag < 0) {
        break;
      }
      d->stop = want;
    }
    const int at_kink = want < s->tstop;
    const unsigned long before = d->ncalls;
    sunrealtype tret = d->t1;
    /* ARKODE returns on a stop time only when tout is not before it. */
    flag = ERKStepEvolve(s->erk, at_kink && want > tout ? want : tout, s->y,
                         &tret, ARK_ONE_STEP);
    if (flag < 0) {
      break;
    }
    taken++;
    d->tn = d->t1;
    d->t1 = tret;
    d->h = tret - d->tn;
    d->have_step = 1;
    d->found = dense_find_stages(d, before);
    d->ok = d->have_k0 && d->found;
    if (flag == ARK_TSTOP_RETURN) {
      d->stop = NAN;
      if (!at_kink) {
        break;
      }
      flag = ARK_SUCCESS;
    } else {
      /* ARKODE cuts the next step already to end on the stop time: that
       * proposal is not the error control's. */
      sunrealtype hn = 0.0;
      ERKStepGetCurrentStep(s->erk, &hn);
      if (d->t1 + hn * (1.0 + 1e-8) < want) {
        d->h_free = hn;
      }
    }
  }
  if (flag == ARK_TOO_MUCH_WORK) {
    sunrealtype tret = d->t1;
    int rc = stiff_rescue(s, d->t1, tout, &tret, &flag, err);
    if (rc) {
      return rc;
    }
    if (!s->erk) { /* switched: CVODE went on to tout */
      s->t = tret;
      return flag < 0 ? failed(s, tret, flag, err)
                      : copy_finite(y, N_VGetArrayPointer(s->y), n, tret, err);
    }
  }
  if (flag < 0) {
    return failed(s, d->t1, flag, err);
  }
  double tr = tout;
  N_Vector src = d->out;
  size_t lo = 0, hi = n;
  d->partial = 0;
  if (tout >= d->t1) {
    tr = d->t1; /* the step's end, or a stop time before tout */
    src = s->y;
  } else if (d->ok) {
    if (s->sample_hi > s->sample_lo) {
      lo = s->sample_lo;
      hi = s->sample_hi;
      d->partial = 1;
      d->partial_t = tout;
      d->partial_calls = d->ncalls;
    }
    dense_eval(s, tout, lo, hi);
  } else {
    flag = ERKStepGetDky(s->erk, tout, 0, d->out);
    if (flag < 0) {
      return failed(s, tout, flag, err);
    }
  }
  s->t = tr;
  int rc = copy_finite(y + lo, N_VGetArrayPointer(src) + lo, hi - lo, tr, err);
  if (rc && lo > 0) {
    rc = check_finite(y, n, tr, err); /* the variable's own index */
  }
  if (!rc && auto_vote(s, d->t1)) {
    /* Switch at the sample: BDF starts from y(tout), all of it. */
    if (d->partial) {
      rc = lam_solver_fill(s, y, err);
    }
    if (!rc) {
      memcpy(N_VGetArrayPointer(s->y), y, n * sizeof *y);
      rc = switch_to_bdf(s, tr, err);
    }
  }
  return rc;
}

void lam_solver_set_sample_range(lam_solver *s, size_t first, size_t end) {
  const int part = end > first && end <= s->sys->n && end - first < s->sys->n;
  s->sample_lo = part ? first : 0;
  s->sample_hi = part ? end : 0;
}

int lam_solver_fill(lam_solver *s, double *y, lam_err *err) {
  dense_out *d = s->dense;
  if (!d || !d->partial) {
    return LAM_OK;
  }
  /* The step that gave the sample must still be the last one, its stages
   * untouched: no right-hand side since (a failed or rejected attempt
   * writes into the stage vectors). */
  if (d->ncalls != d->partial_calls) {
    return lam_err_set(err, LAM_ESOLVER,
                       "solver: the state at t = %g s is no longer known "
                       "in full (the solver went on to t = %g s)",
                       d->partial_t, d->t1);
  }
  const size_t n = s->sys->n;
  dense_eval(s, d->partial_t, 0, n);
  d->partial = 0;
  return copy_finite(y, N_VGetArrayPointer(d->out), n, d->partial_t, err);
}

int lam_solver_advance(lam_solver *s, double tout, double *y, lam_err *err) {
  const double t0 = lam_time_now();
  if (s->heun) {
    int rc = lam_heun_advance(s->heun, &s->t, y, tout, err);
    s->solver_seconds += lam_time_now() - t0;
    return rc ? rc : check_finite(y, s->sys->n, tout, err);
  }
  if (s->dense) {
    const int rc = dense_advance(s, tout, y, err);
    s->solver_seconds += lam_time_now() - t0;
    return rc;
  }
  sunrealtype tret = s->t;
  s->msg[0] = '\0';
  int flag = s->erk ? ERKStepEvolve(s->erk, tout, s->y, &tret, ARK_NORMAL)
                    : CVode(s->cvode, tout, s->y, &tret, CV_NORMAL);
  if (s->is_auto && s->erk && flag == ARK_TOO_MUCH_WORK) {
    int rc = stiff_rescue(s, tret, tout, &tret, &flag, err);
    if (rc) {
      s->solver_seconds += lam_time_now() - t0;
      return rc;
    }
  } else if (s->is_auto && s->erk && flag >= 0) {
    int rc = auto_check(s, tret, err);
    if (rc) {
      s->solver_seconds += lam_time_now() - t0;
      return rc;
    }
  }
  s->solver_seconds += lam_time_now() - t0;
  if (flag < 0) {
    return failed(s, tret, flag, err);
  }
  s->t = tret;
  return copy_finite(y, N_VGetArrayPointer(s->y), s->sys->n, tret, err);
}

int lam_solver_set_stop(lam_solver *s, double tstop, lam_err *err) {
  if (s->heun) {
    return LAM_OK; /* Heun's steps end exactly on every output time */
  }
  /* CVODE never steps past a stop time, so no right-hand-side evaluation
   * sees the input beyond the discontinuity. A stop time survives
   * CVodeReInit and SUNDIALS 6.4 has no call to clear it, so "no stop" is
   * a stop time beyond any simulation. */
  const double tb = isfinite(tstop) ? tstop : 1e300;
  s->tstop = tb;
  if (s->dense) {
    s->dense->stop = tb;
  }
  if (s->erk) {
    /* ARKODE limits its steps to end on the stop time, so no stage (all
     * stage times of the built-in tables lie inside the step) sees the
     * input beyond it. */
    int flag = ERKStepSetStopTime(s->erk, tb);
    return flag ? fail(s, err, "ERKStepSetStopTime", flag) : LAM_OK;
  }
  int flag = CVodeSetStopTime(s->cvode, tb);
  return flag ? fail(s, err, "CVodeSetStopTime", flag) : LAM_OK;
}

/* The counts since the last (re)initialisation of the SUNDIALS solver. */
static void own_stats(const lam_solver *s, lam_solver_stats *st) {
  memset(st, 0, sizeof *st);
  if (s->erk) {
    ERKStepGetNumSteps(s->erk, &st->nsteps);
    ERKStepGetNumRhsEvals(s->erk, &st->nfevals);
    ERKStepGetNumErrTestFails(s->erk, &st->netfails);
    ERKStepGetLastStep(s->erk, &st->last_step);
    ARKodeButcherTable b = NULL;
    if (ERKStepGetCurrentButcherTable(s->erk, &b) == ARK_SUCCESS && b) {
      st->last_order = b->q;
    }
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

void lam_solver_set_monitor(lam_solver *s, lam_solver_monitor fn, void *ctx) {
  s->monitor = fn;
  s->monitor_ctx = ctx;
}

void lam_solver_set_threads(lam_solver *s, int threads) {
  if (s->y) {
    lam_nvector_set_threads(s->y, threads);
  }
}

void lam_solver_get_stats(const lam_solver *s, lam_solver_stats *st) {
  if (s->heun) {
    memset(st, 0, sizeof *st);
    lam_heun_stats(s->heun, &st->nsteps, &st->nfevals, &st->rhs_seconds);
    st->last_step = s->p.heun_dt;
    st->last_order = 1;
    st->solver_seconds = s->solver_seconds;
    st->method_start = st->method_end = LAM_SOLVER_HEUN;
    st->switch_time = st->stiff_hrho = NAN;
    return;
  }
  own_stats(s, st);
  add_counts(st, &s->done, 1);
  st->nfevals += s->test_fevals;
  st->solver_seconds = s->solver_seconds;
  st->rhs_seconds = s->rhs_seconds;
  st->method_start = s->method_start;
  st->method_end = s->method;
  st->switch_time = s->switch_time;
  st->stiff_hrho = s->hrho;
}
