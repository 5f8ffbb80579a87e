/* lam_sim.h: a simulation = a model file turned into a lam_system, its
 * integrator and its run loop. This is the C API behind `laminar run`,
 * `laminar sweep` and the experiments (docs/api.md):
 *
 *   lam_model *m = lam_model_new();
 *   lam_model_load(m, "models/default.ini", &err);
 *   lam_model_set(m, "column.beta=2", &err);
 *   lam_sim *sim; lam_sim_new(m, &sim, &err);
 *   lam_run_opts o = lam_run_defaults(sim);
 *   lam_sim_run(sim, &o, NULL, &err);          (or with a lam_recorder)
 *   lam_sim_free(sim); lam_model_free(m);
 */
#ifndef LAM_SIM_H
#define LAM_SIM_H

#include <signal.h>

#include "lam_error.h"
#include "lam_model.h"
#include "lam_recorder.h"
#include "lam_solver.h"
#include "lam_system.h"

typedef struct lam_sim lam_sim;

/* [run]: defaults of `laminar run`'s --t-end and --dt-record. */
typedef struct lam_run_params {
  double t_end, dt_record;
} lam_run_params;
extern const lam_param lam_run_table[];
extern const size_t lam_run_ntable;

/* [init]: the initial state. */
typedef struct lam_init_params {
  lam_path state;
} lam_init_params;
extern const lam_param lam_init_table[];
extern const size_t lam_init_ntable;

typedef struct lam_run_opts {
  double t_end;     /* s, > 0 */
  double dt_record; /* s, sampling step of the recorder and on_sample */
  const int *record;  /* per population: record it (NULL: all) */
  /* Called at every sample (t = 0 included); non-zero stops the run with
   * that status. */
  int (*on_sample)(void *ctx, double t, const double *y);
  /* Called at every sample with the time reached. */
  void (*progress)(void *ctx, double t, double t_end);
  /* Checked between samples: when it becomes non-zero the run stops with
   * LAM_EINTERRUPT (set it from a signal handler). */
  volatile sig_atomic_t *stop;
  void *ctx;
} lam_run_opts;

/* Build the system described by m ([column] kind selects the model),
 * its solver settings and initial state ([init] state). Every key of m must
 * be used by then: an unknown key is an error naming its file and line. */
int lam_sim_new(lam_model *m, lam_sim **out, lam_err *err);
void lam_sim_free(lam_sim *sim);

/* [run] t_end and dt_record as defaults for lam_sim_run. */
lam_run_opts lam_run_defaults(const lam_sim *sim);

/* Integrate from t = 0 (the initial state) to o->t_end. Writes samples,
 * the final state, the resolved model text, seeds and solver statistics to
 * rec when it is not NULL (the caller closes rec). Can be called again: each
 * run starts from the initial state. */
int lam_sim_run(lam_sim *sim, const lam_run_opts *o, lam_recorder *rec,
                lam_err *err);

lam_system *lam_sim_system(lam_sim *sim);
/* State at the end of the last run (n values). */
const double *lam_sim_state(const lam_sim *sim);
/* The share of the last run's measured time spent on [solver] threads
 * threads (the count adapts to the machine as the run goes, core/lam_par.h):
 * 0 with threads = 1, 1 when every measured window ran on the asked count. */
double lam_sim_threads_share(const lam_sim *sim);

void lam_sim_stats(const lam_sim *sim, lam_solver_stats *st,
                   double *wall_seconds);
const char *lam_sim_model_text(lam_sim *sim);
/* The model object the simulation was built from. */
lam_model *lam_sim_model(lam_sim *sim);
/* Model-specific object ("attention": lam_attention *), or NULL. */
void *lam_sim_impl(lam_sim *sim, const char *kind);

#endif
