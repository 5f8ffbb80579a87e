/* lam_run_analysis.c: the spectral observables of a run from its layer
 * signals (see lam_run_analysis.h). */
#include "lam_run_analysis.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_granger.h"
#include "lam_metrics.h"

lam_analysis_opts lam_analysis_defaults(void) {
  lam_analysis_opts o = {.t0 = 0.0,
                         .t1 = INFINITY,
                         .seg = 0.0,
                         .granger_order = 20,
                         .granger_criterion = LAM_GRANGER_BIC};
  for (size_t b = 0; b < lam_nbands && b < LAM_ANALYSIS_MAXBANDS; b++) {
    o.band[o.nb++] = lam_bands[b];
  }
  return o;
}

int lam_analysis_time(const double *t, size_t ntot, double t0, double *fs,
                      size_t *i0, size_t *n, lam_err *err) {
  if (ntot < 4) {
    return lam_err_set(err, LAM_EINVAL, "expected at least 4 samples in");
  }
  if (!(isfinite(t[0]) && isfinite(t[1]) && t[1] > t[0] &&
        isfinite(1.0 / (t[1] - t[0])))) {
    return lam_err_set(err, LAM_EINVAL,
                       "expected increasing, finite sample times in");
  }
  *fs = 1.0 / (t[1] - t[0]);
  size_t i = 0;
  while (i < ntot && t[i] < t0 - 1e-9 / *fs) {
    i++;
  }
  *i0 = i;
  *n = ntot - i;
  if (*n < 4) {
    return lam_err_set(err, LAM_EINVAL, "--t0 leaves fewer than 4 samples of");
  }
  return LAM_OK;
}

/* err's message followed by " what" (the layer a spectrum failed for). */
static int fail_at(lam_err *err, const char *what) {
  char msg[LAM_ERR_MSG_MAX];
  snprintf(msg, sizeof msg, "%s", err->msg);
  return lam_err_set(err, err->code ? err->code : LAM_EINVAL, "%s %s", msg, what);
}

static long band_index(const lam_analysis *an, const char *name) {
  for (size_t b = 0; b < an->nb; b++) {
    if (!strcmp(an->band[b].name, name)) {
      return (long)b;
    }
  }
  return -1;
}

/* Adds a warning (printf-like), counted past the last slot. */
static void warn(lam_analysis *an, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(lam_analysis *an, const char *fmt, ...) {
  if (an->nwarn < LAM_ANALYSIS_MAXWARN) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(an->warn[an->nwarn], sizeof an->warn[0], fmt, ap);
    va_end(ap);
  }
  an->nwarn++;
}

/* Per layer: mean, band powers and peaks, coherence between columns. */
static int layer_spectra(lam_analysis *an, const lam_layer_group *ly, lam_err *err) {
  for (size_t i = 0; i < an->nl; i++) {
    const lam_layer_signal *l = lam_layers_get(ly, i);
    lam_analysis_layer *o = &an->layer[i];
    snprintf(o->name, sizeof o->name, "%s", l->name);
    snprintf(o->area, sizeof o->area, "%s", l->area);
    snprintf(o->label, sizeof o->label, "%s", l->label);
    snprintf(o->pops, sizeof o->pops, "%s", l->pops);
    snprintf(o->unit, sizeof o->unit, "%s", l->unit);
    o->ncols = l->ncols;
    o->mean = l->mean;
    o->psd = malloc(an->nfreq * sizeof *o->psd);
    if (!o->psd) {
      return LAM_NOMEM(err);
    }
    if (lam_metrics_band_values(an->welch_, l->x, l->ncols, an->n, 1, an->n,
                                an->band, an->nb, o->pw, o->pk, o->psd, err) ||
        lam_metrics_column_coherence(an->welch_, l->x, l->ncols, an->n,
                                     an->band, an->nb, o->coh, err)) {
      return fail_at(err, l->name);
    }
  }
  for (size_t i = 0; i < an->nl; i++) {
    for (size_t j = i + 1; j < an->nl; j++) {
      const lam_layer_signal *a = lam_layers_get(ly, i), *b = lam_layers_get(ly, j);
      if (lam_metrics_pair_coherence(an->welch_, a->x, b->x,
                                     a->ncols < b->ncols ? a->ncols : b->ncols,
                                     an->n, an->band, an->nb, an->pcoh[i][j],
                                     err)) {
        return fail_at(err, b->name);
      }
    }
  }
  return LAM_OK;
}

/* Index of layer name of area, or -1. */
static long layer_index(const lam_analysis *an, const char *area, const char *name) {
  for (size_t i = 0; i < an->nl; i++) {
    if (!strcmp(an->layer[i].name, name) && !strcmp(an->layer[i].area, area)) {
      return (long)i;
    }
  }
  return -1;
}

/* Per area: segregation index and PAC from its L2/3 and L5 (absent when
 * they, or the bands, are missing or a value is unusable). */
static void area_indices(lam_analysis *an, const lam_layer_group *ly) {
  long bg = band_index(an, "gamma"), bab = band_index(an, "alphabeta");
  for (size_t k = 0; k < an->na; k++) {
    lam_analysis_area *a = &an->area[k];
    long is = layer_index(an, a->name, "L2/3"), id = layer_index(an, a->name, "L5");
    if (is < 0 || id < 0) {
      continue;
    }
    const lam_analysis_layer *s = &an->layer[is], *d = &an->layer[id];
    lam_err e2;
    if (bg >= 0 && bab >= 0) {
      a->have_seg = lam_segregation_index(s->pw[bg], s->pw[bab], d->pw[bg],
                                          d->pw[bab], &a->segr, &e2) == LAM_OK;
    }
    const lam_layer_signal *sup = lam_layers_get(ly, (size_t)is),
                           *deep = lam_layers_get(ly, (size_t)id);
    a->have_pac = lam_metrics_pac(deep->x, deep->ncols, sup->x, sup->ncols, an->n,
                                  an->fs, &a->mi, &e2) == LAM_OK;
  }
}

/* Every pair of area signals, both directions (needs two areas); failures
 * go to g->note. */
static void area_granger(lam_analysis *an, const lam_layer_group *ly) {
  lam_analysis_granger *g = &an->granger;
  g->na = lam_layers_signals(ly);
  const double *x[LAM_LAYERS_MAXAREAS];
  for (size_t k = 0; k < g->na; k++) {
    const char *name;
    x[k] = lam_layers_signal(ly, k, &name);
    snprintf(g->name[k], sizeof g->name[k], "%s", name);
  }
  if (g->na < 2) {
    return;
  }
  const double fs = an->fs;
  for (size_t i = 0; i < g->na; i++) {
    for (size_t j = i + 1; j < g->na; j++) {
      lam_err err = {0};
      lam_granger *gr = lam_granger_new(x[i], 1, x[j], 1, an->n, fs, g->pmax,
                                        g->criterion, &err);
      lam_analysis_gpair *ij = &g->pair[g->np++], *ji = &g->pair[g->np++];
      *ij = (lam_analysis_gpair){.from = i, .to = j};
      *ji = (lam_analysis_gpair){.from = j, .to = i};
      ij->order = ji->order = gr ? lam_granger_order(gr) : 0;
      for (size_t b = 0; b < an->nb; b++) {
        ij->gc[b] = ji->gc[b] = NAN;
        const double hi = an->band[b].hi_hz < fs / 2 ? an->band[b].hi_hz : fs / 2;
        if (gr && an->band[b].lo_hz < hi &&
            lam_granger_band(gr, an->band[b].lo_hz, hi, &ij->gc[b], &ji->gc[b],
                             &err)) {
          ij->gc[b] = ji->gc[b] = NAN;
        }
      }
      if (!gr || err.code) {
        snprintf(g->note, sizeof g->note, "%s:%s: %s", g->name[i], g->name[j],
                 err.msg);
      }
      lam_granger_free(gr);
    }
  }
}

/* What the numbers cannot be trusted for (lam_analysis.warn). */
static void warnings(lam_analysis *an) {
  const double T = (double)an->n / an->fs;
  double lowest = INFINITY;
  for (size_t b = 0; b < an->nb; b++) {
    lowest = an->band[b].lo_hz > 0 ? fmin(lowest, an->band[b].lo_hz) : lowest;
  }
  if (isfinite(lowest) && T * lowest < 3.0) {
    warn(an, "the run is %g s, shorter than 3 cycles of the lowest band edge "
             "(%g Hz, %g s): its power and peak are not a rhythm's",
         T, lowest, 3.0 / lowest);
  }
  int coh = an->nl > 1;
  for (size_t i = 0; i < an->nl; i++) {
    coh = coh || an->layer[i].ncols > 1;
  }
  if (coh && an->nsegments < LAM_WELCH_MIN_SEGMENTS) {
    warn(an, "coherence from %zu Welch segment%s of %g s (fewer than %d): "
             "biased towards 1 (one segment gives exactly 1); record at least "
             "%g s or pass a shorter --seg",
         an->nsegments, an->nsegments == 1 ? "" : "s", an->seg,
         LAM_WELCH_MIN_SEGMENTS, 0.5 * (LAM_WELCH_MIN_SEGMENTS + 1) * an->seg);
  }
  for (size_t i = 0; i < an->nl; i++) {
    const lam_analysis_layer *l = &an->layer[i];
    for (size_t b = 0; b < an->nb; b++) {
      const double hi = fmin(an->band[b].hi_hz, (double)(an->nfreq - 1) * an->df);
      if (an->band[b].lo_hz < hi &&
          lam_band_max_at_edge(l->psd, an->nfreq, an->df, an->band[b].lo_hz, hi)) {
        warn(an, "%s %s: the power is largest at the band's edge, not at a "
                 "peak inside it (%s)",
             l->label, an->band[b].name,
             isfinite(l->pk[b]) ? "f is a smaller local maximum" : "no peak: f is empty");
      }
    }
  }
  const lam_analysis_granger *g = &an->granger;
  for (size_t p = 0; p < g->np; p += 2) {
    if (g->criterion != LAM_GRANGER_FIXED && g->pair[p].order >= g->pmax) {
      warn(an, "Granger %s:%s: the order chosen is the largest allowed (%zu): "
               "the fit may need more lags (--granger-order) or more samples",
           g->name[g->pair[p].from], g->name[g->pair[p].to], g->pmax);
    }
  }
  for (size_t k = 0; k < an->na; k++) {
    const lam_analysis_area *a = &an->area[k];
    const double cycles = lam_metrics_pac_seconds(an->n, an->fs) * LAM_BAND_ALPHA_LO_HZ;
    if (a->have_pac && cycles < LAM_ANALYSIS_PAC_MIN_CYCLES) {
      warn(an, "PAC%s%s: %.3g cycles of the %g Hz phase rhythm (fewer than %d): "
               "the modulation index is dominated by chance",
           a->name[0] ? " " : "", a->name, cycles, LAM_BAND_ALPHA_LO_HZ,
           LAM_ANALYSIS_PAC_MIN_CYCLES);
    }
  }
}

static int check_opts(const lam_analysis_opts *o, double fs, lam_err *err) {
  if (o->nb == 0 || o->nb > LAM_ANALYSIS_MAXBANDS) {
    return lam_err_set(err, LAM_EINVAL, "analysis: expected 1 to %d bands, found %zu",
                       LAM_ANALYSIS_MAXBANDS, o->nb);
  }
  for (size_t b = 0; b < o->nb; b++) {
    if (!o->band[b].name || !(o->band[b].lo_hz >= 0 && o->band[b].lo_hz < o->band[b].hi_hz)) {
      return lam_err_set(err, LAM_EINVAL, "analysis: band %zu: expected a name and "
                         "0 <= lo < hi", b);
    }
  }
  if (!(fs > 0 && isfinite(fs)) || !(o->seg >= 0) || o->granger_order < 1) {
    return lam_err_set(err, LAM_EINVAL, "analysis: expected fs > 0, seg >= 0 and "
                       "a Granger order >= 1");
  }
  return LAM_OK;
}

int lam_analysis_new(const lam_layer_group *ly, double fs,
                     const lam_analysis_opts *opts, lam_analysis **out,
                     lam_err *err) {
  *out = NULL;
  int rc = check_opts(opts, fs, err);
  if (rc) {
    return rc;
  }
  if (lam_layers_count(ly) == 0) {
    return lam_err_set(err, LAM_EINVAL, "analysis: no layer");
  }
  lam_analysis *an = calloc(1, sizeof *an);
  if (!an) {
    return LAM_NOMEM(err);
  }
  an->n = lam_layers_samples(ly);
  an->fs = fs;
  an->t0 = opts->t0;
  an->nb = opts->nb;
  for (size_t b = 0; b < an->nb; b++) {
    an->band[b] = opts->band[b];
    snprintf(an->bandname_[b], sizeof an->bandname_[b], "%s", opts->band[b].name);
    an->band[b].name = an->bandname_[b];
  }
  an->nl = lam_layers_count(ly);
  an->multi = lam_layers_multi(ly);
  an->na = lam_layers_areas(ly);
  for (size_t k = 0; k < an->na; k++) {
    snprintf(an->area[k].name, sizeof an->area[k].name, "%s", lam_layers_area(ly, k));
  }
  an->granger.pmax = opts->granger_order;
  an->granger.criterion = opts->granger_criterion;
  /* The segment rule of every spectrum (lam_welch_for), or --seg. */
  an->welch_ = lam_welch_for(an->n, fs, opts->seg, err);
  if (an->welch_) {
    an->seg = (double)lam_welch_nseg(an->welch_) / fs;
    an->nsegments = lam_welch_nsegments(an->welch_, an->n);
    an->nfreq = lam_welch_nfreq(an->welch_);
    an->df = lam_welch_df(an->welch_);
  }
  rc = an->welch_ ? layer_spectra(an, ly, err) : (err && err->code ? err->code : LAM_EINVAL);
  if (!rc) {
    area_indices(an, ly);
    area_granger(an, ly);
    warnings(an);
    *out = an;
    return LAM_OK;
  }
  lam_analysis_free(an);
  return rc;
}

void lam_analysis_free(lam_analysis *an) {
  if (!an) {
    return;
  }
  for (size_t k = 0; k < an->na; k++) {
    free(an->area[k].depth);
    free(an->area[k].cmean);
    free(an->area[k].cpw);
    free(an->area[k].cpk);
  }
  for (size_t i = 0; i < an->nl; i++) {
    free(an->layer[i].psd);
  }
  lam_welch_free(an->welch_);
  free(an);
}

void lam_analysis_attention(lam_analysis *an, size_t k, const double *v,
                            size_t rows, size_t keys) {
  lam_analysis_area *a = &an->area[k];
  const size_t per = rows * keys;
  a->have_attn = 1;
  a->attn_rows = rows;
  a->attn_keys = keys;
  double se = 0.0, sb = 0.0;
  for (size_t i = 0; i < an->n; i++) {
    double h, b;
    lam_metrics_attention(v + i * per, rows, keys, &h, &b);
    se += h;
    sb += b;
    if (i + 1 == an->n) {
      a->ent_final = h;
      a->burst_final = b;
    }
  }
  a->ent_mean = se / (double)an->n;
  a->burst_mean = sb / (double)an->n;
}

int lam_analysis_probe(lam_analysis *an, size_t k, const double *lfp,
                       size_t nc, const double *depth, const char *unit,
                       lam_err *err) {
  lam_analysis_area *a = &an->area[k];
  const size_t nb = an->nb, n = an->n;
  snprintf(a->lfp_unit, sizeof a->lfp_unit, "%s", unit);
  a->nc = nc;
  a->depth = malloc(nc * sizeof(double));
  a->cmean = calloc(nc, sizeof(double));
  a->cpw = calloc(nc * nb, sizeof(double));
  a->cpk = calloc(nc * nb, sizeof(double));
  if (!a->depth || !a->cmean || !a->cpw || !a->cpk) {
    return LAM_NOMEM(err);
  }
  memcpy(a->depth, depth, nc * sizeof(double));
  for (size_t c = 0; c < nc; c++) {
    const double *x = lfp + c;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
      s += x[i * nc];
    }
    a->cmean[c] = s / (double)n;
    int rc = lam_metrics_band_values(an->welch_, x, 1, 0, nc, n, an->band, nb,
                                     a->cpw + c * nb, a->cpk + c * nb, NULL,
                                     err);
    if (rc) {
      return rc;
    }
  }
  return LAM_OK;
}
