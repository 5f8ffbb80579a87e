/* lam_system.h: the one interface between models and the machinery.
 *
 * Every model (the attention network, Jansen-Rit, Mejias 2016, Wilson-Cowan,
 * stacked areas) presents itself as a lam_system: a state vector of n
 * doubles, a pure right-hand side, optional additive white noise, and a list
 * of observable populations. The solvers (CVODE, stochastic Heun), the
 * recorders (HDF5, CSV), the analysis and the stability tools only ever see
 * this interface (problem, solver and output kept apart, as in SUNDIALS'
 * examples).
 */
#ifndef LAM_SYSTEM_H
#define LAM_SYSTEM_H

#include <stddef.h>

/* An observable population: what `laminar run` records as /traces/<name>,
 * shaped samples x ncols x nunits. */
typedef struct lam_pop_info {
  const char *name;  /* "l23", "v_pyr", ... (snake case, unique) */
  const char *unit;  /* "a.u.", "mV", "1/s" */
  size_t ncols;      /* columns (positions) */
  size_t nunits;     /* units per column (heads x features, ...) */
  const char *layer; /* cortical layer for the probe: "L2/3", "L4", "L5", "L6", "" */
  const char *doc;   /* one line */
} lam_pop_info;

typedef struct lam_system_ops {
  /* dy/dt = f(t, y). Pure: no allocation, no I/O, no string work.
   * Returns 0 on success, > 0 for a recoverable failure (CVODE retries with
   * a smaller step), < 0 for a fatal one. */
  int (*rhs)(void *self, double t, const double *y, double *dydt);
  /* Additive white-noise amplitude per state variable, in state units per
   * sqrt(second): dy = f dt + sigma dW. NULL for a deterministic system. */
  int (*noise)(void *self, double t, const double *y, double *sigma);
  /* Population pop at (t, y) into out (ncols * nunits values, column-major
   * by column: out[c * nunits + u]). */
  void (*observe)(void *self, size_t pop, double t, const double *y,
                  double *out);
  /* Optional: the synaptic input current of population pop (same shape as
   * observe), used by the virtual laminar probe. NULL: the probe uses the
   * rates themselves. */
  void (*input)(void *self, size_t pop, double t, const double *y,
                double *out);
  /* Optional: 1 when observe(pop) reads nothing of y but y[*first,
   * *end) (one contiguous block), 0 when it reads more or other things.
   * A run that records only such populations interpolates only their
   * blocks between solver steps. NULL: every observe reads all of y. */
  int (*observe_reads)(void *self, size_t pop, size_t *first, size_t *end);
  /* Optional: the state index of row `row` of column `col` in the layout of
   * `[init] state` CSV files (one row per state variable of a column, one
   * CSV column per model column). NULL: the state is stored column by
   * column, y[col * state_rows + row]. Returns -1 for an invalid pair. */
  long (*state_index)(void *self, size_t row, size_t col);
  /* Optional: the first discontinuity of the inputs strictly after t (s), or
   * INFINITY when there is none. The run loop integrates up to it and
   * restarts the solver there, so an adaptive step never straddles the edge
   * of a step or a pulse (docs/solvers.md). NULL: inputs are smooth. */
  double (*next_break)(void *self, double t);
  /* Optional: the first kink of the inputs strictly after t (s): a time
   * where they stay continuous but their time derivative jumps (the grid
   * of a frozen noise path, interpolated linearly in between), or INFINITY.
   * Method auto's erk ends a step on every kink without restarting, so no
   * step straddles one (docs/solvers.md); explicit methods ignore it.
   * NULL: no kinks. */
  double (*next_kink)(void *self, double t);
  /* Optional: split the right-hand side's large blocks across `threads`
   * threads (core/lam_par.h; `[solver] threads`, set by lam_sim before a
   * run). Must not change a bit of the result. NULL: one thread. */
  void (*set_threads)(void *self, int threads);
  /* Optional: what the unit axis of population pop indexes, stored with
   * the outputs beside the axis label "unit" (e.g. "head x d_k (unit =
   * head * d_k + k)"). NULL, or a NULL result: nothing to add. */
  const char *(*unit_axis)(void *self, size_t pop);
} lam_system_ops;

typedef struct lam_system {
  const lam_system_ops *ops;
  void *self;
  size_t n;                  /* state size */
  size_t npops;
  const lam_pop_info *pops;
  double *y0;                /* initial state, n values (owned by self;
                                writable so `[init] state` can set it) */
  size_t state_rows;         /* rows of an `[init] state` CSV (0: n / state_cols) */
  size_t state_cols;         /* its columns (0: pops[0].ncols) */
  const char *kind;          /* "attention", "jansen-rit", ... */
} lam_system;

#endif
