/* test_sim_params.c: a model built from numbers, without a file.
 *
 * The anchor identity (docs/model.md) from typed parameters and arrays set
 * in code, against softmax(Q K^T / sqrt(d_k)) V computed here; the same
 * model read from a file runs to the same bits; keys set by name are checked
 * as a file's values are; every kind builds from its table defaults; the
 * model text is a fixed point of reading it back. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../circuits/lam_test_util.h"
#include "lam_attention.h"
#include "lam_model.h"
#include "lam_params.h"
#include "lam_sim.h"
#include "lam_sim_params.h"

enum { T = 5, H = 2, DIN = 4, DK = 3, DV = 2 };

typedef struct arrays {
  double X[T * DIN], WQ[DIN * H * DK], WK[DIN * H * DK], WV[DIN * H * DV];
} arrays;

static void make_arrays(arrays *a, uint64_t seed) {
  for (size_t i = 0; i < T * DIN; i++) {
    a->X[i] = tu_gauss(&seed);
  }
  for (size_t i = 0; i < DIN * H * DK; i++) {
    a->WQ[i] = tu_gauss(&seed) / 2.0;
    a->WK[i] = tu_gauss(&seed) / 2.0;
  }
  for (size_t i = 0; i < DIN * H * DV; i++) {
    a->WV[i] = tu_gauss(&seed) / 2.0;
  }
}

/* softmax(Q K^T / sqrt(dk)) V per head, the naive loops on purpose. */
static void closed_form(const arrays *a, double *out) {
  double Q[T * H * DK] = {0}, K[T * H * DK] = {0}, V[T * H * DV] = {0};
  for (size_t i = 0; i < T; i++) {
    for (size_t u = 0; u < DIN; u++) {
      for (size_t c = 0; c < H * DK; c++) {
        Q[i * H * DK + c] += a->X[i * DIN + u] * a->WQ[u * H * DK + c];
        K[i * H * DK + c] += a->X[i * DIN + u] * a->WK[u * H * DK + c];
      }
      for (size_t c = 0; c < H * DV; c++) {
        V[i * H * DV + c] += a->X[i * DIN + u] * a->WV[u * H * DV + c];
      }
    }
  }
  memset(out, 0, T * H * DV * sizeof *out);
  for (size_t h = 0; h < H; h++) {
    for (size_t i = 0; i < T; i++) {
      double w[T], z = 0.0;
      for (size_t j = 0; j < T; j++) {
        double s = 0.0;
        for (size_t m = 0; m < DK; m++) {
          s += Q[i * H * DK + h * DK + m] * K[j * H * DK + h * DK + m];
        }
        w[j] = exp(s / sqrt((double)DK));
        z += w[j];
      }
      for (size_t j = 0; j < T; j++) {
        for (size_t m = 0; m < DV; m++) {
          out[i * H * DV + h * DV + m] += w[j] / z * V[j * H * DV + h * DV + m];
        }
      }
    }
  }
}

static lam_sim_params *from_numbers(const arrays *a) {
  lam_err err = {0, ""};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert(p, "%s", err.msg);
  p->network.columns = T;
  p->network.heads = H;
  p->network.d_in = DIN;
  p->network.d_k = DK;
  p->network.d_v = DV;
  p->solver.rtol = 1e-10;
  p->solver.atol = 1e-12;
  cr_assert_eq(lam_sim_params_set_array(p, "input.x", T, DIN, a->X, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_sim_params_set_array(p, "weights.wq", DIN, H * DK, a->WQ, &err), LAM_OK,
               "%s", err.msg);
  cr_assert_eq(lam_sim_params_set_array(p, "weights.wk", DIN, H * DK, a->WK, &err), LAM_OK,
               "%s", err.msg);
  cr_assert_eq(lam_sim_params_set_array(p, "weights.wv", DIN, H * DV, a->WV, &err), LAM_OK,
               "%s", err.msg);
  return p;
}

/* Run p for t_end; the final state (malloc'ed) and its size. */
static double *final_state(const lam_sim_params *p, double t_end, size_t *n,
                           long *off_out) {
  lam_err err = {0, ""};
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_new(p, &sim, &err), LAM_OK, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = t_end;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  const lam_system *s = lam_sim_system(sim);
  *n = s->n;
  double *y = malloc(s->n * sizeof *y);
  memcpy(y, lam_sim_state(sim), s->n * sizeof *y);
  if (off_out) {
    *off_out = lam_attention_offset(lam_sim_impl(sim, "attention"), "out");
  }
  lam_sim_free(sim);
  return y;
}

Test(sim_params, identity_from_numbers) {
  arrays a;
  make_arrays(&a, 31);
  lam_sim_params *p = from_numbers(&a);
  size_t n;
  long off;
  double *y = final_state(p, 1.5, &n, &off);
  double ref[T * H * DV];
  closed_form(&a, ref);
  double scale = 0.0, maxerr = 0.0;
  for (size_t i = 0; i < T * H * DV; i++) {
    scale = fmax(scale, fabs(ref[i]));
    maxerr = fmax(maxerr, fabs(y[off + (long)i] - ref[i]));
  }
  cr_expect_lt(maxerr / scale, 1e-6, "max |out - softmax(QK^T/sqrt(dk))V| / max|ref| = %g",
               maxerr / scale);
  free(y);
  lam_sim_params_free(p);
}

Test(sim_params, file_and_numbers_run_to_the_same_bits) {
  arrays a;
  make_arrays(&a, 32);
  char dir[64], path[128], text[1024];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir());
  const char *names[4] = {"x", "wq", "wk", "wv"};
  const double *data[4] = {a.X, a.WQ, a.WK, a.WV};
  const size_t rows[4] = {T, DIN, DIN, DIN}, cols[4] = {DIN, H * DK, H * DK, H * DV};
  for (size_t k = 0; k < 4; k++) {
    snprintf(path, sizeof path, "%s/%s.csv", dir, names[k]);
    tu_write_csv(path, data[k], rows[k], cols[k]);
  }
  snprintf(text, sizeof text,
           "[network]\ncolumns = %d\nheads = %d\nd_in = %d\nd_k = %d\nd_v = %d\n"
           "[input]\nx = x.csv\n[weights]\nwq = wq.csv\nwk = wk.csv\nwv = wv.csv\n"
           "[solver]\nrtol = 1e-10\natol = 1e-12\n",
           T, H, DIN, DK, DV);
  snprintf(path, sizeof path, "%s/m.ini", dir);
  tu_write_text(path, text);
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
  lam_sim_params *pf = NULL;
  cr_assert_eq(lam_params_from_model(m, &pf, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m);
  lam_sim_params *pn = from_numbers(&a);
  size_t nf, nn;
  double *yf = final_state(pf, 0.3, &nf, NULL);
  double *yn = final_state(pn, 0.3, &nn, NULL);
  cr_assert_eq(nf, nn);
  cr_expect_eq(memcmp(yf, yn, nf * sizeof *yf), 0,
               "a model read from a file and the same model set in code differ");
  free(yf);
  free(yn);
  lam_sim_params_free(pf);
  lam_sim_params_free(pn);
}

Test(sim_params, keys_by_name) {
  lam_err err = {0, ""};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert(p, "%s", err.msg);
  /* Defaults come from the tables: column.beta's default is 1. */
  cr_expect_eq(p->column.beta, 1.0);
  cr_assert_eq(lam_sim_params_set(p, "column.beta", "2.5", "--set", &err), LAM_OK, "%s",
               err.msg);
  cr_expect_eq(p->column.beta, 2.5);
  cr_expect_str_eq(lam_sim_params_where(p, "column", "beta"), "--set");
  cr_assert_eq(lam_sim_params_set_number(p, "network.columns", 7, &err), LAM_OK, "%s",
               err.msg);
  cr_expect_eq(p->network.columns, 7);
  char buf[64];
  cr_assert_eq(lam_sim_params_get(p, "network.columns", buf, sizeof buf, &err), LAM_OK);
  cr_expect_str_eq(buf, "7");
  /* Errors name the key and what was expected; nothing changes. */
  cr_expect_eq(lam_sim_params_set(p, "column.nope", "1", NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "nope"), "%s", err.msg);
  cr_expect_eq(lam_sim_params_set(p, "nosection.beta", "1", NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "nosection"), "%s", err.msg);
  cr_expect_eq(lam_sim_params_set(p, "network.columns", "0", "--set", &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "network.columns") && strstr(err.msg, "--set"), "%s", err.msg);
  cr_expect_eq(p->network.columns, 7);
  cr_expect_eq(lam_sim_params_set_number(p, "network.columns", 2.5, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "whole number"), "%s", err.msg);
  cr_expect_eq(lam_sim_params_set_number(p, "input.x", 1, &err), LAM_EINVAL);
  cr_expect_eq(lam_sim_params_set(p, "column.beta", "nan", NULL, &err), LAM_EINVAL);
  cr_expect_eq(p->column.beta, 2.5);
  const double bad[2] = {1.0, NAN};
  cr_expect_eq(lam_sim_params_set_array(p, "input.x", 1, 2, bad, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "input.x") && strstr(err.msg, "finite"), "%s", err.msg);
  cr_expect_eq(lam_sim_params_set_array(p, "column.beta", 1, 2, bad, &err), LAM_EINVAL);
  /* A copy is independent of its original. */
  lam_sim_params *c = lam_sim_params_copy(p, &err);
  cr_assert(c);
  c->column.beta = 9.0;
  cr_expect_eq(p->column.beta, 2.5);
  lam_sim_params_free(c);
  lam_sim_params_free(p);
}

/* Arrays of the wrong shape are errors naming the key and both shapes. */
Test(sim_params, array_shape_is_checked) {
  arrays a;
  make_arrays(&a, 33);
  lam_sim_params *p = from_numbers(&a);
  lam_err err = {0, ""};
  cr_assert_eq(lam_sim_params_set_array(p, "weights.wq", DIN, 1, a.WQ, &err), LAM_OK);
  lam_sim *sim = NULL;
  cr_expect_eq(lam_sim_new(p, &sim, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "weights.wq") && strstr(err.msg, "4 x 6") &&
                strstr(err.msg, "4 x 1"),
            "%s", err.msg);
  cr_expect_null(sim);
  lam_sim_params_free(p);
}

/* Each kind of the table builds from its defaults and names itself. */
/* (Mejias 2016 has noise by default: white noise needs method = heun.) */
Test(sim_params, every_kind_builds_from_defaults) {
  const int kinds[4] = {LAM_KIND_ATTENTION, LAM_KIND_JANSEN_RIT, LAM_KIND_MEJIAS,
                        LAM_KIND_WILSON_COWAN};
  const char *names[4] = {"attention", "jansen-rit", "mejias2016", "wilson-cowan"};
  for (size_t k = 0; k < 4; k++) {
    lam_err err = {0, ""};
    lam_sim_params *p = lam_sim_params_new(kinds[k], &err);
    cr_assert(p, "%s", err.msg);
    if (kinds[k] == LAM_KIND_MEJIAS) { /* its default noise needs heun */
      p->solver.method = LAM_SOLVER_HEUN;
    }
    lam_sim *sim = NULL;
    cr_assert_eq(lam_sim_new(p, &sim, &err), LAM_OK, "%s: %s", names[k], err.msg);
    cr_expect_str_eq(lam_sim_system(sim)->kind, names[k]);
    lam_sim_free(sim);
    lam_sim_params_free(p);
  }
  lam_err err = {0, ""};
  cr_expect_null(lam_sim_params_new(99, &err));
  cr_expect(strstr(err.msg, "column.kind"), "%s", err.msg);
}

/* The model text read back gives the same text: nothing is lost. */
Test(sim_params, text_is_a_fixed_point) {
  const char *files[] = {"models/default.ini", "models/jansen-rit.ini",
                         "models/mejias2016.ini", "models/two-areas.ini"};
  for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("LAM_SOURCE_ROOT"), files[k]);
    lam_err err = {0, ""};
    lam_model *m = lam_model_new();
    cr_assert_eq(lam_model_load(m, path, &err), LAM_OK, "%s", err.msg);
    lam_sim_params *p = NULL;
    cr_assert_eq(lam_params_from_model(m, &p, &err), LAM_OK, "%s", err.msg);
    char *t1 = lam_sim_params_text(p);
    cr_assert(t1);
    lam_model *m2 = lam_model_new();
    cr_assert_eq(lam_model_load_text(m2, t1, "text", lam_model_basedir(m), &err), LAM_OK,
                 "%s: %s", files[k], err.msg);
    lam_sim_params *p2 = NULL;
    cr_assert_eq(lam_params_from_model(m2, &p2, &err), LAM_OK, "%s: %s", files[k], err.msg);
    char *t2 = lam_sim_params_text(p2);
    cr_expect_str_eq(t2, t1, "%s", files[k]);
    /* And it is the text the model store resolved. */
    cr_expect_str_eq(t1, lam_model_text(m), "%s", files[k]);
    /* So run files and sweep tables keep the hash they had. */
    uint64_t h = 0;
    cr_assert(lam_sim_params_hash(p, &h));
    cr_expect_eq(h, lam_model_hash(m), "%s", files[k]);
    free(t1);
    free(t2);
    lam_sim_params_free(p);
    lam_sim_params_free(p2);
    lam_model_free(m);
    lam_model_free(m2);
  }
}

/* Keys of one area: its attention sections only; the rest is the model's. */
Test(sim_params, area_keys_by_name) {
  lam_err err = {0, ""};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert(p, "%s", err.msg);
  cr_assert_eq(lam_sim_params_set_areas(p, "v1,v2", &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_sim_params_set(p, "area.v2.column.beta", "3", "--set", &err), LAM_OK,
               "%s", err.msg);
  cr_expect_eq(p->area[1].column.beta, 3.0);
  cr_expect_eq(p->area[0].column.beta, 1.0);
  /* A whole-model key passes by the area that sets it itself. */
  cr_assert_eq(lam_sim_params_set(p, "column.beta", "2", "--set", &err), LAM_OK, "%s",
               err.msg);
  cr_expect_eq(p->area[0].column.beta, 2.0);
  cr_expect_eq(p->area[1].column.beta, 3.0);
  cr_expect_eq(lam_sim_params_set(p, "area.v1.solver.rtol", "1e-6", "--set", &err),
               LAM_EINVAL);
  cr_expect(strstr(err.msg, "area.v1.solver.rtol") && strstr(err.msg, "[solver]"), "%s",
            err.msg);
  cr_expect_eq(lam_sim_params_set(p, "area.v9.column.beta", "1", "--set", &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "v9"), "%s", err.msg);
  lam_sim_params_free(p);
}

/* [areas] by name: names make the areas as a file's [areas] would, once;
 * its other keys need areas (they would otherwise act on nothing). */
Test(sim_params, areas_by_name) {
  lam_err err = {0, ""};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert(p, "%s", err.msg);
  cr_expect_eq(lam_sim_params_set(p, "areas.ff_gain", "1", "--set", &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "areas.ff_gain") && strstr(err.msg, "no stacked areas"), "%s",
            err.msg);
  cr_assert_eq(lam_sim_params_set(p, "areas.names", "v1,v2", "--set", &err), LAM_OK, "%s",
               err.msg);
  cr_expect_eq(p->has_areas, 1);
  cr_expect_eq(p->nareas, 2);
  cr_expect_str_eq(p->area_name[1], "v2");
  cr_assert_eq(lam_sim_params_set(p, "areas.ff_gain", "0.5", "--set", &err), LAM_OK, "%s",
               err.msg);
  cr_expect_eq(p->areas.ff_gain, 0.5);
  cr_expect_eq(lam_sim_params_set(p, "areas.names", "a,b,c", "--set", &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "set once"), "%s", err.msg);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_new(p, &sim, &err), LAM_OK, "%s", err.msg);
  cr_expect_str_eq(lam_sim_system(sim)->kind, "areas");
  lam_sim_free(sim);
  lam_sim_params_free(p);
}
