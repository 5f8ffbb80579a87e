/* lam_par.h: when the library splits work across threads (OpenMP).
 *
 * How many: `[solver] threads` (default 1), carried in the structs that run
 * the parallel regions (the solver's vectors, circuits/lam_nvector.c; the
 * attention network's lam_dims, column/apical.c and pv.c) and given to
 * every region as its num_threads clause. The library never calls
 * omp_set_num_threads and ignores OMP_NUM_THREADS: the count is the model's
 * (or `--set solver.threads=N`), whatever the environment says, and two
 * simulations in one process can run with different counts. With one
 * thread no parallel region is entered at all (the same code path as a
 * build without OpenMP).
 *
 * OpenMP is built when the compiler has it (meson option `openmp`, default
 * auto; gcc's libgomp). A build without it accepts only threads = 1
 * (lam_par_check_threads: an error naming the key for more).
 *
 * Work is split only where every value is computed by the same operations
 * whatever the split (element-wise passes, one BLAS call per head,
 * reductions over blocks fixed by the size alone), so results are the same
 * bits for any number of threads (tests/circuits/test_threads.c). Below the
 * thresholds, one thread: starting and ending a parallel region costs
 * microseconds, and far more when the machine is busy (docs/performance.md,
 * "Vector exp and threads").
 */
#ifndef LAM_PAR_H
#define LAM_PAR_H

#include <stddef.h>

#include "lam_error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* LAM_OMP("omp ..."): the pragma, or nothing without OpenMP.
 * LAM_OMP_N(nt, "omp ... num_threads(nt) ..."): the same for a pragma that
 * reads the local count nt (without OpenMP nt is then used as (void)nt). */
#ifdef _OPENMP
#define LAM_OMP(x) _Pragma(x)
#define LAM_OMP_N(nt, x) _Pragma(x)
#define LAM_PAR_HAVE_OPENMP 1
#else
#define LAM_OMP(x)
#define LAM_OMP_N(nt, x) (void)(nt);
#define LAM_PAR_HAVE_OPENMP 0
#endif

/* Upper bound of `[solver] threads`. */
#define LAM_PAR_MAX_THREADS 256

/* Elements of a solver vector pass (circuits/lam_nvector.c). */
#ifndef LAM_PAR_MIN_VECTOR
#define LAM_PAR_MIN_VECTOR 16384
#endif

/* Apical units (queries x heads x keys) of the T x T block of an attention
 * network's right-hand side (column/apical.c) and its rates (pv.c). */
#ifndef LAM_PAR_MIN_APICAL
#define LAM_PAR_MIN_APICAL 4096
#endif

/* The threads of a region: `threads` when the work is large enough (big),
 * else 1; counts below 1 (a zeroed struct) mean 1. */
static inline int lam_par_threads(int threads, int big) {
  return big && threads > 1 ? threads : 1;
}

/* This thread's contiguous share [*lo, *hi) of n rows inside a parallel
 * region (all of them outside one, or without OpenMP). */
static inline void lam_par_rows(size_t n, size_t *lo, size_t *hi) {
#ifdef _OPENMP
  const size_t nt = (size_t)omp_get_num_threads(),
               t = (size_t)omp_get_thread_num();
  *lo = n * t / nt;
  *hi = n * (t + 1) / nt;
#else
  *lo = 0;
  *hi = n;
#endif
}

/* LAM_OK when this build can run `threads` threads; otherwise LAM_EINVAL
 * with "where: solver.threads: expected 1 in a build without OpenMP, found
 * N" (where: "file:line" or "--set", NULL: "model"). */
int lam_par_check_threads(long threads, const char *where, lam_err *err);

/* [solver] threads = 0: the cores of n that other processes leave free,
 * from the text of Linux's /proc/loadavg ("0.35 1.68 2.34 1/123 4567"):
 * n minus the tasks running at this instant other than the caller (the
 * fourth field counts the caller too), between 1 and n. The one-minute
 * load average lags a minute behind: right after another run ends it
 * still reads 1 on an idle 2-core machine, and a count taken from it
 * gave the next run one thread where two were free. The load average is
 * used where the running count is missing, all n cores where neither
 * can be read (loadavg NULL or unreadable). The run's adaptive count
 * (below) guards against load that comes later. */
long lam_par_free_cores(long n, const char *loadavg);
/* The count a run uses, chosen as it goes (lam_sim ticks it after every
 * recorded sample and every right-hand-side evaluation of CVODE and
 * ARKODE). Threads pay only on free cores: when another process
 * keeps a core busy, every parallel region waits for the thread that is not
 * running, and 2 threads were up to 20x slower than 1 (no OpenMP wait
 * policy prevented it; docs/performance.md, "Vector exp and threads").
 * Results do not depend on the count, so a run may switch at any time: the
 * controller measures the wall time per unit of work (right-hand-side
 * evaluations) over windows of LAM_PAR_WINDOW seconds, the asked count
 * against one thread in turn, and keeps one thread only when it is at
 * least 10 % cheaper. After a probe that confirms the choice, the next
 * comes after twice as many windows (4 ... 64), or at once when a window
 * costs more than twice the last one of the same count (another process
 * took a core). Pure bookkeeping: time and
 * work are given, so it is tested with made-up machines. */
#define LAM_PAR_WINDOW 0.05

typedef struct lam_par_ctl {
  int max;        /* the count asked for */
  int now;        /* the count in use */
  int probing;    /* the current window measures the other count */
  int best;       /* the choice of the last probe */
  int hold, left; /* windows between probes, and until the next */
  double t0, w0;  /* start of the current window: time (s) and work */
  double cost[2]; /* s per unit of work, one thread and max (< 0: unknown) */
  double spent[2]; /* s measured on one thread and on max */
} lam_par_ctl;

/* Start with `threads` at time t (s) with work w done. */
void lam_par_ctl_init(lam_par_ctl *c, int threads, double t, double w);

/* At time t with work w done in all: the count to use from now on. */
int lam_par_ctl_tick(lam_par_ctl *c, double t, double w);

#endif
