/* lam_jansen_rit.c: Jansen-Rit columns (equations in lam_jansen_rit.h).
 *
 * Parameters: Jansen & Rit 1995 as listed in [S13] (docs/neural-masses.md); the
 * input rate p = 220/s is the mean of their 120-320/s uniform drive [S14].
 * The coupling matrix is read once into CSR; the right-hand side computes
 * S(v_j) for every column, the coupled input, then the six equations per
 * column, with no allocation.
 *
 * The three sigmoids per column are the expensive part of the equations
 * (one exp each; glibc's scalar exp was ~10 % of a 1000-column run and the
 * sigmoids ~20 %, docs/performance.md). They are computed as one array of
 * 3N arguments through lam_vmath_exp (glibc's vector exp, a few ulp from
 * exp: results move in the last bits only), then the divisions as a plain
 * loop over the array.
 */
#include "lam_jansen_rit.h"

#include "lam_vmath.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The divisions of the sigmoid (3N per evaluation; scalar divsd was a third
 * of the right-hand side after the exp was vectorised) are written four at
 * a time so that gcc's -O2 packs them, and on x86-64 also compiled for AVX2,
 * picked by the loader (as circuits/lam_nvector.c does). A division is
 * correctly rounded at any vector width: the same bits either way. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define LAM_JR_SIMD __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LAM_JR_SIMD
#define LAM_JR_SIMD
#endif

#define S lam_jansen_rit_params
const lam_param lam_jansen_rit_table[] = {
    LAM_REAL(S, p, "220", "1/s", -1e6, 1e6,
             "Mean external input rate p onto the pyramidal cells (Jansen & Rit 1995 drove 120-320/s)"),
    LAM_REAL(S, k, "0", "1", -1e6, 1e6,
             "Global coupling gain K: p_i = p + K sum_j W_ij S(y1_j - y2_j)"),
    LAM_PATHP(S, coupling, "",
              "Coupling matrix W, CSV N x N, row i receives from column j, used as given "
              "(normalise rows yourself); empty: uncoupled"),
    LAM_REAL(S, A, "3.25", "mV", 0, 1e3, "Maximum excitatory PSP amplitude A [S13]"),
    LAM_REAL(S, B, "22", "mV", 0, 1e3, "Maximum inhibitory PSP amplitude B [S13]"),
    LAM_REAL(S, a, "100", "1/s", 1e-3, 1e6, "Excitatory synaptic rate a (1/a = 10 ms) [S13]"),
    LAM_REAL(S, b, "50", "1/s", 1e-3, 1e6, "Inhibitory synaptic rate b (1/b = 20 ms) [S13]"),
    LAM_REAL(S, C, "135", "1", 0, 1e6, "Average number of synapses C [S13]"),
    LAM_REAL(S, c1, "1", "1", 0, 1e3, "C1 / C: pyramidal -> excitatory interneurons [S13]"),
    LAM_REAL(S, c2, "0.8", "1", 0, 1e3, "C2 / C: excitatory interneurons -> pyramidal [S13]"),
    LAM_REAL(S, c3, "0.25", "1", 0, 1e3, "C3 / C: pyramidal -> inhibitory interneurons [S13]"),
    LAM_REAL(S, c4, "0.25", "1", 0, 1e3, "C4 / C: inhibitory interneurons -> pyramidal [S13]"),
    LAM_REAL(S, e0, "2.5", "1/s", 0, 1e6, "Half the maximum firing rate of the sigmoid S [S13]"),
    LAM_REAL(S, v0, "6", "mV", -1e3, 1e3, "Potential at half the maximum rate [S13]"),
    LAM_REAL(S, r, "0.56", "1/mV", 1e-6, 1e3, "Steepness of the sigmoid [S13]"),
    LAM_REAL(S, sigma, "0", "1/sqrt(s)", 0, 1e6,
             "White-noise intensity on p, p + sigma xi(t) (needs [solver] method = heun; 0: none)"),
};
#undef S
const size_t lam_jansen_rit_ntable = LAM_NELEM(lam_jansen_rit_table);

enum { P_VPYR, P_RATE, P_PSP, NPOPS };

struct lam_jansen_rit {
  lam_jansen_rit_params p;
  size_t N;
  lam_coupling W;
  double *s;    /* 3N: S(y1_j - y2_j), S(C1 y0_j), S(C3 y0_j), in blocks of N */
  double *cin;  /* sum_j W_ij S(v_j), N */
  double *y0;
  lam_pop_info pops[NPOPS];
  lam_system sys;
};

double lam_jansen_rit_sigmoid(const lam_jansen_rit_params *p, double v) {
  return 2.0 * p->e0 / (1.0 + exp(p->r * (p->v0 - v)));
}

/* x[k] = c / (1 + x[k]), the sigmoid from its exponentials. */
LAM_JR_SIMD static void sigmoid_from_exp(size_t n, double c, double *x) {
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    x[k] = c / (1.0 + x[k]);
    x[k + 1] = c / (1.0 + x[k + 1]);
    x[k + 2] = c / (1.0 + x[k + 2]);
    x[k + 3] = c / (1.0 + x[k + 3]);
  }
  for (; k < n; k++) {
    x[k] = c / (1.0 + x[k]);
  }
}

static int rhs(void *self, double t, const double *y, double *dy) {
  lam_jansen_rit *jr = self;
  const lam_jansen_rit_params *p = &jr->p;
  const size_t N = jr->N;
  (void)t;
  const double C1 = p->c1 * p->C, C2 = p->c2 * p->C, C3 = p->c3 * p->C,
               C4 = p->c4 * p->C;
  /* The same operations, in the same order, as lam_jansen_rit_sigmoid, with
   * the exp taken over the whole array. */
  double *restrict sv = jr->s, *restrict s1 = sv + N, *restrict s3 = s1 + N;
  const double r = p->r, v0 = p->v0, e2 = 2.0 * p->e0;
  for (size_t j = 0; j < N; j++) {
    const double *yj = y + j * LAM_JR_NSTATE;
    sv[j] = r * (v0 - (yj[1] - yj[2]));
    s1[j] = r * (v0 - C1 * yj[0]);
    s3[j] = r * (v0 - C3 * yj[0]);
  }
  lam_vmath_exp(3 * N, sv, sv);
  sigmoid_from_exp(3 * N, e2, sv);
  if (jr->W.n) {
    lam_coupling_apply(&jr->W, sv, 1, jr->cin);
  }
  const double Aa = p->A * p->a, a2 = 2.0 * p->a, aa = p->a * p->a,
               BbC4 = p->B * p->b * C4, b2 = 2.0 * p->b, bb = p->b * p->b;
  for (size_t i = 0; i < N; i++) {
    const double *yi = y + i * LAM_JR_NSTATE;
    double *d = dy + i * LAM_JR_NSTATE;
    const double pin = p->p + (jr->W.n ? p->k * jr->cin[i] : 0.0);
    d[0] = yi[3];
    d[1] = yi[4];
    d[2] = yi[5];
    d[3] = Aa * sv[i] - a2 * yi[3] - aa * yi[0];
    d[4] = Aa * (pin + C2 * s1[i]) - a2 * yi[4] - aa * yi[1];
    d[5] = BbC4 * s3[i] - b2 * yi[5] - bb * yi[2];
  }
  return 0;
}

/* p + sigma xi enters y4' multiplied by A a. */
static int noise(void *self, double t, const double *y, double *sigma) {
  lam_jansen_rit *jr = self;
  (void)t;
  (void)y;
  memset(sigma, 0, jr->sys.n * sizeof *sigma);
  for (size_t i = 0; i < jr->N; i++) {
    sigma[i * LAM_JR_NSTATE + 4] = jr->p.A * jr->p.a * jr->p.sigma;
  }
  return 0;
}

static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  lam_jansen_rit *jr = self;
  (void)t;
  for (size_t i = 0; i < jr->N; i++) {
    const double *yi = y + i * LAM_JR_NSTATE;
    switch (pop) {
    case P_VPYR:
      out[i] = yi[1] - yi[2];
      break;
    case P_RATE:
      out[i] = lam_jansen_rit_sigmoid(&jr->p, yi[1] - yi[2]);
      break;
    default:
      out[i * 3 + 0] = yi[0];
      out[i * 3 + 1] = yi[1];
      out[i * 3 + 2] = yi[2];
      break;
    }
  }
}

static const lam_system_ops ops_det = {
    .rhs = rhs, .observe = observe};
static const lam_system_ops ops_noisy = {
    .rhs = rhs, .noise = noise, .observe = observe};

void lam_jansen_rit_free(lam_jansen_rit *jr) {
  if (!jr) {
    return;
  }
  lam_coupling_free(&jr->W);
  free(jr->s);
  free(jr->cin);
  free(jr->y0);
  free(jr);
}

int lam_jansen_rit_new(const lam_mass_network_params *net,
                       const lam_jansen_rit_params *params, const lam_given *given,
                       lam_jansen_rit **out, lam_err *err) {
  *out = NULL;
  lam_jansen_rit *jr = calloc(1, sizeof *jr);
  if (!jr) {
    return LAM_NOMEM(err);
  }
  jr->p = *params;
  jr->N = (size_t)net->columns;
  int rc = LAM_OK;
  {
    rc = lam_coupling_load(given, "jansen_rit", "coupling", jr->p.coupling, jr->N,
                           &jr->W, err);
  }
  if (rc) {
    lam_jansen_rit_free(jr);
    return rc;
  }
  const size_t N = jr->N, n = N * LAM_JR_NSTATE;
  jr->s = calloc(3 * N, sizeof *jr->s);
  jr->cin = calloc(N, sizeof *jr->cin);
  jr->y0 = calloc(n, sizeof *jr->y0);
  if (!jr->s || !jr->cin || !jr->y0) {
    lam_jansen_rit_free(jr);
    return LAM_NOMEM(err);
  }
  const lam_pop_info pops[NPOPS] = {
      /* The pyramidal cells are the column's deep (L5) population: their
       * potential is what laminar analysis and the probe read as L5. */
      {"v_pyr", "mV", N, 1, "L5", "Pyramidal membrane potential y1 - y2 (the EEG/LFP proxy) [S13]"},
      {"rate_pyr", "1/s", N, 1, "", "Pyramidal firing rate S(y1 - y2)"},
      {"psp", "mV", N, 3, "", "PSPs y0 (onto interneurons), y1 (excitatory), y2 (inhibitory onto pyramidal)"},
  };
  memcpy(jr->pops, pops, sizeof pops);
  jr->sys = (lam_system){.ops = jr->p.sigma > 0.0 ? &ops_noisy : &ops_det,
                         .self = jr,
                         .n = n,
                         .npops = NPOPS,
                         .pops = jr->pops,
                         .y0 = jr->y0,
                         .state_rows = LAM_JR_NSTATE,
                         .state_cols = N,
                         .kind = "jansen-rit"};
  *out = jr;
  return LAM_OK;
}

lam_system *lam_jansen_rit_system(lam_jansen_rit *jr) { return &jr->sys; }
lam_jansen_rit_params *lam_jansen_rit_params_of(lam_jansen_rit *jr) {
  return &jr->p;
}
size_t lam_jansen_rit_columns(const lam_jansen_rit *jr) { return jr->N; }
