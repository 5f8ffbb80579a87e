/* analyze_areas.h: directed influence between the areas of a run, for
 * `laminar analyze` (docs/analysis.md).
 *
 * The signal of area NAME is the mean, over its columns and units, of every
 * recorded population NAME.pop whose layer is L2/3 or L5 (/traces/v1.l23,
 * v1.l5b, v1.out, ...). For every pair of areas, both directions, the
 * spectral Granger causality of a bivariate VAR fitted to the two signals
 * (analysis/lam_granger.h; order by AIC or BIC up to pmax), mean per band.
 */
#ifndef LAM_CLI_ANALYZE_AREAS_H
#define LAM_CLI_ANALYZE_AREAS_H

#include <stdio.h>

#include "lam_spectrum.h"

#define LAM_CLI_MAXAREAS 8
#define LAM_CLI_MAXGBANDS 8

typedef struct lam_cli_gpair {
  size_t from, to, order;
  double gc[LAM_CLI_MAXGBANDS]; /* band mean, from -> to, nats */
} lam_cli_gpair;

typedef struct lam_cli_areas {
  size_t na, n;
  char name[LAM_CLI_MAXAREAS][64];
  double *x[LAM_CLI_MAXAREAS]; /* n samples */
  double cnt[LAM_CLI_MAXAREAS];
  size_t pmax;
  int criterion; /* LAM_GRANGER_AIC, _BIC, _FIXED */
  size_t np;
  lam_cli_gpair pair[LAM_CLI_MAXAREAS * (LAM_CLI_MAXAREAS - 1)];
  char note[1200]; /* why Granger was not computed, or "" */
} lam_cli_areas;

/* Add population pop (v: samples x ncols x nunits, samples from i0, n of
 * them) when its name is AREA.x and its layer L2/3 or L5. 0, or 1 when out
 * of memory or areas. */
int lam_cli_areas_add(lam_cli_areas *a, const char *pop, const char *layer,
                      const double *v, size_t ncols, size_t nunits, size_t i0,
                      size_t n);
/* Fit every pair (needs two areas); failures go to a->note. */
void lam_cli_areas_granger(lam_cli_areas *a, double fs, const lam_band *bands,
                           size_t nb);
void lam_cli_areas_free(lam_cli_areas *a);

void lam_cli_areas_table(FILE *o, const lam_cli_areas *a, const lam_band *bands,
                         size_t nb);
/* A JSON value (object or null). */
void lam_cli_areas_json(FILE *o, const lam_cli_areas *a, const lam_band *bands,
                        size_t nb);
/* Rows kind,name,quantity,value,unit: granger,"v1->v2",BAND,value,nats. */
void lam_cli_areas_csv(FILE *o, const lam_cli_areas *a, const lam_band *bands,
                       size_t nb);

#endif
