/* lam_h5_craft.h: run files made by hand with the HDF5 C API, for the tests
 * of the run-file reader (tests/io/test_runfile.c) and of the commands that
 * read runs (tests/cli/test_runfile_cli.c): a small valid run in the layout
 * of io/lam_h5.c, and the pieces to break it (huge chunked datasets that take
 * a few kB on disk, wrong ranks and types, odd attributes).
 * Include after <criterion/criterion.h>. */
#ifndef LAM_H5_CRAFT_H
#define LAM_H5_CRAFT_H

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRAFT_N 400       /* samples of the valid run, 1 kHz */
#define CRAFT_PI 3.141592653589793

/* A new file in the 1.10 format, as the recorder writes. */
static inline hid_t craft_new(const char *path) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  cr_assert(f >= 0, "H5Fcreate %s", path);
  return f;
}

static inline hid_t craft_rw(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  cr_assert(f >= 0, "H5Fopen %s", path);
  return f;
}

/* Dataset name (intermediate groups made) of type and dims; chunked with
 * unlimited dimensions when chunk is given (no chunk is written: a huge
 * dataset stays a few kB), else contiguous. Returns it open. */
static inline hid_t craft_ds(hid_t f, const char *name, hid_t type, int rank,
                             const hsize_t *dims, const hsize_t *chunk) {
  hsize_t maxd[8];
  for (int i = 0; i < rank; i++) {
    maxd[i] = chunk ? H5S_UNLIMITED : dims[i];
  }
  hid_t sp = H5Screate_simple(rank, dims, maxd);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (chunk) {
    H5Pset_chunk(dcpl, rank, chunk);
  }
  hid_t d = H5Dcreate2(f, name, type, sp, lcpl, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Pclose(lcpl);
  H5Sclose(sp);
  cr_assert(d >= 0, "H5Dcreate2 %s", name);
  return d;
}

/* A contiguous float64 dataset holding v. */
static inline void craft_doubles(hid_t f, const char *name, int rank,
                                 const hsize_t *dims, const double *v) {
  hid_t d = craft_ds(f, name, H5T_IEEE_F64LE, rank, dims, NULL);
  cr_assert(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  H5Dclose(d);
}

static inline void craft_attr_int(hid_t obj, const char *name, long long v) {
  if (H5Aexists(obj, name) > 0) {
    H5Adelete(obj, name);
  }
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0 && H5Awrite(a, H5T_NATIVE_LLONG, &v) >= 0);
  H5Aclose(a);
  H5Sclose(sp);
}

/* n values (n == 0: a scalar) of a float64 attribute, all equal to v. */
static inline void craft_attr_reals(hid_t obj, const char *name, size_t n,
                                    double v) {
  if (H5Aexists(obj, name) > 0) {
    H5Adelete(obj, name);
  }
  hsize_t dn = n;
  hid_t sp = n ? H5Screate_simple(1, &dn, NULL) : H5Screate(H5S_SCALAR);
  double *x = malloc((n ? n : 1) * sizeof *x);
  for (size_t i = 0; i < (n ? n : 1); i++) {
    x[i] = v;
  }
  hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, x) >= 0);
  H5Aclose(a);
  H5Sclose(sp);
  free(x);
}

/* n copies (n == 0: a scalar) of a variable-length UTF-8 text attribute. */
static inline void craft_attr_texts(hid_t obj, const char *name, size_t n,
                                    const char *v) {
  if (H5Aexists(obj, name) > 0) {
    H5Adelete(obj, name);
  }
  hsize_t dn = n;
  hid_t sp = n ? H5Screate_simple(1, &dn, NULL) : H5Screate(H5S_SCALAR);
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  const char **x = malloc((n ? n : 1) * sizeof *x);
  for (size_t i = 0; i < (n ? n : 1); i++) {
    x[i] = v;
  }
  hid_t a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0 && H5Awrite(a, t, x) >= 0);
  H5Aclose(a);
  H5Tclose(t);
  H5Sclose(sp);
  free(x);
}

static inline void craft_attr_text(hid_t obj, const char *name, const char *v) {
  craft_attr_texts(obj, name, 0, v);
}

/* A population /traces/<pop> of CRAFT_N x ncols x 2 units whose every unit
 * is mean + amp sin(2 pi f t). */
static inline void craft_pop(hid_t f, const char *pop, const char *layer,
                             size_t ncols, double mean, double amp, double fhz) {
  char name[160];
  snprintf(name, sizeof name, "/traces/%s", pop);
  hsize_t dims[3] = {CRAFT_N, ncols, 2};
  double *v = malloc(CRAFT_N * ncols * 2 * sizeof *v);
  for (size_t i = 0; i < CRAFT_N; i++) {
    for (size_t k = 0; k < ncols * 2; k++) {
      v[i * ncols * 2 + k] = mean + amp * sin(2.0 * CRAFT_PI * fhz * (double)i * 1e-3);
    }
  }
  craft_doubles(f, name, 3, dims, v);
  free(v);
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  craft_attr_text(d, "unit", "mV");
  if (layer) {
    craft_attr_text(d, "layer", layer);
  }
  H5Dclose(d);
}

/* A small valid run at path: /time (CRAFT_N samples at 1 kHz), /traces/l23
 * (L2/3, 1 + 2 sin(2 pi 40 t)) and /traces/l5b (L5, 3 + sin(2 pi 10 t)) of
 * ncols columns x 2 units; root attributes kind and complete (complete < 0:
 * none). */
static inline void craft_run(const char *path, size_t ncols, int complete) {
  hid_t f = craft_new(path);
  double t[CRAFT_N];
  for (size_t i = 0; i < CRAFT_N; i++) {
    t[i] = (double)i * 1e-3;
  }
  hsize_t nt = CRAFT_N;
  craft_doubles(f, "/time", 1, &nt, t);
  craft_pop(f, "l23", "L2/3", ncols, 1.0, 2.0, 40.0);
  craft_pop(f, "l5b", "L5", ncols, 3.0, 1.0, 10.0);
  craft_attr_text(f, "kind", "crafted");
  if (complete >= 0) {
    craft_attr_int(f, "complete", complete);
  }
  H5Fclose(f);
}

/* Replace dataset name of the run at path by an empty chunked one of type,
 * rank and dims (layer attribute kept when given). */
static inline void craft_replace(const char *path, const char *name, hid_t type,
                                 int rank, const hsize_t *dims,
                                 const hsize_t *chunk, const char *layer) {
  hid_t f = craft_rw(path);
  if (H5Lexists(f, name, H5P_DEFAULT) > 0) {
    H5Ldelete(f, name, H5P_DEFAULT);
  }
  hid_t d = craft_ds(f, name, type, rank, dims, chunk);
  if (layer) {
    craft_attr_text(d, "layer", layer);
  }
  H5Dclose(d);
  H5Fclose(f);
}

/* Break the first object of the first global heap collection of the file
 * at path (where its text attributes live): its size becomes size (0: it
 * also becomes free space, index 0); index, when not 0, becomes its index.
 * Returns the collection's offset. */
static inline size_t craft_heap_object(const char *path, unsigned long long size,
                                       unsigned index) {
  FILE *fp = fopen(path, "r+b");
  cr_assert(fp, "%s", path);
  static unsigned char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, fp);
  size_t o = 0;
  while (o + 4 <= n && memcmp(buf + o, "GCOL", 4)) {
    o++;
  }
  cr_assert(o + 48 <= n, "no global heap collection in %s", path);
  /* Collection header 16 bytes; object: index, refs, reserved, size (8). */
  for (int i = 0; i < 8; i++) {
    buf[o + 16 + 8 + i] = (unsigned char)(size >> (8 * i));
  }
  if (size == 0) {
    buf[o + 16] = buf[o + 17] = 0; /* object 0: free space of size 0 */
  }
  if (index) {
    buf[o + 16] = (unsigned char)index;
    buf[o + 17] = (unsigned char)(index >> 8);
  }
  cr_assert_eq(fseek(fp, (long)(o + 16), SEEK_SET), 0);
  cr_assert_eq(fwrite(buf + o + 16, 1, 16, fp), 16);
  fclose(fp);
  return o;
}

static inline size_t craft_break_heap(const char *path, unsigned long long size) {
  return craft_heap_object(path, size, 0);
}

#endif
