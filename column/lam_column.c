/* lam_column.c: the [column] parameter table (units, defaults, ranges).
 *
 * Time constants: docs/model.md, "Time constants and units" (L5 soma 16 ms and
 * apical dendrite 7 ms from Naud's two-compartment neuron [S23]; PV 8 ms, SOM
 * and VIP 16 ms from del Molino 2017 [S35]). The built-in defaults are the
 * ideal transformer: linear F, product gate, subtractive PV, beta = 1, no
 * SOM/VIP.
 */
#include "lam_column.h"

#define S lam_column_params
const lam_param lam_column_table[] = {
    LAM_CHOICE(S, kind, "attention", LAM_COLUMN_KINDS,
               "Column model: the attention column or an emergent-rhythm neural mass"),
    LAM_REAL(S, tau_l4, "0.010", "s", 1e-5, 10, "L4 spiny stellate (values V) time constant"),
    LAM_REAL(S, tau_l23, "0.010", "s", 1e-5, 10, "L2/3 pyramidal (queries Q) time constant"),
    LAM_REAL(S, tau_l5b, "0.016", "s", 1e-5, 10, "L5 soma / basal dendrite (keys K) time constant [S23]"),
    LAM_REAL(S, tau_l5a, "0.007", "s", 1e-5, 10, "L5 apical dendrite (Q.K coincidence) time constant [S23]"),
    LAM_REAL(S, tau_pv, "0.008", "s", 1e-5, 10, "PV interneuron (normalization) time constant [S35]"),
    LAM_REAL(S, tau_som, "0.016", "s", 1e-5, 10, "SOM interneuron time constant [S35]"),
    LAM_REAL(S, tau_vip, "0.016", "s", 1e-5, 10, "VIP interneuron time constant [S35]"),
    LAM_REAL(S, tau_out, "0.020", "s", 1e-5, 10, "L5 burst output (routed value O) time constant"),
    LAM_CHOICE(S, transfer, "linear", "linear|relu|sigmoid",
               "Transfer function F of L4, L2/3, L5 basal, SOM and VIP"),
    LAM_REAL(S, sigmoid_gain, "4", "1/a.u.", 1e-6, 1e6, "Slope of the sigmoid F"),
    LAM_REAL(S, sigmoid_threshold, "0.5", "a.u.", -1e6, 1e6, "Half-activation point of the sigmoid F"),
    LAM_CHOICE(S, gate, "product", "product|bac",
               "Apical gate G: ideal dot product, or saturating BAC-like coincidence sum_m s(Q_m) s(K_m)"),
    LAM_REAL(S, bac_saturation, "1", "a.u.", 1e-6, 1e6,
             "Saturation level x_s of the BAC gate, s(x) = x_s tanh(x / x_s)"),
    LAM_CHOICE(S, pv, "subtractive", "subtractive|divisive|threshold|off",
               "PV normalization mode (equations: docs/model.md)"),
    LAM_REAL(S, beta, "1", "1/a.u.", 0, 1e3, "Inverse temperature of the burst nonlinearity R = exp(beta (A - P))"),
    LAM_REAL(S, pv_strength, "1", "1", 0, 10,
             "Strength of PV inhibition onto the burst rates (1 normal, 0 silenced)"),
    LAM_REAL(S, pv_sigma, "1", "a.u.", 1e-9, 1e6, "Semi-saturation sigma of divisive PV, R = exp(beta A) / (sigma + g P)"),
    LAM_REAL(S, pv_gain, "1", "1", 0, 1e6, "Gain g of divisive PV"),
    LAM_REAL(S, w_s, "0", "1", 0, 1e3, "SOM drive from the column's mean Q and K"),
    LAM_REAL(S, w_vs, "0", "1", 0, 1e3, "VIP -> SOM inhibition"),
    LAM_REAL(S, w_sa, "0", "1", 0, 1e3, "SOM -> apical dendrite division, G / (1 + w_sa S)"),
    LAM_REAL(S, c_vip, "0", "1", 0, 1e3, "Top-down drive onto VIP"),
    LAM_REAL(S, w_ep, "5", "1", 0, 1e3,
             "PING (clocks.gamma_source = ping): L2/3 -> PV excitation, tau_pv dP += w_ep (E - Ebar) [S8][S42]"),
    LAM_REAL(S, w_pe, "5", "1", 0, 1e3,
             "PING: PV -> L2/3 inhibition through the synapse G, drive -= w_pe s (G - Pbar) [S8][S42]"),
    LAM_REAL(S, tau_gaba, "0.003", "s", 1e-5, 10,
             "PING: time constant of the PV -> L2/3 (GABA-A) synapse G [S43]"),
    LAM_REAL(S, w_ls, "10", "1", 0, 1e3,
             "Deep loop (clocks.alpha_source = deep): L5 -> SOM excitation, w_ls (L - Lbar) inside F [S8]"),
    LAM_REAL(S, w_sl, "10", "1", 0, 1e3,
             "Deep loop: SOM -> L5 basal inhibition through the synapse G, drive -= w_sl (G - Sbar) [S8][S39]"),
    LAM_REAL(S, tau_gsom, "0.020", "s", 1e-5, 10,
             "Deep loop: time constant of the SOM -> L5 synapse G [S8]"),
    LAM_REAL(S, w_dl, "0", "1", -1e3, 1e3,
             "Deep -> superficial link (ping and deep on): L2/3 drive += w_dl (L - Lbar); 0 switches PAC off [S8]"),
    LAM_REAL(S, tau_slow, "0.1", "s", 1e-4, 100,
             "Column rhythms: time constant of the slow means Ebar, Pbar, Lbar, Sbar the loops act around"),
};
#undef S
const size_t lam_column_ntable = LAM_NELEM(lam_column_table);

