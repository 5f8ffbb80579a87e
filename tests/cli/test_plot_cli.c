/* test_plot_cli.c: `laminar plot --area` on a run of stacked areas, as users
 * meet it: models/two-areas.ini run with the probe writes /v1.lfp, /v2.lfp
 * (docs/hierarchy.md); --kind lfp --area v2 draws v2, no --area draws the
 * first area and says so on stderr, an unknown area fails naming the areas
 * present, and a single-area run is drawn as before. The arrays drawn are
 * checked against the file in tests/plot/test_plot_areas.c. */
#include "lam_cli_test.h"

#include <sys/stat.h>

static char model[512], two[256], one[256];

/* Run models/two-areas.ini (areas = 1) or the single-area default model
 * with the probe for 50 ms into dir/two.h5 or dir/one.h5. */
static void run_model(int areas) {
  snprintf(model, sizeof model, "%s/models/%s", getenv("LAM_SOURCE_ROOT"),
           areas ? "two-areas.ini" : "default.ini");
  const char *args[] = {"run", model, "--set", "probe.enabled=true", "--set",
                        "run.t_end=0.05", "-o", areas ? two : one, NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
}

static void setup(void) {
  cli_tmpdir("lamplot");
  snprintf(two, sizeof two, "%s/two.h5", dir);
  snprintf(one, sizeof one, "%s/one.h5", dir);
}

TestSuite(plot_cli, .init = setup, .fini = cli_cleanup);

static int exists(const char *name) {
  char p[320];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct stat st;
  return stat(p, &st) == 0 && st.st_size > 0;
}

Test(plot_cli, area_v2_and_the_default_first_area) {
  run_model(1);
  const char *kinds[] = {"lfp", "csd"};
  for (int k = 0; k < 2; k++) {
    char out[320], want[64];
    snprintf(out, sizeof out, "%s/v2_%s.svg", dir, kinds[k]);
    const char *a2[] = {"plot", two, "--kind", kinds[k], "--area", "v2",
                        "-o", out, NULL};
    cr_assert_eq(run(a2), 0, "%s", slurp("stderr.txt"));
    cr_assert_null(strstr(slurp("stderr.txt"), "choose with --area"),
                   "note printed although --area was given");
    snprintf(want, sizeof want, "v2_%s.svg", kinds[k]);
    cr_assert(exists(want), "%s not written", want);

    /* No --area: the first area, named on stderr and in the default name
     * RUN-stem_AREA_KIND.png. */
    const char *a0[] = {"plot", two, "--kind", kinds[k], NULL};
    cr_assert_eq(run(a0), 0, "%s", slurp("stderr.txt"));
    char *err = slurp("stderr.txt");
    cr_assert(strstr(err, "drawing area v1") && strstr(err, "--area"), "%s",
              err);
    snprintf(want, sizeof want, "two_v1_%s.png", kinds[k]);
    cr_assert(exists(want), "%s not written: %s", want, err);
  }
}

Test(plot_cli, an_unknown_area_fails_naming_the_areas) {
  run_model(1);
  const char *kinds[] = {"lfp", "csd", "traces", "attention"};
  for (int k = 0; k < 4; k++) {
    const char *args[] = {"plot", two, "--kind", kinds[k], "--area", "v7",
                          NULL};
    int rc = run(args);
    char *err = slurp("stderr.txt");
    cr_assert_neq(rc, 0, "--kind %s --area v7 succeeded", kinds[k]);
    cr_assert(strstr(err, "v7") && strstr(err, "v1, v2"), "%s", err);
    cr_assert_null(strstr(err, "enabled = true"), "probe hint for a bad area: %s",
                   err);
  }
}

Test(plot_cli, a_single_area_run_is_drawn_as_before) {
  run_model(0);
  const char *args[] = {"plot", one, "--kind", "lfp", NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  cr_assert_null(strstr(slurp("stderr.txt"), "area"), "%s",
                 slurp("stderr.txt"));
  cr_assert(exists("one_lfp.png"));
  const char *bad[] = {"plot", one, "--kind", "lfp", "--area", "v1", NULL};
  cr_assert_neq(run(bad), 0);
  cr_assert(strstr(slurp("stderr.txt"), "single-area"), "%s",
            slurp("stderr.txt"));
}

Test(plot_cli, help_documents_area) {
  const char *args[] = {"plot", "--help", NULL};
  cr_assert_eq(run(args), 0);
  char *out = slurp("stdout.txt");
  cr_assert(strstr(out, "--area NAME"), "%s", out);
  cr_assert(strstr(out, "first area"), "%s", out);
}

/* --style paper writes an 85 mm (241 pt) wide vector page; an unknown
 * style and --csd-static on a kind other than csd are usage errors (exit
 * 2) that name what is expected. */
Test(plot_cli, style_paper_and_csd_static) {
  run_model(0);
  char out[320];
  snprintf(out, sizeof out, "%s/paper.svg", dir);
  const char *ok[] = {"plot", one, "--kind", "csd", "--style", "paper",
                      "--csd-static", "-o", out, NULL};
  cr_assert_eq(run(ok), 0, "%s", slurp("stderr.txt"));
  char *svg = slurp("paper.svg");
  cr_assert(strstr(svg, "width=\"241"), "not 241 pt wide");
  const char *bad[] = {"plot", one, "--kind", "lfp", "--style", "print", NULL};
  cr_assert_eq(run(bad), 2);
  cr_assert(strstr(slurp("stderr.txt"), "screen or paper"), "%s",
            slurp("stderr.txt"));
  const char *nocsd[] = {"plot", one, "--kind", "lfp", "--csd-static", NULL};
  cr_assert_eq(run(nocsd), 2);
  cr_assert(strstr(slurp("stderr.txt"), "--csd-static is for csd"), "%s",
            slurp("stderr.txt"));
}
