/* lam_cli_test.h: what the command-line tests share: a temporary folder per
 * test (removed afterwards), running the built `laminar` with its output
 * captured, reading files back, and values of `laminar analyze --csv`.
 * Include it first: nftw() needs _XOPEN_SOURCE before any system header. */
#ifndef LAM_CLI_TEST_H
#define LAM_CLI_TEST_H

#include "lam_cli_tmp.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Run laminar with args (NULL-terminated); stdout and stderr go to
 * dir/stdout.txt and dir/stderr.txt. Returns the exit status (128 + signal
 * when killed). */
static inline int run(const char **args) {
  char exe[512], outp[256], errp[256];
  snprintf(exe, sizeof exe, "%s/cli/laminar", getenv("LAM_BUILD_ROOT"));
  snprintf(outp, sizeof outp, "%s/stdout.txt", dir);
  snprintf(errp, sizeof errp, "%s/stderr.txt", dir);
  const char *argv[32] = {exe};
  size_t n = 1;
  for (; args[n - 1]; n++) {
    argv[n] = args[n - 1];
  }
  argv[n] = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  cr_assert_eq(posix_spawn(&pid, exe, &fa, NULL, (char **)argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int ws;
  waitpid(pid, &ws, 0);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* dir/name as text (one static buffer: copy it to keep two), or NULL. */
static inline char *slurp(const char *name) {
  char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "r");
  if (!f) {
    return NULL;
  }
  static char buf[1 << 18];
  size_t k = fread(buf, 1, sizeof buf - 1, f);
  buf[k] = '\0';
  fclose(f);
  return buf;
}

/* The value of quantity q of (kind, name) in the tidy CSV of `laminar
 * analyze --csv` (kind,name,quantity,value,unit); NaN for an empty value. */
static inline double csv_value(const char *csv, const char *kind,
                               const char *name, const char *q) {
  char key[128];
  snprintf(key, sizeof key, "\n%s,\"%s\",%s,", kind, name, q);
  const char *p = strstr(csv, key);
  cr_assert(p, "no row %s in\n%s", key + 1, csv);
  p += strlen(key);
  return *p == ',' ? NAN : strtod(p, NULL);
}

#endif
