/* test_model_inputs.c: the input files a model names (lam_model_ninputs),
 * resolved against the model file's folder, once per key, last value wins. */
#include <criterion/criterion.h>
#include <string.h>

#include "lam_model.h"

typedef struct bundle {
  lam_path wq, x;
  double beta;
} bundle;

static const lam_param table[] = {
    LAM_PATHP(bundle, wq, "", "weights"),
    LAM_PATHP(bundle, x, "", "input"),
    LAM_REAL(bundle, beta, "1", "1", 0, 10, "gain"),
};

Test(model_inputs, path_keys_with_values_are_listed_resolved) {
  lam_model *m = lam_model_new();
  lam_err err = {0, ""};
  cr_assert_eq(lam_model_load_text(m, "[net]\nwq = w.csv\nx =\nbeta = 2\n",
                                   "t.ini", "/data/models", &err), LAM_OK, "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK,
               "%s", err.msg);
  cr_assert_eq(lam_model_ninputs(m), 1u, "an empty path is not an input");
  const char *sec, *key;
  cr_assert_str_eq(lam_model_input(m, 0, &sec, &key), "/data/models/w.csv");
  cr_assert_str_eq(sec, "net");
  cr_assert_str_eq(key, "wq");
  cr_assert_null(lam_model_input(m, 1, NULL, NULL));
  /* Filled again after an override: still one entry, the new path. */
  cr_assert_eq(lam_model_set(m, "net.wq=/abs/w2.csv", &err), LAM_OK);
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK);
  cr_assert_eq(lam_model_ninputs(m), 1u);
  cr_assert_str_eq(lam_model_input(m, 0, NULL, NULL), "/abs/w2.csv");
  lam_model_free(m);
}

Test(model_inputs, scoped_sections_report_back_with_their_prefix) {
  lam_model *m = lam_model_new();
  lam_err err = {0, ""};
  cr_assert_eq(lam_model_load_text(m, "[net]\nbeta = 1\n[area.v1.net]\nx = v1.csv\n",
                                   "t.ini", "/d", &err), LAM_OK, "%s", err.msg);
  lam_model *s = lam_model_scope(m, "area.v1", &err);
  cr_assert_not_null(s, "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(s, "net", table, LAM_NELEM(table), &b, &err), LAM_OK);
  cr_assert_eq(lam_model_merge_used(m, s, "area.v1"), LAM_OK);
  cr_assert_eq(lam_model_ninputs(m), 1u);
  const char *sec, *key;
  cr_assert_str_eq(lam_model_input(m, 0, &sec, &key), "/d/v1.csv");
  cr_assert_str_eq(sec, "area.v1.net");
  cr_assert_str_eq(key, "x");
  lam_model_free(s);
  lam_model_free(m);
}
