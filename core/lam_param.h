/* lam_param.h: parameter tables.
 *
 * Every model parameter is declared once, in a table row that gives its key,
 * type, unit, default, validity range and meaning. Parsing, validation, the
 * `laminar keys` listing and docs/model-reference.md are all generated from
 * these tables (tables over code: no parameter is described twice).
 *
 * A table describes a plain "bundle" struct: each row carries the offset of
 * its field. Types and their C fields:
 *   LAM_PT_REAL   double        (min/max inclusive)
 *   LAM_PT_INT    long          (min/max inclusive)
 *   LAM_PT_BOOL   int           (true/false, yes/no, on/off, 1/0)
 *   LAM_PT_CHOICE int           (index into choices "a|b|c")
 *   LAM_PT_PATH   lam_path      (relative paths resolve against the model file)
 *   LAM_PT_STRING lam_path      (free text)
 */
#ifndef LAM_PARAM_H
#define LAM_PARAM_H

#include <stddef.h>

#include "lam_error.h"

#define LAM_PATH_MAX 1024
typedef char lam_path[LAM_PATH_MAX];

typedef enum {
  LAM_PT_REAL,
  LAM_PT_INT,
  LAM_PT_BOOL,
  LAM_PT_CHOICE,
  LAM_PT_PATH,
  LAM_PT_STRING
} lam_ptype;

typedef struct lam_param {
  const char *key;
  lam_ptype type;
  size_t offset;       /* of the field in the bundle struct */
  const char *def;     /* default, as it would be written in a model file */
  const char *unit;    /* "s", "Hz", "1" (dimensionless), "a.u.", "mV", ... */
  double min, max;     /* inclusive validity range for REAL and INT */
  const char *choices; /* "a|b|c" for CHOICE, else NULL */
  const char *doc;     /* one sentence: what it means */
} lam_param;

/* A model-file section and the table of its keys. */
typedef struct lam_section {
  const char *name;  /* "column", "solver", ... */
  const lam_param *params;
  size_t nparams;
  const char *doc;
} lam_section;

/* Row helpers for tables: LAM_REAL(struct, field, default, unit, min, max, doc). */
#define LAM_REAL(S, f, def, unit, lo, hi, doc)                               \
  {#f, LAM_PT_REAL, offsetof(S, f), def, unit, lo, hi, NULL, doc}
#define LAM_INT(S, f, def, unit, lo, hi, doc)                                \
  {#f, LAM_PT_INT, offsetof(S, f), def, unit, lo, hi, NULL, doc}
#define LAM_BOOL(S, f, def, doc)                                             \
  {#f, LAM_PT_BOOL, offsetof(S, f), def, "-", 0, 1, NULL, doc}
#define LAM_CHOICE(S, f, def, choices, doc)                                  \
  {#f, LAM_PT_CHOICE, offsetof(S, f), def, "-", 0, 0, choices, doc}
#define LAM_PATHP(S, f, def, doc)                                            \
  {#f, LAM_PT_PATH, offsetof(S, f), def, "file", 0, 0, NULL, doc}
#define LAM_STRING(S, f, def, doc)                                           \
  {#f, LAM_PT_STRING, offsetof(S, f), def, "-", 0, 0, NULL, doc}

#define LAM_NELEM(a) (sizeof(a) / sizeof((a)[0]))

const lam_param *lam_param_find(const lam_param *t, size_t n, const char *key);

/* Set every field described by t to its default. */
int lam_param_defaults(const lam_param *t, size_t n, void *dst, lam_err *err);

/* Parse text into p's field of dst, checking type and range (numbers with
 * lam_param_number(), then inside [min, max]). where ("file:line") and
 * section name the value in messages ("where: section.key: expected a number
 * in [lo, hi] unit, found 'text'"); basedir resolves relative paths (NULL:
 * leave as is). */
int lam_param_parse(const lam_param *p, const char *section, const char *text,
                    const char *where, const char *basedir, void *dst,
                    lam_err *err);

/* A number as model files and options write it: decimal ([+-]digits
 * [.digits][e[+-]digits], blanks around it allowed), finite, not beyond a
 * double (1e999) nor below its smallest normal value; with integer, also a
 * whole number of at most 2^53 ("2.0" and "1e6" are integers, "2.5" is not).
 * 1 and *out set when it is one, else 0. */
int lam_param_number(const char *text, int integer, double *out);

/* A range bound for messages: with integer, all its digits (4294967295, not
 * 4.29497e+09), else the shortest text that reads back to v. */
void lam_param_bound(double v, int integer, char *buf, size_t len);

/* Write the value of p's field in src as model-file text. */
void lam_param_format(const lam_param *p, const void *src, char *buf,
                      size_t len);

/* Index of word in "a|b|c", or -1. */
int lam_choice_index(const char *choices, const char *word);
/* The word at index i of "a|b|c" copied into buf. */
void lam_choice_word(const char *choices, int i, char *buf, size_t len);

#endif
