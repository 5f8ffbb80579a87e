/* lam_sweep_pool.c: forked worker processes that run tasks and answer with
 * lines through sockets; the parent polls them (lam_sweep_pool.h). */
#include "lam_sweep_pool.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

/* Exit codes of a worker process. */
enum { WK_OK = 0, WK_INTERRUPT = 3, WK_FAIL = 4 };

#define NO_TASK ((size_t)-1)

typedef struct worker {
  pid_t pid;   /* -1: no process in this slot */
  int fd;      /* the parent's end of the worker's socket pair */
  size_t task; /* the task it runs, NO_TASK when idle */
  char *out;   /* bytes of its current line */
  size_t n, cap;
} worker;

typedef struct pool {
  const lam_sweep_pool_ops *ops;
  const size_t *tasks;
  size_t ntasks, next; /* tasks[next] is the next to hand out */
  worker *w;
  size_t nw, running;
  int rc;              /* the first error */
  int stopping, shut;
  lam_err *err;
} pool;

static int stop_asked(const lam_sweep_pool_ops *ops) { return ops->stop && *ops->stop; }

/* Write all of s to fd (a short write continues); 0 or -1. */
static int write_all(int fd, const char *s, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t k = write(fd, s + off, len - off);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k <= 0) {
      return -1;
    }
    off += (size_t)k;
  }
  return 0;
}

/* A worker process: reads task indices from its socket, one size_t each,
 * and answers each with its line; exits when the parent shuts the socket
 * (or on Ctrl-C / SIGTERM during a task, without a line). An error that is
 * not the task's own goes back as "!" and its message. */
static void run_child(const lam_sweep_pool_ops *ops, int fd) {
  for (;;) {
    size_t i, got = 0;
    while (got < sizeof i) {
      ssize_t k = read(fd, (char *)&i + got, sizeof i - got);
      if (k < 0 && errno == EINTR && !stop_asked(ops)) {
        continue;
      }
      if (k <= 0) {
        _exit(k == 0 && got == 0 ? WK_OK : (stop_asked(ops) ? WK_INTERRUPT : WK_FAIL));
      }
      got += (size_t)k;
    }
    char *line = NULL;
    lam_err e = {0, ""};
    int rc = ops->run(ops->ctx, i, &line, &e);
    if (rc == LAM_EINTERRUPT) {
      _exit(WK_INTERRUPT);
    }
    if (rc == LAM_ENOMEM) {
      _exit(WK_FAIL);
    }
    if (rc) {
      size_t n = strlen(e.msg);
      line = malloc(n + 3);
      if (line) {
        line[0] = '!';
        for (size_t k = 0; k < n; k++) {
          line[k + 1] = e.msg[k] == '\n' ? ' ' : e.msg[k];
        }
        memcpy(line + n + 1, "\n", 2);
      }
    }
    if (!line || write_all(fd, line, strlen(line)) != 0) {
      _exit(WK_FAIL);
    }
    free(line);
  }
}

/* Start a worker process in slot k. */
static int spawn(pool *p, size_t k) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
    return lam_err_set(p->err, LAM_EIO, "sweep: socketpair: %s", strerror(errno));
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return lam_err_set(p->err, LAM_EIO, "sweep: fork: %s", strerror(errno));
  }
  if (pid == 0) {
#ifdef __linux__
    /* A worker dies with the parent (SIGKILL included) instead of running
     * its task for nobody. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(WK_FAIL);
    }
#else
    (void)parent;
#endif
    close(sv[0]);
    for (size_t q = 0; q < p->ops->nchild_close; q++) {
      if (p->ops->child_close[q] >= 0) {
        close(p->ops->child_close[q]);
      }
    }
    for (size_t q = 0; q < p->nw; q++) {
      if (p->w[q].pid > 0) {
        close(p->w[q].fd); /* else a sibling would never see its EOF */
      }
    }
    run_child(p->ops, sv[1]);
  }
  close(sv[1]);
  worker *x = &p->w[k];
  x->pid = pid;
  x->fd = sv[0];
  x->task = NO_TASK;
  x->n = 0;
  p->running++;
  return LAM_OK;
}

/* Hand the next task to the idle worker x. MSG_NOSIGNAL: a worker killed
 * meanwhile shows up as its EOF, not as SIGPIPE in the parent. */
static int assign(pool *p, worker *x) {
  size_t i = p->tasks[p->next], off = 0;
  while (off < sizeof i) {
    ssize_t k = send(x->fd, (const char *)&i + off, sizeof i - off, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k < 0 && errno == EPIPE) {
      break; /* it died: its EOF fails the task below */
    }
    if (k < 0) {
      return lam_err_set(p->err, LAM_EIO, "sweep: send: %s", strerror(errno));
    }
    off += (size_t)k;
  }
  x->task = i;
  p->next++;
  return LAM_OK;
}

static void fail(pool *p, int rc) {
  p->rc = p->rc ? p->rc : rc;
}

/* Stop when asked or after an error: SIGTERM to the workers with a task. */
static void maybe_stop(pool *p) {
  if ((stop_asked(p->ops) || p->rc) && !p->stopping) {
    p->stopping = 1;
    for (size_t k = 0; k < p->nw; k++) {
      if (p->w[k].pid > 0 && p->w[k].task != NO_TASK) {
        kill(p->w[k].pid, SIGTERM);
      }
    }
  }
}

/* Fill empty slots, give idle workers a task; with no more tasks, shut
 * the sockets: each worker exits after its last line. */
static void fill(pool *p) {
  for (size_t k = 0; k < p->nw; k++) {
    worker *x = &p->w[k];
    if (!p->stopping && x->pid < 0 && p->next < p->ntasks) {
      int rc = spawn(p, k);
      if (rc) {
        fail(p, rc);
        p->stopping = 1;
        break;
      }
    }
    if (!p->stopping && x->pid > 0 && x->task == NO_TASK && p->next < p->ntasks) {
      int rc = assign(p, x);
      if (rc) {
        fail(p, rc);
        p->stopping = 1;
      }
    }
  }
  if ((p->stopping || p->next >= p->ntasks) && !p->shut) {
    p->shut = 1;
    for (size_t k = 0; k < p->nw; k++) {
      if (p->w[k].pid > 0) {
        shutdown(p->w[k].fd, SHUT_WR);
      }
    }
  }
}

/* Bytes from worker x: NULL until its line is complete, then the line
 * (ours to free; *oom when it could not be kept). */
static char *take_line(pool *p, worker *x, const char *buf, size_t k, int *oom) {
  if (x->n + k + 1 > x->cap) {
    size_t cap = (x->cap ? 2 * x->cap : 256) + k;
    char *s = realloc(x->out, cap);
    if (!s) {
      *oom = 1;
      return NULL;
    }
    x->out = s;
    x->cap = cap;
  }
  memcpy(x->out + x->n, buf, k);
  x->n += k;
  char *nl = memchr(x->out, '\n', x->n);
  if (!nl || x->task == NO_TASK) {
    return NULL; /* the line is not complete yet */
  }
  size_t len = (size_t)(nl - x->out) + 1;
  char *line = malloc(len + 1);
  if (line) {
    memcpy(line, x->out, len);
    line[len] = '\0';
  } else {
    *oom = 1;
  }
  memmove(x->out, x->out + len, x->n - len);
  x->n -= len;
  x->task = NO_TASK;
  /* The worker's next task starts before this line is delivered (a row's
   * fsync takes a few ms), so no core waits for the disk. */
  if (!p->stopping && !stop_asked(p->ops) && p->next < p->ntasks && line &&
      line[0] != '!') {
    int rc = assign(p, x);
    if (rc) {
      fail(p, rc);
    }
  }
  return line;
}

/* Worker x exited (EOF): reap it; the line for a task it did not finish,
 * or NULL (no task lost, or no line: the task runs again on resume). */
static char *reap(pool *p, worker *x, int *oom) {
  close(x->fd);
  int ws = 0;
  while (waitpid(x->pid, &ws, 0) < 0 && errno == EINTR) {
  }
  x->pid = -1;
  p->running--;
  size_t task = x->task;
  x->task = NO_TASK;
  x->n = 0;
  if (task == NO_TASK || p->stopping ||
      (WIFEXITED(ws) && WEXITSTATUS(ws) == WK_INTERRUPT)) {
    return NULL;
  }
  char msg[128];
  if (WIFSIGNALED(ws)) {
    snprintf(msg, sizeof msg, "worker process died: signal %d (%s)", WTERMSIG(ws),
             strsignal(WTERMSIG(ws)));
  } else {
    snprintf(msg, sizeof msg, "worker process exited with status %d",
             WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
  }
  char *line = p->ops->failed(p->ops->ctx, task, msg);
  *oom = line == NULL;
  return line;
}

/* A complete line: "!message" stops the pool, anything else is delivered. */
static void handle_line(pool *p, char *line) {
  if (line[0] == '!') {
    line[strcspn(line, "\n")] = '\0';
    fail(p, lam_err_set(p->err, LAM_EIO, "%s", line + 1));
    return;
  }
  int rc = p->ops->deliver(p->ops->ctx, line, p->err);
  if (rc) {
    fail(p, rc);
  }
}

/* Wait for the workers' sockets and read what is there. */
static void poll_workers(pool *p, struct pollfd *pf, size_t *map) {
  size_t np = 0;
  for (size_t k = 0; k < p->nw; k++) {
    if (p->w[k].pid > 0) {
      pf[np].fd = p->w[k].fd;
      pf[np].events = POLLIN;
      pf[np].revents = 0;
      map[np++] = k;
    }
  }
  int pr = poll(pf, np, 200);
  if (pr < 0) {
    if (errno != EINTR) {
      fail(p, lam_err_set(p->err, LAM_EIO, "sweep: poll: %s", strerror(errno)));
    }
    return;
  }
  for (size_t q = 0; q < np; q++) {
    if (!pf[q].revents) {
      continue;
    }
    worker *x = &p->w[map[q]];
    char buf[4096];
    ssize_t k = read(x->fd, buf, sizeof buf);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    int oom = 0;
    char *line = k > 0 ? take_line(p, x, buf, (size_t)k, &oom) : reap(p, x, &oom);
    if (oom) {
      fail(p, LAM_NOMEM(p->err));
    }
    if (line) {
      handle_line(p, line);
      free(line);
    }
  }
}

int lam_sweep_pool_run(const lam_sweep_pool_ops *ops, int jobs, const size_t *tasks,
                       size_t ntasks, lam_err *err) {
  pool p;
  memset(&p, 0, sizeof p);
  p.ops = ops;
  p.tasks = tasks;
  p.ntasks = ntasks;
  p.err = err;
  p.nw = jobs > 1 ? (size_t)jobs : 1;
  if (p.nw > ntasks) {
    p.nw = ntasks;
  }
  p.w = calloc(p.nw ? p.nw : 1, sizeof *p.w);
  struct pollfd *pf = calloc(p.nw ? p.nw : 1, sizeof *pf);
  size_t *map = calloc(p.nw ? p.nw : 1, sizeof *map);
  if (!p.w || !pf || !map) {
    free(p.w);
    free(pf);
    free(map);
    return LAM_NOMEM(err);
  }
  for (size_t k = 0; k < p.nw; k++) {
    p.w[k].pid = -1;
    p.w[k].task = NO_TASK;
  }
  fflush(NULL); /* nothing buffered is written twice by a child */
  for (;;) {
    maybe_stop(&p);
    fill(&p);
    if (p.running == 0) {
      break;
    }
    poll_workers(&p, pf, map);
  }
  for (size_t k = 0; k < p.nw; k++) {
    free(p.w[k].out);
  }
  free(p.w);
  free(pf);
  free(map);
  if (!p.rc && p.stopping) {
    p.rc = lam_err_set(err, LAM_EINTERRUPT, "sweep: interrupted");
  }
  return p.rc;
}
