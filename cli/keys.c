/* keys.c: `laminar keys [SECTION] [--markdown]`: every model-file key with
 * its unit, default, range and meaning, generated from the parameter tables
 * (docs/model-reference.md is this command's --markdown output). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lam_areas.h"
#include "lam_attention.h"
#include "lam_clock.h"
#include "lam_column.h"
#include "lam_jansen_rit.h"
#include "lam_mejias.h"
#include "lam_neuromod.h"
#include "lam_plasticity.h"
#include "lam_probe.h"
#include "lam_sim.h"
#include "lam_solver.h"
#include "lam_stimulus.h"
#include "lam_wilson_cowan.h"

static void sections(const lam_section **out, size_t *n) {
  static lam_section s[32];
  size_t k = 0;
  s[k++] = (lam_section){"run", lam_run_table, lam_run_ntable,
                         "Length, sampling and recorded populations of a run (`laminar run` --t-end, --dt-record and --record set these keys)"};
  s[k++] = (lam_section){"network", lam_network_table, lam_network_ntable,
                         "Columns, heads, sizes, topology and lateral wiring (attention column)"};
  s[k++] = (lam_section){"column", lam_column_table, lam_column_ntable,
                         "Populations of one column: time constants, transfer, gate, PV, SOM/VIP"};
  s[k++] = (lam_section){"input", lam_input_table, lam_input_ntable,
                         "Thalamic input X and top-down input z"};
  s[k++] = (lam_section){"stimulus", lam_stimulus_table, lam_stimulus_ntable,
                         "Time course of the thalamic input: x_j(t) = s_j(t) x_j + noise"};
  s[k++] = (lam_section){"weights", lam_weights_table, lam_weights_ntable,
                         "Projection matrices W_Q, W_K, W_V"};
  s[k++] = (lam_section){"clocks", lam_clock_table, lam_clock_ntable,
                         "Gamma (feedforward) and alpha/beta (feedback) rhythm clocks"};
  s[k++] = (lam_section){"jansen_rit", lam_jansen_rit_table, lam_jansen_rit_ntable,
                         "Jansen-Rit column kind (docs/neural-masses.md); [network] columns sets N"};
  s[k++] = (lam_section){"mejias2016", lam_mejias_table, lam_mejias_ntable,
                         "Mejias 2016 laminar E-I column kind (docs/neural-masses.md)"};
  s[k++] = (lam_section){"wilson_cowan", lam_wilson_cowan_table, lam_wilson_cowan_ntable,
                         "Wilson-Cowan E-PV column kind (docs/neural-masses.md)"};
  s[k++] = (lam_section){"plasticity", lam_plasticity_table, lam_plasticity_ntable,
                         "Burst-dependent plasticity of W_Q and W_K (Payeur et al. 2021 rate rule; "
                         "docs/hierarchy.md)"};
  s[k++] = (lam_section){"neuromod", lam_neuromod_table, lam_neuromod_ntable,
                         "Neuromodulatory gate g(t) scaling apical coupling and beta: "
                         "a step schedule or surprise (docs/hierarchy.md)"};
  s[k++] = (lam_section){"areas", lam_areas_table, lam_areas_ntable,
                         "Stacked areas and their feedforward / feedback links with delays "
                         "(docs/hierarchy.md); [area.NAME.SECTION] overrides [SECTION]"};
  s[k++] = (lam_section){"link.NAME", lam_link_table, lam_link_ntable,
                         "The link from area NAME to the next: CSV W_O, W_B and delays "
                         "(docs/hierarchy.md); each key defaults to its [areas] value"};
  s[k++] = (lam_section){"solver", lam_solver_table, lam_solver_ntable,
                         "Integrator and tolerances"};
  s[k++] = (lam_section){"init", lam_init_table, lam_init_ntable, "Initial state"};
  s[k++] = (lam_section){"probe", lam_probe_table, lam_probe_ntable,
                         "Virtual laminar probe: contacts, spacing, conductivity (LFP and CSD)"};
  *out = s;
  *n = k;
}

int lam_cli_keys(int argc, char **argv) {
  const char *only = NULL;
  int md = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--markdown")) {
      md = 1;
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      puts("usage: laminar keys [SECTION] [--markdown]\n\n"
           "List every model-file key: section.key, unit, default, valid range\n"
           "or choices, and meaning. --markdown prints docs/model-reference.md.");
      return 0;
    } else {
      only = argv[i];
    }
  }
  const lam_section *s;
  size_t n;
  sections(&s, &n);
  int found = 0;
  if (md && !only) {
    puts("# Model-file reference\n\n"
         "Every key of a laminar model file (INI), generated from the parameter\n"
         "tables by `laminar keys --markdown` (a test keeps this file in step with\n"
         "the code). Times are in seconds, frequencies in Hz, depths in um;\n"
         "activities of the attention column are in arbitrary units (a.u.).\n"
         "A key left out takes its default; the defaults are the neutral ones\n"
         "(SOM/VIP couplings 0, noise off, clocks off: the ideal transformer).\n"
         "Any key can be overridden with `--set section.key=value`; paths are\n"
         "relative to the model file. An unknown key or a value out of range is\n"
         "an error naming the file, line and key.\n\n"
         "## The file\n\n"
         "A model file is a regular text file of at most 16 MiB, read whole before\n"
         "it is parsed; a directory, device, FIFO or socket is refused without being\n"
         "read. It is UTF-8 text (ASCII is UTF-8) with lines ending in LF or CRLF; a\n"
         "UTF-8 byte-order mark at its start is skipped. A NUL byte, any other\n"
         "control character but tab (bytes below 0x20, DEL, U+0080 to U+009F), a\n"
         "carriage return not followed by a line feed and invalid UTF-8 are errors\n"
         "naming the file, line and column. A model names at least one `[section]`\n"
         "(`[section]` alone, with no keys, takes the section's defaults): an empty\n"
         "file, or one of comments only, is an error.\n\n"
         "Lines have no length limit. A line whose first non-blank character is `;`\n"
         "or `#` is a comment, and so is a `;` after a blank, to the end of its line.\n"
         "Blanks (spaces, tabs) around sections, keys and values are ignored; an\n"
         "indented line is an ordinary line (there are no multi-line values). A\n"
         "line that is not blank or a comment is `[section]` (nothing but a comment\n"
         "after it) or `key = value` (or `key: value`), and a key is given once per\n"
         "section; anything else is a syntax error naming the line.\n\n"
         "Numbers are decimal: `[+-]digits[.digits][e[+-]digits]` (`0.5`, `.5`,\n"
         "`5e-1`); hexadecimal, `inf` and `nan` are not numbers, nor is a number\n"
         "beyond a double (`1e999`) or below its smallest normal value (`1e-400`).\n"
         "Integer keys take whole numbers up to 2^53 (`2`, `2.0`, `1e3`; not\n"
         "`2.5`). Every number lies in its key's valid range, bounds included. A\n"
         "`--set` value is checked the same way, and a control character in it is\n"
         "an error.\n");
  }
  for (size_t i = 0; i < n; i++) {
    if (only && strcmp(only, s[i].name)) {
      continue;
    }
    found = 1;
    if (md) {
      printf("## [%s]\n\n%s.\n\n| key | unit | default | valid | meaning |\n|---|---|---|---|---|\n",
             s[i].name, s[i].doc);
    } else {
      printf("[%s]  %s\n", s[i].name, s[i].doc);
    }
    for (size_t j = 0; j < s[i].nparams; j++) {
      const lam_param *p = &s[i].params[j];
      char valid[256];
      if (p->type == LAM_PT_CHOICE) {
        snprintf(valid, sizeof valid, "%s", p->choices);
      } else if (p->type == LAM_PT_REAL || p->type == LAM_PT_INT) {
        char lo[32], hi[32];
        lam_param_bound(p->min, p->type == LAM_PT_INT, lo, sizeof lo);
        lam_param_bound(p->max, p->type == LAM_PT_INT, hi, sizeof hi);
        snprintf(valid, sizeof valid, "[%s, %s]", lo, hi);
      } else if (p->type == LAM_PT_BOOL) {
        snprintf(valid, sizeof valid, "true|false");
      } else if (p->type == LAM_PT_PATH) {
        snprintf(valid, sizeof valid, "path");
      } else {
        snprintf(valid, sizeof valid, "text");
      }
      if (md) {
        printf("| `%s` | %s | `%s` | %s | %s |\n", p->key, p->unit,
               p->def[0] ? p->def : "(empty)", valid, p->doc);
      } else {
        printf("  %-18s %-10s default %-12s %-28s %s\n", p->key, p->unit,
               p->def[0] ? p->def : "(empty)", valid, p->doc);
      }
    }
    printf("\n");
  }
  if (!found) {
    fprintf(stderr, "laminar keys: unknown section '%s'\n", only);
    return 1;
  }
  return 0;
}
