/* lam_time.h: the one wall clock of the library and the program.
 *
 * CLOCK_MONOTONIC (POSIX): never steps back when the system time is set, so
 * differences are durations. Read through the vDSO, tens of nanoseconds a
 * call: cheap enough to time every right-hand-side evaluation
 * (circuits/lam_solver.c). */
#ifndef LAM_TIME_H
#define LAM_TIME_H

#include <time.h>

/* Seconds since an arbitrary fixed point; only differences mean anything. */
static inline double lam_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
