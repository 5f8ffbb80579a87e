/* lam_par.h: when the library splits work across threads (OpenMP).
 *
 * The thread count is OpenMP's: OMP_NUM_THREADS (the `laminar` program
 * runs one thread unless it is set; docs/performance.md). Work is split
 * only where every value is computed by the same operations whatever the
 * split (element-wise passes, one BLAS call per head, reductions over blocks
 * fixed by the size alone), so results are the same bits for any number of
 * threads. Below the thresholds, one thread: starting and ending a parallel
 * region costs microseconds, and far more when the machine is busy.
 */
#ifndef LAM_PAR_H
#define LAM_PAR_H

#ifdef _OPENMP
#define LAM_OMP(x) _Pragma(x)
#else
#define LAM_OMP(x)
#endif

/* Elements of a solver vector pass (circuits/lam_nvector.c). */
#ifndef LAM_PAR_MIN_VECTOR
#define LAM_PAR_MIN_VECTOR 16384
#endif

/* Apical units (queries x heads x keys) of the T x T blocks of an attention
 * network's right-hand side (column/l5a.c, pv.c, out.c). */
#ifndef LAM_PAR_MIN_APICAL
#define LAM_PAR_MIN_APICAL 4096
#endif

#endif
