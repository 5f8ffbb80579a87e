/* test_recorder_faults.c: the recorder under hostile files and failing
 * disks, judged by what is on disk afterwards.
 * - PATH.part planted as a symbolic link (to a file, dangling) or a folder:
 *   refused, the link's target untouched or never created;
 * - a second writer of PATH (another process): refused with the first's pid,
 *   the first's file intact;
 * - a file-size limit (RLIMIT_FSIZE) and a full file system (ENOSPC, a tiny
 *   tmpfs when running as root): the error gives errno's reason, the child
 *   process exits normally, and the HDF5 .part is removed with a message
 *   saying so (it lost writes) while a CSV .part is kept without a complete
 *   mark;
 * - a rename that fails (PATH became a folder): complete = 0 in PATH.part,
 *   both names and the reason in the message. */
#include "lam_rec_toy.h"

#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* The tiny tmpfs is unmounted even when a test stops half-way. */
static void unmount_and_rm(void) {
  char mnt[128];
  snprintf(mnt, sizeof mnt, "%s/tiny", dir);
  umount2(mnt, MNT_DETACH);
  rm_tmp();
}

/* ---- PATH.part that is not a regular file ------------------------------ */

static void symlink_refused(const char *ext) {
  lam_system sys = toy();
  char path[128], part[140], victim[128], ghost[128];
  snprintf(path, sizeof path, "%s/run.%s", dir, ext);
  snprintf(part, sizeof part, "%s.part", path);
  snprintf(victim, sizeof victim, "%s/victim.txt", dir);
  snprintf(ghost, sizeof ghost, "%s/ghost.txt", dir);
  put_text(victim, "keep me\n");
  cr_assert_eq(symlink(victim, part), 0);
  lam_err err = {0, ""};
  cr_assert_null(lam_recorder_open(path, &sys, NULL, &err),
                 "a symbolic link as PATH.part was accepted");
  cr_assert_not_null(strstr(err.msg, "symbolic link"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, part), "%s", err.msg);
  char *text = slurp(victim);
  cr_assert_str_eq(text, "keep me\n", "the link's target was written");
  free(text);
  /* A dangling link must not create its target either. */
  unlink(part);
  cr_assert_eq(symlink(ghost, part), 0);
  cr_assert_null(lam_recorder_open(path, &sys, NULL, &err));
  cr_assert(!exists(ghost), "the dangling link's target was created");
  cr_assert(!exists(path));
}

Test(recorder_faults, h5_symlink_part_not_followed, .init = mkdir_tmp,
     .fini = rm_tmp) {
  symlink_refused("h5");
}

Test(recorder_faults, csv_symlink_part_not_followed, .init = mkdir_tmp,
     .fini = rm_tmp) {
  symlink_refused("csv");
}

Test(recorder_faults, folder_part_refused_stale_file_replaced,
     .init = mkdir_tmp, .fini = rm_tmp) {
  lam_system sys = toy();
  char path[128], part[140];
  snprintf(path, sizeof path, "%s/run.h5", dir);
  snprintf(part, sizeof part, "%s.part", path);
  cr_assert_eq(mkdir(part, 0755), 0);
  lam_err err = {0, ""};
  cr_assert_null(lam_recorder_open(path, &sys, NULL, &err));
  cr_assert_not_null(strstr(err.msg, "folder"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, "remove it"), "%s", err.msg);
  rmdir(part);
  /* A regular file left by an earlier run is replaced. */
  put_text(part, "not HDF5 at all");
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_eq(record_n(rec, 10, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_OK, "%s", err.msg);
  cr_assert_eq(h5_complete(path), 1);
  cr_assert(!exists(part));
  char lock[150];
  snprintf(lock, sizeof lock, "%s.lock", path);
  cr_assert(!exists(lock), "the lock file outlived the recorder");
}

/* ---- one writer per output -------------------------------------------- */

static void second_writer_refused(const char *ext) {
  lam_system sys = toy();
  char path[128];
  snprintf(path, sizeof path, "%s/run.%s", dir, ext);
  int ready[2], go[2];
  cr_assert_eq(pipe(ready), 0);
  cr_assert_eq(pipe(go), 0);
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    /* Only the parent writes go: its exit (a failed assertion) ends the
     * child's wait. */
    close(go[1]);
    close(ready[0]);
    lam_err e = {0, ""};
    lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &e);
    char c = rec && record_n(rec, 300, &e) == LAM_OK ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) {
      _exit(3);
    }
    int rc = record_n(rec, 300, &e);
    rc = rc ? rc : lam_recorder_close(rec, 1, &e);
    _exit(rc ? 2 : 0);
  }
  close(go[0]);
  close(ready[1]);
  char c = 0;
  cr_assert_eq(read(ready[0], &c, 1), 1);
  cr_assert_eq(c, 'y', "the first writer could not start");
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_null(rec, "a second writer of %s was let in", path);
  lam_recorder_close(rec, 0, NULL);
  char want[48];
  snprintf(want, sizeof want, "process %ld", (long)pid);
  cr_assert_not_null(strstr(err.msg, want), "%s", err.msg);
  cr_assert_eq(write(go[1], "g", 1), 1);
  int st;
  cr_assert_eq(waitpid(pid, &st, 0), pid);
  cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "first writer: status %d",
            st);
  if (!strcmp(ext, "h5")) {
    cr_assert_eq(h5_complete(path), 1);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/time", H5P_DEFAULT);
    hid_t sp = H5Dget_space(ds);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    cr_assert_eq(n, 600, "the first writer's samples");
    H5Sclose(sp);
    H5Dclose(ds);
    H5Fclose(f);
  } else {
    char *text = slurp(path);
    cr_assert_not_null(text);
    size_t rows = 0; /* lines starting with a digit: samples */
    for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
      rows += *p >= '0' && *p <= '9';
    }
    cr_assert_eq(rows, 600, "the first writer's rows");
    cr_assert_not_null(strstr(text, "# complete: 1\n"));
    free(text);
  }
}

Test(recorder_faults, h5_second_writer_refused, .init = mkdir_tmp,
     .fini = rm_tmp) {
  second_writer_refused("h5");
}

Test(recorder_faults, csv_second_writer_refused, .init = mkdir_tmp,
     .fini = rm_tmp) {
  second_writer_refused("csv");
}

/* ---- failing disks ----------------------------------------------------- */

/* In a child: record until the disk refuses (limit_bytes > 0: a file-size
 * limit), close as an interrupted run, and report both messages through
 * the pipe. Exits 1 after an error, 0 if none came. */
static pid_t record_until_full(const char *path, long limit_bytes, int *rd) {
  int p[2];
  cr_assert_eq(pipe(p), 0);
  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    if (limit_bytes > 0) {
      signal(SIGXFSZ, SIG_IGN);
      struct rlimit r = {(rlim_t)limit_bytes, (rlim_t)limit_bytes};
      setrlimit(RLIMIT_FSIZE, &r);
    }
    lam_system sys = toy();
    lam_err e = {0, ""}, ce = {0, ""};
    lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &e);
    int rc = rec ? record_n(rec, 20000, &e) : e.code;
    int crc = rec ? lam_recorder_close(rec, 0, &ce) : 0;
    char msg[2 * LAM_ERR_MSG_MAX + 8];
    int n = snprintf(msg, sizeof msg, "%s\n%s\n%d\n", e.msg, ce.msg, crc);
    if (write(p[1], msg, (size_t)n) != n) {
      _exit(4);
    }
    _exit(rc ? 1 : 0);
  }
  close(p[1]);
  *rd = p[0];
  return pid;
}

static char *read_all(int fd) {
  static char buf[4 * LAM_ERR_MSG_MAX];
  size_t n = 0;
  ssize_t k;
  while ((k = read(fd, buf + n, sizeof buf - 1 - n)) > 0) {
    n += (size_t)k;
  }
  buf[n] = '\0';
  close(fd);
  return buf;
}

static void disk_refuses(const char *path, long limit, const char *reason) {
  char part[300];
  snprintf(part, sizeof part, "%s.part", path);
  int rd;
  pid_t pid = record_until_full(path, limit, &rd);
  char *msg = read_all(rd);
  int st;
  cr_assert_eq(waitpid(pid, &st, 0), pid);
  cr_assert(WIFEXITED(st), "the recording process died of signal %d: %s",
            WIFSIGNALED(st) ? WTERMSIG(st) : 0, msg);
  cr_assert_eq(WEXITSTATUS(st), 1, "exit status: %s", msg);
  cr_assert_not_null(strstr(msg, reason), "no '%s' in: %s", reason, msg);
  cr_assert(!exists(path), "an output under its final name");
  const char *ext = strrchr(path, '.');
  if (!strcmp(ext, ".h5")) {
    /* Either a readable file saying complete = 0, or gone and said so. */
    if (exists(part)) {
      cr_assert_eq(h5_complete(part), 0, "kept but unreadable: %s", msg);
    } else {
      cr_assert_not_null(strstr(msg, "removed"), "%s", msg);
    }
  } else {
    cr_assert(exists(part), "%s", msg);
    char *text = slurp(part);
    cr_assert_null(strstr(text, "# complete: 1"));
    free(text);
  }
}

Test(recorder_faults, h5_file_size_limit, .init = mkdir_tmp, .fini = rm_tmp) {
  char path[128];
  snprintf(path, sizeof path, "%s/big.h5", dir);
  disk_refuses(path, 256 * 1024, "File too large");
}

Test(recorder_faults, csv_file_size_limit, .init = mkdir_tmp, .fini = rm_tmp) {
  char path[128];
  snprintf(path, sizeof path, "%s/big.csv", dir);
  disk_refuses(path, 256 * 1024, "File too large");
}

/* A 512 kB tmpfs: needs root and a kernel that lets this process mount. */
static int mount_tiny(const char *at) {
  if (geteuid() != 0 || mkdir(at, 0755) != 0) {
    return -1;
  }
  if (mount("tmpfs", at, "tmpfs", 0, "size=512k") != 0) {
    rmdir(at);
    return -1;
  }
  return 0;
}

static void disk_full(const char *ext) {
  char mnt[128], path[160];
  snprintf(mnt, sizeof mnt, "%s/tiny", dir);
  if (mount_tiny(mnt) != 0) {
    cr_skip_test("no tiny tmpfs (needs root and mount permission): %s",
                 strerror(errno));
    return;
  }
  snprintf(path, sizeof path, "%s/full.%s", mnt, ext);
  disk_refuses(path, 0, "No space left on device");
  umount2(mnt, MNT_DETACH);
}

Test(recorder_faults, h5_disk_full, .init = mkdir_tmp, .fini = unmount_and_rm) {
  disk_full("h5");
}

Test(recorder_faults, csv_disk_full, .init = mkdir_tmp, .fini = unmount_and_rm) {
  disk_full("csv");
}

/* ---- a rename that fails ---------------------------------------------- */

static void rename_fails(const char *ext) {
  lam_system sys = toy();
  char path[128], part[140], inside[160];
  snprintf(path, sizeof path, "%s/run.%s", dir, ext);
  snprintf(part, sizeof part, "%s.part", path);
  snprintf(inside, sizeof inside, "%s/x", path);
  lam_err err = {0, ""};
  lam_recorder *rec = lam_recorder_open(path, &sys, NULL, &err);
  cr_assert_not_null(rec, "%s", err.msg);
  cr_assert_eq(record_n(rec, 300, &err), LAM_OK, "%s", err.msg);
  /* PATH becomes a non-empty folder while the run goes on. */
  cr_assert_eq(mkdir(path, 0755), 0);
  put_text(inside, "x");
  cr_assert_eq(lam_recorder_close(rec, 1, &err), LAM_EIO);
  cr_assert_not_null(strstr(err.msg, part), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
  cr_assert(strstr(err.msg, strerror(EISDIR)) || strstr(err.msg, strerror(ENOTEMPTY)),
            "%s", err.msg);
  cr_assert(exists(part));
  if (!strcmp(ext, "h5")) {
    cr_assert_eq(h5_complete(part), 0, "a .part that says complete = 1");
  } else {
    char *text = slurp(part);
    cr_assert_null(strstr(text, "# complete: 1"), "a .part that says complete");
    cr_assert_not_null(strstr(text, "# complete: 0\n"));
    free(text);
  }
}

Test(recorder_faults, h5_failed_rename_keeps_complete_0, .init = mkdir_tmp,
     .fini = rm_tmp) {
  rename_fails("h5");
}

Test(recorder_faults, csv_failed_rename_keeps_complete_0, .init = mkdir_tmp,
     .fini = rm_tmp) {
  rename_fails("csv");
}
