/* lam_error.h: status codes and the error record every laminar call fills.
 *
 * The library never prints, exits or aborts. A function that can fail returns
 * a lam_status (LAM_OK = 0, errors negative) and, when given a non-NULL
 * lam_err, writes a message that says where and why: for bad input
 * "file:line: section.key: expected ..., found ...", for internal faults the
 * source location. Only cli/ prints these.
 */
#ifndef LAM_ERROR_H
#define LAM_ERROR_H

#include <stddef.h>

/* X-macro: one list generates the enum and lam_strerror(). */
#define LAM_STATUS_LIST(X)                                                   \
  X(LAM_OK, 0, "success")                                                    \
  X(LAM_ENOMEM, -1, "out of memory")                                         \
  X(LAM_EINVAL, -2, "invalid input")                                         \
  X(LAM_EIO, -3, "input/output error")                                       \
  X(LAM_ESOLVER, -4, "solver failure")                                       \
  X(LAM_ENONFINITE, -5, "non-finite value in the state")                     \
  X(LAM_EINTERRUPT, -6, "interrupted")                                       \
  X(LAM_ENOTFOUND, -7, "not found")                                          \
  X(LAM_EUNSUPPORTED, -8, "not supported by this build")                     \
  X(LAM_EINTERNAL, -9, "internal error")

typedef enum {
#define LAM_X_ENUM(name, value, text) name = value,
  LAM_STATUS_LIST(LAM_X_ENUM)
#undef LAM_X_ENUM
} lam_status;

#define LAM_ERR_MSG_MAX 1024

/* Filled by a failing call; code == LAM_OK and msg[0] == 0 when clear. */
typedef struct lam_err {
  int code;
  char msg[LAM_ERR_MSG_MAX];
} lam_err;

/* Text of a status code ("invalid input"). Never NULL. */
const char *lam_strerror(int code);

/* Record an error (printf format) and return code, so callers can write
 * `return lam_err_set(err, LAM_EINVAL, "...")`. err may be NULL. */
int lam_err_set(lam_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefix an existing message ("while reading x.csv: ...") and return its code. */
int lam_err_prefix(lam_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void lam_err_clear(lam_err *err);

/* Internal faults carry the source location. */
#define LAM_INTERNAL(err, what)                                              \
  lam_err_set((err), LAM_EINTERNAL, "%s:%d: internal error: %s", __FILE__,   \
              __LINE__, (what))
#define LAM_NOMEM(err)                                                       \
  lam_err_set((err), LAM_ENOMEM, "%s:%d: out of memory", __FILE__, __LINE__)

#endif
