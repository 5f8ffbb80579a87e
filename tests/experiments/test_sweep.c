/* test_sweep.c: sweep points (linear and log grids, value lists, design
 * CSVs, Latin hypercubes) and their ids, against values computed here; -j 2
 * against -j 1; errors that are not a point's own stop the sweep. */
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

static double val(const lam_sweep_spec *sp, size_t i, size_t d) {
  return strtod(lam_sweep_value(sp, i, d), NULL);
}

/* FNV-1a/64 written out independently of the library. */
static uint64_t fnv(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Test(sweep_points, linear_and_log_grids_product) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "column.beta=0:1:5", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "solver.rtol=1e-8:1e-4:3:log", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 15);
  cr_assert_eq(lam_sweep_ndims(sp), 2);
  cr_assert_str_eq(lam_sweep_key(sp, 1), "solver.rtol");
  /* First dimension slowest: point i = (i / 3, i % 3). */
  for (size_t i = 0; i < 15; i++) {
    cr_assert_float_eq(val(sp, i, 0), 0.25 * (double)(i / 3), 1e-15);
    double want = pow(10.0, -8.0 + 2.0 * (double)(i % 3));
    cr_assert_leq(fabs(val(sp, i, 1) - want), 1e-14 * want, "%g vs %g", val(sp, i, 1), want);
  }
  cr_assert_str_eq(lam_sweep_value(sp, 3, 0), "0.25");
  lam_sweep_spec_free(sp);
}

Test(sweep_points, values_and_ids) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_values(sp, "column.gate=product,bac", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_values(sp, "column.beta=2,3", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0);
  cr_assert_eq(lam_sweep_npoints(sp), 4);
  cr_assert_str_eq(lam_sweep_value(sp, 2, 0), "bac");
  cr_assert_str_eq(lam_sweep_value(sp, 2, 1), "2");
  /* The id hashes the key-sorted lines, whatever the order of the options. */
  cr_assert_eq(lam_sweep_id(sp, 2), fnv("column.beta=2\ncolumn.gate=bac\n"));
  lam_sweep_spec *sq = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_values(sq, "column.beta=3,2", &err), 0);
  cr_assert_eq(lam_sweep_add_values(sq, "column.gate=bac,product", &err), 0);
  cr_assert_eq(lam_sweep_build(sq, 0, 1, &err), 0);
  cr_assert_eq(lam_sweep_id(sq, 2), lam_sweep_id(sp, 2)); /* beta 2, gate bac */
  for (size_t a = 0; a < 4; a++) {
    for (size_t b = a + 1; b < 4; b++) {
      cr_assert_neq(lam_sweep_id(sp, a), lam_sweep_id(sp, b));
    }
  }
  lam_sweep_spec_free(sp);
  lam_sweep_spec_free(sq);
}

Test(sweep_points, design_csv) {
  char p[] = "/tmp/lamdesignXXXXXX";
  int fd = mkstemp(p);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# a design\ncolumn.beta, stimulus.columns\n1.5, \"0,1\"\n\n2,3\n", f);
  fclose(f);
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, p, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 2);
  cr_assert_str_eq(lam_sweep_key(sp, 1), "stimulus.columns");
  cr_assert_str_eq(lam_sweep_value(sp, 0, 1), "0,1");
  cr_assert_str_eq(lam_sweep_value(sp, 1, 0), "2");
  lam_sweep_spec_free(sp);
  /* A short row is a file:line error. */
  f = fopen(p, "w");
  fputs("column.beta,column.w_s\n1,2\n3\n", f);
  fclose(f);
  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, p, &err), LAM_EINVAL);
  char want[128];
  snprintf(want, sizeof want, "%s:3: expected 2 values, found 1", p);
  cr_assert(strstr(err.msg, want), "%s", err.msg);
  lam_sweep_spec_free(sp);
  unlink(p);
}

Test(sweep_points, latin_hypercube_strata_once) {
  const size_t N = 17;
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_range(sp, "column.beta=0.5:2.5", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_range(sp, "solver.rtol=1e-9:1e-3:log", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, N, 7, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), N);
  int hit0[17] = {0}, hit1[17] = {0};
  for (size_t i = 0; i < N; i++) {
    double u0 = (val(sp, i, 0) - 0.5) / 2.0;
    double u1 = (log10(val(sp, i, 1)) + 9.0) / 6.0;
    cr_assert(u0 >= 0 && u0 < 1 && u1 >= 0 && u1 < 1);
    hit0[(size_t)floor(u0 * (double)N)]++;
    hit1[(size_t)floor(u1 * (double)N)]++;
  }
  for (size_t s = 0; s < N; s++) {
    cr_assert_eq(hit0[s], 1, "stratum %zu of beta hit %d times", s, hit0[s]);
    cr_assert_eq(hit1[s], 1, "stratum %zu of rtol hit %d times", s, hit1[s]);
  }
  /* The same seed gives the same points; another seed others. */
  lam_sweep_spec *sq = lam_sweep_spec_new();
  lam_sweep_add_range(sq, "column.beta=0.5:2.5", &err);
  lam_sweep_add_range(sq, "solver.rtol=1e-9:1e-3:log", &err);
  cr_assert_eq(lam_sweep_build(sq, N, 7, &err), 0);
  cr_assert_str_eq(lam_sweep_value(sq, 5, 0), lam_sweep_value(sp, 5, 0));
  lam_sweep_spec *sr = lam_sweep_spec_new();
  lam_sweep_add_range(sr, "column.beta=0.5:2.5", &err);
  cr_assert_eq(lam_sweep_build(sr, N, 8, &err), 0);
  cr_assert_str_neq(lam_sweep_value(sr, 5, 0), lam_sweep_value(sp, 5, 0));
  lam_sweep_spec_free(sp);
  lam_sweep_spec_free(sq);
  lam_sweep_spec_free(sr);
}

Test(sweep_points, bad_arguments_name_themselves) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "beta=1:2:3", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "--grid beta=1:2:3: expected section.key="), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "column.beta=1:2", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "START:STOP:N"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "column.w_s=0:1:2.5", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "expected N >= 1"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "column.w_sa=0:1:3:log", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "log grid needs 0 < START"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_range(sp, "column.c_vip=2:1", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "LO < HI"), "%s", err.msg);
  lam_sweep_spec_free(sp);
  /* Kinds do not mix; nothing is no sweep. */
  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), LAM_EINVAL);
  lam_sweep_add_grid(sp, "column.beta=1:2:2", &err);
  lam_sweep_add_range(sp, "column.w_s=0:1", &err);
  cr_assert_eq(lam_sweep_build(sp, 4, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "not several"), "%s", err.msg);
  lam_sweep_spec_free(sp);
}

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

/* The worker tests' common ground: the default model, a 12-point grid of
 * column.beta, and a folder for the serial and the -j 2 outputs. */
typedef struct workers_case {
  lam_model *m;
  lam_sweep_spec *sp;
  char dir[64], serial[600], par[600];
} workers_case;

static void workers_open(workers_case *c, const char *tmpl) {
  char ini[512];
  snprintf(ini, sizeof ini, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err;
  c->m = lam_model_new();
  cr_assert_eq(lam_model_load(c->m, ini, &err), 0, "%s", err.msg);
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
  lam_model_free(c->m);
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
  lam_model *m = c.m;
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
  lam_model *m = c.m;
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
  lam_model *m;
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
  z->m = lam_model_new();
  cr_assert_eq(lam_model_load(z->m, ini, &err), 0, "%s", err.msg);
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
  lam_model_free(z->m);
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

/* --lhs N times the keys wrapped around size_t (2^62 x 4 = 0): the points
 * array came out empty and the strata were written past it. */
Test(sweep_limits, lhs_points_times_keys_cannot_wrap) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  const char *r[] = {"a.b=0:1", "a.c=0:1", "a.d=0:1", "a.e=0:1"};
  for (int k = 0; k < 4; k++) {
    cr_assert_eq(lam_sweep_add_range(sp, r[k], &err), 0, "%s", err.msg);
  }
  cr_assert_eq(lam_sweep_build(sp, (size_t)1 << 62, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "limit of 1000000"), "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 0);
  lam_sweep_spec_free(sp);
}

/* One point more than the limit, by --lhs and by a grid product, is refused
 * before anything is allocated; the limit itself is a sweep. */
Test(sweep_limits, points_beyond_the_limit_are_an_error) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_range(sp, "a.b=0:1", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, LAM_SWEEP_MAX_POINTS + 1, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "1000001 points"), "%s", err.msg);
  lam_sweep_spec_free(sp);

  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:1000", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "a.c=0:1:1001", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "1001000 points"), "%s", err.msg);
  lam_sweep_spec_free(sp);

  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:1000001", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "at most 1000000"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "a.c=0:1:1000000", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), LAM_SWEEP_MAX_POINTS);
  cr_assert_str_eq(lam_sweep_value(sp, LAM_SWEEP_MAX_POINTS - 1, 0), "1");
  lam_sweep_spec_free(sp);
}

/* The id hashes 64 keys: a 65th key made points that differ only in it
 * share one id, so a resumed sweep skipped points it never ran. */
Test(sweep_limits, more_keys_than_the_id_covers_are_an_error) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  char arg[64];
  for (int k = 0; k < LAM_SWEEP_MAX_KEYS; k++) {
    snprintf(arg, sizeof arg, "a.k%02d=1", k);
    cr_assert_eq(lam_sweep_add_values(sp, arg, &err), 0, "%s", err.msg);
  }
  cr_assert_eq(lam_sweep_add_values(sp, "a.last=1,2", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "more than 64 swept keys"), "%s", err.msg);
  cr_assert_eq(lam_sweep_ndims(sp), 64);
  lam_sweep_spec_free(sp);
}

/* A design "file" that is a device was read until memory ran out. */
Test(sweep_limits, design_from_a_device_or_directory_is_an_error, .timeout = 20) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, "/dev/zero", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "/dev/zero: expected a CSV file, found a device"), "%s",
            err.msg);
  cr_assert_eq(lam_sweep_load_design(sp, "/tmp", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "/tmp: expected a CSV file, found a directory"), "%s",
            err.msg);
  cr_assert_eq(lam_sweep_ndims(sp), 0);
  lam_sweep_spec_free(sp);
}

/* A rejected --grid, --values, --range or design left a dimension without
 * values behind, and the next lam_sweep_build made no points at all. */
Test(sweep_limits, a_rejected_argument_leaves_the_spec_unchanged) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:0", &err), LAM_EINVAL);
  cr_assert_eq(lam_sweep_add_values(sp, "a.c=1,,2", &err), LAM_EINVAL);
  cr_assert_eq(lam_sweep_add_range(sp, "a.d=2:1", &err), LAM_EINVAL);
  char path[] = "/tmp/lam_test_designXXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, "a.e,a.f\n1\n", 10), 10);
  close(fd);
  cr_assert_eq(lam_sweep_load_design(sp, path, &err), LAM_EINVAL);
  unlink(path);
  cr_assert_eq(lam_sweep_ndims(sp), 0);
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:3", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 3);
  lam_sweep_spec_free(sp);
}

/* A read error in a design ended it silently (here: an empty design). */
Test(sweep_limits, design_read_error_is_an_error) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, "/proc/self/mem", &err), LAM_EIO);
  cr_assert_str_eq(err.msg, "--design /proc/self/mem: Input/output error");
  lam_sweep_spec_free(sp);
}
