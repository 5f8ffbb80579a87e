/* lam_column.h: one attention column's parameters and population blocks.
 *
 * The populations of docs/model.md, one file each (column/l4.c,
 * l23.c, l5b.c, l5a.c, pv.c, som.c, vip.c, out.c): each file holds one
 * population's equation as a right-hand-side block over all columns and
 * heads of a network. circuits/lam_attention.c wires the blocks into one
 * state vector. Built-in defaults are the neutral ones (SOM and VIP
 * couplings zero), so that a model file that leaves them out is the ideal
 * transformer; models/default.ini turns the biology on.
 */
#ifndef LAM_COLUMN_H
#define LAM_COLUMN_H

#include <math.h>
#include <stddef.h>

#include "lam_error.h"
#include "lam_param.h"
#include "lam_param.h"

enum { LAM_F_LINEAR, LAM_F_RELU, LAM_F_SIGMOID };
enum { LAM_GATE_PRODUCT, LAM_GATE_BAC };
enum { LAM_PV_SUBTRACTIVE, LAM_PV_DIVISIVE, LAM_PV_THRESHOLD, LAM_PV_OFF };

/* [column]: time constants in s, couplings dimensionless (a.u. per a.u.). */
typedef struct lam_column_params {
  int kind; /* attention | jansen-rit | mejias2016 | wilson-cowan */
  double tau_l4, tau_l23, tau_l5b, tau_l5a, tau_pv, tau_som, tau_vip, tau_out;
  int transfer;
  double sigmoid_gain, sigmoid_threshold;
  int gate;
  double bac_saturation;
  int pv;
  double beta, pv_strength, pv_sigma, pv_gain;
  double w_s, w_vs, w_sa, c_vip;
  /* The column's own rhythms (column/rhythm.c; on with [clocks]
   * gamma_source = ping / alpha_source = deep, docs/rhythms.md). */
  double w_ep, w_pe, tau_gaba, w_ls, w_sl, tau_gsom, w_dl, tau_slow;
} lam_column_params;

extern const lam_param lam_column_table[];
extern const size_t lam_column_ntable;
#define LAM_COLUMN_KINDS "attention|jansen-rit|mejias2016|wilson-cowan"
enum { LAM_KIND_ATTENTION, LAM_KIND_JANSEN_RIT, LAM_KIND_MEJIAS, LAM_KIND_WILSON_COWAN };


/* F: the transfer function (docs/model.md), per element. */
static inline double lam_transfer(const lam_column_params *p, double x) {
  switch (p->transfer) {
  case LAM_F_RELU:
    return x > 0.0 ? x : 0.0;
  case LAM_F_SIGMOID:
    return 1.0 / (1.0 + exp(-p->sigmoid_gain * (x - p->sigmoid_threshold)));
  default:
    return x;
  }
}

/* The hot loops of the blocks are also compiled for AVX2 on x86-64 and the
 * loader picks the version the processor runs (as circuits/lam_nvector.c
 * does): the same operations on the same elements, so the same bits. gcc
 * only: clang refuses target_clones on a function declared before (the
 * fuzzing build, scripts/fuzz). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) && \
    defined(__has_attribute) /* the loader's choice needs glibc's ifunc */
#if __has_attribute(target_clones)
#define LAM_COLUMN_SIMD __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LAM_COLUMN_SIMD
#define LAM_COLUMN_SIMD
#endif

/* dY = k (-Y + F(drive)) over n units, k = 1 / tau: the leaky integration
 * of L4, L2/3 and L5 basal (leaky.c). Per element the same operations as
 * k * (-Y + lam_transfer(p, drive)). */
void lam_leaky_rhs(const lam_column_params *p, size_t n, double k,
                   const double *Y, const double *drive, double *dY);
/* The same over T rows of n units with the drive g[j] X[j, u] (+ c v[u]
 * when v is not NULL) formed in the loop instead of read from an array:
 * the bits of forming drive first and calling lam_leaky_rhs. */
void lam_leaky_rhs_gain(const lam_column_params *p, size_t T, size_t n,
                        double k, const double *Y, const double *g,
                        const double *X, double c, const double *v,
                        double *dY);

/* Sizes shared by the blocks: T columns, H heads, feature sizes. */
typedef struct lam_dims {
  size_t T, H, dk, dv;
  size_t nq; /* queries per head: T (self topology) or 1 (topdown) */
  int threads; /* for lam_apical_rhs, lam_pv_rates and the _gain forms
                * (core/lam_par.h; 0 or 1: one) */
} lam_dims;

/* lam_leaky_rhs_gain over d->T rows, split across d->threads threads from
 * LAM_PAR_MIN_VECTOR units on (the same bits for any count). */
void lam_leaky_rhs_gain_par(const lam_column_params *p, const lam_dims *d,
                            size_t n, double k, const double *Y,
                            const double *g, const double *X, double c,
                            const double *v, double *dY);

/* Population blocks. Arrays are row-major with the column index first:
 *   V, O: T x (H*dv); Q, K: T x (H*dk); A, R: nq x (H*T); P: nq x H;
 *   S (SOM), I (VIP): T. Drives are precomputed by the network.
 * Each writes dy/dt for its own population and touches nothing else.
 * The T x T ones over all queries (lam_l5a_gate, lam_l5a_rhs, lam_pv_rhs,
 * lam_out_rhs) run on one thread, but for the gate's key transpose (split
 * by d->threads from LAM_PAR_MIN_VECTOR values on): the network computes
 * them together, in units and threads, through lam_apical_rhs. */
void lam_l4_rhs(const lam_column_params *p, const lam_dims *d,
                const double *V, const double *drive, double *dV);
void lam_l23_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *Q, const double *drive, double *dQ);
void lam_l5b_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *K, const double *drive, double *dK);
/* The same when the drive is a per-column gain times a fixed projection and
 * nothing else (no noise, no external input, no lateral term): g[j] XV[j, :]
 * (L4: g = g_ff s), g[j] XQ[j, :] + c_td zQ (L2/3), s[j] XK[j, :] (L5
 * basal), formed while it is used (lam_leaky_rhs_gain; the same bits). */
void lam_l4_rhs_gain(const lam_column_params *p, const lam_dims *d,
                     const double *V, const double *g, const double *XV,
                     double *dV);
void lam_l23_rhs_gain(const lam_column_params *p, const lam_dims *d,
                      const double *Q, const double *g, const double *XQ,
                      double c_td, const double *zQ, double *dQ);
void lam_l5b_rhs_gain(const lam_column_params *p, const lam_dims *d,
                      const double *K, const double *s, const double *XK,
                      double *dK);
/* Apical coincidence. G holds the gate values G(Q_i, K_j) (already scaled by
 * 1/sqrt(dk)); g_fb[j] is the feedback gain at key column j (where the
 * apical dendrite lives); som_div[j] = 1 + w_sa S_j. The gate's work holds
 * (nq + T) H dk doubles, for either gate. */
void lam_l5a_gate(const lam_column_params *p, const lam_dims *d,
                  const double *Qg, size_t ldq, const double *K, double *G,
                  double *work);
/* lam_l5a_gate in its two parts: the operands (the query side, the queries
 * themselves or s(Q), at *q with leading dimension *ldq_out; the key side
 * transposed after it in work), then the gate values of head h for the
 * queries [i0, i1), one dgemm (G as above, rows i0 ... i1 - 1). */
void lam_l5a_gate_prepare(const lam_column_params *p, const lam_dims *d,
                          const double *Qg, size_t ldq, const double *K,
                          double *work, const double **q, size_t *ldq_out);
void lam_l5a_gate_rows(const lam_dims *d, const double *q, size_t ldq,
                       const double *work, size_t h, size_t i0, size_t i1,
                       double *G);
/* The apical equation as written, one division per unit; the network uses
 * the per-column factor of lam_l5a_rhs_rows (through lam_apical_rhs). */
void lam_l5a_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *A, const double *G, const double *g_fb,
                 const double *som_div, double *dA);
/* The same over the query-head rows [r0, r1) (T keys each) with the key
 * column's factor fac[j] = g_fb[j] / som_div[j] given (l5a.c). */
void lam_l5a_rhs_rows(const lam_column_params *p, size_t T, size_t r0,
                      size_t r1, const double *A, const double *G,
                      const double *fac, double *dA);
/* PV normalization: the burst rates R from A and P, and dP/dt; the _rows
 * forms do the query-head rows [r0, r1) only. */
void lam_pv_rates(const lam_column_params *p, const lam_dims *d,
                  const double *A, const double *P, double *R);
void lam_pv_rhs(const lam_column_params *p, const lam_dims *d,
                const double *P, const double *R, double *dP);
void lam_pv_rates_rows(const lam_column_params *p, size_t T, size_t r0,
                       size_t r1, const double *A, const double *P, double *R);
void lam_pv_rhs_rows(const lam_column_params *p, size_t T, size_t r0,
                     size_t r1, const double *P, const double *R, double *dP);
/* The T x T block of an evaluation (apical.c): the gate (l5a.c), dA (l5a.c,
 * with fac as in lam_l5a_rhs_rows), the rates R (pv.c, with ppv: the
 * parameters of the rates, p with a modulated beta or p itself), dP (pv.c)
 * and dO (out.c), a block of queries with all their heads (or one head of
 * a single query) at a time while its rows are in the core's cache. The
 * values of lam_l5a_gate, lam_l5a_rhs_rows, lam_pv_rates, lam_pv_rhs and
 * lam_out_rhs (the dgemms over fewer rows at a time). */
typedef struct lam_apical_args {
  const double *q;        /* the gate's query side (lam_l5a_gate_prepare) */
  size_t ldq;             /* its leading dimension */
  const double *gatework; /* the work lam_l5a_gate_prepare filled */
  const double *A, *P;    /* apical and PV states */
  const double *fac;      /* g_fb[j] / (1 + w_sa S_j), T */
  const double *O, *V;    /* routed output and value states */
  double *G, *R;          /* out: gate values and burst rates, nq x H T */
  double *dA, *dP, *dO;   /* out: the derivatives */
} lam_apical_args;
void lam_apical_rhs(const lam_column_params *p, const lam_column_params *ppv,
                    const lam_dims *d, const lam_apical_args *x);
void lam_som_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *S, const double *Q, const double *K,
                 const double *vip, double *dS);
/* The same with an extra drive x[j] inside F (the deep loop's L5 -> SOM
 * excitation, column/rhythm.c); x = NULL is lam_som_rhs, bit for bit. */
void lam_som_rhs_extra(const lam_column_params *p, const lam_dims *d,
                       const double *S, const double *Q, const double *K,
                       const double *vip, const double *x, double *dS);
/* The PING loop's L2/3 -> PV excitation (pv.c): dP_jh += w_ep (E_jh -
 * Ebar_jh) / tau_pv, E the mean L2/3 rate of column j's head h (T x H),
 * yping the loop's state (Ebar_jh at yping[3 H j + h]), for the self
 * topology (PV row j is column j's). */
void lam_pv_ping_add(const lam_column_params *p, const lam_dims *d,
                     const double *E, const double *yping, double *dP);

/* The column's own rhythms (rhythm.c; docs/rhythms.md, "Rhythms of the
 * column"). Per column j, state after the populations:
 *   ping: Ebar_jh, G_jh, Pbar_jh (3 H values): the slow mean of the L2/3
 *         rate E_jh, the PV -> L2/3 synapse, the slow mean of P_jh;
 *   deep: Lbar_j, G_j, Sbar_j (3 values): the slow mean of the L5 rate L_j,
 *         the SOM -> L5 synapse, the slow mean of S_j. */
enum { LAM_PING_NPER = 3, LAM_DEEP_NPER = 3 };
/* E[T H]: the mean over d_k of each head's queries; L[T]: the mean over all
 * heads and features of the keys. */
void lam_rhythm_rates(const lam_dims *d, const double *Y, int per_head,
                      double *out);
/* The state's right-hand sides (ping: T x 3H; deep: T x 3). */
void lam_ping_rhs(const lam_column_params *p, const lam_dims *d,
                  const double *E, const double *P, const double *y,
                  double *dy);
void lam_deep_rhs(const lam_column_params *p, const lam_dims *d,
                  const double *L, const double *S, const double *y,
                  double *dy);
/* The loops' extra drives, added to the drive arrays before F:
 * L2/3 (T x H d_k): - w_pe s (G_jh - Pbar_jh) (ping, when y_ping) and
 * + w_dl (L_j - Lbar_j) (deep -> superficial, when y_deep and L);
 * L5 basal (T x H d_k): - w_sl (G_j - Sbar_j); SOM (T): w_ls (L_j - Lbar_j). */
void lam_ping_l23_drive(const lam_column_params *p, const lam_dims *d,
                        const double *y_ping, const double *y_deep,
                        const double *L, double *drive);
void lam_deep_l5b_drive(const lam_column_params *p, const lam_dims *d,
                        const double *y_deep, double *drive);
void lam_deep_som_drive(const lam_column_params *p, const lam_dims *d,
                        const double *L, const double *y_deep, double *x);
/* The modulation signal of a rhythm: the relative fluctuation of a rate
 * around its slow mean, squashed into (-1, 1):
 *   c = tanh((r - rbar) / (|rbar| + LAM_RHYTHM_FLOOR)). */
#define LAM_RHYTHM_FLOOR 1e-3
/* Saturation x_s (a.u. of SOM) of the SOM -> L5 synapse of the deep loop:
 * its inhibition -w_sl x_s tanh((G - Sbar) / x_s) stays within w_sl x_s. */
#define LAM_DEEP_SAT 0.2
static inline double lam_rhythm_signal(double r, double rbar) {
  return tanh((r - rbar) / (fabs(rbar) + LAM_RHYTHM_FLOOR));
}
void lam_vip_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *vip, double zdrive, double *dI);
/* Routed value: dO_i = (-O_i + sum_j R_ij V_j) / tau_out (CBLAS). */
void lam_out_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *O, const double *R, const double *V,
                 double *dO);
/* The same for head h of the queries [i0, i1) (dO's other entries untouched). */
void lam_out_rows(const lam_column_params *p, const lam_dims *d,
                  const double *O, const double *R, const double *V, size_t h,
                  size_t i0, size_t i1, double *dO);

#endif
