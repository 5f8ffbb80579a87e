/* lam_exp_util.h: helpers shared by the experiment framework files (not
 * part of the public API). */
#ifndef LAM_EXP_UTIL_H
#define LAM_EXP_UTIL_H

#include <stdio.h>

#include "lam_error.h"
#include "lam_system.h"

/* mkdir -p. */
int lam_exp_mkdirs(const char *path, lam_err *err);
/* JSON string with escapes; JSON number (null for NaN / infinity). */
void lam_exp_json_string(FILE *f, const char *s);
void lam_exp_json_number(FILE *f, double v);
/* Write a rows x cols matrix as CSV (%.17g, exact round trip) via
 * PATH.part (experiments/lam_exp_topdown.c). */
int lam_exp_write_csv(const char *path, const double *a, size_t rows,
                      size_t cols, lam_err *err);
/* Index of the population called name, or -1. */
long lam_exp_pop_index(const lam_system *s, const char *name);

#endif
