/* lam_sim.h: a simulation = typed model parameters (lam_sim_params.h)
 * turned into a lam_system, its integrator, its virtual probe and its run
 * loop. This is the C API behind `laminar run`, `laminar sweep` and the
 * experiments (docs/api.md):
 *
 *   lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
 *   p->column.beta = 2.0;                     (or io/lam_params.h: a file)
 *   lam_sim *sim; lam_sim_new(p, &sim, &err);
 *   lam_run_opts o = lam_run_defaults(sim);
 *   lam_sim_run(sim, &o, NULL, &err);          (observers: NULL, or a
 *                                               recorder, io/lam_simrec.h)
 *   lam_sim_free(sim); lam_sim_params_free(p);
 */
#ifndef LAM_SIM_H
#define LAM_SIM_H

#include <signal.h>

#include "lam_error.h"
#include "lam_probe.h"
#include "lam_sim_params.h"
#include "lam_solver.h"
#include "lam_system.h"

typedef struct lam_sim lam_sim;

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
  /* Provenance (io/lam_provenance.h), for observers that record the run:
   * the command line to record (NULL: none), and 1 to record input files by
   * path, size and SHA-256 only, without their arrays under /inputs/. */
  const char *command_line;
  int no_inputs;
} lam_run_opts;

/* What watches a run (a recorder, io/lam_simrec.h): begin once before the
 * first sample, sample at every sample (after the probe has its values
 * for it, lam_sim_probe_lfp), end once after the last one, also when the
 * run stopped early (t: the last time reached). A non-zero return of begin
 * or sample stops the run with that status. Any member may be NULL. */
typedef struct lam_sim_observer {
  void *ctx;
  int (*begin)(void *ctx, lam_sim *sim, const lam_run_opts *o, lam_err *err);
  int (*sample)(void *ctx, lam_sim *sim, double t, const double *y,
                lam_err *err);
  void (*end)(void *ctx, lam_sim *sim, double t, const double *y);
  /* Optional: 1 when sample reads nothing of y but y[*first, *end) (and
   * the run has no on_sample): the run may then fill only that block of y
   * between solver steps. end still gets the whole state, or y = NULL
   * when a failed run no longer knows it at its last sample. NULL or 0:
   * every sample is whole. */
  int (*reads)(void *ctx, lam_sim *sim, size_t *first, size_t *end);
} lam_sim_observer;

/* Most samples a run takes (t_end / dt_record + 1): far beyond any file,
 * and exact as a double. */
#define LAM_SIM_MAX_SAMPLES 1e12

/* Build the system p describes (p->column.kind selects the model, or
 * p->has_areas stacked areas; the kinds are a table in lam_sim.c), its
 * solver settings, initial state ([init] state's array) and virtual probe.
 * The simulation keeps its own copy of p. */
int lam_sim_new(const lam_sim_params *p, lam_sim **out, lam_err *err);
void lam_sim_free(lam_sim *sim);

/* [run] t_end and dt_record as defaults for lam_sim_run. */
lam_run_opts lam_run_defaults(const lam_sim *sim);

/* [run] record as a flag per population of the system (npops values): a
 * comma-separated list of population names and the words "all" (every
 * population) and "layers" (every population but the pairwise ones, the
 * T x T x H apical coincidences l5a and burst rates attn of attention
 * networks: lam_sim_pairwise_pop); an unknown name is an error naming
 * where the key was given and the model's populations. */
int lam_sim_record_flags(lam_sim *sim, int *flags, lam_err *err);

/* 1 when population `name` (of an area too: "v1.attn") holds one value per
 * query, head and key, T x T x H: l5a and attn. */
int lam_sim_pairwise_pop(const char *name);

/* Bytes of samples a run of o with these record flags writes: the traces
 * and the probe's LFP and CSD, 8 bytes a value, before compression. */
double lam_sim_record_bytes(lam_sim *sim, const int *flags,
                            const lam_run_opts *o);

/* Integrate from t = 0 (the initial state) to o->t_end, calling obs (NULL:
 * none) and o's callbacks at every sample. More than LAM_SIM_MAX_SAMPLES
 * samples is an error before anything starts. Can be called again: each
 * run starts from the initial state. */
int lam_sim_run(lam_sim *sim, const lam_run_opts *o,
                const lam_sim_observer *obs, lam_err *err);

lam_system *lam_sim_system(lam_sim *sim);
/* State at the end of the last run (n values). */
const double *lam_sim_state(const lam_sim *sim);
/* The share of the last run's measured time spent on [solver] threads
 * threads (the count adapts to the machine as the run goes, core/lam_par.h):
 * 0 with threads = 1, 1 when every measured window ran on the asked count. */
double lam_sim_threads_share(const lam_sim *sim);

void lam_sim_stats(const lam_sim *sim, lam_solver_stats *st,
                   double *wall_seconds);
/* The parameters the simulation was built from (its copy). */
const lam_sim_params *lam_sim_params_of(const lam_sim *sim);
/* Model-specific object ("attention": lam_attention *, "areas":
 * lam_areas *, ...), or NULL. */
void *lam_sim_impl(lam_sim *sim, const char *kind);

/* The virtual laminar probe ([probe] enabled): electrodes (one, or one per
 * area; 0 when off), each with its probe and dataset names ("lfp", "csd";
 * "v1.lfp" ... for areas). */
size_t lam_sim_probe_count(const lam_sim *sim);
const lam_probe *lam_sim_probe(const lam_sim *sim, size_t k,
                               const char **lfp_name, const char **csd_name);
/* The populations on the probe: their indices in the system and depths. */
size_t lam_sim_probe_pops(const lam_sim *sim, const size_t **pop,
                          const double **depth_um);
/* Units of the LFP and CSD series. */
const char *lam_sim_probe_unit(const lam_sim *sim, int csd);
/* The LFP and CSD of electrode k at (t, y) (owned by sim, valid until the
 * next call). */
void lam_sim_probe_lfp(lam_sim *sim, size_t k, double t, const double *y,
                       const double **lfp, const double **csd);

#endif
