/* lam_recorder_private.h: the recorder object shared by its two back ends.
 *
 * lam_recorder.c owns what both formats need: the paths (PATH and PATH.part),
 * the list of recorded populations and a fixed-size chunk buffer of samples
 * (time plus one block per population). When the buffer is full it hands the
 * whole chunk to the back end (lam_h5.c or lam_csvrec.c), so each back end
 * writes a few large blocks instead of one small write per sample and memory
 * stays flat however long the run. Not a public header.
 */
#ifndef LAM_RECORDER_PRIVATE_H
#define LAM_RECORDER_PRIVATE_H

#include <stdint.h>

#include "lam_outfile.h"
#include "lam_recorder.h"

/* Samples per chunk (the buffer rows and the HDF5 chunk length). Reduced for
 * very wide populations so the buffer stays under LAM__REC_BUF_BYTES. */
#define LAM__REC_CHUNK 256
#define LAM__REC_BUF_BYTES (8u << 20)

typedef struct lam__rec_backend {
  /* Start writing rec->of (PATH.part, created empty under PATH's lock). */
  int (*open)(lam_recorder *rec, lam_err *err);
  /* Write the rec->nbuf buffered samples as rows rec->nsamples ... */
  int (*flush)(lam_recorder *rec, lam_err *err);
  /* Optional (NULL: silently ignored by this format). */
  int (*series)(lam_recorder *rec, const char *name, const char *unit,
                const double *row, size_t width, lam_err *err);
  int (*final_pop)(lam_recorder *rec, size_t pop, double t,
                   const double *values, lam_err *err);
  int (*dataset)(lam_recorder *rec, const char *name, const char *unit,
                 const double *data, int rank, const size_t *dims,
                 lam_err *err);
  int (*attr_text)(lam_recorder *rec, const char *name, const char *value,
                   lam_err *err);
  int (*attr_real)(lam_recorder *rec, const char *name, double value,
                   lam_err *err);
  /* Write the completion mark, release everything in rec->impl. Called once,
   * after the last flush, also after errors (then complete is 0). Sets
   * rec->broken when the file cannot be read back (lost writes). */
  int (*close)(lam_recorder *rec, int complete, lam_err *err);
  /* The closed file, still PATH.part and open as fd, says complete = 1 but
   * cannot get its final name: make it say complete = 0 again. */
  int (*unmark)(lam_recorder *rec, int fd, lam_err *err);
  /* Optional: lam_recorder_label (dim checked < 3, label non-empty). */
  int (*label)(lam_recorder *rec, const char *name, unsigned dim,
               const char *label, const char *scale, lam_err *err);
} lam__rec_backend;

struct lam_recorder {
  const lam__rec_backend *be;
  lam_system sys;  /* copy; sys.self and sys.pops must outlive rec */
  char *path;      /* PATH */
  char *part;      /* PATH.part, the file being written */
  lam_outfile *of; /* PATH.part and the lock on PATH */
  int broken;      /* the back end lost writes: PATH.part is not readable */
  long mark_at;    /* CSV: offset of the "# complete" line */
  size_t nrec;     /* recorded populations */
  size_t *pops;    /* their indices in sys.pops */
  size_t *width;   /* ncols * nunits of each */
  size_t chunk;    /* buffer rows */
  size_t nbuf;     /* rows in the buffer */
  uint64_t nsamples; /* rows already handed to the back end */
  double *tbuf;    /* chunk times */
  double **pbuf;   /* per recorded population: chunk x width, row-major */
  double *scratch; /* largest population, for lam_recorder_final */
  void *impl;      /* back end state */
};

extern const lam__rec_backend lam__rec_h5;
extern const lam__rec_backend lam__rec_csv;

/* HDF5 only: a text attribute on an object already written. */
int lam__h5_object_attr_text(lam_recorder *rec, const char *object,
                             const char *name, const char *value,
                             lam_err *err);

#endif
