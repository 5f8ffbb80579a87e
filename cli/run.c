/* run.c: `laminar run MODEL [--set k=v]... [-o out.h5|out.csv] ...` and
 * `laminar run --from RUN.h5 ...` (io/lam_rerun.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lam_plot.h"
#include "lam_provenance.h"
#include "lam_recorder.h"
#include "lam_rerun.h"
#include "lam_sim.h"
#include "lam_params.h"
#include "lam_simrec.h"

static const char help[] =
    "usage: laminar run MODEL [options]\n"
    "       laminar run --from RUN.h5 [options]\n"
    "\n"
    "Simulate the model file MODEL and write its traces; with --from, repeat\n"
    "the run recorded in RUN.h5 from that file alone.\n"
    "\n"
    "options:\n"
    "  --set SECTION.KEY=VALUE  override a model-file key (repeatable)\n"
    "  -o, --output FILE        output, .h5 (HDF5) or .csv (default: MODEL name + .h5;\n"
    "                           with --from, RUN name + -rerun.h5)\n"
    "  --t-end SECONDS          simulated time, sets [run] t_end\n"
    "  --dt-record SECONDS      sampling step of the traces, sets [run] dt_record\n"
    "  --record POPS            comma-separated populations to record, sets\n"
    "                           [run] record (default: layers, every population\n"
    "                           but the T x T x H l5a and attn; all: every one)\n"
    "  --from RUN.h5            repeat a recorded run: its effective model text and\n"
    "                           its stored inputs (--set and the options above\n"
    "                           still apply on top)\n"
    "  --no-inputs              record input files by path, size and SHA-256 only,\n"
    "                           not their arrays under /inputs/\n"
    "  --plot                   also write a quick-look traces figure, FILE-stem_traces.png\n"
    "  --quiet                  no summary on stderr\n"
    "  -h, --help               this help\n"
    "\n"
    "--t-end, --dt-record and --record set model keys: their values meet the\n"
    "keys' ranges and the recorded model text holds them.\n"
    "The file is written as FILE.part and renamed when complete; an interrupted\n"
    "run (Ctrl-C, SIGTERM) leaves FILE.part with the attribute complete = 0.\n"
    "One run per FILE: a second run on the same FILE stops at once, naming the\n"
    "first's pid (lock FILE.lock). A FILE.part that is a symbolic link or not a\n"
    "regular file is refused. On a full disk the run stops with exit status 1.\n"
    "Every run file records its model, inputs, command line, version, commit,\n"
    "build, time and host. HDF5 layout: docs/output-format.md. Keys: `laminar keys`.\n";

typedef struct run_args {
  const char *model, *output, *from;
  char **sets;
  size_t nsets;
  const char *t_end, *dt_record, *record;
  int quiet;
  int plot;
  int no_inputs;
} run_args;

static int parse_args(int argc, char **argv, run_args *a) {
  static const struct option opts[] = {
      {"set", required_argument, NULL, 's'},
      {"output", required_argument, NULL, 'o'},
      {"t-end", required_argument, NULL, 'T'},
      {"dt-record", required_argument, NULL, 'D'},
      {"record", required_argument, NULL, 'r'},
      {"from", required_argument, NULL, 'F'},
      {"no-inputs", no_argument, NULL, 'N'},
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
      a->t_end = optarg;
      break;
    case 'D':
      a->dt_record = optarg;
      break;
    case 'r':
      a->record = optarg;
      break;
    case 'F':
      a->from = optarg;
      break;
    case 'N':
      a->no_inputs = 1;
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
  if (a->from && optind != argc) {
    fprintf(stderr, "laminar run: --from %s repeats a recorded run: expected no "
            "MODEL file, found '%s'\n", a->from, argv[optind]);
    return 2;
  }
  if (!a->from && optind != argc - 1) {
    fprintf(stderr, "laminar run: expected one MODEL file\n\n%s", help);
    return 2;
  }
  a->model = a->from ? a->from : argv[optind];
  return 0;
}

/* --t-end, --dt-record, --record: overrides of [run] keys, range-checked
 * now (a usage error, exit 2) and recorded in the model text. */
static int apply_options(const run_args *a, lam_model *m, lam_err *err) {
  const struct {
    const char *opt, *key, *value;
  } o[] = {{"--t-end", "t_end", a->t_end},
           {"--dt-record", "dt_record", a->dt_record},
           {"--record", "record", a->record}};
  for (size_t i = 0; i < sizeof o / sizeof o[0]; i++) {
    if (o[i].value) {
      int rc = lam_params_option(m, o[i].opt, o[i].key, o[i].value, err);
      if (rc) {
        return rc;
      }
    }
  }
  return LAM_OK;
}

static void default_output(const char *model, const char *suffix, char *out,
                           size_t len) {
  const char *base = strrchr(model, '/');
  base = base ? base + 1 : model;
  const char *dot = strrchr(base, '.');
  size_t n = dot ? (size_t)(dot - base) : strlen(base);
  snprintf(out, len, "%.*s%s.h5", (int)n, base, suffix);
}

/* 1 when out names the file run (the run being repeated). */
static int same_file(const char *run, const char *out) {
  struct stat a, b;
  return stat(run, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

/* The command line as typed, to paste back: "laminar run ...", taken before
 * getopt reorders argv. */
static char *command_line(int argc, char **argv) {
  char **words = malloc(((size_t)argc + 1) * sizeof *words);
  if (!words) {
    return NULL;
  }
  words[0] = "laminar";
  memcpy(words + 1, argv, (size_t)argc * sizeof *words);
  char *s = lam_provenance_command_line(argc + 1, words);
  free(words);
  return s;
}

/* A run file this large gets a warning before the run (docs/memory.md). */
#define LAM_CLI_RUN_WARN_BYTES 1e9

int lam_cli_run(int argc, char **argv) {
  char *cmdline = command_line(argc, argv);
  run_args a;
  int prc = parse_args(argc, argv, &a);
  if (prc) {
    free(a.sets);
    free(cmdline);
    return prc < 0 ? 0 : prc;
  }
  lam_err err = {0, ""};
  lam_rerun *rr = NULL;
  lam_model *m = NULL;
  lam_sim *sim = NULL;
  lam_recorder *rec = NULL;
  int *flags = NULL;
  int status = 0;
  char outbuf[1024];
  const char *out = a.output;
  if (!out) {
    default_output(a.model, a.from ? "-rerun" : "", outbuf, sizeof outbuf);
    out = outbuf;
  }
  if (a.from && same_file(a.from, out)) {
    fprintf(stderr, "laminar run: -o %s is the run file --from reads: expected "
            "another output\n", out);
    free(a.sets);
    free(cmdline);
    return 2;
  }
  int rc;
  if (a.from) {
    rc = lam_rerun_new(a.from, &rr, &err);
    if (!rc) {
      m = lam_rerun_model(rr);
    }
    for (size_t i = 0; !rc && i < a.nsets; i++) {
      rc = lam_model_set(m, a.sets[i], &err);
    }
  } else {
    rc = lam_model_open(a.model, (const char *const *)a.sets, a.nsets, &m, &err);
  }
  if (!rc && apply_options(&a, m, &err)) {
    lam_cli_fail("run", &err);
    status = 2; /* a bad option value is a usage error */
    goto done;
  }
  if (!rc) {
    rc = lam_sim_from_model(m, &sim, &err);
  }
  lam_run_opts o;
  if (!rc) {
    o = lam_run_defaults(sim);
    flags = calloc(lam_sim_system(sim)->npops, sizeof *flags);
    rc = flags ? lam_sim_record_flags(sim, flags, &err) : LAM_NOMEM(&err);
  }
  if (!rc) {
    rc = cmdline ? LAM_OK : LAM_NOMEM(&err);
  }
  if (!rc && !a.quiet) {
    /* Before the run starts, so a user can stop it. */
    const double bytes = lam_sim_record_bytes(sim, flags, &o);
    if (bytes >= LAM_CLI_RUN_WARN_BYTES) {
      fprintf(stderr, "laminar run: warning: %s will hold about %.1f GB of "
              "samples (before compression); --record chooses fewer "
              "populations, --dt-record a coarser sampling\n", out,
              bytes / 1e9);
    }
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
  o.command_line = cmdline;
  o.no_inputs = a.no_inputs;
  rc = lam_sim_record(sim, &o, rec, &err);
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
    char how[200] = "";
    const lam_solver_params *sp = &lam_sim_params_of(sim)->solver;
    const char *why = lam_solver_auto_reason(&st, sp);
    if (why) {
      char m0[16], m1[16];
      lam_choice_word(lam_solver_table[0].choices, st.method_start, m0, sizeof m0);
      lam_choice_word(lam_solver_table[0].choices, st.method_end, m1, sizeof m1);
      int k = snprintf(how, sizeof how, "; method auto: %s (%s)", m0, why);
      if (!isnan(st.switch_time) && k > 0 && (size_t)k < sizeof how) {
        snprintf(how + k, sizeof how - (size_t)k,
                 ", %s from t = %.4g s (stiffness test)", m1, st.switch_time);
      }
    }
    fprintf(stderr,
            "laminar run: %s -> %s: %.4g s simulated in %.3f s wall "
            "(%ld steps, %ld rhs evaluations, %ld error-test failures; "
            "integrator %.3f s, of which right-hand side %.3f s%s)\n",
            a.model, out, o.t_end, wall, st.nsteps, st.nfevals, st.netfails,
            st.solver_seconds, st.rhs_seconds, how);
    if (st.netfails > 0 && 4 * st.netfails > st.nsteps &&
        (lam_sim_system(sim)->ops->noise ||
         lam_sim_params_of(sim)->solver.method != LAM_SOLVER_BDF)) {
      /* Over a quarter of the steps rejected: say whether that matters. */
      fprintf(stderr, "laminar run: hint: error-test failures exceed a quarter "
                      "of the steps: %s\n",
              lam_sim_system(sim)->ops->noise
                  ? "expected with noise input (each step meets new noise)"
                  : "the solver keeps shrinking its step; try [solver] method = bdf");
    }
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
  if (rr) {
    lam_rerun_free(rr); /* its model, and the written-back inputs */
  } else {
    lam_model_free(m);
  }
  free(flags);
  free(cmdline);
  free(a.sets);
  return status;
}
