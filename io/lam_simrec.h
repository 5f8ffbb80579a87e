/* lam_simrec.h: a simulation's run recorded into a run file.
 *
 * The recorder (io/lam_recorder.h) as an observer of lam_sim_run: at the
 * start the provenance (the model text, its inputs, the command line,
 * version, commit, build, time and host: io/lam_provenance.h), the noise
 * seed and the probe's geometry; at every sample the recorded populations
 * and the probe's LFP and CSD; at the end, also after a run that stopped
 * early, the solver statistics and the final state.
 */
#ifndef LAM_SIMREC_H
#define LAM_SIMREC_H

#include "lam_error.h"
#include "lam_recorder.h"
#include "lam_sim.h"

/* lam_sim_run(sim, o, ...) writing into rec (the caller closes rec). */
int lam_sim_record(lam_sim *sim, const lam_run_opts *o, lam_recorder *rec,
                   lam_err *err);

/* The observer lam_sim_record uses, for callers with observers of their
 * own to chain. */
lam_sim_observer lam_simrec_observer(lam_recorder *rec);

#endif
