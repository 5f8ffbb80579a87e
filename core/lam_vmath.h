/* lam_vmath.h: elementary functions over arrays, for the hot loops of the
 * right-hand sides.
 *
 * Why: the T^2 H burst rates of a self-attention network are one exp each
 * (column/pv.c); glibc's scalar exp costs ~48 instructions per call and was
 * ~19 % of a T = 64 run (docs/performance.md). glibc also ships vector
 * versions (libmvec, part of libm on Debian), which the compiler calls only
 * under -ffast-math; here they are called directly.
 *
 * Results: libmvec's exp is not glibc's scalar exp: both stay within a few
 * ulp of exp(x) (tests/core/test_vmath.c measures the bound against a
 * long-double reference), but their last bits may differ. Every element goes
 * through the same vector routine, whatever its position or the length of
 * the array (the tail is padded), so a value depends only on its argument
 * and on the processor's instruction set.
 */
#ifndef LAM_VMATH_H
#define LAM_VMATH_H

#include <stddef.h>

/* y[i] = exp(x[i]) for i < n; y may be x (in place). */
void lam_vmath_exp(size_t n, const double *x, double *y);

/* y[i] = tanh(x[i]) for i < n; y may be x (in place). Same routes and the
 * same guarantees as lam_vmath_exp (libmvec's tanh, within a few ulp of
 * tanh; a value depends only on its argument). Why: the BAC gate's
 * saturation s(u) = x_s tanh(u / x_s) (column/l5a.c) is 2 T H d_k scalar
 * tanh calls per evaluation, ~16 % of a default-model sweep point
 * (docs/performance.md). */
void lam_vmath_tanh(size_t n, const double *x, double *y);

/* Which implementation lam_vmath_exp runs on this processor: "avx2" or
 * "sse2" (glibc's libmvec, 4 or 2 doubles per call) or "scalar" (libm's
 * exp, where libmvec is not available). */
const char *lam_vmath_exp_kind(void);

/* The same for lam_vmath_tanh (libmvec has tanh from glibc 2.35 on). */
const char *lam_vmath_tanh_kind(void);

#endif
