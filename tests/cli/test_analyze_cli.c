/* test_analyze_cli.c: `laminar analyze` on a run whose spectrum is known.
 *
 * The file is written with the recorder API from closed-form signals at
 * fs = 1000 Hz (lines on the 1 Hz bins of 1 s Welch segments, so each band
 * power is exactly A^2 / 2 and each peak exactly on its frequency):
 *   L2/3 (population l23, 2 identical columns): 1 + 2 sin(2 pi 40 t) + 0.2 sin(2 pi 20 t)
 *   L5   (population l5b, 2 identical columns): 3 + sin(2 pi 10 t) + 0.1 sin(2 pi 60 t)
 *   LFP contact c (3 contacts, 100 um apart): (c + 1) sin(2 pi 40 t)
 * Expected: L2/3 gamma 2, alpha/beta 0.02, peaks 40 and 20 Hz; L5 alpha/beta
 * 0.5, gamma 0.005, peaks 10 and 60 Hz; segregation ratios 400, 25, 10000;
 * coherence 1 between identical columns; MI 0 (constant gamma amplitude);
 * contact gamma power (c + 1)^2 / 2. */
#include "lam_cli_test.h"

#include <hdf5.h>
#include <dirent.h>
#include <sys/stat.h>

#include "lam_recorder.h"

#define TWO_PI 6.283185307179586


static void setup(void) {
  cli_tmpdir("lamana");
}

static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  (void)self;
  (void)t;
  memcpy(out, y + 2 * pop, 2 * sizeof *out);
}

/* The same for one column per population (out holds one value). */
static void observe1(void *self, size_t pop, double t, const double *y,
                     double *out) {
  (void)self;
  (void)t;
  out[0] = y[2 * pop];
}

/* The analytic run at dir/name; with_probe adds /lfp. */
static void write_run(const char *name, int with_probe) {
  static const lam_system_ops ops = {.observe = observe};
  static const lam_pop_info pops[] = {
      {"l23", "a.u.", 2, 1, "L2/3", "40 Hz line"},
      {"l5b", "a.u.", 2, 1, "L5", "10 Hz line"},
  };
  double y[4] = {0};
  lam_system sys = {&ops, NULL, 4, 2, pops, y, 0, 0, "analytic"};
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  if (with_probe) {
    double z[3] = {0.0, 100.0, 200.0};
    size_t dims[1] = {3};
    cr_assert_eq(lam_recorder_dataset(rec, "probe/depth_um", "um", z, 1, dims, &err),
                 LAM_OK, "%s", err.msg);
  }
  const double fs = 1000.0;
  for (size_t i = 0; i <= 4000; i++) {
    double t = (double)i / fs;
    y[0] = y[1] = 1.0 + 2.0 * sin(TWO_PI * 40.0 * t) + 0.2 * sin(TWO_PI * 20.0 * t);
    y[2] = y[3] = 3.0 + sin(TWO_PI * 10.0 * t) + 0.1 * sin(TWO_PI * 60.0 * t);
    cr_assert_eq(lam_recorder_sample(rec, t, y, &err), LAM_OK, "%s", err.msg);
    if (with_probe) {
      double lfp[3];
      for (int c = 0; c < 3; c++) {
        lfp[c] = (c + 1) * sin(TWO_PI * 40.0 * t);
      }
      cr_assert_eq(lam_recorder_series(rec, "lfp", "a.u.*ohm", lfp, 3, &err),
                   LAM_OK);
    }
  }
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
}

TestSuite(analyze_cli, .init = setup, .fini = cli_cleanup);

Test(analyze_cli, known_spectrum_csv) {
  write_run("run.h5", 1);
  char in[256], out[256];
  snprintf(in, sizeof in, "%s/run.h5", dir);
  snprintf(out, sizeof out, "%s/a.csv", dir);
  const char *args[] = {"analyze", in, "--csv", out, NULL};
  int st = run(args);
  cr_assert_eq(st, 0, "exit %d: %s", st, slurp("stderr.txt"));
  char *csv = slurp("a.csv");
  cr_assert(csv);
  cr_expect(!strncmp(csv, "kind,name,quantity,value,unit\n", 30), "%s", csv);
  struct {
    const char *kind, *name, *q;
    double want;
  } e[] = {
      {"layer", "L2/3", "mean", 1.0},
      {"layer", "L2/3", "gamma_power", 2.0},
      {"layer", "L2/3", "alphabeta_power", 0.02},
      {"layer", "L2/3", "gamma_peak", 40.0},
      {"layer", "L2/3", "alphabeta_peak", 20.0},
      {"layer", "L5", "mean", 3.0},
      {"layer", "L5", "alphabeta_power", 0.5},
      {"layer", "L5", "gamma_power", 0.005},
      {"layer", "L5", "alphabeta_peak", 10.0},
      {"layer", "L5", "gamma_peak", 60.0},
      {"layer", "L2/3", "gamma_coherence", 1.0},
      {"layer", "L5", "alphabeta_coherence", 1.0},
      {"index", "segregation", "gamma_ratio", 400.0},
      {"index", "segregation", "alphabeta_ratio", 25.0},
      {"index", "segregation", "laminar_ratio", 10000.0},
      {"contact", "0", "gamma_power", 0.5},
      {"contact", "2", "gamma_power", 4.5},
      {"contact", "1", "gamma_peak", 40.0},
      {"contact", "2", "depth", 200.0},
  };
  for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
    double v = csv_value(csv, e[i].kind, e[i].name, e[i].q);
    cr_expect(fabs(v - e[i].want) <= 1e-6 * fabs(e[i].want), "%s %s %s: %.10g, expected %g",
              e[i].kind, e[i].name, e[i].q, v, e[i].want);
  }
  /* Constant gamma amplitude: no phase-amplitude coupling. */
  double mi = csv_value(csv, "index", "pac", "tort_mi");
  cr_expect(mi >= 0.0 && mi < 1e-6, "MI %g", mi);
  cr_expect(strstr(csv, "gamma_power,2,(a.u.)^2") || strstr(csv, "(a.u.)^2"), "units");
  char part[300];
  snprintf(part, sizeof part, "%s.part", out);
  cr_expect(access(part, F_OK) != 0, "a .part file was left behind");
}

Test(analyze_cli, table_and_json) {
  write_run("run.h5", 0);
  char in[256], js[256];
  snprintf(in, sizeof in, "%s/run.h5", dir);
  const char *a1[] = {"analyze", in, NULL};
  cr_assert_eq(run(a1), 0, "%s", slurp("stderr.txt"));
  char *txt = slurp("stdout.txt");
  cr_expect(strstr(txt, "L2/3"), "%s", txt);
  cr_expect(strstr(txt, "40.000"), "%s", txt);
  cr_expect(strstr(txt, "10.000"), "%s", txt);
  cr_expect(strstr(txt, "units:"), "%s", txt);
  cr_expect(!strstr(txt, "LFP per contact"), "%s", txt);
  snprintf(js, sizeof js, "%s/a.json", dir);
  const char *a2[] = {"analyze", in, "--t0", "1", "--json", js, NULL};
  cr_assert_eq(run(a2), 0, "%s", slurp("stderr.txt"));
  char *j = slurp("a.json");
  cr_assert(j);
  cr_expect(j[0] == '{', "%s", j);
  cr_expect(strstr(j, "\"samples\": 3001"), "%s", j);
  cr_expect(strstr(j, "\"gamma_peak_hz\": 40"), "%s", j);
  cr_expect(strstr(j, "\"contacts\": []"), "%s", j);
  cr_expect(strstr(j, "\"pac_mi\": "), "%s", j);
}

Test(analyze_cli, errors_name_files_and_datasets) {
  char in[256];
  snprintf(in, sizeof in, "%s/missing.h5", dir);
  const char *a1[] = {"analyze", in, NULL};
  cr_expect_neq(run(a1), 0);
  char *e = slurp("stderr.txt");
  cr_expect(strstr(e, "missing.h5"), "%s", e);

  /* An HDF5 file without /time. */
  snprintf(in, sizeof in, "%s/empty.h5", dir);
  hid_t f = H5Fcreate(in, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  const char *a2[] = {"analyze", in, NULL};
  cr_expect_neq(run(a2), 0);
  e = slurp("stderr.txt");
  cr_expect(strstr(e, "empty.h5") && strstr(e, "/time"), "%s", e);

  /* Not HDF5 at all. */
  snprintf(in, sizeof in, "%s/text.h5", dir);
  FILE *t = fopen(in, "w");
  fputs("hello\n", t);
  fclose(t);
  const char *a3[] = {"analyze", in, NULL};
  cr_expect_neq(run(a3), 0);
  e = slurp("stderr.txt");
  cr_expect(strstr(e, "text.h5") && strstr(e, "HDF5"), "%s", e);

  const char *a4[] = {"analyze", in, "--json", "x", "--csv", "y", NULL};
  cr_expect_eq(run(a4), 2);
  const char *a5[] = {"analyze", in, "--t0", "-1", NULL};
  cr_expect_eq(run(a5), 2);
  e = slurp("stderr.txt");
  cr_expect(strstr(e, "--t0"), "%s", e);
  const char *a6[] = {"analyze", "--help", NULL};
  cr_expect_eq(run(a6), 0);
  cr_expect(strstr(slurp("stdout.txt"), "usage: laminar analyze"));
}

/* Known coupling: L5 = cos(phi), L2/3 = (1 + m cos(phi)) cos(2 pi 50 t),
 * phi = 2 pi 10 t + half a degree, fs = 3600 Hz, 4 s of whole periods: the
 * band-passed phase and envelope are exact, and after the dropped first and
 * last second every 20-degree bin holds samples at the centres of 1-degree
 * steps. The MI must be the KL closed form of the bin means
 * 1 + m (sin b - sin a) / (b - a) (Tort et al. 2010 [S34]). */
Test(analyze_cli, pac_of_known_modulation) {
  static const lam_system_ops ops = {.observe = observe1};
  static const lam_pop_info pops[] = {
      {"l23", "a.u.", 1, 1, "L2/3", "modulated 50 Hz"},
      {"l5b", "a.u.", 1, 1, "L5", "10 Hz phase"},
  };
  double y[4] = {0};
  lam_system sys = {&ops, NULL, 4, 2, pops, y, 0, 0, "analytic"};
  char path[256], out[256];
  snprintf(path, sizeof path, "%s/pac.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  const double fs = 3600.0, m = 0.5, PI = TWO_PI / 2.0;
  for (size_t i = 0; i < 14400; i++) {
    double t = (double)i / fs, phi = TWO_PI * 10.0 * t + PI / 360.0;
    y[0] = (1.0 + m * cos(phi)) * cos(TWO_PI * 50.0 * t);
    y[2] = cos(phi);
    cr_assert_eq(lam_recorder_sample(rec, t, y, &err), LAM_OK, "%s", err.msg);
  }
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  snprintf(out, sizeof out, "%s/pac.csv", dir);
  const char *args[] = {"analyze", path, "--csv", out, NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  double mi = csv_value(slurp("pac.csv"), "index", "pac", "tort_mi");
  const size_t N = 18;
  double P[18], sum = 0.0, kl = 0.0, d = TWO_PI / (double)N;
  for (size_t j = 0; j < N; j++) {
    double a = -PI + d * (double)j, b = a + d;
    P[j] = 1.0 + m * (sin(b) - sin(a)) / d;
    sum += P[j];
  }
  for (size_t j = 0; j < N; j++) {
    kl += P[j] / sum * log(P[j] / sum * (double)N);
  }
  double want = kl / log((double)N);
  cr_expect(fabs(mi / want - 1.0) < 1e-3, "MI %.8g, closed form %.8g", mi, want);
}

/* Bands given on the command line replace the defaults: the lines of the
 * known-spectrum run fall in them with power A^2 / 2 on their frequency. */
Test(analyze_cli, configurable_bands) {
  write_run("run.h5", 1);
  char in[256], out[256];
  snprintf(in, sizeof in, "%s/run.h5", dir);
  snprintf(out, sizeof out, "%s/b.csv", dir);
  const char *args[] = {"analyze", in, "--band", "low=15:25", "--band", "g40=35:45",
                        "--csv", out, NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  char *csv = slurp("b.csv");
  struct {
    const char *kind, *name, *q;
    double want;
  } e[] = {
      {"layer", "L2/3", "low_power", 0.02}, {"layer", "L2/3", "low_peak", 20.0},
      {"layer", "L2/3", "g40_power", 2.0},  {"layer", "L2/3", "g40_peak", 40.0},
      {"layer", "L2/3", "g40_coherence", 1.0},
      {"contact", "2", "g40_power", 4.5},   {"contact", "0", "g40_peak", 40.0},
  };
  for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
    double v = csv_value(csv, e[i].kind, e[i].name, e[i].q);
    cr_expect(fabs(v - e[i].want) <= 1e-6 * fabs(e[i].want), "%s %s %s: %.10g, expected %g",
              e[i].kind, e[i].name, e[i].q, v, e[i].want);
  }
  cr_expect(!strstr(csv, "gamma_power"), "default bands still there:\n%s", csv);
  cr_expect(!strstr(csv, "segregation"), "segregation without gamma and alphabeta");
  const char *bad[][2] = {{"--band", "x=30"}, {"--band", "x=40:30"}, {"--band", "=1:2"}};
  for (size_t i = 0; i < 3; i++) {
    const char *a[] = {"analyze", in, bad[i][0], bad[i][1], NULL};
    cr_expect_eq(run(a), 2, "%s accepted", bad[i][1]);
    cr_expect(strstr(slurp("stderr.txt"), "--band"), "%s", slurp("stderr.txt"));
  }
  const char *dup[] = {"analyze", in, "--band", "a=1:2", "--band", "a=3:4", NULL};
  cr_expect_eq(run(dup), 2);
}

static double coh_sig[3][2]; /* per population (l23, l4, l5b), one value */

static void observe_coh(void *self, size_t pop, double t, const double *y,
                        double *out) {
  (void)self;
  (void)t;
  (void)y;
  out[0] = coh_sig[pop][0];
}

/* Coherence between layers against its closed form: with white x and n
 * independent, of equal variance, L2/3 = x, L4 = 2x, L5 = x + n has
 * coherence 1 with L4 and S_x / (S_x + S_n) = 1/2 with L5 at every
 * frequency; L4 with L5 likewise 1/2. 120 s at 500 Hz, 1 s segments (239
 * averaged): the estimate's bias and spread are below 0.01 per band. */
Test(analyze_cli, coherence_between_layers) {
  static const lam_system_ops ops = {.observe = observe_coh};
  static const lam_pop_info pops[] = {
      {"l23", "a.u.", 1, 1, "L2/3", "x"},
      {"l4", "a.u.", 1, 1, "L4", "2 x"},
      {"l5b", "a.u.", 1, 1, "L5", "x + n"},
  };
  double y[3] = {0};
  lam_system sys = {&ops, NULL, 3, 3, pops, y, 0, 0, "analytic"};
  char path[256], out[256];
  snprintf(path, sizeof path, "%s/coh.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  unsigned long s = 12345;
  for (size_t i = 0; i < 60000; i++) {
    /* Two uniform deviates of variance 1/12 from a 64-bit LCG (Knuth MMIX). */
    double u[2];
    for (int k = 0; k < 2; k++) {
      s = s * 6364136223846793005UL + 1442695040888963407UL;
      u[k] = (double)(s >> 11) / 9007199254740992.0 - 0.5;
    }
    coh_sig[0][0] = u[0];
    coh_sig[1][0] = 2.0 * u[0];
    coh_sig[2][0] = u[0] + u[1];
    cr_assert_eq(lam_recorder_sample(rec, (double)i / 500.0, y, &err), LAM_OK, "%s",
                 err.msg);
  }
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  snprintf(out, sizeof out, "%s/coh.csv", dir);
  const char *args[] = {"analyze", path, "--csv", out, NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  char *csv = slurp("coh.csv");
  const char *q[] = {"alphabeta_coherence", "gamma_coherence"};
  for (int b = 0; b < 2; b++) {
    double c14 = csv_value(csv, "layer_pair", "L2/3:L4", q[b]);
    double c15 = csv_value(csv, "layer_pair", "L2/3:L5", q[b]);
    double c45 = csv_value(csv, "layer_pair", "L4:L5", q[b]);
    cr_expect(fabs(c14 - 1.0) < 1e-9, "L2/3:L4 %s %.10g, expected 1", q[b], c14);
    cr_expect(fabs(c15 - 0.5) < 0.02, "L2/3:L5 %s %.5g, expected 0.5", q[b], c15);
    cr_expect(fabs(c45 - 0.5) < 0.02, "L4:L5 %s %.5g, expected 0.5", q[b], c45);
    /* One column per layer: no column pairs. */
    cr_expect(isnan(csv_value(csv, "layer", "L5", q[b])));
  }
  char js[256];
  snprintf(js, sizeof js, "%s/coh.json", dir);
  const char *a2[] = {"analyze", path, "--json", js, NULL};
  cr_assert_eq(run(a2), 0, "%s", slurp("stderr.txt"));
  cr_expect(strstr(slurp("coh.json"), "\"layers\": [\"L2/3\", \"L4\"], \"alphabeta_coherence\": "));
}

/* l4: 3 columns (the keys); attn: 2 queries x 3 keys, (1 + t) [1 1 2] and
 * (1 + t) [1 1 1]. */
static void observe_attn(void *self, size_t pop, double t, const double *y,
                         double *out) {
  (void)self;
  (void)y;
  static const double w[6] = {1, 1, 2, 1, 1, 1};
  for (size_t k = 0; k < (pop == 0 ? 3u : 6u); k++) {
    out[k] = pop == 0 ? sin(TWO_PI * 40.0 * t) : (1.0 + t) * w[k];
  }
}

/* Entropy and total burst rate of the attention weights: row [1 1 2] has
 * entropy (3/2) ln 2, row [1 1 1] ln 3, whatever their scale; the total
 * burst rate per row is (1 + t) 4 and (1 + t) 3, so 3.5 (1 + t) on average:
 * 17.5 at t = 4 s and 10.5 averaged over 0..4 s. */
Test(analyze_cli, attention_entropy_and_burst_rate) {
  static const lam_system_ops ops = {.observe = observe_attn};
  static const lam_pop_info pops[] = {
      {"l4", "a.u.", 3, 1, "L4", "values"},
      {"attn", "1", 2, 3, "", "weights"},
  };
  double y[1] = {0};
  lam_system sys = {&ops, NULL, 1, 2, pops, y, 0, 0, "analytic"};
  char path[256], out[256];
  snprintf(path, sizeof path, "%s/attn.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  for (size_t i = 0; i <= 400; i++) {
    cr_assert_eq(lam_recorder_sample(rec, (double)i / 100.0, y, &err), LAM_OK, "%s",
                 err.msg);
  }
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  snprintf(out, sizeof out, "%s/attn.csv", dir);
  const char *args[] = {"analyze", path, "--csv", out, NULL};
  cr_assert_eq(run(args), 0, "%s", slurp("stderr.txt"));
  char *csv = slurp("attn.csv");
  double h = (1.5 * log(2.0) + log(3.0)) / 2.0;
  struct {
    const char *q;
    double want;
  } e[] = {{"entropy", h}, {"entropy_mean", h}, {"burst_rate", 17.5}, {"burst_rate_mean", 10.5}};
  for (size_t i = 0; i < 4; i++) {
    double v = csv_value(csv, "attention", "attn", e[i].q);
    cr_expect(fabs(v - e[i].want) < 1e-12 * e[i].want, "%s %.15g, expected %.15g", e[i].q, v,
              e[i].want);
  }
  const char *a2[] = {"analyze", path, NULL};
  cr_assert_eq(run(a2), 0, "%s", slurp("stderr.txt"));
  cr_expect(strstr(slurp("stdout.txt"), "total burst rate 17.5"), "%s", slurp("stdout.txt"));
  /* Without attention weights, JSON says so. */
  write_run("run.h5", 0);
  char in[256], js[256];
  snprintf(in, sizeof in, "%s/run.h5", dir);
  snprintf(js, sizeof js, "%s/n.json", dir);
  const char *a3[] = {"analyze", in, "--json", js, NULL};
  cr_assert_eq(run(a3), 0, "%s", slurp("stderr.txt"));
  cr_expect(strstr(slurp("n.json"), "\"attention\": null"), "%s", slurp("n.json"));
}

/* Two areas (populations AREA.pop, one electrode /AREA.lfp each) with
 * closed-form signals, 2 identical columns each, fs = 1000 Hz:
 *   v1.l23: 1 + 2 sin(2 pi 40 t) + 0.2 sin(2 pi 20 t)   v1.l5b: 3 + sin(2 pi 10 t) + 0.1 sin(2 pi 60 t)
 *   v2.l23: 2 + sin(2 pi 40 t) + 0.1 sin(2 pi 20 t)     v2.l5b: 5 + 3 sin(2 pi 10 t) + 0.3 sin(2 pi 60 t)
 *   v1.lfp contact c: (c + 1) sin(2 pi 40 t);  v2.lfp: (c + 1) / 2 sin(2 pi 40 t)
 * Each area's layers are its own: v1 L2/3 gamma 2, L5 alpha/beta 0.5 (the
 * single-area numbers above), v2 L2/3 gamma 0.5, alpha/beta 0.005, L5
 * alpha/beta 4.5, gamma 0.045, segregation ratios 0.5 / 0.045 = 11.11,
 * 4.5 / 0.005 = 900 and their product 10000; pooled, they would mix. */
Test(analyze_cli, per_area_layers_and_probes) {
  static const lam_system_ops ops = {.observe = observe};
  static const lam_pop_info pops[] = {
      {"v1.l23", "a.u.", 2, 1, "L2/3", "40 Hz"},
      {"v1.l5b", "a.u.", 2, 1, "L5", "10 Hz"},
      {"v2.l23", "a.u.", 2, 1, "L2/3", "40 Hz, half"},
      {"v2.l5b", "a.u.", 2, 1, "L5", "10 Hz, three times"},
  };
  double y[8] = {0};
  lam_system sys = {&ops, NULL, 8, 4, pops, y, 0, 0, "analytic"};
  char in[256], out[256], js[256];
  snprintf(in, sizeof in, "%s/areas.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(in, &sys, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  double z[3] = {0.0, 100.0, 200.0};
  size_t dims[1] = {3};
  cr_assert_eq(lam_recorder_dataset(rec, "probe/depth_um", "um", z, 1, dims, &err),
               LAM_OK, "%s", err.msg);
  for (size_t i = 0; i <= 4000; i++) {
    const double t = (double)i / 1000.0, s10 = sin(TWO_PI * 10.0 * t),
                 s20 = sin(TWO_PI * 20.0 * t), s40 = sin(TWO_PI * 40.0 * t),
                 s60 = sin(TWO_PI * 60.0 * t);
    y[0] = y[1] = 1.0 + 2.0 * s40 + 0.2 * s20;
    y[2] = y[3] = 3.0 + s10 + 0.1 * s60;
    y[4] = y[5] = 2.0 + s40 + 0.1 * s20;
    y[6] = y[7] = 5.0 + 3.0 * s10 + 0.3 * s60;
    cr_assert_eq(lam_recorder_sample(rec, t, y, &err), LAM_OK, "%s", err.msg);
    double l1[3], l2[3];
    for (int c = 0; c < 3; c++) {
      l1[c] = (c + 1) * s40;
      l2[c] = 0.5 * (c + 1) * s40;
    }
    cr_assert_eq(lam_recorder_series(rec, "v1.lfp", "a.u.*ohm", l1, 3, &err), LAM_OK);
    cr_assert_eq(lam_recorder_series(rec, "v2.lfp", "a.u.*ohm", l2, 3, &err), LAM_OK);
  }
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);

  snprintf(out, sizeof out, "%s/a.csv", dir);
  const char *a1[] = {"analyze", in, "--csv", out, NULL};
  int st = run(a1);
  cr_assert_eq(st, 0, "exit %d: %s", st, slurp("stderr.txt"));
  char *csv = slurp("a.csv");
  cr_assert(csv);
  struct {
    const char *kind, *name, *q;
    double want;
  } e[] = {
      {"layer", "v1.L2/3", "mean", 1.0},
      {"layer", "v1.L2/3", "gamma_power", 2.0},
      {"layer", "v1.L2/3", "gamma_peak", 40.0},
      {"layer", "v1.L5", "alphabeta_power", 0.5},
      {"layer", "v1.L5", "alphabeta_peak", 10.0},
      {"layer", "v2.L2/3", "mean", 2.0},
      {"layer", "v2.L2/3", "gamma_power", 0.5},
      {"layer", "v2.L2/3", "alphabeta_power", 0.005},
      {"layer", "v2.L2/3", "alphabeta_peak", 20.0},
      {"layer", "v2.L5", "mean", 5.0},
      {"layer", "v2.L5", "alphabeta_power", 4.5},
      {"layer", "v2.L5", "gamma_power", 0.045},
      {"layer", "v2.L5", "gamma_peak", 60.0},
      {"index", "v1.segregation", "gamma_ratio", 400.0},
      {"index", "v1.segregation", "laminar_ratio", 10000.0},
      {"index", "v2.segregation", "gamma_ratio", 0.5 / 0.045},
      {"index", "v2.segregation", "alphabeta_ratio", 900.0},
      {"index", "v2.segregation", "laminar_ratio", 10000.0},
      {"contact", "v1.0", "gamma_power", 0.5},
      {"contact", "v1.2", "gamma_power", 4.5},
      {"contact", "v2.0", "gamma_power", 0.125},
      {"contact", "v2.2", "gamma_power", 1.125},
      {"contact", "v2.1", "gamma_peak", 40.0},
      {"contact", "v2.2", "depth", 200.0},
  };
  for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
    double v = csv_value(csv, e[i].kind, e[i].name, e[i].q);
    cr_expect(fabs(v - e[i].want) <= 1e-6 * fabs(e[i].want), "%s %s %s: %.10g, expected %g",
              e[i].kind, e[i].name, e[i].q, v, e[i].want);
  }
  cr_expect(!strstr(csv, "\nlayer,\"L2/3\""), "a pooled layer row:\n%s", csv);
  cr_expect(!strstr(csv, "\ncontact,\"0\""), "a pooled contact row:\n%s", csv);

  const char *a2[] = {"analyze", in, NULL};
  cr_assert_eq(run(a2), 0, "%s", slurp("stderr.txt"));
  const char *txt = slurp("stdout.txt");
  const char *want[] = {"\nv1.L2/3 ", "\nv1.L5 ", "\nv2.L2/3 ", "\nv2.L5 ",
                        "segregation v1 (", "segregation v2 (",
                        "LFP per contact, area v1", "LFP per contact, area v2"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    cr_expect(strstr(txt, want[i]), "no '%s' in\n%s", want[i], txt);
  }

  snprintf(js, sizeof js, "%s/a.json", dir);
  const char *a3[] = {"analyze", in, "--json", js, NULL};
  cr_assert_eq(run(a3), 0, "%s", slurp("stderr.txt"));
  const char *j = slurp("a.json");
  cr_expect(strstr(j, "{\"area\": \"v2\", \"layer\": \"L5\""), "%s", j);
  cr_expect(strstr(j, "\"segregation\": {\"v1\": {\"gamma_ratio\": "), "%s", j);
  cr_expect(strstr(j, "{\"area\": \"v2\", \"contact\": 2, \"depth_um\": 200"), "%s", j);
}

/* Every shipped model can be analysed and drawn: each file in models/
 * (whatever is there) run briefly with the probe on, then `analyze`
 * (every kind records at least one population in a cortical layer) and
 * `plot --kind psd | traces | lfp`. The JSON names a layer, and a
 * Jansen-Rit run's pyramidal potential is its deep (L5) layer. */
Test(analyze_cli, every_shipped_model, .init = setup, .fini = cli_cleanup,
     .timeout = 600) {
  char models[512];
  snprintf(models, sizeof models, "%s/models", getenv("LAM_SOURCE_ROOT"));
  DIR *d = opendir(models);
  cr_assert(d, "%s", models);
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    const size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".ini")) {
      continue;
    }
    char model[800], h5[300], js[300];
    snprintf(model, sizeof model, "%s/%s", models, e->d_name);
    snprintf(h5, sizeof h5, "%s/m.h5", dir);
    snprintf(js, sizeof js, "%s/m.json", dir);
    const char *r[] = {"run", model, "--t-end", "0.3", "--set", "probe.enabled=1",
                       "-o", h5, NULL};
    cr_assert_eq(run(r), 0, "%s: %s", e->d_name, slurp("stderr.txt"));
    const char *a[] = {"analyze", h5, "--json", js, NULL};
    cr_assert_eq(run(a), 0, "%s: %s", e->d_name, slurp("stderr.txt"));
    const char *j = slurp("m.json");
    cr_assert(j && strstr(j, "\"layer\": \"L"), "%s: %s", e->d_name, j);
    cr_assert(strstr(j, "\"warnings\": ["), "%s", e->d_name);
    if (strstr(e->d_name, "jansen")) {
      cr_assert(strstr(j, "\"layer\": \"L5\", \"populations\": \"v_pyr\""), "%s", j);
    }
    const char *kinds[] = {"psd", "traces", "lfp"};
    for (size_t k = 0; k < 3; k++) {
      char png[300];
      snprintf(png, sizeof png, "%s/m_%s.png", dir, kinds[k]);
      const char *p[] = {"plot", h5, "--kind", kinds[k], "-o", png, NULL};
      cr_assert_eq(run(p), 0, "%s --kind %s: %s", e->d_name, kinds[k],
                   slurp("stderr.txt"));
    }
    n++;
  }
  closedir(d);
  cr_assert_geq(n, 4, "models/ holds the shipped models");
}
