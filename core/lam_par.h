/* lam_par.h: when the library splits work across threads (OpenMP).
 *
 * How many: `[solver] threads` (default 1), carried in the structs that run
 * the parallel regions (the solver's vectors, circuits/lam_nvector.c; the
 * attention network's lam_dims, column/l5a.c, pv.c, out.c) and given to
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

#include "lam_error.h"

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

/* Apical units (queries x heads x keys) of the T x T blocks of an attention
 * network's right-hand side (column/l5a.c, pv.c, out.c). */
#ifndef LAM_PAR_MIN_APICAL
#define LAM_PAR_MIN_APICAL 4096
#endif

/* The threads of a region: `threads` when the work is large enough (big),
 * else 1; counts below 1 (a zeroed struct) mean 1. */
static inline int lam_par_threads(int threads, int big) {
  return big && threads > 1 ? threads : 1;
}

/* LAM_OK when this build can run `threads` threads; otherwise LAM_EINVAL
 * with "where: solver.threads: expected 1 in a build without OpenMP, found
 * N" (where: "file:line" or "--set", NULL: "model"). */
int lam_par_check_threads(long threads, const char *where, lam_err *err);

#endif
