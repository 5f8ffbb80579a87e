/* test_docs_cli.c: documents generated from the code stay in step with it,
 * and the shipped models run as they are. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp_cmd(const char *cmd) {
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p, "%s", cmd);
  size_t cap = 1 << 16, n = 0;
  char *s = malloc(cap);
  size_t k;
  while ((k = fread(s + n, 1, cap - n - 1, p)) > 0) {
    n += k;
    if (n + 1 == cap) {
      cap *= 2;
      s = realloc(s, cap);
    }
  }
  s[n] = '\0';
  cr_assert_eq(pclose(p), 0, "%s failed", cmd);
  return s;
}

static char *slurp_file(const char *path) {
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "%s missing", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *s = malloc((size_t)n + 1);
  cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

Test(docs, model_reference_is_generated_from_the_tables) {
  char cmd[1200], path[1100];
  snprintf(cmd, sizeof cmd, "%s/cli/laminar keys --markdown", getenv("LAM_BUILD_ROOT"));
  snprintf(path, sizeof path, "%s/docs/model-reference.md", getenv("LAM_SOURCE_ROOT"));
  char *got = slurp_cmd(cmd), *doc = slurp_file(path);
  cr_expect(strcmp(got, doc) == 0,
            "docs/model-reference.md is stale: regenerate it with "
            "`laminar keys --markdown > docs/model-reference.md`");
  free(got);
  free(doc);
}

/* Every shipped model runs as it is (short runs, no output kept). */
Test(docs, shipped_models_run, .timeout = 120) {
  const char *models[] = {"default.ini", "jansen-rit.ini", "mejias2016.ini", "emergent.ini"};
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
    char cmd[2400];
    snprintf(cmd, sizeof cmd,
             "%s/cli/laminar run %s/models/%s --t-end 0.2 --quiet -o /tmp/lam_docs_test_%d.h5 "
             "&& rm -f /tmp/lam_docs_test_%d.h5",
             getenv("LAM_BUILD_ROOT"), getenv("LAM_SOURCE_ROOT"), models[i], (int)getpid(),
             (int)getpid());
    cr_expect_eq(system(cmd), 0, "%s", cmd);
  }
}
