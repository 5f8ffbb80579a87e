/* lam_metrics.c: the metric registry, the in-memory sample collector and
 * the per-layer spectra shared with `laminar analyze` (lam_metrics.h).
 *
 * A layer's signal in column c is the mean over the units of its
 * populations in that column (populations grouped by lam_pop_info.layer);
 * its PSD is the mean of the columns' PSDs (docs/analysis.md). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attn.h"
#include "lam_metrics.h"
#include "lam_pac.h"
#include "lam_probe.h"

const lam_metric_info lam_metric_table[] = {
    {"attention_entropy", "nats",
     "Shannon entropy of the attention weights at the final state, mean over queries and heads"},
    {"burst_rate", "a.u.",
     "total burst rate sum_j R_j of the attention weights at the final state, mean over queries and heads"},
    {"identity_error", "1",
     "relative Frobenius error of the final L5 output against closed-form softmax attention"},
    {"mean_<pop>", "unit",
     "time mean of a population over columns and units (mean_l23, mean_out, ...)"},
    {"mean_<layer>", "unit", "time mean of a layer signal (<layer>: l1, l23, l4, l5, l6)"},
    {"gamma_power_<layer>", "unit^2", "Welch band power of the layer signal, " LAM_BAND_GAMMA_TEXT},
    {"alpha_power_<layer>", "unit^2", "Welch band power of the layer signal, alpha/beta " LAM_BAND_ALPHABETA_TEXT},
    {"gamma_peak_hz_<layer>", "Hz", "peak frequency of the layer PSD in " LAM_BAND_GAMMA_TEXT},
    {"alpha_peak_hz_<layer>", "Hz", "peak frequency of the layer PSD in " LAM_BAND_ALPHABETA_TEXT},
    {"gamma_coherence_<layer>", "1",
     LAM_BAND_GAMMA_TEXT " band-mean coherence of the layer signal, mean over column pairs"},
    {"alpha_coherence_<layer>", "1",
     LAM_BAND_ALPHABETA_TEXT " band-mean coherence of the layer signal, mean over column pairs"},
    {"segregation_index", "1",
     "laminar ratio (gamma/alphabeta)_L2/3 / (gamma/alphabeta)_L5 (P7 holds when > 1)"},
    {"segregation_gamma_ratio", "1", "gamma power L2/3 / L5"},
    {"segregation_alpha_ratio", "1", "alpha/beta power L5 / L2/3"},
    {"pac_mi", "1", "Tort modulation index, L5 " LAM_BAND_ALPHA_TEXT " phase -> L2/3 " LAM_BAND_GAMMA_TEXT
     " amplitude"},
};
const size_t lam_metric_ntable = sizeof lam_metric_table / sizeof lam_metric_table[0];

/* ---- per-layer spectra ---- */

static const lam_band *default_bands(void) {
  /* lam_bands[LAM_BAND_ALPHABETA], lam_bands[LAM_BAND_GAMMA]: pab/pg order. */
  return lam_bands;
}

/* Power and peak in each band, NaN where the band lies beyond the top bin. */
static void bands(const double *psd, size_t nf, double df, const lam_band *b,
                  size_t nb, double *pw, double *pk) {
  double top = (double)(nf - 1) * df;
  for (size_t i = 0; i < nb; i++) {
    lam_err e;
    double hi = b[i].hi_hz < top ? b[i].hi_hz : top;
    pw[i] = pk[i] = NAN;
    if (b[i].lo_hz < hi) {
      if (lam_band_power(psd, nf, df, b[i].lo_hz, hi, &pw[i], &e) != LAM_OK) {
        pw[i] = NAN;
      }
      if (lam_band_peak(psd, nf, df, b[i].lo_hz, hi, &pk[i], &e) != LAM_OK) {
        pk[i] = NAN;
      }
    }
  }
}

int lam_metrics_band_values(lam_welch *w, const double *x, size_t ncol,
                            size_t ld, size_t stride, size_t n,
                            const lam_band *b, size_t nb, double *power,
                            double *peak, double *psd_out, lam_err *err) {
  size_t nf = lam_welch_nfreq(w);
  double *psd = malloc(nf * sizeof *psd), *acc = calloc(nf, sizeof *acc);
  int rc = psd && acc ? LAM_OK : LAM_NOMEM(err);
  for (size_t c = 0; !rc && c < ncol; c++) {
    rc = lam_welch_psd(w, x + c * ld, n, stride, psd, err);
    for (size_t k = 0; !rc && k < nf; k++) {
      acc[k] += psd[k] / (double)ncol;
    }
  }
  if (!rc) {
    bands(acc, nf, lam_welch_df(w), b, nb, power, peak);
    if (psd_out) {
      memcpy(psd_out, acc, nf * sizeof *acc);
    }
  }
  free(psd);
  free(acc);
  return rc;
}

int lam_metrics_bands(lam_welch *w, const double *x, size_t ncol, size_t ld,
                      size_t stride, size_t n, lam_layer_bands *out,
                      lam_err *err) {
  double pw[2], pk[2];
  int rc = lam_metrics_band_values(w, x, ncol, ld, stride, n, default_bands(), 2,
                                   pw, pk, NULL, err);
  if (!rc) {
    out->pab = pw[0], out->pg = pw[1], out->fab = pk[0], out->fg = pk[1];
  }
  return rc;
}

/* Adds the band means of coherence spectrum coh to acc (NaN beyond the top). */
static void band_means(const double *coh, size_t nf, double df,
                       const lam_band *b, size_t nb, double *acc) {
  double top = (double)(nf - 1) * df;
  for (size_t i = 0; i < nb; i++) {
    double v = NAN;
    lam_err e;
    if (b[i].lo_hz < top &&
        lam_band_mean(coh, nf, df, b[i].lo_hz, fmin(b[i].hi_hz, top), &v, &e) != LAM_OK) {
      v = NAN;
    }
    acc[i] += v;
  }
}

/* Band-mean coherence of x + a n against y + c n, mean over the column
 * pairs a < c (all_pairs) or the same columns a = c. */
static int coherence_pairs(lam_welch *w, const double *x, const double *y,
                           size_t ncol, int all_pairs, size_t n,
                           const lam_band *b, size_t nb, double *coh,
                           lam_err *err) {
  for (size_t i = 0; i < nb; i++) {
    coh[i] = NAN;
  }
  size_t nf = lam_welch_nfreq(w), npair = 0;
  double *spec = malloc(nf * sizeof *spec), *acc = calloc(nb ? nb : 1, sizeof *acc);
  int rc = spec && acc ? LAM_OK : LAM_NOMEM(err);
  for (size_t a = 0; !rc && a < ncol; a++) {
    for (size_t c = all_pairs ? a + 1 : a; !rc && c < (all_pairs ? ncol : a + 1); c++) {
      rc = lam_welch_coherence(w, x + a * n, 1, y + c * n, 1, n, spec, err);
      if (!rc) {
        band_means(spec, nf, lam_welch_df(w), b, nb, acc);
        npair++;
      }
    }
  }
  for (size_t i = 0; !rc && npair && i < nb; i++) {
    coh[i] = acc[i] / (double)npair;
  }
  free(spec);
  free(acc);
  return rc;
}

int lam_metrics_column_coherence(lam_welch *w, const double *x, size_t ncol,
                                 size_t n, const lam_band *b, size_t nb,
                                 double *coh, lam_err *err) {
  return coherence_pairs(w, x, x, ncol, 1, n, b, nb, coh, err);
}

int lam_metrics_pair_coherence(lam_welch *w, const double *x, const double *y,
                               size_t ncol, size_t n, const lam_band *b,
                               size_t nb, double *coh, lam_err *err) {
  return coherence_pairs(w, x, y, ncol, 0, n, b, nb, coh, err);
}

int lam_metrics_coherence(lam_welch *w, const double *x, size_t ncol,
                          size_t n, lam_layer_bands *out, lam_err *err) {
  double c[2];
  int rc = lam_metrics_column_coherence(w, x, ncol, n, default_bands(), 2, c, err);
  out->cab = c[0], out->cg = c[1];
  return rc;
}

void lam_metrics_attention(const double *r, size_t nrow, size_t T,
                           double *entropy, double *burst_rate) {
  double total = 0.0;
  for (size_t q = 0; q < nrow; q++) {
    for (size_t j = 0; j < T; j++) {
      total += r[q * T + j];
    }
  }
  *entropy = nrow ? lam_attn_entropy(r, nrow, 1, T) : NAN;
  *burst_rate = nrow ? total / (double)nrow : NAN;
}

/* Samples at each end dropped from PAC (the band-pass ringing). */
static size_t pac_edge(size_t n, double fs) {
  size_t edge = (size_t)(fs / LAM_BANDPASS_TAPER_HZ);
  return 2 * edge > n / 2 ? n / 4 : edge;
}

double lam_metrics_pac_seconds(size_t n, double fs) {
  return (double)(n - 2 * pac_edge(n, fs)) / fs;
}

int lam_metrics_pac(const double *deep, size_t ndeep, const double *sup,
                    size_t nsup, size_t n, double fs, double *mi,
                    lam_err *err) {
  size_t ncol = ndeep < nsup ? ndeep : nsup;
  lam_hilbert *h = lam_hilbert_new(n, fs, LAM_BANDPASS_TAPER_HZ, err);
  double *ph = malloc(n * sizeof *ph), *amp = malloc(n * sizeof *amp);
  int rc = h && ph && amp ? LAM_OK : (h ? LAM_NOMEM(err) : err->code);
  size_t edge = pac_edge(n, fs);
  lam_pac_bands b = lam_pac_bands_default();
  double sum = 0.0;
  for (size_t c = 0; !rc && c < ncol; c++) {
    rc = lam_pac_signals(h, deep + c * n, 1, sup + c * n, 1, &b, ph, amp, err);
    double v = 0.0;
    if (!rc) {
      rc = lam_pac_mi(ph + edge, amp + edge, n - 2 * edge, LAM_PAC_NBINS, &v, NULL, err);
    }
    sum += v;
  }
  if (!rc) {
    *mi = ncol ? sum / (double)ncol : NAN;
  }
  lam_hilbert_free(h);
  free(ph);
  free(amp);
  return rc;
}

/* ---- the collector ---- */

#define MAXLAYERS 8
#define TAGLEN 8

typedef struct mlayer {
  char tag[TAGLEN]; /* "l23" */
  size_t ncols;
  double *cnt;      /* units per column */
  double *x;        /* while collecting: x[i * ncols + c] sums; after
                       finish: column-major means x[c * n + i] */
  double mean;
  lam_layer_bands b;
  int have_b;       /* after finish: bands computed (-1 not yet, 0 failed, 1 ok) */
  int have_coh;     /* the same for the column coherence */
  int want;         /* collected (every layer unless lam_metrics_want narrowed it) */
} mlayer;

struct lam_metrics {
  const lam_system *sys;
  double *obs;       /* one population's observation */
  double *popsum;    /* per population: sum over samples of the unit mean */
  int *poplayer;     /* per population: its layer index or -1 */
  int *wantpop;      /* per population: its time mean is asked */
  int narrowed;      /* lam_metrics_want was called: collect only what it asked */
  mlayer L[MAXLAYERS];
  size_t nl;
  size_t n, cap;     /* samples */
  double t0, t1;     /* first and second sample time */
  int finished;
  lam_welch *w;      /* the layers' Welch estimator, made by finish */
  double fs;
  lam_segregation segr;
  int have_segr;     /* -1: not computed yet */
  double mi;
  int have_mi;       /* whether mi was computed */
};

/* "L2/3" -> "l23": lower case, letters and digits only. */
static void layer_tag(const char *layer, char *tag) {
  size_t k = 0;
  for (const char *p = layer; *p && k + 1 < TAGLEN; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
      tag[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
  }
  tag[k] = '\0';
}

void lam_metrics_free(lam_metrics *mc) {
  if (!mc) {
    return;
  }
  for (size_t l = 0; l < mc->nl; l++) {
    free(mc->L[l].cnt);
    free(mc->L[l].x);
  }
  lam_welch_free(mc->w);
  free(mc->obs);
  free(mc->popsum);
  free(mc->poplayer);
  free(mc->wantpop);
  free(mc);
}

lam_metrics *lam_metrics_new(const lam_system *sys, lam_err *err) {
  lam_metrics *mc = calloc(1, sizeof *mc);
  if (!mc) {
    LAM_NOMEM(err);
    return NULL;
  }
  mc->sys = sys;
  const lam_system *s = mc->sys;
  size_t maxobs = 1;
  for (size_t p = 0; p < s->npops; p++) {
    size_t k = s->pops[p].ncols * s->pops[p].nunits;
    maxobs = k > maxobs ? k : maxobs;
  }
  mc->obs = malloc(maxobs * sizeof *mc->obs);
  mc->popsum = calloc(s->npops ? s->npops : 1, sizeof *mc->popsum);
  mc->poplayer = malloc((s->npops ? s->npops : 1) * sizeof *mc->poplayer);
  mc->wantpop = calloc(s->npops ? s->npops : 1, sizeof *mc->wantpop);
  if (!mc->obs || !mc->popsum || !mc->poplayer || !mc->wantpop) {
    lam_metrics_free(mc);
    LAM_NOMEM(err);
    return NULL;
  }
  for (size_t p = 0; p < s->npops; p++) {
    const lam_pop_info *pi = &s->pops[p];
    mc->poplayer[p] = -1;
    /* Derived or layer-less populations (attention weights, clocks) are no
     * layer signal, as in laminar analyze. */
    if (!pi->layer || !pi->layer[0] || !isfinite(lam_probe_layer_depth(pi->layer))) {
      continue;
    }
    char tag[TAGLEN];
    layer_tag(pi->layer, tag);
    size_t l = 0;
    while (l < mc->nl && strcmp(mc->L[l].tag, tag)) {
      l++;
    }
    if (l == mc->nl) {
      if (mc->nl == MAXLAYERS) {
        continue;
      }
      mc->nl++;
      snprintf(mc->L[l].tag, TAGLEN, "%s", tag);
    }
    mlayer *ml = &mc->L[l];
    ml->want = 1;
    if (pi->ncols > ml->ncols) {
      double *cnt = realloc(ml->cnt, pi->ncols * sizeof *cnt);
      if (!cnt) {
        lam_metrics_free(mc);
        LAM_NOMEM(err);
        return NULL;
      }
      memset(cnt + ml->ncols, 0, (pi->ncols - ml->ncols) * sizeof *cnt);
      ml->cnt = cnt;
      ml->ncols = pi->ncols;
    }
    for (size_t c = 0; c < pi->ncols; c++) {
      ml->cnt[c] += (double)pi->nunits;
    }
    mc->poplayer[p] = (int)l;
  }
  return mc;
}

void lam_metrics_reset(lam_metrics *mc) {
  mc->n = 0;
  mc->finished = 0;
  mc->have_segr = 0;
  mc->have_mi = 0;
  lam_welch_free(mc->w);
  mc->w = NULL;
  memset(mc->popsum, 0, (mc->sys->npops ? mc->sys->npops : 1) * sizeof *mc->popsum);
}

int lam_metrics_sample(void *ctx, double t, const double *y) {
  lam_metrics *mc = ctx;
  const lam_system *s = mc->sys;
  if (mc->n == mc->cap) {
    size_t cap = mc->cap ? 2 * mc->cap : 1024;
    for (size_t l = 0; l < mc->nl; l++) {
      if (!mc->L[l].want) {
        continue;
      }
      double *x = realloc(mc->L[l].x, cap * mc->L[l].ncols * sizeof *x);
      if (!x) {
        return LAM_ENOMEM;
      }
      mc->L[l].x = x;
    }
    mc->cap = cap;
  }
  if (mc->n == 0) {
    mc->t0 = t;
  } else if (mc->n == 1) {
    mc->t1 = t;
  }
  for (size_t l = 0; l < mc->nl; l++) {
    if (mc->L[l].want) {
      memset(mc->L[l].x + mc->n * mc->L[l].ncols, 0, mc->L[l].ncols * sizeof(double));
    }
  }
  for (size_t p = 0; p < s->npops; p++) {
    const lam_pop_info *pi = &s->pops[p];
    size_t k = pi->ncols * pi->nunits;
    int inlayer = mc->poplayer[p] >= 0 && mc->L[mc->poplayer[p]].want;
    if (mc->narrowed && !mc->wantpop[p] && !inlayer) {
      continue; /* nothing asked needs it (observing the attention weights
                   or the clocks costs exponentials and sines) */
    }
    s->ops->observe(s->self, p, t, y, mc->obs);
    double sum = 0.0;
    for (size_t i = 0; i < k; i++) {
      sum += mc->obs[i];
    }
    mc->popsum[p] += k ? sum / (double)k : 0.0;
    if (inlayer) {
      mlayer *ml = &mc->L[mc->poplayer[p]];
      double *row = ml->x + mc->n * ml->ncols;
      for (size_t c = 0; c < pi->ncols; c++) {
        for (size_t u = 0; u < pi->nunits; u++) {
          row[c] += mc->obs[c * pi->nunits + u];
        }
      }
    }
  }
  mc->n++;
  return LAM_OK;
}

static mlayer *find_layer(lam_metrics *mc, const char *tag) {
  for (size_t l = 0; l < mc->nl; l++) {
    if (!strcmp(mc->L[l].tag, tag)) {
      return &mc->L[l];
    }
  }
  return NULL;
}

/* Means per column, transposed to column-major, and the Welch estimator
 * (all samples, segments by the rule of lam_welch_for, as laminar analyze). The spectra,
 * coherences, segregation index and PAC follow on demand (layer_bands,
 * layer_coherence, segregation, pac): a sweep asking for one metric does
 * not pay for the others, and each value is the same computation on the
 * same data as when all are computed. */
static int finish(lam_metrics *mc, lam_err *err) {
  if (mc->finished) {
    return LAM_OK;
  }
  size_t n = mc->n;
  for (size_t l = 0; l < mc->nl; l++) {
    mlayer *ml = &mc->L[l];
    ml->have_b = ml->have_coh = 0;
    ml->mean = NAN;
    if (!n || !ml->want) {
      continue;
    }
    double *x = malloc(n * ml->ncols * sizeof *x), s = 0.0;
    if (!x) {
      return LAM_NOMEM(err);
    }
    for (size_t i = 0; i < n; i++) {
      for (size_t c = 0; c < ml->ncols; c++) {
        double v = ml->x[i * ml->ncols + c] / (ml->cnt[c] > 0 ? ml->cnt[c] : 1.0);
        x[c * n + i] = v;
        s += v;
      }
    }
    free(ml->x);
    ml->x = x;
    ml->mean = s / (double)(n * ml->ncols);
  }
  mc->cap = n; /* the layout changed: a further sample reallocates */
  mc->finished = 1;
  mc->have_segr = -1;
  mc->have_mi = 0;
  mc->mi = NAN;
  lam_welch_free(mc->w);
  mc->w = NULL;
  if (n < 4) {
    return LAM_OK; /* too short for spectra: NaN */
  }
  double fs = 1.0 / (mc->t1 - mc->t0);
  mc->w = lam_welch_for(n, fs, LAM_METRICS_SEG_S, err);
  if (!mc->w) {
    return err->code;
  }
  mc->fs = fs;
  for (size_t l = 0; l < mc->nl; l++) {
    mc->L[l].have_b = mc->L[l].have_coh = mc->L[l].want ? -1 : 0;
  }
  return LAM_OK;
}

/* Band powers and peaks of a layer (once); whether they exist. Non-finite
 * samples leave a layer's spectra NaN. */
static int layer_bands(lam_metrics *mc, mlayer *ml) {
  if (ml->have_b < 0) {
    lam_err e;
    ml->have_b = lam_metrics_bands(mc->w, ml->x, ml->ncols, mc->n, 1, mc->n, &ml->b,
                                   &e) == LAM_OK;
  }
  return ml->have_b;
}

/* Its band-mean coherence over column pairs (once); whether it exists. */
static int layer_coherence(lam_metrics *mc, mlayer *ml) {
  if (ml->have_coh < 0) {
    lam_err e;
    ml->have_coh = layer_bands(mc, ml) &&
                   lam_metrics_coherence(mc->w, ml->x, ml->ncols, mc->n, &ml->b, &e) ==
                       LAM_OK;
  }
  return ml->have_coh;
}

static int segregation(lam_metrics *mc) {
  if (mc->have_segr < 0) {
    mlayer *sup = find_layer(mc, "l23"), *deep = find_layer(mc, "l5");
    lam_err e;
    mc->have_segr = sup && deep && layer_bands(mc, sup) && layer_bands(mc, deep) &&
                    lam_segregation_index(sup->b.pg, sup->b.pab, deep->b.pg, deep->b.pab,
                                          &mc->segr, &e) == LAM_OK;
  }
  return mc->have_segr;
}

static double pac(lam_metrics *mc) {
  if (!mc->have_mi) {
    mc->have_mi = 1;
    mlayer *sup = find_layer(mc, "l23"), *deep = find_layer(mc, "l5");
    lam_err e;
    if (sup && deep && layer_bands(mc, sup) && layer_bands(mc, deep) &&
        lam_metrics_pac(deep->x, deep->ncols, sup->x, sup->ncols, mc->n, mc->fs, &mc->mi,
                        &e)) {
      mc->mi = NAN;
    }
  }
  return mc->mi;
}

/* A layer family member: prefix + tag -> the field. */
static const struct {
  const char *prefix;
  size_t off;
} layer_fields[] = {
    {"gamma_power_", offsetof(lam_layer_bands, pg)},
    {"alpha_power_", offsetof(lam_layer_bands, pab)},
    {"gamma_peak_hz_", offsetof(lam_layer_bands, fg)},
    {"alpha_peak_hz_", offsetof(lam_layer_bands, fab)},
    {"gamma_coherence_", offsetof(lam_layer_bands, cg)},
    {"alpha_coherence_", offsetof(lam_layer_bands, cab)},
};
#define NFIELDS (sizeof layer_fields / sizeof layer_fields[0])

static const char *const layer_tags[] = {"l1", "l23", "l4", "l5", "l6"};

static int is_layer_tag(const char *s) {
  for (size_t i = 0; i < sizeof layer_tags / sizeof layer_tags[0]; i++) {
    if (!strcmp(s, layer_tags[i])) {
      return 1;
    }
  }
  return 0;
}

static long pop_index(const lam_system *s, const char *name) {
  for (size_t p = 0; p < s->npops; p++) {
    if (!strcmp(s->pops[p].name, name)) {
      return (long)p;
    }
  }
  return -1;
}

/* The unit of layer tag's signal in sys ("a.u." when absent). */
static const char *layer_unit(const lam_system *s, const char *tag) {
  for (size_t p = 0; p < s->npops; p++) {
    char t[TAGLEN];
    layer_tag(s->pops[p].layer ? s->pops[p].layer : "", t);
    if (!strcmp(t, tag) && s->pops[p].layer[0]) {
      return s->pops[p].unit;
    }
  }
  return "a.u.";
}

int lam_metrics_check(const lam_system *s, const char *name, char *unit,
                      size_t len, lam_err *err) {
  for (size_t i = 0; i < lam_metric_ntable; i++) {
    if (!strchr(lam_metric_table[i].name, '<') && !strcmp(name, lam_metric_table[i].name)) {
      snprintf(unit, len, "%s", lam_metric_table[i].unit);
      return LAM_OK;
    }
  }
  if (!strncmp(name, "mean_", 5)) {
    long p = pop_index(s, name + 5);
    if (p >= 0) {
      snprintf(unit, len, "%s", s->pops[p].unit);
      return LAM_OK;
    }
    if (is_layer_tag(name + 5)) {
      snprintf(unit, len, "%s", layer_unit(s, name + 5));
      return LAM_OK;
    }
  }
  for (size_t f = 0; f < NFIELDS; f++) {
    size_t k = strlen(layer_fields[f].prefix);
    if (!strncmp(name, layer_fields[f].prefix, k) && is_layer_tag(name + k)) {
      if (strstr(layer_fields[f].prefix, "power")) {
        snprintf(unit, len, "(%s)^2", layer_unit(s, name + k));
      } else {
        snprintf(unit, len, "%s", strstr(layer_fields[f].prefix, "hz") ? "Hz" : "1");
      }
      return LAM_OK;
    }
  }
  return lam_err_set(err, LAM_ENOTFOUND,
                     "unknown metric '%s' (`laminar sweep --list-metrics` lists them)",
                     name);
}

/* Entropy or total burst rate of the attention weights at the final state
 * y (lam_metrics_attention). */
static double attention(const lam_system *sys, const double *y, int want_burst) {
  size_t nq, H, T;
  lam_err e;
  if (!y || lam_attn_weights(sys, y, NULL, &nq, &H, &T, &e)) {
    return NAN;
  }
  double *w = malloc(nq * H * T * sizeof *w), h = NAN, b = NAN;
  if (w && !lam_attn_weights(sys, y, w, &nq, &H, &T, &e)) {
    lam_metrics_attention(w, nq * H, T, &h, &b);
  }
  free(w);
  return want_burst ? b : h;
}

/* ||O - softmax(Q K^T / sqrt(d_k)) V||_F / ||softmax(...) V||_F at the
 * final state y (docs/model.md, "Anchor identity"). */
static double identity(const lam_system *sys, const double *y) {
  double v = NAN;
  lam_err e;
  if (!y || lam_attn_identity_error(sys, y, &v, &e)) {
    return NAN;
  }
  return v;
}

/* What metric name (a checked name) needs collected: population *pop
 * (time mean) or -1, and the layers it reads (lay[l] set). */
static void needs(lam_metrics *mc, const char *name, long *pop, int *lay) {
  *pop = -1;
  memset(lay, 0, MAXLAYERS * sizeof *lay);
  const char *tag = NULL, *tag2 = NULL;
  if (!strncmp(name, "mean_", 5)) {
    *pop = pop_index(mc->sys, name + 5);
    if (*pop < 0) {
      tag = name + 5;
    }
  } else if (!strncmp(name, "segregation_", 12) || !strcmp(name, "pac_mi")) {
    tag = "l23";
    tag2 = "l5";
  } else {
    for (size_t f = 0; f < NFIELDS; f++) {
      size_t k = strlen(layer_fields[f].prefix);
      if (!strncmp(name, layer_fields[f].prefix, k)) {
        tag = name + k;
      }
    }
  }
  for (size_t l = 0; l < mc->nl; l++) {
    if ((tag && !strcmp(mc->L[l].tag, tag)) || (tag2 && !strcmp(mc->L[l].tag, tag2))) {
      lay[l] = 1;
    }
  }
}

int lam_metrics_want(lam_metrics *mc, const char *name, lam_err *err) {
  char unit[64];
  int rc = lam_metrics_check(mc->sys, name, unit, sizeof unit, err);
  if (rc) {
    return rc;
  }
  if (mc->n > 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "metric %s: lam_metrics_want must come before the run", name);
  }
  if (!mc->narrowed) {
    mc->narrowed = 1;
    for (size_t l = 0; l < mc->nl; l++) {
      mc->L[l].want = 0;
    }
  }
  long p;
  int lay[MAXLAYERS];
  needs(mc, name, &p, lay);
  if (p >= 0) {
    mc->wantpop[p] = 1;
  }
  for (size_t l = 0; l < mc->nl; l++) {
    mc->L[l].want |= lay[l];
  }
  return LAM_OK;
}

int lam_metrics_value(lam_metrics *mc, const char *name, const double *y_end,
                      double *value, lam_err *err) {
  char unit[64];
  int rc = lam_metrics_check(mc->sys, name, unit, sizeof unit, err);
  if (rc) {
    return rc;
  }
  *value = NAN;
  if (mc->narrowed) {
    long p;
    int lay[MAXLAYERS], ok = 1;
    needs(mc, name, &p, lay);
    for (size_t l = 0; l < mc->nl; l++) {
      ok = ok && (!lay[l] || mc->L[l].want);
    }
    if (!ok || (p >= 0 && !mc->wantpop[p])) {
      return lam_err_set(err, LAM_EINVAL,
                         "metric %s was not asked for with lam_metrics_want before the run",
                         name);
    }
  }
  if (!strcmp(name, "attention_entropy")) {
    *value = attention(mc->sys, y_end, 0);
    return LAM_OK;
  }
  if (!strcmp(name, "burst_rate")) {
    *value = attention(mc->sys, y_end, 1);
    return LAM_OK;
  }
  if (!strcmp(name, "identity_error")) {
    *value = identity(mc->sys, y_end);
    return LAM_OK;
  }
  if (!strncmp(name, "mean_", 5)) {
    long p = pop_index(mc->sys, name + 5);
    if (p >= 0) {
      *value = mc->n ? mc->popsum[p] / (double)mc->n : NAN;
      return LAM_OK;
    }
  }
  rc = finish(mc, err);
  if (rc) {
    return rc;
  }
  if (!strncmp(name, "mean_", 5)) {
    mlayer *ml = find_layer(mc, name + 5);
    *value = ml ? ml->mean : NAN;
    return LAM_OK;
  }
  if (!strcmp(name, "segregation_index")) {
    *value = segregation(mc) ? mc->segr.laminar_ratio : NAN;
  } else if (!strcmp(name, "segregation_gamma_ratio")) {
    *value = segregation(mc) ? mc->segr.gamma_ratio : NAN;
  } else if (!strcmp(name, "segregation_alpha_ratio")) {
    *value = segregation(mc) ? mc->segr.alphabeta_ratio : NAN;
  } else if (!strcmp(name, "pac_mi")) {
    *value = pac(mc);
  } else {
    for (size_t f = 0; f < NFIELDS; f++) {
      size_t k = strlen(layer_fields[f].prefix);
      if (!strncmp(name, layer_fields[f].prefix, k)) {
        mlayer *ml = find_layer(mc, name + k);
        int coh = strstr(layer_fields[f].prefix, "coherence") != NULL;
        if (ml && (coh ? layer_coherence(mc, ml) : layer_bands(mc, ml))) {
          *value = *(const double *)((const char *)&ml->b + layer_fields[f].off);
        }
        break;
      }
    }
  }
  return LAM_OK;
}
