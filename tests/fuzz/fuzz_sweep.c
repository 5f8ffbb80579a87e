/* fuzz_sweep: sweep specifications (experiments/lam_sweep_points.c) as
 * `laminar sweep` reads them. The input is one option per line, as on the
 * command line:
 *   --grid section.key=START:STOP:N[:log]    lam_sweep_add_grid
 *   --values section.key=a,b,c               lam_sweep_add_values
 *   --range section.key=LO:HI[:log]          lam_sweep_add_range
 *   --lhs N / --seed N                       lam_sweep_build's arguments
 *   --design                                 the rest of the input is the
 *                                            design CSV (lam_sweep_load_design)
 * then lam_sweep_build, every point's values and id, and lam_sweep_validate
 * against models/default.ini. Seeds: corpus/sweep/; dictionary: sweep.dict. */
#include "lam_fuzz.h"
#include "lam_model.h"
#include "lam_params.h"
#include "lam_sweep.h"

static lam_sim_params *base;
static volatile uint64_t sink; /* keeps the loops below */

/* cli/sweep.c's reading of --lhs and --seed. */
static int parse_count(const char *s, unsigned long long *out) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (end == s || *end || v < 1) {
    return -1;
  }
  *out = (unsigned long long)v;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lam_err err = {0, ""};
  if (!base) {
    lam_model *m = lam_model_new();
    if (!m || lam_model_load(m, LAM_SOURCE_ROOT "/models/default.ini", &err) ||
        lam_params_from_model(m, &base, &err)) {
      fprintf(stderr, "fuzz_sweep: %s\n", err.msg);
      abort();
    }
    lam_model_free(m);
  }
  char *text = lam_fuzz_text(data, size);
  lam_sweep_spec *sp = lam_sweep_spec_new();
  if (!sp) {
    abort();
  }
  unsigned long long lhs = 0, seed = 1;
  int rc = LAM_OK;
  for (char *line = text, *next; !rc && line; line = next) {
    char *nl = strchr(line, '\n');
    next = nl ? nl + 1 : NULL;
    if (nl) {
      *nl = '\0';
    }
    if (!strncmp(line, "--grid ", 7)) {
      rc = lam_sweep_add_grid(sp, line + 7, &err);
    } else if (!strncmp(line, "--values ", 9)) {
      rc = lam_sweep_add_values(sp, line + 9, &err);
    } else if (!strncmp(line, "--range ", 8)) {
      rc = lam_sweep_add_range(sp, line + 8, &err);
    } else if (!strncmp(line, "--lhs ", 6)) {
      rc = parse_count(line + 6, &lhs);
    } else if (!strncmp(line, "--seed ", 7)) {
      rc = parse_count(line + 7, &seed);
    } else if (!strcmp(line, "--design")) {
      size_t off = next ? (size_t)((const uint8_t *)next - (const uint8_t *)text) : size;
      const char *path = lam_fuzz_file("design.csv", data + off, size - off);
      rc = lam_sweep_load_design(sp, path, &err);
      break;
    }
  }
  if (!rc) {
    rc = lam_sweep_build(sp, (size_t)lhs, (unsigned long)seed, &err);
  }
  if (!rc) {
    size_t np = lam_sweep_npoints(sp), nd = lam_sweep_ndims(sp);
    uint64_t h = 0;
    for (size_t i = 0; i < np; i++) {
      h ^= lam_sweep_id(sp, i);
      for (size_t k = 0; k < nd; k++) {
        h ^= strlen(lam_sweep_value(sp, i, k));
      }
    }
    for (size_t k = 0; k < nd; k++) {
      h ^= strlen(lam_sweep_key(sp, k));
    }
    sink = h;
    (void)lam_sweep_validate(base, sp, &err);
  }
  lam_sweep_spec_free(sp);
  free(text);
  return 0;
}
