/* lam_sections.c: the list of model-file sections (lam_sections.h). */
#include "lam_sections.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lam_sim_params.h"

/* The list is sim/lam_sim_params.c's (the sections a lam_sim_params holds),
 * as lam_section rows: filled once, at first use (pthread_once: any thread
 * may ask first), read-only after. */
static lam_section list[LAM_SIM_SECTIONS_MAX];
static size_t nlist;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void fill(void) {
  lam_sim_section s[LAM_SIM_SECTIONS_MAX];
  nlist = lam_sim_sections(s);
  for (size_t i = 0; i < nlist; i++) {
    list[i] = (lam_section){s[i].name, s[i].table, s[i].n, s[i].doc};
  }
}

const lam_section *lam_sections(size_t *n) {
  pthread_once(&once, fill);
  *n = nlist;
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
