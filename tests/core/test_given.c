/* test_given.c: where keys were given and their arrays (core/lam_given.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lam_given.h"

Test(given, where_and_arrays_and_copies) {
  lam_given *g = lam_given_new();
  cr_assert(g);
  cr_expect_null(lam_given_where(g, "column", "beta"));
  cr_expect_null(lam_given_where(NULL, "column", "beta"));
  cr_assert_eq(lam_given_set_where(g, "column", "beta", "m.ini:3"), LAM_OK);
  cr_assert_eq(lam_given_set_where(g, "column", "beta", "--set"), LAM_OK);
  cr_expect_str_eq(lam_given_where(g, "column", "beta"), "--set");
  cr_expect_null(lam_given_where(g, "column", "gamma"));
  double *d = malloc(6 * sizeof *d);
  for (int i = 0; i < 6; i++) {
    d[i] = i + 0.5;
  }
  lam_matrix m = {2, 3, d};
  long *lines = malloc(2 * sizeof *lines);
  lines[0] = 4;
  lines[1] = 7;
  cr_assert_eq(lam_given_set_matrix(g, "stimulus", "file", &m, lines), LAM_OK);
  cr_expect_null(m.data, "the matrix is taken over");
  const long *ln = NULL;
  const lam_matrix *got = lam_given_matrix(g, "stimulus", "file", &ln);
  cr_assert(got);
  cr_expect_eq(got->rows, 2);
  cr_expect_eq(got->cols, 3);
  cr_expect_eq(got->data[5], 5.5);
  cr_expect_eq(ln[1], 7);
  /* A copy is deep: dropping the original's array leaves the copy's. */
  lam_given *c = lam_given_copy(g);
  cr_assert(c);
  lam_given_drop_matrix(g, "stimulus", "file");
  cr_expect_null(lam_given_matrix(g, "stimulus", "file", NULL));
  got = lam_given_matrix(c, "stimulus", "file", &ln);
  cr_assert(got);
  cr_expect_eq(got->data[0], 0.5);
  cr_expect_eq(ln[0], 4);
  cr_expect_str_eq(lam_given_where(c, "column", "beta"), "--set");
  lam_given_free(c);
  lam_given_free(g);
}

Test(given, shape_messages) {
  double d[4] = {1, 2, 3, 4};
  lam_matrix m = {2, 2, d};
  lam_err err = {0, ""};
  cr_expect_eq(lam_matrix_check_shape(&m, 2, 2, "m.ini:4", "input.x", "x.csv", &err), LAM_OK);
  cr_expect_eq(lam_matrix_check_shape(&m, 0, 2, "m.ini:4", "input.x", "x.csv", &err), LAM_OK);
  cr_expect_eq(lam_matrix_check_shape(&m, 3, 0, "m.ini:4", "input.x", "x.csv", &err),
               LAM_EINVAL);
  cr_expect_str_eq(err.msg, "m.ini:4: input.x: x.csv: expected a 3 x any matrix, found 2 x 2");
}

Test(given, arrays_by_key_are_checked) {
  lam_given *g = lam_given_new();
  lam_err err = {0, ""};
  const lam_matrix *m = NULL;
  cr_assert_eq(lam_given_set_where(g, "weights", "wq", "m.ini:7"), LAM_OK);
  cr_expect_eq(lam_given_array(g, "weights", "wq", "wq.csv", 4, 2, &m, &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "m.ini:7: weights.wq: wq.csv: expected its 4 x 2 matrix among "
                            "the model's arrays, found none");
  double *d = calloc(8, sizeof *d);
  lam_matrix a = {4, 2, d};
  cr_assert_eq(lam_given_set_matrix(g, "weights", "wq", &a, NULL), LAM_OK);
  cr_expect_eq(lam_given_array(g, "weights", "wq", "wq.csv", 4, 2, &m, &err), LAM_OK);
  cr_expect_eq(m->rows, 4);
  cr_expect_eq(lam_given_array(g, "weights", "wq", "wq.csv", 2, 4, &m, &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "m.ini:7: weights.wq: wq.csv: expected a 2 x 4 matrix, found 4 x 2");
  lam_given_free(g);
}
