/* lam_areas.h: stacked cortical areas, each a network of attention columns,
 * as one lam_system (docs/hierarchy.md).
 *
 * A model with an [areas] section lists its areas, bottom first
 * (`names = v1,v2`). Area NAME is built from the model's ordinary sections
 * ([network], [column], [input], [weights], [clocks], [stimulus]) with the
 * keys of [area.NAME.SECTION] taking precedence (read so by io/lam_params.c).
 * Neighbouring areas are linked both ways:
 *   feedforward  x_ext of area a+1, row j = ff_gain * O_a[r(j)] W_O:
 *                the multi-head output Y = W_O [O_1..O_H] of area a becomes
 *                thalamic-like input of area a+1 (r(j) = j when area a has
 *                one query row per column of area a+1, 0 when it has one);
 *   feedback     z_ext of area a = fb_gain * mean_j(S_{a+1}[j]) W_B: L2/3 (Q)
 *                or the L5 burst output (O) of area a+1, averaged over its
 *                columns, becomes top-down input of area a (L2/3 through
 *                c_td W_Q z, the apical gate in topdown topology, VIP).
 * Either link can carry a gamma-distributed conduction delay of mean D with
 * k stages (circuits/lam_delay.h).
 *
 * State layout: the areas' own state vectors one after the other (each as
 * docs/state-layout.md), then per link a -> a+1 the feedforward chain
 * (k x rows(O_a) x H dv) and the feedback chain (k x width of S_{a+1}), when
 * they exist. Populations are named "AREA.pop" (/traces/v1.l4 in HDF5,
 * v1.l4[c][u] in CSV).
 */
#ifndef LAM_AREAS_H
#define LAM_AREAS_H

#include "lam_attention.h"
#include "lam_given.h"
#include "lam_system.h"

enum { LAM_FB_L23, LAM_FB_L5 };

/* [areas] */
typedef struct lam_areas_params {
  lam_path names;
  double ff_gain, ff_delay;
  long ff_stages;
  double fb_gain;
  int fb_source;
  double fb_delay;
  long fb_stages;
  long seed;
  double scale;
  lam_path wo, wb;
} lam_areas_params;
extern const lam_param lam_areas_table[];
extern const size_t lam_areas_ntable;

/* [link.NAME]: the link from area NAME to the next one. By default (empty
 * wo/wb, delays -1, stages 0) each key takes the [areas] value. */
typedef struct lam_link_params {
  lam_path wo, wb;
  double ff_delay;
  long ff_stages;
  double fb_delay;
  long fb_stages;
} lam_link_params;
extern const lam_param lam_link_table[];
extern const size_t lam_link_ntable;

typedef struct lam_areas lam_areas;

#define LAM_AREAS_MAX 32      /* areas in a stack */
#define LAM_AREAS_NAME_MAX 64 /* bytes of an area's name, NUL included */

/* Everything stacked areas are built from: [areas], each area's attention
 * parameters ([area.NAME.SECTION] over [SECTION]) with its own given arrays
 * and locations, and [link.NAME] of each link (n - 1 of them, as given:
 * -1 delays and 0 stages stand for the [areas] values). */
typedef struct lam_areas_spec {
  lam_areas_params areas;
  size_t n; /* areas, as many as areas.names names */
  const lam_attention_params *area;   /* n */
  const lam_given *const *area_given; /* n (entries may be NULL) */
  const lam_link_params *link;        /* n - 1 */
  const lam_given *given;             /* [areas] and [link.NAME] (may be NULL) */
} lam_areas_spec;

/* Split areas.names into names (letters, digits, '_'; unique; at most
 * LAM_AREAS_MAX): *n of them into out. where names the key in messages. */
int lam_areas_parse_names(const char *names, const char *where,
                          char (*out)[LAM_AREAS_NAME_MAX], size_t *n,
                          lam_err *err);

int lam_areas_new(const lam_areas_spec *spec, lam_areas **out, lam_err *err);
void lam_areas_free(lam_areas *ar);
lam_system *lam_areas_system(lam_areas *ar);

size_t lam_areas_count(const lam_areas *ar);
/* The area of population pop of the system (lam_areas_count() when pop is
 * out of range). */
size_t lam_areas_pop_area(const lam_areas *ar, size_t pop);
const char *lam_areas_name(const lam_areas *ar, size_t i);
lam_attention *lam_areas_attention(lam_areas *ar, size_t i);
/* Offset of area i's state block in the whole state vector. */
size_t lam_areas_offset(const lam_areas *ar, size_t i);
/* Matrices of link i (area i -> i+1): "wo" (H dv of area i x d_in of area
 * i+1) or "wb" (feedback source width of area i+1 x d_in of area i). */
const double *lam_areas_link_matrix(const lam_areas *ar, size_t i,
                                    const char *name);

#endif
