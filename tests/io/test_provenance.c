/* test_provenance.c: the provenance helpers (io/lam_provenance.h) against
 * facts from outside: the command line as a POSIX shell splits it back
 * (sh, printf), timestamps against known UTC times, and the attributes and
 * /inputs/ arrays of a recorded file read back with the HDF5 API. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_hash.h"
#include "lam_model.h"
#include "lam_provenance.h"

/* The words the shell makes of line, one a line. */
static char *shell_split(const char *line) {
  char script[] = "/tmp/lam_prov_shXXXXXX";
  int fd = mkstemp(script);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "for w in %s; do printf '%%s\\n' \"$w\"; done\n", "\"$@\"");
  fclose(f);
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "sh %s %s", script, line);
  FILE *p = popen(cmd, "r");
  cr_assert(p);
  static char out[8192];
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  pclose(p);
  unlink(script);
  return out;
}

Test(provenance, command_line_splits_back_into_its_words) {
  char *const words[] = {"run", "a b.ini", "--set", "input.x=it's.csv", "",
                         "$HOME", "`x`", "semi;colon", "tab\tand\\back",
                         "plain-word_1.2:3,4@%+=/", "*", "\"dq\"", "''"};
  const int n = (int)(sizeof words / sizeof words[0]);
  char *line = lam_provenance_command_line(n, words);
  cr_assert(line);
  char want[1024] = "";
  for (int i = 0; i < n; i++) {
    strcat(want, words[i]);
    strcat(want, "\n");
  }
  cr_expect_str_eq(shell_split(line), want, "line: %s", line);
  /* Plain words stay as typed. */
  cr_expect(strstr(line, "run 'a b.ini' --set"), "%s", line);
  cr_expect(strstr(line, " plain-word_1.2:3,4@%+=/ "), "%s", line);
  free(line);
  char *const none[] = {NULL};
  line = lam_provenance_command_line(0, none);
  cr_expect_str_eq(line, "");
  free(line);
}

Test(provenance, timestamps_are_iso8601_utc) {
  char buf[32];
  lam_provenance_timestamp(0, buf);
  cr_expect_str_eq(buf, "1970-01-01T00:00:00Z");
  lam_provenance_timestamp(1700000000, buf); /* date -u -d @1700000000 */
  cr_expect_str_eq(buf, "2023-11-14T22:13:20Z");
  lam_provenance_timestamp(951782400, buf); /* a leap day */
  cr_expect_str_eq(buf, "2000-02-29T00:00:00Z");
}

Test(provenance, input_names_are_hdf5_link_names) {
  char b[16];
  cr_expect_eq(lam_provenance_input_name("area.v1.input", "x", b, 16), 0);
  cr_expect_str_eq(b, "area.v1.input.x");
  cr_expect_eq(lam_provenance_input_name("a/b", "c", b, 16), 0);
  cr_expect_str_eq(b, "a_b.c");
  cr_expect_eq(lam_provenance_input_name("section_is_long", "key", b, 16), -1);
}
