/* lam_provenance.c: the provenance attributes and /inputs/ of a run file
 * (see lam_provenance.h). */
#include "lam_provenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_commit.h"
#include "lam_config.h"
#include "lam_csv.h"
#include "lam_hash.h"

/* Characters a POSIX shell never takes specially inside a word. */
static int shell_safe(const char *s) {
  if (!s[0]) {
    return 0;
  }
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c))) {
      return 0;
    }
  }
  return 1;
}

char *lam_provenance_command_line(int argc, char *const *argv) {
  size_t len = 1;
  for (int i = 0; i < argc; i++) {
    /* Worst case: every character a quote, 4 bytes each, plus '' and ' '. */
    len += 4 * strlen(argv[i]) + 3;
  }
  char *s = malloc(len);
  if (!s) {
    return NULL;
  }
  size_t k = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (i) {
      s[k++] = ' ';
    }
    if (shell_safe(a)) {
      size_t n = strlen(a);
      memcpy(s + k, a, n);
      k += n;
      continue;
    }
    s[k++] = '\'';
    for (; *a; a++) {
      if (*a == '\'') {
        memcpy(s + k, "'\\''", 4);
        k += 4;
      } else {
        s[k++] = *a;
      }
    }
    s[k++] = '\'';
  }
  s[k] = '\0';
  return s;
}

void lam_provenance_timestamp(time_t t, char buf[32]) {
  struct tm tm;
  if (!gmtime_r(&t, &tm) ||
      strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    snprintf(buf, 32, "unknown");
  }
}

int lam_provenance_input_name(const char *section, const char *key, char *buf,
                              size_t len) {
  int n = snprintf(buf, len, "%s.%s", section, key);
  if (n < 0 || (size_t)n >= len) {
    return -1;
  }
  for (char *c = buf; *c; c++) {
    if (*c == '/') {
      *c = '_';
    }
  }
  return 0;
}

static int attr(lam_recorder *rec, const char *name, const char *sub,
                const char *value, lam_err *err) {
  char a[700];
  snprintf(a, sizeof a, "input.%s.%s", name, sub);
  return lam_recorder_attr_text(rec, a, value, err);
}

static int attr_real(lam_recorder *rec, const char *name, const char *sub,
                     double value, lam_err *err) {
  char a[700];
  snprintf(a, sizeof a, "input.%s.%s", name, sub);
  return lam_recorder_attr_real(rec, a, value, err);
}

/* One input file: its hash and size, and (store) its array as the model's
 * reader sees it: a plain matrix, or a table whose first row is a header
 * (lam_csv_read_table: a stimulus schedule). A file neither reader takes is
 * recorded by hash alone. */
static int write_input(lam_recorder *rec, const char *path, const char *sec,
                       const char *key, const char *name, int store,
                       lam_err *err) {
  char hex[LAM_SHA256_HEX];
  uint64_t size = 0;
  int rc = lam_hash_file(path, hex, &size, err);
  if (rc) {
    return lam_err_prefix(err, "provenance of input %s: ", name);
  }
  rc = attr(rec, name, "path", path, err);
  if (!rc) {
    rc = attr(rec, name, "section", sec, err);
  }
  if (!rc) {
    rc = attr(rec, name, "key", key, err);
  }
  if (!rc) {
    rc = attr(rec, name, "sha256", hex, err);
  }
  if (!rc) {
    rc = attr_real(rec, name, "size_bytes", (double)size, err);
  }
  if (rc || !store) {
    return rc;
  }
  lam_matrix mat = {0, 0, NULL};
  lam_err e2 = {0, ""};
  int header = 0;
  if (lam_csv_read(path, &mat, &e2) != LAM_OK) {
    header = 1;
    if (lam_csv_read_table(path, &mat, NULL, &e2) != LAM_OK) {
      return LAM_OK;
    }
  }
  char ds[600];
  snprintf(ds, sizeof ds, "inputs/%s", name);
  size_t dims[2] = {mat.rows, mat.cols};
  rc = lam_recorder_dataset(rec, ds, NULL, mat.data, 2, dims, err);
  lam_matrix_free(&mat);
  if (!rc) {
    rc = attr_real(rec, name, "header", header, err);
  }
  /* The same facts on the dataset, for readers that look there. */
  const char *da[][2] = {{"path", path}, {"sha256", hex}, {"section", sec},
                         {"key", key}};
  for (size_t i = 0; !rc && i < sizeof da / sizeof da[0]; i++) {
    rc = lam_recorder_object_attr_text(rec, ds, da[i][0], da[i][1], err);
  }
  return rc;
}

static int write_inputs(lam_recorder *rec, const lam_model *m, int store,
                        lam_err *err) {
  size_t n = lam_model_ninputs(m);
  size_t cap = 1, len = 0;
  char name[512];
  for (size_t i = 0; i < n; i++) {
    const char *sec, *key;
    lam_model_input(m, i, &sec, &key);
    cap += strlen(sec) + strlen(key) + 2;
  }
  char *list = malloc(cap);
  if (!list) {
    return LAM_NOMEM(err);
  }
  list[0] = '\0';
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    const char *sec, *key;
    const char *path = lam_model_input(m, i, &sec, &key);
    if (lam_provenance_input_name(sec, key, name, sizeof name)) {
      rc = lam_err_set(err, LAM_EINVAL, "input %s.%s: name too long", sec,
                       key);
      break;
    }
    len += (size_t)snprintf(list + len, cap - len, "%s%s", i ? "\n" : "",
                            name);
    rc = write_input(rec, path, sec, key, name, store, err);
  }
  if (!rc) {
    rc = lam_recorder_attr_text(rec, "inputs", list, err);
  }
  free(list);
  return rc;
}

int lam_provenance_write(lam_recorder *rec, lam_model *m,
                         const lam_provenance_opts *o, lam_err *err) {
  char hash[32], created[32], host[256];
  snprintf(hash, sizeof hash, "%016llx",
           (unsigned long long)lam_model_hash(m));
  lam_provenance_timestamp(time(NULL), created);
  if (gethostname(host, sizeof host) != 0) {
    snprintf(host, sizeof host, "unknown");
  }
  host[sizeof host - 1] = '\0';
  const struct {
    const char *name, *value;
  } a[] = {
      {"model", lam_model_text(m)},
      {"model_path", lam_model_path(m)},
      {"model_hash", hash},
      {"commit", LAM_COMMIT},
      {"build", LAM_BUILD},
      {"created", created},
      {"host", host},
  };
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < sizeof a / sizeof a[0]; i++) {
    rc = lam_recorder_attr_text(rec, a[i].name, a[i].value, err);
  }
  if (!rc && o && o->command_line) {
    rc = lam_recorder_attr_text(rec, "command_line", o->command_line, err);
  }
  if (!rc) {
    rc = write_inputs(rec, m, !(o && o->no_inputs), err);
  }
  return rc;
}
