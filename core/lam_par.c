/* lam_par.c: see lam_par.h. */
#include "lam_par.h"

int lam_par_check_threads(long threads, const char *where, lam_err *err) {
  if (threads <= 1 || LAM_PAR_HAVE_OPENMP) {
    return LAM_OK;
  }
  return lam_err_set(err, LAM_EINVAL,
                     "%s: solver.threads: expected 1 in a build without OpenMP "
                     "(meson setup -Dopenmp=enabled), found %ld",
                     where ? where : "model", threads);
}
