/* lam_provenance.c: the provenance attributes and /inputs/ of a run file
 * (see lam_provenance.h). */
#include "lam_provenance.h"

#include <stdint.h>
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

const char *lam_provenance_commit(void) { return LAM_COMMIT; }
const char *lam_provenance_build(void) { return LAM_BUILD; }

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

typedef struct inputs {
  const lam_sim_params *p;
  lam_recorder *rec;
  int store;
  lam_err *err;
  char *list;
  size_t len, cap;
} inputs;

/* An array a program gave (lam_sim_params_set_array): no file to hash;
 * the array itself is the record. */
static int write_array(inputs *in, const char *sec, const char *key,
                       const char *name) {
  const lam_given *g = in->p->given;
  const char *bare = sec;
  if (!strncmp(sec, "area.", 5)) {
    const char *dot = strchr(sec + 5, '.');
    for (size_t a = 0; dot && a < in->p->nareas; a++) {
      if (strlen(in->p->area_name[a]) == (size_t)(dot - sec - 5) &&
          !strncmp(in->p->area_name[a], sec + 5, (size_t)(dot - sec - 5))) {
        g = in->p->area_given[a];
        bare = dot + 1;
      }
    }
  }
  const lam_matrix *m = lam_given_matrix(g, bare, key, NULL);
  int rc = attr(in->rec, name, "path", "(array)", in->err);
  if (!rc) {
    rc = attr(in->rec, name, "section", sec, in->err);
  }
  if (!rc) {
    rc = attr(in->rec, name, "key", key, in->err);
  }
  if (!rc && m && in->store) {
    char ds[600];
    snprintf(ds, sizeof ds, "inputs/%s", name);
    size_t dims[2] = {m->rows, m->cols};
    rc = lam_recorder_dataset(in->rec, ds, NULL, m->data, 2, dims, in->err);
  }
  return rc;
}

static int each_input(void *ctx, const char *sec, const char *key,
                      const char *path) {
  inputs *in = ctx;
  char name[512];
  if (lam_provenance_input_name(sec, key, name, sizeof name)) {
    return lam_err_set(in->err, LAM_EINVAL, "input %s.%s: name too long", sec,
                       key);
  }
  size_t need = strlen(name) + 2;
  if (in->len + need >= in->cap) {
    size_t cap = 2 * in->cap + need + 64;
    char *l = realloc(in->list, cap);
    if (!l) {
      return LAM_NOMEM(in->err);
    }
    in->list = l;
    in->cap = cap;
  }
  in->len += (size_t)snprintf(in->list + in->len, in->cap - in->len, "%s%s",
                              in->len ? "\n" : "", name);
  if (strcmp(path, "(array)") == 0) {
    return write_array(in, sec, key, name);
  }
  return write_input(in->rec, path, sec, key, name, in->store, in->err);
}

static int write_inputs(lam_recorder *rec, const lam_sim_params *p, int store,
                        lam_err *err) {
  inputs in = {p, rec, store, err, calloc(1, 1), 0, 1};
  if (!in.list) {
    return LAM_NOMEM(err);
  }
  int rc = lam_sim_params_inputs(p, each_input, &in);
  if (!rc) {
    rc = lam_recorder_attr_text(rec, "inputs", in.list, err);
  }
  free(in.list);
  return rc;
}

int lam_provenance_write(lam_recorder *rec, const lam_sim_params *p,
                         const lam_provenance_opts *o, lam_err *err) {
  char hash[32], created[32], host[256];
  char *text = lam_sim_params_text(p);
  uint64_t h = 0;
  if (!text || !lam_sim_params_hash(p, &h)) {
    free(text);
    return LAM_NOMEM(err);
  }
  snprintf(hash, sizeof hash, "%016llx", (unsigned long long)h);
  lam_provenance_timestamp(time(NULL), created);
  if (gethostname(host, sizeof host) != 0) {
    snprintf(host, sizeof host, "unknown");
  }
  host[sizeof host - 1] = '\0';
  const struct {
    const char *name, *value;
  } a[] = {
      {"model", text},
      {"model_path", p->path},
      {"model_hash", hash},
      {"commit", lam_provenance_commit()},
      {"build", lam_provenance_build()},
      {"created", created},
      {"host", host},
  };
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < sizeof a / sizeof a[0]; i++) {
    rc = lam_recorder_attr_text(rec, a[i].name, a[i].value, err);
  }
  free(text);
  if (!rc && o && o->command_line) {
    rc = lam_recorder_attr_text(rec, "command_line", o->command_line, err);
  }
  if (!rc) {
    rc = write_inputs(rec, p, !(o && o->no_inputs), err);
  }
  return rc;
}
