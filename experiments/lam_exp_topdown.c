/* lam_exp_topdown.c: the top-down protocol of lam_exp_topdown.h. The runs
 * take their inputs as arrays; they are written as CSV files in
 * DIR/NAME/inputs/ too, so that every run can be repeated by hand with
 * `laminar run`. */
#include "lam_exp_topdown.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_attention.h"
#include "lam_attn.h"
#include "lam_exp_util.h"
#include "lam_outfile.h"

int lam_exp_write_csv(const char *path, const double *a, size_t rows,
                      size_t cols, lam_err *err) {
  lam_outfile *of = NULL;
  FILE *f = NULL;
  int rc = lam_outfile_open(path, "input file", 0, &of, err);
  if (!rc && !(f = lam_outfile_stream(of, err))) {
    rc = LAM_EIO;
  }
  if (rc) {
    lam_outfile_abandon(of, 0, NULL);
    return rc;
  }
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      fprintf(f, c ? ",%.17g" : "%.17g", a[r * cols + c]);
    }
    fputc('\n', f);
  }
  if (lam_outfile_check(of, err)) {
    lam_outfile_abandon(of, 0, NULL);
    return LAM_EIO;
  }
  return lam_outfile_commit(of, NULL, NULL, err);
}

int lam_exp_graded_inputs(size_t T, size_t d, unsigned long seed, double *X,
                          double *z, lam_err *err) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) {
    return LAM_NOMEM(err);
  }
  gsl_rng_set(rng, seed);
  double zz = 0.0;
  for (size_t u = 0; u < d; u++) {
    z[u] = gsl_ran_ugaussian(rng);
    zz += z[u] * z[u];
  }
  for (size_t u = 0; u < d; u++) {
    z[u] *= sqrt((double)d / zz);
  }
  for (size_t j = 0; j < T; j++) {
    const double m = T > 1 ? (double)j / (double)(T - 1) : 1.0;
    double *x = X + j * d, nz = 0.0, nn = 0.0;
    for (size_t u = 0; u < d; u++) {
      x[u] = gsl_ran_ugaussian(rng);
      nz += x[u] * z[u];
    }
    for (size_t u = 0; u < d; u++) { /* Gram-Schmidt against z */
      x[u] -= nz / (double)d * z[u];
      nn += x[u] * x[u];
    }
    const double sn = nn > 0.0 ? sqrt((double)d / nn) : 0.0;
    for (size_t u = 0; u < d; u++) {
      x[u] = m * z[u] + sqrt(1.0 - m * m) * sn * x[u];
    }
  }
  gsl_rng_free(rng);
  return LAM_OK;
}

void lam_exp_td_out_free(lam_exp_td_out *o) {
  free(o->l4);
  memset(o, 0, sizeof *o);
}

static double row_norm(const double *y, size_t ncols) {
  double s = 0.0;
  for (size_t u = 0; u < ncols; u++) {
    s += y[u] * y[u];
  }
  return sqrt(s);
}

int lam_exp_td_run(lam_exp *x, const lam_sim_params *base, const lam_exp_td *td,
                   lam_exp_td_out *out, lam_err *err) {
  memset(out, 0, sizeof *out);
  const size_t T = td->T, d = td->d;
  const long seed = base->input.seed;
  char dir[1100], px[1200], pz[1200], pi[1200];
  snprintf(dir, sizeof dir, "%s/inputs", lam_exp_dir(x));
  int rc = lam_exp_mkdirs(dir, err);
  if (rc) {
    return rc;
  }
  /* One file per seed: same inputs whatever condition runs them. */
  const char *tag = td->tag ? td->tag : "";
  snprintf(px, sizeof px, "%s/x_seed%ld%s.csv", dir, seed, tag);
  snprintf(pz, sizeof pz, "%s/z_seed%ld%s.csv", dir, seed, tag);
  snprintf(pi, sizeof pi, "%s/identity_%zu.csv", dir, d);
  double *eye = calloc(3 * d * d, sizeof *eye);
  if (!eye) {
    return LAM_NOMEM(err);
  }
  if (td->proj_seed) {
    /* Random projections: Q.K is no longer the input similarity itself,
     * and the three projections differ. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
      free(eye);
      return LAM_NOMEM(err);
    }
    gsl_rng_set(rng, td->proj_seed);
    for (size_t u = 0; u < 3 * d * d; u++) {
      eye[u] = gsl_ran_gaussian(rng, 1.0 / sqrt((double)d));
    }
    gsl_rng_free(rng);
  } else {
    for (size_t k = 0; k < 3; k++) {
      for (size_t u = 0; u < d; u++) {
        eye[k * d * d + u * d + u] = 1.0;
      }
    }
  }
  rc = lam_exp_write_csv(px, td->X, T, d, err);
  if (!rc) {
    rc = lam_exp_write_csv(pz, td->z, 1, d, err);
  }
  /* The projections as files too: identity_<d>.csv, or
   * w{q,k,v}_<d>_proj<seed>.csv for random ones. */
  for (size_t k = 0; !rc && k < (td->proj_seed ? 3u : 1u); k++) {
    if (td->proj_seed) {
      snprintf(pi, sizeof pi, "%s/w%c_%zu_proj%lu.csv", dir, "qkv"[k], d, td->proj_seed);
    }
    rc = lam_exp_write_csv(pi, eye + k * d * d, d, d, err);
  }
  lam_sim_params *p = rc ? NULL : lam_sim_params_copy(base, err);
  if (!rc && !p) {
    rc = err && err->code ? err->code : LAM_ENOMEM;
  }
  if (!rc) {
    p->network.topology = LAM_TOPO_TOPDOWN;
    p->network.heads = 1;
    /* The basal drive is the stimulus level of a constant protocol. */
    p->stimulus.protocol = LAM_STIM_CONSTANT;
    p->stimulus.amplitude = 0.0;
    p->network.columns = (long)T;
    p->network.d_in = (long)d;
    p->network.d_k = (long)d;
    p->network.d_v = (long)d;
    p->input.z_gain = td->apical;
    p->stimulus.level = td->basal;
    rc = lam_sim_params_set_array(p, "input.x", T, d, td->X, err);
  }
  if (!rc) {
    rc = lam_sim_params_set_array(p, "input.z", 1, d, td->z, err);
  }
  const char *const w[3] = {"weights.wq", "weights.wk", "weights.wv"};
  for (size_t k = 0; !rc && k < 3; k++) {
    rc = lam_sim_params_set_array(p, w[k], d, d, eye + k * d * d, err);
  }
  free(eye);
  lam_sim *sim = NULL;
  if (!rc) {
    rc = lam_exp_simulate(x, p, td->t_end, &sim, err);
  }
  if (!rc) {
    lam_attention *a = lam_sim_impl(sim, "attention");
    const double *y = lam_sim_state(sim);
    double *buf = calloc(5 * T + d + 2 * T * d, sizeof *buf);
    if (!buf) {
      rc = LAM_NOMEM(err);
    } else {
      out->l4 = buf;
      out->l23 = buf + T;
      out->l5b = buf + 2 * T;
      out->attn = buf + 3 * T;
      out->out = buf + 5 * T;
      out->V = out->out + d;
      out->Q = out->V + T * d;
      out->T = T;
      out->d = d;
      const double *V = y + lam_attention_offset(a, "l4"),
                   *Q = y + lam_attention_offset(a, "l23"),
                   *K = y + lam_attention_offset(a, "l5b"),
                   *O = y + lam_attention_offset(a, "out");
      for (size_t j = 0; j < T; j++) {
        out->l4[j] = row_norm(V + j * d, d);
        out->l23[j] = row_norm(Q + j * d, d);
        out->l5b[j] = row_norm(K + j * d, d);
      }
      size_t nq, H, TT;
      rc = lam_attn_weights(lam_sim_system(sim), y, buf + 3 * T, &nq, &H, &TT,
                            err); /* nq = H = 1 */
      memcpy(out->out, O, d * sizeof *O);
      memcpy(out->V, V, T * d * sizeof *V);
      memcpy(out->Q, Q, T * d * sizeof *Q);
    }
  }
  lam_sim_free(sim);
  lam_sim_params_free(p);
  if (rc) {
    lam_exp_td_out_free(out);
  }
  return rc;
}
