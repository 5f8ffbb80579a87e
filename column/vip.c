/* vip.c: VIP cells, driven top-down, disinhibit the apical gate through SOM
 * (docs/model.md, "SOM and VIP"; del Molino 2017 [S35]).
 *   tau_vip dI_j/dt = -I_j + F(c_vip zbar(t))
 * zbar is the root-mean-square of the top-down input z at time t. */
#include "lam_column.h"

void lam_vip_rhs(const lam_column_params *p, const lam_dims *d,
                 const double *vip, double zdrive, double *dI) {
  const double k = 1.0 / p->tau_vip;
  const double target = lam_transfer(p, p->c_vip * zdrive);
  for (size_t j = 0; j < d->T; j++) {
    dI[j] = k * (-vip[j] + target);
  }
}
