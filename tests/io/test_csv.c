/* test_csv.c: the numeric CSV reader (io/lam_csv.c). Every cell must come
 * back as exactly the double the C library's strtod gives for its text,
 * whichever path parsed it (plain integers take a shorter one). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_csv.h"

static const char *cells[] = {
    "0",  "-0", "7",  "-12", "000123", "999999999999999", "-999999999999999",
    "9007199254740993", "12345678901234567890", "0.1", "-2.5e-3",
    "0.33645064409852243", "1e300", "+4", " 5", "6 ", "0x10", "4.",
};

Test(csv, cells_equal_strtod_bit_for_bit) {
  char path[] = "/tmp/lam_test_csvXXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  size_t n = sizeof cells / sizeof cells[0];
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "%s%s", cells[i], i + 1 < n ? "," : "\n");
  }
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "%s%s", cells[n - 1 - i], i + 1 < n ? "," : "\r\n");
  }
  fclose(f);
  lam_matrix m;
  lam_err err;
  int rc = lam_csv_read(path, &m, &err);
  unlink(path);
  cr_assert_eq(rc, LAM_OK, "%s", err.msg);
  cr_assert_eq(m.rows, 2);
  cr_assert_eq(m.cols, n);
  for (size_t r = 0; r < 2; r++) {
    for (size_t i = 0; i < n; i++) {
      const char *c = cells[r ? n - 1 - i : i];
      double want = strtod(c, NULL);
      double got = m.data[r * n + i];
      cr_expect(memcmp(&got, &want, sizeof got) == 0,
                "cell '%s': got %.17g, strtod gives %.17g", c, got, want);
    }
  }
  lam_matrix_free(&m);
}

Test(csv, bad_cell_after_integer_is_an_error) {
  char path[] = "/tmp/lam_test_csvXXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("1,2,3\n4,5x,6\n", f);
  fclose(f);
  lam_matrix m;
  lam_err err;
  int rc = lam_csv_read(path, &m, &err);
  unlink(path);
  cr_assert_eq(rc, LAM_EINVAL);
  cr_expect(strstr(err.msg, ":2: column 2: expected a number, found '5x'") != NULL,
            "%s", err.msg);
}

/* A device was read for ever (getline on /dev/zero grows one line until
 * memory runs out); a directory read as "no numeric rows". */
Test(csv, device_or_directory_is_an_error, .timeout = 20) {
  lam_err err;
  lam_matrix m = {0, 0, NULL};
  cr_assert_eq(lam_csv_read("/dev/zero", &m, &err), LAM_EINVAL);
  cr_assert_str_eq(err.msg, "/dev/zero: expected a CSV file, found a device or socket");
  cr_assert_eq(m.rows, 0);
  cr_assert_null(m.data);
  cr_assert_eq(lam_csv_read_table("/tmp", &m, NULL, &err), LAM_EINVAL);
  cr_assert_str_eq(err.msg, "/tmp: expected a CSV file, found a directory");
}

/* A pipe (a script's output, `<(...)`) is still read. */
Test(csv, pipe_is_read) {
  int fd[2];
  cr_assert_eq(pipe(fd), 0);
  cr_assert_eq(write(fd[1], "1,2\n3,4\n", 8), 8);
  close(fd[1]);
  char path[64];
  snprintf(path, sizeof path, "/dev/fd/%d", fd[0]);
  lam_err err;
  lam_matrix m;
  cr_assert_eq(lam_csv_read(path, &m, &err), 0, "%s", err.msg);
  cr_assert_eq(m.rows, 2);
  cr_assert_eq(m.cols, 2);
  cr_assert_eq(m.data[3], 4.0);
  lam_matrix_free(&m);
  close(fd[0]);
}

/* A read error ended the file silently: the rows before it came back as
 * the whole matrix (or "no numeric rows"). /proc/self/mem is a regular
 * file whose first page cannot be read (EIO). */
Test(csv, read_error_is_an_error) {
  lam_err err;
  lam_matrix m = {0, 0, NULL};
  cr_assert_eq(lam_csv_read("/proc/self/mem", &m, &err), LAM_EIO);
  cr_assert_str_eq(err.msg, "/proc/self/mem:1: read error: Input/output error");
  cr_assert_null(m.data);
}

/* ---- text cells ---- */

static void split_is(const char *line, size_t n, const char *const *want) {
  char **c;
  size_t got;
  lam_err err;
  cr_assert_eq(lam_csv_split(line, &c, &got, &err), 0, "%s: %s", line, err.msg);
  cr_assert_eq(got, n, "'%s': %zu cells", line, got);
  for (size_t k = 0; k < n; k++) {
    cr_assert_str_eq(c[k], want[k], "'%s' cell %zu", line, k);
  }
  lam_csv_cells_free(c, got);
}

Test(csv_text, split_trims_and_unquotes) {
  split_is("a,b,c", 3, (const char *const[]){"a", "b", "c"});
  split_is("", 1, (const char *const[]){""});
  split_is(" a ,\tb\t,c\r", 3, (const char *const[]){"a", "b", "c"});
  split_is(",,", 3, (const char *const[]){"", "", ""});
  split_is("\"x,y\",\"say \"\"hi\"\"\" , \"\"", 3,
           (const char *const[]){"x,y", "say \"hi\"", ""});
  split_is("  \" kept \"  ,z", 2, (const char *const[]){" kept ", "z"});
  split_is("a b,c\"d", 2, (const char *const[]){"a b", "c\"d"});
  char **c = (char **)1;
  size_t n = 7;
  lam_err err;
  const char *bad[] = {"\"open", "a,\"b\"c", "\"\"\"", "x,\"y"};
  for (size_t k = 0; k < 4; k++) {
    cr_assert_eq(lam_csv_split(bad[k], &c, &n, &err), LAM_EINVAL, "%s", bad[k]);
    cr_assert_str_eq(err.msg, "unbalanced quote");
    cr_assert_null(c);
    cr_assert_eq(n, 0);
  }
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  cr_assert(f);
  fputs(text, f);
  fclose(f);
}

Test(csv_text, read_text_rows_and_lines) {
  char path[] = "/tmp/lam_csv_textXXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
  write_file(path, "# comment\nkey,\"other key\"\r\n\n  # indented comment\n1,\"a,b\"\r\n"
                   "2 , x\n");
  lam_csv_text t;
  lam_err err;
  cr_assert_eq(lam_csv_read_text(path, &t, &err), 0, "%s", err.msg);
  cr_assert_eq(t.rows, 3);
  cr_assert_eq(t.cols, 2);
  cr_assert_str_eq(lam_csv_text_cell(&t, 0, 1), "other key");
  cr_assert_str_eq(lam_csv_text_cell(&t, 1, 1), "a,b");
  cr_assert_str_eq(lam_csv_text_cell(&t, 2, 0), "2");
  cr_assert_eq(t.lines[0], 2);
  cr_assert_eq(t.lines[1], 5);
  cr_assert_eq(t.lines[2], 6);
  lam_csv_text_free(&t);
  cr_assert_null(t.cells);

  /* Many rows: the table grows. */
  FILE *f = fopen(path, "wb");
  for (int i = 0; i < 1000; i++) {
    fprintf(f, "%d,v%d\n", i, i);
  }
  fclose(f);
  cr_assert_eq(lam_csv_read_text(path, &t, &err), 0, "%s", err.msg);
  cr_assert_eq(t.rows, 1000);
  cr_assert_str_eq(lam_csv_text_cell(&t, 999, 1), "v999");
  cr_assert_eq(t.lines[999], 1000);
  lam_csv_text_free(&t);

  write_file(path, "# nothing\n\n");
  cr_assert_eq(lam_csv_read_text(path, &t, &err), 0, "%s", err.msg);
  cr_assert_eq(t.rows, 0);
  lam_csv_text_free(&t);

  char want[128];
  write_file(path, "a,b\n1,2\n\n3\n");
  cr_assert_eq(lam_csv_read_text(path, &t, &err), LAM_EINVAL);
  snprintf(want, sizeof want, "%s:4: expected 2 values, found 1", path);
  cr_assert_str_eq(err.msg, want);
  cr_assert_eq(t.rows, 0);
  cr_assert_null(t.cells);

  write_file(path, "a\n\"1\n");
  cr_assert_eq(lam_csv_read_text(path, &t, &err), LAM_EINVAL);
  snprintf(want, sizeof want, "%s:2: unbalanced quote", path);
  cr_assert_str_eq(err.msg, want);
  unlink(path);

  cr_assert_eq(lam_csv_read_text(path, &t, &err), LAM_EIO);
  snprintf(want, sizeof want, "%s: No such file or directory", path);
  cr_assert_str_eq(err.msg, want);
}

Test(csv_text, read_text_refuses_devices_and_reports_read_errors, .timeout = 20) {
  lam_csv_text t;
  lam_err err;
  cr_assert_eq(lam_csv_read_text("/dev/zero", &t, &err), LAM_EINVAL);
  cr_assert_str_eq(err.msg, "/dev/zero: expected a CSV file, found a device or socket");
  cr_assert_eq(lam_csv_read_text("/tmp", &t, &err), LAM_EINVAL);
  cr_assert_str_eq(err.msg, "/tmp: expected a CSV file, found a directory");
  cr_assert_eq(lam_csv_read_text("/proc/self/mem", &t, &err), LAM_EIO);
  cr_assert_str_eq(err.msg, "/proc/self/mem: Input/output error");
  cr_assert_eq(t.rows, 0);
}
