/* test_param.c: every number of a model file or --set is read whole and
 * checked against its table row: decimal text only (no hex, inf, nan), no
 * overflow, no trailing text, integers whole, inside [min, max]; the message
 * names where, section.key, the range with its unit and the text as written. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lam_model.h"
#include "lam_param.h"

typedef struct bundle {
  double tau;
  long n, seed;
  double gain;
} bundle;

static const lam_param table[] = {
    LAM_REAL(bundle, tau, "0.01", "s", 0.001, 1, "a time constant"),
    LAM_INT(bundle, n, "4", "1", 1, 1e6, "a count"),
    LAM_INT(bundle, seed, "1", "1", 0, 4294967295.0, "a seed"),
    LAM_REAL(bundle, gain, "1", "1", -2, 2, "a dimensionless gain"),
};

/* Parse text as key of section "sec" at "m.ini:7"; the status, with the
 * message in err. */
static int parse(const char *key, const char *text, bundle *b, lam_err *err) {
  const lam_param *p = lam_param_find(table, 4, key);
  cr_assert(p);
  return lam_param_parse(p, "sec", text, "m.ini:7", NULL, b, err);
}

static void expect_refused(const char *key, const char *text, const char *msg) {
  bundle b = {0};
  lam_err err = {0, ""};
  cr_expect_eq(parse(key, text, &b, &err), LAM_EINVAL, "%s = '%s' accepted", key, text);
  cr_expect_str_eq(err.msg, msg);
}

Test(param, real_not_a_number) {
  const char *bad[] = {"1e999", "-1e999", "nan", "NaN", "inf", "-inf", "infinity",
                       "-0x", "0x1p-3", "1e", "1e+", "5 6", "", " ", ".", "-",
                       "1,5", "0.5s", "1e-400", "++1"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char want[256];
    snprintf(want, sizeof want,
             "m.ini:7: sec.tau: expected a number in [0.001, 1] s, found '%s'", bad[i]);
    expect_refused("tau", bad[i], want);
  }
}

Test(param, real_just_outside_the_range) {
  expect_refused("tau", "1.0000000000000002",
                 "m.ini:7: sec.tau: expected a value in [0.001, 1] s, found "
                 "'1.0000000000000002'");
  expect_refused("tau", "0.00099999999999999",
                 "m.ini:7: sec.tau: expected a value in [0.001, 1] s, found "
                 "'0.00099999999999999'");
  expect_refused("tau", "-0.01",
                 "m.ini:7: sec.tau: expected a value in [0.001, 1] s, found '-0.01'");
  /* Dimensionless: no unit after the range. */
  expect_refused("gain", "2.5",
                 "m.ini:7: sec.gain: expected a value in [-2, 2], found '2.5'");
}

Test(param, real_accepted_forms) {
  const char *good[] = {"0.5", "+0.5", ".5", "5e-1", "5E-1", "50e-2", " 0.5 ", "\t0.5",
                        "0.5\t"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    bundle b = {0};
    lam_err err = {0, ""};
    cr_expect_eq(parse("tau", good[i], &b, &err), LAM_OK, "'%s': %s", good[i], err.msg);
    cr_expect_eq(b.tau, 0.5, "'%s'", good[i]);
  }
  bundle b = {0};
  lam_err err = {0, ""};
  cr_expect_eq(parse("tau", "1", &b, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(b.tau, 1.0);
  cr_expect_eq(parse("tau", "0.001", &b, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(b.tau, 0.001);
}

Test(param, int_not_an_integer) {
  const char *bad[] = {"2.5", "1e-1", "99999999999999999999", "9007199254740993",
                       "1e999", "nan", "inf", "0x10", "1e", "5 6", "", "3x",
                       "1000001", "0", "-1", "1e7"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char want[256];
    snprintf(want, sizeof want,
             "m.ini:7: sec.n: expected an integer in [1, 1000000], found '%s'", bad[i]);
    expect_refused("n", bad[i], want);
  }
}

Test(param, int_range_printed_exactly) {
  expect_refused("seed", "4294967296",
                 "m.ini:7: sec.seed: expected an integer in [0, 4294967295], found "
                 "'4294967296'");
  expect_refused("seed", "-1",
                 "m.ini:7: sec.seed: expected an integer in [0, 4294967295], found '-1'");
  bundle b = {0};
  lam_err err = {0, ""};
  cr_expect_eq(parse("seed", "4294967295", &b, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(b.seed, 4294967295L);
}

Test(param, int_accepted_forms) {
  const char *good[] = {"1000", "+1000", "1e3", "1000.0", "1.0e3", " 1000 "};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    bundle b = {0};
    lam_err err = {0, ""};
    cr_expect_eq(parse("n", good[i], &b, &err), LAM_OK, "'%s': %s", good[i], err.msg);
    cr_expect_eq(b.n, 1000, "'%s'", good[i]);
  }
}

Test(param, number_syntax) {
  double v = -1;
  cr_expect(lam_param_number("12.5e-1", 0, &v));
  cr_expect_eq(v, 1.25);
  cr_expect(!lam_param_number("12.5e-1", 1, &v));
  cr_expect(!lam_param_number(NULL, 0, &v));
  cr_expect(!lam_param_number("1e308x", 0, &v));
  cr_expect(lam_param_number("1e308", 0, &v));
  cr_expect(!lam_param_number("2e308", 0, &v));
  cr_expect(lam_param_number("9007199254740992", 1, &v));
  cr_expect(!lam_param_number("9007199254740994", 1, &v));
}

/* From a file and from --set: the same checks, with where the value came
 * from. */
Test(param, model_and_set_values) {
  lam_model *m = lam_model_new();
  lam_err err = {0, ""};
  cr_assert_eq(lam_model_load_text(m, "[sec]\n\nn = 2.5\n", "f.ini", ".", &err), LAM_OK,
               "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "sec", table, 4, &b, &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "f.ini:3: sec.n: expected an integer in [1, 1000000], found '2.5'");
  cr_assert_eq(lam_model_set(m, "sec.n=99999999999999999999", &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_model_fill(m, "sec", table, 4, &b, &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "--set sec.n=99999999999999999999: sec.n: expected an "
                            "integer in [1, 1000000], found '99999999999999999999'");
  cr_assert_eq(lam_model_set(m, "sec.n=7", &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_model_set(m, "sec.tau=nan", &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_model_fill(m, "sec", table, 4, &b, &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg,
                   "--set sec.tau=nan: sec.tau: expected a number in [0.001, 1] s, found 'nan'");
  lam_model_free(m);
}

/* Every default of the table is a valid value of its row. */
Test(param, defaults_are_valid) {
  bundle b;
  lam_err err = {0, ""};
  cr_expect_eq(lam_param_defaults(table, 4, &b, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(b.tau, 0.01);
  cr_expect_eq(b.n, 4);
}
