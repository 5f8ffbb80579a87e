/* lam_simrec.c: a simulation's run recorded into a run file (see
 * lam_simrec.h). */
#include "lam_simrec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lam_provenance.h"

/* Contact depths, population depths and names: once per recorded run. */
static int probe_header(lam_sim *sim, lam_recorder *rec, lam_err *err) {
  const lam_probe *pr = lam_sim_probe(sim, 0, NULL, NULL); /* every electrode has these contacts */
  const size_t *pop;
  const double *depth;
  const size_t np = lam_sim_probe_pops(sim, &pop, &depth);
  size_t nc = lam_probe_ncontacts(pr), dims[1] = {nc};
  double buf[4096];
  size_t ncsd = lam_probe_ncsd(pr);
  if (nc > sizeof buf / sizeof *buf) {
    return LAM_INTERNAL(err, "probe: too many contacts");
  }
  for (size_t i = 0; i < nc; i++) {
    buf[i] = lam_probe_contact_depth(pr, i);
  }
  int rc = lam_recorder_dataset(rec, "probe/depth_um", "um", buf, 1, dims, err);
  dims[0] = np;
  if (!rc) {
    rc = lam_recorder_dataset(rec, "probe/pop_depth_um", "um", depth, 1, dims,
                              err);
  }
  /* The CSD's contacts 1 .. N-2. */
  dims[0] = ncsd;
  for (size_t i = 0; i < ncsd; i++) {
    buf[i] = lam_probe_contact_depth(pr, i + 1);
  }
  if (!rc && ncsd > 0) {
    rc = lam_recorder_dataset(rec, "probe/csd_depth_um", "um", buf, 1, dims,
                              err);
  }
  /* Labelled axes: the contact axis of every LFP / CSD series has the
   * contact depths as its coordinate. */
  if (!rc) {
    rc = lam_recorder_label(rec, "probe/pop_depth_um", 0, "population", NULL,
                            err);
  }
  for (size_t k = 0; !rc && k < lam_sim_probe_count(sim); k++) {
    const char *lfp, *csd;
    lam_sim_probe(sim, k, &lfp, &csd);
    rc = lam_recorder_label(rec, lfp, 1, "contact", "/probe/depth_um", err);
    if (!rc && ncsd > 0) {
      rc = lam_recorder_label(rec, csd, 1, "contact", "/probe/csd_depth_um",
                              err);
    }
  }
  char names[1024] = "";
  const lam_system *s = lam_sim_system(sim);
  for (size_t j = 0; j < np; j++) {
    size_t len = strlen(names);
    snprintf(names + len, sizeof names - len, "%s%s", j ? "," : "",
             s->pops[pop[j]].name);
  }
  return rc ? rc : lam_recorder_attr_text(rec, "probe_populations", names, err);
}

static int begin(void *ctx, lam_sim *sim, const lam_run_opts *o, lam_err *err) {
  lam_recorder *rec = ctx;
  const lam_sim_params *p = lam_sim_params_of(sim);
  lam_provenance_opts po = {o->command_line, o->no_inputs};
  int rc = lam_provenance_write(rec, p, &po, err);
  if (!rc) { /* kind: the recorder's own attribute */
    rc = lam_recorder_attr_real(rec, "seed", (double)p->solver.seed, err);
  }
  if (!rc && lam_sim_probe_count(sim)) {
    rc = probe_header(sim, rec, err);
  }
  return rc;
}

static int sample(void *ctx, lam_sim *sim, double t, const double *y,
                  lam_err *err) {
  lam_recorder *rec = ctx;
  int rc = lam_recorder_sample(rec, t, y, err);
  for (size_t k = 0; !rc && k < lam_sim_probe_count(sim); k++) {
    const char *lname, *cname;
    const lam_probe *pr = lam_sim_probe(sim, k, &lname, &cname);
    const double *lfp, *csd;
    lam_sim_probe_lfp(sim, k, t, y, &lfp, &csd);
    rc = lam_recorder_series(rec, lname, lam_sim_probe_unit(sim, 0), lfp,
                             lam_probe_ncontacts(pr), err);
    if (!rc) {
      rc = lam_recorder_series(rec, cname, lam_sim_probe_unit(sim, 1), csd,
                               lam_probe_ncsd(pr), err);
    }
  }
  return rc;
}

static int write_stats(lam_sim *sim, lam_recorder *rec, lam_err *err) {
  lam_solver_stats st;
  double wall;
  lam_sim_stats(sim, &st, &wall);
  struct {
    const char *name;
    double v;
  } a[] = {{"solver_nsteps", (double)st.nsteps},
           {"solver_nfevals", (double)st.nfevals},
           {"solver_netfails", (double)st.netfails},
           {"solver_nniters", (double)st.nniters},
           {"solver_nncfails", (double)st.nncfails},
           {"solver_nliters", (double)st.nliters},
           {"solver_last_order", (double)st.last_order},
           {"solver_last_step", st.last_step},
           {"solver_seconds", st.solver_seconds},
           {"solver_rhs_seconds", st.rhs_seconds},
           {"solver_threads_share", lam_sim_threads_share(sim)},
           {"wall_seconds", wall}};
  for (size_t i = 0; i < LAM_NELEM(a); i++) {
    int rc = lam_recorder_attr_real(rec, a[i].name, a[i].v, err);
    if (rc) {
      return rc;
    }
  }
  char method[16];
  const lam_solver_params *sp = &lam_sim_params_of(sim)->solver;
  lam_choice_word(lam_solver_table[0].choices, sp->method, method,
                  sizeof method);
  int rc = lam_recorder_attr_text(rec, "solver_method", method, err);
  const char *why = lam_solver_auto_reason(&st, sp);
  if (!rc && why) {
    /* method = auto: what it chose and why, and the switch if any. */
    char auto_text[160], start[16], end[16];
    lam_choice_word(lam_solver_table[0].choices, st.method_start, start,
                    sizeof start);
    lam_choice_word(lam_solver_table[0].choices, st.method_end, end,
                    sizeof end);
    if (isnan(st.switch_time)) {
      snprintf(auto_text, sizeof auto_text, "%s (%s)", start, why);
    } else {
      snprintf(auto_text, sizeof auto_text,
               "%s (%s), %s from t = %.9g s (stiffness test)", start, why, end,
               st.switch_time);
    }
    rc = lam_recorder_attr_text(rec, "solver_auto", auto_text, err);
    if (!rc) {
      rc = lam_recorder_attr_text(rec, "solver_method_end", end, err);
    }
    if (!rc) {
      rc = lam_recorder_attr_real(rec, "solver_switch_time", st.switch_time,
                                  err);
    }
    if (!rc) {
      rc = lam_recorder_attr_real(rec, "solver_stiff_hrho", st.stiff_hrho, err);
    }
  }
  return rc;
}

static void end(void *ctx, lam_sim *sim, double t, const double *y) {
  lam_recorder *rec = ctx;
  lam_err e2;
  if (write_stats(sim, rec, &e2) == LAM_OK && y) {
    lam_recorder_final(rec, t, y, &e2);
  }
}

/* A sample reads the recorded populations' blocks of the state, when the
 * model says what each reads and there is no probe (the probe reads the
 * inputs of many populations): the block from the first to the last. */
static int reads(void *ctx, lam_sim *sim, size_t *first, size_t *end) {
  const lam_recorder *rec = ctx;
  const lam_system *s = lam_sim_system(sim);
  const size_t *pops;
  const size_t np = lam_recorder_pops(rec, &pops);
  if (lam_sim_probe_count(sim) || !s->ops->observe_reads || np == 0) {
    return 0;
  }
  size_t lo = s->n, hi = 0;
  for (size_t k = 0; k < np; k++) {
    size_t a, b;
    if (!s->ops->observe_reads(s->self, pops[k], &a, &b) || !(a < b && b <= s->n)) {
      return 0;
    }
    lo = a < lo ? a : lo;
    hi = b > hi ? b : hi;
  }
  *first = lo;
  *end = hi;
  return 1;
}

lam_sim_observer lam_simrec_observer(lam_recorder *rec) {
  return (lam_sim_observer){rec, begin, sample, end, reads};
}

int lam_sim_record(lam_sim *sim, const lam_run_opts *o, lam_recorder *rec,
                   lam_err *err) {
  lam_sim_observer obs = lam_simrec_observer(rec);
  return lam_sim_run(sim, o, rec ? &obs : NULL, err);
}
