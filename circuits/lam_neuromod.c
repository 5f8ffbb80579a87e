/* lam_neuromod.c: the neuromodulatory gate (see lam_neuromod.h). */
#include "lam_neuromod.h"

#include <math.h>

#define S lam_neuromod_params
const lam_param lam_neuromod_table[] = {
    LAM_CHOICE(S, mode, "off", "off|schedule|surprise",
               "Neuromodulatory gate g(t): off (g = 1, the model unchanged), a step schedule, or driven by surprise"),
    LAM_REAL(S, level, "1", "1", 0, 1e6, "Baseline of the gate g"),
    LAM_REAL(S, gain, "0", "1", -1e6, 1e6,
             "schedule: g = level + gain during the step; surprise: g = level + gain * U"),
    LAM_REAL(S, onset, "0", "s", 0, 1e9, "schedule: start of the step"),
    LAM_REAL(S, duration, "0", "s", 0, 1e9, "schedule: length of the step (0: forever)"),
    LAM_REAL(S, apical_scale, "1", "1", -1e3, 1e3,
             "Exponent of the apical coupling factor f_A = g^apical_scale (0: not modulated)"),
    LAM_REAL(S, beta_scale, "1", "1", -1e3, 1e3,
             "Exponent of the inverse temperature factor f_beta = g^beta_scale (0: not modulated)"),
    LAM_REAL(S, tau, "0.1", "s", 1e-6, 1e6, "surprise: time constant of the leaky integrator U of the mismatch"),
    LAM_REAL(S, tau_pred, "0.02", "s", 1e-6, 1e6,
             "surprise: time constant of the prediction p of the input (a running average)"),
};
#undef S
const size_t lam_neuromod_ntable = LAM_NELEM(lam_neuromod_table);


size_t lam_neuromod_nstate(const lam_neuromod_params *p, size_t T,
                           size_t din) {
  return p->mode == LAM_NM_SURPRISE ? T * din + 1 : 0;
}

double lam_neuromod_gate(const lam_neuromod_params *p, double t,
                         const double *state, size_t T, size_t din) {
  double g = 1.0;
  if (p->mode == LAM_NM_SCHEDULE) {
    const int on = t >= p->onset &&
                   (p->duration <= 0.0 || t < p->onset + p->duration);
    g = p->level + (on ? p->gain : 0.0);
  } else if (p->mode == LAM_NM_SURPRISE) {
    g = p->level + p->gain * state[T * din];
  }
  return g > 0.0 ? g : 0.0;
}

void lam_neuromod_factors(const lam_neuromod_params *p, double g, double *fa,
                          double *fbeta) {
  *fa = p->apical_scale == 0.0 ? 1.0 : pow(g, p->apical_scale);
  *fbeta = p->beta_scale == 0.0 ? 1.0 : pow(g, p->beta_scale);
}

void lam_neuromod_rhs(const lam_neuromod_params *p, size_t T, size_t din,
                      const double *x, const double *state, double *dstate) {
  const size_t n = T * din;
  double ss = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double d = x[i] - state[i];
    dstate[i] = d / p->tau_pred;
    ss += d * d;
  }
  const double e = sqrt(ss / (double)n);
  dstate[n] = (e - state[n]) / p->tau;
}

double lam_neuromod_next_break(const lam_neuromod_params *p, double t) {
  if (p->mode != LAM_NM_SCHEDULE) {
    return INFINITY;
  }
  if (t < p->onset) {
    return p->onset;
  }
  if (p->duration > 0.0 && t < p->onset + p->duration) {
    return p->onset + p->duration;
  }
  return INFINITY;
}
