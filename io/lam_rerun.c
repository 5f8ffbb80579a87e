/* lam_rerun.c: build the model of a recorded run from its file alone (see
 * lam_rerun.h). */
#include "lam_rerun.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_csv.h"
#include "lam_hash.h"
#include "lam_provenance.h"

/* Largest text attribute read (the model text). */
#define MAX_TEXT ((size_t)16 << 20)

struct lam_rerun {
  lam_model *m;
  char dir[1100];   /* the private folder, "" when not made */
  char **files;     /* written there */
  size_t nfiles;
};

/* ---- reading the run file ------------------------------------------------
 * Root attributes and /inputs/ only, every size checked before use. Kept
 * together so that it can move onto a general checked run-file reader. */

typedef struct h5msg {
  char text[256];
} h5msg;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
  h5msg *m = data;
  if (n == 0 && e->desc) {
    snprintf(m->text, sizeof m->text, "%s", e->desc);
  }
  return 0;
}

/* "RUN.h5: WHAT NAME: WHY", WHY from the HDF5 error stack when there is one. */
static int h5err(lam_err *err, const char *file, const char *what,
                 const char *name, const char *why) {
  h5msg m = {""};
  if (!why) {
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, &m);
    why = m.text[0] ? m.text : "HDF5 error";
  }
  H5Eclear2(H5E_DEFAULT);
  return lam_err_set(err, LAM_EINVAL, "%s: %s %s: %s", file, what, name, why);
}

/* A scalar (one-element) dataspace. */
static int one_element(hid_t a) {
  hid_t sp = H5Aget_space(a);
  if (sp < 0) {
    return 0;
  }
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  return n == 1;
}

/* Root attribute name as text (malloc'ed in *out). Missing: LAM_ENOTFOUND. */
static int read_text(hid_t f, const char *file, const char *name, char **out,
                     lam_err *err) {
  *out = NULL;
  htri_t ex = H5Aexists(f, name);
  if (ex <= 0) {
    if (ex < 0) {
      return h5err(err, file, "attribute", name, NULL);
    }
    lam_err_set(err, LAM_ENOTFOUND, "%s: attribute %s: not found", file, name);
    return LAM_ENOTFOUND;
  }
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  if (a < 0) {
    return h5err(err, file, "attribute", name, NULL);
  }
  hid_t t = H5Aget_type(a);
  int rc = LAM_OK;
  if (t < 0 || H5Tget_class(t) != H5T_STRING || !one_element(a)) {
    rc = h5err(err, file, "attribute", name, "expected one text value");
  } else if (H5Tis_variable_str(t) > 0) {
    hid_t mt = H5Tcopy(H5T_C_S1);
    char *v = NULL;
    if (mt < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
        H5Tset_cset(mt, H5Tget_cset(t)) < 0 || H5Aread(a, mt, &v) < 0) {
      rc = h5err(err, file, "attribute", name, NULL);
    } else if (!v) {
      rc = h5err(err, file, "attribute", name, "expected text, found none");
    } else if (strlen(v) > MAX_TEXT) {
      rc = h5err(err, file, "attribute", name, "text longer than 16 MiB");
    } else if (!(*out = strdup(v))) {
      rc = LAM_NOMEM(err);
    }
    if (v) {
      H5free_memory(v);
    }
    if (mt >= 0) {
      H5Tclose(mt);
    }
  } else {
    size_t n = H5Tget_size(t);
    hid_t mt = H5Tcopy(t);
    if (n == 0 || n > MAX_TEXT) {
      rc = h5err(err, file, "attribute", name, "text size out of range");
    } else if (!(*out = calloc(n + 1, 1))) {
      rc = LAM_NOMEM(err);
    } else if (mt < 0 || H5Aread(a, mt, *out) < 0) {
      rc = h5err(err, file, "attribute", name, NULL);
    }
    if (mt >= 0) {
      H5Tclose(mt);
    }
  }
  if (t >= 0) {
    H5Tclose(t);
  }
  H5Aclose(a);
  if (rc) {
    free(*out);
    *out = NULL;
  }
  return rc;
}

static int read_real(hid_t f, const char *file, const char *name, double *out,
                     lam_err *err) {
  if (H5Aexists(f, name) <= 0) {
    return h5err(err, file, "attribute", name, "not found");
  }
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  if (a < 0) {
    return h5err(err, file, "attribute", name, NULL);
  }
  hid_t t = H5Aget_type(a);
  H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  int rc = LAM_OK;
  if ((c != H5T_FLOAT && c != H5T_INTEGER) || !one_element(a)) {
    rc = h5err(err, file, "attribute", name, "expected one number");
  } else if (H5Aread(a, H5T_NATIVE_DOUBLE, out) < 0) {
    rc = h5err(err, file, "attribute", name, NULL);
  }
  if (t >= 0) {
    H5Tclose(t);
  }
  H5Aclose(a);
  return rc;
}

/* 1 when the link path exists in f, checking each parent (H5Lexists fails
 * on a missing parent). */
static int has_link(hid_t f, const char *group, const char *name) {
  if (H5Lexists(f, group, H5P_DEFAULT) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return 0;
  }
  char p[700];
  snprintf(p, sizeof p, "%s/%s", group, name);
  htri_t e = H5Lexists(f, p, H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return e > 0;
}

/* The rank-2 float dataset path into mat, its size checked first. */
static int read_matrix(hid_t f, const char *file, const char *path,
                       lam_matrix *mat, lam_err *err) {
  mat->rows = mat->cols = 0;
  mat->data = NULL;
  hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  if (ds < 0) {
    return h5err(err, file, "dataset", path, NULL);
  }
  hid_t t = H5Dget_type(ds);
  hid_t sp = H5Dget_space(ds);
  int rc = LAM_OK;
  hsize_t d[2] = {0, 0};
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  if (t < 0 || H5Tget_class(t) != H5T_FLOAT) {
    rc = h5err(err, file, "dataset", path, "expected floating-point values");
  } else if (rank != 2) {
    char why[64];
    snprintf(why, sizeof why, "expected rank 2 (rows x columns), found %d",
             rank);
    rc = h5err(err, file, "dataset", path, why);
  } else if (H5Sget_simple_extent_dims(sp, d, NULL) < 0) {
    rc = h5err(err, file, "dataset", path, NULL);
  } else if (d[0] == 0 || d[1] == 0 || d[0] > LAM_RERUN_MAX_VALUES ||
             d[1] > LAM_RERUN_MAX_VALUES / d[0]) {
    char why[160];
    snprintf(why, sizeof why,
             "expected 1 to %zu values, found %llu x %llu",
             LAM_RERUN_MAX_VALUES, (unsigned long long)d[0],
             (unsigned long long)d[1]);
    rc = h5err(err, file, "dataset", path, why);
  } else {
    mat->rows = (size_t)d[0];
    mat->cols = (size_t)d[1];
    mat->data = malloc(mat->rows * mat->cols * sizeof *mat->data);
    if (!mat->data) {
      rc = LAM_NOMEM(err);
    } else if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       mat->data) < 0) {
      rc = h5err(err, file, "dataset", path, NULL);
    }
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (t >= 0) {
    H5Tclose(t);
  }
  H5Dclose(ds);
  if (rc) {
    lam_matrix_free(mat);
  }
  return rc;
}

/* ---- writing the inputs back --------------------------------------------- */

/* mat as CSV at path, %.17g: every finite double reads back to the same
 * bits; header: a first row of column names (a stimulus schedule). */
static int write_csv(const char *path, const lam_matrix *mat, int header,
                     lam_err *err) {
  FILE *f = fopen(path, "wx");
  if (!f) {
    return lam_err_set(err, LAM_EIO, "%s: cannot create: %s", path,
                       strerror(errno));
  }
  int bad = 0;
  for (size_t c = 0; header && c < mat->cols && !bad; c++) {
    bad = fprintf(f, "%sc%zu", c ? "," : "", c) < 0;
  }
  if (header && !bad) {
    bad = fputc('\n', f) == EOF;
  }
  for (size_t r = 0; r < mat->rows && !bad; r++) {
    for (size_t c = 0; c < mat->cols && !bad; c++) {
      bad = fprintf(f, "%s%.17g", c ? "," : "",
                    mat->data[r * mat->cols + c]) < 0;
    }
    bad = bad || fputc('\n', f) == EOF;
  }
  int e = errno;
  if (fclose(f) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  return bad ? lam_err_set(err, LAM_EIO, "%s: cannot write: %s", path,
                           strerror(e))
             : LAM_OK;
}

static int make_dir(lam_rerun *r, lam_err *err) {
  if (r->dir[0]) {
    return LAM_OK;
  }
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !tmp[0]) {
    tmp = "/tmp";
  }
  char t[sizeof r->dir];
  int n = snprintf(t, sizeof t, "%s/laminar-from-XXXXXX", tmp);
  if (n < 0 || (size_t)n >= sizeof t) {
    return lam_err_set(err, LAM_EINVAL, "TMPDIR: path too long");
  }
  if (!mkdtemp(t)) {
    return lam_err_set(err, LAM_EIO, "%s: cannot create a private folder: %s",
                       t, strerror(errno));
  }
  memcpy(r->dir, t, sizeof t);
  return LAM_OK;
}

static int add_file(lam_rerun *r, const char *path, lam_err *err) {
  char **f = realloc(r->files, (r->nfiles + 1) * sizeof *f);
  if (!f) {
    return LAM_NOMEM(err);
  }
  r->files = f;
  if (!(f[r->nfiles] = strdup(path))) {
    return LAM_NOMEM(err);
  }
  r->nfiles++;
  return LAM_OK;
}

/* Text attribute input.<name>.<sub>. */
static int input_text(hid_t f, const char *file, const char *name,
                      const char *sub, char **out, lam_err *err) {
  char a[700];
  snprintf(a, sizeof a, "input.%s.%s", name, sub);
  return read_text(f, file, a, out, err);
}

/* One input: written back from /inputs/<name>, or checked at its recorded
 * path; then the model key points at the file to read. */
static int restore_input(lam_rerun *r, hid_t f, const char *file,
                         const char *name, lam_err *err) {
  char *path = NULL, *sha = NULL, *sec = NULL, *key = NULL;
  int rc = input_text(f, file, name, "path", &path, err);
  if (!rc) {
    rc = input_text(f, file, name, "sha256", &sha, err);
  }
  if (!rc) {
    rc = input_text(f, file, name, "section", &sec, err);
  }
  if (!rc) {
    rc = input_text(f, file, name, "key", &key, err);
  }
  char where[1400], use[1200];
  snprintf(where, sizeof where, "--from %s: input %s", file, name);
  if (!rc && has_link(f, "/inputs", name)) {
    char ds[700], a[700];
    snprintf(ds, sizeof ds, "/inputs/%s", name);
    snprintf(a, sizeof a, "input.%s.header", name);
    double header = 0;
    lam_matrix mat;
    rc = read_real(f, file, a, &header, err);
    if (!rc) {
      rc = read_matrix(f, file, ds, &mat, err);
    }
    if (!rc) {
      rc = make_dir(r, err);
      if (!rc) {
        snprintf(use, sizeof use, "%s/%s.csv", r->dir, name);
        rc = write_csv(use, &mat, header != 0, err);
      }
      if (!rc) {
        rc = add_file(r, use, err);
      }
      lam_matrix_free(&mat);
    }
  } else if (!rc) {
    /* No stored array (--no-inputs): the recorded file, if unchanged. */
    char hex[LAM_SHA256_HEX];
    lam_err e2 = {0, ""};
    if (lam_hash_file(path, hex, NULL, &e2) != LAM_OK) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: input %s is not stored in the file (--no-inputs) "
                       "and its recorded file cannot be read: %s",
                       file, name, e2.msg);
    } else if (strcmp(hex, sha) != 0) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: input %s: %s has changed since the run (SHA-256 "
                       "%s, recorded %s) and the file stores no copy "
                       "(--no-inputs)",
                       file, name, path, hex, sha);
    }
    snprintf(use, sizeof use, "%s", path);
  }
  if (!rc) {
    rc = lam_model_override(r->m, sec, key, use, where, err);
  }
  free(path);
  free(sha);
  free(sec);
  free(key);
  return rc;
}

static int load(lam_rerun *r, hid_t f, const char *file, lam_err *err) {
  char *text = NULL, *inputs = NULL;
  int rc = read_text(f, file, "model", &text, err);
  if (rc == LAM_ENOTFOUND) {
    lam_err_prefix(err, "expected a run file of `laminar run`: ");
  }
  if (!rc) {
    rc = read_text(f, file, "inputs", &inputs, err);
    if (rc == LAM_ENOTFOUND) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: attribute inputs: not found: the file does not "
                       "say which input files its run read, so it cannot be "
                       "repeated exactly (written by an older laminar?)",
                       file);
    }
  }
  if (!rc) {
    char name[1200];
    snprintf(name, sizeof name, "%s: model", file);
    /* Paths in the recorded text are already resolved: no base folder. */
    rc = lam_model_load_text(r->m, text, name, "", err);
  }
  for (char *s = inputs; !rc && s && *s;) {
    size_t n = strcspn(s, "\n");
    char c = s[n];
    s[n] = '\0';
    if (n) {
      rc = restore_input(r, f, file, s, err);
    }
    s += n + (c != '\0');
  }
  free(text);
  free(inputs);
  return rc;
}

int lam_rerun_new(const char *run_path, lam_rerun **out, lam_err *err) {
  *out = NULL;
  struct stat st;
  if (stat(run_path, &st) != 0) {
    return lam_err_set(err, LAM_EIO, "%s: cannot open run file: %s", run_path,
                       strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected a run file (HDF5), "
                       "found %s", run_path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a special file");
  }
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (H5Fis_hdf5(run_path) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return lam_err_set(err, LAM_EINVAL,
                       "%s: expected an HDF5 run file of `laminar run` "
                       "(a CSV output cannot be repeated: it stores no inputs)",
                       run_path);
  }
  hid_t f = H5Fopen(run_path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    /* A run killed outright leaves a file HDF5 will not open. */
    h5msg m = {""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_cb, &m);
    H5Eclear2(H5E_DEFAULT);
    return lam_err_set(err, LAM_EINVAL, "%s: cannot open the run file: %s",
                       run_path, m.text[0] ? m.text : "HDF5 error");
  }
  lam_rerun *r = calloc(1, sizeof *r);
  int rc = r && (r->m = lam_model_new()) ? LAM_OK : LAM_NOMEM(err);
  if (!rc) {
    rc = load(r, f, run_path, err);
  }
  H5Fclose(f);
  if (rc) {
    lam_rerun_free(r);
    return rc;
  }
  *out = r;
  return LAM_OK;
}

lam_model *lam_rerun_model(lam_rerun *r) { return r->m; }
const char *lam_rerun_dir(const lam_rerun *r) { return r->dir; }

void lam_rerun_free(lam_rerun *r) {
  if (!r) {
    return;
  }
  for (size_t i = 0; i < r->nfiles; i++) {
    unlink(r->files[i]);
    free(r->files[i]);
  }
  free(r->files);
  if (r->dir[0]) {
    rmdir(r->dir);
  }
  lam_model_free(r->m);
  free(r);
}
