/* lam_rec_toy.h: what the recorder fault and label tests share: a toy
 * system wide enough to fill a disk quickly (population "a": 8 columns x 64
 * units, 4 kB per sample; "b": 1 x 1), a temporary folder per test, and
 * small readers that look at the files from outside the recorder. */
#ifndef LAM_REC_TOY_H
#define LAM_REC_TOY_H

#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_recorder.h"

#define TOY_COLS 8
#define TOY_UNITS 64

static inline void toy_observe(void *self, size_t pop, double t, const double *y,
                        double *out) {
  (void)self;
  if (pop == 0) {
    for (size_t k = 0; k < TOY_COLS * TOY_UNITS; k++) {
      out[k] = t + (double)k + y[0];
    }
  } else {
    out[0] = 2.0 * t;
  }
}

static inline int toy_rhs(void *self, double t, const double *y, double *dydt) {
  (void)self;
  (void)t;
  (void)y;
  dydt[0] = 0.0;
  return 0;
}

static inline const char *toy_unit_axis(void *self, size_t pop) {
  (void)self;
  return pop == 0 ? "head x d_k (unit = head * d_k + k)" : NULL;
}

static const lam_system_ops toy_ops = {
    .rhs = toy_rhs, .observe = toy_observe, .unit_axis = toy_unit_axis};
static const lam_pop_info toy_pops[2] = {
    {.name = "a", .unit = "mV", .ncols = TOY_COLS, .nunits = TOY_UNITS,
     .layer = "L4", .doc = "wide"},
    {.name = "b", .unit = "1/s", .ncols = 1, .nunits = 1, .layer = "",
     .doc = "narrow"},
};

static inline lam_system toy(void) {
  lam_system s = {.ops = &toy_ops, .n = 1, .npops = 2, .pops = toy_pops,
                  .kind = "toy"};
  return s;
}

static char dir[64];

static inline void mkdir_tmp(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_recf_XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

/* Remove dir and everything in it. */
static inline void rm_tree(const char *d) {
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
  if (system(cmd) != 0) {
    fprintf(stderr, "cannot remove %s\n", d);
  }
}

static inline void rm_tmp(void) { rm_tree(dir); }

static inline int exists(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

/* Whole file as text (caller frees), NULL if unreadable. */
static inline char *slurp(const char *p) {
  FILE *f = fopen(p, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap);
  size_t k;
  while ((k = fread(b + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 2) {
      cap *= 2;
      b = realloc(b, cap);
    }
  }
  b[n] = '\0';
  fclose(f);
  return b;
}

static inline void put_text(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f, "%s", p);
  fputs(text, f);
  fclose(f);
}

/* The root attribute complete of an HDF5 file, or -1 if the file or the
 * attribute cannot be read. */
static inline int h5_complete(const char *p) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    return -1;
  }
  int v = -1;
  hid_t a = H5Aopen(f, "complete", H5P_DEFAULT);
  if (a < 0 || H5Aread(a, H5T_NATIVE_INT, &v) < 0) {
    v = -1;
  }
  if (a >= 0) {
    H5Aclose(a);
  }
  H5Fclose(f);
  return v;
}

/* Record n samples. Returns the first error code (err filled). */
static inline int record_n(lam_recorder *rec, size_t n, lam_err *err) {
  for (size_t i = 0; i < n; i++) {
    double t = 1e-3 * (double)i, y[1] = {0.5};
    int rc = lam_recorder_sample(rec, t, y, err);
    if (rc) {
      return rc;
    }
  }
  return LAM_OK;
}

#endif
