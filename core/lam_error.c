/* lam_error.c: status texts and the error record (see lam_error.h). */
#include "lam_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *lam_strerror(int code) {
  switch (code) {
#define LAM_X_CASE(name, value, text)                                        \
  case value:                                                                \
    return text;
    LAM_STATUS_LIST(LAM_X_CASE)
#undef LAM_X_CASE
  default:
    return "unknown status";
  }
}

int lam_err_set(lam_err *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

int lam_err_prefix(lam_err *err, const char *fmt, ...) {
  if (!err) {
    return LAM_EINTERNAL;
  }
  char head[LAM_ERR_MSG_MAX];
  char old[LAM_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  /* Truncation is acceptable: the head says where, the tail says why. */
  size_t hl = strlen(head);
  size_t room = sizeof err->msg - 1;
  if (hl > room) {
    hl = room;
  }
  memcpy(err->msg, head, hl);
  size_t ol = strlen(old);
  if (ol > room - hl) {
    ol = room - hl;
  }
  memcpy(err->msg + hl, old, ol);
  err->msg[hl + ol] = '\0';
  return err->code;
}

void lam_err_clear(lam_err *err) {
  if (err) {
    err->code = LAM_OK;
    err->msg[0] = '\0';
  }
}
