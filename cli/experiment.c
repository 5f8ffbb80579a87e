/* experiment.c: `laminar experiment list | show NAME | run NAME|--all`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lam_experiment.h"
#include "lam_region.h"

static const char usage[] =
    "usage: laminar experiment list\n"
    "       laminar experiment show NAME\n"
    "       laminar experiment run NAME... | --all [options]\n"
    "\n"
    "The predictions of the column-as-attention hypothesis as named experiments:\n"
    "each has a protocol, a manipulation, a metric and a criterion declared before\n"
    "it runs, and ends with a verdict (supported / not supported / inconclusive)\n"
    "from the bootstrap 95% CI of its effect size over seeds.\n"
    "\n"
    "run options:\n"
    "  -m, --model FILE         base model (default: models/default.ini)\n"
    "  --set SECTION.KEY=VALUE  override a key of the base model (repeatable)\n"
    "  --seeds N                seeds per experiment, 1 to 100000 (default 10, 3 with\n"
    "                           --quick)\n"
    "  --quick                  fewer seeds and shorter runs (CI); result.json says\n"
    "                           \"preliminary\": true and the report marks each verdict\n"
    "                           \"preliminary (n = 3 seeds)\"\n"
    "  -o, --output DIR         output directory (default: results)\n"
    "  --region N               also map the prediction over the experiment's declared\n"
    "                           parameter region: N Latin-hypercube points, each run\n"
    "                           with a few seeds (docs/experiments/README.md,\n"
    "                           \"Prediction maps\"); run it again to resume\n"
    "  --seed S                 seed of the Latin hypercube (default 1)\n"
    "  -j, --jobs J             worker processes for the region's points (default 1)\n"
    "  --restart                start the region's table again (the old one is kept\n"
    "                           as region.csv.old)\n"
    "  -h, --help               this help\n"
    "\n"
    "Writes DIR/NAME/metrics.csv and DIR/NAME/result.json per experiment and,\n"
    "with --all, DIR/report.md and DIR/report.html. docs/experiments/.\n"
    "With --region, also DIR/NAME/region.csv (one row per point: the keys, the\n"
    "mean effect over the point's seeds, supported 1/0), DIR/NAME/region.png and\n"
    "\"region\" in result.json (the supported fraction and its Wilson 95% CI);\n"
    "with --all the report gets the column \"holds in f of the region\".\n";

static void progress(void *ctx, const char *name, size_t seed, size_t n) {
  (void)ctx;
  fprintf(stderr, "laminar experiment: %s seed %zu/%zu\n", name, seed, n);
}

static void region_progress(void *ctx, const char *name, size_t done, size_t todo) {
  (void)ctx;
  fprintf(stderr, "laminar experiment: %s region point %zu/%zu\n", name, done, todo);
}

static int list(void) {
  for (size_t i = 0; i < lam_experiment_count(); i++) {
    const lam_experiment *e = lam_experiment_get(i);
    printf("%-26s %-4s %s\n", e->name, e->id[0] ? e->id : "-", e->prediction);
  }
  return 0;
}

static int show(const char *name) {
  const lam_experiment *e = lam_experiment_find(name);
  if (!e) {
    fprintf(stderr, "laminar experiment: unknown experiment '%s' (see `laminar experiment list`)\n",
            name);
    return 1;
  }
  printf("%s (%s%s%s)\n\n", e->name, e->id, e->id[0] ? ", " : "", e->category);
  printf("prediction:   %s\nprotocol:     %s\nmanipulation: %s\nmetric:       %s\n"
         "effect size:  %s\ncriterion:    %s\ncitation:     %s\n",
         e->prediction, e->protocol, e->manipulation, e->metric, e->effect,
         e->criterion.text, e->citation);
  printf("evidence:     %s\n", lam_evidence_name(e->evidence));
  for (size_t k = 0; e->evidence == LAM_EVIDENCE_MIXED && e->clauses && e->clauses[k].clause;
       k++) {
    printf("  %-9s   %s\n", lam_evidence_name(e->clauses[k].evidence), e->clauses[k].clause);
  }
  return 0;
}

static int run(int argc, char **argv) {
  lam_exp_opts o = {.model_path = "models/default.ini", .outdir = "results"};
  char **sets = calloc((size_t)argc, sizeof *sets);
  const lam_experiment **todo = calloc(lam_experiment_count() + (size_t)argc,
                                       sizeof *todo);
  size_t ntodo = 0;
  int all = 0, status = 0;
  lam_region_opts ro = {.seed = 1, .jobs = 1, .progress = region_progress};
  int region = 0;
  if (!sets || !todo) {
    free(sets), free(todo);
    fputs("laminar experiment: out of memory\n", stderr);
    return 1;
  }
  o.sets = sets;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int more = i + 1 < argc;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      goto done;
    } else if (!strcmp(a, "--all")) {
      all = 1;
    } else if (!strcmp(a, "--quick")) {
      o.quick = 1;
    } else if ((!strcmp(a, "-m") || !strcmp(a, "--model")) && more) {
      o.model_path = argv[++i];
    } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && more) {
      o.outdir = argv[++i];
    } else if (!strcmp(a, "--set") && more) {
      sets[o.nsets++] = argv[++i];
    } else if (!strcmp(a, "--region") && more) {
      /* 0 is refused per experiment (the message names it). */
      double n;
      status = lam_cli_number("experiment", "--region", argv[++i], 0, 1000000, 1, &n);
      if (status) {
        goto done;
      }
      ro.npoints = (size_t)n;
      region = 1;
    } else if (!strcmp(a, "--seed") && more) {
      double n;
      status = lam_cli_number("experiment", "--seed", argv[++i], 0, 4294967295.0, 1, &n);
      if (status) {
        goto done;
      }
      ro.seed = (unsigned long)n;
    } else if ((!strcmp(a, "-j") || !strcmp(a, "--jobs")) && more) {
      double n;
      status = lam_cli_number("experiment", "--jobs", argv[++i], 1, 1024, 1, &n);
      if (status) {
        goto done;
      }
      ro.jobs = (int)n;
    } else if (!strcmp(a, "--restart")) {
      ro.restart = 1;
    } else if (!strcmp(a, "--seeds") && more) {
      double n;
      status = lam_cli_number("experiment", "--seeds", argv[++i], 1, 100000, 1, &n);
      if (status) {
        goto done;
      }
      o.nseeds = (size_t)n;
    } else if (a[0] == '-') {
      fprintf(stderr, "laminar experiment run: unknown or incomplete option '%s'\n\n%s", a,
              usage);
      status = 2;
      goto done;
    } else {
      const lam_experiment *e = lam_experiment_find(a);
      if (!e) {
        fprintf(stderr, "laminar experiment: unknown experiment '%s' (see `laminar experiment list`)\n",
                a);
        status = 2;
        goto done;
      }
      todo[ntodo++] = e;
    }
  }
  if (all) {
    ntodo = 0;
    for (size_t i = 0; i < lam_experiment_count(); i++) {
      todo[ntodo++] = lam_experiment_get(i);
    }
  }
  if (!ntodo) {
    fprintf(stderr, "laminar experiment run: name an experiment or give --all\n\n%s", usage);
    status = 2;
    goto done;
  }
  /* Every region is checked before anything runs or is written. */
  for (size_t i = 0; region && i < ntodo; i++) {
    lam_err err = {0};
    if (lam_region_check(todo[i], lam_region_find(todo[i]->name), ro.npoints, &err)) {
      status = lam_cli_fail("experiment", &err);
      goto done;
    }
  }
  lam_cli_trap_signals();
  o.stop = &lam_cli_stop;
  o.progress = progress;
  lam_exp_result *res = calloc(ntodo, sizeof *res);
  size_t nres = 0;
  if (!res) {
    status = 1;
    goto done;
  }
  for (size_t i = 0; i < ntodo; i++) {
    lam_err err = {0};
    lam_region_summary sum;
    o.region = NULL;
    if (region) {
      if (lam_region_run(todo[i], lam_region_find(todo[i]->name), &o, &ro, &sum, &err)) {
        lam_cli_fail("experiment", &err);
        status = err.code == LAM_EINTERRUPT ? 130 : 1;
        if (err.code == LAM_EINTERRUPT) {
          break;
        }
        continue;
      }
      o.region = &sum;
      printf("%-26s holds in %zu of %zu points: %.2f, 95%% CI [%.2f, %.2f]%s\n",
             todo[i]->name, sum.supported, sum.points - sum.failed, sum.fraction, sum.lo,
             sum.hi, sum.failed ? " (some points failed: see region.csv)" : "");
      fflush(stdout);
    }
    if (lam_experiment_run(todo[i], &o, &res[nres], &err)) {
      lam_cli_fail("experiment", &err);
      status = err.code == LAM_EINTERRUPT ? 130 : 1;
      if (err.code == LAM_EINTERRUPT) {
        break;
      }
      continue;
    }
    const lam_exp_result *r = &res[nres++];
    printf("%-26s %-14s effect %.4g  95%% CI [%.4g, %.4g]  (%s)\n", todo[i]->name,
           lam_verdict_name(r->verdict), r->effect, r->lo, r->hi, todo[i]->criterion.text);
    fflush(stdout);
  }
  if (all && nres) {
    lam_err err = {0};
    if (lam_report_write(o.outdir, res, nres, &o, &err)) {
      status = lam_cli_fail("experiment", &err);
    } else {
      fprintf(stderr, "laminar experiment: wrote %s/report.md and %s/report.html\n", o.outdir,
              o.outdir);
    }
  }
  free(res);
done:
  free(sets);
  free(todo);
  return status;
}

int lam_cli_experiment(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "list")) {
    return list();
  }
  if (!strcmp(argv[1], "show")) {
    if (argc < 3) {
      fputs(usage, stderr);
      return 2;
    }
    return show(argv[2]);
  }
  if (!strcmp(argv[1], "run")) {
    return run(argc - 1, argv + 1);
  }
  fprintf(stderr, "laminar experiment: unknown subcommand '%s'\n\n%s", argv[1], usage);
  return 2;
}
