/* lam_sweep_table.c: the crash-safe CSV of a sweep (lam_sweep_table.h):
 * its header, resuming it, and appending rows. */
#include "lam_sweep_table.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lam_config.h"
#include "lam_csv.h"
#include "lam_lock.h"

struct lam_sweep_table {
  char *path;
  char *meta;    /* PATH.meta: the provenance lines (docs/sweeps.md) */
  lam_lock *lock;
  int fd;        /* open for appending after lam_sweep_table_open */
  uint64_t *ids; /* of the complete rows found on resume, sorted */
  size_t nids;
};

/* Append s to a growing buffer, quoted when it holds a comma, quote or
 * newline (newlines become spaces: one row is one line). */
typedef struct sbuf {
  char *s;
  size_t n, cap;
  int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len) {
  if (b->oom) {
    return;
  }
  if (b->n + len + 1 > b->cap) {
    size_t cap = (b->cap ? 2 * b->cap : 256) + len;
    char *t = realloc(b->s, cap);
    if (!t) {
      b->oom = 1;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, len);
  b->n += len;
  b->s[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_field(sbuf *b, const char *s, int always_quote) {
  if (!always_quote && !strpbrk(s, ",\"\n\r")) {
    sb_str(b, s);
    return;
  }
  sb_put(b, "\"", 1);
  for (const char *p = s; *p; p++) {
    if (*p == '"') {
      sb_put(b, "\"\"", 2);
    } else if (*p == '\n' || *p == '\r') {
      sb_put(b, " ", 1);
    } else {
      sb_put(b, p, 1);
    }
  }
  sb_put(b, "\"", 1);
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *s = malloc(cap);
  for (;;) {
    if (!s) {
      break;
    }
    if (n + 1 >= cap) {
      char *t = realloc(s, cap * 2);
      if (!t) {
        free(s);
        s = NULL;
        break;
      }
      s = t;
      cap *= 2;
    }
    size_t k = fread(s + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) {
      break;
    }
  }
  if (s && ferror(f)) { /* a read error is not the end of the file */
    int e = errno;
    free(s);
    s = NULL;
    errno = e;
  }
  fclose(f);
  if (s) {
    s[n] = '\0';
    *len = n;
  }
  return s;
}

/* "# input SECTION.KEY[=VALUE] sha256 HEX PATH\n" (newlines in the value
 * or path would end the line: they become '?'). */
static void put_input_line(sbuf *b, const lam_sweep_input *x) {
  sb_str(b, "# input ");
  size_t from = b->n;
  sb_str(b, x->key);
  if (x->value) {
    sb_str(b, "=");
    sb_str(b, x->value);
  }
  sb_str(b, " sha256 ");
  sb_str(b, x->hash);
  sb_str(b, " ");
  sb_str(b, x->path);
  for (size_t k = from; !b->oom && k < b->n; k++) {
    if (b->s[k] == '\n' || b->s[k] == '\r') {
      b->s[k] = '?';
    }
  }
  sb_str(b, "\n");
}

static void put_id(sbuf *b, uint64_t id) {
  char s[24];
  snprintf(s, sizeof s, "%016llx", (unsigned long long)id);
  sb_str(b, s);
}

static void row_start(sbuf *b, const lam_sweep_spec *sp, size_t i) {
  put_id(b, lam_sweep_id(sp, i));
  char pt[32];
  snprintf(pt, sizeof pt, ",%zu", i); /* the point's index: rows sort by it */
  sb_str(b, pt);
  for (size_t k = 0; k < lam_sweep_ndims(sp); k++) {
    sb_str(b, ",");
    sb_field(b, lam_sweep_value(sp, i, k), 0);
  }
}

static void row_end(sbuf *b, int ok, const char *msg, double wall, long nsteps,
                    long nfevals, int have_stats) {
  char s[96];
  sb_str(b, ok ? ",ok," : ",failed,");
  sb_field(b, msg, 1);
  snprintf(s, sizeof s, ",%.6f", wall);
  sb_str(b, s);
  if (have_stats) {
    snprintf(s, sizeof s, ",%ld,%ld\n", nsteps, nfevals);
  } else {
    snprintf(s, sizeof s, ",,\n");
  }
  sb_str(b, s);
}

/* A metric's cell: NaN, Inf and -Inf by name, a number with all its
 * digits. */
static void put_metric(sbuf *b, double v) {
  char s[40];
  if (isnan(v)) {
    snprintf(s, sizeof s, "NaN");
  } else if (isinf(v)) {
    snprintf(s, sizeof s, v > 0 ? "Inf" : "-Inf");
  } else {
    snprintf(s, sizeof s, "%.17g", v);
  }
  sb_str(b, s);
}

char *lam_sweep_row(const lam_sweep_spec *sp, size_t i, const lam_sweep_result *r) {
  sbuf b = {0};
  row_start(&b, sp, i);
  for (size_t k = 0; k < r->nmetrics; k++) {
    sb_str(&b, ",");
    if (r->metrics) {
      put_metric(&b, r->metrics[k]);
    }
  }
  row_end(&b, r->ok, r->error ? r->error : "", r->wall_s, r->nsteps, r->nfevals,
          r->have_stats);
  if (b.oom) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

char *lam_sweep_failed_row(const lam_sweep_spec *sp, size_t nmetrics, size_t i,
                           const char *msg) {
  lam_sweep_result r = {0, msg, NULL, nmetrics, 0.0, 0, 0, 0};
  return lam_sweep_row(sp, i, &r);
}

int lam_sweep_row_failed(const char *row) {
  /* The status is the fifth cell from the end (the error, quoted, may
   * hold anything). */
  char **f;
  size_t n;
  lam_err e;
  size_t len = strcspn(row, "\n");
  char *line = malloc(len + 1);
  if (!line) {
    return 0;
  }
  memcpy(line, row, len);
  line[len] = '\0';
  int failed = 0;
  if (lam_csv_split(line, &f, &n, &e) == LAM_OK) {
    failed = n >= 5 && !strcmp(f[n - 5], "failed");
    lam_csv_cells_free(f, n);
  }
  free(line);
  return failed;
}

/* One write() of the whole line (a short write continues), then fsync. */
static int append(int fd, const char *line, const char *path, lam_err *err) {
  size_t len = strlen(line), off = 0;
  while (off < len) {
    ssize_t k = write(fd, line + off, len - off);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k <= 0) {
      return lam_err_set(err, LAM_EIO, "%s: cannot append a row: %s", path, strerror(errno));
    }
    off += (size_t)k;
  }
  if (fsync(fd) != 0 && errno != EINVAL) {
    return lam_err_set(err, LAM_EIO, "%s: fsync: %s", path, strerror(errno));
  }
  return LAM_OK;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* A line of a '# input' record: name (SECTION.KEY or SECTION.KEY=VALUE),
 * hash, path. */
typedef struct input_rec {
  char *line; /* owns the strings below */
  const char *name, *hash, *path;
} input_rec;

static int parse_input_line(char *p, input_rec *r) {
  r->line = strdup(p + 8); /* after "# input " */
  if (!r->line) {
    return 0;
  }
  char *h = strstr(r->line, " sha256 ");
  if (!h || strlen(h + 8) < LAM_SHA256_HEX || h[8 + LAM_SHA256_HEX - 1] != ' ') {
    free(r->line);
    r->line = NULL;
    return 1; /* not ours to read: ignored */
  }
  *h = '\0';
  h[8 + LAM_SHA256_HEX - 1] = '\0';
  r->name = r->line;
  r->hash = h + 8;
  r->path = h + 8 + LAM_SHA256_HEX;
  return 1;
}

/* The first line of text for a message: at most 40 characters, anything
 * unprintable as '?'. */
static void preview(const char *text, size_t len, char out[48]) {
  size_t k = 0;
  for (; k < len && k < 40 && text[k] != '\n'; k++) {
    unsigned char c = (unsigned char)text[k];
    out[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  out[k] = '\0';
  if (k == 40) {
    memcpy(out + 37, "...", 4);
  }
}

/* 1 and the row's id if line is a complete row of nfields cells (a 16-digit
 * id, status ok or failed), 0 if not, LAM_ENOMEM. */
static int row_id(const char *line, size_t nfields, uint64_t *id, lam_err *err) {
  char **f;
  size_t nf;
  lam_err e;
  int rc = lam_csv_split(line, &f, &nf, &e);
  if (rc) {
    return rc == LAM_ENOMEM ? LAM_NOMEM(err) : 0;
  }
  int ok = nf == nfields && nf >= 6 &&
           (!strcmp(f[nf - 5], "ok") || !strcmp(f[nf - 5], "failed")) &&
           strlen(f[0]) == 16;
  if (ok) {
    *id = strtoull(f[0], NULL, 16);
  }
  lam_csv_cells_free(f, nf);
  return ok;
}

/* Compare the table's '# input' records with ours: a changed file stops the
 * sweep; a swept file the table lacks (a value added to the sweep) is
 * recorded by appending its line to *add. */
static int check_table_inputs(const char *path, const input_rec *recs, size_t nrecs,
                              const lam_sweep_input *in, size_t nin, sbuf *add,
                              lam_err *err) {
  for (size_t k = 0; k < nin; k++) {
    const lam_sweep_input *x = &in[k];
    /* Our line as the table would hold it, read back: the same folding of
     * newlines on both sides. */
    sbuf line = {0};
    put_input_line(&line, x);
    input_rec me = {NULL, NULL, NULL, NULL};
    if (line.oom) {
      free(line.s);
      return LAM_NOMEM(err);
    }
    line.s[line.n - 1] = '\0';
    int got = parse_input_line(line.s, &me);
    free(line.s);
    if (!got || !me.line) {
      free(me.line);
      return LAM_NOMEM(err);
    }
    const input_rec *r = NULL;
    for (size_t q = 0; q < nrecs && !r; q++) {
      r = !strcmp(recs[q].name, me.name) ? &recs[q] : NULL;
    }
    int rc = LAM_OK;
    if (r && (strcmp(r->hash, me.hash) || strcmp(r->path, me.path))) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: input %s (%s) is not the one this table was made with "
                       "(SHA-256 %.12s... of %s then, %.12s... now): its rows and new ones "
                       "would mix; restore the file, or rerun with --restart to start a "
                       "new table (this one is kept as %s.old)",
                       path, me.name, me.path, r->hash, r->path, me.hash, path);
    } else if (!r && !x->value) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: this table does not record input %s (%s)%s, so its rows "
                       "cannot be checked against that file; rerun with --restart to "
                       "start a new table (this one is kept as %s.old)",
                       path, me.name, me.path,
                       nrecs ? "" : " (it records no input files: an older laminar "
                                    "wrote it)",
                       path);
    } else if (!r) {
      put_input_line(add, x);
    }
    free(me.line);
    if (rc) {
      return rc;
    }
  }
  return add->oom ? LAM_NOMEM(err) : LAM_OK;
}

/* What resume gathers from an existing table, line by line. */
typedef struct scan {
  const char *path;
  const sbuf *fixed, *cols; /* our header lines */
  size_t nfields;
  input_rec *recs; /* its '# input' records */
  size_t nrecs;
  int have_cols, have_model;
  uint64_t *ids; /* of its complete rows */
  size_t nids, cap;
} scan;

static int scan_input(scan *s, char *p, lam_err *err) {
  input_rec *t = realloc(s->recs, (s->nrecs + 1) * sizeof *t);
  if (!t) {
    return LAM_NOMEM(err);
  }
  s->recs = t;
  if (!parse_input_line(p, &s->recs[s->nrecs])) {
    return LAM_NOMEM(err);
  }
  s->nrecs += s->recs[s->nrecs].line != NULL;
  return LAM_OK;
}

/* A line before the column names: the model and run lines must appear in
 * ours as they are; the column names must be ours. */
static int scan_header(scan *s, const char *p, size_t lineno, lam_err *err) {
  if (!strncmp(p, "# model ", 8) || !strncmp(p, "# run ", 6)) {
    size_t k = strlen(p);
    const char *hit = strstr(s->fixed->s, p);
    s->have_model += p[2] == 'm';
    if (!hit || hit[k] != '\n') {
      return lam_err_set(err, LAM_EINVAL,
                         "%s:%zu: this CSV was written for another model or run "
                         "settings ('%s'); use another -o, remove it, or --restart",
                         s->path, lineno, p);
    }
    return LAM_OK;
  }
  if (p[0] == '#') {
    return LAM_OK;
  }
  s->have_cols = 1;
  if (strncmp(p, s->cols->s, s->cols->n - 1) || strlen(p) != s->cols->n - 1) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s:%zu: this CSV has other columns (keys or metrics) than "
                       "this sweep; use another -o, remove it, or --restart",
                       s->path, lineno);
  }
  if (!s->have_model) {
    return lam_err_set(err, LAM_EINVAL, "%s: no '# model' header line", s->path);
  }
  return LAM_OK;
}

/* A line after the column names: 1 and its id kept if it is a complete
 * row, 0 if not, LAM_ENOMEM. */
static int scan_row(scan *s, const char *p, lam_err *err) {
  uint64_t id = 0;
  int got = row_id(p, s->nfields, &id, err);
  if (got <= 0) {
    return got;
  }
  if (s->nids == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 256;
    uint64_t *t = realloc(s->ids, cap * sizeof *t);
    if (!t) {
      return LAM_NOMEM(err);
    }
    s->ids = t;
    s->cap = cap;
  }
  s->ids[s->nids++] = id;
  return 1;
}

/* Read an existing output: check that it is a laminar sweep table, check
 * its header and inputs against ours, collect the ids of complete rows, and
 * cut a torn last line. *fresh when the file is empty or holds only the
 * start of our own header (it is then rewritten). */
static int resume(const char *path, const sbuf *fixed, const sbuf *cols,
                  const lam_sweep_input *in, size_t nin, size_t nfields, uint64_t **ids,
                  size_t *nids, int *fresh, sbuf *add, lam_err *err) {
  size_t len;
  *ids = NULL;
  *nids = 0;
  *fresh = 1;
  char *text = read_file(path, &len);
  if (!text) {
    return errno == ENOENT ? LAM_OK
                           : lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  if (len == 0) {
    free(text);
    return LAM_OK; /* fresh: the sidecar is rewritten with the header */
  }
  /* Whatever is not recognisably ours is left alone: a sweep table begins
   * with its column names "id,point," and has its sidecar PATH.meta, which
   * begins with "# laminar " (written whole before the column names). */
  static const char magic[] = "# laminar ", cmagic[] = "id,point,";
  size_t mlen = sizeof magic - 1, mlen2 = sizeof cmagic - 1;
  if (len < mlen2 || memcmp(text, cmagic, mlen2)) {
    char first[48];
    preview(text, len, first);
    free(text);
    return lam_err_set(err, LAM_EINVAL,
                       "%s: not a laminar sweep table (its first line is '%s', not "
                       "the columns 'id,point,...'); it is left as it is: use another "
                       "-o, or remove it",
                       path, first);
  }
  size_t mlen_file = 0;
  char *mpath = malloc(strlen(path) + 8);
  char *mtext = mpath ? (sprintf(mpath, "%s.meta", path), read_file(mpath, &mlen_file))
                      : NULL;
  if (!mtext || mlen_file < mlen || memcmp(mtext, magic, mlen)) {
    int rc0 = !mpath ? LAM_NOMEM(err)
                     : lam_err_set(err, LAM_EINVAL,
                                   "%s: missing or not a laminar sweep header (%s "
                                   "holds the table's model, run and input files, "
                                   "first line '# laminar VERSION'); the table is "
                                   "left as it is: use another -o, or --restart",
                                   mpath, mtext ? "it" : "the file that");
    free(mpath);
    free(mtext);
    free(text);
    return rc0;
  }
  scan s = {mpath, fixed, cols, nfields, NULL, 0, 0, 0, NULL, 0, 0};
  int rc = LAM_OK;
  /* The sidecar's lines: the model and run lines as ours, the inputs. */
  size_t mline = 0;
  for (char *q = mtext, *qe = mtext + mlen_file; !rc && q < qe;) {
    char *nl = memchr(q, '\n', (size_t)(qe - q));
    mline++;
    if (!nl) {
      break;
    }
    *nl = '\0';
    if (!strncmp(q, "# input ", 8)) {
      rc = scan_input(&s, q, err);
    } else if (!strncmp(q, "# model ", 8) || !strncmp(q, "# run ", 6)) {
      rc = scan_header(&s, q, mline, err);
    }
    q = nl + 1;
  }
  free(mtext);
  s.path = path;
  size_t good = 0, lineno = 0; /* good: bytes up to the last complete line */
  char *p = text, *end = text + len;
  while (!rc && p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    lineno++;
    if (!nl) {
      break; /* a torn last line: cut below */
    }
    *nl = '\0';
    if (!strncmp(p, "# input ", 8)) {
      rc = scan_input(&s, p, err);
    } else if (!s.have_cols) {
      rc = scan_header(&s, p, lineno, err);
    } else if (p[0] && p[0] != '#') {
      int got = scan_row(&s, p, err);
      if (got < 0) {
        rc = got;
      } else if (!got && nl + 1 < end) {
        rc = lam_err_set(err, LAM_EINVAL, "%s:%zu: a malformed row inside the file", path,
                         lineno);
      } else if (!got) {
        /* A malformed complete last line cannot come from a kill (the row
         * is one write ending in its newline), but drop it like a torn one
         * so the point runs again. */
        break;
      }
    }
    p = nl + 1;
    if (s.have_cols) {
      good = (size_t)(p - text);
    }
  }
  free(text);
  *fresh = !s.have_cols;
  if (!rc && !*fresh) {
    rc = check_table_inputs(mpath, s.recs, s.nrecs, in, nin, add, err);
  }
  free(mpath);
  for (size_t k = 0; k < s.nrecs; k++) {
    free(s.recs[k].line);
  }
  free(s.recs);
  if (!rc && !*fresh && good < len && truncate(path, (off_t)good) != 0) {
    rc = lam_err_set(err, LAM_EIO, "%s: cannot cut the torn last row: %s", path,
                     strerror(errno));
  }
  if (!rc && s.nids) {
    qsort(s.ids, s.nids, sizeof *s.ids, cmp_u64);
  }
  *ids = s.ids;
  *nids = s.nids;
  return rc;
}

/* --restart: keep an existing, non-empty output as PATH.old (PATH.old.2,
 * ... when that exists: link() never replaces a file), then remove PATH. */
static int move_aside(const char *path, lam_err *err) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    return errno == ENOENT ? LAM_OK
                           : lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  if (S_ISREG(st.st_mode) && st.st_size == 0) {
    return LAM_OK;
  }
  size_t len = strlen(path) + 32;
  char *old = malloc(len);
  if (!old) {
    return LAM_NOMEM(err);
  }
  int rc = LAM_EIO;
  for (int k = 1; k <= 1000; k++) {
    if (k == 1) {
      snprintf(old, len, "%s.old", path);
    } else {
      snprintf(old, len, "%s.old.%d", path, k);
    }
    if (link(path, old) == 0) {
      rc = unlink(path) == 0 ? LAM_OK
                             : lam_err_set(err, LAM_EIO, "--restart: %s: %s", path,
                                           strerror(errno));
      break;
    }
    if (errno != EEXIST) {
      rc = lam_err_set(err, LAM_EIO, "--restart: cannot keep %s as %s: %s", path, old,
                       strerror(errno));
      break;
    }
  }
  if (rc == LAM_EIO && !err->msg[0]) {
    lam_err_set(err, LAM_EIO, "--restart: %s.old ... %s.old.1000 all exist", path, path);
  }
  free(old);
  return rc;
}


/* The header's lines that a resumed table must hold as they are (model and
 * run: *fixed; the column names: *cols). */
static void header_lines(const lam_sweep_header *h, sbuf *fixed, sbuf *cols) {
  char s[1400];
  snprintf(s, sizeof s, "# model %s hash %016llx\n", h->model[0] ? h->model : "(text)",
           (unsigned long long)h->model_hash);
  sb_str(fixed, s);
  char te[32] = "model", dr[32] = "model";
  if (h->t_end > 0) {
    snprintf(te, sizeof te, "%.15g", h->t_end);
  }
  if (h->dt_record > 0) {
    snprintf(dr, sizeof dr, "%.15g", h->dt_record);
  }
  snprintf(s, sizeof s, "# run t_end %s dt_record %s\n", te, dr);
  sb_str(fixed, s);
  sb_str(cols, "id,point");
  for (size_t k = 0; k < lam_sweep_ndims(h->sp); k++) {
    sb_str(cols, ",");
    sb_field(cols, lam_sweep_key(h->sp, k), 0);
  }
  for (size_t k = 0; k < h->nmetrics; k++) {
    sb_str(cols, ",");
    sb_str(cols, h->metrics[k]);
  }
  sb_str(cols, ",status,error,wall_s,nsteps,nfevals\n");
}

int lam_sweep_table_lock(const char *path, lam_sweep_table **out, lam_err *err) {
  *out = NULL;
  lam_sweep_table *t = calloc(1, sizeof *t);
  if (!t || !(t->path = strdup(path)) || !(t->meta = malloc(strlen(path) + 8))) {
    if (t) {
      free(t->path);
    }
    free(t);
    return LAM_NOMEM(err);
  }
  snprintf(t->meta, strlen(path) + 8, "%s.meta", path);
  t->fd = -1;
  int rc = lam_lock_acquire(path, "sweep table", &t->lock, err);
  if (rc) {
    lam_sweep_table_close(t);
    return rc;
  }
  *out = t;
  return LAM_OK;
}

int lam_sweep_table_open(lam_sweep_table *t, const lam_sweep_header *h, int restart,
                         lam_err *err) {
  sbuf fixed = {0}, cols = {0}, inl = {0}, add = {0};
  int fresh = 1, rc = LAM_OK;
  header_lines(h, &fixed, &cols);
  for (size_t k = 0; k < h->ninputs; k++) {
    put_input_line(&inl, &h->inputs[k]);
  }
  if (fixed.oom || cols.oom || inl.oom) {
    rc = LAM_NOMEM(err);
  }
  if (!rc && restart) {
    rc = move_aside(t->path, err);
  }
  if (!rc && restart) {
    rc = move_aside(t->meta, err);
  }
  if (!rc) {
    rc = resume(t->path, &fixed, &cols, h->inputs, h->ninputs,
                2 + lam_sweep_ndims(h->sp) + h->nmetrics + 5, &t->ids, &t->nids, &fresh,
                &add, err);
  }
  if (!rc) {
    t->fd = open(t->path, O_WRONLY | O_CREAT | O_APPEND | (fresh ? O_TRUNC : 0), 0644);
    if (t->fd < 0) {
      rc = lam_err_set(err, LAM_EIO, "%s: %s", t->path, strerror(errno));
    }
  }
  if (!rc && fresh) {
    /* The provenance into PATH.meta, whole and synced, before the CSV's
     * column names: a table with its column names has its header. */
    sbuf b = {0};
    char s[64];
    snprintf(s, sizeof s, "# laminar %s\n", LAM_VERSION);
    sb_str(&b, s);
    sb_str(&b, fixed.s);
    if (inl.s) {
      sb_str(&b, inl.s);
    }
    sb_str(&b, "# command ");
    sb_str(&b, h->command ? h->command : "(library)");
    sb_str(&b, "\n");
    int mfd = b.oom ? -1 : open(t->meta, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    rc = b.oom ? LAM_NOMEM(err)
         : mfd < 0 ? lam_err_set(err, LAM_EIO, "%s: %s", t->meta, strerror(errno))
                   : append(mfd, b.s, t->meta, err);
    if (mfd >= 0) {
      close(mfd);
    }
    free(b.s);
    if (!rc) {
      rc = append(t->fd, cols.s, t->path, err);
    }
  } else if (!rc && add.n) {
    int mfd = open(t->meta, O_WRONLY | O_APPEND);
    rc = mfd < 0 ? lam_err_set(err, LAM_EIO, "%s: %s", t->meta, strerror(errno))
                 : append(mfd, add.s, t->meta, err);
    if (mfd >= 0) {
      close(mfd);
    }
  }
  free(fixed.s);
  free(cols.s);
  free(inl.s);
  free(add.s);
  return rc;
}

int lam_sweep_table_has(const lam_sweep_table *t, uint64_t id) {
  return t->nids && bsearch(&id, t->ids, t->nids, sizeof *t->ids, cmp_u64);
}

int lam_sweep_table_append(lam_sweep_table *t, const char *line, lam_err *err) {
  return append(t->fd, line, t->path, err);
}

void lam_sweep_table_fds(const lam_sweep_table *t, int fds[2]) {
  fds[0] = t ? t->fd : -1;
  fds[1] = t ? lam_lock_fd(t->lock) : -1;
}

void lam_sweep_table_close(lam_sweep_table *t) {
  if (!t) {
    return;
  }
  if (t->fd >= 0) {
    close(t->fd);
  }
  lam_lock_release(t->lock);
  free(t->ids);
  free(t->path);
  free(t->meta);
  free(t);
}
