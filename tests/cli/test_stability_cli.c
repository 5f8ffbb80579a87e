/* test_stability_cli.c: `laminar analyze MODEL --fixed-points | --scan`
 * on the shipped Jansen-Rit model against published and closed-form values.
 *
 * - --scan jansen_rit.p=-100:400: Hopf points at p = 89.83/s and 315.70/s
 *   and a fold at 113.59/s (Grimbert & Faugeras 2006 [S15]; docs/neural-
 *   masses.md, "Stability analysis"), each within 0.5 %, Hopf frequencies
 *   10-11.5 Hz (the computed 10.4 and 11.2 Hz: alpha); CSV lines
 *   type,key,value,freq_hz with freq_hz empty for folds.
 * - --fixed-points: Jansen-Rit equilibria have y3 = y4 = y5 = 0 and
 *   v = y1 - y2 solving the scalar equation
 *     v = (A/a)(p + C2 S(C1 (A/a) S(v))) - (B/b) C4 S(C3 (A/a) S(v)),
 *   solved here independently by GSL Brent on brackets found by sign
 *   changes. At p = 50/s there are three roots (the S-shaped branch between
 *   its folds; the middle one a saddle, one real eigenvalue > 0); at
 *   p = 220/s one, unstable (inside the oscillatory range 89.83-315.70).
 * - Bad input: a malformed --scan, an unknown key, both modes at once.
 */
#include "lam_cli_test.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <sys/stat.h>

static char model[512];

static void setup(void) {
  gsl_set_error_handler_off();
  cli_tmpdir("lamstab");
  snprintf(model, sizeof model, "%s/models/jansen-rit.ini",
           getenv("LAM_SOURCE_ROOT"));
}

static int near_rel(double x, double ref, double rel) {
  return fabs(x - ref) <= rel * fabs(ref);
}

Test(stability_cli, jansen_rit_scan_csv, .init = setup, .fini = cli_cleanup) {
  char csv[256], arg[300];
  snprintf(csv, sizeof csv, "%s/bif.csv", dir);
  snprintf(arg, sizeof arg, "--csv=%s", csv);
  const char *a[] = {"analyze", model, "--scan", "jansen_rit.p=-100:400:250",
                     arg, NULL};
  cr_assert_eq(run(a), 0, "stderr: %s", slurp("stderr.txt"));
  char part[300];
  snprintf(part, sizeof part, "%s.part", csv);
  cr_assert_neq(access(part, F_OK), 0, "the .part file was left behind");
  char *text = slurp("bif.csv");
  cr_assert(text);
  cr_assert_eq(strncmp(text, "type,key,value,freq_hz\n", 23), 0, "%s", text);
  int hopf1 = 0, hopf2 = 0, fold = 0;
  for (char *line = strtok(text + 23, "\n"); line; line = strtok(NULL, "\n")) {
    char type[8];
    double v;
    int k = 0;
    cr_assert_eq(sscanf(line, "%7[a-z],jansen_rit.p,%lf,%n", type, &v, &k), 2,
                 "line '%s'", line);
    const char *freq = line + k;
    if (!strcmp(type, "fold")) {
      cr_assert_eq(*freq, '\0', "a fold has an empty freq_hz: '%s'", line);
      fold += near_rel(v, 113.59, 0.005);
      continue;
    }
    cr_assert_str_eq(type, "hopf");
    double f = strtod(freq, NULL);
    if (near_rel(v, 89.83, 0.005)) {
      hopf1++;
      cr_assert(f >= 10.0 && f <= 11.5, "Hopf at %g: %g Hz", v, f);
    }
    if (near_rel(v, 315.70, 0.005)) {
      hopf2++;
      cr_assert(f >= 10.0 && f <= 11.5, "Hopf at %g: %g Hz", v, f);
    }
  }
  cr_assert_eq(hopf1, 1, "Hopf near 89.83/s");
  cr_assert_eq(hopf2, 1, "Hopf near 315.70/s");
  cr_assert_eq(fold, 1, "fold near 113.59/s");
}

Test(stability_cli, scan_table_and_branch, .init = setup, .fini = cli_cleanup) {
  char br[256];
  snprintf(br, sizeof br, "%s/branch.csv", dir);
  const char *a[] = {"analyze", model, "--scan", "jansen_rit.p=-100:400:250",
                     "--branch", br, NULL};
  cr_assert_eq(run(a), 0, "stderr: %s", slurp("stderr.txt"));
  const char *out = slurp("stdout.txt");
  cr_assert(strstr(out, "hopf") && strstr(out, "fold"), "%s", out);
  char *b = slurp("branch.csv");
  cr_assert_eq(strncmp(b, "branch,value,n_unstable,y0,y1,y2,y3,y4,y5\n", 42), 0);
  /* Every branch point is an equilibrium: y3 = y4 = y5 = 0. */
  size_t rows = 0;
  for (char *line = strtok(b + 42, "\n"); line; line = strtok(NULL, "\n")) {
    double p, y[6];
    unsigned nu, bi;
    cr_assert_eq(sscanf(line, "%u,%lf,%u,%lf,%lf,%lf,%lf,%lf,%lf", &bi, &p, &nu,
                        &y[0], &y[1], &y[2], &y[3], &y[4], &y[5]),
                 9);
    cr_assert_eq(bi, 1, "one S-shaped curve from p = -100: one branch");
    cr_assert(fabs(y[3]) + fabs(y[4]) + fabs(y[5]) < 1e-6, "p = %g", p);
    rows++;
  }
  cr_assert_gt(rows, 100);
}

/* The points --scan finds do not depend on where the range starts: below
 * the region where three equilibria coexist (p = -41.3 .. 113.59), inside
 * it, and inside it between the first Hopf point and the fold (where
 * following the equilibrium from LO alone misses the upper branch and its
 * Hopf points). From above it (LO = 150) only the second Hopf point is in
 * range, and nothing else is reported. */
Test(stability_cli, scan_finds_every_branch_from_any_start, .init = setup,
     .fini = cli_cleanup) {
  const struct {
    const char *range;
    int hopf1, fold, hopf2;
  } cases[] = {{"jansen_rit.p=-100:400", 1, 1, 1},
               {"jansen_rit.p=50:400", 1, 1, 1},
               {"jansen_rit.p=80:400", 1, 1, 1},
               {"jansen_rit.p=150:400", 0, 0, 1}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const char *a[] = {"analyze", model, "--scan", cases[c].range, "--csv", NULL};
    cr_assert_eq(run(a), 0, "%s: %s", cases[c].range, slurp("stderr.txt"));
    char *text = slurp("stdout.txt");
    int hopf1 = 0, hopf2 = 0, fold = 0, other = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
      char type[8];
      double v;
      if (sscanf(line, "%7[a-z],jansen_rit.p,%lf", type, &v) != 2) {
        continue; /* the header */
      }
      const int h = !strcmp(type, "hopf");
      hopf1 += h && near_rel(v, 89.83, 0.005);
      hopf2 += h && near_rel(v, 315.70, 0.005);
      fold += !h && near_rel(v, 113.59, 0.005);
      other += !(h && (near_rel(v, 89.83, 0.005) || near_rel(v, 315.70, 0.005))) &&
               !(!h && near_rel(v, 113.59, 0.005)) && v > 0.0;
    }
    cr_assert_eq(hopf1, cases[c].hopf1, "%s: Hopf near 89.83/s", cases[c].range);
    cr_assert_eq(fold, cases[c].fold, "%s: fold near 113.59/s", cases[c].range);
    cr_assert_eq(hopf2, cases[c].hopf2, "%s: Hopf near 315.70/s", cases[c].range);
    cr_assert_eq(other, 0, "%s: no other point at p > 0", cases[c].range);
  }
}

/* ---- fixed points against the scalar equation ---- */

typedef struct jr {
  double p;
} jr;

static double sig(double v) { return 5.0 / (1.0 + exp(0.56 * (6.0 - v))); }

/* A = 3.25, B = 22, a = 100, b = 50, C = 135 (models/jansen-rit.ini). */
static double g(double v, void *ctx) {
  const jr *J = ctx;
  const double C = 135.0, y0 = 3.25 / 100.0 * sig(v);
  return 3.25 / 100.0 * (J->p + 0.8 * C * sig(C * y0)) -
         22.0 / 50.0 * 0.25 * C * sig(0.25 * C * y0) - v;
}

/* Roots of g in [-60, 60], ascending. */
static size_t roots(double p, double *r, size_t max) {
  jr J = {p};
  gsl_function F = {g, &J};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  size_t nr = 0;
  const double h = 0.01;
  for (double v = -60.0; v < 60.0 && nr < max; v += h) {
    if ((g(v, &J) > 0) == (g(v + h, &J) > 0)) {
      continue;
    }
    gsl_root_fsolver_set(s, &F, v, v + h);
    double lo = v, hi = v + h;
    for (int it = 0; it < 100; it++) {
      gsl_root_fsolver_iterate(s);
      lo = gsl_root_fsolver_x_lower(s);
      hi = gsl_root_fsolver_x_upper(s);
      if (gsl_root_test_interval(lo, hi, 1e-13, 0) == GSL_SUCCESS) {
        break;
      }
    }
    r[nr++] = gsl_root_fsolver_root(s);
  }
  gsl_root_fsolver_free(s);
  return nr;
}

typedef struct eq {
  double y[6];
  int stable, nunstable;
} eq;

/* Parse point,quantity,index,value. */
static size_t parse_fixed(char *text, eq *e, size_t max) {
  size_t ne = 0;
  cr_assert_eq(strncmp(text, "point,quantity,index,value\n", 27), 0, "%s", text);
  for (char *line = strtok(text + 27, "\n"); line; line = strtok(NULL, "\n")) {
    unsigned k;
    char q[32];
    int pos = 0;
    cr_assert_eq(sscanf(line, "%u,%31[a-z_],%n", &k, q, &pos), 2, "'%s'", line);
    cr_assert(k >= 1 && k <= max);
    if (k > ne) {
      ne = k;
    }
    const char *rest = line + pos;
    if (!strcmp(q, "stable")) {
      e[k - 1].stable = atoi(rest + 1);
    } else if (!strcmp(q, "n_unstable")) {
      e[k - 1].nunstable = atoi(rest + 1);
    } else if (!strcmp(q, "state")) {
      unsigned i;
      double v;
      cr_assert_eq(sscanf(rest, "%u,%lf", &i, &v), 2);
      cr_assert_lt(i, 6);
      e[k - 1].y[i] = v;
    }
  }
  return ne;
}

static int by_v(const void *pa, const void *pb) {
  const eq *a = pa, *b = pb;
  double va = a->y[1] - a->y[2], vb = b->y[1] - b->y[2];
  return (va > vb) - (va < vb);
}

static size_t fixed_points(const char *p, eq *e, size_t max) {
  char set[64];
  snprintf(set, sizeof set, "jansen_rit.p=%s", p);
  const char *a[] = {"analyze", model, "--set", set, "--fixed-points", "--csv",
                     NULL};
  cr_assert_eq(run(a), 0, "stderr: %s", slurp("stderr.txt"));
  memset(e, 0, max * sizeof *e);
  size_t ne = parse_fixed(slurp("stdout.txt"), e, max);
  qsort(e, ne, sizeof *e, by_v);
  return ne;
}

Test(stability_cli, fixed_points_three_at_p50, .init = setup, .fini = cli_cleanup) {
  double r[8];
  size_t nr = roots(50.0, r, 8);
  cr_assert_eq(nr, 3, "the scalar equation has %zu roots at p = 50", nr);
  eq e[8];
  size_t ne = fixed_points("50", e, 8);
  cr_assert_eq(ne, 3, "found %zu equilibria", ne);
  for (size_t k = 0; k < 3; k++) {
    const double v = e[k].y[1] - e[k].y[2];
    cr_log_info("p = 50: v = %.9f (closed form %.9f), %d unstable", v, r[k],
                e[k].nunstable);
    cr_assert(fabs(v - r[k]) < 1e-6, "v = %.9f, expected %.9f", v, r[k]);
    cr_assert(fabs(e[k].y[3]) + fabs(e[k].y[4]) + fabs(e[k].y[5]) < 1e-8);
    /* y0 = (A/a) S(v) at equilibrium. */
    cr_assert(fabs(e[k].y[0] - 0.0325 * sig(v)) < 1e-8);
    cr_assert_eq(e[k].stable, e[k].nunstable == 0);
  }
  /* Between the folds the middle equilibrium is a saddle. */
  cr_assert_eq(e[1].nunstable, 1);
  cr_assert_eq(e[0].nunstable, 0);
}

Test(stability_cli, fixed_point_unique_and_unstable_at_p220, .init = setup, .fini = cli_cleanup) {
  double r[8];
  cr_assert_eq(roots(220.0, r, 8), 1);
  eq e[8];
  size_t ne = fixed_points("220", e, 8);
  cr_assert_eq(ne, 1, "found %zu equilibria", ne);
  cr_assert(fabs(e[0].y[1] - e[0].y[2] - r[0]) < 1e-6);
  /* Inside the oscillatory range: a complex pair with Re > 0. */
  cr_assert_eq(e[0].stable, 0);
  cr_assert_eq(e[0].nunstable, 2);
}

Test(stability_cli, bad_input, .init = setup, .fini = cli_cleanup) {
  const char *a1[] = {"analyze", model, "--scan", "jansen_rit.p=400:100", NULL};
  cr_assert_eq(run(a1), 2);
  cr_assert(strstr(slurp("stderr.txt"), "expected SECTION.KEY=LO:HI"));
  const char *a2[] = {"analyze", model, "--scan", "jansen_rit.nosuch=0:1", NULL};
  cr_assert_neq(run(a2), 0);
  cr_assert(strstr(slurp("stderr.txt"), "nosuch"), "%s", slurp("stderr.txt"));
  const char *a3[] = {"analyze", model, "--fixed-points", "--scan",
                      "jansen_rit.p=0:1", NULL};
  cr_assert_eq(run(a3), 2);
  const char *a4[] = {"analyze", model, "--fixed-points", "--guesses", "0", NULL};
  cr_assert_eq(run(a4), 2);
  cr_assert(strstr(slurp("stderr.txt"), "--guesses"));
}
