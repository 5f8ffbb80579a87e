/* lam_exp_fit.c: ordinary least squares for the experiments' model fits
 * (GSL multifit). */
#include <gsl/gsl_multifit.h>

#include "lam_experiment.h"

int lam_exp_lsq(const double *design, const double *y, size_t n, size_t p,
                double *coef, double *r2, lam_err *err) {
  if (n < p || p == 0) {
    return lam_err_set(err, LAM_EINVAL, "least squares: %zu points for %zu coefficients",
                       n, p);
  }
  gsl_matrix *Xm = gsl_matrix_alloc(n, p);
  gsl_vector *yv = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
  gsl_matrix *cov = gsl_matrix_alloc(p, p);
  gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
  int rc = LAM_OK;
  if (!Xm || !yv || !c || !cov || !w) {
    rc = LAM_NOMEM(err);
  } else {
    double mean = 0.0, tss = 0.0, chisq = 0.0;
    for (size_t i = 0; i < n; i++) {
      gsl_vector_set(yv, i, y[i]);
      mean += y[i] / (double)n;
      for (size_t k = 0; k < p; k++) {
        gsl_matrix_set(Xm, i, k, design[i * p + k]);
      }
    }
    for (size_t i = 0; i < n; i++) {
      tss += (y[i] - mean) * (y[i] - mean);
    }
    if (gsl_multifit_linear(Xm, yv, c, cov, &chisq, w)) {
      rc = lam_err_set(err, LAM_EINTERNAL, "least-squares fit failed");
    }
    if (r2) {
      *r2 = tss > 0.0 ? 1.0 - chisq / tss : 1.0;
    }
    for (size_t k = 0; coef && k < p; k++) {
      coef[k] = gsl_vector_get(c, k);
    }
  }
  gsl_multifit_linear_free(w);
  gsl_matrix_free(Xm);
  gsl_matrix_free(cov);
  gsl_vector_free(yv);
  gsl_vector_free(c);
  return rc;
}
