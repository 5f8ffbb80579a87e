/* lam_param.c: parse, validate and format table-described parameters. */
#include "lam_param.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const lam_param *lam_param_find(const lam_param *t, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(t[i].key, key) == 0) {
      return &t[i];
    }
  }
  return NULL;
}

int lam_choice_index(const char *choices, const char *word) {
  int idx = 0;
  size_t wl = strlen(word);
  const char *s = choices;
  while (s && *s) {
    const char *bar = strchr(s, '|');
    size_t len = bar ? (size_t)(bar - s) : strlen(s);
    if (len == wl && strncmp(s, word, len) == 0) {
      return idx;
    }
    idx++;
    s = bar ? bar + 1 : NULL;
  }
  return -1;
}

void lam_choice_word(const char *choices, int i, char *buf, size_t len) {
  const char *s = choices;
  for (int k = 0; s && k < i; k++) {
    s = strchr(s, '|');
    s = s ? s + 1 : NULL;
  }
  if (!s || len == 0) {
    if (len) {
      buf[0] = '\0';
    }
    return;
  }
  const char *bar = strchr(s, '|');
  size_t n = bar ? (size_t)(bar - s) : strlen(s);
  if (n >= len) {
    n = len - 1;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
}

/* The span of a decimal number in text, blanks around it allowed:
 * [+-]digits[.digits][(e|E)[+-]digits], with at least one digit before the
 * exponent. Hexadecimal, inf and nan are not numbers of a model file. */
static int decimal(const char *text) {
  const char *s = text;
  while (*s == ' ' || *s == '\t') {
    s++;
  }
  if (*s == '+' || *s == '-') {
    s++;
  }
  size_t digits = 0;
  for (; *s >= '0' && *s <= '9'; s++) {
    digits++;
  }
  if (*s == '.') {
    for (s++; *s >= '0' && *s <= '9'; s++) {
      digits++;
    }
  }
  if (!digits) {
    return 0;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') {
      s++;
    }
    if (!(*s >= '0' && *s <= '9')) {
      return 0;
    }
    while (*s >= '0' && *s <= '9') {
      s++;
    }
  }
  while (*s == ' ' || *s == '\t') {
    s++;
  }
  return *s == '\0';
}

int lam_param_number(const char *text, int integer, double *out) {
  if (!text || !decimal(text)) {
    return 0;
  }
  errno = 0;
  double v = strtod(text, NULL);
  /* ERANGE: beyond a double (1e999) or below its smallest normal (1e-400),
   * either way not the number written. */
  if (errno == ERANGE || !isfinite(v)) {
    return 0;
  }
  /* Integers up to 2^53, where every integer is exact in a double. */
  if (integer && (v != floor(v) || fabs(v) > 9007199254740992.0)) {
    return 0;
  }
  *out = v;
  return 1;
}

void lam_param_bound(double v, int integer, char *buf, size_t len) {
  if (integer && fabs(v) < 1e17) {
    snprintf(buf, len, "%.0f", v);
    return;
  }
  for (int prec = 6; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) {
      break;
    }
  }
}

/* " s" after a range, nothing for dimensionless ("1") or unitless ("-"). */
static const char *unit_suffix(const lam_param *p, char *buf, size_t len) {
  if (!p->unit || !p->unit[0] || !strcmp(p->unit, "1") ||
      !strcmp(p->unit, "-")) {
    buf[0] = '\0';
  } else {
    snprintf(buf, len, " %s", p->unit);
  }
  return buf;
}

static int parse_bool(const char *text, int *out) {
  static const char *yes[] = {"true", "yes", "on", "1"};
  static const char *no[] = {"false", "no", "off", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(text, yes[i]) == 0) {
      *out = 1;
      return 1;
    }
    if (strcasecmp(text, no[i]) == 0) {
      *out = 0;
      return 1;
    }
  }
  return 0;
}

static const char *type_name(lam_ptype t) {
  switch (t) {
  case LAM_PT_REAL:
    return "a number";
  case LAM_PT_INT:
    return "an integer";
  case LAM_PT_BOOL:
    return "true or false";
  case LAM_PT_CHOICE:
    return "one of";
  case LAM_PT_PATH:
    return "a file path";
  default:
    return "text";
  }
}

int lam_param_parse(const lam_param *p, const char *section, const char *text,
                    const char *where, const char *basedir, void *dst,
                    lam_err *err) {
  char *field = (char *)dst + p->offset;
  const char *w = where ? where : "";
  const char *sep = where ? ": " : "";
  switch (p->type) {
  case LAM_PT_REAL:
  case LAM_PT_INT: {
    const int integer = p->type == LAM_PT_INT;
    double v = 0;
    const int ok = lam_param_number(text, integer, &v);
    if (ok && v >= p->min && v <= p->max) {
      if (integer) {
        *(long *)field = (long)v;
      } else {
        *(double *)field = v;
      }
      return LAM_OK;
    }
    char lo[32], hi[32], unit[40];
    lam_param_bound(p->min, integer, lo, sizeof lo);
    lam_param_bound(p->max, integer, hi, sizeof hi);
    return lam_err_set(err, LAM_EINVAL,
                       "%s%s%s.%s: expected %s in [%s, %s]%s, found '%s'", w,
                       sep, section, p->key,
                       integer ? "an integer" : ok ? "a value" : "a number",
                       lo, hi, unit_suffix(p, unit, sizeof unit), text);
  }
  case LAM_PT_BOOL: {
    int b;
    if (!parse_bool(text, &b)) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s%s%s.%s: expected true or false, found '%s'", w,
                         sep, section, p->key, text);
    }
    *(int *)field = b;
    return LAM_OK;
  }
  case LAM_PT_CHOICE: {
    int i = lam_choice_index(p->choices, text);
    if (i < 0) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s%s%s.%s: expected one of %s, found '%s'", w, sep,
                         section, p->key, p->choices, text);
    }
    *(int *)field = i;
    return LAM_OK;
  }
  case LAM_PT_PATH:
  case LAM_PT_STRING: {
    char *out = field;
    int n;
    if (p->type == LAM_PT_PATH && text[0] != '\0' && text[0] != '/' &&
        basedir && basedir[0]) {
      n = snprintf(out, LAM_PATH_MAX, "%s/%s", basedir, text);
    } else {
      n = snprintf(out, LAM_PATH_MAX, "%s", text);
    }
    if (n < 0 || n >= LAM_PATH_MAX) {
      return lam_err_set(err, LAM_EINVAL, "%s%s%s.%s: %s too long", w, sep,
                         section, p->key, type_name(p->type));
    }
    return LAM_OK;
  }
  }
  return LAM_INTERNAL(err, "unknown parameter type");
}

int lam_param_defaults(const lam_param *t, size_t n, void *dst, lam_err *err) {
  for (size_t i = 0; i < n; i++) {
    int rc = lam_param_parse(&t[i], "(default)", t[i].def, "built-in default",
                             NULL, dst, err);
    if (rc) {
      return rc;
    }
  }
  return LAM_OK;
}

void lam_param_format(const lam_param *p, const void *src, char *buf,
                      size_t len) {
  const char *field = (const char *)src + p->offset;
  switch (p->type) {
  case LAM_PT_REAL: {
    /* Shortest text that reads back to the same double. */
    double v = *(const double *)field;
    for (int prec = 6; prec <= 17; prec++) {
      snprintf(buf, len, "%.*g", prec, v);
      if (strtod(buf, NULL) == v) {
        break;
      }
    }
    break;
  }
  case LAM_PT_INT:
    snprintf(buf, len, "%ld", *(const long *)field);
    break;
  case LAM_PT_BOOL:
    snprintf(buf, len, "%s", *(const int *)field ? "true" : "false");
    break;
  case LAM_PT_CHOICE:
    lam_choice_word(p->choices, *(const int *)field, buf, len);
    break;
  default:
    snprintf(buf, len, "%s", field);
    break;
  }
}
