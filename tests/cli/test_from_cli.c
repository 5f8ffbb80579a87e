/* test_from_cli.c: run files say exactly what made them, and
 * `laminar run --from RUN.h5` repeats a run from its file alone: every
 * dataset of the repeat equals the original's bit for bit (memcmp of the
 * doubles read with the HDF5 API). Options that set model keys meet the
 * keys' ranges and are in the recorded model text; the provenance
 * attributes have their documented form, checked against the files on disk
 * (SHA-256, size), the shell (command line) and the clock (created). */
#define _DEFAULT_SOURCE /* timegm */
#include "lam_cli_test.h"

#include <hdf5.h>
#include <sys/stat.h>
#include <time.h>

#include "lam_config.h"
#include "lam_hash.h"

static void setup(void) {
  cli_tmpdir("lamfrom");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static const char *in_dir(const char *name) {
  static char p[32][256]; /* enough for the arguments of one command */
  static int k;
  k = (k + 1) % 32;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static const char *model_path(const char *name) {
  static char p[512];
  snprintf(p, sizeof p, "%s/models/%s", getenv("LAM_SOURCE_ROOT"), name);
  return p;
}

static void put(const char *name, const char *text) {
  FILE *f = fopen(in_dir(name), "w");
  cr_assert(f);
  fputs(text, f);
  fclose(f);
}

static int exists(const char *name) {
  struct stat st;
  return stat(in_dir(name), &st) == 0;
}

/* ---- reading run files with the HDF5 API ---- */

typedef struct dsets {
  char name[96][128];
  unsigned char *data[96];
  size_t size[96];
  hsize_t dims[96][3];
  int rank[96];
  size_t n;
} dsets;

/* Every float dataset (groups fail to open as datasets and are skipped). */
static herr_t visit(hid_t obj, const char *name, const H5L_info_t *info,
                    void *op) {
  (void)info;
  dsets *d = op;
  hid_t ds = d->n == 96 ? -1 : H5Dopen2(obj, name, H5P_DEFAULT);
  if (ds < 0) {
    return 0;
  }
  hid_t sp = H5Dget_space(ds);
  size_t k = d->n;
  d->rank[k] = H5Sget_simple_extent_ndims(sp);
  cr_assert(d->rank[k] >= 1 && d->rank[k] <= 3, "%s: rank %d", name, d->rank[k]);
  H5Sget_simple_extent_dims(sp, d->dims[k], NULL);
  size_t n = (size_t)H5Sget_simple_extent_npoints(sp);
  d->size[k] = n * sizeof(double);
  d->data[k] = malloc(d->size[k] ? d->size[k] : 1);
  cr_assert(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                    d->data[k]) >= 0, "cannot read %s", name);
  snprintf(d->name[k], sizeof d->name[k], "%s", name);
  d->n++;
  H5Sclose(sp);
  H5Dclose(ds);
  return 0;
}

static void read_all(const char *file, dsets *d) {
  memset(d, 0, sizeof *d);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0, "cannot open %s", file);
  H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, d);
  H5Fclose(f);
}

static void free_all(dsets *d) {
  for (size_t i = 0; i < d->n; i++) {
    free(d->data[i]);
  }
}

static long find(const dsets *d, const char *name) {
  for (size_t i = 0; i < d->n; i++) {
    if (!strcmp(d->name[i], name)) {
      return (long)i;
    }
  }
  return -1;
}

/* Every dataset of a outside /inputs is in b with the same shape and
 * bytes; the needles (e.g. "traces/l23") must be among them. Returns how
 * many were compared. */
static size_t expect_same(const char *fa, const char *fb, const char **needles) {
  dsets *a = malloc(sizeof *a), *b = malloc(sizeof *b);
  read_all(fa, a);
  read_all(fb, b);
  size_t compared = 0;
  for (size_t i = 0; i < a->n; i++) {
    if (!strncmp(a->name[i], "inputs/", 7)) {
      continue;
    }
    long j = find(b, a->name[i]);
    cr_expect(j >= 0, "%s lacks %s", fb, a->name[i]);
    if (j < 0) {
      continue;
    }
    cr_expect_eq(a->rank[i], b->rank[j], "%s: rank", a->name[i]);
    cr_expect(!memcmp(a->dims[i], b->dims[j], sizeof a->dims[i]), "%s: shape",
              a->name[i]);
    cr_expect(a->size[i] == b->size[j] &&
                  !memcmp(a->data[i], b->data[j], a->size[i]),
              "%s differs between %s and %s", a->name[i], fa, fb);
    compared++;
  }
  for (const char **n = needles; *n; n++) {
    cr_expect(find(a, *n) >= 0, "%s has no %s", fa, *n);
  }
  free_all(a);
  free_all(b);
  free(a);
  free(b);
  return compared;
}

/* Attribute of object obj ("/" for the root) as text (static buffer),
 * NULL when absent. */
static const char *obj_attr_text(const char *file, const char *obj,
                                 const char *name) {
  static char buf[1 << 16];
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0, "cannot open %s", file);
  const char *r = NULL;
  if (H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0) {
    hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t t = H5Aget_type(a);
    cr_assert(H5Tget_class(t) == H5T_STRING, "%s: not text", name);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(t));
    char *v = NULL;
    cr_assert(H5Aread(a, mt, &v) >= 0);
    snprintf(buf, sizeof buf, "%s", v);
    H5free_memory(v);
    H5Tclose(mt);
    H5Tclose(t);
    H5Aclose(a);
    r = buf;
  }
  H5Fclose(f);
  return r;
}

static const char *attr_text(const char *file, const char *name) {
  return obj_attr_text(file, "/", name);
}

static double attr_real(const char *file, const char *name) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  double v = NAN;
  if (H5Aexists(f, name) > 0) {
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
  }
  H5Fclose(f);
  return v;
}

static int has_link(const char *file, const char *path) {
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  htri_t e = H5Lexists(f, "inputs", H5P_DEFAULT) > 0 &&
             H5Lexists(f, path, H5P_DEFAULT) > 0;
  H5Fclose(f);
  return e > 0;
}

/* An 8 x 8 thalamic input of our own (the default model's T x d_in), with
 * values whose decimal text needs all 17 digits. */
static void write_x(const char *name, double vals[64]) {
  char text[64 * 32] = "";
  for (int r = 0; r < 8; r++) {
    for (int c = 0; c < 8; c++) {
      double v = sin(1.0 + r * 8 + c) / 3.0 + 1e-3 * r;
      char cell[32];
      snprintf(cell, sizeof cell, "%s%.17g", c ? "," : "", v);
      strcat(text, cell);
      vals[r * 8 + c] = strtod(cell + (c ? 1 : 0), NULL);
    }
    strcat(text, "\n");
  }
  put(name, text);
}

static void run_ok(const char **args) {
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
}

TestSuite(from_cli, .init = setup, .fini = cli_cleanup);

/* The default model with an input CSV of our own, repeated with --from:
 * every dataset (traces, final, time, lfp, csd, probe) bit for bit. */
Test(from_cli, default_model_repeats_bit_for_bit) {
  double x[64];
  write_x("x.csv", x);
  char setx[300];
  snprintf(setx, sizeof setx, "input.x=%s", in_dir("x.csv"));
  const char *a[] = {"run", model_path("default.ini"), "--set", setx, "--t-end",
                     "0.05", "-o", in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  /* The input array is stored as read. */
  dsets *d = malloc(sizeof *d);
  read_all(in_dir("a.h5"), d);
  long k = find(d, "inputs/input.x");
  cr_assert(k >= 0, "no /inputs/input.x");
  cr_expect(d->rank[k] == 2 && d->dims[k][0] == 8 && d->dims[k][1] == 8);
  cr_expect(!memcmp(d->data[k], x, sizeof x), "/inputs/input.x != x.csv");
  free_all(d);
  free(d);
  const char *b[] = {"run", "--from", in_dir("a.h5"), "-o", in_dir("b.h5"),
                     "--quiet", NULL};
  run_ok(b);
  const char *need[] = {"time", "traces/l23", "traces/out", "final/l23", "lfp",
                        "csd", "probe/depth_um", NULL};
  cr_expect(expect_same(in_dir("a.h5"), in_dir("b.h5"), need) >= 20);
  /* The private folder of written-back inputs is gone. */
  const char *m = attr_text(in_dir("b.h5"), "input.input.x.path");
  cr_assert(m);
  struct stat st;
  cr_expect(stat(m, &st) != 0, "%s left behind", m);
  /* And a repeat of the repeat (its inputs are stored too). */
  const char *c[] = {"run", "--from", in_dir("b.h5"), "-o", in_dir("c.h5"),
                     "--quiet", NULL};
  run_ok(c);
  expect_same(in_dir("a.h5"), in_dir("c.h5"), need);
}

Test(from_cli, jansen_rit_repeats_bit_for_bit) {
  const char *a[] = {"run", model_path("jansen-rit.ini"), "--t-end", "0.3",
                     "-o", in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  const char *b[] = {"run", "--from", in_dir("a.h5"), "-o", in_dir("b.h5"),
                     "--quiet", NULL};
  run_ok(b);
  const char *need[] = {"time", "traces/v_pyr", "final/v_pyr", NULL};
  cr_expect(expect_same(in_dir("a.h5"), in_dir("b.h5"), need) >= 5);
}

Test(from_cli, two_areas_repeat_bit_for_bit) {
  const char *a[] = {"run", model_path("two-areas.ini"), "--t-end", "0.03",
                     "-o", in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  const char *b[] = {"run", "--from", in_dir("a.h5"), "-o", in_dir("b.h5"),
                     "--quiet", NULL};
  run_ok(b);
  const char *need[] = {"time", "traces/v1.l23", "traces/v2.l23",
                        "final/v2.out", NULL};
  cr_expect(expect_same(in_dir("a.h5"), in_dir("b.h5"), need) >= 20);
}

/* --set and options apply on top of the recorded run. */
Test(from_cli, options_apply_over_the_recorded_model) {
  const char *a[] = {"run", model_path("jansen-rit.ini"), "--t-end", "0.3",
                     "-o", in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  const char *b[] = {"run", "--from", in_dir("a.h5"), "--t-end", "0.1",
                     "--set", "jansen_rit.p=150", "-o", in_dir("b.h5"),
                     "--quiet", NULL};
  run_ok(b);
  dsets *d = malloc(sizeof *d);
  read_all(in_dir("b.h5"), d);
  long k = find(d, "time");
  cr_assert(k >= 0);
  cr_expect_eq(d->dims[k][0], 101, "0.1 s at 1 ms: 101 samples, found %llu",
               (unsigned long long)d->dims[k][0]);
  free_all(d);
  free(d);
  const char *m = attr_text(in_dir("b.h5"), "model");
  cr_expect(strstr(m, "\np = 150 ;"), "%s", m);
}

/* Regression: `--t-end 5` on a model with t_end = 2 recorded 2. */
Test(from_cli, t_end_option_is_in_the_recorded_model) {
  const char *a[] = {"run", model_path("jansen-rit.ini"), "--t-end", "0.07",
                     "--dt-record", "0.002", "--record", "v_pyr", "-o",
                     in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  const char *m = attr_text(in_dir("a.h5"), "model");
  cr_assert(m);
  const char *run = strstr(m, "[run]\n");
  cr_assert(run, "%s", m);
  cr_expect(strstr(run, "t_end = 0.07 ;"), "%s", run);
  cr_expect(strstr(run, "dt_record = 0.002 ;"), "%s", run);
  cr_expect(strstr(run, "record = v_pyr ;"), "%s", run);
}

/* Regression: a tiny --dt-record overflowed a float-to-size conversion and
 * wrote one sample marked complete. */
Test(from_cli, tiny_dt_record_is_a_usage_error) {
  const char *a[] = {"run", model_path("jansen-rit.ini"), "--dt-record",
                     "1e-300", "-o", in_dir("a.h5"), NULL};
  cr_expect_eq(run(a), 2);
  const char *e = slurp("stderr.txt");
  cr_expect(strstr(e, "--dt-record 1e-300: run.dt_record: expected a value in "
                      "[1e-09, 1e+06] s"), "%s", e);
  cr_expect(!exists("a.h5") && !exists("a.h5.part"), "an output was written");
}

Test(from_cli, option_values_meet_the_key_ranges) {
  const char *a[] = {"run", model_path("jansen-rit.ini"), "--t-end", "0", "-o",
                     in_dir("a.h5"), NULL};
  cr_expect_eq(run(a), 2);
  const char *e = slurp("stderr.txt");
  cr_expect(strstr(e, "--t-end 0: run.t_end: expected a value in [1e-09, 1e+09] s"),
            "%s", e);
  const char *b[] = {"run", model_path("jansen-rit.ini"), "--t-end", "2e9",
                     "-o", in_dir("a.h5"), NULL};
  cr_expect_eq(run(b), 2);
  const char *c[] = {"run", model_path("jansen-rit.ini"), "--t-end", "nan",
                     "-o", in_dir("a.h5"), NULL};
  cr_expect_eq(run(c), 2);
  e = slurp("stderr.txt");
  cr_expect(strstr(e, "--t-end nan: run.t_end: expected a number"), "%s", e);
  const char *d[] = {"run", model_path("jansen-rit.ini"), "--record", "l6",
                     "-o", in_dir("a.h5"), NULL};
  cr_expect_neq(run(d), 0);
  e = slurp("stderr.txt");
  cr_expect(strstr(e, "--record l6: run.record: unknown population 'l6'"), "%s", e);
  cr_expect(!exists("a.h5") && !exists("a.h5.part"), "an output was written");
}

/* 1 if text is "YYYY-MM-DDTHH:MM:SSZ" within a minute of now. */
static int recent_iso8601(const char *text) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end || strlen(text) != 20) {
    return 0;
  }
  time_t t = timegm(&tm);
  return llabs((long long)(time(NULL) - t)) < 120;
}

/* Each word of the command line, as the shell splits it, one a line. */
static const char *shell_words(const char *line) {
  char script[4096];
  snprintf(script, sizeof script, "%s/words.sh", dir);
  FILE *f = fopen(script, "w");
  /* printf instead of the program: the words as the shell hands them over. */
  fprintf(f, "set -- %s\nshift\nfor w; do printf '%%s\\n' \"$w\"; done\n", line);
  fclose(f);
  char cmd[4400];
  snprintf(cmd, sizeof cmd, "sh %s > %s/words.txt", script, dir);
  cr_assert_eq(system(cmd), 0);
  return slurp("words.txt");
}

/* `laminar version` names the build the way its run files do: the same
 * version, commit and build strings as the attributes of a file it wrote,
 * one "name value" line each. */
Test(from_cli, version_prints_what_run_files_record) {
  const char *a[] = {"run", model_path("default.ini"), "--t-end", "0.01", "-o",
                     in_dir("v.h5"), "--quiet", NULL};
  run_ok(a);
  const char *v[] = {"version", NULL};
  run_ok(v);
  static char out[4096];
  const char *so = slurp("stdout.txt");
  cr_assert(so && strlen(so) < sizeof out, "%s", so ? so : "(no stdout)");
  memcpy(out, so, strlen(so) + 1);
  const char *f = in_dir("v.h5");
  const char *names[] = {"laminar", "commit", "build"};
  const char *attrs[] = {"version", "commit", "build"};
  char *line = out;
  for (int i = 0; i < 3; i++) {
    char *nl = strchr(line, '\n');
    cr_assert(nl, "line %d missing in:\n%s", i + 1, slurp("stdout.txt"));
    *nl = '\0';
    char want[2048];
    snprintf(want, sizeof want, "%s %s", names[i], attr_text(f, attrs[i]));
    cr_expect_str_eq(line, want);
    line = nl + 1;
  }
  cr_expect_str_eq(line, "", "more than three lines");
  /* --help describes it; an argument is refused, naming it. */
  const char *h[] = {"version", "--help", NULL};
  run_ok(h);
  cr_expect(strstr(slurp("stdout.txt"), "usage: laminar version"), "%s",
            slurp("stdout.txt"));
  const char *x[] = {"version", "extra", NULL};
  cr_expect_eq(run(x), 2);
  cr_expect(strstr(slurp("stderr.txt"), "'extra'"), "%s", slurp("stderr.txt"));
}

Test(from_cli, provenance_attributes_have_their_form) {
  double x[64];
  write_x("x y.csv", x); /* a space: the command line must quote it */
  char setx[300];
  snprintf(setx, sizeof setx, "input.x=%s", in_dir("x y.csv"));
  const char *a[] = {"run", model_path("default.ini"), "--set", setx, "--t-end",
                     "0.01", "-o", in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  const char *f = in_dir("a.h5");
  cr_expect_str_eq(attr_text(f, "version"), LAM_VERSION);
  const char *c = attr_text(f, "commit");
  cr_expect(c && c[0], "commit");
  const char *b = attr_text(f, "build");
  cr_expect(b && strstr(b, "buildtype=") && strstr(b, "compiler=") &&
                strstr(b, "openmp=") && strstr(b, "sanitize="), "%s", b);
  const char *cr = attr_text(f, "created");
  cr_expect(cr && recent_iso8601(cr), "created = %s", cr ? cr : "(none)");
  char host[256] = "";
  gethostname(host, sizeof host);
  cr_expect_str_eq(attr_text(f, "host"), host);
  /* The command line splits back into the arguments given. */
  char line[4096];
  snprintf(line, sizeof line, "%s", attr_text(f, "command_line"));
  cr_expect(!strncmp(line, "laminar run ", 12), "%s", line);
  char want[4096] = "";
  for (const char **w = a; *w; w++) {
    strcat(want, *w);
    strcat(want, "\n");
  }
  cr_expect_str_eq(shell_words(line), want, "command_line = %s", line);
  /* Every input: path, size and SHA-256 of the file on disk. */
  const char *inputs[][2] = {{"input.x", "x y.csv"}, {"input.z", NULL}};
  char lst[64];
  snprintf(lst, sizeof lst, "%s", attr_text(f, "inputs"));
  cr_expect(strstr(lst, "input.x") && strstr(lst, "input.z"), "inputs = %s", lst);
  for (size_t i = 0; i < 2; i++) {
    char an[128], path[1024];
    snprintf(an, sizeof an, "input.%s.path", inputs[i][0]);
    snprintf(path, sizeof path, "%s", attr_text(f, an));
    if (inputs[i][1]) {
      cr_expect_str_eq(path, in_dir(inputs[i][1]));
    }
    char hex[LAM_SHA256_HEX];
    uint64_t size;
    lam_err err = {0, ""};
    cr_assert_eq(lam_hash_file(path, hex, &size, &err), LAM_OK, "%s", err.msg);
    snprintf(an, sizeof an, "input.%s.sha256", inputs[i][0]);
    cr_expect_str_eq(attr_text(f, an), hex, "%s", an);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    snprintf(an, sizeof an, "input.%s.size_bytes", inputs[i][0]);
    cr_expect_eq(attr_real(f, an), (double)st.st_size, "%s", an);
    snprintf(an, sizeof an, "inputs/%s", inputs[i][0]);
    cr_expect(has_link(f, an), "no /%s", an);
    /* The dataset carries the same facts. */
    cr_expect_str_eq(obj_attr_text(f, an, "sha256"), hex, "%s sha256", an);
    cr_expect_str_eq(obj_attr_text(f, an, "path"), path, "%s path", an);
  }
  cr_expect_str_eq(obj_attr_text(f, "inputs/input.x", "section"), "input");
  cr_expect_str_eq(obj_attr_text(f, "inputs/input.x", "key"), "x");
  cr_expect_str_eq(attr_text(f, "input.input.x.section"), "input");
  cr_expect_str_eq(attr_text(f, "input.input.x.key"), "x");
}

/* --no-inputs: hashes only; --from then uses the recorded files while their
 * SHA-256 matches, and names the input whose file changed. */
Test(from_cli, no_inputs_checks_the_recorded_files) {
  double x[64];
  write_x("x.csv", x);
  char setx[300];
  snprintf(setx, sizeof setx, "input.x=%s", in_dir("x.csv"));
  const char *a[] = {"run", model_path("default.ini"), "--set", setx, "--t-end",
                     "0.02", "--no-inputs", "-o", in_dir("a.h5"), "--quiet", NULL};
  run_ok(a);
  cr_expect(!has_link(in_dir("a.h5"), "inputs/input.x"), "--no-inputs stored x");
  cr_expect(attr_text(in_dir("a.h5"), "input.input.x.sha256"), "no hash");
  const char *b[] = {"run", "--from", in_dir("a.h5"), "-o", in_dir("b.h5"),
                     "--quiet", NULL};
  run_ok(b);
  const char *need[] = {"time", "traces/l23", NULL};
  expect_same(in_dir("a.h5"), in_dir("b.h5"), need);
  /* One digit changed. */
  FILE *fx = fopen(in_dir("x.csv"), "r+");
  cr_assert(fx);
  fputc('9', fx);
  fclose(fx);
  cr_expect_eq(run(b), 1);
  const char *e = slurp("stderr.txt");
  cr_expect(strstr(e, "input input.x") && strstr(e, "x.csv has changed"), "%s", e);
  cr_expect(!exists("b.h5.part"));
}

Test(from_cli, from_refuses_what_is_not_a_run_file) {
  put("not.h5", "[run]\nt_end = 1\n");
  const char *a[] = {"run", "--from", in_dir("not.h5"), "-o", in_dir("o.h5"), NULL};
  cr_expect_eq(run(a), 1);
  cr_expect(strstr(slurp("stderr.txt"), "not.h5: cannot open as an HDF5 run file"), "%s",
            slurp("stderr.txt"));
  const char *b[] = {"run", "--from", in_dir("none.h5"), "-o", in_dir("o.h5"), NULL};
  cr_expect_eq(run(b), 1);
  cr_expect(strstr(slurp("stderr.txt"), "none.h5: cannot open run file"), "%s",
            slurp("stderr.txt"));
  const char *c[] = {"run", "--from", dir, "-o", in_dir("o.h5"), NULL};
  cr_expect_eq(run(c), 1);
  cr_expect(strstr(slurp("stderr.txt"), "a directory"), "%s", slurp("stderr.txt"));
  /* A MODEL besides --from, and -o onto the run file itself. */
  const char *ok[] = {"run", model_path("jansen-rit.ini"), "--t-end", "0.01",
                      "-o", in_dir("r.h5"), "--quiet", NULL};
  run_ok(ok);
  const char *d[] = {"run", "--from", in_dir("r.h5"), model_path("jansen-rit.ini"), NULL};
  cr_expect_eq(run(d), 2);
  const char *e[] = {"run", "--from", in_dir("r.h5"), "-o", in_dir("r.h5"), NULL};
  cr_expect_eq(run(e), 2);
  cr_expect(strstr(slurp("stderr.txt"), "is the run file --from reads"), "%s",
            slurp("stderr.txt"));
  cr_expect(exists("r.h5"));
  cr_expect(!exists("o.h5") && !exists("o.h5.part"));
}
