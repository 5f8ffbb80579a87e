/* lam_solver.h: integrators for any lam_system.
 *
 * `auto` (default) picks one from the system: `heun` when it has white
 * noise, `bdf` when its builder says it is stiff (LAM_SOLVER_AUTO_STIFF),
 * otherwise
 * `erk` with a stiffness test that switches to `bdf` at an output time
 * once the explicit steps are held by stability, not accuracy (as LSODA
 * and Hairer's stiffness detection for Dormand-Prince do; docs/solvers.md).
 * `adams` and `bdf` use SUNDIALS CVODE; BDF solves its Newton
 * systems with matrix-free SPGMR (Jacobian-vector products by difference
 * quotients), so no dense Jacobian is ever formed. `heun` is the fixed-step
 * stochastic Heun method for systems with white noise (circuits/lam_heun.c).
 * `erk` is an adaptive explicit Runge-Kutta pair through ARKODE's ERKStep
 * (Butcher table `erk_table`, Dormand-Prince 5(4) by default): a one-step
 * method with a few fused vector passes per step, where CVODE Adams keeps a
 * Nordsieck history of up to 13 vectors. Every SUNDIALS call of the project
 * lives in lam_solver.c.
 *
 * Which to use (docs/solvers.md): auto unless there is a reason; adams for the non-stiff attention and
 * neural-mass networks; erk for large non-stiff networks, where the solver's
 * vector passes, not the equations, set the cost; bdf when time scales
 * separate by orders of magnitude (slow plasticity, very fast PV); heun when
 * the model has white noise.
 */
#ifndef LAM_SOLVER_H
#define LAM_SOLVER_H

#include "lam_error.h"
#include "lam_param.h"
#include "lam_system.h"

enum {
  LAM_SOLVER_ADAMS,
  LAM_SOLVER_BDF,
  LAM_SOLVER_HEUN,
  LAM_SOLVER_ERK,
  LAM_SOLVER_AUTO,
  /* Not a choice of the key: auto on a model its builder knows is stiff
   * (lam_sim sets it for burst-dependent plasticity: slow weights over
   * fast rates), which starts with bdf. */
  LAM_SOLVER_AUTO_STIFF
};

/* Values of erk_table (the order of the choices in lam_solver_table). */
enum { LAM_ERK_DORMAND_PRINCE, LAM_ERK_VERNER, LAM_ERK_BOGACKI_SHAMPINE };

/* [solver] */
typedef struct lam_solver_params {
  int method;
  double rtol, atol;
  long max_steps;
  long max_order;
  double h_max;
  double heun_dt;
  long seed;
  int erk_table;
  long threads; /* vector passes and, through lam_sim, the system's
                   right-hand side (core/lam_par.h); below 1: 1 */
} lam_solver_params;

extern const lam_param lam_solver_table[];
extern const size_t lam_solver_ntable;

/* Counts over the solver's whole life, restarts (lam_solver_reset)
 * included; last_order and last_step are those of the last step. For erk,
 * the nonlinear and linear counts are 0 and last_order is the table's. */
typedef struct lam_solver_stats {
  long nsteps, nfevals, netfails, nniters, nncfails, nliters, njvevals;
  int last_order;
  double last_step;
  /* Wall seconds inside the integrator (CVODE, ARKODE or Heun, over every
   * lam_solver_advance) and, of those, inside the system's right-hand side.
   * solver_seconds - rhs_seconds is the integrator's own cost: its vector
   * passes, error control and interpolation (docs/performance.md). */
  double solver_seconds, rhs_seconds;
  /* The integrator that started and the one running at the end (the
   * method asked for, or auto's choices), the time auto switched from erk
   * to bdf (NAN: no switch) and the stiffness test's last h rho (the step
   * over the stability boundary's scale, NAN: never tested). */
  int method_start, method_end;
  double switch_time, stiff_hrho;
} lam_solver_stats;

/* Why method = auto started with method_start: "white noise", "stiff
 * model", "deterministic, not known stiff"; NULL when the method was asked for. */
const char *lam_solver_auto_reason(const lam_solver_stats *st,
                                   const lam_solver_params *p);

typedef struct lam_solver lam_solver;

/* A solver for sys starting at (t0, y0). The system must outlive it. */
int lam_solver_new(const lam_system *sys, const lam_solver_params *p,
                   double t0, const double *y0, lam_solver **out,
                   lam_err *err);
void lam_solver_free(lam_solver *s);

/* Integrate to tout (> current time) and write the state there into y.
 * CVODE and ARKODE step past tout and interpolate (CV_NORMAL, ARK_NORMAL),
 * so output sampling does not shorten their steps. Heun advances y in
 * place: y must hold the state at the current time (y0, then the last
 * output). LAM_ESOLVER or LAM_ENONFINITE on failure, with the time
 * reached. */
int lam_solver_advance(lam_solver *s, double tout, double *y, lam_err *err);

/* Let lam_solver_advance fill only y[first, end) when it interpolates
 * between steps (method auto's erk), leaving the rest of y as it was: for
 * a caller that reads only that part of each sample. A step's end, a
 * switch of method and lam_solver_fill still give the whole state.
 * end <= first, or the whole state: no restriction (the default). */
void lam_solver_set_sample_range(lam_solver *s, size_t first, size_t end);

/* The whole state at the last lam_solver_advance's time into y, when that
 * sample filled only the sample range (else nothing to do). LAM_ESOLVER
 * when the solver has evaluated its right-hand side since (the step's
 * stages are gone): call it before advancing again. */
int lam_solver_fill(lam_solver *s, double *y, lam_err *err);

/* Never integrate (nor evaluate the right-hand side) beyond tstop until
 * the next lam_solver_reset: set before advancing towards an input
 * discontinuity (lam_system next_break), where the run loop restarts the
 * solver. INFINITY: no stop (clears an earlier one). */
int lam_solver_set_stop(lam_solver *s, double tstop, lam_err *err);

/* Restart from (t0, y0), e.g. after a discontinuity of the input. */
int lam_solver_reset(lam_solver *s, double t0, const double *y0,
                     lam_err *err);

void lam_solver_get_stats(const lam_solver *s, lam_solver_stats *st);

/* Threads for the solver's vector passes from now on (core/lam_par.h; the
 * system's right-hand side has its own, lam_system set_threads). Results
 * stay the same bits. */
void lam_solver_set_threads(lam_solver *s, int threads);

/* fn(ctx) after every right-hand-side evaluation CVODE or ARKODE asks for
 * (not Heun's), until set again (fn NULL: none): a place to look at the
 * clock during a long integrator call, as the run's adaptive thread count
 * does (circuits/lam_sim.c). fn must not change the state or the solver's
 * settings, only what does not change a result (the thread counts). */
typedef void (*lam_solver_monitor)(void *ctx);
void lam_solver_set_monitor(lam_solver *s, lam_solver_monitor fn, void *ctx);

#endif
