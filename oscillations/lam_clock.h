/* lam_clock.h: the gamma and alpha/beta rhythm clocks of the columns.
 *
 * docs/rhythms.md, "Clocks": every column j carries two oscillators, a
 * gamma clock that gates feedforward drive and an alpha/beta clock that gates
 * feedback (the "masking / packets" row of the mapping table in docs/model.md;
 * their laminar segregation, Bastos et al. 2012 [S27][S28], is what
 * predictions P7-P9 of docs/experiments/README.md probe). Two models:
 *
 *   phase (Kuramoto):  d theta_j/dt = 2 pi f_j + (k/T) sum_i sin(theta_i - theta_j)
 *   stuart-landau:     dz_j/dt = (mu_j + i 2 pi f_j - |z_j|^2) z_j + (k/T) sum_i (z_i - z_j)
 *                      mu_alpha,j = mu - alpha_drive * drive_j(t)   (gamma: mu)
 *
 * k is the coupling rate in 1/s (the sum runs over all T columns of the
 * band, i = j included; that term vanishes). For T = 2 the phase model is
 * d theta_1/dt = w_1 + K sin(theta_2 - theta_1) with K = k/2, so two columns
 * lock iff |w_1 - w_2| <= 2K = k. mu is in 1/s and |z| in sqrt(1/s): the limit
 * cycle has |z| = sqrt(mu) and the amplitude relaxes at rate 2 mu.
 *
 * Gains (multiplicative, dimensionless):
 *   g_ff = 1 + gamma_depth * c_gamma,  g_fb = 1 + alpha_depth * c_alpha,
 *   c = cos(theta) (phase model) or Re(z) / sqrt(mu) (Stuart-Landau: cos(theta)
 *   times the amplitude relative to the undriven limit cycle, so a drive that
 *   lowers mu_alpha lowers the alpha modulation of feedback).
 * With gamma_source = ping / alpha_source = deep (LAM_CLOCK_SOURCE_CIRCUIT) the
 * band's gain is the attention column's own (column/rhythm.c): the clock
 * leaves it to the network, and when both bands are the circuit's the clock
 * has no oscillator state at all (observables 0).
 * With gamma_source / alpha_source = jansen-rit | wilson-cowan, c of that band
 * is instead an emergent generator's output mapped onto [-1, 1] over its
 * limit cycle (oscillations/lam_generator.h): the rhythm then comes from a
 * neural mass, not from a prescribed frequency. Phase, amplitude and order
 * observables describe the oscillators only (a generator band still carries
 * its unused oscillator).
 *
 * Rotating frame: the state holds each oscillator relative to a reference
 * rotation at its band's nominal frequency f0 (gamma_hz or alpha_hz):
 * phi_j = theta_j - 2 pi f0 t, w_j = z_j e^{-i 2 pi f0 t}. The equations above
 * are unchanged (the coupling is invariant under a common rotation), but the
 * state no longer grows or spins at 40 Hz: an adaptive solver's relative
 * tolerance stays meaningful over long runs, and with equal frequencies the
 * state is stationary. The price is that gains and phases need t as well as y.
 *
 * State layout (lam_clock_nstate values starting at the offset the embedding
 * model chooses): phase model y[0..T) = phi_gamma, y[T..2T) = phi_alpha
 * (rad); Stuart-Landau y[2j], y[2j+1] = Re, Im of w_gamma,j and
 * y[2T + 2j], y[2T + 2j + 1] = Re, Im of w_alpha,j. A disabled clock owns no
 * state and its gains are exactly 1.
 *
 * The right-hand side is O(T) by the mean-field identity
 * sum_i sin(theta_i - theta_j) = Im(e^{-i theta_j} sum_i e^{i theta_i})
 * (and sum_i (z_i - z_j) = Z - T z_j), allocation-free and pure.
 */
#ifndef LAM_CLOCK_H
#define LAM_CLOCK_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_generator.h"
#include "lam_param.h"

typedef struct lam_clock lam_clock;

typedef enum { LAM_CLOCK_PHASE = 0, LAM_CLOCK_STUART_LANDAU = 1 } lam_clock_model;
typedef enum { LAM_CLOCK_GAMMA = 0, LAM_CLOCK_ALPHA = 1 } lam_clock_band;
typedef enum { LAM_CLOCK_INIT_ZERO = 0, LAM_CLOCK_INIT_RANDOM = 1 } lam_clock_init_kind;
/* What drives a band's gain (values match lam_generator_kind). */
typedef enum {
  LAM_CLOCK_SOURCE_CLOCK = 0,
  LAM_CLOCK_SOURCE_JANSEN_RIT = 1,
  LAM_CLOCK_SOURCE_WILSON_COWAN = 2,
  /* The column's own circuit (gamma: ping, alpha: deep; column/rhythm.c):
   * the embedding network computes the band's gain from its state. */
  LAM_CLOCK_SOURCE_CIRCUIT = 3
} lam_clock_source;

/* Section [clocks]; every field is described by lam_clock_table. */
typedef struct lam_clock_params {
  int enabled;        /* bool */
  int model;          /* lam_clock_model */
  double gamma_hz;    /* Hz */
  double alpha_hz;    /* Hz */
  double gamma_depth; /* 1 */
  double alpha_depth; /* 1 */
  double coupling;    /* k, 1/s */
  double mu;          /* 1/s (Stuart-Landau) */
  double alpha_drive; /* 1/s per unit of drive (Stuart-Landau) */
  int init_phase;     /* lam_clock_init_kind */
  long seed;          /* for init_phase = random */
  int gamma_source;   /* lam_clock_source of g_ff */
  int alpha_source;   /* lam_clock_source of g_fb */
  double warmup;      /* s, generators' warm-up */
} lam_clock_params;

extern const lam_param lam_clock_table[];
extern const size_t lam_clock_ntable;

/* The table's defaults (clocks disabled, phase model, 40 Hz / 10 Hz, ...). */
lam_clock_params lam_clock_defaults(void);

/* Create clocks for ncols columns. LAM_EINVAL naming clocks.<key> for a value
 * out of range (the same ranges as the table) or a source other than clock
 * (a generator needs its system: lam_clock_build), LAM_ENOMEM. */
int lam_clock_new(const lam_clock_params *p, size_t ncols, lam_clock **out,
                  lam_err *err);
/* Create from p, with the emergent generators that drive the gamma
 * (gen[0]) and alpha/beta (gen[1]) gains when p is enabled and its
 * gamma_source / alpha_source name one (built by the caller from the
 * model's [jansen_rit] or [wilson_cowan] parameters, lam_generator.h). The
 * clock takes the generators over (gen[] set to NULL), on failure too. */
int lam_clock_build(const lam_clock_params *p, size_t ncols,
                    lam_generator *gen[2], lam_clock **out, lam_err *err);
void lam_clock_free(lam_clock *c);

/* Set the natural frequency (Hz) of one oscillator (default: the band's
 * gamma_hz / alpha_hz). Used for detuned columns; not for the hot path.
 * LAM_EINVAL for a column out of range or a negative / non-finite value. */
int lam_clock_set_frequency(lam_clock *c, lam_clock_band band, size_t col,
                            double hz, lam_err *err);

int lam_clock_enabled(const lam_clock *c);
size_t lam_clock_ncols(const lam_clock *c);
/* State variables owned: 0 (disabled), 2T (phase), 4T (Stuart-Landau), plus
 * the generators' states (gamma's, then alpha's) after the oscillators. */
size_t lam_clock_nstate(const lam_clock *c);
/* Frequency (Hz) of what drives a band's gain in column col: the clock's
 * natural frequency, or the generator's as measured in its warm-up. 0 when
 * disabled. */
double lam_clock_source_hz(const lam_clock *c, lam_clock_band band, size_t col);

/* Initial state into y[nstate]: phases 0 or uniform in [0, 2 pi) drawn from
 * seed (gamma columns first, then alpha); Stuart-Landau amplitude sqrt(mu). */
void lam_clock_init(const lam_clock *c, double *y);

/* dy[nstate] = f(t, y[nstate]) with no drive. Pure, O(T). */
void lam_clock_rhs(const lam_clock *c, double t, const double *y, double *dy);
/* The same with a per-column drive[ncols] (a.u.) lowering mu_alpha by
 * alpha_drive * drive_j (Stuart-Landau only; ignored by the phase model).
 * drive may be NULL (zero). */
void lam_clock_rhs_driven(const lam_clock *c, double t, const double *y,
                          const double *drive, double *dy);

/* Gains of column col at time t (s): g_ff (gamma, feedforward) and g_fb
 * (alpha, feedback). Either pointer may be NULL. Exactly 1 when disabled. */
void lam_clock_gains(const lam_clock *c, double t, const double *y, size_t col,
                     double *g_ff, double *g_fb);

/* The gains of columns 0 .. ncols - 1 at time t: g_ff[ncols] and
 * g_fb[ncols] (either may be NULL), the same values as lam_clock_gains
 * column by column, bit for bit (c may be NULL: all 1). Cheaper per right-hand-side evaluation: the reference rotation's
 * angle (and, for Stuart-Landau, its cosine and sine) once per band, and
 * for the phase model one cosine per run of columns with equal phases
 * (cos of equal arguments is the same value: the common case of columns
 * started in phase, uncoupled or locked at equal frequencies). */
void lam_clock_gains_all(const lam_clock *c, double t, const double *y,
                         size_t ncols, double *g_ff, double *g_fb);

/* Observables. Phase theta (rad, wrapped to (-pi, pi]) and amplitude
 * (1 for the phase model, |z|/sqrt(mu) for Stuart-Landau) of one oscillator
 * at time t; the Kuramoto order parameter |mean_j e^{i theta_j}| of a band.
 * 0 / NaN-free values for a disabled clock (phase 0, amplitude 0, order 0). */
double lam_clock_phase(const lam_clock *c, double t, const double *y,
                       lam_clock_band band, size_t col);
double lam_clock_amplitude(const lam_clock *c, const double *y,
                           lam_clock_band band, size_t col);
double lam_clock_order(const lam_clock *c, const double *y, lam_clock_band band);

#endif
