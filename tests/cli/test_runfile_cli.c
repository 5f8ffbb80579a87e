/* test_runfile_cli.c: `laminar analyze` and `laminar plot` on hostile run
 * files made by hand (tests/io/lam_h5_craft.h): huge or wrong shapes end
 * in a message naming the file, the dataset and the expected shape, never a
 * crash; a run not marked complete is refused unless --partial, which
 * warns and marks the output; --columns and options a figure kind does not
 * use are checked. */
#include "lam_cli_test.h"

#include <sys/stat.h>

#include "../io/lam_h5_craft.h"

static char run_h5[256];

static void setup(void) {
  cli_tmpdir("lamrfc");
  snprintf(run_h5, sizeof run_h5, "%s/run.h5", dir);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

TestSuite(runfile_cli, .init = setup, .fini = cli_cleanup);

static int exists_file(const char *name) {
  char p[300];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct stat st;
  return stat(p, &st) == 0;
}

/* args must exit with status 1 (not a crash) and stderr hold every text of
 * want (NULL-terminated). */
static void fails_with(const char **args, const char *const *want) {
  int rc = run(args);
  char *e = slurp("stderr.txt");
  cr_expect_eq(rc, 1, "%s %s: exit %d: %s", args[0], args[1], rc, e);
  for (size_t k = 0; want[k]; k++) {
    cr_expect(strstr(e, want[k]), "%s %s: no '%s' in: %s", args[0], args[1],
              want[k], e);
  }
}

/* Dimensions whose product wraps size_t to a small number: the old readers
 * allocated that and wrote past it (a segmentation fault). */
Test(runfile_cli, wrapping_dimensions_are_an_error_not_a_crash) {
  craft_run(run_h5, 2, 1);
  hsize_t d[3] = {CRAFT_N, (1ull << 62) + 1, 4}, c[3] = {1, 1, 4};
  craft_replace(run_h5, "/traces/l23", H5T_IEEE_F64LE, 3, d, c, "L2/3");
  const char *want[] = {"run.h5", "/traces/l23", "samples x columns x units",
                        "400 x 4611686018427387905 x 4", NULL};
  const char *a1[] = {"analyze", run_h5, NULL};
  fails_with(a1, want);
  const char *a2[] = {"plot", run_h5, "-o", "x.png", NULL};
  char out[300];
  snprintf(out, sizeof out, "%s/x.png", dir);
  a2[3] = out;
  fails_with(a2, want);
  cr_expect(!exists_file("x.png"));
}

/* 2^40 x 2^40 x 8 (a file of a few kB). */
Test(runfile_cli, huge_dimensions_are_an_error) {
  craft_run(run_h5, 2, 1);
  hsize_t d[3] = {1ull << 40, 1ull << 40, 8}, c[3] = {1, 1, 8};
  craft_replace(run_h5, "/traces/l5b", H5T_IEEE_F64LE, 3, d, c, "L5");
  const char *want[] = {"run.h5", "/traces/l5b", "samples x columns x units",
                        "1099511627776 x 1099511627776 x 8", NULL};
  const char *a1[] = {"analyze", run_h5, NULL};
  fails_with(a1, want);
  const char *a2[] = {"plot", run_h5, "--kind", "psd", NULL};
  fails_with(a2, want);
}

/* The old analyze read a rank-2 trace as columns x 1 unit, and an integer
 * one by conversion, and reported results with exit 0. */
Test(runfile_cli, wrong_rank_and_type_are_errors) {
  craft_run(run_h5, 2, 1);
  hsize_t d2[2] = {CRAFT_N, 2};
  craft_replace(run_h5, "/traces/l23", H5T_IEEE_F64LE, 2, d2, NULL, "L2/3");
  const char *rank[] = {"/traces/l23", "expected samples x columns x units (rank 3)",
                        "found rank 2 (400 x 2)", NULL};
  const char *a1[] = {"analyze", run_h5, NULL};
  fails_with(a1, rank);
  const char *a2[] = {"plot", run_h5, NULL};
  fails_with(a2, rank);

  craft_run(run_h5, 2, 1);
  hsize_t d3[3] = {CRAFT_N, 2, 2}, c3[3] = {64, 2, 2};
  craft_replace(run_h5, "/traces/l5b", H5T_STD_I32LE, 3, d3, c3, "L5");
  const char *type[] = {"/traces/l5b", "64-bit floats", "found an integer", NULL};
  fails_with(a1, type);
  fails_with(a2, type);
}

/* A layer attribute of 3 strings was read into one pointer (the old
 * analyze overran its stack); a missing dataset names the expected shape. */
Test(runfile_cli, attributes_and_missing_datasets_are_named) {
  craft_run(run_h5, 2, 1);
  hid_t f = craft_rw(run_h5);
  hid_t d = H5Dopen2(f, "/traces/l23", H5P_DEFAULT);
  craft_attr_texts(d, "layer", 64, "L2/3");
  H5Dclose(d);
  H5Fclose(f);
  const char *want[] = {"/traces/l23", "layer", "expected one value, found 64", NULL};
  const char *a1[] = {"analyze", run_h5, NULL};
  fails_with(a1, want);
  const char *a2[] = {"plot", run_h5, NULL};
  fails_with(a2, want);

  /* /lfp without /probe/depth_um. */
  craft_run(run_h5, 2, 1);
  f = craft_rw(run_h5);
  hsize_t dl[2] = {CRAFT_N, 3};
  H5Dclose(craft_ds(f, "/lfp", H5T_IEEE_F64LE, 2, dl, NULL));
  H5Fclose(f);
  const char *probe[] = {"/probe/depth_um", "expected contacts", NULL};
  fails_with(a1, probe);
}

/* The time of the final attention map: one value, not 100 (the old plot
 * read them onto a double on its stack). */
Test(runfile_cli, attention_time_attribute_of_many_values) {
  craft_run(run_h5, 2, 1);
  hid_t f = craft_rw(run_h5);
  craft_pop(f, "l4", "L4", 2, 0.0, 1.0, 10.0);
  double w[2 * 4] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
  hsize_t dw[2] = {2, 4};
  craft_doubles(f, "/final/attn", 2, dw, w);
  hid_t d = H5Dopen2(f, "/final/attn", H5P_DEFAULT);
  craft_attr_reals(d, "t", 100, 0.399);
  H5Dclose(d);
  H5Fclose(f);
  const char *want[] = {"/final/attn", "attribute t", "found 100", NULL};
  const char *a[] = {"plot", run_h5, "--kind", "attention", NULL};
  fails_with(a, want);
}

/* complete = 0 (a FILE.part), no complete attribute, or 7: refused with
 * what was found and the way on; --partial warns and marks the output. */
Test(runfile_cli, incomplete_runs_are_refused_unless_partial) {
  static const struct {
    int complete;
    const char *found;
  } cases[] = {{0, "complete = 0"},
               {-1, "no root attribute complete"},
               {7, "complete = 7, expected 0 or 1"}};
  char part[300], fig[300], js[300], csv[300];
  snprintf(part, sizeof part, "%s/run.h5.part", dir);
  snprintf(fig, sizeof fig, "%s/fig.png", dir);
  snprintf(js, sizeof js, "%s/a.json", dir);
  snprintf(csv, sizeof csv, "%s/a.csv", dir);
  for (size_t k = 0; k < 3; k++) {
    craft_run(part, 2, cases[k].complete);
    const char *want[] = {"run.h5.part", "incomplete run", cases[k].found,
                          "--partial", NULL};
    const char *a1[] = {"analyze", part, NULL};
    fails_with(a1, want);
    cr_expect_str_eq(slurp("stdout.txt"), "", "no report from an incomplete run");
    const char *a2[] = {"plot", part, "-o", fig, NULL};
    fails_with(a2, want);
    cr_expect(!exists_file("fig.png"));

    const char *p1[] = {"analyze", part, "--partial", NULL};
    cr_expect_eq(run(p1), 0, "%s", slurp("stderr.txt"));
    char *e = slurp("stderr.txt");
    cr_expect(strstr(e, "warning") && strstr(e, "incomplete") &&
                  strstr(e, cases[k].found), "%s", e);
    char *o = slurp("stdout.txt");
    cr_expect(strstr(o, "INCOMPLETE INPUT") && strstr(o, cases[k].found), "%s", o);
    cr_expect(strstr(o, "L2/3") && strstr(o, "L5"), "the report itself: %s", o);
    const char *p2[] = {"analyze", part, "--partial", "--json", js, NULL};
    cr_expect_eq(run(p2), 0, "%s", slurp("stderr.txt"));
    cr_expect(strstr(slurp("a.json"), "\"incomplete\": true"), "%s", slurp("a.json"));
    const char *p3[] = {"analyze", part, "--partial", "--csv", csv, NULL};
    cr_expect_eq(run(p3), 0, "%s", slurp("stderr.txt"));
    char *cv = slurp("a.csv");
    cr_expect(strstr(cv, "\ninput,\"") && strstr(cv, "run.h5.part\",complete,0,1\n"),
              "%s", cv);
    const char *p4[] = {"plot", part, "-o", fig, "--partial", NULL};
    cr_expect_eq(run(p4), 0, "%s", slurp("stderr.txt"));
    e = slurp("stderr.txt");
    cr_expect(strstr(e, "warning") && strstr(e, "(incomplete run)"), "%s", e);
    cr_expect(exists_file("fig.png"));
    remove(fig);
  }
}

/* 99999999999999999999 saturated strtol at LONG_MAX and the range loop
 * ran on, allocating, until memory ran out. */
Test(runfile_cli, columns_out_of_range, .timeout = 60) {
  craft_run(run_h5, 2, 1);
  const char *a1[] = {"plot", run_h5, "--columns", "99999999999999999999", NULL};
  const char *w1[] = {"--columns", "99999999999999999999", "2147483647", NULL};
  fails_with(a1, w1);
  const char *a2[] = {"plot", run_h5, "--columns", "0-99999,0-99999", NULL};
  const char *w2[] = {"--columns", "at most 100000", NULL};
  fails_with(a2, w2);
  const char *a3[] = {"plot", run_h5, "--columns", "5", NULL};
  const char *w3[] = {"column 5 does not exist", "run.h5 has 2 columns", NULL};
  fails_with(a3, w3);
  const char *a4[] = {"plot", run_h5, "--kind", "psd", "--columns", "1,2", NULL};
  const char *w4[] = {"column 2 does not exist", "2 columns", NULL};
  fails_with(a4, w4);
}

/* Options a kind does not use were silently ignored. */
Test(runfile_cli, options_the_kind_does_not_use_are_errors) {
  craft_run(run_h5, 2, 1);
  static const char *const cases[][4] = {
      {"attention", "--columns", "0", "traces and psd"},
      {"lfp", "--columns", "0", "traces and psd"},
      {"attention", "--t0", "0.1", "traces, psd, csd and lfp"},
      {"traces", "--at", "0.1", "attention"},
      {"psd", "--metric", "m", "sweep"},
      {"sweep", "--partial", NULL, "run files"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const char *a[] = {"plot", run_h5, "--kind", cases[k][0], cases[k][1],
                       cases[k][2], NULL};
    cr_expect_eq(run(a), 2, "%s %s", cases[k][0], cases[k][1]);
    char *e = slurp("stderr.txt");
    cr_expect(strstr(e, cases[k][1]) && strstr(e, cases[k][0]) &&
                  strstr(e, cases[k][3]), "%s", e);
  }
  /* analyze: the Granger options act only between stacked areas. */
  const char *g[] = {"analyze", run_h5, "--granger-order", "5", NULL};
  cr_expect_eq(run(g), 0, "%s", slurp("stderr.txt"));
  char *e = slurp("stderr.txt");
  cr_expect(strstr(e, "--granger-order") && strstr(e, "ignored"), "%s", e);
}

/* A global heap object of size 0 made libhdf5 loop for ever on reading a
 * text attribute (found by fuzzing); one running past its collection made
 * it read beyond its buffer. */
Test(runfile_cli, broken_global_heap_is_an_error, .timeout = 60) {
  const char *want[] = {"run.h5", "corrupt HDF5 file", "global heap collection", NULL};
  const char *a1[] = {"analyze", run_h5, NULL};
  const char *a2[] = {"plot", run_h5, NULL};
  craft_run(run_h5, 2, 1);
  craft_break_heap(run_h5, 0);
  fails_with(a1, want);
  fails_with(a2, want);
  craft_run(run_h5, 2, 1);
  craft_break_heap(run_h5, 1ull << 40);
  fails_with(a1, want);
  fails_with(a2, want);
}
