/* test_populations.c: every population block of column/ alone, with its
 * inputs held fixed, integrated by GSL's rk8pd (independent of CVODE) and
 * compared with its closed-form solution from y(0) = 0:
 *   leaky populations  y(t) = target (1 - e^{-t/tau}), target = F(drive)
 *   subtractive PV     P(t) = t (sum_j R_j - 1) / tau_pv   (an integrator)
 * and the apical gates against sums written out here (docs/model.md). */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <string.h>

#include "lam_column.h"

enum { L4, L23, L5B, L5A, PV, SOM, VIP, OUT };

typedef struct fixed {
  int pop;
  lam_column_params p;
  lam_dims d;
  const double *drive, *G, *gfb, *somdiv, *R, *V, *Q, *K, *vip;
  double zdrive;
} fixed;

static int f(double t, const double y[], double dy[], void *ctx) {
  (void)t;
  const fixed *x = ctx;
  switch (x->pop) {
  case L4: lam_l4_rhs(&x->p, &x->d, y, x->drive, dy); break;
  case L23: lam_l23_rhs(&x->p, &x->d, y, x->drive, dy); break;
  case L5B: lam_l5b_rhs(&x->p, &x->d, y, x->drive, dy); break;
  case L5A: lam_l5a_rhs(&x->p, &x->d, y, x->G, x->gfb, x->somdiv, dy); break;
  case PV: lam_pv_rhs(&x->p, &x->d, y, x->R, dy); break;
  case SOM: lam_som_rhs(&x->p, &x->d, y, x->Q, x->K, x->vip, dy); break;
  case VIP: lam_vip_rhs(&x->p, &x->d, y, x->zdrive, dy); break;
  default: lam_out_rhs(&x->p, &x->d, y, x->R, x->V, dy); break;
  }
  return GSL_SUCCESS;
}

/* Integrate n variables from 0 to t. */
static void integrate(fixed *x, size_t n, double t, double *y) {
  memset(y, 0, n * sizeof *y);
  gsl_odeiv2_system sys = {f, NULL, n, x};
  gsl_odeiv2_driver *drv =
      gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-6, 1e-12, 1e-12);
  double t0 = 0.0;
  cr_assert_eq(gsl_odeiv2_driver_apply(drv, &t0, t, y), GSL_SUCCESS);
  gsl_odeiv2_driver_free(drv);
}

static fixed base(int pop, int transfer) {
  fixed x;
  memset(&x, 0, sizeof x);
  lam_err err = {0};
  cr_assert_eq(lam_param_defaults(lam_column_table, lam_column_ntable, &x.p, &err), LAM_OK);
  x.pop = pop;
  x.p.transfer = transfer;
  x.p.tau_l4 = 0.011, x.p.tau_l23 = 0.013, x.p.tau_l5b = 0.017, x.p.tau_l5a = 0.007;
  x.p.tau_pv = 0.008, x.p.tau_som = 0.019, x.p.tau_vip = 0.023, x.p.tau_out = 0.029;
  x.d = (lam_dims){3, 2, 2, 2, 3, 1}; /* T, H, dk, dv, nq, threads */
  return x;
}

static double F(const lam_column_params *p, double v) { return lam_transfer(p, v); }

/* The three transfer functions written out, for the closed forms. */
static double F_ref(int transfer, const lam_column_params *p, double v) {
  if (transfer == LAM_F_RELU) {
    return v > 0 ? v : 0;
  }
  if (transfer == LAM_F_SIGMOID) {
    return 1.0 / (1.0 + exp(-p->sigmoid_gain * (v - p->sigmoid_threshold)));
  }
  return v;
}

static void check_leaky(int pop, double tau_of(const lam_column_params *), int transfer) {
  fixed x = base(pop, transfer);
  double drive[12];
  for (size_t i = 0; i < 12; i++) {
    drive[i] = 0.3 * (double)i - 1.4; /* negative and positive drives */
  }
  x.drive = drive;
  double y[12];
  const double tau = tau_of(&x.p);
  for (double t = 0.005; t < 0.06; t += 0.013) {
    integrate(&x, 12, t, y);
    for (size_t i = 0; i < 12; i++) {
      const double want = F_ref(transfer, &x.p, drive[i]) * (1.0 - exp(-t / tau));
      cr_assert_float_eq(y[i], want, 1e-9, "pop %d unit %zu t %g: %g vs %g", pop, i, t,
                         y[i], want);
      cr_assert_float_eq(F(&x.p, drive[i]), F_ref(transfer, &x.p, drive[i]), 1e-15);
    }
  }
}

static double tau_l4(const lam_column_params *p) { return p->tau_l4; }
static double tau_l23(const lam_column_params *p) { return p->tau_l23; }
static double tau_l5b(const lam_column_params *p) { return p->tau_l5b; }

Test(populations, l4_l23_l5b_step_responses_every_transfer) {
  const int tr[] = {LAM_F_LINEAR, LAM_F_RELU, LAM_F_SIGMOID};
  for (size_t k = 0; k < 3; k++) {
    check_leaky(L4, tau_l4, tr[k]);
    check_leaky(L23, tau_l23, tr[k]);
    check_leaky(L5B, tau_l5b, tr[k]);
  }
}

/* A_ijh -> g_fb[j] G_ijh / som_div[j], the key column's gains. */
Test(populations, l5a_apical_step_response) {
  fixed x = base(L5A, LAM_F_LINEAR);
  const size_t n = 3 * 2 * 3; /* nq x H x T */
  double G[18], gfb[3] = {1.0, 1.5, 0.5}, sd[3] = {1.0, 2.0, 4.0}, y[18];
  for (size_t i = 0; i < n; i++) {
    G[i] = sin((double)i + 0.3);
  }
  x.G = G, x.gfb = gfb, x.somdiv = sd;
  const double t = 0.02;
  integrate(&x, n, t, y);
  for (size_t i = 0; i < 3; i++) {
    for (size_t h = 0; h < 2; h++) {
      for (size_t j = 0; j < 3; j++) {
        const size_t o = i * 6 + h * 3 + j;
        const double want = gfb[j] * G[o] / sd[j] * (1.0 - exp(-t / x.p.tau_l5a));
        cr_assert_float_eq(y[o], want, 1e-9, "A[%zu,%zu,%zu]", i, j, h);
      }
    }
  }
}

/* Subtractive PV integrates the excess burst rate: P = t (sum R - 1)/tau. */
Test(populations, pv_subtractive_is_an_integrator) {
  fixed x = base(PV, LAM_F_LINEAR);
  x.p.pv = LAM_PV_SUBTRACTIVE;
  double R[18], y[6];
  for (size_t i = 0; i < 18; i++) {
    R[i] = 0.1 * (double)(i % 7);
  }
  x.R = R;
  const double t = 0.03;
  integrate(&x, 6, t, y);
  for (size_t q = 0; q < 6; q++) {
    const double s = R[q * 3] + R[q * 3 + 1] + R[q * 3 + 2];
    cr_assert_float_eq(y[q], t * (s - 1.0) / x.p.tau_pv, 1e-9, "P[%zu]", q);
  }
}

Test(populations, som_vip_out_step_responses) {
  /* SOM: target F(w_s mean(Q_j, K_j) - w_vs I_j). */
  fixed x = base(SOM, LAM_F_RELU);
  x.p.w_s = 0.8, x.p.w_vs = 1.5;
  double Q[12], K[12], vip[3] = {0.1, 0.4, 0.0}, y[18];
  for (size_t i = 0; i < 12; i++) {
    Q[i] = 0.2 * (double)i, K[i] = 1.0 - 0.1 * (double)i;
  }
  x.Q = Q, x.K = K, x.vip = vip;
  const double t = 0.04;
  integrate(&x, 3, t, y);
  for (size_t j = 0; j < 3; j++) {
    double m = 0;
    for (size_t u = 0; u < 4; u++) {
      m += Q[j * 4 + u] + K[j * 4 + u];
    }
    m /= 8.0;
    const double target = fmax(0.0, x.p.w_s * m - x.p.w_vs * vip[j]);
    cr_assert_float_eq(y[j], target * (1.0 - exp(-t / x.p.tau_som)), 1e-9, "S[%zu]", j);
  }
  /* VIP: target F(c_vip z). */
  fixed v = base(VIP, LAM_F_LINEAR);
  v.p.c_vip = 0.7, v.zdrive = 1.3;
  integrate(&v, 3, t, y);
  for (size_t j = 0; j < 3; j++) {
    cr_assert_float_eq(y[j], 0.7 * 1.3 * (1.0 - exp(-t / v.p.tau_vip)), 1e-9);
  }
  /* Output: target sum_j R_ijh V_jh per head. */
  fixed o = base(OUT, LAM_F_LINEAR);
  double R[18], V[12];
  for (size_t i = 0; i < 18; i++) {
    R[i] = 0.05 * (double)(i + 1);
  }
  for (size_t i = 0; i < 12; i++) {
    V[i] = cos((double)i);
  }
  o.R = R, o.V = V;
  integrate(&o, 12, t, y);
  for (size_t i = 0; i < 3; i++) {
    for (size_t h = 0; h < 2; h++) {
      for (size_t u = 0; u < 2; u++) {
        double s = 0;
        for (size_t j = 0; j < 3; j++) {
          s += R[i * 6 + h * 3 + j] * V[j * 4 + h * 2 + u];
        }
        cr_assert_float_eq(y[i * 4 + h * 2 + u], s * (1.0 - exp(-t / o.p.tau_out)), 1e-9);
      }
    }
  }
}

/* The gates against their sums: product Q.K / sqrt(dk); BAC with
 * s(x) = x_s tanh(x / x_s). */
Test(populations, gates_match_their_definitions) {
  fixed x = base(L5A, LAM_F_LINEAR);
  double Q[12], K[12], G[18], work[24];
  for (size_t i = 0; i < 12; i++) {
    Q[i] = 1.7 * sin(0.9 * (double)i), K[i] = 2.1 * cos(0.4 * (double)i);
  }
  for (int gate = 0; gate < 2; gate++) {
    x.p.gate = gate ? LAM_GATE_BAC : LAM_GATE_PRODUCT;
    x.p.bac_saturation = 1.3;
    lam_l5a_gate(&x.p, &x.d, Q, 4, K, G, work);
    for (size_t i = 0; i < 3; i++) {
      for (size_t h = 0; h < 2; h++) {
        for (size_t j = 0; j < 3; j++) {
          double s = 0;
          for (size_t m = 0; m < 2; m++) {
            double q = Q[i * 4 + h * 2 + m], k = K[j * 4 + h * 2 + m];
            if (gate) {
              q = 1.3 * tanh(q / 1.3), k = 1.3 * tanh(k / 1.3);
            }
            s += q * k;
          }
          cr_assert_float_eq(G[i * 6 + h * 3 + j], s / sqrt(2.0), 1e-12, "gate %d", gate);
        }
      }
    }
  }
}

/* Invalid values never get through: a negative time constant is an error. */
Test(populations, negative_tau_rejected) {
  lam_column_params p;
  lam_err err = {0};
  const lam_param *row = lam_param_find(lam_column_table, lam_column_ntable, "tau_l5a");
  cr_assert_not_null(row);
  cr_assert_neq(lam_param_parse(row, "column", "-0.01", "m.ini:3", NULL, &p, &err), LAM_OK);
  cr_assert(strstr(err.msg, "m.ini:3") && strstr(err.msg, "tau_l5a"), "%s", err.msg);
}
