/* lam_coupling.c: CSV coupling matrix -> CSR, once (see lam_coupling.h). */
#include "lam_coupling.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define S lam_mass_network_params
const lam_param lam_mass_network_table[] = {
    LAM_INT(S, columns, "1", "1", 1, 1e6, "Number of columns N of the neural-mass network"),
};
#undef S
const size_t lam_mass_network_ntable = LAM_NELEM(lam_mass_network_table);

void lam_coupling_free(lam_coupling *c) {
  if (!c) {
    return;
  }
  free(c->rowptr);
  free(c->col);
  free(c->val);
  memset(c, 0, sizeof *c);
}

int lam_coupling_from_dense(const double *w, size_t n, lam_coupling *c,
                            lam_err *err) {
  memset(c, 0, sizeof *c);
  size_t nnz = 0;
  for (size_t i = 0; i < n * n; i++) {
    nnz += w[i] != 0.0;
  }
  c->rowptr = malloc((n + 1) * sizeof *c->rowptr);
  c->col = malloc((nnz ? nnz : 1) * sizeof *c->col);
  c->val = malloc((nnz ? nnz : 1) * sizeof *c->val);
  if (!c->rowptr || !c->col || !c->val) {
    lam_coupling_free(c);
    return LAM_NOMEM(err);
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    c->rowptr[i] = k;
    for (size_t j = 0; j < n; j++) {
      if (w[i * n + j] != 0.0) {
        c->col[k] = j;
        c->val[k] = w[i * n + j];
        k++;
      }
    }
  }
  c->rowptr[n] = k;
  c->n = n;
  return LAM_OK;
}

int lam_coupling_load(const lam_given *given, const char *section,
                      const char *key, const char *path, size_t ncols,
                      lam_coupling *c, lam_err *err) {
  memset(c, 0, sizeof *c);
  if (!path[0]) {
    return LAM_OK;
  }
  const lam_matrix *mat;
  int rc = lam_given_array(given, section, key, path, ncols, ncols, &mat, err);
  return rc ? rc : lam_coupling_from_dense(mat->data, ncols, c, err);
}
