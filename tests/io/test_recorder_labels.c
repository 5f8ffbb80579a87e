/* test_recorder_labels.c: labelled dimensions, read back with HDF5's own
 * dimension-scale API (H5DSget_label, H5DSis_attached, H5DSis_scale):
 * /time is the coordinate of the first axis of /traces/<pop> and of every
 * series; /traces and /final name their axes time, column, unit and say
 * what the unit axis indexes; lam_recorder_label names a series' second
 * axis and attaches a coordinate dataset, also before the series exists. */
#include "lam_rec_toy.h"

#include <hdf5_hl.h>

static void assert_label(hid_t f, const char *name, unsigned dim,
                         const char *want) {
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  cr_assert(ds >= 0, "no dataset %s", name);
  char got[64] = "";
  ssize_t n = H5DSget_label(ds, dim, got, sizeof got);
  cr_assert(n > 0, "%s: axis %u has no label", name, dim);
  cr_assert_str_eq(got, want, "%s: axis %u", name, dim);
  H5Dclose(ds);
}

/* Whether dataset scale is attached to axis dim of dataset name. */
static int attached(hid_t f, const char *name, unsigned dim,
                    const char *scale) {
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  hid_t sc = H5Dopen2(f, scale, H5P_DEFAULT);
  cr_assert(ds >= 0 && sc >= 0, "%s or %s missing", name, scale);
  htri_t r = H5DSis_attached(ds, sc, dim);
  H5Dclose(sc);
  H5Dclose(ds);
  return r > 0;
}

static char *text_attr(hid_t f, const char *obj, const char *name) {
  hid_t a = H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(a >= 0, "no attribute %s on %s", name, obj);
  hid_t t = H5Aget_type(a);
  char *s = NULL;
  cr_assert(H5Aread(a, t, &s) >= 0);
  char *copy = strdup(s);
  H5free_memory(s);
  H5Tclose(t);
  H5Aclose(a);
  return copy;
}

Test(recorder_labels, traces_final_and_time, .init = mkdir_tmp,
     .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128];
  snprintf(path, sizeof path, "%s/lab.h5", dir);
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_eq(record_n(rec, 10, &err), LAM_OK, "%s", err.msg);
  double row[3] = {1, 2, 3}, y[1] = {0};
  cr_assert_eq(lam_recorder_series(rec, "lfp", "uV", row, 3, &err), LAM_OK);
  cr_assert_eq(lam_recorder_final(rec, 0.01, y, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  hid_t t = H5Dopen2(f, "/time", H5P_DEFAULT);
  cr_assert_gt(H5DSis_scale(t), 0, "/time is not a dimension scale");
  H5Dclose(t);
  const char *const tr[3] = {"time", "column", "unit"};
  for (unsigned d = 0; d < 3; d++) {
    assert_label(f, "/traces/a", d, tr[d]);
    assert_label(f, "/traces/b", d, tr[d]);
  }
  cr_assert(attached(f, "/traces/a", 0, "/time"));
  cr_assert(attached(f, "/traces/b", 0, "/time"));
  assert_label(f, "/final/a", 0, "column");
  assert_label(f, "/final/a", 1, "unit");
  char *what = text_attr(f, "/traces/a", "unit_axis");
  cr_assert_str_eq(what, "head x d_k (unit = head * d_k + k)");
  free(what);
  what = text_attr(f, "/final/a", "unit_axis");
  cr_assert_str_eq(what, "head x d_k (unit = head * d_k + k)");
  free(what);
  cr_assert_eq(H5Aexists_by_name(f, "/traces/b", "unit_axis", H5P_DEFAULT), 0,
               "a unit_axis the system did not give");
  assert_label(f, "/lfp", 0, "time");
  cr_assert(attached(f, "/lfp", 0, "/time"));
  H5Fclose(f);
}

Test(recorder_labels, series_axis_with_coordinate, .init = mkdir_tmp,
     .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128];
  snprintf(path, sizeof path, "%s/probe.h5", dir);
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  double depth[3] = {100, 200, 300}, row[3] = {1, 2, 3};
  size_t dims[1] = {3};
  cr_assert_eq(lam_recorder_dataset(rec, "probe/depth_um", "um", depth, 1,
                                    dims, &err), LAM_OK, "%s", err.msg);
  /* Before the series exists (it is made by its first sample)... */
  cr_assert_eq(lam_recorder_label(rec, "lfp", 1, "contact", "/probe/depth_um",
                                  &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_series(rec, "lfp", "uV", row, 3, &err), LAM_OK,
               "%s", err.msg);
  /* ... and after: a coordinate of the wrong length is refused. */
  cr_assert_eq(lam_recorder_series(rec, "csd", "uA/mm^3", row, 2, &err),
               LAM_OK);
  cr_assert_eq(lam_recorder_label(rec, "csd", 1, "contact", "/probe/depth_um",
                                  &err), LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "expected 2 values"), "%s", err.msg);
  cr_assert_eq(lam_recorder_label(rec, "csd", 3, "x", NULL, &err), LAM_EINVAL);
  cr_assert_eq(lam_recorder_label(rec, "probe/depth_um", 0, "contact", NULL,
                                  &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0);
  assert_label(f, "/lfp", 1, "contact");
  cr_assert(attached(f, "/lfp", 1, "/probe/depth_um"));
  cr_assert(attached(f, "/lfp", 0, "/time"));
  assert_label(f, "/probe/depth_um", 0, "contact");
  H5Fclose(f);
}

/* CSV has no axes to label: the call is accepted and changes nothing. */
Test(recorder_labels, csv_ignores_labels, .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128];
  snprintf(path, sizeof path, "%s/lab.csv", dir);
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_eq(lam_recorder_label(rec, "lfp", 1, "contact", NULL, &err), LAM_OK);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert(exists(path));
}
