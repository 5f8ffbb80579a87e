/* test_run_analysis.c: the analysis of a run's layer signals
 * (analysis/lam_run_analysis.h) on synthetic signals with known answers.
 *
 * - Sines: a sine of amplitude A has power A^2 / 2 (Parseval), all of it in
 *   the band holding its frequency, with its peak there; two columns with
 *   the same signal are coherent (1). L2/3 = A sin(40 Hz) + a sin(10 Hz) and
 *   L5 = b sin(40 Hz) + B sin(10 Hz) give the segregation ratios
 *   gamma_ratio = A^2 / b^2 and alphabeta_ratio = B^2 / a^2
 *   (lam_spectrum.h).
 * - Sampling: t = k / 1000 s from 0 and t0 = 0.1 s start at sample 100;
 *   fewer than 4 samples, or decreasing times, are errors.
 * - Attention weights of r(s) on every key: the normalised weights are
 *   uniform, entropy ln(keys) at every sample; the total burst rate per row
 *   is keys r(s).
 * - Probe: per contact the mean and the band power of its own sine.
 * - Two areas, v2(t) = 0.9 v1(t - 1 sample) + 0.3 e(t), v1 and e white:
 *   the spectral Granger causality v1 -> v2 is flat at ln((0.81 + 0.09) /
 *   0.09) = ln 10 (Geweke 1982: ln of the total over the intrinsic power
 *   of v2), so its band means are ln 10; v2 -> v1 is 0.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846

#include "lam_granger.h"
#include "lam_run_analysis.h"

#define FS 1000.0
#define N 4000

static const double A = 2.0, a = 0.5, B = 3.0, b = 1.0;

static double sine(double amp, double f, size_t s) {
  return amp * sin(2.0 * PI * f * (double)s / FS);
}

/* Population pop (ncols columns, 1 unit) of value f(s) in every column. */
static void add_pop(lam_layer_group *ly, const char *pop, const char *layer,
                    size_t ncols, double amp40, double amp10, double offset) {
  double *v = malloc(N * ncols * sizeof *v);
  cr_assert(v);
  for (size_t s = 0; s < N; s++) {
    for (size_t c = 0; c < ncols; c++) {
      v[s * ncols + c] = offset + sine(amp40, 40.0, s) + sine(amp10, 10.0, s);
    }
  }
  lam_err err;
  cr_assert_eq(lam_layers_add(ly, pop, layer, "a.u.", v, ncols, 1, 0, &err), LAM_OK,
               "%s", err.msg);
  free(v);
}

static int near_rel(double x, double ref, double rel) {
  return fabs(x - ref) <= rel * fabs(ref);
}

static lam_analysis *analyse(lam_layer_group *ly) {
  lam_layers_finish(ly);
  lam_analysis_opts o = lam_analysis_defaults();
  lam_analysis *an = NULL;
  lam_err err;
  cr_assert_eq(lam_analysis_new(ly, FS, &o, &an, &err), LAM_OK, "%s", err.msg);
  return an;
}

Test(run_analysis, defaults) {
  lam_analysis_opts o = lam_analysis_defaults();
  cr_assert_eq(o.nb, 2);
  cr_assert_str_eq(o.band[0].name, "alphabeta");
  cr_assert_float_eq(o.band[0].lo_hz, 8.0, 0);
  cr_assert_float_eq(o.band[0].hi_hz, 30.0, 0);
  cr_assert_str_eq(o.band[1].name, "gamma");
  cr_assert_float_eq(o.band[1].lo_hz, 30.0, 0);
  cr_assert_float_eq(o.band[1].hi_hz, 80.0, 0);
  cr_assert_float_eq(o.seg, 0.0, 0); /* the segment rule */
  cr_assert(isinf(o.t1));
  cr_assert_float_eq(o.t0, 0.0, 0);
  cr_assert_eq(o.granger_order, 20);
  cr_assert_eq(o.granger_criterion, LAM_GRANGER_BIC);
}

Test(run_analysis, sine_band_power_and_segregation) {
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(N, &ly, &err), LAM_OK);
  add_pop(ly, "l23", "L2/3", 2, A, a, 0.25);
  add_pop(ly, "l5b", "L5", 2, b, B, 0.0);
  lam_analysis *an = analyse(ly);
  cr_assert_eq(an->n, N);
  /* The rule: 4 s holds 3 segments of 1 s: 1 s, (4000 - 1000) / 500 + 1
   * = 7 of them. */
  cr_assert_float_eq(an->seg, 1.0, 1e-12);
  cr_assert_eq(an->nsegments, 7);
  cr_assert_eq(an->nl, 2);
  cr_assert_eq(an->na, 1);
  const lam_analysis_layer *sup = &an->layer[0], *deep = &an->layer[1];
  cr_assert_str_eq(sup->name, "L2/3");
  cr_assert_str_eq(sup->pops, "l23");
  cr_assert_eq(sup->ncols, 2);
  /* Whole periods of both sines: the mean is the offset. */
  cr_assert_float_eq(sup->mean, 0.25, 1e-9);
  /* band 0: alphabeta, 1: gamma */
  cr_assert(near_rel(sup->pw[1], A * A / 2, 1e-2), "gamma power %g", sup->pw[1]);
  cr_assert(near_rel(sup->pw[0], a * a / 2, 1e-2), "alpha power %g", sup->pw[0]);
  cr_assert(near_rel(deep->pw[0], B * B / 2, 1e-2), "alpha power %g", deep->pw[0]);
  cr_assert_float_eq(sup->pk[1], 40.0, 0.5);
  cr_assert_float_eq(deep->pk[0], 10.0, 0.5);
  cr_assert_float_eq(sup->coh[1], 1.0, 1e-6);
  /* Between layers: the coherence of two mixtures of the same sines, in
   * [0, 1]. */
  cr_assert(an->pcoh[0][1][1] >= 0.0 && an->pcoh[0][1][1] <= 1.0 + 1e-12);
  const lam_analysis_area *ar = &an->area[0];
  cr_assert_str_eq(ar->name, "");
  cr_assert(ar->have_seg);
  cr_assert(near_rel(ar->segr.gamma_ratio, (A * A) / (b * b), 2e-2), "%g",
            ar->segr.gamma_ratio);
  cr_assert(near_rel(ar->segr.alphabeta_ratio, (B * B) / (a * a), 2e-2), "%g",
            ar->segr.alphabeta_ratio);
  cr_assert(ar->have_pac);
  cr_assert(!ar->have_attn);
  cr_assert_eq(an->granger.na, 0);
  lam_analysis_free(an);
  lam_layers_free(ly);
}

Test(run_analysis, sampling) {
  double t[300];
  for (size_t k = 0; k < 300; k++) {
    t[k] = (double)k / FS;
  }
  double fs;
  size_t i0, n;
  lam_err err;
  cr_assert_eq(lam_analysis_time(t, 300, 0.1, &fs, &i0, &n, &err), LAM_OK);
  cr_assert_float_eq(fs, 1000.0, 1e-9);
  cr_assert_eq(i0, 100);
  cr_assert_eq(n, 200);
  cr_assert_eq(lam_analysis_time(t, 3, 0.0, &fs, &i0, &n, &err), LAM_EINVAL);
  cr_assert_eq(lam_analysis_time(t, 300, 0.298, &fs, &i0, &n, &err), LAM_EINVAL);
  double back[4] = {1, 0, -1, -2};
  cr_assert_eq(lam_analysis_time(back, 4, 0.0, &fs, &i0, &n, &err), LAM_EINVAL);
}

Test(run_analysis, attention_and_probe) {
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(N, &ly, &err), LAM_OK);
  add_pop(ly, "l23", "L2/3", 1, A, 0, 0);
  lam_analysis *an = analyse(ly);
  const size_t rows = 3, keys = 4;
  double *w = malloc(N * rows * keys * sizeof *w);
  for (size_t s = 0; s < N; s++) {
    for (size_t j = 0; j < rows * keys; j++) {
      w[s * rows * keys + j] = 0.01 * (double)(s + 1);
    }
  }
  lam_analysis_attention(an, 0, w, rows, keys);
  const lam_analysis_area *ar = &an->area[0];
  cr_assert(ar->have_attn);
  cr_assert_eq(ar->attn_rows, rows);
  cr_assert_eq(ar->attn_keys, keys);
  cr_assert_float_eq(ar->ent_final, log(4.0), 1e-9);
  cr_assert_float_eq(ar->ent_mean, log(4.0), 1e-9);
  cr_assert_float_eq(ar->burst_final, 4 * 0.01 * N, 1e-9);
  cr_assert_float_eq(ar->burst_mean, 4 * 0.01 * (N + 1) / 2.0, 1e-9);
  free(w);
  double *lfp = malloc(N * 2 * sizeof *lfp), depth[2] = {0.0, 250.0};
  for (size_t s = 0; s < N; s++) {
    lfp[2 * s] = sine(A, 40.0, s);
    lfp[2 * s + 1] = 3.0 + sine(B, 10.0, s);
  }
  cr_assert_eq(lam_analysis_probe(an, 0, lfp, 2, depth, "mV", &err), LAM_OK, "%s",
               err.msg);
  free(lfp);
  cr_assert_eq(ar->nc, 2);
  cr_assert_str_eq(ar->lfp_unit, "mV");
  cr_assert_float_eq(ar->depth[1], 250.0, 0);
  cr_assert_float_eq(ar->cmean[0], 0.0, 1e-9);
  cr_assert_float_eq(ar->cmean[1], 3.0, 1e-9);
  cr_assert(near_rel(ar->cpw[0 * 2 + 1], A * A / 2, 1e-2), "%g", ar->cpw[1]);
  cr_assert(near_rel(ar->cpw[1 * 2 + 0], B * B / 2, 1e-2), "%g", ar->cpw[2]);
  cr_assert_float_eq(ar->cpk[0 * 2 + 1], 40.0, 0.5);
  lam_analysis_free(an);
  lam_layers_free(ly);
}

Test(run_analysis, granger_between_areas) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  double *v1 = malloc(N * sizeof *v1), *v2 = malloc(N * sizeof *v2);
  v1[0] = gsl_ran_gaussian(rng, 1.0);
  v2[0] = 0.3 * gsl_ran_gaussian(rng, 1.0);
  for (size_t s = 1; s < N; s++) {
    v1[s] = gsl_ran_gaussian(rng, 1.0);
    v2[s] = 0.9 * v1[s - 1] + 0.3 * gsl_ran_gaussian(rng, 1.0);
  }
  gsl_rng_free(rng);
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(N, &ly, &err), LAM_OK);
  cr_assert_eq(lam_layers_add(ly, "v1.l23", "L2/3", "", v1, 1, 1, 0, &err), LAM_OK);
  cr_assert_eq(lam_layers_add(ly, "v2.l23", "L2/3", "", v2, 1, 1, 0, &err), LAM_OK);
  free(v1);
  free(v2);
  lam_analysis *an = analyse(ly);
  cr_assert(an->multi);
  const lam_analysis_granger *g = &an->granger;
  cr_assert_eq(g->na, 2);
  cr_assert_eq(g->np, 2);
  cr_assert_str_eq(g->note, "");
  const lam_analysis_gpair *fw = &g->pair[0], *bw = &g->pair[1];
  cr_assert_str_eq(g->name[fw->from], "v1");
  cr_assert_str_eq(g->name[fw->to], "v2");
  cr_assert_str_eq(g->name[bw->from], "v2");
  for (size_t k = 0; k < an->nb; k++) {
    cr_log_info("%s: v1->v2 %g, v2->v1 %g nats", an->band[k].name, fw->gc[k], bw->gc[k]);
    cr_assert(near_rel(fw->gc[k], log(10.0), 0.05), "v1->v2 %g", fw->gc[k]);
    cr_assert(fabs(bw->gc[k]) < 0.02, "v2->v1 %g", bw->gc[k]);
  }
  lam_analysis_free(an);
  lam_layers_free(ly);
}
