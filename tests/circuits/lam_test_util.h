/* lam_test_util.h: helpers shared by the circuit tests: temporary folders,
 * writing CSV fixtures, an independent RNG, reading HDF5 datasets. */
#ifndef LAM_TEST_UTIL_H
#define LAM_TEST_UTIL_H

#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* splitmix64: an RNG independent of the library's GSL streams. */
static inline double tu_uniform(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static inline double tu_gauss(uint64_t *s) {
  double u = tu_uniform(s), v = tu_uniform(s);
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* path and everything under it (lstat: a link is removed, not followed). */
static inline void tu_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
        char sub[4096];
        int k = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (k > 0 && (size_t)k < sizeof sub) {
          tu_rmtree(sub);
        }
      }
    }
    if (d) {
      closedir(d);
    }
  }
  remove(path);
}

/* The folders tu_tmpdir made in this process (a test runs in its own). */
static char tu_dirs[16][64];
static size_t tu_ndirs;

static inline void tu_cleanup(void) {
  for (size_t i = 0; i < tu_ndirs; i++) {
    tu_rmtree(tu_dirs[i]);
  }
  tu_ndirs = 0;
}

/* A new folder /tmp/lamtestXXXXXX, removed with its contents when the
 * process exits. The name is in a static buffer: copy it to keep two. */
static inline char *tu_tmpdir(void) {
  static char buf[64];
  snprintf(buf, sizeof buf, "/tmp/lamtestXXXXXX");
  if (!mkdtemp(buf)) {
    return NULL;
  }
  if (tu_ndirs == 0) {
    atexit(tu_cleanup);
  }
  if (tu_ndirs < sizeof tu_dirs / sizeof tu_dirs[0]) {
    snprintf(tu_dirs[tu_ndirs++], sizeof tu_dirs[0], "%s", buf);
  }
  return buf;
}

static inline void tu_write_csv(const char *path, const double *a, size_t rows,
                                size_t cols) {
  FILE *f = fopen(path, "w");
  for (size_t i = 0; i < rows; i++) {
    for (size_t j = 0; j < cols; j++) {
      fprintf(f, "%s%.17g", j ? "," : "", a[i * cols + j]);
    }
    fputc('\n', f);
  }
  fclose(f);
}

static inline void tu_write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

/* Read a whole double dataset; returns the number of values (0 on error). */
static inline size_t tu_h5_read(const char *file, const char *name,
                                double **out, hsize_t dims[3], int *rank) {
  *out = NULL;
  *rank = 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    return 0;
  }
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d < 0) {
    H5Fclose(f);
    return 0;
  }
  hid_t sp = H5Dget_space(d);
  *rank = H5Sget_simple_extent_ndims(sp);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  size_t n = 1;
  for (int i = 0; i < *rank; i++) {
    n *= dims[i];
  }
  *out = malloc(n * sizeof **out);
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out);
  H5Sclose(sp);
  H5Dclose(d);
  H5Fclose(f);
  return n;
}

#endif
