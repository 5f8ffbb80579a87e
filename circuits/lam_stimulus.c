/* lam_stimulus.c: stimulus protocols and input noise (see lam_stimulus.h).
 *
 * Every edge is computed by one expression (t0 + D, t0 + n P, t0 + n P + W,
 * a csv row's time) used both by the gain and by next_break, so the solver
 * restarting at a breakpoint t_b sees exactly the value the protocol has
 * from t_b on. Formulas and the reasons for each key: docs/stimulus.md.
 */
#include "lam_stimulus.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h> /* M_PI */

#include "lam_noise.h"

#define TWO_PI (2.0 * M_PI)

#define S lam_stimulus_params
const lam_param lam_stimulus_table[] = {
    LAM_CHOICE(S, protocol, "constant", "constant|steps|pulses|ramp|sine|csv",
               "Time course of the thalamic input gain s_j(t), x_j(t) = s_j(t) x_j + eta_j(t) (docs/stimulus.md)"),
    LAM_STRING(S, columns, "all",
               "Columns the protocol applies to: all, or indices like 0,3,5 (the others keep level)"),
    LAM_REAL(S, level, "1", "1", -1e6, 1e6,
             "Gain outside the protocol: before onset, between pulses, after the end, unselected columns"),
    LAM_REAL(S, amplitude, "0", "1", -1e6, 1e6,
             "Height A of the protocol above level (constant: s = level + A)"),
    LAM_REAL(S, onset, "0", "s", 0, 1e9, "Start time t0 of steps, pulses, ramp and sine"),
    LAM_REAL(S, duration, "0", "s", 0, 1e9,
             "steps, sine: length D of the protocol (0: forever); ramp: rise time (> 0)"),
    LAM_REAL(S, period, "0.1", "s", 0, 1e9, "pulses: onset-to-onset interval P (> 0)"),
    LAM_REAL(S, width, "0.01", "s", 0, 1e9, "pulses: length W of each pulse (0 < W < period)"),
    LAM_INT(S, count, "0", "1", 0, 1e12, "pulses: number of pulses (0: unlimited)"),
    LAM_REAL(S, freq_hz, "1", "Hz", 0, 1e6, "sine: frequency f"),
    LAM_REAL(S, phase, "0", "rad", -1e3, 1e3, "sine: phase at onset, s = level + A sin(2 pi f (t - t0) + phase)"),
    LAM_PATHP(S, file, "",
              "csv: schedule with a header row, then rows t, s_0, ..., s_{T-1} (s, gains), piecewise constant"),
    LAM_REAL(S, noise_sigma, "0", "a.u./sqrt(s)", 0, 1e6,
             "Intensity of the Ornstein-Uhlenbeck input noise eta per column and feature (0: no noise)"),
    LAM_REAL(S, noise_tau, "0.01", "s", 0, 1e3,
             "Correlation time of the input noise (stationary sd sigma sqrt(tau/2); 0: frozen white noise)"),
    LAM_INT(S, noise_seed, "1", "1", 0, 4294967295.0, "Seed of the input noise"),
    LAM_REAL(S, noise_dt, "0.001", "s", 1e-7, 1,
             "Grid step of the frozen noise path (interpolated linearly in between)"),
};
#undef S
const size_t lam_stimulus_ntable = LAM_NELEM(lam_stimulus_table);

struct lam_stimulus {
  lam_stimulus_params p;
  size_t T, F;
  unsigned char *sel; /* T flags: the protocol applies to column j */
  size_t nsel;
  double *ct, *cg;    /* csv: row times and gains (nrows x T) */
  size_t nrows;
  lam_noise *noise;   /* NULL when noise_sigma = 0 */
};

void lam_stimulus_free(lam_stimulus *s) {
  if (!s) {
    return;
  }
  free(s->sel);
  free(s->ct);
  free(s->cg);
  lam_noise_free(s->noise);
  free(s);
}

/* Where a key was set, for messages about values the table accepted. */
static const char *where(const lam_given *m, const char *key) {
  const char *w = lam_given_where(m, "stimulus", key);
  return w ? w : "built-in default";
}

/* `all` or "0, 3,5": indices checked against T. */
static int parse_columns(const lam_given *m, lam_stimulus *s, lam_err *err) {
  const char *txt = s->p.columns;
  while (isspace((unsigned char)*txt)) {
    txt++;
  }
  size_t len = strlen(txt);
  while (len && isspace((unsigned char)txt[len - 1])) {
    len--;
  }
  if (len == 3 && !strncmp(txt, "all", 3)) {
    memset(s->sel, 1, s->T);
    s->nsel = s->T;
    return LAM_OK;
  }
  const char *q = txt;
  for (;;) {
    while (*q == ' ' || *q == '\t') {
      q++;
    }
    char *end;
    errno = 0;
    long v = isdigit((unsigned char)*q) ? strtol(q, &end, 10) : -1;
    if (v < 0 || errno) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: stimulus.columns: expected all or column indices"
                         " like 0,3,5, found '%s'",
                         where(m, "columns"), s->p.columns);
    }
    if ((unsigned long)v >= s->T) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: stimulus.columns: column %ld out of range (the"
                         " network has %zu columns, 0..%zu)",
                         where(m, "columns"), v, s->T, s->T - 1);
    }
    if (!s->sel[v]) {
      s->sel[v] = 1;
      s->nsel++;
    }
    q = end;
    while (*q == ' ' || *q == '\t') {
      q++;
    }
    if (*q == '\0') {
      return LAM_OK;
    }
    if (*q != ',') {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: stimulus.columns: expected all or column indices"
                         " like 0,3,5, found '%s'",
                         where(m, "columns"), s->p.columns);
    }
    q++;
  }
}

/* The schedule: header, then 1 + T numbers per row, times >= 0 and
 * strictly increasing; errors name path:line. */
static int load_csv(const lam_given *m, lam_stimulus *s, lam_err *err) {
  if (!s->p.file[0]) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: stimulus.file: required when protocol = csv",
                       where(m, "protocol"));
  }
  const long *lines = NULL;
  const lam_matrix *mp = lam_given_matrix(m, "stimulus", "file", &lines);
  if (!mp || !lines || mp->rows == 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: stimulus.file: %s: expected its schedule among "
                       "the model's arrays, found none", where(m, "file"),
                       s->p.file);
  }
  const lam_matrix mat = *mp;
  int rc = LAM_OK;
  const char *path = s->p.file;
  if (mat.cols != s->T + 1) {
    rc = lam_err_set(err, LAM_EINVAL,
                     "%s:%ld: expected %zu columns (t, s_0 .. s_%zu), found %zu",
                     path, lines[0], s->T + 1, s->T - 1, mat.cols);
  }
  for (size_t r = 0; !rc && r < mat.rows; r++) {
    double t = mat.data[r * mat.cols];
    if (t < 0.0) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s:%ld: expected a time >= 0 s, found %g", path,
                       lines[r], t);
    } else if (r > 0 && !(t > mat.data[(r - 1) * mat.cols])) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s:%ld: expected a time after the previous row's %g s"
                       " (times must increase strictly), found %g s",
                       path, lines[r], mat.data[(r - 1) * mat.cols], t);
    }
  }
  if (!rc) {
    s->nrows = mat.rows;
    s->ct = malloc(mat.rows * sizeof *s->ct);
    s->cg = malloc(mat.rows * s->T * sizeof *s->cg);
    if (!s->ct || !s->cg) {
      rc = LAM_NOMEM(err);
    }
  }
  for (size_t r = 0; !rc && r < mat.rows; r++) {
    s->ct[r] = mat.data[r * mat.cols];
    memcpy(s->cg + r * s->T, mat.data + r * mat.cols + 1,
           s->T * sizeof *s->cg);
  }
  return rc;
}

/* Values the table's ranges allow but the chosen protocol cannot use. */
static int check_protocol(const lam_given *m, const lam_stimulus_params *p,
                          lam_err *err) {
  if (p->protocol == LAM_STIM_PULSES) {
    if (!(p->period > 0.0)) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: stimulus.period: expected > 0 s for protocol ="
                         " pulses, found %g",
                         where(m, "period"), p->period);
    }
    if (!(p->width > 0.0)) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: stimulus.width: expected > 0 s for protocol ="
                         " pulses, found %g",
                         where(m, "width"), p->width);
    }
    if (!(p->width < p->period)) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: stimulus.width: expected less than period (%g s),"
                         " found %g s",
                         where(m, "width"), p->period, p->width);
    }
  }
  if (p->protocol == LAM_STIM_RAMP && !(p->duration > 0.0)) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: stimulus.duration: expected > 0 s (the rise time)"
                       " for protocol = ramp, found %g",
                       where(m, "duration"), p->duration);
  }
  return LAM_OK;
}

int lam_stimulus_new(const lam_stimulus_params *params, const lam_given *m,
                     size_t ncols, size_t nfeat, lam_stimulus **out,
                     lam_err *err) {
  *out = NULL;
  const lam_stimulus_params p = *params;
  int rc;
  if (ncols == 0 || (nfeat == 0 && p.noise_sigma > 0.0)) {
    return lam_err_set(err, LAM_EINVAL,
                       "stimulus: expected at least one column and one input"
                       " feature, found %zu and %zu",
                       ncols, nfeat);
  }
  rc = check_protocol(m, &p, err);
  if (rc) {
    return rc;
  }
  lam_stimulus *s = calloc(1, sizeof *s);
  if (!s) {
    return LAM_NOMEM(err);
  }
  s->p = p;
  s->T = ncols;
  s->F = nfeat;
  s->sel = calloc(ncols, 1);
  if (!s->sel) {
    lam_stimulus_free(s);
    return LAM_NOMEM(err);
  }
  rc = parse_columns(m, s, err);
  if (!rc && p.protocol == LAM_STIM_CSV) {
    rc = load_csv(m, s, err);
  }
  if (!rc && p.noise_sigma > 0.0) {
    lam_noise_params np = lam_noise_defaults();
    np.sigma = p.noise_sigma;
    np.tau = p.noise_tau;
    np.dt = p.noise_dt;
    np.nchannels = ncols * nfeat;
    np.seed = (unsigned long)p.noise_seed;
    rc = lam_noise_new(&np, &s->noise, err);
    if (rc) {
      lam_err_prefix(err, "%s: stimulus: ", where(m, "noise_sigma"));
    }
  }
  if (rc) {
    lam_stimulus_free(s);
    return rc;
  }
  *out = s;
  return LAM_OK;
}

int lam_stimulus_has_noise(const lam_stimulus *s) { return s->noise != NULL; }

/* Pulse n with t0 + n P <= t < t0 + (n+1) P (t >= t0). The floor may be
 * off by one through rounding; the edge expressions decide. */
static double pulse_index(const lam_stimulus_params *p, double t) {
  double n = floor((t - p->onset) / p->period);
  if (n < 0.0) {
    n = 0.0;
  }
  while (n > 0.0 && p->onset + n * p->period > t) {
    n -= 1.0;
  }
  while (p->onset + (n + 1.0) * p->period <= t) {
    n += 1.0;
  }
  return n;
}

/* The protocol's value at t (every protocol but csv). */
static double value(const lam_stimulus_params *p, double t) {
  const double L = p->level, A = p->amplitude, t0 = p->onset, D = p->duration;
  switch (p->protocol) {
  case LAM_STIM_STEPS:
    return (t >= t0 && (D == 0.0 || t < t0 + D)) ? L + A : L;
  case LAM_STIM_PULSES: {
    if (t < t0) {
      return L;
    }
    double n = pulse_index(p, t);
    if (p->count > 0 && n >= (double)p->count) {
      return L;
    }
    return t < t0 + n * p->period + p->width ? L + A : L;
  }
  case LAM_STIM_RAMP:
    if (t < t0) {
      return L;
    }
    return t >= t0 + D ? L + A : L + A * (t - t0) / D;
  case LAM_STIM_SINE:
    if (t < t0 || (D > 0.0 && t >= t0 + D)) {
      return L;
    }
    return L + A * sin(TWO_PI * p->freq_hz * (t - t0) + p->phase);
  default: /* constant */
    return L + A;
  }
}

/* Index of the last csv row with time <= t, or -1. */
static long csv_row(const lam_stimulus *s, double t) {
  size_t lo = 0, hi = s->nrows; /* first row with time > t lies in [lo, hi] */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->ct[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return (long)lo - 1;
}

void lam_stimulus_gain(lam_stimulus *s, double t, double *gain) {
  const double L = s->p.level;
  if (s->p.protocol == LAM_STIM_CSV) {
    long r = csv_row(s, t);
    for (size_t j = 0; j < s->T; j++) {
      gain[j] = (s->sel[j] && r >= 0) ? s->cg[(size_t)r * s->T + j] : L;
    }
    return;
  }
  const double v = value(&s->p, t);
  for (size_t j = 0; j < s->T; j++) {
    gain[j] = s->sel[j] ? v : L;
  }
}

void lam_stimulus_noise(lam_stimulus *s, double t, double *eta) {
  const size_t n = s->T * s->F;
  if (!s->noise) {
    memset(eta, 0, n * sizeof *eta);
    return;
  }
  if (lam_noise_eval(s->noise, t, eta, NULL) != LAM_OK) {
    for (size_t i = 0; i < n; i++) {
      eta[i] = NAN;
    }
  }
}

/* The smaller of the candidate edges a, b that lie after t. */
static double first_after(double t, double a, double b) {
  double r = INFINITY;
  if (a > t) {
    r = a;
  }
  if (b > t && b < r) {
    r = b;
  }
  return r;
}

double lam_stimulus_next_kink(const lam_stimulus *s, double t) {
  return s->noise ? lam_noise_next_kink(s->noise, t) : INFINITY;
}

double lam_stimulus_next_break(const lam_stimulus *s, double t) {
  const lam_stimulus_params *p = &s->p;
  const double t0 = p->onset, D = p->duration;
  if (s->nsel == 0 || isnan(t)) {
    return INFINITY;
  }
  switch (p->protocol) {
  case LAM_STIM_STEPS:
  case LAM_STIM_SINE:
    return first_after(t, t0, D > 0.0 ? t0 + D : INFINITY);
  case LAM_STIM_RAMP:
    return first_after(t, t0, t0 + D);
  case LAM_STIM_PULSES: {
    if (t < t0) {
      return t0;
    }
    double n = pulse_index(p, t);
    if (p->count > 0 && n >= (double)p->count) {
      return INFINITY;
    }
    double off = t0 + n * p->period + p->width;
    if (off > t) {
      return off;
    }
    if (p->count > 0 && n + 1.0 >= (double)p->count) {
      return INFINITY;
    }
    return t0 + (n + 1.0) * p->period;
  }
  case LAM_STIM_CSV: {
    long r = csv_row(s, t);
    return (size_t)(r + 1) < s->nrows ? s->ct[r + 1] : INFINITY;
  }
  default:
    return INFINITY;
  }
}
