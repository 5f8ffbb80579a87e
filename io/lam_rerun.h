/* lam_rerun.h: a run repeated from its file alone (`laminar run --from`).
 *
 * Reads what lam_provenance.h wrote: the effective model text (root
 * attribute `model`) and every input the run read (attribute `inputs`,
 * input.<name>.*). An input stored as /inputs/<name> is written back, with
 * %.17g so every double reads back to the same bits, to a private folder
 * (mkdtemp under $TMPDIR or /tmp), and the model key that named it points
 * there; an input without a stored array is taken from its recorded path
 * only if that file's SHA-256 is still the recorded one. Reads only the root
 * attributes and /inputs/, each dimension checked (rank 2, a size limit),
 * errors naming the file and the attribute or dataset.
 */
#ifndef LAM_RERUN_H
#define LAM_RERUN_H

#include "lam_error.h"
#include "lam_model.h"

typedef struct lam_rerun lam_rerun;

/* Largest input array read back, in values (1 GiB of doubles). */
#define LAM_RERUN_MAX_VALUES ((size_t)1 << 27)

/* Open run_path and build its model (not yet filled: further overrides go
 * on lam_rerun_model's result). */
int lam_rerun_new(const char *run_path, lam_rerun **out, lam_err *err);

/* The model of the run, owned by r. */
lam_model *lam_rerun_model(lam_rerun *r);

/* The folder holding the written-back inputs ("" when none were needed). */
const char *lam_rerun_dir(const lam_rerun *r);

/* Remove the written-back inputs and their folder; free r. NULL: no-op. */
void lam_rerun_free(lam_rerun *r);

#endif
