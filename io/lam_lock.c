/* lam_lock.c: advisory output locks (see lam_lock.h).
 *
 * The lock file is removed on release, which opens the classic race of
 * flock on a file that may be unlinked: B opens PATH.lock, A unlinks it and
 * unlocks, B locks the orphaned inode while C creates and locks a new
 * PATH.lock. So after taking the lock, the holder checks that the path still
 * names the inode it locked, and starts again if it does not. */
#include "lam_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct lam_lock {
  int fd;
  char *path; /* PATH.lock */
};

/* The pid written by the holder, or 0 when unreadable (it may be between
 * creating the file and writing its pid). */
static long holder_pid(int fd) {
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) {
    return 0;
  }
  buf[n] = '\0';
  return strtol(buf, NULL, 10);
}

int lam_lock_acquire(const char *path, const char *what, lam_lock **out,
                     lam_err *err) {
  *out = NULL;
  if (!path || !path[0]) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected a file path, found none",
                       what ? what : "output");
  }
  size_t len = strlen(path) + sizeof ".lock";
  char *lp = malloc(len);
  if (!lp) {
    return LAM_NOMEM(err);
  }
  snprintf(lp, len, "%s.lock", path);
  for (int attempt = 0; attempt < 100; attempt++) {
    /* O_NOFOLLOW: a symlink planted as PATH.lock is an error, not a way to
     * make laminar truncate or lock another file. */
    int fd = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
      int e = errno;
      free(lp);
      return lam_err_set(err, LAM_EIO, "%s: cannot create lock file %s.lock: %s",
                         path, path,
                         e == ELOOP ? "it is a symbolic link" : strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      free(lp);
      return lam_err_set(err, LAM_EIO, "%s: lock file %s.lock is not a regular file",
                         path, path);
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      long pid = holder_pid(fd);
      close(fd);
      free(lp);
      if (e == EWOULDBLOCK) {
        char who[48] = "another process";
        if (pid > 0) {
          snprintf(who, sizeof who, "process %ld", pid);
        }
        return lam_err_set(err, LAM_EINVAL,
                           "%s: this %s is being written by %s (lock %s.lock); "
                           "wait for it to finish or choose another name",
                           path, what ? what : "output", who, path);
      }
      return lam_err_set(err, LAM_EIO, "%s: cannot lock %s.lock: %s", path,
                         path, strerror(e));
    }
    struct stat now;
    if (stat(lp, &now) != 0 || now.st_ino != st.st_ino ||
        now.st_dev != st.st_dev) {
      close(fd); /* unlinked by its previous holder meanwhile: try again */
      continue;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
      int e = errno;
      unlink(lp);
      close(fd);
      free(lp);
      return lam_err_set(err, LAM_EIO, "%s: cannot write lock file %s.lock: %s",
                         path, path, strerror(e));
    }
    lam_lock *l = malloc(sizeof *l);
    if (!l) {
      unlink(lp);
      close(fd);
      free(lp);
      return LAM_NOMEM(err);
    }
    l->fd = fd;
    l->path = lp;
    *out = l;
    return LAM_OK;
  }
  free(lp);
  return lam_err_set(err, LAM_EIO, "%s: cannot take lock %s.lock: it keeps "
                     "being replaced", path, path);
}

void lam_lock_release(lam_lock *l) {
  if (!l) {
    return;
  }
  /* Unlink while still holding the lock, so nobody can lock this inode
   * after we let go and believe they own PATH. */
  unlink(l->path);
  close(l->fd);
  free(l->path);
  free(l);
}

const char *lam_lock_path(const lam_lock *l) { return l ? l->path : NULL; }

int lam_lock_fd(const lam_lock *l) { return l ? l->fd : -1; }
