/* test_blas.c: cli/blas.c leaves OpenBLAS with no worker threads.
 *
 * A threaded OpenBLAS starts its workers when it is loaded, before main,
 * and they spin for their first ~0.1 s (cli/blas.c). After
 * lam_cli_blas_single_thread the process must be down to its one thread,
 * and stay there through a product large enough that OpenBLAS would split
 * it, whose value is checked against the sum written out here.
 *
 * Not a Criterion test: Criterion forks each test, and OpenBLAS stops its
 * workers before every fork itself, so a test there could not fail. Run
 * with OPENBLAS_NUM_THREADS=2 (tests/cli/meson.build; the suite sets 1);
 * skipped (77) where OpenBLAS started no workers (one core) or where the
 * build has no threaded OpenBLAS. */
#include <cblas.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int threads(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d) {
    return -1;
  }
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    n += e->d_name[0] != '.';
  }
  closedir(d);
  return n;
}

int main(void) {
#ifndef LAM_OPENBLAS_SHUTDOWN
  puts("skip: not a threaded OpenBLAS build");
  return 77;
#else
  const int before = threads();
  if (before < 2) {
    printf("skip: %d thread(s) before, OpenBLAS started no workers\n", before);
    return 77;
  }
  lam_cli_blas_single_thread();
  const int after = threads();
  if (after != 1) {
    printf("FAIL: %d threads before, %d after lam_cli_blas_single_thread\n",
           before, after);
    return 1;
  }
  enum { N = 300 };
  double *a = malloc(N * N * sizeof *a), *b = malloc(N * N * sizeof *b),
         *c = malloc(N * N * sizeof *c);
  if (!a || !b || !c) {
    return 1;
  }
  for (int i = 0; i < N * N; i++) {
    a[i] = (double)(i % 7) - 3.0;
    b[i] = (double)(i % 5) - 2.0;
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0, a, N,
              b, N, 0.0, c, N);
  int bad = 0;
  for (int i = 0; i < N; i += 37) {
    for (int j = 0; j < N; j += 41) {
      double s = 0.0;
      for (int k = 0; k < N; k++) {
        s += a[i * N + k] * b[k * N + j];
      }
      bad += c[i * N + j] != s; /* small integers: exact in any order */
    }
  }
  const int end = threads();
  free(a), free(b), free(c);
  printf("threads: %d at start, %d after, %d after a %dx%d product; %d wrong\n",
         before, after, end, N, N, bad);
  return bad || end != 1;
#endif
}
