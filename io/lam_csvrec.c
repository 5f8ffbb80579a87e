/* lam_csvrec.c: the CSV back end of the recorder.
 *
 * For users without HDF5 at hand (spreadsheets, awk, R's read.csv): one row
 * per sample, every value of every recorded population in its own column.
 *
 *   # laminar 0.1.0
 *   # kind: attention
 *   # <attribute>: <value>           (text set before the first sample)
 *   # units: time [s], l4 [a.u.], ...
 *   time,l4_c0_u0,l4_c0_u1,...,l4_c1_u0,...
 *   0,0.5,...                        (%.10g)
 *   ...
 *   # complete: 1
 *
 * Columns of a population run over columns c, then units u within a column,
 * the order of lam_system's observe(). Comment lines start with '#', so
 * pandas.read_csv(comment='#'), numpy.genfromtxt and R's
 * read.csv(comment.char = '#') skip them. Attributes given after the first
 * sample cannot go into the header and are dropped; series, datasets and the
 * final state are HDF5-only (docs/output-format.md).
 */
#include "lam_recorder_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_config.h"

typedef struct csvrec {
  FILE *f;
  int header; /* column header row written */
} csvrec;

/* The reason is the errno of the write(2) that failed (lam_outfile keeps
 * it), not whatever errno holds after the stdio call that noticed. */
static int ioerr(const lam_recorder *rec, lam_err *err) {
  int e = lam_outfile_errno(rec->of);
  return lam_err_set(err, LAM_EIO, "%s: cannot write: %s", rec->part,
                     strerror(e ? e : (errno ? errno : EIO)));
}

static int csv_open(lam_recorder *rec, lam_err *err) {
  csvrec *c = calloc(1, sizeof *c);
  if (!c) {
    return LAM_NOMEM(err);
  }
  c->f = lam_outfile_stream(rec->of, err);
  if (!c->f) {
    free(c);
    return LAM_EIO;
  }
  rec->impl = c;
  errno = 0;
  if (fprintf(c->f, "# laminar %s\n", LAM_VERSION) < 0) {
    int rc = ioerr(rec, err);
    rec->impl = NULL;
    free(c);
    return rc;
  }
  return LAM_OK;
}

static int write_header(lam_recorder *rec, lam_err *err) {
  csvrec *c = rec->impl;
  if (c->header) {
    return LAM_OK;
  }
  c->header = 1;
  errno = 0;
  int bad = fprintf(c->f, "# units: time [s]") < 0;
  for (size_t k = 0; k < rec->nrec; k++) {
    const lam_pop_info *p = &rec->sys.pops[rec->pops[k]];
    bad |= fprintf(c->f, ", %s [%s]", p->name, p->unit ? p->unit : "") < 0;
  }
  bad |= fprintf(c->f, "\ntime") < 0;
  for (size_t k = 0; k < rec->nrec; k++) {
    const lam_pop_info *p = &rec->sys.pops[rec->pops[k]];
    for (size_t col = 0; col < p->ncols; col++) {
      for (size_t u = 0; u < p->nunits; u++) {
        bad |= fprintf(c->f, ",%s_c%zu_u%zu", p->name, col, u) < 0;
      }
    }
  }
  bad |= fputc('\n', c->f) == EOF;
  return bad ? ioerr(rec, err) : LAM_OK;
}

static int csv_flush(lam_recorder *rec, lam_err *err) {
  csvrec *c = rec->impl;
  int rc = write_header(rec, err);
  if (rc) {
    return rc;
  }
  errno = 0;
  int bad = 0;
  for (size_t i = 0; i < rec->nbuf; i++) {
    bad |= fprintf(c->f, "%.10g", rec->tbuf[i]) < 0;
    for (size_t k = 0; k < rec->nrec; k++) {
      const double *v = rec->pbuf[k] + i * rec->width[k];
      for (size_t j = 0; j < rec->width[k]; j++) {
        bad |= fprintf(c->f, ",%.10g", v[j]) < 0;
      }
    }
    bad |= fputc('\n', c->f) == EOF;
  }
  /* One flush per chunk: a reader following the file sees whole rows. */
  bad |= fflush(c->f) != 0;
  return bad ? ioerr(rec, err) : LAM_OK;
}

static int csv_attr_text(lam_recorder *rec, const char *name,
                         const char *value, lam_err *err) {
  csvrec *c = rec->impl;
  /* The version is already the first line; late attributes have no place. */
  if (c->header || strcmp(name, "version") == 0) {
    return LAM_OK;
  }
  errno = 0;
  int bad;
  if (!strchr(value, '\n')) {
    bad = fprintf(c->f, "# %s: %s\n", name, value) < 0;
  } else {
    /* Multi-line text (the resolved model): one comment line per line. */
    bad = fprintf(c->f, "# %s:\n", name) < 0;
    const char *s = value;
    while (*s && !bad) {
      size_t n = strcspn(s, "\n");
      bad = fprintf(c->f, "#   %.*s\n", (int)n, s) < 0;
      s += n;
      if (*s == '\n') {
        s++;
      }
    }
  }
  return bad ? ioerr(rec, err) : LAM_OK;
}

static int csv_attr_real(lam_recorder *rec, const char *name, double value,
                         lam_err *err) {
  csvrec *c = rec->impl;
  if (c->header) {
    return LAM_OK;
  }
  errno = 0;
  return fprintf(c->f, "# %s: %.17g\n", name, value) < 0 ? ioerr(rec, err)
                                                         : LAM_OK;
}

static int csv_close(lam_recorder *rec, int complete, lam_err *err) {
  csvrec *c = rec->impl;
  if (!c) {
    return LAM_OK;
  }
  int rc = write_header(rec, err);
  errno = 0;
  /* Where the mark starts, for csv_unmark; the stream is flushed first. */
  if (fflush(c->f) != 0 && !rc) {
    rc = ioerr(rec, err);
  }
  rec->mark_at = (long)lseek(lam_outfile_fd(rec->of), 0, SEEK_CUR);
  /* A write lost anywhere (even one stdio retried later) is not complete. */
  int done = complete && !rc && !lam_outfile_errno(rec->of);
  if (fprintf(c->f, "# complete: %d\n", done) < 0 && !rc) {
    rc = ioerr(rec, err);
  }
  if (fflush(c->f) != 0 && !rc) {
    rc = ioerr(rec, err);
  }
  /* The stream belongs to rec->of: lam_outfile_commit or _abandon closes it. */
  free(c);
  rec->impl = NULL;
  return rc;
}

/* "# complete: 1" becomes "# complete: 0" (the rename failed). */
static int csv_unmark(lam_recorder *rec, int fd, lam_err *err) {
  static const char mark[] = "# complete: 0\n";
  if (rec->mark_at < 0 || ftruncate(fd, (off_t)rec->mark_at) != 0 ||
      pwrite(fd, mark, sizeof mark - 1, (off_t)rec->mark_at) !=
          (ssize_t)(sizeof mark - 1)) {
    return lam_err_set(err, LAM_EIO, "%s: cannot mark incomplete: %s",
                       rec->part, strerror(errno));
  }
  return LAM_OK;
}

const lam__rec_backend lam__rec_csv = {
    csv_open, csv_flush, NULL, NULL, NULL, csv_attr_text, csv_attr_real,
    csv_close, csv_unmark, NULL,
};
