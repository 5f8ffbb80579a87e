/* test_verdicts.c: the verdicts are pinned. Every registered experiment runs
 * with --quick and seeds 1..3 on models/default.ini, and its verdict and
 * effect are compared with the table "Pinned verdicts" of
 * docs/experiments/README.md: the verdict must be the documented one and the
 * effect must lie within the documented 95% CI. A change of the model or of
 * a protocol that moves a verdict fails here until the table is changed on
 * purpose, in the same commit; an experiment without a row fails too.
 * The four oscillatory experiments are pinned on models/emergent.ini too,
 * where the column makes its own rhythms (table "Pinned verdicts on the
 * emergent model").
 * Slow suite (about 3 CPU minutes, plus the emergent runs): left out of the
 * sanitizer build. */
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

/* Rows "| name | verdict | effect | [lo, hi] |" after the heading (a whole
 * line, "## Pinned verdicts"), up to the next heading. */
static size_t read_pinned(const char *heading, pinned *p, size_t cap) {
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
      line[strcspn(line, "\r\n")] = '\0';
      in = !strcmp(line, heading);
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

/* Run every pinned experiment of the table on the model file and compare. */
static void check_pinned(const pinned *tab, size_t npin, const char *model_file) {
  char dir[] = "/tmp/lam_verdictsXXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char model[1024];
  snprintf(model, sizeof model, "%s/models/%s", getenv("LAM_SOURCE_ROOT"), model_file);
  lam_exp_opts o = {.model_path = model, .nseeds = NSEEDS, .quick = 1, .outdir = dir};
  for (size_t i = 0; i < npin; i++) {
    const lam_experiment *e = lam_experiment_find(tab[i].name);
    cr_assert_not_null(e, "pinned %s is not an experiment", tab[i].name);
    lam_exp_result r;
    lam_err err = {0, ""};
    cr_assert_eq(lam_experiment_run(e, &o, &r, &err), LAM_OK, "%s: %s", e->name, err.msg);
    cr_expect_str_eq(lam_verdict_name(r.verdict), tab[i].verdict,
                     "%s (%s): verdict %s, documented %s (effect %.4g [%.4g, %.4g])",
                     e->name, model_file, lam_verdict_name(r.verdict), tab[i].verdict,
                     r.effect, r.lo, r.hi);
    /* The table prints 4 significant digits: its CI is widened by that, and
     * by 1e-6 of the criterion's scale for effects at the solver's
     * tolerance (pv-softmax's ~1e-8). */
    const double slack = 5e-4 * (fabs(tab[i].lo) + fabs(tab[i].hi)) +
                         1e-6 * (1.0 + fabs(e->criterion.threshold));
    cr_expect(r.effect >= tab[i].lo - slack && r.effect <= tab[i].hi + slack,
              "%s (%s): effect %.6g outside the documented CI [%.4g, %.4g]", e->name,
              model_file, r.effect, tab[i].lo, tab[i].hi);
  }
  nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS);
}

Test(verdicts, pinned_quick_verdicts_and_effects, .timeout = 1200) {
  pinned tab[64];
  const size_t npin = read_pinned("## Pinned verdicts", tab, 64);
  cr_assert_eq(npin, lam_experiment_count(),
               "docs/experiments/README.md pins %zu experiments, %zu are registered",
               npin, lam_experiment_count());
  check_pinned(tab, npin, "default.ini");
}

/* The experiments whose protocol changes with column-made rhythms. */
Test(verdicts, pinned_quick_verdicts_on_the_emergent_model, .timeout = 1200) {
  static const char *const names[] = {"laminar-spectra", "phase-amplitude-coupling",
                                      "spectral-asymmetry", "frequency-separation"};
  pinned tab[64];
  const size_t npin = read_pinned("## Pinned verdicts on the emergent model", tab, 64);
  cr_assert_eq(npin, sizeof names / sizeof *names,
               "docs/experiments/README.md pins %zu emergent-model experiments, expected %zu",
               npin, sizeof names / sizeof *names);
  for (size_t i = 0; i < npin; i++) {
    cr_assert_str_eq(tab[i].name, names[i], "emergent-model row %zu", i);
  }
  check_pinned(tab, npin, "emergent.ini");
}
