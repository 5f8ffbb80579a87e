/* lam_csv.c: numeric CSV reader with located errors (see lam_csv.h). */
#include "lam_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_blank(const char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
    s++;
  }
  return *s == '\0' || *s == '#';
}

/* 1 if every comma-separated cell of line is a number: a header row must
 * not look like data, or a missing header would silently eat a data row. */
static int all_numeric(const char *s) {
  for (;;) {
    char *end;
    double v = strtod(s, &end);
    (void)v;
    if (end == s) {
      return 0;
    }
    while (*end == ' ' || *end == '\t') {
      end++;
    }
    if (*end != ',') {
      return *end == '\n' || *end == '\r' || *end == '\0';
    }
    s = end + 1;
  }
}

/* A cell that is a plain integer of at most 15 digits ("0", "-3"), ended
 * by a separator: its value, exactly what strtod gives (an integer below
 * 2^53 is a double), without strtod's locale and rounding machinery. A dense
 * coupling matrix is mostly "0" cells: strtod was ~80 % of reading one. */
static int small_int(const char *s, double *v, char **end) {
  const char *p = s + (*s == '-');
  long long x = 0;
  int k = 0;
  while (p[k] >= '0' && p[k] <= '9') {
    if (k == 15) {
      return 0;
    }
    x = 10 * x + (p[k] - '0');
    k++;
  }
  const char c = p[k];
  if (k == 0 || (c != ',' && c != '\n' && c != '\r' && c != '\0' &&
                 c != ' ' && c != '\t')) {
    return 0;
  }
  *v = *s == '-' ? -(double)x : (double)x;
  *end = (char *)(p + k);
  return 1;
}

/* header: the first non-blank line is a header row; lines: the file line of
 * every data row (NULL: not wanted). */
static int read_csv(const char *path, int header, lam_matrix *m, long **lines,
                    lam_err *err) {
  m->rows = m->cols = 0;
  m->data = NULL;
  size_t lcap = 0;
  if (lines) {
    *lines = NULL;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    return lam_err_set(err, LAM_EIO, "%s: cannot open: %s", path,
                       strerror(errno));
  }
  /* A file or a pipe (a script's output): a device such as /dev/zero
   * would be read for ever, a directory reads as nothing. */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    fclose(f);
    return lam_err_set(err, LAM_EINVAL, "%s: expected a CSV file, found %s", path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
  }
  size_t cap = 0, n = 0;
  char *line = NULL;
  size_t linecap = 0;
  long lineno = 0;
  int rc = LAM_OK;
  while (getline(&line, &linecap, f) >= 0) {
    lineno++;
    if (is_blank(line)) {
      continue;
    }
    if (header) {
      header = 0;
      if (all_numeric(line)) {
        rc = lam_err_set(err, LAM_EINVAL,
                         "%s:%ld: expected a header row (column names), found"
                         " only numbers",
                         path, lineno);
        goto done;
      }
      continue;
    }
    if (lines && m->rows == lcap) {
      lcap = lcap ? 2 * lcap : 64;
      long *l = realloc(*lines, lcap * sizeof *l);
      if (!l) {
        rc = LAM_NOMEM(err);
        goto done;
      }
      *lines = l;
    }
    if (lines) {
      (*lines)[m->rows] = lineno;
    }
    size_t cols = 0;
    char *s = line;
    for (;;) {
      char *end;
      double v;
      errno = 0;
      if (!small_int(s, &v, &end)) {
        v = strtod(s, &end);
      }
      char *t = end;
      while (*t == ' ' || *t == '\t') {
        t++;
      }
      if (end == s || errno == ERANGE || !isfinite(v) ||
          (*t != ',' && *t != '\n' && *t != '\r' && *t != '\0')) {
        char cell[64];
        size_t k = strcspn(s, ",\r\n");
        if (k >= sizeof cell) {
          k = sizeof cell - 1;
        }
        memcpy(cell, s, k);
        cell[k] = '\0';
        rc = lam_err_set(err, LAM_EINVAL,
                         "%s:%ld: column %zu: expected a number, found '%s'",
                         path, lineno, cols + 1, cell);
        goto done;
      }
      if (n == cap) {
        cap = cap ? 2 * cap : 256;
        double *d = realloc(m->data, cap * sizeof *d);
        if (!d) {
          rc = LAM_NOMEM(err);
          goto done;
        }
        m->data = d;
      }
      m->data[n++] = v;
      cols++;
      if (*t != ',') {
        break;
      }
      s = t + 1;
    }
    if (m->rows == 0) {
      m->cols = cols;
    } else if (cols != m->cols) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s:%ld: expected %zu columns like the first row, found %zu",
                       path, lineno, m->cols, cols);
      goto done;
    }
    m->rows++;
  }
  if (ferror(f)) { /* getline's -1 is also a read error: not the end */
    rc = lam_err_set(err, LAM_EIO, "%s:%ld: read error: %s", path, lineno + 1,
                     strerror(errno));
    goto done;
  }
  if (m->rows == 0) {
    rc = lam_err_set(err, LAM_EINVAL, "%s: no numeric rows", path);
  }
done:
  free(line);
  fclose(f);
  if (rc) {
    lam_matrix_free(m);
    if (lines) {
      free(*lines);
      *lines = NULL;
    }
  }
  return rc;
}

int lam_csv_read(const char *path, lam_matrix *m, lam_err *err) {
  return read_csv(path, 0, m, NULL, err);
}

int lam_csv_read_table(const char *path, lam_matrix *m, long **lines,
                       lam_err *err) {
  return read_csv(path, 1, m, lines, err);
}

int lam_csv_read_shape(const char *path, size_t rows, size_t cols,
                       const char *where, const char *what, lam_matrix *m,
                       lam_err *err) {
  int rc = lam_csv_read(path, m, err);
  if (rc) {
    return lam_err_prefix(err, "%s: %s: ", where, what);
  }
  rc = lam_matrix_check_shape(m, rows, cols, where, what, path, err);
  if (rc) {
    lam_matrix_free(m);
  }
  return rc;
}

/* ---- text cells ---- */

void lam_csv_cells_free(char **cells, size_t n) {
  for (size_t k = 0; cells && k < n; k++) {
    free(cells[k]);
  }
  free(cells);
}

int lam_csv_split(const char *line, char ***cells, size_t *n, lam_err *err) {
  *cells = NULL;
  *n = 0;
  size_t cap = 8, nf = 0;
  char **f = malloc(cap * sizeof *f);
  char *buf = malloc(strlen(line) + 1); /* one cell is never longer */
  if (!f || !buf) {
    free(f);
    free(buf);
    return LAM_NOMEM(err);
  }
  int rc = LAM_OK;
  const char *p = line;
  for (;;) {
    size_t k = 0;
    while (*p == ' ' || *p == '\t') {
      p++;
    }
    if (*p == '"') {
      p++;
      for (;;) {
        if (!*p) {
          rc = LAM_EINVAL;
          break;
        }
        if (*p == '"' && p[1] == '"') {
          buf[k++] = '"';
          p += 2;
        } else if (*p == '"') {
          p++;
          break;
        } else {
          buf[k++] = *p++;
        }
      }
      while (!rc && (*p == ' ' || *p == '\t')) {
        p++;
      }
      if (!rc && *p && *p != ',') {
        rc = LAM_EINVAL;
      }
      if (rc) {
        lam_err_set(err, LAM_EINVAL, "unbalanced quote");
        break;
      }
    } else {
      while (*p && *p != ',') {
        buf[k++] = *p++;
      }
      while (k > 0 && (buf[k - 1] == ' ' || buf[k - 1] == '\t' || buf[k - 1] == '\r')) {
        k--;
      }
    }
    buf[k] = '\0';
    if (nf == cap) {
      char **g = realloc(f, 2 * cap * sizeof *g);
      if (!g) {
        rc = LAM_NOMEM(err);
        break;
      }
      f = g;
      cap *= 2;
    }
    f[nf] = malloc(k + 1);
    if (!f[nf]) {
      rc = LAM_NOMEM(err);
      break;
    }
    memcpy(f[nf++], buf, k + 1);
    if (*p != ',') {
      break;
    }
    p++;
  }
  free(buf);
  if (rc) {
    lam_csv_cells_free(f, nf);
    return rc;
  }
  *cells = f;
  *n = nf;
  return LAM_OK;
}

void lam_csv_text_free(lam_csv_text *t) {
  if (t) {
    lam_csv_cells_free(t->cells, t->rows * t->cols);
    free(t->lines);
    t->cells = NULL;
    t->lines = NULL;
    t->rows = t->cols = 0;
  }
}

const char *lam_csv_text_cell(const lam_csv_text *t, size_t r, size_t c) {
  return t->cells[r * t->cols + c];
}

/* Append row (n cells, taken over) at file line lineno; cap counts rows. */
static int text_add_row(lam_csv_text *t, size_t *cap, char **row, size_t n,
                        long lineno, lam_err *err) {
  if (t->rows == *cap) {
    size_t c = *cap ? 2 * *cap : 64;
    char **cells = realloc(t->cells, c * t->cols * sizeof *cells);
    long *lines = cells ? realloc(t->lines, c * sizeof *lines) : NULL;
    if (cells) {
      t->cells = cells;
    }
    if (!lines) {
      lam_csv_cells_free(row, n);
      return LAM_NOMEM(err);
    }
    t->lines = lines;
    *cap = c;
  }
  memcpy(t->cells + t->rows * t->cols, row, n * sizeof *row);
  free(row); /* the array only: its strings now belong to t */
  t->lines[t->rows++] = lineno;
  return LAM_OK;
}

int lam_csv_read_text(const char *path, lam_csv_text *t, lam_err *err) {
  memset(t, 0, sizeof *t);
  FILE *f = fopen(path, "r");
  if (!f) {
    return lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  /* As read_csv: a device would be read for ever. */
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
    fclose(f);
    return lam_err_set(err, LAM_EINVAL, "%s: expected a CSV file, found %s", path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
  }
  char *line = NULL;
  size_t linecap = 0, cap = 0;
  long lineno = 0;
  int rc = LAM_OK;
  while (!rc && getline(&line, &linecap, f) >= 0) {
    lineno++;
    if (is_blank(line)) {
      continue;
    }
    /* The line without its end ("\n" or "\r\n"). */
    size_t len = strlen(line);
    len -= len > 0 && line[len - 1] == '\n';
    len -= len > 0 && line[len - 1] == '\r';
    line[len] = '\0';
    char **cells;
    size_t n;
    rc = lam_csv_split(line, &cells, &n, err);
    if (rc == LAM_EINVAL) {
      rc = lam_err_set(err, LAM_EINVAL, "%s:%ld: unbalanced quote", path, lineno);
    } else if (!rc && t->rows > 0 && n != t->cols) {
      lam_csv_cells_free(cells, n);
      rc = lam_err_set(err, LAM_EINVAL, "%s:%ld: expected %zu values, found %zu", path,
                       lineno, t->cols, n);
    } else if (!rc) {
      t->cols = n;
      rc = text_add_row(t, &cap, cells, n, lineno, err);
    }
  }
  if (!rc && ferror(f)) { /* getline's -1 is also a read error: not the end */
    rc = lam_err_set(err, LAM_EIO, "%s: %s", path, strerror(errno));
  }
  free(line);
  fclose(f);
  if (rc) {
    lam_csv_text_free(t);
  }
  return rc;
}
