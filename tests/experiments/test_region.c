/* test_region.c: prediction maps (experiments/lam_region.h). A probe
 * experiment whose effect is a known function of the region's keys makes
 * every number checkable from outside: the Latin hypercube hits each of N
 * strata once per key, the supported fraction and its interval are the
 * closed-form Wilson interval of a count fixed by the stratification, the
 * key the effect follows ranks first with rho = 1, an interrupted map
 * resumes without running a point twice, the map figure decodes to a
 * non-blank image, and a bad region is an error naming the experiment and
 * the key with nothing written. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <ftw.h>
#include <math.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_region.h"

enum { N = 8 };

/* effect = tau_pv - 9.5 ms: the midpoint of the probe region's tau_pv. */
static int probe_seed(lam_exp *x, unsigned long seed, double *effect, lam_err *err) {
  lam_sim_params *p = NULL;
  int rc = lam_exp_params(x, seed, &p, err);
  if (!rc) {
    *effect = p->column.tau_pv - 0.0095;
  }
  lam_sim_params_free(p);
  return rc;
}

static const lam_experiment probe = {
    .name = "probe",
    .id = "",
    .prediction = "tau_pv above 9.5 ms",
    .category = "test",
    .protocol = "read tau_pv",
    .manipulation = "none",
    .metric = "tau_pv",
    .effect = "tau_pv - 9.5 ms",
    .citation = "none",
    .criterion = {+1, 0.0, "tau_pv > 9.5 ms"},
    .run_seed = probe_seed,
};

static const lam_region probe_region = {
    "probe",
    2,
    3,
    {{"column.tau_l5a", 0.0035, 0.014, 0, "test"},
     {"column.tau_pv", 0.004, 0.015, 0, "test"},
     {"column.tau_out", 0.01, 0.04, 1, "test"}},
    NULL};

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_regionXXXXXX");
  cr_assert(mkdtemp(dir));
}

static void teardown(void) { nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static lam_exp_opts opts(const char *outdir) {
  static char model[1024];
  const char *root = getenv("LAM_SOURCE_ROOT");
  cr_assert_not_null(root);
  snprintf(model, sizeof model, "%s/models/default.ini", root);
  lam_exp_opts o = {.model_path = model, .outdir = outdir};
  return o;
}

/* The rows of region.csv: key values (3 per row) and supported flags. */
static size_t read_table(const char *path, double (*v)[3], int *sup, size_t max) {
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "%s", path);
  char line[4096];
  size_t n = 0;
  int header = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') {
      continue;
    }
    if (!header) {
      header = 1;
      cr_assert(!strncmp(line, "id,point,column.tau_l5a,column.tau_pv,column.tau_out,effect,"
                               "supported,status",
                         66),
                "%s", line);
      continue;
    }
    cr_assert_lt(n, max);
    char *p = strchr(strchr(line, ',') + 1, ','); /* after id and point */
    for (int k = 0; k < 3; k++) {
      v[n][k] = strtod(p + 1, &p);
    }
    strtod(p + 1, &p); /* effect */
    sup[n] = (int)strtol(p + 1, &p, 10);
    cr_assert(!strncmp(p, ",ok,", 4), "%s", line);
    n++;
  }
  fclose(f);
  return n;
}

static double wilson_half(double k, double n) {
  const double z = 1.96, p = k / n;
  return z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
}

Test(region, map_of_a_known_effect, .init = setup, .fini = teardown, .timeout = 120) {
  lam_exp_opts o = opts(dir);
  lam_region_opts ro = {.npoints = N, .seed = 7, .jobs = 2};
  lam_region_summary s;
  lam_err err = {0, ""};
  int rc = lam_region_run(&probe, &probe_region, &o, &ro, &s, &err);
  cr_assert_eq(rc, LAM_OK, "%s", err.msg);
  char path[256];
  snprintf(path, sizeof path, "%s/probe/region.csv", dir);
  double v[N + 1][3];
  int sup[N + 1];
  cr_assert_eq(read_table(path, v, sup, N + 1), N);
  /* Each key: every one of the N strata of its range holds one point
   * (log10 strata for the log key). */
  for (int k = 0; k < 3; k++) {
    const lam_region_key *q = &probe_region.keys[k];
    int hit[N] = {0};
    for (int i = 0; i < N; i++) {
      const double u = q->log ? (log10(v[i][k]) - log10(q->lo)) / (log10(q->hi) - log10(q->lo))
                              : (v[i][k] - q->lo) / (q->hi - q->lo);
      cr_assert(u > 0.0 && u < 1.0, "%s = %g outside its range", q->key, v[i][k]);
      hit[(int)(u * N)]++;
    }
    for (int j = 0; j < N; j++) {
      cr_assert_eq(hit[j], 1, "%s: stratum %d hit %d times", q->key, j, hit[j]);
    }
  }
  /* tau_pv above its midpoint in exactly the upper N/2 strata. */
  int nsup = 0;
  for (int i = 0; i < N; i++) {
    cr_assert_eq(sup[i], v[i][1] > 0.0095);
    nsup += sup[i];
  }
  cr_assert_eq(nsup, N / 2);
  cr_assert_eq(s.points, N);
  cr_assert_eq(s.failed, 0);
  cr_assert_eq(s.supported, N / 2);
  cr_assert_float_eq(s.fraction, 0.5, 1e-15);
  /* Wilson at p = 1/2: centred on 1/2. */
  const double h = wilson_half(N / 2, N);
  cr_assert_float_eq(s.lo, 0.5 - h, 1e-12);
  cr_assert_float_eq(s.hi, 0.5 + h, 1e-12);
  /* The effect is tau_pv itself (shifted): rank 1, rho = 1. */
  cr_assert_str_eq(s.key[0], "column.tau_pv");
  cr_assert_float_eq(s.rho[0], 1.0, 1e-12);
  cr_assert_lt(fabs(s.rho[1]), 1.0);
  /* The report's column. */
  lam_exp_result res = {.e = &probe, .verdict = LAM_VERDICT_SUPPORTED, .nseeds = 2,
                        .has_region = 1, .region = s};
  cr_assert_eq(lam_report_write(dir, &res, 1, &o, &err), LAM_OK, "%s", err.msg);
  snprintf(path, sizeof path, "%s/report.md", dir);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f);
  static char md[1 << 16];
  md[fread(md, 1, sizeof md - 1, f)] = '\0';
  fclose(f);
  cr_assert(strstr(md, "| figure | holds in f of the region |\n"), "%s", md);
  char cell[96];
  snprintf(cell, sizeof cell, "| 0.50 [%.2f, %.2f] (8 points) |\n", 0.5 - h, 0.5 + h);
  cr_assert(strstr(md, cell), "no '%s' in\n%s", cell, md);
  /* The map: a decodable PNG with a colour gradient, not a blank page. */
  if (LAM_HAVE_PLPLOT) {
    snprintf(path, sizeof path, "%s/probe/region.png", dir);
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    cr_assert(png_image_begin_read_from_file(&img, path), "%s: %s", path, img.message);
    img.format = PNG_FORMAT_RGB;
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(img));
    cr_assert_not_null(buf);
    cr_assert(png_image_finish_read(&img, NULL, buf, 0, NULL), "%s", img.message);
    cr_assert_eq(img.width, 1000);
    cr_assert_eq(img.height, 800);
    static unsigned char seen[1 << 15];
    memset(seen, 0, sizeof seen);
    size_t ncol = 0, nonwhite = 0;
    for (size_t i = 0; i + 2 < PNG_IMAGE_SIZE(img); i += 3) {
      unsigned key = ((unsigned)(buf[i] >> 3) << 10) | ((unsigned)(buf[i + 1] >> 3) << 5) |
                     (buf[i + 2] >> 3);
      ncol += !seen[key];
      seen[key] = 1;
      nonwhite += buf[i] < 200 || buf[i + 1] < 200 || buf[i + 2] < 200;
    }
    free(buf);
    cr_assert_gt(ncol, 30, "%zu colours", ncol);
    cr_assert_gt(nonwhite, 100000, "%zu non-white pixels", nonwhite); /* the heat map */
  }
}

/* The Wilson interval against its closed forms and a published value. */
Test(region, wilson_interval) {
  double lo, hi;
  const double z2 = 1.96 * 1.96;
  lam_region_wilson(0, 10, &lo, &hi);
  cr_assert_float_eq(lo, 0.0, 1e-15);
  cr_assert_float_eq(hi, z2 / (10 + z2), 1e-12); /* k = 0: n p_hi = z^2 (1 - p_hi) */
  lam_region_wilson(10, 10, &lo, &hi);
  cr_assert_float_eq(lo, 10 / (10 + z2), 1e-12);
  cr_assert_float_eq(hi, 1.0, 1e-15);
  /* Newcombe 1998 (Stat Med 17:857), example 81/263: 0.2553 to 0.3662. */
  lam_region_wilson(81, 263, &lo, &hi);
  cr_assert_float_eq(lo, 0.2553, 6e-5);
  cr_assert_float_eq(hi, 0.3662, 6e-5);
  /* Symmetry: [lo, hi](k) = 1 - [hi, lo](n - k). */
  double lo2, hi2;
  lam_region_wilson(3, 32, &lo, &hi);
  lam_region_wilson(29, 32, &lo2, &hi2);
  cr_assert_float_eq(lo, 1 - hi2, 1e-12);
  cr_assert_float_eq(hi, 1 - lo2, 1e-12);
  lam_region_wilson(0, 0, &lo, &hi);
  cr_assert(lo == 0.0 && hi == 1.0);
}

/* Spearman: 1 for any increasing map, -1 decreasing, ties at mean ranks
 * (x = 1,2,2,3 against y = 1,2,3,4: rho = 0.9487 by hand). */
Test(region, spearman) {
  const double x[] = {1, 5, 2, 9, 3}, up[] = {1, 125, 8, 729, 27}, down[] = {5, 1, 4, 0, 3};
  cr_assert_float_eq(lam_region_spearman(x, up, 5), 1.0, 1e-12);
  cr_assert_float_eq(lam_region_spearman(x, down, 5), -1.0, 1e-12);
  const double t[] = {1, 2, 2, 3}, y[] = {1, 2, 3, 4};
  cr_assert_float_eq(lam_region_spearman(t, y, 4), 4.5 / sqrt(4.5 * 5.0), 1e-12);
  cr_assert(isnan(lam_region_spearman(x, up, 2)));
}

/* Interrupted after a few points, the map resumes with the others only,
 * and ends with every point once. */
static volatile sig_atomic_t stop_flag;

static void stop_after_3(void *ctx, const char *name, size_t done, size_t todo) {
  (void)ctx, (void)name, (void)todo;
  if (done >= 3) {
    stop_flag = 1;
  }
}

static size_t second_todo;

static void count_todo(void *ctx, const char *name, size_t done, size_t todo) {
  (void)ctx, (void)name, (void)done;
  second_todo = todo;
}

Test(region, resume_after_interruption, .init = setup, .fini = teardown, .timeout = 120) {
  lam_exp_opts o = opts(dir);
  o.stop = &stop_flag;
  lam_region_opts ro = {.npoints = 12, .seed = 3, .jobs = 2, .progress = stop_after_3};
  lam_region_summary s;
  lam_err err = {0, ""};
  stop_flag = 0;
  cr_assert_eq(lam_region_run(&probe, &probe_region, &o, &ro, &s, &err), LAM_EINTERRUPT, "%s",
               err.msg);
  char path[256];
  snprintf(path, sizeof path, "%s/probe/region.csv", dir);
  double v[13][3];
  int sup[13];
  const size_t first = read_table(path, v, sup, 13);
  cr_assert(first >= 3 && first < 12, "%zu rows after the interruption", first);
  stop_flag = 0;
  ro.progress = count_todo;
  err = (lam_err){0, ""};
  cr_assert_eq(lam_region_run(&probe, &probe_region, &o, &ro, &s, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(second_todo, 12 - first);
  cr_assert_eq(read_table(path, v, sup, 13), 12);
  for (int i = 0; i < 12; i++) {
    for (int j = 0; j < i; j++) {
      cr_assert(v[i][1] != v[j][1], "point %d twice", i);
    }
  }
  cr_assert_eq(s.points, 12);
  cr_assert_eq(s.supported, 6);
  /* Another draw (seed) on the same table is refused, not mixed. */
  ro.seed = 4;
  cr_assert_eq(lam_region_run(&probe, &probe_region, &o, &ro, &s, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "another model or run settings"), "%s", err.msg);
}

/* Bad regions: an error naming the experiment and the key, nothing written. */
static void bad(const lam_region *r, size_t npoints, const char *want1, const char *want2) {
  lam_exp_opts o = opts(dir);
  char out[128];
  snprintf(out, sizeof out, "%s/out", dir);
  o.outdir = out;
  lam_region_opts ro = {.npoints = npoints, .seed = 1, .jobs = 1};
  lam_region_summary s;
  lam_err err = {0, ""};
  cr_assert_eq(lam_region_run(&probe, r, &o, &ro, &s, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "experiment probe"), "%s", err.msg);
  cr_assert(strstr(err.msg, want1), "%s", err.msg);
  cr_assert(!want2 || strstr(err.msg, want2), "%s", err.msg);
  struct stat st;
  cr_assert_neq(stat(out, &st), 0, "%s was written", out);
}

Test(region, bad_input, .init = setup, .fini = teardown) {
  bad(&probe_region, 0, "--region 0", NULL);
  bad(NULL, 8, "declares no region", NULL);
  lam_region r = probe_region;
  r.nkeys = 0;
  bad(&r, 8, "0 parameters", NULL);
  r = probe_region;
  r.keys[1].hi = 20.0; /* 20 s: beyond [1e-05, 10] s */
  bad(&r, 8, "column.tau_pv", "documented range [1e-05, 10] s");
  r = probe_region;
  r.keys[0].lo = -0.001;
  bad(&r, 8, "column.tau_l5a", "documented range");
  r = probe_region;
  r.keys[2].key = "column.tau_nothing";
  bad(&r, 8, "column.tau_nothing", "not a key");
  r = probe_region;
  r.keys[2].key = "column.gate";
  bad(&r, 8, "column.gate", "not a number key");
  r = probe_region;
  r.keys[0].lo = r.keys[0].hi;
  bad(&r, 8, "column.tau_l5a", "not increasing");
}

static char *slurp_page(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/docs/experiments/%s.md", getenv("LAM_SOURCE_ROOT"), name);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "%s", path);
  static char buf[1 << 16];
  size_t k = fread(buf, 1, sizeof buf - 1, f);
  buf[k] = '\0';
  fclose(f);
  return buf;
}

/* Every shipped experiment declares a valid region, and its page lists
 * the region's keys in its "Region" section. */
Test(region, every_experiment_has_a_region) {
  cr_assert_eq(lam_region_count(), lam_experiment_count());
  for (size_t i = 0; i < lam_experiment_count(); i++) {
    const lam_experiment *e = lam_experiment_get(i);
    lam_err err = {0, ""};
    cr_assert_eq(lam_region_check(e, lam_region_find(e->name), 32, &err), LAM_OK, "%s", err.msg);
    const lam_region *r = lam_region_find(e->name);
    cr_assert(r->nkeys >= 2 && r->nkeys <= 4, "%s: %zu keys", e->name, r->nkeys);
    for (size_t k = 0; k < r->nkeys; k++) {
      const char *src = r->keys[k].source;
      cr_assert(src && (strchr(src, '[') || strstr(src, "docs/")), "%s: %s has no source",
                e->name, r->keys[k].key);
    }
    const char *sec = strstr(slurp_page(e->name), "\n## Region\n");
    cr_assert_not_null(sec, "docs/experiments/%s.md has no Region section", e->name);
    char want[64];
    snprintf(want, sizeof want, "%zu seed%s per point", r->seeds, r->seeds == 1 ? "" : "s");
    cr_assert(strstr(sec, want), "docs/experiments/%s.md: not '%s'", e->name, want);
    for (size_t k = 0; k < r->nkeys; k++) {
      char row[128];
      snprintf(row, sizeof row, "| `%s` |", r->keys[k].key);
      cr_assert(strstr(sec, row), "docs/experiments/%s.md: Region lacks %s", e->name,
                r->keys[k].key);
    }
  }
}
