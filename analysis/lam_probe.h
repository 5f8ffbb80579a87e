/* lam_probe.h: a virtual laminar probe: LFP at N contacts from population
 * currents at given depths, and its current source density.
 *
 * A laminar LFP proxy (docs/analysis.md): each population sits at
 * a cortical depth and a probe of contacts sees each population's synaptic
 * input through a depth kernel. The kernel is the potential on the axis of
 * a uniform disc of current of radius R in an infinite homogeneous medium
 * of conductivity sigma (a column of cross-section pi R^2):
 *
 *   phi(z) = I / (2 sigma pi R^2) * ( sqrt((z - z0)^2 + R^2) - |z - z0| )
 *
 * (Coulomb's law integrated over the disc; the delta-source model of
 * inverse CSD). Geometry and sigma default to the hybridLFPy microcircuit
 * [S33]: 16 contacts 100 um apart, the first at the pia (0 um), sigma = 0.3
 * S/m, R = 564 um (1 mm^2). The CSD is the standard second difference
 * CSD = -sigma (phi(z+h) - 2 phi(z) + phi(z-h)) / h^2 ([S37]), given
 * on the N - 2 interior contacts only (no invented boundary values).
 *
 * Units: depths in um below the pia (positive downwards); currents in A
 * give the LFP in V and the CSD in A/m^3 (distances converted to m). Rate
 * models feed currents in a.u.: the LFP is then in a.u. * ohm.
 */
#ifndef LAM_PROBE_H
#define LAM_PROBE_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_param.h"
#include "lam_param.h"

/* [probe] section. */
typedef struct lam_probe_params {
  int enabled;          /* record the probe at all (for callers) */
  long contacts;        /* N >= 3 */
  double spacing_um;    /* h */
  double first_um;      /* depth of contact 0 */
  double sigma_s_per_m; /* extracellular conductivity */
  double radius_um;     /* radius R of the disc sources */
} lam_probe_params;

extern const lam_param lam_probe_table[];
extern const size_t lam_probe_ntable;

/* Fill p with the table defaults. */
int lam_probe_defaults(lam_probe_params *p, lam_err *err);

/* Layer boundaries in um below the pia (hybridLFPy / Potjans-Diesmann
 * column [S33]). */
typedef struct lam_layer {
  const char *name; /* "L1", "L2/3", "L4", "L5", "L6" */
  double top_um, bottom_um;
} lam_layer;
extern const lam_layer lam_layers[];
extern const size_t lam_nlayers;

/* Mid-layer depth in um of "L1", "L2/3" (also "L23"), "L4", "L5", "L6";
 * NaN for any other name. */
double lam_probe_layer_depth(const char *layer);

typedef struct lam_probe lam_probe;

/* A probe for npops >= 1 populations at pop_depth_um[0 .. npops-1] (finite,
 * copied). The parameters are checked against the table ranges. */
lam_probe *lam_probe_new(const lam_probe_params *params, size_t npops,
                         const double *pop_depth_um, lam_err *err);
void lam_probe_free(lam_probe *p);

size_t lam_probe_ncontacts(const lam_probe *p);
size_t lam_probe_npops(const lam_probe *p);
/* Depth of contact i in um: first_um + i spacing_um. */
double lam_probe_contact_depth(const lam_probe *p, size_t i);
/* Kernel K[i][j] (ohm): LFP at contact i per unit current of population j. */
double lam_probe_kernel(const lam_probe *p, size_t contact, size_t pop);

/* One sample: lfp_out[i] = sum_j K[i][j] pop_current[j] (ncontacts values).
 * Allocation-free, cannot fail. */
void lam_probe_lfp(const lam_probe *p, const double *pop_current,
                   double *lfp_out);
/* nsamples at once: currents row-major nsamples x npops (row stride
 * ld_current >= npops), lfp_out row-major nsamples x ncontacts. */
void lam_probe_lfp_block(const lam_probe *p, size_t nsamples,
                         const double *current, size_t ld_current,
                         double *lfp_out);

/* CSD of one LFP sample (ncontacts values) at the interior contacts:
 * csd_out[i] at contact i + 1, i = 0 .. ncontacts - 3. */
size_t lam_probe_ncsd(const lam_probe *p);
void lam_probe_csd(const lam_probe *p, const double *lfp, double *csd_out);

#endif
