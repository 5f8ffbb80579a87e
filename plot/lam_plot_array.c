/* lam_plot_array.c: the lam_plot_data container (lam_plot_private.h):
 * appending arrays and the public accessors. In a file of its own so that
 * the calls between plot/'s files go one way: lam_plot_data.c (run files,
 * and the dispatch of lam_plot_extract) calls lam_plot_sweep.c (sweep
 * tables), and both call this file. */
#include "lam_plot_private.h"

#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s) {
  s = s ? s : "";
  char *d = malloc(strlen(s) + 1);
  if (d) {
    strcpy(d, s);
  }
  return d;
}

lam_plot_array *lam__plot_add(lam_plot_data *d, const char *name,
                              const char *unit, const char *label,
                              size_t rows, size_t cols, lam_err *err) {
  if (d->n == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 16;
    lam_plot_array **na = realloc(d->a, cap * sizeof *na);
    if (!na) {
      LAM_NOMEM(err);
      return NULL;
    }
    d->a = na;
    d->cap = cap;
  }
  lam_plot_array *a = calloc(1, sizeof *a);
  if (!a) {
    LAM_NOMEM(err);
    return NULL;
  }
  a->name = dup_str(name);
  a->unit = dup_str(unit);
  a->label = dup_str(label);
  a->rows = rows;
  a->cols = cols;
  size_t n;
  a->v = __builtin_mul_overflow(rows, cols, &n) ? NULL
                                                : calloc(n ? n : 1, sizeof *a->v);
  if (!a->name || !a->unit || !a->label || !a->v) {
    free(a->name);
    free(a->unit);
    free(a->label);
    free(a->v);
    free(a);
    LAM_NOMEM(err);
    return NULL;
  }
  d->a[d->n++] = a;
  return a;
}

void lam_plot_data_free(lam_plot_data *d) {
  if (!d) {
    return;
  }
  for (size_t i = 0; i < d->n; i++) {
    free(d->a[i]->name);
    free(d->a[i]->unit);
    free(d->a[i]->label);
    free(d->a[i]->v);
    free(d->a[i]);
  }
  free(d->a);
  free(d);
}

size_t lam_plot_data_count(const lam_plot_data *d) { return d ? d->n : 0; }

const lam_plot_array *lam_plot_data_at(const lam_plot_data *d, size_t i) {
  return d && i < d->n ? d->a[i] : NULL;
}

const lam_plot_array *lam_plot_data_find(const lam_plot_data *d,
                                         const char *name) {
  for (size_t i = 0; d && i < d->n; i++) {
    if (!strcmp(d->a[i]->name, name)) {
      return d->a[i];
    }
  }
  return NULL;
}

const char *lam_plot_data_title(const lam_plot_data *d) {
  return d ? d->title : "";
}
