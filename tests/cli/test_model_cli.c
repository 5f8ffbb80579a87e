/* test_model_cli.c: what `laminar` does with model paths that are not model
 * files, with model files that are not text, and with numeric options out
 * of range: a message naming the file (line, column) or option, exit 1 for
 * a bad model and 2 for a bad option, no output file, and never a hang (the
 * devices and FIFOs run under a timeout). */
#include "lam_cli_test.h"

#include <sys/stat.h>

static void setup(void) {
  cli_tmpdir("lammodelcli");
  atexit(cli_cleanup);
}

TestSuite(model_cli, .init = setup);

static const char *path(const char *name) {
  static char p[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static void put(const char *name, const char *text, size_t len) {
  FILE *f = fopen(path(name), "wb");
  cr_assert(f);
  cr_assert_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

static int exists(const char *name) {
  struct stat st;
  return stat(path(name), &st) == 0;
}

/* `laminar run MODEL -o out.h5` fails with exit 1, err in stderr, and
 * leaves no output. */
static void run_fails(const char *model, const char *needle) {
  const char *args[] = {"run", model, "-o", path("out.h5"), "--t-end", "0.01", NULL};
  int status = run(args);
  const char *err = slurp("stderr.txt");
  cr_expect_eq(status, 1, "exit %d; stderr: %s", status, err);
  cr_expect(err && strstr(err, needle), "stderr lacks '%s': %s", needle, err);
  cr_expect(!exists("out.h5") && !exists("out.h5.part"), "an output file was left");
}

Test(model_cli, directory_as_model, .timeout = 60) {
  char want[256];
  snprintf(want, sizeof want, "laminar run: %s: not a model file: it is a directory", dir);
  run_fails(dir, want);
}

Test(model_cli, dev_null_as_model, .timeout = 60) {
  run_fails("/dev/null", "laminar run: /dev/null: not a model file: it is a character device");
}

Test(model_cli, dev_zero_as_model_ends_at_once, .timeout = 20) {
  run_fails("/dev/zero", "laminar run: /dev/zero: not a model file: it is a character device");
}

Test(model_cli, fifo_as_model_does_not_block, .timeout = 20) {
  cr_assert_eq(mkfifo(path("fifo.ini"), 0600), 0);
  run_fails(path("fifo.ini"), "fifo.ini: not a model file: it is a FIFO (named pipe)");
}

Test(model_cli, empty_model_file, .timeout = 60) {
  put("m.ini", "", 0);
  run_fails(path("m.ini"), "m.ini: empty model: no [section] in it");
}

Test(model_cli, comments_only_model_file, .timeout = 60) {
  const char t[] = "; columns = 3\n# [network]\n";
  put("m.ini", t, sizeof t - 1);
  run_fails(path("m.ini"), "m.ini: empty model: no [section] in it");
}

Test(model_cli, nul_byte_in_line_2, .timeout = 60) {
  const char t[] = "[network]\ncolumns = 3\0\n[column]\ntau_l4 = -1\n";
  put("m.ini", t, sizeof t - 1);
  run_fails(path("m.ini"), "m.ini:2: NUL byte at column 12");
}

/* The tail of a long comment was a key once; the error on line 4 is on 4. */
Test(model_cli, long_comment_then_bad_value, .timeout = 60) {
  char t[1024];
  char c[601];
  memset(c, 'c', 600);
  c[600] = '\0';
  snprintf(t, sizeof t, "[network]\n; %s\ncolumns = 3\nheads = 2.5\n", c);
  put("m.ini", t, strlen(t));
  run_fails(path("m.ini"), "m.ini:4: network.heads: expected an integer in [1, 1024], found '2.5'");
}

Test(model_cli, control_character_in_set, .timeout = 60) {
  const char t[] = "[network]\ncolumns = 3\n";
  put("m.ini", t, sizeof t - 1);
  const char *args[] = {"run", path("m.ini"), "--set", "network.columns=3\x1b", "-o",
                        path("out.h5"), "--t-end", "0.01", NULL};
  int status = run(args);
  const char *err = slurp("stderr.txt");
  cr_expect_neq(status, 0, "stderr: %s", err);
  cr_expect(strstr(err, "--set: non-text byte 0x1b at column 18"), "%s", err);
  cr_expect(!exists("out.h5"));
}

Test(model_cli, set_number_out_of_range, .timeout = 60) {
  const char t[] = "[network]\ncolumns = 3\n";
  put("m.ini", t, sizeof t - 1);
  const char *args[] = {"run", path("m.ini"), "--set", "solver.seed=99999999999999999999",
                        "-o", path("out.h5"), "--t-end", "0.01", NULL};
  int status = run(args);
  const char *err = slurp("stderr.txt");
  cr_expect_neq(status, 0, "stderr: %s", err);
  cr_expect(strstr(err, "solver.seed: expected an integer in [0, 4294967295], found "
                        "'99999999999999999999'"),
            "%s", err);
  cr_expect(!exists("out.h5"));
}

/* experiment --seeds: one range, [1, 100000], whatever the text. */
Test(model_cli, experiment_seeds_out_of_range, .timeout = 60) {
  const char *bad[] = {"0", "100001", "2.5", "1e999", "nan", "-3", "99999999999999999999",
                       "0x10", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *args[] = {"experiment", "run", "--all", "--seeds", bad[i], "-o",
                          path("results"), NULL};
    int status = run(args);
    const char *err = slurp("stderr.txt");
    char want[256];
    snprintf(want, sizeof want,
             "laminar experiment: --seeds: expected an integer in [1, 100000], found '%s'\n",
             bad[i]);
    cr_expect_eq(status, 2, "--seeds '%s': exit %d", bad[i], status);
    cr_expect_str_eq(err, want);
    cr_expect(!exists("results"), "--seeds '%s' ran", bad[i]);
  }
}

/* Every numeric option of analyze and plot goes through one check: decimal
 * text only, inside the option's range, exit 2 naming the option. Before,
 * these took hex ('0x10' s), 1e10 s segments, bands up to infinity and
 * 1e9-step scans. */
Test(model_cli, analyze_and_plot_options_are_range_checked, .timeout = 120) {
  const char *runargs[] = {"run", NULL, "-o", path("r.h5"), "--t-end", "0.05",
                           "--quiet", NULL};
  char model[512];
  snprintf(model, sizeof model, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  runargs[1] = model;
  cr_assert_eq(run(runargs), 0, "%s", slurp("stderr.txt"));
  const char *cases[][4] = {
      {"--t0", "0x10", "--t0", "up to 1e9"},
      {"--seg", "1e10", "--seg", "up to 1e9"},
      {"--granger-order", "2.5", "--granger-order", "[1, 200]"},
      {"--band", "g=30:1e7", "--band", "<= 1e6"},
      {"--band", "g=0x1:40", "--band", "<= 1e6"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *args[] = {"analyze", path("r.h5"), cases[i][0], cases[i][1], NULL};
    int status = run(args);
    const char *err = slurp("stderr.txt");
    cr_expect_eq(status, 2, "%s %s: exit %d: %s", cases[i][0], cases[i][1], status, err);
    cr_expect(err && strstr(err, cases[i][2]) && strstr(err, cases[i][3]),
              "%s %s: %s", cases[i][0], cases[i][1], err);
  }
  const char *plot[] = {"plot", path("r.h5"), "--kind", "traces", "--t0", "-1", "-o",
                        path("f.png"), NULL};
  cr_expect_eq(run(plot), 2);
  cr_expect(strstr(slurp("stderr.txt"), "--t0: expected a number in [0, 1e+09]"),
            "%s", slurp("stderr.txt"));
  const char *scan[] = {"analyze", model, "--scan", "column.beta=0.5:4:1e9", NULL};
  cr_expect_eq(run(scan), 2);
  cr_expect(strstr(slurp("stderr.txt"), "[2, 1000000]"), "%s", slurp("stderr.txt"));
  const char *seed[] = {"analyze", model, "--fixed-points", "--seed", "4294967296", NULL};
  cr_expect_eq(run(seed), 2);
  cr_expect(strstr(slurp("stderr.txt"), "--seed: expected an integer in [0, 4294967295]"),
            "%s", slurp("stderr.txt"));
  cr_expect(!exists("f.png") && !exists("f.png.part"));
}
