/* lam_model.h: a model file (INI) plus command-line overrides.
 *
 * A lam_model holds every `key = value` it was given with the place it came
 * from ("models/default.ini:12" or "--set"). Modules pull their sections with
 * lam_model_fill(), which parses and validates against their parameter table
 * and fills defaults for keys the file leaves out; afterwards
 * lam_model_check_unused() reports any key or section nobody asked for, so a
 * misspelt key is an error naming its file and line, never silently ignored.
 *
 * Relative paths in a model file resolve against the model file's folder.
 * The resolved text (every section that was filled, every key, defaults
 * included) is what runs record as their provenance.
 */
#ifndef LAM_MODEL_H
#define LAM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lam_error.h"
#include "lam_param.h"

typedef struct lam_model lam_model;

lam_model *lam_model_new(void);
void lam_model_free(lam_model *m);

/* Read an INI model file. It is read whole and checked first
 * (io/lam_text.h): a regular file of at most LAM_TEXT_MODEL_MAX bytes (a
 * directory, device, FIFO or socket is an error naming the path and what it
 * is, and is never read), UTF-8 text without NUL or control characters (a
 * "file:line: ... at column N" error), LF or CRLF line ends, a UTF-8
 * byte-order mark at the start skipped. Lines have no length limit. A model
 * without any [section] (an empty file, comments only) is an error.
 * Duplicate keys and syntax errors are file:line errors. */
int lam_model_load(lam_model *m, const char *path, lam_err *err);

/* Read model text (name is used in messages, basedir for relative paths),
 * with the text checks of lam_model_load(). Text without a [section] ("")
 * is the all-defaults model here: code builds it on purpose. */
int lam_model_load_text(lam_model *m, const char *text, const char *name,
                        const char *basedir, lam_err *err);

/* Apply "section.key=value" (the key is the text after the last dot, so
 * "area.v1.tau_l4=0.02" sets key tau_l4 of section [area.v1]). Later
 * assignments win over the file. A control character (a line feed too) or
 * invalid UTF-8 in the assignment is an error. */
int lam_model_set(lam_model *m, const char *assignment, lam_err *err);

/* A new model: the file at path (lam_model_load), then each of sets[0..nsets)
 * applied in order (lam_model_set), as the command line's --set options are.
 * On failure *out is NULL and nothing is kept. */
int lam_model_open(const char *path, const char *const *sets, size_t nsets,
                   lam_model **out, lam_err *err);

/* Fill dst from [section] using table t: defaults first, then the given
 * values (checked for type and range). Marks the section and its known keys
 * as used and remembers the resolved values for lam_model_text(). */
int lam_model_fill(lam_model *m, const char *section, const lam_param *t,
                   size_t n, void *dst, lam_err *err);

/* Set section.key = value over the file, like lam_model_set, with where
 * naming the origin in messages ("--t-end 0": a command-line option that
 * sets a model key, so its value meets the key's range check and the
 * recorded model text holds it). */
int lam_model_override(lam_model *m, const char *section, const char *key,
                       const char *value, const char *where, lam_err *err);

/* Where a key was given ("file:line" or "--set"), or NULL if absent. */
const char *lam_model_where(const lam_model *m, const char *section,
                            const char *key);
/* The raw text of a key, or NULL if absent. */
const char *lam_model_value(const lam_model *m, const char *section,
                            const char *key);

/* Sections present in the file, in order of first appearance. */
size_t lam_model_nsections(const lam_model *m);
const char *lam_model_section(const lam_model *m, size_t i);
int lam_model_has_section(const lam_model *m, const char *section);

/* Mark a whole section as handled (e.g. by a module reading it its own way). */
void lam_model_mark_used(lam_model *m, const char *section, const char *key);

/* LAM_EINVAL naming the first key or section no module took. */
int lam_model_check_unused(const lam_model *m, lam_err *err);

/* The resolved model as INI text (owned by m; valid until the next fill). */
const char *lam_model_text(lam_model *m);
/* FNV-1a 64-bit hash of the resolved text. */
uint64_t lam_model_hash(lam_model *m);

/* Input files: every LAM_PT_PATH key with a value in the sections filled so
 * far (weights, inputs, coupling, stimulus, initial state), in fill order,
 * once per section.key; sections of scoped copies are reported back by
 * lam_model_merge_used() as [prefix.SEC]. lam_model_input() returns the
 * resolved path (NULL when i is out of range) and sets section and key
 * (either may be NULL). Runs hash these for provenance (io/lam_hash.h). */
size_t lam_model_ninputs(const lam_model *m);
const char *lam_model_input(const lam_model *m, size_t i, const char **section,
                            const char **key);

/* The model file's path ("" for text) and folder. */
const char *lam_model_path(const lam_model *m);
const char *lam_model_basedir(const lam_model *m);

/* A deep copy (for sweeps: one base model, one copy per point). */
lam_model *lam_model_clone(const lam_model *m, lam_err *err);

/* A copy of m in which the keys of every section "prefix.SEC" also stand in
 * section SEC, over SEC's own keys (per-area parameters: [area.v1.network]
 * over [network], docs/hierarchy.md). Errors keep the file:line of the key. */
lam_model *lam_model_scope(const lam_model *m, const char *prefix,
                           lam_err *err);
/* Report back what a scoped copy used: every key and section it used counts
 * as used in m, under SEC and under prefix.SEC, and its resolved sections
 * join m's resolved text as [prefix.SEC]. */
int lam_model_merge_used(lam_model *m, const lam_model *scoped,
                         const char *prefix);

#endif
