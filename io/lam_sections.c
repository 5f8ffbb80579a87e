/* lam_sections.c: the list of model-file sections (lam_sections.h). */
#include "lam_sections.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

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

/* The rows in `laminar keys` order. A table's length is a `const size_t`
 * of another file, not a constant expression, so rows hold its address and
 * the lam_section list is filled from them once, at first use
 * (pthread_once: any thread may ask first), and is read-only after. */
static const struct {
  const char *name;
  const lam_param *params;
  const size_t *nparams;
  const char *doc;
} rows[] = {
    {"run", lam_run_table, &lam_run_ntable,
     "Length, sampling and recorded populations of a run (`laminar run` --t-end, --dt-record and --record set these keys)"},
    {"network", lam_network_table, &lam_network_ntable,
     "Columns, heads, sizes, topology and lateral wiring (attention column)"},
    {"column", lam_column_table, &lam_column_ntable,
     "Populations of one column: time constants, transfer, gate, PV, SOM/VIP"},
    {"input", lam_input_table, &lam_input_ntable,
     "Thalamic input X and top-down input z"},
    {"stimulus", lam_stimulus_table, &lam_stimulus_ntable,
     "Time course of the thalamic input: x_j(t) = s_j(t) x_j + noise"},
    {"weights", lam_weights_table, &lam_weights_ntable,
     "Projection matrices W_Q, W_K, W_V"},
    {"clocks", lam_clock_table, &lam_clock_ntable,
     "Gamma (feedforward) and alpha/beta (feedback) rhythm clocks"},
    {"jansen_rit", lam_jansen_rit_table, &lam_jansen_rit_ntable,
     "Jansen-Rit column kind (docs/neural-masses.md); [network] columns sets N"},
    {"mejias2016", lam_mejias_table, &lam_mejias_ntable,
     "Mejias 2016 laminar E-I column kind (docs/neural-masses.md)"},
    {"wilson_cowan", lam_wilson_cowan_table, &lam_wilson_cowan_ntable,
     "Wilson-Cowan E-PV column kind (docs/neural-masses.md)"},
    {"plasticity", lam_plasticity_table, &lam_plasticity_ntable,
     "Burst-dependent plasticity of W_Q and W_K (Payeur et al. 2021 rate rule; "
     "docs/hierarchy.md)"},
    {"neuromod", lam_neuromod_table, &lam_neuromod_ntable,
     "Neuromodulatory gate g(t) scaling apical coupling and beta: "
     "a step schedule or surprise (docs/hierarchy.md)"},
    {"areas", lam_areas_table, &lam_areas_ntable,
     "Stacked areas and their feedforward / feedback links with delays "
     "(docs/hierarchy.md); [area.NAME.SECTION] overrides [SECTION]"},
    {"link.NAME", lam_link_table, &lam_link_ntable,
     "The link from area NAME to the next: CSV W_O, W_B and delays "
     "(docs/hierarchy.md); each key defaults to its [areas] value"},
    {"solver", lam_solver_table, &lam_solver_ntable,
     "Integrator and tolerances"},
    {"init", lam_init_table, &lam_init_ntable,
     "Initial state"},
    {"probe", lam_probe_table, &lam_probe_ntable,
     "Virtual laminar probe: contacts, spacing, conductivity (LFP and CSD)"},
};
#define NROWS (sizeof rows / sizeof rows[0])

static lam_section list[NROWS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void fill(void) {
  for (size_t i = 0; i < NROWS; i++) {
    list[i] = (lam_section){rows[i].name, rows[i].params, *rows[i].nparams, rows[i].doc};
  }
}

const lam_section *lam_sections(size_t *n) {
  pthread_once(&once, fill);
  *n = NROWS;
  return list;
}

/* The section called exactly name (len characters), or NULL. */
static const lam_section *exact(const char *name, size_t len) {
  size_t n;
  const lam_section *s = lam_sections(&n);
  for (size_t i = 0; i < n; i++) {
    if (strlen(s[i].name) == len && !strncmp(s[i].name, name, len)) {
      return &s[i];
    }
  }
  return NULL;
}

/* The section of name[0 .. len), scoped names included. */
static const lam_section *find(const char *name, size_t len) {
  const lam_section *s = exact(name, len);
  if (s) {
    return s;
  }
  const char *dot = memchr(name, '.', len);
  if (dot && dot > name && (size_t)(dot + 1 - name) < len) {
    size_t head = (size_t)(dot - name), rest = len - head - 1;
    if (head == 4 && !strncmp(name, "link", 4) && !memchr(dot + 1, '.', rest)) {
      return exact("link.NAME", 9); /* [link.NAME], NAME an area */
    }
    const char *sec = memchr(dot + 1, '.', rest);
    if (head == 4 && !strncmp(name, "area", 4) && sec && sec > dot + 1) {
      /* [area.NAME.SECTION]: an area's override of [SECTION]. */
      return find(sec + 1, len - (size_t)(sec + 1 - name));
    }
  }
  return NULL;
}

const lam_section *lam_sections_find(const char *name) {
  return name ? find(name, strlen(name)) : NULL;
}

int lam_sections_unit(const char *section_dot_key, char *unit, size_t len) {
  if (len) {
    unit[0] = '\0';
  }
  const char *dot = section_dot_key ? strrchr(section_dot_key, '.') : NULL;
  if (!dot) {
    return LAM_ENOTFOUND;
  }
  const lam_section *s = find(section_dot_key, (size_t)(dot - section_dot_key));
  const lam_param *p = s ? lam_param_find(s->params, s->nparams, dot + 1) : NULL;
  if (!p) {
    return LAM_ENOTFOUND;
  }
  snprintf(unit, len, "%s", p->unit ? p->unit : "");
  return LAM_OK;
}
