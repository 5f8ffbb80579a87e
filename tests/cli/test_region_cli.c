/* test_region_cli.c: `laminar experiment run NAME --region N`: a small map
 * end to end (region.csv, region.png, "region" in result.json, the report's
 * column), resumed without running a point again, and --region 0 refused
 * with a message naming the experiment, a non-zero exit and nothing
 * written. */
#include "lam_cli_test.h"

#include <sys/stat.h>

#include "lam_config.h"

TestSuite(region_cli, .fini = cli_cleanup);

static int exists(const char *name) {
  char p[256];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return stat(p, &st) == 0;
}

Test(region_cli, region_zero_is_refused, .timeout = 60) {
  cli_tmpdir("lam_rgcli");
  char out[128];
  snprintf(out, sizeof out, "%s/out", dir);
  const char *a1[] = {"experiment", "run", "pv-softmax", "--region", "0", "-o", out, NULL};
  cr_assert_eq(run(a1), 1);
  cr_assert(strstr(slurp("stderr.txt"), "experiment pv-softmax: --region 0: expected 1 to"),
            "%s", slurp("stderr.txt"));
  cr_assert(!exists("out"), "the output folder was made");
  const char *a2[] = {"experiment", "run", "--all", "--region", "0", "-o", out, NULL};
  cr_assert_eq(run(a2), 1);
  cr_assert(strstr(slurp("stderr.txt"), "experiment attention-identity: --region 0"), "%s",
            slurp("stderr.txt"));
  cr_assert(!exists("out"), "the output folder was made");
  const char *a3[] = {"experiment", "run", "--help", NULL};
  cr_assert_eq(run(a3), 0);
  cr_assert(strstr(slurp("stdout.txt"), "--region N"));
}

Test(region_cli, small_map_and_resume, .timeout = 240) {
  cli_tmpdir("lam_rgcli");
  char out[128], model[1024];
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(model, sizeof model, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  const char *args[] = {"experiment", "run", "selectivity-by-layer", "-m", model, "--quick",
                        "--seeds", "2", "--region", "3", "-j", "2", "-o", out, NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  cr_assert(strstr(slurp("stderr.txt"), "region point 3/3"), "%s", slurp("stderr.txt"));
  cr_assert(strstr(slurp("stdout.txt"), "selectivity-by-layer       holds in "), "%s",
            slurp("stdout.txt"));
  char *csv = strdup(slurp("out/selectivity-by-layer/region.csv"));
  cr_assert_not_null(csv);
  size_t rows = 0;
  for (char *p = strstr(csv, ",ok,"); p; p = strstr(p + 1, ",ok,")) {
    rows++;
  }
  cr_assert_eq(rows, 3, "%s", csv);
  const char *js = slurp("out/selectivity-by-layer/result.json");
  cr_assert(strstr(js, "\"region\": {\"points\": 3, \"failed\": 0, \"seeds_per_point\": "), "%s",
            js);
  cr_assert(strstr(js, "\"supported_fraction\": "));
  cr_assert(strstr(js, "\"ci95\": ["));
  cr_assert(strstr(js, "\"parameters\": [\n      {\"key\": \"column.tau_"));
  if (LAM_HAVE_PLPLOT) {
    cr_assert(exists("out/selectivity-by-layer/region.png"));
  }
  /* Again: every point is in the table, none runs, the table is unchanged. */
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  cr_assert(!strstr(slurp("stderr.txt"), "region point"), "%s", slurp("stderr.txt"));
  cr_assert_str_eq(slurp("out/selectivity-by-layer/region.csv"), csv);
  free(csv);
}
