/* test_mass_coupling.c: networks of neural-mass columns (a coupling matrix
 * from CSV and a global gain, for every kind; docs/neural-masses.md,
 * "Networks of columns").
 *
 * The coupled input enters where the kind's external drive enters, so the
 * right-hand side of column i of a coupled 2-column network equals that of
 * an uncoupled 1-column model whose drive is shifted by K sum_j W_ij s_j,
 * with s_j computed here by hand (method = heun: Mejias' default noise is
 * white noise, which only heun integrates; the right-hand side is the same):
 *   jansen-rit:   p    + K sum_j W_ij S(y1_j - y2_j),  S = 2 e0 / (1 + e^{r (v0 - v)})
 *   wilson-cowan: p_e  + k sum_j W_ij E_j
 *   mejias2016:   i_e23 + k sum_j W_ij r_E2/3,j
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lam_sim.h"
#include "lam_test_util.h"
#include "lam_params.h"

static lam_sim *build(const char *text) {
  lam_model *m = lam_model_new();
  lam_err err;
  cr_assert_eq(lam_model_load_text(m, text, "net.ini", "/", &err), LAM_OK, "%s", err.msg);
  lam_sim *sim = NULL;
  cr_assert_eq(lam_sim_from_model(m, &sim, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m); /* the simulation keeps its own parameters */
  return sim;
}

static void done(lam_sim *sim) {
  lam_sim_free(sim);
}

/* kind, section, drive key, its value, gain key, per-column state size,
 * state y (2 columns) and the hand-computed coupled input of each column. */
static void check(const char *kind, const char *sec, const char *drive, double d0,
                  size_t ns, const double *y, const double *cin) {
  char *dir = tu_tmpdir();
  char csv[128], text[1024];
  snprintf(csv, sizeof csv, "%s/w.csv", dir);
  tu_write_text(csv, "0.2,0.7\n1.3,0.4\n");
  const double K = 1.7;
  snprintf(text, sizeof text,
           "[column]\nkind = %s\n[network]\ncolumns = 2\n[%s]\n%s = %.17g\nk = %.17g\n"
           "coupling = %s\n[solver]\nmethod = heun\n",
           kind, sec, drive, d0, K, csv);
  lam_sim *net = build(text);
  double dy[64], dy1[64];
  lam_system *s = lam_sim_system(net);
  cr_assert_eq(s->n, 2 * ns);
  cr_assert_eq(s->ops->rhs(s->self, 0.0, y, dy), 0);
  for (size_t i = 0; i < 2; i++) {
    snprintf(text, sizeof text, "[column]\nkind = %s\n[%s]\n%s = %.17g\n[solver]\nmethod = heun\n",
             kind, sec, drive, d0 + K * cin[i]);
    lam_sim *one = build(text);
    lam_system *s1 = lam_sim_system(one);
    cr_assert_eq(s1->ops->rhs(s1->self, 0.0, y + i * ns, dy1), 0);
    for (size_t k = 0; k < ns; k++) {
      cr_assert(fabs(dy[i * ns + k] - dy1[k]) <= 1e-9 * (1.0 + fabs(dy1[k])),
                "%s column %zu state %zu: %.17g vs %.17g", kind, i, k, dy[i * ns + k],
                dy1[k]);
    }
    done(one);
  }
  done(net);
}

static const double W[2][2] = {{0.2, 0.7}, {1.3, 0.4}};

Test(mass_coupling, jansen_rit) {
  const double y[12] = {0.1, 12.0, 8.0, 0.5, -3.0, 2.0, 0.2, 20.0, 9.0, -1.0, 4.0, 0.3};
  double S[2], cin[2];
  for (int j = 0; j < 2; j++) {
    S[j] = 5.0 / (1.0 + exp(0.56 * (6.0 - (y[j * 6 + 1] - y[j * 6 + 2]))));
  }
  for (int i = 0; i < 2; i++) {
    cin[i] = W[i][0] * S[0] + W[i][1] * S[1];
  }
  check("jansen-rit", "jansen_rit", "p", 220.0, 6, y, cin);
}

Test(mass_coupling, wilson_cowan) {
  const double y[4] = {0.3, 0.1, 0.05, 0.4};
  double cin[2];
  for (int i = 0; i < 2; i++) {
    cin[i] = W[i][0] * y[0] + W[i][1] * y[2];
  }
  check("wilson-cowan", "wilson_cowan", "p_e", 1.0, 2, y, cin);
}

Test(mass_coupling, mejias2016) {
  const double y[8] = {3.0, 5.0, 2.0, 4.0, 1.0, 6.0, 7.0, 0.5};
  double cin[2];
  for (int i = 0; i < 2; i++) {
    cin[i] = W[i][0] * y[0] + W[i][1] * y[4];
  }
  check("mejias2016", "mejias2016", "i_e23", 6.0, 4, y, cin);
}
