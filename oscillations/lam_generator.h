/* lam_generator.h: an emergent rhythm generator embedded as a clock.
 *
 * docs/rhythms.md, "Emergent generators": the attention column's
 * feedforward and feedback gains may be driven by the phase or
 * Stuart-Landau clocks, or by a neural mass whose rhythm emerges from its
 * own dynamics: a Wilson-Cowan E-PV pair (PING-like gamma,
 * circuits/lam_wilson_cowan.h) or a Jansen-Rit column (alpha,
 * circuits/lam_jansen_rit.h). A generator is such a network of ncols
 * columns (one per attention column, coupled only if its own section gives a
 * coupling matrix), with the parameters of its usual model-file section
 * ([wilson_cowan] or [jansen_rit]), whose state rides along in the host's
 * state vector.
 *
 * Its modulation signal in column j is the generator's first observable
 * (Wilson-Cowan: E; Jansen-Rit: v_pyr = y1 - y2) mapped linearly onto
 * [-1, 1] over its limit cycle:
 *   c_j = (2 x_j - (max_j + min_j)) / (max_j - min_j),
 * like cos(theta) of a phase clock, so g = 1 + depth * c stays in
 * [1 - depth, 1 + depth]. max_j and min_j are measured once, when the
 * generator is built: it is integrated (GSL odeiv2 rk8pd) from its initial
 * state for warmup_s seconds, then for one more second while x_j is sampled
 * every 0.1 ms; the state at the end, on the limit cycle, is its initial
 * state in the host. A generator that does not oscillate (peak-to-peak below
 * 1e-9 of its scale, or shrinking by more than 1 % from the first half of
 * that second to the second: a transient decaying to a focus) is an error: choose parameters inside its oscillatory
 * range (docs/neural-masses.md). Noise (sigma > 0) is refused: the gains are
 * deterministic.
 */
#ifndef LAM_GENERATOR_H
#define LAM_GENERATOR_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_system.h"

typedef enum {
  LAM_GENERATOR_JANSEN_RIT = 1,
  LAM_GENERATOR_WILSON_COWAN = 2
} lam_generator_kind;

typedef struct lam_generator lam_generator;

/* A generator of ncols columns on sys, the system of a Jansen-Rit or
 * Wilson-Cowan network of ncols columns (built by the caller from its
 * parameters, deterministic: noise intensities 0): integrate its warm-up and
 * measure its range. The generator takes owner over (owner_free(owner) when
 * it is freed, on failure too; NULL: nothing to free). what names the key
 * that asked for it in messages ("clocks.alpha_source"). LAM_EINVAL for a
 * non-oscillating generator, LAM_ESOLVER if the warm-up integration fails,
 * LAM_ENOMEM. */
int lam_generator_new(lam_generator_kind kind, lam_system *sys, void *owner,
                      void (*owner_free)(void *), size_t ncols,
                      double warmup_s, const char *what, lam_generator **out,
                      lam_err *err);
void lam_generator_free(lam_generator *g);

/* State variables owned (ncols times the kind's per-column state). */
size_t lam_generator_nstate(const lam_generator *g);
/* The state reached at the end of the warm-up, into y[nstate]. */
void lam_generator_init(const lam_generator *g, double *y);
/* dy[nstate] = f(t, y[nstate]): the generator's own right-hand side. Pure. */
void lam_generator_rhs(const lam_generator *g, double t, const double *y,
                       double *dy);
/* The modulation signal c_col (1, in [-1, 1] on the measured cycle). */
double lam_generator_signal(const lam_generator *g, const double *y,
                            size_t col);
/* Frequency of column col measured in the warm-up window (Hz): upward
 * crossings of the cycle's midpoint per second. */
double lam_generator_hz(const lam_generator *g, size_t col);

#endif
