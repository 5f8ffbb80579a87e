/* lam_sweep_points.h: the points of a sweep (docs/sweeps.md).
 *
 * A sweep is a list of points, each an assignment of values to model keys
 * ("column.beta=2"), built from grids (linear or log), value lists, a
 * design CSV written by any script, or a Latin hypercube. A point's id is
 * the FNV-1a/64 hash of its sorted "key=value" lines, so the same point has
 * the same id in every sweep of every order. Values are text, as given to
 * the model. Nothing here runs a model.
 */
#ifndef LAM_SWEEP_POINTS_H
#define LAM_SWEEP_POINTS_H

#include <stddef.h>
#include <stdint.h>

#include "lam_error.h"

typedef struct lam_sweep_spec lam_sweep_spec;

/* Limits, so that a mistyped N is an error before anything is allocated:
 * points per sweep (grid N, --lhs N, design rows, their product), values
 * (points x keys) and swept keys. */
#define LAM_SWEEP_MAX_POINTS 1000000
#define LAM_SWEEP_MAX_VALUES 10000000
#define LAM_SWEEP_MAX_KEYS 64

lam_sweep_spec *lam_sweep_spec_new(void);
void lam_sweep_spec_free(lam_sweep_spec *sp);

/* "section.key=START:STOP:N" or "...:N:log" (N >= 1; log needs
 * 0 < START <= STOP). Grid and value dimensions combine as a Cartesian
 * product, the first one varying slowest. Errors name the argument. A
 * rejected argument leaves the spec as it was. */
int lam_sweep_add_grid(lam_sweep_spec *sp, const char *arg, lam_err *err);
/* "section.key=a,b,c" (values taken as text: numbers or choices). */
int lam_sweep_add_values(lam_sweep_spec *sp, const char *arg, lam_err *err);
/* "section.key=LO:HI" or "LO:HI:log": a dimension of the Latin hypercube. */
int lam_sweep_add_range(lam_sweep_spec *sp, const char *arg, lam_err *err);
/* A CSV whose header names keys (section.key) and whose rows are points;
 * '#' lines are comments; fields may be "quoted" (lam_csv_read_text).
 * file:line errors. */
int lam_sweep_load_design(lam_sweep_spec *sp, const char *path, lam_err *err);
/* Make the points: the Cartesian product of grids and value lists, or the
 * design's rows, or (lhs_n > 0) lhs_n Latin-hypercube points over the
 * ranges: each dimension's range is cut into lhs_n equal strata (in log
 * space for log ranges), each stratum holds exactly one point, at a uniform
 * position within it, the strata paired by independent random permutations
 * (GSL mt19937 seeded with seed). Kinds cannot be mixed (LAM_EINVAL). */
int lam_sweep_build(lam_sweep_spec *sp, size_t lhs_n, unsigned long seed,
                    lam_err *err);

size_t lam_sweep_ndims(const lam_sweep_spec *sp);
size_t lam_sweep_npoints(const lam_sweep_spec *sp);
const char *lam_sweep_key(const lam_sweep_spec *sp, size_t dim);
/* Value of point i in dimension dim, as text given to the model. */
const char *lam_sweep_value(const lam_sweep_spec *sp, size_t i, size_t dim);
/* FNV-1a/64 of the sorted lines "section.key=value\n" of point i. */
uint64_t lam_sweep_id(const lam_sweep_spec *sp, size_t i);

/* The argument that made dimension dim, for messages ("--grid a.b=0:1:3",
 * "design.csv:1: column a.b="). */
const char *lam_sweep_arg(const lam_sweep_spec *sp, size_t dim);
/* 1 if dimension dim is a --range (its values are numbers). */
int lam_sweep_is_range(const lam_sweep_spec *sp, size_t dim);
/* The first (last = 0) or last value dimension dim can take, malloc'ed
 * (NULL: out of memory): a range's ends, a grid's, a list's or a design
 * column's first and last values. */
char *lam_sweep_end_value(const lam_sweep_spec *sp, size_t dim, int last);

/* The points of shard k of n (i % n == k - 1; n == 0: all points) in
 * order, a point whose id came before (a design's repeated row) left out:
 * *idx receives *count indices (malloc'ed; free it). LAM_EINVAL unless
 * 1 <= k <= n. */
int lam_sweep_shard(const lam_sweep_spec *sp, size_t k, size_t n, size_t **idx,
                    size_t *count, lam_err *err);

#endif
