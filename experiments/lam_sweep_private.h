/* lam_sweep_private.h: the pieces of lam_sweep.c the MPI driver
 * (lam_sweep_mpi.c) shares: the input files, preparing the table, computing
 * one row, and running points in worker processes. */
#ifndef LAM_SWEEP_PRIVATE_H
#define LAM_SWEEP_PRIVATE_H

#include "lam_sweep.h"
#include "lam_sweep_table.h"

/* The input files the sweep's points read (the path keys of the
 * point's parameters) with their SHA-256 when the sweep started: those
 * of the base model, and for a swept key that names a file, one per value. */
typedef struct lam__sweep_inputs {
  lam_sweep_input *v;
  size_t n;
} lam__sweep_inputs;

int lam__sweep_inputs_new(const lam_sim_params *base, const lam_sweep_spec *sp,
                          lam__sweep_inputs **out, lam_err *err);
void lam__sweep_inputs_free(lam__sweep_inputs *in);

/* Check the shard, lock o->output (held until lam_sweep_table_close),
 * check the metrics and the traces folder, open (or resume, or with
 * o->restart move aside and start again) the table and list the indices
 * of the points still to run (this shard, ids not yet in the file, first
 * occurrence of a duplicated id). */
int lam__sweep_prepare(const lam_sim_params *base, const lam_sweep_spec *sp,
                       const lam_sweep_opts *o, const lam__sweep_inputs *in,
                       size_t **todo, size_t *ntodo, lam_sweep_summary *sum,
                       lam_sweep_table **table, lam_err *err);

/* Run point i and format its row ("...\n", malloc'ed into *line). A failed
 * point is a row with status failed; the return value is an error only for
 * LAM_EINTERRUPT (no row), LAM_ENOMEM, and LAM_EIO: an error that is not the
 * point's own (its traces file cannot be written, an input file cannot be
 * read or changed during the sweep), which must stop the sweep without a
 * row, so that a resume runs the point again. *failed is set for failed rows. in may be
 * NULL (the inputs are then not checked). */
int lam__sweep_row(const lam_sim_params *base, const lam_sweep_spec *sp,
                   const lam_sweep_opts *o, const lam__sweep_inputs *in,
                   size_t i, char **line, int *failed, lam_err *err);

/* Run todo[0..ntodo) in at most jobs forked worker processes (jobs >= 1,
 * lam_sweep_pool.h), appending their rows to the table: a point that
 * crashes its process is a failed row naming the signal. */
int lam__sweep_run_workers(const lam_sim_params *base, const lam_sweep_spec *sp,
                           const lam_sweep_opts *o, const lam__sweep_inputs *in,
                           int jobs, const size_t *todo, size_t ntodo,
                           lam_sweep_table *table, lam_sweep_summary *sum,
                           lam_err *err);

#endif
