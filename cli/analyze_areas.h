/* analyze_areas.h: printing the directed influence between the areas of a
 * run, for `laminar analyze` (docs/analysis.md).
 *
 * The signal of area NAME is the mean, over its columns and units, of every
 * recorded population NAME.pop whose layer is L2/3 or L5 (/traces/v1.l23,
 * v1.l5b, v1.out, ...). For every pair of areas, both directions, the
 * spectral Granger causality of a bivariate VAR fitted to the two signals
 * (analysis/lam_granger.h; order by AIC or BIC up to pmax), mean per band:
 * computed by analysis/lam_run_analysis.h, printed here.
 */
#ifndef LAM_CLI_ANALYZE_AREAS_H
#define LAM_CLI_ANALYZE_AREAS_H

#include <stdio.h>

#include "lam_run_analysis.h"

/* Coherence between layers of different areas (same column index, mean
 * over the columns both have; an->pcoh), a table of its own after the
 * one within areas; nothing in a single-area run. */
void lam_cli_areas_layer_pairs(FILE *o, const lam_analysis *an);

/* Nothing with fewer than two areas. */
void lam_cli_areas_table(FILE *o, const lam_analysis_granger *a,
                         const lam_band *bands, size_t nb);
/* Rows kind,name,quantity,value,unit: granger,"v1->v2",BAND,value,nats. */
void lam_cli_areas_csv(FILE *o, const lam_analysis_granger *a,
                       const lam_band *bands, size_t nb);

#endif
