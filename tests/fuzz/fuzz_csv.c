/* fuzz_csv: the CSV readers (io/lam_csv.c) on a file holding the input:
 * lam_csv_read, lam_csv_read_shape (a fixed and a free shape),
 * lam_csv_read_table with its line numbers, and the text reader
 * lam_csv_read_text, whose results must agree with the shape they report.
 * Seeds: corpus/csv/. */
#include "lam_csv.h"
#include "lam_fuzz.h"

static void check(const lam_matrix *m) {
  /* Touch every cell: ASan sees a matrix smaller than rows x cols. */
  volatile double sum = 0;
  for (size_t i = 0; i < m->rows * m->cols; i++) {
    sum += m->data[i];
  }
  (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = lam_fuzz_file("data.csv", data, size);
  lam_err err = {0, ""};
  lam_matrix m = {0, 0, NULL};
  if (lam_csv_read(path, &m, &err) == LAM_OK) {
    if (m.rows == 0 || m.cols == 0 || !m.data) {
      abort(); /* success promises at least one numeric row */
    }
    check(&m);
  }
  lam_matrix_free(&m);
  if (lam_csv_read_shape(path, 2, 3, "fuzz.ini:1", "weights.w", &m, &err) ==
      LAM_OK) {
    if (m.rows != 2 || m.cols != 3) {
      abort();
    }
    check(&m);
  }
  lam_matrix_free(&m);
  if (lam_csv_read_shape(path, 0, 0, "fuzz.ini:1", "inputs.file", &m, &err) ==
      LAM_OK) {
    check(&m);
  }
  lam_matrix_free(&m);
  long *lines = NULL;
  if (lam_csv_read_table(path, &m, &lines, &err) == LAM_OK) {
    check(&m);
    for (size_t i = 0; i < m.rows; i++) {
      if (lines[i] < 2 || (i > 0 && lines[i] <= lines[i - 1])) {
        abort(); /* the header is line 1 at least, data rows come after it */
      }
    }
  } else if (lines) {
    abort(); /* documented: NULL on error */
  }
  free(lines);
  lam_matrix_free(&m);
  lam_csv_text t;
  if (lam_csv_read_text(path, &t, &err) == LAM_OK) {
    volatile size_t sum = 0;
    for (size_t r = 0; r < t.rows; r++) {
      if (t.cols == 0 || t.lines[r] < 1 || (r > 0 && t.lines[r] <= t.lines[r - 1])) {
        abort(); /* every row has a cell; lines increase */
      }
      for (size_t c = 0; c < t.cols; c++) {
        sum += strlen(lam_csv_text_cell(&t, r, c));
      }
    }
    (void)sum;
  } else if (t.rows || t.cells || t.lines) {
    abort(); /* documented: empty on error */
  }
  lam_csv_text_free(&t);
  return 0;
}
