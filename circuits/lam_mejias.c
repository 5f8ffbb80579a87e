/* lam_mejias.c: Mejias et al. 2016 laminar columns (see lam_mejias.h).
 * Parameters from the paper's code [S8] (fig2/parameters.m: taus, local J,
 * noise) and [S9] (fig3: interlaminar J and the inputs of the PAC figure). */
#include "lam_mejias.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S lam_mejias_params
const lam_param lam_mejias_table[] = {
    LAM_REAL(S, tau_e23, "0.006", "s", 1e-6, 10, "L2/3 excitatory time constant [S8]"),
    LAM_REAL(S, tau_i23, "0.015", "s", 1e-6, 10, "L2/3 inhibitory time constant [S8]"),
    LAM_REAL(S, tau_e56, "0.030", "s", 1e-6, 10, "L5/6 excitatory time constant (5 x L2/3) [S8]"),
    LAM_REAL(S, tau_i56, "0.075", "s", 1e-6, 10, "L5/6 inhibitory time constant (5 x L2/3) [S8]"),
    LAM_REAL(S, j_ee, "1.5", "1", -1e3, 1e3, "Local E -> E weight, both layers [S8]"),
    LAM_REAL(S, j_ei, "-3.25", "1", -1e3, 1e3, "Local I -> E weight, both layers [S8]"),
    LAM_REAL(S, j_ie, "3.5", "1", -1e3, 1e3, "Local E -> I weight, both layers [S8]"),
    LAM_REAL(S, j_ii, "-2.5", "1", -1e3, 1e3, "Local I -> I weight, both layers [S8]"),
    LAM_REAL(S, j_e56_e23, "1", "1", -1e3, 1e3, "Interlaminar L2/3 E -> L5/6 E [S9]"),
    LAM_REAL(S, j_i56_e23, "0", "1", -1e3, 1e3, "Interlaminar L2/3 E -> L5/6 I [S9]"),
    LAM_REAL(S, j_e23_e56, "0", "1", -1e3, 1e3, "Interlaminar L5/6 E -> L2/3 E [S9]"),
    LAM_REAL(S, j_i23_e56, "0.75", "1", -1e3, 1e3, "Interlaminar L5/6 E -> L2/3 I [S9]"),
    LAM_REAL(S, i_e23, "6", "1", -1e3, 1e3, "External input to L2/3 E [S9]"),
    LAM_REAL(S, i_i23, "0", "1", -1e3, 1e3, "External input to L2/3 I [S9]"),
    LAM_REAL(S, i_e56, "8", "1", -1e3, 1e3, "External input to L5/6 E [S9]"),
    LAM_REAL(S, i_i56, "0", "1", -1e3, 1e3, "External input to L5/6 I [S9]"),
    LAM_REAL(S, sigma_23, "0.3", "1", 0, 1e3,
             "Noise sigma of L2/3 (amplitude sigma/sqrt(tau) on dr/dt; needs method = heun) [S8]"),
    LAM_REAL(S, sigma_56, "0.45", "1", 0, 1e3, "Noise sigma of L5/6 [S8]"),
    LAM_REAL(S, k, "0", "1", -1e6, 1e6, "Global gain of the inter-column coupling onto L2/3 E"),
    LAM_PATHP(S, coupling, "",
              "Coupling matrix W, CSV N x N, row i receives L2/3 E rates from column j, used as "
              "given; empty: uncoupled"),
};
#undef S
const size_t lam_mejias_ntable = LAM_NELEM(lam_mejias_table);

enum { R_E23, R_I23, R_E56, R_I56 };

struct lam_mejias {
  lam_mejias_params p;
  size_t N;
  double J[4][4]; /* post, pre */
  double ext[4], tau[4], sig[4];
  lam_coupling W;
  double *cin;
  double *y0;
  lam_pop_info pops[4];
  lam_system sys;
};

double lam_mejias_phi(double x) {
  /* x / (1 - e^{-x}) = x / (-expm1(-x)); its series 1 + x/2 near 0. */
  if (fabs(x) < 1e-8) {
    return 1.0 + 0.5 * x;
  }
  return x / -expm1(-x);
}

/* Total input x of the four populations of column i. */
static void inputs(const lam_mejias *mj, size_t i, const double *y,
                   double *x) {
  const double *r = y + i * LAM_MEJIAS_NSTATE;
  for (size_t a = 0; a < 4; a++) {
    double s = mj->ext[a];
    for (size_t b = 0; b < 4; b++) {
      s += mj->J[a][b] * r[b];
    }
    x[a] = s;
  }
  if (mj->W.n) {
    x[R_E23] += mj->p.k * mj->cin[i];
  }
}

static int rhs(void *self, double t, const double *y, double *dy) {
  lam_mejias *mj = self;
  (void)t;
  if (mj->W.n) {
    lam_coupling_apply(&mj->W, y + R_E23, LAM_MEJIAS_NSTATE, mj->cin);
  }
  for (size_t i = 0; i < mj->N; i++) {
    double x[4];
    inputs(mj, i, y, x);
    const double *r = y + i * LAM_MEJIAS_NSTATE;
    double *d = dy + i * LAM_MEJIAS_NSTATE;
    for (size_t a = 0; a < 4; a++) {
      d[a] = (-r[a] + lam_mejias_phi(x[a])) / mj->tau[a];
    }
  }
  return 0;
}

static int noise(void *self, double t, const double *y, double *sigma) {
  lam_mejias *mj = self;
  (void)t;
  (void)y;
  for (size_t i = 0; i < mj->N; i++) {
    for (size_t a = 0; a < 4; a++) {
      sigma[i * LAM_MEJIAS_NSTATE + a] = mj->sig[a] / sqrt(mj->tau[a]);
    }
  }
  return 0;
}

static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  lam_mejias *mj = self;
  (void)t;
  for (size_t i = 0; i < mj->N; i++) {
    out[i] = y[i * LAM_MEJIAS_NSTATE + pop];
  }
}

static void input(void *self, size_t pop, double t, const double *y,
                  double *out) {
  lam_mejias *mj = self;
  (void)t;
  if (mj->W.n) {
    lam_coupling_apply(&mj->W, y + R_E23, LAM_MEJIAS_NSTATE, mj->cin);
  }
  for (size_t i = 0; i < mj->N; i++) {
    double x[4];
    inputs(mj, i, y, x);
    out[i] = x[pop];
  }
}

static const lam_system_ops ops_det = {
    .rhs = rhs, .observe = observe, .input = input};
static const lam_system_ops ops_noisy = {.rhs = rhs,
                                         .noise = noise,
                                         .observe = observe,
                                         .input = input};

void lam_mejias_free(lam_mejias *mj) {
  if (!mj) {
    return;
  }
  lam_coupling_free(&mj->W);
  free(mj->cin);
  free(mj->y0);
  free(mj);
}

int lam_mejias_new(const lam_mass_network_params *net,
                   const lam_mejias_params *params, const lam_given *given,
                   lam_mejias **out, lam_err *err) {
  *out = NULL;
  lam_mejias *mj = calloc(1, sizeof *mj);
  if (!mj) {
    return LAM_NOMEM(err);
  }
  mj->p = *params;
  mj->N = (size_t)net->columns;
  int rc = lam_coupling_load(given, "mejias2016", "coupling", mj->p.coupling,
                             mj->N, &mj->W, err);
  if (rc) {
    lam_mejias_free(mj);
    return rc;
  }
  const lam_mejias_params *p = &mj->p;
  /* Local blocks (same weights in both layers), then the interlaminar ones. */
  for (size_t l = 0; l < 2; l++) {
    const size_t e = 2 * l, i = 2 * l + 1;
    mj->J[e][e] = p->j_ee;
    mj->J[e][i] = p->j_ei;
    mj->J[i][e] = p->j_ie;
    mj->J[i][i] = p->j_ii;
  }
  mj->J[R_E56][R_E23] = p->j_e56_e23;
  mj->J[R_I56][R_E23] = p->j_i56_e23;
  mj->J[R_E23][R_E56] = p->j_e23_e56;
  mj->J[R_I23][R_E56] = p->j_i23_e56;
  const double ext[4] = {p->i_e23, p->i_i23, p->i_e56, p->i_i56};
  const double tau[4] = {p->tau_e23, p->tau_i23, p->tau_e56, p->tau_i56};
  const double sig[4] = {p->sigma_23, p->sigma_23, p->sigma_56, p->sigma_56};
  memcpy(mj->ext, ext, sizeof ext);
  memcpy(mj->tau, tau, sizeof tau);
  memcpy(mj->sig, sig, sizeof sig);

  const size_t N = mj->N, n = N * LAM_MEJIAS_NSTATE;
  mj->cin = calloc(N, sizeof *mj->cin);
  mj->y0 = calloc(n, sizeof *mj->y0);
  if (!mj->cin || !mj->y0) {
    lam_mejias_free(mj);
    return LAM_NOMEM(err);
  }
  const lam_pop_info pops[4] = {
      {"l23_e", "1/s", N, 1, "L2/3", "L2/3 excitatory rate (gamma generator) [S8]"},
      {"l23_i", "1/s", N, 1, "L2/3", "L2/3 inhibitory rate [S8]"},
      {"l56_e", "1/s", N, 1, "L5", "L5/6 excitatory rate (alpha generator) [S8]"},
      {"l56_i", "1/s", N, 1, "L5", "L5/6 inhibitory rate [S8]"},
  };
  memcpy(mj->pops, pops, sizeof pops);
  const int noisy = p->sigma_23 > 0.0 || p->sigma_56 > 0.0;
  mj->sys = (lam_system){.ops = noisy ? &ops_noisy : &ops_det,
                         .self = mj,
                         .n = n,
                         .npops = 4,
                         .pops = mj->pops,
                         .y0 = mj->y0,
                         .state_rows = LAM_MEJIAS_NSTATE,
                         .state_cols = N,
                         .kind = "mejias2016"};
  *out = mj;
  return LAM_OK;
}

lam_system *lam_mejias_system(lam_mejias *mj) { return &mj->sys; }
lam_mejias_params *lam_mejias_params_of(lam_mejias *mj) { return &mj->p; }
