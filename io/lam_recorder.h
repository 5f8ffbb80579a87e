/* lam_recorder.h: streaming output of a run, HDF5 or CSV by file extension.
 *
 * HDF5 layout (docs/output-format.md):
 *   /time                 samples                      [s]
 *   /traces/<pop>         samples x ncols x nunits     (unit attribute)
 *   /final/<pop>          ncols x nunits               state at the end time
 *   /<name>               extra datasets (lfp, csd, weights, ...)
 *   root attributes       model (resolved model text), version, kind,
 *                         seed, complete (1 or 0), solver statistics, ...
 * Datasets are chunked and extended as samples arrive: memory does not grow
 * with the simulated time. The file is written as PATH.part and renamed to
 * PATH by lam_recorder_close(rec, 1, ...). A run that stops early (signal,
 * solver failure) calls lam_recorder_close(rec, 0, ...): the file is closed
 * cleanly, its attribute complete = 0, and it stays at PATH.part.
 * From open to close the recorder holds PATH's lock (io/lam_lock.h): a
 * second recorder on PATH fails at open, naming the first's pid. PATH.part
 * is created exclusively (io/lam_outfile.h). After a write the disk refused
 * (no space, file-size limit) an HDF5 file cannot be valid: close removes
 * it and says so in its error; a CSV file is kept without "# complete: 1".
 * Axes are labelled with HDF5 dimension scales (lam_recorder_label).
 *
 * CSV: one row per sample, `time,<pop>[c][u],...` with a '#' header that
 * carries the version and the model hash; final state and extras are HDF5-only.
 */
#ifndef LAM_RECORDER_H
#define LAM_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "lam_error.h"
#include "lam_system.h"

typedef struct lam_recorder lam_recorder;

/* Open path (".h5"/".hdf5" or ".csv") to record the populations of sys whose
 * record[i] is non-zero (NULL: all). */
lam_recorder *lam_recorder_open(const char *path, const lam_system *sys,
                                const int *record, lam_err *err);

/* Append one sample at time t from state y. */
int lam_recorder_sample(lam_recorder *rec, double t, const double *y,
                        lam_err *err);

/* Append one sample of an extra time series (e.g. "lfp", "csd" with width
 * values per sample). Created on first use; HDF5 only (ignored for CSV). */
int lam_recorder_series(lam_recorder *rec, const char *name, const char *unit,
                        const double *row, size_t width, lam_err *err);

/* Write /final/<pop> for every population of sys (recorded or not). */
int lam_recorder_final(lam_recorder *rec, double t, const double *y,
                       lam_err *err);

/* Write a whole dataset (rank 1..3; dims[rank]) at an absolute path such as
 * "/probe/depth_um" or "/weights/wq". HDF5 only. */
int lam_recorder_dataset(lam_recorder *rec, const char *name,
                         const char *unit, const double *data, int rank,
                         const size_t *dims, lam_err *err);

/* Name axis dim (0-based) of the dataset or series name ("contact") and,
 * when scale is not NULL, make the rank-1 dataset at that absolute path (as
 * long as the axis, written before) its coordinate: HDF5 dimension scales,
 * which h5py shows as ds.dims[dim].label and ds.dims[dim][0]. A series not
 * created yet is labelled when its first sample arrives. The recorder labels
 * its own datasets itself (/traces/<pop>: time, column, unit; /final/<pop>:
 * column, unit; series: time). HDF5 only (ignored for CSV). */
int lam_recorder_label(lam_recorder *rec, const char *name, int dim,
                       const char *label, const char *scale, lam_err *err);

/* Root attributes. */
int lam_recorder_attr_text(lam_recorder *rec, const char *name,
                           const char *value, lam_err *err);
int lam_recorder_attr_real(lam_recorder *rec, const char *name, double value,
                           lam_err *err);

/* Close. complete = 1: mark complete and rename PATH.part to PATH.
 * complete = 0: mark incomplete and leave PATH.part. NULL is a no-op. */
int lam_recorder_close(lam_recorder *rec, int complete, lam_err *err);

/* The populations recorded at every sample: their count, and their
 * indices in the system's pops into *pops (owned by rec). */
size_t lam_recorder_pops(const lam_recorder *rec, const size_t **pops);

/* The path being written (PATH.part until a complete close). */
const char *lam_recorder_path(const lam_recorder *rec);

/* A text attribute on a dataset or group already written ("inputs/input.x"),
 * HDF5 only (ignored for CSV); LAM_EIO naming the object when it is not
 * there. */
int lam_recorder_object_attr_text(lam_recorder *rec, const char *object,
                                  const char *name, const char *value,
                                  lam_err *err);

#endif
