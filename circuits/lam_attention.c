/* lam_attention.c: the multi-head attention network of docs/model.md
 * as one state vector and one pure right-hand side.
 *
 * Everything that does not depend on the state is done once here: the
 * products X W_V, X W_Q, X W_K and W_Q z (CBLAS), the lateral matrix, the
 * workspaces. The right-hand side only evaluates time-dependent gains and
 * calls the population blocks of column/, whose T x T work is CBLAS dgemm.
 */
#include "lam_attention.h"

/* GSL declares the CBLAS interface too; OpenBLAS provides the symbols. */
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_clock.h"
#include "lam_jansen_rit.h"
#include "lam_wilson_cowan.h"
#include "lam_neuromod.h"
#include "lam_plasticity.h"
#include "lam_stimulus.h"
#include "lam_vmath.h"

#define S lam_network_params
const lam_param lam_network_table[] = {
    LAM_INT(S, columns, "4", "1", 1, 1e6, "Number of columns T (positions, tokens)"),
    LAM_INT(S, heads, "1", "1", 1, 1024, "Number of heads H (sub-populations with their own Q/K tuning)"),
    LAM_INT(S, d_in, "4", "1", 1, 1e5, "Size of the thalamic input vector x_j"),
    LAM_INT(S, d_k, "4", "1", 1, 1e5, "Query/key size per head"),
    LAM_INT(S, d_v, "4", "1", 1, 1e5, "Value size per head"),
    LAM_CHOICE(S, topology, "self", "self|topdown",
               "self: every column's query attends over all columns (T^2 H apical units); "
               "topdown: one query per head from z, broadcast (T H units)"),
    LAM_CHOICE(S, lateral, "none", "none|ring|all|random|csv",
               "Lateral L2/3 connectivity L between columns"),
    LAM_PATHP(S, lateral_file, "", "T x T lateral matrix (row j receives from column i) when lateral = csv"),
    LAM_REAL(S, lateral_p, "0.1", "1", 0, 1, "Connection probability when lateral = random"),
    LAM_INT(S, lateral_seed, "1", "1", 0, 4294967295.0, "Seed of the random lateral matrix"),
    LAM_REAL(S, c_lat, "0", "1", -1e3, 1e3, "Lateral coupling onto L2/3 (row-normalised L)"),
    LAM_REAL(S, c_td, "0", "1", -1e3, 1e3, "Top-down coupling of z onto L2/3 (through W_Q)"),
};
#undef S
const size_t lam_network_ntable = LAM_NELEM(lam_network_table);

/* [input] and [weights]: matrices from CSV, or seeded Gaussian defaults. */
#define S lam_input_params
const lam_param lam_input_table[] = {
    LAM_PATHP(S, x, "", "Thalamic input X, T rows x d_in (empty: seeded N(0,1) entries)"),
    LAM_PATHP(S, z, "", "Top-down input z, 1 row x d_in (empty: zeros)"),
    LAM_INT(S, seed, "1", "1", 0, 4294967295.0, "Seed of the random X"),
    LAM_REAL(S, z_gain, "1", "1", -1e6, 1e6, "Scale of z"),
};
#undef S
const size_t lam_input_ntable = LAM_NELEM(lam_input_table);

#define S lam_weight_params
const lam_param lam_weights_table[] = {
    LAM_PATHP(S, wq, "", "W_Q, d_in x H*d_k (head h in columns h*d_k..(h+1)*d_k-1); empty: random"),
    LAM_PATHP(S, wk, "", "W_K, d_in x H*d_k; empty: random"),
    LAM_PATHP(S, wv, "", "W_V, d_in x H*d_v; empty: random"),
    LAM_INT(S, seed, "2", "1", 0, 4294967295.0, "Seed of random weights (entries N(0, scale^2 / d_in))"),
    LAM_REAL(S, scale, "1", "1", 0, 1e6, "Scale of random weights"),
};
#undef S
const size_t lam_weights_ntable = LAM_NELEM(lam_weights_table);

/* State populations first (P_L4 .. P_OUT, in layout order), then the derived
 * observables: the attention weights and, when clocks are on, the clocks. */
enum { P_L4, P_L23, P_L5B, P_L5A, P_PV, P_SOM, P_VIP, P_OUT, P_ATTN, P_PHASE, P_GAIN,
       P_WQ, P_WK, P_PBAR, P_NMG, P_NMP, P_NMU, P_PING, P_DEEP, NPOPS };

struct lam_attention {
  lam_column_params col;
  lam_network_params net;
  lam_dims d;
  double *X, *z, *WQ, *WK, *WV;
  double *XV, *XQ, *XK, *zQ; /* precomputed projections */
  double zrms;
  double *zt, *zQt;          /* z + z_ext and its projection (areas) */
  double *L;                 /* T x T lateral matrix or NULL */
  /* workspaces */
  double *drive, *G, *R, *apfac, *gx, *gff, *gfb, *sx, *gatework, *dywork;
  lam_clock *clk;       /* gamma / alpha clocks (oscillations/lam_clock.h) */
  lam_stimulus *stim;   /* s_j(t) and eta_j(t) (circuits/lam_stimulus.h) */
  int noisy;            /* stimulus noise on: eta_j(t) != 0 */
  double *eta, *etaproj; /* T x d_in noise, T x max(H d_k, H d_v) projection */
  /* The noise through all three projections in one product (small dgemms
   * cost mostly their call): Wcat = [W_V | W_Q | W_K] (d_in x ncat,
   * ncat = H d_v + 2 H d_k), etacat = eta Wcat (T x ncat). */
  double *Wcat, *etacat;
  /* Burst-dependent plasticity (column/lam_plasticity.h): W_Q, W_K (and
   * Pbar) are state after the clocks; XQ, XK, zQ become workspaces. */
  lam_plasticity_params pl;
  double *pre, *Pb, *plwork, *pldelta, *teachY;
  double *plsat; /* bac gate: s(Q), s(K), s'(Q), s'(K) for the eligibility */
  const double *zcur; /* z(t) of the current evaluation (a->z or a->zt) */
  /* Neuromodulatory gate (circuits/lam_neuromod.h): colnm is col with the
   * modulated beta; nmx the input x_j(t) the surprise predicts. */
  lam_neuromod_params nm;
  lam_column_params colnm;
  double *nmx;
  /* The column's own rhythms (column/rhythm.c): ping (gamma_source = ping)
   * and deep (alpha_source = deep); E (T x H) and L (T) the loops' rates,
   * somx the deep loop's SOM drive. */
  int ping, deep;
  lam_clock_params clkp; /* the depths of the gains */
  double *Eq, *Lk, *somx;
  size_t off[NPOPS];
  lam_pop_info pops[NPOPS];
  lam_pop_info vis[NPOPS]; /* the populations shown to the machinery */
  size_t vmap[NPOPS];      /* their indices in pops */
  double *y0;
  lam_system sys;
};

static void *xcalloc(size_t n, size_t size, int *fail) {
  void *p = calloc(n ? n : 1, size);
  if (!p) {
    *fail = 1;
  }
  return p;
}

void lam_attention_free(lam_attention *a) {
  if (!a) {
    return;
  }
  double *bufs[] = {a->X, a->z, a->WQ, a->WK, a->WV, a->XV, a->XQ, a->XK,
                    a->zQ, a->L, a->drive, a->G, a->R, a->apfac, a->gx, a->gff,
                    a->gfb, a->sx, a->gatework, a->dywork, a->y0,
                    a->eta, a->etaproj, a->zt, a->zQt, a->pre, a->Pb,
                    a->plwork, a->pldelta, a->teachY, a->plsat, a->nmx,
                    a->Wcat, a->etacat, a->Eq, a->Lk, a->somx};
  for (size_t i = 0; i < LAM_NELEM(bufs); i++) {
    free(bufs[i]);
  }
  lam_clock_free(a->clk);
  lam_stimulus_free(a->stim);
  free(a);
}

/* Load a CSV matrix of the given shape into a fresh buffer, or fill with
 * seeded N(0, sd^2) entries when path is empty. */
static int load_or_random(const lam_given *m, const char *section,
                          const char *key, const char *path, size_t rows,
                          size_t cols, gsl_rng *rng, double sd, double **out,
                          lam_err *err) {
  if (path[0]) {
    const lam_matrix *mat;
    int rc = lam_given_array(m, section, key, path, rows, cols, &mat, err);
    if (rc) {
      return rc;
    }
    *out = malloc(rows * cols * sizeof **out);
    if (!*out) {
      return LAM_NOMEM(err);
    }
    memcpy(*out, mat->data, rows * cols * sizeof **out);
    return LAM_OK;
  }
  *out = malloc(rows * cols * sizeof **out);
  if (!*out) {
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < rows * cols; i++) {
    (*out)[i] = rng ? gsl_ran_gaussian(rng, sd) : 0.0;
  }
  return LAM_OK;
}

/* [plasticity] teach: the teaching targets (queries x columns). The taught
 * burst probability is centred on a fixed Pbar (column/lam_plasticity.h). */
static int load_teach(const lam_given *m, lam_attention *a, lam_err *err) {
  const char *w = lam_given_where(m, "plasticity", "teach");
  const char *why = !a->pl.enabled ? "needs plasticity.enabled = true"
                    : a->pl.pbar_tau > 0.0
                        ? "needs a fixed Pbar (plasticity.pbar_tau = 0)"
                    : (a->pl.pbar <= 0.0 || a->pl.pbar >= 1.0)
                        ? "needs 0 < plasticity.pbar < 1"
                        : NULL;
  if (why) {
    return lam_err_set(err, LAM_EINVAL, "%s: plasticity.teach: %s",
                       w ? w : "model", why);
  }
  return load_or_random(m, "plasticity", "teach", a->pl.teach, a->d.nq,
                        a->d.T, NULL, 0, &a->teachY, err);
}

static int build_lateral(const lam_given *m, lam_attention *a, lam_err *err) {
  const size_t T = a->d.T;
  if (a->net.lateral == LAM_LAT_NONE) {
    return LAM_OK;
  }
  if (a->net.lateral == LAM_LAT_CSV) {
    if (!a->net.lateral_file[0]) {
      const char *w = lam_given_where(m, "network", "lateral");
      return lam_err_set(err, LAM_EINVAL,
                         "%s: network.lateral_file: required when lateral = csv",
                         w ? w : "model");
    }
    return load_or_random(m, "network", "lateral_file", a->net.lateral_file, T,
                          T, NULL, 0, &a->L, err);
  }
  a->L = calloc(T * T, sizeof *a->L);
  if (!a->L) {
    return LAM_NOMEM(err);
  }
  gsl_rng *rng = NULL;
  if (a->net.lateral == LAM_LAT_RANDOM) {
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
      return LAM_NOMEM(err);
    }
    gsl_rng_set(rng, (unsigned long)a->net.lateral_seed);
  }
  for (size_t j = 0; j < T; j++) {
    for (size_t i = 0; i < T; i++) {
      double w = 0.0;
      if (i == j) {
        w = 0.0;
      } else if (a->net.lateral == LAM_LAT_RING) {
        w = (i == (j + 1) % T || j == (i + 1) % T) ? 1.0 : 0.0;
      } else if (a->net.lateral == LAM_LAT_ALL) {
        w = 1.0;
      } else {
        w = gsl_rng_uniform(rng) < a->net.lateral_p ? 1.0 : 0.0;
      }
      a->L[j * T + i] = w;
    }
    /* Row-normalise so c_lat is the total lateral gain onto a column. */
    double sum = 0.0;
    for (size_t i = 0; i < T; i++) {
      sum += a->L[j * T + i];
    }
    if (sum > 0.0) {
      for (size_t i = 0; i < T; i++) {
        a->L[j * T + i] /= sum;
      }
    }
  }
  gsl_rng_free(rng);
  return LAM_OK;
}

/* out[j, u] = g[j] X[j, u] (+ c v[u] when v): the drives of L4, L2/3 and
 * L5 basal, a per-column gain times a fixed projection. Four at a time
 * (packed SIMD at -O2 without alias proofs, AVX2 where the processor has
 * it); per element the operations of the loops they replace. */
LAM_COLUMN_SIMD static void gain_rows(size_t T, size_t n, const double *g,
                                      const double *X, double c,
                                      const double *v, double *out) {
  for (size_t j = 0; j < T; j++) {
    const double gj = g[j], *x = X + j * n;
    double *o = out + j * n;
    size_t u = 0;
    if (v) {
      for (; u + 4 <= n; u += 4) {
        const double x0 = x[u], x1 = x[u + 1], x2 = x[u + 2], x3 = x[u + 3];
        const double v0 = v[u], v1 = v[u + 1], v2 = v[u + 2], v3 = v[u + 3];
        o[u] = gj * x0 + c * v0;
        o[u + 1] = gj * x1 + c * v1;
        o[u + 2] = gj * x2 + c * v2;
        o[u + 3] = gj * x3 + c * v3;
      }
      for (; u < n; u++) {
        o[u] = gj * x[u] + c * v[u];
      }
      continue;
    }
    for (; u + 4 <= n; u += 4) {
      const double x0 = x[u], x1 = x[u + 1], x2 = x[u + 2], x3 = x[u + 3];
      o[u] = gj * x0;
      o[u + 1] = gj * x1;
      o[u + 2] = gj * x2;
      o[u + 3] = gj * x3;
    }
    for (; u < n; u++) {
      o[u] = gj * x[u];
    }
  }
}

/* drive[j, :] += g[j] * (M W)[j, :]: an extra input M (T x d_in: the input
 * noise eta, or the feedforward input of a lower area) seen through one
 * projection W (d_in x ncols). */
static void add_cols(lam_attention *a, const double *P, size_t ldp,
                     size_t ncols, const double *g) {
  const size_t T = a->d.T;
  for (size_t j = 0; j < T; j++) {
    const double gj = g ? g[j] : 1.0;
    for (size_t u = 0; u < ncols; u++) {
      a->drive[j * ncols + u] += gj * P[j * ldp + u];
    }
  }
}

static void add_proj(lam_attention *a, const double *M, const double *W,
                     size_t ncols, const double *g) {
  const size_t T = a->d.T, din = (size_t)a->net.d_in;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)ncols,
              (int)din, 1.0, M, (int)din, W, (int)ncols, 0.0, a->etaproj,
              (int)ncols);
  add_cols(a, a->etaproj, ncols, ncols, g);
}

/* Rows of Wcat = [W_V | W_Q | W_K] from W_Q, W_K (a->WQ, a->WK, or the
 * plastic ones in the state) and a->WV. */
static void fill_wcat(lam_attention *a, const double *WQ, const double *WK,
                      int with_wv) {
  const size_t din = (size_t)a->net.d_in, nv = a->d.H * a->d.dv,
               nk = a->d.H * a->d.dk, ncat = nv + 2 * nk;
  for (size_t r = 0; r < din; r++) {
    double *row = a->Wcat + r * ncat;
    if (with_wv) {
      memcpy(row, a->WV + r * nv, nv * sizeof *row);
    }
    memcpy(row + nv, WQ + r * nk, nk * sizeof *row);
    memcpy(row + nv + nk, WK + r * nk, nk * sizeof *row);
  }
}

/* dW_Q, dW_K and dPbar: presynaptic input x_j(t) = s_j x_j + xext_j, the
 * burst probability from the apical drive (or, with teaching targets, from
 * the teaching error; column/lam_plasticity.h) and the eligibility:
 * - rate: the unit's own event rate (Q, K), one P per column j and head h
 *   (topdown: A_jh; self: the mean over queries of A_ijh);
 * - coincidence: the partner at the apical gate, one P per query i, column j
 *   and head h; the queries' presynaptic input is the cue z(t) in topdown.
 * zQ: the query drive W_Q^T z(t) of this evaluation. Uses a->sx and a->R
 * (the attention weights) of the same evaluation. */
static void plasticity_rhs(lam_attention *a, const double *y,
                           const double *xext, const double *zQ, double *dy) {
  const lam_dims *d = &a->d;
  const size_t T = d->T, H = d->H, nq = d->nq, din = (size_t)a->net.d_in;
  const size_t nk = H * d->dk;
  const double *A = y + a->off[P_L5A], *Y = a->teachY;
  for (size_t j = 0; j < T; j++) {
    for (size_t u = 0; u < din; u++) {
      a->pre[j * din + u] =
          a->sx[j] * a->X[j * din + u] + (xext ? xext[j * din + u] : 0.0);
    }
  }
  const double *Pbar = a->pl.pbar_tau > 0.0 ? y + a->off[P_PBAR] : NULL;
  double *dWQ = dy + a->off[P_WQ], *dWK = dy + a->off[P_WK];
  const int wq = a->pl.targets != LAM_PLAST_WK,
            wk = a->pl.targets != LAM_PLAST_WQ;
  if (!wq) {
    memset(dWQ, 0, din * nk * sizeof *dWQ);
  }
  if (!wk) {
    memset(dWK, 0, din * nk * sizeof *dWK);
  }
  if (a->pl.eligibility == LAM_ELIG_RATE) {
    for (size_t j = 0; j < T; j++) {
      for (size_t h = 0; h < H; h++) {
        double ap = 0.0, yt = 0.0, at = 0.0;
        for (size_t i = 0; i < nq; i++) {
          ap += A[i * H * T + h * T + j];
          if (Y) {
            yt += Y[i * T + j];
            at += a->R[i * H * T + h * T + j];
          }
        }
        a->Pb[j * H + h] =
            Y ? lam_burst_prob_taught(&a->pl, yt / (double)nq, at / (double)nq)
              : lam_burst_prob(&a->pl, ap / (double)nq);
      }
    }
    if (wq) {
      lam_plasticity_dw(&a->pl, T, din, H, d->dk, a->pre, y + a->off[P_L23],
                        a->Pb, Pbar, a->plwork, dWQ);
    }
    if (wk) {
      lam_plasticity_dw(&a->pl, T, din, H, d->dk, a->pre, y + a->off[P_L5B],
                        a->Pb, Pbar, a->plwork, dWK);
    }
    if (Pbar) {
      for (size_t i = 0; i < T * H; i++) {
        dy[a->off[P_PBAR] + i] = (a->Pb[i] - Pbar[i]) / a->pl.pbar_tau;
      }
    }
    return;
  }
  /* Coincidence: delta_ihj = P_ihj - Pbar_jh, in the layout of A. */
  for (size_t i = 0; i < nq; i++) {
    for (size_t h = 0; h < H; h++) {
      for (size_t j = 0; j < T; j++) {
        const size_t k = i * H * T + h * T + j;
        const double P = Y ? lam_burst_prob_taught(&a->pl, Y[i * T + j], a->R[k])
                           : lam_burst_prob(&a->pl, A[k]);
        a->Pb[k] = P;
        a->pldelta[k] = P - (Pbar ? Pbar[j * H + h] : a->pl.pbar);
      }
    }
  }
  const int td = a->net.topology == LAM_TOPO_TOPDOWN;
  const double *xq = td ? a->zcur : a->pre;
  const double *Qe = td ? zQ : y + a->off[P_L23], *Ke = y + a->off[P_L5B];
  double *dQ = NULL, *dK = NULL;
  if (a->col.gate == LAM_GATE_BAC) {
    /* The gate sees s(u) = xs tanh(u / xs) (column/l5a.c): the partners are
     * s(Q), s(K) and the slopes s'(u) = 1 - tanh^2(u / xs). */
    const double xs = a->col.bac_saturation;
    double *sq = a->plsat, *sk = sq + nq * nk;
    dQ = sk + T * nk;
    dK = dQ + nq * nk;
    /* The same vector tanh as the gate (sq and sk are adjacent, and so are
     * dQ and dK). */
    for (size_t i = 0; i < nq * nk; i++) {
      sq[i] = Qe[i] / xs;
    }
    for (size_t i = 0; i < T * nk; i++) {
      sk[i] = Ke[i] / xs;
    }
    lam_vmath_tanh((nq + T) * nk, sq, sq);
    for (size_t i = 0; i < (nq + T) * nk; i++) {
      const double th = sq[i];
      sq[i] = xs * th;
      dQ[i] = 1.0 - th * th;
    }
    Qe = sq;
    Ke = sk;
  }
  lam_plasticity_dw_coincidence(&a->pl, nq, T, din, H, d->dk, xq, a->pre, Qe,
                                Ke, dQ, dK, a->pldelta, a->plwork,
                                wq ? dWQ : NULL, wk ? dWK : NULL);
  if (Pbar) {
    for (size_t j = 0; j < T; j++) {
      for (size_t h = 0; h < H; h++) {
        double m = 0.0;
        for (size_t i = 0; i < nq; i++) {
          m += a->Pb[i * H * T + h * T + j];
        }
        dy[a->off[P_PBAR] + j * H + h] =
            (m / (double)nq - Pbar[j * H + h]) / a->pl.pbar_tau;
      }
    }
  }
}

/* The gains of the bands the column's own loops drive (column/rhythm.c):
 * g_ff,j = 1 + gamma_depth c(E_j, Ebar_j) from the PING loop (E_j, Ebar_j
 * the means over heads), g_fb,j = 1 + alpha_depth c(L_j, Lbar_j) from the
 * deep loop; c = lam_rhythm_signal. Fills a->Eq, a->Lk from y. */
static void circuit_gains(lam_attention *a, const double *y) {
  const lam_dims *d = &a->d;
  const size_t T = d->T, H = d->H;
  lam_rhythm_rates(d, y + a->off[P_L23], 1, a->Eq);
  lam_rhythm_rates(d, y + a->off[P_L5B], 0, a->Lk);
  const lam_clock_params *cp = &a->clkp;
  for (size_t j = 0; j < T && a->ping; j++) {
    const double *yj = y + a->off[P_PING] + j * LAM_PING_NPER * H;
    double e = 0.0, eb = 0.0;
    for (size_t h = 0; h < H; h++) {
      e += a->Eq[j * H + h];
      eb += yj[h];
    }
    a->gff[j] = 1.0 + cp->gamma_depth * lam_rhythm_signal(e / (double)H, eb / (double)H);
  }
  for (size_t j = 0; j < T && a->deep; j++) {
    a->gfb[j] = 1.0 + cp->alpha_depth *
                          lam_rhythm_signal(a->Lk[j], y[a->off[P_DEEP] + j * LAM_DEEP_NPER]);
  }
}

/* The neuromodulatory gate at t: scales the feedback gains g_fb (apical
 * coupling, after the clocks and a->sx are set) and beta in a->colnm;
 * under surprise, fills a->nmx with x_j(t) = s_j x_j + xext_j. Returns g. */
static double nm_apply(lam_attention *a, double t, const double *y,
                       const double *xext) {
  const size_t T = a->d.T, din = (size_t)a->net.d_in;
  if (a->nm.mode == LAM_NM_SURPRISE) {
    for (size_t j = 0; j < T; j++) {
      for (size_t u = 0; u < din; u++) {
        a->nmx[j * din + u] =
            a->sx[j] * a->X[j * din + u] + (xext ? xext[j * din + u] : 0.0);
      }
    }
  }
  const double g = lam_neuromod_gate(&a->nm, t, y + a->off[P_NMP], T, din);
  double fa, fb;
  lam_neuromod_factors(&a->nm, g, &fa, &fb);
  for (size_t j = 0; j < T; j++) {
    a->gfb[j] *= fa;
  }
  a->colnm.beta = a->col.beta * fb;
  return g;
}

int lam_attention_rhs_input(lam_attention *a, double t, const double *y,
                            const double *xext, const double *zext,
                            double *dy) {
  const lam_column_params *p = &a->col;
  const lam_dims *d = &a->d;
  const size_t T = d->T, H = d->H, dk = d->dk, dv = d->dv;
  const double *V = y + a->off[P_L4], *Q = y + a->off[P_L23],
               *K = y + a->off[P_L5B], *A = y + a->off[P_L5A],
               *P = y + a->off[P_PV], *Sm = y + a->off[P_SOM],
               *Iv = y + a->off[P_VIP], *O = y + a->off[P_OUT];

  /* Time-dependent gains: clocks (g_ff, g_fb; exactly 1 when off) and the
   * stimulus, x_j(t) = s_j(t) x_j + eta_j(t) (docs/stimulus.md). */
  const double *yc = y + a->off[P_PHASE];
  lam_stimulus_gain(a->stim, t, a->sx);
  lam_clock_gains_all(a->clk, t, yc, T, a->gff, a->gfb);
  const double *yping = a->ping ? y + a->off[P_PING] : NULL,
               *ydeep = a->deep ? y + a->off[P_DEEP] : NULL;
  if (a->ping || a->deep) {
    circuit_gains(a, y);
  }
  const lam_column_params *ppv = p; /* PV with the modulated beta */
  if (a->nm.mode != LAM_NM_OFF) {
    nm_apply(a, t, y, xext);
    ppv = &a->colnm;
  }
  if (a->noisy) {
    lam_stimulus_noise(a->stim, t, a->eta);
  }
  /* Plastic projections are state: the products with them are redone. */
  const size_t din = (size_t)a->net.d_in;
  const double *WQ = a->WQ, *WK = a->WK;
  const double *zQ = a->zQ;
  if (a->pl.enabled) {
    const int nkk = (int)(d->H * dk);
    WQ = y + a->off[P_WQ];
    WK = y + a->off[P_WK];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, nkk,
                (int)din, 1.0, a->X, (int)din, WQ, nkk, 0.0, a->XQ, nkk);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, nkk,
                (int)din, 1.0, a->X, (int)din, WK, nkk, 0.0, a->XK, nkk);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)din, nkk, 1.0, WQ, nkk, a->z,
                1, 0.0, a->zQt, 1);
    zQ = a->zQt;
  }
  /* Top-down input z(t) = z + z_ext(t) (feedback of a higher area). */
  double zrms = a->zrms;
  a->zcur = zext ? a->zt : a->z;
  if (zext) {
    double zz = 0.0;
    for (size_t u = 0; u < din; u++) {
      a->zt[u] = a->z[u] + zext[u];
      zz += a->zt[u] * a->zt[u];
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)din, (int)(d->H * dk), 1.0,
                WQ, (int)(d->H * dk), a->zt, 1, 0.0, a->zQt, 1);
    zQ = a->zQt;
    zrms = sqrt(zz / (double)din);
  }

  /* L4: F(g_ff s_j W_V x_j) */
  const size_t nv = H * dv, nk = H * dk, ncat = nv + 2 * nk;
  if (a->noisy) {
    if (a->pl.enabled) { /* W_Q, W_K are state: their columns anew */
      fill_wcat(a, WQ, WK, 0);
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)ncat,
                (int)din, 1.0, a->eta, (int)din, a->Wcat, (int)ncat, 0.0,
                a->etacat, (int)ncat);
  }
  for (size_t j = 0; j < T; j++) {
    a->gx[j] = a->gff[j] * a->sx[j];
  }
  /* Without noise and external input the drives are a gain times a fixed
   * projection, formed where they are used (the _gain forms, the same
   * bits); otherwise summed into a->drive first. */
  const int plain = !a->noisy && !xext;
  if (plain) {
    lam_l4_rhs_gain(p, d, V, a->gx, a->XV, dy + a->off[P_L4]);
  } else {
    gain_rows(T, nv, a->gx, a->XV, 0.0, NULL, a->drive);
    if (a->noisy) {
      add_cols(a, a->etacat, ncat, nv, a->gff);
    }
    if (xext) {
      add_proj(a, xext, a->WV, nv, a->gff);
    }
    lam_l4_rhs(p, d, V, a->drive, dy + a->off[P_L4]);
  }

  /* L2/3: F(g_ff s_j W_Q x_j + c_lat (L Q)_j + c_td W_Q z) */
  const int lateral = a->L && a->net.c_lat != 0.0;
  /* ping: L2/3 makes its own gamma, its drive is not gated by g_ff. */
  const double *g23 = a->ping ? a->sx : a->gx, *n23 = a->ping ? NULL : a->gff;
  if (plain && !lateral && !a->ping && !a->deep) {
    lam_l23_rhs_gain(p, d, Q, a->gx, a->XQ, a->net.c_td, zQ,
                     dy + a->off[P_L23]);
  } else {
    gain_rows(T, nk, g23, a->XQ, a->net.c_td, zQ, a->drive);
    if (a->noisy) {
      add_cols(a, a->etacat + nv, ncat, nk, n23);
    }
    if (xext) {
      add_proj(a, xext, WQ, nk, n23);
    }
    if (a->ping || a->deep) {
      lam_ping_l23_drive(p, d, yping, ydeep, a->Lk, a->drive);
    }
    if (lateral) {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nk,
                  (int)T, a->net.c_lat, a->L, (int)T, Q, (int)nk, 1.0,
                  a->drive, (int)nk);
    }
    lam_l23_rhs(p, d, Q, a->drive, dy + a->off[P_L23]);
  }

  /* L5 basal: F(s_j W_K x_j), bottom-up only. */
  if (plain && !a->deep) {
    lam_l5b_rhs_gain(p, d, K, a->sx, a->XK, dy + a->off[P_L5B]);
  } else {
    gain_rows(T, nk, a->sx, a->XK, 0.0, NULL, a->drive);
    if (a->noisy) {
      add_cols(a, a->etacat + nv + nk, ncat, nk, NULL);
    }
    if (xext) {
      add_proj(a, xext, WK, nk, NULL);
    }
    if (a->deep) {
      lam_deep_l5b_drive(p, d, ydeep, a->drive);
    }
    lam_l5b_rhs(p, d, K, a->drive, dy + a->off[P_L5B]);
  }

  /* L5 apical: the gate, times the key column's feedback gain divided by
   * SOM inhibition (one factor per column), PV normalization and the
   * routed output, in one sweep over the apical arrays (column/apical.c). */
  for (size_t j = 0; j < T; j++) {
    a->apfac[j] = a->gfb[j] / (1.0 + p->w_sa * Sm[j]);
  }
  lam_apical_args ax = {.gatework = a->gatework, .A = A, .P = P,
                        .fac = a->apfac, .O = O, .V = V, .G = a->G,
                        .R = a->R, .dA = dy + a->off[P_L5A],
                        .dP = dy + a->off[P_PV], .dO = dy + a->off[P_OUT]};
  lam_l5a_gate_prepare(p, d, a->net.topology == LAM_TOPO_SELF ? Q : zQ, nk,
                       K, a->gatework, &ax.q, &ax.ldq);
  lam_apical_rhs(p, ppv, d, &ax);
  if (a->ping) { /* the same PV state: its L2/3 input, then the loop's own */
    lam_pv_ping_add(p, d, a->Eq, yping, dy + a->off[P_PV]);
    lam_ping_rhs(p, d, a->Eq, P, yping, dy + a->off[P_PING]);
  }
  if (a->deep) {
    lam_deep_som_drive(p, d, a->Lk, ydeep, a->somx);
    lam_som_rhs_extra(p, d, Sm, Q, K, Iv, a->somx, dy + a->off[P_SOM]);
    lam_deep_rhs(p, d, a->Lk, Sm, ydeep, dy + a->off[P_DEEP]);
  } else {
    lam_som_rhs(p, d, Sm, Q, K, Iv, dy + a->off[P_SOM]);
  }
  lam_vip_rhs(p, d, Iv, zrms, dy + a->off[P_VIP]);
  /* Clocks; VIP (top-down attention) is the drive that lowers the alpha
   * amplitude of a Stuart-Landau clock (docs/rhythms.md). */
  lam_clock_rhs_driven(a->clk, t, yc, Iv, dy + a->off[P_PHASE]);
  if (a->pl.enabled) {
    plasticity_rhs(a, y, xext, zQ, dy);
  }
  if (a->nm.mode == LAM_NM_SURPRISE) {
    lam_neuromod_rhs(&a->nm, T, din, a->nmx, y + a->off[P_NMP],
                     dy + a->off[P_NMP]);
  }
  return 0;
}

static int rhs(void *self, double t, const double *y, double *dy) {
  return lam_attention_rhs_input(self, t, y, NULL, NULL, dy);
}

static void observe(void *self, size_t pop, double t, const double *y,
                    double *out) {
  lam_attention *a = self;
  pop = a->vmap[pop];
  if (pop == P_ATTN || pop == P_NMG) {
    const lam_column_params *ppv = &a->col;
    if (a->nm.mode != LAM_NM_OFF) {
      /* g depends on t and the state only; a->sx, a->gfb are workspaces
       * that every rhs evaluation sets afresh. */
      lam_stimulus_gain(a->stim, t, a->sx);
      const double g = nm_apply(a, t, y, NULL);
      ppv = &a->colnm;
      if (pop == P_NMG) {
        out[0] = g;
        lam_neuromod_factors(&a->nm, g, &out[1], &out[2]);
        return;
      }
    }
    lam_pv_rates(ppv, &a->d, y + a->off[P_L5A], y + a->off[P_PV], out);
    return;
  }
  if (pop == P_GAIN && (a->ping || a->deep)) {
    lam_clock_gains_all(a->clk, t, y + a->off[P_PHASE], a->d.T, a->gff, a->gfb);
    circuit_gains(a, y);
    for (size_t j = 0; j < a->d.T; j++) {
      out[2 * j] = a->gff[j];
      out[2 * j + 1] = a->gfb[j];
    }
    return;
  }
  if (pop == P_PHASE || pop == P_GAIN) {
    const double *yc = y + a->off[P_PHASE];
    for (size_t j = 0; j < a->d.T; j++) {
      if (pop == P_PHASE) {
        out[2 * j] = lam_clock_phase(a->clk, t, yc, LAM_CLOCK_GAMMA, j);
        out[2 * j + 1] = lam_clock_phase(a->clk, t, yc, LAM_CLOCK_ALPHA, j);
      } else {
        lam_clock_gains(a->clk, t, yc, j, &out[2 * j], &out[2 * j + 1]);
      }
    }
    return;
  }
  const lam_pop_info *pi = &a->pops[pop];
  memcpy(out, y + a->off[pop], pi->ncols * pi->nunits * sizeof *out);
}

/* The populations observe copies straight from the state (the last line
 * of observe): one block each. */
static int observe_reads(void *self, size_t pop, size_t *first, size_t *end) {
  const lam_attention *a = self;
  const size_t p = a->vmap[pop];
  if (p >= NPOPS || p == P_ATTN || p == P_NMG || p == P_GAIN || p == P_PHASE) {
    return 0;
  }
  *first = a->off[p];
  *end = a->off[p] + a->pops[p].ncols * a->pops[p].nunits;
  return 1;
}

/* Synaptic input of a population: the target F(drive) of its leaky
 * integration, y + tau dy/dt, from one right-hand-side evaluation. This is
 * what the virtual laminar probe sees (docs/analysis.md). */
static void input(void *self, size_t pop, double t, const double *y,
                  double *out) {
  lam_attention *a = self;
  pop = a->vmap[pop];
  if (pop >= P_ATTN) {
    return;
  }
  rhs(self, t, y, a->dywork);
  const double taus[P_ATTN] = {a->col.tau_l4,  a->col.tau_l23, a->col.tau_l5b,
                               a->col.tau_l5a, a->col.tau_pv,  a->col.tau_som,
                               a->col.tau_vip, a->col.tau_out};
  const size_t n = a->pops[pop].ncols * a->pops[pop].nunits;
  const double *yp = y + a->off[pop], *dp = a->dywork + a->off[pop];
  for (size_t i = 0; i < n; i++) {
    out[i] = yp[i] + taus[pop] * dp[i];
  }
}

/* [init] state rows: the state variables of one column, populations in
 * layout order (l4, l23, l5b, then, for `self`, l5a, pv, then som, vip, out). */
static long state_index(void *self, size_t row, size_t col) {
  lam_attention *a = self;
  for (size_t p = 0; p < P_ATTN; p++) {
    const lam_pop_info *pi = &a->pops[p];
    if (pi->ncols != a->d.T) {
      continue; /* topdown: per-query populations are not per column */
    }
    if (row < pi->nunits) {
      return col < pi->ncols ? (long)(a->off[p] + col * pi->nunits + row) : -1;
    }
    row -= pi->nunits;
  }
  return -1;
}

static double next_break(void *self, double t) {
  const lam_attention *a = self;
  const double b = lam_stimulus_next_break(a->stim, t);
  const double bn = lam_neuromod_next_break(&a->nm, t);
  return bn < b ? bn : b;
}

static double next_kink(void *self, double t) {
  const lam_attention *a = self;
  return lam_stimulus_next_kink(a->stim, t);
}

static void set_threads(void *self, int threads) {
  lam_attention *a = self;
  a->d.threads = threads;
}

/* The unit axis of each population (docs/state-layout.md). */
static const char *unit_axis(void *self, size_t pop) {
  static const char *const what[NPOPS] = {
      [P_L4] = "head x d_v (unit = head * d_v + v)",
      [P_L23] = "head x d_k (unit = head * d_k + k)",
      [P_L5B] = "head x d_k (unit = head * d_k + k)",
      [P_L5A] = "head x key column (unit = head * T + j)",
      [P_PV] = "head",
      [P_SOM] = "one unit per column",
      [P_VIP] = "one unit per column",
      [P_OUT] = "head x d_v (unit = head * d_v + v)",
      [P_ATTN] = "head x key column (unit = head * T + j)",
      [P_PHASE] = "clock (0: gamma, 1: alpha/beta)",
      [P_GAIN] = "gain (0: feedforward g_ff, 1: feedback g_fb)",
      [P_WQ] = "head x d_k (unit = head * d_k + k); columns are input units",
      [P_WK] = "head x d_k (unit = head * d_k + k); columns are input units",
      [P_PBAR] = "head",
      [P_NMG] = "factor (0: gate g, 1: apical f_A, 2: beta f_beta)",
      [P_NMP] = "input unit j",
      [P_NMU] = "one unit",
      [P_PING] = "quantity x head (unit = q * H + head; q 0: Ebar, 1: G, 2: Pbar)",
      [P_DEEP] = "0: Lbar, 1: G, 2: Sbar",
  };
  const lam_attention *a = self;
  return a->vmap[pop] < NPOPS ? what[a->vmap[pop]] : NULL;
}

static const lam_system_ops ops = {.rhs = rhs,
                                   .observe = observe,
                                   .observe_reads = observe_reads,
                                   .input = input,
                                   .state_index = state_index,
                                   .next_break = next_break,
                                   .next_kink = next_kink,
                                   .set_threads = set_threads,
                                   .unit_axis = unit_axis};

/* LAM_ATTENTION_MAX_VALUES against what lam_attention_new allocates below
 * (at most: noise, plasticity and surprise all on) and the integrator's 16
 * state-sized vectors, counted in double so that no product wraps. */
static int check_size(const lam_given *m, const lam_attention_params *p,
                      const lam_attention *a, lam_err *err) {
  const double T = (double)a->net.columns, H = (double)a->net.heads,
               din = (double)a->net.d_in, nk = H * (double)a->net.d_k,
               nv = H * (double)a->net.d_v, nmax = nk > nv ? nk : nv;
  const double nq = a->net.topology == LAM_TOPO_SELF ? T : 1.0;
  /* [stimulus] is read later, but its noise (lam_noise.c: a ring of 4096
   * values and a 5 kB generator per column and input unit) counts here. */
  const int noisy = p->stimulus.noise_sigma != 0.0;
  const double state = T * (nv + 2 * nk + 2) + nq * (H * T + H + nv) +
                       2 * T /* clocks */ + 2 * din * nk + T * H +
                       T * din + 3;
  const double values =
      T * din * 4 + din * (2 * nk + nv) * 2 /* X, eta, pre, nmx; W, Wcat */
      + (a->net.lateral != LAM_LAT_NONE ? T * T : 0) /* L */
      + T * (2 * nk + nv) * 2 + T * nmax * 2         /* XQ XK XV etacat */
      + nq * H * T * 4 + (nq + T) * nk * 4 + 6 * T   /* G R Pb pldelta */
      + state * (2 + 16)                              /* y0 dywork solver */
      + (noisy ? T * din * 4800 : 0); /* noise rings and generators */
  const char *w = lam_given_where(m, "network", "columns");
  if (a->net.lateral != LAM_LAT_NONE && T > LAM_ATTENTION_MAX_LATERAL) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: network.columns: lateral wiring is a dense T x T matrix, "
                       "filled entry by entry: at most %d columns, found %ld "
                       "(lateral = none has no such limit)",
                       w ? w : "model", LAM_ATTENTION_MAX_LATERAL, a->net.columns);
  }
  if (values <= LAM_ATTENTION_MAX_VALUES) {
    return LAM_OK;
  }
  return lam_err_set(
      err, LAM_EINVAL,
      "%s: [network] columns = %ld, heads = %ld, d_in = %ld, d_k = %ld, "
      "d_v = %ld (topology %s, lateral %s): the model needs %.3g values "
      "(%.3g GiB), more than the limit of 2^29 (4 GiB)",
      w ? w : "model", a->net.columns, a->net.heads, a->net.d_in,
      a->net.d_k, a->net.d_v,
      a->net.topology == LAM_TOPO_SELF ? "self" : "topdown",
      a->net.lateral == LAM_LAT_NONE ? "none" : "a dense T x T matrix", values,
      values * 8 / (1024.0 * 1024 * 1024));
}

/* gamma_source = ping / alpha_source = deep: what the loops need, or an
 * error naming the key and what would work. */
static int check_rhythms(const lam_attention_params *p, const lam_given *m,
                         lam_attention *a, lam_err *err) {
  const lam_clock_params *c = &p->clocks;
  a->clkp = *c;
  a->ping = c->enabled && c->gamma_source == LAM_CLOCK_SOURCE_CIRCUIT;
  a->deep = c->enabled && c->alpha_source == LAM_CLOCK_SOURCE_CIRCUIT;
  if (!a->ping && !a->deep) {
    return LAM_OK;
  }
  const char *key = a->ping ? "gamma_source" : "alpha_source";
  const char *w = lam_given_where(m, "clocks", key);
  const char *what = a->ping ? "ping" : "deep";
  if (a->ping && p->column.pv == LAM_PV_OFF) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s%sclocks.gamma_source: ping needs the PV cells, and column.pv = off "
                       "has none: expected column.pv = subtractive, divisive or threshold "
                       "(pv_strength = 0 silences PV and keeps the loop's place), or "
                       "gamma_source = clock",
                       w ? w : "", w ? ": " : "");
  }
  if (a->ping && p->network.topology != LAM_TOPO_SELF) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s%sclocks.gamma_source: ping needs one PV population per column, "
                       "and topology = topdown has one per head: expected network.topology "
                       "= self, or gamma_source = clock",
                       w ? w : "", w ? ": " : "");
  }
  if (p->column.transfer == LAM_F_LINEAR) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s%sclocks.%s: %s needs a rectifying or saturating transfer function "
                       "to bound its oscillation (with a linear F the loop grows without "
                       "bound past its Hopf point): expected column.transfer = relu or "
                       "sigmoid",
                       w ? w : "", w ? ": " : "", key, what);
  }
  return LAM_OK;
}

static void free_jr(void *p) { lam_jansen_rit_free(p); }
static void free_wc(void *p) { lam_wilson_cowan_free(p); }

/* The emergent generator that drives band b's gains ([clocks]
 * gamma_source / alpha_source = jansen-rit or wilson-cowan): a network of T
 * columns of that kind, deterministic (docs/rhythms.md). */
static int build_generator(const lam_attention_params *p, const lam_given *m,
                           int b, size_t T, lam_generator **out,
                           lam_err *err) {
  const int src = b == 0 ? p->clocks.gamma_source : p->clocks.alpha_source;
  const char *what = b == 0 ? "clocks.gamma_source" : "clocks.alpha_source";
  *out = NULL;
  /* The clock's oscillators and the column's own loops need no generator. */
  if (!p->clocks.enabled || src == LAM_CLOCK_SOURCE_CLOCK ||
      src == LAM_CLOCK_SOURCE_CIRCUIT) {
    return LAM_OK;
  }
  const int isjr = src == LAM_CLOCK_SOURCE_JANSEN_RIT;
  const char *sec = isjr ? "jansen_rit" : "wilson_cowan";
  const lam_wilson_cowan_params *wp = &p->wilson_cowan;
  if (isjr ? p->jansen_rit.sigma > 0.0 : (wp->sigma_e > 0.0 || wp->sigma_i > 0.0)) {
    const char *key = isjr ? "sigma" : (wp->sigma_e > 0.0 ? "sigma_e" : "sigma_i");
    const char *w = lam_given_where(m, sec, key);
    return lam_err_set(err, LAM_EINVAL,
                       "%s%s%s.%s: expected 0 when %s drives the clocks (the gains are "
                       "deterministic), found a positive noise intensity",
                       w ? w : "", w ? ": " : "", sec, key, what);
  }
  const lam_mass_network_params net = {(long)T};
  lam_system *sys = NULL;
  void *owner = NULL;
  int rc;
  if (isjr) {
    lam_jansen_rit *jr = NULL;
    rc = lam_jansen_rit_new(&net, &p->jansen_rit, m, &jr, err);
    owner = jr;
    sys = rc ? NULL : lam_jansen_rit_system(jr);
  } else {
    lam_wilson_cowan *wc = NULL;
    rc = lam_wilson_cowan_new(&net, wp, m, &wc, err);
    owner = wc;
    sys = rc ? NULL : lam_wilson_cowan_system(wc);
  }
  if (rc) {
    return rc;
  }
  return lam_generator_new(isjr ? LAM_GENERATOR_JANSEN_RIT : LAM_GENERATOR_WILSON_COWAN,
                           sys, owner, isjr ? free_jr : free_wc, T,
                           p->clocks.warmup, what, out, err);
}

int lam_attention_clock(const lam_attention_params *p, const lam_given *given,
                        size_t T, lam_clock **out, lam_err *err) {
  *out = NULL;
  lam_generator *gen[2] = {NULL, NULL};
  int rc = LAM_OK;
  for (int b = 0; b < 2 && !rc; b++) {
    rc = build_generator(p, given, b, T, &gen[b], err);
  }
  if (!rc) {
    rc = lam_clock_build(&p->clocks, T, gen, out, err);
  }
  lam_generator_free(gen[0]);
  lam_generator_free(gen[1]);
  return rc;
}

/* The arrays (given, or seeded draws), the lateral matrix, the clocks and
 * the stimulus. */
static int build_inputs(lam_attention *a, const lam_attention_params *prm,
                        const lam_given *m, lam_err *err) {
  const lam_input_params in = prm->input;
  const lam_weight_params wp = prm->weights;
  const size_t T = a->d.T, H = a->d.H, din = (size_t)a->net.d_in, dk = a->d.dk,
               dv = a->d.dv;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    return LAM_NOMEM(err);
  }
  gsl_rng_set(rng, (unsigned long)in.seed);
  int rc = load_or_random(m, "input", "x", in.x, T, din, rng, 1.0, &a->X, err);
  if (!rc) {
    rc = load_or_random(m, "input", "z", in.z, 1, din, NULL, 0, &a->z, err);
  }
  gsl_rng_set(rng, (unsigned long)wp.seed);
  const double sd = wp.scale / sqrt((double)din);
  if (!rc) {
    rc = load_or_random(m, "weights", "wq", wp.wq, din, H * dk, rng, sd, &a->WQ,
                        err);
  }
  if (!rc) {
    rc = load_or_random(m, "weights", "wk", wp.wk, din, H * dk, rng, sd, &a->WK,
                        err);
  }
  if (!rc) {
    rc = load_or_random(m, "weights", "wv", wp.wv, din, H * dv, rng, sd, &a->WV,
                        err);
  }
  gsl_rng_free(rng);
  if (!rc && a->pl.teach[0]) {
    rc = load_teach(m, a, err);
  }
  if (!rc) {
    rc = build_lateral(m, a, err);
  }
  if (!rc) {
    rc = lam_attention_clock(prm, m, T, &a->clk, err);
  }
  if (!rc) {
    rc = lam_stimulus_new(&prm->stimulus, m, T, din, &a->stim, err);
  }
  if (rc) {
    return rc;
  }
  for (size_t u = 0; u < din; u++) {
    a->z[u] *= in.z_gain;
  }
  return LAM_OK;
}

/* The workspaces of the right-hand side. */
static int alloc_work(lam_attention *a, lam_err *err) {
  const size_t T = a->d.T, H = a->d.H, din = (size_t)a->net.d_in, dk = a->d.dk,
               dv = a->d.dv, nq = a->d.nq;
  int fail = 0;
  const size_t nk = H * dk, nv = H * dv;
  a->XV = xcalloc(T * nv, sizeof(double), &fail);
  a->XQ = xcalloc(T * nk, sizeof(double), &fail);
  a->XK = xcalloc(T * nk, sizeof(double), &fail);
  a->zQ = xcalloc(nk, sizeof(double), &fail);
  a->drive = xcalloc(T * (nk > nv ? nk : nv), sizeof(double), &fail);
  a->G = xcalloc(nq * H * T, sizeof(double), &fail);
  a->R = xcalloc(nq * H * T, sizeof(double), &fail);
  a->apfac = xcalloc(T, sizeof(double), &fail);
  a->gx = xcalloc(T, sizeof(double), &fail);
  a->gff = xcalloc(T, sizeof(double), &fail);
  a->gfb = xcalloc(T, sizeof(double), &fail);
  a->sx = xcalloc(T, sizeof(double), &fail);
  a->noisy = lam_stimulus_has_noise(a->stim);
  if (a->noisy) {
    a->eta = xcalloc(T * din, sizeof(double), &fail);
    a->Wcat = xcalloc(din * (nv + 2 * nk), sizeof(double), &fail);
    a->etacat = xcalloc(T * (nv + 2 * nk), sizeof(double), &fail);
  }
  /* The projection workspace serves the noise and the external input. */
  a->etaproj = xcalloc(T * (nk > nv ? nk : nv), sizeof(double), &fail);
  a->zt = xcalloc(din, sizeof(double), &fail);
  a->zQt = xcalloc(nk, sizeof(double), &fail);
  if (a->pl.enabled) {
    a->pre = xcalloc(T * din, sizeof(double), &fail);
    a->Pb = xcalloc(nq * H * T, sizeof(double), &fail);
    a->pldelta = xcalloc(nq * H * T, sizeof(double), &fail);
    a->plwork = xcalloc((nq + T) * nk, sizeof(double), &fail);
    if (a->pl.eligibility == LAM_ELIG_COINCIDENCE && a->col.gate == LAM_GATE_BAC) {
      a->plsat = xcalloc(2 * (nq + T) * nk, sizeof(double), &fail);
    }
  }
  a->colnm = a->col;
  if (a->nm.mode == LAM_NM_SURPRISE) {
    a->nmx = xcalloc(T * din, sizeof(double), &fail);
  }
  if (a->ping || a->deep) {
    a->Eq = xcalloc(T * H, sizeof(double), &fail);
    a->Lk = xcalloc(T, sizeof(double), &fail);
    a->somx = xcalloc(T, sizeof(double), &fail);
  }
  a->gatework = xcalloc((nq + T) * nk, sizeof(double), &fail);
  return fail ? LAM_NOMEM(err) : LAM_OK;
}

/* What does not depend on the state, once. */
static void project(lam_attention *a) {
  const size_t T = a->d.T, H = a->d.H, din = (size_t)a->net.d_in, dk = a->d.dk,
               dv = a->d.dv;
  const size_t nk = H * dk, nv = H * dv;
  /* Constant projections, once: XV = X W_V, XQ = X W_Q, XK = X W_K, zQ = z W_Q. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nv,
              (int)din, 1.0, a->X, (int)din, a->WV, (int)nv, 0.0, a->XV, (int)nv);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nk,
              (int)din, 1.0, a->X, (int)din, a->WQ, (int)nk, 0.0, a->XQ, (int)nk);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nk,
              (int)din, 1.0, a->X, (int)din, a->WK, (int)nk, 0.0, a->XK, (int)nk);
  cblas_dgemv(CblasRowMajor, CblasTrans, (int)din, (int)nk, 1.0, a->WQ,
              (int)nk, a->z, 1, 0.0, a->zQ, 1);
  if (a->noisy) {
    fill_wcat(a, a->WQ, a->WK, 1);
  }
  double zz = 0.0;
  for (size_t u = 0; u < din; u++) {
    zz += a->z[u] * a->z[u];
  }
  a->zrms = sqrt(zz / (double)din);
}

/* Populations, the state layout and the initial state. */
static int layout(lam_attention *a, lam_err *err) {
  const size_t T = a->d.T, H = a->d.H, din = (size_t)a->net.d_in, dk = a->d.dk,
               dv = a->d.dv, nq = a->d.nq;
  const size_t nk = H * dk, nv = H * dv;
  /* Populations and the state layout. */
  const lam_pop_info pops[NPOPS] = {
      {"l4", "a.u.", T, nv, "L4", "L4 spiny stellate cells: values V"},
      {"l23", "a.u.", T, nk, "L2/3", "L2/3 pyramidal cells: queries Q"},
      {"l5b", "a.u.", T, nk, "L5", "L5 soma / basal dendrites: keys K"},
      {"l5a", "a.u.", nq, H * T, "L1", "L5 apical tufts (in L1): coincidence A of query i and key j"},
      {"pv", "a.u.", nq, H, "L2/3", "PV interneurons: normalization P per query and head"},
      {"som", "a.u.", T, 1, "L5", "SOM interneurons: apical inhibition S"},
      {"vip", "a.u.", T, 1, "L2/3", "VIP interneurons: disinhibition I"},
      {"out", "a.u.", nq, nv, "L5", "L5 burst output: routed values O"},
      {"attn", "1", nq, H * T, "", "Burst rates R = attention weights (derived)"},
      {"clock_phase", "rad", T, 2, "", "Clock phases: gamma (unit 0) and alpha/beta (unit 1)"},
      {"clock_gain", "1", T, 2, "", "Clock gains: feedforward g_ff (unit 0) and feedback g_fb (unit 1)"},
      {"wq", "1", din, nk, "", "W_Q under burst-dependent plasticity (rows: input units)"},
      {"wk", "1", din, nk, "", "W_K under burst-dependent plasticity (rows: input units)"},
      {"pbar", "1", T, H, "", "Moving average Pbar of the burst probability"},
      {"nm_gain", "1", 1, 3, "", "Neuromodulatory gate g, apical factor f_A, beta factor f_beta (derived)"},
      {"nm_pred", "a.u.", T, din, "", "Prediction p of the input x_j (surprise mode)"},
      {"nm_surprise", "a.u.", 1, 1, "", "Surprise U: leaky integral of the RMS mismatch x - p"},
      {"ping", "a.u.", T, LAM_PING_NPER * H, "",
       "PING loop: slow mean Ebar of the L2/3 rate, PV -> L2/3 synapse G, slow mean Pbar of PV"},
      {"deep", "a.u.", T, LAM_DEEP_NPER, "",
       "Deep loop: slow mean Lbar of the L5 rate, SOM -> L5 synapse G, slow mean Sbar of SOM"},
  };
  memcpy(a->pops, pops, sizeof pops);
  size_t n = 0;
  for (size_t p = 0; p < P_ATTN; p++) {
    a->off[p] = n;
    n += a->pops[p].ncols * a->pops[p].nunits;
  }
  a->off[P_ATTN] = a->off[P_L5A];
  a->off[P_PHASE] = n; /* the clocks' own state, after the populations */
  a->off[P_GAIN] = n;
  n += lam_clock_nstate(a->clk);
  if (a->pl.enabled) { /* weights (and Pbar) after the clocks */
    a->off[P_WQ] = n;
    a->off[P_WK] = n + din * nk;
    n += 2 * din * nk;
    a->off[P_PBAR] = n;
    n += a->pl.pbar_tau > 0.0 ? T * H : 0;
  }
  a->off[P_NMG] = n; /* the neuromodulatory state last */
  a->off[P_NMP] = n;
  a->off[P_NMU] = n + T * din;
  n += lam_neuromod_nstate(&a->nm, T, din);
  a->off[P_PING] = n; /* the column's own rhythms after everything */
  n += a->ping ? T * LAM_PING_NPER * H : 0;
  a->off[P_DEEP] = n;
  n += a->deep ? T * LAM_DEEP_NPER : 0;
  a->y0 = calloc(n, sizeof *a->y0);
  a->dywork = calloc(n, sizeof *a->dywork);
  if (!a->y0 || !a->dywork) {
    return LAM_NOMEM(err);
  }
  lam_clock_init(a->clk, a->y0 + a->off[P_PHASE]);
  if (a->pl.enabled) {
    memcpy(a->y0 + a->off[P_WQ], a->WQ, din * nk * sizeof *a->y0);
    memcpy(a->y0 + a->off[P_WK], a->WK, din * nk * sizeof *a->y0);
    for (size_t i = 0; a->pl.pbar_tau > 0.0 && i < T * H; i++) {
      a->y0[a->off[P_PBAR] + i] = a->pl.pbar;
    }
  }
  if (a->nm.mode == LAM_NM_SURPRISE) { /* p(0) = x(0): no surprise at rest */
    lam_stimulus_gain(a->stim, 0.0, a->sx);
    for (size_t i = 0; i < T * din; i++) {
      a->y0[a->off[P_NMP] + i] = a->sx[i / din] * a->X[i];
    }
  }
  size_t rows = 0;
  for (size_t p = 0; p < P_ATTN; p++) {
    if (a->pops[p].ncols == T) {
      rows += a->pops[p].nunits;
    }
  }
  /* The clock observables exist only when the clocks run (the phases only
   * while a band keeps an oscillator: with both bands made by the column
   * there is no clock phase), the weights only under plasticity. */
  size_t npops = 0;
  for (size_t p = 0; p < NPOPS; p++) {
    int show = p < P_PHASE ||
               (p == P_PHASE && lam_clock_enabled(a->clk) && lam_clock_nstate(a->clk) > 0) ||
               (p == P_GAIN && lam_clock_enabled(a->clk)) ||
               (p >= P_WQ && p < P_NMG && a->pl.enabled &&
                (p != P_PBAR || a->pl.pbar_tau > 0.0)) ||
               (p == P_NMG && a->nm.mode != LAM_NM_OFF) ||
               ((p == P_NMP || p == P_NMU) && a->nm.mode == LAM_NM_SURPRISE) ||
               (p == P_PING && a->ping) || (p == P_DEEP && a->deep);
    if (show) {
      a->vis[npops] = a->pops[p];
      a->vmap[npops++] = p;
    }
  }
  a->sys = (lam_system){.ops = &ops, .self = a, .n = n, .npops = npops,
                        .pops = a->vis, .y0 = a->y0, .state_rows = rows,
                        .state_cols = T, .kind = "attention"};
  return LAM_OK;
}

int lam_attention_new(const lam_attention_params *prm, const lam_given *m,
                      lam_attention **out, lam_err *err) {
  *out = NULL;
  lam_attention *a = calloc(1, sizeof *a);
  if (!a) {
    return LAM_NOMEM(err);
  }
  a->col = prm->column;
  a->net = prm->network;
  a->pl = prm->plasticity;
  a->nm = prm->neuromod;
  int rc = check_size(m, prm, a, err);
  if (!rc) {
    rc = check_rhythms(prm, m, a, err);
  }
  if (!rc) {
    const size_t T = (size_t)a->net.columns;
    const size_t nq = a->net.topology == LAM_TOPO_SELF ? T : 1;
    a->d = (lam_dims){T, (size_t)a->net.heads, (size_t)a->net.d_k,
                      (size_t)a->net.d_v, nq, 1};
    rc = build_inputs(a, prm, m, err);
  }
  if (!rc) {
    rc = alloc_work(a, err);
  }
  if (!rc) {
    project(a);
    rc = layout(a, err);
  }
  if (rc) {
    lam_attention_free(a);
    return rc;
  }
  *out = a;
  return LAM_OK;
}

lam_system *lam_attention_system(lam_attention *a) { return &a->sys; }
const lam_column_params *lam_attention_column(const lam_attention *a) {
  return &a->col;
}
const lam_dims *lam_attention_dims(const lam_attention *a) { return &a->d; }
size_t lam_attention_din(const lam_attention *a) { return (size_t)a->net.d_in; }

const double *lam_attention_matrix(const lam_attention *a, const char *name) {
  if (!strcmp(name, "x")) {
    return a->X;
  }
  if (!strcmp(name, "z")) {
    return a->z;
  }
  if (!strcmp(name, "wq")) {
    return a->WQ;
  }
  if (!strcmp(name, "wk")) {
    return a->WK;
  }
  if (!strcmp(name, "wv")) {
    return a->WV;
  }
  return NULL;
}

long lam_attention_offset(const lam_attention *a, const char *pop) {
  for (size_t p = 0; p < NPOPS; p++) {
    const int state = p < P_ATTN ||
                      (p >= P_WQ && p < P_NMG && a->pl.enabled &&
                       (p != P_PBAR || a->pl.pbar_tau > 0.0)) ||
                      ((p == P_NMP || p == P_NMU) && a->nm.mode == LAM_NM_SURPRISE) ||
                      (p == P_PING && a->ping) || (p == P_DEEP && a->deep);
    if (state && !strcmp(a->pops[p].name, pop)) {
      return (long)a->off[p];
    }
  }
  return -1;
}
