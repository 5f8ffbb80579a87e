/* lam_sweep_pool.h: a pool of forked worker processes for a sweep's points.
 *
 * At most `jobs` worker processes (one for jobs = 1 too: a point that
 * crashes its process must not end the sweep), each running tasks one
 * after another and answering each with one line of text through a socket.
 * The calling process hands out tasks, receives the lines and passes them
 * on (ops->deliver): it stays the only writer. A worker that dies fails
 * only the task it was running (ops->failed makes its line, naming the
 * signal), and a new process takes its slot. The process and its warmed-up
 * memory are reused across tasks, which saves a fork, an exit and ~500 page
 * faults per point. On Linux a worker dies with its parent (SIGKILL
 * included) instead of running its task for nobody.
 */
#ifndef LAM_SWEEP_POOL_H
#define LAM_SWEEP_POOL_H

#include <signal.h>
#include <stddef.h>

#include "lam_error.h"

typedef struct lam_sweep_pool_ops {
  /* In a worker: task i's line ("...\n", one line, malloc'ed) into *line.
   * LAM_EINTERRUPT: stopped, no line. LAM_ENOMEM: the worker exits with a
   * failure status (the task becomes ops->failed's line). Any other error
   * is not the task's own: its message (err) stops the pool, which then
   * returns LAM_EIO with it, and the task has no line. */
  int (*run)(void *ctx, size_t i, char **line, lam_err *err);
  /* In the caller: the line for task i, whose worker died (why: "worker
   * process died: signal 9 (Killed)"); malloc'ed, NULL: out of memory. */
  char *(*failed)(void *ctx, size_t i, const char *why);
  /* In the caller: a task's line; an error stops the pool with it. */
  int (*deliver)(void *ctx, const char *line, lam_err *err);
  void *ctx;
  /* Descriptors the workers must not keep open (the table, its lock): a
   * worker that held them would hold them after the caller died. */
  const int *child_close;
  size_t nchild_close;
  /* Set: stop handing out tasks, SIGTERM the workers with a task; their
   * tasks have no line. */
  volatile sig_atomic_t *stop;
} lam_sweep_pool_ops;

/* Run tasks[0..ntasks) in at most jobs workers (jobs >= 1). Returns
 * LAM_EINTERRUPT when stopped, the error of ops->run or ops->deliver that
 * stopped it, LAM_EIO when a process or socket cannot be made. */
int lam_sweep_pool_run(const lam_sweep_pool_ops *ops, int jobs, const size_t *tasks,
                       size_t ntasks, lam_err *err);

#endif
