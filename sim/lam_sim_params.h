/* lam_sim_params.h: a whole model as typed parameters.
 *
 * One bundle per model-file section (the structs that the parameter tables
 * of core/lam_param.h describe, one row per key with unit, range and doc),
 * the arrays of the keys that name CSV files and where each key was given
 * (core/lam_given.h). A program builds a model from numbers without any
 * file:
 *
 *   lam_sim_params *p = lam_sim_params_new(LAM_KIND_ATTENTION, &err);
 *   p->network.columns = 8;
 *   p->column.beta = 2.0;
 *   lam_sim_params_set_array(p, "input.x", 8, 4, x, &err);
 *   lam_sim *sim; lam_sim_new(p, &sim, &err);
 *
 * io/lam_params.h reads the same structure from a model file with --set
 * overrides; lam_sim_params_text() writes it back as model-file text (what
 * runs record as their provenance). Defaults live in the tables only.
 */
#ifndef LAM_SIM_PARAMS_H
#define LAM_SIM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "lam_areas.h"
#include "lam_attention.h"
#include "lam_coupling.h"
#include "lam_error.h"
#include "lam_given.h"
#include "lam_mejias.h"
#include "lam_param.h"
#include "lam_probe.h"
#include "lam_solver.h"

/* [run]: the run's length, sampling step and recorded populations
 * (`laminar run` --t-end, --dt-record and --record set these keys). */
typedef struct lam_run_params {
  double t_end, dt_record;
  lam_path record; /* comma-separated population names, or "all" */
} lam_run_params;
extern const lam_param lam_run_table[];
extern const size_t lam_run_ntable;

/* [init]: the initial state. */
typedef struct lam_init_params {
  lam_path state;
} lam_init_params;
extern const lam_param lam_init_table[];
extern const size_t lam_init_ntable;

typedef struct lam_sim_params {
  /* [column] kind selects which of the sections below the model uses. */
  lam_column_params column;
  /* Attention columns (kind = attention). */
  lam_network_params network;
  lam_input_params input;
  lam_weight_params weights;
  lam_plasticity_params plasticity;
  lam_neuromod_params neuromod;
  lam_clock_params clocks;
  lam_stimulus_params stimulus;
  /* Neural masses (kind = jansen-rit, mejias2016, wilson-cowan; the first
   * and last also as emergent clock generators). */
  lam_mass_network_params mass_network; /* their [network] */
  lam_jansen_rit_params jansen_rit;
  lam_mejias_params mejias2016;
  lam_wilson_cowan_params wilson_cowan;
  /* Every kind. */
  lam_solver_params solver;
  lam_run_params run;
  lam_init_params init;
  lam_probe_params probe;
  /* Stacked areas (has_areas): [areas], each area's attention parameters
   * ([area.NAME.SECTION] over [SECTION], resolved) and [link.NAME]. */
  int has_areas;
  lam_areas_params areas;
  size_t nareas;
  char area_name[LAM_AREAS_MAX][LAM_AREAS_NAME_MAX];
  lam_attention_params *area; /* nareas */
  lam_given **area_given;     /* nareas */
  lam_link_params *link;      /* nareas - 1 */
  /* Arrays and where keys were given ([areas] and [link.NAME] too). */
  lam_given *given;
  /* The model file's path and folder ("" when built in code). */
  lam_path path, basedir;
} lam_sim_params;

/* One model-file section of a lam_sim_params: its table and the bundle
 * it fills. */
typedef struct lam_sim_section {
  const char *name;
  const lam_param *table;
  size_t n;
  size_t offset; /* of the bundle in lam_sim_params */
  const char *doc;
} lam_sim_section;

#define LAM_SIM_SECTIONS_MAX 24

/* Every section a model file may hold, in the order `laminar keys` lists
 * them, into out (at most LAM_SIM_SECTIONS_MAX); returns the count.
 * [link.NAME] stands for each link's own section. */
size_t lam_sim_sections(lam_sim_section *out);
/* The section of that name ("column"; "link.v1" is [link.NAME];
 * "area.v1.column" is [column]) into *out: 1 when there is one, else 0. */
int lam_sim_section_find(const char *name, lam_sim_section *out);
/* The sections a model of p's kind reads, in the order it reads them and
 * its text lists them ([network] is the attention table or the neural
 * masses' by kind; areas add [areas], their per-area sections and links
 * are lam_sim_params_area_sections()): count, into out. */
size_t lam_sim_params_sections(const lam_sim_params *p, lam_sim_section *out);
/* The attention sections an area (or an attention model) reads, in order,
 * offsets into lam_attention_params: count, into out. */
size_t lam_sim_params_area_sections(const lam_attention_params *a,
                                    lam_sim_section *out);

/* Every bundle at its table defaults, column.kind = kind (LAM_KIND_*),
 * no arrays, no areas. NULL on failure (err says why). */
lam_sim_params *lam_sim_params_new(int kind, lam_err *err);
void lam_sim_params_free(lam_sim_params *p);
/* A deep copy (arrays, areas and locations too), or NULL. */
lam_sim_params *lam_sim_params_copy(const lam_sim_params *p, lam_err *err);

/* The attention parameters of the whole model (its sections). */
void lam_sim_params_attention(const lam_sim_params *p, lam_attention_params *a);

/* Turn a single attention network into stacked areas, as a model file with
 * `[areas] names = NAMES` and no [area.NAME.*] or [link.NAME] sections
 * reads: each area a copy of the model's attention bundles and arrays (and
 * where they were given), every link at the [link.NAME] table defaults
 * (the [areas] values), areas.names = names; the other [areas] keys keep
 * their values. Whole-model keys set afterwards with lam_sim_params_set
 * reach every area; fields are then per area (p->area[i].input.seed).
 * LAM_EINVAL when p has areas already, is not of kind attention, or names
 * are not 1..LAM_AREAS_MAX unique names of letters, digits and '_'. */
int lam_sim_params_set_areas(lam_sim_params *p, const char *names, lam_err *err);

/* Set "section.key" to value (model-file text), checked against the key's
 * type and range as a file's value is; where names it in messages
 * ("--set"); NULL: "code". On a model of stacked areas, a key of an
 * attention section reaches every area that does not set it in its own
 * [area.NAME.SECTION]; "area.NAME.section.key" one area. */
int lam_sim_params_set(lam_sim_params *p, const char *key, const char *value,
                       const char *where, lam_err *err);
/* The same with a number (REAL, INT and BOOL keys; CHOICE by index). */
int lam_sim_params_set_number(lam_sim_params *p, const char *key,
                              double value, lam_err *err);
/* The value of "section.key" as model-file text into buf. */
int lam_sim_params_get(const lam_sim_params *p, const char *key, char *buf,
                       size_t len, lam_err *err);

/* The array of a path key ("input.x", "weights.wq", "jansen_rit.coupling",
 * ...), rows x cols values copied; the key's path becomes "(array)", so
 * the model text says the values came from the program. */
int lam_sim_params_set_array(lam_sim_params *p, const char *key, size_t rows,
                             size_t cols, const double *values, lam_err *err);

/* The model as model-file text: every key of every section the model uses,
 * defaults included, with its unit as a comment (malloc'ed; NULL on
 * allocation failure). */
char *lam_sim_params_text(const lam_sim_params *p);

/* FNV-1a 64 of lam_sim_params_text(p) (the model_hash of run files and
 * sweep tables: equal texts, equal hashes; the same value io/lam_model.h's
 * lam_model_hash gives for the model it was read from). 1 and *hash set,
 * or 0 when the text cannot be made (allocation). */
int lam_sim_params_hash(const lam_sim_params *p, uint64_t *hash);

/* The input files: every path key with a value, in text order, sections of
 * areas as [area.NAME.SEC]. Calls fn(ctx, section, key, path) for each;
 * stops at the first non-zero return, which it returns. */
int lam_sim_params_inputs(const lam_sim_params *p,
                          int (*fn)(void *ctx, const char *section,
                                    const char *key, const char *path),
                          void *ctx);

/* Where section.key was given ("file:line", "--set"), or NULL. */
const char *lam_sim_params_where(const lam_sim_params *p, const char *section,
                                 const char *key);

#endif
