/* stability.c: `laminar analyze MODEL --fixed-points | --scan KEY=LO:HI[:N]`
 *
 * The stability tools of analysis/lam_fixed_points.h (multistart search,
 * branch driver; their tolerances are its options) from the command line,
 * on the same model file (and --set overrides) as runs and sweeps; this
 * file parses the arguments and prints:
 *   --fixed-points  equilibria found by GSL multiroots from the model's
 *                   initial state and from seeded random perturbations of it,
 *                   with the Jacobian's eigenvalues, the stability verdict
 *                   and the dominant frequency (the complex pair with the
 *                   largest real part, |Im lambda| / 2 pi);
 *   --scan          every equilibrium branch in one key (lam_fixed_points_scan:
 *                   multistart at several values, each new equilibrium
 *                   continued both ways): the branches (stable and unstable
 *                   stretches), their Hopf points (with frequency) and
 *                   folds, each refined by bisection.
 * Reached through `laminar analyze` (cli/analyze.c hands over when it sees
 * --fixed-points or --scan). Definitions: docs/analysis.md.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lam_sim.h"
#include "lam_fixed_points.h"
#include "lam_stability.h"
#include "lam_params.h"
#include "lam_stability_family.h"

static const char help[] =
    "usage: laminar analyze MODEL --fixed-points [options]\n"
    "       laminar analyze MODEL --scan SECTION.KEY=LO:HI[:N] [options]\n"
    "\n"
    "Stability of a model file's equations (docs/analysis.md):\n"
    "  --fixed-points   equilibria (GSL multiroots from the initial state and\n"
    "                   --guesses seeded perturbations of it), the Jacobian's\n"
    "                   eigenvalues, stable/unstable, and the dominant\n"
    "                   frequency |Im lambda|/2pi of the leading complex pair\n"
    "  --scan K=LO:HI[:N]  every equilibrium branch for K in [LO, HI]: the\n"
    "                   equilibria found (as --fixed-points) at --scan-values\n"
    "                   values of K from LO to HI, each on no branch yet\n"
    "                   continued both ways by pseudo-arclength (step\n"
    "                   (HI-LO)/N, N default 400); Hopf points (with their\n"
    "                   frequency) and folds, refined by bisection\n"
    "\n"
    "options:\n"
    "  --set SECTION.KEY=VALUE  override a model-file key (repeatable)\n"
    "  --guesses N      starting points (default 64; per value for --scan)\n"
    "  --seed S         seed of those starting points (default 1)\n"
    "  --scan-values V  values of K searched for equilibria (default 9: LO,\n"
    "                   HI and 7 between; models of more than 100 state\n"
    "                   variables: 1 value and 1 start, the initial state at\n"
    "                   LO, unless --scan-values or --guesses is given)\n"
    "  --csv[=FILE]     CSV: --scan prints type,key,value,freq_hz (one line per\n"
    "                   Hopf or fold); --fixed-points prints\n"
    "                   point,quantity,index,value\n"
    "  --json[=FILE]    the same as JSON (with the branch for --scan)\n"
    "  --branch FILE    --scan: the branches as CSV branch,value,n_unstable,\n"
    "                   y0,y1,... (laminar plot FILE --kind bifurcation)\n"
    "  -h, --help       this help\n"
    "\n"
    "Without =FILE, --csv and --json print to standard output. Files are\n"
    "written to FILE.part and renamed when complete.\n";

typedef struct args {
  const char *model, *scan, *csv, *json, *branch;
  int fixed, want_csv, want_json, guesses_set;
  long values; /* --scan-values; 0: the default */
  char **sets;
  size_t nsets;
  long guesses;
  unsigned long seed;
} args;

static void jnum(FILE *f, double v) {
  if (isfinite(v)) {
    fprintf(f, "%.10g", v);
  } else {
    fputs("null", f);
  }
}

/* ---- fixed points ---- */

static void print_fixed(FILE *f, const lam_system *sys, const lam_equilibrium *e, size_t ne,
                        const char *model) {
  const size_t n = sys->n;
  fprintf(f, "%s: %zu equilibri%s (%s, %zu state variables)\n", model, ne,
          ne == 1 ? "um" : "a", sys->kind ? sys->kind : "", n);
  for (size_t k = 0; k < ne; k++) {
    fprintf(f, "\nequilibrium %zu: %s", k + 1,
            e[k].nunstable ? "unstable" : "stable");
    if (e[k].nunstable) {
      fprintf(f, " (%zu eigenvalue%s with Re > 0)", e[k].nunstable,
              e[k].nunstable == 1 ? "" : "s");
    }
    if (isfinite(e[k].dom_hz)) {
      fprintf(f, ", dominant frequency %.4g Hz", e[k].dom_hz);
    }
    fputs("\n  i            y_i        Re lambda        Im lambda\n", f);
    for (size_t i = 0; i < n; i++) {
      fprintf(f, "%3zu %14.8g %16.8g %16.8g\n", i, e[k].x[i], e[k].re[i],
              e[k].im[i]);
    }
  }
}

static void csv_fixed(FILE *f, const lam_equilibrium *e, size_t ne, size_t n) {
  fputs("point,quantity,index,value\n", f);
  for (size_t k = 0; k < ne; k++) {
    fprintf(f, "%zu,stable,,%d\n", k + 1, e[k].nunstable == 0);
    fprintf(f, "%zu,n_unstable,,%zu\n", k + 1, e[k].nunstable);
    if (isfinite(e[k].dom_hz)) {
      fprintf(f, "%zu,dominant_hz,,%.10g\n", k + 1, e[k].dom_hz);
    } else {
      fprintf(f, "%zu,dominant_hz,,\n", k + 1);
    }
    for (size_t i = 0; i < n; i++) {
      fprintf(f, "%zu,state,%zu,%.12g\n", k + 1, i, e[k].x[i]);
    }
    for (size_t i = 0; i < n; i++) {
      fprintf(f, "%zu,eig_re,%zu,%.12g\n", k + 1, i, e[k].re[i]);
      fprintf(f, "%zu,eig_im,%zu,%.12g\n", k + 1, i, e[k].im[i]);
    }
  }
}

static void json_fixed(FILE *f, const lam_equilibrium *e, size_t ne, size_t n) {
  fputs("{\"equilibria\": [", f);
  for (size_t k = 0; k < ne; k++) {
    fprintf(f, "%s\n  {\"stable\": %s, \"n_unstable\": %zu, \"dominant_hz\": ",
            k ? "," : "", e[k].nunstable ? "false" : "true", e[k].nunstable);
    jnum(f, e[k].dom_hz);
    const double *v[3] = {e[k].x, e[k].re, e[k].im};
    const char *names[3] = {"state", "eig_re", "eig_im"};
    for (int q = 0; q < 3; q++) {
      fprintf(f, ", \"%s\": [", names[q]);
      for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        jnum(f, v[q][i]);
      }
      fputc(']', f);
    }
    fputc('}', f);
  }
  fputs("\n]}\n", f);
}

static int run_fixed(const args *a, lam_model *m) {
  lam_err err;
  lam_sim *sim = NULL;
  int rc = lam_sim_from_model(m, &sim, &err);
  if (rc) {
    return lam_cli_fail("analyze", &err);
  }
  const lam_system *sys = lam_sim_system(sim);
  lam_fixed_points_opts o = lam_fixed_points_defaults();
  o.guesses = a->guesses;
  o.seed = a->seed;
  lam_equilibrium *e = NULL;
  size_t ne = 0;
  rc = lam_fixed_points_find(sys, &o, &e, &ne, &err);
  if (rc) {
    lam_sim_free(sim);
    if (rc == LAM_ENOTFOUND) {
      lam_err_prefix(&err, "--fixed-points: ");
    }
    return lam_cli_fail("analyze", &err);
  }
  int st = 0;
  if (a->want_csv || a->want_json) {
    lam_cli_out o2;
    st = lam_cli_out_open(&o2, "analyze", a->want_csv ? a->csv : a->json);
    if (!st) {
      a->want_csv ? csv_fixed(o2.f, e, ne, sys->n) : json_fixed(o2.f, e, ne, sys->n);
      st = lam_cli_out_close(&o2, "analyze");
    }
  } else {
    print_fixed(stdout, sys, e, ne, a->model);
  }
  lam_fixed_points_free(e, ne);
  lam_sim_free(sim);
  return st;
}

/* ---- scan ---- */

/* "section.key=LO:HI[:N]" */
static int parse_scan(const char *spec, char *key, size_t klen, double *lo,
                      double *hi, long *steps) {
  const char *eq = strchr(spec, '=');
  if (!eq || eq == spec || (size_t)(eq - spec) >= klen) {
    return 0;
  }
  snprintf(key, klen, "%.*s", (int)(eq - spec), spec);
  char *end;
  *lo = strtod(eq + 1, &end);
  if (end == eq + 1 || *end != ':') {
    return 0;
  }
  const char *h = end + 1;
  *hi = strtod(h, &end);
  if (end == h) {
    return 0;
  }
  *steps = lam_branch_defaults().steps;
  if (*end == ':') {
    double v;
    if (!lam_param_number(end + 1, 1, &v) || v < 2 || v > 1000000) {
      return 0;
    }
    *steps = (long)v;
    end += strlen(end);
  }
  return !*end && isfinite(*lo) && isfinite(*hi) && *lo < *hi;
}

static const char *bif_name(int type) {
  return type == LAM_BIF_HOPF ? "hopf" : "fold";
}

/* The stretches of constant stability of branch b, in the order followed. */
static void print_stretches(FILE *f, const char *key, const lam_branch *b) {
  size_t s = 0;
  for (size_t i = 1; i <= b->len; i++) {
    if (i == b->len || b->nunstable[i] != b->nunstable[s]) {
      fprintf(f, "  %s %12.6g .. %-12.6g %s", key, b->mu[s], b->mu[i - 1],
              b->nunstable[s] ? "unstable" : "stable");
      if (b->nunstable[s]) {
        fprintf(f, " (%zu eigenvalue%s with Re > 0)", b->nunstable[s],
                b->nunstable[s] == 1 ? "" : "s");
      }
      fputc('\n', f);
      s = i;
    }
  }
}

static void print_scan(FILE *f, const char *key, double lo, double hi,
                       const lam_scan *sc, long values, long guesses) {
  fprintf(f, "equilibrium branches in %s from %g to %g: %zu (equilibria "
             "searched at %ld value%s of %s, %ld start%s each)\n",
          key, lo, hi, sc->nbranch, values, values == 1 ? "" : "s", key, guesses,
          guesses == 1 ? "" : "s");
  for (size_t k = 0; k < sc->nbranch; k++) {
    fprintf(f, "\nbranch %zu: %zu points\n", k + 1, sc->branch[k]->len);
    print_stretches(f, key, sc->branch[k]);
  }
  if (sc->incomplete) {
    fprintf(f, "\n%zu branch%s stopped early (the corrector failed): they "
               "end where shown\n",
            sc->incomplete, sc->incomplete == 1 ? "" : "es");
  }
  const size_t nb = sc->nbif;
  fprintf(f, "\n%zu bifurcation%s\n", nb, nb == 1 ? "" : "s");
  if (nb) {
    fprintf(f, "  type %14s %12s %6s\n", key, "freq_hz", "branch");
  }
  for (size_t k = 0; k < nb; k++) {
    const lam_bifurcation *b = &sc->bif[k];
    if (b->type == LAM_BIF_HOPF) {
      fprintf(f, "  %-4s %14.8g %12.6g %6zu\n", bif_name(b->type), b->mu,
              b->freq_hz, sc->bif_branch[k] + 1);
    } else {
      fprintf(f, "  %-4s %14.8g %12s %6zu\n", bif_name(b->type), b->mu, "",
              sc->bif_branch[k] + 1);
    }
  }
}

static void csv_scan(FILE *f, const char *key, const lam_bifurcation *bif,
                     size_t nb) {
  fputs("type,key,value,freq_hz\n", f);
  for (size_t k = 0; k < nb; k++) {
    fprintf(f, "%s,%s,%.10g,", bif_name(bif[k].type), key, bif[k].mu);
    if (bif[k].type == LAM_BIF_HOPF) {
      fprintf(f, "%.10g", bif[k].freq_hz);
    }
    fputc('\n', f);
  }
}

static void json_scan(FILE *f, const char *key, double lo, double hi,
                      const lam_scan *sc) {
  fprintf(f, "{\"key\": \"%s\", \"lo\": ", key);
  jnum(f, lo);
  fputs(", \"hi\": ", f);
  jnum(f, hi);
  fputs(", \"points\": [", f);
  for (size_t k = 0; k < sc->nbif; k++) {
    fprintf(f, "%s\n  {\"type\": \"%s\", \"value\": ", k ? "," : "",
            bif_name(sc->bif[k].type));
    jnum(f, sc->bif[k].mu);
    fputs(", \"freq_hz\": ", f);
    jnum(f, sc->bif[k].type == LAM_BIF_HOPF ? sc->bif[k].freq_hz : NAN);
    fprintf(f, ", \"branch\": %zu}", sc->bif_branch[k] + 1);
  }
  fputs("],\n \"branches\": [", f);
  for (size_t k = 0; k < sc->nbranch; k++) {
    const lam_branch *b = sc->branch[k];
    fprintf(f, "%s\n  [", k ? "," : "");
    for (size_t i = 0; i < b->len; i++) {
      fprintf(f, "%s\n   {\"value\": ", i ? "," : "");
      jnum(f, b->mu[i]);
      fprintf(f, ", \"n_unstable\": %zu, \"state\": [", b->nunstable[i]);
      for (size_t j = 0; j < b->n; j++) {
        fputs(j ? ", " : "", f);
        jnum(f, b->x[i * b->n + j]);
      }
      fputs("]}", f);
    }
    fputs("]", f);
  }
  fputs("\n]}\n", f);
}

/* branch,value,n_unstable,y0,...: every branch's points in order. */
static int write_branch(const char *path, const lam_scan *sc) {
  lam_cli_out o;
  if (lam_cli_out_open(&o, "analyze", path)) {
    return 1;
  }
  const size_t n = sc->nbranch ? sc->branch[0]->n : 0;
  fputs("branch,value,n_unstable", o.f);
  for (size_t j = 0; j < n; j++) {
    fprintf(o.f, ",y%zu", j);
  }
  fputc('\n', o.f);
  for (size_t k = 0; k < sc->nbranch; k++) {
    const lam_branch *b = sc->branch[k];
    for (size_t i = 0; i < b->len; i++) {
      fprintf(o.f, "%zu,%.12g,%zu", k + 1, b->mu[i], b->nunstable[i]);
      for (size_t j = 0; j < b->n; j++) {
        fprintf(o.f, ",%.12g", b->x[i * b->n + j]);
      }
      fputc('\n', o.f);
    }
  }
  return lam_cli_out_close(&o, "analyze");
}

/* Above this many state variables a start costs a large root solve: by
 * default the scan then searches from the initial state at LO alone. */
#define SCAN_LARGE_N 100

static int run_scan(const args *a, lam_model *m) {
  char key[256];
  double lo, hi;
  long steps;
  if (!parse_scan(a->scan, key, sizeof key, &lo, &hi, &steps)) {
    fprintf(stderr,
            "laminar analyze: --scan: expected SECTION.KEY=LO:HI[:N] with LO < HI "
            "and N an integer in [2, 1000000], found '%s'\n",
            a->scan);
    return 2;
  }
  lam_err err;
  lam_stability_family *fam = NULL;
  lam_sim_params *p = NULL;
  int prc = lam_params_from_model(m, &p, &err);
  if (!prc) {
    prc = lam_stability_family_new(p, key, &fam, &err);
  }
  lam_sim_params_free(p);
  const lam_system *sys = NULL;
  if (!prc) {
    prc = lam_stability_family_at(fam, lo, &sys, &err);
  }
  if (prc) {
    lam_stability_family_free(fam);
    return lam_cli_fail("analyze", &err);
  }
  lam_scan_opts so = lam_scan_defaults();
  so.branch.lo = lo;
  so.branch.hi = hi;
  so.branch.steps = steps;
  so.fp.seed = a->seed;
  const int large = sys->n > SCAN_LARGE_N;
  so.fp.guesses = a->guesses_set ? a->guesses : large ? 1 : a->guesses;
  so.values = a->values ? a->values : large ? 1 : so.values;
  lam_scan *sc = NULL;
  int rc = lam_fixed_points_scan(lam_stability_family_at, fam, &so, &sc, &err);
  lam_stability_family_free(fam);
  if (rc) {
    return lam_cli_fail("analyze", &err);
  }
  int st = 0;
  if (a->want_csv || a->want_json) {
    lam_cli_out o;
    st = lam_cli_out_open(&o, "analyze", a->want_csv ? a->csv : a->json);
    if (!st) {
      a->want_csv ? csv_scan(o.f, key, sc->bif, sc->nbif)
                  : json_scan(o.f, key, lo, hi, sc);
      st = lam_cli_out_close(&o, "analyze");
    }
  } else {
    print_scan(stdout, key, lo, hi, sc, so.values, so.fp.guesses);
  }
  if (!st && a->branch) {
    st = write_branch(a->branch, sc);
  }
  lam_scan_free(sc);
  return st;
}

/* ---- arguments ---- */

static int parse_args(int argc, char **argv, args *a) {
  static const struct option opts[] = {
      {"fixed-points", no_argument, NULL, 'F'},
      {"scan", required_argument, NULL, 'S'},
      {"set", required_argument, NULL, 's'},
      {"guesses", required_argument, NULL, 'g'},
      {"scan-values", required_argument, NULL, 'V'},
      {"seed", required_argument, NULL, 'r'},
      {"csv", optional_argument, NULL, 'c'},
      {"json", optional_argument, NULL, 'j'},
      {"branch", required_argument, NULL, 'b'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  memset(a, 0, sizeof *a);
  a->guesses = 64;
  a->seed = 1;
  a->sets = calloc((size_t)argc, sizeof *a->sets);
  if (!a->sets) {
    return 1;
  }
  int c;
  double v;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'F':
      a->fixed = 1;
      break;
    case 'S':
      a->scan = optarg;
      break;
    case 's':
      a->sets[a->nsets++] = optarg;
      break;
    case 'g':
      if (lam_cli_number("analyze", "--guesses", optarg, 1, 1000000, 1, &v)) {
        return 2;
      }
      a->guesses = (long)v;
      a->guesses_set = 1;
      break;
    case 'V':
      if (lam_cli_number("analyze", "--scan-values", optarg, 1, 100000, 1, &v)) {
        return 2;
      }
      a->values = (long)v;
      break;
    case 'r':
      /* The range of every seed key ([solver] seed, [input] seed). */
      if (lam_cli_number("analyze", "--seed", optarg, 0, 4294967295.0, 1, &v)) {
        return 2;
      }
      a->seed = (unsigned long)v;
      break;
    case 'c':
      a->want_csv = 1;
      a->csv = optarg && strcmp(optarg, "-") ? optarg : NULL;
      break;
    case 'j':
      a->want_json = 1;
      a->json = optarg && strcmp(optarg, "-") ? optarg : NULL;
      break;
    case 'b':
      a->branch = optarg;
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
    fprintf(stderr, "laminar analyze: expected one MODEL file\n\n%s", help);
    return 2;
  }
  a->model = argv[optind];
  if (a->fixed == (a->scan != NULL)) {
    fprintf(stderr, "laminar analyze: expected one of --fixed-points and --scan\n");
    return 2;
  }
  if (a->want_csv && a->want_json) {
    fprintf(stderr, "laminar analyze: --json and --csv: expected one of them\n");
    return 2;
  }
  if (a->branch && !a->scan) {
    fprintf(stderr, "laminar analyze: --branch: only with --scan\n");
    return 2;
  }
  if (a->values && !a->scan) {
    fprintf(stderr, "laminar analyze: --scan-values: only with --scan\n");
    return 2;
  }
  return 0;
}

int lam_cli_stability(int argc, char **argv) {
  args a;
  int rc = parse_args(argc, argv, &a);
  if (rc) {
    free(a.sets);
    return rc < 0 ? 0 : rc;
  }
  lam_err err;
  lam_model *m = NULL;
  if (lam_model_open(a.model, (const char *const *)a.sets, a.nsets, &m, &err)) {
    free(a.sets);
    return lam_cli_fail("analyze", &err);
  }
  rc = a.fixed ? run_fixed(&a, m) : run_scan(&a, m);
  lam_model_free(m);
  free(a.sets);
  return rc;
}
