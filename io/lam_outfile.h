/* lam_outfile.h: the one way laminar creates an output file.
 *
 * Every output (recordings, tables, reports, figures, CSV inputs written for
 * later runs) is written as PATH.part and renamed to PATH when complete, so a
 * file under its final name is always whole (docs/output-format.md):
 *
 *   lam_outfile_open    takes the lock on PATH (lam_lock: PATH.lock names the
 *                       writer's pid; a second writer stops at once), then
 *                       creates PATH.part exclusively (O_CREAT | O_EXCL |
 *                       O_NOFOLLOW): a symbolic link, directory, device or
 *                       FIFO found under that name is an error that says to
 *                       remove it, never followed or truncated; a regular
 *                       file left there by an earlier write is replaced.
 *   lam_outfile_stream  a FILE for text outputs (write errors keep errno).
 *   lam_outfile_fd      the descriptor, for writers that are not stdio
 *                       (HDF5 goes through it, io/lam_h5vfd.h).
 *   lam_outfile_commit  flush, fsync, close, rename PATH.part to PATH, fsync
 *                       the folder, release the lock; every failure reported
 *                       with errno's reason.
 *   lam_outfile_abandon close and keep PATH.part (an incomplete result) or
 *                       remove it; release the lock.
 */
#ifndef LAM_OUTFILE_H
#define LAM_OUTFILE_H

#include <stdio.h>

#include "lam_error.h"

typedef struct lam_outfile lam_outfile;

/* lam_outfile_open flags. */
enum {
  /* No fsync before the rename: for scratch files rewritten many times that
   * a crash may lose (they are written again by the next run). */
  LAM_OUTFILE_NOSYNC = 1
};

/* Lock PATH and create PATH.part (mode 0666 less the umask). what names the
 * output in messages ("output", "figure", "report"). Errors: LAM_EINVAL when
 * another process writes PATH (its pid named) or PATH.part / PATH is not
 * something laminar may replace; LAM_EIO with errno's reason otherwise. */
int lam_outfile_open(const char *path, const char *what, int flags,
                     lam_outfile **out, lam_err *err);

/* The text stream on PATH.part (made on first call; owned by of). NULL when
 * it cannot be made (err says why). */
FILE *lam_outfile_stream(lam_outfile *of, lam_err *err);

/* A second stream on PATH.part for a library that closes its stream itself
 * (PLplot's plsfile): the caller never closes it, the library must before
 * lam_outfile_commit. Its write errors are recorded as the first's. */
FILE *lam_outfile_handover(lam_outfile *of, lam_err *err);

/* The descriptor of PATH.part (read-write; owned by of). */
int lam_outfile_fd(const lam_outfile *of);

const char *lam_outfile_path(const lam_outfile *of); /* PATH */
const char *lam_outfile_part(const lam_outfile *of); /* PATH.part */

/* errno of the first failed write through the stream, 0 if none. */
int lam_outfile_errno(const lam_outfile *of);

/* LAM_EIO "PATH.part: cannot write: <reason>" when a write through the
 * stream has failed so far, else LAM_OK. */
int lam_outfile_check(const lam_outfile *of, lam_err *err);

/* Start writing what PATH.part holds so far to disk, without waiting for
 * it (Linux's sync_file_range; elsewhere nothing): the fsync of
 * lam_outfile_commit then finds little left to write, and a long run's
 * writes go to disk while it computes rather than all at its end. A hint,
 * never an error; nothing for LAM_OUTFILE_NOSYNC files. */
void lam_outfile_writeback(lam_outfile *of);

/* Called by lam_outfile_commit when PATH.part was written whole but cannot
 * get its final name: turn the completion mark in fd (PATH.part, still open)
 * back into "incomplete". */
typedef int (*lam_outfile_unmark)(void *ctx, int fd, const char *part,
                                  lam_err *err);

/* Finish and publish: flush and close the stream, fsync, rename PATH.part
 * to PATH, fsync the folder, release the lock, free of. On any failure PATH
 * is untouched and the error names the file(s) and errno's reason; then
 * PATH.part is kept marked incomplete when unmark (not NULL) succeeds, else
 * removed, and the message says which. */
int lam_outfile_commit(lam_outfile *of, lam_outfile_unmark unmark, void *ctx,
                       lam_err *err);

/* Give up: close, keep PATH.part (keep != 0; flushed and fsynced) or remove
 * it, release the lock, free of. NULL is a no-op. Returns the first error
 * (errno's reason) met while keeping the file. */
int lam_outfile_abandon(lam_outfile *of, int keep, lam_err *err);

#endif
