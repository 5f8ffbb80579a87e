/* lam_areas.c: stacked areas linked by feedforward and feedback projections
 * with optional conduction delays (see lam_areas.h, docs/hierarchy.md).
 *
 * The right-hand side evaluates, per area, the external inputs its
 * neighbours send (CBLAS: one dgemm or dgemv per link), then the area's own
 * attention right-hand side with them, then the delay chains. */
#include "lam_areas.h"

#include <ctype.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_delay.h"

#define S lam_areas_params
const lam_param lam_areas_table[] = {
    LAM_STRING(S, names, "", "Areas, bottom of the hierarchy first, comma-separated (e.g. v1,v2); "
                             "[area.NAME.SECTION] overrides [SECTION] for area NAME"),
    LAM_REAL(S, ff_gain, "1", "1", -1e6, 1e6, "Feedforward gain: x_ext of area a+1 = ff_gain * O_a W_O (0: off)"),
    LAM_REAL(S, ff_delay, "0", "s", 0, 1e3, "Mean feedforward conduction delay D (0: none)"),
    LAM_INT(S, ff_stages, "4", "1", 1, 1000, "Stages k of the feedforward delay chain (gamma kernel, sd D/sqrt(k))"),
    LAM_REAL(S, fb_gain, "0", "1", -1e6, 1e6, "Feedback gain: z_ext of area a = fb_gain * mean_j S_{a+1} W_B (0: off)"),
    LAM_CHOICE(S, fb_source, "l23", "l23|l5",
               "Feedback source in area a+1: l23 (queries Q) or l5 (burst output O)"),
    LAM_REAL(S, fb_delay, "0", "s", 0, 1e3, "Mean feedback conduction delay D (0: none)"),
    LAM_INT(S, fb_stages, "4", "1", 1, 1000, "Stages k of the feedback delay chain"),
    LAM_INT(S, seed, "3", "1", 0, 4294967295.0, "Seed of the link matrices W_O and W_B"),
    LAM_REAL(S, scale, "1", "1", 0, 1e6, "Scale of W_O, W_B (entries N(0, scale^2 / fan-in))"),
    LAM_PATHP(S, wo, "", "W_O of every link from CSV, H d_v of the lower area x d_in of the upper (empty: random)"),
    LAM_PATHP(S, wb, "", "W_B of every link from CSV, feedback source width of the upper area x d_in of the lower (empty: random)"),
};
#undef S
const size_t lam_areas_ntable = LAM_NELEM(lam_areas_table);

#define S lam_link_params
const lam_param lam_link_table[] = {
    LAM_PATHP(S, wo, "", "W_O of this link from CSV (empty: areas.wo, else random)"),
    LAM_PATHP(S, wb, "", "W_B of this link from CSV (empty: areas.wb, else random)"),
    LAM_REAL(S, ff_delay, "-1", "s", -1, 1e3, "Mean feedforward delay of this link (-1: areas.ff_delay)"),
    LAM_INT(S, ff_stages, "0", "1", 0, 1000, "Feedforward delay stages of this link (0: areas.ff_stages)"),
    LAM_REAL(S, fb_delay, "-1", "s", -1, 1e3, "Mean feedback delay of this link (-1: areas.fb_delay)"),
    LAM_INT(S, fb_stages, "0", "1", 0, 1000, "Feedback delay stages of this link (0: areas.fb_stages)"),
};
#undef S
const size_t lam_link_ntable = LAM_NELEM(lam_link_table);

#define MAX_AREAS LAM_AREAS_MAX
#define NO_CHAIN ((size_t)-1)

typedef struct area {
  char name[LAM_AREAS_NAME_MAX];
  lam_attention *att;
  lam_system *sys;
  size_t off;          /* state offset */
  size_t T, din, nq;   /* columns, input size, query rows */
  size_t nout;         /* H dv: width of a row of O */
  size_t off_out;      /* O within the area's state */
  size_t off_src, nsrc_rows, nsrc; /* feedback source block, rows, width */
  double *xext, *zext; /* inputs from the neighbours */
} area;

struct lam_areas {
  lam_areas_params p;
  size_t na;
  area ar[MAX_AREAS];
  /* Link a: area a -> a+1 (feedforward) and a+1 -> a (feedback). */
  double *WO[MAX_AREAS], *WB[MAX_AREAS];
  size_t ffoff[MAX_AREAS], fboff[MAX_AREAS];
  /* Per link: delays D and stages k (circuits/lam_delay.h). */
  double ffD[MAX_AREAS], fbD[MAX_AREAS];
  size_t ffk[MAX_AREAS], fbk[MAX_AREAS];
  double *src; /* feedback source averaged over columns */
  size_t npops;
  lam_pop_info *pops;
  char (*popname)[96];
  size_t *pop_area, *pop_sub;
  double *y0;
  double *dywork; /* one right-hand side, for the probe's input */
  lam_system sys;
};

void lam_areas_free(lam_areas *a) {
  if (!a) {
    return;
  }
  for (size_t i = 0; i < a->na; i++) {
    lam_attention_free(a->ar[i].att);
    free(a->ar[i].xext);
    free(a->ar[i].zext);
    free(a->WO[i]);
    free(a->WB[i]);
  }
  free(a->src);
  free(a->pops);
  free(a->popname);
  free(a->pop_area);
  free(a->pop_sub);
  free(a->y0);
  free(a->dywork);
  free(a);
}

/* Mean over the rows of the feedback source of area b into out (nsrc). */
static void source_mean(const area *b, const double *y, double *out) {
  const double *s = y + b->off + b->off_src;
  for (size_t u = 0; u < b->nsrc; u++) {
    out[u] = 0.0;
  }
  for (size_t r = 0; r < b->nsrc_rows; r++) {
    for (size_t u = 0; u < b->nsrc; u++) {
      out[u] += s[r * b->nsrc + u];
    }
  }
  for (size_t u = 0; u < b->nsrc; u++) {
    out[u] /= (double)b->nsrc_rows;
  }
}

static int rhs(void *self, double t, const double *y, double *dy) {
  lam_areas *a = self;
  const lam_areas_params *p = &a->p;
  for (size_t i = 0; i < a->na; i++) {
    area *ai = &a->ar[i];
    const double *xe = NULL, *ze = NULL;
    if (i > 0 && p->ff_gain != 0.0) {
      const area *lo = &a->ar[i - 1];
      const double *O =
          a->ffoff[i - 1] != NO_CHAIN
              ? lam_delay_out(a->ffk[i - 1], lo->nq * lo->nout,
                              y + a->ffoff[i - 1])
              : y + lo->off + lo->off_out;
      if (lo->nq == ai->T) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)ai->T,
                    (int)ai->din, (int)lo->nout, p->ff_gain, O, (int)lo->nout,
                    a->WO[i - 1], (int)ai->din, 0.0, ai->xext, (int)ai->din);
      } else { /* one query row: broadcast to every column */
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)lo->nout, (int)ai->din,
                    p->ff_gain, a->WO[i - 1], (int)ai->din, O, 1, 0.0,
                    ai->xext, 1);
        for (size_t j = 1; j < ai->T; j++) {
          memcpy(ai->xext + j * ai->din, ai->xext, ai->din * sizeof *ai->xext);
        }
      }
      xe = ai->xext;
    }
    if (i + 1 < a->na && p->fb_gain != 0.0) {
      const area *hi = &a->ar[i + 1];
      const double *s;
      if (a->fboff[i] != NO_CHAIN) {
        s = lam_delay_out(a->fbk[i], hi->nsrc, y + a->fboff[i]);
      } else {
        source_mean(hi, y, a->src);
        s = a->src;
      }
      cblas_dgemv(CblasRowMajor, CblasTrans, (int)hi->nsrc, (int)ai->din,
                  p->fb_gain, a->WB[i], (int)ai->din, s, 1, 0.0, ai->zext, 1);
      ze = ai->zext;
    }
    int rc = lam_attention_rhs_input(ai->att, t, y + ai->off, xe, ze,
                                     dy + ai->off);
    if (rc) {
      return rc;
    }
  }
  /* The delay chains, driven by the undelayed signals. */
  for (size_t i = 0; i + 1 < a->na; i++) {
    if (a->ffoff[i] != NO_CHAIN) {
      const area *lo = &a->ar[i];
      lam_delay_rhs(a->ffk[i], a->ffD[i], lo->nq * lo->nout,
                    y + lo->off + lo->off_out, y + a->ffoff[i],
                    dy + a->ffoff[i]);
    }
    if (a->fboff[i] != NO_CHAIN) {
      const area *hi = &a->ar[i + 1];
      source_mean(hi, y, a->src);
      lam_delay_rhs(a->fbk[i], a->fbD[i], hi->nsrc, a->src,
                    y + a->fboff[i], dy + a->fboff[i]);
    }
  }
  return 0;
}

static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  lam_areas *a = self;
  const area *ai = &a->ar[a->pop_area[pop]];
  ai->sys->ops->observe(ai->sys->self, a->pop_sub[pop], t, y + ai->off, out);
}

/* The time constant of an attention population (circuits/lam_attention.c's
 * input: the probe sees the target y + tau dy/dt of the leaky integration),
 * or 0 for a population that is not integrated. */
static double pop_tau(const lam_column_params *c, const char *pop) {
  static const struct {
    const char *name;
    size_t off;
  } taus[] = {{"l4", offsetof(lam_column_params, tau_l4)},
              {"l23", offsetof(lam_column_params, tau_l23)},
              {"l5b", offsetof(lam_column_params, tau_l5b)},
              {"l5a", offsetof(lam_column_params, tau_l5a)},
              {"pv", offsetof(lam_column_params, tau_pv)},
              {"som", offsetof(lam_column_params, tau_som)},
              {"vip", offsetof(lam_column_params, tau_vip)},
              {"out", offsetof(lam_column_params, tau_out)}};
  for (size_t i = 0; i < LAM_NELEM(taus); i++) {
    if (!strcmp(taus[i].name, pop)) {
      return *(const double *)((const char *)c + taus[i].off);
    }
  }
  return 0.0;
}

/* Synaptic input of a population, for the virtual laminar probe: as the
 * attention network's own input (y + tau dy/dt), but with dy/dt from the
 * whole system so the links' feedforward and feedback inputs count. An
 * area without links gets exactly its single-area input. Populations that
 * are not integrated give their observed value. */
static void input(void *self, size_t pop, double t, const double *y,
                  double *out) {
  lam_areas *a = self;
  const area *ai = &a->ar[a->pop_area[pop]];
  const lam_pop_info *pi = &ai->sys->pops[a->pop_sub[pop]];
  const long off = lam_attention_offset(ai->att, pi->name);
  const double tau = pop_tau(lam_attention_column(ai->att), pi->name);
  if (off < 0 || !(tau > 0.0)) {
    observe(self, pop, t, y, out);
    return;
  }
  rhs(self, t, y, a->dywork);
  const size_t n = pi->ncols * pi->nunits, o = ai->off + (size_t)off;
  for (size_t i = 0; i < n; i++) {
    out[i] = y[o + i] + tau * a->dywork[o + i];
  }
}

/* The first break (kink = 0) or kink (1) of any area's inputs after t. */
static double earliest(const lam_areas *a, double t, int kink) {
  double first = INFINITY;
  for (size_t i = 0; i < a->na; i++) {
    const lam_system *s = a->ar[i].sys;
    double (*next)(void *, double) = kink ? s->ops->next_kink : s->ops->next_break;
    if (next) {
      const double b = next(s->self, t);
      first = b < first ? b : first;
    }
  }
  return first;
}

static double next_break(void *self, double t) { return earliest(self, t, 0); }

static double next_kink(void *self, double t) { return earliest(self, t, 1); }

static void set_threads(void *self, int threads) {
  lam_areas *a = self;
  for (size_t i = 0; i < a->na; i++) {
    const lam_system *s = a->ar[i].sys;
    if (s->ops->set_threads) {
      s->ops->set_threads(s->self, threads);
    }
  }
}

static const lam_system_ops ops = {.rhs = rhs,
                                   .observe = observe,
                                   .input = input,
                                   .next_break = next_break,
                                   .next_kink = next_kink,
                                   .set_threads = set_threads};

/* Split `names` into the areas (letters, digits, '_'; unique). */
int lam_areas_parse_names(const char *names, const char *where,
                          char (*out)[LAM_AREAS_NAME_MAX], size_t *nout,
                          lam_err *err) {
  where = where ? where : "model";
  const char *s = names;
  size_t na = 0;
  while (*s) {
    while (*s == ' ' || *s == '\t') {
      s++;
    }
    size_t len = 0;
    while (s[len] && s[len] != ',') {
      len++;
    }
    size_t end = len;
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t')) {
      end--;
    }
    int ok = end > 0 && end < LAM_AREAS_NAME_MAX && na < MAX_AREAS;
    for (size_t k = 0; ok && k < end; k++) {
      ok = isalnum((unsigned char)s[k]) || s[k] == '_';
    }
    if (!ok) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: areas.names: expected up to %d comma-separated "
                         "names of letters, digits and '_', found '%s'",
                         where, MAX_AREAS, names);
    }
    memcpy(out[na], s, end);
    out[na][end] = '\0';
    for (size_t i = 0; i < na; i++) {
      if (!strcmp(out[i], out[na])) {
        return lam_err_set(err, LAM_EINVAL,
                           "%s: areas.names: expected unique names, found '%s' twice",
                           where, out[i]);
      }
    }
    na++;
    s += len;
    if (*s == ',') {
      s++;
    }
  }
  if (na == 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: areas.names: expected at least one area name, found none",
                       where);
  }
  *nout = na;
  return LAM_OK;
}

static int build_area(const lam_attention_params *p, const lam_given *g,
                      area *ai, lam_err *err) {
  if (p->column.kind != LAM_KIND_ATTENTION) {
    const char *w = lam_given_where(g, "column", "kind");
    return lam_err_set(err, LAM_EINVAL,
                       "%s: column.kind: expected attention in area '%s', found another kind",
                       w ? w : "model", ai->name);
  }
  return lam_attention_new(p, g, &ai->att, err);
}

/* [link.NAME] of the link from area NAME: CSV matrices and delays; the
 * [areas] values where it says so (empty path, delay -1, stages 0), so the
 * resolved model text means the same when run again. */
static int read_link(const lam_given *m, const lam_areas *a, size_t i,
                     const lam_link_params *given_lp, lam_link_params *lp,
                     char sec[80], lam_err *err) {
  snprintf(sec, 80, "link.%s", a->ar[i].name);
  *lp = *given_lp;
  const char *keys[2] = {"ff_delay", "fb_delay"};
  const double d[2] = {lp->ff_delay, lp->fb_delay};
  for (int k = 0; k < 2; k++) {
    if (d[k] < 0.0 && d[k] != -1.0) {
      const char *w = lam_given_where(m, sec, keys[k]);
      return lam_err_set(err, LAM_EINVAL,
                         "%s: %s.%s: expected a delay >= 0 s, or -1 for areas.%s, "
                         "found %g", w ? w : "model", sec, keys[k], keys[k], d[k]);
    }
  }
  const lam_areas_params *p = &a->p;
  if (lp->ff_delay < 0.0) {
    lp->ff_delay = p->ff_delay;
  }
  if (lp->ff_stages == 0) {
    lp->ff_stages = p->ff_stages;
  }
  if (lp->fb_delay < 0.0) {
    lp->fb_delay = p->fb_delay;
  }
  if (lp->fb_stages == 0) {
    lp->fb_stages = p->fb_stages;
  }
  return LAM_OK;
}

/* Replace a link matrix by the CSV given in [link.NAME] or [areas]. */
static int link_csv(const lam_given *m, const char *sec, const char *key,
                    const char *own, const char *all, size_t rows, size_t cols,
                    double **w, lam_err *err) {
  const char *path = own[0] ? own : all;
  if (!path[0]) {
    return LAM_OK;
  }
  const lam_matrix *mat;
  int rc = lam_given_array(m, own[0] ? sec : "areas", key, path, rows, cols, &mat, err);
  if (rc) {
    return rc;
  }
  memcpy(*w, mat->data, rows * cols * sizeof **w);
  return LAM_OK;
}

static double *random_matrix(gsl_rng *rng, size_t rows, size_t cols,
                             double sd) {
  double *w = malloc(rows * cols * sizeof *w);
  for (size_t i = 0; w && i < rows * cols; i++) {
    w[i] = gsl_ran_gaussian(rng, sd);
  }
  return w;
}

int lam_areas_new(const lam_areas_spec *spec, lam_areas **out, lam_err *err) {
  *out = NULL;
  lam_areas *a = calloc(1, sizeof *a);
  if (!a) {
    return LAM_NOMEM(err);
  }
  const lam_given *m = spec->given;
  a->p = spec->areas;
  char names[MAX_AREAS][LAM_AREAS_NAME_MAX];
  size_t na = 0;
  int rc = lam_areas_parse_names(a->p.names, lam_given_where(m, "areas", "names"),
                                 names, &na, err);
  if (!rc && na != spec->n) {
    rc = lam_err_set(err, LAM_EINVAL,
                     "areas.names: %zu areas named, parameters for %zu given",
                     na, spec->n);
  }
  for (size_t i = 0; !rc && i < na; i++) {
    memcpy(a->ar[i].name, names[i], sizeof a->ar[i].name);
  }
  a->na = rc ? 0 : na;
  const lam_areas_params *p = &a->p;
  size_t n = 0, maxsrc = 1;
  for (size_t i = 0; !rc && i < a->na; i++) {
    area *ai = &a->ar[i];
    rc = build_area(&spec->area[i], spec->area_given[i], ai, err);
    if (rc) {
      break;
    }
    ai->sys = lam_attention_system(ai->att);
    const lam_dims *d = lam_attention_dims(ai->att);
    ai->off = n;
    ai->T = d->T;
    ai->nq = d->nq;
    ai->din = lam_attention_din(ai->att);
    ai->nout = d->H * d->dv;
    ai->off_out = (size_t)lam_attention_offset(ai->att, "out");
    if (p->fb_source == LAM_FB_L23) {
      ai->off_src = (size_t)lam_attention_offset(ai->att, "l23");
      ai->nsrc_rows = d->T;
      ai->nsrc = d->H * d->dk;
    } else {
      ai->off_src = ai->off_out;
      ai->nsrc_rows = d->nq;
      ai->nsrc = ai->nout;
    }
    maxsrc = ai->nsrc > maxsrc ? ai->nsrc : maxsrc;
    ai->xext = calloc(ai->T * ai->din, sizeof *ai->xext);
    ai->zext = calloc(ai->din, sizeof *ai->zext);
    if (!ai->xext || !ai->zext) {
      rc = LAM_NOMEM(err);
    }
    n += ai->sys->n;
  }
  /* Links: shapes, matrices, delay chains. */
  gsl_rng *rng = rc ? NULL : gsl_rng_alloc(gsl_rng_mt19937);
  if (!rc && !rng) {
    rc = LAM_NOMEM(err);
  }
  if (rng) {
    gsl_rng_set(rng, (unsigned long)p->seed);
  }
  for (size_t i = 0; !rc && i + 1 < a->na; i++) {
    const area *lo = &a->ar[i], *hi = &a->ar[i + 1];
    a->ffoff[i] = a->fboff[i] = NO_CHAIN;
    if (p->ff_gain != 0.0 && lo->nq != hi->T && lo->nq != 1) {
      const char *w = lam_given_where(m, "areas", "names");
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: areas.names: feedforward %s -> %s expected area %s "
                       "with one query row or %zu (its columns), found %zu",
                       w ? w : "model", lo->name, hi->name, lo->name, hi->T,
                       lo->nq);
      break;
    }
    /* Each area passed its own size check, but a link pairs one area's
     * output with the next one's input: drawn entry by entry, at most
     * LAM_ATTENTION_MAX_LATERAL^2 entries (2^24) per matrix. */
    const double lim = (double)LAM_ATTENTION_MAX_LATERAL * LAM_ATTENTION_MAX_LATERAL;
    if ((double)lo->nout * (double)hi->din > lim ||
        (double)hi->nsrc * (double)lo->din > lim) {
      const char *w = lam_given_where(m, "areas", "names");
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: areas.names: the link %s <-> %s needs a %zu x %zu "
                       "feedforward and a %zu x %zu feedback matrix: at most "
                       "%.0f entries each",
                       w ? w : "model", lo->name, hi->name, lo->nout, hi->din,
                       hi->nsrc, lo->din, lim);
      break;
    }
    a->WO[i] = random_matrix(rng, lo->nout, hi->din,
                             p->scale / sqrt((double)lo->nout));
    a->WB[i] = random_matrix(rng, hi->nsrc, lo->din,
                             p->scale / sqrt((double)hi->nsrc));
    if (!a->WO[i] || !a->WB[i]) {
      rc = LAM_NOMEM(err);
      break;
    }
    /* Seeded matrices are drawn for every link, so a CSV for one link
     * leaves the others' as they were. */
    lam_link_params lp;
    char sec[80];
    rc = read_link(m, a, i, &spec->link[i], &lp, sec, err);
    if (!rc) {
      rc = link_csv(m, sec, "wo", lp.wo, p->wo, lo->nout, hi->din, &a->WO[i], err);
    }
    if (!rc) {
      rc = link_csv(m, sec, "wb", lp.wb, p->wb, hi->nsrc, lo->din, &a->WB[i], err);
    }
    if (rc) {
      break;
    }
    a->ffD[i] = lp.ff_delay;
    a->fbD[i] = lp.fb_delay;
    a->ffk[i] = (size_t)lp.ff_stages;
    a->fbk[i] = (size_t)lp.fb_stages;
    if (p->ff_gain != 0.0 && a->ffD[i] > 0.0) {
      a->ffoff[i] = n;
      n += a->ffk[i] * lo->nq * lo->nout;
    }
    if (p->fb_gain != 0.0 && a->fbD[i] > 0.0) {
      a->fboff[i] = n;
      n += a->fbk[i] * hi->nsrc;
    }
  }
  gsl_rng_free(rng);
  /* Populations: every area's, renamed AREA.pop. */
  for (size_t i = 0; !rc && i < a->na; i++) {
    a->npops += a->ar[i].sys->npops;
  }
  if (!rc) {
    a->pops = calloc(a->npops, sizeof *a->pops);
    a->popname = calloc(a->npops, sizeof *a->popname);
    a->pop_area = calloc(a->npops, sizeof *a->pop_area);
    a->pop_sub = calloc(a->npops, sizeof *a->pop_sub);
    a->src = calloc(maxsrc, sizeof *a->src);
    a->y0 = calloc(n ? n : 1, sizeof *a->y0);
    a->dywork = calloc(n ? n : 1, sizeof *a->dywork);
    if (!a->pops || !a->popname || !a->pop_area || !a->pop_sub || !a->src ||
        !a->y0 || !a->dywork) {
      rc = LAM_NOMEM(err);
    }
  }
  if (rc) {
    lam_areas_free(a);
    return rc;
  }
  size_t k = 0;
  for (size_t i = 0; i < a->na; i++) {
    const lam_system *s = a->ar[i].sys;
    memcpy(a->y0 + a->ar[i].off, s->y0, s->n * sizeof *a->y0);
    for (size_t q = 0; q < s->npops; q++, k++) {
      a->pops[k] = s->pops[q];
      snprintf(a->popname[k], sizeof a->popname[k], "%s.%s", a->ar[i].name,
               s->pops[q].name);
      a->pops[k].name = a->popname[k];
      a->pop_area[k] = i;
      a->pop_sub[k] = q;
    }
  }
  /* [init] state: one CSV column holding the whole state vector. */
  a->sys = (lam_system){.ops = &ops, .self = a, .n = n, .npops = a->npops,
                        .pops = a->pops, .y0 = a->y0, .state_rows = n,
                        .state_cols = 1, .kind = "areas"};
  *out = a;
  return LAM_OK;
}

lam_system *lam_areas_system(lam_areas *a) { return &a->sys; }
size_t lam_areas_count(const lam_areas *a) { return a->na; }
size_t lam_areas_pop_area(const lam_areas *a, size_t pop) {
  return pop < a->npops ? a->pop_area[pop] : a->na;
}
const char *lam_areas_name(const lam_areas *a, size_t i) {
  return i < a->na ? a->ar[i].name : NULL;
}
lam_attention *lam_areas_attention(lam_areas *a, size_t i) {
  return i < a->na ? a->ar[i].att : NULL;
}
size_t lam_areas_offset(const lam_areas *a, size_t i) {
  return i < a->na ? a->ar[i].off : 0;
}
const double *lam_areas_link_matrix(const lam_areas *a, size_t i,
                                    const char *name) {
  if (i + 1 >= a->na) {
    return NULL;
  }
  return !strcmp(name, "wo") ? a->WO[i] : !strcmp(name, "wb") ? a->WB[i] : NULL;
}
