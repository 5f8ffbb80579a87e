/* blas.c: the program's one setting of OpenBLAS (see cli.h).
 *
 * Why: laminar's BLAS calls are small (the attention gate and routed
 * output are T x T x d_k products per head) and its own threads ([solver]
 * threads) split the work above them. OpenBLAS would add its workers to the
 * larger of these products and spin them between calls: a T = 256 self
 * attention network (0.05 s, one laminar thread) used 1.33-1.75 s of user
 * and 0.93-1.15 s of system time without this call, 1.11-1.16 s and
 * 0.13-0.15 s with it, for the same wall time on an idle 2-core machine:
 * half the processor time, which a sweep running -j 2 or anything else on
 * the machine gets back (docs/performance.md). The workers a threaded
 * OpenBLAS starts when it is loaded, before main, spin for their first
 * ~0.1 s whatever the count: on a 2-core machine they took the second core
 * from a run with [solver] threads = 2 for that long. They are stopped
 * here with the call OpenBLAS makes itself before a fork
 * (blas_thread_shutdown_; exported by its threaded builds, found by
 * meson, about 0.1 ms); with the count at 1 none is started again. The
 * thread count is process-wide state, so the program, which owns the
 * process, sets it; the library never does. Its own file: <cblas.h> and
 * GSL's headers conflict. */
#include <cblas.h>

#include "cli.h"

#ifdef LAM_OPENBLAS_SHUTDOWN
int blas_thread_shutdown_(void);
#endif

void lam_cli_blas_single_thread(void) {
#ifdef LAM_OPENBLAS
  openblas_set_num_threads(1);
#endif
#ifdef LAM_OPENBLAS_SHUTDOWN
  blas_thread_shutdown_();
#endif
}
