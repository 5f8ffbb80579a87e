/* lam_rerun.c: build the model of a recorded run from its file alone (see
 * lam_rerun.h). */
#include "lam_rerun.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_csv.h"
#include "lam_hash.h"
#include "lam_provenance.h"
#include "lam_runfile.h"

struct lam_rerun {
  lam_model *m;
  char dir[1100];   /* the private folder, "" when not made */
  char **files;     /* written there */
  size_t nfiles;
};

/* ---- reading the run file ------------------------------------------------
 * Root attributes and /inputs/ only, through the checked run-file reader
 * (io/lam_runfile.h): every size checked before use, text attributes copied
 * without trusting the file's heap. */

/* Root attribute name as text (malloc'ed in *out). Missing: LAM_ENOTFOUND. */
static int read_text(const lam_runfile *rf, const char *file, const char *name,
                     char **out, lam_err *err) {
  int rc = lam_runfile_attr_dup(rf, "/", name, out, err);
  if (!rc && !*out) {
    lam_err_set(err, LAM_ENOTFOUND, "%s: attribute %s: not found", file, name);
    return LAM_ENOTFOUND;
  }
  return rc;
}

static int read_real(const lam_runfile *rf, const char *file, const char *name,
                     double *out, lam_err *err) {
  int rc = lam_runfile_attr_real(rf, "/", name, out, err);
  if (!rc && isnan(*out)) {
    return lam_err_set(err, LAM_EINVAL, "%s: attribute %s: not found", file,
                       name);
  }
  return rc;
}

/* The rank-2 float dataset path into mat, its size checked first. */
static int read_matrix(const lam_runfile *rf, const char *file,
                       const char *path, lam_matrix *mat, lam_err *err) {
  mat->rows = mat->cols = 0;
  mat->data = NULL;
  size_t d[3];
  int rc = lam_runfile_shape(rf, path, 2, "rows x columns", d, err);
  if (!rc && (d[0] == 0 || d[1] == 0 || d[0] > LAM_RERUN_MAX_VALUES ||
              d[1] > LAM_RERUN_MAX_VALUES / d[0])) {
    rc = lam_err_set(err, LAM_EINVAL,
                     "%s: dataset %s: expected 1 to %zu values, found %zu x %zu",
                     file, path, LAM_RERUN_MAX_VALUES, d[0], d[1]);
  }
  if (!rc) {
    rc = lam_runfile_read(rf, path, 2, "rows x columns", 0, 0, &mat->data, d,
                          err);
  }
  if (!rc) {
    mat->rows = d[0];
    mat->cols = d[1];
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
static int input_text(const lam_runfile *f, const char *file, const char *name,
                      const char *sub, char **out, lam_err *err) {
  char a[700];
  snprintf(a, sizeof a, "input.%s.%s", name, sub);
  return read_text(f, file, a, out, err);
}

/* One input: written back from /inputs/<name>, or checked at its recorded
 * path; then the model key points at the file to read. */
static int restore_input(lam_rerun *r, const lam_runfile *f, const char *file,
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
  char ds[700];
  snprintf(ds, sizeof ds, "/inputs/%s", name);
  if (!rc && lam_runfile_exists(f, ds)) {
    char a[700];
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

static int load(lam_rerun *r, const lam_runfile *f, const char *file, lam_err *err) {
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
  /* The model and inputs are written when a run starts: a run stopped
   * early (complete = 0) can be repeated too. */
  lam_runfile *f = NULL;
  int orc = lam_runfile_open(run_path, LAM_RUNFILE_PARTIAL, &f, err);
  if (orc) {
    size_t n = strlen(run_path);
    if (n > 4 && strcmp(run_path + n - 4, ".csv") == 0 && err) {
      size_t m = strlen(err->msg);
      snprintf(err->msg + m, sizeof err->msg - m,
               " (a CSV output cannot be repeated: it stores no inputs)");
    }
    return orc;
  }
  lam_rerun *r = calloc(1, sizeof *r);
  int rc = r && (r->m = lam_model_new()) ? LAM_OK : LAM_NOMEM(err);
  if (!rc) {
    rc = load(r, f, run_path, err);
  }
  lam_runfile_free(f);
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
