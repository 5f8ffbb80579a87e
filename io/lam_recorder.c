/* lam_recorder.c: the format-independent half of the recorder.
 *
 * Picks the back end from the file extension (".h5"/".hdf5": lam_h5.c,
 * ".csv": lam_csvrec.c), checks the system it is asked to record, buffers
 * samples in a fixed chunk (LAM__REC_CHUNK rows) and implements the
 * PATH.part / complete / rename protocol of lam_recorder.h: a file only ever
 * appears under its final name when the run finished and said so, so a
 * script that finds PATH can trust it. The layouts are in
 * docs/output-format.md.
 */
#include "lam_recorder_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lam_config.h"

static const lam__rec_backend *backend_for(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) {
    return NULL;
  }
  if (strcasecmp(dot, ".h5") == 0 || strcasecmp(dot, ".hdf5") == 0) {
    return &lam__rec_h5;
  }
  if (strcasecmp(dot, ".csv") == 0) {
    return &lam__rec_csv;
  }
  return NULL;
}

/* A population name becomes an HDF5 link name and a CSV column prefix. */
static int check_system(const char *path, const lam_system *sys,
                        const int *record, lam_err *err) {
  if (!sys || !sys->ops) {
    return lam_err_set(err, LAM_EINVAL, "%s: no system to record", path);
  }
  if (sys->npops && !sys->pops) {
    return lam_err_set(err, LAM_EINVAL, "%s: system has %zu populations but "
                       "no population list", path, sys->npops);
  }
  for (size_t i = 0; i < sys->npops; i++) {
    const lam_pop_info *p = &sys->pops[i];
    if (!p->name || !p->name[0] || strchr(p->name, '/') ||
        strchr(p->name, ',') || strcmp(p->name, ".") == 0) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: population %zu: expected a non-empty name "
                         "without '/' or ',', found '%s'",
                         path, i, p->name ? p->name : "(null)");
    }
    if (p->ncols == 0 || p->nunits == 0) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: population %s: expected ncols, nunits >= 1, "
                         "found %zu x %zu", path, p->name, p->ncols, p->nunits);
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(sys->pops[j].name, p->name) == 0) {
        return lam_err_set(err, LAM_EINVAL,
                           "%s: population name '%s' used twice", path,
                           p->name);
      }
    }
    if ((!record || record[i]) && !sys->ops->observe) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: system '%s' has no observe function", path,
                         sys->kind ? sys->kind : "");
    }
  }
  return LAM_OK;
}

static void rec_free(lam_recorder *rec) {
  if (!rec) {
    return;
  }
  if (rec->pbuf) {
    for (size_t k = 0; k < rec->nrec; k++) {
      free(rec->pbuf[k]);
    }
  }
  free(rec->pbuf);
  free(rec->tbuf);
  free(rec->scratch);
  free(rec->pops);
  free(rec->width);
  free(rec->path);
  free(rec->part);
  lam_outfile_abandon(rec->of, 0, NULL);
  free(rec);
}

static int rec_alloc(lam_recorder *rec, const int *record, lam_err *err) {
  const lam_system *sys = &rec->sys;
  size_t npops = sys->npops;
  size_t maxw = 1, roww = 1;
  rec->pops = calloc(npops ? npops : 1, sizeof *rec->pops);
  rec->width = calloc(npops ? npops : 1, sizeof *rec->width);
  rec->pbuf = calloc(npops ? npops : 1, sizeof *rec->pbuf);
  if (!rec->pops || !rec->width || !rec->pbuf) {
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < npops; i++) {
    size_t w = sys->pops[i].ncols * sys->pops[i].nunits;
    if (w > maxw) {
      maxw = w;
    }
    if (!record || record[i]) {
      rec->pops[rec->nrec] = i;
      rec->width[rec->nrec] = w;
      rec->nrec++;
      roww += w;
    }
  }
  /* Wide systems (T^2 H apical units) get shorter chunks, not more memory. */
  size_t chunk = LAM__REC_BUF_BYTES / (roww * sizeof(double));
  rec->chunk = chunk > LAM__REC_CHUNK ? LAM__REC_CHUNK : (chunk ? chunk : 1);
  rec->tbuf = malloc(rec->chunk * sizeof *rec->tbuf);
  rec->scratch = malloc(maxw * sizeof *rec->scratch);
  if (!rec->tbuf || !rec->scratch) {
    return LAM_NOMEM(err);
  }
  for (size_t k = 0; k < rec->nrec; k++) {
    rec->pbuf[k] = malloc(rec->chunk * rec->width[k] * sizeof(double));
    if (!rec->pbuf[k]) {
      return LAM_NOMEM(err);
    }
  }
  return LAM_OK;
}

lam_recorder *lam_recorder_open(const char *path, const lam_system *sys,
                                const int *record, lam_err *err) {
  if (!path || !path[0]) {
    lam_err_set(err, LAM_EINVAL, "output: expected a file path, found none");
    return NULL;
  }
  const lam__rec_backend *be = backend_for(path);
  if (!be) {
    lam_err_set(err, LAM_EINVAL,
                "%s: unknown output format: expected a name ending in .h5, "
                ".hdf5 or .csv",
                path);
    return NULL;
  }
  if (check_system(path, sys, record, err)) {
    return NULL;
  }
  lam_recorder *rec = calloc(1, sizeof *rec);
  if (!rec) {
    LAM_NOMEM(err);
    return NULL;
  }
  rec->be = be;
  rec->sys = *sys;
  size_t len = strlen(path);
  rec->path = malloc(len + 1);
  rec->part = malloc(len + sizeof ".part");
  if (!rec->path || !rec->part) {
    LAM_NOMEM(err);
    rec_free(rec);
    return NULL;
  }
  memcpy(rec->path, path, len + 1);
  snprintf(rec->part, len + sizeof ".part", "%s.part", path);
  if (rec_alloc(rec, record, err)) {
    rec_free(rec);
    return NULL;
  }
  /* PATH.part created exclusively under PATH's lock (io/lam_outfile.h): a
   * second writer of PATH stops here naming the first, a symbolic link
   * planted as PATH.part is never followed. */
  if (lam_outfile_open(path, "output", 0, &rec->of, err)) {
    rec_free(rec);
    return NULL;
  }
  if (be->open(rec, err)) {
    lam_outfile_abandon(rec->of, 0, NULL);
    rec->of = NULL;
    rec_free(rec);
    return NULL;
  }
  int rc = be->attr_text(rec, "version", LAM_VERSION, err);
  if (!rc && sys->kind) {
    rc = be->attr_text(rec, "kind", sys->kind, err);
  }
  if (rc) {
    be->close(rec, 0, NULL);
    lam_outfile_abandon(rec->of, 0, NULL);
    rec->of = NULL;
    rec_free(rec);
    return NULL;
  }
  return rec;
}

static int flush(lam_recorder *rec, lam_err *err) {
  if (rec->nbuf == 0) {
    return LAM_OK;
  }
  int rc = rec->be->flush(rec, err);
  /* A failed chunk is dropped, not retried: the error is reported once and
   * the caller stops the run. */
  if (rc == LAM_OK) {
    rec->nsamples += rec->nbuf;
    lam_outfile_writeback(rec->of);
  }
  rec->nbuf = 0;
  return rc;
}

int lam_recorder_sample(lam_recorder *rec, double t, const double *y,
                        lam_err *err) {
  if (!rec || !y) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_sample: %s is NULL",
                       rec ? "state" : "recorder");
  }
  rec->tbuf[rec->nbuf] = t;
  for (size_t k = 0; k < rec->nrec; k++) {
    rec->sys.ops->observe(rec->sys.self, rec->pops[k], t, y,
                          rec->pbuf[k] + rec->nbuf * rec->width[k]);
  }
  rec->nbuf++;
  return rec->nbuf == rec->chunk ? flush(rec, err) : LAM_OK;
}

size_t lam_recorder_pops(const lam_recorder *rec, const size_t **pops) {
  *pops = rec ? rec->pops : NULL;
  return rec ? rec->nrec : 0;
}

static int check_name(const lam_recorder *rec, const char *what,
                      const char *name, lam_err *err) {
  if (!name || !name[0] || (name[0] == '/' && !name[1])) {
    return lam_err_set(err, LAM_EINVAL, "%s: %s: expected a name, found '%s'",
                       rec->part, what, name ? name : "(null)");
  }
  return LAM_OK;
}

int lam_recorder_series(lam_recorder *rec, const char *name, const char *unit,
                        const double *row, size_t width, lam_err *err) {
  if (!rec) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_series: NULL recorder");
  }
  int rc = check_name(rec, "series", name, err);
  if (rc) {
    return rc;
  }
  if (!row || width == 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: series %s: expected at least one value", rec->part,
                       name);
  }
  return rec->be->series ? rec->be->series(rec, name, unit, row, width, err)
                         : LAM_OK;
}

int lam_recorder_final(lam_recorder *rec, double t, const double *y,
                       lam_err *err) {
  if (!rec || !y) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_final: %s is NULL",
                       rec ? "state" : "recorder");
  }
  if (!rec->be->final_pop) {
    return LAM_OK;
  }
  if (rec->sys.npops && !rec->sys.ops->observe) {
    return lam_err_set(err, LAM_EINVAL, "%s: system has no observe function",
                       rec->part);
  }
  for (size_t i = 0; i < rec->sys.npops; i++) {
    rec->sys.ops->observe(rec->sys.self, i, t, y, rec->scratch);
    int rc = rec->be->final_pop(rec, i, t, rec->scratch, err);
    if (rc) {
      return rc;
    }
  }
  return LAM_OK;
}

int lam_recorder_dataset(lam_recorder *rec, const char *name,
                         const char *unit, const double *data, int rank,
                         const size_t *dims, lam_err *err) {
  if (!rec) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_dataset: NULL recorder");
  }
  int rc = check_name(rec, "dataset", name, err);
  if (rc) {
    return rc;
  }
  if (rank < 1 || rank > 3 || !dims || !data) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: dataset %s: expected rank 1 to 3 with data, found "
                       "rank %d", rec->part, name, rank);
  }
  for (int i = 0; i < rank; i++) {
    if (dims[i] == 0) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: dataset %s: dimension %d is 0", rec->part, name,
                         i);
    }
  }
  return rec->be->dataset
             ? rec->be->dataset(rec, name, unit, data, rank, dims, err)
             : LAM_OK;
}

int lam_recorder_label(lam_recorder *rec, const char *name, int dim,
                       const char *label, const char *scale, lam_err *err) {
  if (!rec) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_label: NULL recorder");
  }
  int rc = check_name(rec, "dataset", name, err);
  if (rc) {
    return rc;
  }
  if (dim < 0 || dim > 2 || !label || !label[0]) {
    return lam_err_set(err, LAM_EINVAL, "%s: %s: expected an axis 0 to 2 and "
                       "a label, found axis %d, label '%s'", rec->part, name,
                       dim, label ? label : "(null)");
  }
  return rec->be->label ? rec->be->label(rec, name, (unsigned)dim, label,
                                         scale, err)
                        : LAM_OK;
}

int lam_recorder_attr_text(lam_recorder *rec, const char *name,
                           const char *value, lam_err *err) {
  if (!rec) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_attr_text: NULL recorder");
  }
  int rc = check_name(rec, "attribute", name, err);
  if (rc) {
    return rc;
  }
  return rec->be->attr_text(rec, name, value ? value : "", err);
}

int lam_recorder_attr_real(lam_recorder *rec, const char *name, double value,
                           lam_err *err) {
  if (!rec) {
    return lam_err_set(err, LAM_EINVAL, "lam_recorder_attr_real: NULL recorder");
  }
  int rc = check_name(rec, "attribute", name, err);
  if (rc) {
    return rc;
  }
  return rec->be->attr_real(rec, name, value, err);
}

static int unmark(void *ctx, int fd, const char *part, lam_err *err) {
  (void)part;
  lam_recorder *rec = ctx;
  return rec->be->unmark(rec, fd, err);
}

/* The order that keeps the completion mark honest: the back end writes
 * complete = 1 and closes, lam_outfile_commit fsyncs and renames. A file
 * under its final name therefore always says complete = 1; a rename that
 * fails turns the mark back to 0 (unmark) before the lock is released, so
 * PATH.part says 1 only between the fsync and the rename. */
int lam_recorder_close(lam_recorder *rec, int complete, lam_err *err) {
  if (!rec) {
    return LAM_OK;
  }
  int rc = flush(rec, err);
  /* A file whose last chunk was lost is not complete, whatever was asked. */
  int done = complete && rc == LAM_OK;
  int rc2 = rec->be->close(rec, done, rc ? NULL : err);
  if (rc == LAM_OK) {
    rc = rc2;
  }
  if (rec->broken) {
    /* Writes were lost (disk full, file-size limit): what is on disk is not
     * a file any reader can open, so it is not kept under any name. */
    lam_outfile_abandon(rec->of, 0, NULL);
    if (rc == LAM_OK) {
      rc = lam_err_set(err, LAM_EIO, "%s: writes were lost", rec->part);
    }
    if (err && err->code == rc) {
      size_t n = strlen(err->msg);
      snprintf(err->msg + n, sizeof err->msg - n,
               "; the partial file %s could not be completed and was removed",
               rec->part);
    }
  } else if (done && rc == LAM_OK) {
    rc = lam_outfile_commit(rec->of, unmark, rec, err);
  } else {
    int rc3 = lam_outfile_abandon(rec->of, 1, rc ? NULL : err);
    rc = rc ? rc : rc3;
  }
  rec->of = NULL;
  rec_free(rec);
  return rc;
}

const char *lam_recorder_path(const lam_recorder *rec) {
  return rec ? rec->part : NULL;
}

int lam_recorder_object_attr_text(lam_recorder *rec, const char *object,
                                  const char *name, const char *value,
                                  lam_err *err) {
  if (!rec) {
    return lam_err_set(err, LAM_EINVAL,
                       "lam_recorder_object_attr_text: NULL recorder");
  }
  int rc = check_name(rec, "object", object, err);
  if (!rc) {
    rc = check_name(rec, "attribute", name, err);
  }
  if (rc || rec->be != &lam__rec_h5) {
    return rc;
  }
  return lam__h5_object_attr_text(rec, object, name, value ? value : "", err);
}
