/* test_areas.c: stacked areas (circuits/lam_areas.c) and the linear-chain
 * delay (circuits/lam_delay.c).
 *
 * - Feedback off: area 1 of a two-area model is the single-area model, bit
 *   for bit (fixed-step Heun: area 1's equations do not see area 2 at all).
 * - Feedback on: area 1's L4 and L5 basal (bottom-up only) stay bit-identical
 *   while its L5 apical tufts and L5 output change.
 * - Feedforward: area 2's L4 settles to (X_2 + ff_gain O_1 W_O) W_V, the
 *   linear closed form (ideal column: linear F, clocks off).
 * - The delay chain's response to a unit step is the gamma CDF
 *   P(k, k t / D) (gsl_sf_gamma_inc_P), to the solver tolerance.
 * - Bad delays and area names are file:line:key errors. */
#include <criterion/criterion.h>
#include <gsl/gsl_sf_gamma.h>

#include "lam_areas.h"
#include "lam_delay.h"
#include "lam_sim.h"
#include "lam_solver.h"
#include "lam_test_util.h"
#include "lam_params.h"

static const char *base =
    "[network]\ncolumns = 4\nheads = 2\nd_in = 4\nd_k = 3\nd_v = 3\n"
    "topology = topdown\nc_td = 0.5\n"
    "[input]\nseed = 5\n"
    "[solver]\nmethod = heun\nheun_dt = 0.0005\n"
    "[run]\nt_end = 0.2\ndt_record = 0.01\n";

static lam_sim *build(const char *text, lam_err *err) {
  lam_model *m = lam_model_new();
  int rc = lam_model_load_text(m, text, "m.ini", ".", err);
  lam_sim *sim = NULL;
  if (!rc) {
    rc = lam_sim_from_model(m, &sim, err);
  }
  lam_model_free(m); /* the simulation keeps its own parameters */
  return rc ? NULL : sim;
}

static void done(lam_sim *sim) {
  lam_sim_free(sim);
}

static lam_sim *run(const char *text) {
  lam_err err = {0};
  lam_sim *sim = build(text, &err);
  cr_assert(sim, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  return sim;
}

static char *two_areas(const char *extra) {
  static char buf[4096];
  snprintf(buf, sizeof buf,
           "%s[areas]\nnames = v1, v2\n%s[area.v2.input]\nseed = 9\n", base,
           extra);
  return buf;
}

Test(areas, feedback_off_is_the_single_area_bit_for_bit) {
  lam_sim *one = run(base);
  lam_sim *two = run(two_areas("fb_gain = 0\n"));
  lam_areas *ar = lam_sim_impl(two, "areas");
  cr_assert(ar);
  cr_assert_eq(lam_areas_count(ar), 2);
  cr_assert_str_eq(lam_areas_name(ar, 1), "v2");
  const lam_system *s1 = lam_sim_system(one), *s2 = lam_sim_system(two);
  cr_assert_gt(s2->n, s1->n);
  cr_assert_eq(lam_areas_offset(ar, 0), 0);
  const double *y1 = lam_sim_state(one), *y2 = lam_sim_state(two);
  size_t nonzero = 0;
  for (size_t i = 0; i < s1->n; i++) {
    cr_assert(memcmp(&y1[i], &y2[i], sizeof(double)) == 0,
              "state %zu: %.17g vs %.17g", i, y1[i], y2[i]);
    nonzero += y1[i] != 0.0;
  }
  cr_assert_gt(nonzero, s1->n / 2);
  /* Populations are named AREA.pop. */
  cr_assert_str_eq(s2->pops[0].name, "v1.l4");
  cr_assert_str_eq(s2->pops[s1->npops].name, "v2.l4");
  done(one);
  done(two);
}

Test(areas, feedback_lands_on_apical_dendrites_not_on_l4) {
  lam_sim *off = run(two_areas("fb_gain = 0\n"));
  lam_sim *on = run(two_areas("fb_gain = 2\nfb_source = l5\n"));
  lam_areas *ar = lam_sim_impl(on, "areas");
  lam_attention *a1 = lam_areas_attention(ar, 0);
  const lam_dims *d = lam_attention_dims(a1);
  const double *y0 = lam_sim_state(off), *y1 = lam_sim_state(on);
  struct {
    const char *pop;
    size_t n;
    int same;
  } blocks[] = {{"l4", d->T * d->H * d->dv, 1},
                {"l5b", d->T * d->H * d->dk, 1},
                {"l5a", d->nq * d->H * d->T, 0},
                {"out", d->nq * d->H * d->dv, 0}};
  for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
    size_t o = (size_t)lam_attention_offset(a1, blocks[b].pop);
    double maxdiff = 0.0;
    for (size_t i = 0; i < blocks[b].n; i++) {
      maxdiff = fmax(maxdiff, fabs(y1[o + i] - y0[o + i]));
    }
    if (blocks[b].same) {
      cr_assert_eq(memcmp(y0 + o, y1 + o, blocks[b].n * sizeof(double)), 0,
                   "%s changed by %g", blocks[b].pop, maxdiff);
    } else {
      cr_assert_gt(maxdiff, 1e-3, "%s unchanged (%g)", blocks[b].pop, maxdiff);
    }
  }
  done(off);
  done(on);
}

/* Area 2's L4 at steady state: F linear, no clocks, s_j = 1:
 * V_2[j] = (X_2[j] + ff_gain O_1[0] W_O) W_V2 (area 1 has one query row). */
Test(areas, feedforward_reaches_l4_of_the_next_area) {
  char text[8192];
  snprintf(text, sizeof text, "%s[area.v2.network]\ncolumns = 3\n",
           two_areas("ff_gain = 1.5\n"));
  lam_err err = {0};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load_text(m, text, "m.ini", ".", &err), LAM_OK, "%s", err.msg);
  /* CVODE at tight tolerance to the steady state instead of Heun. */
  cr_assert_eq(lam_model_set(m, "solver.method=adams", &err), LAM_OK);
  cr_assert_eq(lam_model_set(m, "solver.rtol=1e-10", &err), LAM_OK);
  cr_assert_eq(lam_model_set(m, "solver.atol=1e-12", &err), LAM_OK);
  cr_assert_eq(lam_model_set(m, "run.t_end=2", &err), LAM_OK);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.dt_record = 0.5;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  lam_areas *ar = lam_sim_impl(sim, "areas");
  lam_attention *a1 = lam_areas_attention(ar, 0), *a2 = lam_areas_attention(ar, 1);
  const lam_dims *d1 = lam_attention_dims(a1), *d2 = lam_attention_dims(a2);
  cr_assert_eq(d2->T, 3);
  const size_t din = 4, nv1 = d1->H * d1->dv, nv2 = d2->H * d2->dv;
  const double *y = lam_sim_state(sim);
  const double *O1 = y + lam_attention_offset(a1, "out");
  const double *V2 = y + lam_areas_offset(ar, 1) + lam_attention_offset(a2, "l4");
  const double *WO = lam_areas_link_matrix(ar, 0, "wo");
  const double *X2 = lam_attention_matrix(a2, "x");
  const double *WV2 = lam_attention_matrix(a2, "wv");
  double xe[4] = {0};
  for (size_t u = 0; u < din; u++) {
    for (size_t k = 0; k < nv1; k++) {
      xe[u] += 1.5 * O1[k] * WO[k * din + u];
    }
  }
  double maxerr = 0.0, maxv = 0.0, maxxe = 0.0;
  for (size_t u = 0; u < din; u++) {
    maxxe = fmax(maxxe, fabs(xe[u]));
  }
  for (size_t j = 0; j < d2->T; j++) {
    for (size_t v = 0; v < nv2; v++) {
      double want = 0.0;
      for (size_t u = 0; u < din; u++) {
        want += (X2[j * din + u] + xe[u]) * WV2[u * nv2 + v];
      }
      maxerr = fmax(maxerr, fabs(V2[j * nv2 + v] - want));
      maxv = fmax(maxv, fabs(want));
    }
  }
  cr_assert_gt(maxxe, 0.05, "feedforward input too small to test (%g)", maxxe);
  cr_assert_lt(maxerr, 1e-6 * fmax(1.0, maxv), "max error %g", maxerr);
  done(sim);
}

/* A bare chain driven by a unit step from rest, as a lam_system. */
typedef struct chain {
  size_t k;
  double D;
} chain;

static int chain_rhs(void *self, double t, const double *y, double *dy) {
  (void)t;
  const chain *c = self;
  const double u = 1.0;
  lam_delay_rhs(c->k, c->D, 1, &u, y, dy);
  return 0;
}
static void chain_observe(void *self, size_t pop, double t, const double *y,
                          double *out) {
  (void)pop, (void)t;
  const chain *c = self;
  out[0] = *lam_delay_out(c->k, 1, y);
}

Test(delay, step_response_is_the_gamma_cdf) {
  static const lam_system_ops ops = {.rhs = chain_rhs, .observe = chain_observe};
  static const lam_pop_info pop = {"d", "1", 1, 1, "", "delayed step"};
  const size_t ks[] = {1, 3, 8, 20};
  const double D = 0.01;
  for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++) {
    chain c = {ks[q], D};
    double y0[20] = {0}, y[20] = {0};
    lam_system sys = {.ops = &ops, .self = &c, .n = c.k, .npops = 1,
                      .pops = &pop, .y0 = y0, .kind = "chain"};
    lam_solver_params sp;
    lam_err err = {0};
    cr_assert_eq(lam_param_defaults(lam_solver_table, lam_solver_ntable, &sp, &err), LAM_OK);
    sp.rtol = 1e-10;
    sp.atol = 1e-12;
    lam_solver *s = NULL;
    cr_assert_eq(lam_solver_new(&sys, &sp, 0.0, y0, &s, &err), LAM_OK, "%s", err.msg);
    double maxerr = 0.0;
    for (int i = 1; i <= 40; i++) {
      const double t = 0.001 * i;
      cr_assert_eq(lam_solver_advance(s, t, y, &err), LAM_OK, "%s", err.msg);
      const double want = gsl_sf_gamma_inc_P((double)c.k, (double)c.k * t / D);
      maxerr = fmax(maxerr, fabs(*lam_delay_out(c.k, 1, y) - want));
    }
    cr_assert_lt(maxerr, 1e-7, "k = %zu: max error %g", c.k, maxerr);
    lam_solver_free(s);
  }
}

static void expect_error(const char *extra, const char *want) {
  char text[4096];
  snprintf(text, sizeof text, "%s[areas]\nnames = v1,v2\n%s", base, extra);
  lam_err err = {0};
  lam_sim *sim = build(text, &err);
  cr_assert_null(sim, "accepted: %s", extra);
  cr_assert(strstr(err.msg, want), "message '%s' lacks '%s'", err.msg, want);
}

Test(areas, bad_links_are_file_line_key_errors) {
  /* base has 16 lines; [areas] is line 17, names 18, the extra key 19. */
  expect_error("ff_stages = 0\n", "m.ini:19: areas.ff_stages");
  expect_error("fb_stages = -2\n", "m.ini:19: areas.fb_stages");
  expect_error("ff_delay = -0.01\n", "m.ini:19: areas.ff_delay");
  expect_error("fb_delay = nan\n", "m.ini:19: areas.fb_delay");
  expect_error("[area.v2.network]\ncolumnz = 3\n", "m.ini:20: area.v2.network.columnz");
  char text[4096];
  snprintf(text, sizeof text, "%s[areas]\nnames = v1,v1\n", base);
  lam_err err = {0};
  cr_assert_null(build(text, &err));
  cr_assert(strstr(err.msg, "m.ini:18: areas.names"), "%s", err.msg);
}

/* Areas each within the size limit whose link is not: malloc was asked
 * for whatever one area's outputs times the next one's inputs came to
 * (10^7 x 10^5: 8 TB). Just over the limit here (4100^2 > 2^24), so that
 * the areas themselves stay small. */
Test(areas, oversized_links_are_refused_by_name) {
  lam_err err = {0};
  cr_assert_null(build("[network]\ncolumns = 1\nheads = 1\ntopology = topdown\n"
                       "[areas]\nnames = v1,v2\n"
                       "[area.v1.network]\nd_v = 4100\n"
                       "[area.v2.network]\nd_in = 4100\n",
                       &err));
  cr_assert_eq(err.code, LAM_EINVAL, "%s", err.msg);
  cr_assert(strstr(err.msg, "m.ini:6: areas.names: the link v1 <-> v2 needs a 4100 x "
                            "4100 feedforward"),
            "%s", err.msg);
}

/* W_O and W_B from CSV: the seeded matrices written out and read back give
 * the seeded run bit for bit ([areas] wo, [link.v1] wb); a file of the wrong
 * shape is an error naming the key's file:line and the expected shape. */
Test(areas, link_matrices_from_csv) {
  const char *links = "ff_gain = 1\nfb_gain = 1.5\nfb_source = l5\n";
  lam_sim *ref = run(two_areas(links));
  lam_areas *ar = lam_sim_impl(ref, "areas");
  const lam_attention *a1 = lam_areas_attention(ar, 0);
  const lam_dims *d = lam_attention_dims(a1);
  const size_t nout = d->H * d->dv, din = lam_attention_din(a1);
  const char *dir = tu_tmpdir();
  char wo[128], wb[128], bad[128], text[4096], extra[1024];
  snprintf(wo, sizeof wo, "%s/wo.csv", dir);
  snprintf(wb, sizeof wb, "%s/wb.csv", dir);
  snprintf(bad, sizeof bad, "%s/bad.csv", dir);
  tu_write_csv(wo, lam_areas_link_matrix(ar, 0, "wo"), nout, din);
  tu_write_csv(wb, lam_areas_link_matrix(ar, 0, "wb"), nout, din);
  tu_write_csv(bad, lam_areas_link_matrix(ar, 0, "wo"), nout - 1, din);
  snprintf(extra, sizeof extra, "%swo = %s\n[link.v1]\nwb = %s\n", links, wo, wb);
  lam_sim *csv = run(two_areas(extra));
  const size_t n = lam_sim_system(ref)->n;
  cr_assert_eq(lam_sim_system(csv)->n, n);
  cr_assert_eq(memcmp(lam_sim_state(ref), lam_sim_state(csv), n * sizeof(double)), 0);
  done(csv);
  done(ref);
  /* base has 16 lines; [areas] 17, names 18, ff_gain 19, fb_gain 20,
   * fb_source 21, wo 22. */
  snprintf(extra, sizeof extra, "%swo = %s\n", links, bad);
  snprintf(text, sizeof text, "%s[areas]\nnames = v1,v2\n%s", base, extra);
  lam_err err = {0};
  cr_assert_null(build(text, &err));
  cr_log_info("%s", err.msg);
  cr_assert(strstr(err.msg, "m.ini:22") && strstr(err.msg, "areas.wo"), "%s", err.msg);
  cr_assert(strstr(err.msg, "5"), "%s", err.msg); /* the expected 6 rows vs 5 found */
}

/* A per-link delay is the same model as the [areas] delay when there is one
 * link (bit for bit), and -1 / 0 take the [areas] values. */
Test(areas, per_link_delay) {
  lam_sim *all = run(two_areas("ff_delay = 0.004\nff_stages = 3\nfb_gain = 1\n"
                               "fb_delay = 0.006\nfb_stages = 2\n"));
  lam_sim *link = run(two_areas("fb_gain = 1\nfb_delay = 0.006\nfb_stages = 2\n"
                                "[link.v1]\nff_delay = 0.004\nff_stages = 3\n"));
  lam_sim *none = run(two_areas("fb_gain = 1\n"));
  const size_t n = lam_sim_system(all)->n;
  cr_assert_eq(lam_sim_system(link)->n, n);
  lam_areas *ar = lam_sim_impl(none, "areas");
  const lam_dims *d = lam_attention_dims(lam_areas_attention(ar, 0));
  const size_t width = d->H * d->dv * d->nq;
  const size_t nsrc = lam_attention_dims(lam_areas_attention(ar, 1))->H *
                      lam_attention_dims(lam_areas_attention(ar, 1))->dk;
  cr_assert_eq(n, lam_sim_system(none)->n + 3 * width + 2 * nsrc);
  cr_assert_eq(memcmp(lam_sim_state(all), lam_sim_state(link), n * sizeof(double)), 0);
  done(all);
  done(link);
  done(none);
  expect_error("[link.v1]\nff_delay = -0.5\n", "m.ini:20: link.v1.ff_delay");
  expect_error("[link.v1]\nfb_stages = -1\n", "m.ini:20: link.v1.fb_stages");
}
