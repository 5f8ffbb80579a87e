/* test_sim_run.c: lam_sim_run's own checks of t_end and dt_record, which
 * library callers reach without the [run] table's ranges: a sample count
 * t_end / dt_record beyond LAM_SIM_MAX_SAMPLES (or beyond any integer type)
 * is an error before anything is written, never a float-to-size overflow
 * that records one sample and calls the run complete. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lam_sim.h"
#include "lam_test_util.h"

static lam_model *m;
static lam_sim *sim;

static void setup(void) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/jansen-rit.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err = {0, ""};
  m = lam_model_new();
  cr_assert_eq(lam_model_load(m, p, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_sim_new(m, &sim, &err), LAM_OK, "%s", err.msg);
}

static void teardown(void) {
  lam_sim_free(sim);
  lam_model_free(m);
}

TestSuite(sim_run, .init = setup, .fini = teardown);

static void expect_refused(double t_end, double dt_record, const char *needle) {
  char *d = tu_tmpdir();
  char out[128];
  snprintf(out, sizeof out, "%s/r.h5", d);
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(out, lam_sim_system(sim), NULL, &err);
  cr_assert(rec, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = dt_record;
  int rc = lam_sim_run(sim, &o, rec, &err);
  cr_expect_eq(rc, LAM_EINVAL, "t_end %g, dt_record %g: accepted", t_end,
               dt_record);
  cr_expect(strstr(err.msg, needle), "lacks '%s': %s", needle, err.msg);
  lam_err e2 = {0, ""};
  lam_recorder_close(rec, rc == LAM_OK, &e2);
  /* Nothing recorded: no complete file, and the partial one has no
   * samples (its /time is empty or absent). */
  struct stat st;
  cr_expect(stat(out, &st) != 0, "%s was completed", out);
  char part[160];
  snprintf(part, sizeof part, "%s.part", out);
  double *t = NULL;
  hsize_t dims[3];
  int rank;
  cr_expect_eq(tu_h5_read(part, "/time", &t, dims, &rank), 0,
               "samples were written");
  free(t);
}

Test(sim_run, sample_count_beyond_any_integer_is_an_error) {
  expect_refused(1.0, 1e-300, "samples, expected at most 1e+12");
}

Test(sim_run, sample_count_beyond_the_maximum_is_an_error) {
  /* Both inside the [run] table's ranges: 1e18 samples. */
  expect_refused(1e9, 1e-9, "expected at most 1e+12");
}

Test(sim_run, non_finite_times_are_errors) {
  expect_refused(INFINITY, 0.001, "positive and finite");
  expect_refused(1.0, INFINITY, "positive and finite");
  expect_refused(NAN, 0.001, "positive and finite");
}

/* An ordinary run is not caught by the checks. */
Test(sim_run, ordinary_counts_still_run) {
  lam_err err = {0, ""};
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 0.01;
  o.dt_record = 0.001;
  cr_expect_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
}
