/* test_run_analyze.c: a run file into the analysis (io/lam_run_analyze.h),
 * on runs made by hand (lam_h5_craft.h) whose answers are known.
 *
 * - The crafted run: L2/3 = 1 + 2 sin(2 pi 40 t), L5 = 3 + sin(2 pi 10 t),
 *   400 samples at 1 kHz: layer means 1 and 3, gamma power of L2/3
 *   2^2 / 2 = 2 (Parseval), of L5 in alpha/beta most of 1^2 / 2 = 0.5,
 *   peaks at 40 and 10 Hz; a population without a layer is not a layer; an LFP
 *   of two contacts gives their means and depths.
 * - t0 = 0.1 s leaves 300 samples.
 * - A trace shorter than /time is an error naming the file and the dataset.
 */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <ftw.h>
#include <sys/stat.h>

#include "lam_h5_craft.h"
#include "lam_run_analyze.h"

static char dir[64], path[256];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(p);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lamraXXXXXX");
  cr_assert(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/run.h5", dir);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void teardown(void) { nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS); }

TestSuite(run_analyze, .init = setup, .fini = teardown);

static int near_rel(double x, double ref, double rel) {
  return fabs(x - ref) <= rel * fabs(ref);
}

static int analyze(const lam_analysis_opts *o, lam_analysis **an, lam_err *err) {
  lam_runfile *rf = NULL;
  cr_assert_eq(lam_runfile_open(path, 0, &rf, err), LAM_OK, "%s", err->msg);
  int rc = lam_run_analyze(rf, o, an, err);
  lam_runfile_free(rf);
  return rc;
}

Test(run_analyze, crafted_run) {
  craft_run(path, 2, 1);
  hid_t f = craft_rw(path);
  craft_pop(f, "drive", NULL, 2, 5.0, 1.0, 20.0); /* no layer */
  double lfp[CRAFT_N * 2], depth[2] = {100.0, 900.0};
  for (size_t i = 0; i < CRAFT_N; i++) {
    lfp[2 * i] = -1.0;
    lfp[2 * i + 1] = 4.0 + sin(2.0 * CRAFT_PI * 40.0 * (double)i * 1e-3);
  }
  hsize_t dl[2] = {CRAFT_N, 2}, dz = 2;
  craft_doubles(f, "/lfp", 2, dl, lfp);
  craft_doubles(f, "/probe/depth_um", 1, &dz, depth);
  hid_t d = H5Dopen2(f, "/lfp", H5P_DEFAULT);
  craft_attr_text(d, "unit", "uV");
  H5Dclose(d);
  H5Fclose(f);
  lam_analysis_opts o = lam_analysis_defaults();
  o.seg = 1.0; /* longer than the run: one segment of it all */
  lam_analysis *an = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(analyze(&o, &an, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(an->n, CRAFT_N);
  cr_assert_float_eq(an->fs, 1000.0, 1e-9);
  cr_assert_eq(an->nl, 2, "drive has no layer");
  cr_assert_str_eq(an->layer[0].name, "L2/3");
  cr_assert_str_eq(an->layer[0].unit, "mV");
  cr_assert_str_eq(an->layer[1].pops, "l5b");
  cr_assert_float_eq(an->layer[0].mean, 1.0, 1e-9);
  cr_assert_float_eq(an->layer[1].mean, 3.0, 1e-9);
  cr_assert(near_rel(an->layer[0].pw[1], 2.0, 2e-2), "%g", an->layer[0].pw[1]);
  /* 10 Hz in one 0.4 s Hann segment: the main lobe (+-5 Hz) reaches below
   * the band's 8 Hz, so most, not all, of 0.5 is in alpha/beta. */
  cr_assert(an->layer[1].pw[0] > 0.4 && an->layer[1].pw[0] < 0.5, "%g",
            an->layer[1].pw[0]);
  cr_assert_float_eq(an->layer[0].pk[1], 40.0, 1.0);
  cr_assert_float_eq(an->layer[1].pk[0], 10.0, 1.0);
  cr_assert(an->area[0].have_seg);
  const lam_analysis_area *a = &an->area[0];
  cr_assert_eq(a->nc, 2);
  cr_assert_str_eq(a->lfp_unit, "uV");
  cr_assert_float_eq(a->depth[1], 900.0, 0);
  cr_assert_float_eq(a->cmean[0], -1.0, 1e-12);
  cr_assert_float_eq(a->cmean[1], 4.0, 1e-9);
  cr_assert(near_rel(a->cpw[1 * an->nb + 1], 0.5, 2e-2), "%g", a->cpw[1 * an->nb + 1]);
  lam_analysis_free(an);
}

Test(run_analyze, t0_drops_samples) {
  craft_run(path, 1, 1);
  lam_analysis_opts o = lam_analysis_defaults();
  o.seg = 1.0;
  o.t0 = 0.1;
  lam_analysis *an = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(analyze(&o, &an, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(an->n, CRAFT_N - 100);
  cr_assert_float_eq(an->t0, 0.1, 0);
  cr_assert_float_eq(an->seg, 0.3, 1e-12, "the segment is shortened to the data");
  lam_analysis_free(an);
}

Test(run_analyze, short_trace_is_named) {
  craft_run(path, 1, 1);
  hid_t f = craft_rw(path);
  H5Ldelete(f, "/traces/l5b", H5P_DEFAULT);
  hsize_t dims[3] = {CRAFT_N - 5, 1, 1};
  double *v = calloc(CRAFT_N, sizeof *v);
  craft_doubles(f, "/traces/l5b", 3, dims, v);
  free(v);
  hid_t d = H5Dopen2(f, "/traces/l5b", H5P_DEFAULT);
  craft_attr_text(d, "layer", "L5");
  H5Dclose(d);
  H5Fclose(f);
  lam_analysis_opts o = lam_analysis_defaults();
  lam_analysis *an = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(analyze(&o, &an, &err), LAM_EINVAL);
  cr_assert_null(an);
  cr_assert(strstr(err.msg, "run.h5: expected as many samples as /time in /traces/l5b"),
            "%s", err.msg);
}
