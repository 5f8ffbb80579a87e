/* test_model_files.c: model files read whole and checked before they are
 * parsed. What is not a regular text file is refused with a message naming
 * the file (and line and column): directories, devices, FIFOs, sockets, NUL
 * bytes, control characters, invalid UTF-8, files over the size limit and
 * models without a [section]. No line has a length limit, so a long comment
 * or value never turns into a key and line numbers stay the file's; CRLF
 * line ends and a UTF-8 byte-order mark are accepted. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lam_model.h"
#include "lam_param.h"
#include "lam_params.h"

static char dir[64];

static int rm(const char *path, const struct stat *st, int flag,
              struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/lammodelXXXXXX");
  cr_assert(mkdtemp(dir));
}

static void teardown(void) { nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS); }

TestSuite(model_files, .init = setup, .fini = teardown);

/* dir/name holding len bytes of text; its path in a static buffer. */
static const char *put(const char *name, const char *text, size_t len) {
  static char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  cr_assert(f);
  cr_assert_eq(fwrite(text, 1, len, f), len);
  cr_assert_eq(fclose(f), 0);
  return p;
}

/* Load path into a new model; the status, with the message in err. */
static int load(const char *path, lam_model **out, lam_err *err) {
  lam_model *m = lam_model_new();
  cr_assert(m);
  int rc = lam_model_load(m, path, err);
  if (out && rc == LAM_OK) {
    *out = m;
  } else {
    lam_model_free(m);
  }
  return rc;
}

/* Loading text (as a file named m.ini) fails with exactly msg after the
 * folder. */
static void expect_error(const char *text, size_t len, const char *msg) {
  const char *p = put("m.ini", text, len);
  lam_err err = {0, ""};
  cr_assert_neq(load(p, NULL, &err), LAM_OK, "accepted: %s", msg);
  char want[512];
  snprintf(want, sizeof want, "%s/m.ini%s", dir, msg);
  cr_expect_str_eq(err.msg, want);
}

/* A small table to fill: [net] beta (s) and n. */
typedef struct bundle {
  double beta;
  long n;
  lam_path path;
} bundle;
static const lam_param table[] = {
    LAM_REAL(bundle, beta, "1", "s", 0, 10, "beta"),
    LAM_INT(bundle, n, "1", "1", 1, 100, "n"),
    LAM_PATHP(bundle, path, "", "a file"),
};

/* A string of n copies of ch. */
static char *repeat(char ch, size_t n) {
  char *s = malloc(n + 1);
  cr_assert(s);
  memset(s, ch, n);
  s[n] = '\0';
  return s;
}

Test(model_files, directory_is_refused, .timeout = 10) {
  lam_err err = {0, ""};
  cr_assert_eq(load(dir, NULL, &err), LAM_EINVAL);
  char want[256];
  snprintf(want, sizeof want,
           "%s: not a model file: it is a directory (a model file is a "
           "regular text file)",
           dir);
  cr_expect_str_eq(err.msg, want);
}

Test(model_files, dev_null_is_refused, .timeout = 10) {
  lam_err err = {0, ""};
  cr_assert_eq(load("/dev/null", NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "/dev/null: not a model file: it is a character "
                            "device"),
            "%s", err.msg);
}

/* Never-ending devices end at once: nothing is read from them. */
Test(model_files, dev_zero_and_urandom_end_at_once, .timeout = 5) {
  const char *dev[] = {"/dev/zero", "/dev/urandom"};
  for (size_t i = 0; i < 2; i++) {
    lam_err err = {0, ""};
    cr_assert_eq(load(dev[i], NULL, &err), LAM_EINVAL, "%s", dev[i]);
    cr_expect(strstr(err.msg, "it is a character device"), "%s", err.msg);
    cr_expect(strncmp(err.msg, dev[i], strlen(dev[i])) == 0, "%s", err.msg);
  }
}

/* A FIFO without a writer: opening it to read would block forever. */
Test(model_files, fifo_without_writer_is_refused, .timeout = 5) {
  char p[256];
  snprintf(p, sizeof p, "%s/fifo.ini", dir);
  cr_assert_eq(mkfifo(p, 0600), 0);
  lam_err err = {0, ""};
  cr_assert_eq(load(p, NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "fifo.ini: not a model file: it is a FIFO"), "%s",
            err.msg);
}

Test(model_files, socket_is_refused, .timeout = 5) {
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof a.sun_path, "%s/sock.ini", dir);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  cr_assert(fd >= 0);
  cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  lam_err err = {0, ""};
  cr_assert_eq(load(a.sun_path, NULL, &err), LAM_EINVAL);
  cr_expect(strstr(err.msg, "sock.ini: not a model file: it is a socket"),
            "%s", err.msg);
  close(fd);
}

Test(model_files, missing_file_names_errno) {
  char p[256];
  snprintf(p, sizeof p, "%s/none.ini", dir);
  lam_err err = {0, ""};
  cr_assert_eq(load(p, NULL, &err), LAM_EIO);
  char want[320];
  snprintf(want, sizeof want, "%s: cannot open model file: No such file or directory", p);
  cr_expect_str_eq(err.msg, want);
}

Test(model_files, over_the_size_limit, .timeout = 20) {
  const char *p = put("big.ini", "[net]\n", 6);
  cr_assert_eq(truncate(p, (off_t)16 * 1024 * 1024 + 1), 0);
  lam_err err = {0, ""};
  cr_assert_eq(load(p, NULL, &err), LAM_EINVAL);
  char want[320];
  snprintf(want, sizeof want,
           "%s: model file larger than the limit of 16777216 bytes (16 MiB)", p);
  cr_expect_str_eq(err.msg, want);
}

Test(model_files, empty_file_is_refused) {
  expect_error("", 0,
               ": empty model: no [section] in it (a model names at least one "
               "section, such as [network])");
}

Test(model_files, comments_and_blank_lines_only_are_refused) {
  const char t[] = "; a model\n\n# nothing else\n   \n";
  expect_error(t, sizeof t - 1,
               ": empty model: no [section] in it (a model names at least one "
               "section, such as [network])");
}

/* An empty section is a section: [network] alone is the all-defaults model. */
Test(model_files, one_empty_section_is_a_model) {
  const char t[] = "; defaults\n[network]\n";
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", t, sizeof t - 1), &m, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m);
}

Test(model_files, nul_byte_in_line_2) {
  const char t[] = "[net]\nbe\0ta = 2\n";
  expect_error(t, sizeof t - 1, ":2: NUL byte at column 3");
}

Test(model_files, nul_byte_after_the_last_line) {
  const char t[] = "[net]\nbeta = 2\n\0[net]\nn = 3\n";
  expect_error(t, sizeof t - 1, ":3: NUL byte at column 1");
}

Test(model_files, control_characters_are_refused) {
  const char t1[] = "[net]\nbeta = 2\x01\n";
  expect_error(t1, sizeof t1 - 1, ":2: non-text byte 0x01 at column 9");
  const char t2[] = "[net]\n\nn = \x1b[31m3\n";
  expect_error(t2, sizeof t2 - 1, ":3: non-text byte 0x1b at column 5");
  const char t3[] = "[net]\nbeta = 2\x7f\n";
  expect_error(t3, sizeof t3 - 1, ":2: non-text byte 0x7f at column 9");
  /* \v and \f: whitespace to isspace(), not text to a model file. */
  const char t4[] = "[net]\x0b\n";
  expect_error(t4, sizeof t4 - 1, ":1: non-text byte 0x0b at column 6");
}

Test(model_files, carriage_return_only_before_a_line_feed) {
  const char t[] = "[net]\rbeta = 2\n";
  expect_error(t, sizeof t - 1,
               ":1: non-text byte 0x0d at column 6 (a carriage return only "
               "before a line feed)");
}

Test(model_files, invalid_utf8_is_refused) {
  const char t1[] = "[net]\npath = caf\xe9.csv\n"; /* Latin-1 */
  expect_error(t1, sizeof t1 - 1, ":2: non-text byte 0xe9 at column 11 (not UTF-8)");
  const char t2[] = "[net]\npath = \xc0\xaf\n"; /* overlong '/' */
  expect_error(t2, sizeof t2 - 1, ":2: non-text byte 0xc0 at column 8 (not UTF-8)");
  const char t3[] = "[net]\npath = \xed\xa0\x80\n"; /* a surrogate */
  expect_error(t3, sizeof t3 - 1, ":2: non-text byte 0xed at column 8 (not UTF-8)");
  const char t4[] = "[net]\npath = x\xe2\x82\n"; /* cut short at the end */
  expect_error(t4, sizeof t4 - 1, ":2: non-text byte 0xe2 at column 9 (not UTF-8)");
  const char t5[] = "[net]\npath = \xc2\x85\n"; /* U+0085, a C1 control */
  expect_error(t5, sizeof t5 - 1,
               ":2: non-text character U+0085 (a control character) at column 8");
}

/* Columns count characters: a UTF-8 name before the fault counts once per
 * character. */
Test(model_files, utf8_text_is_accepted_and_columns_count_characters) {
  const char ok[] = "; Größe in µm\n[net]\npath = données/w.csv\n";
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", ok, sizeof ok - 1), &m, &err), LAM_OK, "%s", err.msg);
  cr_expect_str_eq(lam_model_value(m, "net", "path"), "données/w.csv");
  lam_model_free(m);
  const char bad[] = "[net]\npath = données\x01\n";
  expect_error(bad, sizeof bad - 1, ":2: non-text byte 0x01 at column 15");
}

/* A 300-character comment stays a comment (Debian's inih splits lines at
 * 200 bytes, and the tail of the comment became a key). */
Test(model_files, long_comment_is_a_comment) {
  char *c = repeat('x', 300);
  char text[512];
  snprintf(text, sizeof text, "[net]\n; %s\nbeta = 2\n", c);
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", text, strlen(text)), &m, &err), LAM_OK, "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_eq(b.beta, 2.0);
  char where[256];
  snprintf(where, sizeof where, "%s/m.ini:3", dir);
  cr_expect_str_eq(lam_model_where(m, "net", "beta"), where);
  cr_expect_eq(lam_model_check_unused(m, &err), LAM_OK, "%s", err.msg);
  lam_model_free(m);
  free(c);
}

/* A 500-character comment on line 3, a misspelt key on line 5: the message
 * says :5:. An inline comment of 400 characters after a value too. */
Test(model_files, line_numbers_stay_right_after_long_lines) {
  char *c = repeat('y', 500), *d = repeat('z', 400);
  char text[1200];
  snprintf(text, sizeof text, "[net]\nbeta = 2 ; %s\n#%s\nn = 4\nbetta = 3\n", d, c);
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", text, strlen(text)), &m, &err), LAM_OK, "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_eq(b.beta, 2.0);
  cr_expect_eq(b.n, 4);
  cr_assert_eq(lam_model_check_unused(m, &err), LAM_EINVAL);
  char want[512];
  snprintf(want, sizeof want,
           "%s/m.ini:5: net.betta: unknown key (see docs/model-reference.md or "
           "`laminar keys net`)",
           dir);
  cr_expect_str_eq(err.msg, want);
  lam_model_free(m);
  free(c), free(d);
}

/* A 300-character value (a deep path) arrives whole, and the next line's
 * number is its own. */
Test(model_files, long_value_arrives_whole) {
  char *v = repeat('p', 300);
  char text[600];
  snprintf(text, sizeof text, "[net]\npath = /%s/w.csv ; where\nn = 7\n", v);
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", text, strlen(text)), &m, &err), LAM_OK, "%s", err.msg);
  char want[400];
  snprintf(want, sizeof want, "/%s/w.csv", v);
  cr_expect_str_eq(lam_model_value(m, "net", "path"), want);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_str_eq(b.path, want);
  cr_expect_eq(b.n, 7);
  char where[256];
  snprintf(where, sizeof where, "%s/m.ini:3", dir);
  cr_expect_str_eq(lam_model_where(m, "net", "n"), where);
  lam_model_free(m);
  free(v);
}

/* A long key and a long section name arrive whole too (inih keeps 49
 * characters of a section name), so the message names what the file says. */
Test(model_files, long_key_and_section_arrive_whole) {
  char *k = repeat('k', 250), *s = repeat('s', 80);
  char text[800];
  snprintf(text, sizeof text, "[%s]\nn = 2\n[net]\n%s = 1\n", s, k);
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", text, strlen(text)), &m, &err), LAM_OK, "%s", err.msg);
  cr_expect(lam_model_has_section(m, s));
  cr_expect_str_eq(lam_model_value(m, s, "n"), "2");
  cr_expect_str_eq(lam_model_value(m, "net", k), "1");
  lam_model_free(m);
  free(k), free(s);
}

/* A long line without '=' is a syntax error on its own line. */
Test(model_files, long_line_without_equals_is_a_syntax_error) {
  char *x = repeat('x', 300);
  char text[512];
  snprintf(text, sizeof text, "[net]\nbeta = 1\n%s\n", x);
  char want[256];
  snprintf(want, sizeof want,
           ":3: syntax error: expected [section] or key = value, found '%.60s...'", x);
  expect_error(text, strlen(text), want);
  free(x);
}

/* Syntax errors are reported on their own line, in file order (inih reads on
 * past an error, so a later key outside a section used to be reported
 * instead), quoting the line; text after a [section] is not dropped
 * silently. */
Test(model_files, syntax_errors_in_file_order) {
  const char t1[] = "[network\ncolumns = 3\n";
  expect_error(t1, sizeof t1 - 1, ":1: syntax error: expected [section], found '[network'");
  const char t2[] = "[]\ncolumns = 3\n";
  expect_error(t2, sizeof t2 - 1,
               ":1: syntax error: expected a name in [section], found '[]'");
  const char t3[] = "[net] beta = 2\n";
  expect_error(t3, sizeof t3 - 1,
               ":1: syntax error: expected nothing after [section], found '[net] beta = 2'");
  const char t4[] = "[net]\nbeta = 2\nn 3\nbeta = 1\n";
  expect_error(t4, sizeof t4 - 1,
               ":3: syntax error: expected [section] or key = value, found 'n 3'");
  /* A comment after the section is a comment; "key: value" is inih's too. */
  const char ok[] = "[net] ; the net\nbeta: 2\n";
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", ok, sizeof ok - 1), &m, &err), LAM_OK, "%s", err.msg);
  cr_expect_str_eq(lam_model_value(m, "net", "beta"), "2");
  lam_model_free(m);
}

Test(model_files, crlf_line_ends_work) {
  const char t[] = "[net]\r\nbeta = 2\r\n; note\r\nn = 5\r\n";
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", t, sizeof t - 1), &m, &err), LAM_OK, "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_eq(b.beta, 2.0);
  cr_expect_eq(b.n, 5);
  char where[256];
  snprintf(where, sizeof where, "%s/m.ini:4", dir);
  cr_expect_str_eq(lam_model_where(m, "net", "n"), where);
  lam_model_free(m);
}

/* A UTF-8 byte-order mark at the start is skipped; anywhere else it is a
 * character of the text (here: part of a key nobody knows). */
Test(model_files, byte_order_mark_at_the_start_is_skipped) {
  const char t[] = "\xEF\xBB\xBF[net]\r\nbeta = 3\r\n";
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", t, sizeof t - 1), &m, &err), LAM_OK, "%s", err.msg);
  cr_expect(lam_model_has_section(m, "net"));
  cr_expect_str_eq(lam_model_value(m, "net", "beta"), "3");
  lam_model_free(m);
}

/* Indentation is not a continuation: an indented key is an ordinary key. */
Test(model_files, indented_keys_are_keys) {
  const char t[] = "[net]\n  beta = 2\n\tn = 3\n";
  lam_model *m = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(load(put("m.ini", t, sizeof t - 1), &m, &err), LAM_OK, "%s", err.msg);
  cr_expect_str_eq(lam_model_value(m, "net", "beta"), "2");
  cr_expect_str_eq(lam_model_value(m, "net", "n"), "3");
  lam_model_free(m);
}

/* Every shipped model still loads. */
Test(model_files, shipped_models_load) {
  const char *names[] = {"default.ini", "jansen-rit.ini", "mejias2016.ini",
                         "two-areas.ini", "emergent.ini"};
  for (size_t i = 0; i < 5; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/models/%s", getenv("LAM_SOURCE_ROOT"), names[i]);
    lam_model *m = NULL;
    lam_err err = {0, ""};
    cr_expect_eq(load(p, &m, &err), LAM_OK, "%s: %s", p, err.msg);
    cr_expect(lam_model_has_section(m, "network"), "%s", p);
    lam_model_free(m);
  }
}

/* Model text gets the same text checks (no NUL can be in a C string). */
Test(model_files, model_text_is_checked_too) {
  lam_err err = {0, ""};
  lam_model *m = lam_model_new();
  cr_assert_eq(lam_model_load_text(m, "[net]\nbeta = \x02\n", "t.ini", ".", &err),
               LAM_EINVAL);
  cr_expect_str_eq(err.msg, "t.ini:2: non-text byte 0x02 at column 8");
  lam_model_free(m);
  /* Text built in code may be empty on purpose: the all-defaults model. */
  m = lam_model_new();
  cr_expect_eq(lam_model_load_text(m, "", "t.ini", ".", &err), LAM_OK, "%s", err.msg);
  cr_expect_eq(lam_model_nsections(m), 0);
  lam_model_free(m);
  char *v = repeat('v', 400);
  char text[1000];
  snprintf(text, sizeof text, "[net]\n;%s\npath = %s\n", v, v);
  m = lam_model_new();
  cr_assert_eq(lam_model_load_text(m, text, "t.ini", ".", &err), LAM_OK, "%s", err.msg);
  cr_expect_str_eq(lam_model_value(m, "net", "path"), v);
  cr_expect_str_eq(lam_model_where(m, "net", "path"), "t.ini:3");
  lam_model_free(m);
  free(v);
}

/* A control character in a --set assignment is an error, not part of a
 * value (a tab is a blank). */
Test(model_files, control_character_in_set_is_refused) {
  lam_model *m = lam_model_new();
  lam_err err = {0, ""};
  cr_assert_eq(lam_model_load_text(m, "[net]\n", "t.ini", ".", &err), LAM_OK, "%s",
               err.msg);
  cr_assert_eq(lam_model_set(m, "net.beta=1\n2", &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "--set: non-text byte 0x0a at column 11");
  cr_assert_eq(lam_model_set(m, "net.path=a\x1b.csv", &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "--set: non-text byte 0x1b at column 11");
  cr_assert_eq(lam_model_set(m, "net.path=\xff", &err), LAM_EINVAL);
  cr_expect_str_eq(err.msg, "--set: non-text byte 0xff at column 10 (not UTF-8)");
  cr_assert_eq(lam_model_set(m, "net.beta=\t2", &err), LAM_OK, "%s", err.msg);
  bundle b;
  cr_assert_eq(lam_model_fill(m, "net", table, LAM_NELEM(table), &b, &err), LAM_OK,
               "%s", err.msg);
  cr_expect_eq(b.beta, 2.0);
  lam_model_free(m);
}

/* A --set value goes into the recorded model text; it must read back as
 * given, so a value that the file syntax would cut at a comment is refused,
 * and blanks around key and value are dropped as in a file. */
Test(model_files, set_values_read_back_from_the_model_text) {
  lam_model *m = lam_model_new();
  lam_err err = {0, ""};
  cr_assert_eq(lam_model_set(m, " run.t_end = 2.5 ", &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(lam_model_value(m, "run", "t_end"), "2.5");
  cr_assert_eq(lam_model_set(m, "input.z=a;b", &err), LAM_OK, "%s", err.msg);
  cr_assert_str_eq(lam_model_value(m, "input", "z"), "a;b");
  cr_assert_eq(lam_model_set(m, "input.z=a ;b", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "--set input.z=a ;b") && strstr(err.msg, "comment"),
            "%s", err.msg);
  cr_assert_eq(lam_model_set(m, "input.z=;b", &err), LAM_EINVAL);
  cr_assert_str_eq(lam_model_value(m, "input", "z"), "a;b");
  /* What was accepted reads back from text unchanged. */
  lam_model *t = lam_model_new();
  cr_assert_eq(lam_model_load_text(t, "[input]\nz = a;b ; file\n", "r.ini", ".", &err),
               LAM_OK, "%s", err.msg);
  cr_assert_str_eq(lam_model_value(t, "input", "z"), "a;b");
  lam_model_free(t);
  lam_model_free(m);
}

/* lam_params_load: a file and its overrides, applied in order (the last
 * override wins), into typed parameters; a bad override is named. */
Test(model_files, params_load_applies_overrides_in_order) {
  char path[4200];
  snprintf(path, sizeof path, "%s/models/default.ini", getenv("LAM_SOURCE_ROOT"));
  const char *sets[] = {"column.beta=2", "column.beta=3.5", "network.columns=4",
                        "stimulus.columns=0"};
  lam_sim_params *p = NULL;
  lam_err err = {0, ""};
  cr_assert_eq(lam_params_load(path, sets, 4, &p, &err), LAM_OK, "%s", err.msg);
  cr_assert_float_eq(p->column.beta, 3.5, 0.0);
  cr_assert_eq(p->network.columns, 4);
  lam_sim_params_free(p);
  const char *bad[] = {"column.no_such_key=1"};
  cr_assert_neq(lam_params_load(path, bad, 1, &p, &err), LAM_OK);
  cr_assert_null(p);
  cr_assert(strstr(err.msg, "no_such_key"), "%s", err.msg);
}
