/* lam_analysis_json.h: the analysis of a run (io/lam_run_analyze.h) as the
 * JSON object `laminar analyze --json` writes (docs/analysis.md): file,
 * samples, bands, layers, layer_coherence, segregation, pac_mi, attention,
 * contacts, lfp_unit, granger, warnings. NaN and infinities are null. The Python
 * package returns the same object (laminar.analyze).
 */
#ifndef LAM_ANALYSIS_JSON_H
#define LAM_ANALYSIS_JSON_H

#include <stdio.h>

#include "lam_run_analysis.h"

/* Write an (from the run file named file) to o. incomplete: NULL, or what
 * the complete attribute of a run read with LAM_RUNFILE_PARTIAL said. */
void lam_analysis_json(FILE *o, const lam_analysis *an, const char *file,
                       const char *incomplete);

#endif
