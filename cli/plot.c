/* plot.c: `laminar plot RUN.h5 --kind KIND [-o FIG] ...` (plot/lam_plot.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lam_plot.h"
#include "lam_runfile.h"

static const char help_head[] =
    "usage: laminar plot RUN.h5 --kind KIND [options]\n"
    "       laminar plot SWEEP.csv --kind sweep [--metric M] [--x KEY [--y KEY]]\n"
    "       laminar plot BRANCH.csv --kind bifurcation\n"
    "\n"
    "Draw a figure from the HDF5 file of `laminar run` (or a sweep CSV).\n"
    "\n"
    "kinds:\n";

static const char help_tail[] =
    "\n"
    "options:\n"
    "  -k, --kind KIND        the figure (default: traces)\n"
    "  -o, --output FIG       .png, .svg or .pdf (default: RUN_KIND.png beside RUN)\n"
    "  --columns LIST         columns to draw, e.g. 0,2,5-7 (traces, psd; default: all)\n"
    "  --t0 S, --t1 S         time window in seconds (traces, psd, csd, lfp;\n"
    "                         default: the whole run)\n"
    "  --at S                 attention: the weights at time S (default: final state)\n"
    "  --area NAME            runs of stacked areas: the area to draw (traces, psd,\n"
    "                         csd, lfp, attention; default: the first area, the\n"
    "                         bottom of the hierarchy, with a note on stderr)\n"
    "  --width PX, --height PX  figure size (default: per kind, slide-sized text)\n"
    "  --metric M             sweep: the metric column (default: the first)\n"
    "  --x KEY, --y KEY       sweep: swept keys on x (and y: heat map); without\n"
    "                         --y a sweep over two keys is a heat map of both,\n"
    "                         --y '' forces a line with error bars over --x\n"
    "  --partial              draw a run that is not marked complete (a FILE.part,\n"
    "                         complete = 0, or no complete attribute): a warning\n"
    "                         on stderr and \"(incomplete run)\" in the title;\n"
    "                         without it such a run is an error\n"
    "  -h, --help             this help\n"
    "\n"
    "An option the kind does not use is an error that names the kind.\n"
    "csd and lfp need the virtual probe: \"[probe] enabled = true\" in the model;\n"
    "in a run of areas each area has its own electrode (/v1.lfp, /v2.lfp, ...).\n"
    "Figures: docs/figures.md.\n";

static void print_help(FILE *fp) {
  fputs(help_head, fp);
  fputs(lam_plot_kinds_help(), fp);
  fputs(help_tail, fp);
}

/* Times in seconds of the run ([0, 1e9] s, the range of run.t_end) and
 * figure sizes in pixels, through the one command-line number check. */
static int parse_real(const char *opt, const char *s, double *out) {
  return lam_cli_number("plot", opt, s, 0, 1e9, 0, out) == 0;
}

static int parse_px(const char *opt, const char *s, int *out) {
  double v;
  if (lam_cli_number("plot", opt, s, 16, 20000, 1, &v)) {
    return 0;
  }
  *out = (int)v;
  return 1;
}

/* Options given (in the order of given[] in lam_cli_plot) that the kind does
 * not use are errors, not silently ignored: columns, t0, t1, at, metric, x,
 * y, partial. */
static int check_kind_options(lam_plot_kind kind, const char *const given[8]) {
  static const char *const used_by[8] = {
      "traces and psd", "traces, psd, csd and lfp", "traces, psd, csd and lfp",
      "attention", "sweep", "sweep", "sweep", "run files (every kind but sweep)"};
  int sweep = kind == LAM_PLOT_SWEEP, att = kind == LAM_PLOT_ATTENTION;
  int csv = sweep || kind == LAM_PLOT_BIFURCATION; /* not a run file */
  int uses[8] = {kind == LAM_PLOT_TRACES || kind == LAM_PLOT_PSD,
                 !csv && !att, !csv && !att, att, sweep, sweep, sweep,
                 !csv};
  for (int k = 0; k < 8; k++) {
    if (given[k] && !uses[k]) {
      fprintf(stderr, "laminar plot: %s: the kind %s does not use it (%s is "
                      "for %s)\n", given[k], lam_plot_kind_name(kind),
              given[k], used_by[k]);
      return 1;
    }
  }
  return 0;
}

/* The options of `laminar plot`: -1 to go on, else the exit status. */
typedef struct plot_args {
  lam_plot_opts o;
  const char *output, *columns;
  const char *given[8]; /* options that only some kinds use */
} plot_args;

static int parse_args(int argc, char **argv, plot_args *a) {
  static const struct option opts[] = {
      {"kind", required_argument, NULL, 'k'},
      {"output", required_argument, NULL, 'o'},
      {"columns", required_argument, NULL, 'c'},
      {"t0", required_argument, NULL, '0'},
      {"t1", required_argument, NULL, '1'},
      {"at", required_argument, NULL, 'a'},
      {"width", required_argument, NULL, 'W'},
      {"height", required_argument, NULL, 'H'},
      {"metric", required_argument, NULL, 'm'},
      {"x", required_argument, NULL, 'x'},
      {"y", required_argument, NULL, 'y'},
      {"area", required_argument, NULL, 'A'},
      {"partial", no_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  lam_plot_opts *o = &a->o;
  lam_err err = {0, ""};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
    switch (c) {
    case 'k':
      if (lam_plot_kind_parse(optarg, &o->kind, &err)) {
        return lam_cli_fail("plot", &err);
      }
      break;
    case 'o':
      a->output = optarg;
      break;
    case 'c':
      a->columns = optarg;
      a->given[0] = "--columns";
      break;
    case '0':
      if (!parse_real("--t0", optarg, &o->t0_s)) {
        return 2;
      }
      a->given[1] = "--t0";
      break;
    case '1':
      if (!parse_real("--t1", optarg, &o->t1_s)) {
        return 2;
      }
      a->given[2] = "--t1";
      break;
    case 'a':
      if (!parse_real("--at", optarg, &o->at_s)) {
        return 2;
      }
      a->given[3] = "--at";
      break;
    case 'W':
      if (!parse_px("--width", optarg, &o->width_px)) {
        return 2;
      }
      break;
    case 'H':
      if (!parse_px("--height", optarg, &o->height_px)) {
        return 2;
      }
      break;
    case 'm':
      o->metric = optarg;
      a->given[4] = "--metric";
      break;
    case 'x':
      o->xkey = optarg;
      a->given[5] = "--x";
      break;
    case 'y':
      o->ykey = optarg;
      a->given[6] = "--y";
      break;
    case 'P':
      o->partial = 1;
      a->given[7] = "--partial";
      break;
    case 'A':
      o->area = optarg;
      break;
    case 'h':
      print_help(stdout);
      return 0;
    default:
      print_help(stderr);
      return 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "laminar plot: expected one input file\n\n");
    print_help(stderr);
    return 2;
  }
  return -1;
}

int lam_cli_plot(int argc, char **argv) {
  plot_args a = {.o = lam_plot_opts_defaults()};
  int st = parse_args(argc, argv, &a);
  if (st >= 0) {
    return st;
  }
  lam_plot_opts o = a.o;
  const char *output = a.output, *columns = a.columns;
  const char *const *given = a.given;
  lam_err err = {0, ""};
  const char *input = argv[optind];
  if (check_kind_options(o.kind, given)) {
    return 2;
  }
  int *cols = NULL;
  if (columns) {
    if (lam_plot_parse_columns(columns, &cols, &o.ncolumns, &err)) {
      return lam_cli_fail("plot", &err);
    }
    o.columns = cols;
  }
  const int csv_input = o.kind == LAM_PLOT_SWEEP || o.kind == LAM_PLOT_BIFURCATION;
  if (csv_input && o.area) {
    free(cols);
    fprintf(stderr, "laminar plot: --area: a sweep CSV has no areas (--area "
                    "is for the figures of a run file)\n");
    return 2;
  }
  /* A run not marked complete: an error, or with --partial a warning (the
   * figure's title says it too). */
  if (!csv_input) {
    lam_runfile *rf;
    if (lam_runfile_open(input, o.partial ? LAM_RUNFILE_PARTIAL : 0, &rf,
                         &err)) {
      free(cols);
      return lam_cli_fail("plot", &err);
    }
    if (!lam_runfile_complete(rf)) {
      fprintf(stderr, "laminar plot: warning: %s is an incomplete run (%s): "
                      "drawing the samples it holds, titled \"(incomplete "
                      "run)\"\n", input, lam_runfile_status(rf));
    }
    lam_runfile_free(rf);
  }
  /* A run of areas: the area drawn goes into the default output name, and
   * without --area the first is drawn, with a note. An unreadable file is
   * left for lam_plot_render to report. */
  char names[1024] = "", first[128] = "";
  size_t na = 0;
  if (!csv_input &&
      lam_plot_run_areas(input, names, sizeof names, &na, &err) == LAM_OK &&
      na > 0) {
    snprintf(first, sizeof first, "%.*s", (int)strcspn(names, ","), names);
    if (!(o.area && o.area[0])) {
      fprintf(stderr,
              "laminar plot: %s is a run of areas (%s): drawing area %s "
              "(choose with --area NAME)\n",
              input, names, first);
      o.area = first;
    }
  }
  err.code = 0;
  err.msg[0] = 0;
  char outbuf[4096];
  if (!output) {
    if (lam_plot_default_output(input, o.kind, outbuf, sizeof outbuf, &err)) {
      free(cols);
      return lam_cli_fail("plot", &err);
    }
    if (na > 0) {
      /* STEM_KIND.png -> STEM_AREA_KIND.png */
      size_t tail = strlen(lam_plot_kind_name(o.kind)) + strlen("_.png");
      size_t head = strlen(outbuf) - tail;
      char tmp[4096];
      int w = snprintf(tmp, sizeof tmp, "%.*s_%s%s", (int)head, outbuf,
                       o.area, outbuf + head);
      if (w < 0 || (size_t)w >= sizeof tmp) {
        free(cols);
        fprintf(stderr, "laminar plot: %s: path too long\n", input);
        return 1;
      }
      memcpy(outbuf, tmp, (size_t)w + 1);
    }
    output = outbuf;
  }
  int rc = lam_plot_render(input, &o, output, &err);
  free(cols);
  if (rc) {
    return lam_cli_fail("plot", &err);
  }
  fprintf(stderr, "laminar plot: %s -> %s\n", input, output);
  return 0;
}
