/* test_lock.c: one writer per output (io/lam_lock.c). A second process is
 * refused with the first's pid; a lock left by a killed process is taken
 * over; a symbolic link planted as the lock file is refused. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lam_lock.h"

static char dir[64];
static char out[128], lockfile[160];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_test_lockXXXXXX");
  cr_assert(mkdtemp(dir));
  snprintf(out, sizeof out, "%s/run.h5", dir);
  snprintf(lockfile, sizeof lockfile, "%s.lock", out);
}

static void teardown(void) {
  unlink(lockfile);
  rmdir(dir);
}

/* A child that holds the lock until told to go (a byte on the pipe). */
static pid_t holder(int *go) {
  int ready[2], wait_go[2];
  cr_assert_eq(pipe(ready), 0);
  cr_assert_eq(pipe(wait_go), 0);
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    lam_lock *l = NULL;
    lam_err err = {0, ""};
    char c = lam_lock_acquire(out, "output", &l, &err) == LAM_OK ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1 || read(wait_go[0], &c, 1) < 0) {
      _exit(3);
    }
    lam_lock_release(l);
    _exit(0);
  }
  char c = 0;
  cr_assert_eq(read(ready[0], &c, 1), 1);
  cr_assert_eq(c, 'y', "the child could not take a free lock");
  close(ready[0]);
  close(ready[1]);
  close(wait_go[0]);
  *go = wait_go[1];
  return pid;
}

Test(lock, second_writer_refused_naming_the_first, .init = setup, .fini = teardown) {
  int go;
  pid_t pid = holder(&go);
  lam_lock *l = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_lock_acquire(out, "output", &l, &err), LAM_EINVAL);
  cr_assert_null(l);
  char want[64];
  snprintf(want, sizeof want, "process %ld", (long)pid);
  cr_assert(strstr(err.msg, want) && strstr(err.msg, out), "%s", err.msg);
  cr_assert_eq(write(go, "x", 1), 1);
  int st;
  cr_assert_eq(waitpid(pid, &st, 0), pid);
  cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  struct stat sb;
  cr_assert_neq(stat(lockfile, &sb), 0, "release leaves no lock file behind");
  cr_assert_eq(lam_lock_acquire(out, "output", &l, &err), LAM_OK, "%s", err.msg);
  lam_lock_release(l);
}

Test(lock, killed_holder_is_taken_over, .init = setup, .fini = teardown) {
  int go;
  pid_t pid = holder(&go);
  kill(pid, SIGKILL);
  int st;
  cr_assert_eq(waitpid(pid, &st, 0), pid);
  struct stat sb;
  cr_assert_eq(stat(lockfile, &sb), 0, "a killed holder leaves its lock file");
  lam_lock *l = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_lock_acquire(out, "output", &l, &err), LAM_OK, "%s", err.msg);
  FILE *f = fopen(lockfile, "r");
  long pid_in_file = 0;
  cr_assert(f && fscanf(f, "%ld", &pid_in_file) == 1);
  fclose(f);
  cr_assert_eq(pid_in_file, (long)getpid());
  lam_lock_release(l);
  close(go);
}

Test(lock, symlink_lock_file_refused, .init = setup, .fini = teardown) {
  char victim[160];
  snprintf(victim, sizeof victim, "%s/victim", dir);
  FILE *f = fopen(victim, "w");
  fputs("keep me\n", f);
  fclose(f);
  cr_assert_eq(symlink(victim, lockfile), 0);
  lam_lock *l = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_lock_acquire(out, "output", &l, &err), LAM_EIO);
  cr_assert(strstr(err.msg, "symbolic link"), "%s", err.msg);
  f = fopen(victim, "r");
  char line[32] = "";
  cr_assert(fgets(line, sizeof line, f));
  fclose(f);
  cr_assert_str_eq(line, "keep me\n");
  unlink(victim);
}
