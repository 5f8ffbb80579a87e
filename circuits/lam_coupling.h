/* lam_coupling.h: the inter-column coupling matrix of the neural-mass
 * networks (Jansen-Rit, Mejias 2016, Wilson-Cowan), stored sparse.
 *
 * A network of N columns reads an N x N matrix W from CSV: row i receives
 * from column j, so column i's coupled input is K * sum_j W_ij s_j, with s_j
 * the output of column j (docs/neural-masses.md). The matrix is used as
 * given: normalising rows (so that K is the total gain onto a column) is the
 * user's choice, made in the file. It is converted once to compressed sparse
 * rows (CSR, zeros dropped), so the product costs O(nonzeros) per
 * right-hand-side call and allocates nothing.
 *
 * [network] columns is the only [network] key these kinds read (the
 * attention kind has its own, larger [network] table).
 */
#ifndef LAM_COUPLING_H
#define LAM_COUPLING_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_given.h"
#include "lam_param.h"

/* [network] of the neural-mass kinds. */
typedef struct lam_mass_network_params {
  long columns;
} lam_mass_network_params;
extern const lam_param lam_mass_network_table[];
extern const size_t lam_mass_network_ntable;

/* W in CSR form: row i holds col[rowptr[i] .. rowptr[i+1]-1] with values
 * val[...]. n = 0 rows when no matrix was given (no coupling). */
typedef struct lam_coupling {
  size_t n;
  size_t *rowptr; /* n + 1 */
  size_t *col;
  double *val;
} lam_coupling;

/* The N x N matrix of [section] key from the given arrays (path: the
 * key's value; empty: no coupling, c->n = 0). A wrong shape is LAM_EINVAL
 * naming "file:line: section.key: path: expected ...". c is zeroed on
 * failure. */
int lam_coupling_load(const lam_given *given, const char *section, const char *key,
                      const char *path, size_t ncols, lam_coupling *c,
                      lam_err *err);

/* The same from a dense row-major n x n array (tests, programs). */
int lam_coupling_from_dense(const double *w, size_t n, lam_coupling *c,
                            lam_err *err);

void lam_coupling_free(lam_coupling *c);

/* out[i] = sum_j W_ij s[j * stride] for i < n (no-op when c->n = 0). */
static inline void lam_coupling_apply(const lam_coupling *c, const double *s,
                                      size_t stride, double *out) {
  for (size_t i = 0; i < c->n; i++) {
    double acc = 0.0;
    for (size_t k = c->rowptr[i]; k < c->rowptr[i + 1]; k++) {
      acc += c->val[k] * s[c->col[k] * stride];
    }
    out[i] = acc;
  }
}

#endif
