/* sweep.c: `laminar sweep MODEL --grid k=A:B:N ... --metric NAME -o SWEEP.csv`
 * (docs/sweeps.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lam_config.h"
#include "lam_metrics.h"
#include "lam_param.h"
#include "lam_sim.h"
#include "lam_spectrum.h"
#include "lam_sweep.h"
#include "lam_time.h"
#include "lam_params.h"

static const char help[] =
    "usage: laminar sweep MODEL POINTS --metric NAME [--metric ...] -o SWEEP.csv [options]\n"
    "\n"
    "Run MODEL at many parameter points and write one CSV row per point: its id,\n"
    "the swept values, the metrics, status (ok/failed), the error, wall time and\n"
    "solver statistics. Rerunning the same command resumes: points already in\n"
    "the CSV are skipped. The CSV records the SHA-256 of every input file the\n"
    "model reads; a resume whose inputs changed stops, naming the file (use\n"
    "--restart). Points run in worker processes (with -j 1 too), so a point that\n"
    "crashes is a failed row naming the signal. One sweep per CSV at a time: a\n"
    "second one stops at once, naming the first one's pid (lock: SWEEP.csv.lock).\n"
    "-o refuses a file that is not a laminar sweep table. Details: docs/sweeps.md.\n"
    "\n"
    "points (one kind per sweep; grids and value lists combine as a product):\n"
    "  --grid SECTION.KEY=START:STOP:N[:log]   N values, linear or log spaced\n"
    "  --values SECTION.KEY=a,b,c              the listed values\n"
    "  --design FILE.csv                       rows of a CSV whose header names keys\n"
    "  --lhs N --range SECTION.KEY=LO:HI[:log] N Latin-hypercube points (repeat --range)\n"
    "\n"
    "options:\n"
    "  --metric NAME          a metric column (required, repeatable; --list-metrics\n"
    "                         lists them)\n"
    "  -o, --output FILE      the CSV (appended to and resumed; an empty file is new)\n"
    "  --restart              start a new CSV: an existing one is kept as FILE.old\n"
    "                         (FILE.old.2, ... when that exists)\n"
    "  -j, --jobs N           N worker processes, 1 <= N <= 256 (default 1)\n"
    "  --seed S               seed of the Latin hypercube, 0 <= S <= 4294967295\n"
    "                         (default 1)\n"
    "  --lhs N                1 <= N <= 10000000\n"
    "  --shard K/N            run only points i with i mod N = K-1 (job arrays;\n"
    "                         1 <= K <= N <= 1000000)\n"
    "  --t-end SECONDS        simulated time per point, 1e-09 to 1e+09 (default:\n"
    "                         [run] t_end)\n"
    "  --dt-record SECONDS    sampling step, 1e-09 to 1e+06 (default: [run] dt_record)\n"
    "  --set SECTION.KEY=V    override a key of the base model (repeatable)\n"
    "  --traces DIR           also keep each point's traces as DIR/ID.h5 (made and\n"
    "                         tried for writing before any point runs)\n"
    "  --mpi                  hand points out across MPI ranks (automatic under\n"
    "                         mpirun -np N in an MPI build)\n"
    "  --list-metrics [MODEL] list the metrics with units (for MODEL: its names)\n"
    "  --quiet                no summary on stderr\n"
    "  -h, --help             this help\n";

typedef struct sweep_args {
  const char *model, *output, *traces, *design;
  char **sets, **metrics;
  size_t nsets, nmetrics;
  char **grids, **values, **ranges;
  size_t ngrids, nvalues, nranges;
  size_t lhs, shard_k, shard_n;
  unsigned long seed;
  double t_end, dt_record;
  int jobs, quiet, list, mpi, restart;
} sweep_args;

/* The ranges of the numeric options. */
#define JOBS_MAX 256ULL
#define LHS_MAX 10000000ULL   /* as a grid's N */
#define SHARD_MAX 1000000ULL

static int bad(const char *opt, const char *what, const char *found) {
  fprintf(stderr, "laminar sweep: %s: expected %s, found '%s'\n", opt, what, found);
  return 2;
}

/* A decimal integer in [lo, hi], all of s (no sign, no spaces: strtoull
 * would take "-1" as 2^64 - 1), *end at its end. 0 when it is one. */
static int scan_uint(const char *s, unsigned long long lo, unsigned long long hi,
                     const char **end, unsigned long long *out) {
  if (*s < '0' || *s > '9') {
    return 1;
  }
  errno = 0;
  char *e;
  unsigned long long v = strtoull(s, &e, 10);
  if (errno == ERANGE || v < lo || v > hi) {
    return 1;
  }
  *end = e;
  *out = v;
  return 0;
}

/* opt's integer argument in [lo, hi], or exit status 2 with a message
 * naming the option, the range and what was found. */
static int parse_uint(const char *opt, const char *s, unsigned long long lo,
                      unsigned long long hi, unsigned long long *out) {
  const char *end;
  if (scan_uint(s, lo, hi, &end, out) || *end) {
    char what[96];
    snprintf(what, sizeof what, "an integer in [%llu, %llu]", lo, hi);
    return bad(opt, what, s);
  }
  return 0;
}

/* --t-end / --dt-record: seconds within the range of the [run] key they
 * stand for (docs/model-reference.md). */
static int parse_run_seconds(const char *opt, const char *key, const char *s,
                             double *out) {
  const lam_param *p = lam_param_find(lam_run_table, lam_run_ntable, key);
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno == ERANGE || !isfinite(v) || v < p->min || v > p->max) {
    char what[96];
    snprintf(what, sizeof what, "seconds in [%g, %g] (the range of run.%s)", p->min, p->max,
             key);
    return bad(opt, what, s);
  }
  *out = v;
  return 0;
}

static int parse_args(int argc, char **argv, sweep_args *a) {
  static const struct option opts[] = {
      {"grid", required_argument, NULL, 'g'},
      {"values", required_argument, NULL, 'v'},
      {"design", required_argument, NULL, 'd'},
      {"lhs", required_argument, NULL, 'L'},
      {"range", required_argument, NULL, 'R'},
      {"metric", required_argument, NULL, 'm'},
      {"output", required_argument, NULL, 'o'},
      {"jobs", required_argument, NULL, 'j'},
      {"seed", required_argument, NULL, 'S'},
      {"shard", required_argument, NULL, 'k'},
      {"t-end", required_argument, NULL, 'T'},
      {"dt-record", required_argument, NULL, 'D'},
      {"set", required_argument, NULL, 's'},
      {"traces", required_argument, NULL, 't'},
      {"mpi", no_argument, NULL, 'M'},
      {"restart", no_argument, NULL, 'r'},
      {"list-metrics", no_argument, NULL, 'l'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  memset(a, 0, sizeof *a);
  a->jobs = 1;
  a->seed = 1;
  size_t n = (size_t)argc + 1;
  a->sets = calloc(n, sizeof *a->sets);
  a->metrics = calloc(n, sizeof *a->metrics);
  a->grids = calloc(n, sizeof *a->grids);
  a->values = calloc(n, sizeof *a->values);
  a->ranges = calloc(n, sizeof *a->ranges);
  if (!a->sets || !a->metrics || !a->grids || !a->values || !a->ranges) {
    return 1;
  }
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
    unsigned long long u;
    switch (c) {
    case 'g':
      a->grids[a->ngrids++] = optarg;
      break;
    case 'v':
      a->values[a->nvalues++] = optarg;
      break;
    case 'd':
      a->design = optarg;
      break;
    case 'L':
      if (parse_uint("--lhs", optarg, 1, LHS_MAX, &u)) {
        return 2;
      }
      a->lhs = (size_t)u;
      break;
    case 'R':
      a->ranges[a->nranges++] = optarg;
      break;
    case 'm':
      a->metrics[a->nmetrics++] = optarg;
      break;
    case 'o':
      a->output = optarg;
      break;
    case 'j':
      if (parse_uint("-j", optarg, 1, JOBS_MAX, &u)) {
        return 2;
      }
      a->jobs = (int)u;
      break;
    case 'S':
      /* GSL's mt19937 keeps 32 bits of the seed: larger ones would repeat
       * smaller ones silently. */
      if (parse_uint("--seed", optarg, 0, 4294967295ULL, &u)) {
        return 2;
      }
      a->seed = (unsigned long)u;
      break;
    case 'k': {
      unsigned long long kk, nn;
      const char *e1, *e2;
      if (scan_uint(optarg, 1, SHARD_MAX, &e1, &kk) || *e1 != '/' ||
          scan_uint(e1 + 1, 1, SHARD_MAX, &e2, &nn) || *e2 || kk > nn) {
        char what[96];
        snprintf(what, sizeof what, "K/N with 1 <= K <= N <= %llu", SHARD_MAX);
        return bad("--shard", what, optarg);
      }
      a->shard_k = (size_t)kk;
      a->shard_n = (size_t)nn;
      break;
    }
    case 'T':
      if (parse_run_seconds("--t-end", "t_end", optarg, &a->t_end)) {
        return 2;
      }
      break;
    case 'D':
      if (parse_run_seconds("--dt-record", "dt_record", optarg, &a->dt_record)) {
        return 2;
      }
      break;
    case 's':
      a->sets[a->nsets++] = optarg;
      break;
    case 't':
      a->traces = optarg;
      break;
    case 'M':
      a->mpi = 1;
      break;
    case 'r':
      a->restart = 1;
      break;
    case 'l':
      a->list = 1;
      break;
    case 'q':
      a->quiet = 1;
      break;
    case 'h':
      fputs(help, stdout);
      return -1;
    default:
      fputs(help, stderr);
      return 2;
    }
  }
  if (a->list) {
    if (optind < argc - 1) {
      fprintf(stderr, "laminar sweep: --list-metrics takes at most one MODEL\n");
      return 2;
    }
    a->model = optind < argc ? argv[optind] : NULL;
    return 0;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "laminar sweep: expected one MODEL file\n\n%s", help);
    return 2;
  }
  a->model = argv[optind];
  if (!a->output) {
    fprintf(stderr, "laminar sweep: expected -o SWEEP.csv\n");
    return 2;
  }
  return 0;
}

/* The layer tags and populations of a model, as metric names. */
static int list_metrics(const char *model, char **sets, size_t nsets) {
  printf("%-26s %-8s %s\n", "metric", "unit", "meaning");
  for (size_t i = 0; i < lam_metric_ntable; i++) {
    printf("%-26s %-8s %s\n", lam_metric_table[i].name, lam_metric_table[i].unit,
           lam_metric_table[i].doc);
  }
  printf("\n<layer>: l1, l23, l4, l5, l6 (lam_pop_info.layer); <pop>: a population of "
         "the model;\n\"alpha\" is the " LAM_BAND_ALPHABETA_TEXT " alpha/beta band, \"gamma\" "
         LAM_BAND_GAMMA_TEXT "; a "
         "metric the model lacks is NaN.\n");
  if (!model) {
    return 0;
  }
  lam_err err = {0, ""};
  lam_model *m = NULL;
  lam_sim *sim = NULL;
  int rc = lam_model_open(model, (const char *const *)sets, nsets, &m, &err);
  if (!rc) {
    rc = lam_sim_from_model(m, &sim, &err);
  }
  if (rc) {
    lam_model_free(m);
    return lam_cli_fail("sweep", &err);
  }
  printf("\nfor %s:\n", model);
  const lam_system *s = lam_sim_system(sim);
  const char *fixed[] = {"attention_entropy", "identity_error", "segregation_index",
                         "segregation_gamma_ratio", "segregation_alpha_ratio", "pac_mi"};
  const char *fam[] = {"mean_", "gamma_power_", "alpha_power_", "gamma_peak_hz_",
                       "alpha_peak_hz_", "gamma_coherence_", "alpha_coherence_"};
  const char *tags[] = {"l1", "l23", "l4", "l5", "l6"};
  char name[128], unit[64];
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    lam_metrics_check(s, fixed[i], unit, sizeof unit, &err);
    printf("  %-26s %s\n", fixed[i], unit);
  }
  for (size_t p = 0; p < s->npops; p++) {
    snprintf(name, sizeof name, "mean_%s", s->pops[p].name);
    lam_metrics_check(s, name, unit, sizeof unit, &err);
    printf("  %-26s %s\n", name, unit);
  }
  for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
    int present = 0;
    for (size_t p = 0; p < s->npops; p++) {
      char tg[8] = "";
      size_t k = 0;
      for (const char *c = s->pops[p].layer; c && *c && k < 7; c++) {
        if (*c != '/') {
          tg[k++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        }
      }
      tg[k] = '\0';
      present |= !strcmp(tg, tags[t]);
    }
    for (size_t f = 0; present && f < sizeof fam / sizeof fam[0]; f++) {
      snprintf(name, sizeof name, "%s%s", fam[f], tags[t]);
      if (!strcmp(fam[f], "mean_")) {
        size_t p = 0;
        while (p < s->npops && strcmp(s->pops[p].name, tags[t])) {
          p++;
        }
        if (p < s->npops) {
          continue; /* the population of that name wins */
        }
      }
      lam_metrics_check(s, name, unit, sizeof unit, &err);
      printf("  %-26s %s\n", name, unit);
    }
  }
  lam_sim_free(sim);
  lam_model_free(m);
  return 0;
}

typedef struct progress {
  int tty;
  double start;
} progress;

static void on_progress(void *ctx, size_t done, size_t todo, size_t failed) {
  progress *p = ctx;
  if (!p->tty) {
    return;
  }
  double el = lam_time_now() - p->start;
  double eta = done ? el / (double)done * (double)(todo - done) : 0.0;
  fprintf(stderr, "\rlaminar sweep: %zu/%zu points, %zu failed, %.0f s, ~%.0f s left   ",
          done, todo, failed, el, eta);
  if (done == todo) {
    fprintf(stderr, "\r%*s\r", 78, "");
  }
}

/* The command line as one string (arguments with spaces quoted). */
static char *command_line(int argc, char **argv) {
  size_t len = 16;
  for (int i = 0; i < argc; i++) {
    len += strlen(argv[i]) + 3;
  }
  char *s = malloc(len);
  if (!s) {
    return NULL;
  }
  snprintf(s, len, "laminar");
  for (int i = 0; i < argc; i++) {
    int q = strpbrk(argv[i], " \t\"'") != NULL;
    size_t n = strlen(s);
    snprintf(s + n, len - n, q ? " '%s'" : " %s", argv[i]);
  }
  return s;
}

int lam_cli_sweep(int argc, char **argv) {
  sweep_args a;
  /* Before getopt permutes argv. */
  char *cmd = command_line(argc, argv);
  int prc = parse_args(argc, argv, &a);
  int status = 0;
  lam_err err = {0, ""};
  lam_model *m = NULL;
  lam_sim_params *base = NULL; /* the model read once; points set its fields */
  lam_sweep_spec *sp = NULL;
  if (prc) {
    status = prc < 0 ? 0 : prc;
    goto done;
  }
  if (a.list) {
    status = list_metrics(a.model, a.sets, a.nsets);
    goto done;
  }
  int rc = lam_model_open(a.model, (const char *const *)a.sets, a.nsets, &m, &err);
  if (!rc) {
    rc = lam_params_from_model(m, &base, &err);
  }
  sp = rc ? NULL : lam_sweep_spec_new();
  if (!rc && !sp) {
    rc = LAM_NOMEM(&err);
  }
  for (size_t i = 0; !rc && i < a.ngrids; i++) {
    rc = lam_sweep_add_grid(sp, a.grids[i], &err);
  }
  for (size_t i = 0; !rc && i < a.nvalues; i++) {
    rc = lam_sweep_add_values(sp, a.values[i], &err);
  }
  for (size_t i = 0; !rc && i < a.nranges; i++) {
    rc = lam_sweep_add_range(sp, a.ranges[i], &err);
  }
  if (!rc && a.design) {
    rc = lam_sweep_load_design(sp, a.design, &err);
  }
  if (!rc) {
    rc = lam_sweep_build(sp, a.lhs, a.seed, &err);
  }
  if (!rc) {
    rc = lam_sweep_validate(base, sp, &err);
  }
  if (!rc && a.nmetrics == 0) {
    /* A table of statuses alone measures nothing: said before running. */
    rc = lam_err_set(&err, LAM_EINVAL,
                     "expected at least one --metric NAME (laminar sweep "
                     "--list-metrics %s lists this model's)", a.model);
  }
  if (rc) {
    status = lam_cli_fail("sweep", &err);
    if (status == 1) {
      status = 2; /* bad arguments: nothing ran */
    }
    goto done;
  }
  lam_sweep_opts o = lam_sweep_defaults();
  o.metrics = (const char *const *)a.metrics;
  o.nmetrics = a.nmetrics;
  o.t_end = a.t_end;
  o.dt_record = a.dt_record;
  o.jobs = a.jobs;
  o.shard_k = a.shard_k;
  o.shard_n = a.shard_n;
  o.output = a.output;
  o.traces_dir = a.traces;
  o.command = cmd;
  o.restart = a.restart;
  o.stop = &lam_cli_stop;
  progress pr = {isatty(STDERR_FILENO) && !a.quiet, lam_time_now()};
  o.progress = on_progress;
  o.ctx = &pr;
  lam_cli_trap_signals();
  lam_sweep_summary sum;
  memset(&sum, 0, sizeof sum);
  int is_root = 1;
  /* Under mpirun (OpenMPI, or any PMI launcher) an MPI build hands points
   * out across the ranks without being asked. */
  if (LAM_HAVE_MPI && !a.mpi) {
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n) {
      n = getenv("PMI_SIZE");
    }
    char *end;
    long ranks = n ? strtol(n, &end, 10) : 0;
    a.mpi = n && *end == '\0' && ranks > 1;
  }
  if (a.mpi) {
    rc = lam_sweep_run_mpi(base, sp, &o, &sum, &err);
    is_root = sum.points > 0 || rc; /* only rank 0 counts points */
  } else {
    rc = lam_sweep_run(base, sp, &o, &sum, &err);
  }
  if (pr.tty) {
    fprintf(stderr, "\r%*s\r", 78, "");
  }
  if (rc) {
    status = lam_cli_fail("sweep", &err);
    if (rc == LAM_EINTERRUPT) {
      fprintf(stderr, "laminar sweep: %zu rows written to %s; rerun the same command to "
                      "resume\n", sum.ran, a.output);
      status = 130;
    }
  } else if (!a.quiet && is_root) {
    fprintf(stderr,
            "laminar sweep: %s: %zu points, %zu already there, %zu run now (%zu failed)\n",
            a.output, sum.points, sum.skipped, sum.ran, sum.failed);
  }
done:
  lam_sweep_spec_free(sp);
  lam_sim_params_free(base);
  lam_model_free(m);
  free(cmd);
  free(a.sets);
  free(a.metrics);
  free(a.grids);
  free(a.values);
  free(a.ranges);
  return status;
}
