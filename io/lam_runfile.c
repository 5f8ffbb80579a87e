/* lam_runfile.c: the checked reader of the run layout (lam_runfile.h).
 *
 * Every size that comes from the file is checked before it sizes an
 * allocation: dimension products with __builtin_mul_overflow, bytes against
 * SIZE_MAX and the reader's limit, chunk sizes likewise (HDF5 allocates a
 * chunk buffer when it reads a filtered chunk), attribute sizes and counts
 * (an attribute of 100 values read into one would overrun it). */
#include "lam_runfile.h"
#include "lam_runfile_private.h"
#include "lam_h5reason.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lam_runfile {
  hid_t f;
  char *name;
  int complete;
  char status[160];
  size_t max_bytes;
  lam_runfile_bytes bytes; /* the file's bytes, for its text (heap.c) */
  unsigned char *image;    /* our copy of an image (bytes.mem) */
  lam_runfile_layout layout;
};

#define MAX_TEXT ((size_t)16 << 20) /* longest text attribute (model texts: kB) */
#define MAX_PATH 512

/* ---- HDF5's reason ------------------------------------------------------ */

typedef struct h5why {
  char text[400];
} h5why;

/* ": <HDF5's reason>" (or "") into w, clearing the stack. */
static const char *why(h5why *w) {
  lam__h5_reason inner;
  lam__h5_reason_take(&inner);
  snprintf(w->text, sizeof w->text, "%s%s", inner.text[0] ? ": " : "",
           inner.text);
  return w->text;
}

static void close_id(hid_t id) {
  if (id >= 0) {
    H5Idec_ref(id);
  }
}

/* ---- sizes ---------------------------------------------------------------- */

static void fmt_bytes(double b, char *out, size_t len) {
  static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  size_t k = 0;
  while (b >= 1024.0 && k + 1 < sizeof unit / sizeof unit[0]) {
    b /= 1024.0;
    k++;
  }
  snprintf(out, len, "%.4g %s", b, unit[k]);
}

/* "51 x 4611686018427387905 x 4" */
static void fmt_dims(const hsize_t *d, int rank, char *out, size_t len) {
  size_t o = 0;
  out[0] = '\0';
  for (int i = 0; i < rank && o < len; i++) {
    int w = snprintf(out + o, len - o, "%s%llu", i ? " x " : "",
                     (unsigned long long)d[i]);
    o += w > 0 ? (size_t)w : 0;
  }
  if (rank == 0) {
    snprintf(out, len, "a single value");
  }
}

/* prod(d[0..rank)) * elsize into *bytes (and the count into *count);
 * 0 on overflow of size_t. */
static int product(const hsize_t *d, int rank, size_t elsize, size_t *count,
                   size_t *bytes) {
  size_t n = 1;
  for (int i = 0; i < rank; i++) {
    if (d[i] > SIZE_MAX || __builtin_mul_overflow(n, (size_t)d[i], &n)) {
      return 0;
    }
  }
  if (count) {
    *count = n;
  }
  return !__builtin_mul_overflow(n, elsize, bytes);
}

static size_t default_max_bytes(void) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  size_t cap = (size_t)64 << 30, half = (size_t)4 << 30;
  if (pages > 0 && page > 0 &&
      (size_t)pages <= SIZE_MAX / (size_t)page) {
    half = (size_t)pages * (size_t)page / 2;
  }
  return half < cap ? half : cap;
}

/* ---- paths ---------------------------------------------------------------- */

/* Does every link of absolute path exist as a hard link? (A soft link may
 * point anywhere, an external link into another file.) */
static int hard_path(hid_t f, const char *path) {
  char buf[MAX_PATH];
  if (!path || path[0] != '/' || strlen(path) >= sizeof buf) {
    return 0;
  }
  if (!strcmp(path, "/")) {
    return 1;
  }
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = strchr(buf + 1, '/');; p = strchr(p + 1, '/')) {
    if (p) {
      *p = '\0';
    }
    H5L_info_t li;
    htri_t e = H5Lexists(f, buf, H5P_DEFAULT);
    if (e <= 0 || H5Lget_info(f, buf, &li, H5P_DEFAULT) < 0 ||
        li.type != H5L_TYPE_HARD) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
    if (!p) {
      return 1;
    }
    *p = '/';
  }
}

int lam_runfile_exists(const lam_runfile *rf, const char *path) {
  return rf && hard_path(rf->f, path);
}

/* ---- attributes ------------------------------------------------------------- */

/* Open attribute attr of obj (named objname in messages): *a = -1 when
 * absent; LAM_EINVAL when it holds other than one value. */
static int attr_open(const lam_runfile *rf, hid_t obj, const char *objname,
                     const char *attr, hid_t *a, lam_err *err) {
  *a = -1;
  h5why w;
  htri_t e = H5Aexists(obj, attr);
  if (e < 0) {
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot look up attribute %s%s",
                       rf->name, objname, attr, why(&w));
  }
  if (e == 0) {
    H5Eclear2(H5E_DEFAULT);
    return LAM_OK;
  }
  hid_t id = H5Aopen(obj, attr, H5P_DEFAULT);
  if (id < 0) {
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot open attribute %s%s",
                       rf->name, objname, attr, why(&w));
  }
  hid_t sp = H5Aget_space(id);
  H5S_class_t cls = sp >= 0 ? H5Sget_simple_extent_type(sp) : H5S_NO_CLASS;
  hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  close_id(sp);
  H5Eclear2(H5E_DEFAULT);
  if (cls != H5S_SCALAR && !(cls == H5S_SIMPLE && np == 1)) {
    close_id(id);
    if (cls == H5S_NULL || np < 0) {
      return lam_err_set(err, LAM_EINVAL, "%s: %s: attribute %s: expected one "
                         "value, found none (empty dataspace)", rf->name,
                         objname, attr);
    }
    return lam_err_set(err, LAM_EINVAL,
                       "%s: %s: attribute %s: expected one value, found %lld",
                       rf->name, objname, attr, (long long)np);
  }
  *a = id;
  return LAM_OK;
}

static const char *class_name(H5T_class_t c) {
  switch (c) {
  case H5T_INTEGER:
    return "an integer";
  case H5T_FLOAT:
    return "a floating-point number";
  case H5T_STRING:
    return "text";
  case H5T_COMPOUND:
    return "a compound type";
  case H5T_ARRAY:
    return "an array type";
  case H5T_ENUM:
    return "an enumeration";
  case H5T_VLEN:
    return "a variable-length sequence";
  case H5T_REFERENCE:
    return "a reference";
  case H5T_OPAQUE:
    return "opaque data";
  case H5T_BITFIELD:
    return "a bit field";
  default:
    return "an unknown type";
  }
}

/* A conversion that leaves a variable-length string as stored (length,
 * global heap collection address, object index), so that HDF5 hands over
 * the reference instead of following it (lam_runfile_heap.c says why). */
static herr_t raw_conv(hid_t src, hid_t dst, H5T_cdata_t *cd, size_t nelmts,
                       size_t bstride, size_t bkgstride, void *buf, void *bkg,
                       hid_t dxpl) {
  (void)nelmts, (void)bstride, (void)bkgstride, (void)buf, (void)bkg, (void)dxpl;
  switch (cd->command) {
  case H5T_CONV_INIT:
    cd->need_bkg = H5T_BKG_NO;
    return H5Tis_variable_str(src) > 0 && H5Tget_class(dst) == H5T_OPAQUE &&
                   H5Tget_size(src) == H5Tget_size(dst)
               ? 0
               : -1;
  case H5T_CONV_CONV:
  case H5T_CONV_FREE:
    return 0; /* the bytes stay as they are */
  default:
    return -1;
  }
}

#define RAW_CONV "laminar raw variable-length string"

/* Variable-length text attribute a (one value): its reference from HDF5,
 * its bytes from the file's global heap (lam_runfile_heap.c). */
static int read_vlen_text(const lam_runfile *rf, hid_t a, const char *objname,
                          const char *attr, char **out, lam_err *err) {
  unsigned char raw[32];
  size_t rawsz = 8 + rf->layout.sa;
  hid_t vs = H5Tcopy(H5T_C_S1), op = H5Tcreate(H5T_OPAQUE, rawsz);
  herr_t hr = -1;
  h5why w;
  if (vs >= 0 && op >= 0 && H5Tset_size(vs, H5T_VARIABLE) >= 0 &&
      H5Tset_tag(op, RAW_CONV) >= 0 &&
      H5Tregister(H5T_PERS_SOFT, RAW_CONV, vs, op, raw_conv) >= 0) {
    hr = H5Aread(a, op, raw);
    H5Tunregister(H5T_PERS_SOFT, RAW_CONV, vs, op, raw_conv);
  }
  int rc = LAM_OK;
  char msg[256];
  if (hr < 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot read attribute %s%s",
                     rf->name, objname, attr, why(&w));
  } else if (!lam__runfile_heap_text(&rf->bytes, &rf->layout, raw, MAX_TEXT,
                                     out, msg, sizeof msg)) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute %s: %s", rf->name,
                     objname, attr, msg);
  }
  close_id(op);
  close_id(vs);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

static int attr_dup_h(const lam_runfile *rf, hid_t obj, const char *objname,
                      const char *attr, char **out, lam_err *err) {
  *out = NULL;
  hid_t a;
  int rc = attr_open(rf, obj, objname, attr, &a, err);
  if (rc || a < 0) {
    return rc;
  }
  h5why w;
  hid_t t = H5Aget_type(a);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  if (cls != H5T_STRING) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute %s: expected text, "
                     "found %s", rf->name, objname, attr, class_name(cls));
  } else if (H5Tis_variable_str(t) > 0) {
    rc = read_vlen_text(rf, a, objname, attr, out, err);
  } else {
    size_t sz = H5Tget_size(t);
    hid_t mt = -1;
    char *s = NULL;
    if (sz == 0 || sz > MAX_TEXT) {
      rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute %s: expected text "
                       "of 1 to %zu bytes, found %zu", rf->name, objname,
                       attr, MAX_TEXT, sz);
    } else if (!(s = calloc(sz + 1, 1))) {
      rc = LAM_NOMEM(err);
    } else if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, sz + 1) < 0 ||
               H5Tset_cset(mt, H5Tget_cset(t)) < 0 ||
               H5Aread(a, mt, s) < 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot read attribute %s%s",
                       rf->name, objname, attr, why(&w));
    } else {
      s[sz] = '\0';
      *out = s;
      s = NULL;
    }
    free(s);
    close_id(mt);
  }
  close_id(t);
  close_id(a);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

static int attr_real_h(const lam_runfile *rf, hid_t obj, const char *objname,
                       const char *attr, double *value, lam_err *err) {
  *value = NAN;
  hid_t a;
  int rc = attr_open(rf, obj, objname, attr, &a, err);
  if (rc || a < 0) {
    return rc;
  }
  h5why w;
  hid_t t = H5Aget_type(a);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  double v = NAN;
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute %s: expected a "
                     "number, found %s", rf->name, objname, attr,
                     class_name(cls));
  } else if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot read attribute %s%s",
                     rf->name, objname, attr, why(&w));
  } else {
    *value = v;
  }
  close_id(t);
  close_id(a);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

/* Open object path for its attributes. */
static int obj_open(const lam_runfile *rf, const char *path, hid_t *o,
                    lam_err *err) {
  *o = -1;
  if (!hard_path(rf->f, path)) {
    return lam_err_set(err, LAM_ENOTFOUND, "%s: no object %s", rf->name,
                       path ? path : "(null)");
  }
  h5why w;
  *o = H5Oopen(rf->f, path, H5P_DEFAULT);
  if (*o < 0) {
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot open%s", rf->name, path,
                       why(&w));
  }
  return LAM_OK;
}

int lam_runfile_attr_dup(const lam_runfile *rf, const char *obj,
                         const char *attr, char **out, lam_err *err) {
  *out = NULL;
  hid_t o;
  int rc = obj_open(rf, obj, &o, err);
  if (!rc) {
    rc = attr_dup_h(rf, o, obj, attr, out, err);
  }
  close_id(o);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

int lam_runfile_attr_text(const lam_runfile *rf, const char *obj,
                          const char *attr, char *buf, size_t len,
                          lam_err *err) {
  char *s;
  if (len) {
    buf[0] = '\0';
  }
  int rc = lam_runfile_attr_dup(rf, obj, attr, &s, err);
  if (!rc && s && strlen(s) >= len) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute %s: expected text "
                     "shorter than %zu bytes, found %zu", rf->name, obj, attr,
                     len, strlen(s));
  } else if (!rc && s) {
    memcpy(buf, s, strlen(s) + 1);
  }
  free(s);
  return rc;
}

int lam_runfile_attr_real(const lam_runfile *rf, const char *obj,
                          const char *attr, double *value, lam_err *err) {
  *value = NAN;
  hid_t o;
  int rc = obj_open(rf, obj, &o, err);
  if (!rc) {
    rc = attr_real_h(rf, o, obj, attr, value, err);
  }
  close_id(o);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

/* ---- datasets ---------------------------------------------------------------- */

/* Open dataset name and check it: float, rank, sizes. hd gets its dims. */
static int ds_open(const lam_runfile *rf, const char *name, int rank,
                   const char *shape, hid_t *ds, hsize_t hd[3], size_t dims[3],
                   lam_err *err) {
  *ds = -1;
  if (rank < 1 || rank > 3) {
    return LAM_INTERNAL(err, "dataset rank outside 1..3");
  }
  if (!hard_path(rf->f, name)) {
    return lam_err_set(err, LAM_ENOTFOUND, "%s: no dataset %s (expected %s)",
                       rf->name, name, shape);
  }
  h5why w;
  H5O_info_t oi;
  /* The basic fields only (the object's type): counting a corrupt header's
   * attributes made libhdf5 1.10.8 follow a null pointer (fuzz corpus
   * regress-hdf5-oinfo-null.h5). */
  if (H5Oget_info_by_name2(rf->f, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot read%s", rf->name, name,
                       why(&w));
  }
  if (oi.type != H5O_TYPE_DATASET) {
    H5Eclear2(H5E_DEFAULT);
    return lam_err_set(err, LAM_EINVAL, "%s: %s: expected a dataset (%s), "
                       "found a %s", rf->name, name, shape,
                       oi.type == H5O_TYPE_GROUP ? "group" : "named datatype");
  }
  hid_t d = H5Dopen2(rf->f, name, H5P_DEFAULT);
  if (d < 0) {
    return lam_err_set(err, LAM_EIO, "%s: %s: cannot open%s", rf->name, name,
                       why(&w));
  }
  int rc = LAM_OK;
  hid_t t = H5Dget_type(d), sp = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  if (t < 0 || sp < 0 || dcpl < 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot read its header%s",
                     rf->name, name, why(&w));
  } else if (cls != H5T_FLOAT ||
             !(H5Tequal(t, H5T_IEEE_F64LE) > 0 || H5Tequal(t, H5T_IEEE_F64BE) > 0 ||
               H5Tequal(t, H5T_IEEE_F32LE) > 0 || H5Tequal(t, H5T_IEEE_F32BE) > 0)) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected %s of 64-bit floats, "
                     "found %s%s of %zu bytes", rf->name, name, shape,
                     class_name(cls), cls == H5T_FLOAT ? " (not IEEE)" : "",
                     H5Tget_size(t));
  }
  int r = -1;
  hsize_t all[H5S_MAX_RANK];
  char found[256] = "";
  if (!rc) {
    H5S_class_t sc = H5Sget_simple_extent_type(sp);
    r = sc == H5S_SIMPLE ? H5Sget_simple_extent_ndims(sp) : sc == H5S_SCALAR ? 0 : -1;
    if (r < 0 || r > H5S_MAX_RANK ||
        (r > 0 && H5Sget_simple_extent_dims(sp, all, NULL) < 0)) {
      rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected %s, found an "
                       "empty dataspace", rf->name, name, shape);
    } else {
      fmt_dims(all, r, found, sizeof found);
      if (r != rank) {
        rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected %s (rank %d), "
                         "found rank %d (%s)", rf->name, name, shape, rank, r,
                         found);
      }
    }
  }
  size_t count = 0, bytes = 0;
  if (!rc && !product(all, rank, sizeof(double), &count, &bytes)) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected %s, found %s: more "
                     "values than memory can address", rf->name, name, shape,
                     found);
  }
  size_t row = 0;
  if (!rc && (!product(all + 1, rank - 1, sizeof(double), NULL, &row) ||
              row > rf->max_bytes)) {
    char lim[32];
    fmt_bytes((double)rf->max_bytes, lim, sizeof lim);
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected %s, found %s: one "
                     "row takes more than the reader's limit of %s", rf->name,
                     name, shape, found, lim);
  }
  if (!rc && H5Pget_layout(dcpl) == H5D_CHUNKED) {
    hsize_t cd[H5S_MAX_RANK];
    int cr = H5Pget_chunk(dcpl, H5S_MAX_RANK, cd);
    size_t cb = 0;
    if (cr < 1 || cr > H5S_MAX_RANK ||
        !product(cd, cr, H5Tget_size(t), NULL, &cb) || cb > rf->max_bytes) {
      char lim[32], cdims[256] = "?";
      if (cr >= 1 && cr <= H5S_MAX_RANK) {
        fmt_dims(cd, cr, cdims, sizeof cdims);
      }
      fmt_bytes((double)rf->max_bytes, lim, sizeof lim);
      rc = lam_err_set(err, LAM_EINVAL, "%s: %s: chunks of %s values: more "
                       "than the reader's limit of %s", rf->name, name, cdims,
                       lim);
    }
  }
  close_id(dcpl);
  close_id(sp);
  close_id(t);
  H5Eclear2(H5E_DEFAULT);
  if (rc) {
    close_id(d);
    return rc;
  }
  for (int i = 0; i < 3; i++) {
    hd[i] = i < rank ? all[i] : 1;
    dims[i] = (size_t)hd[i];
  }
  *ds = d;
  return LAM_OK;
}

int lam_runfile_shape(const lam_runfile *rf, const char *name, int rank,
                      const char *shape, size_t dims[3], lam_err *err) {
  hid_t d;
  hsize_t hd[3];
  int rc = ds_open(rf, name, rank, shape, &d, hd, dims, err);
  close_id(d);
  return rc;
}

int lam_runfile_read(const lam_runfile *rf, const char *name, int rank,
                     const char *shape, size_t r0, size_t r1, double **out,
                     size_t dims[3], lam_err *err) {
  *out = NULL;
  hid_t d;
  hsize_t hd[3];
  int rc = ds_open(rf, name, rank, shape, &d, hd, dims, err);
  if (rc) {
    return rc;
  }
  if (r1 == 0) {
    r1 = dims[0];
  }
  size_t row = dims[1] * dims[2], n = 0, bytes = 0; /* checked in ds_open */
  if (r0 > r1 || r1 > dims[0]) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: rows %zu..%zu asked of its %zu",
                     rf->name, name, r0, r1, dims[0]);
  } else if (__builtin_mul_overflow(r1 - r0, row, &n) ||
             __builtin_mul_overflow(n, sizeof(double), &bytes) ||
             bytes > rf->max_bytes) {
    char need[32], lim[32], found[256];
    fmt_bytes((double)(r1 - r0) * (double)row * 8.0, need, sizeof need);
    fmt_bytes((double)rf->max_bytes, lim, sizeof lim);
    fmt_dims(hd, rank, found, sizeof found);
    rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected %s, found %s: reading "
                     "it takes %s, more than the reader's limit of %s",
                     rf->name, name, shape, found, need, lim);
  }
  double *v = rc ? NULL : malloc(bytes ? bytes : 1);
  if (!rc && !v) {
    rc = LAM_NOMEM(err);
  }
  if (!rc && n > 0) {
    h5why w;
    hsize_t start[3] = {r0, 0, 0}, count[3] = {r1 - r0, hd[1], hd[2]};
    hid_t fs = H5Dget_space(d), ms = -1;
    herr_t hr = -1;
    if (fs >= 0 &&
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
        (ms = H5Screate_simple(rank, count, NULL)) >= 0) {
      hr = H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, v);
    }
    if (hr < 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot read%s", rf->name, name,
                       why(&w));
    }
    close_id(ms);
    close_id(fs);
  }
  close_id(d);
  H5Eclear2(H5E_DEFAULT);
  if (rc) {
    free(v);
    return rc;
  }
  dims[0] = r1 - r0;
  *out = v;
  return LAM_OK;
}

/* ---- /traces -------------------------------------------------------------------- */

typedef struct list_ctx {
  lam_runfile_pop *e;
  size_t n, cap;
  int nomem;
  char bad[160]; /* a member that is not a hard link or whose name is too long */
} list_ctx;

static herr_t list_cb(hid_t g, const char *name, const H5L_info_t *info,
                      void *data) {
  (void)g;
  list_ctx *c = data;
  if (info->type != H5L_TYPE_HARD || strlen(name) >= sizeof c->e->name) {
    snprintf(c->bad, sizeof c->bad, "%.120s%s", name,
             strlen(name) > 120 ? "..." : "");
    return 1; /* stop */
  }
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 16;
    lam_runfile_pop *ne =
        cap < SIZE_MAX / sizeof *ne ? realloc(c->e, cap * sizeof *ne) : NULL;
    if (!ne) {
      c->nomem = 1;
      return -1;
    }
    c->e = ne;
    c->cap = cap;
  }
  lam_runfile_pop *p = &c->e[c->n++];
  memset(p, 0, sizeof *p);
  for (size_t i = 0; name[i]; i++) { /* length checked above */
    p->name[i] = name[i];
  }
  return 0;
}

int lam_runfile_pops(const lam_runfile *rf, int order, lam_runfile_pop **out,
                     size_t *n, lam_err *err) {
  *out = NULL;
  *n = 0;
  if (!hard_path(rf->f, "/traces")) {
    return LAM_OK;
  }
  h5why w;
  H5O_info_t oi;
  if (H5Oget_info_by_name2(rf->f, "/traces", &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
    return lam_err_set(err, LAM_EIO, "%s: /traces: cannot read%s", rf->name,
                       why(&w));
  }
  if (oi.type != H5O_TYPE_GROUP) {
    return lam_err_set(err, LAM_EINVAL, "%s: /traces: expected a group of "
                       "populations, found a %s", rf->name,
                       oi.type == H5O_TYPE_DATASET ? "dataset" : "named datatype");
  }
  hid_t g = H5Gopen2(rf->f, "/traces", H5P_DEFAULT);
  if (g < 0) {
    return lam_err_set(err, LAM_EIO, "%s: /traces: cannot open%s", rf->name,
                       why(&w));
  }
  list_ctx c = {NULL, 0, 0, 0, ""};
  herr_t hr = -1;
  if (order == LAM_RUNFILE_BY_CREATION) {
    hr = H5Literate(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, list_cb, &c);
  }
  if (hr < 0 && !c.nomem) {
    /* Files without creation-order tracking: name order. */
    H5Eclear2(H5E_DEFAULT);
    c.n = 0;
    hr = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, list_cb, &c);
  }
  int rc = LAM_OK;
  if (c.nomem) {
    rc = LAM_NOMEM(err);
  } else if (c.bad[0]) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: /traces/%s: expected a population "
                     "dataset (a hard link, its name shorter than %zu bytes)",
                     rf->name, c.bad, sizeof c.e->name);
  } else if (hr < 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: /traces: cannot list%s", rf->name,
                     why(&w));
  }
  for (size_t i = 0; !rc && i < c.n; i++) {
    lam_runfile_pop *p = &c.e[i];
    char path[160];
    snprintf(path, sizeof path, "/traces/%s", p->name);
    if (H5Oget_info_by_name2(g, p->name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot read%s", rf->name, path,
                       why(&w));
      break;
    }
    if (oi.type != H5O_TYPE_DATASET) {
      rc = lam_err_set(err, LAM_EINVAL, "%s: %s: expected a population "
                       "dataset (samples x columns x units), found a %s",
                       rf->name, path,
                       oi.type == H5O_TYPE_GROUP ? "group" : "named datatype");
      break;
    }
    hid_t d = H5Oopen(g, p->name, H5P_DEFAULT);
    if (d < 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s: cannot open%s", rf->name, path,
                       why(&w));
      break;
    }
    char *s[2] = {NULL, NULL};
    rc = attr_dup_h(rf, d, path, "layer", &s[0], err);
    if (!rc) {
      rc = attr_dup_h(rf, d, path, "unit", &s[1], err);
    }
    close_id(d);
    if (!rc && s[0] && strlen(s[0]) >= sizeof p->layer) {
      rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute layer: expected a "
                       "cortical layer (L1 .. L6), found %zu bytes of text",
                       rf->name, path, strlen(s[0]));
    } else if (!rc && s[1] && strlen(s[1]) >= sizeof p->unit) {
      rc = lam_err_set(err, LAM_EINVAL, "%s: %s: attribute unit: expected a "
                       "unit shorter than %zu bytes, found %zu", rf->name,
                       path, sizeof p->unit, strlen(s[1]));
    } else if (!rc) {
      snprintf(p->layer, sizeof p->layer, "%s", s[0] ? s[0] : "");
      snprintf(p->unit, sizeof p->unit, "%s", s[1] ? s[1] : "");
    }
    free(s[0]);
    free(s[1]);
  }
  close_id(g);
  H5Eclear2(H5E_DEFAULT);
  if (rc) {
    free(c.e);
    return rc;
  }
  *out = c.e;
  *n = c.n;
  return LAM_OK;
}

/* ---- open ------------------------------------------------------------------------- */

/* The root attribute complete: 1, 0, or missing / other (status says). */
static void check_complete(lam_runfile *rf) {
  hid_t a = -1;
  lam_err e = {0, ""};
  rf->complete = 0;
  if (attr_open(rf, rf->f, "/", "complete", &a, &e)) {
    /* e.msg: "NAME: /: attribute complete: expected one value, found N" */
    const char *what = strstr(e.msg, "attribute complete");
    snprintf(rf->status, sizeof rf->status, "root %.150s", what ? what : e.msg);
    return;
  }
  if (a < 0) {
    snprintf(rf->status, sizeof rf->status,
             "no root attribute complete; a finished run has complete = 1");
    return;
  }
  hid_t t = H5Aget_type(a);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  long long v = 0;
  double x = NAN;
  if (cls == H5T_INTEGER && H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0) {
    rf->complete = v == 1;
    snprintf(rf->status, sizeof rf->status, "complete = %lld%s", v,
             v == 0   ? ": the run stopped before its end time"
             : v == 1 ? ""
                      : ", expected 0 or 1");
  } else if (cls == H5T_FLOAT && H5Aread(a, H5T_NATIVE_DOUBLE, &x) >= 0) {
    snprintf(rf->status, sizeof rf->status,
             "complete = %g, a floating-point number, expected the integer 0 "
             "or 1", x);
  } else {
    snprintf(rf->status, sizeof rf->status,
             "root attribute complete is %s, expected the integer 0 or 1",
             class_name(cls));
  }
  close_id(t);
  close_id(a);
  H5Eclear2(H5E_DEFAULT);
}

/* Common to both opens: fapl is consumed; b gives the file's bytes. */
static int open_with(const char *h5name, const char *name, hid_t fapl,
                     const lam_runfile_bytes *b, unsigned flags, lam_runfile **out,
                     lam_err *err) {
  *out = NULL;
  lam_runfile *rf = calloc(1, sizeof *rf);
  char *nm = rf ? malloc(strlen(name) + 1) : NULL;
  if (!rf || !nm) {
    free(rf);
    close_id(fapl);
    return LAM_NOMEM(err);
  }
  memcpy(nm, name, strlen(name) + 1);
  rf->name = nm;
  rf->max_bytes = default_max_bytes();
  rf->bytes.fd = -1;
  h5why w;
  rf->f = fapl >= 0 ? H5Fopen(h5name, H5F_ACC_RDONLY, fapl) : -1;
  /* HDF5's reason first: closing the property list clears the stack. */
  const char *reason = rf->f < 0 ? why(&w) : "";
  close_id(fapl);
  if (rf->f < 0) {
    int rc = lam_err_set(err, LAM_EIO, "%s: cannot open as an HDF5 run file "
                         "(expected the output of `laminar run`)%s", name,
                         reason);
    lam_runfile_free(rf);
    return rc;
  }
  int rc;
  /* The bytes stay readable for the text attributes: an image is copied
   * (the caller's buffer may go), a file's descriptor duplicated. */
  rf->bytes.len = b->len;
  if (b->mem) {
    rf->image = malloc(b->len ? b->len : 1);
    if (!rf->image) {
      lam_runfile_free(rf);
      return LAM_NOMEM(err);
    }
    memcpy(rf->image, b->mem, b->len);
    rf->bytes.mem = rf->image;
  } else if ((rf->bytes.fd = dup(b->fd)) < 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: %s", name, strerror(errno));
    lam_runfile_free(rf);
    return rc;
  }
  if (!lam__runfile_layout(&rf->bytes, &rf->layout)) {
    lam_runfile_free(rf);
    return lam_err_set(err, LAM_EINVAL, "%s: expected an HDF5 superblock with "
                       "addresses and lengths of 2, 4 or 8 bytes", name);
  }
  /* A file that is no run at all is said so before its completeness. */
  if (!hard_path(rf->f, "/time")) {
    lam_runfile_free(rf);
    return lam_err_set(err, LAM_ENOTFOUND, "%s: no /time dataset (expected "
                       "the output of `laminar run`)", name);
  }
  check_complete(rf);
  if (!rf->complete && !(flags & LAM_RUNFILE_PARTIAL)) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: incomplete run: %s; --partial "
                         "reads what is there, marked as incomplete", name,
                         rf->status);
    lam_runfile_free(rf);
    return rc;
  }
  *out = rf;
  return LAM_OK;
}

static hid_t fapl_new(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  /* Closing the file closes whatever a failed path might have left open. */
  if (fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0) {
    close_id(fapl);
    fapl = -1;
  }
  return fapl;
}

int lam_runfile_open(const char *path, unsigned flags, lam_runfile **out,
                     lam_err *err) {
  *out = NULL;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  struct stat st;
  if (!path) {
    return lam_err_set(err, LAM_EINVAL, "no run file given");
  }
  if (stat(path, &st) != 0) {
    int e = errno;
    char part[4200];
    struct stat ps;
    snprintf(part, sizeof part, "%s.part", path);
    if (e == ENOENT && stat(part, &ps) == 0) {
      return lam_err_set(err, LAM_EIO, "%s: %s (only %s exists: the run did "
                         "not complete; --partial on it reads what is there)",
                         path, strerror(e), part);
    }
    return lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    /* A FIFO or device would block or never end. */
    return lam_err_set(err, LAM_EIO, "%s: not a regular file (expected the "
                       "output of `laminar run`)", path);
  }
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    return lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  lam_runfile_bytes b = {NULL, fd, (size_t)st.st_size};
  int rc = open_with(path, path, fapl_new(), &b, flags, out, err);
  close(fd);
  return rc;
}

int lam_runfile_open_image(const void *buf, size_t len, const char *name,
                           unsigned flags, lam_runfile **out, lam_err *err) {
  *out = NULL;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  name = name ? name : "(image)";
  if (!buf || len < 8) {
    return lam_err_set(err, LAM_EIO, "%s: cannot open as an HDF5 run file "
                       "(%zu bytes)", name, buf ? len : 0);
  }
  hid_t fapl = fapl_new();
  if (fapl >= 0 && (H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
                    H5Pset_file_image(fapl, (void *)(uintptr_t)buf, len) < 0)) {
    close_id(fapl);
    fapl = -1;
  }
  /* The core driver refuses an image whose name exists on disk; this one
   * never does (nothing is below /dev/null). HDF5 takes two opens of one
   * name for one file: the name is the image's address and length. */
  char h5name[96];
  snprintf(h5name, sizeof h5name, "/dev/null/lam_runfile_image_%p_%zu", buf,
           len);
  lam_runfile_bytes b = {buf, -1, len};
  return open_with(h5name, name, fapl, &b, flags, out, err);
}

void lam_runfile_free(lam_runfile *rf) {
  if (!rf) {
    return;
  }
  if (rf->f >= 0) {
    H5Fclose(rf->f);
  }
  H5Eclear2(H5E_DEFAULT);
  if (rf->bytes.fd >= 0) {
    close(rf->bytes.fd);
  }
  free(rf->image);
  free(rf->name);
  free(rf);
}

const char *lam_runfile_name(const lam_runfile *rf) {
  return rf ? rf->name : "";
}

int lam_runfile_complete(const lam_runfile *rf) { return rf && rf->complete; }

const char *lam_runfile_status(const lam_runfile *rf) {
  return rf ? rf->status : "";
}

void lam_runfile_set_max_bytes(lam_runfile *rf, size_t bytes) {
  if (rf) {
    rf->max_bytes = bytes;
  }
}

size_t lam_runfile_open_objects(const lam_runfile *rf) {
  if (!rf || rf->f < 0) {
    return 0;
  }
  ssize_t n = H5Fget_obj_count(rf->f, H5F_OBJ_DATASET | H5F_OBJ_GROUP |
                                          H5F_OBJ_DATATYPE | H5F_OBJ_ATTR |
                                          H5F_OBJ_LOCAL);
  return n > 0 ? (size_t)n : 0;
}
