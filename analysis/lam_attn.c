/* lam_attn.c: attention weights, their entropy and closed-form attention
 * at a state of the attention network (lam_attn.h). */
#include "lam_attn.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

lam_attention *lam_attn_network(const lam_system *sys) {
  /* The attention network presents itself with self = the network
   * (lam_attention_system). */
  return sys && sys->kind && !strcmp(sys->kind, "attention") ? sys->self : NULL;
}

static int need_network(const lam_system *sys, lam_attention **a, lam_err *err) {
  *a = lam_attn_network(sys);
  return *a ? LAM_OK
            : lam_err_set(err, LAM_EINVAL,
                          "attention: needs an attention model ([column] kind = attention)");
}

int lam_attn_weights(const lam_system *sys, const double *y, double *w,
                     size_t *nq, size_t *H, size_t *T, lam_err *err) {
  lam_attention *a;
  int rc = need_network(sys, &a, err);
  if (rc) {
    return rc;
  }
  size_t p = 0;
  while (p < sys->npops && strcmp(sys->pops[p].name, "attn")) {
    p++;
  }
  if (p == sys->npops) {
    return LAM_INTERNAL(err, "no attn population");
  }
  const lam_dims *d = lam_attention_dims(a);
  *nq = d->nq;
  *H = d->H;
  *T = d->T;
  if (w) {
    sys->ops->observe(sys->self, p, 0.0, y, w);
  }
  return LAM_OK;
}

double lam_attn_entropy_row(const double *v, size_t n) {
  double s = 0.0, h = 0.0;
  for (size_t i = 0; i < n; i++) {
    s += v[i] > 0.0 ? v[i] : 0.0;
  }
  for (size_t i = 0; s > 0.0 && i < n; i++) {
    const double p = (v[i] > 0.0 ? v[i] : 0.0) / s;
    h -= p > 0.0 ? p * log(p) : 0.0;
  }
  return h;
}

double lam_attn_entropy(const double *w, size_t nq, size_t H, size_t T) {
  double total = 0.0;
  for (size_t q = 0; q < nq * H; q++) {
    total += lam_attn_entropy_row(w + q * T, T);
  }
  return total / (double)(nq * H);
}

int lam_attn_reference(const lam_system *sys, double *ref, lam_err *err) {
  lam_attention *a;
  int rc = need_network(sys, &a, err);
  if (rc) {
    return rc;
  }
  const lam_dims *d = lam_attention_dims(a);
  if (d->nq != d->T) {
    return lam_err_set(err, LAM_EINVAL,
                       "attention: closed-form attention needs network.topology = self");
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

int lam_attn_identity_error(const lam_system *sys, const double *y,
                            double *rel, lam_err *err) {
  lam_attention *a;
  int rc = need_network(sys, &a, err);
  if (rc) {
    return rc;
  }
  const lam_dims *d = lam_attention_dims(a);
  const size_t n = d->T * d->H * d->dv;
  const long off = lam_attention_offset(a, "out");
  if (off < 0) {
    return LAM_INTERNAL(err, "no out population");
  }
  double *ref = malloc(n * sizeof *ref);
  rc = ref ? lam_attn_reference(sys, ref, err) : LAM_NOMEM(err);
  if (!rc) {
    const double *O = y + off;
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
      num += (O[i] - ref[i]) * (O[i] - ref[i]);
      den += ref[i] * ref[i];
    }
    *rel = sqrt(num / den);
  }
  free(ref);
  return rc;
}
