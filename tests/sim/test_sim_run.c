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
#include "../circuits/lam_test_util.h"
#include "lam_params.h"
#include "lam_simrec.h"

static lam_model *m;
static lam_sim *sim;

static void setup(void) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/jansen-rit.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err = {0, ""};
  m = lam_model_new();
  cr_assert_eq(lam_model_load(m, p, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
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
  int rc = lam_sim_record(sim, &o, rec, &err);
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

/* [run] record: names, empty entries skipped, "all"; nothing named is an
 * error naming where the key was given. */
static int flags_of(const char *value, int flags[3], lam_err *err) {
  char p[512];
  snprintf(p, sizeof p, "%s/models/jansen-rit.ini", getenv("LAM_SOURCE_ROOT"));
  lam_model *m2 = lam_model_new();
  cr_assert_eq(lam_model_load(m2, p, err), LAM_OK, "%s", err->msg);
  int rc = lam_params_option(m2, "--record", "record", value, err);
  lam_sim *s2 = NULL;
  if (!rc) {
    rc = lam_sim_from_model(m2, &s2, err);
  }
  if (!rc) {
    cr_assert_eq(lam_sim_system(s2)->npops, 3);
    cr_assert_str_eq(lam_sim_system(s2)->pops[0].name, "v_pyr");
    cr_assert_str_eq(lam_sim_system(s2)->pops[2].name, "psp");
    rc = lam_sim_record_flags(s2, flags, err);
  }
  lam_sim_free(s2);
  lam_model_free(m2);
  return rc;
}

Test(sim_run, record_key_selects_populations) {
  int f[3] = {-1, -1, -1};
  lam_err err = {0, ""};
  cr_assert_eq(flags_of("v_pyr,,psp", f, &err), LAM_OK, "%s", err.msg);
  cr_expect(f[0] == 1 && f[1] == 0 && f[2] == 1);
  cr_assert_eq(flags_of("all", f, &err), LAM_OK, "%s", err.msg);
  cr_expect(f[0] == 1 && f[1] == 1 && f[2] == 1);
  cr_expect_eq(flags_of(",", f, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "--record ,: run.record: expected population names"),
            "%s", err.msg);
  cr_expect_eq(flags_of("v_pyr,l4", f, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "--record v_pyr,l4: run.record: unknown population 'l4'"
                            " (this model has v_pyr,rate_pyr,psp, or all, or layers)"),
            "%s", err.msg);
}

/* A number outside its key's range is refused before it reaches the model,
 * with the option named. */
Test(sim_run, options_meet_the_run_table) {
  lam_err err = {0, ""};
  lam_model *m2 = lam_model_new();
  cr_expect_eq(lam_params_option(m2, "--dt-record", "dt_record", "1e-300", &err),
               LAM_EINVAL);
  cr_expect_str_eq(err.msg, "--dt-record 1e-300: run.dt_record: expected a value "
                            "in [1e-09, 1e+06] s, found '1e-300'");
  cr_expect(lam_model_value(m2, "run", "dt_record") == NULL);
  cr_expect_eq(lam_params_option(m2, "--t-end", "t_end", "0.07", &err), LAM_OK);
  cr_expect_str_eq(lam_model_value(m2, "run", "t_end"), "0.07");
  cr_expect_str_eq(lam_model_where(m2, "run", "t_end"), "--t-end 0.07");
  lam_model_free(m2);
}
