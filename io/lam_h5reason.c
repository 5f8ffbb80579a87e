/* lam_h5reason.c: HDF5's error stack as text (see lam_h5reason.h). */
#include "lam_h5reason.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The innermost entry (walked upward, n == 0) says what went wrong; its
 * minor message says the category ("already exists", ...). An entry from a
 * system call carries ", errno = 28, error message = '...'". */
static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
  lam__h5_reason *r = data;
  if (n == 0) {
    char minor[160] = "";
    if (H5Eget_msg(e->min_num, NULL, minor, sizeof minor) < 0) {
      minor[0] = '\0';
    }
    snprintf(r->text, sizeof r->text, "%s%s%s%s", e->desc ? e->desc : "",
             minor[0] ? " (" : "", minor, minor[0] ? ")" : "");
  }
  const char *p = e->desc ? strstr(e->desc, "errno = ") : NULL;
  if (p && !r->errnum) {
    r->errnum = atoi(p + strlen("errno = "));
  }
  return 0;
}

void lam__h5_reason_take(lam__h5_reason *r) {
  r->text[0] = '\0';
  r->errnum = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, r);
  H5Eclear2(H5E_DEFAULT);
}
