/* test_threads.c: `[solver] threads` (core/lam_par.h) through a model file.
 *
 * With OpenMP: an attention network large enough for the threaded paths
 * (the solver's vector passes and the T x T blocks of the right-hand side)
 * gives the same bits with threads = 2 and 3 as with threads = 1: every
 * recorded sample, the final state and the step counts. The split must not
 * change a value: element-wise passes, one BLAS call per head, reductions
 * (the WRMS norm that sets CVODE's steps) over blocks fixed by the length.
 * The threads are really started (this process's tasks in /proc grow by the
 * workers of OpenMP's pool), and only when asked: a threads = 1 run starts
 * none, whatever OMP_NUM_THREADS says.
 *
 * Without OpenMP: threads > 1 is an error naming the file, line and key.
 * Either way the key's range is 1 ... 256. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "lam_par.h"
#include "lam_sim.h"
#include "lam_solver.h"
#include "lam_test_util.h"
#include "lam_params.h"

/* A self-attention model, T columns, H heads, with `threads`. */
static void write_model(const char *path, int T, int H, const char *clocks, const char *threads) {
  char text[1024];
  snprintf(text, sizeof text,
           "[network]\ncolumns = %d\nheads = %d\nd_in = 8\nd_k = 8\nd_v = 8\n"
           "[clocks]\nenabled = %s\ngamma_hz = 40\nalpha_hz = 10\n"
           "gamma_depth = 0.5\nalpha_depth = 0.5\n"
           "[solver]\nmethod = adams\nrtol = 1e-6\natol = 1e-8\nthreads = %s\n",
           T, H, clocks, threads);
  tu_write_text(path, text);
}

/* The error of lam_sim_new for the model at path, into msg. */
static int sim_error(const char *path, char *msg, size_t len) {
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim *sim = NULL;
  int rc = lam_sim_from_model(m, &sim, &err);
  snprintf(msg, len, "%s", err.msg);
  lam_sim_free(sim);
  lam_model_free(m);
  return rc;
}

#if LAM_PAR_HAVE_OPENMP
typedef struct trace {
  double *y;
  size_t n, cap, len;
} trace;

static int keep(void *ctx, double t, const double *y) {
  (void)t;
  trace *tr = ctx;
  if (tr->len + tr->n <= tr->cap) {
    memcpy(tr->y + tr->len, y, tr->n * sizeof *y);
    tr->len += tr->n;
  }
  return 0;
}

/* Tasks (threads) of this process. */
static int tasks(void) {
  DIR *d = opendir("/proc/self/task");
  cr_assert_not_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    n += e->d_name[0] != '.';
  }
  closedir(d);
  return n;
}

/* Run the model file for t_end, keeping every sample (dt 1 ms). */
static void run(const char *path, double t_end, trace *tr, lam_solver_stats *st) {
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  tr->n = lam_sim_system(sim)->n;
  const size_t ns = (size_t)(t_end / 0.001 + 0.5) + 2;
  tr->cap = ns * tr->n + tr->n; /* + the final state */
  tr->len = 0;
  tr->y = malloc(tr->cap * sizeof *tr->y);
  cr_assert_not_null(tr->y);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = 0.001;
  o.on_sample = keep;
  o.ctx = tr;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  keep(tr, t_end, lam_sim_state(sim));
  double wall;
  lam_sim_stats(sim, st, &wall);
  lam_sim_free(sim);
  lam_model_free(m);
}

static void check(int T, int H, const char *clocks) {
  cr_assert_geq((long)T * T * H, LAM_PAR_MIN_VECTOR,
                "the network must reach the threaded paths");
  char path[128];
  snprintf(path, sizeof path, "%s/model.ini", tu_tmpdir());
  write_model(path, T, H, clocks, "1");
  const int tasks0 = tasks();
  trace one;
  lam_solver_stats s1;
  run(path, 0.02, &one, &s1);
  cr_assert_gt(s1.nsteps, 10, "too few steps (%ld) to mean anything", s1.nsteps);
  cr_assert_eq(tasks(), tasks0,
               "threads = 1 started %d threads: a parallel region without "
               "num_threads (core/lam_par.h) follows OMP_NUM_THREADS",
               tasks() - tasks0);
  for (int nt = 2; nt <= 3; nt++) {
    char ntext[8];
    snprintf(ntext, sizeof ntext, "%d", nt);
    write_model(path, T, H, clocks, ntext);
    trace tr;
    lam_solver_stats st;
    run(path, 0.02, &tr, &st);
    cr_assert_geq(tasks(), tasks0 + nt - 1, "threads = %d: %d tasks, %d before", nt,
                  tasks(), tasks0);
    cr_assert_eq(st.nsteps, s1.nsteps, "%d threads: %ld steps, 1 thread: %ld", nt,
                 st.nsteps, s1.nsteps);
    cr_assert_eq(st.nfevals, s1.nfevals);
    cr_assert_eq(tr.len, one.len);
    size_t first = tr.len;
    for (size_t i = 0; i < tr.len && first == tr.len; i++) {
      if (memcmp(&tr.y[i], &one.y[i], sizeof(double))) {
        first = i;
      }
    }
    cr_assert_eq(first, tr.len,
                 "%d threads differ from 1 thread at sample %zu, state %zu: "
                 "%.17g against %.17g",
                 nt, first / one.n, first % one.n, tr.y[first], one.y[first]);
    free(tr.y);
  }
  free(one.y);
}

Test(threads, self_t64_h4_clocks_on_same_bits) { check(64, 4, "true"); }

/* One sample at the end: the count must still adapt during the single
 * integrator call (lam_solver_set_monitor), not only at recorded samples.
 * The controller measures the asked count for one window, then probes one
 * thread (core/lam_par.c), so some of the run's measured time is on one
 * thread: a share below 1. Without the monitor no window closes before the
 * end and the share is 1. The run lasts several windows (LAM_PAR_WINDOW). */
Test(threads, sparse_recording_still_adapts) {
  char path[128];
  snprintf(path, sizeof path, "%s/m.ini", tu_tmpdir());
  write_model(path, 64, 4, "true", "2");
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 1.0;
  o.dt_record = 1.0;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  lam_solver_stats st;
  double wall;
  lam_sim_stats(sim, &st, &wall);
  const double share = lam_sim_threads_share(sim);
  cr_expect_gt(wall, 4 * LAM_PAR_WINDOW, "the run must outlast a few windows: %g s", wall);
  cr_expect(share > 0.0 && share < 1.0, "share on 2 threads %g (%g s wall)", share, wall);
  lam_sim_free(sim);
  lam_model_free(m);
}
Test(threads, self_t41_h10_clocks_off_same_bits) { check(41, 10, "false"); }

/* The count may change between any two steps (the run adapts it,
 * core/lam_par.h): a solver whose vectors and right-hand side switch
 * between 1 and 3 threads at every output ends on the bits of one thread. */
static void run_switching(lam_sim *sim, int switching, double *yend) {
  lam_system *sys = lam_sim_system(sim);
  lam_err err = {0, ""};
  lam_solver_params p;
  cr_assert_eq(lam_param_defaults(lam_solver_table, lam_solver_ntable, &p, &err), LAM_OK);
  p.rtol = 1e-6;
  p.atol = 1e-8;
  p.threads = switching ? 3 : 1;
  sys->ops->set_threads(sys->self, (int)p.threads);
  lam_solver *s;
  cr_assert_eq(lam_solver_new(sys, &p, 0.0, sys->y0, &s, &err), LAM_OK, "%s", err.msg);
  for (int k = 1; k <= 20; k++) {
    if (switching) {
      const int n = k % 2 ? 1 : 3;
      lam_solver_set_threads(s, n);
      sys->ops->set_threads(sys->self, n);
    }
    cr_assert_eq(lam_solver_advance(s, 0.001 * k, yend, &err), LAM_OK, "%s", err.msg);
  }
  lam_solver_free(s);
  sys->ops->set_threads(sys->self, 1);
}

Test(threads, switching_between_steps_same_bits) {
  char path[128];
  snprintf(path, sizeof path, "%s/model.ini", tu_tmpdir());
  write_model(path, 64, 4, "true", "1");
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  const size_t n = lam_sim_system(sim)->n;
  cr_assert_geq(n, LAM_PAR_MIN_VECTOR, "the state must reach the threaded vector passes");
  double *one = malloc(n * sizeof *one), *sw = malloc(n * sizeof *sw);
  cr_assert(one && sw);
  run_switching(sim, 0, one);
  const int tasks0 = tasks();
  run_switching(sim, 1, sw);
  cr_assert_geq(tasks(), tasks0 + 2, "3 threads were used: %d tasks, %d before", tasks(),
                tasks0);
  for (size_t i = 0; i < n; i++) {
    cr_assert(!memcmp(&one[i], &sw[i], sizeof(double)), "state %zu: %.17g against %.17g", i,
              sw[i], one[i]);
  }
  free(one);
  free(sw);
  lam_sim_free(sim);
  lam_model_free(m);
}
#else
/* write_model puts `threads = ...` on line 17. */
Test(threads, more_than_one_without_openmp_is_an_error) {
  char path[128], msg[LAM_ERR_MSG_MAX], want[256];
  snprintf(path, sizeof path, "%s/model.ini", tu_tmpdir());
  write_model(path, 4, 1, "false", "2");
  cr_assert_eq(sim_error(path, msg, sizeof msg), LAM_EINVAL);
  snprintf(want, sizeof want,
           "%s:17: solver.threads: expected 1 in a build without OpenMP", path);
  cr_assert(strstr(msg, want), "message: %s", msg);
  write_model(path, 4, 1, "false", "1");
  cr_assert_eq(sim_error(path, msg, sizeof msg), LAM_OK, "%s", msg);
}
#endif

/* 0 is the default, the machine's cores (docs/solvers.md). */
Test(threads, range_is_0_to_256) {
  char path[128], msg[LAM_ERR_MSG_MAX];
  snprintf(path, sizeof path, "%s/model.ini", tu_tmpdir());
  write_model(path, 4, 1, "false", "0");
  cr_assert_eq(sim_error(path, msg, sizeof msg), LAM_OK, "threads = 0: %s", msg);
  const char *bad[] = {"-1", "257", "1.5"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_model(path, 4, 1, "false", bad[i]);
    cr_assert_eq(sim_error(path, msg, sizeof msg), LAM_EINVAL, "threads = %s", bad[i]);
    cr_assert(strstr(msg, ":17: solver.threads: expected an integer"), "threads = %s: %s",
              bad[i], msg);
  }
}
