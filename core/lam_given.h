/* lam_given.h: what a model's parameters were given, besides the numbers of
 * their bundles: where each key came from ("models/default.ini:12", "--set",
 * "code") and the arrays of the keys that name CSV files (weights, inputs,
 * coupling, stimulus, initial state).
 *
 * The typed parameter bundles hold numbers; this store holds what goes with
 * them so that constructors can say where a wrong value was given and take
 * arrays as numbers, never as files. io/ fills it from a model file; a
 * program that builds a model from numbers sets arrays with
 * lam_given_set_matrix() and may leave locations out (messages then name
 * the key alone).
 */
#ifndef LAM_GIVEN_H
#define LAM_GIVEN_H

#include <stddef.h>

#include "lam_error.h"

/* A dense row-major matrix. */
typedef struct lam_matrix {
  size_t rows, cols;
  double *data;
} lam_matrix;

void lam_matrix_free(lam_matrix *m);

/* LAM_EINVAL unless m is rows x cols (0: any), in the words of a CSV read
 * ("where: what: path: expected a R x C matrix, found r x c"). */
int lam_matrix_check_shape(const lam_matrix *m, size_t rows, size_t cols,
                           const char *where, const char *what,
                           const char *path, lam_err *err);

typedef struct lam_given lam_given;

lam_given *lam_given_new(void);
void lam_given_free(lam_given *g);
/* A deep copy (NULL on allocation failure; NULL for g NULL). */
lam_given *lam_given_copy(const lam_given *g);

/* Where section.key was given (copied). */
int lam_given_set_where(lam_given *g, const char *section, const char *key,
                        const char *where);
/* Where section.key was given, or NULL (g may be NULL). */
const char *lam_given_where(const lam_given *g, const char *section,
                            const char *key);
/* The array of section.key: m's data is taken over (m is left empty), and
 * lines (one file line per row, for messages; may be NULL) too. */
int lam_given_set_matrix(lam_given *g, const char *section, const char *key,
                         lam_matrix *m, long *lines);
/* The array of section.key, or NULL (g may be NULL); *lines, when lines is
 * not NULL, the file line of each row or NULL. */
const lam_matrix *lam_given_matrix(const lam_given *g, const char *section,
                                   const char *key, const long **lines);
/* The array of path key section.key whose value is path (for messages),
 * checked to be rows x cols (0: any) into *out: LAM_EINVAL naming where the
 * key was given, the key and the path when the array is missing or of
 * another shape. */
int lam_given_array(const lam_given *g, const char *section, const char *key,
                    const char *path, size_t rows, size_t cols,
                    const lam_matrix **out, lam_err *err);
/* Drop the array of section.key (a key set to another file or none). */
void lam_given_drop_matrix(lam_given *g, const char *section, const char *key);

#endif
