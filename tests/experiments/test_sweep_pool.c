/* test_sweep_pool.c: the worker processes of a sweep
 * (experiments/lam_sweep_pool.c) with toy tasks: every task's line once,
 * a worker that dies or fails, an error that is not a task's own, a stop,
 * and the descriptors a worker must not keep. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_sweep_pool.h"

enum { NT = 12 };

typedef struct toy {
  char *got[NT + 1]; /* delivered lines by task (from "task N ...") */
  size_t ndelivered;
  int fd_to_check;   /* a worker reports whether it has it open */
  int deliver_fail;  /* after this many lines (0: never) */
  volatile sig_atomic_t *stop;
  size_t stop_after;
} toy;

/* Task 3 kills its own worker, task 5 runs out of memory, task 7 (with
 * fd_to_check) reports the descriptor, task 9 writes a long line, task 11
 * has an error that is not its own when fd_to_check is -2. */
static int toy_run(void *ctx, size_t i, char **line, lam_err *err) {
  toy *t = ctx;
  if (i == 3) {
    raise(SIGKILL);
  }
  if (i == 5) {
    return LAM_ENOMEM;
  }
  if (i == 11 && t->fd_to_check == -2) {
    return lam_err_set(err, LAM_EIO, "input changed\nduring the sweep");
  }
  size_t len = i == 9 ? 20000 : 64;
  *line = malloc(len + 1);
  cr_assert(*line);
  int n = snprintf(*line, len + 1, "task %zu pid %ld %s", i, (long)getpid(),
                   i == 7 && t->fd_to_check >= 0
                       ? (fcntl(t->fd_to_check, F_GETFD) < 0 && errno == EBADF ? "closed"
                                                                               : "open")
                       : "");
  if (i == 9) {
    memset(*line + n, 'x', len - 1 - (size_t)n);
    n = (int)len - 1;
  }
  memcpy(*line + n, "\n", 2);
  return LAM_OK;
}

static char *toy_failed(void *ctx, size_t i, const char *why) {
  (void)ctx;
  char *s = malloc(200);
  snprintf(s, 200, "task %zu failed: %s\n", i, why);
  return s;
}

static int toy_deliver(void *ctx, const char *line, lam_err *err) {
  toy *t = ctx;
  size_t i = (size_t)strtoul(line + 5, NULL, 10);
  cr_assert(!strncmp(line, "task ", 5) && i < NT, "%s", line);
  cr_assert_null(t->got[i], "task %zu delivered twice", i);
  cr_assert(strchr(line, '\n') == line + strlen(line) - 1, "one whole line");
  t->got[i] = strdup(line);
  t->ndelivered++;
  if (t->deliver_fail && t->ndelivered == (size_t)t->deliver_fail) {
    return lam_err_set(err, LAM_EIO, "disk full");
  }
  if (t->stop && t->ndelivered == t->stop_after) {
    *t->stop = 1;
  }
  return LAM_OK;
}

static void toy_free(toy *t) {
  for (size_t i = 0; i < NT; i++) {
    free(t->got[i]);
  }
}

static int run(toy *t, int jobs, const int *closefds, size_t nclose, lam_err *err) {
  size_t tasks[NT];
  for (size_t i = 0; i < NT; i++) {
    tasks[i] = i;
  }
  lam_sweep_pool_ops ops = {toy_run, toy_failed, toy_deliver, t,
                            closefds, nclose, t->stop};
  return lam_sweep_pool_run(&ops, jobs, tasks, NT, err);
}

static void every_task_once(int jobs) {
  toy t;
  memset(&t, 0, sizeof t);
  int p[2];
  cr_assert_eq(pipe(p), 0);
  t.fd_to_check = p[1];
  lam_err err = {0, ""};
  cr_assert_eq(run(&t, jobs, &p[1], 1, &err), 0, "%s", err.msg);
  close(p[0]);
  close(p[1]);
  cr_assert_eq(t.ndelivered, NT);
  for (size_t i = 0; i < NT; i++) {
    cr_assert_not_null(t.got[i], "task %zu", i);
  }
  cr_assert_str_eq(t.got[3], "task 3 failed: worker process died: signal 9 (Killed)\n");
  cr_assert_str_eq(t.got[5], "task 5 failed: worker process exited with status 4\n");
  cr_assert(strstr(t.got[7], " closed\n"), "a worker kept the descriptor: %s", t.got[7]);
  cr_assert_eq(strlen(t.got[9]), 20000);
  /* Tasks ran in worker processes, not here. */
  char me[32];
  snprintf(me, sizeof me, " pid %ld ", (long)getpid());
  for (size_t i = 0; i < NT; i++) {
    cr_assert_null(strstr(t.got[i], me), "task %zu ran in the parent", i);
  }
  toy_free(&t);
}

Test(sweep_pool, one_worker_every_task_once, .timeout = 60) { every_task_once(1); }

Test(sweep_pool, three_workers_every_task_once, .timeout = 60) { every_task_once(3); }

Test(sweep_pool, more_jobs_than_tasks, .timeout = 60) { every_task_once(40); }

/* An error that is not a task's own stops the pool with its message on
 * one line; that task has no line. */
Test(sweep_pool, a_worker_error_stops_the_pool, .timeout = 60) {
  toy t;
  memset(&t, 0, sizeof t);
  t.fd_to_check = -2;
  lam_err err = {0, ""};
  cr_assert_eq(run(&t, 1, NULL, 0, &err), LAM_EIO);
  cr_assert_str_eq(err.msg, "input changed during the sweep");
  cr_assert_null(t.got[11]);
  cr_assert_eq(t.ndelivered, 11);
  toy_free(&t);
}

Test(sweep_pool, a_delivery_error_stops_the_pool, .timeout = 60) {
  toy t;
  memset(&t, 0, sizeof t);
  t.fd_to_check = -1;
  t.deliver_fail = 2;
  lam_err err = {0, ""};
  cr_assert_eq(run(&t, 2, NULL, 0, &err), LAM_EIO);
  cr_assert_str_eq(err.msg, "disk full");
  cr_assert_lt(t.ndelivered, NT);
  toy_free(&t);
}

static volatile sig_atomic_t stop_flag;

Test(sweep_pool, stop_ends_it_interrupted, .timeout = 60) {
  toy t;
  memset(&t, 0, sizeof t);
  t.fd_to_check = -1;
  stop_flag = 0;
  t.stop = &stop_flag;
  t.stop_after = 2;
  lam_err err = {0, ""};
  cr_assert_eq(run(&t, 1, NULL, 0, &err), LAM_EINTERRUPT);
  cr_assert_str_eq(err.msg, "sweep: interrupted");
  /* The worker's next task was handed out with the second line: at most
   * that one more. */
  cr_assert_leq(t.ndelivered, 3);
  toy_free(&t);
}

Test(sweep_pool, no_tasks_no_workers) {
  toy t;
  memset(&t, 0, sizeof t);
  lam_sweep_pool_ops ops = {toy_run, toy_failed, toy_deliver, &t, NULL, 0, NULL};
  lam_err err = {0, ""};
  cr_assert_eq(lam_sweep_pool_run(&ops, 4, NULL, 0, &err), 0, "%s", err.msg);
  cr_assert_eq(t.ndelivered, 0);
}
