/* test_rhythms_cli.c: clocked and emergent rhythms through the command line
 * (`laminar run` then `laminar analyze`, or two runs compared).
 *
 * - The clocks set the frequencies (docs/rhythms.md, "Clocks"): with
 *   gamma_hz = 37 and alpha_hz = 11 (depth 0.5), the spectrum of the L2/3
 *   queries peaks at 37 Hz and that of the L5 burst output at 11 Hz, each
 *   within one Welch bin (1 Hz), over the whole 1-200 Hz range.
 * - Runs are reproducible: a Mejias 2016 run with the stochastic Heun
 *   method and a clocked attention run with random initial phases and
 *   Ornstein-Uhlenbeck input noise, each run twice with the same seeds,
 *   give byte-identical HDF5 datasets; another seed changes the traces.
 * - Mejias 2016 with its published parameters (interlaminar couplings on):
 *   the LFP at an L2/3 contact (300 um), its Welch PSD (1 s segments)
 *   averaged over seeds 1-5 of 60 s each, peaks in 35-50 Hz, the paper's
 *   "gamma 35 to 50 Hz" [S8] (docs/neural-masses.md: measured 36 Hz). */
#include "lam_cli_test.h"

#include <hdf5.h>

#include "lam_spectrum.h"


static void setup(void) {
  cli_tmpdir("lamrhy");
}

/* Run laminar with args (NULL-terminated), output to dir/stdout.txt and
 * dir/stderr.txt; the exit status. */
static const char *path_in(const char *name) {
  static char p[4][256];
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static void write_text(const char *name, const char *text) {
  FILE *f = fopen(path_in(name), "w");
  cr_assert(f);
  fputs(text, f);
  fclose(f);
}

/* Four attention columns, two heads, the column of models/default.ini
 * (docs/model.md), constant thalamic drive with OU noise, clocks at
 * 37 Hz (gamma, feedforward) and 11 Hz (alpha, feedback). */
static const char clocked[] =
    "[run]\nt_end = 3\ndt_record = 0.001\n"
    "[network]\ncolumns = 4\nheads = 2\nd_in = 8\nd_k = 8\nd_v = 8\n"
    "lateral = ring\nc_lat = 0.2\nc_td = 0.5\n"
    "[column]\ntau_l4 = 0.010\ntau_l23 = 0.010\ntau_l5b = 0.016\ntau_l5a = 0.007\n"
    "tau_pv = 0.008\ntau_som = 0.016\ntau_vip = 0.016\ntau_out = 0.020\n"
    "transfer = relu\ngate = bac\nbac_saturation = 2\npv = subtractive\nbeta = 1\n"
    "w_s = 0.5\nw_vs = 1.0\nw_sa = 0.5\nc_vip = 1.0\n"
    "[clocks]\nenabled = true\nmodel = phase\ngamma_hz = 37\nalpha_hz = 11\n"
    "gamma_depth = 0.5\nalpha_depth = 0.5\ncoupling = 10\ninit_phase = random\nseed = 1\n"
    "[stimulus]\nprotocol = constant\nnoise_sigma = 0.1\nnoise_tau = 0.01\nnoise_seed = 1\n"
    "[solver]\nmethod = adams\nrtol = 1e-6\natol = 1e-8\n";

Test(rhythms_cli, clocked_column_peaks_at_the_clock_frequencies, .init = setup, .fini = cli_cleanup) {
  write_text("clocked.ini", clocked);
  const char *r[] = {"run", path_in("clocked.ini"), "-o", path_in("c.h5"),
                     "--record", "l23,out", "--quiet", NULL};
  cr_assert_eq(run(r), 0, "%s", slurp("stderr.txt"));
  /* Only l23 and out recorded: layer L2/3 is the queries, L5 the output. */
  const char *a[] = {"analyze", path_in("c.h5"), "--t0", "1", "--band", "all=1:200",
                     "--csv", path_in("c.csv"), NULL};
  cr_assert_eq(run(a), 0, "%s", slurp("stderr.txt"));
  char *csv = slurp("c.csv");
  double fg = csv_value(csv, "layer", "L2/3", "all_peak");
  double fa = csv_value(csv, "layer", "L5", "all_peak");
  cr_expect(fabs(fg - 37.0) <= 1.0, "L2/3 peak %.4f Hz, clock gamma_hz 37", fg);
  cr_expect(fabs(fa - 11.0) <= 1.0, "L5 output peak %.4f Hz, clock alpha_hz 11", fa);
  cr_expect(strstr(csv, "\"L2/3\",mean") && strstr(csv, "\"L5\",mean"), "%s", csv);
}

/* ---- bit-identical datasets ---- */

typedef struct dsets {
  char name[64][128];
  unsigned char *data[64];
  size_t size[64];
  size_t n;
} dsets;

/* Every link; groups fail to open as datasets and are skipped. */
static herr_t visit(hid_t obj, const char *name, const H5L_info_t *info, void *op) {
  (void)info;
  dsets *d = op;
  hid_t ds = d->n == 64 ? -1 : H5Dopen2(obj, name, H5P_DEFAULT);
  if (ds < 0) {
    return 0;
  }
  hid_t ft = H5Dget_type(ds), sp = H5Dget_space(ds);
  hid_t mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
  size_t sz = H5Tget_size(mt) * (size_t)H5Sget_simple_extent_npoints(sp);
  unsigned char *buf = calloc(sz ? sz : 1, 1);
  if (H5Tis_variable_str(ft) <= 0 && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
    snprintf(d->name[d->n], sizeof d->name[d->n], "%s", name);
    d->data[d->n] = buf;
    d->size[d->n] = sz;
    d->n++;
  } else {
    free(buf);
  }
  H5Tclose(mt);
  H5Tclose(ft);
  H5Sclose(sp);
  H5Dclose(ds);
  return 0;
}

static void read_all(const char *file, dsets *d) {
  memset(d, 0, sizeof *d);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert(f >= 0, "cannot open %s", file);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, d);
  H5Fclose(f);
}

static void free_all(dsets *d) {
  for (size_t i = 0; i < d->n; i++) {
    free(d->data[i]);
  }
}

/* Runs model name with sets (NULL-terminated "--set", "k=v" pairs) into out. */
static void run_model(const char *model, const char *out, const char *const *sets) {
  const char *a[24] = {"run", model, "-o", out, "--quiet"};
  size_t k = 5;
  for (; sets && sets[k - 5]; k++) {
    a[k] = sets[k - 5];
  }
  a[k] = NULL;
  cr_assert_eq(run(a), 0, "%s", slurp("stderr.txt"));
}

/* Same seeds: every dataset byte for byte; other seeds: some trace differs. */
static void check_reproducible(const char *model, const char *const *same,
                               const char *const *other, size_t min_datasets) {
  run_model(model, path_in("a.h5"), same);
  run_model(model, path_in("b.h5"), same);
  run_model(model, path_in("c.h5"), other);
  dsets a, b, c;
  read_all(path_in("a.h5"), &a);
  read_all(path_in("b.h5"), &b);
  read_all(path_in("c.h5"), &c);
  cr_expect_geq(a.n, min_datasets, "%zu datasets", a.n);
  cr_expect_eq(a.n, b.n, "%zu vs %zu datasets", a.n, b.n);
  size_t ndiff = 0;
  for (size_t i = 0; i < a.n && i < b.n; i++) {
    cr_expect_str_eq(a.name[i], b.name[i]);
    cr_expect(a.size[i] == b.size[i] && !memcmp(a.data[i], b.data[i], a.size[i]),
              "%s: %s differs between two runs with the same seeds", model, a.name[i]);
  }
  for (size_t i = 0; i < a.n && i < c.n; i++) {
    if (!strncmp(a.name[i], "traces/", 7) &&
        (a.size[i] != c.size[i] || memcmp(a.data[i], c.data[i], a.size[i]))) {
      ndiff++;
    }
  }
  cr_expect_gt(ndiff, 0, "%s: another seed left every trace unchanged", model);
  free_all(&a);
  free_all(&b);
  free_all(&c);
}

Test(rhythms_cli, mejias_heun_runs_are_bit_identical, .init = setup, .fini = cli_cleanup) {
  char model[512];
  snprintf(model, sizeof model, "%s/models/mejias2016.ini", getenv("LAM_SOURCE_ROOT"));
  const char *same[] = {"--t-end", "1", NULL};
  const char *other[] = {"--t-end", "1", "--set", "solver.seed=2", NULL};
  check_reproducible(model, same, other, 9);
}

Test(rhythms_cli, clocked_attention_runs_are_bit_identical, .init = setup, .fini = cli_cleanup) {
  write_text("clocked.ini", clocked);
  /* With the probe, so /lfp and /csd are compared too. */
  const char *same[] = {"--t-end", "0.5", "--set", "probe.enabled=true", NULL};
  const char *other[] = {"--t-end", "0.5", "--set", "probe.enabled=true", "--set",
                         "clocks.seed=2", "--set", "stimulus.noise_seed=2", NULL};
  check_reproducible(path_in("clocked.ini"), same, other, 25);
}

Test(rhythms_cli, mejias_l23_lfp_peaks_at_published_gamma, .init = setup, .fini = cli_cleanup) {
  char model[512];
  snprintf(model, sizeof model, "%s/models/mejias2016.ini", getenv("LAM_SOURCE_ROOT"));
  lam_err err;
  lam_welch *w = lam_welch_new(1000, 1000.0, &err);
  cr_assert(w, "%s", err.msg);
  size_t nf = lam_welch_nfreq(w);
  double *acc = calloc(nf, sizeof *acc), *psd = calloc(nf, sizeof *psd);
  for (int seed = 1; seed <= 5; seed++) {
    char set[32];
    snprintf(set, sizeof set, "solver.seed=%d", seed);
    const char *sets[] = {"--t-end", "62", "--set", "probe.enabled=true", "--set", set, NULL};
    run_model(model, path_in("m.h5"), sets);
    dsets d;
    read_all(path_in("m.h5"), &d);
    const double *lfp = NULL, *z = NULL;
    size_t nlfp = 0, nz = 0;
    for (size_t i = 0; i < d.n; i++) {
      if (!strcmp(d.name[i], "lfp")) {
        lfp = (const double *)d.data[i], nlfp = d.size[i] / sizeof(double);
      } else if (!strcmp(d.name[i], "probe/depth_um")) {
        z = (const double *)d.data[i], nz = d.size[i] / sizeof(double);
      }
    }
    cr_assert(lfp && z && nz > 3 && fabs(z[3] - 300.0) < 1e-9, "no /lfp or contact 3 not at 300 um");
    size_t n = nlfp / nz, i0 = 2000; /* 1 kHz samples: drop the first 2 s */
    cr_assert_eq(lam_welch_psd(w, lfp + i0 * nz + 3, n - i0, nz, psd, &err), LAM_OK, "%s",
                 err.msg);
    for (size_t k = 0; k < nf; k++) {
      acc[k] += psd[k] / 5.0;
    }
    free_all(&d);
  }
  size_t best = 0;
  for (size_t k = 0; k < nf; k++) {
    double f = lam_welch_freq(w, k);
    if (f >= 30.0 && f <= 80.0 && (!best || acc[k] > acc[best])) {
      best = k;
    }
  }
  double fpk = lam_welch_freq(w, best);
  cr_expect(fpk >= 35.0 && fpk <= 50.0, "L2/3 LFP peak %.1f Hz, published 35-50 Hz", fpk);
  free(acc);
  free(psd);
  lam_welch_free(w);
}
