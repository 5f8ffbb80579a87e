/* lam_cli_tmp.h: a temporary folder per command-line test, removed
 * afterwards (tests/cli). Include it first: nftw() needs _XOPEN_SOURCE
 * before any system header. */
#ifndef LAM_CLI_TMP_H
#define LAM_CLI_TMP_H

#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* The current test's folder. */
static char dir[64];

/* Make dir as /tmp/<prefix>XXXXXX. */
static inline void cli_tmpdir(const char *prefix) {
  snprintf(dir, sizeof dir, "/tmp/%sXXXXXX", prefix);
  cr_assert(mkdtemp(dir), "mkdtemp %s", dir);
}

static inline int cli_rm(const char *path, const struct stat *st, int flag,
                         struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* Remove dir and everything in it (a suite's .fini). */
static inline void cli_cleanup(void) {
  if (dir[0]) {
    nftw(dir, cli_rm, 16, FTW_DEPTH | FTW_PHYS);
  }
}

#endif
