/* lam_stimulus.h: stimulus protocols: the time course of each column's
 * thalamic input.
 *
 * Column j receives thalamic input x_j(t), a stimulus protocol (docs/model.md,
 * docs/stimulus.md). The network keeps a constant input vector x_j per column
 * ([input] x) and this module supplies its time course:
 *
 *     x_j(t) = s_j(t) x_j + eta_j(t)
 *
 * s_j(t) is a dimensionless gain given by a protocol (section [stimulus],
 * docs/stimulus.md) and eta_j(t) an optional Ornstein-Uhlenbeck noise, one
 * independent channel per column and input feature (lam_noise: a frozen
 * path, so the right-hand side stays a deterministic function of t and an
 * adaptive solver can evaluate it anywhere).
 *
 * Protocols (L = level, A = amplitude, t0 = onset, D = duration;
 * every interval is closed on the left and open on the right, so at an
 * edge the gain already has its new value):
 *   constant  s = L + A
 *   steps     s = L + A on [t0, t0 + D) (D = 0: [t0, inf)), else L
 *   pulses    s = L + A on [t0 + n P, t0 + n P + W) for n = 0..count-1
 *             (count 0: unlimited), else L
 *   ramp      L before t0, L + A (t - t0) / D on [t0, t0 + D], L + A after
 *   sine      L before t0, L + A sin(2 pi f (t - t0) + phase) on
 *             [t0, t0 + D) (D = 0: forever), L after
 *   csv       a schedule: gains of every column from each row's time to
 *             the next row's; L before the first row
 * The protocol applies to the columns listed in `columns` (`all` or
 * "0,3,5"); the others keep s = L. The built-in default is neutral:
 * constant with L = 1, A = 0, no noise, so s_j(t) = 1 and eta = 0.
 *
 * Breakpoints: the times where a gain jumps (step and pulse edges, csv rows,
 * a sine's start and end) or its slope jumps (ramp ends, where an implicit
 * multistep method would lose its order). lam_stimulus_next_break lists them
 * so the run loop can stop and restart the solver there (docs/solvers.md).
 */
#ifndef LAM_STIMULUS_H
#define LAM_STIMULUS_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_given.h"
#include "lam_param.h"
#include "lam_param.h"

typedef enum {
  LAM_STIM_CONSTANT = 0,
  LAM_STIM_STEPS,
  LAM_STIM_PULSES,
  LAM_STIM_RAMP,
  LAM_STIM_SINE,
  LAM_STIM_CSV
} lam_stimulus_protocol;

/* Section [stimulus]; every field is described by lam_stimulus_table. */
typedef struct lam_stimulus_params {
  int protocol;        /* lam_stimulus_protocol */
  lam_path columns;    /* "all" or a comma-separated list of column indices */
  double level;        /* 1 */
  double amplitude;    /* 1 */
  double onset;        /* s */
  double duration;     /* s */
  double period;       /* s (pulses) */
  double width;        /* s (pulses) */
  long count;          /* pulses; 0 = unlimited */
  double freq_hz;      /* Hz (sine) */
  double phase;        /* rad (sine) */
  lam_path file;       /* csv schedule */
  double noise_sigma;  /* a.u. / sqrt(s); 0 = no noise */
  double noise_tau;    /* s; 0 = frozen white noise */
  long noise_seed;
  double noise_dt;     /* s */
} lam_stimulus_params;

typedef struct lam_stimulus lam_stimulus;

extern const lam_param lam_stimulus_table[];
extern const size_t lam_stimulus_ntable;

/* Build the protocol of [stimulus] (params; the csv schedule and the
 * places keys were given from given, which may be NULL) for ncols columns with
 * nfeat input features each (nfeat noise channels per column). Errors:
 * LAM_EINVAL with "file:line: stimulus.<key>: ..." for values the table
 * accepts but the protocol cannot use (width >= period, a ramp of zero
 * duration, a column index out of range, ...), csv schedule errors as
 * "path:line: ..."; LAM_EIO for an unreadable file; LAM_ENOMEM. *out is
 * NULL on failure. */
int lam_stimulus_new(const lam_stimulus_params *params, const lam_given *given,
                     size_t ncols, size_t nfeat, lam_stimulus **out,
                     lam_err *err);
void lam_stimulus_free(lam_stimulus *s);

/* 1 if noise_sigma > 0. */
int lam_stimulus_has_noise(const lam_stimulus *s);

/* gain[ncols] at time t (s). Pure, allocation-free. */
void lam_stimulus_gain(lam_stimulus *s, double t, double *gain);

/* eta[ncols * nfeat] (row j = column j) at t; zeros when noise is off. NaN
 * for a t the frozen path no longer holds (t < 0 or more than a few seconds
 * behind the latest query: lam_noise.h), which a solver reports as a
 * non-finite state. Allocation-free; advances the noise ring, so one
 * lam_stimulus must not be evaluated from two threads at once. */
void lam_stimulus_noise(lam_stimulus *s, double t, double *eta);

/* First discontinuity of any gain (or of its slope) strictly after t, or
 * INFINITY. */
double lam_stimulus_next_break(const lam_stimulus *s, double t);

/* First kink of the input noise strictly after t (its grid: continuous,
 * slope jumps), or INFINITY when noise is off. */
double lam_stimulus_next_kink(const lam_stimulus *s, double t);

#endif
