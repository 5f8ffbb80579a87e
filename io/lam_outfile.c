/* lam_outfile.c: PATH.part created exclusively under PATH's lock, renamed
 * when complete (see lam_outfile.h).
 *
 * A stale PATH.part is replaced when it is a regular file, whoever made it.
 * Why that is safe once we hold PATH's lock: no laminar process is writing
 * PATH.part (every writer of PATH holds the lock for as long as it writes),
 * so a regular file under that name is the leftover of an earlier write of
 * PATH, and the name PATH.part belongs to laminar by its protocol. It is
 * unlinked, never opened or truncated, so even a hard link planted there
 * only loses that one name; the file it shares data with is untouched.
 * Symbolic links, folders, devices, FIFOs and sockets are never replaced:
 * those are either an attack (a link to a file to be truncated) or a user's
 * mistake, and the message says to remove them.
 *
 * The text stream is a glibc cookie stream over the descriptor so that the
 * errno of a failed write(2) is kept (stdio forgets it: a buffered fprintf
 * fails long before the caller looks at errno). Elsewhere it is a plain
 * fdopen of a duplicate and the reason of a failure may be unknown.
 */
#define _GNU_SOURCE /* fopencookie */
#include "lam_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_lock.h"

struct lam_outfile {
  char *path, *part;
  int flags;
  int fd;
  FILE *stream;
  int werr; /* errno of the first failed write through the stream */
  lam_lock *lock;
};

/* Append text to an error message already set. */
static void err_append(lam_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void err_append(lam_err *err, const char *fmt, ...) {
  if (!err) {
    return;
  }
  size_t n = strlen(err->msg);
  if (n + 1 >= sizeof err->msg) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg + n, sizeof err->msg - n, fmt, ap);
  va_end(ap);
}

static void of_free(lam_outfile *of) {
  if (of->stream) {
    fclose(of->stream);
  }
  if (of->fd >= 0) {
    close(of->fd);
  }
  lam_lock_release(of->lock);
  free(of->path);
  free(of->part);
  free(of);
}

/* The folder of path ("." for a bare name), caller frees. */
static char *folder_of(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t n = slash ? (size_t)(slash - path) : 1;
  if (slash && n == 0) {
    n = 1; /* "/x": the root */
  }
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, slash ? path : ".", n);
    d[n] = '\0';
  }
  return d;
}

/* Why a name cannot be replaced, for the message; NULL when it can. */
static const char *not_replaceable(mode_t m) {
  if (S_ISREG(m)) {
    return NULL;
  }
  if (S_ISLNK(m)) {
    return "a symbolic link (laminar never writes through one)";
  }
  if (S_ISDIR(m)) {
    return "a folder";
  }
  return "a device, FIFO or socket, not a file";
}

int lam_outfile_open(const char *path, const char *what, int flags,
                     lam_outfile **out, lam_err *err) {
  *out = NULL;
  what = what ? what : "output";
  if (!path || !path[0]) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected a file path, found none",
                       what);
  }
  lam_outfile *of = calloc(1, sizeof *of);
  size_t len = strlen(path);
  if (!of || !(of->path = malloc(len + 1)) ||
      !(of->part = malloc(len + sizeof ".part"))) {
    if (of) {
      free(of->path);
      free(of);
    }
    return LAM_NOMEM(err);
  }
  of->fd = -1;
  of->flags = flags;
  memcpy(of->path, path, len + 1);
  snprintf(of->part, len + sizeof ".part", "%s.part", path);
  /* A missing folder: say so about the file, before the lock file (which
   * would fail the same way under a less obvious name). */
  char *dir = folder_of(path);
  struct stat st;
  if (!dir) {
    of_free(of);
    return LAM_NOMEM(err);
  }
  int e = stat(dir, &st) != 0 ? errno : (S_ISDIR(st.st_mode) ? 0 : ENOTDIR);
  if (e) {
    free(dir);
    int rc = lam_err_set(err, LAM_EIO, "%s: cannot create %s file: %s",
                         of->part, what, strerror(e));
    of_free(of);
    return rc;
  }
  free(dir);
  if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    int rc = lam_err_set(err, LAM_EINVAL,
                         "%s: is a folder; the %s would never get its name: "
                         "choose another name", path, what);
    of_free(of);
    return rc;
  }
  int rc = lam_lock_acquire(path, what, &of->lock, err);
  if (rc) {
    of_free(of);
    return rc;
  }
  if (lstat(of->part, &st) == 0) {
    const char *why = not_replaceable(st.st_mode);
    if (why) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: exists and is %s; laminar writes the %s there "
                       "itself: remove it and run again", of->part, why, what);
      of_free(of);
      return rc;
    }
    if (unlink(of->part) != 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: cannot replace the stale file: %s",
                       of->part, strerror(errno));
      of_free(of);
      return rc;
    }
  } else if (errno != ENOENT) {
    rc = lam_err_set(err, LAM_EIO, "%s: cannot create %s file: %s", of->part,
                     what, strerror(errno));
    of_free(of);
    return rc;
  }
  of->fd = open(of->part, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                0666);
  if (of->fd < 0) {
    int ce = errno;
    rc = lam_err_set(err, LAM_EIO, "%s: cannot create %s file: %s%s", of->part,
                     what, strerror(ce),
                     ce == EEXIST ? " (made by another program meanwhile)" : "");
    of_free(of);
    return rc;
  }
  *out = of;
  return LAM_OK;
}

#if defined(__GLIBC__)
static ssize_t cookie_write(void *c, const char *buf, size_t n) {
  lam_outfile *of = c;
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(of->fd, buf + done, n - done);
    if (w < 0 && errno == EINTR) {
      continue;
    }
    if (w <= 0) {
      if (!of->werr) {
        of->werr = w < 0 ? errno : EIO;
      }
      break; /* a short count marks the stream's error */
    }
    done += (size_t)w;
  }
  return (ssize_t)done;
}
#endif

static FILE *new_stream(lam_outfile *of, lam_err *err) {
  FILE *f;
#if defined(__GLIBC__)
  cookie_io_functions_t io = {NULL, cookie_write, NULL, NULL};
  f = fopencookie(of, "w", io);
#else
  int d = dup(of->fd);
  f = d >= 0 ? fdopen(d, "w") : NULL;
  if (!f && d >= 0) {
    close(d);
  }
#endif
  if (!f) {
    lam_err_set(err, LAM_EIO, "%s: cannot open a stream: %s", of->part,
                strerror(errno));
  }
  return f;
}

FILE *lam_outfile_stream(lam_outfile *of, lam_err *err) {
  if (!of) {
    lam_err_set(err, LAM_EINVAL, "lam_outfile_stream: NULL file");
    return NULL;
  }
  if (!of->stream) {
    of->stream = new_stream(of, err);
  }
  return of->stream;
}

FILE *lam_outfile_handover(lam_outfile *of, lam_err *err) {
  if (!of) {
    lam_err_set(err, LAM_EINVAL, "lam_outfile_handover: NULL file");
    return NULL;
  }
  return new_stream(of, err);
}

int lam_outfile_fd(const lam_outfile *of) { return of ? of->fd : -1; }
const char *lam_outfile_path(const lam_outfile *of) {
  return of ? of->path : NULL;
}
const char *lam_outfile_part(const lam_outfile *of) {
  return of ? of->part : NULL;
}
int lam_outfile_errno(const lam_outfile *of) { return of ? of->werr : 0; }

int lam_outfile_check(const lam_outfile *of, lam_err *err) {
  if (of && (of->werr || (of->stream && ferror(of->stream)))) {
    return lam_err_set(err, LAM_EIO, "%s: cannot write: %s", of->part,
                       strerror(of->werr ? of->werr : EIO));
  }
  return LAM_OK;
}

void lam_outfile_writeback(lam_outfile *of) {
  if (!of || (of->flags & LAM_OUTFILE_NOSYNC)) {
    return;
  }
#ifdef SYNC_FILE_RANGE_WRITE
  /* Whole file (offset 0, length 0: to its end); the stream's own buffer
   * is not flushed: this is for writers that write through the descriptor. */
  (void)sync_file_range(of->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

/* Flush and close the stream, then fsync: the whole file is on disk, or
 * an error with errno's reason. The descriptor stays open. */
static int finish(lam_outfile *of, lam_err *err) {
  int e = 0;
  if (of->stream) {
    errno = 0;
    int bad = fflush(of->stream) != 0 || ferror(of->stream);
    int fe = errno;
    bad |= fclose(of->stream) != 0;
    of->stream = NULL;
    if (bad) {
      e = of->werr ? of->werr : (fe ? fe : EIO);
    }
  }
  if (!e && !(of->flags & LAM_OUTFILE_NOSYNC) && fsync(of->fd) != 0) {
    e = errno;
  }
  if (e) {
    return lam_err_set(err, LAM_EIO, "%s: cannot write: %s", of->part,
                       strerror(e));
  }
  return LAM_OK;
}

/* Make the rename itself durable (a crash after commit keeps PATH). File
 * systems that cannot sync a folder (EINVAL) are not an error. */
static int sync_folder(const lam_outfile *of, lam_err *err) {
  if (of->flags & LAM_OUTFILE_NOSYNC) {
    return LAM_OK;
  }
  char *dir = folder_of(of->path);
  if (!dir) {
    return LAM_NOMEM(err);
  }
  int rc = LAM_OK;
  int d = open(dir, O_RDONLY | O_CLOEXEC);
  if (d >= 0) {
    if (fsync(d) != 0 && errno != EINVAL && errno != EBADF) {
      rc = lam_err_set(err, LAM_EIO, "%s: renamed, but the folder %s cannot "
                       "be synced: %s", of->path, dir, strerror(errno));
    }
    close(d);
  }
  free(dir);
  return rc;
}

int lam_outfile_commit(lam_outfile *of, lam_outfile_unmark unmark, void *ctx,
                       lam_err *err) {
  if (!of) {
    return lam_err_set(err, LAM_EINVAL, "lam_outfile_commit: NULL file");
  }
  int rc = finish(of, err);
  if (!rc && rename(of->part, of->path) != 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: cannot rename to %s: %s", of->part,
                     of->path, strerror(errno));
  } else if (!rc) {
    rc = sync_folder(of, err);
    of_free(of);
    return rc;
  }
  /* PATH.part holds a completion mark it must not keep under that name. */
  int kept = 0;
  if (unmark) {
    lam_err ue = {0, ""};
    kept = unmark(ctx, of->fd, of->part, &ue) == LAM_OK &&
           ((of->flags & LAM_OUTFILE_NOSYNC) || fsync(of->fd) == 0);
  }
  if (kept) {
    err_append(err, "; %s kept, marked incomplete", of->part);
  } else if (unlink(of->part) == 0) {
    err_append(err, "; %s removed", of->part);
  } else {
    err_append(err, "; %s cannot be removed either: %s", of->part,
               strerror(errno));
  }
  of_free(of);
  return rc;
}

int lam_outfile_abandon(lam_outfile *of, int keep, lam_err *err) {
  if (!of) {
    return LAM_OK;
  }
  int rc = LAM_OK;
  if (keep) {
    rc = finish(of, err);
  } else {
    if (of->stream) {
      fclose(of->stream);
      of->stream = NULL;
    }
    if (unlink(of->part) != 0 && errno != ENOENT) {
      rc = lam_err_set(err, LAM_EIO, "%s: cannot remove: %s", of->part,
                       strerror(errno));
    }
  }
  of_free(of);
  return rc;
}
