/* lam_csv.h: CSV files: numeric matrices (weights, inputs, coupling,
 * initial state) and tables of text cells (sweep designs and tables).
 *
 * Format: comma-separated cells, one row per line; blank lines and lines
 * starting with '#' are skipped. In a numeric matrix a non-numeric cell or
 * a ragged row is an error naming file:line:column. Text cells may be
 * "quoted" (a "" inside is one quote), so that they can hold commas.
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

/* Split one line (its newline, if any, already removed) into text cells.
 * A cell is trimmed of spaces and tabs around it (and of a trailing '\r');
 * a "quoted" cell keeps everything between its quotes, "" being one quote,
 * and may be followed only by spaces, tabs and the next comma. A line
 * always has at least one cell (an empty line is one empty cell).
 * *cells receives *n malloc'ed strings (lam_csv_cells_free). LAM_EINVAL
 * for a quote that is not closed or is followed by text (err says "unbalanced
 * quote"), LAM_ENOMEM; on error *cells is NULL and *n 0. */
int lam_csv_split(const char *line, char ***cells, size_t *n, lam_err *err);

void lam_csv_cells_free(char **cells, size_t n);

/* A table of text cells, all rows as long as the first. */
typedef struct lam_csv_text {
  size_t rows, cols;
  char **cells; /* rows x cols, row-major */
  long *lines;  /* the file line of every row, for messages */
} lam_csv_text;

/* Read path as text cells (lam_csv_split per line), skipping blank lines
 * and lines starting with '#' (after spaces); the first row read is
 * usually a header, which the caller checks. A file without rows is a
 * table of 0 rows. Errors: "PATH: REASON" for a file that cannot be opened
 * or read (LAM_EIO) or is not a file or pipe (LAM_EINVAL), "PATH:LINE:
 * unbalanced quote" and "PATH:LINE: expected N values, found M" (LAM_EINVAL).
 * On error t is left empty. */
int lam_csv_read_text(const char *path, lam_csv_text *t, lam_err *err);

/* Row r's cell c. */
const char *lam_csv_text_cell(const lam_csv_text *t, size_t r, size_t c);

void lam_csv_text_free(lam_csv_text *t);

#endif
