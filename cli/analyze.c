/* analyze.c: `laminar analyze RUN.h5 [--t0 S] [--seg S] [--json FILE | --csv FILE]`
 *
 * The spectral observables of DESIGN.md section 3 from a recorded run, per
 * cortical layer (populations grouped by the `layer` attribute of their
 * /traces dataset) and, when the run carried the virtual probe, per LFP
 * contact: mean, Welch band power and peak frequency in the alpha/beta
 * (8-30 Hz) and gamma (30-80 Hz) bands, inter-column coherence, the spectral
 * segregation index (L2/3 vs L5) and the Tort modulation index of L5 alpha
 * phase against L2/3 gamma amplitude. Definitions: docs/analysis.md.
 *
 * A layer's signal in column c is the mean over the units of its
 * populations in that column; its PSD is the mean of the columns' PSDs.
 */
#include <errno.h>
#include <getopt.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lam_metrics.h"
#include "lam_pac.h"
#include "lam_probe.h"
#include "lam_spectrum.h"

static const char help[] =
    "usage: laminar analyze RUN.h5 [options]\n"
    "\n"
    "Spectral analysis of a recorded run (docs/analysis.md): per layer the mean,\n"
    "Welch band power and peak frequency in alpha/beta (8-30 Hz) and gamma\n"
    "(30-80 Hz), inter-column coherence, the segregation index (L2/3 vs L5),\n"
    "the Tort modulation index (L5 alpha phase -> L2/3 gamma amplitude), and\n"
    "the same spectra per LFP contact when the run recorded the probe.\n"
    "\n"
    "laminar analyze MODEL --fixed-points | --scan SECTION.KEY=LO:HI[:N]:\n"
    "equilibria, eigenvalues, Hopf points and folds of a model file's\n"
    "equations (`laminar analyze MODEL --fixed-points --help`).\n"
    "\n"
    "options:\n"
    "  --t0 SECONDS     ignore samples before this time (default 0: all);\n"
    "                   --from is the same option\n"
    "  --seg SECONDS    Welch segment length (default 1; shortened to the data)\n"
    "  --json FILE      write the results as JSON (\"-\": standard output)\n"
    "  --csv FILE       write them as CSV: kind,name,quantity,value,unit\n"
    "  -h, --help       this help\n"
    "\n"
    "Output files are written to FILE.part and renamed when complete.\n";

#define MAXLAYERS 8
#define NAMELEN 64

typedef struct layer {
  char name[NAMELEN];
  char pops[256];
  char unit[NAMELEN];
  size_t ncols;
  double *x; /* ncols signals of n samples, column-major: x[c * n + i] */
  double *cnt; /* units summed per column */
  double mean, pab, pg, fab, fg, cab, cg;
} layer;

typedef struct results {
  const char *file;
  size_t n;
  double fs, t0, seg;
  layer L[MAXLAYERS];
  size_t nl;
  int have_seg, have_pac;
  lam_segregation segr;
  double mi;
  /* probe */
  size_t nc;
  double *depth, *cmean, *cpab, *cpg, *cfab, *cfg;
  char lfp_unit[NAMELEN];
} results;

/* ---- HDF5 reading ---- */

static int fail(const char *file, const char *what, const char *name) {
  fprintf(stderr, "laminar analyze: %s: %s%s%s\n", file, what, name ? " " : "",
          name ? name : "");
  return 1;
}

/* A whole float dataset into *out; dims (up to 3) and rank. */
static int read_ds(hid_t f, const char *file, const char *name, double **out,
                   hsize_t dims[3], int *rank) {
  *out = NULL;
  if (H5Lexists(f, name, H5P_DEFAULT) <= 0) {
    return fail(file, "missing dataset", name);
  }
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d < 0) {
    return fail(file, "cannot open dataset", name);
  }
  hid_t sp = H5Dget_space(d);
  int r = H5Sget_simple_extent_ndims(sp);
  int rc = 0;
  if (r < 1 || r > 3) {
    rc = fail(file, "expected a dataset of rank 1 to 3:", name);
  } else {
    dims[1] = dims[2] = 1;
    H5Sget_simple_extent_dims(sp, dims, NULL);
    size_t n = (size_t)(dims[0] * dims[1] * dims[2]);
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                         *out) < 0) {
      rc = fail(file, "cannot read dataset", name);
    }
    *rank = r;
  }
  H5Sclose(sp);
  H5Dclose(d);
  return rc;
}

/* A string attribute of an object ("" when absent). */
static void read_text(hid_t obj, const char *name, char *buf, size_t len) {
  buf[0] = '\0';
  if (H5Aexists(obj, name) <= 0) {
    return;
  }
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t t = H5Aget_type(a);
  if (H5Tget_class(t) == H5T_STRING) {
    if (H5Tis_variable_str(t) > 0) {
      char *s = NULL;
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      H5Tset_cset(mt, H5Tget_cset(t)); /* no ASCII <-> UTF-8 conversion */
      if (H5Aread(a, mt, &s) >= 0 && s) {
        snprintf(buf, len, "%s", s);
        H5free_memory(s);
      }
      H5Tclose(mt);
    } else {
      size_t sz = H5Tget_size(t);
      char *s = calloc(sz + 1, 1);
      if (s && H5Aread(a, t, s) >= 0) {
        snprintf(buf, len, "%s", s);
      }
      free(s);
    }
  }
  H5Tclose(t);
  H5Aclose(a);
}

/* ---- spectra (analysis/lam_metrics.c, shared with laminar sweep) ---- */

/* Mean PSD of ncol series (x[c * ld + i * stride]) and their band values. */
static int spectra(lam_welch *w, const double *x, size_t ncol, size_t ld,
                   size_t stride, size_t n, double *pab, double *pg,
                   double *fab, double *fg, lam_err *err) {
  lam_layer_bands b;
  int rc = lam_metrics_bands(w, x, ncol, ld, stride, n, &b, err);
  if (!rc) {
    *pab = b.pab, *pg = b.pg, *fab = b.fab, *fg = b.fg;
  }
  return rc;
}

/* Mean band coherence over all column pairs; NaN with one column. */
static int coherence(lam_welch *w, const layer *l, size_t n, double *cab,
                     double *cg, lam_err *err) {
  lam_layer_bands b;
  int rc = lam_metrics_coherence(w, l->x, l->ncols, n, &b, err);
  *cab = b.cab, *cg = b.cg;
  return rc;
}

/* Tort MI of L5 alpha phase vs L2/3 gamma amplitude (lam_metrics_pac). */
static int pac(const layer *deep, const layer *sup, size_t n, double fs,
               double *mi, lam_err *err) {
  return lam_metrics_pac(deep->x, deep->ncols, sup->x, sup->ncols, n, fs, mi, err);
}

/* ---- reading the run ---- */

static layer *find_layer(results *r, const char *name) {
  for (size_t i = 0; i < r->nl; i++) {
    if (!strcmp(r->L[i].name, name)) {
      return &r->L[i];
    }
  }
  return NULL;
}

/* Add /traces/<pop> (samples x ncols x nunits) to its layer, samples from
 * i0 on. */
static int add_trace(results *r, hid_t f, const char *pop, size_t i0) {
  char path[320], lay[NAMELEN], unit[NAMELEN];
  snprintf(path, sizeof path, "/traces/%s", pop);
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  if (d < 0) {
    return fail(r->file, "cannot open dataset", path);
  }
  read_text(d, "layer", lay, sizeof lay);
  read_text(d, "unit", unit, sizeof unit);
  H5Dclose(d);
  if (!lay[0] || !isfinite(lam_probe_layer_depth(lay))) {
    return 0; /* derived or layer-less populations (attention weights) */
  }
  double *v;
  hsize_t dims[3];
  int rank;
  if (read_ds(f, r->file, path, &v, dims, &rank)) {
    return 1;
  }
  if (dims[0] != r->n + i0) {
    free(v);
    return fail(r->file, "expected as many samples as /time in", path);
  }
  size_t ncols = (size_t)dims[1], nunits = (size_t)dims[2];
  layer *l = find_layer(r, lay);
  if (!l) {
    if (r->nl == MAXLAYERS) {
      free(v);
      return fail(r->file, "too many layers at", path);
    }
    l = &r->L[r->nl++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", lay);
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

static int analyze_probe(results *r, hid_t f, size_t i0, lam_welch *w) {
  double *lfp, *z;
  hsize_t dims[3], dz[3];
  int rank;
  if (read_ds(f, r->file, "/lfp", &lfp, dims, &rank)) {
    return 1;
  }
  if (read_ds(f, r->file, "/probe/depth_um", &z, dz, &rank)) {
    free(lfp);
    return 1;
  }
  hid_t d = H5Dopen2(f, "/lfp", H5P_DEFAULT);
  read_text(d, "unit", r->lfp_unit, sizeof r->lfp_unit);
  H5Dclose(d);
  if (dims[0] != r->n + i0 || dz[0] != dims[1]) {
    free(lfp);
    free(z);
    return fail(r->file, "expected samples x contacts matching /time and "
                         "/probe/depth_um in", "/lfp");
  }
  r->nc = (size_t)dims[1];
  r->depth = z;
  double *buf[5];
  for (int k = 0; k < 5; k++) {
    buf[k] = calloc(r->nc, sizeof(double));
  }
  r->cmean = buf[0], r->cpab = buf[1], r->cpg = buf[2], r->cfab = buf[3],
  r->cfg = buf[4];
  lam_err err;
  int rc = 0;
  for (size_t c = 0; !rc && c < r->nc && r->cfg; c++) {
    const double *x = lfp + i0 * r->nc + c;
    double s = 0.0;
    for (size_t i = 0; i < r->n; i++) {
      s += x[i * r->nc];
    }
    r->cmean[c] = s / (double)r->n;
    if (spectra(w, x, 1, 0, r->nc, r->n, &r->cpab[c], &r->cpg[c], &r->cfab[c],
                &r->cfg[c], &err)) {
      rc = fail(r->file, err.msg, "(in /lfp)");
    }
  }
  free(lfp);
  return rc;
}

static int analyze(results *r, const char *file) {
  r->file = file;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  FILE *probe = fopen(file, "rb");
  if (!probe) {
    fprintf(stderr, "laminar analyze: %s: %s\n", file, strerror(errno));
    return 1;
  }
  fclose(probe);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    return fail(file, "not an HDF5 file (expected a run from `laminar run -o RUN.h5`)",
                NULL);
  }
  double *t = NULL;
  hsize_t dims[3];
  int rank, rc = read_ds(f, file, "/time", &t, dims, &rank);
  size_t ntot = rc ? 0 : (size_t)dims[0], i0 = 0;
  if (!rc && ntot < 4) {
    rc = fail(file, "expected at least 4 samples in", "/time");
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
  if (!rc && H5Lexists(f, "/traces", H5P_DEFAULT) <= 0) {
    rc = fail(file, "missing group", "/traces");
  }
  H5G_info_t gi;
  if (!rc && H5Gget_info_by_name(f, "/traces", &gi, H5P_DEFAULT) < 0) {
    rc = fail(file, "cannot read group", "/traces");
  }
  for (hsize_t k = 0; !rc && k < gi.nlinks; k++) {
    char name[256];
    if (H5Lget_name_by_idx(f, "/traces", H5_INDEX_NAME, H5_ITER_INC, k, name,
                           sizeof name, H5P_DEFAULT) < 0) {
      rc = fail(file, "cannot list", "/traces");
    } else {
      rc = add_trace(r, f, name, i0);
    }
  }
  if (!rc && r->nl == 0) {
    rc = fail(file, "no population with a cortical layer attribute in", "/traces");
  }
  /* Segments of --seg seconds, or the whole series when it is shorter. */
  size_t nseg = (size_t)floor(r->seg * r->fs + 0.5);
  nseg = nseg > r->n ? r->n : (nseg < 4 ? 4 : nseg);
  r->seg = (double)nseg / r->fs;
  lam_err err;
  lam_welch *w = rc ? NULL : lam_welch_new(nseg, r->fs, &err);
  if (!rc && !w) {
    rc = fail(file, err.msg, NULL);
  }
  for (size_t i = 0; !rc && i < r->nl; i++) {
    layer *l = &r->L[i];
    finish_layer(l, r->n);
    if (spectra(w, l->x, l->ncols, r->n, 1, r->n, &l->pab, &l->pg, &l->fab,
                &l->fg, &err) ||
        coherence(w, l, r->n, &l->cab, &l->cg, &err)) {
      rc = fail(file, err.msg, l->name);
    }
  }
  layer *sup = rc ? NULL : find_layer(r, "L2/3"), *deep = rc ? NULL : find_layer(r, "L5");
  if (sup && deep) {
    r->have_seg = lam_segregation_index(sup->pg, sup->pab, deep->pg, deep->pab,
                                        &r->segr, &err) == LAM_OK;
    r->have_pac = pac(deep, sup, r->n, r->fs, &r->mi, &err) == LAM_OK;
  }
  if (!rc && H5Lexists(f, "/lfp", H5P_DEFAULT) > 0) {
    rc = analyze_probe(r, f, i0, w);
  }
  lam_welch_free(w);
  H5Fclose(f);
  return rc;
}

static void free_results(results *r) {
  for (size_t i = 0; i < r->nl; i++) {
    free(r->L[i].x);
    free(r->L[i].cnt);
  }
  free(r->depth);
  free(r->cmean);
  free(r->cpab);
  free(r->cpg);
  free(r->cfab);
  free(r->cfg);
}

/* ---- output ---- */

static void print_table(const results *r) {
  printf("%s: %zu samples at %g Hz from t0 = %g s; Welch %g s Hann segments, "
         "50%% overlap\n\n",
         r->file, r->n, r->fs, r->t0, r->seg);
  printf("%-6s %-5s %-12s %-16s %-16s %-9s %-9s %-9s %-9s  %s\n", "layer", "cols",
         "mean", "P_ab (8-30)", "P_g (30-80)", "f_ab Hz", "f_g Hz", "coh_ab",
         "coh_g", "populations");
  for (size_t i = 0; i < r->nl; i++) {
    const layer *l = &r->L[i];
    printf("%-6s %-5zu %-12.5g %-16.5g %-16.5g %-9.3f %-9.3f %-9.3f %-9.3f  %s\n",
           l->name, l->ncols, l->mean, l->pab, l->pg, l->fab, l->fg, l->cab,
           l->cg, l->pops);
  }
  const char *u = r->nl ? r->L[0].unit : "";
  printf("\nunits: mean in %s; band power P in (%s)^2; peaks f in Hz; coherence "
         "(band mean over column pairs) 1\n",
         u, u);
  if (r->have_seg) {
    printf("segregation (L2/3 vs L5): gamma_ratio %.5g, alphabeta_ratio %.5g, "
           "laminar_ratio %.5g (P7 holds when all > 1)\n",
           r->segr.gamma_ratio, r->segr.alphabeta_ratio, r->segr.laminar_ratio);
  } else {
    printf("segregation: needs L2/3 and L5 with power in both bands\n");
  }
  if (r->have_pac) {
    printf("PAC (Tort MI, L5 8-12 Hz phase -> L2/3 30-80 Hz amplitude, 18 bins): "
           "%.5g\n",
           r->mi);
  }
  if (r->nc) {
    printf("\nLFP per contact (unit %s; power in (%s)^2):\n", r->lfp_unit, r->lfp_unit);
    printf("%-8s %-10s %-14s %-14s %-14s %-9s %-9s\n", "contact", "depth_um",
           "mean", "P_ab (8-30)", "P_g (30-80)", "f_ab Hz", "f_g Hz");
    for (size_t c = 0; c < r->nc; c++) {
      printf("%-8zu %-10.1f %-14.5g %-14.5g %-14.5g %-9.3f %-9.3f\n", c,
             r->depth[c], r->cmean[c], r->cpab[c], r->cpg[c], r->cfab[c],
             r->cfg[c]);
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

static void write_json(FILE *o, const results *r) {
  fputs("{\n  \"file\": ", o);
  jstr(o, r->file);
  fputs(",\n  \"samples\": ", o);
  fprintf(o, "%zu", r->n);
  fputs(",\n  \"fs_hz\": ", o);
  jnum(o, r->fs);
  fputs(",\n  \"t0_s\": ", o);
  jnum(o, r->t0);
  fputs(",\n  \"welch_segment_s\": ", o);
  jnum(o, r->seg);
  fputs(",\n  \"layers\": [", o);
  for (size_t i = 0; i < r->nl; i++) {
    const layer *l = &r->L[i];
    fputs(i ? ",\n    {" : "\n    {", o);
    fputs("\"layer\": ", o);
    jstr(o, l->name);
    fputs(", \"populations\": ", o);
    jstr(o, l->pops);
    fprintf(o, ", \"columns\": %zu, \"unit\": ", l->ncols);
    jstr(o, l->unit);
    const char *k[7] = {"mean", "alphabeta_power", "gamma_power",
                        "alphabeta_peak_hz", "gamma_peak_hz",
                        "alphabeta_coherence", "gamma_coherence"};
    const double v[7] = {l->mean, l->pab, l->pg, l->fab, l->fg, l->cab, l->cg};
    for (int j = 0; j < 7; j++) {
      fprintf(o, ", \"%s\": ", k[j]);
      jnum(o, v[j]);
    }
    fputc('}', o);
  }
  fputs("\n  ],\n  \"segregation\": ", o);
  if (r->have_seg) {
    fputs("{\"gamma_ratio\": ", o);
    jnum(o, r->segr.gamma_ratio);
    fputs(", \"alphabeta_ratio\": ", o);
    jnum(o, r->segr.alphabeta_ratio);
    fputs(", \"laminar_ratio\": ", o);
    jnum(o, r->segr.laminar_ratio);
    fputc('}', o);
  } else {
    fputs("null", o);
  }
  fputs(",\n  \"pac_mi\": ", o);
  jnum(o, r->have_pac ? r->mi : NAN);
  fputs(",\n  \"contacts\": [", o);
  for (size_t c = 0; c < r->nc; c++) {
    fprintf(o, "%s{\"contact\": %zu, \"depth_um\": ", c ? ",\n    " : "\n    ", c);
    jnum(o, r->depth[c]);
    const char *k[5] = {"mean", "alphabeta_power", "gamma_power",
                        "alphabeta_peak_hz", "gamma_peak_hz"};
    const double v[5] = {r->cmean[c], r->cpab[c], r->cpg[c], r->cfab[c], r->cfg[c]};
    for (int j = 0; j < 5; j++) {
      fprintf(o, ", \"%s\": ", k[j]);
      jnum(o, v[j]);
    }
    fputc('}', o);
  }
  fputs(r->nc ? "\n  ],\n  \"lfp_unit\": " : "],\n  \"lfp_unit\": ", o);
  jstr(o, r->lfp_unit);
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
  for (size_t i = 0; i < r->nl; i++) {
    const layer *l = &r->L[i];
    char u2[NAMELEN + 8];
    snprintf(u2, sizeof u2, "(%s)^2", l->unit);
    csv_row(o, "layer", l->name, "mean", l->mean, l->unit);
    csv_row(o, "layer", l->name, "alphabeta_power", l->pab, u2);
    csv_row(o, "layer", l->name, "gamma_power", l->pg, u2);
    csv_row(o, "layer", l->name, "alphabeta_peak", l->fab, "Hz");
    csv_row(o, "layer", l->name, "gamma_peak", l->fg, "Hz");
    csv_row(o, "layer", l->name, "alphabeta_coherence", l->cab, "1");
    csv_row(o, "layer", l->name, "gamma_coherence", l->cg, "1");
  }
  if (r->have_seg) {
    csv_row(o, "index", "segregation", "gamma_ratio", r->segr.gamma_ratio, "1");
    csv_row(o, "index", "segregation", "alphabeta_ratio", r->segr.alphabeta_ratio, "1");
    csv_row(o, "index", "segregation", "laminar_ratio", r->segr.laminar_ratio, "1");
  }
  if (r->have_pac) {
    csv_row(o, "index", "pac", "tort_mi", r->mi, "1");
  }
  char u2[NAMELEN + 8];
  snprintf(u2, sizeof u2, "(%s)^2", r->lfp_unit);
  for (size_t c = 0; c < r->nc; c++) {
    char name[32];
    snprintf(name, sizeof name, "%zu", c);
    csv_row(o, "contact", name, "depth", r->depth[c], "um");
    csv_row(o, "contact", name, "mean", r->cmean[c], r->lfp_unit);
    csv_row(o, "contact", name, "alphabeta_power", r->cpab[c], u2);
    csv_row(o, "contact", name, "gamma_power", r->cpg[c], u2);
    csv_row(o, "contact", name, "alphabeta_peak", r->cfab[c], "Hz");
    csv_row(o, "contact", name, "gamma_peak", r->cfg[c], "Hz");
  }
}

/* Write through PATH.part and rename, so a reader never sees half a file. */
static int write_out(const char *path, const results *r, int json) {
  if (!strcmp(path, "-")) {
    json ? write_json(stdout, r) : write_csv(stdout, r);
    return 0;
  }
  char part[4096];
  snprintf(part, sizeof part, "%s.part", path);
  FILE *o = fopen(part, "w");
  if (!o) {
    fprintf(stderr, "laminar analyze: %s: %s\n", part, strerror(errno));
    return 1;
  }
  json ? write_json(o, r) : write_csv(o, r);
  if (fclose(o) != 0 || rename(part, path) != 0) {
    fprintf(stderr, "laminar analyze: %s: %s\n", path, strerror(errno));
    remove(part);
    return 1;
  }
  return 0;
}

static int parse_seconds(const char *opt, const char *s, double *out, int pos) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || !isfinite(v) || v < 0 || (pos && v == 0)) {
    fprintf(stderr, "laminar analyze: %s: expected a %s number of seconds, found '%s'\n",
            opt, pos ? "positive" : "non-negative", s);
    return 0;
  }
  *out = v;
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
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  results r;
  memset(&r, 0, sizeof r);
  r.seg = 1.0;
  const char *json = NULL, *csv = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 't':
      if (!parse_seconds("--t0", optarg, &r.t0, 0)) {
        return 2;
      }
      break;
    case 's':
      if (!parse_seconds("--seg", optarg, &r.seg, 1)) {
        return 2;
      }
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
  if (optind != argc - 1) {
    fprintf(stderr, "laminar analyze: expected one RUN.h5 file\n\n%s", help);
    return 2;
  }
  if (json && csv) {
    fprintf(stderr, "laminar analyze: --json and --csv: expected one of them\n");
    return 2;
  }
  int rc = analyze(&r, argv[optind]);
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
