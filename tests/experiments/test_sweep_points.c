/* test_sweep_points.c: sweep points (linear and log grids, value lists,
 * design CSVs, Latin hypercubes), their ids, shards and limits, against
 * values computed here (experiments/lam_sweep_points.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_sweep_points.h"

static double val(const lam_sweep_spec *sp, size_t i, size_t d) {
  return strtod(lam_sweep_value(sp, i, d), NULL);
}

/* FNV-1a/64 written out independently of the library. */
static uint64_t fnv(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Test(sweep_points, linear_and_log_grids_product) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "column.beta=0:1:5", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "solver.rtol=1e-8:1e-4:3:log", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 15);
  cr_assert_eq(lam_sweep_ndims(sp), 2);
  cr_assert_str_eq(lam_sweep_key(sp, 1), "solver.rtol");
  /* First dimension slowest: point i = (i / 3, i % 3). */
  for (size_t i = 0; i < 15; i++) {
    cr_assert_float_eq(val(sp, i, 0), 0.25 * (double)(i / 3), 1e-15);
    double want = pow(10.0, -8.0 + 2.0 * (double)(i % 3));
    cr_assert_leq(fabs(val(sp, i, 1) - want), 1e-14 * want, "%g vs %g", val(sp, i, 1), want);
  }
  cr_assert_str_eq(lam_sweep_value(sp, 3, 0), "0.25");
  lam_sweep_spec_free(sp);
}

Test(sweep_points, values_and_ids) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_values(sp, "column.gate=product,bac", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_values(sp, "column.beta=2,3", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0);
  cr_assert_eq(lam_sweep_npoints(sp), 4);
  cr_assert_str_eq(lam_sweep_value(sp, 2, 0), "bac");
  cr_assert_str_eq(lam_sweep_value(sp, 2, 1), "2");
  /* The id hashes the key-sorted lines, whatever the order of the options. */
  cr_assert_eq(lam_sweep_id(sp, 2), fnv("column.beta=2\ncolumn.gate=bac\n"));
  lam_sweep_spec *sq = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_values(sq, "column.beta=3,2", &err), 0);
  cr_assert_eq(lam_sweep_add_values(sq, "column.gate=bac,product", &err), 0);
  cr_assert_eq(lam_sweep_build(sq, 0, 1, &err), 0);
  cr_assert_eq(lam_sweep_id(sq, 2), lam_sweep_id(sp, 2)); /* beta 2, gate bac */
  for (size_t a = 0; a < 4; a++) {
    for (size_t b = a + 1; b < 4; b++) {
      cr_assert_neq(lam_sweep_id(sp, a), lam_sweep_id(sp, b));
    }
  }
  lam_sweep_spec_free(sp);
  lam_sweep_spec_free(sq);
}

Test(sweep_points, design_csv) {
  char p[] = "/tmp/lamdesignXXXXXX";
  int fd = mkstemp(p);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# a design\ncolumn.beta, stimulus.columns\n1.5, \"0,1\"\n\n2,3\n", f);
  fclose(f);
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, p, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 2);
  cr_assert_str_eq(lam_sweep_key(sp, 1), "stimulus.columns");
  cr_assert_str_eq(lam_sweep_value(sp, 0, 1), "0,1");
  cr_assert_str_eq(lam_sweep_value(sp, 1, 0), "2");
  lam_sweep_spec_free(sp);
  /* A short row is a file:line error. */
  f = fopen(p, "w");
  fputs("column.beta,column.w_s\n1,2\n3\n", f);
  fclose(f);
  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, p, &err), LAM_EINVAL);
  char want[128];
  snprintf(want, sizeof want, "%s:3: expected 2 values, found 1", p);
  cr_assert(strstr(err.msg, want), "%s", err.msg);
  lam_sweep_spec_free(sp);
  unlink(p);
}

Test(sweep_points, latin_hypercube_strata_once) {
  const size_t N = 17;
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_range(sp, "column.beta=0.5:2.5", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_range(sp, "solver.rtol=1e-9:1e-3:log", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, N, 7, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), N);
  int hit0[17] = {0}, hit1[17] = {0};
  for (size_t i = 0; i < N; i++) {
    double u0 = (val(sp, i, 0) - 0.5) / 2.0;
    double u1 = (log10(val(sp, i, 1)) + 9.0) / 6.0;
    cr_assert(u0 >= 0 && u0 < 1 && u1 >= 0 && u1 < 1);
    hit0[(size_t)floor(u0 * (double)N)]++;
    hit1[(size_t)floor(u1 * (double)N)]++;
  }
  for (size_t s = 0; s < N; s++) {
    cr_assert_eq(hit0[s], 1, "stratum %zu of beta hit %d times", s, hit0[s]);
    cr_assert_eq(hit1[s], 1, "stratum %zu of rtol hit %d times", s, hit1[s]);
  }
  /* The same seed gives the same points; another seed others. */
  lam_sweep_spec *sq = lam_sweep_spec_new();
  lam_sweep_add_range(sq, "column.beta=0.5:2.5", &err);
  lam_sweep_add_range(sq, "solver.rtol=1e-9:1e-3:log", &err);
  cr_assert_eq(lam_sweep_build(sq, N, 7, &err), 0);
  cr_assert_str_eq(lam_sweep_value(sq, 5, 0), lam_sweep_value(sp, 5, 0));
  lam_sweep_spec *sr = lam_sweep_spec_new();
  lam_sweep_add_range(sr, "column.beta=0.5:2.5", &err);
  cr_assert_eq(lam_sweep_build(sr, N, 8, &err), 0);
  cr_assert_str_neq(lam_sweep_value(sr, 5, 0), lam_sweep_value(sp, 5, 0));
  lam_sweep_spec_free(sp);
  lam_sweep_spec_free(sq);
  lam_sweep_spec_free(sr);
}

Test(sweep_points, bad_arguments_name_themselves) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "beta=1:2:3", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "--grid beta=1:2:3: expected section.key="), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "column.beta=1:2", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "START:STOP:N"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "column.w_s=0:1:2.5", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "expected N >= 1"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "column.w_sa=0:1:3:log", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "log grid needs 0 < START"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_range(sp, "column.c_vip=2:1", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "LO < HI"), "%s", err.msg);
  lam_sweep_spec_free(sp);
  /* Kinds do not mix; nothing is no sweep. */
  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), LAM_EINVAL);
  lam_sweep_add_grid(sp, "column.beta=1:2:2", &err);
  lam_sweep_add_range(sp, "column.w_s=0:1", &err);
  cr_assert_eq(lam_sweep_build(sp, 4, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "not several"), "%s", err.msg);
  lam_sweep_spec_free(sp);
}

/* --lhs N times the keys wrapped around size_t (2^62 x 4 = 0): the points
 * array came out empty and the strata were written past it. */
Test(sweep_limits, lhs_points_times_keys_cannot_wrap) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  const char *r[] = {"a.b=0:1", "a.c=0:1", "a.d=0:1", "a.e=0:1"};
  for (int k = 0; k < 4; k++) {
    cr_assert_eq(lam_sweep_add_range(sp, r[k], &err), 0, "%s", err.msg);
  }
  cr_assert_eq(lam_sweep_build(sp, (size_t)1 << 62, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "limit of 1000000"), "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 0);
  lam_sweep_spec_free(sp);
}

/* One point more than the limit, by --lhs and by a grid product, is refused
 * before anything is allocated; the limit itself is a sweep. */
Test(sweep_limits, points_beyond_the_limit_are_an_error) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_range(sp, "a.b=0:1", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, LAM_SWEEP_MAX_POINTS + 1, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "1000001 points"), "%s", err.msg);
  lam_sweep_spec_free(sp);

  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:1000", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "a.c=0:1:1001", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "1001000 points"), "%s", err.msg);
  lam_sweep_spec_free(sp);

  sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:1000001", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "at most 1000000"), "%s", err.msg);
  cr_assert_eq(lam_sweep_add_grid(sp, "a.c=0:1:1000000", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), LAM_SWEEP_MAX_POINTS);
  cr_assert_str_eq(lam_sweep_value(sp, LAM_SWEEP_MAX_POINTS - 1, 0), "1");
  lam_sweep_spec_free(sp);
}

/* The id hashes 64 keys: a 65th key made points that differ only in it
 * share one id, so a resumed sweep skipped points it never ran. */
Test(sweep_limits, more_keys_than_the_id_covers_are_an_error) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  char arg[64];
  for (int k = 0; k < LAM_SWEEP_MAX_KEYS; k++) {
    snprintf(arg, sizeof arg, "a.k%02d=1", k);
    cr_assert_eq(lam_sweep_add_values(sp, arg, &err), 0, "%s", err.msg);
  }
  cr_assert_eq(lam_sweep_add_values(sp, "a.last=1,2", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "more than 64 swept keys"), "%s", err.msg);
  cr_assert_eq(lam_sweep_ndims(sp), 64);
  lam_sweep_spec_free(sp);
}

/* A design "file" that is a device was read until memory ran out. */
Test(sweep_limits, design_from_a_device_or_directory_is_an_error, .timeout = 20) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, "/dev/zero", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "/dev/zero: expected a CSV file, found a device"), "%s",
            err.msg);
  cr_assert_eq(lam_sweep_load_design(sp, "/tmp", &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "/tmp: expected a CSV file, found a directory"), "%s",
            err.msg);
  cr_assert_eq(lam_sweep_ndims(sp), 0);
  lam_sweep_spec_free(sp);
}

/* A rejected --grid, --values, --range or design left a dimension without
 * values behind, and the next lam_sweep_build made no points at all. */
Test(sweep_limits, a_rejected_argument_leaves_the_spec_unchanged) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:0", &err), LAM_EINVAL);
  cr_assert_eq(lam_sweep_add_values(sp, "a.c=1,,2", &err), LAM_EINVAL);
  cr_assert_eq(lam_sweep_add_range(sp, "a.d=2:1", &err), LAM_EINVAL);
  char path[] = "/tmp/lam_test_designXXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, "a.e,a.f\n1\n", 10), 10);
  close(fd);
  cr_assert_eq(lam_sweep_load_design(sp, path, &err), LAM_EINVAL);
  unlink(path);
  cr_assert_eq(lam_sweep_ndims(sp), 0);
  cr_assert_eq(lam_sweep_add_grid(sp, "a.b=0:1:3", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 3);
  lam_sweep_spec_free(sp);
}

/* A read error in a design ended it silently (here: an empty design). */
Test(sweep_limits, design_read_error_is_an_error) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, "/proc/self/mem", &err), LAM_EIO);
  cr_assert_str_eq(err.msg, "--design /proc/self/mem: Input/output error");
  lam_sweep_spec_free(sp);
}

/* ---- shards, ends, and design errors ---- */

static lam_sweep_spec *grid_4x2(void) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_grid(sp, "column.beta=0.5:3:4", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_add_values(sp, "column.pv_strength=0,1", &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  return sp;
}

/* Shard k of n holds the points i with i % n == k - 1; the shards together
 * hold every point once. */
Test(sweep_shards, shards_partition_the_points) {
  lam_err err;
  lam_sweep_spec *sp = grid_4x2();
  int seen[8] = {0};
  for (size_t k = 1; k <= 3; k++) {
    size_t *idx, n;
    cr_assert_eq(lam_sweep_shard(sp, k, 3, &idx, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, k == 3 ? 2u : 3u);
    for (size_t j = 0; j < n; j++) {
      cr_assert_eq(idx[j] % 3, k - 1);
      cr_assert(j == 0 || idx[j] > idx[j - 1], "in order");
      seen[idx[j]]++;
    }
    free(idx);
  }
  for (size_t i = 0; i < 8; i++) {
    cr_assert_eq(seen[i], 1, "point %zu in %d shards", i, seen[i]);
  }
  size_t *idx, n;
  cr_assert_eq(lam_sweep_shard(sp, 0, 0, &idx, &n, &err), 0);
  cr_assert_eq(n, 8);
  free(idx);
  cr_assert_eq(lam_sweep_shard(sp, 4, 3, &idx, &n, &err), LAM_EINVAL);
  cr_assert_str_eq(err.msg, "--shard 4/3: expected 1 <= K <= N");
  cr_assert_null(idx);
  cr_assert_eq(lam_sweep_shard(sp, 0, 3, &idx, &n, &err), LAM_EINVAL);
  lam_sweep_spec_free(sp);
}

/* A design's repeated row is one point: the first one stays. */
Test(sweep_shards, a_repeated_point_runs_once) {
  char p[] = "/tmp/lamdesignXXXXXX";
  int fd = mkstemp(p);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("column.beta,column.w_s\n1,2\n3,4\n1,2\n5,6\n3,4\n", f);
  fclose(f);
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, p, &err), 0, "%s", err.msg);
  unlink(p);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_npoints(sp), 5);
  cr_assert_eq(lam_sweep_id(sp, 0), lam_sweep_id(sp, 2));
  size_t *idx, n;
  cr_assert_eq(lam_sweep_shard(sp, 0, 0, &idx, &n, &err), 0);
  cr_assert_eq(n, 3);
  cr_assert_eq(idx[0], 0);
  cr_assert_eq(idx[1], 1);
  cr_assert_eq(idx[2], 3);
  free(idx);
  /* Within a shard only: shard 2/2 holds points 1 and 3, both kept. */
  cr_assert_eq(lam_sweep_shard(sp, 2, 2, &idx, &n, &err), 0);
  cr_assert_eq(n, 2);
  free(idx);
  lam_sweep_spec_free(sp);
}

/* The ends lam_sweep_validate tries: a grid's first and last values, a
 * range's bounds (before and after lam_sweep_build), a list's and a
 * design's first and last entries. */
Test(sweep_shards, end_values_and_arguments) {
  lam_err err;
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_add_range(sp, "column.beta=0.25:2", &err), 0, "%s", err.msg);
  cr_assert(lam_sweep_is_range(sp, 0));
  cr_assert_str_eq(lam_sweep_arg(sp, 0), "--range column.beta=0.25:2");
  char *lo = lam_sweep_end_value(sp, 0, 0), *hi = lam_sweep_end_value(sp, 0, 1);
  cr_assert_str_eq(lo, "0.25");
  cr_assert_str_eq(hi, "2");
  free(lo);
  free(hi);
  cr_assert_eq(lam_sweep_build(sp, 3, 1, &err), 0, "%s", err.msg);
  hi = lam_sweep_end_value(sp, 0, 1);
  cr_assert_str_eq(hi, "2");
  free(hi);
  lam_sweep_spec_free(sp);

  sp = grid_4x2();
  cr_assert(!lam_sweep_is_range(sp, 0) && !lam_sweep_is_range(sp, 1));
  cr_assert_str_eq(lam_sweep_arg(sp, 1), "--values column.pv_strength=0,1");
  lo = lam_sweep_end_value(sp, 0, 0);
  hi = lam_sweep_end_value(sp, 0, 1);
  cr_assert_str_eq(lo, "0.5");
  cr_assert_str_eq(hi, "3");
  free(lo);
  free(hi);
  hi = lam_sweep_end_value(sp, 1, 1);
  cr_assert_str_eq(hi, "1");
  free(hi);
  lam_sweep_spec_free(sp);
}

/* Design errors name file:line; a Windows design (CRLF) reads as a Unix
 * one, quoted last cells included. */
Test(sweep_shards, design_errors_and_crlf) {
  char p[] = "/tmp/lamdesignXXXXXX";
  int fd = mkstemp(p);
  cr_assert(fd >= 0);
  close(fd);
  char want[160];
  lam_err err;
  struct {
    const char *text, *msg;
  } bad[] = {
      {"column.beta\n\"1\n", "%s:2: unbalanced quote"},
      {"column.beta,column.w_s\n1,\n", "%s:2: column.w_s: empty value"},
      {"# only a comment\n\n", "--design %s: expected a header of section.key names"},
      {"column.beta\n", "--design %s: expected a header of section.key names"},
      {"beta\n1\n", "%s:1: column beta=: expected section.key=..."},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    FILE *f = fopen(p, "w");
    fputs(bad[k].text, f);
    fclose(f);
    lam_sweep_spec *sp = lam_sweep_spec_new();
    cr_assert_eq(lam_sweep_load_design(sp, p, &err), LAM_EINVAL, "case %zu", k);
    snprintf(want, sizeof want, bad[k].msg, p);
    cr_assert(strstr(err.msg, want), "case %zu: '%s' lacks '%s'", k, err.msg, want);
    cr_assert_eq(lam_sweep_ndims(sp), 0);
    lam_sweep_spec_free(sp);
  }
  FILE *f = fopen(p, "w");
  fputs("column.beta,\"stimulus.columns\"\r\n1.5,\"0,1\"\r\n2,3\r\n", f);
  fclose(f);
  lam_sweep_spec *sp = lam_sweep_spec_new();
  cr_assert_eq(lam_sweep_load_design(sp, p, &err), 0, "%s", err.msg);
  cr_assert_eq(lam_sweep_build(sp, 0, 1, &err), 0, "%s", err.msg);
  cr_assert_str_eq(lam_sweep_key(sp, 1), "stimulus.columns");
  cr_assert_str_eq(lam_sweep_value(sp, 0, 1), "0,1");
  cr_assert_str_eq(lam_sweep_value(sp, 1, 1), "3");
  lam_sweep_spec_free(sp);
  cr_assert_eq(lam_sweep_load_design(sp = lam_sweep_spec_new(), "/nonexistent/d.csv", &err),
               LAM_EIO);
  cr_assert_str_eq(err.msg, "--design /nonexistent/d.csv: No such file or directory");
  lam_sweep_spec_free(sp);
  unlink(p);
}
