/* analyze.c: `laminar analyze RUN.h5 [--t0 S] [--seg S] [--band NAME=LO:HI]...
 *                                  [--json FILE | --csv FILE]`
 *
 * The spectral observables of docs/analysis.md from a recorded run, per
 * cortical layer (populations grouped by the `layer` attribute of their
 * /traces dataset) and, when the run carried the virtual probe, per LFP
 * contact: mean, Welch band power and peak frequency in the alpha/beta
 * (8-30 Hz) and gamma (30-80 Hz) bands (or the --band ones), inter-column
 * and inter-layer coherence, the spectral segregation index (L2/3 vs L5),
 * the Tort modulation index of L5 alpha phase against L2/3 gamma amplitude,
 * and for attention runs the entropy and total burst rate of the attention
 * weights (/traces/attn). Definitions: docs/analysis.md.
 *
 * A layer's signal in column c is the mean over the units of its
 * populations in that column; its PSD is the mean of the columns' PSDs.
 * In a run of stacked areas (populations AREA.pop, docs/hierarchy.md) every
 * area has its own layers (v1.L2/3, v2.L2/3, ...), segregation index, PAC,
 * attention summary and probe (/AREA.lfp).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_areas.h"
#include "cli.h"
#include "lam_granger.h"
#include "lam_metrics.h"
#include "lam_pac.h"
#include "lam_probe.h"
#include "lam_runfile.h"
#include "lam_spectrum.h"

static const char help[] =
    "usage: laminar analyze RUN.h5 [options]\n"
    "\n"
    "Spectral analysis of a recorded run (docs/analysis.md): per layer the mean,\n"
    "Welch band power and peak frequency in alpha/beta (" LAM_BAND_ALPHABETA_TEXT ") and gamma\n"
    "(" LAM_BAND_GAMMA_TEXT "), coherence between columns and between layers, the\n"
    "segregation index (L2/3 vs L5), the Tort modulation index (L5 alpha\n"
    "phase -> L2/3 gamma amplitude), the entropy and total burst rate of the\n"
    "attention weights (/traces/attn) of attention runs, and the spectra per\n"
    "LFP contact when the run recorded the probe; for runs of stacked areas\n"
    "all of these per area (v1.L2/3, v2.L2/3, ...; /v1.lfp, /v2.lfp) and the\n"
    "spectral Granger causality per band between areas, both directions.\n"
    "\n"
    "laminar analyze MODEL --fixed-points | --scan SECTION.KEY=LO:HI[:N]:\n"
    "equilibria, eigenvalues, Hopf points and folds of a model file's\n"
    "equations (`laminar analyze MODEL --fixed-points --help`).\n"
    "\n"
    "options:\n"
    "  --t0 SECONDS     ignore samples before this time (default 0: all);\n"
    "                   --from is the same option\n"
    "  --seg SECONDS    Welch segment length (default 1; shortened to the data)\n"
    "  --band NAME=LO:HI  a band in Hz (repeatable, up to 8); given once, the\n"
    "                   bands are exactly those given (default alphabeta=" LAM_BAND_ALPHABETA_SPEC "\n"
    "                   and gamma=" LAM_BAND_GAMMA_SPEC "; the segregation index needs both)\n"
    "  --granger-order N  areas runs: the largest VAR order of the Granger fit\n"
    "                   between areas (default 20)\n"
    "  --granger-ic aic|bic|fixed  order criterion (default bic; fixed: N)\n"
    "  --json FILE      write the results as JSON (\"-\": standard output)\n"
    "  --csv FILE       write them as CSV: kind,name,quantity,value,unit\n"
    "  --partial        analyse an incomplete run (a FILE.part, complete = 0,\n"
    "                   or no complete attribute): a warning on stderr, and\n"
    "                   the report says the input was incomplete; without it\n"
    "                   such a file is an error\n"
    "  -h, --help       this help\n"
    "\n"
    "Output files are written to FILE.part and renamed when complete.\n";

#define MAXLAYERS 32
#define MAXBANDS 8
#define MAXAREAS LAM_CLI_MAXAREAS
#define NAMELEN 64

typedef struct layer {
  char name[NAMELEN];
  char area[NAMELEN];          /* "" in a single-area run */
  char label[2 * NAMELEN + 2]; /* AREA.layer, or the layer alone */
  char pops[256];
  char unit[NAMELEN];
  size_t ncols;
  double *x; /* ncols signals of n samples, column-major: x[c * n + i] */
  double *cnt; /* units summed per column */
  double mean;
  double pw[MAXBANDS], pk[MAXBANDS], coh[MAXBANDS]; /* per band */
} layer;

/* What is computed per area (one area, named "", in a single-area run). */
typedef struct area_res {
  char name[NAMELEN];
  int have_seg, have_pac;
  lam_segregation segr;
  double mi;
  /* attention weights (/traces/attn or /traces/AREA.attn) */
  int have_attn;
  size_t attn_rows, attn_keys;
  double ent_final, burst_final, ent_mean, burst_mean;
  /* probe (/lfp or /AREA.lfp): per contact c, cpw/cpk[c * nb + b] */
  size_t nc;
  double *depth, *cmean, *cpw, *cpk;
  char lfp_unit[NAMELEN];
} area_res;

typedef struct results {
  const char *file;
  int incomplete;      /* read with --partial from a run not marked complete */
  char status[160];    /* what its complete attribute said */
  size_t n;
  double fs, t0, seg;
  lam_band band[MAXBANDS];
  char bandname[MAXBANDS][NAMELEN];
  size_t nb;
  layer L[MAXLAYERS];
  size_t nl;
  /* pcoh[i][j][b]: coherence of layers i < j, same columns (min of both) */
  double pcoh[MAXLAYERS][MAXLAYERS][MAXBANDS];
  int multi; /* a run of stacked areas */
  area_res A[MAXAREAS];
  size_t na;
  lam_cli_areas areas; /* Granger between areas (analyze_areas.h) */
} results;

/* ---- reading (io/lam_runfile.h: every shape checked) ---- */

static int fail(const char *file, const char *what, const char *name) {
  fprintf(stderr, "laminar analyze: %s: %s%s%s\n", file, what, name ? " " : "",
          name ? name : "");
  return 1;
}

/* A lam_err message (it names the file and the dataset). */
static int fail_err(const lam_err *err) {
  fprintf(stderr, "laminar analyze: %s\n", err->msg);
  return 1;
}

static const char shape_trace[] = "samples x columns x units";

/* ---- spectra (analysis/lam_metrics.c, shared with laminar sweep) ---- */

/* The index of band name, or -1. */
static long band_index(const results *r, const char *name) {
  for (size_t b = 0; b < r->nb; b++) {
    if (!strcmp(r->band[b].name, name)) {
      return (long)b;
    }
  }
  return -1;
}

/* Tort MI of L5 alpha phase vs L2/3 gamma amplitude (lam_metrics_pac). */
static int pac(const layer *deep, const layer *sup, size_t n, double fs,
               double *mi, lam_err *err) {
  return lam_metrics_pac(deep->x, deep->ncols, sup->x, sup->ncols, n, fs, mi, err);
}

/* ---- reading the run ---- */

static layer *find_layer(results *r, const char *area, const char *name) {
  for (size_t i = 0; i < r->nl; i++) {
    if (!strcmp(r->L[i].name, name) && !strcmp(r->L[i].area, area)) {
      return &r->L[i];
    }
  }
  return NULL;
}

/* The results of area name, added when new; NULL when there are too many. */
static area_res *find_area(results *r, const char *name) {
  for (size_t k = 0; k < r->na; k++) {
    if (!strcmp(r->A[k].name, name)) {
      return &r->A[k];
    }
  }
  if (r->na == MAXAREAS) {
    return NULL;
  }
  area_res *a = &r->A[r->na++];
  snprintf(a->name, sizeof a->name, "%s", name);
  return a;
}

/* "AREA." before a name of area a in a run of areas, else "". */
static const char *area_prefix(const area_res *a, char *buf, size_t len) {
  snprintf(buf, len, "%s%s", a->name, a->name[0] ? "." : "");
  return buf;
}

/* Add /traces/<pop> (samples x ncols x nunits) to its layer, samples from
 * i0 on. */
static int add_trace(results *r, const lam_runfile *rf,
                     const lam_runfile_pop *p, size_t i0) {
  char path[320];
  const char *pop = p->name, *lay = p->layer, *unit = p->unit;
  snprintf(path, sizeof path, "/traces/%s", pop);
  if (!lay[0] || !isfinite(lam_probe_layer_depth(lay))) {
    return 0; /* derived or layer-less populations (attention weights) */
  }
  double *v;
  size_t dims[3];
  lam_err err;
  if (lam_runfile_read(rf, path, 3, shape_trace, 0, 0, &v, dims, &err)) {
    return fail_err(&err);
  }
  if (dims[0] != r->n + i0) {
    free(v);
    return fail(r->file, "expected as many samples as /time in", path);
  }
  /* Bounded: dims[1] * dims[2] * dims[0] doubles fit in size_t. */
  size_t ncols = dims[1], nunits = dims[2];
  /* Population AREA.pop of a run of stacked areas. */
  char area[NAMELEN] = "";
  const char *dot = strchr(pop, '.');
  if (dot && dot > pop && (size_t)(dot - pop) < sizeof area) {
    memcpy(area, pop, (size_t)(dot - pop));
    area[dot - pop] = '\0';
    r->multi = 1;
  }
  layer *l = find_layer(r, area, lay);
  if (!l) {
    if (r->nl == MAXLAYERS || !find_area(r, area)) {
      free(v);
      return fail(r->file, "too many layers or areas at", path);
    }
    l = &r->L[r->nl++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", lay);
    snprintf(l->area, sizeof l->area, "%s", area);
    snprintf(l->label, sizeof l->label, "%s%s%s", area, area[0] ? "." : "", lay);
    snprintf(l->unit, sizeof l->unit, "%s", unit);
  }
  if (ncols > l->ncols) {
    double *x = realloc(l->x, ncols * r->n * sizeof *x);
    double *cnt = realloc(l->cnt, ncols * sizeof *cnt);
    if (!x || !cnt) {
      free(x ? x : l->x);
      free(cnt ? cnt : l->cnt);
      l->x = NULL;
      l->cnt = NULL;
      free(v);
      return fail(r->file, "out of memory reading", path);
    }
    memset(x + l->ncols * r->n, 0, (ncols - l->ncols) * r->n * sizeof *x);
    memset(cnt + l->ncols, 0, (ncols - l->ncols) * sizeof *cnt);
    l->x = x;
    l->cnt = cnt;
    l->ncols = ncols;
  }
  if (lam_cli_areas_add(&r->areas, pop, lay, v, ncols, nunits, i0, r->n)) {
    free(v);
    return fail(r->file, "out of memory or more than 8 areas at", path);
  }
  size_t len = strlen(l->pops);
  snprintf(l->pops + len, sizeof l->pops - len, "%s%s", len ? "," : "", pop);
  for (size_t c = 0; c < ncols; c++) {
    for (size_t i = 0; i < r->n; i++) {
      const double *row = v + ((i + i0) * ncols + c) * nunits;
      for (size_t u = 0; u < nunits; u++) {
        l->x[c * r->n + i] += row[u];
      }
    }
    l->cnt[c] += (double)nunits;
  }
  free(v);
  return 0;
}

/* Sum -> mean per column, and the layer's overall mean. */
static void finish_layer(layer *l, size_t n) {
  double s = 0.0;
  for (size_t c = 0; c < l->ncols; c++) {
    for (size_t i = 0; i < n; i++) {
      l->x[c * n + i] /= l->cnt[c] > 0 ? l->cnt[c] : 1.0;
      s += l->x[c * n + i];
    }
  }
  l->mean = s / (double)(n * l->ncols);
}

/* The probe of area a: /lfp, or /AREA.lfp in a run of areas (absent: no
 * probe, nothing to do). */
static int analyze_probe(results *r, area_res *a, const lam_runfile *rf,
                         size_t i0, lam_welch *w) {
  char pre[NAMELEN + 2], name[2 * NAMELEN];
  snprintf(name, sizeof name, "/%slfp", area_prefix(a, pre, sizeof pre));
  if (!lam_runfile_exists(rf, name)) {
    return 0;
  }
  double *lfp, *z;
  size_t dims[3], dz[3];
  lam_err err;
  if (lam_runfile_read(rf, name, 2, "samples x contacts", 0, 0, &lfp, dims, &err)) {
    return fail_err(&err);
  }
  if (lam_runfile_read(rf, "/probe/depth_um", 1, "contacts", 0, 0, &z, dz, &err) ||
      lam_runfile_attr_text(rf, name, "unit", a->lfp_unit, sizeof a->lfp_unit,
                            &err)) {
    free(lfp);
    free(z);
    return fail_err(&err);
  }
  if (dims[0] != r->n + i0 || dz[0] != dims[1]) {
    free(lfp);
    free(z);
    return fail(r->file, "expected samples x contacts matching /time and "
                         "/probe/depth_um in", name);
  }
  a->nc = (size_t)dims[1];
  a->depth = z;
  a->cmean = calloc(a->nc, sizeof(double));
  a->cpw = calloc(a->nc * r->nb, sizeof(double));
  a->cpk = calloc(a->nc * r->nb, sizeof(double));
  int rc = a->cmean && a->cpw && a->cpk ? 0 : fail(r->file, "out of memory reading", name);
  for (size_t c = 0; !rc && c < a->nc; c++) {
    const double *x = lfp + i0 * a->nc + c;
    double s = 0.0;
    for (size_t i = 0; i < r->n; i++) {
      s += x[i * a->nc];
    }
    a->cmean[c] = s / (double)r->n;
    if (lam_metrics_band_values(w, x, 1, 0, a->nc, r->n, r->band, r->nb,
                                a->cpw + c * r->nb, a->cpk + c * r->nb, &err)) {
      rc = fail(r->file, err.msg, name);
    }
  }
  free(lfp);
  return rc;
}

/* Entropy and total burst rate of /traces/attn (samples x queries x
 * heads*keys) at the last sample and their means from i0 on; the number of
 * keys is the number of columns of /traces/l4 (attention runs: T). Area a
 * of a run of areas: /traces/AREA.attn and /traces/AREA.l4. */
static int analyze_attention(results *r, area_res *a, const lam_runfile *rf,
                             size_t i0) {
  char pre[NAMELEN + 2], attn[2 * NAMELEN + 16], l4[2 * NAMELEN + 16];
  area_prefix(a, pre, sizeof pre);
  snprintf(attn, sizeof attn, "/traces/%sattn", pre);
  snprintf(l4, sizeof l4, "/traces/%sl4", pre);
  if (!lam_runfile_exists(rf, attn) || !lam_runfile_exists(rf, l4)) {
    return 0;
  }
  size_t dl4[3];
  double *v;
  size_t dims[3];
  lam_err err;
  if (lam_runfile_shape(rf, l4, 3, shape_trace, dl4, &err) ||
      lam_runfile_read(rf, attn, 3, "samples x queries x heads*keys", 0, 0, &v,
                       dims, &err)) {
    return fail_err(&err);
  }
  /* Bounded: the whole dataset's values fit in size_t. */
  size_t T = dl4[1], per = dims[1] * dims[2];
  if (dims[0] != r->n + i0 || T == 0 || per % T) {
    free(v);
    return fail(r->file, "expected samples x queries x heads*keys (keys: the "
                         "columns of /traces/l4) in", attn);
  }
  a->have_attn = 1;
  a->attn_rows = per / T;
  a->attn_keys = T;
  double se = 0.0, sb = 0.0;
  for (size_t i = i0; i < r->n + i0; i++) {
    double h, b;
    lam_metrics_attention(v + i * per, a->attn_rows, T, &h, &b);
    se += h;
    sb += b;
    if (i + 1 == r->n + i0) {
      a->ent_final = h;
      a->burst_final = b;
    }
  }
  a->ent_mean = se / (double)r->n;
  a->burst_mean = sb / (double)r->n;
  free(v);
  return 0;
}

static int analyze(results *r, const char *file, unsigned flags) {
  r->file = file;
  lam_runfile *f;
  lam_err err;
  if (lam_runfile_open(file, flags, &f, &err)) {
    return fail_err(&err);
  }
  if (!lam_runfile_complete(f)) {
    r->incomplete = 1;
    snprintf(r->status, sizeof r->status, "%s", lam_runfile_status(f));
    fprintf(stderr, "laminar analyze: warning: %s is an incomplete run (%s): "
                    "the results cover only the samples it holds\n",
            file, r->status);
  }
  double *t = NULL;
  size_t dims[3];
  int rc = lam_runfile_read(f, "/time", 1, "samples", 0, 0, &t, dims, &err)
               ? fail_err(&err) : 0;
  size_t ntot = rc ? 0 : dims[0], i0 = 0;
  if (!rc && ntot < 4) {
    rc = fail(file, "expected at least 4 samples in", "/time");
  }
  if (!rc && !(isfinite(t[0]) && isfinite(t[1]) && t[1] > t[0] &&
               isfinite(1.0 / (t[1] - t[0])))) {
    rc = fail(file, "expected increasing, finite sample times in", "/time");
  }
  if (!rc) {
    r->fs = 1.0 / (t[1] - t[0]);
    while (i0 < ntot && t[i0] < r->t0 - 1e-9 / r->fs) {
      i0++;
    }
    r->n = ntot - i0;
    if (r->n < 4) {
      rc = fail(file, "--t0 leaves fewer than 4 samples of", "/time");
    }
  }
  free(t);
  if (!rc && !lam_runfile_exists(f, "/traces")) {
    rc = fail(file, "missing group", "/traces");
  }
  lam_runfile_pop *pops = NULL;
  size_t np = 0;
  if (!rc && lam_runfile_pops(f, LAM_RUNFILE_BY_NAME, &pops, &np, &err)) {
    rc = fail_err(&err);
  }
  for (size_t k = 0; !rc && k < np; k++) {
    rc = add_trace(r, f, &pops[k], i0);
  }
  free(pops);
  if (!rc && r->nl == 0) {
    rc = fail(file, "no population with a cortical layer attribute in", "/traces");
  }
  /* Segments of --seg seconds, or the whole series when it is shorter. */
  double sseg = floor(r->seg * r->fs + 0.5); /* no size_t overflow below */
  size_t nseg = !(sseg < (double)r->n) ? r->n : sseg < 4.0 ? 4 : (size_t)sseg;
  r->seg = (double)nseg / r->fs;
  lam_welch *w = rc ? NULL : lam_welch_new(nseg, r->fs, &err);
  if (!rc && !w) {
    rc = fail(file, err.msg, NULL);
  }
  for (size_t i = 0; !rc && i < r->nl; i++) {
    layer *l = &r->L[i];
    finish_layer(l, r->n);
    if (lam_metrics_band_values(w, l->x, l->ncols, r->n, 1, r->n, r->band, r->nb,
                                l->pw, l->pk, &err) ||
        lam_metrics_column_coherence(w, l->x, l->ncols, r->n, r->band, r->nb,
                                     l->coh, &err)) {
      rc = fail(file, err.msg, l->name);
    }
  }
  for (size_t i = 0; !rc && i < r->nl; i++) {
    for (size_t j = i + 1; !rc && j < r->nl; j++) {
      const layer *a = &r->L[i], *b = &r->L[j];
      if (lam_metrics_pair_coherence(w, a->x, b->x,
                                     a->ncols < b->ncols ? a->ncols : b->ncols,
                                     r->n, r->band, r->nb, r->pcoh[i][j], &err)) {
        rc = fail(file, err.msg, b->name);
      }
    }
  }
  long bg = band_index(r, "gamma"), bab = band_index(r, "alphabeta");
  for (size_t k = 0; !rc && k < r->na; k++) {
    area_res *a = &r->A[k];
    layer *sup = find_layer(r, a->name, "L2/3"), *deep = find_layer(r, a->name, "L5");
    if (sup && deep && bg >= 0 && bab >= 0) {
      a->have_seg = lam_segregation_index(sup->pw[bg], sup->pw[bab], deep->pw[bg],
                                          deep->pw[bab], &a->segr, &err) == LAM_OK;
    }
    if (sup && deep) {
      a->have_pac = pac(deep, sup, r->n, r->fs, &a->mi, &err) == LAM_OK;
    }
    rc = analyze_attention(r, a, f, i0);
    if (!rc) {
      rc = analyze_probe(r, a, f, i0, w);
    }
  }
  if (!rc) {
    lam_cli_areas_granger(&r->areas, r->fs, r->band, r->nb);
  }
  lam_welch_free(w);
  lam_runfile_free(f);
  return rc;
}

static void free_results(results *r) {
  for (size_t i = 0; i < r->nl; i++) {
    free(r->L[i].x);
    free(r->L[i].cnt);
  }
  for (size_t k = 0; k < r->na; k++) {
    free(r->A[k].depth);
    free(r->A[k].cmean);
    free(r->A[k].cpw);
    free(r->A[k].cpk);
  }
  lam_cli_areas_free(&r->areas);
}

/* ---- output ---- */

static void print_table(const results *r) {
  printf("%s: %zu samples at %g Hz from t0 = %g s; Welch %g s Hann segments, "
         "50%% overlap\n",
         r->file, r->n, r->fs, r->t0, r->seg);
  if (r->incomplete) {
    printf("INCOMPLETE INPUT: %s (read with --partial): the results cover "
           "only the samples it holds\n", r->status);
  }
  printf("\nbands:");
  for (size_t b = 0; b < r->nb; b++) {
    printf(" %s %g-%g Hz%s", r->band[b].name, r->band[b].lo_hz, r->band[b].hi_hz,
           b + 1 < r->nb ? ";" : "\n\n");
  }
  int lw = 6; /* the label column: wider for AREA.layer */
  for (size_t i = 0; i < r->nl; i++) {
    int len = (int)strlen(r->L[i].label);
    lw = len > lw ? len : lw;
  }
  printf("%-*s %-5s %-12s", lw, "layer", "cols", "mean");
  for (size_t b = 0; b < r->nb; b++) {
    char h[3][NAMELEN + 8];
    snprintf(h[0], sizeof h[0], "P_%s", r->band[b].name);
    snprintf(h[1], sizeof h[1], "f_%s Hz", r->band[b].name);
    snprintf(h[2], sizeof h[2], "coh_%s", r->band[b].name);
    printf(" %-14s %-12s %-12s", h[0], h[1], h[2]);
  }
  printf("  populations\n");
  for (size_t i = 0; i < r->nl; i++) {
    const layer *l = &r->L[i];
    printf("%-*s %-5zu %-12.5g", lw, l->label, l->ncols, l->mean);
    for (size_t b = 0; b < r->nb; b++) {
      printf(" %-14.5g %-12.3f %-12.3f", l->pw[b], l->pk[b], l->coh[b]);
    }
    printf("  %s\n", l->pops);
  }
  const char *u = r->nl ? r->L[0].unit : "";
  printf("\nunits: mean in %s; band power P in (%s)^2; peaks f in Hz; coherence "
         "(band mean over column pairs) 1\n",
         u, u);
  if (r->nl > 1) {
    printf("\ncoherence between layers (band mean, same column, mean over columns):\n");
    int pw = lw > 6 ? 2 * lw + 1 : 14;
    printf("%-*s", pw, "layers");
    for (size_t b = 0; b < r->nb; b++) {
      printf(" %-12s", r->band[b].name);
    }
    printf("\n");
    for (size_t i = 0; i < r->nl; i++) {
      for (size_t j = i + 1; j < r->nl; j++) {
        char pair[4 * NAMELEN + 8];
        snprintf(pair, sizeof pair, "%s:%s", r->L[i].label, r->L[j].label);
        printf("%-*s", pw, pair);
        for (size_t b = 0; b < r->nb; b++) {
          printf(" %-12.3f", r->pcoh[i][j][b]);
        }
        printf("\n");
      }
    }
    printf("\n");
  }
  for (size_t k = 0; k < r->na; k++) {
    const area_res *a = &r->A[k];
    const char *sp = a->name[0] ? " " : ""; /* "segregation v1 (...)" */
    if (a->have_seg) {
      printf("segregation%s%s (L2/3 vs L5): gamma_ratio %.5g, alphabeta_ratio %.5g, "
             "laminar_ratio %.5g (P7 holds when all > 1)\n",
             sp, a->name, a->segr.gamma_ratio, a->segr.alphabeta_ratio,
             a->segr.laminar_ratio);
    } else {
      printf("segregation%s%s: needs L2/3 and L5 and the bands gamma and alphabeta "
             "with power in both\n", sp, a->name);
    }
    if (a->have_pac) {
      printf("PAC%s%s (Tort MI, L5 " LAM_BAND_ALPHA_TEXT " phase -> L2/3 " LAM_BAND_GAMMA_TEXT
             " amplitude, 18 bins): %.5g\n",
             sp, a->name, a->mi);
    }
    if (a->have_attn) {
      printf("attention%s%s (%zu query-head rows over %zu keys): entropy %.5g nats "
             "at the end, %.5g mean (maximum ln %zu = %.5g); total burst rate %.5g "
             "at the end, %.5g mean\n",
             sp, a->name, a->attn_rows, a->attn_keys, a->ent_final, a->ent_mean,
             a->attn_keys, log((double)a->attn_keys), a->burst_final, a->burst_mean);
    }
  }
  lam_cli_areas_table(stdout, &r->areas, r->band, r->nb);
  for (size_t k = 0; k < r->na; k++) {
    const area_res *a = &r->A[k];
    if (!a->nc) {
      continue;
    }
    printf("\nLFP per contact%s%s (unit %s; power in (%s)^2):\n",
           a->name[0] ? ", area " : "", a->name, a->lfp_unit, a->lfp_unit);
    printf("%-8s %-10s %-14s", "contact", "depth_um", "mean");
    for (size_t b = 0; b < r->nb; b++) {
      char h[2][NAMELEN + 8];
      snprintf(h[0], sizeof h[0], "P_%s", r->band[b].name);
      snprintf(h[1], sizeof h[1], "f_%s Hz", r->band[b].name);
      printf(" %-14s %-12s", h[0], h[1]);
    }
    printf("\n");
    for (size_t c = 0; c < a->nc; c++) {
      printf("%-8zu %-10.1f %-14.5g", c, a->depth[c], a->cmean[c]);
      for (size_t b = 0; b < r->nb; b++) {
        printf(" %-14.5g %-12.3f", a->cpw[c * r->nb + b], a->cpk[c * r->nb + b]);
      }
      printf("\n");
    }
  }
}

/* JSON numbers: NaN and infinities become null. */
static void jnum(FILE *o, double v) {
  if (isfinite(v)) {
    fprintf(o, "%.17g", v);
  } else {
    fputs("null", o);
  }
}

static void jstr(FILE *o, const char *s) {
  fputc('"', o);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') {
      fputc('\\', o);
    }
    fputc(*s, o);
  }
  fputc('"', o);
}

/* , "<band><suffix>": v for every band. */
static void jbands(FILE *o, const results *r, const char *suffix, const double *v) {
  for (size_t b = 0; b < r->nb; b++) {
    fprintf(o, ", \"%s%s\": ", r->band[b].name, suffix);
    jnum(o, v[b]);
  }
}

static void json_seg(FILE *o, const area_res *a) {
  if (a->have_seg) {
    fputs("{\"gamma_ratio\": ", o);
    jnum(o, a->segr.gamma_ratio);
    fputs(", \"alphabeta_ratio\": ", o);
    jnum(o, a->segr.alphabeta_ratio);
    fputs(", \"laminar_ratio\": ", o);
    jnum(o, a->segr.laminar_ratio);
    fputc('}', o);
  } else {
    fputs("null", o);
  }
}

static void json_pac(FILE *o, const area_res *a) {
  jnum(o, a->have_pac ? a->mi : NAN);
}

static void json_attn(FILE *o, const area_res *a) {
  if (a->have_attn) {
    fprintf(o, "{\"rows\": %zu, \"keys\": %zu, \"entropy_nats\": ", a->attn_rows,
            a->attn_keys);
    jnum(o, a->ent_final);
    fputs(", \"entropy_mean_nats\": ", o);
    jnum(o, a->ent_mean);
    fputs(", \"burst_rate\": ", o);
    jnum(o, a->burst_final);
    fputs(", \"burst_rate_mean\": ", o);
    jnum(o, a->burst_mean);
    fputc('}', o);
  } else {
    fputs("null", o);
  }
}

/* A single-area run: area 0's value; a run of areas: {"AREA": value, ...}. */
static void json_per_area(FILE *o, const results *r,
                          void (*val)(FILE *, const area_res *)) {
  if (!r->multi) {
    if (r->na) {
      val(o, &r->A[0]);
    } else {
      fputs("null", o);
    }
    return;
  }
  fputc('{', o);
  for (size_t k = 0; k < r->na; k++) {
    fputs(k ? ", " : "", o);
    jstr(o, r->A[k].name);
    fputs(": ", o);
    val(o, &r->A[k]);
  }
  fputc('}', o);
}

static void write_json(FILE *o, const results *r) {
  fputs("{\n  \"file\": ", o);
  jstr(o, r->file);
  if (r->incomplete) {
    fputs(",\n  \"incomplete\": true,\n  \"input_status\": ", o);
    jstr(o, r->status);
  }
  fputs(",\n  \"samples\": ", o);
  fprintf(o, "%zu", r->n);
  fputs(",\n  \"fs_hz\": ", o);
  jnum(o, r->fs);
  fputs(",\n  \"t0_s\": ", o);
  jnum(o, r->t0);
  fputs(",\n  \"welch_segment_s\": ", o);
  jnum(o, r->seg);
  fputs(",\n  \"bands\": [", o);
  for (size_t b = 0; b < r->nb; b++) {
    fputs(b ? ", {\"name\": " : "{\"name\": ", o);
    jstr(o, r->band[b].name);
    fputs(", \"lo_hz\": ", o);
    jnum(o, r->band[b].lo_hz);
    fputs(", \"hi_hz\": ", o);
    jnum(o, r->band[b].hi_hz);
    fputc('}', o);
  }
  fputs("],\n  \"layers\": [", o);
  for (size_t i = 0; i < r->nl; i++) {
    const layer *l = &r->L[i];
    fputs(i ? ",\n    {" : "\n    {", o);
    if (r->multi) {
      fputs("\"area\": ", o);
      jstr(o, l->area);
      fputs(", ", o);
    }
    fputs("\"layer\": ", o);
    jstr(o, l->name);
    fputs(", \"populations\": ", o);
    jstr(o, l->pops);
    fprintf(o, ", \"columns\": %zu, \"unit\": ", l->ncols);
    jstr(o, l->unit);
    fputs(", \"mean\": ", o);
    jnum(o, l->mean);
    jbands(o, r, "_power", l->pw);
    jbands(o, r, "_peak_hz", l->pk);
    jbands(o, r, "_coherence", l->coh);
    fputc('}', o);
  }
  fputs("\n  ],\n  \"layer_coherence\": [", o);
  for (size_t i = 0, k = 0; i < r->nl; i++) {
    for (size_t j = i + 1; j < r->nl; j++, k++) {
      fputs(k ? ",\n    {\"layers\": [" : "\n    {\"layers\": [", o);
      jstr(o, r->L[i].label);
      fputs(", ", o);
      jstr(o, r->L[j].label);
      fputc(']', o);
      jbands(o, r, "_coherence", r->pcoh[i][j]);
      fputc('}', o);
    }
  }
  fputs(r->nl > 1 ? "\n  ],\n  \"segregation\": " : "],\n  \"segregation\": ", o);
  json_per_area(o, r, json_seg);
  fputs(",\n  \"pac_mi\": ", o);
  json_per_area(o, r, json_pac);
  fputs(",\n  \"attention\": ", o);
  json_per_area(o, r, json_attn);
  fputs(",\n  \"contacts\": [", o);
  const char *lfp_unit = "";
  size_t nct = 0;
  for (size_t k = 0; k < r->na; k++) {
    const area_res *a = &r->A[k];
    lfp_unit = a->nc && !lfp_unit[0] ? a->lfp_unit : lfp_unit;
    for (size_t c = 0; c < a->nc; c++, nct++) {
      fputs(nct ? ",\n    {" : "\n    {", o);
      if (r->multi) {
        fputs("\"area\": ", o);
        jstr(o, a->name);
        fputs(", ", o);
      }
      fprintf(o, "\"contact\": %zu, \"depth_um\": ", c);
      jnum(o, a->depth[c]);
      fputs(", \"mean\": ", o);
      jnum(o, a->cmean[c]);
      jbands(o, r, "_power", a->cpw + c * r->nb);
      jbands(o, r, "_peak_hz", a->cpk + c * r->nb);
      fputc('}', o);
    }
  }
  fputs(nct ? "\n  ],\n  \"lfp_unit\": " : "],\n  \"lfp_unit\": ", o);
  jstr(o, lfp_unit);
  fputs(",\n  \"granger\": ", o);
  lam_cli_areas_json(o, &r->areas, r->band, r->nb);
  fputs("\n}\n", o);
}

static void csv_row(FILE *o, const char *kind, const char *name,
                    const char *q, double v, const char *unit) {
  fprintf(o, "%s,\"%s\",%s,", kind, name, q);
  if (isfinite(v)) {
    fprintf(o, "%.17g", v);
  }
  fprintf(o, ",%s\n", unit);
}

static void write_csv(FILE *o, const results *r) {
  fputs("kind,name,quantity,value,unit\n", o);
  if (r->incomplete) {
    csv_row(o, "input", r->file, "complete", 0.0, "1"); /* read with --partial */
  }
  char q[NAMELEN + 16];
  for (size_t i = 0; i < r->nl; i++) {
    const layer *l = &r->L[i];
    char u2[NAMELEN + 8];
    snprintf(u2, sizeof u2, "(%s)^2", l->unit);
    csv_row(o, "layer", l->label, "mean", l->mean, l->unit);
    for (size_t b = 0; b < r->nb; b++) {
      snprintf(q, sizeof q, "%s_power", r->band[b].name);
      csv_row(o, "layer", l->label, q, l->pw[b], u2);
      snprintf(q, sizeof q, "%s_peak", r->band[b].name);
      csv_row(o, "layer", l->label, q, l->pk[b], "Hz");
      snprintf(q, sizeof q, "%s_coherence", r->band[b].name);
      csv_row(o, "layer", l->label, q, l->coh[b], "1");
    }
  }
  for (size_t i = 0; i < r->nl; i++) {
    for (size_t j = i + 1; j < r->nl; j++) {
      char pair[4 * NAMELEN + 8];
      snprintf(pair, sizeof pair, "%s:%s", r->L[i].label, r->L[j].label);
      for (size_t b = 0; b < r->nb; b++) {
        snprintf(q, sizeof q, "%s_coherence", r->band[b].name);
        csv_row(o, "layer_pair", pair, q, r->pcoh[i][j][b], "1");
      }
    }
  }
  /* Names of a run of areas carry the area: v1.segregation, v1.pac, v1.attn. */
  for (size_t k = 0; k < r->na; k++) {
    const area_res *a = &r->A[k];
    char pre[NAMELEN + 2], n[3][2 * NAMELEN];
    area_prefix(a, pre, sizeof pre);
    snprintf(n[0], sizeof n[0], "%ssegregation", pre);
    snprintf(n[1], sizeof n[1], "%spac", pre);
    snprintf(n[2], sizeof n[2], "%sattn", pre);
    if (a->have_seg) {
      csv_row(o, "index", n[0], "gamma_ratio", a->segr.gamma_ratio, "1");
      csv_row(o, "index", n[0], "alphabeta_ratio", a->segr.alphabeta_ratio, "1");
      csv_row(o, "index", n[0], "laminar_ratio", a->segr.laminar_ratio, "1");
    }
    if (a->have_pac) {
      csv_row(o, "index", n[1], "tort_mi", a->mi, "1");
    }
    if (a->have_attn) {
      csv_row(o, "attention", n[2], "entropy", a->ent_final, "nats");
      csv_row(o, "attention", n[2], "entropy_mean", a->ent_mean, "nats");
      csv_row(o, "attention", n[2], "burst_rate", a->burst_final, "a.u.");
      csv_row(o, "attention", n[2], "burst_rate_mean", a->burst_mean, "a.u.");
    }
  }
  lam_cli_areas_csv(o, &r->areas, r->band, r->nb);
  for (size_t k = 0; k < r->na; k++) {
    const area_res *a = &r->A[k];
    char u2[NAMELEN + 8], pre[NAMELEN + 2];
    snprintf(u2, sizeof u2, "(%s)^2", a->lfp_unit);
    area_prefix(a, pre, sizeof pre);
    for (size_t c = 0; c < a->nc; c++) {
      char name[NAMELEN + 32];
      snprintf(name, sizeof name, "%s%zu", pre, c); /* 3, or v1.3 */
      csv_row(o, "contact", name, "depth", a->depth[c], "um");
      csv_row(o, "contact", name, "mean", a->cmean[c], a->lfp_unit);
      for (size_t b = 0; b < r->nb; b++) {
        snprintf(q, sizeof q, "%s_power", r->band[b].name);
        csv_row(o, "contact", name, q, a->cpw[c * r->nb + b], u2);
        snprintf(q, sizeof q, "%s_peak", r->band[b].name);
        csv_row(o, "contact", name, q, a->cpk[c * r->nb + b], "Hz");
      }
    }
  }
}

/* PATH through PATH.part under PATH's lock, renamed when whole ("-": stdout). */
static int write_out(const char *path, const results *r, int json) {
  lam_cli_out o;
  if (lam_cli_out_open(&o, "analyze", path)) {
    return 1;
  }
  json ? write_json(o.f, r) : write_csv(o.f, r);
  return lam_cli_out_close(&o, "analyze");
}

/* --band NAME=LO:HI (Hz, 0 <= LO < HI, NAME a new identifier). */
static int parse_band(results *r, const char *s) {
  const char *eq = strchr(s, '=');
  size_t len = eq ? (size_t)(eq - s) : 0;
  int ok = eq && len > 0 && len < NAMELEN;
  for (size_t k = 0; ok && k < len; k++) {
    ok = (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
         (s[k] >= '0' && s[k] <= '9') || s[k] == '_';
  }
  double lo = NAN, hi = NAN;
  const char *colon = ok ? strchr(eq + 1, ':') : NULL;
  ok = ok && colon;
  if (ok) {
    /* Decimal numbers only, checked as model values are (core/lam_param.h). */
    char lotext[64];
    size_t n = (size_t)(colon - eq - 1);
    ok = n < sizeof lotext;
    if (ok) {
      memcpy(lotext, eq + 1, n);
      lotext[n] = '\0';
      ok = lam_param_number(lotext, 0, &lo) && lam_param_number(colon + 1, 0, &hi) &&
           lo >= 0 && lo < hi && hi <= 1e6;
    }
  }
  if (!ok) {
    fprintf(stderr, "laminar analyze: --band: expected NAME=LO:HI (a name of letters, "
                    "digits and _, then 0 <= LO < HI <= 1e6 in Hz), found '%s'\n", s);
    return 0;
  }
  if (r->nb == MAXBANDS) {
    fprintf(stderr, "laminar analyze: --band %s: expected at most %d bands\n", s, MAXBANDS);
    return 0;
  }
  memcpy(r->bandname[r->nb], s, len);
  r->bandname[r->nb][len] = '\0';
  if (band_index(r, r->bandname[r->nb]) >= 0) {
    fprintf(stderr, "laminar analyze: --band %s: band '%s' given twice\n", s,
            r->bandname[r->nb]);
    return 0;
  }
  r->band[r->nb] = (lam_band){r->bandname[r->nb], lo, hi, ""};
  r->nb++;
  return 1;
}

int lam_cli_analyze(int argc, char **argv) {
  /* Stability of a model file rather than spectra of a run: cli/stability.c. */
  for (int k = 1; k < argc; k++) {
    if (!strcmp(argv[k], "--fixed-points") || !strncmp(argv[k], "--scan", 6)) {
      return lam_cli_stability(argc, argv);
    }
  }
  static const struct option opts[] = {{"t0", required_argument, NULL, 't'},
                                       {"from", required_argument, NULL, 't'},
                                       {"seg", required_argument, NULL, 's'},
                                       {"json", required_argument, NULL, 'j'},
                                       {"csv", required_argument, NULL, 'c'},
                                       {"band", required_argument, NULL, 'b'},
                                       {"granger-order", required_argument, NULL, 'g'},
                                       {"granger-ic", required_argument, NULL, 'i'},
                                       {"partial", no_argument, NULL, 'p'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  results r;
  memset(&r, 0, sizeof r);
  r.seg = 1.0;
  r.areas.pmax = 20;
  r.areas.criterion = LAM_GRANGER_BIC;
  const char *json = NULL, *csv = NULL;
  unsigned flags = 0;
  int c, granger_opt = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 't':
      if (lam_cli_seconds("analyze", "--t0", optarg, 1, &r.t0)) {
        return 2;
      }
      break;
    case 's':
      if (lam_cli_seconds("analyze", "--seg", optarg, 0, &r.seg)) {
        return 2;
      }
      break;
    case 'b':
      if (!parse_band(&r, optarg)) {
        return 2;
      }
      break;
    case 'g': {
      double v;
      if (lam_cli_number("analyze", "--granger-order", optarg, 1, 200, 1, &v)) {
        return 2;
      }
      r.areas.pmax = (size_t)v;
      granger_opt = 1;
      break;
    }
    case 'i':
      if (!strcmp(optarg, "aic") || !strcmp(optarg, "bic") || !strcmp(optarg, "fixed")) {
        r.areas.criterion = !strcmp(optarg, "aic")   ? LAM_GRANGER_AIC
                            : !strcmp(optarg, "bic") ? LAM_GRANGER_BIC
                                                     : LAM_GRANGER_FIXED;
        granger_opt = 1;
      } else {
        fprintf(stderr, "laminar analyze: --granger-ic: expected aic, bic or fixed, "
                        "found '%s'\n", optarg);
        return 2;
      }
      break;
    case 'p':
      flags |= LAM_RUNFILE_PARTIAL;
      break;
    case 'j':
      json = optarg;
      break;
    case 'c':
      csv = optarg;
      break;
    case 'h':
      fputs(help, stdout);
      return 0;
    default:
      fputs(help, stderr);
      return 2;
    }
  }
  for (size_t b = 0; r.nb == 0 && b < lam_nbands; b++) {
    r.band[b] = lam_bands[b];
    if (b + 1 == lam_nbands) {
      r.nb = lam_nbands;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "laminar analyze: expected one RUN.h5 file\n\n%s", help);
    return 2;
  }
  if (json && csv) {
    fprintf(stderr, "laminar analyze: --json and --csv: expected one of them\n");
    return 2;
  }
  int rc = analyze(&r, argv[optind], flags);
  if (!rc && granger_opt && r.areas.na < 2) {
    /* An option that changes nothing says so. */
    fprintf(stderr, "laminar analyze: warning: --granger-order, --granger-ic: "
                    "%s is not a run of stacked areas (no Granger causality "
                    "between areas is computed): ignored\n", argv[optind]);
  }
  if (!rc) {
    if (json || csv) {
      rc = write_out(json ? json : csv, &r, json != NULL);
    } else {
      print_table(&r);
    }
  }
  free_results(&r);
  return rc;
}
