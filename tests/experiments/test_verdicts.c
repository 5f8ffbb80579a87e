/* test_verdicts.c: the verdicts are pinned. Every registered experiment runs
 * with --quick and seeds 1..3 on models/default.ini, and its verdict and
 * effect are compared with the table "Pinned verdicts" of
 * docs/experiments/README.md: the verdict must be the documented one and the
 * effect must lie within the documented 95% CI. A change of the model or of
 * a protocol that moves a verdict fails here until the table is changed on
 * purpose, in the same commit; an experiment without a row fails too.
 * Slow suite (about 3 CPU minutes): left out of the sanitizer build. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_experiment.h"

enum { NSEEDS = 3 };

typedef struct pinned {
  char name[64], verdict[32];
  double effect, lo, hi;
} pinned;

/* Rows "| name | verdict | effect | [lo, hi] |" after the heading
 * "## Pinned verdicts", up to the next heading. */
static size_t read_pinned(pinned *p, size_t cap) {
  const char *root = getenv("LAM_SOURCE_ROOT");
  cr_assert_not_null(root, "LAM_SOURCE_ROOT not set");
  char path[1024], line[1024];
  snprintf(path, sizeof path, "%s/docs/experiments/README.md", root);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "%s", path);
  int in = 0;
  size_t n = 0;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "## ", 3)) {
      in = !strncmp(line, "## Pinned verdicts", 18);
      continue;
    }
    pinned r;
    if (in && n < cap &&
        sscanf(line, "| `%63[^`]` | %31[^|]| %lf | [%lf, %lf] |", r.name, r.verdict,
               &r.effect, &r.lo, &r.hi) == 5) {
      size_t l = strlen(r.verdict); /* "supported " -> "supported" */
      while (l && r.verdict[l - 1] == ' ') {
        r.verdict[--l] = '\0';
      }
      p[n++] = r;
    }
  }
  fclose(f);
  return n;
}

static int rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

Test(verdicts, pinned_quick_verdicts_and_effects, .timeout = 1200) {
  pinned tab[64];
  const size_t npin = read_pinned(tab, 64);
  cr_assert_eq(npin, lam_experiment_count(),
               "docs/experiments/README.md pins %zu experiments, %zu are registered",
               npin, lam_experiment_count());
  char dir[] = "/tmp/lam_verdictsXXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char model[1024];
  snprintf(model, sizeof model, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  lam_exp_opts o = {.model_path = model, .nseeds = NSEEDS, .quick = 1, .outdir = dir};
  for (size_t i = 0; i < npin; i++) {
    const lam_experiment *e = lam_experiment_find(tab[i].name);
    cr_assert_not_null(e, "pinned %s is not an experiment", tab[i].name);
    lam_exp_result r;
    lam_err err = {0, ""};
    cr_assert_eq(lam_experiment_run(e, &o, &r, &err), LAM_OK, "%s: %s", e->name, err.msg);
    cr_expect_str_eq(lam_verdict_name(r.verdict), tab[i].verdict,
                     "%s: verdict %s, documented %s (effect %.4g [%.4g, %.4g])", e->name,
                     lam_verdict_name(r.verdict), tab[i].verdict, r.effect, r.lo, r.hi);
    /* The table prints 4 significant digits: its CI is widened by that, and
     * by 1e-6 of the criterion's scale for effects at the solver's
     * tolerance (pv-softmax's ~1e-8). */
    const double slack = 5e-4 * (fabs(tab[i].lo) + fabs(tab[i].hi)) +
                         1e-6 * (1.0 + fabs(e->criterion.threshold));
    cr_expect(r.effect >= tab[i].lo - slack && r.effect <= tab[i].hi + slack,
              "%s: effect %.6g outside the documented CI [%.4g, %.4g]", e->name,
              r.effect, tab[i].lo, tab[i].hi);
  }
  nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS);
}
