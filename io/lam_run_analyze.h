/* lam_run_analyze.h: a run file into the analysis of
 * analysis/lam_run_analysis.h (`laminar analyze RUN.h5`, docs/analysis.md).
 *
 * Reads, through the checked reader io/lam_runfile.h, /time (sampling and
 * --t0), every population of /traces with a cortical layer (samples x
 * columns x units, grouped by analysis/lam_layers.h), and per area
 * ("" in a single-area run, AREA in a run of stacked areas):
 *   - the attention weights /traces/attn, or /traces/AREA.attn (samples x
 *     queries x heads*keys; keys: the columns of /traces/l4 or
 *     /traces/AREA.l4), when both are present;
 *   - the LFP /lfp, or /AREA.lfp (samples x contacts, attribute unit), at
 *     the depths /probe/depth_um, when present.
 * Errors name the file and the dataset ("RUN.h5: expected as many samples
 * as /time in /traces/l23").
 */
#ifndef LAM_RUN_ANALYZE_H
#define LAM_RUN_ANALYZE_H

#include "lam_error.h"
#include "lam_run_analysis.h"
#include "lam_runfile.h"

/* The analysis of the open run rf with opts (lam_analysis_defaults() and
 * changes) into *out (free with lam_analysis_free). Whether rf is complete
 * is the caller's to report (lam_runfile_complete). LAM_EINVAL, LAM_EIO,
 * LAM_ENOTFOUND, LAM_ENOMEM with a message as above. */
int lam_run_analyze(const lam_runfile *rf, const lam_analysis_opts *opts,
                    lam_analysis **out, lam_err *err);

#endif
