/* lam_params.c: a model file read into typed parameters (lam_params.h). */
#include "lam_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_csv.h"

/* Fill one section into bundle dst and remember where its keys were given
 * (in g, under the name `as`: the section itself, or area.NAME.SEC). */
static int fill(lam_model *m, const lam_sim_section *s, void *dst,
                lam_given *g, lam_err *err) {
  int rc = lam_model_fill(m, s->name, s->table, s->n, dst, err);
  for (size_t i = 0; !rc && i < s->n; i++) {
    const char *w = lam_model_where(m, s->name, s->table[i].key);
    if (w && lam_given_set_where(g, s->name, s->table[i].key, w)) {
      rc = LAM_NOMEM(err);
    }
  }
  return rc;
}

/* Whether a path key is read at all: the lateral matrix only with
 * lateral = csv, the schedule only with protocol = csv (as the networks
 * use them). */
static int wanted(const char *sec, const char *key, const void *bundle) {
  if (!strcmp(sec, "network") && !strcmp(key, "lateral_file")) {
    return ((const lam_network_params *)bundle)->lateral == LAM_LAT_CSV;
  }
  if (!strcmp(sec, "stimulus") && !strcmp(key, "file")) {
    return ((const lam_stimulus_params *)bundle)->protocol == LAM_STIM_CSV;
  }
  return 1;
}

/* The CSV arrays of a section's path keys into g. */
static int arrays(const lam_sim_section *s, const void *bundle, lam_given *g,
                  lam_err *err) {
  for (size_t i = 0; i < s->n; i++) {
    const lam_param *t = &s->table[i];
    const char *path = (const char *)bundle + t->offset;
    if (t->type != LAM_PT_PATH || !path[0] || !wanted(s->name, t->key, bundle) ||
        lam_given_matrix(g, s->name, t->key, NULL)) {
      continue; /* no file, not read, or read already */
    }
    const char *w = lam_given_where(g, s->name, t->key);
    char what[160];
    snprintf(what, sizeof what, "%s.%s", s->name, t->key);
    lam_matrix mat = {0, 0, NULL};
    long *lines = NULL;
    int rc = !strcmp(s->name, "stimulus")
                 ? lam_csv_read_table(path, &mat, &lines, err)
                 : lam_csv_read(path, &mat, err);
    if (rc) {
      return lam_err_prefix(err, "%s: %s: ", w ? w : "model", what);
    }
    if (lam_given_set_matrix(g, s->name, t->key, &mat, lines)) {
      lam_matrix_free(&mat);
      free(lines);
      return LAM_NOMEM(err);
    }
  }
  return LAM_OK;
}

/* Sections in order, each filled then its arrays read. */
static int fill_all(lam_model *m, const lam_sim_section *s, size_t n,
                    void *base, lam_given *g, lam_err *err) {
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    rc = fill(m, &s[i], (char *)base + s[i].offset, g, err);
  }
  for (size_t i = 0; !rc && i < n; i++) {
    rc = arrays(&s[i], (char *)base + s[i].offset, g, err);
  }
  return rc;
}

/* An attention network's sections (one area's, or the whole model's):
 * [column] .. [clocks] first, then what the clocks ask for. */
static int fill_attention(lam_model *m, lam_attention_params *a, lam_given *g,
                          const char *area, int have_column, lam_err *err) {
  lam_sim_section s[LAM_SIM_SECTIONS_MAX];
  size_t n = lam_sim_params_area_sections(a, s); /* column, network, ... */
  int rc = have_column ? LAM_OK : fill(m, &s[0], (char *)a + s[0].offset, g, err);
  if (!rc && area && a->column.kind != LAM_KIND_ATTENTION) {
    const char *w = lam_model_where(m, "column", "kind");
    return lam_err_set(err, LAM_EINVAL,
                       "%s: column.kind: expected attention in area '%s', found another kind",
                       w ? w : "model", area);
  }
  size_t clocks = 1;
  while (clocks < n && strcmp(s[clocks].name, "clocks")) {
    clocks++;
  }
  for (size_t i = 1; !rc && i <= clocks && i < n; i++) {
    rc = fill(m, &s[i], (char *)a + s[i].offset, g, err);
  }
  if (rc) {
    return rc;
  }
  n = lam_sim_params_area_sections(a, s); /* the clocks decide the rest */
  for (size_t i = clocks + 1; !rc && i < n; i++) {
    rc = fill(m, &s[i], (char *)a + s[i].offset, g, err);
  }
  for (size_t i = 0; !rc && i < n; i++) {
    rc = arrays(&s[i], (char *)a + s[i].offset, g, err);
  }
  return rc;
}

static int read_areas(lam_model *m, lam_sim_params *p, lam_err *err) {
  lam_sim_section as;
  lam_sim_section_find("areas", &as);
  int rc = fill(m, &as, &p->areas, p->given, err);
  size_t na = 0;
  if (!rc) {
    rc = lam_areas_parse_names(p->areas.names, lam_model_where(m, "areas", "names"),
                               p->area_name, &na, err);
  }
  if (!rc) {
    p->area = calloc(na, sizeof *p->area);
    p->area_given = calloc(na, sizeof *p->area_given);
    p->link = calloc(na, sizeof *p->link);
    if (!p->area || !p->area_given || !p->link) {
      return LAM_NOMEM(err);
    }
    p->nareas = na;
  }
  for (size_t i = 0; !rc && i < na; i++) {
    char prefix[96];
    snprintf(prefix, sizeof prefix, "area.%s", p->area_name[i]);
    lam_model *sub = lam_model_scope(m, prefix, err);
    if (!sub) {
      return err && err->code ? err->code : LAM_ENOMEM;
    }
    p->area_given[i] = lam_given_new();
    rc = p->area_given[i] ? LAM_OK : LAM_NOMEM(err);
    if (!rc) {
      /* Every bundle at its default first (a generator's section too, which
       * the file fills only when the clocks ask for it). */
      lam_sim_params_attention(p, &p->area[i]);
    }
    if (!rc) {
      rc = fill_attention(sub, &p->area[i], p->area_given[i], p->area_name[i], 0,
                          err);
    }
    /* The keys this area sets itself: a whole-model change passes it by. */
    lam_sim_section s[LAM_SIM_SECTIONS_MAX];
    size_t ns = rc ? 0 : lam_sim_params_area_sections(&p->area[i], s);
    for (size_t k = 0; !rc && k < ns; k++) {
      char scoped[224];
      snprintf(scoped, sizeof scoped, "%s.%s", prefix, s[k].name);
      for (size_t j = 0; !rc && j < s[k].n; j++) {
        const char *w = lam_model_where(m, scoped, s[k].table[j].key);
        if (w && lam_given_set_where(p->given, scoped, s[k].table[j].key, w)) {
          rc = LAM_NOMEM(err);
        }
      }
    }
    if (!rc && lam_model_merge_used(m, sub, prefix)) {
      rc = LAM_NOMEM(err);
    }
    lam_model_free(sub);
  }
  lam_sim_section ls;
  lam_sim_section_find("link.x", &ls);
  for (size_t i = 0; !rc && i + 1 < na; i++) {
    char name[96];
    snprintf(name, sizeof name, "link.%s", p->area_name[i]);
    ls.name = name;
    rc = fill(m, &ls, &p->link[i], p->given, err);
  }
  /* Link arrays: [link.NAME] wo/wb, else [areas] wo/wb, checked in shape
   * by the areas themselves. */
  for (size_t i = 0; !rc && i + 1 < na; i++) {
    char name[96];
    snprintf(name, sizeof name, "link.%s", p->area_name[i]);
    ls.name = name;
    rc = arrays(&ls, &p->link[i], p->given, err);
  }
  if (!rc) {
    rc = arrays(&as, &p->areas, p->given, err);
  }
  return rc;
}

int lam_params_from_model(lam_model *m, lam_sim_params **out, lam_err *err) {
  *out = NULL;
  lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, err);
  if (!p) {
    return err ? err->code : LAM_ENOMEM;
  }
  snprintf(p->path, sizeof p->path, "%s", lam_model_path(m));
  snprintf(p->basedir, sizeof p->basedir, "%s", lam_model_basedir(m));
  lam_sim_section s[LAM_SIM_SECTIONS_MAX];
  lam_sim_section_find("column", &s[0]);
  int rc = fill(m, &s[0], &p->column, p->given, err);
  if (!rc && lam_model_has_section(m, "areas")) {
    /* Stacked areas of attention columns (docs/hierarchy.md). */
    p->has_areas = 1;
    rc = read_areas(m, p, err);
  } else if (!rc && p->column.kind == LAM_KIND_ATTENTION) {
    lam_attention_params a;
    lam_sim_params_attention(p, &a);
    rc = fill_attention(m, &a, p->given, NULL, 1, err); /* [column] read */
    p->column = a.column;
    p->network = a.network;
    p->input = a.input;
    p->weights = a.weights;
    p->plasticity = a.plasticity;
    p->neuromod = a.neuromod;
    p->clocks = a.clocks;
    p->stimulus = a.stimulus;
    p->jansen_rit = a.jansen_rit;
    p->wilson_cowan = a.wilson_cowan;
  } else if (!rc) {
    lam_sim_params_sections(p, s);
    /* column (filled), network, the kind's section; then the rest below. */
    rc = fill_all(m, s + 1, 2, p, p->given, err);
  }
  if (!rc) {
    size_t n = lam_sim_params_sections(p, s);
    rc = fill_all(m, s + n - 4, 4, p, p->given, err); /* solver run init probe */
  }
  if (!rc && !p->has_areas && p->column.kind != LAM_KIND_ATTENTION) {
    /* The column's own rhythms live in the attention column's cells. */
    const char *v = lam_model_value(m, "clocks", "gamma_source");
    if (v && !strcmp(v, "ping")) {
      rc = lam_err_set(err, LAM_EINVAL,
                       "%s: clocks.gamma_source: ping is the loop of the attention "
                       "column's L2/3 and PV cells, and this column kind has no PV: "
                       "expected column.kind = attention (a neural mass makes its own "
                       "rhythm without [clocks])",
                       lam_model_where(m, "clocks", "gamma_source"));
    }
  }
  if (!rc) {
    rc = lam_model_check_unused(m, err);
  }
  if (rc) {
    lam_sim_params_free(p);
    return rc;
  }
  *out = p;
  return LAM_OK;
}

int lam_params_load_arrays(lam_sim_params *p, lam_err *err) {
  lam_sim_section s[LAM_SIM_SECTIONS_MAX];
  size_t n = lam_sim_params_sections(p, s);
  int rc = LAM_OK;
  for (size_t i = 0; !rc && i < n; i++) {
    rc = arrays(&s[i], (char *)p + s[i].offset, p->given, err);
  }
  for (size_t a = 0; !rc && a < p->nareas; a++) {
    size_t na = lam_sim_params_area_sections(&p->area[a], s);
    for (size_t i = 0; !rc && i < na; i++) {
      rc = arrays(&s[i], (char *)&p->area[a] + s[i].offset, p->area_given[a], err);
    }
  }
  lam_sim_section ls;
  lam_sim_section_find("link.x", &ls);
  for (size_t a = 0; !rc && a + 1 < p->nareas; a++) {
    char name[96];
    snprintf(name, sizeof name, "link.%s", p->area_name[a]);
    ls.name = name;
    rc = arrays(&ls, &p->link[a], p->given, err);
  }
  return rc;
}

int lam_sim_from_model(lam_model *m, lam_sim **out, lam_err *err) {
  *out = NULL;
  lam_sim_params *p = NULL;
  int rc = lam_params_from_model(m, &p, err);
  if (!rc) {
    rc = lam_sim_new(p, out, err);
  }
  lam_sim_params_free(p);
  return rc;
}

int lam_params_option(lam_model *m, const char *option, const char *key,
                      const char *value, lam_err *err) {
  const lam_param *p = lam_param_find(lam_run_table, lam_run_ntable, key);
  if (!p) {
    return lam_err_set(err, LAM_EINVAL, "%s: no key run.%s", option, key);
  }
  char where[1200];
  snprintf(where, sizeof where, "%s %s", option, value);
  lam_run_params tmp;
  int rc = lam_param_defaults(lam_run_table, lam_run_ntable, &tmp, err);
  if (!rc) {
    rc = lam_param_parse(p, "run", value, where, NULL, &tmp, err);
  }
  return rc ? rc : lam_model_override(m, "run", key, value, where, err);
}

int lam_params_load(const char *path, const char *const *sets, size_t nsets,
                    lam_sim_params **out, lam_err *err) {
  *out = NULL;
  lam_model *m = NULL;
  int rc = lam_model_open(path, sets, nsets, &m, err);
  if (!rc) {
    rc = lam_params_from_model(m, out, err);
  }
  lam_model_free(m);
  return rc;
}
