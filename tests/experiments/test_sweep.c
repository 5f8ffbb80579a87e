/* test_sweep.c: running sweeps (experiments/lam_sweep.c): -j 2 against
 * -j 1, stopped and resumed, a dying worker, and errors that are not a
 * point's own stopping the sweep. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lam_sweep.h"
#include "lam_params.h"

/* ---- running: two worker processes against one ---- */

/* The rows of a sweep CSV without wall_s (third-last field), sorted; the
 * count of ids that occur more than once in *dups. */
static size_t csv_rows(const char *path, char rows[][2048], size_t max, size_t *dups) {
  FILE *f = fopen(path, "r");
  cr_assert(f, "%s", path);
  char line[1024];
  size_t n = 0;
  int header = 1;
  while (fgets(line, sizeof line, f)) {
    cr_assert(strchr(line, '\n'), "a torn row in %s: %s", path, line);
    if (line[0] == '#') {
      continue;
    }
    if (header) {
      header = 0;
      continue;
    }
    cr_assert_lt(n, max);
    /* Cut the wall_s field: the third comma from the end starts it. */
    char *c[3] = {NULL, NULL, NULL};
    for (char *p = line; *p; p++) {
      if (*p == ',') {
        c[0] = c[1];
        c[1] = c[2];
        c[2] = p;
      }
    }
    cr_assert(c[0], "%s", line);
    snprintf(rows[n], 2048, "%.*s%s", (int)(c[0] - line), line, c[1]);
    n++;
  }
  fclose(f);
  qsort(rows, n, sizeof rows[0], (int (*)(const void *, const void *))strcmp);
  *dups = 0;
  for (size_t i = 1; i < n; i++) {
    *dups += strncmp(rows[i], rows[i - 1], 16) == 0;
  }
  return n;
}

/* A model file read as `laminar sweep` reads it: its typed parameters. */
static lam_sim_params *load_params(const char *ini) {
  lam_err err;
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, ini, &err), 0, "%s", err.msg);
  lam_sim_params *p = NULL;
  cr_assert_eq(lam_params_from_model(m, &p, &err), 0, "%s", err.msg);
  lam_model_free(m);
  return p;
}

/* The worker tests' common ground: the default model, a 12-point grid of
 * column.beta, and a folder for the serial and the -j 2 outputs. */
typedef struct workers_case {
  lam_sim_params *m;
  lam_sweep_spec *sp;
  char dir[64], serial[600], par[600];
} workers_case;

static void workers_open(workers_case *c, const char *tmpl) {
  char ini[512];
  snprintf(ini, sizeof ini, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err;
  c->m = load_params(ini);
  c->sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(c->sp, "column.beta=0.5:2:12", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(c->sp, 0, 1, &err), 0, "%s", err.msg);
  snprintf(c->dir, sizeof c->dir, "%s", tmpl);
  cr_assert(mkdtemp(c->dir));
  snprintf(c->serial, sizeof c->serial, "%s/serial.csv", c->dir);
  snprintf(c->par, sizeof c->par, "%s/j2.csv", c->dir);
}

static void workers_close(workers_case *c) {
  unlink(c->serial);
  unlink(c->par);
  rmdir(c->dir);
  lam_sweep_spec_free(c->sp);
  lam_sim_params_free(c->m);
}

static volatile sig_atomic_t stop_flag;
static void stop_after_3(void *ctx, size_t done, size_t todo, size_t failed) {
  (void)ctx, (void)todo, (void)failed;
  if (done >= 3) {
    stop_flag = 1;
  }
}

/* Twelve points through two worker processes (each runs several points
 * in turn), stopped after three rows and resumed, give exactly the rows of
 * -j 1 (one worker process), each point once. */
Test(sweep_run, workers_stopped_and_resumed_give_the_serial_rows, .timeout = 120) {
  workers_case c;
  workers_open(&c, "/tmp/lamsweeprunXXXXXX");
  lam_err err;
  lam_sim_params *m = c.m;
  lam_sweep_spec *sp = c.sp;
  const char *serial = c.serial, *par = c.par;
  const char *metrics[] = {"gamma_power_l23", "attention_entropy", "mean_l5"};
  lam_sweep_opts o = lam_sweep_defaults();
  o.metrics = metrics;
  o.nmetrics = 3;
  o.t_end = 0.1;
  o.command = "test";
  o.output = serial;
  lam_sweep_summary sum;
  cr_assert_eq(lam_sweep_run(m, sp, &o, &sum, &err), 0, "%s", err.msg);
  cr_assert_eq(sum.ran, 12);

  o.output = par;
  o.jobs = 2;
  o.stop = &stop_flag;
  o.progress = stop_after_3;
  stop_flag = 0;
  cr_assert_eq(lam_sweep_run(m, sp, &o, &sum, &err), LAM_EINTERRUPT, "%s", err.msg);
  size_t first = sum.ran;
  cr_assert(first >= 3 && first < 12, "rows before the stop: %zu", first);
  o.progress = NULL;
  stop_flag = 0;
  cr_assert_eq(lam_sweep_run(m, sp, &o, &sum, &err), 0, "%s", err.msg);
  cr_assert_eq(sum.skipped, first);
  cr_assert_eq(sum.ran, 12 - first);

  static char a[16][2048], b[16][2048];
  size_t da, db;
  size_t na = csv_rows(serial, a, 16, &da), nb = csv_rows(par, b, 16, &db);
  cr_assert_eq(na, 12);
  cr_assert_eq(nb, 12);
  cr_assert_eq(da + db, 0, "an id twice");
  for (size_t i = 0; i < na; i++) {
    cr_assert_str_eq(a[i], b[i]);
    cr_assert(strstr(a[i], ",ok,"), "%s", a[i]);
  }
  workers_close(&c);
}

/* A child process of this one (a sweep worker), from /proc; -1 if none. */
static pid_t a_child(void) {
  DIR *d = opendir("/proc");
  if (!d) {
    return -1;
  }
  pid_t found = -1;
  struct dirent *e;
  while (found < 0 && (e = readdir(d))) {
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) {
      continue;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *r = strrchr(buf, ')'); /* "pid (comm) state ppid ..." */
    char state;
    long ppid;
    if (r && sscanf(r + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)getpid()) {
      found = (pid_t)atol(e->d_name);
    }
  }
  closedir(d);
  return found;
}

static int killed;
static void kill_a_worker(void *ctx, size_t done, size_t todo, size_t failed) {
  (void)ctx, (void)todo, (void)failed;
  if (done == 2 && !killed) {
    pid_t c = a_child();
    cr_assert_gt(c, 0, "no worker process found");
    cr_assert_eq(kill(c, SIGKILL), 0); /* no core file */
    killed = 1;
  }
}

/* A worker killed during the sweep fails the point it was running (a
 * failed row naming the signal) and nothing else: the other eleven rows
 * are those of -j 1. */
Test(sweep_run, a_dying_worker_fails_only_its_point, .timeout = 120) {
  workers_case c;
  workers_open(&c, "/tmp/lamsweepkillXXXXXX");
  lam_err err;
  lam_sim_params *m = c.m;
  lam_sweep_spec *sp = c.sp;
  const char *serial = c.serial, *par = c.par;
  const char *metrics[] = {"gamma_power_l23"};
  lam_sweep_opts o = lam_sweep_defaults();
  o.metrics = metrics;
  o.nmetrics = 1;
  o.t_end = 0.1;
  o.command = "test";
  o.output = serial;
  lam_sweep_summary sum;
  cr_assert_eq(lam_sweep_run(m, sp, &o, &sum, &err), 0, "%s", err.msg);
  o.output = par;
  o.jobs = 2;
  o.progress = kill_a_worker;
  killed = 0;
  cr_assert_eq(lam_sweep_run(m, sp, &o, &sum, &err), 0, "%s", err.msg);
  cr_assert(killed);
  cr_assert_eq(sum.ran, 12);
  cr_assert_eq(sum.failed, 1);
  static char a[16][2048], b[16][2048];
  size_t da, db;
  cr_assert_eq(csv_rows(serial, a, 16, &da), 12);
  cr_assert_eq(csv_rows(par, b, 16, &db), 12);
  cr_assert_eq(db, 0, "an id twice");
  size_t same = 0, died = 0;
  for (size_t i = 0; i < 12; i++) {
    if (strstr(b[i], ",failed,")) {
      cr_assert(strstr(b[i], "worker process died: signal 9"), "%s", b[i]);
      cr_assert_eq(strncmp(a[i], b[i], 16), 0); /* the same id */
      died++;
    } else {
      cr_assert_str_eq(a[i], b[i]);
      same++;
    }
  }
  cr_assert_eq(died, 1);
  cr_assert_eq(same, 11);
  workers_close(&c);
}

/* The traces folder as it was when the sweep started, and where it goes. */
static char traces_dir[700], traces_away[720];
static int traces_moved;
static void move_traces_after_2(void *ctx, size_t done, size_t todo, size_t failed) {
  (void)ctx, (void)todo, (void)failed;
  if (done == 2 && !traces_moved) {
    /* The folder goes away and a file takes its name: the disk's fault,
     * not the points'. */
    cr_assert_eq(rename(traces_dir, traces_away), 0);
    FILE *f = fopen(traces_dir, "w");
    cr_assert(f);
    fclose(f);
    traces_moved = 1;
  }
}

/* An error that is not the point's own (its traces folder gone) stops the
 * sweep with that error instead of recording failed rows that a resume
 * would never retry; once the folder is back, resume runs the rest. */
Test(sweep_run, lost_traces_folder_stops_the_sweep_without_failed_rows, .timeout = 120) {
  for (int jobs = 1; jobs <= 2; jobs++) {
    workers_case c;
    workers_open(&c, "/tmp/lamsweeptrXXXXXX");
    snprintf(traces_dir, sizeof traces_dir, "%s/tr", c.dir);
    snprintf(traces_away, sizeof traces_away, "%s/tr.away", c.dir);
    lam_err err;
    const char *metrics[] = {"attention_entropy"};
    lam_sweep_opts o = lam_sweep_defaults();
    o.metrics = metrics;
    o.nmetrics = 1;
    o.t_end = 0.05;
    o.command = "test";
    o.output = c.serial;
    o.traces_dir = traces_dir;
    o.jobs = jobs;
    o.progress = move_traces_after_2;
    traces_moved = 0;
    lam_sweep_summary sum;
    int rc = lam_sweep_run(c.m, c.sp, &o, &sum, &err);
    cr_assert(traces_moved);
    cr_assert_neq(rc, 0, "-j %d: the sweep went on without its traces folder", jobs);
    cr_assert(strstr(err.msg, traces_dir), "%s", err.msg);
    cr_assert_eq(sum.failed, 0, "-j %d: %zu failed rows", jobs, sum.failed);
    static char rows[16][2048];
    size_t dups;
    size_t n = csv_rows(c.serial, rows, 16, &dups);
    cr_assert_lt(n, 12);
    for (size_t i = 0; i < n; i++) {
      cr_assert(strstr(rows[i], ",ok,"), "%s", rows[i]);
    }
    /* The folder back: resume runs the rest, each point once, all ok. */
    cr_assert_eq(unlink(traces_dir), 0);
    cr_assert_eq(rename(traces_away, traces_dir), 0);
    o.progress = NULL;
    cr_assert_eq(lam_sweep_run(c.m, c.sp, &o, &sum, &err), 0, "%s", err.msg);
    cr_assert_eq(sum.skipped, n);
    n = csv_rows(c.serial, rows, 16, &dups);
    cr_assert_eq(n, 12);
    cr_assert_eq(dups, 0);
    for (size_t i = 0; i < n; i++) {
      cr_assert(strstr(rows[i], ",ok,"), "%s", rows[i]);
    }
    char cmd[800];
    snprintf(cmd, sizeof cmd, "rm -rf %s", traces_dir);
    cr_assert_eq(system(cmd), 0);
    workers_close(&c);
  }
}

/* An input CSV edited while the sweep runs. */
static char z_path[700];
static int z_edited;
static void edit_z_after_2(void *ctx, size_t done, size_t todo, size_t failed) {
  (void)ctx, (void)todo, (void)failed;
  if (done == 2 && !z_edited) {
    FILE *f = fopen(z_path, "a");
    cr_assert(f);
    fputs("# edited while the sweep runs\n", f);
    fclose(f);
    z_edited = 1;
  }
}

/* A copy of models/default.ini and its input default-z.csv (z_path) in a
 * folder of its own, swept over 12 values of beta into t.csv, with progress
 * called after each point. */
typedef struct z_case {
  char dir[64], out[700];
  lam_sim_params *m;
  lam_sweep_spec *sp;
  lam_sweep_opts o;
} z_case;

static const char *z_metrics[] = {"attention_entropy"};

static void z_case_open(z_case *z, const char *prefix,
                        void (*progress)(void *, size_t, size_t, size_t)) {
  snprintf(z->dir, sizeof z->dir, "/tmp/%sXXXXXX", prefix);
  cr_assert(mkdtemp(z->dir));
  char cmd[4096], ini[700];
  snprintf(ini, sizeof ini, "%s/m.ini", z->dir);
  snprintf(z_path, sizeof z_path, "%s/default-z.csv", z->dir);
  snprintf(z->out, sizeof z->out, "%s/t.csv", z->dir);
  snprintf(cmd, sizeof cmd, "cp %s/models/default.ini %s && cp %s/models/default-z.csv %s",
           getenv("LAM_SOURCE_ROOT"), ini, getenv("LAM_SOURCE_ROOT"), z_path);
  cr_assert_eq(system(cmd), 0);
  lam_err err;
  z->m = load_params(ini);
  z->sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(z->sp, "column.beta=0.5:2:12", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(z->sp, 0, 1, &err), 0, "%s", err.msg);
  z->o = lam_sweep_defaults();
  z->o.metrics = z_metrics;
  z->o.nmetrics = 1;
  z->o.t_end = 0.05;
  z->o.command = "test";
  z->o.output = z->out;
  z->o.progress = progress;
  z_edited = 0;
}

static void z_case_close(z_case *z) {
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf %s", z->dir);
  cr_assert_eq(system(cmd), 0);
  lam_sweep_spec_free(z->sp);
  lam_sim_params_free(z->m);
}

/* Each point checks its input files against the hashes of the start: an
 * input edited during the sweep stops it (no row for the point, no failed
 * row); the table keeps rows of one version of the file only. */
Test(sweep_run, input_edited_during_the_sweep_stops_it, .timeout = 120) {
  z_case z;
  z_case_open(&z, "lamsweepin", edit_z_after_2);
  lam_err err;
  lam_sweep_summary sum;
  int rc = lam_sweep_run(z.m, z.sp, &z.o, &sum, &err);
  cr_assert(z_edited);
  cr_assert_eq(rc, LAM_EIO, "the sweep went on with an edited input: %s", err.msg);
  cr_assert(strstr(err.msg, "input.z"), "%s", err.msg);
  cr_assert(strstr(err.msg, z_path), "%s", err.msg);
  cr_assert(strstr(err.msg, "changed during the sweep"), "%s", err.msg);
  cr_assert_eq(sum.failed, 0);
  static char rows[16][2048];
  size_t dups;
  /* Two rows before the edit, and at most the point the worker was given
   * before it (built, and checked, from the old file). */
  size_t n = csv_rows(z.out, rows, 16, &dups);
  cr_assert(n >= 2 && n <= 3, "%zu rows", n);
  for (size_t i = 0; i < n; i++) {
    cr_assert(strstr(rows[i], ",ok,"), "%s", rows[i]);
  }
  /* Resuming with the edited file is refused, naming it. */
  z.o.progress = NULL;
  cr_assert_eq(lam_sweep_run(z.m, z.sp, &z.o, &sum, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, z_path) && strstr(err.msg, "input.z"), "%s", err.msg);
  cr_assert_eq(csv_rows(z.out, rows, 16, &dups), n);
  z_case_close(&z);
}

static void remove_z_after_2(void *ctx, size_t done, size_t todo, size_t failed) {
  (void)ctx, (void)todo, (void)failed;
  if (done == 2 && !z_edited) {
    cr_assert_eq(unlink(z_path), 0);
    z_edited = 1;
  }
}

/* An input file that goes away during the sweep (it cannot be read) is not
 * the points' fault: the sweep stops without failed rows. */
Test(sweep_run, input_removed_during_the_sweep_stops_it, .timeout = 120) {
  z_case z;
  z_case_open(&z, "lamsweeprm", remove_z_after_2);
  lam_err err;
  lam_sweep_summary sum;
  int rc = lam_sweep_run(z.m, z.sp, &z.o, &sum, &err);
  cr_assert(z_edited);
  cr_assert_eq(rc, LAM_EIO, "the sweep went on without its input: %s", err.msg);
  cr_assert(strstr(err.msg, z_path), "%s", err.msg);
  cr_assert_eq(sum.failed, 0);
  static char rows[16][2048];
  size_t dups;
  size_t n = csv_rows(z.out, rows, 16, &dups);
  cr_assert(n >= 2 && n <= 3, "%zu rows", n);
  for (size_t i = 0; i < n; i++) {
    cr_assert(strstr(rows[i], ",ok,"), "%s", rows[i]);
  }
  z_case_close(&z);
}

