/* lam_layers.h: populations grouped into cortical-layer signals, per area.
 *
 * A recorded population is a trace of samples x columns x units with a
 * cortical layer ("L2/3", "L4", "L5", ...; analysis/lam_probe.h knows their
 * depths) and a unit. Populations of the same layer (and area) form one
 * layer signal: in column c it is the mean over the units of all its
 * populations in that column. Populations without a layer, or whose layer
 * has no cortical depth (derived traces such as attention weights), are
 * skipped.
 *
 * In a run of stacked areas the populations are named AREA.pop
 * (docs/hierarchy.md): every area has its own layers (v1.L2/3, v2.L2/3,
 * ...). Each area also has one area signal, the mean over all columns and
 * units of its populations in L2/3 and L5, the input of the Granger
 * causality between areas (analysis/lam_run_analysis.h).
 *
 * Areas keep the order in which their first population was added; after
 * lam_layers_finish the layers of each area are in cortical order, top to
 * bottom (L1, L2/3, L4, L5, L6: by lam_probe_layer_depth). Used by
 * `laminar analyze` (docs/analysis.md).
 */
#ifndef LAM_LAYERS_H
#define LAM_LAYERS_H

#include <stddef.h>

#include "lam_error.h"

#define LAM_LAYERS_MAX 32     /* layers of one run, all areas together */
#define LAM_LAYERS_MAXAREAS 8 /* areas of one run */
#define LAM_LAYERS_NAMELEN 64

/* One layer signal (read-only view). */
typedef struct lam_layer_signal {
  char name[LAM_LAYERS_NAMELEN];           /* "L2/3" */
  char area[LAM_LAYERS_NAMELEN];           /* "v1", or "" in a single-area run */
  char label[2 * LAM_LAYERS_NAMELEN + 2];  /* "v1.L2/3", or the layer alone */
  char pops[256];                          /* its populations, comma-separated */
  char unit[LAM_LAYERS_NAMELEN];           /* unit of its first population */
  size_t ncols;  /* columns: the most of any of its populations */
  /* ncols signals of n samples, x[c * n + i] (after lam_layers_finish: the
   * mean over units; before: their sum) */
  double *x;
  double mean;   /* mean of x over columns and samples (after finish) */
} lam_layer_signal;

typedef struct lam_layer_group lam_layer_group;

/* Grouping of signals of n samples (n >= 1). LAM_ENOMEM. */
int lam_layers_new(size_t n, lam_layer_group **out, lam_err *err);
void lam_layers_free(lam_layer_group *ly);

/* 1 when populations of layer are grouped: a layer with a cortical depth
 * (lam_probe_layer_depth). Lets a reader skip the others unread. */
int lam_layers_takes(const char *layer);

/* Add population pop (name, layer and unit as recorded; v: samples x ncols
 * x nunits, row-major, of which samples i0 .. i0 + n - 1 are used). A
 * population without a cortical layer is skipped (LAM_OK). Errors:
 * LAM_EINVAL "too many layers or areas" (more than LAM_LAYERS_MAX layers or
 * LAM_LAYERS_MAXAREAS areas), LAM_ENOMEM. After an error the grouping may
 * hold part of pop: free it. */
int lam_layers_add(lam_layer_group *ly, const char *pop, const char *layer,
                   const char *unit, const double *v, size_t ncols,
                   size_t nunits, size_t i0, lam_err *err);
/* Sums to means (layer and area signals) and the layers' means. Call once,
 * after the last lam_layers_add. */
void lam_layers_finish(lam_layer_group *ly);

/* Samples per signal. */
size_t lam_layers_samples(const lam_layer_group *ly);
/* 1 when a population named AREA.pop was grouped (a run of stacked areas). */
int lam_layers_multi(const lam_layer_group *ly);
/* The layers: areas in order met, each area's layers top to bottom (after
 * lam_layers_finish). */
size_t lam_layers_count(const lam_layer_group *ly);
const lam_layer_signal *lam_layers_get(const lam_layer_group *ly, size_t i);
/* Layer name of area ("" in a single-area run), or NULL. */
const lam_layer_signal *lam_layers_find(const lam_layer_group *ly, const char *area,
                                 const char *name);
/* The areas of the layers, in order met ("" in a single-area run). */
size_t lam_layers_areas(const lam_layer_group *ly);
const char *lam_layers_area(const lam_layer_group *ly, size_t k);
/* The area signals (areas with a population AREA.pop in L2/3 or L5, in
 * order met): name and n samples (means after lam_layers_finish). */
size_t lam_layers_signals(const lam_layer_group *ly);
const double *lam_layers_signal(const lam_layer_group *ly, size_t k,
                                const char **name);

#endif
