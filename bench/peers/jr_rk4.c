/* jr_rk4.c: the limit for the Jansen-Rit benchmark: a hand-written
 * fixed-step classic RK4 (dt = 0.1 ms) with no solver machinery at all.
 * Same equations as circuits/lam_jansen_rit.c (Jansen & Rit 1995,
 * docs/neural-masses.md), sparse (CSR) coupling, standard parameters.
 *
 *   jr_rk4 W.csv Y0.csv T_END DT_RECORD OUT.bin [DT] [K] [P]
 *
 * Writes v = y1 - y2 (samples x N, float64, samples at 0, DT_RECORD, ...)
 * to OUT.bin and one JSON line with the rhs count and the solve time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NS = 6 };
static const double A = 3.25, B = 22, a = 100, b = 50, C = 135, e0 = 2.5,
                    v0 = 6, r = 0.56;

typedef struct {
  size_t n, *rowptr, *col;
  double *val, *s, k, p;
} net;

static double sig(double v) { return 2.0 * e0 / (1.0 + exp(r * (v0 - v))); }

static void rhs(net *nt, const double *y, double *dy) {
  const size_t N = nt->n;
  const double C1 = C, C2 = 0.8 * C, C3 = 0.25 * C, C4 = 0.25 * C;
  for (size_t j = 0; j < N; j++) {
    nt->s[j] = sig(y[j * NS + 1] - y[j * NS + 2]);
  }
  for (size_t i = 0; i < N; i++) {
    double acc = 0.0;
    for (size_t q = nt->rowptr[i]; q < nt->rowptr[i + 1]; q++) {
      acc += nt->val[q] * nt->s[nt->col[q]];
    }
    const double *yi = y + i * NS;
    double *d = dy + i * NS;
    const double pin = nt->p + nt->k * acc;
    d[0] = yi[3];
    d[1] = yi[4];
    d[2] = yi[5];
    d[3] = A * a * nt->s[i] - 2.0 * a * yi[3] - a * a * yi[0];
    d[4] = A * a * (pin + C2 * sig(C1 * yi[0])) - 2.0 * a * yi[4] - a * a * yi[1];
    d[5] = B * b * C4 * sig(C3 * yi[0]) - 2.0 * b * yi[5] - b * b * yi[2];
  }
}

/* Dense CSV of numbers, rows x cols found from the file. */
static double *read_csv(const char *path, size_t *rows, size_t *cols) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  size_t cap = 1024, n = 0, nr = 0, nc = 0, c = 0;
  double *d = malloc(cap * sizeof *d);
  char *line = NULL;
  size_t lcap = 0;
  while (getline(&line, &lcap, f) > 0) {
    if (line[0] == '#' || line[0] == '\n') {
      continue;
    }
    c = 0;
    for (char *p = line, *e; *p && *p != '\n'; p = e + (*e == ',')) {
      double v = strtod(p, &e);
      if (e == p) {
        fprintf(stderr, "%s: bad number\n", path);
        exit(2);
      }
      if (n == cap) {
        d = realloc(d, (cap *= 2) * sizeof *d);
      }
      d[n++] = v;
      c++;
    }
    nc = c;
    nr++;
  }
  free(line);
  fclose(f);
  *rows = nr;
  *cols = nc;
  return d;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: jr_rk4 W.csv Y0.csv T_END DT_RECORD OUT.bin [DT] [K] [P]\n");
    return 2;
  }
  size_t wr, wc, yr, yc;
  double *w = read_csv(argv[1], &wr, &wc);
  double *y0 = read_csv(argv[2], &yr, &yc);
  const double t_end = atof(argv[3]), dt_rec = atof(argv[4]);
  const double dt = argc > 6 ? atof(argv[6]) : 1e-4;
  net nt = {.n = wr, .k = argc > 7 ? atof(argv[7]) : 10.0,
            .p = argc > 8 ? atof(argv[8]) : 220.0};
  const size_t N = nt.n;
  if (wc != N || yr != NS || yc != N) {
    fprintf(stderr, "jr_rk4: shapes W %zux%zu, Y0 %zux%zu\n", wr, wc, yr, yc);
    return 2;
  }
  nt.rowptr = calloc(N + 1, sizeof *nt.rowptr);
  size_t nnz = 0;
  for (size_t q = 0; q < N * N; q++) {
    nnz += w[q] != 0.0;
  }
  nt.col = malloc((nnz + 1) * sizeof *nt.col);
  nt.val = malloc((nnz + 1) * sizeof *nt.val);
  nt.s = malloc(N * sizeof *nt.s);
  nnz = 0;
  for (size_t i = 0; i < N; i++) {
    for (size_t j = 0; j < N; j++) {
      if (w[i * N + j] != 0.0) {
        nt.col[nnz] = j;
        nt.val[nnz++] = w[i * N + j];
      }
    }
    nt.rowptr[i + 1] = nnz;
  }
  const size_t n = N * NS;
  double *y = malloc(n * sizeof *y), *k1 = malloc(n * sizeof *y),
         *k2 = malloc(n * sizeof *y), *k3 = malloc(n * sizeof *y),
         *k4 = malloc(n * sizeof *y), *tmp = malloc(n * sizeof *y);
  for (size_t i = 0; i < N; i++) {
    for (size_t q = 0; q < NS; q++) {
      y[i * NS + q] = y0[q * N + i];
    }
  }
  const long per = lround(dt_rec / dt), nsamp = lround(t_end / dt_rec) + 1;
  double *out = malloc((size_t)nsamp * N * sizeof *out);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long nfev = 0;
  for (long s = 0; s < nsamp; s++) {
    if (s > 0) {
      for (long st = 0; st < per; st++) {
        rhs(&nt, y, k1);
        for (size_t q = 0; q < n; q++) tmp[q] = y[q] + 0.5 * dt * k1[q];
        rhs(&nt, tmp, k2);
        for (size_t q = 0; q < n; q++) tmp[q] = y[q] + 0.5 * dt * k2[q];
        rhs(&nt, tmp, k3);
        for (size_t q = 0; q < n; q++) tmp[q] = y[q] + dt * k3[q];
        rhs(&nt, tmp, k4);
        for (size_t q = 0; q < n; q++)
          y[q] += dt / 6.0 * (k1[q] + 2.0 * k2[q] + 2.0 * k3[q] + k4[q]);
        nfev += 4;
      }
    }
    for (size_t i = 0; i < N; i++) {
      out[(size_t)s * N + i] = y[i * NS + 1] - y[i * NS + 2];
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  FILE *f = fopen(argv[5], "wb");
  if (!f || fwrite(out, sizeof *out, (size_t)nsamp * N, f) != (size_t)nsamp * N) {
    perror(argv[5]);
    return 1;
  }
  fclose(f);
  printf("{\"nfev\": %ld, \"solve_s\": %.6f, \"samples\": %ld, \"columns\": %zu}\n",
         nfev, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
         nsamp, N);
  return 0;
}
