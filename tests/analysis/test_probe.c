/* test_probe.c: the virtual laminar probe against closed forms.
 *
 * - CSD of a quadratic potential a z^2 + b z + c is the constant -2 a sigma
 *   (the second difference is exact for a parabola);
 * - CSD of a Gaussian potential exp(-(z - z0)^2 / (2 w^2)) approaches the
 *   analytic -sigma phi''(z) as O(h^2);
 * - the disc kernel at the disc centre is 1 / (2 pi sigma R) and far away
 *   the point-source potential 1 / (4 pi sigma d) (Coulomb);
 * - a very wide disc is a current sheet: its potential is piecewise linear
 *   in depth, so the CSD seen by the probe is the source density
 *   I / (pi R^2 h) at the source contact and ~0 at the others.
 * Depths in um, conductivity in S/m, currents in A: LFP in V, CSD in A/m^3.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lam_model.h"
#include "lam_probe.h"
#include "lam_params.h"

#define PI 3.141592653589793

static lam_probe_params defaults(void) {
  lam_probe_params p;
  lam_err err;
  cr_assert_eq(lam_probe_defaults(&p, &err), LAM_OK, "%s", err.msg);
  return p;
}

Test(probe, defaults_follow_hybridlfpy) {
  lam_probe_params p = defaults();
  cr_expect_eq(p.enabled, 0);
  cr_expect_eq(p.contacts, 16);
  cr_expect_float_eq(p.spacing_um, 100.0, 0);
  cr_expect_float_eq(p.first_um, 0.0, 0);
  cr_expect_float_eq(p.sigma_s_per_m, 0.3, 1e-15);
  cr_expect_float_eq(p.radius_um, 564.0, 0);
  /* Mid-layer depths of the Potjans-Diesmann column [S33]. */
  cr_expect_float_eq(lam_probe_layer_depth("L2/3"), 0.5 * (81.6 + 587.1), 1e-9);
  cr_expect_float_eq(lam_probe_layer_depth("l23"), 0.5 * (81.6 + 587.1), 1e-9);
  cr_expect_float_eq(lam_probe_layer_depth("L5"), 0.5 * (922.2 + 1170.0), 1e-9);
  cr_expect_float_eq(lam_probe_layer_depth("L1"), 40.8, 1e-9);
  cr_expect(isnan(lam_probe_layer_depth("L7")));
  cr_expect(isnan(lam_probe_layer_depth("")));
  cr_expect(isnan(lam_probe_layer_depth(NULL)));
  cr_expect_eq(lam_nlayers, 5);
  for (size_t i = 1; i < lam_nlayers; i++) {
    cr_expect_float_eq(lam_layers[i].top_um, lam_layers[i - 1].bottom_um, 0);
  }
}

Test(probe, csd_of_quadratic_is_constant) {
  lam_probe_params p = defaults();
  double depth = 500.0;
  lam_err err;
  lam_probe *pr = lam_probe_new(&p, 1, &depth, &err);
  cr_assert(pr, "%s", err.msg);
  cr_assert_eq(lam_probe_ncontacts(pr), 16);
  cr_assert_eq(lam_probe_ncsd(pr), 14);
  const double a = 3.0e4, b = -7.0, c = 0.25; /* V/m^2, V/m, V */
  double lfp[16], csd[14];
  for (size_t i = 0; i < 16; i++) {
    double z = lam_probe_contact_depth(pr, i) * 1e-6;
    cr_expect_float_eq(lam_probe_contact_depth(pr, i), 100.0 * (double)i, 1e-12);
    lfp[i] = a * z * z + b * z + c;
  }
  lam_probe_csd(pr, lfp, csd);
  for (size_t i = 0; i < 14; i++) {
    cr_expect_float_eq(csd[i], -2.0 * a * 0.3, 1e-6 * 2.0 * a * 0.3,
                       "contact %zu: %g A/m^3", i + 1, csd[i]);
  }
  lam_probe_free(pr);
}

Test(probe, csd_of_gaussian_matches_second_derivative) {
  lam_probe_params p = defaults();
  p.contacts = 101;
  p.spacing_um = 10.0;
  p.first_um = 0.0;
  double depth = 500.0;
  lam_err err;
  lam_probe *pr = lam_probe_new(&p, 1, &depth, &err);
  cr_assert(pr, "%s", err.msg);
  const double z0 = 480.0e-6, w = 120.0e-6, A = 1e-3;
  double lfp[101], csd[99], peak = 0.0, worst = 0.0;
  for (size_t i = 0; i < 101; i++) {
    double z = lam_probe_contact_depth(pr, i) * 1e-6, u = (z - z0) / w;
    lfp[i] = A * exp(-0.5 * u * u);
  }
  lam_probe_csd(pr, lfp, csd);
  for (size_t i = 0; i < 99; i++) {
    double z = lam_probe_contact_depth(pr, i + 1) * 1e-6, u = (z - z0) / w;
    double d2 = A * exp(-0.5 * u * u) * (u * u - 1.0) / (w * w);
    double want = -0.3 * d2;
    peak = fmax(peak, fabs(want));
    worst = fmax(worst, fabs(csd[i] - want));
  }
  /* h / w = 1/12: the O(h^2) error is ~(h/w)^2 / 4 of the peak at most. */
  cr_expect(worst < 0.005 * peak, "max error %g of peak %g A/m^3", worst, peak);
  lam_probe_free(pr);
}

Test(probe, disc_kernel_limits) {
  lam_probe_params p = defaults();
  p.contacts = 40;
  p.spacing_um = 500.0;
  double depth = 0.0;
  lam_err err;
  lam_probe *pr = lam_probe_new(&p, 1, &depth, &err);
  cr_assert(pr, "%s", err.msg);
  const double sigma = 0.3, R = 564e-6;
  /* Contact 0 at the disc centre. */
  cr_expect_float_eq(lam_probe_kernel(pr, 0, 0), 1.0 / (2.0 * PI * sigma * R),
                     1e-9 / (2.0 * PI * sigma * R));
  /* Contact 39 at 19.5 mm: point source to (R/d)^2 / 4 ~ 2e-4. */
  double d = 39 * 500e-6, far = 1.0 / (4.0 * PI * sigma * d);
  cr_expect(fabs(lam_probe_kernel(pr, 39, 0) / far - 1.0) < 3e-4,
            "far kernel %g vs point source %g ohm", lam_probe_kernel(pr, 39, 0), far);
  /* Monotone decay with distance. */
  for (size_t i = 1; i < 40; i++) {
    cr_expect(lam_probe_kernel(pr, i, 0) < lam_probe_kernel(pr, i - 1, 0));
  }
  lam_probe_free(pr);
}

Test(probe, wide_disc_csd_is_source_density) {
  lam_probe_params p = defaults();
  p.radius_um = 1e5; /* 10 cm: a current sheet at the scale of the probe */
  double depth = 700.0; /* on contact 7 */
  lam_err err;
  lam_probe *pr = lam_probe_new(&p, 1, &depth, &err);
  cr_assert(pr, "%s", err.msg);
  double I = 2e-6, lfp[16], csd[14];
  lam_probe_lfp(pr, &I, lfp);
  lam_probe_csd(pr, lfp, csd);
  double R = 0.1, h = 100e-6, dens = I / (PI * R * R * h);
  for (size_t i = 0; i < 14; i++) {
    if (i + 1 == 7) {
      cr_expect(fabs(csd[i] / dens - 1.0) < 2e-3, "source contact: %g vs %g A/m^3",
                csd[i], dens);
    } else {
      cr_expect(fabs(csd[i]) < 2e-3 * dens, "contact %zu: %g A/m^3", i + 1, csd[i]);
    }
  }
  lam_probe_free(pr);
}

/* LFP is linear in the currents; the block (dgemm) equals the per-sample
 * (dgemv) product and the kernel-weighted sum. */
Test(probe, lfp_linear_and_block_consistent) {
  lam_probe_params p = defaults();
  double depths[3] = {334.35, 754.65, 1046.1};
  lam_err err;
  lam_probe *pr = lam_probe_new(&p, 3, depths, &err);
  cr_assert(pr, "%s", err.msg);
  cr_assert_eq(lam_probe_npops(pr), 3);
  const size_t ns = 5, ld = 4;
  double cur[5 * 4], blk[5 * 16], one[16];
  for (size_t s = 0; s < ns; s++) {
    for (size_t j = 0; j < ld; j++) {
      cur[s * ld + j] = sin(1.0 + (double)(s * ld + j));
    }
  }
  lam_probe_lfp_block(pr, ns, cur, ld, blk);
  for (size_t s = 0; s < ns; s++) {
    lam_probe_lfp(pr, cur + s * ld, one);
    for (size_t i = 0; i < 16; i++) {
      double sum = 0.0;
      for (size_t j = 0; j < 3; j++) {
        sum += lam_probe_kernel(pr, i, j) * cur[s * ld + j];
      }
      cr_assert_float_eq(one[i], sum, 1e-12 * fabs(sum) + 1e-300);
      cr_assert_float_eq(blk[s * 16 + i], sum, 1e-12 * fabs(sum) + 1e-300);
    }
  }
  lam_probe_lfp_block(pr, 0, cur, ld, blk); /* no-op */
  lam_probe_free(pr);
}

/* [probe] of a model file, read as io/ reads it. */
static int probe_read(lam_model *m, lam_probe_params *p, lam_err *err) {
  lam_sim_params *sp = NULL;
  int rc = lam_params_from_model(m, &sp, err);
  if (!rc) {
    *p = sp->probe;
  }
  lam_sim_params_free(sp);
  return rc;
}

Test(probe, read_and_errors) {
  lam_model *m = lam_model_new();
  lam_err err;
  cr_assert_eq(lam_model_load_text(m, "[probe]\nenabled = true\ncontacts = 8\n"
                                      "spacing_um = 50\n",
                                   "probe.ini", ".", &err),
               LAM_OK, "%s", err.msg);
  lam_probe_params p;
  cr_assert_eq(probe_read(m, &p, &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(p.enabled, 1);
  cr_expect_eq(p.contacts, 8);
  cr_expect_float_eq(p.spacing_um, 50.0, 0);
  cr_expect_float_eq(p.radius_um, 564.0, 0);
  lam_model_free(m);

  m = lam_model_new();
  cr_assert_eq(lam_model_load_text(m, "[probe]\ncontacts = 2\n", "bad.ini", ".", &err),
               LAM_OK);
  cr_expect_neq(probe_read(m, &p, &err), LAM_OK);
  cr_expect(strstr(err.msg, "bad.ini:2"), "%s", err.msg);
  cr_expect(strstr(err.msg, "probe.contacts"), "%s", err.msg);
  lam_model_free(m);

  p = defaults();
  p.sigma_s_per_m = 0.0;
  double d = 100.0;
  cr_expect_null(lam_probe_new(&p, 1, &d, &err));
  cr_expect(strstr(err.msg, "sigma_s_per_m"), "%s", err.msg);
  p = defaults();
  d = NAN;
  cr_expect_null(lam_probe_new(&p, 1, &d, &err));
  cr_expect_null(lam_probe_new(&p, 0, &d, &err));
  lam_probe_free(NULL);
}
