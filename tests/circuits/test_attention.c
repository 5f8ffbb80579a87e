/* test_attention.c: the attention network against closed forms.
 *
 * The anchor identity (docs/model.md): clocks off, linear F, product
 * gate, subtractive PV, beta = 1, the steady-state routed output /final/out
 * equals softmax(Q K^T / sqrt(d_k)) V per head, computed here independently
 * from the same random X and weights (written as CSV fixtures). Also: step
 * responses of single populations, and the PV modes' normalization. */
#include <criterion/criterion.h>

#include "lam_attention.h"
#include "lam_recorder.h"
#include "lam_sim.h"
#include "lam_test_util.h"
#include "lam_params.h"
#include "lam_simrec.h"

typedef struct fixture {
  size_t T, H, din, dk, dv;
  double *X, *WQ, *WK, *WV;
  char dir[64];
} fixture;

static void make_fixture(fixture *f, size_t T, size_t H, size_t din,
                         size_t dk, size_t dv, uint64_t seed) {
  f->T = T, f->H = H, f->din = din, f->dk = dk, f->dv = dv;
  f->X = malloc(T * din * sizeof(double));
  f->WQ = malloc(din * H * dk * sizeof(double));
  f->WK = malloc(din * H * dk * sizeof(double));
  f->WV = malloc(din * H * dv * sizeof(double));
  for (size_t i = 0; i < T * din; i++) {
    f->X[i] = tu_gauss(&seed);
  }
  const double sd = 1.0 / sqrt((double)din);
  for (size_t i = 0; i < din * H * dk; i++) {
    f->WQ[i] = sd * tu_gauss(&seed);
    f->WK[i] = sd * tu_gauss(&seed);
  }
  for (size_t i = 0; i < din * H * dv; i++) {
    f->WV[i] = sd * tu_gauss(&seed);
  }
  snprintf(f->dir, sizeof f->dir, "%s", tu_tmpdir());
  char p[128];
  snprintf(p, sizeof p, "%s/x.csv", f->dir);
  tu_write_csv(p, f->X, T, din);
  snprintf(p, sizeof p, "%s/wq.csv", f->dir);
  tu_write_csv(p, f->WQ, din, H * dk);
  snprintf(p, sizeof p, "%s/wk.csv", f->dir);
  tu_write_csv(p, f->WK, din, H * dk);
  snprintf(p, sizeof p, "%s/wv.csv", f->dir);
  tu_write_csv(p, f->WV, din, H * dv);
}

static void free_fixture(fixture *f) {
  free(f->X);
  free(f->WQ);
  free(f->WK);
  free(f->WV);
}

/* x (rows x n) times w (n x cols): the naive triple loop, on purpose. */
static double *matmul(const double *x, const double *w, size_t rows, size_t n,
                      size_t cols) {
  double *y = calloc(rows * cols, sizeof *y);
  for (size_t i = 0; i < rows; i++) {
    for (size_t k = 0; k < n; k++) {
      for (size_t j = 0; j < cols; j++) {
        y[i * cols + j] += x[i * n + k] * w[k * cols + j];
      }
    }
  }
  return y;
}

/* Closed-form multi-head attention: out is T x H*dv. */
static double *closed_form(const fixture *f) {
  const size_t T = f->T, H = f->H, dk = f->dk, dv = f->dv;
  double *Q = matmul(f->X, f->WQ, T, f->din, H * dk);
  double *K = matmul(f->X, f->WK, T, f->din, H * dk);
  double *V = matmul(f->X, f->WV, T, f->din, H * dv);
  double *out = calloc(T * H * dv, sizeof *out);
  double *w = malloc(T * sizeof *w);
  for (size_t h = 0; h < H; h++) {
    for (size_t i = 0; i < T; i++) {
      double mx = -INFINITY;
      for (size_t j = 0; j < T; j++) {
        double s = 0;
        for (size_t m = 0; m < dk; m++) {
          s += Q[i * H * dk + h * dk + m] * K[j * H * dk + h * dk + m];
        }
        w[j] = s / sqrt((double)dk);
        mx = w[j] > mx ? w[j] : mx;
      }
      double z = 0;
      for (size_t j = 0; j < T; j++) {
        w[j] = exp(w[j] - mx);
        z += w[j];
      }
      for (size_t j = 0; j < T; j++) {
        for (size_t m = 0; m < dv; m++) {
          out[i * H * dv + h * dv + m] += w[j] / z * V[j * H * dv + h * dv + m];
        }
      }
    }
  }
  free(Q);
  free(K);
  free(V);
  free(w);
  return out;
}

/* Build, run to t_end and write HDF5; returns the output path. */
static const char *run_model(const fixture *f, const char *extra,
                             double t_end, double dt) {
  static char out[160];
  char text[4096], path[128];
  snprintf(text, sizeof text,
           "[network]\ncolumns = %zu\nheads = %zu\nd_in = %zu\nd_k = %zu\nd_v = %zu\n"
           "[input]\nx = x.csv\n[weights]\nwq = wq.csv\nwk = wk.csv\nwv = wv.csv\n"
           "[solver]\nrtol = 1e-10\natol = 1e-12\n%s",
           f->T, f->H, f->din, f->dk, f->dv, extra);
  snprintf(path, sizeof path, "%s/model.ini", f->dir);
  tu_write_text(path, text);
  snprintf(out, sizeof out, "%s/run.h5", f->dir);
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim *sim;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_recorder *rec = lam_recorder_open(out, lam_sim_system(sim), NULL, &err);
  cr_assert(rec, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = dt;
  cr_assert_eq(lam_sim_record(sim, &o, rec, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  lam_sim_free(sim);
  lam_model_free(m);
  return out;
}

static void check_identity(size_t T, size_t H, size_t din, size_t dk,
                           size_t dv, uint64_t seed) {
  fixture f;
  make_fixture(&f, T, H, din, dk, dv, seed);
  const char *out = run_model(&f, "", 1.5, 0.5);
  double *ref = closed_form(&f);
  double *got = NULL;
  hsize_t dims[3];
  int rank;
  size_t n = tu_h5_read(out, "/final/out", &got, dims, &rank);
  cr_assert_eq(n, T * H * dv, "final/out has %zu values, expected %zu", n,
               T * H * dv);
  cr_assert_eq(rank, 2);
  cr_assert_eq(dims[0], T);
  cr_assert_eq(dims[1], H * dv);
  double scale = 0, maxerr = 0;
  for (size_t i = 0; i < n; i++) {
    scale = fmax(scale, fabs(ref[i]));
    maxerr = fmax(maxerr, fabs(got[i] - ref[i]));
  }
  cr_expect_lt(maxerr / scale, 1e-6,
               "T=%zu H=%zu: max |out - softmax(QK^T/sqrt(dk))V| / max|ref| = %g",
               T, H, maxerr / scale);
  free(got);
  free(ref);
  free_fixture(&f);
}

Test(attention, identity_small) { check_identity(3, 1, 4, 2, 3, 11); }
Test(attention, identity_multihead) { check_identity(16, 4, 8, 4, 5, 12); }
Test(attention, identity_t64_h8, .timeout = 240) {
  check_identity(64, 8, 16, 8, 8, 13);
}
Test(attention, identity_t33_h2_odd_sizes) { check_identity(33, 2, 7, 3, 6, 14); }

/* A linear population's step response is drive (1 - exp(-t / tau)). */
Test(attention, l4_step_response) {
  fixture f;
  make_fixture(&f, 5, 2, 4, 3, 3, 21);
  const double tau = 0.013;
  const char *out = run_model(&f, "[column]\ntau_l4 = 0.013\n", 0.05, 0.001);
  double *V = matmul(f.X, f.WV, f.T, f.din, f.H * f.dv);
  double *tr = NULL, *time = NULL;
  hsize_t dims[3], tdims[3];
  int rank, trank;
  size_t n = tu_h5_read(out, "/traces/l4", &tr, dims, &rank);
  size_t nt = tu_h5_read(out, "/time", &time, tdims, &trank);
  cr_assert(n > 0 && nt == dims[0]);
  cr_assert_eq(rank, 3);
  const size_t units = f.H * f.dv;
  double maxerr = 0;
  for (size_t k = 0; k < nt; k++) {
    for (size_t i = 0; i < f.T * units; i++) {
      double want = V[i] * (1.0 - exp(-time[k] / tau));
      maxerr = fmax(maxerr, fabs(tr[k * f.T * units + i] - want));
    }
  }
  cr_expect_lt(maxerr, 1e-7, "max error of the L4 step response: %g", maxerr);
  free(tr);
  free(time);
  free(V);
  free_fixture(&f);
}

/* Row sums of the final attention weights (T x H*T). */
static void row_sums(const char *out, size_t T, size_t H, double *sums,
                     double **attn) {
  hsize_t dims[3];
  int rank;
  size_t n = tu_h5_read(out, "/final/attn", attn, dims, &rank);
  cr_assert_eq(n, T * H * T);
  for (size_t i = 0; i < T; i++) {
    for (size_t h = 0; h < H; h++) {
      double s = 0;
      for (size_t j = 0; j < T; j++) {
        s += (*attn)[i * H * T + h * T + j];
      }
      sums[i * H + h] = s;
    }
  }
}

Test(attention, pv_subtractive_sums_to_one) {
  fixture f;
  make_fixture(&f, 6, 2, 4, 3, 3, 31);
  const char *out = run_model(&f, "[column]\nbeta = 2.5\ntransfer = relu\n", 1.0, 0.5);
  double sums[12], *attn;
  row_sums(out, 6, 2, sums, &attn);
  for (size_t i = 0; i < 12; i++) {
    cr_expect_float_eq(sums[i], 1.0, 1e-7, "row %zu sums to %.12g", i, sums[i]);
  }
  free(attn);
  free_fixture(&f);
}

Test(attention, pv_off_does_not_normalize) {
  fixture f;
  make_fixture(&f, 6, 2, 4, 3, 3, 32);
  const char *out = run_model(&f, "[column]\npv = off\n", 1.0, 0.5);
  double sums[12], *attn;
  row_sums(out, 6, 2, sums, &attn);
  /* Without PV the rates are exp(A): their sum is sum_j exp(A_ij), which
   * is >= T exp(mean A) by Jensen and far from 1 for these inputs. */
  int far = 0;
  for (size_t i = 0; i < 12; i++) {
    far += fabs(sums[i] - 1.0) > 0.05;
  }
  cr_expect_eq(far, 12, "only %d of 12 rows are far from 1", far);
  free(attn);
  free_fixture(&f);
}

/* sparsemax (Martins & Astudillo 2016): Euclidean projection onto the simplex. */
static void sparsemax(const double *z, size_t n, double *p) {
  double *s = malloc(n * sizeof *s);
  memcpy(s, z, n * sizeof *s);
  for (size_t i = 0; i < n; i++) { /* sort descending */
    for (size_t j = i + 1; j < n; j++) {
      if (s[j] > s[i]) {
        double t = s[i];
        s[i] = s[j];
        s[j] = t;
      }
    }
  }
  double cum = 0, tau = 0;
  for (size_t k = 0; k < n; k++) {
    cum += s[k];
    if (1.0 + (double)(k + 1) * s[k] > cum) {
      tau = (cum - 1.0) / (double)(k + 1);
    }
  }
  for (size_t i = 0; i < n; i++) {
    p[i] = z[i] > tau ? z[i] - tau : 0.0;
  }
  free(s);
}

Test(attention, pv_threshold_is_sparsemax_with_exact_zeros) {
  fixture f;
  const size_t T = 8, H = 2;
  make_fixture(&f, T, H, 6, 4, 3, 33);
  const double beta = 3.0;
  const char *out = run_model(&f, "[column]\npv = threshold\nbeta = 3\n", 2.0, 1.0);
  double *Q = matmul(f.X, f.WQ, T, f.din, H * f.dk);
  double *K = matmul(f.X, f.WK, T, f.din, H * f.dk);
  double *attn;
  double sums[16];
  row_sums(out, T, H, sums, &attn);
  int zeros = 0;
  for (size_t i = 0; i < T; i++) {
    for (size_t h = 0; h < H; h++) {
      double z[8], p[8];
      for (size_t j = 0; j < T; j++) {
        double s = 0;
        for (size_t m = 0; m < f.dk; m++) {
          s += Q[i * H * f.dk + h * f.dk + m] * K[j * H * f.dk + h * f.dk + m];
        }
        z[j] = beta * s / sqrt((double)f.dk);
      }
      sparsemax(z, T, p);
      for (size_t j = 0; j < T; j++) {
        double got = attn[i * H * T + h * T + j];
        cr_expect_float_eq(got, p[j], 1e-6, "w[%zu,%zu,%zu] = %g, sparsemax %g",
                           i, h, j, got, p[j]);
        if (p[j] == 0.0) {
          zeros++;
          cr_expect_eq(got, 0.0, "weight not exactly zero: %g", got);
        }
      }
    }
  }
  cr_expect_gt(zeros, 0, "the fixture should have keys below threshold");
  free(Q);
  free(K);
  free(attn);
  free_fixture(&f);
}

/* L4 trace against want(t, i) for every sample and unit; returns max error. */
static double l4_error(const char *out, const fixture *f,
                       double (*want)(double t, double drive)) {
  double *V = matmul(f->X, f->WV, f->T, f->din, f->H * f->dv);
  double *tr = NULL, *time = NULL;
  hsize_t dims[3], tdims[3];
  int rank, trank;
  size_t n = tu_h5_read(out, "/traces/l4", &tr, dims, &rank);
  size_t nt = tu_h5_read(out, "/time", &time, tdims, &trank);
  cr_assert(n > 0 && nt == dims[0]);
  const size_t units = f->T * f->H * f->dv;
  double maxerr = 0;
  for (size_t k = 0; k < nt; k++) {
    for (size_t i = 0; i < units; i++) {
      maxerr = fmax(maxerr, fabs(tr[k * units + i] - want(time[k], V[i])));
    }
  }
  free(tr);
  free(time);
  free(V);
  return maxerr;
}

/* A step of the thalamic drive from 20 ms to 50 ms (docs/model.md,
 * stimulus protocols): the linear L4 charges and discharges with tau, and
 * the solver, restarted on both edges, follows to 1e-7. */
#define STEP_TAU 0.013
static double step_want(double t, double d) {
  if (t < 0.02) {
    return 0.0;
  }
  const double up = d * (1.0 - exp(-(fmin(t, 0.05) - 0.02) / STEP_TAU));
  return t < 0.05 ? up : up * exp(-(t - 0.05) / STEP_TAU);
}
Test(attention, l4_follows_a_stimulus_step) {
  fixture f;
  make_fixture(&f, 4, 2, 4, 3, 3, 22);
  const char *out = run_model(&f,
                              "[column]\ntau_l4 = 0.013\n"
                              "[stimulus]\nprotocol = steps\nlevel = 0\namplitude = 1\n"
                              "onset = 0.02\nduration = 0.03\n",
                              0.08, 0.001);
  double e = l4_error(out, &f, step_want);
  cr_expect_lt(e, 1e-7, "max error of the L4 response to a step: %g", e);
  free_fixture(&f);
}

/* Gamma clock on, no coupling, phases from 0: g_ff = 1 + m cos(w t), and the
 * linear L4 obeys tau dV/dt = -V + g_ff(t) d, whose solution from V(0) = 0 is
 * d [1 - e^{-t/tau} + m (cos wt + w tau sin wt - e^{-t/tau}) / (1 + (w tau)^2)]. */
#define CLK_TAU 0.010
#define CLK_HZ 40.0
#define CLK_M 0.4
static double clock_want(double t, double d) {
  const double w = 2.0 * 3.14159265358979323846 * CLK_HZ, wt = w * CLK_TAU, e = exp(-t / CLK_TAU);
  return d * (1.0 - e +
              CLK_M * (cos(w * t) + wt * sin(w * t) - e) / (1.0 + wt * wt));
}
Test(attention, l4_gated_by_the_gamma_clock) {
  fixture f;
  make_fixture(&f, 3, 1, 4, 2, 3, 23);
  const char *out = run_model(&f,
                              "[column]\ntau_l4 = 0.010\n"
                              "[clocks]\nenabled = true\ngamma_hz = 40\ngamma_depth = 0.4\n"
                              "coupling = 0\n",
                              0.1, 0.0005);
  double e = l4_error(out, &f, clock_want);
  cr_expect_lt(e, 1e-6, "max error of the clock-gated L4: %g", e);
  free_fixture(&f);
}

/* Input noise: the same seed gives the same run bit for bit, another seed
 * another run; the mean over time of a long run stays near the noiseless
 * drive (the OU input has zero mean). */
static double *final_l4(const fixture *f, long seed, size_t *n) {
  char extra[256];
  snprintf(extra, sizeof extra,
           "[stimulus]\nnoise_sigma = 0.5\nnoise_tau = 0.01\nnoise_seed = %ld\n", seed);
  const char *out = run_model(f, extra, 0.2, 0.01);
  double *v = NULL;
  hsize_t dims[3];
  int rank;
  *n = tu_h5_read(out, "/final/l4", &v, dims, &rank);
  return v;
}
Test(attention, input_noise_is_seeded) {
  fixture f;
  make_fixture(&f, 3, 1, 4, 2, 3, 24);
  size_t n1, n2, n3;
  double *a = final_l4(&f, 7, &n1), *b = final_l4(&f, 7, &n2), *c = final_l4(&f, 8, &n3);
  cr_assert(n1 > 0 && n1 == n2 && n2 == n3);
  double same = 0, diff = 0;
  for (size_t i = 0; i < n1; i++) {
    same = fmax(same, fabs(a[i] - b[i]));
    diff = fmax(diff, fabs(a[i] - c[i]));
  }
  cr_expect_eq(same, 0.0, "same seed, different runs: %g", same);
  cr_expect_gt(diff, 1e-3, "another seed must give another run (%g)", diff);
  free(a), free(b), free(c);
  free_fixture(&f);
}

/* Sizes within their ranges whose product is terabytes: refused by name
 * before any allocation (calloc was asked for 8 TB by the dense lateral
 * matrix, 320 GB by the input noise), with the file:line of columns. */
static int build_text(const char *text, lam_err *err) {
  lam_model *m = lam_model_new();
  int rc = lam_model_load_text(m, text, "big.ini", ".", err);
  lam_sim *sim = NULL;
  if (!rc) {
    rc = lam_sim_from_model(m, &sim, err);
  }
  lam_sim_free(sim);
  lam_model_free(m);
  return rc;
}

Test(attention_limits, terabyte_models_are_refused_by_name) {
  lam_err err;
  cr_assert_eq(build_text("[network]\ncolumns = 1000000\nheads = 4\n", &err),
               LAM_EINVAL);
  cr_assert(strstr(err.msg, "big.ini:2: [network] columns = 1000000, heads = 4"), "%s",
            err.msg);
  cr_assert(strstr(err.msg, "more than the limit of 2^29 (4 GiB)"), "%s", err.msg);
  /* Within the limit but minutes of drawing a dense lateral matrix. */
  cr_assert_eq(build_text("[network]\ncolumns = 22000\ntopology = topdown\n"
                          "lateral = random\n",
                          &err),
               LAM_EINVAL);
  cr_assert(strstr(err.msg, "big.ini:2: network.columns: lateral wiring is a dense T x T "
                            "matrix, filled entry by entry: at most 4096 columns, found 22000"),
            "%s", err.msg);
  cr_assert_eq(build_text("[network]\ncolumns = 100000\nd_in = 100\ntopology = topdown\n"
                          "[stimulus]\nnoise_sigma = 0.1\n",
                          &err),
               LAM_EINVAL);
  cr_assert(strstr(err.msg, "big.ini:2: [network] columns = 100000"), "%s", err.msg);
  /* The same with 10 columns: 1000 noise channels, 38 MB. */
  cr_assert_eq(build_text("[network]\ncolumns = 10\nd_in = 100\ntopology = topdown\n"
                          "[stimulus]\nnoise_sigma = 0.1\n",
                          &err),
               LAM_OK, "%s", err.msg);
}
