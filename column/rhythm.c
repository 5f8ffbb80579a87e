/* rhythm.c: the column's own rhythms (docs/rhythms.md, "Rhythms of the
 * column"): the state and the couplings of two loops that act on the
 * populations' deviations from their slow means, so that the fixed point
 * (and with it the attention the column computes at rest) is the one of the
 * column without them.
 *
 * PING gamma (pyramidal-interneuron gamma: Cardin et al. 2009 [S42],
 * Tiesinga & Sejnowski 2009 [S43]; the L2/3 E-I pair of Mejias et al. 2016
 * [S8]), per column j and head h, with E_jh the mean L2/3 rate and P_jh the
 * PV state that normalizes the burst rates (pv.c):
 *   tau_pv   dP_jh/dt    += w_ep (E_jh - Ebar_jh)           (pv.c)
 *   tau_l23  dQ_jhk/dt    = -Q + F(... - w_pe s tanh(G_jh - Pbar_jh))
 *   tau_gaba dG_jh/dt     = P_jh - G_jh                      (GABA-A synapse)
 *   tau_slow dEbar_jh/dt  = E_jh - Ebar_jh,   tau_slow dPbar_jh/dt = P_jh - Pbar_jh
 * Deep alpha/beta (the slower L5/6 pair of [S8]: L5 pyramidal cells and
 * SOM / Martinotti cells [S39]), per column j, L_j the mean L5 basal rate:
 *   tau_som  dS_j/dt  = -S + F(w_s mean(Q, K) - w_vs I + w_ls (L_j - Lbar_j))
 *   tau_l5b  dK_jhk/dt = -K + F(s_j W_K x_j - w_sl x_s tanh((G_j - Sbar_j) / x_s)),
 *            x_s = LAM_DEEP_SAT
 *   tau_gsom dG_j/dt  = S_j - G_j,  tau_slow dLbar_j/dt = L_j - Lbar_j,
 *   tau_slow dSbar_j/dt = S_j - Sbar_j
 * and the deep -> superficial link of [S8] that makes phase-amplitude
 * coupling: L2/3 drive += w_dl (L_j - Lbar_j). */
#include "lam_column.h"

void lam_rhythm_rates(const lam_dims *d, const double *Y, int per_head,
                      double *out) {
  const size_t T = d->T, H = d->H, dk = d->dk;
  for (size_t j = 0; j < T; j++) {
    double all = 0.0;
    for (size_t h = 0; h < H; h++) {
      double m = 0.0;
      for (size_t k = 0; k < dk; k++) {
        m += Y[(j * H + h) * dk + k];
      }
      if (per_head) {
        out[j * H + h] = m / (double)dk;
      }
      all += m;
    }
    if (!per_head) {
      out[j] = all / (double)(H * dk);
    }
  }
}

void lam_ping_rhs(const lam_column_params *p, const lam_dims *d,
                  const double *E, const double *P, const double *y,
                  double *dy) {
  const size_t T = d->T, H = d->H;
  const double ks = 1.0 / p->tau_slow, kg = 1.0 / p->tau_gaba;
  for (size_t j = 0; j < T; j++) {
    const double *yj = y + j * LAM_PING_NPER * H;
    double *dj = dy + j * LAM_PING_NPER * H;
    for (size_t h = 0; h < H; h++) {
      const double pj = P[j * H + h];
      dj[h] = ks * (E[j * H + h] - yj[h]);
      dj[H + h] = kg * (pj - yj[H + h]);
      dj[2 * H + h] = ks * (pj - yj[2 * H + h]);
    }
  }
}

void lam_deep_rhs(const lam_column_params *p, const lam_dims *d,
                  const double *L, const double *S, const double *y,
                  double *dy) {
  const double ks = 1.0 / p->tau_slow, kg = 1.0 / p->tau_gsom;
  for (size_t j = 0; j < d->T; j++) {
    const double *yj = y + j * LAM_DEEP_NPER;
    double *dj = dy + j * LAM_DEEP_NPER;
    dj[0] = ks * (L[j] - yj[0]);
    dj[1] = kg * (S[j] - yj[1]);
    dj[2] = ks * (S[j] - yj[2]);
  }
}

void lam_ping_l23_drive(const lam_column_params *p, const lam_dims *d,
                        const double *y_ping, const double *y_deep,
                        const double *L, double *drive) {
  const size_t T = d->T, H = d->H, dk = d->dk;
  const double ws = p->w_pe * p->pv_strength;
  for (size_t j = 0; j < T; j++) {
    const double up = y_deep && L ? p->w_dl * (L[j] - y_deep[j * LAM_DEEP_NPER]) : 0.0;
    for (size_t h = 0; h < H; h++) {
      double x = up;
      if (y_ping) {
        const double *yj = y_ping + j * LAM_PING_NPER * H;
        x -= ws * tanh(yj[H + h] - yj[2 * H + h]);
      }
      for (size_t k = 0; k < dk; k++) {
        drive[(j * H + h) * dk + k] += x;
      }
    }
  }
}

void lam_deep_l5b_drive(const lam_column_params *p, const lam_dims *d,
                        const double *y_deep, double *drive) {
  const size_t n = d->H * d->dk;
  for (size_t j = 0; j < d->T; j++) {
    const double *yj = y_deep + j * LAM_DEEP_NPER;
    /* The synapse saturates (at LAM_DEEP_SAT): linear with slope w_sl near
     * the fixed point, bounded far from it (docs/rhythms.md, "What bounds
     * it"). */
    const double xs = LAM_DEEP_SAT;
    const double x = -p->w_sl * xs * tanh((yj[1] - yj[2]) / xs);
    for (size_t u = 0; u < n; u++) {
      drive[j * n + u] += x;
    }
  }
}

void lam_deep_som_drive(const lam_column_params *p, const lam_dims *d,
                        const double *L, const double *y_deep, double *x) {
  for (size_t j = 0; j < d->T; j++) {
    x[j] = p->w_ls * (L[j] - y_deep[j * LAM_DEEP_NPER]);
  }
}
