/* lam_noise.c: frozen OU / white noise generated lazily in blocks (see lam_noise.h).
 *
 * Layout: one ring of cap = nblocks * block grid values per channel
 * (buf[ch * cap + k % cap]); grid indices [lo, hi) are retained. Generation
 * always proceeds forward one whole block at a time and each channel draws
 * from its own generator in grid order, which is what makes the path
 * independent of the query pattern.
 */
#include "lam_noise.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

struct lam_noise {
  lam_noise_params p;
  double a;       /* e^{-dt/tau} (0 for white noise) */
  double b;       /* innovation standard deviation */
  double sd0;     /* standard deviation of x_0 */
  size_t cap;     /* ring size in grid points */
  size_t lo, hi;  /* retained grid indices [lo, hi) */
  double *buf;    /* nchannels * cap */
  double *last;   /* last generated value per channel */
  gsl_rng **rng;  /* one generator per channel */
};

/* SplitMix64 finaliser: decorrelates the per-channel seeds so that channel
 * c's generator does not depend on how many channels there are. */
static unsigned long channel_seed(unsigned long seed, size_t ch) {
  uint64_t z = (uint64_t)seed + 0x9E3779B97F4A7C15ULL * (uint64_t)(ch + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (unsigned long)(z & 0xffffffffUL); /* mt19937 uses 32 seed bits */
}

lam_noise_params lam_noise_defaults(void) {
  lam_noise_params p = {0.01, 1.0, 1e-3, 1, 1, 1024, 4};
  return p;
}

void lam_noise_free(lam_noise *n) {
  if (!n) {
    return;
  }
  if (n->rng) {
    for (size_t c = 0; c < n->p.nchannels; c++) {
      gsl_rng_free(n->rng[c]);
    }
  }
  free(n->rng);
  free(n->buf);
  free(n->last);
  free(n);
}

/* Generate the next block of every channel. */
static void gen_block(lam_noise *n) {
  const size_t B = n->p.block;
  for (size_t c = 0; c < n->p.nchannels; c++) {
    double *ring = n->buf + c * n->cap;
    double x = n->last[c];
    for (size_t i = 0; i < B; i++) {
      size_t k = n->hi + i;
      double g = gsl_ran_gaussian_ziggurat(n->rng[c], 1.0);
      x = (k == 0) ? n->sd0 * g : n->a * x + n->b * g;
      ring[k % n->cap] = x;
    }
    n->last[c] = x;
  }
  n->hi += B;
  if (n->hi - n->lo > n->cap) {
    n->lo = n->hi - n->cap;
  }
}

int lam_noise_new(const lam_noise_params *p, lam_noise **out, lam_err *err) {
  *out = NULL;
  if (!(p->tau >= 0.0) || !isfinite(p->tau)) {
    return lam_err_set(err, LAM_EINVAL, "noise.tau: expected >= 0 s, found %g",
                       p->tau);
  }
  if (!(p->sigma >= 0.0) || !isfinite(p->sigma)) {
    return lam_err_set(err, LAM_EINVAL,
                       "noise.sigma: expected >= 0, found %g", p->sigma);
  }
  if (!(p->dt > 0.0) || !isfinite(p->dt)) {
    return lam_err_set(err, LAM_EINVAL, "noise.dt: expected > 0 s, found %g",
                       p->dt);
  }
  if (p->nchannels == 0 || p->block == 0 || p->nblocks < 2) {
    return lam_err_set(err, LAM_EINVAL,
                       "noise: expected nchannels >= 1, block >= 1, nblocks >= 2;"
                       " found %zu, %zu, %zu",
                       p->nchannels, p->block, p->nblocks);
  }
  /* nchannels * block * nblocks doubles must not wrap around size_t. */
  if (p->block > ((size_t)-1) / sizeof(double) / p->nblocks / p->nchannels) {
    return lam_err_set(err, LAM_EINVAL, "noise: ring too large");
  }
  lam_noise *n = calloc(1, sizeof *n);
  if (!n) {
    return LAM_NOMEM(err);
  }
  n->p = *p;
  n->cap = p->block * p->nblocks;
  n->buf = malloc(p->nchannels * n->cap * sizeof *n->buf);
  n->last = calloc(p->nchannels, sizeof *n->last);
  n->rng = calloc(p->nchannels, sizeof *n->rng);
  if (!n->buf || !n->last || !n->rng) {
    lam_noise_free(n);
    return LAM_NOMEM(err);
  }
  for (size_t c = 0; c < p->nchannels; c++) {
    n->rng[c] = gsl_rng_alloc(gsl_rng_mt19937);
    if (!n->rng[c]) {
      lam_noise_free(n);
      return LAM_NOMEM(err);
    }
    gsl_rng_set(n->rng[c], channel_seed(p->seed, c));
  }
  if (p->tau > 0.0) {
    /* Exact OU transition over dt (lam_noise.h). */
    n->a = exp(-p->dt / p->tau);
    n->b = p->sigma * sqrt(0.5 * p->tau * -expm1(-2.0 * p->dt / p->tau));
    n->sd0 = p->sigma * sqrt(0.5 * p->tau);
  } else {
    n->a = 0.0;
    n->b = p->sigma / sqrt(p->dt);
    n->sd0 = n->b;
  }
  gen_block(n);
  *out = n;
  return LAM_OK;
}

/* Make grid index k available; 0 if it fell out of the ring. */
static int ensure(lam_noise *n, size_t k) {
  while (k >= n->hi) {
    gen_block(n);
  }
  return k >= n->lo;
}

double lam_noise_grid(lam_noise *n, size_t ch, size_t k) {
  if (ch >= n->p.nchannels || !ensure(n, k)) {
    return NAN;
  }
  return n->buf[ch * n->cap + k % n->cap];
}

/* Grid cell of t: index k and weight w of x_{k+1}. 0 if t is unusable. */
static int locate(lam_noise *n, double t, size_t *k, double *w) {
  if (!(t >= 0.0) || !isfinite(t)) {
    return 0;
  }
  double s = t / n->p.dt;
  double fl = floor(s);
  if (fl >= 9.0e15) { /* beyond exact integer doubles */
    return 0;
  }
  *k = (size_t)fl;
  *w = s - fl;
  return ensure(n, *k + 1) && *k >= n->lo;
}

double lam_noise_value(lam_noise *n, size_t ch, double t) {
  size_t k;
  double w;
  if (ch >= n->p.nchannels || !locate(n, t, &k, &w)) {
    return NAN;
  }
  const double *ring = n->buf + ch * n->cap;
  double x0 = ring[k % n->cap], x1 = ring[(k + 1) % n->cap];
  return x0 + w * (x1 - x0);
}

int lam_noise_eval(lam_noise *n, double t, double *out, lam_err *err) {
  size_t k;
  double w;
  if (!locate(n, t, &k, &w)) {
    return lam_err_set(err, LAM_EINVAL,
                       "noise: t = %g s is outside the retained window"
                       " [%g, %g) s (queries may go back at most %g s)",
                       t, (double)n->lo * n->p.dt, (double)n->hi * n->p.dt,
                       lam_noise_history(n));
  }
  for (size_t c = 0; c < n->p.nchannels; c++) {
    const double *ring = n->buf + c * n->cap;
    double x0 = ring[k % n->cap], x1 = ring[(k + 1) % n->cap];
    out[c] = x0 + w * (x1 - x0);
  }
  return LAM_OK;
}

double lam_noise_next_kink(const lam_noise *n, double t) {
  const double dt = n->p.dt;
  double k = floor((t > 0.0 ? t : 0.0) / dt);
  if (!(k < 9.0e15)) {
    return INFINITY;
  }
  /* k dt as lam_noise_value's grid sees it: t / dt rounds, so step on
   * until the time is past t. */
  while (k * dt <= t) {
    k += 1.0;
  }
  return k * dt;
}

size_t lam_noise_nchannels(const lam_noise *n) { return n->p.nchannels; }

double lam_noise_history(const lam_noise *n) {
  return ((double)((n->p.nblocks - 1) * n->p.block) - 1.0) * n->p.dt;
}

double lam_noise_variance(const lam_noise *n) {
  return n->p.tau > 0.0 ? 0.5 * n->p.sigma * n->p.sigma * n->p.tau
                        : n->p.sigma * n->p.sigma / n->p.dt;
}
