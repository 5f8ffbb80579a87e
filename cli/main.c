/* main.c: `laminar COMMAND ...` dispatch. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lam_config.h"
#include "lam_provenance.h"

static const char usage[] =
    "usage: laminar COMMAND [options]\n"
    "\n"
    "Laminar cortical-column microcircuits as ODE systems: the column as an\n"
    "attention engine (L4 values, L2/3 queries, L5 keys, apical Q.K gate, PV\n"
    "softmax, gamma/alpha clocks, multi-head networks).\n"
    "\n"
    "commands:\n"
    "  run MODEL        simulate a model file, write traces (HDF5 or CSV)\n"
    "  experiment ...   run the hypothesis' predictions, with verdicts and a report\n"
    "  sweep MODEL ...  run a parameter sweep (grid, values, design, LHS) into a CSV\n"
    "  keys [SECTION]   list every model-file key with unit, default, meaning\n"
    "  analyze RUN.h5   band power, peaks, coherence, PAC per layer and contact\n"
    "  analyze MODEL --fixed-points | --scan KEY=LO:HI   equilibria, Hopf, folds\n"
    "  plot RUN.h5      figures: traces, psd, csd, lfp, attention, sweep\n"
    "  version          print the version, commit and build (as run files record them)\n"
    "\n"
    "`laminar COMMAND --help` describes each command.\n"
    "Model files: models/default.ini, docs/model-reference.md.\n";

static const char version_usage[] =
    "usage: laminar version\n"
    "\n"
    "Print laminar's version, the commit it was built from (`git describe`,\n"
    "\"unknown\" outside a git checkout) and its build options, one line each:\n"
    "the attributes version, commit and build of every run file it writes.\n";

/* The same three a run file records: a benchmark or a bug report names the
 * exact build with them. */
static int version(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    fputs(version_usage, stdout);
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "laminar version: unexpected argument '%s' (it takes none)\n",
            argv[1]);
    return 2;
  }
  printf("laminar %s\ncommit %s\nbuild %s\n", LAM_VERSION,
         lam_provenance_commit(), lam_provenance_build());
  return 0;
}

int main(int argc, char **argv) {
  /* GSL's default handler aborts; the library checks return codes instead. */
  gsl_set_error_handler_off();
  lam_cli_blas_single_thread();
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help")) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    return version(argc - 1, argv + 1);
  }
  if (!strcmp(cmd, "run")) {
    return lam_cli_run(argc - 1, argv + 1);
  }
  if (!strcmp(cmd, "experiment")) {
    return lam_cli_experiment(argc - 1, argv + 1);
  }
  if (!strcmp(cmd, "sweep")) {
    return lam_cli_sweep(argc - 1, argv + 1);
  }
  if (!strcmp(cmd, "keys")) {
    return lam_cli_keys(argc - 1, argv + 1);
  }
  if (!strcmp(cmd, "analyze")) {
    return lam_cli_analyze(argc - 1, argv + 1);
  }
  if (!strcmp(cmd, "plot")) {
    return lam_cli_plot(argc - 1, argv + 1);
  }
  fprintf(stderr, "laminar: unknown command '%s'\n\n%s", cmd, usage);
  return 2;
}
