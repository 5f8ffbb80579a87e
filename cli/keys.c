/* keys.c: `laminar keys [SECTION] [--markdown]`: every model-file key with
 * its unit, default, range and meaning, generated from the parameter tables
 * in the order of io/lam_sections.h (docs/model-reference.md is this
 * command's --markdown output). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lam_param.h"
#include "lam_sections.h"

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
  size_t n;
  const lam_section *s = lam_sections(&n);
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
