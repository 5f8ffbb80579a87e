/* test_models_alive.c: every population of every shipped attention model
 * (every .ini file in models/ with column.kind = attention, stacked areas included) is
 * alive:
 *   1. its trace varies, in time or across columns, by more than 1 % of its
 *      mean magnitude over the run (a silent population, mean 0, fails);
 *   2. removing its output changes the attention weights or the routed
 *      output by more than 1 % (relative L2 norm of their traces over the
 *      second half of the run, sampled every ms: a clock changes the time
 *      course, not the mean).
 * Each population's output is removed by the one key that cuts it: W_V, W_Q
 * or W_K zeroed (L4 values, L2/3 queries, L5 basal keys), the burst
 * nonlinearity's gain beta = 0 (L5 apical), pv_strength = 0 (PV),
 * w_sa = 0 (SOM -> apical), w_vs = 0 (VIP -> SOM), clocks off (clocks).
 * The attention weights and the routed output are what is measured, so they
 * are not knocked out themselves. A population the table does not know
 * fails the test: a new population needs its knockout here. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_model.h"
#include "lam_params.h"
#include "lam_sim.h"

static const char *root(void) {
  const char *r = getenv("LAM_SOURCE_ROOT");
  return r ? r : ".";
}

/* The key settings that remove a population's output; NULL: measured
 * (attention weights, routed output). "@wv": a zero matrix file. */
typedef struct knock {
  const char *pop;
  const char *set[2];
} knock;

static const knock knocks[] = {
    {"l4", {"@wv", NULL}},        {"l23", {"@wq", NULL}},
    {"l5b", {"@wk", NULL}},       {"l5a", {"column.beta=0", NULL}},
    {"pv", {"column.pv_strength=0", NULL}},
    {"som", {"column.w_sa=0", NULL}},
    {"vip", {"column.w_vs=0", NULL}},
    {"clock_phase", {"clocks.enabled=false", NULL}},
    {"clock_gain", {"clocks.enabled=false", NULL}},
    /* The column's own rhythms act through their synapses: PV -> L2/3 of
     * the PING loop, SOM -> L5 of the deep loop (docs/rhythms.md). */
    {"ping", {"column.w_pe=0", NULL}},
    {"deep", {"column.w_sl=0", NULL}},
    {"attn", {NULL, NULL}},       {"out", {NULL, NULL}},
};

/* Population name without an area prefix ("v1.l4" -> "l4"). */
static const char *base_name(const char *name) {
  const char *d = strrchr(name, '.');
  return d ? d + 1 : name;
}

static const knock *knock_of(const char *name) {
  for (size_t i = 0; i < sizeof knocks / sizeof knocks[0]; i++) {
    if (!strcmp(knocks[i].pop, base_name(name))) {
      return &knocks[i];
    }
  }
  return NULL;
}

/* Per population: sums over samples of the column means (time variation)
 * and per column (column variation), and the time means of attn and out
 * over the second half. */
typedef struct acc {
  lam_system *sys;
  double t_half;
  double *buf;
  double *s1, *s2;    /* per pop: sum and sum of squares of the column mean */
  double *abs;        /* per pop: sum of mean |x| */
  double **col;       /* per pop: per column sum */
  double *meas;       /* attn and out at every sample of the second half */
  size_t nmeas, nsamp, nhalf, maxhalf;
} acc;

static int on_sample(void *vc, double t, const double *y) {
  acc *c = vc;
  size_t off = 0;
  for (size_t p = 0; p < c->sys->npops; p++) {
    const lam_pop_info *pi = &c->sys->pops[p];
    const size_t k = pi->ncols * pi->nunits;
    c->sys->ops->observe(c->sys->self, p, t, y, c->buf);
    double m = 0.0, a = 0.0;
    for (size_t j = 0; j < pi->ncols; j++) {
      double cj = 0.0;
      for (size_t u = 0; u < pi->nunits; u++) {
        cj += c->buf[j * pi->nunits + u];
        a += fabs(c->buf[j * pi->nunits + u]);
      }
      c->col[p][j] += cj / (double)pi->nunits;
      m += cj;
    }
    m /= (double)k;
    c->s1[p] += m;
    c->s2[p] += m * m;
    c->abs[p] += a / (double)k;
    const char *b = base_name(pi->name);
    if (!strcmp(b, "attn") || !strcmp(b, "out")) {
      if (t >= c->t_half - 1e-12 && c->nhalf < c->maxhalf) {
        for (size_t i = 0; i < k; i++) {
          c->meas[c->nhalf * c->nmeas + off + i] = c->buf[i];
        }
      }
      off += k;
    }
  }
  c->nsamp++;
  c->nhalf += t >= c->t_half - 1e-12 && c->nhalf < c->maxhalf;
  return 0;
}

/* Run path with the extra settings; fills the measured vector (malloc'ed)
 * and, when stats, prints nothing but asserts the activity of every
 * population. */
static double *run_model(const char *path, const char *const *sets,
                         size_t nsets, int check_alive, size_t *nmeas) {
  lam_err err = {0};
  lam_model *m = lam_model_new();
  cr_assert(m);
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  for (size_t i = 0; i < nsets; i++) {
    cr_assert_eq(lam_model_set(m, sets[i], &err), LAM_OK, "%s: %s", sets[i], err.msg);
  }
  lam_sim_params *p = NULL;
  cr_assert_eq(lam_params_from_model(m, &p, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_new(p, &sim, &err), LAM_OK, "%s: %s", path, err.msg);
  lam_sim_params_free(p);
  lam_system *sys = lam_sim_system(sim);
  acc c = {.sys = sys};
  size_t maxk = 1, nm = 0;
  c.s1 = calloc(sys->npops, sizeof(double));
  c.s2 = calloc(sys->npops, sizeof(double));
  c.abs = calloc(sys->npops, sizeof(double));
  c.col = calloc(sys->npops, sizeof(double *));
  for (size_t q = 0; q < sys->npops; q++) {
    const size_t k = sys->pops[q].ncols * sys->pops[q].nunits;
    maxk = k > maxk ? k : maxk;
    c.col[q] = calloc(sys->pops[q].ncols, sizeof(double));
    const char *b = base_name(sys->pops[q].name);
    nm += (!strcmp(b, "attn") || !strcmp(b, "out")) ? k : 0;
  }
  c.buf = malloc(maxk * sizeof(double));
  lam_run_opts o = lam_run_defaults(sim);
  /* At most 1 s (the default model's stimulus step starts at 0.5 s): the
   * test runs in the sanitizer build too. */
  o.t_end = fmin(o.t_end, 1.0);
  o.dt_record = 0.001;
  c.t_half = o.t_end / 2.0;
  c.nmeas = nm;
  c.maxhalf = (size_t)(o.t_end / 2.0 / o.dt_record) + 2;
  c.meas = calloc(nm * c.maxhalf + 1, sizeof(double));
  o.on_sample = on_sample;
  o.ctx = &c;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s: %s", path, err.msg);
  cr_assert_gt(nm, 0, "%s: no attention weights or routed output", path);
  for (size_t q = 0; q < sys->npops && check_alive; q++) {
    const lam_pop_info *pi = &sys->pops[q];
    cr_assert_not_null(knock_of(pi->name),
                       "%s: population %s has no knockout in this test", path,
                       pi->name);
    const double n = (double)c.nsamp, mean = c.s1[q] / n;
    const double sd_t = sqrt(fmax(0.0, c.s2[q] / n - mean * mean));
    double cm = 0.0, cs = 0.0;
    for (size_t j = 0; j < pi->ncols; j++) {
      cm += c.col[q][j] / n;
      cs += (c.col[q][j] / n) * (c.col[q][j] / n);
    }
    cm /= (double)pi->ncols;
    const double sd_c = sqrt(fmax(0.0, cs / (double)pi->ncols - cm * cm));
    const double mag = c.abs[q] / n;
    cr_assert(mag > 0.0 && (sd_t > 0.01 * mag || sd_c > 0.01 * mag),
              "%s: population %s is not alive: mean |x| %g, sd in time %g, "
              "sd across columns %g",
              path, pi->name, mag, sd_t, sd_c);
  }
  for (size_t q = 0; q < sys->npops; q++) {
    free(c.col[q]);
  }
  free(c.col);
  free(c.s1);
  free(c.s2);
  free(c.abs);
  free(c.buf);
  lam_sim_free(sim);
  *nmeas = nm * (c.nhalf < c.maxhalf ? c.nhalf : c.maxhalf);
  return c.meas;
}

static double rel_change(const double *a, const double *b, size_t n) {
  double d = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    s += a[i] * a[i];
  }
  return s > 0.0 ? sqrt(d / s) : INFINITY;
}

/* A zero d_in x cols matrix in dir; its path in out. */
static void zero_csv(const char *dir, const char *name, long rows, long cols,
                     char *out, size_t n) {
  snprintf(out, n, "%s/%s.csv", dir, name);
  FILE *f = fopen(out, "w");
  cr_assert(f);
  for (long r = 0; r < rows; r++) {
    for (long k = 0; k < cols; k++) {
      fputs(k ? ",0" : "0", f);
    }
    fputc('\n', f);
  }
  cr_assert_eq(fclose(f), 0);
}

/* Is path a model of attention columns (own or stacked areas)? */
static int attention_model(const char *path, long dims[4]) {
  lam_err err = {0};
  lam_model *m = lam_model_new();
  cr_assert(m);
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim_params *p = NULL;
  cr_assert_eq(lam_params_from_model(m, &p, &err), LAM_OK, "%s: %s", path, err.msg);
  lam_model_free(m);
  /* Stacked areas: the weight files set on the command line reach every
   * area, so the areas share these sizes (else the knockout fails loudly). */
  const lam_network_params *n = p->has_areas ? &p->area[0].network : &p->network;
  const int att = p->has_areas || p->column.kind == LAM_KIND_ATTENTION;
  dims[0] = n->d_in;
  dims[1] = n->heads;
  dims[2] = n->d_k;
  dims[3] = n->d_v;
  lam_sim_params_free(p);
  return att;
}

static int rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

Test(models_alive, every_population_of_every_attention_model, .timeout = 600) {
  char models[1024], tmp[] = "/tmp/lam_aliveXXXXXX";
  snprintf(models, sizeof models, "%s/models", root());
  cr_assert(mkdtemp(tmp));
  struct dirent **names = NULL;
  const int nf = scandir(models, &names, NULL, alphasort);
  cr_assert_gt(nf, 0, "%s: no models", models);
  size_t tested = 0;
  for (int f = 0; f < nf; f++) {
    const char *fn = names[f]->d_name;
    const size_t l = strlen(fn);
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", models, fn);
    long dims[4];
    if (l < 5 || strcmp(fn + l - 4, ".ini") || !attention_model(path, dims)) {
      continue;
    }
    tested++;
    size_t nm = 0, nk = 0;
    double *base = run_model(path, NULL, 0, 1, &nm);
    /* Knock out each population's output once per distinct setting. */
    lam_err err = {0};
    lam_sim *sim = NULL;
    lam_model *m = lam_model_new();
    lam_sim_params *p = NULL;
    cr_assert_eq(lam_model_load(m, path, &err), LAM_OK);
    cr_assert_eq(lam_params_from_model(m, &p, &err), LAM_OK);
    cr_assert_eq(lam_sim_new(p, &sim, &err), LAM_OK, "%s", err.msg);
    lam_model_free(m);
    lam_sim_params_free(p);
    const lam_system *sys = lam_sim_system(sim);
    for (size_t q = 0; q < sys->npops; q++) {
      const knock *k = knock_of(sys->pops[q].name);
      if (!k->set[0] || (q && knock_of(sys->pops[q - 1].name) == k)) {
        continue; /* measured, or the same knockout as the previous one */
      }
      char set[2200], file[2100];
      const char *s = k->set[0];
      if (s[0] == '@') {
        const long cols = dims[1] * (s[2] == 'v' ? dims[3] : dims[2]);
        zero_csv(tmp, s + 1, dims[0], cols, file, sizeof file);
        snprintf(set, sizeof set, "weights.%s=%s", s + 1, file);
        s = set;
      }
      double *ko = run_model(path, &s, 1, 0, &nk);
      cr_assert_eq(nk, nm);
      const double ch = rel_change(base, ko, nm);
      cr_assert_gt(ch, 0.01,
                   "%s: removing %s (%s) changes the attention weights and "
                   "routed output by only %.3g %%",
                   fn, sys->pops[q].name, s, 100.0 * ch);
      free(ko);
    }
    lam_sim_free(sim);
    free(base);
  }
  for (int f = 0; f < nf; f++) {
    free(names[f]);
  }
  free(names);
  nftw(tmp, rm, 16, FTW_DEPTH | FTW_PHYS);
  cr_assert_geq(tested, 2, "fewer than two attention models in %s", models);
}
