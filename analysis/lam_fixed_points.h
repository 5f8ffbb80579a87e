/* lam_fixed_points.h: every equilibrium of a system that a multistart
 * search finds, and the equilibrium branch of a one-parameter family with
 * its Hopf points and folds (`laminar analyze MODEL --fixed-points |
 * --scan`, docs/analysis.md).
 *
 * Built on lam_stability.h (root finder, Jacobian eigenvalues,
 * pseudo-arclength continuation). The numbers that steer the search are
 * fields of the options, with the defaults `laminar analyze` uses.
 *
 * Multistart: start 0 is the system's initial state y0; start g > 0 is
 *   y0_i + s_g N(0, 1) / spread_div,  s_g = scale 10^(spread_decades U),
 * U uniform in [0, 1), scale = max(1, max_i |y0_i|), all from one MT19937
 * stream seeded with seed (start 0 draws its N(0, 1) too, times 0). So the
 * starts spread over spread_decades decades around y0 and reach equilibria
 * far from it (other branches). Every start that converges and is not
 * within same_tol (relative) of one found before adds an equilibrium.
 */
#ifndef LAM_FIXED_POINTS_H
#define LAM_FIXED_POINTS_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_stability.h"
#include "lam_system.h"

typedef struct lam_fixed_points_opts {
  long guesses;          /* starting points, >= 1 (64) */
  unsigned long seed;    /* seed of the starts after the first (1) */
  double spread_decades; /* decades the perturbation sizes span (2) */
  double spread_div;     /* divisor of the perturbations (10) */
  /* Two equilibria a, b are one when max_i |a_i - b_i| <= same_tol *
   * max(1, max_i |a_i|, max_i |b_i|) (1e-6). */
  double same_tol;
  lam_stability_opts stab; /* root finder and eigenvalues
                              (lam_stability_defaults()) */
} lam_fixed_points_opts;

lam_fixed_points_opts lam_fixed_points_defaults(void);

typedef struct lam_equilibrium {
  double *x;        /* n state values */
  double *re, *im;  /* n eigenvalues of the Jacobian at x, 1/s, sorted by
                       decreasing real part */
  size_t nunstable; /* eigenvalues with Re > 0 (0: stable) */
  double dom_hz;    /* lam_fixed_points_dominant_hz; NaN: no complex pair */
} lam_equilibrium;

/* The equilibria of sys found from opts->guesses starts (NULL opts:
 * defaults), sorted by increasing x[0], into a new array *out of *nout
 * (free with lam_fixed_points_free). LAM_ENOTFOUND when no start converges
 * ("no equilibrium found from N starting points"), LAM_EINVAL for bad
 * options, LAM_ESOLVER (eigenvalues), LAM_ENOMEM. */
int lam_fixed_points_find(const lam_system *sys,
                          const lam_fixed_points_opts *opts,
                          lam_equilibrium **out, size_t *nout, lam_err *err);
void lam_fixed_points_free(lam_equilibrium *e, size_t n);

/* |Im lambda| / 2 pi (Hz) of the first eigenvalue, in the order given (by
 * decreasing real part: the leading pair), whose |Im| exceeds im_tol times
 * the largest |lambda|; NaN when all are real. */
double lam_fixed_points_dominant_hz(const double *re, const double *im,
                                    size_t n, double im_tol);

/* ---- the branch in one parameter ---- */

typedef struct lam_branch_opts {
  double lo, hi;   /* range of mu, lo < hi; the branch starts at lo */
  long steps;      /* arclength step (hi - lo) / steps, >= 2 (400) */
  /* At most max_steps_factor * steps points: a branch that folds back
   * travels further than hi - lo (50). */
  long max_steps_factor;
  size_t max_bif;  /* bifurcations kept, the first met (256) */
  lam_stability_opts stab; /* (lam_stability_defaults()) */
} lam_branch_opts;

/* steps 400, max_steps_factor 50, max_bif 256, lo = hi = 0 (set them). */
lam_branch_opts lam_branch_defaults(void);

typedef struct lam_branch {
  size_t n;          /* state variables */
  size_t len;        /* points, in the order followed */
  double *mu;        /* len parameter values */
  double *x;         /* len x n states, x[i * n + j] */
  size_t *nunstable; /* len: eigenvalues with Re > 0 */
  lam_bifurcation *bif; /* nbif Hopf points and folds in the order met */
  size_t nbif;
} lam_branch;

/* Follow the equilibrium of the family at(ctx, mu) from mu = lo towards hi
 * (lam_stability_continue), recording every point, into a new *out (free
 * with lam_branch_free). The family is first asked for mu = lo (its errors,
 * such as a bad key, come back as they are). LAM_EINVAL, LAM_ESOLVER,
 * LAM_ENOMEM. */
int lam_fixed_points_branch(lam_stability_at at, void *ctx,
                            const lam_branch_opts *opts, lam_branch **out,
                            lam_err *err);
void lam_branch_free(lam_branch *b);

/* ---- every branch in one parameter (`laminar analyze --scan`) ----
 *
 * At `values` parameter values spread evenly over [lo, hi] (lo and hi
 * included; one value: lo alone) the multistart search finds every
 * equilibrium it can; each one that lies on no branch followed so far
 * starts a new branch, continued from it both ways until mu leaves
 * [lo, hi]. So the branches, folds and Hopf points found do not depend on
 * where the range starts: an S-shaped curve whose three equilibria
 * coexist at lo is followed whole, and an equilibrium curve that does not
 * reach lo is still found. An equilibrium is on a branch when it lies
 * within one step's length of the branch's chord at its mu. */
typedef struct lam_scan_opts {
  lam_branch_opts branch;    /* lo, hi, steps, ... (lam_branch_defaults()) */
  lam_fixed_points_opts fp;  /* the search at each value
                                (lam_fixed_points_defaults()) */
  long values;               /* parameter values searched, >= 1 (9) */
  size_t max_branches;       /* branches kept, the first found (32) */
} lam_scan_opts;

lam_scan_opts lam_scan_defaults(void);

typedef struct lam_scan {
  lam_branch **branch;   /* nbranch branches, each by increasing arclength
                            from its lowest-mu end as followed */
  size_t nbranch;
  lam_bifurcation *bif;  /* every branch's Hopf points and folds, by
                            increasing mu, each once */
  size_t *bif_branch;    /* the branch of each */
  size_t nbif;
  size_t incomplete;     /* branches whose continuation stopped early
                            (a corrector failure): they end there */
} lam_scan;

/* The scan of the family at(ctx, mu) over [o->branch.lo, o->branch.hi].
 * LAM_EINVAL (options, or the family's own error at lo), LAM_ENOTFOUND (no
 * equilibrium at any value), LAM_ESOLVER, LAM_ENOMEM. */
int lam_fixed_points_scan(lam_stability_at at, void *ctx,
                          const lam_scan_opts *o, lam_scan **out,
                          lam_err *err);
void lam_scan_free(lam_scan *s);

#endif
