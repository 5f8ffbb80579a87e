/* lam_given.c: locations and arrays of given keys (see lam_given.h). */
#include "lam_given.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  char *section, *key, *where;
  lam_matrix m;
  long *lines;
} entry;

struct lam_given {
  entry *e;
  size_t n, cap;
};

void lam_matrix_free(lam_matrix *m) {
  if (m) {
    free(m->data);
    m->data = NULL;
    m->rows = m->cols = 0;
  }
}

int lam_matrix_check_shape(const lam_matrix *m, size_t rows, size_t cols,
                           const char *where, const char *what,
                           const char *path, lam_err *err) {
  if ((!rows || m->rows == rows) && (!cols || m->cols == cols)) {
    return LAM_OK;
  }
  char r[24] = "any", c[24] = "any";
  if (rows) {
    snprintf(r, sizeof r, "%zu", rows);
  }
  if (cols) {
    snprintf(c, sizeof c, "%zu", cols);
  }
  return lam_err_set(err, LAM_EINVAL,
                     "%s: %s: %s: expected a %s x %s matrix, found %zu x %zu",
                     where, what, path, r, c, m->rows, m->cols);
}

lam_given *lam_given_new(void) { return calloc(1, sizeof(lam_given)); }

static void entry_free(entry *e) {
  free(e->section);
  free(e->key);
  free(e->where);
  free(e->m.data);
  free(e->lines);
}

void lam_given_free(lam_given *g) {
  if (!g) {
    return;
  }
  for (size_t i = 0; i < g->n; i++) {
    entry_free(&g->e[i]);
  }
  free(g->e);
  free(g);
}

static entry *find(const lam_given *g, const char *section, const char *key) {
  for (size_t i = 0; g && i < g->n; i++) {
    if (!strcmp(g->e[i].section, section) && !strcmp(g->e[i].key, key)) {
      return &g->e[i];
    }
  }
  return NULL;
}

static char *dup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  return d ? memcpy(d, s, n) : NULL;
}

static entry *get(lam_given *g, const char *section, const char *key) {
  entry *e = find(g, section, key);
  if (e) {
    return e;
  }
  if (g->n == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 16;
    entry *ne = realloc(g->e, cap * sizeof *ne);
    if (!ne) {
      return NULL;
    }
    g->e = ne;
    g->cap = cap;
  }
  e = &g->e[g->n];
  memset(e, 0, sizeof *e);
  e->section = dup(section);
  e->key = dup(key);
  if (!e->section || !e->key) {
    entry_free(e);
    return NULL;
  }
  g->n++;
  return e;
}

lam_given *lam_given_copy(const lam_given *g) {
  if (!g) {
    return NULL;
  }
  lam_given *c = lam_given_new();
  for (size_t i = 0; c && i < g->n; i++) {
    const entry *s = &g->e[i];
    entry *d = get(c, s->section, s->key);
    if (!d) {
      lam_given_free(c);
      return NULL;
    }
    if (s->where && !(d->where = dup(s->where))) {
      lam_given_free(c);
      return NULL;
    }
    if (s->m.data) {
      size_t k = s->m.rows * s->m.cols;
      d->m = s->m;
      d->m.data = malloc((k ? k : 1) * sizeof *d->m.data);
      d->lines = s->lines ? malloc((s->m.rows ? s->m.rows : 1) * sizeof *d->lines) : NULL;
      if (!d->m.data || (s->lines && !d->lines)) {
        lam_given_free(c);
        return NULL;
      }
      memcpy(d->m.data, s->m.data, k * sizeof *d->m.data);
      if (s->lines) {
        memcpy(d->lines, s->lines, s->m.rows * sizeof *d->lines);
      }
    }
  }
  return c;
}

int lam_given_set_where(lam_given *g, const char *section, const char *key,
                        const char *where) {
  entry *e = get(g, section, key);
  char *w = e ? dup(where) : NULL;
  if (!w) {
    return LAM_ENOMEM;
  }
  free(e->where);
  e->where = w;
  return LAM_OK;
}

const char *lam_given_where(const lam_given *g, const char *section,
                            const char *key) {
  const entry *e = find(g, section, key);
  return e ? e->where : NULL;
}

int lam_given_set_matrix(lam_given *g, const char *section, const char *key,
                         lam_matrix *m, long *lines) {
  entry *e = get(g, section, key);
  if (!e) {
    return LAM_ENOMEM;
  }
  free(e->m.data);
  free(e->lines);
  e->m = *m;
  e->lines = lines;
  m->data = NULL;
  m->rows = m->cols = 0;
  return LAM_OK;
}

const lam_matrix *lam_given_matrix(const lam_given *g, const char *section,
                                   const char *key, const long **lines) {
  const entry *e = find(g, section, key);
  if (lines) {
    *lines = e && e->m.data ? e->lines : NULL;
  }
  return e && e->m.data ? &e->m : NULL;
}

int lam_given_array(const lam_given *g, const char *section, const char *key,
                    const char *path, size_t rows, size_t cols,
                    const lam_matrix **out, lam_err *err) {
  char what[256];
  snprintf(what, sizeof what, "%s.%s", section, key);
  const char *w = lam_given_where(g, section, key);
  *out = lam_given_matrix(g, section, key, NULL);
  if (!*out) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: %s: %s: expected its %zu x %zu matrix among the "
                       "model's arrays, found none", w ? w : "model", what, path,
                       rows, cols);
  }
  return lam_matrix_check_shape(*out, rows, cols, w ? w : "model", what, path, err);
}

void lam_given_drop_matrix(lam_given *g, const char *section, const char *key) {
  entry *e = find(g, section, key);
  if (e) {
    free(e->m.data);
    free(e->lines);
    e->m.data = NULL;
    e->lines = NULL;
    e->m.rows = e->m.cols = 0;
  }
}
