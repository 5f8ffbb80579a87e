/* test_stimulus.c: stimulus protocols against their closed forms.
 *
 * Every protocol's gain is checked at chosen times against the formula of
 * docs/stimulus.md, computed here independently, including exactly at, just
 * before (the previous double) and just after each edge; next_break must
 * list exactly the edges, in order, then INFINITY. Also the columns
 * selection, csv schedules (round trip and every error with its file:line),
 * keys the protocol cannot use, and the input noise (its channel layout,
 * determinism and stationary variance sigma^2 tau / 2). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_noise.h"
#include "lam_params.h"
#include "lam_stimulus.h"
#include "lam_test_util.h"

#define TWO_PI 6.283185307179586476925286766559

static char g_dir[64];

static const char *dir(void) {
  if (!g_dir[0]) {
    snprintf(g_dir, sizeof g_dir, "%s", tu_tmpdir());
  }
  return g_dir;
}

static int load(const char *text, size_t T, size_t F, lam_stimulus **s,
                lam_err *err) {
  lam_model *m = lam_model_new();
  cr_assert(m);
  int rc = lam_model_load_text(m, text, "stim.ini", dir(), err);
  cr_assert_eq(rc, LAM_OK, "%s", err->msg);
  *s = (lam_stimulus *)1;
  /* The model file read as io/ reads it: [stimulus] checked, its
   * schedule read, every key used. */
  lam_sim_params *p = NULL;
  rc = lam_params_from_model(m, &p, err);
  lam_model_free(m);
  if (rc) {
    *s = NULL;
    return rc;
  }
  rc = lam_stimulus_new(&p->stimulus, p->given, T, F, s, err);
  if (rc) {
    cr_assert_null(*s, "no object on failure");
  }
  lam_sim_params_free(p);
  return rc;
}

static lam_stimulus *ok(const char *text, size_t T, size_t F) {
  lam_err err = {0, ""};
  lam_stimulus *s;
  cr_assert_eq(load(text, T, F, &s, &err), LAM_OK, "%s", err.msg);
  return s;
}

static void bad(const char *text, size_t T, const char *needle1,
                const char *needle2) {
  lam_err err = {0, ""};
  lam_stimulus *s;
  int rc = load(text, T, 2, &s, &err);
  cr_assert_neq(rc, LAM_OK, "accepted:\n%s", text);
  cr_assert(strstr(err.msg, needle1), "'%s' should name '%s'", err.msg, needle1);
  if (needle2) {
    cr_assert(strstr(err.msg, needle2), "'%s' should name '%s'", err.msg,
              needle2);
  }
}

/* gain of column j at t */
static double g(lam_stimulus *s, size_t T, size_t j, double t) {
  double gain[16];
  cr_assert(T <= 16);
  lam_stimulus_gain(s, t, gain);
  return gain[j];
}

/* The gain of column j has value `before` on the previous double of tb and
 * `after` at tb and just after it. */
static void edge(lam_stimulus *s, size_t T, size_t j, double tb, double before,
                 double after) {
  double tm = nextafter(tb, -INFINITY), tp = nextafter(tb, INFINITY);
  cr_assert_float_eq(g(s, T, j, tm), before, 1e-12, "just before %.17g", tb);
  cr_assert_float_eq(g(s, T, j, tb), after, 1e-12, "at %.17g", tb);
  cr_assert_float_eq(g(s, T, j, tp), after, 1e-12, "just after %.17g", tb);
}

/* Walk next_break from t = 0: it must give exactly want[0..n) then INF. */
static void breaks(const lam_stimulus *s, const double *want, size_t n) {
  double t = 0.0;
  for (size_t i = 0; i < n; i++) {
    double b = lam_stimulus_next_break(s, t);
    cr_assert(b == want[i], "break %zu: %.17g, want %.17g", i, b, want[i]);
    /* strictly after: asking at the break itself moves on */
    t = b;
  }
  cr_assert(isinf(lam_stimulus_next_break(s, t)), "no break after %.17g", t);
  /* from just before each edge the next break is that edge */
  for (size_t i = 0; i < n; i++) {
    double b = lam_stimulus_next_break(s, nextafter(want[i], -INFINITY));
    cr_assert(b == want[i]);
  }
}

Test(stimulus, default_is_neutral) {
  lam_stimulus *s = ok("", 4, 3);
  cr_assert_eq(lam_stimulus_has_noise(s), 0);
  cr_assert(isinf(lam_stimulus_next_kink(s, 0.0)), "no noise, no kinks");
  for (double t = 0.0; t < 10.0; t += 0.0173) {
    double gain[4], eta[12];
    memset(eta, 0xff, sizeof eta);
    lam_stimulus_gain(s, t, gain);
    lam_stimulus_noise(s, t, eta);
    for (size_t j = 0; j < 4; j++) {
      cr_assert(gain[j] == 1.0);
    }
    for (size_t i = 0; i < 12; i++) {
      cr_assert(eta[i] == 0.0);
    }
  }
  cr_assert(isinf(lam_stimulus_next_break(s, 0.0)));
  lam_stimulus_free(s);
  lam_stimulus_free(NULL);
}

Test(stimulus, constant_and_columns) {
  lam_stimulus *s = ok("[stimulus]\nlevel = 0.5\namplitude = 0.25\ncolumns = 3, 1\n", 4, 1);
  const double want[4] = {0.5, 0.75, 0.5, 0.75};
  for (size_t j = 0; j < 4; j++) {
    cr_assert_float_eq(g(s, 4, j, 0.3), want[j], 1e-15);
    cr_assert_float_eq(g(s, 4, j, 7.0), want[j], 1e-15);
  }
  cr_assert(isinf(lam_stimulus_next_break(s, 0.0)));
  lam_stimulus_free(s);
}

Test(stimulus, steps) {
  lam_stimulus *s = ok("[stimulus]\nprotocol = steps\nonset = 0.1\nduration = 0.2\n"
                       "amplitude = 2\ncolumns = 0,2\n",
                       3, 1);
  const double on = 0.1, off = 0.1 + 0.2;
  const double want[2] = {on, off};
  breaks(s, want, 2);
  edge(s, 3, 0, on, 1.0, 3.0);
  edge(s, 3, 0, off, 3.0, 1.0);
  edge(s, 3, 2, on, 1.0, 3.0);
  cr_assert_float_eq(g(s, 3, 0, 0.0), 1.0, 1e-15);
  cr_assert_float_eq(g(s, 3, 0, 0.2), 3.0, 1e-15);
  cr_assert_float_eq(g(s, 3, 0, 5.0), 1.0, 1e-15);
  for (double t = 0.0; t < 1.0; t += 0.01) {
    cr_assert(g(s, 3, 1, t) == 1.0, "unselected column keeps level");
  }
  lam_stimulus_free(s);
  /* duration 0: on forever */
  s = ok("[stimulus]\nprotocol = steps\nonset = 0.25\namplitude = -0.5\nlevel = 2\n", 2, 1);
  const double w1[1] = {0.25};
  breaks(s, w1, 1);
  edge(s, 2, 1, 0.25, 2.0, 1.5);
  cr_assert_float_eq(g(s, 2, 1, 1e6), 1.5, 1e-15);
  lam_stimulus_free(s);
}

/* On iff t lies in some [t0 + k P, t0 + k P + W), k < count: checked
 * pulse by pulse, not through an index formula. */
static double pulse_closed(double t, double t0, double P, double W, long count,
                           double L, double A) {
  for (long k = 0; k < count; k++) {
    double a = t0 + (double)k * P;
    if (t >= a && t < a + W) {
      return L + A;
    }
  }
  return L;
}

Test(stimulus, pulses) {
  const double t0 = 0.05, P = 0.1, W = 0.03;
  lam_stimulus *s = ok("[stimulus]\nprotocol = pulses\nonset = 0.05\nperiod = 0.1\n"
                       "width = 0.03\ncount = 3\nlevel = 0.2\namplitude = 1\n",
                       2, 1);
  double want[6];
  for (int k = 0; k < 3; k++) {
    want[2 * k] = t0 + (double)k * P;
    want[2 * k + 1] = t0 + (double)k * P + W;
  }
  breaks(s, want, 6);
  for (int k = 0; k < 6; k++) {
    int rising = (k % 2 == 0);
    edge(s, 2, 0, want[k], rising ? 0.2 : 1.2, rising ? 1.2 : 0.2);
  }
  for (double t = 0.0; t < 0.6; t += 0.00137) {
    cr_assert_float_eq(g(s, 2, 1, t), pulse_closed(t, t0, P, W, 3, 0.2, 1.0), 1e-15,
                       "t = %g", t);
  }
  lam_stimulus_free(s);
}

Test(stimulus, pulses_unlimited) {
  /* binary-exact times: every edge is exact even after 10^4 pulses */
  const double t0 = 0.25, P = 0.125, W = 0.0625;
  lam_stimulus *s = ok("[stimulus]\nprotocol = pulses\nonset = 0.25\nperiod = 0.125\n"
                       "width = 0.0625\namplitude = 3\nlevel = 0\n",
                       1, 1);
  double want[200];
  for (int k = 0; k < 100; k++) {
    want[2 * k] = t0 + (double)k * P;
    want[2 * k + 1] = t0 + (double)k * P + W;
  }
  double t = 0.0;
  for (int i = 0; i < 200; i++) {
    t = lam_stimulus_next_break(s, t);
    cr_assert(t == want[i], "break %d: %.17g vs %.17g", i, t, want[i]);
  }
  const double tk = t0 + 10000.0 * P;
  edge(s, 1, 0, tk, 0.0, 3.0);
  edge(s, 1, 0, tk + W, 3.0, 0.0);
  cr_assert(lam_stimulus_next_break(s, tk) == tk + W);
  cr_assert(lam_stimulus_next_break(s, tk + W) == tk + P);
  for (double u = 0.0; u < 3.0; u += 0.0071) {
    cr_assert_float_eq(g(s, 1, 0, u), pulse_closed(u, t0, P, W, 100, 0.0, 3.0), 1e-15);
  }
  lam_stimulus_free(s);
}

Test(stimulus, ramp) {
  lam_stimulus *s = ok("[stimulus]\nprotocol = ramp\nonset = 0.2\nduration = 0.4\n"
                       "level = 1\namplitude = -0.5\n",
                       2, 1);
  const double want[2] = {0.2, 0.2 + 0.4};
  breaks(s, want, 2);
  cr_assert_float_eq(g(s, 2, 0, 0.1), 1.0, 1e-15);
  cr_assert_float_eq(g(s, 2, 0, 0.2), 1.0, 1e-15);
  cr_assert_float_eq(g(s, 2, 0, 0.3), 1.0 - 0.5 * 0.25, 1e-12);
  cr_assert_float_eq(g(s, 2, 0, 0.4), 0.75, 1e-12);
  cr_assert_float_eq(g(s, 2, 1, 0.5), 1.0 - 0.5 * 0.75, 1e-12);
  cr_assert_float_eq(g(s, 2, 0, want[1]), 0.5, 1e-15);
  cr_assert_float_eq(g(s, 2, 0, nextafter(want[1], 0.0)), 0.5, 1e-12, "continuous");
  cr_assert_float_eq(g(s, 2, 0, 3.0), 0.5, 1e-15);
  lam_stimulus_free(s);
}

Test(stimulus, sine) {
  lam_stimulus *s = ok("[stimulus]\nprotocol = sine\nonset = 0.1\nduration = 1.0\n"
                       "freq_hz = 5\nphase = 0.3\namplitude = 0.4\nlevel = 1\n",
                       1, 1);
  const double on = 0.1, off = 0.1 + 1.0;
  const double want[2] = {on, off};
  breaks(s, want, 2);
  edge(s, 1, 0, on, 1.0, 1.0 + 0.4 * sin(0.3));
  const double ts[] = {0.137, 0.37, 0.5, 0.99};
  for (size_t i = 0; i < 4; i++) {
    double w = 1.0 + 0.4 * sin(TWO_PI * 5.0 * (ts[i] - 0.1) + 0.3);
    cr_assert_float_eq(g(s, 1, 0, ts[i]), w, 1e-12, "t %g", ts[i]);
  }
  double last = 1.0 + 0.4 * sin(TWO_PI * 5.0 * (off - 0.1) + 0.3);
  cr_assert_float_eq(g(s, 1, 0, nextafter(off, 0.0)), last, 1e-9);
  cr_assert_float_eq(g(s, 1, 0, off), 1.0, 1e-15);
  lam_stimulus_free(s);
  /* duration 0: forever, one break */
  s = ok("[stimulus]\nprotocol = sine\nonset = 0.5\nfreq_hz = 40\namplitude = 1\n", 1, 1);
  const double w1[1] = {0.5};
  breaks(s, w1, 1);
  cr_assert_float_eq(g(s, 1, 0, 100.5 + 1.0 / 160.0), 2.0, 1e-9);
  lam_stimulus_free(s);
}

static void write_file(const char *name, const char *text) {
  char p[128];
  snprintf(p, sizeof p, "%s/%s", dir(), name);
  tu_write_text(p, text);
}

Test(stimulus, csv_schedule) {
  write_file("sched.csv", "t, s0, s1, s2\n"
                          "0.1, 1, 2, 3\n"
                          "0.5, 4, 5, 6\n"
                          "# a comment\n"
                          "\n"
                          "1.25, 7, 8, -9\n");
  lam_stimulus *s = ok("[stimulus]\nprotocol = csv\nfile = sched.csv\nlevel = 0.5\n", 3, 1);
  const double want[3] = {0.1, 0.5, 1.25};
  breaks(s, want, 3);
  const double rows[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, -9}};
  for (size_t j = 0; j < 3; j++) {
    edge(s, 3, j, 0.1, 0.5, rows[0][j]);
    edge(s, 3, j, 0.5, rows[0][j], rows[1][j]);
    edge(s, 3, j, 1.25, rows[1][j], rows[2][j]);
    cr_assert_float_eq(g(s, 3, j, 0.0), 0.5, 1e-15, "level before the first row");
    cr_assert_float_eq(g(s, 3, j, 100.0), rows[2][j], 1e-15, "last row holds");
  }
  lam_stimulus_free(s);
  /* columns selection applies to csv too */
  s = ok("[stimulus]\nprotocol = csv\nfile = sched.csv\ncolumns = 1\n", 3, 1);
  cr_assert_float_eq(g(s, 3, 1, 0.7), 5.0, 1e-15);
  cr_assert_float_eq(g(s, 3, 0, 0.7), 1.0, 1e-15);
  cr_assert_float_eq(g(s, 3, 2, 0.7), 1.0, 1e-15);
  lam_stimulus_free(s);
}

Test(stimulus, csv_round_trip) {
  uint64_t seed = 77;
  const size_t T = 5, R = 200;
  double *sched = malloc(R * (T + 1) * sizeof *sched);
  double t = 0.0;
  char path[128];
  snprintf(path, sizeof path, "%s/rt.csv", dir());
  FILE *f = fopen(path, "w");
  fprintf(f, "time,a,b,c,d,e\n");
  for (size_t r = 0; r < R; r++) {
    t += 0.001 + 0.05 * tu_uniform(&seed);
    sched[r * (T + 1)] = t;
    fprintf(f, "%.17g", t);
    for (size_t j = 0; j < T; j++) {
      sched[r * (T + 1) + 1 + j] = 4.0 * tu_gauss(&seed);
      fprintf(f, ",%.17g", sched[r * (T + 1) + 1 + j]);
    }
    fprintf(f, "\n");
  }
  fclose(f);
  lam_stimulus *s = ok("[stimulus]\nprotocol = csv\nfile = rt.csv\n", T, 1);
  double tb = 0.0;
  for (size_t r = 0; r < R; r++) {
    tb = lam_stimulus_next_break(s, tb);
    cr_assert(tb == sched[r * (T + 1)], "row %zu time", r);
    double gain[5], mid[5];
    lam_stimulus_gain(s, tb, gain);
    double tn = r + 1 < R ? sched[(r + 1) * (T + 1)] : tb + 1.0;
    lam_stimulus_gain(s, 0.5 * (tb + tn), mid);
    for (size_t j = 0; j < T; j++) {
      cr_assert(gain[j] == sched[r * (T + 1) + 1 + j], "row %zu col %zu", r, j);
      cr_assert(mid[j] == gain[j], "piecewise constant");
    }
  }
  cr_assert(isinf(lam_stimulus_next_break(s, tb)));
  free(sched);
  lam_stimulus_free(s);
}

Test(stimulus, csv_errors) {
  const char *model = "[stimulus]\nprotocol = csv\nfile = e.csv\n";
  write_file("e.csv", "t,a,b\n0,1,2\n0.5,1,2\n");
  bad(model, 3, "e.csv:2", "expected 4 columns");
  write_file("e.csv", "t,a,b,c\n0,1,2,3\n0.5,1,2,3\n0.3,1,2,3\n");
  bad(model, 3, "e.csv:4", "increase");
  write_file("e.csv", "t,a,b,c\n0,1,2,3\n\n0.5,1,2,3\n0.5,1,2,3\n");
  bad(model, 3, "e.csv:5", "increase");
  write_file("e.csv", "t,a,b,c\n0,1,2,3\n0.5,abc,2,3\n");
  bad(model, 3, "e.csv:3", "abc");
  write_file("e.csv", "t,a,b,c\n0,1,2,3\n0.5,1,2\n");
  bad(model, 3, "e.csv:3", NULL);
  write_file("e.csv", "0,1,2,3\n0.5,1,2,3\n");
  bad(model, 3, "e.csv:1", "header");
  write_file("e.csv", "t,a,b,c\n-0.5,1,2,3\n");
  bad(model, 3, "e.csv:2", ">= 0");
  write_file("e.csv", "t,a,b,c\n");
  bad(model, 3, "e.csv", "no numeric rows");
  bad("[stimulus]\nprotocol = csv\nfile = missing.csv\n", 3, "missing.csv",
      "stimulus.file");
  bad("[stimulus]\nprotocol = csv\n", 3, "stimulus.file", "required");
}

Test(stimulus, bad_keys) {
  bad("[stimulus]\nprotocol = steps\nduration = -1\n", 2, "stim.ini:3",
      "stimulus.duration");
  bad("[stimulus]\nonset = -0.1\n", 2, "stim.ini:2", "stimulus.onset");
  bad("[stimulus]\nprotocol = pulses\nperiod = 0.01\nwidth = 0.02\n", 2,
      "stim.ini:4", "stimulus.width");
  bad("[stimulus]\nprotocol = pulses\nperiod = 0.02\nwidth = 0.02\n", 2,
      "stim.ini:4", "stimulus.width");
  bad("[stimulus]\nprotocol = pulses\nwidth = 0\n", 2, "stim.ini:3",
      "stimulus.width");
  bad("[stimulus]\nprotocol = pulses\nperiod = 0\n", 2, "stim.ini:3",
      "stimulus.period");
  bad("[stimulus]\nprotocol = pulses\ncount = 1.5\n", 2, "stim.ini:3",
      "stimulus.count");
  bad("[stimulus]\nprotocol = ramp\nonset = 1\n", 2, "stimulus.duration",
      "ramp");
  bad("[stimulus]\nprotocol = square\n", 2, "stim.ini:2", "stimulus.protocol");
  bad("[stimulus]\nnoise_sigma = -1\n", 2, "stim.ini:2", "stimulus.noise_sigma");
  bad("[stimulus]\nnoise_sigma = 1\nnoise_dt = 0\n", 2, "stim.ini:3",
      "stimulus.noise_dt");
  bad("[stimulus]\nnoise_tau = -0.01\n", 2, "stim.ini:2", "stimulus.noise_tau");
  bad("[stimulus]\nfreq_hz = -5\n", 2, "stim.ini:2", "stimulus.freq_hz");
  bad("[stimulus]\ncolumns = 0,4\n", 4, "stim.ini:2", "column 4 out of range");
  bad("[stimulus]\ncolumns = a,b\n", 4, "stim.ini:2", "stimulus.columns");
  bad("[stimulus]\ncolumns = 1,,2\n", 4, "stim.ini:2", "stimulus.columns");
  bad("[stimulus]\ncolumns = -1\n", 4, "stim.ini:2", "stimulus.columns");
  bad("[stimulus]\ncolumns =\n", 4, "stimulus.columns", NULL);
  bad("[stimulus]\ncolumns = 1 2\n", 4, "stimulus.columns", NULL);
  /* keys the chosen protocol does not read are not checked against it */
  lam_stimulus *s = ok("[stimulus]\nprotocol = steps\nperiod = 0.01\nwidth = 0.02\n", 2, 1);
  lam_stimulus_free(s);
}

Test(stimulus, noise) {
  const size_t T = 2, F = 3;
  lam_stimulus *s = ok("[stimulus]\nnoise_sigma = 2\nnoise_tau = 0.01\nnoise_seed = 3\n"
                       "noise_dt = 0.001\nprotocol = steps\namplitude = 1\n",
                       T, F);
  cr_assert_eq(lam_stimulus_has_noise(s), 1);
  /* the same path as a lam_noise with the same parameters, channel j F + f */
  lam_noise_params np = lam_noise_defaults();
  np.sigma = 2.0;
  np.tau = 0.01;
  np.seed = 3;
  np.dt = 0.001;
  np.nchannels = T * F;
  lam_noise *ref;
  lam_err err = {0, ""};
  cr_assert_eq(lam_noise_new(&np, &ref, &err), LAM_OK, "%s", err.msg);
  double s2 = 0.0;
  size_t n = 0;
  for (double t = 0.0; t < 60.0; t += 0.001) {
    double eta[6];
    lam_stimulus_noise(s, t, eta);
    for (size_t c = 0; c < T * F; c++) {
      cr_assert(eta[c] == lam_noise_value(ref, c, t), "t %g channel %zu", t, c);
      s2 += eta[c] * eta[c];
      n++;
    }
  }
  /* sigma^2 tau / 2 = 0.02; ~6 * 6e4 * 0.0476 = 1.7e4 effective samples,
   * relative sd 1.1 %: allow 5 %. */
  cr_assert_lt(fabs(s2 / (double)n / 0.02 - 1.0), 0.05, "variance %g", s2 / (double)n);
  /* gains are unaffected by the noise */
  cr_assert(g(s, T, 0, 1.0) == 2.0);
  /* its kinks are its grid, for the solver (the steps' edges stay breaks) */
  cr_assert(lam_stimulus_next_kink(s, 0.0) == 0.001);
  cr_assert(lam_stimulus_next_kink(s, 0.0125) == 13 * 0.001); /* k dt, as the path */
  cr_assert(lam_stimulus_next_kink(s, 0.5) == lam_noise_next_kink(ref, 0.5));
  /* far behind the retained history: NaN, not another path */
  double eta[6];
  lam_stimulus_noise(s, 1.0, eta);
  for (size_t c = 0; c < 6; c++) {
    cr_assert(isnan(eta[c]));
  }
  lam_stimulus_noise(s, -1.0, eta);
  cr_assert(isnan(eta[0]));
  lam_noise_free(ref);
  lam_stimulus_free(s);
}
