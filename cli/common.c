/* common.c: what every subcommand shares: model loading with --set,
 * error printing, signals and the progress line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lam_outfile.h"
#include "lam_time.h"

volatile sig_atomic_t lam_cli_stop = 0;

static void on_signal(int sig) {
  (void)sig;
  lam_cli_stop = 1;
}

void lam_cli_trap_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int lam_cli_fail(const char *cmd, const lam_err *err) {
  fprintf(stderr, "laminar %s: %s\n", cmd,
          err->msg[0] ? err->msg : lam_strerror(err->code));
  return 1;
}

void lam_cli_progress_init(lam_cli_progress *p, const char *what) {
  p->tty = isatty(STDERR_FILENO);
  p->start_wall = p->last_wall = lam_time_now();
  p->what = what;
}

void lam_cli_progress_update(void *ctx, double t, double t_end) {
  lam_cli_progress *p = ctx;
  if (!p || !p->tty) {
    return;
  }
  double w = lam_time_now();
  if (w - p->last_wall < 0.2 && t < t_end) {
    return;
  }
  p->last_wall = w;
  double el = w - p->start_wall;
  double frac = t_end > 0 ? t / t_end : 1.0;
  double eta = frac > 0 ? el * (1.0 - frac) / frac : 0.0;
  fprintf(stderr, "\r%s: t = %.3f / %.3f s (%3.0f%%), %.1f s elapsed, ~%.0f s left   ",
          p->what, t, t_end, 100.0 * frac, el, eta);
  fflush(stderr);
}

void lam_cli_progress_done(lam_cli_progress *p) {
  if (p->tty) {
    fprintf(stderr, "\r%*s\r", 78, "");
  }
}

int lam_cli_number(const char *cmd, const char *opt, const char *text,
                   double lo, double hi, int integer, double *out) {
  double v;
  if (!lam_param_number(text, integer, &v) || v < lo || v > hi) {
    char a[32], b[32];
    lam_param_bound(lo, integer, a, sizeof a);
    lam_param_bound(hi, integer, b, sizeof b);
    fprintf(stderr, "laminar %s: %s: expected %s in [%s, %s], found '%s'\n", cmd,
            opt, integer ? "an integer" : "a number", a, b, text);
    return 2;
  }
  *out = v;
  return 0;
}

int lam_cli_seconds(const char *cmd, const char *opt, const char *text,
                    int allow_zero, double *out) {
  double v;
  /* At most 1e9 s, the longest run.t_end. */
  if (!lam_param_number(text, 0, &v) || v < 0 || (!allow_zero && v == 0) || v > 1e9) {
    fprintf(stderr, "laminar %s: %s: expected a %s number of seconds up to 1e9, found '%s'\n",
            cmd, opt, allow_zero ? "non-negative" : "positive", text);
    return 2;
  }
  *out = v;
  return 0;
}

int lam_cli_out_open(lam_cli_out *o, const char *cmd, const char *path) {
  o->of = NULL;
  if (!path || !strcmp(path, "-")) {
    o->f = stdout;
    return 0;
  }
  lam_err err = {0, ""};
  if (lam_outfile_open(path, "output", 0, &o->of, &err) ||
      !(o->f = lam_outfile_stream(o->of, &err))) {
    lam_outfile_abandon(o->of, 0, NULL);
    o->of = NULL;
    return lam_cli_fail(cmd, &err);
  }
  return 0;
}

int lam_cli_out_close(lam_cli_out *o, const char *cmd) {
  if (!o->of) {
    return fflush(stdout) != 0;
  }
  lam_err err = {0, ""};
  /* A write error removes FILE.part: a table cut short is not kept. */
  if (lam_outfile_check(o->of, &err)) {
    lam_outfile_abandon(o->of, 0, NULL);
    return lam_cli_fail(cmd, &err);
  }
  if (lam_outfile_commit(o->of, NULL, NULL, &err)) {
    return lam_cli_fail(cmd, &err);
  }
  return 0;
}
