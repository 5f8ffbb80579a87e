/* lam_sweep_mpi.c: `mpirun -np N laminar sweep --mpi ...` (compiled only
 * with meson setup -Dmpi=enabled). Rank 0 opens (or resumes) the CSV, hands
 * out one point index at a time to whichever rank asks, and is the only
 * writer; ranks 1..N-1 compute rows (lam__sweep_row) and send them back as
 * text. Dynamic hand-out keeps all ranks busy when points take unequal
 * times. With one rank, rank 0 runs the points in a worker process. Rank 0
 * holds the table's lock (lam_sweep_table.h) from before reading it to the
 * end. A point on ranks 1..N-1 runs in the rank's own process (no fork under MPI):
 * a crash there ends the MPI job; the same point without --mpi, or with one
 * rank, is a failed row. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_sweep_private.h"

enum { TAG_ROW = 1, TAG_WORK = 2 };

static int root(const lam_sim_params *base, const lam_sweep_spec *sp,
                const lam_sweep_opts *o, const lam__sweep_inputs *in,
                lam_sweep_summary *sum, int size, lam_err *err) {
  size_t *todo = NULL, ntodo = 0;
  lam_sweep_table *table = NULL;
  int rc = in ? lam__sweep_prepare(base, sp, o, in, &todo, &ntodo, sum, &table, err)
              : err->code;
  size_t next = 0;
  int active = size - 1;
  char *buf = NULL;
  while (active > 0) {
    MPI_Status st;
    int n = 0;
    MPI_Probe(MPI_ANY_SOURCE, TAG_ROW, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_CHAR, &n);
    char *b = realloc(buf, (size_t)n + 1);
    if (b) {
      buf = b;
    }
    MPI_Recv(b ? buf : NULL, b ? n : 0, MPI_CHAR, st.MPI_SOURCE, TAG_ROW, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    if (!rc && b && n > 1 && buf[0] == '!') {
      /* A worker's error that is not its point's own: stop, no row. */
      buf[n] = '\0';
      buf[strcspn(buf, "\n")] = '\0';
      rc = lam_err_set(err, LAM_EIO, "%s", buf + 1);
    } else if (!rc && b && n > 1) {
      buf[n] = '\0';
      rc = lam_sweep_table_append(table, buf, err);
      sum->ran++;
      sum->failed += (size_t)lam_sweep_row_failed(buf);
      if (o->progress) {
        o->progress(o->ctx, sum->ran, ntodo, sum->failed);
      }
    }
    int64_t idx = -1;
    if (!rc && next < ntodo && !(o->stop && *o->stop)) {
      idx = (int64_t)todo[next++];
    } else {
      active--;
    }
    MPI_Send(&idx, 1, MPI_INT64_T, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
  }
  free(buf);
  if (!rc && size == 1 && ntodo > 0) {
    /* No other ranks: rank 0 runs the points in a worker process, so a
     * point that crashes is a failed row here too. */
    rc = lam__sweep_run_workers(base, sp, o, in, 1, todo, ntodo, table, sum, err);
  }
  if (!rc && o->stop && *o->stop) {
    rc = lam_err_set(err, LAM_EINTERRUPT, "sweep: interrupted");
  }
  lam_sweep_table_close(table);
  free(todo);
  return rc;
}

static int worker(const lam_sim_params *base, const lam_sweep_spec *sp,
                  const lam_sweep_opts *o, const lam__sweep_inputs *in,
                  lam_err *err) {
  char *line = NULL;
  int rc = LAM_OK;
  for (;;) {
    /* The first message (empty) asks for work; later ones carry a row. */
    const char *msg = line ? line : "";
    MPI_Send(msg, (int)strlen(msg) + (line ? 1 : 0), MPI_CHAR, 0, TAG_ROW, MPI_COMM_WORLD);
    free(line);
    line = NULL;
    int64_t idx;
    MPI_Recv(&idx, 1, MPI_INT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (idx < 0) {
      break;
    }
    int failed = 0;
    lam_err e = {0, ""};
    int r = lam__sweep_row(base, sp, o, in, (size_t)idx, &line, &failed, &e);
    if (r == LAM_EINTERRUPT) {
      rc = lam_err_set(err, LAM_EINTERRUPT, "%s", e.msg);
      line = NULL; /* an empty message: no row */
    } else if (r == LAM_EIO) {
      /* Not the point's own error: "!" and the message, no row. */
      size_t n = strcspn(e.msg, "\n");
      line = malloc(n + 3);
      if (line) {
        snprintf(line, n + 3, "!%.*s\n", (int)n, e.msg);
      }
    } else if (r) {
      line = lam_sweep_failed_row(sp, o->nmetrics, (size_t)idx, e.msg);
    }
  }
  free(line);
  return rc;
}

int lam_sweep_run_mpi(const lam_sim_params *base, const lam_sweep_spec *sp,
                      const lam_sweep_opts *o, lam_sweep_summary *sum,
                      lam_err *err) {
  int inited = 0, rank = 0, size = 1;
  MPI_Initialized(&inited);
  if (!inited && MPI_Init(NULL, NULL) != MPI_SUCCESS) {
    return lam_err_set(err, LAM_EIO, "sweep: MPI_Init failed");
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  memset(sum, 0, sizeof *sum);
  /* Every rank knows the inputs' hashes at the start, to check its points
   * against them; rank 0 also checks the table's. */
  lam__sweep_inputs *in = NULL;
  lam_err ie = {0, ""};
  int irc = lam__sweep_inputs_new(base, sp, &in, rank == 0 ? err : &ie);
  (void)irc;
  int rc = rank == 0 ? root(base, sp, o, in, sum, size, err) : worker(base, sp, o, in, err);
  lam__sweep_inputs_free(in);
  /* Rank 0's status for everyone, so all ranks exit alike. */
  int code = rc;
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (rank != 0 && code && !rc) {
    rc = lam_err_set(err, code, "sweep: rank 0 failed");
  }
  if (!inited) {
    MPI_Finalize();
  }
  return rc;
}
