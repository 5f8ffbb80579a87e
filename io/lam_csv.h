/* lam_csv.h: numeric CSV matrices (weights, inputs, coupling, initial state).
 *
 * Format: comma-separated numbers, one row per line; blank lines and lines
 * starting with '#' are skipped. A non-numeric cell or a ragged row is an
 * error naming file:line:column.
 */
#ifndef LAM_CSV_H
#define LAM_CSV_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_given.h" /* lam_matrix, owned by the caller (lam_matrix_free) */

/* Read path into m. On error m is left empty. */
int lam_csv_read(const char *path, lam_matrix *m, lam_err *err);

/* Read and check the shape; what ("weights.wq") and where ("model.ini:12")
 * name the key that referenced the file in messages. 0 for rows or cols
 * means "any". */
int lam_csv_read_shape(const char *path, size_t rows, size_t cols,
                       const char *where, const char *what, lam_matrix *m,
                       lam_err *err);

/* A table with a header row: the first non-blank, non-'#' line holds column
 * names (at least one cell must be non-numeric, so a forgotten header is an
 * error rather than a lost row) and is skipped. If lines is not NULL,
 * *lines receives a malloc'ed array of m->rows file line numbers, one per
 * data row, for messages about row contents (caller frees; NULL on error).
 * Otherwise as lam_csv_read. */
int lam_csv_read_table(const char *path, lam_matrix *m, long **lines,
                       lam_err *err);

#endif
