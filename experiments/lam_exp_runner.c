/* lam_exp_runner.c: runs one experiment over its seeds and writes
 * DIR/NAME/metrics.csv and DIR/NAME/result.json (see lam_experiment.h).
 * Both files are written under a .part name and renamed when complete. */
/* realpath() is an X/Open extension. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lam_config.h"
#include "lam_exp_util.h"
#include "lam_experiment.h"
#include "lam_outfile.h"
#include "lam_time.h"
#include "lam_params.h"

typedef struct metric_sum {
  char condition[64], metric[64], unit[24];
  double sum, sumsq;
  size_t n;
  double *v; /* the n values, seed by seed (the figures' bootstrap CIs) */
  size_t capv;
} metric_sum;

/* Append value to s->v. */
static int keep_value(metric_sum *s, double value, lam_err *err) {
  if (s->n >= s->capv) {
    size_t cap = s->capv ? 2 * s->capv : 16;
    double *p = realloc(s->v, cap * sizeof *p);
    if (!p) {
      return LAM_NOMEM(err);
    }
    s->v = p;
    s->capv = cap;
  }
  s->v[s->n] = value;
  return LAM_OK;
}

struct lam_exp {
  const lam_experiment *e;
  const lam_exp_opts *o;
  lam_sim_params *base; /* the model file with the user's --set, read once */
  char *resolved; /* its text (every key, defaults included) */
  unsigned long seed;
  FILE *csv;
  lam_outfile *csvf; /* metrics.csv.part under metrics.csv's lock */
  char dir[1024];
  metric_sum *sums;
  size_t nsums, capsums;
  /* A point of a prediction map: its "key=value" overrides, of the base
   * model or of the model file pfile (lam_exp_params_file). */
  const char *const *psets;
  size_t npsets;
  const char *pfile; /* NULL: they are the base model's; else that file's */
};

int lam_exp_quick(const lam_exp *x) { return x->o->quick; }
const char *lam_exp_dir(const lam_exp *x) { return x->dir; }

int lam_exp_mkdirs(const char *path, lam_err *err) {
  char buf[1024];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
    return lam_err_set(err, LAM_EINVAL, "%s: path too long", path);
  }
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        return lam_err_set(err, LAM_EIO, "%s: cannot create directory: %s",
                           buf, strerror(errno));
      }
      *p = c;
      if (c == '\0') {
        break;
      }
    }
  }
  return LAM_OK;
}

void lam_exp_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    default:
      if (*p < 0x20) {
        fprintf(f, "\\u%04x", *p);
      } else {
        fputc(*p, f);
      }
    }
  }
  fputc('"', f);
}

/* JSON has no NaN or infinity: write null for them. */
void lam_exp_json_number(FILE *f, double v) {
  if (isfinite(v)) {
    fprintf(f, "%.10g", v);
  } else {
    fputs("null", f);
  }
}

int lam_exp_params(lam_exp *x, unsigned long seed, lam_sim_params **out,
                   lam_err *err) {
  *out = NULL;
  lam_sim_params *p = lam_sim_params_copy(x->base, err);
  if (!p) {
    return err && err->code ? err->code : LAM_ENOMEM;
  }
  /* As numbers through the keys, so that on a model of stacked areas they
   * reach every area that does not set its own, as a --set would. */
  const char *seeded[] = {"input.seed", "weights.seed", "solver.seed",
                          "stimulus.noise_seed"};
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < LAM_NELEM(seeded); i++) {
    rc = lam_sim_params_set_number(p, seeded[i], (double)seed, err);
  }
  if (rc) {
    lam_sim_params_free(p);
    return lam_err_prefix(err, "experiment %s: ", x->e->name);
  }
  *out = p;
  return LAM_OK;
}

int lam_exp_rhythms_made(const lam_exp *x) {
  const lam_clock_params *c = &x->base->clocks;
  return c->enabled && c->gamma_source != LAM_CLOCK_SOURCE_CLOCK &&
         c->alpha_source != LAM_CLOCK_SOURCE_CLOCK;
}

int lam_exp_params_file(lam_exp *x, unsigned long seed, const char *file,
                        lam_sim_params **out, lam_err *err) {
  *out = NULL;
  char path[2200];
  if (file[0] == '/') {
    snprintf(path, sizeof path, "%s", file);
  } else {
    snprintf(path, sizeof path, "%s/%s", x->base->basedir, file);
  }
  lam_sim_params *p = NULL;
  int rc = lam_params_load(path, NULL, 0, &p, err);
  if (!rc) {
    rc = lam_sim_params_set_number(p, "solver.seed", (double)seed, err);
  }
  for (size_t i = 0; !rc && x->pfile && !strcmp(x->pfile, file) && i < x->npsets; i++) {
    char key[256];
    const char *eq = strchr(x->psets[i], '=');
    size_t k = eq ? (size_t)(eq - x->psets[i]) : 0;
    if (!eq || k >= sizeof key) {
      rc = lam_err_set(err, LAM_EINVAL, "'%s': expected section.key=value", x->psets[i]);
      break;
    }
    memcpy(key, x->psets[i], k);
    key[k] = '\0';
    rc = lam_sim_params_set(p, key, eq + 1, "region point", err);
  }
  if (rc) {
    lam_sim_params_free(p);
    return lam_err_prefix(err, "experiment %s: ", x->e->name);
  }
  *out = p;
  return LAM_OK;
}

int lam_exp_metric(lam_exp *x, const char *condition, const char *metric,
                   double value, const char *unit, lam_err *err) {
  if (!x->csv) { /* a point of a prediction map keeps no metrics */
    return LAM_OK;
  }
  fprintf(x->csv, "%lu,%s,%s,%.10g,%s\n", x->seed, condition, metric, value,
          unit);
  for (size_t i = 0; i < x->nsums; i++) {
    metric_sum *s = &x->sums[i];
    if (!strcmp(s->condition, condition) && !strcmp(s->metric, metric)) {
      if (keep_value(s, value, err)) {
        return err->code;
      }
      s->sum += value;
      s->sumsq += value * value;
      s->n++;
      return LAM_OK;
    }
  }
  if (x->nsums == x->capsums) {
    size_t cap = x->capsums ? 2 * x->capsums : 32;
    metric_sum *p = realloc(x->sums, cap * sizeof *p);
    if (!p) {
      return LAM_NOMEM(err);
    }
    x->sums = p;
    x->capsums = cap;
  }
  metric_sum *s = &x->sums[x->nsums++];
  memset(s, 0, sizeof *s);
  if (keep_value(s, value, err)) {
    x->nsums--;
    return err->code;
  }
  snprintf(s->condition, sizeof s->condition, "%s", condition);
  snprintf(s->metric, sizeof s->metric, "%s", metric);
  snprintf(s->unit, sizeof s->unit, "%s", unit);
  s->sum = value;
  s->sumsq = value * value;
  s->n = 1;
  return LAM_OK;
}

int lam_exp_mean(const lam_exp *x, const char *condition, const char *metric,
                 double *mean, double *sd, lam_err *err) {
  for (size_t i = 0; i < x->nsums; i++) {
    const metric_sum *s = &x->sums[i];
    if (!strcmp(s->condition, condition) && !strcmp(s->metric, metric)) {
      const double n = (double)s->n, m = s->sum / n;
      const double var = s->n > 1 ? (s->sumsq - n * m * m) / (n - 1.0) : 0.0;
      *mean = m;
      if (sd) {
        *sd = var > 0.0 ? sqrt(var) : 0.0;
      }
      return LAM_OK;
    }
  }
  return lam_err_set(err, LAM_ENOTFOUND, "experiment %s: no metric %s/%s",
                     x->e->name, condition, metric);
}

int lam_exp_mean_ci(const lam_exp *x, const char *condition,
                    const char *metric, double *mean, double *lo, double *hi,
                    size_t *n, lam_err *err) {
  for (size_t i = 0; i < x->nsums; i++) {
    const metric_sum *s = &x->sums[i];
    if (!strcmp(s->condition, condition) && !strcmp(s->metric, metric)) {
      if (n) {
        *n = s->n;
      }
      /* The verdict's bootstrap (2000 resamples, seed 12345). */
      return lam_bootstrap_ci(s->v, s->n, 2000, 12345, mean, lo, hi, err);
    }
  }
  return lam_err_set(err, LAM_ENOTFOUND, "experiment %s: no metric %s/%s",
                     x->e->name, condition, metric);
}

int lam_exp_simulate(lam_exp *x, const lam_sim_params *p, double t_end,
                     lam_sim **out, lam_err *err) {
  *out = NULL;
  lam_sim *sim = NULL;
  int rc = lam_sim_new(p, &sim, err);
  if (rc) {
    return rc;
  }
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = t_end;
  o.stop = x->o->stop; /* Ctrl-C stops the run, not only the next seed */
  rc = lam_sim_run(sim, &o, NULL, err);
  if (rc) {
    lam_sim_free(sim);
    return rc;
  }
  *out = sim;
  return LAM_OK;
}

/* Series collection: the column-mean of each requested population. */
typedef struct series_ctx {
  const lam_system *sys;
  const size_t *pop;
  size_t npops;
  double **out;
  double *buf;
  double t_skip;
  size_t n, cap;
} series_ctx;

static int on_sample(void *vctx, double t, const double *y) {
  series_ctx *c = vctx;
  if (t < c->t_skip - 1e-12 || c->n >= c->cap) {
    return 0;
  }
  for (size_t p = 0; p < c->npops; p++) {
    const lam_pop_info *pi = &c->sys->pops[c->pop[p]];
    const size_t k = pi->ncols * pi->nunits;
    c->sys->ops->observe(c->sys->self, c->pop[p], t, y, c->buf);
    double s = 0.0;
    for (size_t i = 0; i < k; i++) {
      s += c->buf[i];
    }
    c->out[p][c->n] = s / (double)pi->ncols;
  }
  c->n++;
  return 0;
}

long lam_exp_pop_index(const lam_system *s, const char *name) {
  for (size_t p = 0; p < s->npops; p++) {
    if (!strcmp(s->pops[p].name, name)) {
      return (long)p;
    }
  }
  return -1;
}

int lam_exp_series(lam_exp *x, const lam_sim_params *params, double t_end, double dt,
                   double t_skip, const char *const *pops, double **out,
                   size_t *n, lam_err *err) {
  size_t np = 0;
  while (pops[np]) {
    out[np++] = NULL;
  }
  lam_sim *sim = NULL;
  int rc = lam_sim_new(params, &sim, err);
  if (rc) {
    return rc;
  }
  const lam_system *sys = lam_sim_system(sim);
  size_t idx[16], maxk = 1;
  if (np > LAM_NELEM(idx)) {
    lam_sim_free(sim);
    return LAM_INTERNAL(err, "too many series");
  }
  for (size_t p = 0; p < np; p++) {
    long i = lam_exp_pop_index(sys, pops[p]);
    if (i < 0) {
      lam_sim_free(sim);
      return lam_err_set(err, LAM_ENOTFOUND,
                         "experiment: population '%s' not in model kind %s",
                         pops[p], sys->kind);
    }
    idx[p] = (size_t)i;
    size_t k = sys->pops[i].ncols * sys->pops[i].nunits;
    maxk = k > maxk ? k : maxk;
  }
  series_ctx c = {sys, idx, np, out, malloc(maxk * sizeof(double)), t_skip, 0,
                  (size_t)floor((t_end - t_skip) / dt + 1e-9) + 1};
  int fail = c.buf == NULL;
  for (size_t p = 0; p < np; p++) {
    out[p] = malloc(c.cap * sizeof(double));
    fail |= out[p] == NULL;
  }
  if (fail) {
    rc = LAM_NOMEM(err);
  } else {
    lam_run_opts o = lam_run_defaults(sim);
    o.t_end = t_end;
    o.dt_record = dt;
    o.on_sample = on_sample;
    o.ctx = &c;
    o.stop = x->o->stop;
    rc = lam_sim_run(sim, &o, NULL, err);
  }
  free(c.buf);
  lam_sim_free(sim);
  if (rc) {
    for (size_t p = 0; p < np; p++) {
      free(out[p]);
      out[p] = NULL;
    }
    return rc;
  }
  *n = c.n;
  return LAM_OK;
}

/* "region": the prediction map's summary (lam_region.h), then a comma. */
static void write_region(FILE *f, const lam_region_summary *g) {
  fprintf(f, "\n  \"region\": {\"points\": %zu, \"failed\": %zu, \"seeds_per_point\": %zu, "
             "\"supported_fraction\": ", g->points, g->failed, g->seeds);
  lam_exp_json_number(f, g->fraction);
  fputs(", \"ci95\": [", f);
  lam_exp_json_number(f, g->lo);
  fputs(", ", f);
  lam_exp_json_number(f, g->hi);
  fputs("],\n    \"parameters\": [", f);
  for (size_t k = 0; k < g->nkeys; k++) {
    fputs(k ? ",\n      {\"key\": " : "\n      {\"key\": ", f);
    lam_exp_json_string(f, g->key[k]);
    fputs(", \"range\": [", f);
    lam_exp_json_number(f, g->key_lo[k]);
    fputs(", ", f);
    lam_exp_json_number(f, g->key_hi[k]);
    fputs("], \"spearman\": ", f);
    lam_exp_json_number(f, g->rho[k]);
    fputs("}", f);
  }
  fputs("]},", f);
}

static int write_result(lam_exp *x, const double *eff, size_t n,
                        const lam_exp_result *r, lam_err *err) {
  char path[1100];
  snprintf(path, sizeof path, "%s/result.json", x->dir);
  lam_outfile *of = NULL;
  FILE *f = NULL;
  int rc = lam_outfile_open(path, "result", 0, &of, err);
  if (!rc && !(f = lam_outfile_stream(of, err))) {
    rc = LAM_EIO;
  }
  if (rc) {
    lam_outfile_abandon(of, 0, NULL);
    return rc;
  }
  const lam_experiment *e = x->e;
  fputs("{\n  \"experiment\": ", f);
  lam_exp_json_string(f, e->name);
  fputs(",\n  \"id\": ", f);
  lam_exp_json_string(f, e->id);
  fputs(",\n  \"prediction\": ", f);
  lam_exp_json_string(f, e->prediction);
  fputs(",\n  \"verdict\": ", f);
  lam_exp_json_string(f, lam_verdict_name(r->verdict));
  fputs(",\n  \"evidence\": ", f);
  lam_exp_json_string(f, lam_evidence_name(e->evidence));
  if (e->evidence == LAM_EVIDENCE_MIXED && e->clauses) {
    fputs(",\n  \"clauses\": [", f);
    for (size_t i = 0; e->clauses[i].clause; i++) {
      fputs(i ? ",\n    {\"clause\": " : "\n    {\"clause\": ", f);
      lam_exp_json_string(f, e->clauses[i].clause);
      fputs(", \"evidence\": ", f);
      lam_exp_json_string(f, lam_evidence_name(e->clauses[i].evidence));
      fputc('}', f);
    }
    fputs("\n  ]", f);
  }
  fputs(",\n  \"preliminary\": ", f);
  fputs(r->preliminary ? "true" : "false", f);
  fputs(",\n  \"effect_size\": ", f);
  lam_exp_json_number(f, r->effect);
  fputs(",\n  \"effect_definition\": ", f);
  lam_exp_json_string(f, e->effect);
  fputs(",\n  \"ci95\": [", f);
  lam_exp_json_number(f, r->lo);
  fputs(", ", f);
  lam_exp_json_number(f, r->hi);
  fputs("],\n  \"criterion\": {\"text\": ", f);
  lam_exp_json_string(f, e->criterion.text);
  fprintf(f, ", \"direction\": %d, \"threshold\": ", e->criterion.direction);
  lam_exp_json_number(f, e->criterion.threshold);
  fprintf(f, "},\n  \"seeds\": %zu,\n  \"effects\": [", n);
  for (size_t i = 0; i < n; i++) {
    fputs(i ? ", " : "", f);
    lam_exp_json_number(f, eff[i]);
  }
  fputs("],\n  \"metrics\": {", f);
  for (size_t i = 0; i < x->nsums; i++) {
    const metric_sum *s = &x->sums[i];
    char key[160];
    snprintf(key, sizeof key, "%s/%s", s->condition, s->metric);
    fputs(i ? ",\n    " : "\n    ", f);
    lam_exp_json_string(f, key);
    fputs(": {\"mean\": ", f);
    lam_exp_json_number(f, s->sum / (double)s->n);
    fputs(", \"unit\": ", f);
    lam_exp_json_string(f, s->unit);
    fprintf(f, ", \"n\": %zu}", s->n);
  }
  fputs("\n  },", f);
  if (x->o->region) {
    write_region(f, x->o->region);
  }
  fputs("\n  \"quick\": ", f);
  fputs(x->o->quick ? "true" : "false", f);
  fputs(",\n  \"model_path\": ", f);
  lam_exp_json_string(f, x->base->path);
  fputs(",\n  \"model\": ", f);
  lam_exp_json_string(f, x->resolved ? x->resolved : "");
  fputs(",\n  \"version\": ", f);
  lam_exp_json_string(f, LAM_VERSION);
  fputs(",\n  \"wall_seconds\": ", f);
  lam_exp_json_number(f, r->wall_seconds);
  fputs("\n}\n", f);
  if (lam_outfile_check(of, err)) {
    lam_outfile_abandon(of, 0, NULL);
    return LAM_EIO;
  }
  return lam_outfile_commit(of, NULL, NULL, err);
}

/* The base model with o's --set overrides and the point's, built once
 * (values the tables cannot check, array shapes). */
static int load_base(lam_exp *x, lam_err *err) {
  lam_model *m = NULL;
  int rc = lam_model_open(x->o->model_path, (const char *const *)x->o->sets, x->o->nsets,
                          &m, err);
  for (size_t i = 0; !rc && !x->pfile && i < x->npsets; i++) {
    rc = lam_model_set(m, x->psets[i], err);
  }
  if (!rc) {
    rc = lam_params_from_model(m, &x->base, err);
  }
  lam_model_free(m);
  if (!rc) {
    lam_sim *sim = NULL;
    rc = lam_sim_new(x->base, &sim, err);
    lam_sim_free(sim);
  }
  return rc;
}

int lam_exp_run_point(const lam_experiment *e, const lam_exp_opts *o,
                      const char *const *sets, size_t nsets, const char *file,
                      const char *dir, size_t nseeds, double *effects, lam_err *err) {
  lam_exp x = {.e = e, .o = o, .psets = sets, .npsets = nsets, .pfile = file};
  if (snprintf(x.dir, sizeof x.dir, "%s", dir) >= (int)sizeof x.dir) {
    return lam_err_set(err, LAM_EINVAL, "%s: directory name too long", dir);
  }
  int rc = load_base(&x, err);
  for (size_t s = 1; !rc && s <= nseeds; s++) {
    if (o->stop && *o->stop) {
      rc = lam_err_set(err, LAM_EINTERRUPT, "experiment %s: interrupted", e->name);
      break;
    }
    x.seed = (unsigned long)s;
    rc = e->run_seed(&x, x.seed, &effects[s - 1], err);
    if (rc) {
      lam_err_prefix(err, "experiment %s, seed %zu: ", e->name, s);
    }
  }
  free(x.sums);
  lam_sim_params_free(x.base);
  return rc;
}

int lam_experiment_run(const lam_experiment *e, const lam_exp_opts *o,
                       lam_exp_result *res, lam_err *err) {
  memset(res, 0, sizeof *res);
  res->e = e;
  if (o->region) {
    res->has_region = 1;
    res->region = *o->region;
  }
  lam_exp x = {.e = e, .o = o};
  if (snprintf(x.dir, sizeof x.dir, "%s/%s", o->outdir, e->name) >=
      (int)sizeof x.dir) {
    return lam_err_set(err, LAM_EINVAL, "%s: output directory name too long",
                       o->outdir);
  }
  int rc = lam_exp_mkdirs(x.dir, err);
  if (rc) {
    return rc;
  }
  /* Absolute, so that input files written here can be named in model keys
   * (relative paths there resolve against the model file). */
  char *abs = realpath(x.dir, NULL);
  if (!abs) {
    return lam_err_set(err, LAM_EIO, "%s: %s", x.dir, strerror(errno));
  }
  snprintf(x.dir, sizeof x.dir, "%s", abs);
  free(abs);
  /* Read the base model once: a bad model file fails here, with its
   * file:line:key message, before any seed runs. */
  rc = load_base(&x, err);
  if (!rc) {
    x.resolved = lam_sim_params_text(x.base);
    rc = x.resolved ? LAM_OK : LAM_NOMEM(err);
  }
  size_t nseeds = o->nseeds ? o->nseeds : (o->quick ? 3 : 10);
  double *eff = calloc(nseeds, sizeof *eff);
  char path[1100];
  snprintf(path, sizeof path, "%s/metrics.csv", x.dir);
  if (!rc && !eff) {
    rc = LAM_NOMEM(err);
  }
  if (!rc) {
    rc = lam_outfile_open(path, "metrics table", 0, &x.csvf, err);
  }
  if (!rc && !(x.csv = lam_outfile_stream(x.csvf, err))) {
    rc = LAM_EIO;
  }
  double t0 = lam_time_now();
  if (!rc) {
    fprintf(x.csv, "# laminar %s experiment %s; model %s\n", LAM_VERSION,
            e->name, x.base->path);
    fputs("seed,condition,metric,value,unit\n", x.csv);
  }
  size_t done = 0;
  for (size_t s = 1; !rc && s <= nseeds; s++) {
    if (o->stop && *o->stop) {
      rc = lam_err_set(err, LAM_EINTERRUPT, "experiment %s: interrupted",
                       e->name);
      break;
    }
    if (o->progress) {
      o->progress(o->ctx, e->name, s, nseeds);
    }
    x.seed = (unsigned long)s;
    rc = e->run_seed(&x, x.seed, &eff[s - 1], err);
    if (!rc) {
      rc = lam_exp_metric(&x, "summary", "effect", eff[s - 1], "", err);
      done++;
    } else {
      lam_err_prefix(err, "experiment %s, seed %zu: ", e->name, s);
    }
  }
  if (x.csvf) {
    /* An interrupted or failed run keeps metrics.csv.part: never a
     * complete-looking file with missing seeds. */
    if (!rc) {
      rc = lam_outfile_check(x.csvf, err);
    }
    if (!rc) {
      rc = lam_outfile_commit(x.csvf, NULL, NULL, err);
    } else {
      lam_outfile_abandon(x.csvf, 1, NULL);
    }
    x.csvf = NULL;
    x.csv = NULL;
  }
  if (!rc && done && e->figures) {
    rc = e->figures(&x, err);
    if (rc == LAM_EUNSUPPORTED) { /* built without PLplot */
      lam_err_clear(err);
      rc = LAM_OK;
    } else if (rc) {
      lam_err_prefix(err, "experiment %s, figures: ", e->name);
    }
  }
  if (!rc) {
    res->nseeds = done;
    rc = lam_bootstrap_ci(eff, done, 2000, 12345, &res->effect, &res->lo,
                          &res->hi, err);
  }
  if (!rc) {
    res->verdict = lam_verdict_of(&e->criterion, res->lo, res->hi, done);
    /* A --quick run's CI comes from 3 seeds and shorter runs: its verdict
     * can flip in a full run, and says so. */
    res->preliminary = o->quick != 0;
    res->wall_seconds = lam_time_now() - t0;
    rc = write_result(&x, eff, done, res, err);
  }
  free(eff);
  for (size_t i = 0; i < x.nsums; i++) {
    free(x.sums[i].v);
  }
  free(x.sums);
  free(x.resolved);
  lam_sim_params_free(x.base);
  return rc;
}
