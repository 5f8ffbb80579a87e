/* lam_sweep_private.h: the pieces of lam_sweep.c the MPI driver
 * (lam_sweep_mpi.c) shares: preparing the output, computing one row,
 * appending one row. */
#ifndef LAM_SWEEP_PRIVATE_H
#define LAM_SWEEP_PRIVATE_H

#include "lam_sweep.h"

/* Check the metrics, open (or resume) o->output and list the indices of
 * the points still to run (this shard, ids not yet in the file, first
 * occurrence of a duplicated id). *fd is open for appending. */
int lam__sweep_prepare(const lam_model *base, const lam_sweep_spec *sp,
                       const lam_sweep_opts *o, size_t **todo, size_t *ntodo,
                       lam_sweep_summary *sum, int *fd, lam_err *err);

/* Run point i and format its row ("...\n", malloc'ed into *line). A failed
 * point is a row with status failed; the return value is an error only for
 * LAM_EINTERRUPT (no row) and LAM_ENOMEM. *failed is set for failed rows. */
int lam__sweep_row(const lam_model *base, const lam_sweep_spec *sp,
                   const lam_sweep_opts *o, size_t i, char **line,
                   int *failed, lam_err *err);

/* A failed row for point i with message msg (a worker that died). */
char *lam__sweep_failed_row(const lam_sweep_spec *sp, const lam_sweep_opts *o,
                            size_t i, const char *msg);

/* Append one line with a single write() and fsync it. */
int lam__sweep_write(int fd, const char *line, const char *path, lam_err *err);

#endif
