/* lam_h5vfd.h: an HDF5 file driver that writes through a descriptor laminar
 * opened itself (io/lam_outfile.h), and survives a failing disk.
 *
 * Why a driver of our own instead of HDF5's default (sec2):
 * - The file is PATH.part created by lam_outfile with O_EXCL | O_NOFOLLOW;
 *   sec2 can only open by name, so a name swapped meanwhile would be
 *   followed. This driver never opens anything: it uses the descriptor.
 * - When a write fails (disk full, file-size limit) sec2 returns the error
 *   to HDF5, and H5Fclose then fails too (it must flush metadata and extend
 *   the file to its end of allocation). HDF5 1.10 keeps a file whose close
 *   failed in its ID table half torn down, and its exit-time cleanup then
 *   closes it again and crashes (SIGSEGV after main returns). Here the first
 *   failed write or truncate records errno and every later write is
 *   discarded as if it had succeeded, so every close succeeds and frees
 *   everything; the caller asks lam_h5vfd_errno() after each operation and
 *   reports the failure itself. A file that lost writes is not a valid HDF5
 *   file; the recorder removes it (docs/output-format.md).
 * Files it writes are ordinary HDF5 files (no driver information in the
 * superblock): any HDF5 reader opens them.
 */
#ifndef LAM_H5VFD_H
#define LAM_H5VFD_H

#include <hdf5.h>

#include "lam_error.h"

typedef struct lam_h5vfd lam_h5vfd;

/* A driver on fd (read-write, not closed by the driver; it must outlive
 * every HDF5 file opened with it). */
int lam_h5vfd_new(int fd, lam_h5vfd **out, lam_err *err);

/* A new file-access property list selecting the driver (caller closes it),
 * or < 0. */
hid_t lam_h5vfd_fapl(lam_h5vfd *v);

/* errno of the first failed write or truncate, 0 while none failed. */
int lam_h5vfd_errno(const lam_h5vfd *v);

/* Unregister and free (after every file using it is closed). NULL: no-op. */
void lam_h5vfd_free(lam_h5vfd *v);

#endif
