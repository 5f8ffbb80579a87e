/* test_experiments.c: every registered experiment, run in --quick mode with
 * 2 seeds on the shipped default model, leaves well-formed outputs
 * (metrics.csv, result.json, a figure, a report row), and two runs with
 * the same seed write byte-identical metrics.csv files. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_experiment.h"

enum { NSEEDS = 2 };

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  cr_assert_not_null(s);
  cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  if (len) {
    *len = (size_t)n;
  }
  return s;
}

static void run_all(const char *outdir, size_t nseeds, lam_exp_result *res) {
  const char *root = getenv("LAM_SOURCE_ROOT");
  cr_assert_not_null(root, "LAM_SOURCE_ROOT not set");
  char model[1024];
  snprintf(model, sizeof model, "%s/models/default.ini", root);
  lam_exp_opts o = {.model_path = model, .nseeds = nseeds, .quick = 1,
                    .outdir = outdir};
  for (size_t i = 0; i < lam_experiment_count(); i++) {
    lam_err err = {0, ""};
    int rc = lam_experiment_run(lam_experiment_get(i), &o, &res[i], &err);
    cr_assert_eq(rc, LAM_OK, "%s: %s", lam_experiment_get(i)->name, err.msg);
  }
  lam_err err = {0, ""};
  cr_assert_eq(lam_report_write(outdir, res, lam_experiment_count(), &o, &err),
               LAM_OK, "%s", err.msg);
}

/* The number after "key": in a JSON text (NAN when absent). */
static double json_number(const char *js, const char *key) {
  char pat[96];
  snprintf(pat, sizeof pat, "\"%s\": ", key);
  const char *p = strstr(js, pat);
  return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static void check_metrics(const char *dir, const lam_experiment *e) {
  char path[1200];
  snprintf(path, sizeof path, "%s/%s/metrics.csv", dir, e->name);
  char *csv = slurp(path, NULL);
  cr_assert_not_null(csv, "%s missing", path);
  char *save = NULL, *line = strtok_r(csv, "\n", &save);
  cr_assert(line && line[0] == '#', "%s: no # line", path);
  line = strtok_r(NULL, "\n", &save);
  cr_assert(line && !strcmp(line, "seed,condition,metric,value,unit"),
            "%s: header is '%s'", path, line ? line : "");
  size_t rows = 0, effects = 0;
  while ((line = strtok_r(NULL, "\n", &save))) {
    char cond[64], metric[64];
    unsigned long seed;
    double v;
    size_t commas = 0;
    for (const char *c = line; *c; c++) {
      commas += *c == ',';
    }
    cr_assert_eq(commas, 4, "%s: row '%s' has not 5 fields", path, line);
    cr_assert_eq(sscanf(line, "%lu,%63[^,],%63[^,],%lf", &seed, cond, metric, &v), 4,
                 "%s: bad row '%s'", path, line);
    cr_assert(seed >= 1 && seed <= NSEEDS, "%s: seed %lu", path, seed);
    effects += !strcmp(cond, "summary") && !strcmp(metric, "effect");
    rows++;
  }
  cr_assert_eq(effects, NSEEDS, "%s: %zu effect rows", path, effects);
  cr_assert_gt(rows, NSEEDS, "%s: no metrics besides the effects", path);
  free(csv);
}

static void check_result(const char *dir, const lam_experiment *e,
                         const lam_exp_result *r) {
  char path[1200];
  snprintf(path, sizeof path, "%s/%s/result.json", dir, e->name);
  char *js = slurp(path, NULL);
  cr_assert_not_null(js, "%s missing", path);
  const char *keys[] = {"\"verdict\": \"", "\"effect_size\": ", "\"ci95\": [",
                        "\"criterion\": {\"text\": ", "\"metrics\": {",
                        "\"model\": \"", "\"version\": \"" LAM_VERSION "\""};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    cr_assert_not_null(strstr(js, keys[k]), "%s: no %s", path, keys[k]);
  }
  const char *v = strstr(js, "\"verdict\": \"") + 12;
  cr_assert(!strncmp(v, "supported\"", 10) || !strncmp(v, "not supported\"", 14) ||
                !strncmp(v, "inconclusive\"", 13),
            "%s: verdict %.20s", path, v);
  cr_assert(!strncmp(v, lam_verdict_name(r->verdict), strlen(lam_verdict_name(r->verdict))));
  const double eff = json_number(js, "effect_size");
  double lo = NAN, hi = NAN;
  cr_assert_eq(sscanf(strstr(js, "\"ci95\": [") + 9, "%lf, %lf", &lo, &hi), 2,
               "%s: ci95 not two numbers", path);
  cr_assert(lo <= eff && eff <= hi, "%s: effect %g outside [%g, %g]", path, eff, lo, hi);
  cr_assert_float_eq(eff, r->effect, 1e-8 * (1.0 + fabs(eff)));
  cr_assert_eq(json_number(js, "seeds"), NSEEDS);
  /* The resolved model text names the column kind; the metrics block holds
   * the per-seed effect's mean. */
  cr_assert_not_null(strstr(js, "[column]"), "%s: model text missing", path);
  cr_assert_not_null(strstr(js, "\"summary/effect\": {\"mean\": "), "%s", path);
  /* The evidence class is one of three; a mixed one lists its clauses, each
   * analytic or emergent, and both kinds occur (else it is not mixed). */
  const char *ev = strstr(js, "\"evidence\": \"");
  cr_assert_not_null(ev, "%s: no evidence", path);
  ev += 13;
  cr_assert(!strncmp(ev, "analytic\"", 9) || !strncmp(ev, "emergent\"", 9) ||
                !strncmp(ev, "mixed\"", 6),
            "%s: evidence %.12s", path, ev);
  const char *cl = strstr(js, "\"clauses\": [");
  cr_assert_eq(cl != NULL, e->evidence == LAM_EVIDENCE_MIXED, "%s: clauses", path);
  if (cl) {
    cr_assert_not_null(strstr(cl, "\"evidence\": \"analytic\""), "%s", path);
    cr_assert_not_null(strstr(cl, "\"evidence\": \"emergent\""), "%s", path);
  }
  /* A --quick run says its verdict is preliminary. */
  cr_assert_not_null(strstr(js, "\"preliminary\": true"), "%s", path);
  cr_assert(r->preliminary);
  free(js);
}

/* At least one PNG in DIR/NAME, with the PNG signature and more than a
 * blank page's worth of bytes. */
static void check_figure(const char *dir, const lam_experiment *e) {
#if LAM_HAVE_PLPLOT
  char sub[1100], path[1400] = "";
  snprintf(sub, sizeof sub, "%s/%s", dir, e->name);
  DIR *d = opendir(sub);
  cr_assert_not_null(d, "%s: no directory", sub);
  for (struct dirent *de; !path[0] && (de = readdir(d));) {
    const size_t l = strlen(de->d_name);
    if (l > 4 && !strcmp(de->d_name + l - 4, ".png")) {
      snprintf(path, sizeof path, "%s/%s", sub, de->d_name);
    }
  }
  closedir(d);
  cr_assert(path[0], "%s: no figure", e->name);
  size_t n = 0;
  char *png = slurp(path, &n);
  cr_assert_not_null(png);
  cr_assert(n > 8 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8), "%s: not a PNG", path);
  cr_assert_gt(n, 10000, "%s: only %zu bytes", path, n);
  free(png);
#else
  (void)dir, (void)e;
#endif
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static void remove_tree(const char *dir) {
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A guard against hangs, not a speed test: AddressSanitizer/UBSan slow
 * the code 2-4x, and scripts/test doubles meson's limit for that build, so
 * the guard follows it. */
#if defined(__SANITIZE_ADDRESS__)
#define EXP_TIMEOUT 600
#else
#define EXP_TIMEOUT 300
#endif

Test(experiments, every_experiment_quick_outputs, .timeout = EXP_TIMEOUT) {
  char a[] = "/tmp/lam_exp_testXXXXXX";
  cr_assert_not_null(mkdtemp(a));
  const size_t n = lam_experiment_count();
  cr_assert_geq(n, 5);
  lam_exp_result *ra = calloc(n, sizeof *ra);
  run_all(a, NSEEDS, ra);
  char path[1200];
  snprintf(path, sizeof path, "%s/report.md", a);
  char *md = slurp(path, NULL);
  cr_assert_not_null(md, "no report.md");
  size_t rows = 0;
  for (const char *l = md; (l = strstr(l, "\n| [")); l++) {
    rows++;
  }
  cr_assert_eq(rows, n, "report.md has %zu rows for %zu experiments", rows, n);
  for (size_t i = 0; i < n; i++) {
    const lam_experiment *e = lam_experiment_get(i);
    char row[200];
    snprintf(row, sizeof row, "\n| [%s](#%s) |", e->name, e->name);
    cr_assert_not_null(strstr(md, row), "report.md: no row for %s", e->name);
    char pre[300];
    snprintf(pre, sizeof pre, "**%s** preliminary (n = %d seeds) |",
             lam_verdict_name(ra[i].verdict), (int)NSEEDS);
    cr_assert_not_null(strstr(strstr(md, row), pre), "report.md: %s without '%s'",
                       e->name, pre);
    check_metrics(a, e);
    check_result(a, e, &ra[i]);
    check_figure(a, e);
  }
  free(md);
  free(ra);
  remove_tree(a);
}

/* Same seeds, same metrics, byte for byte (one seed per run keeps the test
 * short; it runs beside the one above). */
Test(experiments, same_seeds_identical_metrics, .timeout = EXP_TIMEOUT) {
  char a[] = "/tmp/lam_exp_testXXXXXX", b[] = "/tmp/lam_exp_testXXXXXX";
  cr_assert_not_null(mkdtemp(a));
  cr_assert_not_null(mkdtemp(b));
  const size_t n = lam_experiment_count();
  lam_exp_result *ra = calloc(n, sizeof *ra), *rb = calloc(n, sizeof *rb);
  run_all(a, 1, ra);
  run_all(b, 1, rb);
  for (size_t i = 0; i < n; i++) {
    const lam_experiment *e = lam_experiment_get(i);
    char pa[1200], pb[1200];
    size_t na = 0, nb = 0;
    snprintf(pa, sizeof pa, "%s/%s/metrics.csv", a, e->name);
    snprintf(pb, sizeof pb, "%s/%s/metrics.csv", b, e->name);
    char *sa = slurp(pa, &na), *sb = slurp(pb, &nb);
    cr_assert(sa && sb, "%s: metrics.csv missing", e->name);
    cr_assert(na == nb && !memcmp(sa, sb, na), "%s: metrics.csv differs between runs",
              e->name);
    cr_assert_eq(ra[i].effect, rb[i].effect);
    free(sa);
    free(sb);
  }
  free(ra);
  free(rb);
  remove_tree(a);
  remove_tree(b);
}
