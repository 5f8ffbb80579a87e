/* test_runfile.c: the checked run-file reader (io/lam_runfile.h) on files
 * made by hand (lam_h5_craft.h): the values of a valid run come back as
 * written; every hostile shape, type, attribute and link is an error that
 * names the file, the object, what was expected and what was found, with no
 * HDF5 handle left open. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_h5_craft.h"
#include "lam_runfile.h"

static char dir[64], path[256];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(p);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lamrfXXXXXX");
  cr_assert(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/run.h5", dir);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void teardown(void) { nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

TestSuite(runfile, .init = setup, .fini = teardown);

static lam_runfile *open_ok(const char *p, unsigned flags) {
  lam_runfile *rf = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_runfile_open(p, flags, &rf, &err), LAM_OK, "%s", err.msg);
  cr_assert(rf);
  return rf;
}

/* A read of dataset name (rank, shape) must fail with code, naming the file,
 * the dataset and each of the texts in want (NULL-terminated). */
static void read_fails(lam_runfile *rf, const char *name, int rank,
                       const char *shape, int code, const char *const *want) {
  lam_err err = {0, ""};
  double *v = (double *)&err;
  size_t dims[3];
  cr_expect_eq(lam_runfile_read(rf, name, rank, shape, 0, 0, &v, dims, &err),
               code, "%s", err.msg);
  cr_expect_null(v);
  cr_expect(strstr(err.msg, "run.h5"), "%s", err.msg);
  cr_expect(strstr(err.msg, name), "%s", err.msg);
  for (size_t k = 0; want && want[k]; k++) {
    cr_expect(strstr(err.msg, want[k]), "no '%s' in: %s", want[k], err.msg);
  }
  cr_expect_eq(lam_runfile_open_objects(rf), 0);
}

Test(runfile, valid_run_reads_back_as_written) {
  craft_run(path, 3, 1);
  lam_runfile *rf = open_ok(path, 0);
  cr_expect_eq(lam_runfile_complete(rf), 1);
  cr_expect_str_eq(lam_runfile_status(rf), "complete = 1");
  lam_err err;
  double *t, *v;
  size_t dims[3];
  cr_assert_eq(lam_runfile_read(rf, "/time", 1, "samples", 0, 0, &t, dims, &err),
               LAM_OK, "%s", err.msg);
  cr_expect(dims[0] == CRAFT_N && dims[1] == 1 && dims[2] == 1);
  cr_expect_eq(t[123], 0.123);
  free(t);
  /* Rows 100..110 of /traces/l23: 1 + 2 sin(2 pi 40 t) in every unit. */
  cr_assert_eq(lam_runfile_read(rf, "/traces/l23", 3, "samples x columns x units",
                                100, 110, &v, dims, &err),
               LAM_OK, "%s", err.msg);
  cr_expect(dims[0] == 10 && dims[1] == 3 && dims[2] == 2);
  for (size_t i = 0; i < 10; i++) {
    double want = 1.0 + 2.0 * sin(2.0 * CRAFT_PI * 40.0 * (double)(100 + i) * 1e-3);
    cr_expect_eq(v[i * 6 + 5], want, "row %zu", i);
  }
  free(v);
  lam_runfile_pop *p;
  size_t np;
  cr_assert_eq(lam_runfile_pops(rf, LAM_RUNFILE_BY_NAME, &p, &np, &err), LAM_OK,
               "%s", err.msg);
  cr_assert_eq(np, 2);
  cr_expect_str_eq(p[0].name, "l23");
  cr_expect_str_eq(p[0].layer, "L2/3");
  cr_expect_str_eq(p[1].name, "l5b");
  cr_expect_str_eq(p[1].layer, "L5");
  cr_expect_str_eq(p[1].unit, "mV");
  free(p);
  char kind[32];
  cr_expect_eq(lam_runfile_attr_text(rf, "/", "kind", kind, sizeof kind, &err), LAM_OK);
  cr_expect_str_eq(kind, "crafted");
  double x;
  cr_expect_eq(lam_runfile_attr_real(rf, "/", "absent", &x, &err), LAM_OK);
  cr_expect(isnan(x));
  cr_expect_eq(lam_runfile_open_objects(rf), 0);
  lam_runfile_free(rf);
}

Test(runfile, image_in_memory_reads_like_the_file) {
  craft_run(path, 2, 1);
  FILE *fp = fopen(path, "rb");
  cr_assert(fp);
  static unsigned char buf[1 << 20];
  size_t len = fread(buf, 1, sizeof buf, fp);
  fclose(fp);
  cr_assert(len > 0 && len < sizeof buf);
  /* The name is for messages only: a file of that name on disk is not read. */
  lam_runfile *rf = NULL;
  lam_err err;
  cr_assert_eq(lam_runfile_open_image(buf, len, path, 0, &rf, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_str_eq(lam_runfile_name(rf), path);
  double *v;
  size_t dims[3];
  cr_assert_eq(lam_runfile_read(rf, "/traces/l5b", 3, "samples x columns x units",
                                0, 0, &v, dims, &err), LAM_OK, "%s", err.msg);
  cr_expect(dims[0] == CRAFT_N && dims[1] == 2 && dims[2] == 2);
  cr_expect_eq(v[0], 3.0);
  free(v);
  lam_runfile_free(rf);
  /* Garbage and truncated images are errors, not crashes. */
  cr_expect_eq(lam_runfile_open_image("not hdf5 at all", 15, "junk", 0, &rf, &err),
               LAM_EIO);
  cr_expect(strstr(err.msg, "junk") && strstr(err.msg, "HDF5"), "%s", err.msg);
  cr_expect_eq(lam_runfile_open_image(buf, len / 3, "cut", 0, &rf, &err), LAM_EIO,
               "%s", err.msg);
  cr_expect_null(rf);
}

/* 2^40 x 2^40 x 8 doubles: the product overflows size_t (the old readers
 * wrapped it and wrote past a small buffer). */
Test(runfile, dimensions_whose_product_overflows_are_refused) {
  craft_run(path, 2, 1);
  hsize_t d[3] = {1ull << 40, 1ull << 40, 8}, c[3] = {1, 1, 8};
  craft_replace(path, "/traces/l23", H5T_IEEE_F64LE, 3, d, c, "L2/3");
  hsize_t w[3] = {CRAFT_N, (1ull << 62) + 1, 4}, cw[3] = {1, 1, 4};
  craft_replace(path, "/traces/l5b", H5T_IEEE_F64LE, 3, w, cw, "L5");
  struct stat st;
  cr_assert_eq(stat(path, &st), 0);
  cr_expect_lt(st.st_size, 100000, "the crafted file stays small");
  lam_runfile *rf = open_ok(path, 0);
  const char *const want[] = {"samples x columns x units",
                              "1099511627776 x 1099511627776 x 8", NULL};
  read_fails(rf, "/traces/l23", 3, "samples x columns x units", LAM_EINVAL, want);
  const char *const want2[] = {"400 x 4611686018427387905 x 4", NULL};
  read_fails(rf, "/traces/l5b", 3, "samples x columns x units", LAM_EINVAL, want2);
  size_t dims[3];
  lam_err err;
  cr_expect_eq(lam_runfile_shape(rf, "/traces/l5b", 3, "s", dims, &err), LAM_EINVAL);
  lam_runfile_free(rf);
}

/* No overflow, but more memory than the reader allows: refused before any
 * allocation, for the dataset, for a row, and for a chunk. */
Test(runfile, sizes_beyond_the_limit_are_refused) {
  craft_run(path, 2, 1);
  hsize_t d[3] = {CRAFT_N, 1u << 20, 1u << 20}, c[3] = {1, 1, 64};
  craft_replace(path, "/traces/l23", H5T_IEEE_F64LE, 3, d, c, "L2/3");
  hsize_t d2[3] = {CRAFT_N, 1000, 100}, c2[3] = {1, 1000, 100};
  craft_replace(path, "/traces/l5b", H5T_IEEE_F64LE, 3, d2, c2, "L5");
  hsize_t d3[1] = {1u << 20}, c3[1] = {1u << 20};
  craft_replace(path, "/bigchunk", H5T_IEEE_F64LE, 1, d3, c3, NULL);
  lam_runfile *rf = open_ok(path, 0);
  const char *const row[] = {"400 x 1048576 x 1048576", "limit", NULL};
  read_fails(rf, "/traces/l23", 3, "samples x columns x units", LAM_EINVAL, row);
  lam_runfile_set_max_bytes(rf, 1u << 20);
  /* 400 x 1000 x 100 doubles = 305 MiB > 1 MiB; one row (781 kB) fits. */
  const char *const all[] = {"305.2 MiB", "1 MiB", NULL};
  read_fails(rf, "/traces/l5b", 3, "samples x columns x units", LAM_EINVAL, all);
  double *v;
  size_t dims[3];
  lam_err err;
  cr_expect_eq(lam_runfile_read(rf, "/traces/l5b", 3, "s", 7, 8, &v, dims, &err),
               LAM_OK, "%s", err.msg);
  cr_expect(dims[0] == 1 && dims[1] == 1000 && dims[2] == 100);
  free(v);
  const char *const chunk[] = {"chunks of 1048576 values", NULL};
  read_fails(rf, "/bigchunk", 1, "values", LAM_EINVAL, chunk);
  lam_runfile_free(rf);
}

Test(runfile, wrong_rank_type_and_missing_datasets_are_named) {
  craft_run(path, 2, 1);
  hsize_t d2[2] = {CRAFT_N, 3}, d3[3] = {CRAFT_N, 2, 2}, c3[3] = {64, 2, 2};
  craft_replace(path, "/traces/l23", H5T_IEEE_F64LE, 2, d2, NULL, "L2/3");
  craft_replace(path, "/traces/l5b", H5T_STD_I32LE, 3, d3, c3, "L5");
  hid_t s = H5Tcopy(H5T_C_S1);
  H5Tset_size(s, 8);
  craft_replace(path, "/traces/pv", s, 3, d3, c3, NULL);
  H5Tclose(s);
  craft_replace(path, "/traces/c", H5T_NATIVE_B8, 3, d3, c3, NULL);
  lam_runfile *rf = open_ok(path, 0);
  const char *const rank[] = {"expected samples x columns x units (rank 3)",
                              "found rank 2 (400 x 3)", NULL};
  read_fails(rf, "/traces/l23", 3, "samples x columns x units", LAM_EINVAL, rank);
  const char *const integer[] = {"64-bit floats", "found an integer of 4 bytes", NULL};
  read_fails(rf, "/traces/l5b", 3, "samples x columns x units", LAM_EINVAL, integer);
  const char *const text[] = {"found text", NULL};
  read_fails(rf, "/traces/pv", 3, "samples x columns x units", LAM_EINVAL, text);
  const char *const bits[] = {"found a bit field", NULL};
  read_fails(rf, "/traces/c", 3, "samples x columns x units", LAM_EINVAL, bits);
  const char *const missing[] = {"no dataset", "(expected contacts)", NULL};
  read_fails(rf, "/probe/depth_um", 1, "contacts", LAM_ENOTFOUND, missing);
  const char *const group[] = {"expected a dataset", "found a group", NULL};
  read_fails(rf, "/traces", 1, "samples", LAM_EINVAL, group);
  double *v;
  size_t dims[3];
  lam_err err;
  cr_expect_eq(lam_runfile_read(rf, "/time", 1, "samples", 10, 500, &v, dims, &err),
               LAM_EINVAL);
  cr_expect(strstr(err.msg, "rows 10..500") && strstr(err.msg, "400"), "%s", err.msg);
  lam_runfile_free(rf);
}

/* complete = 0, missing, 7, text, or a float: refused without
 * LAM_RUNFILE_PARTIAL with what was found; read with it, marked. */
Test(runfile, incomplete_runs_need_partial) {
  static const struct {
    int kind; /* 0: int value v, 1: none, 2: text, 3: float, 4: 2 floats */
    long long v;
    const char *status;
  } cases[] = {{0, 0, "complete = 0: the run stopped before its end time"},
               {1, 0, "no root attribute complete"},
               {0, 7, "complete = 7, expected 0 or 1"},
               {2, 0, "root attribute complete is text"},
               {3, 0, "complete = 1, a floating-point number"},
               {4, 0, "root attribute complete: expected one value, found 2"}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    craft_run(path, 2, cases[k].kind == 0 ? (int)cases[k].v : -1);
    if (cases[k].kind >= 2) {
      hid_t f = craft_rw(path);
      if (cases[k].kind == 2) {
        craft_attr_text(f, "complete", "1");
      } else {
        craft_attr_reals(f, "complete", cases[k].kind == 4 ? 2 : 0, 1.0);
      }
      H5Fclose(f);
    }
    lam_runfile *rf = (lam_runfile *)&k;
    lam_err err = {0, ""};
    cr_expect_eq(lam_runfile_open(path, 0, &rf, &err), LAM_EINVAL, "case %zu", k);
    cr_expect_null(rf);
    cr_expect(strstr(err.msg, path) && strstr(err.msg, "incomplete") &&
                  strstr(err.msg, cases[k].status) && strstr(err.msg, "--partial"),
              "case %zu: %s", k, err.msg);
    rf = open_ok(path, LAM_RUNFILE_PARTIAL);
    cr_expect_eq(lam_runfile_complete(rf), 0);
    cr_expect(strstr(lam_runfile_status(rf), cases[k].status), "%s",
              lam_runfile_status(rf));
    lam_runfile_free(rf);
  }
}

/* An attribute of many values read into one would overrun it (the old
 * readers did); a number where text belongs and text where a number
 * belongs are errors. */
Test(runfile, attributes_hold_one_value_of_the_expected_class) {
  craft_run(path, 2, 1);
  hid_t f = craft_rw(path);
  hid_t d = H5Dopen2(f, "/traces/l23", H5P_DEFAULT);
  craft_attr_texts(d, "layer", 100, "L2/3");
  craft_attr_reals(d, "t", 100, 1.0);
  craft_attr_reals(d, "unit", 0, 2.0);
  craft_attr_text(d, "doc", "x");
  H5Dclose(d);
  H5Fclose(f);
  lam_runfile *rf = open_ok(path, 0);
  lam_err err;
  char buf[64];
  double x;
  cr_expect_eq(lam_runfile_attr_text(rf, "/traces/l23", "layer", buf, sizeof buf, &err),
               LAM_EINVAL);
  cr_expect(strstr(err.msg, "/traces/l23") && strstr(err.msg, "layer") &&
                strstr(err.msg, "expected one value, found 100"), "%s", err.msg);
  cr_expect_eq(lam_runfile_attr_real(rf, "/traces/l23", "t", &x, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "found 100"), "%s", err.msg);
  cr_expect_eq(lam_runfile_attr_text(rf, "/traces/l23", "unit", buf, sizeof buf, &err),
               LAM_EINVAL);
  cr_expect(strstr(err.msg, "expected text, found a floating-point number"), "%s",
            err.msg);
  cr_expect_eq(lam_runfile_attr_real(rf, "/traces/l23", "doc", &x, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "expected a number, found text"), "%s", err.msg);
  cr_expect_eq(lam_runfile_attr_text(rf, "/traces/l23", "doc", buf, 1, &err),
               LAM_EINVAL);
  lam_runfile_pop *p;
  size_t np;
  cr_expect_eq(lam_runfile_pops(rf, LAM_RUNFILE_BY_NAME, &p, &np, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "layer"), "%s", err.msg);
  cr_expect_eq(lam_runfile_open_objects(rf), 0);
  lam_runfile_free(rf);
}

/* Soft and external links are not followed: an external link could open
 * any file on the machine. */
Test(runfile, links_other_than_hard_are_refused) {
  char other[300];
  snprintf(other, sizeof other, "%s/other.h5", dir);
  craft_run(other, 2, 1);
  craft_run(path, 2, 1);
  hid_t f = craft_rw(path);
  H5Lcreate_external(other, "/traces/l23", f, "/traces/ext", H5P_DEFAULT, H5P_DEFAULT);
  H5Lcreate_soft("/traces/l23", f, "/soft", H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  lam_runfile *rf = open_ok(path, 0);
  lam_err err;
  cr_expect_eq(lam_runfile_exists(rf, "/traces/l23"), 1);
  cr_expect_eq(lam_runfile_exists(rf, "/soft"), 0);
  cr_expect_eq(lam_runfile_exists(rf, "/traces/ext"), 0);
  double *v;
  size_t dims[3];
  cr_expect_eq(lam_runfile_read(rf, "/soft", 3, "s", 0, 0, &v, dims, &err),
               LAM_ENOTFOUND);
  lam_runfile_pop *p;
  size_t np;
  cr_expect_eq(lam_runfile_pops(rf, LAM_RUNFILE_BY_NAME, &p, &np, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "/traces/ext") && strstr(err.msg, "hard link"), "%s",
            err.msg);
  lam_runfile_free(rf);
}

/* A FIFO would block the open, a directory is no run: both said so. */
Test(runfile, only_regular_files_are_opened, .timeout = 20) {
  char fifo[300];
  snprintf(fifo, sizeof fifo, "%s/fifo.h5", dir);
  cr_assert_eq(mkfifo(fifo, 0600), 0, "%s", strerror(errno));
  lam_runfile *rf;
  lam_err err;
  cr_expect_eq(lam_runfile_open(fifo, 0, &rf, &err), LAM_EIO);
  cr_expect(strstr(err.msg, "fifo.h5") && strstr(err.msg, "not a regular file"), "%s",
            err.msg);
  cr_expect_eq(lam_runfile_open(dir, 0, &rf, &err), LAM_EIO);
  cr_expect(strstr(err.msg, "not a regular file"), "%s", err.msg);
  cr_expect_eq(lam_runfile_open(path, 0, &rf, &err), LAM_EIO);
  cr_expect(strstr(err.msg, strerror(ENOENT)), "%s", err.msg);
  /* Only RUN.h5.part exists: the message points at it. */
  char part[300];
  snprintf(part, sizeof part, "%s.part", path);
  craft_run(part, 2, 0);
  cr_expect_eq(lam_runfile_open(path, 0, &rf, &err), LAM_EIO);
  cr_expect(strstr(err.msg, "run.h5.part") && strstr(err.msg, "--partial"), "%s",
            err.msg);
  /* Not HDF5, and HDF5 without /time (not a run). */
  FILE *fp = fopen(path, "w");
  fputs("hello\n", fp);
  fclose(fp);
  cr_expect_eq(lam_runfile_open(path, 0, &rf, &err), LAM_EIO);
  cr_expect(strstr(err.msg, "HDF5"), "%s", err.msg);
  H5Fclose(craft_new(path));
  cr_expect_eq(lam_runfile_open(path, LAM_RUNFILE_PARTIAL, &rf, &err), LAM_ENOTFOUND);
  cr_expect(strstr(err.msg, "/time"), "%s", err.msg);
}

/* libhdf5 1.10 trusts the global heap where text attributes live: a
 * free-space object of size 0 made it loop for ever, an object past its
 * collection made it copy from beyond its buffer, an index beyond the
 * collection made it follow a wild pointer (all found by fuzzing,
 * tests/fuzz/corpus/runfile/regress-*.h5). The reader takes only the
 * reference from HDF5 and copies the text itself after checking every size:
 * each is an error naming the collection, from disk and from memory. */
Test(runfile, broken_global_heap_is_an_error, .timeout = 30) {
  static const struct {
    unsigned long long size;
    unsigned index;
    const char *want;
  } cases[] = {{0, 0, "free space of none"},
               {1ull << 22, 0, "runs past the collection"},
               {1ull << 62, 0, "runs past the collection"},
               {1, 0, "shorter than the text"},
               {2, 999, "no object"}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    craft_run(path, 2, 1);
    size_t o = craft_heap_object(path, cases[k].size, cases[k].index);
    static unsigned char buf[1 << 20];
    FILE *fp = fopen(path, "rb");
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    for (int image = 0; image < 2; image++) {
      lam_runfile *rf;
      lam_err err;
      if (image) {
        cr_assert_eq(lam_runfile_open_image(buf, len, "img.h5", 0, &rf, &err), LAM_OK,
                     "%s", err.msg);
      } else {
        rf = open_ok(path, 0);
      }
      lam_runfile_pop *p;
      size_t np;
      cr_expect_eq(lam_runfile_pops(rf, LAM_RUNFILE_BY_NAME, &p, &np, &err),
                   LAM_EINVAL, "case %zu", k);
      char at[64];
      snprintf(at, sizeof at, "global heap collection at byte %zu", o);
      cr_expect(strstr(err.msg, image ? "img.h5" : "run.h5") &&
                    strstr(err.msg, "corrupt HDF5 file") && strstr(err.msg, at) &&
                    strstr(err.msg, cases[k].want),
                "case %zu: %s", k, err.msg);
      cr_expect_eq(lam_runfile_open_objects(rf), 0);
      lam_runfile_free(rf);
    }
  }
  /* The file as written reads. */
  craft_run(path, 2, 1);
  lam_runfile *rf = open_ok(path, 0);
  char unit[16];
  lam_err err;
  cr_expect_eq(lam_runfile_attr_text(rf, "/traces/l23", "unit", unit, sizeof unit, &err),
               LAM_OK, "%s", err.msg);
  cr_expect_str_eq(unit, "mV");
  lam_runfile_free(rf);
}
