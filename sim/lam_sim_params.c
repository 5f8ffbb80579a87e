/* lam_sim_params.c: a whole model as typed parameters (lam_sim_params.h). */
#include "lam_sim_params.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S lam_run_params
const lam_param lam_run_table[] = {
    LAM_REAL(S, t_end, "1", "s", 1e-9, 1e9, "Simulated time"),
    LAM_REAL(S, dt_record, "0.001", "s", 1e-9, 1e6, "Sampling step of the recorded traces"),
    LAM_STRING(S, record, "layers",
               "Populations to record, comma-separated names; all: every "
               "population; layers: all but the T x T x H pairwise states "
               "(l5a, attn) of attention networks"),
};
#undef S
const size_t lam_run_ntable = LAM_NELEM(lam_run_table);

#define S lam_init_params
const lam_param lam_init_table[] = {
    LAM_PATHP(S, state, "",
              "Initial state CSV: one row per state variable of a column (docs/state-layout.md), "
              "one CSV column per model column; empty: the model's documented default"),
};
#undef S
const size_t lam_init_ntable = LAM_NELEM(lam_init_table);

/* ---- The sections ---- */

enum {
  SEC_RUN, SEC_NETWORK, SEC_COLUMN, SEC_INPUT, SEC_STIMULUS, SEC_WEIGHTS,
  SEC_CLOCKS, SEC_JANSEN_RIT, SEC_MEJIAS, SEC_WILSON_COWAN, SEC_PLASTICITY,
  SEC_NEUROMOD, SEC_AREAS, SEC_LINK, SEC_SOLVER, SEC_INIT, SEC_PROBE,
  NSEC,
  SEC_MASS_NETWORK = NSEC /* [network] of the neural masses, not listed */
};

#define SP(f) offsetof(lam_sim_params, f)
static lam_sim_section section(int id) {
  switch (id) {
  case SEC_RUN:
    return (lam_sim_section){"run", lam_run_table, lam_run_ntable, SP(run),
                             "Length, sampling and recorded populations of a run (`laminar run` --t-end, --dt-record and --record set these keys)"};
  case SEC_NETWORK:
    return (lam_sim_section){"network", lam_network_table, lam_network_ntable, SP(network),
                             "Columns, heads, sizes, topology and lateral wiring (attention column)"};
  case SEC_COLUMN:
    return (lam_sim_section){"column", lam_column_table, lam_column_ntable, SP(column),
                             "Populations of one column: time constants, transfer, gate, PV, SOM/VIP"};
  case SEC_INPUT:
    return (lam_sim_section){"input", lam_input_table, lam_input_ntable, SP(input),
                             "Thalamic input X and top-down input z"};
  case SEC_STIMULUS:
    return (lam_sim_section){"stimulus", lam_stimulus_table, lam_stimulus_ntable, SP(stimulus),
                             "Time course of the thalamic input: x_j(t) = s_j(t) x_j + noise"};
  case SEC_WEIGHTS:
    return (lam_sim_section){"weights", lam_weights_table, lam_weights_ntable, SP(weights),
                             "Projection matrices W_Q, W_K, W_V"};
  case SEC_CLOCKS:
    return (lam_sim_section){"clocks", lam_clock_table, lam_clock_ntable, SP(clocks),
                             "Gamma (feedforward) and alpha/beta (feedback) rhythm clocks"};
  case SEC_JANSEN_RIT:
    return (lam_sim_section){"jansen_rit", lam_jansen_rit_table, lam_jansen_rit_ntable, SP(jansen_rit),
                             "Jansen-Rit column kind (docs/neural-masses.md); [network] columns sets N"};
  case SEC_MEJIAS:
    return (lam_sim_section){"mejias2016", lam_mejias_table, lam_mejias_ntable, SP(mejias2016),
                             "Mejias 2016 laminar E-I column kind (docs/neural-masses.md)"};
  case SEC_WILSON_COWAN:
    return (lam_sim_section){"wilson_cowan", lam_wilson_cowan_table, lam_wilson_cowan_ntable, SP(wilson_cowan),
                             "Wilson-Cowan E-PV column kind (docs/neural-masses.md)"};
  case SEC_PLASTICITY:
    return (lam_sim_section){"plasticity", lam_plasticity_table, lam_plasticity_ntable, SP(plasticity),
                             "Burst-dependent plasticity of W_Q and W_K (Payeur et al. 2021 rate rule; "
                             "docs/hierarchy.md)"};
  case SEC_NEUROMOD:
    return (lam_sim_section){"neuromod", lam_neuromod_table, lam_neuromod_ntable, SP(neuromod),
                             "Neuromodulatory gate g(t) scaling apical coupling and beta: "
                             "a step schedule or surprise (docs/hierarchy.md)"};
  case SEC_AREAS:
    return (lam_sim_section){"areas", lam_areas_table, lam_areas_ntable, SP(areas),
                             "Stacked areas and their feedforward / feedback links with delays "
                             "(docs/hierarchy.md); [area.NAME.SECTION] overrides [SECTION]"};
  case SEC_LINK:
    return (lam_sim_section){"link.NAME", lam_link_table, lam_link_ntable, 0,
                             "The link from area NAME to the next: CSV W_O, W_B and delays "
                             "(docs/hierarchy.md); each key defaults to its [areas] value"};
  case SEC_SOLVER:
    return (lam_sim_section){"solver", lam_solver_table, lam_solver_ntable, SP(solver),
                             "Integrator and tolerances"};
  case SEC_INIT:
    return (lam_sim_section){"init", lam_init_table, lam_init_ntable, SP(init), "Initial state"};
  case SEC_PROBE:
    return (lam_sim_section){"probe", lam_probe_table, lam_probe_ntable, SP(probe),
                             "Virtual laminar probe: contacts, spacing, conductivity (LFP and CSD)"};
  default:
    return (lam_sim_section){"network", lam_mass_network_table, lam_mass_network_ntable,
                             SP(mass_network), "Columns of a neural-mass network"};
  }
}
#undef SP

size_t lam_sim_sections(lam_sim_section *out) {
  for (int i = 0; i < NSEC; i++) {
    out[i] = section(i);
  }
  return NSEC;
}

int lam_sim_section_find(const char *name, lam_sim_section *out) {
  if (!strncmp(name, "link.", 5) && name[5]) {
    *out = section(SEC_LINK);
    return 1;
  }
  if (!strncmp(name, "area.", 5)) { /* area.NAME.SECTION */
    const char *dot = strchr(name + 5, '.');
    if (!dot || dot == name + 5) {
      return 0;
    }
    name = dot + 1;
  }
  for (int i = 0; i < NSEC; i++) {
    lam_sim_section s = section(i);
    if (!strcmp(s.name, name)) {
      *out = s;
      return 1;
    }
  }
  return 0;
}

/* The attention sections in reading order, the emergent generators' with
 * them (gamma's first, as the clocks build them). */
static size_t attention_ids(const lam_clock_params *c, int *ids) {
  size_t k = 0;
  ids[k++] = SEC_NETWORK;
  ids[k++] = SEC_INPUT;
  ids[k++] = SEC_WEIGHTS;
  ids[k++] = SEC_PLASTICITY;
  ids[k++] = SEC_NEUROMOD;
  ids[k++] = SEC_CLOCKS;
  if (c->enabled) {
    const int src[2] = {c->gamma_source, c->alpha_source};
    int have_jr = 0, have_wc = 0;
    for (int b = 0; b < 2; b++) {
      if (src[b] == LAM_CLOCK_SOURCE_JANSEN_RIT && !have_jr) {
        ids[k++] = SEC_JANSEN_RIT;
        have_jr = 1;
      } else if (src[b] == LAM_CLOCK_SOURCE_WILSON_COWAN && !have_wc) {
        ids[k++] = SEC_WILSON_COWAN;
        have_wc = 1;
      }
    }
  }
  ids[k++] = SEC_STIMULUS;
  return k;
}

size_t lam_sim_params_sections(const lam_sim_params *p, lam_sim_section *out) {
  int ids[LAM_SIM_SECTIONS_MAX];
  size_t k = 0;
  ids[k++] = SEC_COLUMN;
  if (p->has_areas) {
    ids[k++] = SEC_AREAS;
  } else {
    switch (p->column.kind) {
    case LAM_KIND_ATTENTION:
      k += attention_ids(&p->clocks, ids + k);
      break;
    case LAM_KIND_JANSEN_RIT:
      ids[k++] = SEC_MASS_NETWORK;
      ids[k++] = SEC_JANSEN_RIT;
      break;
    case LAM_KIND_MEJIAS:
      ids[k++] = SEC_MASS_NETWORK;
      ids[k++] = SEC_MEJIAS;
      break;
    default:
      ids[k++] = SEC_MASS_NETWORK;
      ids[k++] = SEC_WILSON_COWAN;
      break;
    }
  }
  ids[k++] = SEC_SOLVER;
  ids[k++] = SEC_RUN;
  ids[k++] = SEC_INIT;
  ids[k++] = SEC_PROBE;
  for (size_t i = 0; i < k; i++) {
    out[i] = section(ids[i]);
  }
  return k;
}

size_t lam_sim_params_area_sections(const lam_attention_params *a,
                                    lam_sim_section *out) {
  int ids[LAM_SIM_SECTIONS_MAX];
  size_t k = 0;
  ids[k++] = SEC_COLUMN;
  k += attention_ids(&a->clocks, ids + k);
  for (size_t i = 0; i < k; i++) {
    out[i] = section(ids[i]);
    /* The same bundle inside lam_attention_params. */
    switch (ids[i]) {
#define AO(f) offsetof(lam_attention_params, f)
    case SEC_COLUMN: out[i].offset = AO(column); break;
    case SEC_NETWORK: out[i].offset = AO(network); break;
    case SEC_INPUT: out[i].offset = AO(input); break;
    case SEC_WEIGHTS: out[i].offset = AO(weights); break;
    case SEC_PLASTICITY: out[i].offset = AO(plasticity); break;
    case SEC_NEUROMOD: out[i].offset = AO(neuromod); break;
    case SEC_CLOCKS: out[i].offset = AO(clocks); break;
    case SEC_JANSEN_RIT: out[i].offset = AO(jansen_rit); break;
    case SEC_WILSON_COWAN: out[i].offset = AO(wilson_cowan); break;
    default: out[i].offset = AO(stimulus); break;
#undef AO
    }
  }
  return k;
}

/* ---- Life cycle ---- */

lam_sim_params *lam_sim_params_new(int kind, lam_err *err) {
  lam_sim_params *p = calloc(1, sizeof *p);
  if (!p) {
    LAM_NOMEM(err);
    return NULL;
  }
  int rc = LAM_OK;
  for (int i = 0; !rc && i <= NSEC; i++) {
    if (i == SEC_LINK) {
      continue;
    }
    lam_sim_section s = section(i);
    rc = lam_param_defaults(s.table, s.n, (char *)p + s.offset, err);
  }
  p->given = rc ? NULL : lam_given_new();
  if (!rc && !p->given) {
    rc = LAM_NOMEM(err);
  }
  if (!rc && (kind < LAM_KIND_ATTENTION || kind > LAM_KIND_WILSON_COWAN)) {
    rc = lam_err_set(err, LAM_EINVAL, "column.kind: expected one of %s, found %d",
                     LAM_COLUMN_KINDS, kind);
  }
  if (rc) {
    lam_sim_params_free(p);
    return NULL;
  }
  p->column.kind = kind;
  return p;
}

static void free_areas(lam_sim_params *p) {
  for (size_t i = 0; p->area_given && i < p->nareas; i++) {
    lam_given_free(p->area_given[i]);
  }
  free(p->area_given);
  free(p->area);
  free(p->link);
  p->area_given = NULL;
  p->area = NULL;
  p->link = NULL;
  p->nareas = 0;
}

void lam_sim_params_free(lam_sim_params *p) {
  if (p) {
    free_areas(p);
    lam_given_free(p->given);
    free(p);
  }
}

lam_sim_params *lam_sim_params_copy(const lam_sim_params *p, lam_err *err) {
  lam_sim_params *c = malloc(sizeof *c);
  if (!c) {
    LAM_NOMEM(err);
    return NULL;
  }
  *c = *p;
  c->area = NULL;
  c->area_given = NULL;
  c->link = NULL;
  c->given = lam_given_copy(p->given);
  int fail = p->given && !c->given;
  if (p->nareas) {
    c->area = malloc(p->nareas * sizeof *c->area);
    c->area_given = calloc(p->nareas, sizeof *c->area_given);
    c->link = malloc(p->nareas * sizeof *c->link);
    fail |= !c->area || !c->area_given || !c->link;
    for (size_t i = 0; !fail && i < p->nareas; i++) {
      c->area[i] = p->area[i];
      c->area_given[i] = lam_given_copy(p->area_given[i]);
      fail |= p->area_given[i] && !c->area_given[i];
      if (i + 1 < p->nareas) {
        c->link[i] = p->link[i];
      }
    }
  }
  if (fail) {
    lam_sim_params_free(c);
    LAM_NOMEM(err);
    return NULL;
  }
  return c;
}

void lam_sim_params_attention(const lam_sim_params *p, lam_attention_params *a) {
  a->column = p->column;
  a->network = p->network;
  a->input = p->input;
  a->weights = p->weights;
  a->plasticity = p->plasticity;
  a->neuromod = p->neuromod;
  a->clocks = p->clocks;
  a->stimulus = p->stimulus;
  a->jansen_rit = p->jansen_rit;
  a->wilson_cowan = p->wilson_cowan;
}

int lam_sim_params_set_areas(lam_sim_params *p, const char *names, lam_err *err) {
  if (p->has_areas) {
    return lam_err_set(err, LAM_EINVAL, "areas.names: the model has areas already (%s)",
                       p->areas.names);
  }
  if (p->column.kind != LAM_KIND_ATTENTION) {
    return lam_err_set(err, LAM_EINVAL,
                       "column.kind: expected attention for stacked areas, found another kind");
  }
  char nm[LAM_AREAS_MAX][LAM_AREAS_NAME_MAX];
  size_t n = 0;
  int rc = lam_areas_parse_names(names, "code", nm, &n, err);
  if (rc) {
    return rc;
  }
  if (n == 0 || strlen(names) >= sizeof p->areas.names) {
    return lam_err_set(err, LAM_EINVAL, "code: areas.names: expected 1 to %d names "
                       "in under %zu bytes, found '%s'", LAM_AREAS_MAX,
                       sizeof p->areas.names, names);
  }
  lam_attention_params a;
  lam_sim_params_attention(p, &a);
  lam_attention_params *area = calloc(n, sizeof *area);
  lam_given **given = calloc(n, sizeof *given);
  lam_link_params *link = calloc(n, sizeof *link);
  rc = area && given && link ? LAM_OK : LAM_NOMEM(err);
  for (size_t i = 0; !rc && i < n; i++) {
    area[i] = a;
    /* The whole model's arrays and locations; entries of other sections
     * are never looked up in an area's. */
    given[i] = lam_given_copy(p->given);
    rc = given[i] ? lam_param_defaults(lam_link_table, lam_link_ntable, &link[i], err)
                  : LAM_NOMEM(err);
  }
  if (rc) {
    for (size_t i = 0; given && i < n; i++) {
      lam_given_free(given[i]);
    }
    free(area);
    free(given);
    free(link);
    return rc;
  }
  p->area = area;
  p->area_given = given;
  p->link = link;
  p->nareas = n;
  memcpy(p->area_name, nm, n * sizeof nm[0]);
  snprintf(p->areas.names, sizeof p->areas.names, "%s", names);
  p->has_areas = 1;
  return LAM_OK;
}

/* ---- Keys ---- */

/* "section.key" (or "area.NAME.section.key") split into its section, its
 * key and the bundles it sets: the top-level one (when whole) and each
 * area's that does not set it itself. */
typedef struct target {
  lam_sim_section sec;
  const lam_param *param;
  char section[160], key[64];
  long area; /* -1: the whole model */
} target;

static int find_target(const lam_sim_params *p, const char *name,
                       const char *where, target *t, lam_err *err) {
  /* Messages as a model file's: "WHERE: section.key: unknown key ..." */
  const char *w = where ? where : "", *sep = where ? ": " : "";
  const char *dot = strrchr(name, '.');
  if (!dot || dot == name || !dot[1] || (size_t)(dot - name) >= sizeof t->section ||
      strlen(dot + 1) >= sizeof t->key) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s%s%s: expected section.key (e.g. column.beta)", w, sep, name);
  }
  memcpy(t->section, name, (size_t)(dot - name));
  t->section[dot - name] = '\0';
  snprintf(t->key, sizeof t->key, "%s", dot + 1);
  t->area = -1;
  if (!lam_sim_section_find(t->section, &t->sec) ||
      !strncmp(t->section, "link.", 5)) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s%s[%s]: unknown section (see docs/model-reference.md or "
                       "`laminar keys`)", w, sep, t->section);
  }
  if (!strncmp(t->section, "area.", 5)) {
    const char *an = t->section + 5;
    size_t len = (size_t)(strchr(an, '.') - an);
    for (size_t i = 0; i < p->nareas; i++) {
      if (strlen(p->area_name[i]) == len && !strncmp(p->area_name[i], an, len)) {
        t->area = (long)i;
      }
    }
    if (t->area < 0) {
      return lam_err_set(err, LAM_EINVAL, "%s%s%s: no area '%.*s' in this model",
                         w, sep, name, (int)len, an);
    }
  }
  t->param = lam_param_find(t->sec.table, t->sec.n, t->key);
  if (!t->param) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s%s%s: unknown key (see docs/model-reference.md or "
                       "`laminar keys %s`)", w, sep, name, t->sec.name);
  }
  return LAM_OK;
}

/* The bundle of section s inside area a's parameters, or NULL when the
 * section is not an attention section. */
static void *area_bundle(lam_sim_params *p, size_t a, const char *name) {
  lam_attention_params *ap = &p->area[a];
  if (!strcmp(name, "column")) return &ap->column;
  if (!strcmp(name, "network")) return &ap->network;
  if (!strcmp(name, "input")) return &ap->input;
  if (!strcmp(name, "weights")) return &ap->weights;
  if (!strcmp(name, "plasticity")) return &ap->plasticity;
  if (!strcmp(name, "neuromod")) return &ap->neuromod;
  if (!strcmp(name, "clocks")) return &ap->clocks;
  if (!strcmp(name, "stimulus")) return &ap->stimulus;
  if (!strcmp(name, "jansen_rit")) return &ap->jansen_rit;
  if (!strcmp(name, "wilson_cowan")) return &ap->wilson_cowan;
  return NULL;
}

/* Set a key's bundles (lam_param_parse leaves a number unchanged when it
 * refuses it, so a bad value changes nothing).
 * literal: a path value as it is, not resolved against the model's folder
 * (the "(array)" of lam_sim_params_set_array). */
static int apply(lam_sim_params *p, const target *t, const char *value,
                 const char *where, int literal, lam_err *err) {
  const char *w = where ? where : "code";
  /* [areas] shapes the model: names make the areas (as a file's [areas]
   * would), and its other keys need areas to act on. */
  if (!strcmp(t->sec.name, "areas") && !p->has_areas) {
    if (strcmp(t->key, "names")) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: areas.%s: this model has no stacked areas (set "
                         "areas.names first)", w, t->key);
    }
    int rc = lam_sim_params_set_areas(p, value, err);
    return rc ? lam_err_prefix(err, "%s: ", w)
              : where ? lam_given_set_where(p->given, "areas", "names", where) : LAM_OK;
  }
  if (!strcmp(t->sec.name, "areas") && !strcmp(t->key, "names")) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: areas.names: the areas of a model are set once (this one "
                       "has %s)", w, p->areas.names);
  }
  const char *basedir = literal ? NULL : p->basedir;
  if (t->area >= 0 && !area_bundle(p, (size_t)t->area, t->sec.name)) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: %s.%s: an area has no [%s] of its own (its attention "
                       "sections only): set %s.%s for the whole model",
                       w, t->section, t->key, t->sec.name, t->sec.name, t->key);
  }
  if (t->area < 0) {
    void *dst = (char *)p + t->sec.offset;
    if (!strcmp(t->sec.name, "network") && p->column.kind != LAM_KIND_ATTENTION &&
        !p->has_areas) {
      const lam_sim_section ms = section(SEC_MASS_NETWORK);
      const lam_param *mp = lam_param_find(ms.table, ms.n, t->key);
      if (mp) {
        int rc = lam_param_parse(mp, "network", value, w, basedir, &p->mass_network, err);
        if (rc) {
          return rc;
        }
      }
    }
    int rc = lam_param_parse(t->param, t->sec.name, value, w, basedir, dst, err);
    if (rc) {
      return rc;
    }
  }
  for (size_t a = 0; a < p->nareas; a++) {
    void *b = area_bundle(p, a, t->sec.name);
    char scoped[224];
    snprintf(scoped, sizeof scoped, "area.%s.%s", p->area_name[a], t->sec.name);
    const int own = lam_given_where(p->given, scoped, t->key) != NULL;
    if (b && ((t->area < 0 && !own) || (size_t)t->area == a)) {
      int rc = lam_param_parse(t->param, t->sec.name, value, w, basedir, b, err);
      if (rc) {
        return rc;
      }
    }
  }
  if (t->param->type == LAM_PT_PATH) {
    lam_given_drop_matrix(t->area < 0 ? p->given : p->area_given[t->area],
                          t->sec.name, t->key);
  }
  return where ? lam_given_set_where(p->given, t->section, t->key, where) : LAM_OK;
}

int lam_sim_params_set(lam_sim_params *p, const char *key, const char *value,
                       const char *where, lam_err *err) {
  target t;
  int rc = find_target(p, key, where, &t, err);
  return rc ? rc : apply(p, &t, value, where, 0, err);
}

int lam_sim_params_set_number(lam_sim_params *p, const char *key, double value,
                              lam_err *err) {
  target t;
  int rc = find_target(p, key, NULL, &t, err);
  if (rc) {
    return rc;
  }
  char text[64];
  switch (t.param->type) {
  case LAM_PT_REAL:
    snprintf(text, sizeof text, "%.17g", value);
    break;
  case LAM_PT_INT:
  case LAM_PT_BOOL:
    if (!(value == floor(value)) || fabs(value) > 9007199254740992.0) {
      return lam_err_set(err, LAM_EINVAL, "%s: expected a whole number, found %g",
                         key, value);
    }
    snprintf(text, sizeof text, "%.0f", value);
    break;
  case LAM_PT_CHOICE: {
    if (!(value == floor(value)) || value < 0 || value > 64) {
      return lam_err_set(err, LAM_EINVAL, "%s: expected the index of one of %s, found %g",
                         key, t.param->choices, value);
    }
    lam_choice_word(t.param->choices, (int)value, text, sizeof text);
    break;
  }
  default:
    return lam_err_set(err, LAM_EINVAL, "%s: expected a number key, found a %s key",
                       key, t.param->type == LAM_PT_PATH ? "path" : "text");
  }
  return apply(p, &t, text, NULL, 0, err);
}

int lam_sim_params_get(const lam_sim_params *p, const char *key, char *buf,
                       size_t len, lam_err *err) {
  target t;
  int rc = find_target(p, key, NULL, &t, err);
  if (rc) {
    return rc;
  }
  const void *src = (const char *)p + t.sec.offset;
  if (t.area >= 0) {
    src = area_bundle((lam_sim_params *)p, (size_t)t.area, t.sec.name);
  } else if (!strcmp(t.sec.name, "network") && p->column.kind != LAM_KIND_ATTENTION &&
             !p->has_areas) {
    const lam_sim_section ms = section(SEC_MASS_NETWORK);
    const lam_param *mp = lam_param_find(ms.table, ms.n, t.key);
    if (mp) {
      lam_param_format(mp, (const char *)p + ms.offset, buf, len);
      return LAM_OK;
    }
  }
  if (!src) {
    return lam_err_set(err, LAM_EINVAL, "%s: not a section of an area", key);
  }
  lam_param_format(t.param, src, buf, len);
  return LAM_OK;
}

int lam_sim_params_set_array(lam_sim_params *p, const char *key, size_t rows,
                             size_t cols, const double *values, lam_err *err) {
  target t;
  int rc = find_target(p, key, NULL, &t, err);
  if (rc) {
    return rc;
  }
  if (t.param->type != LAM_PT_PATH) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected a key that names a CSV "
                       "file (its array), found a number or text key", key);
  }
  if (rows == 0 || cols == 0 || rows > SIZE_MAX / cols / sizeof(double)) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected a non-empty array, found %zu x %zu",
                       key, rows, cols);
  }
  for (size_t i = 0; i < rows * cols; i++) {
    if (!isfinite(values[i])) {
      return lam_err_set(err, LAM_EINVAL, "%s: expected finite numbers, found "
                         "%g at row %zu, column %zu", key, values[i], i / cols, i % cols);
    }
  }
  rc = apply(p, &t, "(array)", NULL, 1, err);
  if (rc) {
    return rc;
  }
  lam_matrix m = {rows, cols, malloc(rows * cols * sizeof(double))};
  if (!m.data) {
    return LAM_NOMEM(err);
  }
  memcpy(m.data, values, rows * cols * sizeof(double));
  /* A stimulus schedule's rows carry their line for messages: the row. */
  long *lines = NULL;
  if (!strcmp(t.sec.name, "stimulus")) {
    lines = malloc(rows * sizeof *lines);
    for (size_t r = 0; lines && r < rows; r++) {
      lines[r] = (long)r + 1;
    }
    if (!lines) {
      free(m.data);
      return LAM_NOMEM(err);
    }
  }
  lam_given *g = t.area < 0 ? p->given : p->area_given[t.area];
  rc = lam_given_set_matrix(g, t.sec.name, t.key, &m, lines);
  if (rc) {
    free(m.data);
    free(lines);
    return LAM_NOMEM(err);
  }
  /* Every area that takes this key from the whole model gets the array. */
  for (size_t a = 0; t.area < 0 && a < p->nareas; a++) {
    char scoped[224];
    snprintf(scoped, sizeof scoped, "area.%s.%s", p->area_name[a], t.sec.name);
    if (area_bundle(p, a, t.sec.name) && !lam_given_where(p->given, scoped, t.key)) {
      lam_matrix c = {rows, cols, malloc(rows * cols * sizeof(double))};
      long *cl = lines ? malloc(rows * sizeof *cl) : NULL;
      if (!c.data || (lines && !cl)) {
        free(c.data);
        free(cl);
        return LAM_NOMEM(err);
      }
      memcpy(c.data, values, rows * cols * sizeof(double));
      if (cl) {
        memcpy(cl, lines, rows * sizeof *cl);
      }
      if (lam_given_set_matrix(p->area_given[a], t.sec.name, t.key, &c, cl)) {
        free(c.data);
        free(cl);
        return LAM_NOMEM(err);
      }
    }
  }
  return LAM_OK;
}

const char *lam_sim_params_where(const lam_sim_params *p, const char *section,
                                 const char *key) {
  return lam_given_where(p->given, section, key);
}

/* ---- Text ---- */

typedef struct buf {
  char *s;
  size_t len, cap;
  int fail;
} buf;

static void put(buf *b, const char *fmt, const char *a, const char *c,
                const char *d) {
  if (b->fail) {
    return;
  }
  size_t need = strlen(fmt) + strlen(a) + (c ? strlen(c) : 0) + (d ? strlen(d) : 0) + 1;
  if (b->len + need >= b->cap) {
    size_t cap = 2 * b->cap + need + 256;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->fail = 1;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
  b->len += (size_t)snprintf(b->s + b->len, b->cap - b->len, fmt, a, c ? c : "", d ? d : "");
}

/* One section as a model file resolves it: every key with its unit. */
static void put_section(buf *b, const char *name, const lam_param *t, size_t n,
                        const void *src) {
  put(b, "[%s]\n", name, NULL, NULL);
  for (size_t i = 0; i < n; i++) {
    char val[LAM_PATH_MAX];
    lam_param_format(&t[i], src, val, sizeof val);
    put(b, "%s = %s ; %s\n", t[i].key, val, t[i].unit);
  }
  put(b, "\n", "", NULL, NULL);
}

/* Sections of the model in text order: fn(ctx, name, table, n, bundle). */
static int each_section(const lam_sim_params *p,
                        int (*fn)(void *, const char *, const lam_param *, size_t,
                                  const void *),
                        void *ctx) {
  lam_sim_section s[LAM_SIM_SECTIONS_MAX];
  size_t n = lam_sim_params_sections(p, s);
  int rc = 0;
  /* [column] and [areas] first, then the areas and links, then the rest. */
  size_t head = p->has_areas ? 2 : n - 4;
  for (size_t i = 0; !rc && i < head; i++) {
    rc = fn(ctx, s[i].name, s[i].table, s[i].n, (const char *)p + s[i].offset);
  }
  for (size_t a = 0; !rc && p->has_areas && a < p->nareas; a++) {
    lam_sim_section as[LAM_SIM_SECTIONS_MAX];
    size_t na = lam_sim_params_area_sections(&p->area[a], as);
    for (size_t i = 0; !rc && i < na; i++) {
      char name[224];
      snprintf(name, sizeof name, "area.%s.%s", p->area_name[a], as[i].name);
      rc = fn(ctx, name, as[i].table, as[i].n, (const char *)&p->area[a] + as[i].offset);
    }
  }
  for (size_t a = 0; !rc && p->has_areas && a + 1 < p->nareas; a++) {
    char name[80];
    snprintf(name, sizeof name, "link.%s", p->area_name[a]);
    rc = fn(ctx, name, lam_link_table, lam_link_ntable, &p->link[a]);
  }
  for (size_t i = head; !rc && i < n; i++) {
    rc = fn(ctx, s[i].name, s[i].table, s[i].n, (const char *)p + s[i].offset);
  }
  return rc;
}

static int text_fn(void *ctx, const char *name, const lam_param *t, size_t n,
                   const void *src) {
  put_section(ctx, name, t, n, src);
  return 0;
}

char *lam_sim_params_text(const lam_sim_params *p) {
  buf b = {NULL, 0, 0, 0};
  put(&b, "%s", "", NULL, NULL);
  each_section(p, text_fn, &b);
  if (b.fail) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

int lam_sim_params_hash(const lam_sim_params *p, uint64_t *hash) {
  char *text = lam_sim_params_text(p);
  if (!text) {
    return 0;
  }
  uint64_t h = 1469598103934665603ULL; /* as lam_model_hash */
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    h ^= *c;
    h *= 1099511628211ULL;
  }
  free(text);
  *hash = h;
  return 1;
}

typedef struct inputs_ctx {
  int (*fn)(void *, const char *, const char *, const char *);
  void *ctx;
} inputs_ctx;

static int inputs_fn(void *ctx, const char *name, const lam_param *t, size_t n,
                     const void *src) {
  inputs_ctx *c = ctx;
  for (size_t i = 0; i < n; i++) {
    if (t[i].type == LAM_PT_PATH) {
      const char *path = (const char *)src + t[i].offset;
      if (path[0]) {
        int rc = c->fn(c->ctx, name, t[i].key, path);
        if (rc) {
          return rc;
        }
      }
    }
  }
  return 0;
}

int lam_sim_params_inputs(const lam_sim_params *p,
                          int (*fn)(void *ctx, const char *section,
                                    const char *key, const char *path),
                          void *ctx) {
  inputs_ctx c = {fn, ctx};
  return each_section(p, inputs_fn, &c);
}
