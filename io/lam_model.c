/* lam_model.c: INI model files, read whole and checked as text
 * (io/lam_text.h) and parsed with inih, with file:line provenance for every
 * key (see lam_model.h). */
#include "lam_model.h"

#include "lam_text.h"

#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  char *section, *key, *value;
  char where[LAM_PATH_MAX + 32];
  int used;
} entry;

typedef struct resolved {
  char *section;
  char *text;
} resolved;

/* An input file a filled section names (a LAM_PT_PATH key with a value). */
typedef struct input {
  char *section, *key, *path;
} input;

struct lam_model {
  entry *e;
  size_t ne, cape;
  char **sec; /* sections in order of appearance */
  char (*secwhere)[LAM_PATH_MAX + 32];
  int *secused;
  size_t nsec, capsec;
  resolved *r;
  size_t nr, capr;
  input *in;
  size_t nin, capin;
  char *text;
  lam_path path, basedir;
};

lam_model *lam_model_new(void) { return calloc(1, sizeof(lam_model)); }

void lam_model_free(lam_model *m) {
  if (!m) {
    return;
  }
  for (size_t i = 0; i < m->ne; i++) {
    free(m->e[i].section);
    free(m->e[i].key);
    free(m->e[i].value);
  }
  for (size_t i = 0; i < m->nsec; i++) {
    free(m->sec[i]);
  }
  for (size_t i = 0; i < m->nr; i++) {
    free(m->r[i].section);
    free(m->r[i].text);
  }
  free(m->e);
  free(m->sec);
  free(m->secwhere);
  free(m->secused);
  free(m->r);
  for (size_t i = 0; i < m->nin; i++) {
    free(m->in[i].section);
    free(m->in[i].key);
    free(m->in[i].path);
  }
  free(m->in);
  free(m->text);
  free(m);
}

static entry *find(const lam_model *m, const char *section, const char *key) {
  for (size_t i = 0; i < m->ne; i++) {
    if (strcmp(m->e[i].section, section) == 0 && strcmp(m->e[i].key, key) == 0) {
      return &m->e[i];
    }
  }
  return NULL;
}

static long find_section(const lam_model *m, const char *section) {
  for (size_t i = 0; i < m->nsec; i++) {
    if (strcmp(m->sec[i], section) == 0) {
      return (long)i;
    }
  }
  return -1;
}

static int add_section(lam_model *m, const char *section, const char *where) {
  if (find_section(m, section) >= 0) {
    return LAM_OK;
  }
  if (m->nsec == m->capsec) {
    size_t cap = m->capsec ? 2 * m->capsec : 16;
    char **s = realloc(m->sec, cap * sizeof *s);
    if (!s) {
      return LAM_ENOMEM;
    }
    m->sec = s;
    void *w = realloc(m->secwhere, cap * sizeof *m->secwhere);
    if (!w) {
      return LAM_ENOMEM;
    }
    m->secwhere = w;
    int *u = realloc(m->secused, cap * sizeof *u);
    if (!u) {
      return LAM_ENOMEM;
    }
    m->secused = u;
    m->capsec = cap;
  }
  m->sec[m->nsec] = strdup(section);
  if (!m->sec[m->nsec]) {
    return LAM_ENOMEM;
  }
  snprintf(m->secwhere[m->nsec], sizeof m->secwhere[0], "%s", where);
  m->secused[m->nsec] = 0;
  m->nsec++;
  return LAM_OK;
}

/* Add or (when replace) overwrite an entry. */
static int put(lam_model *m, const char *section, const char *key,
               const char *value, const char *where, int replace,
               lam_err *err) {
  entry *old = find(m, section, key);
  if (old) {
    if (!replace) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: %s.%s: duplicate key (first given at %s)", where,
                         section, key, old->where);
    }
    char *v = strdup(value);
    if (!v) {
      return LAM_NOMEM(err);
    }
    free(old->value);
    old->value = v;
    snprintf(old->where, sizeof old->where, "%s", where);
    return LAM_OK;
  }
  if (add_section(m, section, where)) {
    return LAM_NOMEM(err);
  }
  if (m->ne == m->cape) {
    size_t cap = m->cape ? 2 * m->cape : 64;
    entry *e = realloc(m->e, cap * sizeof *e);
    if (!e) {
      return LAM_NOMEM(err);
    }
    m->e = e;
    m->cape = cap;
  }
  entry *e = &m->e[m->ne];
  memset(e, 0, sizeof *e);
  e->section = strdup(section);
  e->key = strdup(key);
  e->value = strdup(value);
  if (!e->section || !e->key || !e->value) {
    free(e->section);
    free(e->key);
    free(e->value);
    return LAM_NOMEM(err);
  }
  snprintf(e->where, sizeof e->where, "%s", where);
  m->ne++;
  return LAM_OK;
}

/* The text is read whole and checked (io/lam_text.h), then handed to inih one
 * line per call of the reader, so inih's line numbers are the file's and the
 * handler runs on the line just read (Debian's inih reports no line numbers
 * to handlers). inih's line buffer is short (200 bytes in Debian's build; a
 * longer line is split in two) and it keeps only 49 characters of a section
 * name, so the reader does the line work itself: it drops comments (a line
 * starting with ; or #, and ; after a blank to the end of the line) and the
 * blanks around the rest, reports syntax errors (in file order; inih reads on
 * past them), remembers the section name, and when a key = value
 * line is still too long for the buffer, keeps its key and value and hands
 * inih "k=" in its place. No line has a length limit. Leading blanks are
 * dropped too, so an indented line is an ordinary line, never the
 * continuation of a value. */
typedef struct parse_ctx {
  lam_model *m;
  const char *text, *end; /* what is left to read */
  const char *name;
  long line;
  size_t nheaders; /* [section] headers read */
  char *section;   /* the current section, in full */
  char *key, *value; /* the current line's, when inih could not take them */
  int rc;
  lam_err *err;
} parse_ctx;

static int blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* A syntax error on the current line, quoting (the start of) its text: found
 * here, in file order, rather than after inih has read on. */
static char *syntax(parse_ctx *c, const char *what, const char *s, size_t n) {
  c->rc = lam_err_set(c->err, LAM_EINVAL,
                      "%s:%ld: syntax error: %s, found '%.*s%s'", c->name,
                      c->line, what, (int)(n > 60 ? 60 : n), s,
                      n > 60 ? "..." : "");
  return NULL;
}

static char *reader(char *str, int num, void *stream) {
  parse_ctx *c = stream;
  free(c->key);
  free(c->value);
  c->key = c->value = NULL;
  if (c->rc || c->text >= c->end || num < 8) {
    return NULL;
  }
  const char *s = c->text;
  const char *nl = memchr(s, '\n', (size_t)(c->end - s));
  const char *e = nl ? nl : c->end;
  c->text = nl ? nl + 1 : c->end;
  c->line++;
  while (s < e && blank(*s)) {
    s++;
  }
  if (s < e && (*s == ';' || *s == '#')) {
    e = s;
  }
  for (const char *p = s + 1; p < e; p++) {
    if (*p == ';' && blank(p[-1])) {
      e = p;
      break;
    }
  }
  while (e > s && blank(e[-1])) {
    e--;
  }
  size_t n = (size_t)(e - s), room = (size_t)num - 2;
  const char *close = n && *s == '[' ? memchr(s, ']', n) : NULL;
  if (n && *s == '[' && (!close || close == s + 1 || close + 1 != e)) {
    return syntax(c, !close ? "expected [section]"
                     : close == s + 1 ? "expected a name in [section]"
                                      : "expected nothing after [section]",
                  s, n);
  }
  if (n && *s != '[' && !memchr(s, '=', n) && !memchr(s, ':', n)) {
    return syntax(c, "expected [section] or key = value", s, n);
  }
  if (close) {
    char *sec = strndup(s + 1, (size_t)(close - s - 1));
    if (!sec) {
      c->rc = LAM_NOMEM(c->err);
      return NULL;
    }
    free(c->section);
    c->section = sec;
    c->nheaders++;
    n = (size_t)(close - s + 1);
    if (n > room) {
      s = "[s]", n = 3;
    }
  } else if (n > room) {
    /* A key = value line (checked above): split where inih would. */
    const char *sep = s;
    while (sep < e && *sep != '=' && *sep != ':') {
      sep++;
    }
    const char *ke = sep, *v = sep + 1;
    while (ke > s && blank(ke[-1])) {
      ke--;
    }
    while (v < e && blank(*v)) {
      v++;
    }
    c->key = strndup(s, (size_t)(ke - s));
    c->value = strndup(v, (size_t)(e - v));
    if (!c->key || !c->value) {
      c->rc = LAM_NOMEM(c->err);
      return NULL;
    }
    s = "k=", n = 2;
  }
  memcpy(str, s, n);
  str[n] = '\0';
  return str;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value) {
  parse_ctx *c = user;
  (void)section; /* the reader's c->section is the whole name */
  if (c->rc) {
    return 0;
  }
  if (c->key) {
    name = c->key;
    value = c->value;
  }
  char where[LAM_PATH_MAX + 32];
  snprintf(where, sizeof where, "%s:%ld", c->name, c->line);
  if (!c->section || !c->section[0]) {
    c->rc = lam_err_set(c->err, LAM_EINVAL,
                        "%s: %s: key outside any [section]", where, name);
    return 0;
  }
  c->rc = put(c->m, c->section, name, value ? value : "", where, 0, c->err);
  return c->rc == LAM_OK;
}

/* Check and parse len bytes of model text; with file, a model without any
 * [section] is an error. */
static int parse(lam_model *m, const char *text, size_t len, const char *name,
                 int file, lam_err *err) {
  int rc = lam_text_check(name, text, len, 1, err);
  if (rc) {
    return rc;
  }
  /* A UTF-8 byte-order mark (as some Windows editors write) is skipped. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    text += 3, len -= 3;
  }
  parse_ctx c = {m, text, text + len, name, 0, 0, NULL, NULL, NULL, LAM_OK, err};
  int r = ini_parse_stream(reader, &c, handler, &c);
  free(c.section);
  free(c.key);
  free(c.value);
  if (c.rc) {
    return c.rc;
  }
  if (r > 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s:%d: syntax error: expected [section] or key = value",
                       name, r);
  }
  if (r < 0) {
    return lam_err_set(err, LAM_EIO, "%s: cannot read", name);
  }
  if (file && c.nheaders == 0) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: empty model: no [section] in it (a model names at "
                       "least one section, such as [network])",
                       name);
  }
  return LAM_OK;
}

int lam_model_load(lam_model *m, const char *path, lam_err *err) {
  char *text;
  size_t len;
  int rc = lam_text_read(path, "model file", LAM_TEXT_MODEL_MAX, &text, &len,
                         err);
  if (rc) {
    return rc;
  }
  snprintf(m->path, sizeof m->path, "%s", path);
  lam_path tmp;
  snprintf(tmp, sizeof tmp, "%s", path);
  snprintf(m->basedir, sizeof m->basedir, "%s", dirname(tmp));
  rc = parse(m, text, len, path, 1, err);
  free(text);
  return rc;
}

int lam_model_open(const char *path, const char *const *sets, size_t nsets,
                   lam_model **out, lam_err *err) {
  *out = NULL;
  lam_model *m = lam_model_new();
  if (!m) {
    return LAM_NOMEM(err);
  }
  int rc = lam_model_load(m, path, err);
  for (size_t i = 0; !rc && i < nsets; i++) {
    rc = lam_model_set(m, sets[i], err);
  }
  if (rc) {
    lam_model_free(m);
    return rc;
  }
  *out = m;
  return LAM_OK;
}

int lam_model_load_text(lam_model *m, const char *text, const char *name,
                        const char *basedir, lam_err *err) {
  m->path[0] = '\0';
  snprintf(m->basedir, sizeof m->basedir, "%s", basedir ? basedir : ".");
  if (!text) {
    text = "";
  }
  /* Text built in code may be empty: "" is the all-defaults model. */
  return parse(m, text, strlen(text), name ? name : "(model text)", 0, err);
}

int lam_model_set(lam_model *m, const char *assignment, lam_err *err) {
  /* Checked before it is echoed in any message. */
  int rc = lam_text_check("--set", assignment, strlen(assignment), 0, err);
  if (rc) {
    return rc;
  }
  const char *eq = strchr(assignment, '=');
  if (!eq) {
    return lam_err_set(err, LAM_EINVAL,
                       "--set %s: expected section.key=value", assignment);
  }
  /* Blanks around the key and the value are dropped, as in a file, so that
   * "--set 'run.t_end = 2'" means run.t_end. */
  const char *k0 = assignment, *k1 = eq;
  while (k0 < k1 && blank(*k0)) {
    k0++;
  }
  while (k1 > k0 && blank(k1[-1])) {
    k1--;
  }
  size_t lhs = (size_t)(k1 - k0);
  char buf[512];
  if (lhs >= sizeof buf) {
    return lam_err_set(err, LAM_EINVAL, "--set %s: key too long", assignment);
  }
  memcpy(buf, k0, lhs);
  buf[lhs] = '\0';
  const char *v0 = eq + 1;
  while (*v0 && blank(*v0)) {
    v0++;
  }
  size_t vlen = strlen(v0);
  while (vlen && blank(v0[vlen - 1])) {
    vlen--;
  }
  /* A run records its model as text, where ';' after a blank starts a
   * comment: such a value would not read back as given. */
  for (size_t i = 1; i < vlen; i++) {
    if (v0[i] == ';' && blank(v0[i - 1])) {
      return lam_err_set(err, LAM_EINVAL,
                         "--set %s: a value cannot hold ';' after a blank (it "
                         "starts a comment in a model file)",
                         assignment);
    }
  }
  if (vlen && v0[0] == ';') {
    return lam_err_set(err, LAM_EINVAL,
                       "--set %s: a value cannot start with ';' (it starts a "
                       "comment in a model file)",
                       assignment);
  }
  char *dot = strrchr(buf, '.');
  if (!dot || dot == buf || !dot[1]) {
    return lam_err_set(err, LAM_EINVAL,
                       "--set %s: expected section.key=value", assignment);
  }
  *dot = '\0';
  char where[600];
  snprintf(where, sizeof where, "--set %s", assignment);
  /* Relative paths given on the command line resolve against the working
   * directory, not the model file: note it by making them absolute. */
  char *value = strndup(v0, vlen);
  if (!value) {
    return LAM_NOMEM(err);
  }
  rc = put(m, buf, dot + 1, value, where, 1, err);
  free(value);
  return rc;
}

const char *lam_model_where(const lam_model *m, const char *section,
                            const char *key) {
  entry *e = find(m, section, key);
  return e ? e->where : NULL;
}

const char *lam_model_value(const lam_model *m, const char *section,
                            const char *key) {
  entry *e = find(m, section, key);
  return e ? e->value : NULL;
}

size_t lam_model_nsections(const lam_model *m) { return m->nsec; }
const char *lam_model_section(const lam_model *m, size_t i) {
  return i < m->nsec ? m->sec[i] : NULL;
}
int lam_model_has_section(const lam_model *m, const char *section) {
  return find_section(m, section) >= 0;
}

void lam_model_mark_used(lam_model *m, const char *section, const char *key) {
  long s = find_section(m, section);
  if (s >= 0) {
    m->secused[s] = 1;
  }
  for (size_t i = 0; i < m->ne; i++) {
    if (strcmp(m->e[i].section, section) == 0 &&
        (!key || strcmp(m->e[i].key, key) == 0)) {
      m->e[i].used = 1;
    }
  }
}

static int remember(lam_model *m, const char *section, char *text) {
  for (size_t i = 0; i < m->nr; i++) {
    if (strcmp(m->r[i].section, section) == 0) {
      free(m->r[i].text);
      m->r[i].text = text;
      return LAM_OK;
    }
  }
  if (m->nr == m->capr) {
    size_t cap = m->capr ? 2 * m->capr : 16;
    resolved *r = realloc(m->r, cap * sizeof *r);
    if (!r) {
      return LAM_ENOMEM;
    }
    m->r = r;
    m->capr = cap;
  }
  m->r[m->nr].section = strdup(section);
  if (!m->r[m->nr].section) {
    return LAM_ENOMEM;
  }
  m->r[m->nr].text = text;
  m->nr++;
  return LAM_OK;
}

/* Remember (or update) the input file of section.key. */
static int add_input(lam_model *m, const char *section, const char *key,
                     const char *path) {
  for (size_t i = 0; i < m->nin; i++) {
    if (strcmp(m->in[i].section, section) == 0 &&
        strcmp(m->in[i].key, key) == 0) {
      char *p = strdup(path);
      if (!p) {
        return LAM_ENOMEM;
      }
      free(m->in[i].path);
      m->in[i].path = p;
      return LAM_OK;
    }
  }
  if (m->nin == m->capin) {
    size_t cap = m->capin ? 2 * m->capin : 8;
    input *in = realloc(m->in, cap * sizeof *in);
    if (!in) {
      return LAM_ENOMEM;
    }
    m->in = in;
    m->capin = cap;
  }
  input *x = &m->in[m->nin];
  x->section = strdup(section);
  x->key = strdup(key);
  x->path = strdup(path);
  if (!x->section || !x->key || !x->path) {
    free(x->section);
    free(x->key);
    free(x->path);
    return LAM_ENOMEM;
  }
  m->nin++;
  return LAM_OK;
}

int lam_model_fill(lam_model *m, const char *section, const lam_param *t,
                   size_t n, void *dst, lam_err *err) {
  int rc = lam_param_defaults(t, n, dst, err);
  if (rc) {
    return rc;
  }
  long s = find_section(m, section);
  if (s >= 0) {
    m->secused[s] = 1;
  }
  for (size_t i = 0; i < n; i++) {
    entry *e = find(m, section, t[i].key);
    if (!e) {
      continue;
    }
    e->used = 1;
    rc = lam_param_parse(&t[i], section, e->value, e->where, m->basedir, dst,
                         err);
    if (rc) {
      return rc;
    }
    if (t[i].type == LAM_PT_PATH) {
      const char *path = (const char *)dst + t[i].offset;
      if (path[0] && add_input(m, section, t[i].key, path)) {
        return LAM_NOMEM(err);
      }
    }
  }
  /* Resolved text: every key of the table, with its unit. */
  size_t cap = 64 + n * 160;
  char *text = malloc(cap);
  if (!text) {
    return LAM_NOMEM(err);
  }
  size_t len = (size_t)snprintf(text, cap, "[%s]\n", section);
  for (size_t i = 0; i < n; i++) {
    char val[LAM_PATH_MAX];
    lam_param_format(&t[i], dst, val, sizeof val);
    size_t need = strlen(val) + strlen(t[i].key) + strlen(t[i].unit) + 16;
    if (len + need >= cap) {
      cap = 2 * cap + need;
      char *tt = realloc(text, cap);
      if (!tt) {
        free(text);
        return LAM_NOMEM(err);
      }
      text = tt;
    }
    len += (size_t)snprintf(text + len, cap - len, "%s = %s ; %s\n", t[i].key,
                            val, t[i].unit);
  }
  if (remember(m, section, text)) {
    free(text);
    return LAM_NOMEM(err);
  }
  return LAM_OK;
}

int lam_model_check_unused(const lam_model *m, lam_err *err) {
  for (size_t i = 0; i < m->ne; i++) {
    const entry *e = &m->e[i];
    if (e->used) {
      continue;
    }
    long s = find_section(m, e->section);
    if (s >= 0 && !m->secused[s]) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s: [%s]: unknown section (see docs/model-reference.md "
                         "or `laminar keys`)",
                         e->where, e->section);
    }
    return lam_err_set(err, LAM_EINVAL,
                       "%s: %s.%s: unknown key (see docs/model-reference.md or "
                       "`laminar keys %s`)",
                       e->where, e->section, e->key, e->section);
  }
  return LAM_OK;
}

const char *lam_model_text(lam_model *m) {
  size_t len = 1;
  for (size_t i = 0; i < m->nr; i++) {
    len += strlen(m->r[i].text) + 1;
  }
  char *t = malloc(len);
  if (!t) {
    return "";
  }
  size_t k = 0;
  for (size_t i = 0; i < m->nr; i++) {
    size_t l = strlen(m->r[i].text);
    memcpy(t + k, m->r[i].text, l);
    k += l;
    t[k++] = '\n';
  }
  t[k] = '\0';
  free(m->text);
  m->text = t;
  return t;
}

uint64_t lam_model_hash(lam_model *m) {
  const unsigned char *s = (const unsigned char *)lam_model_text(m);
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= *s;
    h *= 1099511628211ULL;
  }
  return h;
}

size_t lam_model_ninputs(const lam_model *m) { return m->nin; }

const char *lam_model_input(const lam_model *m, size_t i, const char **section,
                            const char **key) {
  if (i >= m->nin) {
    return NULL;
  }
  if (section) {
    *section = m->in[i].section;
  }
  if (key) {
    *key = m->in[i].key;
  }
  return m->in[i].path;
}

const char *lam_model_path(const lam_model *m) { return m->path; }
const char *lam_model_basedir(const lam_model *m) { return m->basedir; }

lam_model *lam_model_clone(const lam_model *m, lam_err *err) {
  lam_model *c = lam_model_new();
  if (!c) {
    LAM_NOMEM(err);
    return NULL;
  }
  memcpy(c->path, m->path, sizeof c->path);
  memcpy(c->basedir, m->basedir, sizeof c->basedir);
  for (size_t i = 0; i < m->nsec; i++) {
    if (add_section(c, m->sec[i], m->secwhere[i])) {
      lam_model_free(c);
      LAM_NOMEM(err);
      return NULL;
    }
  }
  for (size_t i = 0; i < m->ne; i++) {
    if (put(c, m->e[i].section, m->e[i].key, m->e[i].value, m->e[i].where, 1,
            err)) {
      lam_model_free(c);
      return NULL;
    }
  }
  return c;
}

lam_model *lam_model_scope(const lam_model *m, const char *prefix,
                           lam_err *err) {
  lam_model *c = lam_model_clone(m, err);
  if (!c) {
    return NULL;
  }
  const size_t lp = strlen(prefix);
  for (size_t i = 0; i < m->ne; i++) {
    const entry *e = &m->e[i];
    if (strncmp(e->section, prefix, lp) == 0 && e->section[lp] == '.' &&
        e->section[lp + 1]) {
      if (put(c, e->section + lp + 1, e->key, e->value, e->where, 1, err)) {
        lam_model_free(c);
        return NULL;
      }
    }
  }
  return c;
}

int lam_model_merge_used(lam_model *m, const lam_model *scoped,
                         const char *prefix) {
  char sec[512];
  for (size_t i = 0; i < scoped->nsec; i++) {
    if (!scoped->secused[i]) {
      continue;
    }
    snprintf(sec, sizeof sec, "%s.%s", prefix, scoped->sec[i]);
    long s = find_section(m, scoped->sec[i]);
    if (s >= 0) {
      m->secused[s] = 1;
    }
    s = find_section(m, sec);
    if (s >= 0) {
      m->secused[s] = 1;
    }
  }
  for (size_t i = 0; i < scoped->ne; i++) {
    const entry *e = &scoped->e[i];
    if (!e->used) {
      continue;
    }
    snprintf(sec, sizeof sec, "%s.%s", prefix, e->section);
    entry *t = find(m, e->section, e->key);
    if (t) {
      t->used = 1;
    }
    t = find(m, sec, e->key);
    if (t) {
      t->used = 1;
    }
  }
  for (size_t i = 0; i < scoped->nin; i++) {
    const input *x = &scoped->in[i];
    snprintf(sec, sizeof sec, "%s.%s", prefix, x->section);
    if (add_input(m, sec, x->key, x->path)) {
      return LAM_ENOMEM;
    }
  }
  for (size_t i = 0; i < scoped->nr; i++) {
    const char *txt = scoped->r[i].text;
    const char *body = strchr(txt, '\n');
    snprintf(sec, sizeof sec, "%s.%s", prefix, scoped->r[i].section);
    size_t len = strlen(sec) + strlen(body ? body : "") + 4;
    char *t = malloc(len);
    if (!t) {
      return LAM_ENOMEM;
    }
    snprintf(t, len, "[%s]%s", sec, body ? body : "\n");
    if (remember(m, sec, t)) {
      free(t);
      return LAM_ENOMEM;
    }
  }
  return LAM_OK;
}

int lam_model_override(lam_model *m, const char *section, const char *key,
                       const char *value, const char *where, lam_err *err) {
  if (!section || !section[0] || !key || !key[0] || !value) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: expected a section, a key and a value",
                       where ? where : "override");
  }
  return put(m, section, key, value, where ? where : "override", 1, err);
}
