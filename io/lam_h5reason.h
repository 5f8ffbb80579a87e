/* lam_h5reason.h: why HDF5 said no, for messages (io/ only, not public).
 *
 * HDF5 reports failures on a per-thread error stack instead of a return
 * value that says why. Both the writer (lam_h5.c) and the reader
 * (lam_runfile.c) turn that stack into the "why" of a lam_err message.
 */
#ifndef LAM_H5REASON_H
#define LAM_H5REASON_H

typedef struct lam__h5_reason {
  char text[384]; /* innermost entry and its category: "... (Not an HDF5 file)" */
  int errnum;     /* errno of an entry from a system call ("errno = 28"), or 0 */
} lam__h5_reason;

/* Read HDF5's error stack into r (text "" when empty), then clear it. Call
 * it before any other HDF5 function: each of them clears the stack. */
void lam__h5_reason_take(lam__h5_reason *r);

#endif
