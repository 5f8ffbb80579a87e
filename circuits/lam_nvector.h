/* lam_nvector.h: laminar's own kernels for the hot serial N_Vector
 * operations of CVODE.
 *
 * Why: profiling a 1000-column Jansen-Rit network (docs/performance.md)
 * puts ~85 % of the run in CVODE's vector operations, and Debian's
 * libsundials_cvode 6.4 ships the serial N_Vector kernels unoptimised
 * (every element goes through the stack: ~20 instructions per element of
 * a linear sum). SUNDIALS lets an application supply its own operations in
 * a vector's ops table; N_VClone copies the table, so every vector CVODE
 * makes from ours uses these too. Semantics are SUNDIALS' (same formulas,
 * element by element, so in-place calls with z == x or z == y work).
 */
#ifndef LAM_NVECTOR_H
#define LAM_NVECTOR_H

#include <nvector/nvector_serial.h>

/* Replace linear sum, scale, const, abs, inv, add-const, min and the WRMS
 * norm of the serial vector v (and of its future clones), and give it the
 * fused linear combination and scale-add-multi (one pass over the elements
 * where SUNDIALS' fallback makes one pass per vector: the interpolation at
 * every recorded sample and the Adams update of the Nordsieck array).
 * Passes over long vectors use `threads` threads (core/lam_par.h; below 1:
 * 1); v and its clones share the count. 0, or -1 when out of memory (v is
 * then unchanged). */
int lam_nvector_use_fast_ops(N_Vector v, int threads);

/* w = 1 / (rtol |y| + atol), element by element, in one pass (w one of
 * the vectors of lam_nvector_use_fast_ops): the error weights of scalar
 * tolerances, which CVODE and ARKODE compute in four passes (abs, scale,
 * add-const, inv) with the same operations, so the same weights. */
void lam_nvector_ewt(N_Vector y, sunrealtype rtol, sunrealtype atol,
                     N_Vector w);

/* w = 1 / (rtol max(|y|, |prev|) + atol), then prev = y, element by
 * element in one pass on w's threads (prev: length(y) values, not a
 * vector): the error weights of method auto's erk (circuits/lam_solver.c). */
void lam_nvector_ewt_max(N_Vector y, sunrealtype *prev, sunrealtype rtol,
                         sunrealtype atol, N_Vector w);

/* z[first, end) = sum_i c_i X_i[first, end), nvec <= 16, the elements
 * outside untouched: N_VLinearCombination over part of the vectors (z one
 * of the vectors of lam_nvector_use_fast_ops), the same sums element by
 * element. */
void lam_nvector_lincomb_range(int nvec, const sunrealtype *c, N_Vector *X,
                               N_Vector z, size_t first, size_t end);

/* Change the thread count of v (made by lam_nvector_use_fast_ops, or a
 * clone of one) and of all its clones: results stay the same bits. */
void lam_nvector_set_threads(N_Vector v, int threads);

#endif
