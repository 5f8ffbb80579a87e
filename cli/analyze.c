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
 *
 * The computing is the library's (io/lam_run_analyze.h reads the run into
 * analysis/lam_layers.h and analysis/lam_run_analysis.h); this file parses
 * the arguments and prints the results as a table, JSON (io/lam_analysis_json.h)
 * or CSV.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_areas.h"
#include "cli.h"
#include "lam_analysis_json.h"
#include "lam_granger.h"
#include "lam_run_analyze.h"

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
    "  --seg SECONDS    Welch segment length (default: the longest of 1, 0.5\n"
    "                   and 0.25 s of which 3 half-overlapping segments fit,\n"
    "                   else 0.25 s; Hann window; shortened to the data)\n"
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

#define MAXBANDS LAM_ANALYSIS_MAXBANDS
#define NAMELEN LAM_ANALYSIS_NAMELEN

/* What is printed: the analysis (io/lam_run_analyze.h) and its input. */
typedef struct report {
  const char *file;
  int incomplete;   /* read with --partial from a run not marked complete */
  char status[160]; /* what its complete attribute said */
  const lam_analysis *an;
} report;

/* "AREA." before a name of area a in a run of areas, else "". */
static const char *area_prefix(const lam_analysis_area *a, char *buf, size_t len) {
  snprintf(buf, len, "%s%s", a->name, a->name[0] ? "." : "");
  return buf;
}

/* ---- the run (io/lam_run_analyze.h) ---- */

/* Open the run (an incomplete one read with --partial: a warning first) and
 * analyse it into *an. */
static int analyze(report *r, const lam_analysis_opts *o, unsigned flags,
                   lam_analysis **an) {
  lam_runfile *f;
  lam_err err;
  if (lam_runfile_open(r->file, flags, &f, &err)) {
    return lam_cli_fail("analyze", &err);
  }
  if (!lam_runfile_complete(f)) {
    r->incomplete = 1;
    snprintf(r->status, sizeof r->status, "%s", lam_runfile_status(f));
    fprintf(stderr, "laminar analyze: warning: %s is an incomplete run (%s): "
                    "the results cover only the samples it holds\n",
            r->file, r->status);
  }
  int rc = lam_run_analyze(f, o, an, &err);
  lam_runfile_free(f);
  r->an = *an;
  return rc ? lam_cli_fail("analyze", &err) : 0;
}

/* ---- output ---- */

/* The layers' table; returns the width of its label column. */
static int print_layers(const lam_analysis *an) {
  int lw = 6; /* the label column: wider for AREA.layer */
  for (size_t i = 0; i < an->nl; i++) {
    int len = (int)strlen(an->layer[i].label);
    lw = len > lw ? len : lw;
  }
  printf("%-*s %-5s %-12s", lw, "layer", "cols", "mean");
  for (size_t b = 0; b < an->nb; b++) {
    char h[3][NAMELEN + 8];
    snprintf(h[0], sizeof h[0], "P_%s", an->band[b].name);
    snprintf(h[1], sizeof h[1], "f_%s Hz", an->band[b].name);
    snprintf(h[2], sizeof h[2], "coh_%s", an->band[b].name);
    printf(" %-14s %-12s %-12s", h[0], h[1], h[2]);
  }
  printf("  populations\n");
  for (size_t i = 0; i < an->nl; i++) {
    const lam_analysis_layer *l = &an->layer[i];
    printf("%-*s %-5zu %-12.5g", lw, l->label, l->ncols, l->mean);
    for (size_t b = 0; b < an->nb; b++) {
      printf(" %-14.5g %-12.3f %-12.3f", l->pw[b], l->pk[b], l->coh[b]);
    }
    printf("  %s\n", l->pops);
  }
  const char *u = an->nl ? an->layer[0].unit : "";
  printf("\nunits: mean in %s; band power P in (%s)^2; peaks f in Hz (the largest "
         "local maximum strictly inside the band; nan: none); coherence (band "
         "mean over column pairs) 1\n",
         u, u);
  return lw;
}

/* Coherence between layers (with two or more), label column lw wide. */
static void print_layer_pairs(const lam_analysis *an, int lw) {
  if (an->nl < 2) {
    return;
  }
  printf("\ncoherence between layers%s (band mean, same column, mean over columns):\n",
         an->multi ? " of one area" : "");
  int pw = lw > 6 ? 2 * lw + 1 : 14;
  printf("%-*s", pw, "layers");
  for (size_t b = 0; b < an->nb; b++) {
    printf(" %-12s", an->band[b].name);
  }
  printf("\n");
  for (size_t i = 0; i < an->nl; i++) {
    for (size_t j = i + 1; j < an->nl; j++) {
      if (strcmp(an->layer[i].area, an->layer[j].area)) {
        continue; /* their own table (lam_cli_areas_layer_pairs) */
      }
      char pair[4 * NAMELEN + 8];
      snprintf(pair, sizeof pair, "%s:%s", an->layer[i].label, an->layer[j].label);
      printf("%-*s", pw, pair);
      for (size_t b = 0; b < an->nb; b++) {
        printf(" %-12.3f", an->pcoh[i][j][b]);
      }
      printf("\n");
    }
  }
  printf("\n");
}

/* Prediction P7 in words: which of the three ratios exceed 1. */
static const char *segregation_verdict(const lam_segregation *g) {
  const int gs = g->gamma_ratio > 1, ad = g->alphabeta_ratio > 1,
            lr = g->laminar_ratio > 1;
  if (gs && ad && lr) {
    return "segregated as P7 predicts (gamma superficial, alpha/beta deep)";
  }
  if (!gs && !ad) {
    return "P7 fails: gamma is not superficial and alpha/beta is not deep";
  }
  if (!gs) {
    return lr ? "P7 fails: gamma is not superficial (alpha/beta is deep)"
              : "P7 fails: gamma is not superficial";
  }
  return lr ? "P7 fails: alpha/beta is not deep (gamma is superficial)"
            : "P7 fails: alpha/beta is not deep";
}

/* Segregation, PAC and attention lines of one area. */
static void print_area(const lam_analysis_area *a) {
  const char *sp = a->name[0] ? " " : ""; /* "segregation v1 (...)" */
  if (a->have_seg) {
    const lam_segregation *g = &a->segr;
    printf("segregation%s%s (L2/3 vs L5): gamma_ratio %.5g, alphabeta_ratio %.5g, "
           "laminar_ratio %.5g: %s\n",
           sp, a->name, g->gamma_ratio, g->alphabeta_ratio, g->laminar_ratio,
           segregation_verdict(g));
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

/* The LFP contacts of one area (nothing without a probe). */
static void print_contacts(const lam_analysis *an, const lam_analysis_area *a) {
  if (!a->nc) {
    return;
  }
  printf("\nLFP per contact%s%s (unit %s; power in (%s)^2):\n",
         a->name[0] ? ", area " : "", a->name, a->lfp_unit, a->lfp_unit);
  printf("%-8s %-10s %-14s", "contact", "depth_um", "mean");
  for (size_t b = 0; b < an->nb; b++) {
    char h[2][NAMELEN + 8];
    snprintf(h[0], sizeof h[0], "P_%s", an->band[b].name);
    snprintf(h[1], sizeof h[1], "f_%s Hz", an->band[b].name);
    printf(" %-14s %-12s", h[0], h[1]);
  }
  printf("\n");
  for (size_t c = 0; c < a->nc; c++) {
    printf("%-8zu %-10.1f %-14.5g", c, a->depth[c], a->cmean[c]);
    for (size_t b = 0; b < an->nb; b++) {
      printf(" %-14.5g %-12.3f", a->cpw[c * an->nb + b], a->cpk[c * an->nb + b]);
    }
    printf("\n");
  }
}

static void print_table(const report *r) {
  const lam_analysis *an = r->an;
  printf("%s: %zu samples at %g Hz from t0 = %g s; Welch: %zu Hann segment%s "
         "of %g s (%g Hz bins), 50%% overlap\n",
         r->file, an->n, an->fs, an->t0, an->nsegments,
         an->nsegments == 1 ? "" : "s", an->seg, an->df);
  if (r->incomplete) {
    printf("INCOMPLETE INPUT: %s (read with --partial): the results cover "
           "only the samples it holds\n", r->status);
  }
  printf("\nbands:");
  for (size_t b = 0; b < an->nb; b++) {
    printf(" %s %g-%g Hz%s", an->band[b].name, an->band[b].lo_hz, an->band[b].hi_hz,
           b + 1 < an->nb ? ";" : "\n\n");
  }
  print_layer_pairs(an, print_layers(an));
  lam_cli_areas_layer_pairs(stdout, an);
  for (size_t k = 0; k < an->na; k++) {
    print_area(&an->area[k]);
  }
  lam_cli_areas_table(stdout, &an->granger, an->band, an->nb);
  for (size_t k = 0; k < an->na; k++) {
    print_contacts(an, &an->area[k]);
  }
  if (an->nwarn) {
    printf("\nwarnings (%zu):\n", an->nwarn);
    for (size_t w = 0; w < an->nwarn && w < LAM_ANALYSIS_MAXWARN; w++) {
      printf("  %s\n", an->warn[w]);
    }
  }
}

static void csv_row(FILE *o, const char *kind, const char *name,
                    const char *q, double v, const char *unit) {
  fprintf(o, "%s,\"%s\",%s,", kind, name, q);
  if (isfinite(v)) {
    fprintf(o, "%.17g", v);
  }
  fprintf(o, ",%s\n", unit);
}

static void write_csv(FILE *o, const report *r) {
  const lam_analysis *an = r->an;
  fputs("kind,name,quantity,value,unit\n", o);
  if (r->incomplete) {
    csv_row(o, "input", r->file, "complete", 0.0, "1"); /* read with --partial */
  }
  char q[NAMELEN + 16];
  for (size_t i = 0; i < an->nl; i++) {
    const lam_analysis_layer *l = &an->layer[i];
    char u2[NAMELEN + 8];
    snprintf(u2, sizeof u2, "(%s)^2", l->unit);
    csv_row(o, "layer", l->label, "mean", l->mean, l->unit);
    for (size_t b = 0; b < an->nb; b++) {
      snprintf(q, sizeof q, "%s_power", an->band[b].name);
      csv_row(o, "layer", l->label, q, l->pw[b], u2);
      snprintf(q, sizeof q, "%s_peak", an->band[b].name);
      csv_row(o, "layer", l->label, q, l->pk[b], "Hz");
      snprintf(q, sizeof q, "%s_coherence", an->band[b].name);
      csv_row(o, "layer", l->label, q, l->coh[b], "1");
    }
  }
  for (size_t i = 0; i < an->nl; i++) {
    for (size_t j = i + 1; j < an->nl; j++) {
      char pair[4 * NAMELEN + 8];
      snprintf(pair, sizeof pair, "%s:%s", an->layer[i].label, an->layer[j].label);
      for (size_t b = 0; b < an->nb; b++) {
        snprintf(q, sizeof q, "%s_coherence", an->band[b].name);
        csv_row(o, "layer_pair", pair, q, an->pcoh[i][j][b], "1");
      }
    }
  }
  /* Names of a run of areas carry the area: v1.segregation, v1.pac, v1.attn. */
  for (size_t k = 0; k < an->na; k++) {
    const lam_analysis_area *a = &an->area[k];
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
  lam_cli_areas_csv(o, &an->granger, an->band, an->nb);
  for (size_t k = 0; k < an->na; k++) {
    const lam_analysis_area *a = &an->area[k];
    char u2[NAMELEN + 8], pre[NAMELEN + 2];
    snprintf(u2, sizeof u2, "(%s)^2", a->lfp_unit);
    area_prefix(a, pre, sizeof pre);
    for (size_t c = 0; c < a->nc; c++) {
      char name[NAMELEN + 32];
      snprintf(name, sizeof name, "%s%zu", pre, c); /* 3, or v1.3 */
      csv_row(o, "contact", name, "depth", a->depth[c], "um");
      csv_row(o, "contact", name, "mean", a->cmean[c], a->lfp_unit);
      for (size_t b = 0; b < an->nb; b++) {
        snprintf(q, sizeof q, "%s_power", an->band[b].name);
        csv_row(o, "contact", name, q, a->cpw[c * an->nb + b], u2);
        snprintf(q, sizeof q, "%s_peak", an->band[b].name);
        csv_row(o, "contact", name, q, a->cpk[c * an->nb + b], "Hz");
      }
    }
  }
}

/* PATH through PATH.part under PATH's lock, renamed when whole ("-": stdout). */
static int write_out(const char *path, const report *r, int json) {
  lam_cli_out o;
  if (lam_cli_out_open(&o, "analyze", path)) {
    return 1;
  }
  if (json) {
    lam_analysis_json(o.f, r->an, r->file, r->incomplete ? r->status : NULL);
  } else {
    write_csv(o.f, r);
  }
  return lam_cli_out_close(&o, "analyze");
}

/* --band NAME=LO:HI (Hz, 0 <= LO < HI, NAME a new identifier). */
static int parse_band(lam_analysis_opts *o, char names[][NAMELEN], const char *s) {
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
  if (o->nb == MAXBANDS) {
    fprintf(stderr, "laminar analyze: --band %s: expected at most %d bands\n", s, MAXBANDS);
    return 0;
  }
  char *name = names[o->nb];
  memcpy(name, s, len);
  name[len] = '\0';
  for (size_t b = 0; b < o->nb; b++) {
    if (!strcmp(o->band[b].name, name)) {
      fprintf(stderr, "laminar analyze: --band %s: band '%s' given twice\n", s, name);
      return 0;
    }
  }
  o->band[o->nb++] = (lam_band){name, lo, hi, ""};
  return 1;
}

/* The options of `laminar analyze RUN.h5`. */
typedef struct args {
  lam_analysis_opts o;
  char bandname[MAXBANDS][NAMELEN]; /* the --band names o.band points to */
  const char *file, *json, *csv;
  unsigned flags;
  int granger_opt; /* --granger-order or --granger-ic given */
} args;

/* --granger-ic aic|bic|fixed. */
static int parse_criterion(const char *s, int *criterion) {
  if (strcmp(s, "aic") && strcmp(s, "bic") && strcmp(s, "fixed")) {
    fprintf(stderr, "laminar analyze: --granger-ic: expected aic, bic or fixed, "
                    "found '%s'\n", s);
    return 0;
  }
  *criterion = !strcmp(s, "aic")   ? LAM_GRANGER_AIC
               : !strcmp(s, "bic") ? LAM_GRANGER_BIC
                                   : LAM_GRANGER_FIXED;
  return 1;
}

/* 0, 2 for bad arguments, -1 after --help. */
static int parse_args(int argc, char **argv, args *a) {
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
  memset(a, 0, sizeof *a);
  a->o = lam_analysis_defaults();
  a->o.nb = 0; /* the defaults unless --band is given */
  int c;
  double v;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 't':
      if (lam_cli_seconds("analyze", "--t0", optarg, 1, &a->o.t0)) {
        return 2;
      }
      break;
    case 's':
      if (lam_cli_seconds("analyze", "--seg", optarg, 0, &a->o.seg)) {
        return 2;
      }
      break;
    case 'b':
      if (!parse_band(&a->o, a->bandname, optarg)) {
        return 2;
      }
      break;
    case 'g':
      if (lam_cli_number("analyze", "--granger-order", optarg, 1, 200, 1, &v)) {
        return 2;
      }
      a->o.granger_order = (size_t)v;
      a->granger_opt = 1;
      break;
    case 'i':
      if (!parse_criterion(optarg, &a->o.granger_criterion)) {
        return 2;
      }
      a->granger_opt = 1;
      break;
    case 'p':
      a->flags |= LAM_RUNFILE_PARTIAL;
      break;
    case 'j':
      a->json = optarg;
      break;
    case 'c':
      a->csv = optarg;
      break;
    case 'h':
      fputs(help, stdout);
      return -1;
    default:
      fputs(help, stderr);
      return 2;
    }
  }
  if (a->o.nb == 0) {
    const lam_analysis_opts d = lam_analysis_defaults();
    memcpy(a->o.band, d.band, sizeof a->o.band);
    a->o.nb = d.nb;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "laminar analyze: expected one RUN.h5 file\n\n%s", help);
    return 2;
  }
  if (a->json && a->csv) {
    fprintf(stderr, "laminar analyze: --json and --csv: expected one of them\n");
    return 2;
  }
  a->file = argv[optind];
  return 0;
}

int lam_cli_analyze(int argc, char **argv) {
  /* Stability of a model file rather than spectra of a run: cli/stability.c. */
  for (int k = 1; k < argc; k++) {
    if (!strcmp(argv[k], "--fixed-points") || !strncmp(argv[k], "--scan", 6)) {
      return lam_cli_stability(argc, argv);
    }
  }
  args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) {
    return rc < 0 ? 0 : rc;
  }
  report r = {.file = a.file};
  lam_analysis *an = NULL;
  rc = analyze(&r, &a.o, a.flags, &an);
  if (!rc && a.granger_opt && an->granger.na < 2) {
    /* An option that changes nothing says so. */
    fprintf(stderr, "laminar analyze: warning: --granger-order, --granger-ic: "
                    "%s is not a run of stacked areas (no Granger causality "
                    "between areas is computed): ignored\n", a.file);
  }
  for (size_t w = 0; !rc && w < an->nwarn && w < LAM_ANALYSIS_MAXWARN; w++) {
    fprintf(stderr, "laminar analyze: warning: %s\n", an->warn[w]);
  }
  if (!rc) {
    if (a.json || a.csv) {
      rc = write_out(a.json ? a.json : a.csv, &r, a.json != NULL);
    } else {
      print_table(&r);
    }
  }
  lam_analysis_free(an);
  return rc;
}
