/* test_plot_areas.c: `laminar plot` on a run of stacked areas.
 *
 * models/two-areas.ini (v1 feeds v2, v2 feeds back) is run with the probe
 * for 50 ms through the library and recorded as `laminar run` records it:
 * one electrode per area (/v1.lfp, /v1.csd, /v2.lfp, /v2.csd), populations
 * /traces/v1.l4, ... (docs/hierarchy.md). The figures of area v2 must show
 * v2's datasets: the extracted arrays and the arrays handed to PLplot (data
 * tap) are compared with the HDF5 file read here directly, to 1e-12. Without
 * an area the first (v1) is drawn; an area the run does not have is an error
 * naming the areas present; a single-area run takes no area.
 */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../circuits/lam_test_util.h"
#include "lam_config.h"
#include "lam_model.h"
#include "lam_plot.h"
#include "lam_recorder.h"
#include "lam_sim.h"
#include "lam_params.h"
#include "lam_simrec.h"

#define TOL 1e-12

static char dir[64], run_two[160], run_one[160];

/* models/two-areas.ini (or, areas = 0, its [network] alone) with the probe,
 * recorded to out. */
static void run_model(const char *out, int areas) {
  char path[512];
  snprintf(path, sizeof path, "%s/models/two-areas.ini",
           getenv("LAM_SOURCE_ROOT"));
  lam_model *m = lam_model_new();
  lam_err err = {0, ""};
  if (areas) {
    cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  } else {
    cr_assert_eq(lam_model_load_text(m,
                                     "[network]\ncolumns = 4\nheads = 2\n"
                                     "topology = topdown\n",
                                     "one.ini", ".", &err),
                 LAM_OK, "%s", err.msg);
  }
  cr_assert_eq(lam_model_set(m, "probe.enabled=true", &err), LAM_OK, "%s",
               err.msg);
  cr_assert_eq(lam_model_set(m, "run.t_end=0.05", &err), LAM_OK, "%s",
               err.msg);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_recorder *rec = lam_recorder_open(out, lam_sim_system(sim), NULL, &err);
  cr_assert(rec, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  cr_assert_eq(lam_sim_record(sim, &o, rec, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  lam_sim_free(sim);
  lam_model_free(m);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "%s", tu_tmpdir());
  snprintf(run_two, sizeof run_two, "%s/two.h5", dir);
  snprintf(run_one, sizeof run_one, "%s/one.h5", dir);
  run_model(run_two, 1);
  run_model(run_one, 0);
}

TestSuite(plot_areas, .init = setup);

/* A dataset of the file (rows x cols, the product of the trailing dims). */
typedef struct ds {
  double *v;
  size_t rows, cols;
} ds;

static ds read_ds(const char *file, const char *name) {
  ds d;
  hsize_t dims[3] = {0, 0, 0};
  int rank;
  size_t n = tu_h5_read(file, name, &d.v, dims, &rank);
  cr_assert_gt(n, 0, "%s: no dataset %s", file, name);
  d.rows = (size_t)dims[0];
  d.cols = n / d.rows;
  return d;
}

static lam_plot_data *extract(const char *input, lam_plot_kind kind,
                              const char *area) {
  lam_plot_opts o = lam_plot_opts_defaults();
  o.kind = kind;
  o.area = area;
  lam_err err = {0, ""};
  lam_plot_data *d = lam_plot_extract(input, &o, &err);
  cr_assert_not_null(d, "%s --area %s: %s", lam_plot_kind_name(kind),
                     area ? area : "(none)", err.msg);
  return d;
}

static const lam_plot_array *need(const lam_plot_data *d, const char *name) {
  const lam_plot_array *a = lam_plot_data_find(d, name);
  cr_assert_not_null(a, "no array %s", name);
  return a;
}

/* The drawn LFP (contact k in row k) and CSD (as stored) against the file's
 * samples x contacts datasets. */
static void check_lfp(const lam_plot_array *a, const ds *f) {
  cr_assert_eq(a->rows, f->cols);
  cr_assert_eq(a->cols, f->rows);
  for (size_t k = 0; k < f->cols; k++) {
    for (size_t i = 0; i < f->rows; i++) {
      cr_assert_float_eq(a->v[k * f->rows + i], f->v[i * f->cols + k], TOL,
                         "contact %zu sample %zu", k, i);
    }
  }
}

static void check_csd(const lam_plot_array *a, const ds *f) {
  cr_assert_eq(a->rows, f->rows);
  cr_assert_eq(a->cols, f->cols);
  for (size_t i = 0; i < f->rows * f->cols; i++) {
    cr_assert_float_eq(a->v[i], f->v[i], TOL, "value %zu", i);
  }
}

/* max |a - b| over n values. */
static double max_diff(const double *a, const double *b, size_t n) {
  double m = 0.0;
  for (size_t i = 0; i < n; i++) {
    m = fmax(m, fabs(a[i] - b[i]));
  }
  return m;
}

/* ---- the data tap against the file --------------------------------------- */

typedef struct tap_file {
  const ds *lfp, *csd; /* the file's datasets of the area drawn */
  size_t checked;
  char bad[160];
} tap_file;

/* "lfp/<k>:y" must be column k of the file's LFP, "csd:z" its CSD. */
static void tap_cb(void *user, const char *name, const double *v, size_t n) {
  tap_file *T = user;
  const ds *f = NULL;
  size_t k = 0;
  int col = 0;
  if (T->lfp && !strncmp(name, "lfp/", 4) && strstr(name, ":y")) {
    f = T->lfp;
    k = (size_t)strtoul(name + 4, NULL, 10);
    col = 1;
  } else if (T->csd && !strcmp(name, "csd:z")) {
    f = T->csd;
  } else {
    return;
  }
  size_t want = col ? f->rows : f->rows * f->cols;
  if (n != want || (col && k >= f->cols)) {
    snprintf(T->bad, sizeof T->bad, "%s: %zu values, expected %zu", name, n,
             want);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    double w = col ? f->v[i * f->cols + k] : f->v[i];
    if (!(fabs(v[i] - w) <= TOL)) {
      snprintf(T->bad, sizeof T->bad, "%s[%zu] = %.17g, file %.17g", name, i,
               v[i], w);
      return;
    }
  }
  T->checked++;
}

/* Render kind of area into PNG and SVG; the tap compares with the file. */
static void render_area(lam_plot_kind kind, const char *area, const ds *lfp,
                        const ds *csd) {
  if (!LAM_HAVE_PLPLOT) {
    cr_skip_test("built without PLplot");
  }
  const char *ext[2] = {"png", "svg"};
  for (int e = 0; e < 2; e++) {
    char out[220];
    snprintf(out, sizeof out, "%s/%s_%s.%s", dir, area,
             lam_plot_kind_name(kind), ext[e]);
    tap_file T = {lfp, csd, 0, ""};
    lam_plot_opts o = lam_plot_opts_defaults();
    o.kind = kind;
    o.area = area;
    o.csd_static = 1; /* the map as stored, to compare with v2's dataset */
    o.tap = tap_cb;
    o.tap_user = &T;
    o.width_px = 640;
    o.height_px = 480;
    lam_err err = {0, ""};
    cr_assert_eq(lam_plot_render(run_two, &o, out, &err), LAM_OK, "%s: %s",
                 out, err.msg);
    cr_assert_str_empty(T.bad, "%s: %s", out, T.bad);
    size_t want = lfp ? lfp->cols : 1;
    cr_assert_eq(T.checked, want, "%s: %zu arrays checked, expected %zu", out,
                 T.checked, want);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0, "%s not written", out);
    cr_assert_gt(st.st_size, 1000, "%s: %lld bytes", out,
                 (long long)st.st_size);
  }
}

/* ---- tests ------------------------------------------------------------- */

Test(plot_areas, the_run_lists_its_areas) {
  char names[64];
  size_t n = 99;
  lam_err err = {0, ""};
  cr_assert_eq(lam_plot_run_areas(run_two, names, sizeof names, &n, &err),
               LAM_OK, "%s", err.msg);
  cr_assert_eq(n, 2);
  cr_assert_str_eq(names, "v1,v2");
  cr_assert_eq(lam_plot_run_areas(run_one, names, sizeof names, &n, &err),
               LAM_OK, "%s", err.msg);
  cr_assert_eq(n, 0);
  cr_assert_str_empty(names);
}

/* "names = v1, v2": the list parser stepped from the name's first letter
 * instead of the item's start, past the end of the text after a blank. */
Test(plot_areas, area_names_with_blanks_after_commas) {
  char spaced[200], cmd[512];
  snprintf(spaced, sizeof spaced, "%s/spaced.h5", dir);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", run_two, spaced);
  cr_assert_eq(system(cmd), 0);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(spaced, H5F_ACC_RDWR, H5P_DEFAULT);
  cr_assert(f >= 0);
  cr_assert(H5Adelete(f, "model") >= 0);
  hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
  H5Tset_size(t, H5T_VARIABLE);
  hid_t a = H5Acreate2(f, "model", t, sp, H5P_DEFAULT, H5P_DEFAULT);
  const char *text = "[areas]\nnames = v1,\tv2 ,  v3\n";
  cr_assert(a >= 0 && H5Awrite(a, t, &text) >= 0);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
  H5Fclose(f);
  char names[64];
  size_t n = 0;
  lam_err err = {0, ""};
  cr_assert_eq(lam_plot_run_areas(spaced, names, sizeof names, &n, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_eq(n, 3);
  cr_expect_str_eq(names, "v1,v2,v3");
}

Test(plot_areas, lfp_and_csd_of_area_v2_are_v2s_datasets) {
  ds lfp2 = read_ds(run_two, "/v2.lfp"), csd2 = read_ds(run_two, "/v2.csd");
  ds lfp1 = read_ds(run_two, "/v1.lfp");
  /* The test can tell the areas apart: their electrodes differ. */
  double sep = max_diff(lfp1.v, lfp2.v, lfp1.rows * lfp1.cols);
  cr_assert_gt(sep, 1e-6, "v1 and v2 LFPs differ by only %g", sep);

  lam_plot_data *d = extract(run_two, LAM_PLOT_LFP, "v2");
  check_lfp(need(d, "lfp"), &lfp2);
  cr_assert(strstr(lam_plot_data_title(d), "area v2"), "title '%s'",
            lam_plot_data_title(d));
  lam_plot_data_free(d);
  d = extract(run_two, LAM_PLOT_CSD, "v2");
  check_csd(need(d, "csd"), &csd2);
  lam_plot_data_free(d);

  render_area(LAM_PLOT_LFP, "v2", &lfp2, NULL);
  render_area(LAM_PLOT_CSD, "v2", NULL, &csd2);
  free(lfp1.v);
  free(lfp2.v);
  free(csd2.v);
}

Test(plot_areas, without_an_area_the_first_is_drawn) {
  ds lfp1 = read_ds(run_two, "/v1.lfp"), csd1 = read_ds(run_two, "/v1.csd");
  const char *none[2] = {NULL, ""};
  for (int k = 0; k < 2; k++) {
    lam_plot_data *d = extract(run_two, LAM_PLOT_LFP, none[k]);
    check_lfp(need(d, "lfp"), &lfp1);
    cr_assert(strstr(lam_plot_data_title(d), "area v1"), "title '%s'",
              lam_plot_data_title(d));
    lam_plot_data_free(d);
    d = extract(run_two, LAM_PLOT_CSD, none[k]);
    check_csd(need(d, "csd"), &csd1);
    lam_plot_data_free(d);
  }
  render_area(LAM_PLOT_LFP, "v1", &lfp1, NULL);
  free(lfp1.v);
  free(csd1.v);
}

Test(plot_areas, an_unknown_area_names_the_areas) {
  const lam_plot_kind kinds[] = {LAM_PLOT_LFP, LAM_PLOT_CSD, LAM_PLOT_TRACES,
                                 LAM_PLOT_PSD, LAM_PLOT_ATTENTION};
  for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
    lam_plot_opts o = lam_plot_opts_defaults();
    o.kind = kinds[k];
    o.area = "v3";
    lam_err err = {0, ""};
    cr_assert_null(lam_plot_extract(run_two, &o, &err));
    cr_assert_eq(err.code, LAM_EINVAL, "%s", err.msg);
    cr_assert(strstr(err.msg, "v3") && strstr(err.msg, "v1, v2"), "%s",
              err.msg);
  }
  /* A single-area run has no areas to choose from. */
  lam_plot_opts o = lam_plot_opts_defaults();
  o.kind = LAM_PLOT_LFP;
  o.area = "v1";
  lam_err err = {0, ""};
  cr_assert_null(lam_plot_extract(run_one, &o, &err));
  cr_assert_eq(err.code, LAM_EINVAL, "%s", err.msg);
  cr_assert(strstr(err.msg, "single-area"), "%s", err.msg);
}

Test(plot_areas, a_single_area_run_draws_its_own_probe) {
  ds lfp = read_ds(run_one, "/lfp");
  lam_plot_data *d = extract(run_one, LAM_PLOT_LFP, NULL);
  check_lfp(need(d, "lfp"), &lfp);
  cr_assert_null(strstr(lam_plot_data_title(d), "area"), "title '%s'",
                 lam_plot_data_title(d));
  lam_plot_data_free(d);
  free(lfp.v);
}

/* traces: only the area's populations, the mean over units per column;
 * attention: the area's own final weights. */
Test(plot_areas, traces_and_attention_of_one_area) {
  lam_plot_data *d = extract(run_two, LAM_PLOT_TRACES, "v2");
  size_t npan = 0;
  for (size_t i = 0; i < lam_plot_data_count(d); i++) {
    const lam_plot_array *a = lam_plot_data_at(d, i);
    if (!strncmp(a->name, "traces/", 7) && !strchr(a->name + 7, '/')) {
      cr_assert(!strncmp(a->name, "traces/v2.", 10), "%s drawn for v2",
                a->name);
      npan++;
    }
  }
  cr_assert_geq(npan, 8, "%zu populations of v2", npan);
  /* Cortical order within the area: L2/3 first. */
  for (size_t i = 0; i < lam_plot_data_count(d); i++) {
    const lam_plot_array *a = lam_plot_data_at(d, i);
    if (!strncmp(a->name, "traces/", 7)) {
      cr_assert_str_eq(a->name, "traces/v2.l23");
      break;
    }
  }
  const lam_plot_array *l4 = need(d, "traces/v2.l4");
  hsize_t dims[3];
  int rank;
  double *v;
  size_t n = tu_h5_read(run_two, "/traces/v2.l4", &v, dims, &rank);
  cr_assert_eq(rank, 3);
  size_t nt = dims[0], nc = dims[1], nu = dims[2];
  cr_assert_eq(n, nt * nc * nu);
  cr_assert_eq(l4->rows, nc);
  cr_assert_eq(l4->cols, nt);
  for (size_t c = 0; c < nc; c++) {
    for (size_t i = 0; i < nt; i++) {
      double s = 0.0;
      for (size_t u = 0; u < nu; u++) {
        s += v[(i * nc + c) * nu + u];
      }
      cr_assert_float_eq(l4->v[c * nt + i], s / (double)nu, TOL);
    }
  }
  free(v);
  lam_plot_data_free(d);

  d = extract(run_two, LAM_PLOT_ATTENTION, "v2");
  n = tu_h5_read(run_two, "/final/v2.attn", &v, dims, &rank);
  cr_assert_eq(rank, 2);
  size_t nq = dims[0], units = dims[1];
  const lam_plot_array *h0 = need(d, "attention/h0");
  size_t T = h0->rows;
  cr_assert_eq(h0->cols, nq);
  cr_assert_eq(units % T, 0);
  for (size_t h = 0; h < units / T; h++) {
    char nm[32];
    snprintf(nm, sizeof nm, "attention/h%zu", h);
    const lam_plot_array *a = need(d, nm);
    for (size_t i = 0; i < nq; i++) {
      for (size_t j = 0; j < T; j++) {
        cr_assert_float_eq(a->v[j * nq + i], v[i * units + h * T + j], TOL);
      }
    }
  }
  free(v);
  lam_plot_data_free(d);
  /* The psd of v2 is drawn from v2's layers alone. */
  d = extract(run_two, LAM_PLOT_PSD, "v2");
  need(d, "psd/L2/3");
  lam_plot_data_free(d);
}
