/* lam_granger.h: spectral Granger causality of a bivariate series.
 *
 * Prediction P9 (docs/experiments/README.md) asks in which frequency band each
 * direction of influence between two columns or layers is carried
 * (feedforward at gamma, feedback at alpha/beta). The measure is Geweke's
 * frequency-domain Granger causality, computed from a bivariate vector
 * autoregressive (VAR) model fitted by least squares:
 *
 *   u_t = c + sum_{l=1}^{p} A_l u_{t-l} + e_t,  u = (x, y),  cov(e) = Sigma
 *   A(f) = I - sum_l A_l exp(-i 2 pi f l / fs),  H(f) = A(f)^{-1},
 *   S(f) = H Sigma H^*  (spectral matrix up to a constant factor)
 *   f_{y->x}(f) = ln( S_xx / (S_xx - (Sigma_yy - Sigma_xy^2/Sigma_xx) |H_xy|^2) )
 *   f_{x->y}(f) = ln( S_yy / (S_yy - (Sigma_xx - Sigma_xy^2/Sigma_yy) |H_yx|^2) )
 *
 * (Geweke 1982, J Am Stat Assoc 77:304; in the form of Ding, Chen &
 * Bressler 2006, "Granger causality: basic theory and application to
 * neuroscience"; both in docs/references.md). The order p is chosen
 * by AIC or BIC over 1..pmax, every order fitted on the same samples
 * (t = pmax .. n-1), then the chosen order is refitted on t = p .. n-1:
 *   AIC(p) = ln det Sigma_p + 2 p m^2 / N,  BIC(p) = ln det Sigma_p +
 *   ln(N) p m^2 / N,  m = 2 channels, N samples fitted, Sigma the maximum-
 *   likelihood (divide by N) residual covariance.
 * Values are dimensionless (nats); 0 means no influence at that frequency.
 */
#ifndef LAM_GRANGER_H
#define LAM_GRANGER_H

#include <stddef.h>

#include "lam_error.h"

enum { LAM_GRANGER_AIC, LAM_GRANGER_BIC, LAM_GRANGER_FIXED };

/* Grid points of the band mean (trapezoid rule): the spectra of a VAR of
 * order p are smooth on the scale fs / p, so this resolves any band. */
#define LAM_GRANGER_BAND_POINTS 256

typedef struct lam_granger lam_granger;

/* Fit x[i xstride], y[i ystride] (n samples each, finite) sampled at fs Hz.
 * criterion: LAM_GRANGER_AIC or _BIC choose the order in 1..pmax,
 * LAM_GRANGER_FIXED uses pmax. Errors: LAM_EINVAL for pmax < 1, fs <= 0,
 * too few samples (n must exceed pmax + 1 + 2 pmax) or a singular residual
 * covariance (e.g. y a copy of x); LAM_ENONFINITE; LAM_ENOMEM;
 * LAM_EINTERNAL if GSL fails. For a samples x 2 row-major array d, pass
 * x = d, y = d + 1, strides 2. */
lam_granger *lam_granger_new(const double *x, size_t xstride, const double *y,
                             size_t ystride, size_t n, double fs, size_t pmax,
                             int criterion, lam_err *err);
void lam_granger_free(lam_granger *g);

/* The fitted order. */
size_t lam_granger_order(const lam_granger *g);
/* The information criterion of order p (1 .. pmax) on the common sample;
 * NaN with LAM_GRANGER_FIXED or p out of range. */
double lam_granger_ic(const lam_granger *g, size_t p);
/* A_l[i][j] (lag l in 1..order; i, j in {0 = x, 1 = y}): the weight of
 * channel j at lag l in the equation of channel i. NaN out of range. */
double lam_granger_coef(const lam_granger *g, size_t lag, size_t i, size_t j);
/* Residual covariance Sigma[i][j] of the fitted order. */
double lam_granger_noise_cov(const lam_granger *g, size_t i, size_t j);

/* Spectral Granger causality at f_hz (0 <= f <= fs/2) in both directions. */
int lam_granger_spectrum(const lam_granger *g, double f_hz, double *x_to_y,
                         double *y_to_x, lam_err *err);
/* Mean of each direction over [f_lo, f_hi] Hz (0 <= f_lo < f_hi <= fs/2). */
int lam_granger_band(const lam_granger *g, double f_lo, double f_hi,
                     double *x_to_y, double *y_to_x, lam_err *err);

#endif
