/* lam_sweep.h: parameter sweeps, resumable and parallel (docs/sweeps.md).
 *
 * A sweep is a list of points, each an assignment of values to model keys
 * ("column.beta=2"), built from grids (linear or log), value lists, a
 * design CSV written by any script, or a Latin hypercube. Every point runs
 * the model with those overrides and becomes one row of a tidy CSV:
 *
 *   id, <swept keys...>, <metrics...>, status, error, wall_s, nsteps, nfevals
 *
 * The id is the FNV-1a/64 hash of the point's sorted "key=value" lines, so
 * the same point has the same id in every sweep of every order. The table
 * also records every input file the points read (weights, inputs, coupling,
 * stimulus, initial state) with its SHA-256 ('# input' lines), so a point is
 * its key=value lines plus those files' contents: a table whose inputs have
 * changed is never resumed (o->restart starts a new one). Rows are
 * appended with one write() each and fsync'ed as points finish, by one
 * process, which holds a lock on the table (lam_lock.h) for the whole sweep;
 * running the same sweep again skips the ids already present in a complete
 * row and drops a torn last line (a kill mid-write). A point that fails
 * (solver failure, non-finite state, bad value, a crash of its process) is
 * a `failed` row with the reason; the sweep goes on. An error that is not
 * the point's own (its traces file cannot be written, an input changed)
 * stops the sweep without a row. Points run in forked worker processes, one
 * at a time each (o->jobs of them, 1 included), whose rows come back
 * through sockets to the parent, the only writer. With MPI (LAM_HAVE_MPI),
 * rank 0 hands points out and writes (lam_sweep_run_mpi).
 *
 * The parts: lam_sweep_points.h (the points), lam_sweep_table.h (the
 * table), lam_sweep_pool.h (the worker processes); lam_sweep.c runs one
 * point and ties them together.
 */
#ifndef LAM_SWEEP_H
#define LAM_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "lam_error.h"
#include "lam_sim_params.h"
#include "lam_sweep_points.h" /* the points: lam_sweep_spec and its functions */

/* Apply every dimension's first and last value to clones of base and build
 * the simulation, so an unknown key or an out-of-range value is an error
 * naming its argument before any point runs. */
int lam_sweep_validate(const lam_sim_params *base, const lam_sweep_spec *sp,
                       lam_err *err);

typedef struct lam_sweep_opts {
  const char *const *metrics; /* metric names (lam_metrics.h) */
  size_t nmetrics;
  double t_end, dt_record;    /* s; 0: the point's [run] values */
  int jobs;                   /* worker processes (>= 1; 1: one worker, so
                                 that a crash is a failed row too) */
  size_t shard_k, shard_n;    /* take points i with i % shard_n == shard_k - 1
                                 (1 <= shard_k <= shard_n; 0: all) */
  const char *output;         /* the CSV */
  const char *traces_dir;     /* NULL, or keep DIR/<id>.h5 per point */
  const char *command;        /* the command line, for the header */
  int restart;                /* an existing output is moved aside to
                                 OUTPUT.old (OUTPUT.old.2, ...: never over
                                 an older one) and a new table begins */
  volatile sig_atomic_t *stop; /* set: stop after the running points, no row
                                  for an interrupted one */
  /* After every row written (done counts rows of this invocation). */
  void (*progress)(void *ctx, size_t done, size_t todo, size_t failed);
  void *ctx;
} lam_sweep_opts;

lam_sweep_opts lam_sweep_defaults(void);

typedef struct lam_sweep_summary {
  size_t points;  /* in the sweep (this shard) */
  size_t skipped; /* already in the CSV */
  size_t ran;     /* rows written now */
  size_t failed;  /* of which failed */
} lam_sweep_summary;

/* Run the points of sp (of this shard, not yet in o->output) on base.
 * The metrics are checked against the base model first (LAM_ENOTFOUND),
 * and the traces folder is made and written to once (LAM_EIO naming it).
 * Another process sweeping into o->output is an error naming its pid
 * (LAM_EINVAL). An existing output that is not a laminar sweep table, or
 * that was written for another model, run settings, input file contents,
 * keys or metrics is refused (LAM_EINVAL), never overwritten (unless
 * o->restart, which keeps it as OUTPUT.old). Returns LAM_EINTERRUPT when
 * stopped, LAM_EIO when an error that is not a point's own stopped it;
 * failed points are not an error. */
int lam_sweep_run(const lam_sim_params *base, const lam_sweep_spec *sp,
                  const lam_sweep_opts *o, lam_sweep_summary *sum,
                  lam_err *err);

/* The same across MPI ranks: rank 0 hands out points and writes o->output;
 * the other ranks compute rows. All ranks call it. LAM_EUNSUPPORTED in a
 * build without MPI. o->jobs is ignored. */
int lam_sweep_run_mpi(const lam_sim_params *base, const lam_sweep_spec *sp,
                      const lam_sweep_opts *o, lam_sweep_summary *sum,
                      lam_err *err);

#endif
