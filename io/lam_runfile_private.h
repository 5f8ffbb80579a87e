/* lam_runfile_private.h: what io/lam_runfile.c shares with its global heap
 * check io/lam_runfile_heap.c (not part of the public API). */
#ifndef LAM_RUNFILE_PRIVATE_H
#define LAM_RUNFILE_PRIVATE_H

#include <stddef.h>

#include "lam_error.h"

/* The bytes of a run file: a file image in memory, or a file read with
 * pread. */
typedef struct lam_runfile_bytes {
  const unsigned char *mem; /* the image, or NULL: read fd */
  int fd;
  size_t len;
} lam_runfile_bytes;

/* Walk every global heap collection HDF5 could load as HDF5 1.10 walks it;
 * LAM_EINVAL naming the file (name), the collection and the object when one
 * would make HDF5 loop or read out of bounds. */
int lam__runfile_check_heaps(const char *name, const lam_runfile_bytes *b,
                             lam_err *err);

#endif
