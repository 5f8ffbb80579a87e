/* test_run_cli.c: `laminar run` as users meet it: bad model files and CSVs
 * fail with file:line:key messages, a non-zero exit and no output file;
 * good ones write a complete file; an interrupted run leaves FILE.part
 * marked complete = 0. */
#include "lam_cli_tmp.h"

#include <fcntl.h>
#include <time.h>
#include <hdf5.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void setup(void) {
  cli_tmpdir("lamcli");
  atexit(cli_cleanup); /* the test's folder goes when its process exits */
}

static void put(const char *name, const char *text) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  fputs(text, f);
  fclose(f);
}

static int exists(const char *name) {
  char p[256];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return stat(p, &st) == 0;
}

/* Run laminar with args (NULL-terminated); stderr goes to dir/stderr.txt,
 * which is returned (static buffer). *status gets the exit code. */
static pid_t spawn_laminar(const char **args) {
  char exe[512];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  const char *argv[32] = {exe};
  size_t n = 1;
  for (; args[n - 1]; n++) {
    argv[n] = args[n - 1];
  }
  argv[n] = NULL;
  char errp[256];
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  cr_assert_eq(posix_spawn(&pid, exe, &fa, NULL, (char **)argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

static const char *run(const char **args, int *status) {
  pid_t pid = spawn_laminar(args);
  int ws;
  waitpid(pid, &ws, 0);
  *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  static char buf[4096];
  char errp[256];
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  FILE *f = fopen(errp, "r");
  size_t k = fread(buf, 1, sizeof buf - 1, f);
  buf[k] = '\0';
  fclose(f);
  return buf;
}

/* Run a model that must fail: non-zero exit, every needle in stderr, no
 * output file at all. */
static void expect_failure(const char *model_text, const char *set,
                           const char **needles) {
  put("model.ini", model_text);
  char model[256], out[256], setarg[256];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  int status;
  const char *err;
  if (set) {
    snprintf(setarg, sizeof setarg, "%s", set);
    const char *args[] = {"run", model, "--set", setarg, "-o", out, "--t-end", "0.01", NULL};
    err = run(args, &status);
  } else {
    const char *args[] = {"run", model, "-o", out, "--t-end", "0.01", NULL};
    err = run(args, &status);
  }
  cr_expect_neq(status, 0, "exit status 0 for a bad model; stderr: %s", err);
  for (const char **n = needles; *n; n++) {
    cr_expect(strstr(err, *n), "stderr lacks '%s': %s", *n, err);
  }
  cr_expect(!exists("out.h5"), "an output file was left behind");
  cr_expect(!exists("out.h5.part"), "a partial output file was left behind");
}

TestSuite(run_cli, .init = setup);

Test(run_cli, unknown_key_names_file_line_key) {
  const char *n[] = {"model.ini:3", "column.tua_l4", "unknown key", NULL};
  expect_failure("[column]\ntau_l4 = 0.01\ntua_l4 = 0.01\n", NULL, n);
}

Test(run_cli, unknown_section) {
  const char *n[] = {"model.ini:3", "[colunm]", "unknown section", NULL};
  expect_failure("\n[colunm]\ntau_l4 = 0.01\n", NULL, n);
}

Test(run_cli, negative_time_constant) {
  const char *n[] = {"model.ini:2", "column.tau_l23", "expected a value in", "-0.01", NULL};
  expect_failure("[column]\ntau_l23 = -0.01\n", NULL, n);
}

Test(run_cli, bad_choice_lists_the_choices) {
  const char *n[] = {"model.ini:2", "column.pv", "subtractive|divisive|threshold|off", NULL};
  expect_failure("[column]\npv = softmax\n", NULL, n);
}

Test(run_cli, wrong_matrix_shape) {
  put("x.csv", "1,2,3\n4,5,6\n");
  const char *n[] = {"model.ini:4", "input.x", "expected a 4 x 3 matrix, found 2 x 3", NULL};
  expect_failure("[network]\nd_in = 3\n[input]\nx = x.csv\n", NULL, n);
}

Test(run_cli, missing_csv_file) {
  const char *n[] = {"model.ini:2", "weights.wq", "nothere.csv", "cannot open", NULL};
  expect_failure("[weights]\nwq = nothere.csv\n", NULL, n);
}

Test(run_cli, non_numeric_cell) {
  put("x.csv", "1,2,3,4\n1,2,x3,4\n1,2,3,4\n1,2,3,4\n");
  const char *n[] = {"x.csv:2: column 3", "x3", "input.x", NULL};
  expect_failure("[input]\nx = x.csv\n", NULL, n);
}

Test(run_cli, bad_set_override) {
  const char *n[] = {"--set column.nope=1", "unknown key", NULL};
  expect_failure("[column]\ntau_l4 = 0.01\n", "column.nope=1", n);
}

Test(run_cli, set_value_out_of_range) {
  const char *n[] = {"--set network.columns=0", "network.columns", NULL};
  expect_failure("[network]\ncolumns = 3\n", "network.columns=0", n);
}

Test(run_cli, missing_model_file) {
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/none.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *args[] = {"run", model, "-o", out, NULL};
  int status;
  const char *err = run(args, &status);
  cr_expect_neq(status, 0);
  cr_expect(strstr(err, "none.ini: cannot open model file"), "%s", err);
}

Test(run_cli, good_run_writes_complete_file) {
  put("model.ini", "[network]\ncolumns = 3\n");
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *args[] = {"run", model, "-o", out, "--t-end", "0.05", "--record", "l4,out", NULL};
  int status;
  const char *err = run(args, &status);
  cr_assert_eq(status, 0, "%s", err);
  cr_expect(exists("out.h5"));
  cr_expect(!exists("out.h5.part"));
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  cr_expect(H5Lexists(f, "/traces/l4", H5P_DEFAULT) > 0);
  cr_expect(H5Lexists(f, "/traces/l23", H5P_DEFAULT) <= 0, "--record l4,out recorded l23");
  cr_expect(H5Lexists(f, "/final/l23", H5P_DEFAULT) > 0, "final state of every population");
  H5Fclose(f);
}

Test(run_cli, unknown_record_population) {
  put("model.ini", "[network]\ncolumns = 3\n");
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *args[] = {"run", model, "-o", out, "--record", "l6", NULL};
  int status;
  const char *err = run(args, &status);
  cr_expect_neq(status, 0);
  cr_expect(strstr(err, "unknown population 'l6'"), "%s", err);
  cr_expect(!exists("out.h5") && !exists("out.h5.part"));
}

Test(run_cli, help_exits_zero) {
  const char *args[] = {"run", "--help", NULL};
  int status;
  run(args, &status);
  cr_expect_eq(status, 0);
}

Test(run_cli, interrupted_run_is_marked_incomplete) {
  /* A run long enough to be interrupted: 64 columns, 1000 s simulated. */
  put("model.ini", "[network]\ncolumns = 64\n");
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *args[] = {"run", model, "-o", out, "--t-end", "1000", NULL};
  pid_t pid = spawn_laminar(args);
  nanosleep(&(struct timespec){0, 700000000L}, NULL);
  kill(pid, SIGINT);
  int ws;
  waitpid(pid, &ws, 0);
  cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 130, "exit status %d",
            WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
  cr_expect(!exists("out.h5"), "an interrupted run must not leave FILE");
  cr_assert(exists("out.h5.part"));
  char part[300];
  snprintf(part, sizeof part, "%s.part", out);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(part, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0, "the partial file is not a readable HDF5 file");
  hid_t a = H5Aopen(f, "complete", H5P_DEFAULT);
  cr_assert(a >= 0);
  double complete = -1;
  H5Aread(a, H5T_NATIVE_DOUBLE, &complete);
  cr_expect_eq(complete, 0.0);
  H5Aclose(a);
  H5Fclose(f);
}

/* ---- outputs under hostile files, concurrent runs and failing disks ---- */

/* Start laminar in a child with a file-size limit (SIGXFSZ ignored, as a
 * batch system may set it), stderr to dir/stderr.txt. */
static pid_t spawn_limited(const char **args, long limit_bytes) {
  char exe[512], errp[256];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  const char *argv[32] = {exe};
  size_t n = 1;
  for (; args[n - 1]; n++) {
    argv[n] = args[n - 1];
  }
  argv[n] = NULL;
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    int fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 2) < 0) {
      _exit(126);
    }
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit r = {(rlim_t)limit_bytes, (rlim_t)limit_bytes};
    setrlimit(RLIMIT_FSIZE, &r);
    execv(exe, (char *const *)argv);
    _exit(127);
  }
  return pid;
}

static const char *stderr_text(void) {
  static char buf[4096];
  char errp[256];
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  FILE *f = fopen(errp, "r");
  size_t k = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[k] = '\0';
  if (f) {
    fclose(f);
  }
  return buf;
}

Test(run_cli, file_size_limit_exits_1_with_errno_reason) {
  put("model.ini", "[network]\ncolumns = 64\n");
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *args[] = {"run", model, "-o", out, "--t-end", "1000", "--quiet", NULL};
  pid_t pid = spawn_limited(args, 512 * 1024);
  int ws;
  cr_assert_eq(waitpid(pid, &ws, 0), pid);
  const char *err = stderr_text();
  cr_assert(WIFEXITED(ws), "laminar died of signal %d: %s",
            WIFSIGNALED(ws) ? WTERMSIG(ws) : 0, err);
  cr_assert_eq(WEXITSTATUS(ws), 1, "%s", err);
  cr_assert(strstr(err, "File too large") && strstr(err, "out.h5.part"), "%s", err);
  cr_assert(!exists("out.h5"));
  if (exists("out.h5.part")) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "kept a .part that HDF5 cannot open: %s", err);
    H5Fclose(f);
  } else {
    cr_assert_not_null(strstr(err, "removed"), "%s", err);
    cr_assert_null(strstr(err, "kept"), "claims a file it removed: %s", err);
  }
}

Test(run_cli, second_run_on_same_output_refused) {
  put("model.ini", "[network]\ncolumns = 64\n");
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *first[] = {"run", model, "-o", out, "--t-end", "1000", NULL};
  pid_t pid = spawn_laminar(first);
  /* Wait until the first run has created its file. */
  for (int i = 0; i < 200 && !exists("out.h5.part"); i++) {
    nanosleep(&(struct timespec){0, 20000000L}, NULL);
  }
  cr_assert(exists("out.h5.part"), "the first run did not start");
  char errp[256], err2[256];
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  snprintf(err2, sizeof err2, "%s/first_stderr.txt", dir);
  rename(errp, err2); /* the second run's stderr gets the name */
  const char *second[] = {"run", model, "-o", out, "--t-end", "0.01", NULL};
  int status;
  const char *err = run(second, &status);
  cr_expect_eq(status, 1, "%s", err);
  char want[48];
  snprintf(want, sizeof want, "process %ld", (long)pid);
  cr_expect(strstr(err, want), "stderr lacks '%s': %s", want, err);
  kill(pid, SIGINT);
  int ws;
  waitpid(pid, &ws, 0);
  cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 130);
  /* The first run's output is whole: readable, its samples, complete = 0. */
  char part[300];
  snprintf(part, sizeof part, "%s.part", out);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(part, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0, "the first run's file was damaged");
  int complete = -1;
  hid_t a = H5Aopen(f, "complete", H5P_DEFAULT);
  cr_assert(a >= 0);
  H5Aread(a, H5T_NATIVE_INT, &complete);
  H5Aclose(a);
  cr_expect_eq(complete, 0);
  hid_t ds = H5Dopen2(f, "/traces/l4", H5P_DEFAULT);
  hid_t sp = H5Dget_space(ds);
  hsize_t dims[3] = {0, 0, 0};
  H5Sget_simple_extent_dims(sp, dims, NULL);
  cr_expect_gt(dims[0], 1, "the first run's samples are gone");
  cr_expect_eq(dims[1], 64, "the second run's shape in the first's file");
  H5Sclose(sp);
  H5Dclose(ds);
  H5Fclose(f);
}

Test(run_cli, symlink_part_is_not_followed) {
  put("model.ini", "[network]\ncolumns = 3\n");
  put("victim.txt", "keep me\n");
  char model[256], out[256], victim[256], part[300];
  snprintf(model, sizeof model, "%s/model.ini", dir);
  snprintf(out, sizeof out, "%s/out.h5", dir);
  snprintf(victim, sizeof victim, "%s/victim.txt", dir);
  snprintf(part, sizeof part, "%s.part", out);
  cr_assert_eq(symlink(victim, part), 0);
  const char *args[] = {"run", model, "-o", out, "--t-end", "0.01", NULL};
  int status;
  const char *err = run(args, &status);
  cr_expect_eq(status, 1, "%s", err);
  cr_expect(strstr(err, "symbolic link") && strstr(err, "remove it"), "%s", err);
  FILE *f = fopen(victim, "r");
  char line[64] = "";
  cr_assert(f && fgets(line, sizeof line, f));
  fclose(f);
  cr_expect_str_eq(line, "keep me\n", "the link's target was truncated");
  cr_expect(!exists("out.h5"));
}

/* What h5py users see: dims[0].label and dims[0][0] (the /time scale). */
Test(run_cli, h5py_sees_labelled_dimensions) {
  if (access("/usr/bin/python3", X_OK) != 0) {
    cr_skip_test("no /usr/bin/python3");
  }
  char model[256], out[256];
  snprintf(model, sizeof model, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  snprintf(out, sizeof out, "%s/out.h5", dir);
  const char *args[] = {"run", model, "-o", out, "--t-end", "0.02", "--quiet", NULL};
  int status;
  const char *err = run(args, &status);
  cr_assert_eq(status, 0, "%s", err);
  char script[256], cmd[700];
  snprintf(script, sizeof script, "%s/dims.py", dir);
  FILE *f = fopen(script, "w");
  fputs("import sys, h5py\n"
        "f = h5py.File(sys.argv[1], 'r')\n"
        "t = f['traces/l23']\n"
        "print([d.label for d in t.dims])\n"
        "print(t.dims[0][0].name, t.dims[0][0].shape == (t.shape[0],))\n"
        "print(t.attrs['unit_axis'])\n"
        "print([d.label for d in f['lfp'].dims], f['lfp'].dims[1][0].name)\n"
        "print([d.label for d in f['final/l23'].dims])\n",
        f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s > %s/dims.txt 2>&1", script, out, dir);
  int rc = system(cmd);
  char dimsp[256];
  snprintf(dimsp, sizeof dimsp, "%s/dims.txt", dir);
  FILE *r = fopen(dimsp, "r");
  char got[2048] = "";
  size_t k = r ? fread(got, 1, sizeof got - 1, r) : 0;
  got[k] = '\0';
  if (r) {
    fclose(r);
  }
  if (strstr(got, "No module named 'h5py'")) {
    cr_skip_test("h5py is not installed");
  }
  cr_assert_eq(rc, 0, "%s", got);
  cr_expect(strstr(got, "['time', 'column', 'unit']\n/time True\n"), "%s", got);
  cr_expect(strstr(got, "head x d_k (unit = head * d_k + k)"), "%s", got);
  cr_expect(strstr(got, "['time', 'contact'] /probe/depth_um"), "%s", got);
  cr_expect(strstr(got, "['column', 'unit']"), "%s", got);
}

/* A run whose samples would take 1 GB or more says so, with the projected
 * size, before it starts (here it then fails to create its file in a
 * folder that does not exist, so nothing is written). models/default.ini
 * for 600 s at 1 kHz, record = layers: 600,001 samples x (every population
 * but l5a and attn, plus the probe's LFP and CSD) x 8 bytes = 2.9 GB; a
 * short run stays silent. */
Test(run_cli, multi_gigabyte_run_warns_before_it_starts) {
  char model[512], out[512];
  snprintf(model, sizeof model, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  snprintf(out, sizeof out, "%s/no/such/folder/long.h5", dir);
  int status;
  const char *args[] = {"run", model, "--t-end", "600", "-o", out, NULL};
  const char *err = run(args, &status);
  cr_expect_neq(status, 0);
  cr_expect(strstr(err, "warning: ") && strstr(err, "long.h5 will hold about 2.9 GB"),
            "%s", err);
  cr_expect(strstr(err, "warning: ") < strstr(err, "cannot create"), "%s", err);
  const char *short_args[] = {"run", model, "--t-end", "1", "-o", out, NULL};
  err = run(short_args, &status);
  cr_expect_null(strstr(err, "warning"), "%s", err);
}
