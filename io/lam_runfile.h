/* lam_runfile.h: the one checked reader of the HDF5 run layout written by
 * io/lam_h5.c (docs/output-format.md), used by `laminar analyze`, `laminar
 * plot` and the fuzzing target tests/fuzz/fuzz_runfile.c.
 *
 * Every file is hostile until checked: a dataset is read only after its
 * rank, its element type (IEEE floats), its dimensions (their product
 * counted without overflow, the bytes it takes within a limit) and its
 * chunk size were checked; attributes only when they hold one value of the
 * expected class, variable-length text copied from the global heap by the
 * reader itself (lam_runfile_heap.c: libhdf5 1.10 misreads corrupt heaps);
 * paths only through hard links (a soft or external link could lead
 * outside the file). Errors name the file, the dataset or
 * attribute, what was expected and what was found. HDF5's own error
 * printing is off, and every HDF5 handle is closed on every path.
 *
 * A run file is complete when its root attribute complete = 1. Opening an
 * incomplete one (complete = 0, the attribute missing, or another value) is
 * an error unless flags hold LAM_RUNFILE_PARTIAL; lam_runfile_complete()
 * then says so and lam_runfile_status() what was found.
 */
#ifndef LAM_RUNFILE_H
#define LAM_RUNFILE_H

#include <stddef.h>

#include "lam_error.h"

/* Accept a run that is not marked complete (read what is there). */
#define LAM_RUNFILE_PARTIAL 1u

typedef struct lam_runfile lam_runfile;

/* Open the run file at path (a regular file, opened read-only).
 * Errors: LAM_EIO (missing, not a regular file, not HDF5), LAM_ENOTFOUND
 * (no /time: not a run), LAM_EINVAL (not marked complete, without
 * LAM_RUNFILE_PARTIAL). */
int lam_runfile_open(const char *path, unsigned flags, lam_runfile **out,
                     lam_err *err);
/* The same from a file image in memory (HDF5 core driver; the bytes are
 * copied); name is used in messages. */
int lam_runfile_open_image(const void *buf, size_t len, const char *name,
                           unsigned flags, lam_runfile **out, lam_err *err);
void lam_runfile_free(lam_runfile *rf);

/* The name given at open (messages). */
const char *lam_runfile_name(const lam_runfile *rf);
/* 1 when the root attribute complete is 1, else 0. */
int lam_runfile_complete(const lam_runfile *rf);
/* What the completeness check found: "complete = 1", "complete = 0: the
 * run stopped before its end time", "no root attribute complete; ...",
 * "complete = 7, expected 0 or 1", ... */
const char *lam_runfile_status(const lam_runfile *rf);

/* The most bytes one read may allocate (default: half the machine's memory,
 * at most 64 GiB). Datasets and chunks beyond it are errors. */
void lam_runfile_set_max_bytes(lam_runfile *rf, size_t bytes);
/* HDF5 objects of the file still open besides the file itself (0 between
 * calls; for tests). */
size_t lam_runfile_open_objects(const lam_runfile *rf);

/* Does the absolute path exist, every link on the way a hard link? */
int lam_runfile_exists(const lam_runfile *rf, const char *path);

/* The dimensions of float dataset name, of rank exactly rank (1..3); dims
 * beyond the rank are 1. shape names the axes for messages ("samples x
 * columns x units"). The element count and its bytes as doubles fit in
 * size_t, every row fits the byte limit. Errors: LAM_ENOTFOUND (absent),
 * LAM_EINVAL (not a dataset, wrong rank or type, too large). */
int lam_runfile_shape(const lam_runfile *rf, const char *name, int rank,
                      const char *shape, size_t dims[3], lam_err *err);
/* Rows [r0, r1) of the first dimension (all rows when r1 == 0) as doubles
 * into a new array (caller frees; NULL on error); dims as for
 * lam_runfile_shape, with dims[0] = r1 - r0. */
int lam_runfile_read(const lam_runfile *rf, const char *name, int rank,
                     const char *shape, size_t r0, size_t r1, double **out,
                     size_t dims[3], lam_err *err);

/* Text attribute attr of object obj ("/" for the root) as a new string
 * (caller frees), *out = NULL when absent. LAM_EINVAL when it is not one
 * string or longer than 16 MiB. */
int lam_runfile_attr_dup(const lam_runfile *rf, const char *obj,
                         const char *attr, char **out, lam_err *err);
/* The same into buf (len bytes; "" when absent); LAM_EINVAL when it does
 * not fit. */
int lam_runfile_attr_text(const lam_runfile *rf, const char *obj,
                          const char *attr, char *buf, size_t len,
                          lam_err *err);
/* Numeric attribute (integer or float, one value), NaN when absent. */
int lam_runfile_attr_real(const lam_runfile *rf, const char *obj,
                          const char *attr, double *value, lam_err *err);

/* A population recorded under /traces. */
typedef struct lam_runfile_pop {
  char name[128]; /* its link name in /traces */
  char layer[32]; /* attribute layer ("" when absent) */
  char unit[64];  /* attribute unit ("" when absent) */
} lam_runfile_pop;

enum { LAM_RUNFILE_BY_NAME = 0, LAM_RUNFILE_BY_CREATION = 1 };

/* The members of /traces (none when it is absent) in name order, or in
 * creation order when the file tracks it (LAM_RUNFILE_BY_CREATION), into a
 * new array (caller frees). Every member must be a dataset reached by a
 * hard link, its name shorter than 128 bytes, its layer and unit text. */
int lam_runfile_pops(const lam_runfile *rf, int order, lam_runfile_pop **out,
                     size_t *n, lam_err *err);

#endif
