/* api_example.c: drive laminar from C (docs/api.md). Built and run by the
 * test suite, so it stays in step with the library.
 *
 *   api_example [MODEL.ini]
 *
 * 1. A model from numbers and arrays, no file: four attention columns, one
 *    head, the thalamic input and the projections given as arrays. It runs
 *    for 1 s while a callback keeps the routed output /out of column 0;
 *    the trace and the closed-form attention it converges to are printed
 *    (exit status 1 if they differ by 1e-6 or more).
 * 2. With MODEL.ini: the file read into the same typed parameters, column
 *    beta set as a field at three values, the mean routed output printed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_model.h"
#include "lam_params.h"
#include "lam_sim.h"
#include "lam_sim_params.h"

enum { T = 4, D = 2 }; /* columns; input, query, key and value size */

static int fail(const lam_err *err) {
  fprintf(stderr, "api_example: %s\n", err->msg);
  return 1;
}

/* What the run callback keeps: the population "out" at every sample. */
typedef struct trace {
  const lam_system *sys;
  size_t pop;
  double buf[T * D];
  double t[64], out0[64][D]; /* column 0 */
  size_t n;
} trace;

static int on_sample(void *ctx, double t, const double *y) {
  trace *tr = ctx;
  tr->sys->ops->observe(tr->sys->self, tr->pop, t, y, tr->buf);
  if (tr->n < 64) {
    tr->t[tr->n] = t;
    memcpy(tr->out0[tr->n++], tr->buf, D * sizeof(double));
  }
  return 0;
}

static int from_numbers(void) {
  lam_err err = {0};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  if (!p) {
    return fail(&err);
  }
  /* Every field not set here keeps its table default (`laminar keys`). */
  p->network.columns = T;
  p->network.heads = 1;
  p->network.d_in = p->network.d_k = p->network.d_v = D;
  p->solver.rtol = 1e-8;
  const double X[T * D] = {1.0, 0.0, 0.0, 1.0, 0.7, 0.7, -1.0, 0.2};
  const double I[D * D] = {1.0, 0.0, 0.0, 1.0}; /* W_Q = W_K = W_V = I */
  if (lam_sim_params_set_array(p, "input.x", T, D, X, &err) ||
      lam_sim_params_set_array(p, "weights.wq", D, D, I, &err) ||
      lam_sim_params_set_array(p, "weights.wk", D, D, I, &err) ||
      lam_sim_params_set_array(p, "weights.wv", D, D, I, &err)) {
    return fail(&err);
  }
  lam_sim *sim = NULL;
  if (lam_sim_new(p, &sim, &err)) {
    return fail(&err);
  }
  trace tr = {.sys = lam_sim_system(sim)};
  while (strcmp(tr.sys->pops[tr.pop].name, "out")) {
    tr.pop++;
  }
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = 1.0;
  o.dt_record = 0.1;
  o.on_sample = on_sample; /* called at every sample, t = 0 included */
  o.ctx = &tr;
  if (lam_sim_run(sim, &o, NULL, &err)) {
    return fail(&err);
  }
  /* Closed form for query 0: sum_j softmax_j(x_0 . x_j / sqrt(D)) x_j. */
  double w[T], z = 0.0, ref[D] = {0.0, 0.0};
  for (size_t j = 0; j < T; j++) {
    w[j] = exp((X[0] * X[2 * j] + X[1] * X[2 * j + 1]) / sqrt((double)D));
    z += w[j];
  }
  for (size_t j = 0; j < T; j++) {
    ref[0] += w[j] / z * X[2 * j];
    ref[1] += w[j] / z * X[2 * j + 1];
  }
  printf("t_s,out_0_0,out_0_1\n");
  for (size_t k = 0; k < tr.n; k++) {
    printf("%.1f,%.6f,%.6f\n", tr.t[k], tr.out0[k][0], tr.out0[k][1]);
  }
  printf("softmax attention: %.6f,%.6f\n", ref[0], ref[1]);
  const double *last = tr.out0[tr.n - 1];
  const double e = fmax(fabs(last[0] - ref[0]), fabs(last[1] - ref[1]));
  lam_sim_free(sim);
  lam_sim_params_free(p);
  if (!(e < 1e-6)) { /* the suite runs this example: it must hold */
    fprintf(stderr, "api_example: out differs from softmax attention by %g\n", e);
    return 1;
  }
  return 0;
}


static int from_file(const char *path) {
  lam_err err = {0};
  lam_model *m = lam_model_new();
  lam_sim_params *base = NULL;
  /* The file and its CSV inputs, checked with file:line:key messages. */
  if (!m || lam_model_load(m, path, &err) || lam_params_from_model(m, &base, &err)) {
    return fail(&err);
  }
  lam_model_free(m);
  printf("beta,mean_out\n");
  const double betas[] = {0.5, 1.0, 2.0};
  for (size_t i = 0; i < 3; i++) {
    lam_sim_params *p = lam_sim_params_copy(base, &err); /* one per point */
    lam_sim *sim = NULL;
    if (!p) {
      return fail(&err);
    }
    p->column.beta = betas[i];
    p->run.t_end = 0.5;
    if (lam_sim_new(p, &sim, &err)) {
      return fail(&err);
    }
    lam_run_opts o = lam_run_defaults(sim);
    if (lam_sim_run(sim, &o, NULL, &err)) {
      return fail(&err);
    }
    const lam_system *s = lam_sim_system(sim);
    size_t pop = 0;
    while (strcmp(s->pops[pop].name, "out")) {
      pop++;
    }
    size_t n = s->pops[pop].ncols * s->pops[pop].nunits;
    double *out = malloc(n * sizeof *out), mean = 0.0;
    s->ops->observe(s->self, pop, o.t_end, lam_sim_state(sim), out);
    for (size_t k = 0; k < n; k++) {
      mean += out[k] / (double)n;
    }
    printf("%g,%.6g\n", betas[i], mean);
    free(out);
    lam_sim_free(sim);
    lam_sim_params_free(p);
  }
  lam_sim_params_free(base);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: api_example [MODEL.ini]\n");
    return 2;
  }
  int rc = from_numbers();
  return rc ? rc : argc == 2 ? from_file(argv[1]) : 0;
}
