/* test_threads.c: an attention network large enough for the threaded paths
 * (core/lam_par.h: the solver's vector passes and the T x T blocks of the
 * right-hand side) gives the same bits on 1, 2 and 3 threads: every
 * recorded sample, the final state and the step counts. The split must not
 * change a value: element-wise passes, one BLAS call per head, reductions
 * (the WRMS norm that sets CVODE's steps) over blocks fixed by the length. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "lam_par.h"
#include "lam_sim.h"
#include "lam_test_util.h"

#ifndef _OPENMP
Test(threads, built_without_openmp) {
  cr_skip_test("built without OpenMP (meson -Dopenmp=enabled): one thread only");
}
#else

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

/* Run the model file for t_end, keeping every sample (dt 1 ms). */
static void run(const char *path, double t_end, trace *tr, lam_solver_stats *st) {
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_new(m, &sim, &err), LAM_OK, "%s", err.msg);
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
  char text[1024], path[128];
  snprintf(text, sizeof text,
           "[network]\ncolumns = %d\nheads = %d\nd_in = 8\nd_k = 8\nd_v = 8\n"
           "[clocks]\nenabled = %s\ngamma_hz = 40\nalpha_hz = 10\n"
           "gamma_depth = 0.5\nalpha_depth = 0.5\n"
           "[solver]\nmethod = adams\nrtol = 1e-6\natol = 1e-8\n",
           T, H, clocks);
  snprintf(path, sizeof path, "%s/model.ini", tu_tmpdir());
  tu_write_text(path, text);
  trace one;
  lam_solver_stats s1;
  omp_set_num_threads(1);
  run(path, 0.02, &one, &s1);
  cr_assert_gt(s1.nsteps, 10, "too few steps (%ld) to mean anything", s1.nsteps);
  for (int nt = 2; nt <= 3; nt++) {
    trace tr;
    lam_solver_stats st;
    omp_set_num_threads(nt);
    cr_assert_eq(omp_get_max_threads(), nt);
    run(path, 0.02, &tr, &st);
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
  omp_set_num_threads(1);
  free(one.y);
}

Test(threads, self_t64_h4_clocks_on_same_bits) { check(64, 4, "true"); }
Test(threads, self_t41_h10_clocks_off_same_bits) { check(41, 10, "false"); }
#endif
