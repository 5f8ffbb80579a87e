/* test_plot.c: `laminar plot` kinds against small files written here.
 *
 * A toy system (3 columns, populations l23, l4, l5b, attn shaped like the
 * attention network's) is recorded with the recorder API at 1 kHz for 1 s
 * together with a 6-contact probe (/lfp, /csd,
 * /probe/depth_um). Every recorded number is a closed-form function of t,
 * so the extracted arrays are checked against the formulas, the spectra
 * against the known sine frequencies and Parseval's identity, the sweep
 * statistics against hand-computed means, and the arrays handed to PLplot
 * (the data tap) against the extraction. Figures are decoded (libpng) or
 * parsed (SVG) and must have the requested size and real content.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "lam_config.h"
#include "lam_plot.h"
#include "lam_recorder.h"
#include "lam_run_analyze.h"

#define TWO_PI 6.283185307179586
#define T_COLS 3
#define HEADS 2
#define FS_HZ 1000.0
#define NSAMP 1000
#define NCONT 6
#define F_L23 40.0 /* Hz: inside the gamma band */
#define F_L4 10.0  /* Hz: inside the alpha/beta band */

/* ---- the toy system ---------------------------------------------------- */

static double v_l23(double t, size_t c, size_t u) {
  return (double)(c + 1) * sin(TWO_PI * F_L23 * t) + 0.1 * (double)u;
}
static double v_l4(double t, size_t c) {
  return (double)(c + 1) * sin(TWO_PI * F_L4 * t) + 0.5;
}
static double v_l5b(double t, size_t c) {
  return cos(TWO_PI * 20.0 * t) - 0.2 * (double)c;
}
/* Attention weight of query i, head h, key j at time t. */
static double v_attn(double t, size_t i, size_t h, size_t j) {
  return (1.0 + (double)i + 2.0 * (double)h + 3.0 * (double)j) / (1.0 + t);
}
static double v_lfp(double t, size_t k) {
  return sin(TWO_PI * 5.0 * t + (double)k) * (1.0 + (double)k);
}
static double v_csd(double t, size_t k) {
  return cos(TWO_PI * 7.0 * t) * ((double)k - 1.5);
}

static void toy_observe(void *self, size_t pop, double t, const double *y,
                        double *out) {
  (void)self;
  (void)y;
  for (size_t c = 0; c < T_COLS; c++) {
    switch (pop) {
    case 3:
      out[c * 2] = v_l23(t, c, 0);
      out[c * 2 + 1] = v_l23(t, c, 1);
      break;
    case 0:
      out[c] = v_l4(t, c);
      break;
    case 2:
      out[c] = v_l5b(t, c);
      break;
    default:
      for (size_t h = 0; h < HEADS; h++) {
        for (size_t j = 0; j < T_COLS; j++) {
          out[c * HEADS * T_COLS + h * T_COLS + j] = v_attn(t, c, h, j);
        }
      }
    }
  }
}

static int toy_rhs(void *self, double t, const double *y, double *dydt) {
  (void)self;
  (void)t;
  (void)y;
  dydt[0] = 0.0;
  return 0;
}

static const lam_system_ops toy_ops = {.rhs = toy_rhs, .observe = toy_observe};
/* Stored in file order l4, attn, l5b, l23: the figure must reorder. */
static const lam_pop_info toy_pops[4] = {
    {.name = "l4", .unit = "a.u.", .ncols = T_COLS, .nunits = 1, .layer = "L4", .doc = ""},
    {.name = "attn", .unit = "1", .ncols = T_COLS, .nunits = HEADS * T_COLS, .layer = "", .doc = ""},
    {.name = "l5b", .unit = "a.u.", .ncols = T_COLS, .nunits = 1, .layer = "L5", .doc = ""},
    {.name = "l23", .unit = "a.u.", .ncols = T_COLS, .nunits = 2, .layer = "L2/3", .doc = ""},
};

static char dir[64];
static char run_probe[128], run_plain[128], sweep_csv[128];

static double tsample(size_t i) { return (double)i / FS_HZ; }

/* The toy run with the first npops populations of toy_pops. */
static void write_run_pops(const char *path, int probe, size_t npops) {
  lam_system s = {.ops = &toy_ops, .n = 1, .npops = npops, .pops = toy_pops,
                  .kind = "toy"};
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(path, &s, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  double y = 0.0;
  for (size_t i = 0; i < NSAMP; i++) {
    double t = tsample(i);
    cr_assert_eq(lam_recorder_sample(rec, t, &y, &err), LAM_OK, "%s", err.msg);
    if (probe) {
      double lfp[NCONT], csd[NCONT - 2];
      for (size_t k = 0; k < NCONT; k++) {
        lfp[k] = v_lfp(t, k);
      }
      for (size_t k = 0; k < NCONT - 2; k++) {
        csd[k] = v_csd(t, k);
      }
      cr_assert_eq(lam_recorder_series(rec, "lfp", "mV", lfp, NCONT, &err),
                   LAM_OK, "%s", err.msg);
      cr_assert_eq(lam_recorder_series(rec, "csd", "uA/mm^3", csd,
                                       NCONT - 2, &err),
                   LAM_OK, "%s", err.msg);
    }
  }
  if (probe) {
    double depth[NCONT];
    for (size_t k = 0; k < NCONT; k++) {
      depth[k] = 100.0 + 250.0 * (double)k;
    }
    size_t dims[1] = {NCONT};
    cr_assert_eq(lam_recorder_dataset(rec, "probe/depth_um", "um", depth, 1,
                                      dims, &err),
                 LAM_OK, "%s", err.msg);
  }
  cr_assert_eq(lam_recorder_final(rec, tsample(NSAMP - 1), &y, &err), LAM_OK,
               "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
}

static void write_run(const char *path, int probe) {
  write_run_pops(path, probe, 4);
}

/* Two swept keys (3 x 2 points), two repeats each, one failed row. */
static double sweep_metric(double beta, double w, int rep) {
  return 10.0 * beta + w + (rep ? 0.5 : -0.5);
}

static void write_sweep(const char *path) {
  FILE *fp = fopen(path, "w");
  cr_assert_not_null(fp);
  fprintf(fp, "# laminar sweep\n# model: toy\n");
  fprintf(fp, "id,column.beta,column.w_s,seed,gamma_ratio,status,error,wall_s\n");
  int id = 0;
  const double betas[3] = {0.5, 1.0, 1.5}, ws[2] = {0.0, 2.0};
  for (int b = 0; b < 3; b++) {
    for (int w = 0; w < 2; w++) {
      for (int r = 0; r < 2; r++) {
        fprintf(fp, "%d,%g,%g,%d,%.17g,ok,,0.1\n", id++, betas[b], ws[w], r,
                sweep_metric(betas[b], ws[w], r));
      }
    }
  }
  fprintf(fp, "%d,1.5,2,7,999,failed,\"solver failure, step too small\",0.2\n",
          id++);
  fclose(fp);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_plot_XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(run_probe, sizeof run_probe, "%s/probe.h5", dir);
  snprintf(run_plain, sizeof run_plain, "%s/plain.h5", dir);
  snprintf(sweep_csv, sizeof sweep_csv, "%s/sweep.csv", dir);
  write_run(run_probe, 1);
  write_run(run_plain, 0);
  write_sweep(sweep_csv);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(plot, .init = setup, .fini = teardown);

static lam_plot_data *extract(const char *input, lam_plot_kind kind,
                              lam_plot_opts *o) {
  lam_plot_opts def = lam_plot_opts_defaults();
  if (!o) {
    o = &def;
  }
  o->kind = kind;
  lam_err err = {0, ""};
  lam_plot_data *d = lam_plot_extract(input, o, &err);
  cr_assert_not_null(d, "%s: %s", lam_plot_kind_name(kind), err.msg);
  return d;
}

static const lam_plot_array *need(const lam_plot_data *d, const char *name) {
  const lam_plot_array *a = lam_plot_data_find(d, name);
  cr_assert_not_null(a, "no array %s", name);
  return a;
}

/* ---- extraction against the formulas --------------------------------- */

Test(plot, traces_match_the_file_in_cortical_order) {
  lam_plot_data *d = extract(run_probe, LAM_PLOT_TRACES, NULL);
  const lam_plot_array *t = need(d, "time");
  cr_assert_eq(t->cols, NSAMP);
  cr_assert_str_eq(t->unit, "ms");
  for (size_t i = 0; i < NSAMP; i++) {
    cr_assert_float_eq(t->v[i], 1e3 * tsample(i), 1e-9);
  }
  const lam_plot_array *l23 = need(d, "traces/l23");
  cr_assert_eq(l23->rows, T_COLS);
  cr_assert_str_eq(l23->unit, "a.u.");
  cr_assert_str_eq(l23->label, "L2/3");
  for (size_t c = 0; c < T_COLS; c++) {
    for (size_t i = 0; i < NSAMP; i += 37) {
      double want = 0.5 * (v_l23(tsample(i), c, 0) + v_l23(tsample(i), c, 1));
      cr_assert_float_eq(l23->v[c * NSAMP + i], want, 1e-12);
    }
  }
  /* Cortical order: L2/3, L4, L5, then the derived attn. */
  const char *order[] = {"traces/l23", "traces/l4", "traces/l5b",
                         "traces/attn"};
  size_t k = 0;
  for (size_t i = 0; i < lam_plot_data_count(d); i++) {
    const lam_plot_array *a = lam_plot_data_at(d, i);
    if (!strncmp(a->name, "traces/", 7) && !strchr(a->name + 7, '/')) {
      cr_assert(k < 4);
      cr_assert_str_eq(a->name, order[k]);
      k++;
    }
  }
  cr_assert_eq(k, 4);
  lam_plot_data_free(d);
}

Test(plot, traces_window_and_columns) {
  lam_plot_opts o = lam_plot_opts_defaults();
  int cols[2] = {0, 2};
  o.columns = cols;
  o.ncolumns = 2;
  o.t0_s = 0.2;
  o.t1_s = 0.3;
  lam_plot_data *d = extract(run_probe, LAM_PLOT_TRACES, &o);
  const lam_plot_array *t = need(d, "time");
  /* Samples 200 .. 300 inclusive. */
  cr_assert_eq(t->cols, 101);
  cr_assert_float_eq(t->v[0], 200.0, 1e-9);
  const lam_plot_array *l4 = need(d, "traces/l4");
  const lam_plot_array *cc = need(d, "traces/l4/columns");
  cr_assert_eq(l4->rows, 2);
  cr_assert_float_eq(cc->v[1], 2.0, 0.0);
  for (size_t i = 0; i < t->cols; i++) {
    cr_assert_float_eq(l4->v[t->cols + i], v_l4(tsample(200 + i), 2), 1e-12);
  }
  lam_plot_data_free(d);

  o.t0_s = 0.5;
  o.t1_s = 0.4;
  lam_err err = {0, ""};
  o.kind = LAM_PLOT_TRACES;
  cr_assert_null(lam_plot_extract(run_probe, &o, &err));
  cr_assert_eq(err.code, LAM_EINVAL);
  int bad = 3;
  o = lam_plot_opts_defaults();
  o.columns = &bad;
  o.ncolumns = 1;
  cr_assert_null(lam_plot_extract(run_probe, &o, &err));
  cr_assert(strstr(err.msg, "column 3"), "%s", err.msg);
}

Test(plot, psd_peaks_and_parseval) {
  lam_plot_data *d = extract(run_probe, LAM_PLOT_PSD, NULL);
  const lam_plot_array *f = need(d, "freq");
  const lam_plot_array *p23 = need(d, "psd/L2/3");
  const lam_plot_array *p4 = need(d, "psd/L4");
  cr_assert_null(lam_plot_data_find(d, "psd/")); /* attn has no layer */
  double df = f->v[1] - f->v[0];
  cr_assert_float_eq(f->v[0], df, 1e-9); /* DC left out */
  /* Parseval (Welch density scaling): sum P df = variance. The layer PSD
   * is analyze's, the mean of the columns' PSDs, so the sum is the mean of
   * the columns' variances: L2/3 column c is (c+1) sin + const, variance
   * (c+1)^2 / 2, mean over c < 3 (1 + 4 + 9) / 6 = 7/3; L4 likewise. Hann
   * leakage into the DC bin (left out) is small for whole-cycle segments. */
  double s23 = 0.0, s4 = 0.0;
  for (size_t k = 0; k < f->cols; k++) {
    s23 += p23->v[k] * df;
    s4 += p4->v[k] * df;
  }
  cr_assert_float_eq(s23, 7.0 / 3.0, 0.1, "L2/3 power %g", s23);
  cr_assert_float_eq(s4, 7.0 / 3.0, 0.1, "L4 power %g", s4);
  const lam_plot_array *k23 = need(d, "peaks/L2/3");
  const lam_plot_array *k4 = need(d, "peaks/L4");
  /* Rows: alphabeta, gamma (lam_bands order). */
  cr_assert_float_eq(k23->v[2], F_L23, 0.5, "gamma peak %g", k23->v[2]);
  cr_assert_float_eq(k4->v[0], F_L4, 0.5, "alpha/beta peak %g", k4->v[0]);
  cr_assert(k23->v[3] > 0.0);
  lam_plot_data_free(d);
}

/* The PSD figure marks the peaks `laminar analyze` prints: the same
 * spectrum (segment rule, mean of the columns' PSDs) and the same rule
 * (largest local maximum strictly inside the band), on one file. */
Test(plot, psd_peaks_are_analyze_peaks) {
  lam_err err;
  lam_runfile *rf = NULL;
  cr_assert_eq(lam_runfile_open(run_probe, 0, &rf, &err), LAM_OK, "%s", err.msg);
  lam_analysis_opts ao = lam_analysis_defaults();
  lam_analysis *an = NULL;
  cr_assert_eq(lam_run_analyze(rf, &ao, &an, &err), LAM_OK, "%s", err.msg);
  lam_plot_data *d = extract(run_probe, LAM_PLOT_PSD, NULL);
  size_t compared = 0;
  for (size_t l = 0; l < an->nl; l++) {
    char name[96];
    snprintf(name, sizeof name, "peaks/%s", an->layer[l].name);
    const lam_plot_array *pk = need(d, name);
    cr_assert_eq(pk->rows, an->nb);
    for (size_t b = 0; b < an->nb; b++) {
      const double fa = an->layer[l].pk[b], fp = pk->v[2 * b];
      cr_assert((isnan(fa) && isnan(fp)) || fa == fp,
                "%s %s: analyze %g Hz, plot %g Hz", name, an->band[b].name, fa, fp);
      compared += isfinite(fa);
    }
    snprintf(name, sizeof name, "psd/%s", an->layer[l].name);
    const lam_plot_array *p = need(d, name);
    cr_assert_eq(p->cols, an->nfreq - 1);
    for (size_t k = 0; k < p->cols; k++) {
      cr_assert_eq(p->v[k], an->layer[l].psd[k + 1]);
    }
  }
  /* Known peaks: L2/3 gamma at 40 Hz, L4 alpha/beta at 10 Hz. */
  cr_assert_geq(compared, 2);
  lam_plot_data_free(d);
  lam_analysis_free(an);
  lam_runfile_free(rf);
}

Test(plot, probe_arrays_match_the_file) {
  lam_plot_data *d = extract(run_probe, LAM_PLOT_CSD, NULL);
  const lam_plot_array *z = need(d, "depth");
  const lam_plot_array *c = need(d, "csd");
  cr_assert_eq(z->cols, NCONT - 2);
  cr_assert_float_eq(z->v[0], 350.0, 1e-12); /* interior contacts only */
  cr_assert_eq(c->rows, NSAMP);
  cr_assert_eq(c->cols, NCONT - 2);
  cr_assert_str_eq(c->unit, "uA/mm^3");
  for (size_t i = 0; i < NSAMP; i += 11) {
    for (size_t k = 0; k < NCONT - 2; k++) {
      cr_assert_float_eq(c->v[i * (NCONT - 2) + k], v_csd(tsample(i), k),
                         1e-12);
    }
  }
  lam_plot_data_free(d);
  d = extract(run_probe, LAM_PLOT_LFP, NULL);
  z = need(d, "depth");
  const lam_plot_array *l = need(d, "lfp");
  cr_assert_eq(z->cols, NCONT);
  cr_assert_float_eq(z->v[NCONT - 1], 1350.0, 1e-12);
  cr_assert_eq(l->rows, NCONT);
  cr_assert_str_eq(l->unit, "mV");
  for (size_t k = 0; k < NCONT; k++) {
    for (size_t i = 0; i < NSAMP; i += 13) {
      cr_assert_float_eq(l->v[k * NSAMP + i], v_lfp(tsample(i), k), 1e-12);
    }
  }
  lam_plot_data_free(d);
}

Test(plot, attention_final_and_at) {
  lam_plot_data *d = extract(run_probe, LAM_PLOT_ATTENTION, NULL);
  double tf = tsample(NSAMP - 1);
  cr_assert_float_eq(need(d, "at")->v[0], tf, 1e-12);
  for (size_t h = 0; h < HEADS; h++) {
    char nm[32];
    snprintf(nm, sizeof nm, "attention/h%zu", h);
    const lam_plot_array *a = need(d, nm);
    cr_assert_eq(a->rows, T_COLS);
    cr_assert_eq(a->cols, T_COLS);
    for (size_t i = 0; i < T_COLS; i++) {
      for (size_t j = 0; j < T_COLS; j++) {
        cr_assert_float_eq(a->v[j * T_COLS + i], v_attn(tf, i, h, j), 1e-12);
      }
    }
  }
  cr_assert_null(lam_plot_data_find(d, "attention/h2"));
  lam_plot_data_free(d);
  lam_plot_opts o = lam_plot_opts_defaults();
  o.at_s = 0.2504; /* nearest sample: 0.250 */
  d = extract(run_probe, LAM_PLOT_ATTENTION, &o);
  cr_assert_float_eq(need(d, "at")->v[0], 0.25, 1e-12);
  cr_assert_float_eq(need(d, "attention/h1")->v[2 * T_COLS + 1],
                     v_attn(0.25, 1, 1, 2), 1e-12);
  lam_plot_data_free(d);
  o.at_s = 5.0;
  lam_err err = {0, ""};
  cr_assert_null(lam_plot_extract(run_probe, &o, &err));
  cr_assert_eq(err.code, LAM_EINVAL);
}

Test(plot, sweep_heat_map_and_line) {
  lam_plot_data *d = extract(sweep_csv, LAM_PLOT_SWEEP, NULL);
  const lam_plot_array *x = need(d, "sweep/x");
  const lam_plot_array *y = need(d, "sweep/y");
  const lam_plot_array *m = need(d, "sweep/mean");
  const lam_plot_array *n = need(d, "sweep/n");
  cr_assert_str_eq(x->label, "column.beta");
  cr_assert_str_eq(y->label, "column.w_s");
  cr_assert_str_eq(m->label, "gamma_ratio");
  /* Axis units from the section list (io/lam_sections.h). */
  cr_assert_str_eq(x->unit, "1/a.u.");
  cr_assert_str_eq(y->unit, "1");
  cr_assert_eq(x->cols, 3);
  cr_assert_eq(y->cols, 2);
  /* Repeats +-0.5 average out; the failed row (999) is left out. */
  for (size_t i = 0; i < 3; i++) {
    for (size_t j = 0; j < 2; j++) {
      cr_assert_float_eq(m->v[i * 2 + j], 10.0 * x->v[i] + y->v[j], 1e-12);
      cr_assert_float_eq(n->v[i * 2 + j], 2.0, 0.0);
    }
  }
  lam_plot_data_free(d);
  lam_plot_opts o = lam_plot_opts_defaults();
  o.xkey = "column.w_s";
  o.ykey = "";
  d = extract(sweep_csv, LAM_PLOT_SWEEP, &o);
  cr_assert_null(lam_plot_data_find(d, "sweep/y"));
  m = need(d, "sweep/mean");
  const lam_plot_array *sd = need(d, "sweep/sd");
  cr_assert_eq(m->cols, 2);
  /* Over beta {0.5, 1, 1.5} x repeats: mean 10 + w; sample s.d. of
   * {4.5, 5.5, 9.5, 10.5, 14.5, 15.5}: sqrt(101.5 / 5). */
  cr_assert_float_eq(m->v[1], 12.0, 1e-12);
  cr_assert_float_eq(sd->v[0], sqrt(101.5 / 5.0), 1e-12);
  lam_plot_data_free(d);
  o.metric = "nope";
  lam_err err = {0, ""};
  cr_assert_null(lam_plot_extract(sweep_csv, &o, &err));
  cr_assert(strstr(err.msg, "gamma_ratio"), "%s", err.msg);
}

/* Every section has its units on a sweep axis, the clocks and stimulus
 * too (a swept clocks.gamma_hz is in Hz), scoped area keys take their
 * section's, and a column that is no key has none. */
Test(plot, sweep_axis_units_of_every_section) {
  char path[160];
  snprintf(path, sizeof path, "%s/units.csv", dir);
  const struct {
    const char *key, *unit;
  } cases[] = {{"clocks.gamma_hz", "Hz"},
               {"stimulus.noise_tau", "s"},
               {"area.v2.clocks.alpha_hz", "Hz"},
               {"column.gate", ""},
               {"nosection.key", ""}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    fprintf(fp, "id,%s,m,status,error,wall_s\n0,35,1,ok,,0.1\n1,45,2,ok,,0.1\n",
            cases[c].key);
    fclose(fp);
    lam_plot_data *d = extract(path, LAM_PLOT_SWEEP, NULL);
    const lam_plot_array *x = need(d, "sweep/x");
    cr_assert_str_eq(x->label, cases[c].key);
    cr_assert_str_eq(x->unit, cases[c].unit, "%s: unit '%s'", cases[c].key, x->unit);
    lam_plot_data_free(d);
  }
}

/* ---- missing data ----------------------------------------------------- */

Test(plot, missing_probe_names_the_model_key) {
  char out[160];
  snprintf(out, sizeof out, "%s/csd.png", dir);
  lam_err err = {0, ""};
  lam_plot_opts o = lam_plot_opts_defaults();
  int rc = lam_plot_csd(run_plain, &o, out, &err);
  cr_assert_eq(rc, LAM_ENOTFOUND);
  cr_assert(strstr(err.msg, "[probe] enabled = true"), "%s", err.msg);
  cr_assert(strstr(err.msg, "/csd"), "%s", err.msg);
  rc = lam_plot_lfp(run_plain, &o, out, &err);
  cr_assert_eq(rc, LAM_ENOTFOUND);
  cr_assert(strstr(err.msg, "[probe] enabled = true"), "%s", err.msg);
  struct stat st;
  cr_assert_neq(stat(out, &st), 0, "no figure from a failed plot");
  char part[200];
  snprintf(part, sizeof part, "%s.part", out);
  cr_assert_neq(stat(part, &st), 0, "no temporary left behind");
  /* An unreadable file is an I/O error, not a crash. */
  rc = lam_plot_traces(sweep_csv, &o, out, &err);
  cr_assert_eq(rc, LAM_EIO, "%s", err.msg);
}

/* ---- rendering ---------------------------------------------------------- */

typedef struct tap_log {
  const lam_plot_data *d;
  size_t checked, calls;
  char first_bad[128];
} tap_log;

/* Every tapped array named after an extracted one ("<name>:y", or a row
 * "<name>/c<col>:y" of traces, "<name>/<k>:y" of lfp) must equal it. */
static void tap_cb(void *user, const char *name, const double *v, size_t n) {
  tap_log *L = user;
  L->calls++;
  char base[128];
  snprintf(base, sizeof base, "%s", name);
  char *colon = strrchr(base, ':');
  if (!colon || strcmp(colon, ":err") == 0) {
    return;
  }
  int is_x = !strcmp(colon, ":x");
  *colon = 0;
  const lam_plot_array *a = lam_plot_data_find(L->d, base);
  const double *want = NULL;
  size_t wn = 0;
  if (a && !is_x) {
    want = a->v;
    wn = a->rows * a->cols;
  } else if (!is_x) {
    char *slash = strrchr(base, '/');
    if (!slash) {
      return;
    }
    *slash = 0;
    const char *row = slash + 1;
    a = lam_plot_data_find(L->d, base);
    if (!a) {
      return;
    }
    size_t r;
    if (row[0] == 'c') {
      char cn[160];
      snprintf(cn, sizeof cn, "%s/columns", base);
      const lam_plot_array *cols = lam_plot_data_find(L->d, cn);
      long c = strtol(row + 1, NULL, 10);
      for (r = 0; cols && r < cols->cols && cols->v[r] != (double)c; r++) {
      }
    } else {
      r = (size_t)strtoul(row, NULL, 10);
    }
    if (r >= a->rows) {
      snprintf(L->first_bad, sizeof L->first_bad, "%s: no such row", name);
      return;
    }
    want = a->v + r * a->cols;
    wn = a->cols;
  } else {
    /* x of a line: the time or frequency axis. */
    a = lam_plot_data_find(L->d, "time");
    a = a ? a : lam_plot_data_find(L->d, "freq");
    a = a ? a : lam_plot_data_find(L->d, "sweep/x");
    if (!a || a->cols != n) {
      return;
    }
    want = a->v;
    wn = a->cols;
  }
  if (wn != n || memcmp(want, v, n * sizeof *v) != 0) {
    if (!L->first_bad[0]) {
      snprintf(L->first_bad, sizeof L->first_bad, "%s differs", name);
    }
    return;
  }
  L->checked++;
}

/* Distinct colours of a PNG and its size. */
static void png_stats(const char *path, int *w, int *h, size_t *ncolors) {
  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  cr_assert(png_image_begin_read_from_file(&img, path), "%s: %s", path,
            img.message);
  img.format = PNG_FORMAT_RGB;
  size_t sz = PNG_IMAGE_SIZE(img);
  unsigned char *buf = malloc(sz);
  cr_assert_not_null(buf);
  cr_assert(png_image_finish_read(&img, NULL, buf, 0, NULL), "%s",
            img.message);
  *w = (int)img.width;
  *h = (int)img.height;
  /* Count distinct colours with a 2^15-bucket bitmap of 5-bit channels. */
  static unsigned char seen[1 << 15];
  memset(seen, 0, sizeof seen);
  size_t n = 0;
  for (size_t i = 0; i + 2 < sz; i += 3) {
    unsigned key = ((unsigned)(buf[i] >> 3) << 10) |
                   ((unsigned)(buf[i + 1] >> 3) << 5) | (buf[i + 2] >> 3);
    if (!seen[key]) {
      seen[key] = 1;
      n++;
    }
  }
  free(buf);
  *ncolors = n;
}

static char *slurp(const char *path) {
  FILE *fp = fopen(path, "rb");
  cr_assert_not_null(fp, "%s", path);
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  cr_assert_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
  s[n] = 0;
  fclose(fp);
  return s;
}

static size_t count(const char *s, const char *what) {
  size_t n = 0;
  for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) {
    n++;
  }
  return n;
}

static void render_both(const char *input, lam_plot_kind kind,
                        lam_plot_opts *o, size_t min_colors) {
  if (!LAM_HAVE_PLPLOT) {
    cr_skip_test("built without PLplot");
  }
  lam_plot_data *d = extract(input, kind, o);
  const char *ext[2] = {"png", "svg"};
  for (int e = 0; e < 2; e++) {
    char out[200];
    snprintf(out, sizeof out, "%s/%s.%s", dir, lam_plot_kind_name(kind),
             ext[e]);
    tap_log L = {d, 0, 0, ""};
    o->tap = tap_cb;
    o->tap_user = &L;
    o->width_px = 640;
    o->height_px = 480;
    lam_err err = {0, ""};
    int rc = lam_plot_draw(d, o, out, &err);
    cr_assert_eq(rc, LAM_OK, "%s: %s", out, err.msg);
    cr_assert_str_empty(L.first_bad, "%s: %s", out, L.first_bad);
    cr_assert(L.checked >= 1, "%s: no drawn array checked (%zu taps)", out,
              L.calls);
    char part[220];
    snprintf(part, sizeof part, "%s.part", out);
    struct stat st;
    cr_assert_neq(stat(part, &st), 0, "temporary left behind");
    if (e == 0) {
      int w, h;
      size_t nc;
      png_stats(out, &w, &h, &nc);
      cr_assert_eq(w, 640);
      cr_assert_eq(h, 480);
      cr_assert(nc >= min_colors, "%s: only %zu colours", out, nc);
    } else {
      char *s = slurp(out);
      cr_assert(strstr(s, "<svg"), "%s: no <svg> element", out);
      cr_assert(strstr(s, "</svg>"), "%s: not closed", out);
      cr_assert(strstr(s, "width=\"640") && strstr(s, "height=\"480"),
                "%s: size", out);
      cr_assert(count(s, "<path") >= 20, "%s: %zu paths", out,
                count(s, "<path"));
      free(s);
    }
  }
  lam_plot_data_free(d);
}

Test(plot, render_traces) {
  lam_plot_opts o = lam_plot_opts_defaults();
  render_both(run_probe, LAM_PLOT_TRACES, &o, 8);
}
Test(plot, render_psd) {
  lam_plot_opts o = lam_plot_opts_defaults();
  render_both(run_probe, LAM_PLOT_PSD, &o, 8);
}
Test(plot, render_csd) {
  lam_plot_opts o = lam_plot_opts_defaults();
  render_both(run_probe, LAM_PLOT_CSD, &o, 40);
}
Test(plot, render_lfp) {
  lam_plot_opts o = lam_plot_opts_defaults();
  render_both(run_probe, LAM_PLOT_LFP, &o, 4);
}
Test(plot, render_attention) {
  lam_plot_opts o = lam_plot_opts_defaults();
  render_both(run_probe, LAM_PLOT_ATTENTION, &o, 16);
}
Test(plot, render_sweep) {
  lam_plot_opts o = lam_plot_opts_defaults();
  render_both(sweep_csv, LAM_PLOT_SWEEP, &o, 16);
  o = lam_plot_opts_defaults();
  o.ykey = "";
  render_both(sweep_csv, LAM_PLOT_SWEEP, &o, 4);
}

Test(plot, pdf_and_bad_extension) {
  if (!LAM_HAVE_PLPLOT) {
    cr_skip_test("built without PLplot");
  }
  char out[200];
  snprintf(out, sizeof out, "%s/t.pdf", dir);
  lam_err err = {0, ""};
  cr_assert_eq(lam_plot_traces(run_probe, NULL, out, &err), LAM_OK, "%s",
               err.msg);
  char *s = slurp(out);
  cr_assert(!strncmp(s, "%PDF", 4));
  free(s);
  snprintf(out, sizeof out, "%s/t.gif", dir);
  cr_assert_eq(lam_plot_traces(run_probe, NULL, out, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, ".png"), "%s", err.msg);
}

Test(plot, parse_columns_and_kinds) {
  int *c;
  size_t n;
  lam_err err = {0, ""};
  cr_assert_eq(lam_plot_parse_columns("0,2,5-7", &c, &n, &err), LAM_OK);
  cr_assert_eq(n, 5);
  cr_assert_eq(c[4], 7);
  free(c);
  cr_assert_eq(lam_plot_parse_columns("1,x", &c, &n, &err), LAM_EINVAL);
  cr_assert_eq(lam_plot_parse_columns("3-1", &c, &n, &err), LAM_EINVAL);
  /* Beyond int: 2147483648 became column -2147483648; a number beyond long
   * saturated strtol and the range loop never ended. */
  cr_assert_eq(lam_plot_parse_columns("2147483648", &c, &n, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "2147483647"), "%s", err.msg);
  cr_assert_eq(lam_plot_parse_columns("1,99999999999999999999", &c, &n, &err),
               LAM_EINVAL);
  cr_assert_null(c);
  cr_assert_eq(lam_plot_parse_columns("0-99999,100000", &c, &n, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "at most 100000"), "%s", err.msg);
  cr_assert_eq(lam_plot_parse_columns("0-99999", &c, &n, &err), LAM_OK);
  cr_assert_eq(n, 100000);
  cr_assert_eq(c[99999], 99999);
  free(c);
  lam_plot_kind k;
  cr_assert_eq(lam_plot_kind_parse("csd", &k, &err), LAM_OK);
  cr_assert_eq(k, LAM_PLOT_CSD);
  cr_assert_eq(lam_plot_kind_parse("heat", &k, &err), LAM_EINVAL);
  char out[64];
  cr_assert_eq(lam_plot_default_output("runs/a.b/x.h5", LAM_PLOT_PSD, out,
                                       sizeof out, &err),
               LAM_OK);
  cr_assert_str_eq(out, "runs/a.b/x_psd.png");
}

/* The default traces figure grows with the number of population panels,
 * at least 110 px each, so labels and ticks of stacked panels never crowd;
 * --height (height_px) still wins. */
Test(plot, traces_default_height_grows_with_panels) {
  if (!LAM_HAVE_PLPLOT) {
    cr_skip_test("built without PLplot");
  }
  char one[160], out1[160], out4[160], outh[160];
  snprintf(one, sizeof one, "%s/one.h5", dir);
  snprintf(out1, sizeof out1, "%s/one_traces.png", dir);
  snprintf(out4, sizeof out4, "%s/four_traces.png", dir);
  snprintf(outh, sizeof outh, "%s/fixed_traces.png", dir);
  write_run_pops(one, 0, 1); /* l4 only */
  lam_err err = {0, ""};
  cr_assert_eq(lam_plot_traces(one, NULL, out1, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_plot_traces(run_plain, NULL, out4, &err), LAM_OK, "%s",
               err.msg);
  lam_plot_opts o = lam_plot_opts_defaults();
  o.height_px = 300;
  cr_assert_eq(lam_plot_traces(run_plain, &o, outh, &err), LAM_OK, "%s",
               err.msg);
  int w1, h1, w4, h4, wh, hh;
  size_t nc;
  png_stats(out1, &w1, &h1, &nc);
  png_stats(out4, &w4, &h4, &nc);
  png_stats(outh, &wh, &hh, &nc);
  cr_assert_eq(w1, w4, "width %d vs %d", w1, w4);
  cr_assert_geq(h1, 110, "one panel: %d px", h1);
  cr_assert_geq(h4, 4 * 110, "four panels: %d px", h4);
  cr_assert_geq(h4 - h1, 3 * 110, "three more panels add %d px", h4 - h1);
  cr_assert_eq(hh, 300, "--height 300 gave %d px", hh);
}

/* A symbolic link planted as FIG.part is refused, never written through
 * (PLplot would have opened it by name). */
Test(plot, symlink_part_not_followed) {
  if (!LAM_HAVE_PLPLOT) {
    cr_skip_test("built without PLplot");
  }
  char out[200], part[220], victim[200];
  snprintf(out, sizeof out, "%s/fig.png", dir);
  snprintf(part, sizeof part, "%s.part", out);
  snprintf(victim, sizeof victim, "%s/victim.txt", dir);
  FILE *f = fopen(victim, "w");
  fputs("keep me\n", f);
  fclose(f);
  cr_assert_eq(symlink(victim, part), 0);
  lam_err err = {0, ""};
  cr_assert_neq(lam_plot_traces(run_probe, NULL, out, &err), LAM_OK);
  cr_assert(strstr(err.msg, "symbolic link"), "%s", err.msg);
  char *s = slurp(victim);
  cr_assert_str_eq(s, "keep me\n", "the link's target was written");
  free(s);
  struct stat st;
  cr_assert_neq(stat(out, &st), 0);
}

/* Under a file-size limit the figure fails with errno's reason and leaves
 * nothing: no truncated image under its name, no FIG.part. */
Test(plot, file_size_limit_leaves_no_figure) {
  if (!LAM_HAVE_PLPLOT) {
    cr_skip_test("built without PLplot");
  }
  char out[200], part[220];
  snprintf(out, sizeof out, "%s/big.png", dir);
  snprintf(part, sizeof part, "%s.part", out);
  int p[2];
  cr_assert_eq(pipe(p), 0);
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit r = {8192, 8192};
    setrlimit(RLIMIT_FSIZE, &r);
    lam_err e = {0, ""};
    int rc = lam_plot_traces(run_probe, NULL, out, &e);
    dprintf(p[1], "%d %s", rc, e.msg);
    _exit(0);
  }
  close(p[1]);
  char buf[2048] = "";
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  close(p[0]);
  int st;
  waitpid(pid, &st, 0);
  cr_assert(WIFEXITED(st), "died of a signal");
  cr_assert_neq(atoi(buf), LAM_OK, "a figure under an 8 kB limit: %s", buf);
  cr_assert(strstr(buf, "File too large"), "%s", buf);
  struct stat sb;
  cr_assert_neq(stat(out, &sb), 0, "a truncated figure was published");
  cr_assert_neq(stat(part, &sb), 0, "FIG.part left behind");
}

/* A run not marked complete (complete = 0, as a stopped run leaves its
 * FILE.part) is refused unless opts.partial, and then titled so. */
Test(plot, incomplete_run_needs_partial_and_is_titled) {
  char part[160], whole[160];
  snprintf(part, sizeof part, "%s/stopped.h5.part", dir);
  snprintf(whole, sizeof whole, "%s/stopped.h5", dir);
  write_run(whole, 0);
  cr_assert_eq(rename(whole, part), 0);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(part, H5F_ACC_RDWR, H5P_DEFAULT);
  cr_assert(f >= 0);
  H5Adelete(f, "complete");
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, "complete", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  int zero = 0;
  cr_assert(a >= 0 && H5Awrite(a, H5T_NATIVE_INT, &zero) >= 0);
  H5Aclose(a);
  H5Sclose(sp);
  H5Fclose(f);
  lam_plot_opts o = lam_plot_opts_defaults();
  lam_err err = {0, ""};
  cr_assert_null(lam_plot_extract(part, &o, &err));
  cr_expect_eq(err.code, LAM_EINVAL);
  cr_expect(strstr(err.msg, "stopped.h5.part") && strstr(err.msg, "complete = 0"),
            "%s", err.msg);
  o.partial = 1;
  lam_plot_data *d = extract(part, LAM_PLOT_TRACES, &o);
  const char *title = lam_plot_data_title(d);
  size_t L = strlen(title), M = strlen(" (incomplete run)");
  cr_expect(L > M && !strcmp(title + L - M, " (incomplete run)"), "%s", title);
  cr_expect_eq(need(d, "time")->cols, NSAMP);
  lam_plot_data_free(d);
  /* A complete run with partial set is drawn as always. */
  d = extract(run_plain, LAM_PLOT_TRACES, &o);
  cr_expect_str_eq(lam_plot_data_title(d), "plain.h5");
  lam_plot_data_free(d);
}

/* The bifurcation kind reads `analyze --scan --branch`'s CSV: stability
 * changes along a branch by two are Hopf points, by one folds, marked half
 * way between the points around them; a change between branches is none. */
Test(plot, bifurcation_marks_hopf_and_fold) {
  char csv[160], png[160];
  snprintf(csv, sizeof csv, "%s/branch.csv", dir);
  snprintf(png, sizeof png, "%s/branch.png", dir);
  FILE *f = fopen(csv, "w");
  cr_assert(f);
  fputs("branch,value,n_unstable,y0,y1\n"
        "1,0,0,0.1,1\n1,1,0,0.1,2\n1,2,2,0.1,3\n1,3,2,0.1,4\n1,4,3,0.1,5\n"
        "2,0,1,0.1,9\n2,1,1,0.1,8\n", f);
  fclose(f);
  lam_plot_opts o = lam_plot_opts_defaults();
  o.kind = LAM_PLOT_BIFURCATION;
  lam_err err;
  lam_plot_data *d = lam_plot_extract(csv, &o, &err);
  cr_assert(d, "%s", err.msg);
  const lam_plot_array *h = need(d, "bif/hopf"), *fo = need(d, "bif/fold");
  const lam_plot_array *y = need(d, "bif/y");
  cr_assert_str_eq(y->label, "y1", "the state that varies most");
  cr_assert_eq(h->rows, 1);
  cr_assert_float_eq(h->v[0], 1.5, 1e-12);
  cr_assert_float_eq(h->v[1], 2.5, 1e-12);
  cr_assert_eq(fo->rows, 1);
  cr_assert_float_eq(fo->v[0], 3.5, 1e-12);
  cr_assert_eq(lam_plot_draw(d, &o, png, &err), LAM_OK, "%s", err.msg);
  struct stat st;
  cr_assert(stat(png, &st) == 0 && st.st_size > 1000);
  lam_plot_data_free(d);
  /* Not a branch CSV: the message says what is expected. */
  o.kind = LAM_PLOT_BIFURCATION;
  cr_assert_null(lam_plot_extract(sweep_csv, &o, &err));
  cr_assert(strstr(err.msg, "--branch FILE"), "%s", err.msg);
}
