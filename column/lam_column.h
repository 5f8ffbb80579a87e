/* lam_column.h: one attention column's parameters and population blocks.
 *
 * The populations of DESIGN.md section 2, one file each (column/l4.c,
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
#include "lam_model.h"
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
} lam_column_params;

extern const lam_param lam_column_table[];
extern const size_t lam_column_ntable;
#define LAM_COLUMN_KINDS "attention|jansen-rit|mejias2016|wilson-cowan"
enum { LAM_KIND_ATTENTION, LAM_KIND_JANSEN_RIT, LAM_KIND_MEJIAS, LAM_KIND_WILSON_COWAN };

int lam_column_read(lam_model *m, lam_column_params *p, lam_err *err);

/* F: the transfer function (DESIGN.md section 2), per element. */
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

/* Sizes shared by the blocks: T columns, H heads, feature sizes. */
typedef struct lam_dims {
  size_t T, H, dk, dv;
  size_t nq; /* queries per head: T (self topology) or 1 (topdown) */
  int threads; /* for the T x T blocks (core/lam_par.h; 0 or 1: one) */
} lam_dims;

/* Population blocks. Arrays are row-major with the column index first:
 *   V, O: T x (H*dv); Q, K: T x (H*dk); A, R: nq x (H*T); P: nq x H;
 *   S (SOM), I (VIP): T. Drives are precomputed by the network.
 * Each writes dy/dt for its own population and touches nothing else. */
void lam_l4_rhs(const lam_column_params *p, const lam_dims *d,
                const double *V, const double *drive, double *dV);
void lam_l23_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *Q, const double *drive, double *dQ);
void lam_l5b_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *K, const double *drive, double *dK);
/* Apical coincidence. G holds the gate values G(Q_i, K_j) (already scaled by
 * 1/sqrt(dk)); g_fb[j] is the feedback gain at key column j (where the
 * apical dendrite lives); som_div[j] = 1 + w_sa S_j. */
void lam_l5a_gate(const lam_column_params *p, const lam_dims *d,
                  const double *Qg, size_t ldq, const double *K, double *G,
                  double *work);
void lam_l5a_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *A, const double *G, const double *g_fb,
                 const double *som_div, double *dA);
/* PV normalization: the burst rates R from A and P, and dP/dt. */
void lam_pv_rates(const lam_column_params *p, const lam_dims *d,
                  const double *A, const double *P, double *R);
void lam_pv_rhs(const lam_column_params *p, const lam_dims *d,
                const double *P, const double *R, double *dP);
void lam_som_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *S, const double *Q, const double *K,
                 const double *vip, double *dS);
void lam_vip_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *vip, double zdrive, double *dI);
/* Routed value: dO_i = (-O_i + sum_j R_ij V_j) / tau_out (CBLAS). */
void lam_out_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *O, const double *R, const double *V,
                 double *dO);

#endif
