/* test_sweep_cli.c: `laminar sweep` as users meet it: a 3 x 3 grid equals
 * nine `laminar run` + `laminar analyze` calls; SIGKILL at random moments
 * and a rerun leave every point exactly once and no torn row; a failing
 * point is a failed row and the sweep goes on; -j 2 gives the rows of -j 1;
 * shards partition the points; bad grids are refused before any point runs. */
#include "lam_cli_tmp.h"

#include <dirent.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char model[512];

static void setup(void) {
  cli_tmpdir("lamsweep");
  atexit(cli_cleanup); /* the test's folder goes when its process exits */
  snprintf(model, sizeof model, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
}

static char *path(const char *name) {
  static char p[8][512];
  static int k;
  k = (k + 1) % 8;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static pid_t spawn(const char **args) {
  char exe[512];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  const char *argv[64] = {exe};
  size_t n = 1;
  for (; args[n - 1]; n++) {
    argv[n] = args[n - 1];
  }
  argv[n] = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, path("stderr.txt"), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  cr_assert_eq(posix_spawn(&pid, exe, &fa, NULL, (char **)argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

static int run(const char **args) {
  int ws;
  waitpid(spawn(args), &ws, 0);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static char *slurp(const char *p) {
  FILE *f = fopen(p, "rb");
  if (!f) {
    return NULL;
  }
  static char buf[1 << 20];
  size_t k = fread(buf, 1, sizeof buf - 1, f);
  buf[k] = '\0';
  fclose(f);
  return strdup(buf);
}

/* ---- a tiny CSV reader for the sweep output (no quoted commas in the
 * fields used here except the error, which is last but four) ---- */

#define MAXROWS 64
#define MAXCOLS 32

typedef struct table {
  char *hdr[MAXCOLS];
  size_t ncols;
  char *cell[MAXROWS][MAXCOLS];
  size_t nrows;
  int torn;     /* a last line without newline */
  int badrows;  /* rows with the wrong field count */
  int headers;  /* header lines seen */
} table;

static size_t split(char *line, char **f) {
  size_t n = 0;
  char *p = line;
  for (;;) {
    if (*p == '"') {
      char *q = p + 1;
      while (*q && !(*q == '"' && q[1] != '"')) {
        q += *q == '"' ? 2 : 1;
      }
      f[n++] = p;
      p = *q ? q + 1 : q;
    } else {
      f[n++] = p;
      p += strcspn(p, ",");
    }
    if (*p != ',' || n == MAXCOLS) {
      *p = '\0';
      break;
    }
    *p++ = '\0';
  }
  return n;
}

static void load(const char *file, table *t) {
  memset(t, 0, sizeof *t);
  char *s = slurp(file);
  cr_assert(s, "%s missing", file);
  size_t len = strlen(s);
  t->torn = len && s[len - 1] != '\n';
  for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[0] == '#') {
      continue;
    }
    if (!strncmp(line, "id,", 3)) {
      t->headers++;
      t->ncols = split(strdup(line), t->hdr);
      continue;
    }
    char *f[MAXCOLS];
    size_t n = split(strdup(line), f);
    if (n != t->ncols) {
      t->badrows++;
      continue;
    }
    cr_assert_lt(t->nrows, MAXROWS);
    for (size_t k = 0; k < n; k++) {
      t->cell[t->nrows][k] = f[k];
    }
    t->nrows++;
  }
}

static long col(const table *t, const char *name) {
  for (size_t k = 0; k < t->ncols; k++) {
    if (!strcmp(t->hdr[k], name)) {
      return (long)k;
    }
  }
  cr_assert_fail("no column %s", name);
  return -1;
}

static const char *get(const table *t, size_t r, const char *name) {
  return t->cell[r][col(t, name)];
}

/* Every id once; returns the number of distinct ids. */
static size_t distinct_ids(const table *t) {
  for (size_t a = 0; a < t->nrows; a++) {
    for (size_t b = a + 1; b < t->nrows; b++) {
      cr_assert_str_neq(t->cell[a][0], t->cell[b][0], "id %s twice", t->cell[a][0]);
    }
  }
  return t->nrows;
}

/* ---- tests ---- */

/* The analyze CSV value of (kind, name, quantity). */
static double analyzed(const char *csv, const char *kind, const char *name, const char *q) {
  char needle[128];
  snprintf(needle, sizeof needle, "%s,\"%s\",%s,", kind, name, q);
  const char *p = strstr(csv, needle);
  cr_assert(p, "analyze CSV lacks %s", needle);
  p += strlen(needle);
  return *p == ',' ? NAN : strtod(p, NULL);
}

static void close_to(double a, double b, const char *what) {
  if (isnan(b)) {
    cr_assert(isnan(a), "%s: sweep %g, analyze NaN", what, a);
    return;
  }
  cr_assert_leq(fabs(a - b), 1e-9 * fabs(b) + 1e-300, "%s: sweep %.17g, analyze %.17g", what,
                a, b);
}

Test(sweep, grid_equals_single_runs_and_analyze, .init = setup, .timeout = 120) {
  const char *args[] = {"sweep", model, "--grid", "column.beta=0.5:2:3", "--grid",
                        "clocks.gamma_hz=30:50:3", "--metric", "gamma_power_l23",
                        "--metric", "alpha_power_l5", "--metric", "gamma_peak_hz_l23",
                        "--metric", "alpha_coherence_l5", "--metric", "segregation_index",
                        "--metric", "pac_mi", "--metric", "mean_l5", "--t-end", "0.6",
                        "-o", path("grid.csv"), NULL};
  cr_assert_eq(run(args), 0, "%s", slurp(path("stderr.txt")));
  table t;
  load(path("grid.csv"), &t);
  cr_assert_eq(t.nrows, 9);
  cr_assert_eq(distinct_ids(&t), 9);
  for (size_t r = 0; r < t.nrows; r++) {
    cr_assert_str_eq(get(&t, r, "status"), "ok");
    char s1[64], s2[64];
    snprintf(s1, sizeof s1, "column.beta=%s", get(&t, r, "column.beta"));
    snprintf(s2, sizeof s2, "clocks.gamma_hz=%s", get(&t, r, "clocks.gamma_hz"));
    const char *ra[] = {"run", model, "--set", s1, "--set", s2, "--t-end", "0.6", "--quiet",
                        "-o", path("p.h5"), NULL};
    cr_assert_eq(run(ra), 0, "%s", slurp(path("stderr.txt")));
    const char *aa[] = {"analyze", path("p.h5"), "--csv", path("p.csv"), NULL};
    cr_assert_eq(run(aa), 0, "%s", slurp(path("stderr.txt")));
    char *csv = slurp(path("p.csv"));
    close_to(strtod(get(&t, r, "gamma_power_l23"), NULL),
             analyzed(csv, "layer", "L2/3", "gamma_power"), "gamma_power_l23");
    close_to(strtod(get(&t, r, "alpha_power_l5"), NULL),
             analyzed(csv, "layer", "L5", "alphabeta_power"), "alpha_power_l5");
    close_to(strtod(get(&t, r, "gamma_peak_hz_l23"), NULL),
             analyzed(csv, "layer", "L2/3", "gamma_peak"), "gamma_peak_hz_l23");
    close_to(strtod(get(&t, r, "alpha_coherence_l5"), NULL),
             analyzed(csv, "layer", "L5", "alphabeta_coherence"), "alpha_coherence_l5");
    close_to(strtod(get(&t, r, "segregation_index"), NULL),
             analyzed(csv, "index", "segregation", "laminar_ratio"), "segregation_index");
    close_to(strtod(get(&t, r, "pac_mi"), NULL), analyzed(csv, "index", "pac", "tort_mi"),
             "pac_mi");
    close_to(strtod(get(&t, r, "mean_l5"), NULL), analyzed(csv, "layer", "L5", "mean"),
             "mean_l5");
    free(csv);
  }
  /* The CSV begins with its column names (numpy.genfromtxt(names=True)
   * and R's read.csv read it as it is), and rows sort by point; the
   * sidecar FILE.meta carries the version, the model hash and the
   * command. */
  char *s = slurp(path("grid.csv"));
  cr_assert(!strncmp(s, "id,point,", 9), "%s", s);
  cr_assert(!strchr(s, '#'), "no comment line in the table");
  free(s);
  for (size_t r = 0; r < t.nrows; r++) {
    cr_assert_lt(strtol(get(&t, r, "point"), NULL, 10), (long)t.nrows);
  }
  s = slurp(path("grid.csv.meta"));
  cr_assert(s && !strncmp(s, "# laminar ", 10), "%s", s);
  cr_assert(strstr(s, " hash "));
  cr_assert(strstr(s, "# command laminar sweep"));
  free(s);
}

static const char *kill_args[] = {
    "sweep", NULL /* model */, "--values", "column.beta=0.5,0.75,1,1.25,1.5,1.75,2,2.25",
    "--values", "clocks.gamma_hz=35,45", "--metric", "attention_entropy", "--metric",
    "gamma_power_l23", "--t-end", "0.3", "-o", NULL /* csv */, NULL};

Test(sweep, resume_after_sigkill, .init = setup, .timeout = 240) {
  kill_args[1] = model;
  kill_args[13] = path("kill.csv");
  srand((unsigned)time(NULL));
  for (int k = 0; k < 5; k++) {
    pid_t pid = spawn(kill_args);
    /* Anywhere from start-up to well into the sweep. */
    struct timespec ts = {0, (long)(rand() % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int ws;
    waitpid(pid, &ws, 0);
    table t;
    if (access(path("kill.csv"), F_OK) == 0) {
      load(path("kill.csv"), &t);
      cr_assert_eq(t.badrows, 0, "a malformed row after a kill");
      cr_assert_leq(t.headers, 1);
      distinct_ids(&t);
    }
  }
  /* A torn last row as a kill inside write() would leave it. */
  if (access(path("kill.csv"), F_OK) == 0) {
    FILE *f = fopen(path("kill.csv"), "a");
    fputs("0123456789abcdef,0.5,35,1.2", f);
    fclose(f);
  }
  cr_assert_eq(run(kill_args), 0, "%s", slurp(path("stderr.txt")));
  table t;
  load(path("kill.csv"), &t);
  cr_assert_eq(t.torn, 0);
  cr_assert_eq(t.badrows, 0);
  cr_assert_eq(t.headers, 1);
  cr_assert_eq(t.nrows, 16);
  cr_assert_eq(distinct_ids(&t), 16);
  for (size_t r = 0; r < t.nrows; r++) {
    cr_assert_str_eq(get(&t, r, "status"), "ok");
  }
  /* A further rerun runs nothing. */
  cr_assert_eq(run(kill_args), 0);
  load(path("kill.csv"), &t);
  cr_assert_eq(t.nrows, 16);
  cr_assert(strstr(slurp(path("stderr.txt")), "16 already there, 0 run now"));
}

Test(sweep, failing_point_is_a_row, .init = setup, .timeout = 60) {
  /* One internal step per output interval cannot reach 1 ms with an
   * error-controlled step on this stiff-ish system. */
  const char *args[] = {"sweep", model, "--values", "solver.max_steps=1,100000", "--values",
                        "column.beta=1,2", "--metric", "attention_entropy", "--t-end", "0.2",
                        "-o", path("fail.csv"), NULL};
  cr_assert_eq(run(args), 0, "%s", slurp(path("stderr.txt")));
  table t;
  load(path("fail.csv"), &t);
  cr_assert_eq(t.nrows, 4);
  size_t failed = 0;
  for (size_t r = 0; r < t.nrows; r++) {
    if (!strcmp(get(&t, r, "solver.max_steps"), "1")) {
      cr_assert_str_eq(get(&t, r, "status"), "failed");
      cr_assert_gt(strlen(get(&t, r, "error")), 2);
      cr_assert_str_eq(get(&t, r, "attention_entropy"), "");
      failed++;
    } else {
      cr_assert_str_eq(get(&t, r, "status"), "ok");
      double h = strtod(get(&t, r, "attention_entropy"), NULL);
      cr_assert(h > 0 && h <= log(8.0) + 1e-12, "entropy %g outside (0, ln 8]", h);
    }
  }
  cr_assert_eq(failed, 2);
}

/* Rows without wall_s (the one column allowed to differ), sorted. */
static char *canonical(const char *file) {
  table t;
  load(file, &t);
  long w = col(&t, "wall_s");
  static char out[1 << 16];
  char *lines[MAXROWS];
  for (size_t r = 0; r < t.nrows; r++) {
    char b[2048] = "";
    for (size_t k = 0; k < t.ncols; k++) {
      if ((long)k != w) {
        strncat(b, t.cell[r][k], sizeof b - strlen(b) - 2);
        strcat(b, ",");
      }
    }
    lines[r] = strdup(b);
  }
  for (size_t a = 0; a < t.nrows; a++) {
    for (size_t b = a + 1; b < t.nrows; b++) {
      if (strcmp(lines[a], lines[b]) > 0) {
        char *x = lines[a];
        lines[a] = lines[b];
        lines[b] = x;
      }
    }
  }
  out[0] = '\0';
  for (size_t r = 0; r < t.nrows; r++) {
    strncat(out, lines[r], sizeof out - strlen(out) - 2);
    strcat(out, "\n");
  }
  return strdup(out);
}

Test(sweep, jobs_2_equals_jobs_1_and_shards_partition, .init = setup, .timeout = 120) {
  const char *a1[] = {"sweep", model, "--grid", "column.beta=0.5:2:3", "--values",
                      "clocks.gamma_hz=35,45", "--metric", "gamma_power_l23", "--metric",
                      "attention_entropy", "--t-end", "0.3", "-o", path("j1.csv"), NULL};
  cr_assert_eq(run(a1), 0, "%s", slurp(path("stderr.txt")));
  const char *a2[] = {"sweep", model, "--grid", "column.beta=0.5:2:3", "--values",
                      "clocks.gamma_hz=35,45", "--metric", "gamma_power_l23", "--metric",
                      "attention_entropy", "--t-end", "0.3", "-j", "2", "-o", path("j2.csv"),
                      NULL};
  cr_assert_eq(run(a2), 0, "%s", slurp(path("stderr.txt")));
  char *c1 = canonical(path("j1.csv")), *c2 = canonical(path("j2.csv"));
  cr_assert_str_eq(c1, c2);
  /* Shards 1/2 and 2/2 into one file = all points, each once. */
  for (int k = 1; k <= 2; k++) {
    const char *as[] = {"sweep", model, "--grid", "column.beta=0.5:2:3", "--values",
                        "clocks.gamma_hz=35,45", "--metric", "gamma_power_l23", "--metric",
                        "attention_entropy", "--t-end", "0.3", "--shard", k == 1 ? "1/2" : "2/2",
                        "-o", path("sh.csv"), NULL};
    cr_assert_eq(run(as), 0, "%s", slurp(path("stderr.txt")));
    table t;
    load(path("sh.csv"), &t);
    cr_assert_eq(t.nrows, (size_t)(3 * k));
  }
  char *cs = canonical(path("sh.csv"));
  cr_assert_str_eq(cs, c1);
}

static void refused(const char **args, const char *needle) {
  int st = run(args);
  char *err = slurp(path("stderr.txt"));
  cr_assert_neq(st, 0);
  cr_assert(strstr(err, needle), "expected '%s' in: %s", needle, err);
  cr_assert(access(path("bad.csv"), F_OK) != 0, "a refused sweep wrote its CSV");
  free(err);
}

Test(sweep, bad_grids_are_refused_before_running, .init = setup, .timeout = 60) {
  const char *unknown[] = {"sweep", model, "--grid", "column.bta=1:2:3", "-o",
                           path("bad.csv"), NULL};
  refused(unknown, "--grid column.bta=1:2:3");
  refused(unknown, "bta");
  const char *zero[] = {"sweep", model, "--grid", "column.beta=1:2:0", "-o", path("bad.csv"),
                        NULL};
  refused(zero, "--grid column.beta=1:2:0: expected N >= 1");
  const char *logdown[] = {"sweep", model, "--grid", "column.beta=2:1:3:log", "-o",
                           path("bad.csv"), NULL};
  refused(logdown, "--grid column.beta=2:1:3:log: a log grid needs 0 < START <= STOP");
  const char *range[] = {"sweep", model, "--grid", "column.beta=-1:1:3", "-o",
                         path("bad.csv"), NULL};
  refused(range, "--grid column.beta=-1:1:3");
  const char *metric[] = {"sweep", model, "--grid", "column.beta=1:2:2", "--metric",
                          "gamma_power_l9", "-o", path("bad.csv"), NULL};
  refused(metric, "unknown metric 'gamma_power_l9'");
}

Test(sweep, list_metrics_names_units, .init = setup) {
  const char *args[] = {"sweep", "--list-metrics", model, NULL};
  pid_t pid;
  char exe[512];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  const char *argv[] = {exe, args[0], args[1], args[2], NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, path("list.txt"), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  cr_assert_eq(posix_spawn(&pid, exe, &fa, NULL, (char **)argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int ws;
  waitpid(pid, &ws, 0);
  cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
  char *s = slurp(path("list.txt"));
  cr_assert(strstr(s, "attention_entropy"));
  cr_assert(strstr(s, "nats"));
  cr_assert(strstr(s, "gamma_power_l23"));
  cr_assert(strstr(s, "alpha_power_l5"));
  cr_assert(strstr(s, "mean_l23"));
  free(s);
}

/* ---- hostile input and concurrent use ---- */

/* run() in a child process whose CPU time is limited to cpu_s seconds
 * (soft limit: the kernel sends SIGXCPU, which kills a process that does not
 * catch it) and which dumps no core: a real crash, provoked from outside. */
static int run_cpu_limited(const char **args, rlim_t cpu_s) {
  char exe[512];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  const char *argv[64] = {exe};
  size_t n = 1;
  for (; args[n - 1]; n++) {
    argv[n] = args[n - 1];
  }
  argv[n] = NULL;
  const char *err = path("stderr.txt");
  pid_t pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    struct rlimit cpu = {cpu_s, cpu_s + 60}, core = {0, 0};
    int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 2) < 0 || setrlimit(RLIMIT_CPU, &cpu) != 0 ||
        setrlimit(RLIMIT_CORE, &core) != 0) {
      _exit(99);
    }
    execv(exe, (char **)argv);
    _exit(98);
  }
  int ws;
  waitpid(pid, &ws, 0);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* With -j 1 too, a point that kills its process (here the CPU-time limit:
 * run.t_end = 1000 s cannot finish in 2 s of CPU) is a failed row naming the
 * signal; the points around it run, and a resume does not run it again. */
Test(sweep, jobs_1_point_that_crashes_is_a_failed_row, .init = setup, .timeout = 120) {
  const char *args[] = {"sweep", model, "--values", "run.t_end=0.02,1000,0.03", "--metric",
                        "attention_entropy", "-j", "1", "-o", path("crash.csv"), NULL};
  int st = run_cpu_limited(args, 2);
  cr_assert_eq(st, 0, "exit %d: %s", st, slurp(path("stderr.txt")));
  table t;
  load(path("crash.csv"), &t);
  cr_assert_eq(t.nrows, 3);
  cr_assert_eq(t.badrows, 0);
  for (size_t r = 0; r < t.nrows; r++) {
    if (!strcmp(get(&t, r, "run.t_end"), "1000")) {
      cr_assert_str_eq(get(&t, r, "status"), "failed");
      char want[128];
      snprintf(want, sizeof want, "signal %d (%s)", SIGXCPU, strsignal(SIGXCPU));
      cr_assert(strstr(get(&t, r, "error"), want), "%s", get(&t, r, "error"));
    } else {
      cr_assert_str_eq(get(&t, r, "status"), "ok", "%s", get(&t, r, "error"));
    }
  }
  cr_assert_eq(run_cpu_limited(args, 2), 0, "%s", slurp(path("stderr.txt")));
  cr_assert(strstr(slurp(path("stderr.txt")), "3 already there, 0 run now"),
            "%s", slurp(path("stderr.txt")));
}

/* Whether file holds the line that starts with prefix. */
static int has_line(const char *file, const char *prefix) {
  char *s = slurp(file);
  if (!s) {
    return 0;
  }
  int hit = !strncmp(s, prefix, strlen(prefix));
  for (char *p = strchr(s, '\n'); p && !hit; p = strchr(p + 1, '\n')) {
    hit = !strncmp(p + 1, prefix, strlen(prefix));
  }
  free(s);
  return hit;
}

/* A second sweep on the table of a running one stops at once, naming the
 * first one's pid; the first one writes every point exactly once. */
Test(sweep, second_sweep_on_one_table_is_refused, .init = setup, .timeout = 180) {
  /* path() reuses its buffers: keep the names. */
  char table_path[600], second_err[600], lock_path[700];
  snprintf(table_path, sizeof table_path, "%s", path("shared.csv"));
  snprintf(second_err, sizeof second_err, "%s", path("second.txt"));
  snprintf(lock_path, sizeof lock_path, "%s.lock", table_path);
  const char *args[] = {"sweep", model, "--values",
                        "column.beta=0.5,1,1.5,2,2.5", "--metric", "attention_entropy",
                        "--t-end", "0.3", "-o", table_path, NULL};
  pid_t first = spawn(args);
  /* Wait until the first sweep has its table (its header written). */
  for (int k = 0; k < 1000 && !has_line(table_path, "id,"); k++) {
    struct timespec ts = {0, 10000000L};
    nanosleep(&ts, NULL);
  }
  cr_assert(has_line(table_path, "id,"), "the first sweep made no table");
  /* Stopped, the first sweep holds its table however slow the second one
   * starts (SIGCONT below). */
  cr_assert_eq(kill(first, SIGSTOP), 0);
  /* The second one writes its stderr elsewhere. */
  char exe[512];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  const char *argv[16] = {exe};
  for (size_t k = 0; args[k]; k++) {
    argv[k + 1] = args[k];
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, second_err, O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t second;
  cr_assert_eq(posix_spawn(&second, exe, &fa, NULL, (char **)argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int ws2, ws1;
  waitpid(second, &ws2, 0);
  int first_alive = kill(first, 0) == 0;
  cr_assert_eq(kill(first, SIGCONT), 0);
  waitpid(first, &ws1, 0);
  char *msg = slurp(second_err);
  cr_assert(WIFEXITED(ws2) && WEXITSTATUS(ws2) != 0, "the second sweep ran: %s", msg);
  char want[64];
  snprintf(want, sizeof want, "process %ld", (long)first);
  cr_assert(strstr(msg, want), "expected '%s' in: %s", want, msg);
  cr_assert(first_alive);
  cr_assert(WIFEXITED(ws1) && WEXITSTATUS(ws1) == 0, "%s", slurp(path("stderr.txt")));
  table t;
  load(table_path, &t);
  cr_assert_eq(t.headers, 1);
  cr_assert_eq(t.nrows, 5);
  cr_assert_eq(distinct_ids(&t), 5);
  /* The lock goes with its sweep: a later one resumes the table. */
  cr_assert(access(lock_path, F_OK) != 0, "the lock file stayed");
  cr_assert_eq(run(args), 0, "%s", slurp(path("stderr.txt")));
  cr_assert(strstr(slurp(path("stderr.txt")), "5 already there, 0 run now"));
}

/* -o naming a file that is not a sweep table is refused and left as it was;
 * an empty file is taken as a new table. */
Test(sweep, output_that_is_not_a_sweep_table_is_kept, .init = setup, .timeout = 60) {
  const char *texts[] = {"hello", "# notes\n", "a,b\n1,2\n", "id,x\n", "\x7f" "ELF\x02\x01",
                         "#", "# laminar"};
  const char *found[] = {"'hello'", "'# notes'", "'a,b'", "'id,x'", "ELF", "'#'", "'# laminar'"};
  for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
    FILE *f = fopen(path("notes.txt"), "w");
    fputs(texts[k], f);
    fclose(f);
    const char *args[] = {"sweep", model, "--values", "column.beta=1,2", "--metric",
                          "attention_entropy", "--t-end", "0.05", "-o", path("notes.txt"),
                          NULL};
    int st = run(args);
    char *err = slurp(path("stderr.txt"));
    cr_assert_neq(st, 0, "%s: accepted as a table", texts[k]);
    cr_assert(strstr(err, path("notes.txt")), "%s", err);
    cr_assert(strstr(err, "not a laminar sweep table"), "%s", err);
    cr_assert(strstr(err, found[k]), "expected %s in: %s", found[k], err);
    char *now = slurp(path("notes.txt"));
    cr_assert_str_eq(now, texts[k], "the file was changed");
    free(now);
    free(err);
  }
  FILE *f = fopen(path("empty.csv"), "w");
  fclose(f);
  const char *args[] = {"sweep", model, "--values", "column.beta=1,2", "--metric",
                        "attention_entropy", "--t-end", "0.05", "-o", path("empty.csv"), NULL};
  cr_assert_eq(run(args), 0, "%s", slurp(path("stderr.txt")));
  table t;
  load(path("empty.csv"), &t);
  cr_assert_eq(t.nrows, 2);
}

/* A --traces folder that is a file is an error before any point runs. */
Test(sweep, traces_folder_that_is_a_file_is_refused, .init = setup, .timeout = 60) {
  FILE *f = fopen(path("tr"), "w");
  fputs("x", f);
  fclose(f);
  const char *args[] = {"sweep", model, "--values", "column.beta=1,2", "--metric",
                        "attention_entropy", "--t-end", "0.05", "--traces", path("tr"),
                        "-o", path("bad.csv"), NULL};
  char want[600];
  snprintf(want, sizeof want, "--traces %s: ", path("tr"));
  int st = run(args);
  char *err = slurp(path("stderr.txt"));
  cr_assert_neq(st, 0, "%s", err);
  cr_assert(strstr(err, want), "expected '%s' in: %s", want, err);
  cr_assert(strstr(err, "not a folder"), "%s", err);
  table t;
  if (access(path("bad.csv"), F_OK) == 0) {
    load(path("bad.csv"), &t);
    cr_assert_eq(t.nrows, 0, "rows were written");
  }
  /* A folder that cannot be made (its parent is a file). */
  char sub[600];
  snprintf(sub, sizeof sub, "%s/sub", path("tr"));
  args[9] = sub;
  st = run(args);
  err = slurp(path("stderr.txt"));
  cr_assert_neq(st, 0, "%s", err);
  cr_assert(strstr(err, "--traces"), "%s", err);
  cr_assert(strstr(err, "Not a directory"), "%s", err);
}

/* A point's traces hold what [run] record names, as `laminar run` does
 * (every population was written whatever the model said). */
Test(sweep, traces_follow_run_record, .init = setup, .timeout = 60) {
  const char *args[] = {"sweep", model, "--values", "column.beta=1,2", "--metric",
                        "attention_entropy", "--t-end", "0.05", "--set",
                        "run.record=l4,out", "--traces", path("rec"), "-o",
                        path("rec.csv"), NULL};
  cr_assert_eq(run(args), 0, "%s", slurp(path("stderr.txt")));
  DIR *d = opendir(path("rec"));
  cr_assert_not_null(d);
  int files = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strstr(e->d_name, ".h5")) {
      continue;
    }
    char f[900];
    snprintf(f, sizeof f, "%s/%s", path("rec"), e->d_name);
    hid_t h = H5Fopen(f, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(h >= 0, "%s", f);
    cr_expect(H5Lexists(h, "/traces/l4", H5P_DEFAULT) > 0, "%s: no l4", f);
    cr_expect(H5Lexists(h, "/traces/out", H5P_DEFAULT) > 0, "%s: no out", f);
    cr_expect(H5Lexists(h, "/traces/l23", H5P_DEFAULT) == 0, "%s: l23 recorded", f);
    H5Fclose(h);
    files++;
  }
  closedir(d);
  cr_assert_eq(files, 2);
}

/* Every numeric option is range-checked: the message names the option, the
 * range and what was found; nothing runs. */
Test(sweep, numeric_options_are_range_checked, .init = setup, .timeout = 60) {
  struct {
    const char *opt, *val, *want;
  } bad[] = {
      {"--seed", "-1", "--seed: expected an integer in [0, 4294967295], found '-1'"},
      {"--seed", "4294967296", "--seed: expected an integer in [0, 4294967295]"},
      {"--seed", "99999999999999999999999", "found '99999999999999999999999'"},
      {"--seed", "1x", "--seed: expected an integer in [0, 4294967295], found '1x'"},
      {"--seed", "", "--seed: expected an integer"},
      {"--seed", " 5", "--seed: expected an integer"},
      {"--shard", "-1/2", "--shard: expected K/N with 1 <= K <= N <= "},
      {"--shard", "1/-2", "found '1/-2'"},
      {"--shard", "18446744073709551617/2", "found '18446744073709551617/2'"},
      {"--shard", "3/2", "found '3/2'"},
      {"--shard", "0/2", "found '0/2'"},
      {"--shard", "1/2/3", "found '1/2/3'"},
      {"-j", "-1", "-j: expected an integer in [1, 256], found '-1'"},
      {"-j", "0", "-j: expected an integer in [1, 256], found '0'"},
      {"-j", "4294967297", "found '4294967297'"},
      {"--lhs", "-5", "--lhs: expected an integer in [1, 10000000], found '-5'"},
      {"--lhs", "18446744073709551615", "--lhs: expected an integer in [1, 10000000]"},
      {"--t-end", "1e300", "--t-end: expected"},
      {"--t-end", "-1", "--t-end: expected"},
      {"--dt-record", "1e-300", "--dt-record: expected"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    const char *args[] = {"sweep", model, "--lhs", "3", "--range", "column.beta=1:2",
                          "--metric", "attention_entropy", "--t-end", "0.05",
                          bad[k].opt, bad[k].val, "-o", path("bad.csv"), NULL};
    refused(args, bad[k].want);
    refused(args, bad[k].opt);
  }
  /* The ends of the ranges are accepted. */
  const char *ok[] = {"sweep", model, "--lhs", "2", "--range", "column.beta=1:2", "--metric",
                      "attention_entropy", "--t-end", "0.02", "--seed", "4294967295",
                      "--shard", "2/2", "-j", "1", "-o", path("ok.csv"), NULL};
  cr_assert_eq(run(ok), 0, "%s", slurp(path("stderr.txt")));
}

/* A point's identity includes its input files: a table made with one
 * version of an input CSV does not take rows made with another one. */
Test(sweep, changed_input_file_stops_resume, .init = setup, .timeout = 120) {
  char ini[600], csv[600], cmd[2048];
  snprintf(ini, sizeof ini, "%s", path("m.ini"));
  snprintf(csv, sizeof csv, "%s", path("default-z.csv"));
  snprintf(cmd, sizeof cmd, "cp %s/models/default.ini %s && cp %s/models/default-z.csv %s",
           getenv("LAM_SOURCE_ROOT"), ini, getenv("LAM_SOURCE_ROOT"), csv);
  cr_assert_eq(system(cmd), 0);
  const char *args[] = {"sweep", ini, "--values", "column.beta=1,2,3", "--metric",
                        "attention_entropy", "--t-end", "0.05", "-o", path("in.csv"), NULL};
  const char *one[] = {"sweep", ini, "--values", "column.beta=1", "--metric",
                       "attention_entropy", "--t-end", "0.05", "-o", path("in.csv"), NULL};
  cr_assert_eq(run(one), 0, "%s", slurp(path("stderr.txt")));
  /* The table records the input with its SHA-256 (sha256sum's). */
  snprintf(cmd, sizeof cmd, "sha256sum %s > %s", csv, path("sum.txt"));
  cr_assert_eq(system(cmd), 0);
  char *sum = slurp(path("sum.txt"));
  sum[64] = '\0';
  char want[800];
  snprintf(want, sizeof want, "# input input.z sha256 %s %s", sum, csv);
  cr_assert(has_line(path("in.csv.meta"), want), "no '%s' in:\n%s", want,
            slurp(path("in.csv.meta")));
  /* Change the CSV (the same numbers, one more comment line): resume
   * stops. */
  char *z = slurp(csv);
  FILE *f = fopen(csv, "w");
  fprintf(f, "# edited\n%s", z);
  fclose(f);
  char *before = slurp(path("in.csv"));
  int st = run(args);
  char *err = slurp(path("stderr.txt"));
  cr_assert_neq(st, 0, "resumed with a changed input: %s", err);
  cr_assert(strstr(err, csv), "expected the file in: %s", err);
  cr_assert(strstr(err, "input.z"), "expected the key in: %s", err);
  cr_assert(strstr(err, "--restart"), "%s", err);
  char *after = slurp(path("in.csv"));
  cr_assert_str_eq(after, before, "the table changed");
  /* --restart starts a new table and keeps the old one as FILE.old. */
  const char *again[] = {"sweep", ini, "--values", "column.beta=1,2,3", "--metric",
                         "attention_entropy", "--t-end", "0.05", "--restart", "-o",
                         path("in.csv"), NULL};
  cr_assert_eq(run(again), 0, "%s", slurp(path("stderr.txt")));
  char *old = slurp(path("in.csv.old"));
  cr_assert(old, "no in.csv.old");
  cr_assert_str_eq(old, before);
  table t;
  load(path("in.csv"), &t);
  cr_assert_eq(t.nrows, 3);
  cr_assert(!has_line(path("in.csv.meta"), want), "the old hash stayed");
  cr_assert(has_line(path("in.csv.meta.old"), want), "the old header kept beside");
  /* A second --restart keeps the first .old too. */
  cr_assert_eq(run(again), 0, "%s", slurp(path("stderr.txt")));
  cr_assert_str_eq(slurp(path("in.csv.old")), before);
  cr_assert(access(path("in.csv.old.2"), F_OK) == 0, "no in.csv.old.2");
}

/* A swept key that names a file: one '# input' line per value, and a
 * change to one of the files stops resume, naming the value and the file. */
Test(sweep, swept_input_file_is_part_of_the_point, .init = setup, .timeout = 120) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "cp %s/models/default.ini %s && cp %s/models/default-z.csv %s && "
           "cp %s %s && sed 's/^1.2,/0.4,/' %s > %s",
           getenv("LAM_SOURCE_ROOT"), path("m.ini"), getenv("LAM_SOURCE_ROOT"),
           path("za.csv"), path("za.csv"), path("default-z.csv"), path("za.csv"),
           path("zb.csv"));
  cr_assert_eq(system(cmd), 0);
  const char *args[] = {"sweep", path("m.ini"), "--values", "input.z=za.csv,zb.csv",
                        "--values", "column.beta=1,2", "--metric", "attention_entropy",
                        "--t-end", "0.05", "-o", path("sz.csv"), NULL};
  cr_assert_eq(run(args), 0, "%s", slurp(path("stderr.txt")));
  table t;
  load(path("sz.csv"), &t);
  cr_assert_eq(t.nrows, 4);
  /* The two files give two results. */
  cr_assert_str_neq(get(&t, 0, "attention_entropy"), get(&t, 2, "attention_entropy"));
  char la[700], lb[700];
  snprintf(la, sizeof la, "# input input.z=za.csv sha256 ");
  snprintf(lb, sizeof lb, "# input input.z=zb.csv sha256 ");
  cr_assert(has_line(path("sz.csv.meta"), la), "%s", slurp(path("sz.csv.meta")));
  cr_assert(has_line(path("sz.csv.meta"), lb), "%s", slurp(path("sz.csv.meta")));
  FILE *f = fopen(path("zb.csv"), "a");
  fputs("# changed\n", f);
  fclose(f);
  int st = run(args);
  char *err = slurp(path("stderr.txt"));
  cr_assert_neq(st, 0, "%s", err);
  cr_assert(strstr(err, "input.z=zb.csv") && strstr(err, path("zb.csv")), "%s", err);
}
