/* test_rerun.c: `--from` reading of run files (io/lam_rerun.c) against
 * hand-made HDF5 files, good and hostile: the written-back inputs hold the
 * stored doubles bit for bit and the model keys point at them; every bad
 * file (missing or mistyped attributes, wrong rank, dimensions whose product
 * overflows, a changed input without a stored copy) is an error naming the
 * file and the attribute or dataset, never a crash or a silent model. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_csv.h"
#include "lam_hash.h"
#include "lam_param.h"
#include "lam_rerun.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_rerunXXXXXX");
  cr_assert(mkdtemp(dir));
  setenv("TMPDIR", dir, 1); /* the private folders go here, checked below */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_expect_eq(system(cmd), 0);
}

TestSuite(rerun, .init = setup, .fini = teardown);

static const char *path_in(const char *name) {
  static char p[8][256];
  static int k;
  k = (k + 1) % 8;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static void put_text(hid_t f, const char *name, const char *v) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0);
  H5Awrite(a, t, &v);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
}

static void put_real(hid_t f, const char *name, double v) {
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(a);
  H5Sclose(sp);
}

/* A dataset under /inputs of rank dims (chunked when huge: no storage). */
static void put_array(hid_t f, const char *name, int rank, const hsize_t *dims,
                      const double *data, hid_t type) {
  hid_t l = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(l, 1);
  hid_t sp = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (!data) {
    hsize_t c[3] = {1, 1, 1};
    H5Pset_chunk(dcpl, rank, c);
  }
  char p[256];
  snprintf(p, sizeof p, "/inputs/%s", name);
  hid_t ds = H5Dcreate2(f, p, type, sp, l, dcpl, H5P_DEFAULT);
  cr_assert(ds >= 0, "cannot create %s", p);
  if (data) {
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  }
  H5Dclose(ds);
  H5Pclose(dcpl);
  H5Sclose(sp);
  H5Pclose(l);
}

/* A run file with model text and one input weights.wq at path (sha256 of
 * that file when it exists, else of nothing). */
static hid_t make_run(const char *file, const char *model, const char *path) {
  hid_t f = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(f >= 0);
  /* What every run file has: /time (one sample) and its completion mark. */
  hsize_t one = 1;
  double t0 = 0.0;
  hid_t sp = H5Screate_simple(1, &one, NULL);
  hid_t ds = H5Dcreate2(f, "/time", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT);
  cr_assert(ds >= 0);
  H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &t0);
  H5Dclose(ds);
  H5Sclose(sp);
  put_real(f, "complete", 1);
  if (model) {
    put_text(f, "model", model);
  }
  put_text(f, "inputs", "weights.wq");
  put_text(f, "input.weights.wq.path", path);
  put_text(f, "input.weights.wq.section", "weights");
  put_text(f, "input.weights.wq.key", "wq");
  char hex[LAM_SHA256_HEX];
  lam_err e = {0, ""};
  if (lam_hash_file(path, hex, NULL, &e) != LAM_OK) {
    lam_hash_sha256("", 0, hex);
  }
  put_text(f, "input.weights.wq.sha256", hex);
  put_real(f, "input.weights.wq.header", 0);
  return f;
}

static const char model[] = "[weights]\nwq = /nonexistent.csv ; file\nseed = 3 ; 1\n";

/* The stored doubles, written back, read by the model's CSV reader: the
 * same bits; the key points there; the folder goes with lam_rerun_free. */
Test(rerun, stored_input_round_trips_bit_for_bit) {
  double v[6] = {3.141592653589793, -1.0 / 3.0, 1e-300, 6.02214076e23, -0.0, 0.1};
  hid_t f = make_run(path_in("run.h5"), model, "/nonexistent.csv");
  hsize_t d[2] = {2, 3};
  put_array(f, "weights.wq", 2, d, v, H5T_IEEE_F64LE);
  H5Fclose(f);
  lam_rerun *r = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_rerun_new(path_in("run.h5"), &r, &err), LAM_OK, "%s", err.msg);
  const char *wq = lam_model_value(lam_rerun_model(r), "weights", "wq");
  cr_assert(wq);
  cr_expect(!strncmp(wq, lam_rerun_dir(r), strlen(lam_rerun_dir(r))), "%s", wq);
  cr_expect_str_eq(lam_model_value(lam_rerun_model(r), "weights", "seed"), "3");
  lam_matrix m;
  cr_assert_eq(lam_csv_read(wq, &m, &err), LAM_OK, "%s", err.msg);
  cr_expect(m.rows == 2 && m.cols == 3);
  cr_expect(!memcmp(m.data, v, sizeof v), "values changed on the way back");
  lam_matrix_free(&m);
  char folder[1100];
  snprintf(folder, sizeof folder, "%s", lam_rerun_dir(r));
  struct stat st;
  cr_expect(stat(folder, &st) == 0 && (st.st_mode & 077) == 0,
            "the folder is not private");
  lam_rerun_free(r);
  cr_expect(stat(folder, &st) != 0, "%s left behind", folder);
}

/* A header table (a stimulus schedule) comes back with a header row. */
Test(rerun, header_tables_get_a_header_row) {
  double v[4] = {0, 1, 0.5, 2};
  hid_t f = make_run(path_in("run.h5"), model, "/nonexistent.csv");
  H5Adelete(f, "input.weights.wq.header");
  put_real(f, "input.weights.wq.header", 1);
  hsize_t d[2] = {2, 2};
  put_array(f, "weights.wq", 2, d, v, H5T_IEEE_F64LE);
  H5Fclose(f);
  lam_rerun *r = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_rerun_new(path_in("run.h5"), &r, &err), LAM_OK, "%s", err.msg);
  lam_matrix m;
  const char *p = lam_model_value(lam_rerun_model(r), "weights", "wq");
  cr_assert_eq(lam_csv_read_table(p, &m, NULL, &err), LAM_OK, "%s", err.msg);
  cr_expect(m.rows == 2 && m.cols == 2 && !memcmp(m.data, v, sizeof v));
  lam_matrix_free(&m);
  lam_rerun_free(r);
}

/* Without a stored array: the recorded file while its hash matches. */
Test(rerun, unstored_input_is_used_only_while_unchanged) {
  FILE *w = fopen(path_in("w.csv"), "w");
  fputs("1,2\n3,4\n", w);
  fclose(w);
  hid_t f = make_run(path_in("run.h5"), model, path_in("w.csv"));
  H5Fclose(f);
  lam_rerun *r = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_rerun_new(path_in("run.h5"), &r, &err), LAM_OK, "%s", err.msg);
  cr_expect_str_eq(lam_model_value(lam_rerun_model(r), "weights", "wq"),
                   path_in("w.csv"));
  lam_rerun_free(r);
  w = fopen(path_in("w.csv"), "w");
  fputs("1,2\n3,5\n", w);
  fclose(w);
  cr_expect_eq(lam_rerun_new(path_in("run.h5"), &r, &err), LAM_EINVAL);
  cr_expect(r == NULL);
  cr_expect(strstr(err.msg, "run.h5: input weights.wq:") &&
                strstr(err.msg, "w.csv has changed since the run"), "%s", err.msg);
  unlink(path_in("w.csv"));
  cr_expect_neq(lam_rerun_new(path_in("run.h5"), &r, &err), LAM_OK);
  cr_expect(strstr(err.msg, "weights.wq") && strstr(err.msg, "cannot be read"),
            "%s", err.msg);
}

/* Each hostile file: an error naming the file and the part, no model. */
static void expect_error(const char *needle1, const char *needle2) {
  lam_rerun *r = NULL;
  lam_err err = {0, ""};
  int rc = lam_rerun_new(path_in("run.h5"), &r, &err);
  cr_expect_neq(rc, LAM_OK, "accepted; expected %s", needle1);
  cr_expect(r == NULL);
  cr_expect(strstr(err.msg, "run.h5"), "no file name: %s", err.msg);
  cr_expect(strstr(err.msg, needle1), "lacks '%s': %s", needle1, err.msg);
  if (needle2) {
    cr_expect(strstr(err.msg, needle2), "lacks '%s': %s", needle2, err.msg);
  }
  lam_rerun_free(r);
}

Test(rerun, hostile_files_are_named_errors) {
  /* No model attribute. */
  H5Fclose(make_run(path_in("run.h5"), NULL, "/nonexistent.csv"));
  expect_error("attribute model", "not found");
  /* model is a number. */
  hid_t f = make_run(path_in("run.h5"), NULL, "/nonexistent.csv");
  put_real(f, "model", 1);
  H5Fclose(f);
  expect_error("attribute model", "expected text, found a floating-point number");
  /* model text that is not a model. */
  H5Fclose(make_run(path_in("run.h5"), "[weights\nwq = 1\n", "/x.csv"));
  expect_error("run.h5: model:1", "found '[weights'");
  /* No inputs attribute (a file of an older laminar). */
  f = make_run(path_in("run.h5"), model, "/x.csv");
  H5Adelete(f, "inputs");
  H5Fclose(f);
  expect_error("attribute inputs", "cannot be repeated exactly");
  /* An input named in inputs without its attributes. */
  f = make_run(path_in("run.h5"), model, "/x.csv");
  H5Adelete(f, "input.weights.wq.sha256");
  H5Fclose(f);
  expect_error("input.weights.wq.sha256", "not found");
  /* Rank 1, rank 3. */
  double v[8] = {0};
  hsize_t d1[1] = {8}, d3[3] = {2, 2, 2};
  f = make_run(path_in("run.h5"), model, "/x.csv");
  put_array(f, "weights.wq", 1, d1, v, H5T_IEEE_F64LE);
  H5Fclose(f);
  expect_error("/inputs/weights.wq", "expected rows x columns (rank 2), found rank 1");
  f = make_run(path_in("run.h5"), model, "/x.csv");
  put_array(f, "weights.wq", 3, d3, v, H5T_IEEE_F64LE);
  H5Fclose(f);
  expect_error("/inputs/weights.wq", "found rank 3");
  /* Dimensions whose product overflows size_t, and merely too large. */
  hsize_t big[2] = {(hsize_t)1 << 33, (hsize_t)1 << 33};
  f = make_run(path_in("run.h5"), model, "/x.csv");
  put_array(f, "weights.wq", 2, big, NULL, H5T_IEEE_F64LE);
  H5Fclose(f);
  expect_error("/inputs/weights.wq", "found 8589934592 x 8589934592");
  hsize_t wide[2] = {1, ((hsize_t)1 << 27) + 1};
  f = make_run(path_in("run.h5"), model, "/x.csv");
  put_array(f, "weights.wq", 2, wide, NULL, H5T_IEEE_F64LE);
  H5Fclose(f);
  expect_error("/inputs/weights.wq", "expected 1 to 134217728 values");
  /* Integers and text instead of doubles. */
  hsize_t d2[2] = {2, 4};
  f = make_run(path_in("run.h5"), model, "/x.csv");
  put_array(f, "weights.wq", 2, d2, v, H5T_STD_I32LE);
  H5Fclose(f);
  expect_error("/inputs/weights.wq", "of 64-bit floats, found an integer");
  /* The header flag missing next to a stored array. */
  f = make_run(path_in("run.h5"), model, "/x.csv");
  H5Adelete(f, "input.weights.wq.header");
  put_array(f, "weights.wq", 2, d2, v, H5T_IEEE_F64LE);
  H5Fclose(f);
  expect_error("input.weights.wq.header", "not found");
  /* Cut short (a run killed outright, a partial copy). */
  f = make_run(path_in("run.h5"), model, "/x.csv");
  put_array(f, "weights.wq", 2, d2, v, H5T_IEEE_F64LE);
  H5Fclose(f);
  struct stat st;
  cr_assert_eq(stat(path_in("run.h5"), &st), 0);
  cr_assert_eq(truncate(path_in("run.h5"), st.st_size / 2), 0);
  expect_error("cannot open as an HDF5 run file", "truncated");
  /* Not HDF5 at all, missing, and a folder. */
  FILE *t = fopen(path_in("run.h5"), "w");
  fputs("time,l4\n0,1\n", t);
  fclose(t);
  expect_error("cannot open as an HDF5 run file", "Not an HDF5 file");
  unlink(path_in("run.h5"));
  expect_error("cannot open run file", "No such file");
  cr_assert_eq(mkdir(path_in("run.h5"), 0700), 0);
  expect_error("expected a run file (HDF5), found a directory", NULL);
  rmdir(path_in("run.h5"));
}
