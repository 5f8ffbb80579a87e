/* test_sim_areas.c: stacked areas set up from typed parameters
 * read from a file (io/lam_params.h, the reference):
 *
 * - lam_sim_params_set_areas on a single network gives the parameters a
 *   model file with `[areas] names = ...` and no [area.NAME.*] sections
 *   reads: the same model text (lam_sim_params_text) and, run for a short
 *   time, the same final state bit for bit; fields set afterwards (an
 *   [areas] key, one area's key) equal the file's [areas] and
 *   [area.NAME.SECTION] keys.
 * - Its refusals (areas already, another column kind, bad names) leave the
 *   parameters as they were.
 * - lam_sim_params_set_array records "(array)" as the key's path, not a
 *   path under the model's folder. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_params.h"
#include "lam_sim.h"
#include "lam_sim_params.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "%s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  cr_assert_not_null(s);
  cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

static const char *models(void) {
  static char dir[1024];
  const char *root = getenv("LAM_SOURCE_ROOT");
  cr_assert_not_null(root, "LAM_SOURCE_ROOT not set");
  snprintf(dir, sizeof dir, "%s/models", root);
  return dir;
}

/* Model text (with paths relative to models/) read into parameters. */
static lam_sim_params *read_text(const char *text) {
  lam_err err = {0};
  lam_model *m = lam_model_new();
  cr_assert_not_null(m);
  cr_assert_eq(lam_model_load_text(m, text, "m.ini", models(), &err), LAM_OK, "%s", err.msg);
  lam_sim_params *p = NULL;
  cr_assert_eq(lam_params_from_model(m, &p, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m);
  return p;
}

/* Run for t_end seconds; the final state (n values, malloc'ed). */
static double *final_state(const lam_sim_params *p, double t_end, size_t *n) {
  lam_err err = {0};
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_new(p, &sim, &err), LAM_OK, "%s", err.msg);
  lam_run_opts o = lam_run_defaults(sim);
  o.t_end = t_end;
  o.dt_record = t_end;
  cr_assert_eq(lam_sim_run(sim, &o, NULL, &err), LAM_OK, "%s", err.msg);
  *n = lam_sim_system(sim)->n;
  double *y = malloc(*n * sizeof *y);
  cr_assert_not_null(y);
  memcpy(y, lam_sim_state(sim), *n * sizeof *y);
  lam_sim_free(sim);
  return y;
}

/* The parameters in code (p) and from the file (f) are the same model. */
static void same_model(const lam_sim_params *p, const lam_sim_params *f, double t_end) {
  char *tp = lam_sim_params_text(p), *tf = lam_sim_params_text(f);
  cr_assert_not_null(tp);
  cr_assert_not_null(tf);
  cr_assert_str_eq(tp, tf);
  free(tp);
  free(tf);
  size_t np = 0, nf = 0;
  double *yp = final_state(p, t_end, &np), *yf = final_state(f, t_end, &nf);
  cr_assert_eq(np, nf);
  cr_assert(np > 0);
  cr_assert_eq(memcmp(yp, yf, np * sizeof *yp), 0, "final states differ");
  free(yp);
  free(yf);
}

/* models/default.ini: clocks, a stimulus with input noise, the probe, the
 * top-down context from a CSV file (an array every area must get). */
Test(sim_params, areas_of_the_default_model_equal_the_file) {
  char path[1200];
  snprintf(path, sizeof path, "%s/default.ini", models());
  char *text = slurp(path);
  const size_t len = strlen(text) + 64;
  char *with = malloc(len);
  cr_assert_not_null(with);
  snprintf(with, len, "%s\n[areas]\nnames = v1,v2\n", text);

  lam_sim_params *p = read_text(text);
  lam_err err = {0};
  cr_assert_eq(lam_sim_params_set_areas(p, "v1,v2", &err), LAM_OK, "%s", err.msg);
  lam_sim_params *f = read_text(with);
  cr_assert(p->has_areas && f->has_areas);
  cr_assert_eq(p->nareas, 2);
  cr_assert_str_eq(p->area_name[0], "v1");
  cr_assert_str_eq(p->area_name[1], "v2");
  cr_assert_not_null(lam_given_matrix(p->area_given[1], "input", "z", NULL),
                     "area v2 lacks the model's input.z array");
  same_model(p, f, 0.02);
  lam_sim_params_free(p);
  lam_sim_params_free(f);
  free(with);
  free(text);
}

/* Three areas whose alpha clock is a Jansen-Rit generator ([jansen_rit]
 * read because of the clocks), with fields set after the areas are made:
 * an [areas] key and one area's own seed, against the same keys in the
 * file. A fixed-step solver, so the runs take the same steps. */
Test(sim_params, fields_after_set_areas_equal_the_file_keys) {
  static const char *base =
      "[network]\ncolumns = 3\nheads = 1\nd_in = 3\nd_k = 2\nd_v = 2\n"
      "topology = topdown\nc_td = 0.5\n"
      "[input]\nseed = 5\n"
      "[clocks]\nenabled = true\nalpha_source = jansen-rit\n"
      "[jansen_rit]\np = 240\n"
      "[solver]\nmethod = heun\nheun_dt = 0.0005\n";
  char with[2048];
  snprintf(with, sizeof with,
           "%s[areas]\nnames = a,b,c\nff_gain = 0.5\nfb_gain = 1\nff_delay = 0.01\n"
           "[area.b.input]\nseed = 9\n",
           base);
  lam_sim_params *p = read_text(base);
  lam_err err = {0};
  cr_assert_eq(lam_sim_params_set_areas(p, "a,b,c", &err), LAM_OK, "%s", err.msg);
  p->areas.ff_gain = 0.5;
  p->areas.fb_gain = 1.0;
  p->areas.ff_delay = 0.01;
  p->area[1].input.seed = 9;
  lam_sim_params *f = read_text(with);
  cr_assert_eq(f->nareas, 3);
  cr_assert_eq(f->area[1].input.seed, 9);
  cr_assert_eq(f->area[0].input.seed, 5);
  same_model(p, f, 0.05);
  lam_sim_params_free(p);
  lam_sim_params_free(f);
}

/* A whole-model key set through lam_sim_params_set after the areas are
 * made reaches every area, as [SECTION] reaches every area of a file. */
Test(sim_params, whole_model_keys_reach_every_area) {
  lam_err err = {0};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert_not_null(p, "%s", err.msg);
  cr_assert_eq(lam_sim_params_set_areas(p, "v1,v2", &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_sim_params_set(p, "column.beta", "2.5", "--set", &err), LAM_OK, "%s",
               err.msg);
  lam_sim_params *f = read_text("[column]\nbeta = 2.5\n[areas]\nnames = v1,v2\n");
  cr_assert_eq(p->area[0].column.beta, 2.5);
  cr_assert_eq(p->area[1].column.beta, 2.5);
  char *tp = lam_sim_params_text(p), *tf = lam_sim_params_text(f);
  cr_assert_str_eq(tp, tf);
  free(tp);
  free(tf);
  lam_sim_params_free(p);
  lam_sim_params_free(f);
}

Test(sim_params, set_areas_refusals_change_nothing) {
  lam_err err = {0};
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
  cr_assert_not_null(p, "%s", err.msg);
  char *before = lam_sim_params_text(p);
  static const char *const bad[] = {"v1,v1", "", "v1,,v2", "v-1", NULL};
  for (size_t i = 0; bad[i]; i++) {
    lam_err e = {0};
    cr_assert_eq(lam_sim_params_set_areas(p, bad[i], &e), LAM_EINVAL, "'%s' accepted", bad[i]);
    cr_assert(strstr(e.msg, "areas.names"), "%s", e.msg);
    cr_assert_eq(p->has_areas, 0);
    cr_assert_eq(p->nareas, 0);
    char *now = lam_sim_params_text(p);
    cr_assert_str_eq(now, before);
    free(now);
  }
  free(before);
  /* Areas twice. */
  cr_assert_eq(lam_sim_params_set_areas(p, "v1,v2", &err), LAM_OK, "%s", err.msg);
  lam_err e2 = {0};
  cr_assert_eq(lam_sim_params_set_areas(p, "v3", &e2), LAM_EINVAL);
  cr_assert(strstr(e2.msg, "areas already"), "%s", e2.msg);
  cr_assert_eq(p->nareas, 2);
  cr_assert_str_eq(p->areas.names, "v1,v2");
  lam_sim_params_free(p);
  /* Areas are attention networks. */
  lam_sim_params *jr = lam_sim_params_new(LAM_KIND_JANSEN_RIT, &err);
  cr_assert_not_null(jr, "%s", err.msg);
  lam_err e3 = {0};
  cr_assert_eq(lam_sim_params_set_areas(jr, "v1,v2", &e3), LAM_EINVAL);
  cr_assert(strstr(e3.msg, "column.kind"), "%s", e3.msg);
  cr_assert_eq(jr->has_areas, 0);
  lam_sim_params_free(jr);
}

/* An array given in code is "(array)" in the model text, also for
 * parameters read from a file in some folder. */
Test(sim_params, an_array_is_named_array_not_a_path) {
  lam_sim_params *p = read_text("[network]\ncolumns = 2\nd_in = 3\n");
  cr_assert(p->basedir[0], "no model folder to resolve against");
  lam_err err = {0};
  const double x[6] = {1, 2, 3, 4, 5, 6};
  cr_assert_eq(lam_sim_params_set_array(p, "input.x", 2, 3, x, &err), LAM_OK, "%s", err.msg);
  char buf[1200];
  cr_assert_eq(lam_sim_params_get(p, "input.x", buf, sizeof buf, &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(buf, "(array)");
  cr_assert_str_eq(p->input.x, "(array)");
  lam_sim_params_free(p);
}
