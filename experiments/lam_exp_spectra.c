/* lam_exp_spectra.c: band power of population series for the rhythm
 * experiments: lam_exp_series at 1 kHz, Welch PSD by the segment rule
 * (analysis/lam_spectrum.h), integrated over each band. */
#include <stdlib.h>

#include "lam_experiment.h"
#include "lam_spectrum.h"

int lam_exp_band_power(lam_exp *x, const lam_sim_params *p, double t_end,
                       double t_skip, const char *const *pops, const double (*band)[2],
                       size_t nb, double *pw, lam_err *err) {
  enum { MAXP = 8 };
  const double dt = 0.001;
  size_t np = 0, n = 0;
  while (pops[np]) {
    np++;
  }
  if (np > MAXP) {
    return LAM_INTERNAL(err, "too many series");
  }
  double *s[MAXP] = {NULL};
  int rc = lam_exp_series(x, p, t_end, dt, t_skip, pops, s, &n, err);
  lam_welch *w = rc ? NULL : lam_welch_for(n, 1.0 / dt, 0.0, err);
  double *psd = w ? malloc(lam_welch_nfreq(w) * sizeof *psd) : NULL;
  if (!rc && (!w || !psd)) {
    rc = w ? LAM_NOMEM(err) : err->code;
  }
  for (size_t i = 0; !rc && i < np; i++) {
    rc = lam_welch_psd(w, s[i], n, 1, psd, err);
    for (size_t b = 0; !rc && b < nb; b++) {
      rc = lam_band_power(psd, lam_welch_nfreq(w), lam_welch_df(w), band[b][0],
                          band[b][1], &pw[i * nb + b], err);
    }
  }
  free(psd);
  lam_welch_free(w);
  for (size_t i = 0; i < np; i++) {
    free(s[i]);
  }
  return rc;
}
