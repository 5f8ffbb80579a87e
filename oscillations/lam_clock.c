/* lam_clock.c: gamma and alpha/beta rhythm clocks (see lam_clock.h).
 *
 * Equations: docs/rhythms.md, "Clocks" (Kuramoto phase oscillators with
 * mean-field coupling; Stuart-Landau oscillators, the normal form of a
 * supercritical Hopf bifurcation, when the amplitude matters). Band
 * frequencies: gamma 30-80 Hz [S10][S12], alpha 8-12 Hz [S16], deep alpha/beta
 * 10-30 Hz [S28]; the defaults 40 Hz and 10 Hz lie inside the gamma and alpha
 * bands (docs/rhythms.md, "Keys"). Everything is integrated in a frame rotating
 * at the band's nominal frequency (lam_clock.h), so the rhs adds only the
 * detuning 2 pi (f_j - f0) to the coupling terms.
 */
#include "lam_clock.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_math.h> /* M_PI */
#include <gsl/gsl_rng.h>

#include "lam_generator.h"

#define TWO_PI (2.0 * M_PI)

#define S lam_clock_params
const lam_param lam_clock_table[] = {
    LAM_BOOL(S, enabled, "false",
             "Run the gamma (feedforward) and alpha/beta (feedback) clocks; false: gains are exactly 1"),
    LAM_CHOICE(S, model, "phase", "phase|stuart-landau",
               "Kuramoto phase oscillators, or Stuart-Landau oscillators with amplitude dynamics"),
    LAM_REAL(S, gamma_hz, "40", "Hz", 0, 1e4,
             "Natural frequency of the gamma clock (gamma band 30-80 Hz [S10][S12])"),
    LAM_REAL(S, alpha_hz, "10", "Hz", 0, 1e4,
             "Natural frequency of the alpha/beta clock (alpha 8-12 Hz [S16], deep alpha/beta 10-30 Hz [S28])"),
    LAM_REAL(S, gamma_depth, "0.5", "1", 0, 1,
             "Modulation depth m_gamma of feedforward drive, g_ff = 1 + m_gamma cos(theta_gamma)"),
    LAM_REAL(S, alpha_depth, "0.5", "1", 0, 1,
             "Modulation depth m_alpha of feedback (apical) drive, g_fb = 1 + m_alpha cos(theta_alpha)"),
    LAM_REAL(S, coupling, "0", "1/s", 0, 1e6,
             "Kuramoto coupling rate k between the columns of a band, (k/T) sum_i sin(theta_i - theta_j)"),
    LAM_REAL(S, mu, "50", "1/s", 1e-6, 1e6,
             "Stuart-Landau growth rate: limit cycle |z| = sqrt(mu), amplitude relaxation rate 2 mu"),
    LAM_REAL(S, alpha_drive, "0", "1/s", 0, 1e6,
             "Stuart-Landau: drop of the alpha growth rate per unit of column drive, mu_alpha = mu - alpha_drive * drive"),
    LAM_CHOICE(S, init_phase, "zero", "zero|random",
               "Initial phases: all 0, or uniform in [0, 2 pi) from seed"),
    LAM_INT(S, seed, "1", "1", 0, 4294967295.0, "Seed of the random initial phases"),
    LAM_CHOICE(S, gamma_source, "clock", "clock|jansen-rit|wilson-cowan|ping",
               "What drives g_ff: the gamma clock, an emergent generator per column built from "
               "[jansen_rit] or [wilson_cowan] (its output mapped onto [-1, 1] over its cycle), "
               "or ping: the column's own L2/3-PV loop [S42][S43]"),
    LAM_CHOICE(S, alpha_source, "clock", "clock|jansen-rit|wilson-cowan|deep",
               "What drives g_fb: the alpha/beta clock, an emergent generator (Jansen-Rit: alpha) "
               "built from [jansen_rit] or [wilson_cowan], or deep: the column's own L5-SOM loop [S8]"),
    LAM_REAL(S, warmup, "5", "s", 0, 1e4,
             "Emergent generators: integration time before their cycle is measured and the run starts"),
};
#undef S
const size_t lam_clock_ntable = LAM_NELEM(lam_clock_table);

struct lam_clock {
  lam_clock_params p;
  size_t T;
  double f0[2];  /* nominal band frequencies (Hz): the rotating frames */
  double *dw;    /* 2T detunings 2 pi (f_j - f0) (rad/s), gamma then alpha */
  double *hz;    /* 2T natural frequencies (Hz) */
  double rmu;    /* 1 / sqrt(mu) */
  lam_generator *gen[2]; /* emergent generator per band, or NULL */
  size_t nosc;           /* state of the oscillators; generators follow */
};

lam_clock_params lam_clock_defaults(void) {
  lam_clock_params p;
  /* The table's defaults always parse (a test checks it). */
  lam_param_defaults(lam_clock_table, lam_clock_ntable, &p, NULL);
  return p;
}

/* Every numeric field against the table's range, so lam_clock_new accepts
 * exactly what a model file may say. */
static int check_params(const lam_clock_params *p, lam_err *err) {
  for (size_t i = 0; i < lam_clock_ntable; i++) {
    const lam_param *r = &lam_clock_table[i];
    const char *f = (const char *)p + r->offset;
    if (r->type == LAM_PT_REAL) {
      double v = *(const double *)f;
      if (!(v >= r->min && v <= r->max)) {
        return lam_err_set(err, LAM_EINVAL,
                           "clocks.%s: expected a value in [%g, %g] %s, found %g",
                           r->key, r->min, r->max, r->unit, v);
      }
    } else if (r->type == LAM_PT_INT) {
      long v = *(const long *)f;
      if ((double)v < r->min || (double)v > r->max) {
        return lam_err_set(err, LAM_EINVAL,
                           "clocks.%s: expected an integer in [%.0f, %.0f], found %ld",
                           r->key, r->min, r->max, v);
      }
    }
  }
  if (p->model != LAM_CLOCK_PHASE && p->model != LAM_CLOCK_STUART_LANDAU) {
    return lam_err_set(err, LAM_EINVAL,
                       "clocks.model: expected phase or stuart-landau, found %d",
                       p->model);
  }
  if (p->gamma_source != LAM_CLOCK_SOURCE_CLOCK ||
      p->alpha_source != LAM_CLOCK_SOURCE_CLOCK) {
    return lam_err_set(err, LAM_EINVAL,
                       "clocks.%s: an emergent generator needs the system that makes "
                       "it: lam_clock_build with the generator (lam_attention_clock "
                       "builds both from a model's parameters)",
                       p->gamma_source != LAM_CLOCK_SOURCE_CLOCK ? "gamma_source"
                                                                 : "alpha_source");
  }
  if (p->init_phase != LAM_CLOCK_INIT_ZERO &&
      p->init_phase != LAM_CLOCK_INIT_RANDOM) {
    return lam_err_set(err, LAM_EINVAL,
                       "clocks.init_phase: expected zero or random, found %d",
                       p->init_phase);
  }
  return LAM_OK;
}

int lam_clock_new(const lam_clock_params *p, size_t ncols, lam_clock **out,
                  lam_err *err) {
  *out = NULL;
  int rc = check_params(p, err);
  if (rc) {
    return rc;
  }
  if (ncols == 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "clocks: expected at least one column, found 0");
  }
  lam_clock *c = calloc(1, sizeof *c);
  if (!c) {
    return LAM_NOMEM(err);
  }
  c->p = *p;
  c->T = ncols;
  c->f0[LAM_CLOCK_GAMMA] = p->gamma_hz;
  c->f0[LAM_CLOCK_ALPHA] = p->alpha_hz;
  c->rmu = 1.0 / sqrt(p->mu);
  c->nosc = (p->model == LAM_CLOCK_PHASE ? 2 : 4) * ncols;
  c->dw = calloc(2 * ncols, sizeof *c->dw);
  c->hz = malloc(2 * ncols * sizeof *c->hz);
  if (!c->dw || !c->hz) {
    lam_clock_free(c);
    return LAM_NOMEM(err);
  }
  for (size_t j = 0; j < ncols; j++) {
    c->hz[j] = p->gamma_hz;
    c->hz[ncols + j] = p->alpha_hz;
  }
  *out = c;
  return LAM_OK;
}

int lam_clock_build(const lam_clock_params *p, size_t ncols,
                    lam_generator *gen[2], lam_clock **out, lam_err *err) {
  *out = NULL;
  lam_clock_params q = *p;
  q.gamma_source = q.alpha_source = LAM_CLOCK_SOURCE_CLOCK;
  int rc = lam_clock_new(&q, ncols, out, err);
  if (rc) {
    lam_generator_free(gen[0]);
    lam_generator_free(gen[1]);
    gen[0] = gen[1] = NULL;
    return rc;
  }
  lam_clock *c = *out;
  c->p = *p;
  if (p->gamma_source == LAM_CLOCK_SOURCE_CIRCUIT &&
      p->alpha_source == LAM_CLOCK_SOURCE_CIRCUIT) {
    c->nosc = 0; /* nothing left for the oscillators to drive */
  }
  /* Emergent generators: their state follows the oscillators'. */
  for (int b = 0; b < 2; b++) {
    c->gen[b] = gen[b];
    gen[b] = NULL;
  }
  return LAM_OK;
}

void lam_clock_free(lam_clock *c) {
  if (!c) {
    return;
  }
  lam_generator_free(c->gen[0]);
  lam_generator_free(c->gen[1]);
  free(c->dw);
  free(c->hz);
  free(c);
}

int lam_clock_set_frequency(lam_clock *c, lam_clock_band band, size_t col,
                            double hz, lam_err *err) {
  if (band != LAM_CLOCK_GAMMA && band != LAM_CLOCK_ALPHA) {
    return lam_err_set(err, LAM_EINVAL, "clocks: unknown band %d", (int)band);
  }
  if (col >= c->T) {
    return lam_err_set(err, LAM_EINVAL,
                       "clocks: column %zu out of range (%zu columns)", col,
                       c->T);
  }
  if (!(hz >= 0.0) || !isfinite(hz)) {
    return lam_err_set(err, LAM_EINVAL,
                       "clocks.%s: expected a finite frequency >= 0 Hz, found %g",
                       band == LAM_CLOCK_GAMMA ? "gamma_hz" : "alpha_hz", hz);
  }
  size_t k = (size_t)band * c->T + col;
  c->hz[k] = hz;
  c->dw[k] = TWO_PI * (hz - c->f0[band]);
  return LAM_OK;
}

int lam_clock_enabled(const lam_clock *c) { return c && c->p.enabled; }

size_t lam_clock_ncols(const lam_clock *c) { return c ? c->T : 0; }

size_t lam_clock_nstate(const lam_clock *c) {
  if (!lam_clock_enabled(c)) {
    return 0;
  }
  return c->nosc + lam_generator_nstate(c->gen[0]) +
         lam_generator_nstate(c->gen[1]);
}

/* Offset of band b's generator state in the clock state. */
static size_t gen_off(const lam_clock *c, int b) {
  return c->nosc + (b == LAM_CLOCK_ALPHA ? lam_generator_nstate(c->gen[0]) : 0);
}

double lam_clock_source_hz(const lam_clock *c, lam_clock_band band, size_t col) {
  if (!lam_clock_enabled(c) || col >= c->T ||
      (band != LAM_CLOCK_GAMMA && band != LAM_CLOCK_ALPHA)) {
    return 0.0;
  }
  return c->gen[band] ? lam_generator_hz(c->gen[band], col)
                      : c->hz[(size_t)band * c->T + col];
}

void lam_clock_init(const lam_clock *c, double *y) {
  if (!lam_clock_enabled(c)) {
    return;
  }
  const size_t n = c->nosc ? 2 * c->T : 0;
  gsl_rng *rng = NULL;
  if (c->p.init_phase == LAM_CLOCK_INIT_RANDOM) {
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng) {
      gsl_rng_set(rng, (unsigned long)c->p.seed);
    }
  }
  const double r = sqrt(c->p.mu);
  for (size_t k = 0; k < n; k++) {
    /* Without memory for the generator the phases stay 0: init cannot fail. */
    double th = rng ? TWO_PI * gsl_rng_uniform(rng) : 0.0;
    if (c->p.model == LAM_CLOCK_PHASE) {
      y[k] = th;
    } else {
      y[2 * k] = r * cos(th);
      y[2 * k + 1] = r * sin(th);
    }
  }
  gsl_rng_free(rng);
  for (int b = 0; b < 2; b++) {
    if (c->gen[b]) {
      lam_generator_init(c->gen[b], y + gen_off(c, b));
    }
  }
}

/* Kuramoto in the rotating frame, one band of T oscillators:
 * dphi_j/dt = dw_j + (k/T) Im(e^{-i phi_j} sum_i e^{i phi_i}). */
static void phase_band(const lam_clock *c, const double *phi,
                       const double *dw, double *dphi) {
  const size_t T = c->T;
  const double kT = c->p.coupling / (double)T;
  if (kT == 0.0) {
    for (size_t j = 0; j < T; j++) {
      dphi[j] = dw[j];
    }
    return;
  }
  /* Up to PHASE_KEEP columns, each phase's cosine and sine are computed
   * once and kept on the stack for the second loop: half the trigonometry
   * (~5 % of the default model's run), the same values. */
  enum { PHASE_KEEP = 256 };
  double cs[PHASE_KEEP], sn[PHASE_KEEP];
  const int keep = T <= PHASE_KEEP;
  double sx = 0.0, sy = 0.0;
  for (size_t i = 0; i < T; i++) {
    const double ci = cos(phi[i]), si = sin(phi[i]);
    if (keep) {
      cs[i] = ci, sn[i] = si;
    }
    sx += ci;
    sy += si;
  }
  for (size_t j = 0; j < T; j++) {
    const double cj = keep ? cs[j] : cos(phi[j]), sj = keep ? sn[j] : sin(phi[j]);
    dphi[j] = dw[j] + kT * (cj * sy - sj * sx);
  }
}

/* Stuart-Landau in the rotating frame, one band (w = x + i y interleaved):
 * dw_j/dt = (mu_j + i dw_j - |w_j|^2) w_j + (k/T) (W - T w_j),
 * mu_j = mu - alpha_drive * drive_j when drive is given. */
static void sl_band(const lam_clock *c, const double *w, const double *dw,
                    const double *drive, double *dwdt) {
  const size_t T = c->T;
  const double kT = c->p.coupling / (double)T;
  double sx = 0.0, sy = 0.0;
  for (size_t i = 0; i < T; i++) {
    sx += w[2 * i];
    sy += w[2 * i + 1];
  }
  for (size_t j = 0; j < T; j++) {
    const double x = w[2 * j], y = w[2 * j + 1];
    const double mu =
        drive ? c->p.mu - c->p.alpha_drive * drive[j] : c->p.mu;
    const double a = mu - (x * x + y * y);
    dwdt[2 * j] = a * x - dw[j] * y + kT * (sx - (double)T * x);
    dwdt[2 * j + 1] = a * y + dw[j] * x + kT * (sy - (double)T * y);
  }
}

void lam_clock_rhs_driven(const lam_clock *c, double t, const double *y,
                          const double *drive, double *dy) {
  (void)t; /* autonomous in the rotating frame */
  if (!lam_clock_enabled(c)) {
    return;
  }
  const size_t T = c->T;
  if (!c->nosc) {
    /* both bands are the circuit's: no oscillators */
  } else if (c->p.model == LAM_CLOCK_PHASE) {
    phase_band(c, y, c->dw, dy);
    phase_band(c, y + T, c->dw + T, dy + T);
  } else {
    sl_band(c, y, c->dw, NULL, dy);
    sl_band(c, y + 2 * T, c->dw + T, drive, dy + 2 * T);
  }
  for (int b = 0; b < 2; b++) {
    if (c->gen[b]) {
      lam_generator_rhs(c->gen[b], t, y + gen_off(c, b), dy + gen_off(c, b));
    }
  }
}

void lam_clock_rhs(const lam_clock *c, double t, const double *y, double *dy) {
  lam_clock_rhs_driven(c, t, y, NULL, dy);
}

/* Angle of the reference rotation 2 pi f0 t, reduced to [0, 2 pi) through
 * the fractional number of turns so long runs keep full precision. */
static double frame_angle(double f0, double t) {
  double turns = f0 * t;
  return TWO_PI * (turns - floor(turns));
}

static double wrap(double a) {
  double w = remainder(a, TWO_PI); /* [-pi, pi] */
  return w <= -M_PI ? w + TWO_PI : w;
}

/* Band b's gain is the embedding network's (gamma_source = ping,
 * alpha_source = deep). */
static int circuit(const lam_clock *c, lam_clock_band b) {
  return (b == LAM_CLOCK_GAMMA ? c->p.gamma_source : c->p.alpha_source) ==
         LAM_CLOCK_SOURCE_CIRCUIT;
}

/* cos(theta) times the relative amplitude: the modulation signal c. */
static double carrier(const lam_clock *c, double t, const double *y,
                      lam_clock_band band, size_t col) {
  if (c->gen[band]) {
    return lam_generator_signal(c->gen[band], y + gen_off(c, band), col);
  }
  if (!c->nosc || circuit(c, band)) {
    return 0.0; /* the network sets this band's gain */
  }
  const double a = frame_angle(c->f0[band], t);
  if (c->p.model == LAM_CLOCK_PHASE) {
    return cos(y[(size_t)band * c->T + col] + a);
  }
  const double *w = y + (size_t)band * 2 * c->T + 2 * col;
  /* Re(w e^{i a}) / sqrt(mu) */
  return (w[0] * cos(a) - w[1] * sin(a)) * c->rmu;
}

void lam_clock_gains(const lam_clock *c, double t, const double *y, size_t col,
                     double *g_ff, double *g_fb) {
  const int on = lam_clock_enabled(c) && col < c->T;
  if (g_ff) {
    *g_ff = on ? 1.0 + c->p.gamma_depth * carrier(c, t, y, LAM_CLOCK_GAMMA, col)
               : 1.0;
  }
  if (g_fb) {
    *g_fb = on ? 1.0 + c->p.alpha_depth * carrier(c, t, y, LAM_CLOCK_ALPHA, col)
               : 1.0;
  }
}

/* One band's gains 1 + depth c_j for columns [0, n), n <= T (see
 * lam_clock_gains_all): each value as carrier() computes it. */
static void band_gains(const lam_clock *c, double t, const double *y,
                       lam_clock_band band, double depth, size_t n,
                       double *g) {
  if (c->gen[band] || !c->nosc || circuit(c, band)) {
    for (size_t j = 0; j < n; j++) {
      g[j] = 1.0 + depth * carrier(c, t, y, band, j);
    }
    return;
  }
  const double a = frame_angle(c->f0[band], t);
  if (c->p.model == LAM_CLOCK_PHASE) {
    const double *ph = y + (size_t)band * c->T;
    for (size_t j = 0; j < n; j++) {
      /* ph[j] == ph[j - 1]: the same sum with a, the same cosine (equal
       * doubles that differ in bits are +0 and -0, and cos is even). */
      g[j] = j > 0 && ph[j] == ph[j - 1] ? g[j - 1]
                                         : 1.0 + depth * cos(ph[j] + a);
    }
    return;
  }
  const double ca = cos(a), sa = sin(a);
  const double *w = y + (size_t)band * 2 * c->T;
  for (size_t j = 0; j < n; j++) {
    g[j] = 1.0 + depth * ((w[2 * j] * ca - w[2 * j + 1] * sa) * c->rmu);
  }
}

void lam_clock_gains_all(const lam_clock *c, double t, const double *y,
                         size_t ncols, double *g_ff, double *g_fb) {
  const size_t n = lam_clock_enabled(c) ? (ncols < c->T ? ncols : c->T) : 0;
  double *g[2] = {g_ff, g_fb};
  for (int b = 0; b < 2; b++) {
    if (!g[b]) {
      continue;
    }
    if (n) {
      band_gains(c, t, y, (lam_clock_band)b,
                 b == 0 ? c->p.gamma_depth : c->p.alpha_depth, n, g[b]);
    }
    for (size_t j = n; j < ncols; j++) {
      g[b][j] = 1.0;
    }
  }
}

double lam_clock_phase(const lam_clock *c, double t, const double *y,
                       lam_clock_band band, size_t col) {
  if (!lam_clock_enabled(c) || col >= c->T || !c->nosc) {
    return 0.0;
  }
  const double a = frame_angle(c->f0[band], t);
  if (c->p.model == LAM_CLOCK_PHASE) {
    return wrap(y[(size_t)band * c->T + col] + a);
  }
  const double *w = y + (size_t)band * 2 * c->T + 2 * col;
  return wrap(atan2(w[1], w[0]) + a);
}

double lam_clock_amplitude(const lam_clock *c, const double *y,
                           lam_clock_band band, size_t col) {
  if (!lam_clock_enabled(c) || col >= c->T || !c->nosc) {
    return 0.0;
  }
  if (c->p.model == LAM_CLOCK_PHASE) {
    return 1.0;
  }
  const double *w = y + (size_t)band * 2 * c->T + 2 * col;
  return hypot(w[0], w[1]) * c->rmu;
}

/* |mean_j e^{i theta_j}|: invariant under the common frame rotation, so the
 * rotating-frame state gives it directly. A Stuart-Landau oscillator at
 * z = 0 has no phase and contributes nothing. */
double lam_clock_order(const lam_clock *c, const double *y,
                       lam_clock_band band) {
  if (!lam_clock_enabled(c) || !c->nosc) {
    return 0.0;
  }
  const size_t T = c->T;
  double sx = 0.0, sy = 0.0;
  for (size_t j = 0; j < T; j++) {
    if (c->p.model == LAM_CLOCK_PHASE) {
      const double ph = y[(size_t)band * T + j];
      sx += cos(ph);
      sy += sin(ph);
    } else {
      const double *w = y + (size_t)band * 2 * T + 2 * j;
      const double r = hypot(w[0], w[1]);
      if (r > 0.0) {
        sx += w[0] / r;
        sy += w[1] / r;
      }
    }
  }
  return hypot(sx, sy) / (double)T;
}
