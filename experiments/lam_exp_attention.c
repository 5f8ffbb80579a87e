/* lam_exp_attention.c: attention read-outs shared by the experiments:
 * the weights R of a finished simulation, their entropy, and closed-form
 * transformer attention from the same matrices (docs/model.md, "Anchor
 * identity"). */
#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>

#include "lam_attention.h"
#include "lam_exp_util.h"
#include "lam_experiment.h"

int lam_exp_weights(lam_sim *sim, double *w, size_t *nq, size_t *H, size_t *T,
                    lam_err *err) {
  lam_attention *a = lam_sim_impl(sim, "attention");
  if (!a) {
    return lam_err_set(err, LAM_EINVAL,
                       "experiment: needs an attention model ([column] kind = attention)");
  }
  const lam_system *sys = lam_sim_system(sim);
  long p = lam_exp_pop_index(sys, "attn");
  const lam_dims *d = lam_attention_dims(a);
  if (p < 0) {
    return LAM_INTERNAL(err, "no attn population");
  }
  *nq = d->nq;
  *H = d->H;
  *T = d->T;
  if (w) {
    sys->ops->observe(sys->self, (size_t)p, 0.0, lam_sim_state(sim), w);
  }
  return LAM_OK;
}

double lam_exp_entropy(const double *w, size_t nq, size_t H, size_t T) {
  double total = 0.0;
  for (size_t q = 0; q < nq * H; q++) {
    const double *r = w + q * T;
    double s = 0.0;
    for (size_t j = 0; j < T; j++) {
      s += r[j] > 0.0 ? r[j] : 0.0;
    }
    double h = 0.0;
    for (size_t j = 0; s > 0.0 && j < T; j++) {
      const double pj = (r[j] > 0.0 ? r[j] : 0.0) / s;
      h -= pj > 0.0 ? pj * log(pj) : 0.0;
    }
    total += h;
  }
  return total / (double)(nq * H);
}

int lam_exp_attention_reference(lam_sim *sim, double *ref, lam_err *err) {
  lam_attention *a = lam_sim_impl(sim, "attention");
  if (!a) {
    return lam_err_set(err, LAM_EINVAL,
                       "experiment: needs an attention model ([column] kind = attention)");
  }
  const lam_dims *d = lam_attention_dims(a);
  if (d->nq != d->T) {
    return lam_err_set(err, LAM_EINVAL,
                       "experiment: closed-form attention needs network.topology = self");
  }
  const size_t T = d->T, H = d->H, dk = d->dk, dv = d->dv;
  const size_t din = lam_attention_din(a);
  const size_t nk = H * dk, nv = H * dv;
  double *Q = malloc(T * nk * sizeof *Q), *K = malloc(T * nk * sizeof *K),
         *V = malloc(T * nv * sizeof *V), *s = malloc(T * sizeof *s);
  if (!Q || !K || !V || !s) {
    free(Q), free(K), free(V), free(s);
    return LAM_NOMEM(err);
  }
  const double *X = lam_attention_matrix(a, "x");
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nk,
              (int)din, 1.0, X, (int)din, lam_attention_matrix(a, "wq"),
              (int)nk, 0.0, Q, (int)nk);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nk,
              (int)din, 1.0, X, (int)din, lam_attention_matrix(a, "wk"),
              (int)nk, 0.0, K, (int)nk);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)T, (int)nv,
              (int)din, 1.0, X, (int)din, lam_attention_matrix(a, "wv"),
              (int)nv, 0.0, V, (int)nv);
  const double scale = 1.0 / sqrt((double)dk);
  for (size_t h = 0; h < H; h++) {
    for (size_t i = 0; i < T; i++) {
      double mx = -INFINITY;
      for (size_t j = 0; j < T; j++) {
        s[j] = scale * cblas_ddot((int)dk, Q + i * nk + h * dk, 1,
                                  K + j * nk + h * dk, 1);
        mx = s[j] > mx ? s[j] : mx;
      }
      double z = 0.0;
      for (size_t j = 0; j < T; j++) {
        s[j] = exp(s[j] - mx);
        z += s[j];
      }
      for (size_t u = 0; u < dv; u++) {
        double o = 0.0;
        for (size_t j = 0; j < T; j++) {
          o += s[j] * V[j * nv + h * dv + u];
        }
        ref[i * nv + h * dv + u] = o / z;
      }
    }
  }
  free(Q), free(K), free(V), free(s);
  return LAM_OK;
}
