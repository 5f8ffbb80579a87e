/* lam_lock.h: one writer per output file.
 *
 * Two processes that write the same output (two runs with the same -o, two
 * sweeps on one table) would destroy each other's work. Before writing PATH a
 * writer takes lam_lock_acquire(PATH): an advisory lock (flock) on the lock
 * file PATH.lock, which holds the owner's pid. A second writer fails at once
 * with a message naming that pid; it never waits. The kernel drops the lock
 * when its owner dies, so a lock file left behind by a killed process is
 * taken over without asking. lam_lock_release() removes the lock file.
 *
 * Advisory: it keeps laminar processes apart, not other programs. On a
 * network file system flock is as reliable as the file system's locking.
 */
#ifndef LAM_LOCK_H
#define LAM_LOCK_H

#include "lam_error.h"

typedef struct lam_lock lam_lock;

/* Lock PATH for writing (creates PATH.lock). what names the output in
 * messages ("output", "sweep table"). LAM_EINVAL when another process holds
 * it ("...: PATH is being written by process 1234 (lock PATH.lock)"),
 * LAM_EIO with errno's reason when the lock file cannot be made. */
int lam_lock_acquire(const char *path, const char *what, lam_lock **out,
                     lam_err *err);

/* Unlock and remove PATH.lock. NULL is a no-op. */
void lam_lock_release(lam_lock *l);

/* The lock file's path ("PATH.lock"). */
const char *lam_lock_path(const lam_lock *l);

/* The lock file's descriptor (-1 for NULL), for a forked child to close: the
 * lock belongs to the open file, so a child that kept it would hold the lock
 * after its parent died. Closing it in the child leaves the parent's lock. */
int lam_lock_fd(const lam_lock *l);

#endif
