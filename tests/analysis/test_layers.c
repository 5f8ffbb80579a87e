/* test_layers.c: populations grouped into layer and area signals
 * (analysis/lam_layers.h), on hand-made traces whose layer means are known.
 *
 * - A column of the default model's populations (docs/model.md: l23, pv and
 *   vip in L2/3, l4 in L4, l5b and som in L5, attn without a layer): three
 *   layers, in the order met, each the mean over its populations' units per
 *   column; attn is skipped; a population with more columns widens its
 *   layer, the missing column's mean then being of the populations it has.
 * - Samples before i0 are not used.
 * - A run of stacked areas (v1.l23, v1.l5b, v2.l23, v2.l4): the layers
 *   v1.L2/3, v1.L5, v2.L2/3, v2.L4, the areas v1 and v2, and each area's
 *   signal the mean over columns and units of its L2/3 and L5 populations
 *   (v2.l4 not in it).
 * - More than LAM_LAYERS_MAX layers is an error, not a silent drop.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lam_layers.h"

/* samples x ncols x nunits, value(s, c, u) = base + 10 c + u + 0.5 s. */
static double *trace(size_t n, size_t ncols, size_t nunits, double base) {
  double *v = malloc(n * ncols * nunits * sizeof *v);
  cr_assert(v);
  for (size_t s = 0; s < n; s++) {
    for (size_t c = 0; c < ncols; c++) {
      for (size_t u = 0; u < nunits; u++) {
        v[(s * ncols + c) * nunits + u] = base + 10.0 * (double)c + (double)u + 0.5 * (double)s;
      }
    }
  }
  return v;
}

static void add(lam_layer_group *ly, const char *pop, const char *layer,
                size_t n, size_t ncols, size_t nunits, double base, size_t i0) {
  double *v = trace(n + i0, ncols, nunits, base);
  lam_err err;
  cr_assert_eq(lam_layers_add(ly, pop, layer, "a.u.", v, ncols, nunits, i0, &err),
               LAM_OK, "%s: %s", pop, err.msg);
  free(v);
}

Test(layers, one_column_model) {
  const size_t n = 5;
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(n, &ly, &err), LAM_OK);
  cr_assert(lam_layers_takes("L2/3") && lam_layers_takes("L5"));
  cr_assert(!lam_layers_takes("") && !lam_layers_takes("attn"));
  add(ly, "attn", "", n, 2, 4, 100.0, 0); /* no layer: skipped */
  add(ly, "l23", "L2/3", n, 2, 1, 1.0, 0);
  add(ly, "l4", "L4", n, 2, 1, 2.0, 0);
  add(ly, "l5b", "L5", n, 2, 1, 3.0, 0);
  add(ly, "pv", "L2/3", n, 2, 3, 4.0, 0);
  add(ly, "som", "L5", n, 3, 1, 5.0, 0); /* one column more than l5b */
  add(ly, "vip", "L2/3", n, 2, 1, 6.0, 0);
  lam_layers_finish(ly);
  cr_assert_eq(lam_layers_samples(ly), n);
  cr_assert_eq(lam_layers_multi(ly), 0);
  cr_assert_eq(lam_layers_count(ly), 3);
  cr_assert_eq(lam_layers_areas(ly), 1);
  cr_assert_str_eq(lam_layers_area(ly, 0), "");
  cr_assert_eq(lam_layers_signals(ly), 0, "a single area has no area signal");
  const lam_layer_signal *l23 = lam_layers_get(ly, 0), *l4 = lam_layers_get(ly, 1),
                         *l5 = lam_layers_get(ly, 2);
  cr_assert_str_eq(l23->name, "L2/3");
  cr_assert_str_eq(l23->label, "L2/3");
  cr_assert_str_eq(l23->pops, "l23,pv,vip");
  cr_assert_str_eq(l4->pops, "l4");
  cr_assert_str_eq(l5->pops, "l5b,som");
  cr_assert_str_eq(l23->unit, "a.u.");
  cr_assert_eq(l23->ncols, 2);
  cr_assert_eq(l5->ncols, 3);
  cr_assert_eq(lam_layers_find(ly, "", "L5"), l5);
  cr_assert_null(lam_layers_find(ly, "", "L6"));
  for (size_t s = 0; s < n; s++) {
    for (size_t c = 0; c < 2; c++) {
      const double t = 10.0 * (double)c + 0.5 * (double)s;
      /* L2/3: l23 (1 unit, base 1), pv (units 0..2, base 4), vip (base 6):
       * (1 + (4 + 5 + 6) + 6) / 5 + t. */
      cr_assert_float_eq(l23->x[c * n + s], 22.0 / 5.0 + t, 1e-12);
      cr_assert_float_eq(l4->x[c * n + s], 2.0 + t, 1e-12);
      cr_assert_float_eq(l5->x[c * n + s], (3.0 + 5.0) / 2.0 + t, 1e-12);
    }
    /* Column 2 of L5: som alone. */
    cr_assert_float_eq(l5->x[2 * n + s], 5.0 + 20.0 + 0.5 * (double)s, 1e-12);
  }
  /* Mean of L4 over columns 0, 1 and samples 0..4: 2 + 5 + 1. */
  cr_assert_float_eq(l4->mean, 8.0, 1e-12);
  lam_layers_free(ly);
}

Test(layers, samples_from_i0) {
  const size_t n = 4, i0 = 3;
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(n, &ly, &err), LAM_OK);
  add(ly, "l4", "L4", n, 1, 2, 0.0, i0);
  lam_layers_finish(ly);
  const lam_layer_signal *l = lam_layers_get(ly, 0);
  for (size_t s = 0; s < n; s++) {
    /* units 0 and 1: mean 0.5, sample s + i0 of the trace */
    cr_assert_float_eq(l->x[s], 0.5 + 0.5 * (double)(s + i0), 1e-12);
  }
  lam_layers_free(ly);
}

Test(layers, stacked_areas) {
  const size_t n = 6;
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(n, &ly, &err), LAM_OK);
  add(ly, "v1.l23", "L2/3", n, 2, 1, 1.0, 0);
  add(ly, "v1.l5b", "L5", n, 2, 2, 2.0, 0);
  add(ly, "v2.l23", "L2/3", n, 1, 1, 3.0, 0);
  add(ly, "v2.l4", "L4", n, 1, 1, 4.0, 0);
  lam_layers_finish(ly);
  cr_assert_eq(lam_layers_multi(ly), 1);
  cr_assert_eq(lam_layers_count(ly), 4);
  const char *labels[] = {"v1.L2/3", "v1.L5", "v2.L2/3", "v2.L4"};
  for (size_t i = 0; i < 4; i++) {
    cr_assert_str_eq(lam_layers_get(ly, i)->label, labels[i]);
  }
  cr_assert_str_eq(lam_layers_get(ly, 3)->area, "v2");
  cr_assert_str_eq(lam_layers_get(ly, 3)->name, "L4");
  cr_assert_eq(lam_layers_areas(ly), 2);
  cr_assert_str_eq(lam_layers_area(ly, 0), "v1");
  cr_assert_str_eq(lam_layers_area(ly, 1), "v2");
  cr_assert_eq(lam_layers_signals(ly), 2);
  const char *name;
  const double *x1 = lam_layers_signal(ly, 0, &name);
  cr_assert_str_eq(name, "v1");
  const double *x2 = lam_layers_signal(ly, 1, &name);
  cr_assert_str_eq(name, "v2");
  for (size_t s = 0; s < n; s++) {
    const double t = 0.5 * (double)s;
    /* v1: l23 columns 0, 1 (1, 11) and l5b columns 0, 1 units 0, 1
     * (2, 3, 12, 13): 42 / 6. v2: l23 alone (l4 is not L2/3 or L5). */
    cr_assert_float_eq(x1[s], 42.0 / 6.0 + t, 1e-12);
    cr_assert_float_eq(x2[s], 3.0 + t, 1e-12);
  }
  lam_layers_free(ly);
}

Test(layers, too_many_layers) {
  lam_layer_group *ly;
  lam_err err;
  cr_assert_eq(lam_layers_new(2, &ly, &err), LAM_OK);
  double v[2] = {1, 2};
  /* LAM_LAYERS_MAXAREAS areas of 4 layers each fill the table. */
  const char *lay[] = {"L2/3", "L4", "L5", "L6"};
  int rc = LAM_OK;
  size_t added = 0;
  for (size_t a = 0; a <= LAM_LAYERS_MAXAREAS && !rc; a++) {
    for (size_t k = 0; k < 4 && !rc; k++) {
      char pop[32];
      snprintf(pop, sizeof pop, "a%zu.p%zu", a, k);
      rc = lam_layers_add(ly, pop, lay[k], "", v, 1, 1, 0, &err);
      added += rc == LAM_OK;
    }
  }
  cr_assert_eq(rc, LAM_EINVAL);
  cr_assert_eq(added, LAM_LAYERS_MAX);
  cr_assert(strstr(err.msg, "too many layers"), "%s", err.msg);
  lam_layers_free(ly);
}
