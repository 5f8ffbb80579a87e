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

/* [run]: the run's length, sampling step and recorded populations
 * (`laminar run` --t-end, --dt-record and --record set these keys). */
typedef struct lam_run_params {
  double t_end, dt_record;
  lam_path record; /* comma-separated population names, or "all" */
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
  /* Provenance (io/lam_provenance.h): the command line to record (NULL:
   * none), and 1 to record input files by path, size and SHA-256 only,
   * without their arrays under /inputs/. */
  const char *command_line;
  int no_inputs;
} lam_run_opts;

/* Most samples a run takes (t_end / dt_record + 1): far beyond any file,
 * and exact as a double. */
#define LAM_SIM_MAX_SAMPLES 1e12

/* Build the system described by m ([column] kind selects the model),
 * its solver settings and initial state ([init] state). Every key of m must
 * be used by then: an unknown key is an error naming its file and line. */
int lam_sim_new(lam_model *m, lam_sim **out, lam_err *err);
void lam_sim_free(lam_sim *sim);

/* [run] t_end and dt_record as defaults for lam_sim_run. */
lam_run_opts lam_run_defaults(const lam_sim *sim);

/* A command-line option that sets [run] key (option "--t-end", key
 * "t_end"): checked now against the key's range, with messages naming the
 * option ("--t-end 0: run.t_end: expected a value in [1e-09, 1e+09] s,
 * found 0"), then set over the model file, so the recorded model text
 * holds it. Call before lam_sim_new. */
int lam_sim_option(lam_model *m, const char *option, const char *key,
                   const char *value, lam_err *err);

/* [run] record as a flag per population of the system (npops values):
 * "all" sets every flag; an unknown name is an error naming where the key
 * was given and the model's populations. */
int lam_sim_record_flags(lam_sim *sim, int *flags, lam_err *err);

/* Integrate from t = 0 (the initial state) to o->t_end. Writes samples,
 * the final state, the provenance (the effective model text, its inputs,
 * the command line, version, commit, build, time and host:
 * io/lam_provenance.h), seeds and solver statistics to rec when it is not
 * NULL (the caller closes rec). More than LAM_SIM_MAX_SAMPLES samples is
 * an error before anything is written. Can be called again: each
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
