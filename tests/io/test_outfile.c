/* test_outfile.c: io/lam_outfile, the one way outputs are created. Checked
 * on disk: PATH appears only on commit, whole; PATH.part that is a symbolic
 * link, folder or FIFO is refused and its target untouched; a second writer
 * is refused naming the first's pid; write errors carry errno's reason
 * (a file-size limit in a child process); a failed rename removes or keeps
 * PATH.part as promised and names both paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lam_outfile.h"

static char dir[64], path[128], part[140], lockp[140];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lam_outf_XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/table.csv", dir);
  snprintf(part, sizeof part, "%s.part", path);
  snprintf(lockp, sizeof lockp, "%s.lock", path);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  cr_assert_eq(system(cmd), 0);
}

static int exists(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0;
}

static char *slurp(const char *p) {
  static char buf[4096];
  FILE *f = fopen(p, "r");
  if (!f) {
    return NULL;
  }
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void put(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

TestSuite(outfile, .init = setup, .fini = teardown);

Test(outfile, commit_publishes_whole_file) {
  lam_outfile *of = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_OK, "%s", err.msg);
  cr_assert(exists(part) && exists(lockp) && !exists(path));
  FILE *f = lam_outfile_stream(of, &err);
  cr_assert_not_null(f);
  fputs("a,b\n1,2\n", f);
  cr_assert(!exists(path), "PATH appeared before the commit");
  cr_assert_eq(lam_outfile_commit(of, NULL, NULL, &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(slurp(path), "a,b\n1,2\n");
  cr_assert(!exists(part) && !exists(lockp));
}

Test(outfile, abandon_keeps_or_removes) {
  lam_outfile *of = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_OK);
  fputs("half", lam_outfile_stream(of, &err));
  cr_assert_eq(lam_outfile_abandon(of, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(slurp(part), "half");
  cr_assert(!exists(path) && !exists(lockp));
  /* The kept .part (a regular file) is replaced by the next writer. */
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(slurp(part), "");
  cr_assert_eq(lam_outfile_abandon(of, 0, &err), LAM_OK);
  cr_assert(!exists(part) && !exists(path) && !exists(lockp));
  cr_assert_eq(lam_outfile_abandon(NULL, 0, &err), LAM_OK);
}

Test(outfile, symlink_folder_fifo_part_refused) {
  char victim[160];
  snprintf(victim, sizeof victim, "%s/victim", dir);
  put(victim, "keep me\n");
  cr_assert_eq(symlink(victim, part), 0);
  lam_outfile *of = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_EINVAL);
  cr_assert_null(of);
  cr_assert(strstr(err.msg, "symbolic link") && strstr(err.msg, "remove it"), "%s", err.msg);
  cr_assert_str_eq(slurp(victim), "keep me\n");
  cr_assert(!exists(lockp), "a refused open keeps the lock");
  unlink(part);
  cr_assert_eq(mkdir(part, 0755), 0);
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "folder"), "%s", err.msg);
  rmdir(part);
  cr_assert_eq(mkfifo(part, 0644), 0);
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "FIFO"), "%s", err.msg);
  unlink(part);
  /* PATH itself a folder: refused before any work is done. */
  cr_assert_eq(mkdir(path, 0755), 0);
  cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_EINVAL);
  cr_assert_not_null(strstr(err.msg, "is a folder"), "%s", err.msg);
  rmdir(path);
  /* A missing folder: the reason, naming PATH.part. */
  char deep[200];
  snprintf(deep, sizeof deep, "%s/no/t.csv", dir);
  cr_assert_eq(lam_outfile_open(deep, "table", 0, &of, &err), LAM_EIO);
  cr_assert(strstr(err.msg, "no/t.csv.part") && strstr(err.msg, strerror(ENOENT)),
            "%s", err.msg);
}

Test(outfile, second_writer_refused) {
  lam_outfile *a = NULL, *b = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_outfile_open(path, "table", 0, &a, &err), LAM_OK);
  fputs("first\n", lam_outfile_stream(a, &err));
  cr_assert_eq(lam_outfile_open(path, "table", 0, &b, &err), LAM_EINVAL);
  char want[48];
  snprintf(want, sizeof want, "process %ld", (long)getpid());
  cr_assert_not_null(strstr(err.msg, want), "%s", err.msg);
  cr_assert_eq(lam_outfile_commit(a, NULL, NULL, &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(slurp(path), "first\n");
}

/* A failed rename (PATH became a non-empty folder): without unmark the
 * .part is removed, with one it is kept; both paths and the reason named. */
static int unmark_ok(void *ctx, int fd, const char *p, lam_err *err) {
  (void)p;
  (void)err;
  *(int *)ctx = 1;
  return ftruncate(fd, 0) == 0 ? LAM_OK : LAM_EIO;
}

Test(outfile, failed_rename) {
  char inside[200];
  snprintf(inside, sizeof inside, "%s/x", path);
  for (int with_unmark = 0; with_unmark < 2; with_unmark++) {
    lam_outfile *of = NULL;
    lam_err err = {0, ""};
    cr_assert_eq(lam_outfile_open(path, "table", 0, &of, &err), LAM_OK, "%s", err.msg);
    fputs("done\n", lam_outfile_stream(of, &err));
    cr_assert_eq(mkdir(path, 0755), 0);
    put(inside, "x");
    int called = 0;
    cr_assert_eq(lam_outfile_commit(of, with_unmark ? unmark_ok : NULL, &called, &err),
                 LAM_EIO);
    cr_assert(strstr(err.msg, part) && strstr(err.msg, path), "%s", err.msg);
    cr_assert(strstr(err.msg, strerror(EISDIR)) || strstr(err.msg, strerror(ENOTEMPTY)),
              "%s", err.msg);
    cr_assert_eq(called, with_unmark);
    cr_assert_eq(exists(part), with_unmark, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, with_unmark ? "kept, marked incomplete" : "removed"),
                       "%s", err.msg);
    cr_assert(!exists(lockp));
    unlink(inside);
    rmdir(path);
    unlink(part);
  }
}

/* Under a 64 kB file-size limit, 1 MB through the stream: the commit fails
 * with "File too large" and nothing is published. */
Test(outfile, write_error_gives_errno_reason) {
  int p[2];
  cr_assert_eq(pipe(p), 0);
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit r = {65536, 65536};
    setrlimit(RLIMIT_FSIZE, &r);
    lam_outfile *of = NULL;
    lam_err err = {0, ""};
    int rc = lam_outfile_open(path, "table", 0, &of, &err);
    FILE *f = rc ? NULL : lam_outfile_stream(of, &err);
    for (int i = 0; f && i < 100000; i++) {
      fprintf(f, "%d,0.123456789\n", i);
    }
    /* The first errno survives the calls that follow it. */
    errno = 0;
    rc = rc ? rc : lam_outfile_check(of, &err);
    if (rc) {
      lam_outfile_abandon(of, 0, NULL);
    } else {
      rc = lam_outfile_commit(of, NULL, NULL, &err);
    }
    dprintf(p[1], "%d %s", rc, err.msg);
    _exit(0);
  }
  close(p[1]);
  char buf[2048] = "";
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  close(p[0]);
  int st;
  waitpid(pid, &st, 0);
  cr_assert(WIFEXITED(st));
  cr_assert_eq(atoi(buf), LAM_EIO, "%s", buf);
  cr_assert_not_null(strstr(buf, "File too large"), "%s", buf);
  cr_assert_not_null(strstr(buf, part), "%s", buf);
  cr_assert(!exists(path) && !exists(part) && !exists(lockp));
}
