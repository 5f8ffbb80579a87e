/* bench_rhs: the cost of one right-hand-side evaluation of a model, at
 * given thread counts, without the solver around it.
 *
 *   build/bench/bench_rhs MODEL.ini [--threads 1,2] [--evals 500]
 *                         [--repeats 7] [--set section.key=value ...]
 *
 * The model is built as `laminar run` builds it; its state is moved from
 * the initial state by 200 small Euler steps (so that no population sits
 * at an exact zero), then held: each repeat times --evals evaluations at
 * that state (times moving by 10 us), and the best repeat is printed per
 * thread count, the counts alternating repeat by repeat so that a change in
 * the machine's load reaches all of them. Two builds are compared by
 * running both binaries in turn (docs/performance.md). OpenBLAS is set up
 * as `laminar` sets it up (cli/blas.c). A benchmark, not a
 * test: nothing is checked but that the evaluations succeed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lam_model.h"
#include "lam_sim.h"
#include "lam_system.h"
#include "lam_time.h"
#include "lam_params.h"

enum { MAX_COUNTS = 16, MAX_SETS = 64 };

static void usage(FILE *f) {
  fputs("usage: bench_rhs MODEL.ini [--threads 1,2] [--evals 500] "
        "[--repeats 7] [--set section.key=value ...]\n"
        "  the best time per right-hand-side evaluation (us) of the model, per\n"
        "  thread count ([solver] threads; 1 in a build without OpenMP)\n",
        f);
}

static int parse_counts(const char *s, int *c, int *n) {
  *n = 0;
  while (*s && *n < MAX_COUNTS) {
    char *end;
    const long v = strtol(s, &end, 10);
    if (end == s || v < 1 || v > 256 || (*end && *end != ',')) {
      return -1;
    }
    c[(*n)++] = (int)v;
    s = *end ? end + 1 : end;
  }
  return *n > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int counts[MAX_COUNTS] = {1, 2}, ncounts = 2;
  long evals = 500, repeats = 7;
  const char *sets[MAX_SETS];
  int nsets = 0;
  lam_err err = {0};
  lam_cli_blas_single_thread();
  lam_model *m = lam_model_new();
  if (!m) {
    fputs("bench_rhs: out of memory\n", stderr);
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--threads") && v) {
      if (parse_counts(v, counts, &ncounts)) {
        fprintf(stderr, "bench_rhs: --threads: expected counts 1-256 separated by commas, found '%s'\n", v);
        return 2;
      }
      i++;
    } else if ((!strcmp(a, "--evals") || !strcmp(a, "--repeats")) && v) {
      double x;
      if (lam_cli_number("bench_rhs", a, v, 1, 1e9, 1, &x)) {
        return 2;
      }
      *(!strcmp(a, "--evals") ? &evals : &repeats) = (long)x;
      i++;
    } else if (!strcmp(a, "--set") && v) {
      if (nsets == MAX_SETS) {
        fprintf(stderr, "bench_rhs: --set: at most %d assignments\n", MAX_SETS);
        return 2;
      }
      sets[nsets++] = v;
      i++;
    } else if (a[0] == '-' || path) {
      fprintf(stderr, "bench_rhs: unexpected argument '%s'\n", a);
      usage(stderr);
      return 2;
    } else {
      path = a;
    }
  }
  if (!path) {
    usage(stderr);
    return 2;
  }
  if (lam_model_load(m, path, &err)) {
    fprintf(stderr, "bench_rhs: %s\n", err.msg);
    return 1;
  }
  for (int k = 0; k < nsets; k++) {
    if (lam_model_set(m, sets[k], &err)) {
      fprintf(stderr, "bench_rhs: %s\n", err.msg);
      return 2;
    }
  }
  lam_sim *sim = NULL;
  if (lam_sim_from_model(m, &sim, &err)) {
    fprintf(stderr, "bench_rhs: %s\n", err.msg);
    return 1;
  }
  lam_system *s = lam_sim_system(sim);
  double *y = malloc(s->n * sizeof *y), *dy = malloc(s->n * sizeof *dy);
  double best[MAX_COUNTS];
  if (!y || !dy) {
    fputs("bench_rhs: out of memory\n", stderr);
    return 1;
  }
  memcpy(y, s->y0, s->n * sizeof *y);
  for (int i = 0; i < 200; i++) {
    if (s->ops->rhs(s->self, 1e-4 * i, y, dy)) {
      fputs("bench_rhs: the right-hand side failed\n", stderr);
      return 1;
    }
    for (size_t k = 0; k < s->n; k++) {
      y[k] += 1e-4 * dy[k];
    }
  }
  for (int c = 0; c < ncounts; c++) {
    best[c] = 1e300;
    if (counts[c] > 1 && !s->ops->set_threads) {
      fprintf(stderr, "bench_rhs: a %s model has no threads\n", s->kind);
      return 2;
    }
  }
  for (long r = 0; r < repeats; r++) {
    for (int c = 0; c < ncounts; c++) {
      if (s->ops->set_threads) {
        s->ops->set_threads(s->self, counts[c]);
      }
      const double t0 = lam_time_now();
      for (long i = 0; i < evals; i++) {
        s->ops->rhs(s->self, 0.02 + 1e-5 * (double)i, y, dy);
      }
      const double t = (lam_time_now() - t0) / (double)evals;
      best[c] = t < best[c] ? t : best[c];
    }
  }
  printf("%s: %s, n = %zu, best of %ld x %ld evaluations\n", path, s->kind,
         s->n, repeats, evals);
  for (int c = 0; c < ncounts; c++) {
    printf("  threads %d: %.2f us per evaluation\n", counts[c], best[c] * 1e6);
  }
  free(y), free(dy);
  lam_sim_free(sim);
  lam_model_free(m);
  return 0;
}
