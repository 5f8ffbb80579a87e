/* test_sections.c: the one list of model-file sections (io/lam_sections.h):
 * every section header of the shipped model files (models/, *.ini) is found, scoped names
 * resolve to the section they scope, keys' units come from their tables,
 * and the list holds each name once with a table behind it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_sections.h"

Test(sections, every_section_of_the_shipped_models_is_found) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/models", getenv("LAM_SOURCE_ROOT"));
  DIR *d = opendir(dir);
  cr_assert_not_null(d, "%s", dir);
  size_t nfiles = 0, nsec = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t L = strlen(e->d_name);
    if (L < 5 || strcmp(e->d_name + L - 4, ".ini")) {
      continue;
    }
    char path[1024], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    nfiles++;
    while (fgets(line, sizeof line, f)) {
      char *p = line + strspn(line, " \t");
      char *end = strchr(p, ']');
      if (*p != '[' || !end) {
        continue;
      }
      *end = '\0';
      const lam_section *s = lam_sections_find(p + 1);
      cr_assert_not_null(s, "%s: section [%s] is not in the list", e->d_name, p + 1);
      nsec++;
    }
    fclose(f);
  }
  closedir(d);
  cr_assert_geq(nfiles, 4);
  cr_assert_geq(nsec, 20);
}

Test(sections, scoped_names_and_units) {
  cr_assert_str_eq(lam_sections_find("clocks")->name, "clocks");
  cr_assert_str_eq(lam_sections_find("link.v1")->name, "link.NAME");
  cr_assert_str_eq(lam_sections_find("link.NAME")->name, "link.NAME");
  cr_assert_str_eq(lam_sections_find("area.v2.column")->name, "column");
  cr_assert_str_eq(lam_sections_find("area.v2.stimulus")->name, "stimulus");
  cr_assert_null(lam_sections_find("area.v2"));
  cr_assert_null(lam_sections_find("area..column"));
  cr_assert_null(lam_sections_find("link."));
  cr_assert_null(lam_sections_find("link.v1.x"));
  cr_assert_null(lam_sections_find("nosuch"));
  cr_assert_null(lam_sections_find(""));
  cr_assert_null(lam_sections_find(NULL));

  char u[16];
  cr_assert_eq(lam_sections_unit("clocks.gamma_hz", u, sizeof u), LAM_OK);
  cr_assert_str_eq(u, "Hz");
  cr_assert_eq(lam_sections_unit("area.v2.clocks.gamma_hz", u, sizeof u), LAM_OK);
  cr_assert_str_eq(u, "Hz");
  cr_assert_eq(lam_sections_unit("stimulus.noise_tau", u, sizeof u), LAM_OK);
  cr_assert_str_eq(u, "s");
  cr_assert_eq(lam_sections_unit("link.v1.wo", u, sizeof u), LAM_OK);
  cr_assert_str_eq(u, "file");
  cr_assert_eq(lam_sections_unit("column.gate", u, sizeof u), LAM_OK);
  cr_assert_str_eq(u, "-");
  cr_assert_eq(lam_sections_unit("clocks.nosuch", u, sizeof u), LAM_ENOTFOUND);
  cr_assert_str_eq(u, "");
  cr_assert_eq(lam_sections_unit("nosuch.gamma_hz", u, sizeof u), LAM_ENOTFOUND);
  cr_assert_eq(lam_sections_unit("gamma_hz", u, sizeof u), LAM_ENOTFOUND);
  cr_assert_eq(lam_sections_unit(NULL, u, sizeof u), LAM_ENOTFOUND);
}

Test(sections, each_name_once_with_its_table) {
  size_t n;
  const lam_section *s = lam_sections(&n);
  cr_assert_geq(n, 17);
  for (size_t i = 0; i < n; i++) {
    cr_assert(s[i].params && s[i].nparams > 0, "[%s] has no keys", s[i].name);
    cr_assert(s[i].doc && s[i].doc[0], "[%s] has no description", s[i].name);
    cr_assert_eq(lam_sections_find(s[i].name), &s[i]);
    for (size_t j = 0; j < i; j++) {
      cr_assert_str_neq(s[i].name, s[j].name);
    }
  }
}
