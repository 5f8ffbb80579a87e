/* test_granger_cli.c: `laminar analyze` between areas on a run with known
 * one-way coupling.
 *
 * The file is written with the recorder API: a bivariate VAR(1) with
 * independent uniform innovations e1, e2 of equal variance,
 *   x_t = a x_{t-1} + e1_t,   y_t = b y_{t-1} + c x_{t-1} + e2_t,
 * a = 0.5, b = 0.4, c = 0.5, 60000 samples at 1000 Hz, recorded as area v1
 * (populations v1.l23 = x + d, v1.l5b = x - d: their mean is x) and area v2
 * (v2.l23 = y; v2.l4 = loud noise in L4, not part of the area signal).
 * Geweke's measure of this process in closed form (Ding et al. 2006):
 *   f_{x->y}(w) = ln(1 + c^2 / |1 - a e^{-iw}|^2),  f_{y->x}(w) = 0,
 * w = 2 pi f / fs; its band means (computed here on a fine grid) are
 * 0.678 (8-30 Hz) and 0.590 (30-80 Hz). The estimate's standard error
 * is about 0.01 here (a, c to 1/sqrt(N) = 0.004, d f / d a = 2 at 8 Hz); the
 * tolerance is 0.03. Orders up to 6 (BIC must pick 1). */
#include "lam_cli_test.h"


#include "lam_recorder.h"


static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  (void)self;
  (void)t;
  out[0] = y[pop];
}

/* Band mean of f_{x->y} on [lo, hi] Hz (trapezoid, 20000 intervals). */
static double closed_band(double a, double c, double lo, double hi, double fs) {
  const size_t m = 20000;
  double s = 0.0;
  for (size_t k = 0; k <= m; k++) {
    const double w = 6.283185307179586 * (lo + (hi - lo) * (double)k / (double)m) / fs;
    const double v = log(1.0 + c * c / (1.0 + a * a - 2.0 * a * cos(w)));
    s += (k == 0 || k == m) ? 0.5 * v : v;
  }
  return s / (double)m;
}

Test(granger_cli, one_way_coupling_between_areas, .fini = cli_cleanup) {
  cli_tmpdir("lamgc");
  static const lam_system_ops ops = {.observe = observe};
  static const lam_pop_info pops[] = {
      {"v1.l23", "a.u.", 1, 1, "L2/3", "x + d"},
      {"v1.l5b", "a.u.", 1, 1, "L5", "x - d"},
      {"v2.l23", "a.u.", 1, 1, "L2/3", "y"},
      {"v2.l4", "a.u.", 1, 1, "L4", "noise"},
  };
  double y[4] = {0};
  lam_system sys = {&ops, NULL, 4, 4, pops, y, 0, 0, "analytic"};
  char path[256], out[256];
  snprintf(path, sizeof path, "%s/var.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  const double a = 0.5, b = 0.4, c = 0.5, fs = 1000.0;
  unsigned long s = 987654321;
  double x = 0.0, yy = 0.0;
  for (size_t i = 0; i < 60000; i++) {
    double u[4];
    for (int k = 0; k < 4; k++) { /* 64-bit LCG (Knuth MMIX), uniform on [-1/2, 1/2) */
      s = s * 6364136223846793005UL + 1442695040888963407UL;
      u[k] = (double)(s >> 11) / 9007199254740992.0 - 0.5;
    }
    const double xn = a * x + u[0];
    yy = b * yy + c * x + u[1];
    x = xn;
    y[0] = x + u[2];
    y[1] = x - u[2];
    y[2] = yy;
    y[3] = 100.0 * u[3];
    cr_assert_eq(lam_recorder_sample(rec, (double)i / fs, y, &err), LAM_OK, "%s",
                 err.msg);
  }
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  snprintf(out, sizeof out, "%s/var.csv", dir);
  const char *args[] = {"analyze", path, "--csv", out, "--granger-order", "6", NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  char *csv = slurp("var.csv");
  const char *band[2] = {"alphabeta", "gamma"};
  const double lo[2] = {8, 30}, hi[2] = {30, 80};
  for (int k = 0; k < 2; k++) {
    const double want = closed_band(a, c, lo[k], hi[k], fs);
    const double fwd = csv_value(csv, "granger", "v1->v2", band[k]);
    const double bwd = csv_value(csv, "granger", "v2->v1", band[k]);
    cr_log_info("%s: v1->v2 %.4f (closed form %.4f), v2->v1 %.5f", band[k], fwd,
                want, bwd);
    cr_expect(fabs(fwd - want) < 0.03, "%s v1->v2 %g, closed form %g", band[k], fwd,
              want);
    cr_expect(fabs(bwd) < 0.005, "%s v2->v1 %g, expected 0", band[k], bwd);
  }
  cr_expect_eq(csv_value(csv, "granger", "v1->v2", "order"), 1.0);
  /* Table and JSON carry the same. */
  const char *a2[] = {"analyze", path, "--granger-ic", "aic", "--granger-order", "6", NULL};
  cr_assert_eq(run(a2), 0, "%s", slurp("stderr.txt"));
  char *tab = slurp("stdout.txt");
  cr_expect(strstr(tab, "spectral Granger causality between areas"), "%s", tab);
  cr_expect(strstr(tab, "v2->v1"), "%s", tab);
  char js[256];
  snprintf(js, sizeof js, "%s/var.json", dir);
  const char *a3[] = {"analyze", path, "--json", js, "--band", "beta=13:30", "--granger-order", "6", NULL};
  cr_assert_eq(run(a3), 0, "%s", slurp("stderr.txt"));
  char *j = slurp("var.json");
  cr_expect(strstr(j, "\"granger\": {\"criterion\": \"bic\""), "%s", j);
  cr_expect(strstr(j, "\"from\": \"v1\", \"to\": \"v2\", \"order\": 1, \"beta_granger\": 0.6"),
            "%s", j);
  const char *a4[] = {"analyze", path, "--granger-order", "0", NULL};
  cr_expect_eq(run(a4), 2);
  cr_expect(strstr(slurp("stderr.txt"), "--granger-order: expected an integer"));
}
