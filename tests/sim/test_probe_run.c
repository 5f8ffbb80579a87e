/* test_probe_run.c: the virtual laminar probe inside a run.
 *
 * A small attention model runs with [probe] enabled; the test keeps the
 * state at every sample (on_sample), computes each population's per-column
 * synaptic input with the system's own input operation, and rebuilds the LFP
 * with the disc-source formula written out here (phi = I (sqrt(d^2 + R^2) -
 * |d|) / (2 sigma pi R^2), [S33] geometry) at the documented layer depths
 * ([S33]; docs/analysis.md), and the CSD as -sigma times the second
 * difference of the recorded LFP. Both must equal /lfp and /csd. A run
 * without the probe writes neither. Stacked areas have one electrode each
 * (/AREA.lfp): identical uncoupled areas reproduce the single-area LFP. */
#include <criterion/criterion.h>

#include "lam_recorder.h"
#include "lam_sim.h"
#include "../circuits/lam_test_util.h"
#include "lam_params.h"
#include "lam_simrec.h"

#define PI 3.141592653589793

static const char *model_text =
    "[network]\ncolumns = 3\nd_in = 3\nd_k = 2\nd_v = 2\n"
    "[run]\nt_end = 0.1\ndt_record = 0.005\n";

typedef struct capture {
  size_t n, cap, nstate;
  double *y, *t;
} capture;

static int keep(void *ctx, double t, const double *y) {
  capture *c = ctx;
  if (c->n < c->cap) {
    memcpy(c->y + c->n * c->nstate, y, c->nstate * sizeof *y);
    c->t[c->n++] = t;
  }
  return 0;
}

/* Layer mid-depths of the Potjans-Diesmann column ([S33]; docs/analysis.md). */
static double depth_of(const char *layer) {
  if (!strcmp(layer, "L1")) {
    return 0.5 * (0.0 + 81.6);
  }
  if (!strcmp(layer, "L2/3")) {
    return 0.5 * (81.6 + 587.1);
  }
  if (!strcmp(layer, "L4")) {
    return 0.5 * (587.1 + 922.2);
  }
  if (!strcmp(layer, "L5")) {
    return 0.5 * (922.2 + 1170.0);
  }
  if (!strcmp(layer, "L6")) {
    return 0.5 * (1170.0 + 1491.7);
  }
  return NAN;
}

static lam_sim *make_sim(const char *extra, lam_model **mout) {
  char text[1024];
  snprintf(text, sizeof text, "%s%s", model_text, extra);
  lam_model *m = lam_model_new();
  lam_err err;
  cr_assert_eq(lam_model_load_text(m, text, "probe.ini", ".", &err), LAM_OK, "%s",
               err.msg);
  lam_sim *sim = NULL;
  int rc = lam_sim_from_model(m, &sim, &err);
  cr_assert_eq(rc, LAM_OK, "%s", err.msg);
  *mout = m;
  return sim;
}

Test(probe_run, recorded_lfp_and_csd_match_formulas) {
  lam_model *m;
  lam_sim *sim = make_sim("[probe]\nenabled = true\n", &m);
  lam_system *s = lam_sim_system(sim);
  char *dir = tu_tmpdir(), out[256];
  snprintf(out, sizeof out, "%s/probe.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(out, s, NULL, &err);
  cr_assert(rec, "%s", err.msg);
  capture c = {0, 64, s->n, NULL, NULL};
  c.y = malloc(c.cap * s->n * sizeof *c.y);
  c.t = malloc(c.cap * sizeof *c.t);
  lam_run_opts o = lam_run_defaults(sim);
  o.on_sample = keep;
  o.ctx = &c;
  cr_assert_eq(lam_sim_record(sim, &o, rec, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(c.n, 21);

  double *lfp, *csd, *zc, *zp;
  hsize_t d[3];
  int rank;
  cr_assert_eq(tu_h5_read(out, "/lfp", &lfp, d, &rank), 21 * 16);
  cr_assert_eq(rank, 2);
  cr_assert_eq(d[1], 16);
  cr_assert_eq(tu_h5_read(out, "/csd", &csd, d, &rank), 21 * 14);
  cr_assert_eq(tu_h5_read(out, "/probe/depth_um", &zc, d, &rank), 16);
  for (size_t i = 0; i < 16; i++) {
    cr_expect_float_eq(zc[i], 100.0 * (double)i, 1e-12);
  }
  /* The populations with a layer, in system order, at their layer depths. */
  size_t np = 0, pops[16];
  double depth[16];
  for (size_t p = 0; p < s->npops; p++) {
    double z = depth_of(s->pops[p].layer);
    if (isfinite(z)) {
      pops[np] = p;
      depth[np++] = z;
    }
  }
  cr_assert(np >= 4, "%zu populations with a layer", np);
  cr_assert_eq(tu_h5_read(out, "/probe/pop_depth_um", &zp, d, &rank), np);
  for (size_t j = 0; j < np; j++) {
    cr_expect_float_eq(zp[j], depth[j], 1e-9, "population %s", s->pops[pops[j]].name);
  }

  const double sigma = 0.3, R = 564e-6, h = 100e-6;
  double *buf = malloc(s->n * sizeof *buf), maxcsd = 0.0;
  for (size_t k = 0; k < c.n; k++) {
    const double *y = c.y + k * s->n;
    double cur[16];
    for (size_t j = 0; j < np; j++) {
      const lam_pop_info *pi = &s->pops[pops[j]];
      s->ops->input(s->self, pops[j], c.t[k], y, buf);
      double sum = 0.0;
      for (size_t u = 0; u < pi->ncols * pi->nunits; u++) {
        sum += buf[u];
      }
      cur[j] = sum / (double)pi->ncols;
    }
    for (size_t i = 0; i < 16; i++) {
      double want = 0.0;
      for (size_t j = 0; j < np; j++) {
        double dz = fabs(100.0 * (double)i - depth[j]) * 1e-6;
        want += cur[j] * (sqrt(dz * dz + R * R) - dz) / (2.0 * sigma * PI * R * R);
      }
      cr_assert(fabs(lfp[k * 16 + i] - want) <= 1e-9 * fabs(want) + 1e-300,
                "sample %zu contact %zu: LFP %.12g, expected %.12g", k, i,
                lfp[k * 16 + i], want);
    }
    for (size_t i = 1; i + 1 < 16; i++) {
      const double *v = lfp + k * 16;
      double want = -sigma * (v[i + 1] - 2.0 * v[i] + v[i - 1]) / (h * h);
      double got = csd[k * 14 + i - 1];
      cr_assert(fabs(got - want) <= 1e-9 * fabs(want) + 1e-9,
                "sample %zu contact %zu: CSD %.12g, expected %.12g", k, i, got, want);
      maxcsd = fmax(maxcsd, fabs(got));
    }
  }
  cr_expect(maxcsd > 0.0, "the CSD is identically zero");
  free(buf);
  free(lfp);
  free(csd);
  free(zc);
  free(zp);
  free(c.y);
  free(c.t);
  lam_sim_free(sim);
  lam_model_free(m);
}

Test(probe_run, no_probe_no_series) {
  lam_model *m;
  lam_sim *sim = make_sim("", &m);
  char *dir = tu_tmpdir(), out[256];
  snprintf(out, sizeof out, "%s/plain.h5", dir);
  lam_err err;
  lam_recorder *rec = lam_recorder_open(out, lam_sim_system(sim), NULL, &err);
  lam_run_opts o = lam_run_defaults(sim);
  cr_assert_eq(lam_sim_record(sim, &o, rec, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  double *v;
  hsize_t d[3];
  int rank;
  cr_expect_eq(tu_h5_read(out, "/csd", &v, d, &rank), 0);
  cr_expect_eq(tu_h5_read(out, "/lfp", &v, d, &rank), 0);
  cr_expect_eq(tu_h5_read(out, "/probe/depth_um", &v, d, &rank), 0);
  cr_expect_gt(tu_h5_read(out, "/time", &v, d, &rank), 0);
  free(v);
  lam_sim_free(sim);
  lam_model_free(m);
}

Test(probe_run, bad_probe_key_names_file_line) {
  lam_model *m = lam_model_new();
  lam_err err;
  char text[512];
  snprintf(text, sizeof text, "%s[probe]\nenabled = true\nspacing_um = 0\n", model_text);
  cr_assert_eq(lam_model_load_text(m, text, "probe.ini", ".", &err), LAM_OK);
  lam_sim *sim = NULL;
  cr_expect_neq(lam_sim_from_model(m, &sim, &err), LAM_OK);
  cr_expect(strstr(err.msg, "probe.ini:11"), "%s", err.msg);
  cr_expect(strstr(err.msg, "probe.spacing_um"), "%s", err.msg);
  cr_expect_null(sim);
  lam_model_free(m);
}

/* ---- One electrode per area (docs/hierarchy.md) ----
 * Two identical areas without links are two copies of the single-area
 * model: their electrodes /v1.lfp and /v2.lfp must agree with each other and
 * with the single-area /lfp (fixed-step Heun, so the same arithmetic). With
 * feedforward on, area 1 still equals the single area (no feedback) while
 * area 2's LFP moves. */
static const char *area_text =
    "[network]\ncolumns = 4\nheads = 2\nd_in = 4\nd_k = 3\nd_v = 3\n"
    "topology = topdown\nc_td = 0.5\n[input]\nseed = 5\n"
    "[solver]\nmethod = heun\nheun_dt = 0.0005\n"
    "[run]\nt_end = 0.1\ndt_record = 0.005\n[probe]\nenabled = true\n";

/* Run area_text + extra with the probe to dir/name. */
static void run_areas(const char *dir, const char *name, const char *extra) {
  char text[2048], out[256];
  snprintf(text, sizeof text, "%s%s", area_text, extra);
  snprintf(out, sizeof out, "%s/%s", dir, name);
  lam_model *m = lam_model_new();
  lam_err err;
  cr_assert_eq(lam_model_load_text(m, text, "areas.ini", ".", &err), LAM_OK, "%s",
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

/* Dataset name of dir/file: 21 samples x width values. */
static double *read_series(const char *dir, const char *file, const char *name,
                           size_t width) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  double *v;
  hsize_t d[3];
  int rank;
  cr_assert_eq(tu_h5_read(path, name, &v, d, &rank), 21 * width, "%s in %s", name,
               file);
  return v;
}

/* max |a - b| / max |b| over n values. */
static double rel_diff(const double *a, const double *b, size_t n) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < n; i++) {
    num = fmax(num, fabs(a[i] - b[i]));
    den = fmax(den, fabs(b[i]));
  }
  cr_assert_gt(den, 0.0, "the reference is identically zero");
  return num / den;
}

Test(probe_run, identical_uncoupled_areas_have_the_single_area_lfp) {
  char dir[64];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir());
  run_areas(dir, "one.h5", "");
  run_areas(dir, "two.h5", "[areas]\nnames = v1, v2\nff_gain = 0\nfb_gain = 0\n");
  double *one = read_series(dir, "one.h5", "/lfp", 16);
  double *one_csd = read_series(dir, "one.h5", "/csd", 14);
  const char *area[2] = {"v1", "v2"};
  double *lfp[2], *csd[2];
  for (int k = 0; k < 2; k++) {
    char n[32];
    snprintf(n, sizeof n, "/%s.lfp", area[k]);
    lfp[k] = read_series(dir, "two.h5", n, 16);
    snprintf(n, sizeof n, "/%s.csd", area[k]);
    csd[k] = read_series(dir, "two.h5", n, 14);
    double e = rel_diff(lfp[k], one, 21 * 16);
    cr_expect(e <= 1e-12, "%s LFP vs the single area: relative error %.3g", area[k], e);
    e = rel_diff(csd[k], one_csd, 21 * 14);
    cr_expect(e <= 1e-12, "%s CSD vs the single area: relative error %.3g", area[k], e);
  }
  double e = rel_diff(lfp[1], lfp[0], 21 * 16);
  cr_expect(e <= 1e-12, "v2 vs v1 LFP: relative error %.3g", e);
  /* The areas run has no pooled electrode; the contacts are shared. */
  char path[256];
  snprintf(path, sizeof path, "%s/two.h5", dir);
  double *v;
  hsize_t d[3];
  int rank;
  cr_expect_eq(tu_h5_read(path, "/lfp", &v, d, &rank), 0);
  free(v);
  cr_expect_eq(tu_h5_read(path, "/probe/depth_um", &v, d, &rank), 16);
  free(v);
  for (int k = 0; k < 2; k++) {
    free(lfp[k]);
    free(csd[k]);
  }
  free(one);
  free(one_csd);
}

Test(probe_run, feedforward_moves_the_upper_area_lfp_only) {
  char dir[64];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir());
  run_areas(dir, "one.h5", "");
  run_areas(dir, "ff.h5", "[areas]\nnames = v1, v2\nff_gain = 1\nfb_gain = 0\n");
  double *one = read_series(dir, "one.h5", "/lfp", 16);
  double *v1 = read_series(dir, "ff.h5", "/v1.lfp", 16);
  double *v2 = read_series(dir, "ff.h5", "/v2.lfp", 16);
  double e1 = rel_diff(v1, one, 21 * 16), e2 = rel_diff(v2, one, 21 * 16);
  cr_expect(e1 <= 1e-12, "v1 (no feedback) vs the single area: %.3g", e1);
  cr_expect(e2 > 1e-3, "v2 with feedforward vs the single area: %.3g", e2);
  free(one);
  free(v1);
  free(v2);
}
