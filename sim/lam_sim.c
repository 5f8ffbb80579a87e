/* lam_sim.c: typed parameters -> system -> solver -> samples (see
 * lam_sim.h). */
#include "lam_sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lam_areas.h"
#include "lam_attention.h"
#include "lam_column.h"
#include "lam_jansen_rit.h"
#include "lam_mejias.h"
#include "lam_par.h"
#include "lam_probe.h"
#include "lam_wilson_cowan.h"
#include "lam_time.h"

struct lam_sim {
  lam_sim_params *p; /* the simulation's own copy */
  void *impl;
  void (*impl_free)(void *);
  lam_system *sys;
  lam_solver *solver;
  double *y;
  double *obs; /* observation buffer, largest population */
  double stop_at; /* the solver's current stop time (a break), or NaN */
  struct sim_probe *probe; /* virtual laminar probe, NULL when off */
  double wall;
  double threads_share; /* of the last run's measured time, the share on [solver] threads */
  lam_solver_params solver_p; /* [solver] as run: threads = 0 resolved */
};

/* ---- The kinds: one row per column kind (and stacked areas) ---- */

static int new_attention(const lam_sim_params *p, void **impl, lam_system **sys,
                         lam_err *err) {
  lam_attention_params ap;
  lam_sim_params_attention(p, &ap);
  lam_attention *a = NULL;
  int rc = lam_attention_new(&ap, p->given, &a, err);
  *impl = a;
  *sys = rc ? NULL : lam_attention_system(a);
  return rc;
}
static void free_attention(void *p) { lam_attention_free(p); }

static int new_jansen_rit(const lam_sim_params *p, void **impl, lam_system **sys,
                          lam_err *err) {
  lam_jansen_rit *jr = NULL;
  int rc = lam_jansen_rit_new(&p->mass_network, &p->jansen_rit, p->given, &jr, err);
  *impl = jr;
  *sys = rc ? NULL : lam_jansen_rit_system(jr);
  return rc;
}
static void free_jansen_rit(void *p) { lam_jansen_rit_free(p); }

static int new_mejias(const lam_sim_params *p, void **impl, lam_system **sys,
                      lam_err *err) {
  lam_mejias *mj = NULL;
  int rc = lam_mejias_new(&p->mass_network, &p->mejias2016, p->given, &mj, err);
  *impl = mj;
  *sys = rc ? NULL : lam_mejias_system(mj);
  return rc;
}
static void free_mejias(void *p) { lam_mejias_free(p); }

static int new_wilson_cowan(const lam_sim_params *p, void **impl,
                            lam_system **sys, lam_err *err) {
  lam_wilson_cowan *wc = NULL;
  int rc = lam_wilson_cowan_new(&p->mass_network, &p->wilson_cowan, p->given,
                                &wc, err);
  *impl = wc;
  *sys = rc ? NULL : lam_wilson_cowan_system(wc);
  return rc;
}
static void free_wilson_cowan(void *p) { lam_wilson_cowan_free(p); }

static int new_areas(const lam_sim_params *p, void **impl, lam_system **sys,
                     lam_err *err) {
  lam_areas_spec spec = {p->areas, p->nareas, p->area,
                         (const lam_given *const *)p->area_given, p->link,
                         p->given};
  lam_areas *ar = NULL;
  int rc = lam_areas_new(&spec, &ar, err);
  *impl = ar;
  *sys = rc ? NULL : lam_areas_system(ar);
  return rc;
}
static void free_areas(void *p) { lam_areas_free(p); }

typedef struct kind_row {
  int kind; /* LAM_KIND_*, or -1 for stacked areas */
  int (*make)(const lam_sim_params *p, void **impl, lam_system **sys,
              lam_err *err);
  void (*free)(void *impl);
} kind_row;

static const kind_row kinds[] = {
    {LAM_KIND_ATTENTION, new_attention, free_attention},
    {LAM_KIND_JANSEN_RIT, new_jansen_rit, free_jansen_rit},
    {LAM_KIND_MEJIAS, new_mejias, free_mejias},
    {LAM_KIND_WILSON_COWAN, new_wilson_cowan, free_wilson_cowan},
    {-1, new_areas, free_areas},
};

/* ---- Virtual laminar probe (docs/analysis.md) ----
 * Every population whose layer has a depth (lam_probe_layer_depth) feeds the
 * probe with its per-column current: the synaptic input (ops->input, or the
 * rate when the model has none) summed over the units of a column and
 * averaged over the columns. At every recorded sample the run writes
 * /lfp (samples x contacts) and /csd (samples x contacts - 2); a model of
 * stacked areas has one electrode per area, /AREA.lfp and /AREA.csd, each
 * seeing its own area's populations (docs/hierarchy.md). */
typedef struct probe_area {
  char lfp[80], csd[80]; /* dataset names */
  size_t first, np;      /* its populations: pop[first .. first + np - 1] */
  lam_probe *pr;
} probe_area;

typedef struct sim_probe {
  size_t np;      /* populations on the probe */
  size_t *pop;    /* their indices in sys->pops */
  double *depth;  /* their depths, um */
  size_t na;      /* electrodes: one, or one per area */
  probe_area *area;
  double *cur, *buf, *lfp, *csd;
  char lfp_unit[48], csd_unit[48];
} sim_probe;

static void probe_free(sim_probe *p) {
  if (p) {
    for (size_t k = 0; p->area && k < p->na; k++) {
      lam_probe_free(p->area[k].pr);
    }
    free(p->area);
    free(p->pop);
    free(p->depth);
    free(p->cur);
    free(p->buf);
    free(p->lfp);
    free(p->csd);
    free(p);
  }
}

/* Build the probe when [probe] is enabled. */
static int probe_setup(lam_sim *sim, lam_err *err) {
  const lam_probe_params pp = sim->p->probe;
  if (!pp.enabled) {
    return LAM_OK;
  }
  const lam_system *s = sim->sys;
  sim_probe *p = calloc(1, sizeof *p);
  if (!p) {
    return LAM_NOMEM(err);
  }
  sim->probe = p;
  p->pop = calloc(s->npops, sizeof *p->pop);
  p->depth = calloc(s->npops, sizeof *p->depth);
  size_t maxw = 1;
  for (size_t i = 0; p->pop && p->depth && i < s->npops; i++) {
    double z = lam_probe_layer_depth(s->pops[i].layer);
    size_t w = s->pops[i].ncols * s->pops[i].nunits;
    maxw = w > maxw ? w : maxw;
    if (isfinite(z)) {
      p->pop[p->np] = i;
      p->depth[p->np++] = z;
    }
  }
  if (!p->pop || !p->depth) {
    return LAM_NOMEM(err);
  }
  if (p->np == 0) {
    const char *where = lam_sim_params_where(sim->p, "probe", "enabled");
    return lam_err_set(err, LAM_EINVAL,
                       "%s%sprobe.enabled: expected a model with populations in "
                       "cortical layers, found none in kind '%s'",
                       where ? where : "", where ? ": " : "", s->kind);
  }
  /* Areas: their populations follow one another in the system's order. */
  const lam_areas *ar = lam_sim_impl(sim, "areas");
  p->na = ar ? lam_areas_count(ar) : 1;
  p->area = calloc(p->na, sizeof *p->area);
  if (!p->area) {
    return LAM_NOMEM(err);
  }
  for (size_t k = 0, j = 0; k < p->na; k++) {
    probe_area *pa = &p->area[k];
    pa->first = j;
    while (j < p->np && (!ar || lam_areas_pop_area(ar, p->pop[j]) == k)) {
      j++;
    }
    pa->np = j - pa->first;
    const char *name = ar ? lam_areas_name(ar, k) : "";
    snprintf(pa->lfp, sizeof pa->lfp, "%s%slfp", name, ar ? "." : "");
    snprintf(pa->csd, sizeof pa->csd, "%s%scsd", name, ar ? "." : "");
    if (pa->np == 0) {
      return LAM_INTERNAL(err, "probe: an area without layered populations");
    }
    pa->pr = lam_probe_new(&pp, pa->np, p->depth + pa->first, err);
    if (!pa->pr) {
      return err ? err->code : LAM_EINVAL;
    }
  }
  const lam_probe *pr = p->area[0].pr;
  p->cur = malloc(p->np * sizeof *p->cur);
  p->buf = malloc(maxw * sizeof *p->buf);
  p->lfp = malloc(lam_probe_ncontacts(pr) * sizeof *p->lfp);
  p->csd = malloc(lam_probe_ncsd(pr) * sizeof *p->csd);
  if (!p->cur || !p->buf || !p->lfp || !p->csd) {
    return LAM_NOMEM(err);
  }
  /* Currents in A give V and A/m^3; rate models' a.u. carry through. */
  const char *u = s->pops[p->pop[0]].unit;
  int amp = u && strcmp(u, "A") == 0;
  snprintf(p->lfp_unit, sizeof p->lfp_unit, "%s%s", amp ? "V" : (u ? u : ""),
           amp ? "" : "*ohm");
  snprintf(p->csd_unit, sizeof p->csd_unit, "%s/m^3", u ? u : "");
  return LAM_OK;
}

size_t lam_sim_probe_count(const lam_sim *sim) {
  return sim->probe ? sim->probe->na : 0;
}

const lam_probe *lam_sim_probe(const lam_sim *sim, size_t k,
                               const char **lfp_name, const char **csd_name) {
  if (!sim->probe || k >= sim->probe->na) {
    return NULL;
  }
  const probe_area *pa = &sim->probe->area[k];
  if (lfp_name) {
    *lfp_name = pa->lfp;
  }
  if (csd_name) {
    *csd_name = pa->csd;
  }
  return pa->pr;
}

size_t lam_sim_probe_pops(const lam_sim *sim, const size_t **pop,
                          const double **depth_um) {
  const sim_probe *p = sim->probe;
  *pop = p ? p->pop : NULL;
  *depth_um = p ? p->depth : NULL;
  return p ? p->np : 0;
}

const char *lam_sim_probe_unit(const lam_sim *sim, int csd) {
  return !sim->probe ? "" : csd ? sim->probe->csd_unit : sim->probe->lfp_unit;
}

/* Per population of electrode k the summed current of a column (averaged
 * over columns), then the LFP and CSD. */
void lam_sim_probe_lfp(lam_sim *sim, size_t k, double t, const double *y,
                       const double **lfp, const double **csd) {
  sim_probe *p = sim->probe;
  const lam_system *s = sim->sys;
  const probe_area *pa = &p->area[k];
  for (size_t j = pa->first; j < pa->first + pa->np; j++) {
    const lam_pop_info *pi = &s->pops[p->pop[j]];
    size_t w = pi->ncols * pi->nunits;
    if (s->ops->input) {
      s->ops->input(s->self, p->pop[j], t, y, p->buf);
    } else {
      s->ops->observe(s->self, p->pop[j], t, y, p->buf);
    }
    double sum = 0.0;
    for (size_t q = 0; q < w; q++) {
      sum += p->buf[q];
    }
    p->cur[j] = sum / (double)pi->ncols;
  }
  lam_probe_lfp(pa->pr, p->cur + pa->first, p->lfp);
  lam_probe_csd(pa->pr, p->lfp, p->csd);
  *lfp = p->lfp;
  *csd = p->csd;
}

void lam_sim_free(lam_sim *sim) {
  if (!sim) {
    return;
  }
  lam_solver_free(sim->solver);
  if (sim->impl_free) {
    sim->impl_free(sim->impl);
  }
  free(sim->y);
  free(sim->obs);
  probe_free(sim->probe);
  lam_sim_params_free(sim->p);
  free(sim);
}

static int load_init(lam_sim *sim, lam_err *err) {
  const lam_init_params *ip = &sim->p->init;
  if (!ip->state[0]) {
    return LAM_OK;
  }
  lam_system *s = sim->sys;
  size_t cols = s->state_cols ? s->state_cols : s->pops[0].ncols;
  size_t rows = s->state_rows ? s->state_rows : s->n / cols;
  const lam_matrix *mp;
  int rc = lam_given_array(sim->p->given, "init", "state", ip->state, rows, cols,
                           &mp, err);
  if (rc) {
    return rc;
  }
  const lam_matrix mat = *mp;
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      long idx = s->ops->state_index ? s->ops->state_index(s->self, r, c)
                                     : (long)(c * rows + r);
      if (idx < 0 || (size_t)idx >= s->n) {
        return LAM_INTERNAL(err, "state_index out of range");
      }
      s->y0[idx] = mat.data[r * cols + c];
    }
  }
  return LAM_OK;
}

/* White noise (sigma dW) is integrated only by method = heun: CVODE and
 * ARKODE see the drift alone. A model whose noise amplitudes are not all zero
 * with another method is an error naming the key, not a quiet deterministic
 * run. */
static int check_noise_method(lam_sim *sim, lam_err *err) {
  const lam_system *s = sim->sys;
  if (!s->ops->noise || s->n == 0) {
    return LAM_OK;
  }
  double *sigma = calloc(s->n, sizeof *sigma);
  if (!sigma) {
    return LAM_NOMEM(err);
  }
  int rc = s->ops->noise(s->self, 0.0, s->y0, sigma);
  size_t k = 0;
  while (rc == 0 && k < s->n && sigma[k] == 0.0) {
    k++;
  }
  double amp = k < s->n ? sigma[k] : 0.0;
  free(sigma);
  if (rc != 0) {
    return lam_err_set(err, LAM_EINVAL, "%s: the noise amplitudes cannot be "
                       "evaluated (status %d)", s->kind ? s->kind : "model", rc);
  }
  if (k == s->n) {
    return LAM_OK;
  }
  const char *where = lam_sim_params_where(sim->p, "solver", "method");
  char method[16];
  lam_choice_word(lam_solver_table[0].choices, sim->p->solver.method, method,
                  sizeof method);
  return lam_err_set(err, LAM_EINVAL,
                     "%s: solver.method: this model has white noise (amplitude "
                     "%g on state variable %zu) that method = %s cannot "
                     "integrate: expected method = heun, or the noise "
                     "amplitudes (sigma keys) set to 0",
                     where ? where : "(default)", amp, k, method);
}

/* Burst-dependent plasticity anywhere in the model: weights that move over
 * seconds to hours under rates that settle in milliseconds, the stiff case
 * of docs/solvers.md, where method = auto starts with bdf. */
static int known_stiff(const lam_sim_params *p) {
  int stiff = !p->has_areas && p->plasticity.enabled;
  for (size_t i = 0; p->has_areas && i < p->nareas; i++) {
    stiff |= p->area[i].plasticity.enabled;
  }
  return stiff;
}

/* [solver] threads = 0: the cores other processes leave free when the run
 * is built (lam_par_free_cores: online cores minus the other tasks running
 * now), 1 in a build without OpenMP. On a machine already busier than its
 * cores every parallel region waits for a thread that is not running:
 * measured at a load average of 31 on 2 cores, the T = 64 attention
 * benchmark took 2.5x as long on 2 threads as on 1, more than the run's
 * adaptive count (core/lam_par.h), which falls back to one thread when
 * that is faster, could win back; it still guards the run against load
 * that comes later. */
static long default_threads(void) {
#if LAM_PAR_HAVE_OPENMP
  char line[256] = "";
  FILE *f = fopen("/proc/loadavg", "r");
  const int ok = f && fgets(line, sizeof line, f);
  if (f) {
    fclose(f);
  }
  return lam_par_free_cores(sysconf(_SC_NPROCESSORS_ONLN), ok ? line : NULL);
#else
  return 1;
#endif
}

int lam_sim_new(const lam_sim_params *p, lam_sim **out, lam_err *err) {
  *out = NULL;
  lam_sim *sim = calloc(1, sizeof *sim);
  if (!sim) {
    return LAM_NOMEM(err);
  }
  sim->p = lam_sim_params_copy(p, err);
  int rc = sim->p ? LAM_OK : LAM_ENOMEM;
  /* The column kind (or stacked areas) decides which model is built. */
  const int want = p->has_areas ? -1 : p->column.kind;
  const kind_row *row = NULL;
  for (size_t i = 0; i < LAM_NELEM(kinds); i++) {
    row = kinds[i].kind == want ? &kinds[i] : row;
  }
  if (!rc && !row) {
    rc = lam_err_set(err, LAM_EUNSUPPORTED, "column.kind: not available");
  }
  if (!rc) {
    rc = row->make(sim->p, &sim->impl, &sim->sys, err);
    sim->impl_free = row->free;
  }
  if (!rc) {
    sim->solver_p = sim->p->solver;
    if (sim->solver_p.method == LAM_SOLVER_AUTO && known_stiff(sim->p)) {
      sim->solver_p.method = LAM_SOLVER_AUTO_STIFF;
    }
    if (sim->solver_p.threads == 0) {
      sim->solver_p.threads = default_threads();
    }
  }
  if (!rc) {
    /* [solver] threads: the solver's vectors take it in lam_solver_new,
     * the system's right-hand side here (core/lam_par.h). */
    rc = lam_par_check_threads(sim->solver_p.threads,
                               lam_sim_params_where(p, "solver", "threads"), err);
  }
  if (!rc && sim->sys->ops->set_threads) {
    sim->sys->ops->set_threads(sim->sys->self, (int)sim->solver_p.threads);
  }
  if (!rc) {
    rc = probe_setup(sim, err);
  }
  if (!rc) {
    rc = load_init(sim, err);
  }
  if (!rc && sim->p->solver.method != LAM_SOLVER_HEUN &&
      sim->p->solver.method != LAM_SOLVER_AUTO) {
    /* Heun on a deterministic system is a plain second-order method; the
     * other way round the noise would be dropped without a word (auto
     * takes heun for noise). */
    rc = check_noise_method(sim, err);
  }
  if (!rc) {
    size_t maxobs = 1;
    for (size_t q = 0; q < sim->sys->npops; q++) {
      size_t k = sim->sys->pops[q].ncols * sim->sys->pops[q].nunits;
      maxobs = k > maxobs ? k : maxobs;
    }
    sim->y = malloc(sim->sys->n * sizeof *sim->y);
    sim->obs = malloc(maxobs * sizeof *sim->obs);
    if (!sim->y || !sim->obs) {
      rc = LAM_NOMEM(err);
    }
  }
  if (rc) {
    lam_sim_free(sim);
    return rc;
  }
  memcpy(sim->y, sim->sys->y0, sim->sys->n * sizeof *sim->y);
  *out = sim;
  return LAM_OK;
}

lam_run_opts lam_run_defaults(const lam_sim *sim) {
  lam_run_opts o;
  memset(&o, 0, sizeof o);
  o.t_end = sim->p->run.t_end;
  o.dt_record = sim->p->run.dt_record;
  return o;
}

int lam_sim_pairwise_pop(const char *name) {
  const char *dot = strrchr(name, '.');
  const char *base = dot ? dot + 1 : name;
  return !strcmp(base, "l5a") || !strcmp(base, "attn");
}

int lam_sim_record_flags(lam_sim *sim, int *flags, lam_err *err) {
  const lam_system *s = sim->sys;
  const char *list = sim->p->run.record;
  for (size_t p = 0; p < s->npops; p++) {
    flags[p] = 0;
  }
  const char *where = lam_sim_params_where(sim->p, "run", "record");
  where = where ? where : "run.record";
  size_t named = 0;
  for (const char *tok = list; *tok;) {
    size_t n = strcspn(tok, ",");
    const int all = n == 3 && !strncmp(tok, "all", 3);
    const int layers = n == 6 && !strncmp(tok, "layers", 6);
    size_t p = 0;
    while (n && !all && !layers && p < s->npops &&
           !(strlen(s->pops[p].name) == n && !strncmp(s->pops[p].name, tok, n))) {
      p++;
    }
    if (n && !all && !layers && p == s->npops) {
      char names[512] = "";
      for (size_t q = 0; q < s->npops; q++) {
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", q ? "," : "",
                 s->pops[q].name);
      }
      return lam_err_set(err, LAM_EINVAL,
                         "%s: run.record: unknown population '%.*s' (this "
                         "model has %s, or all, or layers)",
                         where, (int)n, tok, names);
    }
    for (size_t q = 0; q < s->npops && (all || layers); q++) {
      flags[q] |= all || !lam_sim_pairwise_pop(s->pops[q].name);
    }
    if (n && !all && !layers) {
      flags[p] = 1;
    }
    named += n > 0;
    tok += n + (tok[n] == ',');
  }
  if (!named) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: run.record: expected population names, all or "
                       "layers, found '%s'", where, list);
  }
  return LAM_OK;
}

double lam_sim_record_bytes(lam_sim *sim, const int *flags,
                            const lam_run_opts *o) {
  const lam_system *s = sim->sys;
  double per = 0.0;
  for (size_t p = 0; p < s->npops; p++) {
    per += flags && !flags[p] ? 0.0
                              : (double)s->pops[p].ncols * (double)s->pops[p].nunits;
  }
  for (size_t k = 0; k < lam_sim_probe_count(sim); k++) {
    const lam_probe *pr = lam_sim_probe(sim, k, NULL, NULL);
    per += (double)(lam_probe_ncontacts(pr) + lam_probe_ncsd(pr));
  }
  const double nsamp = floor(o->t_end / o->dt_record + 1e-9) + 1;
  return 8.0 * per * nsamp;
}

static double next_break(const lam_system *s, double t) {
  return s->ops->next_break ? s->ops->next_break(s->self, t) : INFINITY;
}

/* Give the solver the stop time tb once: setting it again after CVODE has
 * already stepped onto it would be refused. */
static int ensure_stop(lam_sim *sim, double tb, lam_err *err) {
  if (tb == sim->stop_at) {
    return LAM_OK;
  }
  sim->stop_at = tb;
  return lam_solver_set_stop(sim->solver, tb, err);
}

/* Integrate from *tcur to tout, stopping on every input discontinuity on
 * the way and restarting the solver there (docs/solvers.md): a multistep
 * method must not carry its history across a jump of the right-hand side. */
/* [solver] threads as the run goes (core/lam_par.h): the asked count or
 * one thread, whichever this machine runs faster just now. */
static void threads_tick(lam_sim *sim, lam_par_ctl *par) {
  if (par->max <= 1) {
    return;
  }
  lam_solver_stats st;
  lam_solver_get_stats(sim->solver, &st);
  const int before = par->now;
  const int n = lam_par_ctl_tick(par, lam_time_now(), (double)st.nfevals);
  if (n != before) {
    lam_solver_set_threads(sim->solver, n);
    if (sim->sys->ops->set_threads) {
      sim->sys->ops->set_threads(sim->sys->self, n);
    }
  }
}

/* The same, during an integrator call: a run recorded sparsely (dt_record
 * of the whole run) reaches the next sample only at its end, and a count
 * that a busy machine made 10x slower would be kept all along. */
typedef struct tick_ctx {
  lam_sim *sim;
  lam_par_ctl *par;
} tick_ctx;

static void threads_monitor(void *ctx) {
  tick_ctx *c = ctx;
  threads_tick(c->sim, c->par);
}

static int advance(lam_sim *sim, double *tcur, double *tbreak, double tout,
                   lam_err *err) {
  const lam_system *s = sim->sys;
  int rc = LAM_OK;
  /* A sample time k * dt_record that misses a break by rounding (1.5 vs
   * 1500 * 0.001) is that break: otherwise CVODE, which snaps to a stop time
   * within roundoff, would be asked to stop again behind itself. */
  if (fabs(*tbreak - tout) <= 1e-9 * fmax(1.0, fabs(tout))) {
    tout = *tbreak;
  }
  while (!rc && *tbreak <= tout) {
    if (*tbreak > *tcur) {
      rc = ensure_stop(sim, *tbreak, err);
      if (!rc) {
        rc = lam_solver_advance(sim->solver, *tbreak, sim->y, err);
      }
      if (!rc) {
        *tcur = *tbreak;
        rc = lam_solver_reset(sim->solver, *tcur, sim->y, err);
        sim->stop_at = NAN; /* set the next one (or none) explicitly */
      }
    }
    double nb = next_break(s, *tbreak);
    if (!(nb > *tbreak)) {
      return LAM_INTERNAL(err, "next_break did not move forward");
    }
    *tbreak = nb;
  }
  if (!rc && tout > *tcur) {
    /* Outputs before the next break: CVODE must not step beyond it either
     * (it steps past tout and interpolates). */
    rc = ensure_stop(sim, *tbreak, err);
    if (!rc) {
      rc = lam_solver_advance(sim->solver, tout, sim->y, err);
    }
    *tcur = tout;
  }
  return rc;
}

int lam_sim_run(lam_sim *sim, const lam_run_opts *o,
                const lam_sim_observer *obs, lam_err *err) {
  if (!(o->t_end > 0) || !(o->dt_record > 0) || !isfinite(o->t_end) ||
      !isfinite(o->dt_record)) {
    return lam_err_set(err, LAM_EINVAL,
                       "run: t_end and dt_record must be positive and finite "
                       "(got %g s, %g s)", o->t_end, o->dt_record);
  }
  /* The sample count is checked as a double before it becomes a size_t:
   * library callers bypass the [run] table's ranges, and t_end / dt_record
   * can exceed any integer type (1 / 1e-300). */
  const double nsamp = floor(o->t_end / o->dt_record + 1e-9) + 1;
  if (!(nsamp <= LAM_SIM_MAX_SAMPLES)) {
    return lam_err_set(err, LAM_EINVAL,
                       "run: t_end / dt_record = %g s / %g s asks for %.3g "
                       "samples, expected at most %.0e: raise dt_record",
                       o->t_end, o->dt_record, nsamp, LAM_SIM_MAX_SAMPLES);
  }
  const lam_system *s = sim->sys;
  double t0 = lam_time_now();
  memcpy(sim->y, s->y0, s->n * sizeof *sim->y);
  lam_solver_free(sim->solver);
  sim->solver = NULL;
  int rc = lam_solver_new(s, &sim->solver_p, 0.0, sim->y, &sim->solver, err);
  if (!rc && obs && obs->begin) {
    rc = obs->begin(obs->ctx, sim, o, err);
  }
  /* Sample k at t = k dt (computed from k, so no drift accumulates). */
  size_t nsamples = (size_t)nsamp;
  double tcur = 0.0;
  double tbreak = next_break(s, 0.0);
  sim->stop_at = NAN;
  lam_par_ctl par;
  lam_par_ctl_init(&par, (int)sim->solver_p.threads, lam_time_now(), 0.0);
  tick_ctx tick = {sim, &par};
  if (par.max > 1 && sim->solver) {
    lam_solver_set_monitor(sim->solver, threads_monitor, &tick);
  }
  /* An observer that reads one block of each sample gets that block
   * interpolated between steps; the last sample is whole. */
  size_t rfirst = 0, rend = 0;
  const int partial = !rc && sim->solver && obs && obs->reads && !o->on_sample &&
                      obs->reads(obs->ctx, sim, &rfirst, &rend);
  for (size_t k = 0; !rc && k < nsamples; k++) {
    double t = (double)k * o->dt_record;
    if (partial) {
      const int whole = k + 1 == nsamples;
      lam_solver_set_sample_range(sim->solver, whole ? 0 : rfirst, whole ? 0 : rend);
    }
    if (k > 0) {
      rc = advance(sim, &tcur, &tbreak, t, err);
      if (rc) {
        break;
      }
      threads_tick(sim, &par);
    }
    if (obs && obs->sample) {
      rc = obs->sample(obs->ctx, sim, t, sim->y, err);
    }
    if (!rc && o->on_sample) {
      rc = o->on_sample(o->ctx, t, sim->y);
    }
    if (o->progress) {
      o->progress(o->ctx, t, o->t_end);
    }
    if (!rc && o->stop && *o->stop) {
      rc = lam_err_set(err, LAM_EINTERRUPT, "run: interrupted at t = %g s", t);
    }
  }
  /* The end time itself when it is not a multiple of dt_record. */
  double tlast = (double)(nsamples - 1) * o->dt_record;
  if (!rc && o->t_end - tlast > 1e-12 * o->t_end) {
    rc = advance(sim, &tcur, &tbreak, o->t_end, err);
    tlast = o->t_end;
  }
  const double *yend = sim->y;
  if (partial) {
    lam_err e2;
    if (lam_solver_fill(sim->solver, sim->y, &e2) != LAM_OK) {
      yend = NULL; /* a failed advance went on past the last sample */
    }
    lam_solver_set_sample_range(sim->solver, 0, 0);
  }
  if (sim->solver) {
    lam_solver_set_monitor(sim->solver, NULL, NULL); /* tick lives here */
  }
  sim->wall = lam_time_now() - t0;
  sim->threads_share = par.spent[0] + par.spent[1] > 0
                           ? par.spent[1] / (par.spent[0] + par.spent[1])
                           : (par.max > 1);
  if (par.now != par.max && sim->sys->ops->set_threads) {
    sim->sys->ops->set_threads(sim->sys->self, par.max); /* as asked, for the next run */
  }
  if (obs && obs->end && sim->solver) {
    /* Even when the run stopped early, so a recorder can say how far it
     * got. */
    obs->end(obs->ctx, sim, tlast, yend);
  }
  return rc;
}

lam_system *lam_sim_system(lam_sim *sim) { return sim->sys; }
const double *lam_sim_state(const lam_sim *sim) { return sim->y; }
double lam_sim_threads_share(const lam_sim *sim) { return sim->threads_share; }

void lam_sim_stats(const lam_sim *sim, lam_solver_stats *st,
                   double *wall_seconds) {
  if (sim->solver) {
    lam_solver_get_stats(sim->solver, st);
  } else {
    memset(st, 0, sizeof *st);
  }
  if (wall_seconds) {
    *wall_seconds = sim->wall;
  }
}
const lam_sim_params *lam_sim_params_of(const lam_sim *sim) { return sim->p; }
void *lam_sim_impl(lam_sim *sim, const char *kind) {
  return strcmp(sim->sys->kind, kind) == 0 ? sim->impl : NULL;
}
