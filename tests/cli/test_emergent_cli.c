/* test_emergent_cli.c: bad values of the column's own rhythms stop a run
 * with file:line, the key, and what would work (docs/rhythms.md, "Rhythms
 * of the column"): a negative time constant, a source name that does not
 * exist for its band, ping on a column kind without PV, ping with PV
 * removed (pv = off) or with one PV per head (topology = topdown), and a
 * loop without a bounding transfer function. */
#include "lam_cli_test.h"

static void setup(void) { cli_tmpdir("lamemg"); }

/* Write text to dir/m.ini, run it, expect exit status 1 and each needle
 * in stderr. */
static void refused(const char *text, const char *const *needles) {
  char p[256];
  snprintf(p, sizeof p, "%s/m.ini", dir);
  FILE *f = fopen(p, "w");
  cr_assert(f);
  fputs(text, f);
  fclose(f);
  char out[256];
  snprintf(out, sizeof out, "%s/m.h5", dir);
  const char *args[] = {"run", p, "--t-end", "0.01", "-o", out, NULL};
  cr_expect_eq(run(args), 1, "accepted:\n%s", text);
  const char *e = slurp("stderr.txt");
  cr_assert(e);
  for (size_t k = 0; needles[k]; k++) {
    cr_expect(strstr(e, needles[k]), "lacks '%s': %s", needles[k], e);
  }
}

#define PING "[clocks]\nenabled = true\ngamma_source = ping\n"

Test(emergent_cli, negative_time_constant, .init = setup, .fini = cli_cleanup) {
  const char *n[] = {"m.ini:3: column.tau_gaba", "expected a value in [1e-05, 10] s", NULL};
  refused("[column]\ntransfer = relu\ntau_gaba = -0.003\n" PING, n);
  const char *n2[] = {"m.ini:3: column.tau_slow", "expected a value in", NULL};
  refused("[column]\ntransfer = relu\ntau_slow = -1\n" PING, n2);
}

Test(emergent_cli, unknown_source_names_list_the_band_s_sources, .init = setup,
     .fini = cli_cleanup) {
  const char *n[] = {"m.ini:5: clocks.gamma_source",
                     "expected one of clock|jansen-rit|wilson-cowan|ping, found 'deep'", NULL};
  refused("[column]\ntransfer = relu\n[clocks]\nenabled = true\ngamma_source = deep\n", n);
  const char *n2[] = {"m.ini:5: clocks.alpha_source",
                      "expected one of clock|jansen-rit|wilson-cowan|deep, found 'ping'", NULL};
  refused("[column]\ntransfer = relu\n[clocks]\nenabled = true\nalpha_source = ping\n", n2);
}

Test(emergent_cli, ping_needs_pv, .init = setup, .fini = cli_cleanup) {
  const char *jr[] = {"m.ini:5: clocks.gamma_source", "has no PV",
                      "expected column.kind = attention", NULL};
  refused("[column]\nkind = jansen-rit\n[clocks]\nenabled = true\ngamma_source = ping\n", jr);
  const char *off[] = {"m.ini:6: clocks.gamma_source", "column.pv = off has none",
                       "expected column.pv = subtractive, divisive or threshold", NULL};
  refused("[column]\ntransfer = relu\npv = off\n" PING, off);
  const char *td[] = {"m.ini:7: clocks.gamma_source", "expected network.topology = self",
                      NULL};
  refused("[column]\ntransfer = relu\n[network]\ntopology = topdown\n" PING, td);
}

Test(emergent_cli, loops_need_a_bounding_transfer, .init = setup, .fini = cli_cleanup) {
  const char *n[] = {"m.ini:3: clocks.alpha_source",
                     "expected column.transfer = relu or sigmoid", NULL};
  refused("[clocks]\nenabled = true\nalpha_source = deep\n", n);
}
