/* test_recorder.c: the HDF5 and CSV recorders against a toy system whose
 * observables are closed-form functions of t and the state, read back with
 * the HDF5 C API and a plain line parser (not with the recorder itself).
 *
 * Toy system: population "a" (2 columns x 3 units, mV) observes
 *   a[c][u](t, y) = (c + 1) sin(2 pi f t) + 0.25 u + y[0],
 * population "b" (1 x 1, 1/s) observes b(t, y) = y[1] exp(-t / tau).
 * The tests pass y = (t, 2), so every recorded number is known in advance.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <hdf5.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_recorder.h"

#define F_HZ 7.0
#define TAU_S 0.05
#define DT_S 1e-3
#define TWO_PI 6.283185307179586

static double val_a(double t, size_t c, size_t u) {
  return (double)(c + 1) * sin(TWO_PI * F_HZ * t) + 0.25 * (double)u + t;
}
static double val_b(double t) { return 2.0 * exp(-t / TAU_S); }

static void toy_observe(void *self, size_t pop, double t, const double *y,
                        double *out) {
  (void)self;
  if (pop == 0) {
    for (size_t c = 0; c < 2; c++) {
      for (size_t u = 0; u < 3; u++) {
        out[c * 3 + u] = (double)(c + 1) * sin(TWO_PI * F_HZ * t) +
                         0.25 * (double)u + y[0];
      }
    }
  } else {
    out[0] = y[1] * exp(-t / TAU_S);
  }
}

static int toy_rhs(void *self, double t, const double *y, double *dydt) {
  (void)self;
  (void)t;
  (void)y;
  dydt[0] = 1.0;
  dydt[1] = 0.0;
  return 0;
}

static const lam_system_ops toy_ops = {.rhs = toy_rhs, .observe = toy_observe};
static const lam_pop_info toy_pops[2] = {
    {.name = "a", .unit = "mV", .ncols = 2, .nunits = 3, .layer = "L4",
     .doc = "sine plus ramp"},
    {.name = "b", .unit = "1/s", .ncols = 1, .nunits = 1, .layer = "",
     .doc = "decay"},
};

static lam_system toy(void) {
  lam_system s = {.ops = &toy_ops, .n = 2, .npops = 2, .pops = toy_pops,
                  .kind = "toy"};
  return s;
}

/* ---- fixtures ------------------------------------------------------------- */

static char dir[64];

static void mkdir_tmp(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_rec_XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void) {
  DIR *d = opendir(dir);
  if (!d) {
    return;
  }
  struct dirent *e;
  char p[512];
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
  }
  closedir(d);
  rmdir(dir);
}

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* Record n samples t_i = i DT_S with y = (t, 2). */
static void record(lam_recorder *rec, size_t n) {
  lam_err err = {0};
  for (size_t i = 0; i < n; i++) {
    double t = (double)i * DT_S;
    double y[2] = {t, 2.0};
    cr_assert_eq(lam_recorder_sample(rec, t, y, &err), LAM_OK, "%s", err.msg);
  }
}

/* ---- HDF5 readers (plain HDF5 API) --------------------------------------- */

static int ds_rank_dims(hid_t f, const char *name, hsize_t *dims,
                        hsize_t *maxd) {
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  cr_assert(ds >= 0, "dataset %s missing", name);
  hid_t sp = H5Dget_space(ds);
  int r = H5Sget_simple_extent_dims(sp, dims, maxd);
  H5Sclose(sp);
  H5Dclose(ds);
  return r;
}

static double *ds_read(hid_t f, const char *name, size_t n) {
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  cr_assert(ds >= 0, "dataset %s missing", name);
  double *v = malloc(n * sizeof *v);
  cr_assert(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  H5Dclose(ds);
  return v;
}

/* Text attribute of object path obj ("/" for the root), caller frees. */
static char *attr_text(hid_t f, const char *obj, const char *name) {
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0, "attribute %s of %s missing", name, obj);
  /* Read with the attribute's own string type (UTF-8, variable length):
   * HDF5 does not convert between character sets. */
  hid_t t = H5Aget_type(a);
  cr_assert(H5Tis_variable_str(t) > 0, "%s@%s is not a variable string", obj, name);
  char *s = NULL;
  cr_assert(H5Aread(a, t, &s) >= 0);
  char *copy = strdup(s);
  H5free_memory(s);
  H5Tclose(t);
  H5Aclose(a);
  return copy;
}

static double attr_real(hid_t f, const char *obj, const char *name) {
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0, "attribute %s of %s missing", name, obj);
  double v = NAN;
  cr_assert(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
  H5Aclose(a);
  return v;
}

static void assert_attr_text(hid_t f, const char *obj, const char *name,
                             const char *want) {
  char *s = attr_text(f, obj, name);
  cr_assert_str_eq(s, want, "%s@%s", obj, name);
  free(s);
}

/* ---- HDF5 ------------------------------------------------------------- */

#define N_SAMPLES 1001 /* not a multiple of the chunk: a partial last chunk */

Test(recorder, h5_round_trip, .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128], part[140];
  snprintf(path, sizeof path, "%s/run.h5", dir);
  snprintf(part, sizeof part, "%s.part", path);
  lam_err err = {0};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_str_eq(lam_recorder_path(rec), part);
  cr_assert(exists(part));
  const char *model = "[column]\ntau_l4 = 0.01 ; s\n";
  cr_assert_eq(lam_recorder_attr_text(rec, "model", model, &err), LAM_OK);
  cr_assert_eq(lam_recorder_attr_real(rec, "seed", 42.0, &err), LAM_OK);
  cr_assert_eq(lam_recorder_attr_real(rec, "seed", 43.0, &err), LAM_OK,
               "rewriting an attribute: %s", err.msg);
  record(rec, N_SAMPLES);
  for (size_t i = 0; i < N_SAMPLES; i++) {
    double row[4] = {(double)i, (double)i + 0.5, -(double)i, 1.0};
    cr_assert_eq(lam_recorder_series(rec, "lfp", "uV", row, 4, &err), LAM_OK,
                 "%s", err.msg);
  }
  double depth[16];
  for (size_t k = 0; k < 16; k++) {
    depth[k] = 100.0 * (double)k;
  }
  size_t ddims[1] = {16};
  cr_assert_eq(lam_recorder_dataset(rec, "/probe/depth_um", "um", depth, 1,
                                    ddims, &err),
               LAM_OK, "%s", err.msg);
  double w[6] = {1, 2, 3, 4, 5, 6};
  size_t wdims[2] = {2, 3};
  cr_assert_eq(lam_recorder_dataset(rec, "/weights/wq", "1", w, 2, wdims, &err),
               LAM_OK, "%s", err.msg);
  double tend = 1.5, yend[2] = {1.5, 2.0};
  cr_assert_eq(lam_recorder_final(rec, tend, yend, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert(exists(path), "complete close renames to PATH");
  cr_assert(!exists(part), "complete close leaves no PATH.part");

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  hsize_t dims[3], maxd[3];
  cr_assert_eq(ds_rank_dims(f, "/time", dims, maxd), 1);
  cr_assert_eq(dims[0], N_SAMPLES);
  cr_assert_eq(maxd[0], H5S_UNLIMITED);
  cr_assert_eq(ds_rank_dims(f, "/traces/a", dims, maxd), 3);
  cr_assert(dims[0] == N_SAMPLES && dims[1] == 2 && dims[2] == 3);
  cr_assert_eq(maxd[0], H5S_UNLIMITED);
  cr_assert_eq(ds_rank_dims(f, "/traces/b", dims, maxd), 3);
  cr_assert(dims[0] == N_SAMPLES && dims[1] == 1 && dims[2] == 1);

  /* Chunked along time, more than one sample per chunk. */
  hid_t ds = H5Dopen2(f, "/traces/a", H5P_DEFAULT);
  hid_t dcpl = H5Dget_create_plist(ds);
  cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
  hsize_t cd[3];
  cr_assert_eq(H5Pget_chunk(dcpl, 3, cd), 3);
  cr_assert(cd[0] > 1 && cd[1] == 2 && cd[2] == 3);
  H5Pclose(dcpl);
  H5Dclose(ds);

  double *t = ds_read(f, "/time", N_SAMPLES);
  double *a = ds_read(f, "/traces/a", N_SAMPLES * 6);
  double *b = ds_read(f, "/traces/b", N_SAMPLES);
  for (size_t i = 0; i < N_SAMPLES; i++) {
    double ti = (double)i * DT_S;
    cr_assert_float_eq(t[i], ti, 1e-15, "t[%zu]", i);
    for (size_t c = 0; c < 2; c++) {
      for (size_t u = 0; u < 3; u++) {
        cr_assert_float_eq(a[i * 6 + c * 3 + u], val_a(ti, c, u), 1e-12,
                           "a[%zu][%zu][%zu]", i, c, u);
      }
    }
    cr_assert_float_eq(b[i], val_b(ti), 1e-12, "b[%zu]", i);
  }
  free(t);
  free(a);
  free(b);

  cr_assert_eq(ds_rank_dims(f, "/final/a", dims, maxd), 2);
  cr_assert(dims[0] == 2 && dims[1] == 3);
  double *fa = ds_read(f, "/final/a", 6);
  for (size_t c = 0; c < 2; c++) {
    for (size_t u = 0; u < 3; u++) {
      cr_assert_float_eq(fa[c * 3 + u], val_a(tend, c, u), 1e-12);
    }
  }
  free(fa);
  double *fb = ds_read(f, "/final/b", 1);
  cr_assert_float_eq(fb[0], val_b(tend), 1e-12);
  free(fb);
  cr_assert_float_eq(attr_real(f, "/final/a", "t"), tend, 1e-15);

  cr_assert_eq(ds_rank_dims(f, "/lfp", dims, maxd), 2);
  cr_assert(dims[0] == N_SAMPLES && dims[1] == 4);
  double *lfp = ds_read(f, "/lfp", N_SAMPLES * 4);
  for (size_t i = 0; i < N_SAMPLES; i++) {
    cr_assert_float_eq(lfp[i * 4 + 1], (double)i + 0.5, 1e-12);
    cr_assert_float_eq(lfp[i * 4 + 2], -(double)i, 1e-12);
  }
  free(lfp);
  double *dd = ds_read(f, "/probe/depth_um", 16);
  cr_assert_float_eq(dd[15], 1500.0, 1e-12);
  free(dd);
  cr_assert_eq(ds_rank_dims(f, "/weights/wq", dims, maxd), 2);
  cr_assert(dims[0] == 2 && dims[1] == 3);

  assert_attr_text(f, "/time", "unit", "s");
  assert_attr_text(f, "/traces/a", "unit", "mV");
  assert_attr_text(f, "/traces/a", "layer", "L4");
  assert_attr_text(f, "/traces/b", "unit", "1/s");
  assert_attr_text(f, "/final/b", "unit", "1/s");
  assert_attr_text(f, "/lfp", "unit", "uV");
  assert_attr_text(f, "/probe/depth_um", "unit", "um");
  assert_attr_text(f, "/", "version", LAM_VERSION);
  assert_attr_text(f, "/", "kind", "toy");
  assert_attr_text(f, "/", "model", model);
  cr_assert_float_eq(attr_real(f, "/", "seed"), 43.0, 1e-15);
  cr_assert_float_eq(attr_real(f, "/", "complete"), 1.0, 1e-15);
  H5Fclose(f);
}

Test(recorder, h5_subset_and_incomplete, .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128], part[140];
  snprintf(path, sizeof path, "%s/stop.hdf5", dir);
  snprintf(part, sizeof part, "%s.part", path);
  int rec_only_b[2] = {0, 1};
  lam_err err = {0};
  lam_recorder *rec = lam_recorder_open(path, &sys, rec_only_b, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  record(rec, 300);
  double yend[2] = {0.3, 2.0};
  cr_assert_eq(lam_recorder_final(rec, 0.3, yend, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 0, &err), LAM_OK, "%s", err.msg);
  cr_assert(!exists(path), "an incomplete run never appears under PATH");
  cr_assert(exists(part));

  hid_t f = H5Fopen(part, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  cr_assert_float_eq(attr_real(f, "/", "complete"), 0.0, 1e-15);
  cr_assert_eq(H5Lexists(f, "/traces/a", H5P_DEFAULT), 0, "a was not recorded");
  hsize_t dims[3], maxd[3];
  ds_rank_dims(f, "/traces/b", dims, maxd);
  cr_assert_eq(dims[0], 300, "samples before the stop are kept");
  double *b = ds_read(f, "/traces/b", 300);
  cr_assert_float_eq(b[299], val_b(0.299), 1e-12);
  free(b);
  /* The final state covers every population, recorded or not. */
  cr_assert_gt(H5Lexists(f, "/final/a", H5P_DEFAULT), 0);
  H5Fclose(f);
}

Test(recorder, h5_errors, .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  lam_err err = {0};
  char path[160];

  snprintf(path, sizeof path, "%s/no/such/dir/run.h5", dir);
  cr_assert_null(lam_recorder_open(path, &sys, NULL, &err));
  cr_assert_eq(err.code, LAM_EIO);
  cr_assert_not_null(strstr(err.msg, "run.h5.part"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, "No such file"), "%s", err.msg);

  snprintf(path, sizeof path, "%s/run.txt", dir);
  lam_err_clear(&err);
  cr_assert_null(lam_recorder_open(path, &sys, NULL, &err));
  cr_assert_eq(err.code, LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "run.txt"), "%s", err.msg);
  cr_assert(!exists("run.txt.part"));

  lam_pop_info dup[2] = {toy_pops[0], toy_pops[0]};
  lam_system bad = toy();
  bad.pops = dup;
  snprintf(path, sizeof path, "%s/dup.h5", dir);
  cr_assert_null(lam_recorder_open(path, &bad, NULL, &err));
  cr_assert_eq(err.code, LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "'a'"), "%s", err.msg);

  snprintf(path, sizeof path, "%s/err.h5", dir);
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  double row[3] = {1, 2, 3};
  cr_assert_eq(lam_recorder_series(rec, "lfp", "uV", row, 3, &err), LAM_OK);
  cr_assert_eq(lam_recorder_series(rec, "lfp", "uV", row, 2, &err), LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "/lfp"), "%s", err.msg);
  size_t dims[1] = {3};
  cr_assert_eq(lam_recorder_dataset(rec, "/x/y", "1", row, 1, dims, &err), LAM_OK);
  cr_assert_eq(lam_recorder_dataset(rec, "/x/y", "1", row, 1, dims, &err), LAM_EIO);
  cr_assert_not_null(strstr(err.msg, "/x/y"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, "err.h5.part"), "%s", err.msg);
  cr_assert_eq(lam_recorder_dataset(rec, "/time", "s", row, 1, dims, &err),
               LAM_EIO, "the recorder's own datasets cannot be overwritten");
  cr_assert_eq(lam_recorder_dataset(rec, "/z", "1", row, 4, dims, &err),
               LAM_EINVAL);
  cr_assert_eq(lam_recorder_attr_text(rec, "", "x", &err), LAM_EINVAL);
  cr_assert_eq(lam_recorder_sample(rec, 0.0, NULL, &err), LAM_EINVAL);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert(exists(path));
  cr_assert_eq(lam_recorder_close(NULL, 1, &err), LAM_OK);
  cr_assert_null(lam_recorder_path(NULL));
}

/* Peak resident memory in kB (VmHWM), or -1. */
static long peak_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) {
    return -1;
  }
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) {
      break;
    }
  }
  fclose(f);
  return kb;
}

/* Memory must not grow with simulated time: 180k more samples (8 doubles
 * each, 11.5 MB if they were kept) may raise the peak by less than 3 MB
 * (HDF5's chunk index grows by a few bytes per 256 samples). */
Test(recorder, h5_memory_is_flat, .init = mkdir_tmp, .fini = rm_tmp,
     .timeout = 120) {
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer quarantines freed memory, so the peak resident size
   * measures its quarantine, not the recorder. The plain build checks it. */
  cr_skip_test("peak memory is not meaningful under AddressSanitizer");
#endif
  lam_system sys = toy();
  char path[128];
  snprintf(path, sizeof path, "%s/long.h5", dir);
  lam_err err = {0};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  record(rec, 20000);
  long before = peak_kb();
  cr_assert_gt(before, 0, "VmHWM not available");
  for (size_t i = 20000; i < 200000; i++) {
    double t = (double)i * DT_S;
    double y[2] = {t, 2.0};
    cr_assert_eq(lam_recorder_sample(rec, t, y, &err), LAM_OK, "%s", err.msg);
  }
  long after = peak_kb();
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_log_info("VmHWM %ld kB after 20k samples, %ld kB after 200k", before,
              after);
  cr_assert_lt(after - before, 3 * 1024, "peak grew by %ld kB", after - before);

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  hsize_t dims[3], maxd[3];
  ds_rank_dims(f, "/traces/a", dims, maxd);
  cr_assert_eq(dims[0], 200000);
  double *t = ds_read(f, "/time", 200000);
  cr_assert_float_eq(t[199999], 199999 * DT_S, 1e-9);
  free(t);
  H5Fclose(f);
}

/* Bytes malloc has handed out and not had back (heap plus mmapped blocks). */
static size_t heap_in_use(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

/* Nothing held per chunk written: from 100 to 1000 chunks of 256 samples per
 * dataset (/time, /traces/a, /traces/b), the heap in use may grow by at most
 * 32 bytes per new chunk and dataset, four times the 8-byte file address a
 * chunk index must keep. The 1.8-format v1 B-tree index (17.7 kB per node of
 * at most 64 chunks, all kept in the metadata cache) and HDF5's default chunk
 * cache (up to 1 MB of dirty chunk copies per dataset) grew ~2.6 MB here. */
Test(recorder, h5_heap_is_flat, .init = mkdir_tmp, .fini = rm_tmp,
     .timeout = 120) {
#if defined(__SANITIZE_ADDRESS__)
  cr_skip_test("AddressSanitizer replaces malloc: mallinfo2 does not see it");
#endif
  enum { CHUNK = 256, N1 = 100 * CHUNK, N2 = 1000 * CHUNK, NDS = 3 };
  lam_system sys = toy();
  char path[128];
  snprintf(path, sizeof path, "%s/heap.h5", dir);
  lam_err err = {0};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  record(rec, N1);
  size_t before = heap_in_use();
  for (size_t i = N1; i < N2; i++) {
    double t = (double)i * DT_S;
    double y[2] = {t, 2.0};
    cr_assert_eq(lam_recorder_sample(rec, t, y, &err), LAM_OK, "%s", err.msg);
  }
  size_t after = heap_in_use();
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  long grew = (long)after - (long)before;
  long bound = 32L * NDS * (N2 - N1) / CHUNK;
  cr_log_info("heap in use %zu B after %d samples, %zu B after %d: %+ld B "
              "(bound %ld B)", before, N1, after, N2, grew, bound);
  cr_assert_lt(grew, bound, "the heap grew by %ld B from %d to %d samples",
               grew, N1, N2);

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  hsize_t dims[3], maxd[3];
  ds_rank_dims(f, "/traces/a", dims, maxd);
  cr_assert_eq(dims[0], N2);
  double *a = ds_read(f, "/traces/a", (size_t)N2 * 6);
  double tl = (N2 - 1) * DT_S;
  cr_assert_float_eq(a[(size_t)(N2 - 1) * 6 + 5], val_a(tl, 1, 2), 1e-9);
  free(a);
  H5Fclose(f);
}

/* ---- CSV ----------------------------------------------------------------- */

static char *slurp(const char *p) {
  FILE *f = fopen(p, "r");
  cr_assert_not_null(f, "%s", p);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *s = malloc((size_t)n + 1);
  cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

Test(recorder, csv_round_trip, .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128], part[140];
  snprintf(path, sizeof path, "%s/run.csv", dir);
  snprintf(part, sizeof part, "%s.part", path);
  lam_err err = {0};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_eq(lam_recorder_attr_text(rec, "model_hash", "0123abcd", &err), LAM_OK);
  cr_assert_eq(lam_recorder_attr_text(rec, "model", "[a]\nx = 1\n", &err), LAM_OK);
  const size_t n = 300;
  record(rec, n);
  /* HDF5-only calls and late attributes are accepted and dropped. */
  double row[2] = {1, 2};
  size_t dims[1] = {2};
  cr_assert_eq(lam_recorder_series(rec, "lfp", "uV", row, 2, &err), LAM_OK);
  cr_assert_eq(lam_recorder_dataset(rec, "/w", "1", row, 1, dims, &err), LAM_OK);
  cr_assert_eq(lam_recorder_attr_real(rec, "late", 1.0, &err), LAM_OK);
  double yend[2] = {1, 2};
  cr_assert_eq(lam_recorder_final(rec, 1.0, yend, &err), LAM_OK);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert(exists(path));
  cr_assert(!exists(part));

  char *text = slurp(path);
  char *save = NULL;
  size_t rows = 0, comments = 0;
  int header = 0, complete = -1, saw_hash = 0, saw_model_line = 0;
  char want_version[64];
  snprintf(want_version, sizeof want_version, "# laminar %s", LAM_VERSION);
  for (char *line = strtok_r(text, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#') {
      if (comments++ == 0) {
        cr_assert_str_eq(line, want_version);
      }
      saw_hash |= strcmp(line, "# model_hash: 0123abcd") == 0;
      saw_model_line |= strcmp(line, "#   x = 1") == 0;
      cr_assert_null(strstr(line, "late"), "attributes after the header are dropped");
      sscanf(line, "# complete: %d", &complete);
      continue;
    }
    if (!header) {
      cr_assert_str_eq(line, "time,a_c0_u0,a_c0_u1,a_c0_u2,a_c1_u0,a_c1_u1,"
                             "a_c1_u2,b_c0_u0");
      header = 1;
      continue;
    }
    double v[8];
    int k = sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]);
    cr_assert_eq(k, 8, "row %zu: '%s'", rows, line);
    double ti = (double)rows * DT_S;
    /* %.10g: 10 significant digits, relative error below 5e-10. */
    cr_assert_float_eq(v[0], ti, 1e-12 + 5e-10 * ti);
    for (size_t c = 0; c < 2; c++) {
      for (size_t u = 0; u < 3; u++) {
        double want = val_a(ti, c, u);
        cr_assert_float_eq(v[1 + c * 3 + u], want, 1e-300 + 5e-10 * fabs(want),
                           "row %zu a[%zu][%zu]", rows, c, u);
      }
    }
    cr_assert_float_eq(v[7], val_b(ti), 5e-10 * val_b(ti));
    rows++;
  }
  free(text);
  cr_assert(header);
  cr_assert_eq(rows, n);
  cr_assert(saw_hash && saw_model_line);
  cr_assert_eq(complete, 1);
}

Test(recorder, csv_incomplete_and_empty, .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128], part[140];
  snprintf(path, sizeof path, "%s/stop.csv", dir);
  snprintf(part, sizeof part, "%s.part", path);
  int only_a[2] = {1, 0};
  lam_err err = {0};
  lam_recorder *rec = lam_recorder_open(path, &sys, only_a, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  record(rec, 10);
  cr_assert_eq(lam_recorder_close(rec, 0, &err), LAM_OK, "%s", err.msg);
  cr_assert(!exists(path));
  char *text = slurp(part);
  cr_assert_not_null(strstr(text, "\ntime,a_c0_u0,a_c0_u1,a_c0_u2,a_c1_u0,a_c1_u1,a_c1_u2\n"),
                     "%s", text);
  cr_assert_null(strstr(text, "b_c0_u0"));
  cr_assert_not_null(strstr(text, "# complete: 0\n"));
  free(text);

  /* No samples at all: still a header row, so readers find the columns. */
  snprintf(path, sizeof path, "%s/empty.csv", dir);
  rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  text = slurp(path);
  cr_assert_not_null(strstr(text, "\ntime,a_c0_u0,"), "%s", text);
  free(text);

  snprintf(path, sizeof path, "%s/missing/x.csv", dir);
  cr_assert_null(lam_recorder_open(path, &sys, NULL, &err));
  cr_assert_eq(err.code, LAM_EIO);
  cr_assert_not_null(strstr(err.msg, "missing/x.csv.part"), "%s", err.msg);
}
