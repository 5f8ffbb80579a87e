/* lam_sweep_table.h: the crash-safe CSV of a sweep's rows (docs/sweeps.md).
 *
 *   # laminar VERSION
 *   # model PATH hash HASH          \ a resumed table must hold these
 *   # run t_end T dt_record DT      / lines as they are
 *   # input SECTION.KEY[=VALUE] sha256 HEX PATH   (one per input file)
 *   # command ...
 *   id,<keys...>,<metrics...>,status,error,wall_s,nsteps,nfevals
 *   <one row per point>
 *
 * Crash safety rests on three rules: a row is one write() of a whole line
 * followed by fsync(); only one process writes, holding a lock on the table
 * (lam_lock.h) from before it is read until the last row; on resume a last
 * line without its newline (a kill inside write()) is cut off before
 * appending. The table records the SHA-256 of every input file, so rows
 * made from different inputs never mix. Rows are read with io/'s CSV
 * reader (lam_csv_split).
 */
#ifndef LAM_SWEEP_TABLE_H
#define LAM_SWEEP_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "lam_error.h"
#include "lam_hash.h"
#include "lam_sweep_points.h"

/* An input file the points read, as the table records it. */
typedef struct lam_sweep_input {
  char *key;   /* section.key */
  char *value; /* the swept value naming the file, or NULL (the base's) */
  char *path;  /* as resolved by the model */
  char hash[LAM_SHA256_HEX];
} lam_sweep_input;

/* What the table's header says. */
typedef struct lam_sweep_header {
  const char *model;         /* the model's path ("": "(text)") */
  uint64_t model_hash;       /* FNV-1a 64 of the base model's text */
  double t_end, dt_record;   /* s; 0: the model's ("model") */
  const lam_sweep_spec *sp;  /* the keys, one column each */
  const char *const *metrics;
  size_t nmetrics;
  const lam_sweep_input *inputs;
  size_t ninputs;
  const char *command;       /* NULL: "(library)" */
} lam_sweep_header;

typedef struct lam_sweep_table lam_sweep_table;

/* Lock path for one sweep (LAM_EINVAL naming the pid of a process that
 * holds it, LAM_EIO). Nothing is read or written yet. */
int lam_sweep_table_lock(const char *path, lam_sweep_table **out, lam_err *err);

/* Open the locked table for appending: start it when it is missing or
 * empty (restart: an existing one is first moved aside to PATH.old,
 * PATH.old.2, ..., never over an older one), or resume it: it must be a
 * laminar sweep table with h's model, run and column lines and the same
 * contents of h's input files (else LAM_EINVAL, the file untouched); the
 * ids of its complete rows are kept (lam_sweep_table_has), a torn last
 * line is cut, and an input the table lacks (a value added to a swept
 * file key) is recorded. */
int lam_sweep_table_open(lam_sweep_table *t, const lam_sweep_header *h, int restart,
                         lam_err *err);

/* 1 if the table held a complete row of point id when opened. */
int lam_sweep_table_has(const lam_sweep_table *t, uint64_t id);

/* Append one line ("...\n") with a single write() and fsync it. */
int lam_sweep_table_append(lam_sweep_table *t, const char *line, lam_err *err);

/* The descriptors a forked process must close (-1: none), so that neither
 * the table nor its lock outlives the writer in a child. */
void lam_sweep_table_fds(const lam_sweep_table *t, int fds[2]);

/* Close the table and release its lock. NULL is a no-op. */
void lam_sweep_table_close(lam_sweep_table *t);

/* One point's outcome. */
typedef struct lam_sweep_result {
  int ok;                /* else a failed row */
  const char *error;     /* why it failed ("" when ok) */
  const double *metrics; /* nmetrics values; NULL: empty cells */
  size_t nmetrics;
  double wall_s;
  int have_stats;        /* else nsteps and nfevals are empty */
  long nsteps, nfevals;
} lam_sweep_result;

/* Point i's row, "...\n", malloc'ed (NULL: out of memory). */
char *lam_sweep_row(const lam_sweep_spec *sp, size_t i, const lam_sweep_result *r);

/* A failed row for point i with message msg (no metrics, no statistics). */
char *lam_sweep_failed_row(const lam_sweep_spec *sp, size_t nmetrics, size_t i,
                           const char *msg);

/* 1 if row (as lam_sweep_row writes it) is a failed one. */
int lam_sweep_row_failed(const char *row);

#endif
