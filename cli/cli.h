/* cli.h: the laminar command-line tool's subcommands. Only cli/ prints. */
#ifndef LAM_CLI_H
#define LAM_CLI_H

#include <signal.h>
#include <stdio.h>

#include "lam_error.h"
#include "lam_model.h"

/* OpenBLAS on one thread for the whole process (cli/blas.c); called first
 * thing by main. No-op with another CBLAS. */
void lam_cli_blas_single_thread(void);

int lam_cli_run(int argc, char **argv);
int lam_cli_keys(int argc, char **argv);
int lam_cli_analyze(int argc, char **argv);
/* `laminar analyze MODEL --fixed-points | --scan ...` (stability.c). */
int lam_cli_stability(int argc, char **argv);
int lam_cli_plot(int argc, char **argv);
int lam_cli_experiment(int argc, char **argv);
int lam_cli_sweep(int argc, char **argv);

/* Parse a time option: a decimal number of seconds, > 0 (or >= 0 with
 * allow_zero), at most 1e9. 0 on success; otherwise prints "laminar <cmd>: <opt>:
 * expected ..., found '<text>'" and returns 2 (the usage exit status). */
int lam_cli_seconds(const char *cmd, const char *opt, const char *text,
                    int allow_zero, double *out);

/* Parse a numeric option: a decimal number (lam_param_number(): no hex,
 * inf or nan; with integer, a whole number) inside [lo, hi]. 0 on success;
 * otherwise prints "laminar <cmd>: <opt>: expected an integer in [lo, hi],
 * found '<text>'" (or "a number") and returns 2 (the usage exit status).
 * Options that set a model key take the range of the key's table row. */
int lam_cli_number(const char *cmd, const char *opt, const char *text,
                   double lo, double hi, int integer, double *out);

/* Print "laminar <cmd>: <message>" to stderr and return exit status 1. */
int lam_cli_fail(const char *cmd, const lam_err *err);

/* A table or report written by a command: FILE through FILE.part under
 * FILE's lock (io/lam_outfile.h), renamed when whole; NULL or "-": stdout.
 * Both return an exit status (0, or 1 after printing why). */
typedef struct lam_cli_out {
  FILE *f;
  struct lam_outfile *of; /* NULL: stdout */
} lam_cli_out;
int lam_cli_out_open(lam_cli_out *o, const char *cmd, const char *path);
int lam_cli_out_close(lam_cli_out *o, const char *cmd);

/* SIGINT/SIGTERM set this flag; long work checks it and stops cleanly.
 * The one piece of process-wide state, owned by the command line. */
extern volatile sig_atomic_t lam_cli_stop;
void lam_cli_trap_signals(void);

/* A progress line on stderr, only when stderr is a terminal. */
typedef struct lam_cli_progress {
  int tty;
  double last_wall, start_wall;
  const char *what;
} lam_cli_progress;
void lam_cli_progress_init(lam_cli_progress *p, const char *what);
void lam_cli_progress_update(void *ctx, double t, double t_end);
void lam_cli_progress_done(lam_cli_progress *p);

#endif
