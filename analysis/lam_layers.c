/* lam_layers.c: populations grouped into layer and area signals (see
 * lam_layers.h). */
#include "lam_layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_probe.h"

typedef struct area_signal {
  char name[LAM_LAYERS_NAMELEN];
  double *x; /* n samples */
  double cnt; /* values summed per sample */
} area_signal;

struct lam_layer_group {
  size_t n;
  int multi;
  lam_layer_signal L[LAM_LAYERS_MAX];
  double *cnt[LAM_LAYERS_MAX]; /* units summed per column of layer i */
  size_t nl;
  char area[LAM_LAYERS_MAXAREAS][LAM_LAYERS_NAMELEN];
  size_t na;
  area_signal sig[LAM_LAYERS_MAXAREAS];
  size_t nsig;
};

int lam_layers_new(size_t n, lam_layer_group **out, lam_err *err) {
  *out = NULL;
  if (n == 0) {
    return lam_err_set(err, LAM_EINVAL, "layers: expected at least 1 sample");
  }
  lam_layer_group *ly = calloc(1, sizeof *ly);
  if (!ly) {
    return LAM_NOMEM(err);
  }
  ly->n = n;
  *out = ly;
  return LAM_OK;
}

void lam_layers_free(lam_layer_group *ly) {
  if (!ly) {
    return;
  }
  for (size_t i = 0; i < ly->nl; i++) {
    free(ly->L[i].x);
    free(ly->cnt[i]);
  }
  for (size_t k = 0; k < ly->nsig; k++) {
    free(ly->sig[k].x);
  }
  free(ly);
}

/* Index of area name, added when new; -1 when there are too many. */
static long area_index(lam_layer_group *ly, const char *name) {
  for (size_t k = 0; k < ly->na; k++) {
    if (!strcmp(ly->area[k], name)) {
      return (long)k;
    }
  }
  if (ly->na == LAM_LAYERS_MAXAREAS) {
    return -1;
  }
  snprintf(ly->area[ly->na], sizeof ly->area[0], "%s", name);
  return (long)ly->na++;
}

/* Layer lay of area, added when new; LAM_LAYERS_MAX when there are too
 * many. */
static size_t layer_index(lam_layer_group *ly, const char *area, const char *lay,
                          const char *unit) {
  for (size_t i = 0; i < ly->nl; i++) {
    if (!strcmp(ly->L[i].name, lay) && !strcmp(ly->L[i].area, area)) {
      return i;
    }
  }
  if (ly->nl == LAM_LAYERS_MAX || area_index(ly, area) < 0) {
    return LAM_LAYERS_MAX;
  }
  lam_layer_signal *l = &ly->L[ly->nl];
  memset(l, 0, sizeof *l);
  snprintf(l->name, sizeof l->name, "%s", lay);
  snprintf(l->area, sizeof l->area, "%s", area);
  snprintf(l->label, sizeof l->label, "%s%s%s", area, area[0] ? "." : "", lay);
  snprintf(l->unit, sizeof l->unit, "%s", unit);
  return ly->nl++;
}

/* Widen layer i to ncols columns (new ones zero). */
static int widen(lam_layer_group *ly, size_t i, size_t ncols, lam_err *err) {
  lam_layer_signal *l = &ly->L[i];
  if (ncols <= l->ncols) {
    return LAM_OK;
  }
  const size_t n = ly->n;
  double *x = realloc(l->x, ncols * n * sizeof *x);
  if (x) {
    l->x = x;
  }
  double *cnt = x ? realloc(ly->cnt[i], ncols * sizeof *cnt) : NULL;
  if (!cnt) {
    return LAM_NOMEM(err);
  }
  ly->cnt[i] = cnt;
  memset(x + l->ncols * n, 0, (ncols - l->ncols) * n * sizeof *x);
  memset(cnt + l->ncols, 0, (ncols - l->ncols) * sizeof *cnt);
  l->ncols = ncols;
  return LAM_OK;
}

/* The area signal: pop AREA.x in L2/3 or L5 adds all its columns and units. */
static int add_signal(lam_layer_group *ly, const char *area, const char *lay,
                      const double *v, size_t ncols, size_t nunits, size_t i0,
                      lam_err *err) {
  if (!area[0] || (strcmp(lay, "L2/3") && strcmp(lay, "L5"))) {
    return LAM_OK;
  }
  size_t k = 0;
  while (k < ly->nsig && strcmp(ly->sig[k].name, area)) {
    k++;
  }
  if (k == ly->nsig) {
    if (ly->nsig == LAM_LAYERS_MAXAREAS) {
      return lam_err_set(err, LAM_EINVAL, "too many areas");
    }
    ly->sig[k].x = calloc(ly->n, sizeof *ly->sig[k].x);
    if (!ly->sig[k].x) {
      return LAM_NOMEM(err);
    }
    snprintf(ly->sig[k].name, sizeof ly->sig[k].name, "%s", area);
    ly->nsig++;
  }
  area_signal *s = &ly->sig[k];
  for (size_t i = 0; i < ly->n; i++) {
    const double *row = v + (i + i0) * ncols * nunits;
    for (size_t u = 0; u < ncols * nunits; u++) {
      s->x[i] += row[u];
    }
  }
  s->cnt += (double)(ncols * nunits);
  return LAM_OK;
}

int lam_layers_takes(const char *layer) {
  return layer[0] && isfinite(lam_probe_layer_depth(layer));
}

int lam_layers_add(lam_layer_group *ly, const char *pop, const char *lay,
                   const char *unit, const double *v, size_t ncols,
                   size_t nunits, size_t i0, lam_err *err) {
  if (!lam_layers_takes(lay)) {
    return LAM_OK; /* derived or layer-less populations (attention weights) */
  }
  /* Population AREA.pop of a run of stacked areas. */
  char area[LAM_LAYERS_NAMELEN] = "";
  const char *dot = strchr(pop, '.');
  if (dot && dot > pop && (size_t)(dot - pop) < sizeof area) {
    memcpy(area, pop, (size_t)(dot - pop));
    area[dot - pop] = '\0';
    ly->multi = 1;
  }
  const size_t i = layer_index(ly, area, lay, unit);
  if (i == LAM_LAYERS_MAX) {
    return lam_err_set(err, LAM_EINVAL, "too many layers or areas");
  }
  int rc = widen(ly, i, ncols, err);
  if (!rc) {
    rc = add_signal(ly, area, lay, v, ncols, nunits, i0, err);
  }
  if (rc) {
    return rc;
  }
  lam_layer_signal *l = &ly->L[i];
  size_t len = strlen(l->pops);
  snprintf(l->pops + len, sizeof l->pops - len, "%s%s", len ? "," : "", pop);
  const size_t n = ly->n;
  for (size_t c = 0; c < ncols; c++) {
    for (size_t s = 0; s < n; s++) {
      const double *row = v + ((s + i0) * ncols + c) * nunits;
      for (size_t u = 0; u < nunits; u++) {
        l->x[c * n + s] += row[u];
      }
    }
    ly->cnt[i][c] += (double)nunits;
  }
  return LAM_OK;
}

/* Position of layer l: its area's index, then its depth (cortical order,
 * L1 at the top). */
static int layer_before(const lam_layer_group *ly, const lam_layer_signal *a,
                        const lam_layer_signal *b) {
  size_t ia = 0, ib = 0;
  while (ia < ly->na && strcmp(ly->area[ia], a->area)) {
    ia++;
  }
  while (ib < ly->na && strcmp(ly->area[ib], b->area)) {
    ib++;
  }
  if (ia != ib) {
    return ia < ib;
  }
  return lam_probe_layer_depth(a->name) < lam_probe_layer_depth(b->name);
}

void lam_layers_finish(lam_layer_group *ly) {
  const size_t n = ly->n;
  /* Insertion sort (a few layers): cortical order within each area. */
  for (size_t i = 1; i < ly->nl; i++) {
    for (size_t j = i; j > 0 && layer_before(ly, &ly->L[j], &ly->L[j - 1]); j--) {
      lam_layer_signal t = ly->L[j];
      ly->L[j] = ly->L[j - 1];
      ly->L[j - 1] = t;
      double *c = ly->cnt[j];
      ly->cnt[j] = ly->cnt[j - 1];
      ly->cnt[j - 1] = c;
    }
  }
  for (size_t i = 0; i < ly->nl; i++) {
    lam_layer_signal *l = &ly->L[i];
    double s = 0.0;
    for (size_t c = 0; c < l->ncols; c++) {
      for (size_t k = 0; k < n; k++) {
        l->x[c * n + k] /= ly->cnt[i][c] > 0 ? ly->cnt[i][c] : 1.0;
        s += l->x[c * n + k];
      }
    }
    l->mean = s / (double)(n * l->ncols);
  }
  for (size_t k = 0; k < ly->nsig; k++) {
    for (size_t i = 0; i < n; i++) {
      ly->sig[k].x[i] /= ly->sig[k].cnt;
    }
  }
}

size_t lam_layers_samples(const lam_layer_group *ly) { return ly->n; }

int lam_layers_multi(const lam_layer_group *ly) { return ly->multi; }

size_t lam_layers_count(const lam_layer_group *ly) { return ly->nl; }

const lam_layer_signal *lam_layers_get(const lam_layer_group *ly, size_t i) {
  return i < ly->nl ? &ly->L[i] : NULL;
}

const lam_layer_signal *lam_layers_find(const lam_layer_group *ly, const char *area,
                                 const char *name) {
  for (size_t i = 0; i < ly->nl; i++) {
    if (!strcmp(ly->L[i].name, name) && !strcmp(ly->L[i].area, area)) {
      return &ly->L[i];
    }
  }
  return NULL;
}

size_t lam_layers_areas(const lam_layer_group *ly) { return ly->na; }

const char *lam_layers_area(const lam_layer_group *ly, size_t k) {
  return k < ly->na ? ly->area[k] : NULL;
}

size_t lam_layers_signals(const lam_layer_group *ly) { return ly->nsig; }

const double *lam_layers_signal(const lam_layer_group *ly, size_t k,
                                const char **name) {
  if (k >= ly->nsig) {
    return NULL;
  }
  if (name) {
    *name = ly->sig[k].name;
  }
  return ly->sig[k].x;
}
