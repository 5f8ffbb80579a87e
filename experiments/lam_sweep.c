/* lam_sweep.c: running a sweep (lam_sweep.h, docs/sweeps.md): one point
 * (a copy of the model with the point's values, run, metrics, its row),
 * the input files the points read, and the driver that ties the points
 * (lam_sweep_points.c), the table (lam_sweep_table.c) and the worker
 * processes (lam_sweep_pool.c) together. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_hash.h"
#include "lam_metrics.h"
#include "lam_params.h"
#include "lam_sim.h"
#include "lam_simrec.h"
#include "lam_sweep_pool.h"
#include "lam_sweep_private.h"
#include "lam_time.h"

/* ---- running one point ---- */

/* Set the point's value of key in its parameters, checked as `--set` would
 * check it (messages name "--set key=value"): every value of a point goes
 * through here. The base's arrays are shared by every point; a swept path
 * key's file is read when the point is built (lam_params_load_arrays). */
static int set_value(lam_sim_params *m, const char *key, const char *value,
                     lam_err *err) {
  size_t len = strlen(key) + strlen(value) + 8;
  char *where = malloc(len);
  if (!where) {
    return LAM_NOMEM(err);
  }
  snprintf(where, len, "--set %s=%s", key, value);
  int rc = lam_sim_params_set(m, key, value, where, err);
  free(where);
  return rc;
}

static int apply_point(lam_sim_params *m, const lam_sweep_spec *sp, size_t i,
                       lam_err *err) {
  for (size_t k = 0; k < lam_sweep_ndims(sp); k++) {
    int rc = set_value(m, lam_sweep_key(sp, k), lam_sweep_value(sp, i, k), err);
    if (rc) {
      return rc;
    }
  }
  return lam_params_load_arrays(m, err);
}

/* A copy of base with key=value applied (key NULL: none), built. */
static int build_one(const lam_sim_params *base, const char *key, const char *value,
                     lam_sim_params **mo, lam_sim **so, lam_err *err) {
  *so = NULL;
  *mo = lam_sim_params_copy(base, err);
  int rc = *mo ? LAM_OK : err->code;
  if (!rc && key) {
    rc = set_value(*mo, key, value, err);
  }
  if (!rc) {
    rc = lam_params_load_arrays(*mo, err);
  }
  if (!rc) {
    rc = lam_sim_new(*mo, so, err);
  }
  if (rc) {
    lam_sim_free(*so);
    lam_sim_params_free(*mo);
    *so = NULL;
    *mo = NULL;
  }
  return rc;
}

int lam_sweep_validate(const lam_sim_params *base, const lam_sweep_spec *sp,
                       lam_err *err) {
  for (size_t k = 0; k < lam_sweep_ndims(sp); k++) {
    for (int last = 0; last < 2; last++) {
      char *v = lam_sweep_end_value(sp, k, last);
      if (!v) {
        return LAM_NOMEM(err);
      }
      lam_sim_params *m;
      lam_sim *sim;
      int rc = build_one(base, lam_sweep_key(sp, k), v, &m, &sim, err);
      lam_sim_free(sim);
      lam_sim_params_free(m);
      free(v);
      if (rc) {
        return lam_err_prefix(err, "%s: ", lam_sweep_arg(sp, k));
      }
    }
  }
  return LAM_OK;
}

/* ---- input files ---- */

void lam__sweep_inputs_free(lam__sweep_inputs *in) {
  if (!in) {
    return;
  }
  for (size_t k = 0; k < in->n; k++) {
    free(in->v[k].key);
    free(in->v[k].value);
    free(in->v[k].path);
  }
  free(in->v);
  free(in);
}

static int add_input(lam__sweep_inputs *in, const char *sk, const char *value,
                     const char *path, lam_err *err) {
  lam_sweep_input *v = realloc(in->v, (in->n + 1) * sizeof *v);
  if (!v) {
    return LAM_NOMEM(err);
  }
  in->v = v;
  lam_sweep_input *x = &in->v[in->n];
  memset(x, 0, sizeof *x);
  x->key = strdup(sk);
  x->value = value ? strdup(value) : NULL;
  x->path = strdup(path);
  if (!x->key || !x->path || (value && !x->value)) {
    free(x->key);
    free(x->value);
    free(x->path);
    return LAM_NOMEM(err);
  }
  int rc = lam_hash_file(path, x->hash, NULL, err);
  if (rc) {
    free(x->key);
    free(x->value);
    free(x->path);
    return lam_err_prefix(err, "input %s: ", sk);
  }
  in->n++;
  return LAM_OK;
}

/* The index of the swept dimension of key sk, or -1. */
static long swept_dim(const lam_sweep_spec *sp, const char *sk) {
  for (size_t k = 0; k < lam_sweep_ndims(sp); k++) {
    if (!strcmp(lam_sweep_key(sp, k), sk)) {
      return (long)k;
    }
  }
  return -1;
}

/* The input files of a model's parameters, as section.key and path. */
typedef struct input_list {
  size_t n, cap;
  char (*sk)[600];
  const char **path; /* into the parameters */
} input_list;

static int list_input(void *ctx, const char *sec, const char *key, const char *path) {
  input_list *l = ctx;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    void *a = realloc(l->sk, cap * sizeof *l->sk), *b = NULL;
    if (a) {
      l->sk = a;
      b = realloc(l->path, cap * sizeof *l->path);
    }
    if (!b) {
      return LAM_ENOMEM;
    }
    l->path = b;
    l->cap = cap;
  }
  snprintf(l->sk[l->n], sizeof l->sk[0], "%s.%s", sec, key);
  l->path[l->n++] = path;
  return 0;
}

static int inputs_of(const lam_sim_params *m, input_list *l, lam_err *err) {
  memset(l, 0, sizeof *l);
  return lam_sim_params_inputs(m, list_input, l) ? LAM_NOMEM(err) : LAM_OK;
}

static void inputs_done(input_list *l) {
  free(l->sk);
  free(l->path);
}

/* The path m gives for input sk, or NULL. */
static const char *input_of(const lam_sim_params *m, const char *sk) {
  input_list l;
  lam_err e;
  const char *path = NULL;
  if (!inputs_of(m, &l, &e)) {
    for (size_t j = 0; j < l.n && !path; j++) {
      path = !strcmp(l.sk[j], sk) ? l.path[j] : NULL;
    }
  }
  inputs_done(&l);
  return path;
}

int lam__sweep_inputs_new(const lam_sim_params *base, const lam_sweep_spec *sp,
                          lam__sweep_inputs **out, lam_err *err) {
  *out = NULL;
  lam__sweep_inputs *in = calloc(1, sizeof *in);
  if (!in) {
    return LAM_NOMEM(err);
  }
  lam_sim_params *m;
  lam_sim *sim;
  input_list l = {0, 0, NULL, NULL};
  int rc = build_one(base, NULL, NULL, &m, &sim, err);
  if (!rc) {
    rc = inputs_of(m, &l, err);
  }
  for (size_t j = 0; !rc && j < l.n; j++) {
    if (swept_dim(sp, l.sk[j]) < 0) { /* a swept key's file is the point's */
      rc = add_input(in, l.sk[j], NULL, l.path[j], err);
    }
  }
  inputs_done(&l);
  lam_sim_free(sim);
  lam_sim_params_free(m);
  /* A swept key that names a file: one entry per value. */
  for (size_t k = 0; !rc && k < lam_sweep_ndims(sp) && lam_sweep_npoints(sp) > 0; k++) {
    if (lam_sweep_is_range(sp, k)) {
      continue; /* numbers */
    }
    for (size_t i = 0; !rc && i < lam_sweep_npoints(sp); i++) {
      const char *v = lam_sweep_value(sp, i, k);
      int seen = 0;
      for (size_t q = 0; q < in->n && !seen; q++) {
        seen = in->v[q].value && !strcmp(in->v[q].key, lam_sweep_key(sp, k)) &&
               !strcmp(in->v[q].value, v);
      }
      if (seen) {
        continue;
      }
      rc = build_one(base, lam_sweep_key(sp, k), v, &m, &sim, err);
      if (rc) {
        rc = lam_err_prefix(err, "%s: ", lam_sweep_arg(sp, k));
        break;
      }
      const char *path = input_of(m, lam_sweep_key(sp, k));
      if (path) {
        rc = add_input(in, lam_sweep_key(sp, k), v, path, err);
      }
      lam_sim_free(sim);
      lam_sim_params_free(m);
      if (!path && i == 0) {
        break; /* not a file key */
      }
    }
  }
  if (rc) {
    lam__sweep_inputs_free(in);
    return rc;
  }
  *out = in;
  return LAM_OK;
}

/* The entry of input sk for point i, or NULL. */
static const lam_sweep_input *expected_input(const lam__sweep_inputs *in,
                                             const lam_sweep_spec *sp, size_t i,
                                             const char *sk) {
  long k = swept_dim(sp, sk);
  const char *v = k >= 0 ? lam_sweep_value(sp, i, (size_t)k) : NULL;
  for (size_t q = 0; q < in->n; q++) {
    const lam_sweep_input *x = &in->v[q];
    if (!strcmp(x->key, sk) && (v ? x->value && !strcmp(x->value, v) : !x->value)) {
      return x;
    }
  }
  return NULL;
}

/* Point i's model m reads the files, with the contents, the sweep started
 * with (else LAM_EIO: not the point's fault, and no row). */
static int check_inputs(const lam__sweep_inputs *in, const lam_sweep_spec *sp,
                        size_t i, const lam_sim_params *m, lam_err *err) {
  input_list l = {0, 0, NULL, NULL};
  int rc = in ? inputs_of(m, &l, err) : LAM_OK;
  for (size_t j = 0; !rc && in && j < l.n; j++) {
    const char *sk = l.sk[j], *path = l.path[j];
    char hex[LAM_SHA256_HEX];
    const lam_sweep_input *x = expected_input(in, sp, i, sk);
    lam_err e = {0, ""};
    if (!x || strcmp(x->path, path)) {
      rc = lam_err_set(err, LAM_EIO,
                       "input %s (%s) was not among the inputs when the sweep started",
                       sk, path);
    } else if (lam_hash_file(path, hex, NULL, &e)) {
      rc = lam_err_set(err, LAM_EIO, "input %s: %s", sk, e.msg);
    } else if (strcmp(hex, x->hash)) {
      rc = lam_err_set(err, LAM_EIO,
                       "input %s (%s) changed during the sweep (SHA-256 %.12s... at the "
                       "start, %.12s... now)",
                       sk, path, x->hash, hex);
    }
  }
  inputs_done(&l);
  return rc;
}

/* One point on its way to a row. env: the error is not the point's own
 * (an input file that cannot be read or changed, its traces file). */
typedef struct point {
  lam_sim_params *m;
  lam_sim *sim;
  lam_metrics *mc;
  lam_recorder *rec;
  int *flags; /* populations to record: [run] record */
  double *vals;
  int env;
  lam_err e;
} point;

/* The point's model and simulation, its inputs checked, its metrics
 * collected from the run. */
static int point_build(point *p, const lam_sim_params *base, const lam_sweep_spec *sp,
                       const lam_sweep_opts *o, const lam__sweep_inputs *in, size_t i) {
  p->m = lam_sim_params_copy(base, &p->e);
  p->vals = calloc(o->nmetrics ? o->nmetrics : 1, sizeof *p->vals);
  int rc = p->m && p->vals ? LAM_OK : LAM_NOMEM(&p->e);
  if (!rc) {
    rc = apply_point(p->m, sp, i, &p->e);
  }
  if (!rc) {
    rc = lam_sim_new(p->m, &p->sim, &p->e);
    p->env = rc == LAM_EIO;
  }
  if (!rc) {
    rc = check_inputs(in, sp, i, p->m, &p->e);
    p->env = rc != LAM_OK;
  }
  if (!rc) {
    p->mc = lam_metrics_new(lam_sim_system(p->sim), &p->e);
    rc = p->mc ? LAM_OK : p->e.code;
  }
  /* Collect only what the asked metrics read (same values, less work). */
  for (size_t k = 0; !rc && k < o->nmetrics; k++) {
    rc = lam_metrics_want(p->mc, o->metrics[k], &p->e);
  }
  return rc;
}

/* --traces: DIR/<id>.h5 holds what [run] record names, as `laminar run`
 * writes it. */
static int point_traces(point *p, const lam_sweep_spec *sp, const lam_sweep_opts *o,
                        size_t i) {
  char path[1200];
  snprintf(path, sizeof path, "%s/%016llx.h5", o->traces_dir,
           (unsigned long long)lam_sweep_id(sp, i));
  p->flags = calloc(lam_sim_system(p->sim)->npops + 1, sizeof *p->flags);
  int rc = p->flags ? lam_sim_record_flags(p->sim, p->flags, &p->e) : LAM_NOMEM(&p->e);
  if (!rc) {
    p->rec = lam_recorder_open(path, lam_sim_system(p->sim), p->flags, &p->e);
    rc = p->rec ? LAM_OK : p->e.code;
    p->env = rc != LAM_OK;
  }
  return rc;
}

/* Run the point, close its traces, and read its metrics. */
static int point_run(point *p, const lam_sweep_opts *o) {
  lam_run_opts ro = lam_run_defaults(p->sim);
  if (o->t_end > 0) {
    ro.t_end = o->t_end;
  }
  if (o->dt_record > 0) {
    ro.dt_record = o->dt_record;
  }
  ro.record = p->flags;
  ro.on_sample = lam_metrics_sample;
  ro.ctx = p->mc;
  ro.stop = o->stop;
  int rc = lam_sim_record(p->sim, &ro, p->rec, &p->e);
  p->env = p->rec && rc == LAM_EIO; /* writing the traces */
  if (rc == LAM_ENOMEM && !p->e.msg[0]) {
    lam_err_set(&p->e, LAM_ENOMEM, "out of memory collecting samples");
  }
  if (p->rec) {
    lam_err ce = {0, ""};
    int crc = lam_recorder_close(p->rec, rc == LAM_OK, &ce);
    p->rec = NULL;
    if (!rc && crc) {
      rc = crc;
      p->e = ce;
      p->env = 1;
    }
  }
  if (!rc) {
    const lam_system *s = lam_sim_system(p->sim);
    const double *y = lam_sim_state(p->sim);
    for (size_t k = 0; k < s->n; k++) {
      if (!isfinite(y[k])) {
        rc = lam_err_set(&p->e, LAM_ENONFINITE, "non-finite state at the end of the run "
                                                "(y[%zu] = %g)", k, y[k]);
        break;
      }
    }
  }
  for (size_t k = 0; !rc && k < o->nmetrics; k++) {
    rc = lam_metrics_value(p->mc, o->metrics[k], lam_sim_state(p->sim), &p->vals[k], &p->e);
  }
  return rc;
}

int lam__sweep_row(const lam_sim_params *base, const lam_sweep_spec *sp,
                   const lam_sweep_opts *o, const lam__sweep_inputs *in,
                   size_t i, char **line, int *failed, lam_err *err) {
  double t0 = lam_time_now();
  point p;
  memset(&p, 0, sizeof p);
  int rc = point_build(&p, base, sp, o, in, i);
  if (!rc && o->traces_dir) {
    rc = point_traces(&p, sp, o, i);
  }
  if (!rc) {
    rc = point_run(&p, o);
  }
  int status = LAM_OK;
  if (rc == LAM_EINTERRUPT) {
    status = lam_err_set(err, LAM_EINTERRUPT, "%s", p.e.msg);
  } else if (p.env) {
    status = lam_err_set(err, LAM_EIO, "point %016llx: %s",
                         (unsigned long long)lam_sweep_id(sp, i),
                         p.e.msg[0] ? p.e.msg : lam_strerror(rc));
  } else {
    lam_solver_stats st;
    memset(&st, 0, sizeof st);
    if (p.sim) {
      lam_sim_stats(p.sim, &st, NULL);
    }
    lam_sweep_result r = {rc == LAM_OK,
                          rc ? (p.e.msg[0] ? p.e.msg : lam_strerror(rc)) : "",
                          rc ? NULL : p.vals,
                          o->nmetrics,
                          0.0,
                          p.sim != NULL,
                          st.nsteps,
                          st.nfevals};
    r.wall_s = lam_time_now() - t0;
    *line = lam_sweep_row(sp, i, &r);
    status = *line ? LAM_OK : LAM_NOMEM(err);
    *failed = rc != LAM_OK;
  }
  free(p.vals);
  free(p.flags);
  lam_metrics_free(p.mc);
  lam_sim_free(p.sim);
  lam_sim_params_free(p.m);
  return status;
}

/* ---- the sweep ---- */

lam_sweep_opts lam_sweep_defaults(void) {
  lam_sweep_opts o;
  memset(&o, 0, sizeof o);
  o.jobs = 1;
  return o;
}

/* --traces DIR: made if missing, and a folder we can write in, before any
 * point runs (else every point would fail for the same reason). */
static int check_traces_dir(const char *d, lam_err *err) {
  if (mkdir(d, 0777) != 0 && errno != EEXIST) {
    return lam_err_set(err, LAM_EIO, "--traces %s: cannot make the folder: %s", d,
                       strerror(errno));
  }
  struct stat st;
  if (stat(d, &st) != 0) {
    return lam_err_set(err, LAM_EIO, "--traces %s: %s", d, strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return lam_err_set(err, LAM_EIO, "--traces %s: not a folder (it is %s)", d,
                       S_ISREG(st.st_mode) ? "a file" : "a special file");
  }
  size_t len = strlen(d) + 64;
  char *probe = malloc(len);
  if (!probe) {
    return LAM_NOMEM(err);
  }
  snprintf(probe, len, "%s/.laminar-write-test-%ld", d, (long)getpid());
  int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
  int e = errno;
  if (fd >= 0) {
    close(fd);
    unlink(probe);
  }
  free(probe);
  if (fd < 0) {
    return lam_err_set(err, LAM_EIO, "--traces %s: cannot write in the folder: %s", d,
                       strerror(e));
  }
  return LAM_OK;
}


/* The table's header for this sweep; the metrics checked against the base
 * model (LAM_ENOTFOUND). */
static int table_header(const lam_sim_params *base, const lam_sweep_spec *sp,
                        const lam_sweep_opts *o, const lam__sweep_inputs *in,
                        lam_sweep_header *h, lam_err *err) {
  lam_sim_params *m;
  lam_sim *sim;
  int rc = build_one(base, NULL, NULL, &m, &sim, err);
  for (size_t k = 0; !rc && k < o->nmetrics; k++) {
    char unit[64];
    rc = lam_metrics_check(lam_sim_system(sim), o->metrics[k], unit, sizeof unit, err);
  }
  if (!rc) {
    memset(h, 0, sizeof *h);
    h->model = base->path;
    rc = lam_sim_params_hash(m, &h->model_hash) ? LAM_OK : LAM_NOMEM(err);
    h->t_end = o->t_end;
    h->dt_record = o->dt_record;
    h->sp = sp;
    h->metrics = o->metrics;
    h->nmetrics = o->nmetrics;
    h->inputs = in ? in->v : NULL;
    h->ninputs = in ? in->n : 0;
    h->command = o->command;
  }
  lam_sim_free(sim);
  lam_sim_params_free(m);
  return rc;
}

int lam__sweep_prepare(const lam_sim_params *base, const lam_sweep_spec *sp,
                       const lam_sweep_opts *o, const lam__sweep_inputs *in,
                       size_t **todo, size_t *ntodo, lam_sweep_summary *sum,
                       lam_sweep_table **table, lam_err *err) {
  memset(sum, 0, sizeof *sum);
  *todo = NULL;
  *ntodo = 0;
  *table = NULL;
  size_t *pts = NULL, npts = 0;
  int rc = lam_sweep_shard(sp, o->shard_k, o->shard_n, &pts, &npts, err);
  if (!rc && !o->output) {
    rc = lam_err_set(err, LAM_EINVAL, "sweep: no output CSV (-o FILE.csv)");
  }
  /* One sweep per table, from before it is read until the last row. */
  if (!rc) {
    rc = lam_sweep_table_lock(o->output, table, err);
  }
  if (!rc && o->traces_dir) {
    rc = check_traces_dir(o->traces_dir, err);
  }
  lam_sweep_header h;
  if (!rc) {
    rc = table_header(base, sp, o, in, &h, err);
  }
  if (!rc) {
    rc = lam_sweep_table_open(*table, &h, o->restart, err);
  }
  if (rc) {
    free(pts);
    lam_sweep_table_close(*table);
    *table = NULL;
    return rc;
  }
  /* The points of this shard not yet in the table, in place. */
  sum->points = npts;
  for (size_t j = 0; j < npts; j++) {
    if (lam_sweep_table_has(*table, lam_sweep_id(sp, pts[j]))) {
      sum->skipped++;
    } else {
      pts[(*ntodo)++] = pts[j];
    }
  }
  *todo = pts;
  return LAM_OK;
}

/* ---- the worker processes ---- */

typedef struct run_ctx {
  const lam_sim_params *base;
  const lam_sweep_spec *sp;
  const lam_sweep_opts *o;
  const lam__sweep_inputs *in;
  lam_sweep_table *table;
  lam_sweep_summary *sum;
  size_t ntodo;
} run_ctx;

/* In a worker: point i's row. An error that is not the point's own
 * (LAM_EIO) stops the sweep without a row; any other is a failed row. */
static int worker_row(void *ctx, size_t i, char **line, lam_err *err) {
  const run_ctx *c = ctx;
  int failed = 0;
  *line = NULL;
  int rc = lam__sweep_row(c->base, c->sp, c->o, c->in, i, line, &failed, err);
  if (rc == LAM_EINTERRUPT || rc == LAM_EIO) {
    return rc;
  }
  if (rc) {
    *line = lam_sweep_failed_row(c->sp, c->o->nmetrics, i, err->msg);
  }
  return *line ? LAM_OK : LAM_ENOMEM;
}

static char *crashed_row(void *ctx, size_t i, const char *why) {
  const run_ctx *c = ctx;
  return lam_sweep_failed_row(c->sp, c->o->nmetrics, i, why);
}

/* In the parent, the only writer: append the row, count it. */
static int write_row(void *ctx, const char *line, lam_err *err) {
  run_ctx *c = ctx;
  int rc = lam_sweep_table_append(c->table, line, err);
  if (rc) {
    return rc;
  }
  c->sum->ran++;
  c->sum->failed += (size_t)lam_sweep_row_failed(line);
  if (c->o->progress) {
    c->o->progress(c->o->ctx, c->sum->ran, c->ntodo, c->sum->failed);
  }
  return LAM_OK;
}

int lam__sweep_run_workers(const lam_sim_params *base, const lam_sweep_spec *sp,
                           const lam_sweep_opts *o, const lam__sweep_inputs *in,
                           int jobs, const size_t *todo, size_t ntodo,
                           lam_sweep_table *table, lam_sweep_summary *sum,
                           lam_err *err) {
  run_ctx c = {base, sp, o, in, table, sum, ntodo};
  int fds[2];
  lam_sweep_table_fds(table, fds);
  lam_sweep_pool_ops ops = {worker_row, crashed_row, write_row, &c, fds, 2, o->stop};
  return lam_sweep_pool_run(&ops, jobs, todo, ntodo, err);
}

int lam_sweep_run(const lam_sim_params *base, const lam_sweep_spec *sp,
                  const lam_sweep_opts *o, lam_sweep_summary *sum,
                  lam_err *err) {
  size_t *todo = NULL, ntodo = 0;
  lam_sweep_table *table = NULL;
  lam__sweep_inputs *in = NULL;
  memset(sum, 0, sizeof *sum);
  int rc = lam__sweep_inputs_new(base, sp, &in, err);
  if (!rc) {
    rc = lam__sweep_prepare(base, sp, o, in, &todo, &ntodo, sum, &table, err);
  }
  if (!rc && ntodo > 0) {
    rc = lam__sweep_run_workers(base, sp, o, in, o->jobs, todo, ntodo, table, sum, err);
  }
  lam_sweep_table_close(table);
  lam__sweep_inputs_free(in);
  free(todo);
  return rc;
}

#if !LAM_HAVE_MPI
int lam_sweep_run_mpi(const lam_sim_params *base, const lam_sweep_spec *sp,
                      const lam_sweep_opts *o, lam_sweep_summary *sum,
                      lam_err *err) {
  (void)base, (void)sp, (void)o, (void)sum;
  return lam_err_set(err, LAM_EUNSUPPORTED,
                     "sweep: this build has no MPI (meson setup -Dmpi=enabled)");
}
#endif
