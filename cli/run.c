/* run.c: `laminar run MODEL [--set k=v]... [-o out.h5|out.csv] ...` */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lam_plot.h"
#include "lam_recorder.h"
#include "lam_sim.h"

static const char help[] =
    "usage: laminar run MODEL [options]\n"
    "\n"
    "Simulate the model file MODEL and write its traces.\n"
    "\n"
    "options:\n"
    "  --set SECTION.KEY=VALUE  override a model-file key (repeatable)\n"
    "  -o, --output FILE        output, .h5 (HDF5) or .csv (default: MODEL name + .h5)\n"
    "  --t-end SECONDS          simulated time (default: [run] t_end)\n"
    "  --dt-record SECONDS      sampling step of the traces (default: [run] dt_record)\n"
    "  --record POPS            comma-separated populations to record (default: all)\n"
    "  --plot                   also write a quick-look traces figure, FILE-stem_traces.png\n"
    "  --quiet                  no summary on stderr\n"
    "  -h, --help               this help\n"
    "\n"
    "The file is written as FILE.part and renamed when complete; an interrupted\n"
    "run (Ctrl-C, SIGTERM) leaves FILE.part with the attribute complete = 0.\n"
    "One run per FILE: a second run on the same FILE stops at once, naming the\n"
    "first's pid (lock FILE.lock). A FILE.part that is a symbolic link or not a\n"
    "regular file is refused. On a full disk the run stops with exit status 1.\n"
    "HDF5 layout: docs/output-format.md. Keys: `laminar keys`.\n";

typedef struct run_args {
  const char *model, *output;
  char **sets;
  size_t nsets;
  double t_end, dt_record;
  const char *record;
  int quiet;
  int plot;
} run_args;

static int parse_args(int argc, char **argv, run_args *a) {
  static const struct option opts[] = {
      {"set", required_argument, NULL, 's'},
      {"output", required_argument, NULL, 'o'},
      {"t-end", required_argument, NULL, 'T'},
      {"dt-record", required_argument, NULL, 'D'},
      {"record", required_argument, NULL, 'r'},
      {"quiet", no_argument, NULL, 'q'},
      {"plot", no_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  memset(a, 0, sizeof *a);
  a->sets = calloc((size_t)argc, sizeof *a->sets);
  if (!a->sets) {
    return 1;
  }
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
    switch (c) {
    case 's':
      a->sets[a->nsets++] = optarg;
      break;
    case 'o':
      a->output = optarg;
      break;
    case 'T':
      if (lam_cli_seconds("run", "--t-end", optarg, 0, &a->t_end)) {
        return 2;
      }
      break;
    case 'D':
      if (lam_cli_seconds("run", "--dt-record", optarg, 0, &a->dt_record)) {
        return 2;
      }
      break;
    case 'r':
      a->record = optarg;
      break;
    case 'q':
      a->quiet = 1;
      break;
    case 'P':
      a->plot = 1;
      break;
    case 'h':
      fputs(help, stdout);
      return -1;
    default:
      fputs(help, stderr);
      return 2;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "laminar run: expected one MODEL file\n\n%s", help);
    return 2;
  }
  a->model = argv[optind];
  return 0;
}

/* --record l4,out -> flags per population; unknown names are an error. */
static int record_flags(const lam_system *s, const char *list, int *flags,
                        lam_err *err) {
  for (size_t p = 0; p < s->npops; p++) {
    flags[p] = list ? 0 : 1;
  }
  if (!list) {
    return LAM_OK;
  }
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", list);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    size_t p = 0;
    while (p < s->npops && strcmp(s->pops[p].name, tok)) {
      p++;
    }
    if (p == s->npops) {
      char names[512] = "";
      for (size_t q = 0; q < s->npops; q++) {
        strncat(names, s->pops[q].name, sizeof names - strlen(names) - 2);
        if (q + 1 < s->npops) {
          strncat(names, ",", sizeof names - strlen(names) - 1);
        }
      }
      return lam_err_set(err, LAM_EINVAL,
                         "--record: unknown population '%s' (this model has %s)",
                         tok, names);
    }
    flags[p] = 1;
  }
  return LAM_OK;
}

static void default_output(const char *model, char *out, size_t len) {
  const char *base = strrchr(model, '/');
  base = base ? base + 1 : model;
  const char *dot = strrchr(base, '.');
  size_t n = dot ? (size_t)(dot - base) : strlen(base);
  snprintf(out, len, "%.*s.h5", (int)n, base);
}

int lam_cli_run(int argc, char **argv) {
  run_args a;
  int prc = parse_args(argc, argv, &a);
  if (prc) {
    free(a.sets);
    return prc < 0 ? 0 : prc;
  }
  lam_err err = {0, ""};
  lam_model *m = NULL;
  lam_sim *sim = NULL;
  lam_recorder *rec = NULL;
  int *flags = NULL;
  int status = 0;
  char outbuf[1024];
  const char *out = a.output;
  if (!out) {
    default_output(a.model, outbuf, sizeof outbuf);
    out = outbuf;
  }
  int rc = lam_cli_load_model(a.model, a.sets, a.nsets, &m, &err);
  if (!rc) {
    rc = lam_sim_new(m, &sim, &err);
  }
  lam_run_opts o;
  if (!rc) {
    o = lam_run_defaults(sim);
    if (a.t_end > 0) {
      o.t_end = a.t_end;
    }
    if (a.dt_record > 0) {
      o.dt_record = a.dt_record;
    }
    flags = calloc(lam_sim_system(sim)->npops, sizeof *flags);
    rc = flags ? record_flags(lam_sim_system(sim), a.record, flags, &err)
               : LAM_NOMEM(&err);
  }
  if (!rc) {
    rec = lam_recorder_open(out, lam_sim_system(sim), flags, &err);
    rc = rec ? LAM_OK : err.code;
  }
  if (rc) {
    status = lam_cli_fail("run", &err);
    goto done;
  }
  lam_cli_progress pr;
  lam_cli_progress_init(&pr, "laminar run");
  lam_cli_trap_signals();
  o.record = flags;
  o.progress = lam_cli_progress_update;
  o.ctx = &pr;
  o.stop = &lam_cli_stop;
  rc = lam_sim_run(sim, &o, rec, &err);
  lam_cli_progress_done(&pr);
  lam_err cerr = {0, ""};
  int crc = lam_recorder_close(rec, rc == LAM_OK, &cerr);
  rec = NULL;
  if (rc) {
    status = lam_cli_fail("run", &err);
    if (crc) {
      lam_cli_fail("run", &cerr); /* says whether the partial file was removed */
    } else {
      fprintf(stderr, "laminar run: partial output kept in %s.part (complete = 0)\n", out);
    }
    if (rc == LAM_EINTERRUPT) {
      status = 130;
    }
    goto done;
  }
  if (crc) {
    status = lam_cli_fail("run", &cerr);
    goto done;
  }
  if (!a.quiet) {
    lam_solver_stats st;
    double wall;
    lam_sim_stats(sim, &st, &wall);
    fprintf(stderr,
            "laminar run: %s -> %s: %.4g s simulated in %.3f s wall "
            "(%ld steps, %ld rhs evaluations, %ld error-test failures; "
            "integrator %.3f s, of which right-hand side %.3f s)\n",
            a.model, out, o.t_end, wall, st.nsteps, st.nfevals, st.netfails,
            st.solver_seconds, st.rhs_seconds);
  }
  if (a.plot) {
    /* The quick look reads the file just written (HDF5 only). */
    char fig[1100];
    lam_plot_opts po = lam_plot_opts_defaults();
    const char *ext = strrchr(out, '.');
    if (ext && !strcmp(ext, ".csv")) {
      fprintf(stderr, "laminar run: --plot needs an HDF5 output (-o FILE.h5)\n");
      status = 1;
    } else if (lam_plot_default_output(out, LAM_PLOT_TRACES, fig, sizeof fig, &err) ||
               lam_plot_traces(out, &po, fig, &err)) {
      status = lam_cli_fail("run", &err);
    } else if (!a.quiet) {
      fprintf(stderr, "laminar run: quick look -> %s\n", fig);
    }
  }
done:
  lam_recorder_close(rec, 0, &err);
  lam_sim_free(sim);
  lam_model_free(m);
  free(flags);
  free(a.sets);
  return status;
}
