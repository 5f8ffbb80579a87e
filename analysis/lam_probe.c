/* lam_probe.c: the virtual laminar probe: disc-source depth kernel, LFP as a
 * kernel-matrix product (CBLAS), CSD as the interior second difference.
 *
 * The kernel matrix K (ncontacts x npops) is computed once in _new; each
 * LFP sample is then one dgemv, a block of samples one dgemm. Geometry and
 * formulas in lam_probe.h and docs/analysis.md ([S33], [S37]).
 */
#include "lam_probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* GSL declares the CBLAS interface too; OpenBLAS provides the symbols. */
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_math.h> /* M_PI */

#define UM_TO_M 1e-6

#define S lam_probe_params
const lam_param lam_probe_table[] = {
    LAM_BOOL(S, enabled, "false", "Record the virtual laminar probe (LFP and CSD)"),
    LAM_INT(S, contacts, "16", "1", 3, 1024,
            "Number of probe contacts (hybridLFPy microcircuit: 16) [S33]"),
    LAM_REAL(S, spacing_um, "100", "um", 1, 10000,
             "Distance between neighbouring contacts [S33]"),
    LAM_REAL(S, first_um, "0", "um", -10000, 10000,
             "Depth of the first contact below the pia (hybridLFPy: at the pia) [S33]"),
    LAM_REAL(S, sigma_s_per_m, "0.3", "S/m", 1e-4, 100,
             "Extracellular conductivity, homogeneous and isotropic [S33]"),
    LAM_REAL(S, radius_um, "564", "um", 1, 1e5,
             "Radius of the disc current sources: a 1 mm^2 column [S33]"),
};
#undef S
const size_t lam_probe_ntable = LAM_NELEM(lam_probe_table);

int lam_probe_defaults(lam_probe_params *p, lam_err *err) {
  return lam_param_defaults(lam_probe_table, lam_probe_ntable, p, err);
}


/* Potjans & Diesmann column boundaries as used by hybridLFPy [S33]. */
const lam_layer lam_layers[] = {
    {"L1", 0.0, 81.6},      {"L2/3", 81.6, 587.1}, {"L4", 587.1, 922.2},
    {"L5", 922.2, 1170.0},  {"L6", 1170.0, 1491.7},
};
const size_t lam_nlayers = LAM_NELEM(lam_layers);

double lam_probe_layer_depth(const char *layer) {
  if (!layer) {
    return NAN;
  }
  const char *name = strcasecmp(layer, "L23") == 0 ? "L2/3" : layer;
  for (size_t i = 0; i < lam_nlayers; i++) {
    if (strcasecmp(lam_layers[i].name, name) == 0) {
      return 0.5 * (lam_layers[i].top_um + lam_layers[i].bottom_um);
    }
  }
  return NAN;
}

struct lam_probe {
  size_t nc, np;
  double first_um, spacing_um, sigma;
  double *K; /* nc x np, row-major, ohm */
};

void lam_probe_free(lam_probe *p) {
  if (!p) {
    return;
  }
  free(p->K);
  free(p);
}

/* Range check of the numeric rows, so a hand-filled bundle gets the same
 * validation as a model file. */
static int check_params(const lam_probe_params *params, lam_err *err) {
  for (size_t i = 0; i < lam_probe_ntable; i++) {
    const lam_param *t = &lam_probe_table[i];
    const char *f = (const char *)params + t->offset;
    double v;
    if (t->type == LAM_PT_REAL) {
      v = *(const double *)f;
    } else if (t->type == LAM_PT_INT) {
      v = (double)*(const long *)f;
    } else {
      continue;
    }
    if (!(v >= t->min && v <= t->max)) {
      return lam_err_set(err, LAM_EINVAL,
                         "probe.%s: expected a value in [%g, %g] %s, found %g",
                         t->key, t->min, t->max, t->unit, v);
    }
  }
  return LAM_OK;
}

/* Disc-source kernel in ohm at axial distance d_um from a disc of radius
 * r_um: (sqrt(d^2 + R^2) - |d|) / (2 sigma pi R^2), lengths in m. */
static double disc_kernel(double d_um, double r_um, double sigma) {
  double d = fabs(d_um) * UM_TO_M, r = r_um * UM_TO_M;
  /* sqrt(d^2+R^2) - d = R^2 / (sqrt(d^2+R^2) + d): no cancellation far away. */
  return (r * r / (hypot(d, r) + d)) / (2.0 * sigma * M_PI * r * r);
}

lam_probe *lam_probe_new(const lam_probe_params *params, size_t npops,
                         const double *pop_depth_um, lam_err *err) {
  if (!params || !pop_depth_um || npops < 1) {
    lam_err_set(err, LAM_EINVAL,
                "probe: expected parameters and >= 1 population depth");
    return NULL;
  }
  if (check_params(params, err) != LAM_OK) {
    return NULL;
  }
  for (size_t j = 0; j < npops; j++) {
    if (!isfinite(pop_depth_um[j])) {
      lam_err_set(err, LAM_EINVAL, "probe: depth of population %zu is not finite",
                  j);
      return NULL;
    }
  }
  lam_probe *p = calloc(1, sizeof *p);
  if (!p) {
    LAM_NOMEM(err);
    return NULL;
  }
  p->nc = (size_t)params->contacts;
  p->np = npops;
  p->first_um = params->first_um;
  p->spacing_um = params->spacing_um;
  p->sigma = params->sigma_s_per_m;
  p->K = malloc(p->nc * p->np * sizeof *p->K);
  if (!p->K) {
    lam_probe_free(p);
    LAM_NOMEM(err);
    return NULL;
  }
  for (size_t i = 0; i < p->nc; i++) {
    double z = lam_probe_contact_depth(p, i);
    for (size_t j = 0; j < p->np; j++) {
      p->K[i * p->np + j] =
          disc_kernel(z - pop_depth_um[j], params->radius_um, p->sigma);
    }
  }
  return p;
}

size_t lam_probe_ncontacts(const lam_probe *p) { return p->nc; }
size_t lam_probe_npops(const lam_probe *p) { return p->np; }
size_t lam_probe_ncsd(const lam_probe *p) { return p->nc - 2; }

double lam_probe_contact_depth(const lam_probe *p, size_t i) {
  return p->first_um + (double)i * p->spacing_um;
}

double lam_probe_kernel(const lam_probe *p, size_t contact, size_t pop) {
  return p->K[contact * p->np + pop];
}

void lam_probe_lfp(const lam_probe *p, const double *pop_current,
                   double *lfp_out) {
  cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p->nc, (int)p->np, 1.0, p->K,
              (int)p->np, pop_current, 1, 0.0, lfp_out, 1);
}

void lam_probe_lfp_block(const lam_probe *p, size_t nsamples,
                         const double *current, size_t ld_current,
                         double *lfp_out) {
  if (nsamples == 0) {
    return;
  }
  /* LFP (nsamples x nc) = current (nsamples x np) K^T. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nsamples,
              (int)p->nc, (int)p->np, 1.0, current, (int)ld_current, p->K,
              (int)p->np, 0.0, lfp_out, (int)p->nc);
}

void lam_probe_csd(const lam_probe *p, const double *lfp, double *csd_out) {
  double h = p->spacing_um * UM_TO_M;
  double c = -p->sigma / (h * h);
  for (size_t i = 1; i + 1 < p->nc; i++) {
    csd_out[i - 1] = c * (lfp[i + 1] - 2.0 * lfp[i] + lfp[i - 1]);
  }
}
