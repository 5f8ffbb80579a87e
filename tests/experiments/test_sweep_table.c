/* test_sweep_table.c: the crash-safe sweep table
 * (experiments/lam_sweep_table.c): its header and rows as text written out
 * here, resuming (ids, a torn last line), refusing tables of other sweeps,
 * input records, --restart and the lock. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_sweep_table.h"

static const char *metrics[] = {"mean_out", "identity_error"};
static char path[64];

static lam_sweep_spec *spec(void) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_values(sp, "column.beta=1,2,3", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_values(sp, "input.z=a.csv,b\"c.csv", &err), 0, "%s",
               err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  return sp;
}

static lam_sweep_input inputs[2] = {
    {"weights.wq", NULL, "models/wq.csv",
     "1111111111111111111111111111111111111111111111111111111111111111"},
    {"input.z", "a.csv", "models/a.csv",
     "2222222222222222222222222222222222222222222222222222222222222222"},
};

static lam_sweep_header header(const lam_sweep_spec *sp) {
  lam_sweep_header h;
  memset(&h, 0, sizeof h);
  h.model = "models/default.ini";
  h.model_hash = 0x430112c2a2204561ULL;
  h.t_end = 0.5;
  h.sp = sp;
  h.metrics = metrics;
  h.nmetrics = 2;
  h.inputs = inputs;
  h.ninputs = 2;
  h.command = "laminar sweep ...";
  return h;
}

static char *slurp(const char *p) {
  FILE *f = fopen(p, "rb");
  cr_assert(f, "%s", p);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void put(const char *p, const char *text) {
  FILE *f = fopen(p, "wb");
  cr_assert(f);
  fputs(text, f);
  fclose(f);
}

static void fresh_path(void) {
  snprintf(path, sizeof path, "/tmp/lam_table_XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
  unlink(path);
}

/* The sidecar PATH.meta as text. */
static const char *meta(void) {
  char p[96];
  snprintf(p, sizeof p, "%s.meta", path);
  return slurp(p);
}

static void cleanup(void) {
  char p[96];
  unlink(path);
  snprintf(p, sizeof p, "%s.meta", path);
  unlink(p);
  snprintf(p, sizeof p, "%s.meta.old", path);
  unlink(p);
  snprintf(p, sizeof p, "%s.old", path);
  unlink(p);
  snprintf(p, sizeof p, "%s.old.2", path);
  unlink(p);
}

/* Open (lock and open) with h; the status. */
static int open_with(const lam_sweep_header *h, int restart, lam_sweep_table **t,
                     lam_err *err) {
  int rc = lam_sweep_table_lock(path, t, err);
  cr_assert_eq(rc, 0, "%s", err->msg);
  rc = lam_sweep_table_open(*t, h, restart, err);
  if (rc) {
    lam_sweep_table_close(*t);
    *t = NULL;
  }
  return rc;
}

#define HEADER                                                                            \
  "# model models/default.ini hash 430112c2a2204561\n"                                   \
  "# run t_end 0.5 dt_record model\n"                                                     \
  "# input weights.wq sha256 "                                                            \
  "1111111111111111111111111111111111111111111111111111111111111111 models/wq.csv\n"      \
  "# input input.z=a.csv sha256 "                                                         \
  "2222222222222222222222222222222222222222222222222222222222222222 models/a.csv\n"       \
  "# command laminar sweep ...\n"
/* The CSV's first line: the column names (the provenance is in PATH.meta). */
#define COLS "id,point,column.beta,input.z,mean_out,identity_error,status,error,wall_s,nsteps,nfevals\n"

Test(sweep_table, rows_as_text) {
  lam_sweep_spec *sp = spec();
  /* Point 1: beta 1, z b"c.csv: quoted, its quote doubled. */
  double v[2] = {0.1, NAN};
  lam_sweep_result r = {1, "", v, 2, 0.25, 1, 120, 300};
  char *row = lam_sweep_row(sp, 1, &r);
  char want[256];
  snprintf(want, sizeof want, "%016llx,1,1,\"b\"\"c.csv\",0.10000000000000001,NaN,ok,\"\","
           "0.250000,120,300\n", (unsigned long long)lam_sweep_id(sp, 1));
  cr_assert_str_eq(row, want);
  cr_assert_not(lam_sweep_row_failed(row));
  free(row);
  v[0] = INFINITY;
  v[1] = -INFINITY;
  row = lam_sweep_row(sp, 0, &r);
  cr_assert(strstr(row, ",a.csv,Inf,-Inf,ok,"), "%s", row);
  free(row);
  /* A failed row: no metrics, no statistics, the message quoted on one line. */
  row = lam_sweep_failed_row(sp, 2, 5, "solver: \"failed\",\nat t=0.1");
  snprintf(want, sizeof want, "%016llx,5,3,\"b\"\"c.csv\",,,failed,"
           "\"solver: \"\"failed\"\", at t=0.1\",0.000000,,\n",
           (unsigned long long)lam_sweep_id(sp, 5));
  cr_assert_str_eq(row, want);
  cr_assert(lam_sweep_row_failed(row));
  free(row);
  /* A value "failed" in a key column is not the status. */
  cr_assert_not(lam_sweep_row_failed("0123456789abcdef,failed,1,2,ok,\"\",0.1,1,1\n"));
  lam_sweep_spec_free(sp);
}

Test(sweep_table, start_append_and_resume, .fini = cleanup) {
  fresh_path();
  lam_sweep_spec *sp = spec();
  lam_sweep_header h = header(sp);
  lam_err err;
  lam_sweep_table *t;
  cr_assert_eq(open_with(&h, 0, &t, &err), 0, "%s", err.msg);
  char want[4096];
  snprintf(want, sizeof want, "# laminar %s\n" HEADER, LAM_VERSION);
  cr_assert_str_eq(meta(), want);
  cr_assert_str_eq(slurp(path), COLS);
  int fds[2];
  lam_sweep_table_fds(t, fds);
  cr_assert(fds[0] >= 0 && fds[1] >= 0 && fds[0] != fds[1]);
  char *r0 = lam_sweep_failed_row(sp, 2, 0, "x");
  char *r2 = lam_sweep_failed_row(sp, 2, 2, "y");
  cr_assert_eq(lam_sweep_table_append(t, r0, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_table_append(t, r2, &err), 0, "%s", err.msg);
  cr_assert_not(lam_sweep_table_has(t, lam_sweep_id(sp, 0)), "only rows found on opening");
  lam_sweep_table_close(t);
  /* A kill inside write(): half a row at the end. */
  FILE *f = fopen(path, "ab");
  fputs("0123456789abcdef,2,2,a.csv,1.5", f);
  fclose(f);
  cr_assert_eq(open_with(&h, 0, &t, &err), 0, "%s", err.msg);
  cr_assert(lam_sweep_table_has(t, lam_sweep_id(sp, 0)));
  cr_assert(lam_sweep_table_has(t, lam_sweep_id(sp, 2)));
  cr_assert_not(lam_sweep_table_has(t, lam_sweep_id(sp, 1)));
  cr_assert_not(lam_sweep_table_has(t, 0x0123456789abcdefULL));
  char *r1 = lam_sweep_failed_row(sp, 2, 1, "z");
  cr_assert_eq(lam_sweep_table_append(t, r1, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  /* The torn line is gone, the header written once. */
  snprintf(want, sizeof want, COLS "%s%s%s", r0, r2, r1);
  cr_assert_str_eq(slurp(path), want);
  snprintf(want, sizeof want, "# laminar %s\n" HEADER, LAM_VERSION);
  cr_assert_str_eq(meta(), want, "the header written once");
  free(r0);
  free(r1);
  free(r2);
  lam_sweep_spec_free(sp);
}

Test(sweep_table, tables_of_other_sweeps_are_refused_untouched, .fini = cleanup) {
  fresh_path();
  lam_sweep_spec *sp = spec();
  lam_sweep_header h = header(sp);
  lam_err err;
  lam_sweep_table *t;
  cr_assert_eq(open_with(&h, 0, &t, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  char before[8192];
  snprintf(before, sizeof before, "%s", slurp(path));

  lam_sweep_header o = h;
  o.model_hash = 1;
  cr_assert_eq(open_with(&o, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, ".meta:2: this CSV was written for another model or run settings"),
            "%s", err.msg);
  o = h;
  o.t_end = 0;
  cr_assert_eq(open_with(&o, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, ".meta:3: this CSV was written for another model"), "%s", err.msg);
  o = h;
  o.nmetrics = 1;
  cr_assert_eq(open_with(&o, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "other columns (keys or metrics)"), "%s", err.msg);
  /* An input file whose contents changed. */
  lam_sweep_input changed[2] = {inputs[0], inputs[1]};
  changed[0].hash[0] = '3';
  o = h;
  o.inputs = changed;
  cr_assert_eq(open_with(&o, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "input weights.wq (models/wq.csv) is not the one this table was "
                            "made with (SHA-256 111111111111... of models/wq.csv then, "
                            "311111111111... now)"),
            "%s", err.msg);
  /* A base input the table does not record. */
  lam_sweep_input more[3] = {inputs[0], inputs[1],
                             {"weights.wk", NULL, "models/wk.csv",
                              "4444444444444444444444444444444444444444444444444444444444444444"}};
  o = h;
  o.inputs = more;
  o.ninputs = 3;
  cr_assert_eq(open_with(&o, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "does not record input weights.wk"), "%s", err.msg);
  cr_assert_str_eq(slurp(path), before);
  /* Not a table at all. */
  put(path, "x,y\n1,2\n");
  cr_assert_eq(open_with(&h, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "not a laminar sweep table (its first line is 'x,y'"), "%s",
            err.msg);
  cr_assert_str_eq(slurp(path), "x,y\n1,2\n");
  /* A malformed row that is not the last. */
  char text[8192 + 64];
  snprintf(text, sizeof text, "%sbad row\n0123456789abcdef,1,1,a.csv,,,ok,\"\",0.1,1,1\n",
           before);
  put(path, text);
  cr_assert_eq(open_with(&h, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, ":2: a malformed row inside the file"), "%s", err.msg);
  /* A table whose sidecar is gone: refused, untouched. */
  put(path, before);
  char mp[96];
  snprintf(mp, sizeof mp, "%s.meta", path);
  unlink(mp);
  cr_assert_eq(open_with(&h, 0, &t, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, ".meta: missing or not a laminar sweep header"), "%s", err.msg);
  cr_assert_str_eq(slurp(path), before);
  lam_sweep_spec_free(sp);
}

/* A swept file value the table lacks (a value added to the sweep) is
 * recorded, once. */
Test(sweep_table, a_new_swept_input_is_recorded, .fini = cleanup) {
  fresh_path();
  lam_sweep_spec *sp = spec();
  lam_sweep_header h = header(sp);
  lam_err err;
  lam_sweep_table *t;
  cr_assert_eq(open_with(&h, 0, &t, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  lam_sweep_input more[3] = {inputs[0], inputs[1],
                             {"input.z", "b\"c.csv", "models/b\nc.csv",
                              "5555555555555555555555555555555555555555555555555555555555555555"}};
  h.inputs = more;
  h.ninputs = 3;
  cr_assert_eq(open_with(&h, 0, &t, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  cr_assert_eq(open_with(&h, 0, &t, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  char want[4096];
  snprintf(want, sizeof want,
           "# laminar %s\n" HEADER "# input input.z=b\"c.csv sha256 "
           "5555555555555555555555555555555555555555555555555555555555555555 "
           "models/b?c.csv\n",
           LAM_VERSION);
  cr_assert_str_eq(meta(), want);
  cr_assert_str_eq(slurp(path), COLS);
  lam_sweep_spec_free(sp);
}

Test(sweep_table, restart_keeps_the_old_tables, .fini = cleanup) {
  fresh_path();
  lam_sweep_spec *sp = spec();
  lam_sweep_header h = header(sp);
  lam_err err;
  lam_sweep_table *t;
  put(path, "first\n");
  cr_assert_eq(open_with(&h, 1, &t, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  put(path, "second\n");
  cr_assert_eq(open_with(&h, 1, &t, &err), 0, "%s", err.msg);
  lam_sweep_table_close(t);
  char p[96];
  snprintf(p, sizeof p, "%s.old", path);
  cr_assert_str_eq(slurp(p), "first\n");
  snprintf(p, sizeof p, "%s.old.2", path);
  cr_assert_str_eq(slurp(p), "second\n");
  cr_assert_str_eq(slurp(path), COLS);
  cr_assert(!strncmp(meta(), "# laminar ", 10));
  lam_sweep_spec_free(sp);
}

Test(sweep_table, one_sweep_per_table, .fini = cleanup) {
  fresh_path();
  lam_err err;
  lam_sweep_table *a, *b;
  cr_assert_eq(lam_sweep_table_lock(path, &a, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_table_lock(path, &b, &err), LAM_EINVAL);
  char want[64];
  snprintf(want, sizeof want, "by process %ld", (long)getpid());
  cr_assert(strstr(err.msg, want), "%s", err.msg);
  cr_assert_null(b);
  lam_sweep_table_close(a);
  cr_assert_eq(lam_sweep_table_lock(path, &b, &err), 0, "%s", err.msg);
  lam_sweep_table_close(b);
}
