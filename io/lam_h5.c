/* lam_h5.c: the HDF5 back end of the recorder (HDF5 1.10, serial).
 *
 * Layout (docs/output-format.md):
 *   /time           samples                  float64, unit "s"
 *   /traces/<pop>   samples x ncols x nunits float64, unit of the population
 *   /final/<pop>    ncols x nunits           attributes unit, t
 *   /<series>       samples x width          lam_recorder_series
 *   /<a>/<b>        any rank 1..3            lam_recorder_dataset
 *   root attributes version, kind, complete (int 0/1), and what the caller adds
 * Time series are chunked datasets with an unlimited first dimension: each
 * chunk the front end hands over is one H5Dset_extent and one hyperslab
 * H5Dwrite per dataset, with the HDF5 chunk length equal to the buffer length
 * so every write fills whole chunks. Strings are variable-length UTF-8 (h5py
 * reads them as str, hdf5r as character).
 *
 * Memory stays flat however long the run (docs/memory.md): the chunk index
 * is an extensible array (file format of HDF5 1.10, 8 bytes per chunk)
 * instead of the 1.8 format's v1 B-tree (17.7 kB per node of 64 chunks, kept
 * in the metadata cache), and the datasets have no chunk cache (a chunk
 * written whole goes straight to the file instead of staying in a per-dataset
 * cache of up to 1 MB).
 *
 * HDF5's automatic error printing is switched off when a file is opened (the
 * library never prints); failures are read off the HDF5 error stack and
 * returned as lam_err messages naming the file and the object, with errno's
 * reason when the disk refused a write.
 *
 * The file is written through the descriptor of PATH.part that lam_outfile
 * created (io/lam_h5vfd.h: HDF5's own driver can only open by name). A write
 * the disk refuses (no space, file-size limit) is recorded by the driver,
 * which drops every later write, so the file can still be closed and HDF5
 * keeps nothing open that its exit-time cleanup could crash on; the file on
 * disk then lacks writes, is marked broken and removed by the recorder.
 */
#include "lam_recorder_private.h"
#include "lam_h5reason.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_h5vfd.h"

typedef struct h5series {
  char *name; /* absolute HDF5 path */
  size_t width;
  size_t chunk;
  hid_t ds;
  double *buf; /* chunk x width */
  size_t nbuf;
  hsize_t n; /* rows written */
} h5series;

typedef struct h5 {
  lam_h5vfd *vfd; /* the driver writing through rec->of's descriptor */
  hid_t file;
  hid_t time;
  hid_t *traces; /* per recorded population */
  h5series *s;
  size_t ns, caps;
  struct h5axis *ax; /* labels of series not created yet */
  size_t nax, capax;
} h5;

/* An axis label asked for before its series existed (lam_recorder_label). */
typedef struct h5axis {
  char *name; /* absolute path of the series */
  char *label;
  char *scale; /* NULL or the absolute path of its coordinate */
  unsigned dim;
} h5axis;

/* ---- errors ---------------------------------------------------------- */

static int h5fail(const lam_recorder *rec, lam_err *err, const char *what,
                  const char *name) {
  const struct h5 *h = rec->impl;
  lam__h5_reason m;
  lam__h5_reason_take(&m);
  /* The driver's errno first: it is the write that failed, not a later
   * consequence. */
  int e = h && lam_h5vfd_errno(h->vfd) ? lam_h5vfd_errno(h->vfd) : m.errnum;
  int named = name && name[0];
  return lam_err_set(err, LAM_EIO, "%s: %s%s%s: %s", rec->part, what,
                     named ? " " : "", named ? name : "",
                     e > 0 ? strerror(e) : (m.text[0] ? m.text : "HDF5 error"));
}

/* After an operation that HDF5 reported done: did the disk take it? */
static int lost(const lam_recorder *rec, lam_err *err, const char *what,
                const char *name) {
  const struct h5 *h = rec->impl;
  return lam_h5vfd_errno(h->vfd) ? h5fail(rec, err, what, name) : LAM_OK;
}

/* ---- small helpers ----------------------------------------------------- */

static char *join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *s = malloc(a + b + 2);
  if (s) {
    snprintf(s, a + b + 2, "%s%s%s", dir,
             (a && dir[a - 1] == '/') || name[0] == '/' ? "" : "/", name);
  }
  return s;
}

/* Replace attribute name of obj (HDF5 cannot rewrite one in place with a
 * different size). Returns < 0 on failure, the stack says why. */
static herr_t drop_attr(hid_t obj, const char *name) {
  htri_t e = H5Aexists(obj, name);
  if (e < 0) {
    return -1;
  }
  return e > 0 ? H5Adelete(obj, name) : 0;
}

static herr_t put_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                       const void *value) {
  if (drop_attr(obj, name) < 0) {
    return -1;
  }
  hid_t sp = H5Screate(H5S_SCALAR);
  if (sp < 0) {
    return -1;
  }
  hid_t a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
  herr_t rc = a < 0 ? -1 : H5Awrite(a, mtype, value);
  if (a >= 0 && H5Aclose(a) < 0) {
    rc = -1;
  }
  H5Sclose(sp);
  return rc;
}

static herr_t put_text(hid_t obj, const char *name, const char *value) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) {
    return -1;
  }
  herr_t rc = -1;
  if (H5Tset_size(t, H5T_VARIABLE) >= 0 &&
      H5Tset_cset(t, H5T_CSET_UTF8) >= 0) {
    rc = put_attr(obj, name, t, t, &value);
  }
  H5Tclose(t);
  return rc;
}

static herr_t put_real(hid_t obj, const char *name, double value) {
  return put_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

static herr_t put_int(hid_t obj, const char *name, int value) {
  return put_attr(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
}

/* Link-creation list that makes missing parent groups ("/probe" for
 * "/probe/depth_um"). */
static hid_t lcpl_parents(void) {
  hid_t l = H5Pcreate(H5P_LINK_CREATE);
  if (l >= 0 && H5Pset_create_intermediate_group(l, 1) < 0) {
    H5Pclose(l);
    return -1;
  }
  return l;
}

/* A float64 dataset of shape 0 x tail[0] x ... (rank dims), extendible along
 * the first dimension, chunked chunk rows at a time. */
static hid_t create_ext(hid_t file, const char *name, int rank,
                        const hsize_t *tail, hsize_t chunk, const char *unit) {
  hsize_t dims[3], maxd[3], cd[3];
  dims[0] = 0;
  maxd[0] = H5S_UNLIMITED;
  cd[0] = chunk;
  for (int i = 1; i < rank; i++) {
    dims[i] = maxd[i] = cd[i] = tail[i - 1];
  }
  hid_t sp = H5Screate_simple(rank, dims, maxd);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t lcpl = lcpl_parents();
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  hid_t ds = -1;
  /* No fill values: append() writes every row it adds to the extent, so a
   * fill is never seen; with one, HDF5 passes each new chunk through its
   * chunk cache, copying every sample once more (80 MB for 10 s of 1000
   * Jansen-Rit columns at 1 kHz; H5Dwrite 64x the instructions). Only the
   * rows of a write that failed (the file then stays PATH.part, incomplete)
   * read as undefined instead of 0.
   * No chunk cache: every chunk is written once and never read back, but
   * HDF5 keeps chunks smaller than its cache (1 MB and 521 chunks per
   * dataset) as dirty copies until evicted: ~1 MB per dataset for nothing,
   * the /time dataset's share growing for its first 133,000 samples. With
   * the cache at 0 bytes and no fill, H5Dwrite writes straight to the file. */
  if (sp >= 0 && dcpl >= 0 && lcpl >= 0 && dapl >= 0 &&
      H5Pset_chunk(dcpl, rank, cd) >= 0 &&
      H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0 &&
      H5Pset_chunk_cache(dapl, 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT) >= 0) {
    ds = H5Dcreate2(file, name, H5T_IEEE_F64LE, sp, lcpl, dcpl, dapl);
  }
  if (ds >= 0 && unit && put_text(ds, "unit", unit) < 0) {
    H5Dclose(ds);
    ds = -1;
  }
  if (dapl >= 0) {
    H5Pclose(dapl);
  }
  if (lcpl >= 0) {
    H5Pclose(lcpl);
  }
  if (dcpl >= 0) {
    H5Pclose(dcpl);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  return ds;
}

/* Rows [off, off + nrows) of an extendible dataset from buf. */
static herr_t append(hid_t ds, int rank, const hsize_t *tail, hsize_t off,
                     hsize_t nrows, const double *buf) {
  hsize_t size[3], start[3] = {0, 0, 0}, count[3];
  size[0] = off + nrows;
  start[0] = off;
  count[0] = nrows;
  for (int i = 1; i < rank; i++) {
    size[i] = count[i] = tail[i - 1];
  }
  if (H5Dset_extent(ds, size) < 0) {
    return -1;
  }
  hid_t fs = H5Dget_space(ds);
  if (fs < 0) {
    return -1;
  }
  hid_t ms = H5Screate_simple(rank, count, NULL);
  herr_t rc = -1;
  if (ms >= 0 &&
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0) {
    rc = H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf);
  }
  if (ms >= 0) {
    H5Sclose(ms);
  }
  H5Sclose(fs);
  return rc;
}

static void pop_tail(const lam_recorder *rec, size_t pop, hsize_t tail[2]) {
  tail[0] = rec->sys.pops[pop].ncols;
  tail[1] = rec->sys.pops[pop].nunits;
}

/* ---- labelled dimensions (HDF5 dimension scales) ----------------------- */

/* Name the axes of ds (labels[i], NULL: none) and make /time the coordinate
 * of its first axis (time >= 0). h5py: ds.dims[0].label, ds.dims[0][0]. */
static herr_t label_axes(hid_t ds, hid_t time, const char *const *labels,
                         int rank) {
  if (time >= 0 && H5DSattach_scale(ds, time, 0) < 0) {
    return -1;
  }
  for (int i = 0; i < rank; i++) {
    if (labels[i] && H5DSset_label(ds, (unsigned)i, labels[i]) < 0) {
      return -1;
    }
  }
  return 0;
}

/* The column and unit axes of /traces/<pop> and /final/<pop>, and what the
 * unit axis indexes when the system says (attribute unit_axis). */
static herr_t label_pop(const lam_recorder *rec, size_t pop, hid_t ds,
                        hid_t time) {
  static const char *const traces[3] = {"time", "column", "unit"};
  static const char *const final[2] = {"column", "unit"};
  herr_t r = time >= 0 ? label_axes(ds, time, traces, 3)
                       : label_axes(ds, -1, final, 2);
  const lam_system *sys = &rec->sys;
  const char *what = sys->ops->unit_axis
                         ? sys->ops->unit_axis(sys->self, pop)
                         : NULL;
  if (r >= 0 && what && put_text(ds, "unit_axis", what) < 0) {
    r = -1;
  }
  return r;
}

/* Label axis dim of the open dataset ds; scale (NULL: none) is the absolute
 * path of a rank-1 dataset as long as that axis, made its coordinate. */
static int apply_label(const lam_recorder *rec, hid_t ds, const char *name,
                       unsigned dim, const char *label, const char *scale,
                       lam_err *err) {
  h5 *h = rec->impl;
  hid_t sp = H5Dget_space(ds);
  hsize_t dims[3] = {0, 0, 0};
  int rank = sp >= 0 ? H5Sget_simple_extent_dims(sp, dims, NULL) : -1;
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (rank < 0) {
    return h5fail(rec, err, "cannot read the shape of", name);
  }
  if ((int)dim >= rank) {
    return lam_err_set(err, LAM_EINVAL, "%s: %s: expected an axis below %d, "
                       "found %u", rec->part, name, rank, dim);
  }
  if (H5DSset_label(ds, dim, label) < 0) {
    return h5fail(rec, err, "cannot label", name);
  }
  if (!scale) {
    return lost(rec, err, "cannot label", name);
  }
  hid_t sc = H5Dopen2(h->file, scale, H5P_DEFAULT);
  if (sc < 0) {
    return h5fail(rec, err, "no coordinate dataset", scale);
  }
  hsize_t n = 0;
  sp = H5Dget_space(sc);
  int srank = sp >= 0 ? H5Sget_simple_extent_dims(sp, &n, NULL) : -1;
  if (sp >= 0) {
    H5Sclose(sp);
  }
  int rc = LAM_OK;
  if (srank != 1 || n != dims[dim]) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: coordinate %s: expected %llu "
                     "values (axis %u), found %s%llu", rec->part, name, scale,
                     (unsigned long long)dims[dim], dim,
                     srank == 1 ? "" : "a dataset of rank != 1 with ",
                     (unsigned long long)n);
  } else if ((H5DSis_scale(sc) <= 0 &&
              (H5DSset_scale(sc, label) < 0 ||
               H5DSset_label(sc, 0, label) < 0)) ||
             H5DSattach_scale(ds, sc, dim) < 0) {
    rc = h5fail(rec, err, "cannot attach coordinate", scale);
  }
  H5Dclose(sc);
  return rc ? rc : lost(rec, err, "cannot label", name);
}

static h5series *find_series(h5 *h, const char *full) {
  for (size_t i = 0; i < h->ns; i++) {
    if (strcmp(h->s[i].name, full) == 0) {
      return &h->s[i];
    }
  }
  return NULL;
}

/* ---- back end ------------------------------------------------------------ */

static int h5_close(lam_recorder *rec, int complete, lam_err *err);

static int h5_open(lam_recorder *rec, lam_err *err) {
  /* The library never prints: HDF5 errors come back through lam_err. */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  h5 *h = calloc(1, sizeof *h);
  if (!h) {
    return LAM_NOMEM(err);
  }
  h->file = h->time = -1;
  rec->impl = h;
  h->traces = malloc((rec->nrec ? rec->nrec : 1) * sizeof *h->traces);
  if (!h->traces) {
    free(h);
    rec->impl = NULL;
    return LAM_NOMEM(err);
  }
  for (size_t k = 0; k < rec->nrec; k++) {
    h->traces[k] = -1;
  }
  /* 1.10 file format: extensible-array chunk indexes (the 1.8 format's v1
   * B-tree grew ~5 kB per simulated second of a 10-column network recorded
   * at 1 kHz), and dense attribute storage for long model texts. Readable by
   * HDF5 1.10.0 and later (Debian's h5py 3.7 on 1.10.8), not by 1.8. */
  int vrc = lam_h5vfd_new(lam_outfile_fd(rec->of), &h->vfd, err);
  if (vrc) {
    h5_close(rec, 0, NULL);
    return vrc;
  }
  hid_t fapl = lam_h5vfd_fapl(h->vfd);
  if (fapl >= 0) {
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_LATEST);
    /* The name is only what HDF5 reports; the driver writes to the
     * descriptor lam_outfile created (exclusively, no symbolic link). */
    h->file = H5Fcreate(rec->part, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
  }
  if (h->file < 0) {
    int rc = h5fail(rec, err, "cannot create HDF5 file", "");
    h5_close(rec, 0, NULL);
    return rc;
  }
  int rc = LAM_OK;
  h->time = create_ext(h->file, "/time", 1, NULL, rec->chunk, "s");
  /* /time is the coordinate of the first axis of every time series. */
  if (h->time >= 0 && H5DSset_scale(h->time, "time") < 0) {
    H5Dclose(h->time);
    h->time = -1;
  }
  if (h->time < 0) {
    rc = h5fail(rec, err, "cannot create", "/time");
  }
  for (size_t k = 0; !rc && k < rec->nrec; k++) {
    const lam_pop_info *p = &rec->sys.pops[rec->pops[k]];
    hsize_t tail[2];
    pop_tail(rec, rec->pops[k], tail);
    char *name = join("/traces", p->name);
    if (!name) {
      rc = LAM_NOMEM(err);
      break;
    }
    h->traces[k] = create_ext(h->file, name, 3, tail, rec->chunk,
                              p->unit ? p->unit : "");
    if (h->traces[k] < 0 ||
        (p->layer && p->layer[0] && put_text(h->traces[k], "layer", p->layer) < 0) ||
        (p->doc && put_text(h->traces[k], "doc", p->doc) < 0) ||
        label_pop(rec, rec->pops[k], h->traces[k], h->time) < 0) {
      rc = h5fail(rec, err, "cannot create", name);
    }
    free(name);
  }
  if (!rc && put_int(h->file, "complete", 0) < 0) {
    rc = h5fail(rec, err, "cannot write attribute", "complete");
  }
  if (!rc) {
    rc = lost(rec, err, "cannot write", "");
  }
  if (rc) {
    h5_close(rec, 0, NULL);
  }
  return rc;
}

static int h5_flush(lam_recorder *rec, lam_err *err) {
  h5 *h = rec->impl;
  if (append(h->time, 1, NULL, rec->nsamples, rec->nbuf, rec->tbuf) < 0) {
    return h5fail(rec, err, "cannot write", "/time");
  }
  for (size_t k = 0; k < rec->nrec; k++) {
    hsize_t tail[2];
    pop_tail(rec, rec->pops[k], tail);
    if (append(h->traces[k], 3, tail, rec->nsamples, rec->nbuf,
               rec->pbuf[k]) < 0) {
      char name[256];
      snprintf(name, sizeof name, "/traces/%s",
               rec->sys.pops[rec->pops[k]].name);
      return h5fail(rec, err, "cannot write", name);
    }
  }
  return lost(rec, err, "cannot write", "/time and /traces");
}

static int series_flush(lam_recorder *rec, h5series *s, lam_err *err) {
  if (s->nbuf == 0) {
    return LAM_OK;
  }
  hsize_t tail[1] = {s->width};
  herr_t r = append(s->ds, 2, tail, s->n, s->nbuf, s->buf);
  if (r >= 0) {
    s->n += s->nbuf;
  }
  s->nbuf = 0;
  return r < 0 ? h5fail(rec, err, "cannot write", s->name)
               : lost(rec, err, "cannot write", s->name);
}

static int h5_series(lam_recorder *rec, const char *name, const char *unit,
                     const double *row, size_t width, lam_err *err) {
  h5 *h = rec->impl;
  h5series *s = NULL;
  char *full = join("/", name);
  if (!full) {
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < h->ns; i++) {
    if (strcmp(h->s[i].name, full) == 0) {
      s = &h->s[i];
      break;
    }
  }
  if (s) {
    free(full);
    if (width != s->width) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: series %s: expected %zu values per sample like "
                         "the first, found %zu",
                         rec->part, s->name, s->width, width);
    }
  } else {
    if (h->ns == h->caps) {
      size_t cap = h->caps ? 2 * h->caps : 4;
      h5series *ns = realloc(h->s, cap * sizeof *ns);
      if (!ns) {
        free(full);
        return LAM_NOMEM(err);
      }
      h->s = ns;
      h->caps = cap;
    }
    size_t chunk = LAM__REC_BUF_BYTES / (width * sizeof(double));
    chunk = chunk > LAM__REC_CHUNK ? LAM__REC_CHUNK : (chunk ? chunk : 1);
    double *buf = malloc(chunk * width * sizeof *buf);
    if (!buf) {
      free(full);
      return LAM_NOMEM(err);
    }
    hsize_t tail[1] = {width};
    hid_t ds = create_ext(h->file, full, 2, tail, chunk, unit ? unit : "");
    static const char *const time_axis[1] = {"time"};
    if (ds >= 0 && label_axes(ds, h->time, time_axis, 1) < 0) {
      H5Dclose(ds);
      ds = -1;
    }
    if (ds < 0) {
      int rc = h5fail(rec, err, "cannot create series", full);
      free(buf);
      free(full);
      return rc;
    }
    s = &h->s[h->ns++];
    *s = (h5series){full, width, chunk, ds, buf, 0, 0};
    for (size_t i = 0; i < h->nax; i++) {
      h5axis *a = &h->ax[i];
      if (a->name && strcmp(a->name, full) == 0) {
        int rc = apply_label(rec, ds, full, a->dim, a->label, a->scale, err);
        if (rc) {
          return rc;
        }
      }
    }
  }
  memcpy(s->buf + s->nbuf * width, row, width * sizeof *row);
  s->nbuf++;
  return s->nbuf == s->chunk ? series_flush(rec, s, err) : LAM_OK;
}

/* A contiguous float64 dataset at an absolute path, parents created. */
static hid_t write_whole(hid_t file, const char *name, int rank,
                         const hsize_t *dims, const double *data,
                         const char *unit) {
  hid_t sp = H5Screate_simple(rank, dims, NULL);
  hid_t lcpl = lcpl_parents();
  hid_t ds = -1;
  if (sp >= 0 && lcpl >= 0) {
    ds = H5Dcreate2(file, name, H5T_IEEE_F64LE, sp, lcpl, H5P_DEFAULT,
                    H5P_DEFAULT);
  }
  if (ds >= 0 &&
      (H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ||
       (unit && put_text(ds, "unit", unit) < 0))) {
    H5Dclose(ds);
    ds = -1;
  }
  if (lcpl >= 0) {
    H5Pclose(lcpl);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  return ds;
}

static int h5_final_pop(lam_recorder *rec, size_t pop, double t,
                        const double *values, lam_err *err) {
  h5 *h = rec->impl;
  const lam_pop_info *p = &rec->sys.pops[pop];
  char *name = join("/final", p->name);
  if (!name) {
    return LAM_NOMEM(err);
  }
  /* A second call (a run continued) replaces the earlier final state. */
  htri_t g = H5Lexists(h->file, "/final", H5P_DEFAULT);
  htri_t e = g > 0 ? H5Lexists(h->file, name, H5P_DEFAULT) : 0;
  int rc = LAM_OK;
  if (g < 0 || e < 0 || (e > 0 && H5Ldelete(h->file, name, H5P_DEFAULT) < 0)) {
    rc = h5fail(rec, err, "cannot replace", name);
  }
  hsize_t dims[2];
  pop_tail(rec, pop, dims);
  hid_t ds = rc ? -1 : write_whole(h->file, name, 2, dims, values,
                                   p->unit ? p->unit : "");
  if (!rc && (ds < 0 || put_real(ds, "t", t) < 0 ||
              label_pop(rec, pop, ds, -1) < 0)) {
    rc = h5fail(rec, err, "cannot write", name);
  }
  if (ds >= 0) {
    H5Dclose(ds);
  }
  if (!rc) {
    rc = lost(rec, err, "cannot write", name);
  }
  free(name);
  return rc;
}

static int h5_dataset(lam_recorder *rec, const char *name, const char *unit,
                      const double *data, int rank, const size_t *dims,
                      lam_err *err) {
  h5 *h = rec->impl;
  char *full = join("/", name);
  if (!full) {
    return LAM_NOMEM(err);
  }
  hsize_t hd[3];
  for (int i = 0; i < rank; i++) {
    hd[i] = dims[i];
  }
  hid_t ds = write_whole(h->file, full, rank, hd, data, unit);
  int rc = ds < 0 ? h5fail(rec, err, "cannot write dataset", full) : LAM_OK;
  if (ds >= 0) {
    H5Dclose(ds);
  }
  if (!rc) {
    rc = lost(rec, err, "cannot write dataset", full);
  }
  free(full);
  return rc;
}

static char *dup_text(const char *s) {
  char *d = s ? malloc(strlen(s) + 1) : NULL;
  if (d) {
    memcpy(d, s, strlen(s) + 1);
  }
  return d;
}

static int h5_label(lam_recorder *rec, const char *name, unsigned dim,
                    const char *label, const char *scale, lam_err *err) {
  h5 *h = rec->impl;
  char *full = join("/", name);
  if (!full) {
    return LAM_NOMEM(err);
  }
  int rc = LAM_OK;
  h5series *s = find_series(h, full);
  hid_t ds = -1;
  if (!s) {
    /* H5Lexists fails on a missing parent group: that is "no" here. */
    htri_t e = H5Lexists(h->file, full, H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    ds = e > 0 ? H5Dopen2(h->file, full, H5P_DEFAULT) : -1;
    if (e > 0 && ds < 0) {
      rc = h5fail(rec, err, "not a dataset:", full);
    }
  }
  if (!rc && (s || ds >= 0)) {
    rc = apply_label(rec, s ? s->ds : ds, full, dim, label, scale, err);
  } else if (!rc) {
    /* A series whose first sample has not come yet. */
    if (h->nax == h->capax) {
      size_t cap = h->capax ? 2 * h->capax : 4;
      h5axis *na = realloc(h->ax, cap * sizeof *na);
      if (!na) {
        free(full);
        return LAM_NOMEM(err);
      }
      h->ax = na;
      h->capax = cap;
    }
    h5axis *a = &h->ax[h->nax];
    *a = (h5axis){full, dup_text(label), scale ? dup_text(scale) : NULL, dim};
    if (!a->label || (scale && !a->scale)) {
      free(a->label);
      free(a->scale);
      free(full);
      return LAM_NOMEM(err);
    }
    h->nax++;
    return LAM_OK;
  }
  if (ds >= 0) {
    H5Dclose(ds);
  }
  free(full);
  return rc;
}

static int h5_attr_text(lam_recorder *rec, const char *name,
                        const char *value, lam_err *err) {
  h5 *h = rec->impl;
  return put_text(h->file, name, value) < 0
             ? h5fail(rec, err, "cannot write attribute", name)
             : lost(rec, err, "cannot write attribute", name);
}

static int h5_attr_real(lam_recorder *rec, const char *name, double value,
                        lam_err *err) {
  h5 *h = rec->impl;
  return put_real(h->file, name, value) < 0
             ? h5fail(rec, err, "cannot write attribute", name)
             : lost(rec, err, "cannot write attribute", name);
}

/* Close every object still open in file (ours were closed already; this
 * catches any an error path of HDF5 or ours left), then the file. */
static herr_t close_all(hid_t file) {
  ssize_t n = H5Fget_obj_count(file, H5F_OBJ_ALL & ~H5F_OBJ_FILE);
  if (n > 0) {
    hid_t *ids = malloc((size_t)n * sizeof *ids);
    if (ids) {
      n = H5Fget_obj_ids(file, H5F_OBJ_ALL & ~H5F_OBJ_FILE, (size_t)n, ids);
      for (ssize_t i = 0; i < n; i++) {
        switch (H5Iget_type(ids[i])) {
        case H5I_GROUP:
          H5Gclose(ids[i]);
          break;
        case H5I_DATASET:
          H5Dclose(ids[i]);
          break;
        case H5I_DATATYPE:
          H5Tclose(ids[i]);
          break;
        case H5I_ATTR:
          H5Aclose(ids[i]);
          break;
        default:
          H5Oclose(ids[i]);
          break;
        }
      }
      free(ids);
    }
  }
  return H5Fclose(file);
}

/* Flush the series, mark complete, close every handle. Keeps the first error
 * but closes everything regardless. After lost writes nothing more is
 * written (the driver would drop it) and the file is marked broken. */
static int h5_close(lam_recorder *rec, int complete, lam_err *err) {
  h5 *h = rec->impl;
  if (!h) {
    return LAM_OK;
  }
  int rc = LAM_OK;
  for (size_t i = 0; i < h->ns; i++) {
    if (h->file >= 0 && !lam_h5vfd_errno(h->vfd)) {
      int r = series_flush(rec, &h->s[i], rc ? NULL : err);
      rc = rc ? rc : r;
    }
    H5Dclose(h->s[i].ds);
    free(h->s[i].buf);
    free(h->s[i].name);
  }
  free(h->s);
  for (size_t i = 0; i < h->nax; i++) {
    free(h->ax[i].name);
    free(h->ax[i].label);
    free(h->ax[i].scale);
  }
  free(h->ax);
  if (h->file >= 0 && !lam_h5vfd_errno(h->vfd) &&
      put_int(h->file, "complete", complete && !rc) < 0 && !rc) {
    rc = h5fail(rec, err, "cannot write attribute", "complete");
  }
  for (size_t k = 0; k < rec->nrec; k++) {
    if (h->traces[k] >= 0) {
      H5Dclose(h->traces[k]);
    }
  }
  if (h->time >= 0) {
    H5Dclose(h->time);
  }
  if (h->file >= 0 && close_all(h->file) < 0 && !rc) {
    rc = h5fail(rec, err, "cannot close", "");
  }
  if (!rc) {
    rc = lost(rec, err, "cannot write", "");
  }
  if (lam_h5vfd_errno(h->vfd)) {
    rec->broken = 1;
  }
  H5Eclear2(H5E_DEFAULT);
  lam_h5vfd_free(h->vfd);
  free(h->traces);
  free(h);
  rec->impl = NULL;
  return rc;
}

/* complete = 1 back to 0 in the closed file (its rename failed). */
static int h5_unmark(lam_recorder *rec, int fd, lam_err *err) {
  lam_h5vfd *v = NULL;
  int rc = lam_h5vfd_new(fd, &v, err);
  if (rc) {
    return rc;
  }
  hid_t fapl = lam_h5vfd_fapl(v);
  hid_t f = fapl >= 0 ? H5Fopen(rec->part, H5F_ACC_RDWR, fapl) : -1;
  if (fapl >= 0) {
    H5Pclose(fapl);
  }
  if (f < 0 || put_int(f, "complete", 0) < 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: cannot mark incomplete", rec->part);
  }
  if (f >= 0 && close_all(f) < 0 && !rc) {
    rc = lam_err_set(err, LAM_EIO, "%s: cannot close", rec->part);
  }
  if (!rc && lam_h5vfd_errno(v)) {
    rc = lam_err_set(err, LAM_EIO, "%s: cannot write: %s", rec->part,
                     strerror(lam_h5vfd_errno(v)));
  }
  H5Eclear2(H5E_DEFAULT);
  lam_h5vfd_free(v);
  return rc;
}

const lam__rec_backend lam__rec_h5 = {
    h5_open,      h5_flush,     h5_series,    h5_final_pop,
    h5_dataset,   h5_attr_text, h5_attr_real, h5_close,
    h5_unmark,    h5_label,
};

/* A text attribute on an object written before (lam_recorder_object_attr_text). */
int lam__h5_object_attr_text(lam_recorder *rec, const char *object,
                             const char *name, const char *value,
                             lam_err *err) {
  h5 *h = rec->impl;
  char *full = join("/", object);
  if (!full) {
    return LAM_NOMEM(err);
  }
  hid_t o = H5Oopen(h->file, full, H5P_DEFAULT);
  int rc = o < 0 || put_text(o, name, value) < 0
               ? h5fail(rec, err, "cannot write attribute of", full)
               : LAM_OK;
  if (o >= 0) {
    H5Oclose(o);
  }
  free(full);
  return rc;
}
