/* test_hash.c: SHA-256 (io/lam_hash.c) against the test vectors of FIPS
 * 180-2, appendix B, and of a file read in several blocks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lam_hash.h"

Test(hash, fips_180_2_vectors) {
  char hex[LAM_SHA256_HEX];
  lam_hash_sha256("abc", 3, hex);
  cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  lam_hash_sha256(two, strlen(two), hex);
  cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  lam_hash_sha256("", 0, hex);
  cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* One million 'a' (FIPS 180-2 B.3): longer than the reader's 64 KiB block. */
Test(hash, file_of_a_million_a) {
  char path[] = "/tmp/lam_test_hashXXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  for (int i = 0; i < 1000000; i++) {
    fputc('a', f);
  }
  fclose(f);
  char hex[LAM_SHA256_HEX];
  uint64_t size = 0;
  lam_err err = {0, ""};
  cr_assert_eq(lam_hash_file(path, hex, &size, &err), LAM_OK, "%s", err.msg);
  unlink(path);
  cr_assert_eq(size, 1000000u);
  cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(hash, missing_file_and_directory_are_errors) {
  char hex[LAM_SHA256_HEX];
  lam_err err = {0, ""};
  cr_assert_eq(lam_hash_file("/nonexistent/x.csv", hex, NULL, &err), LAM_EIO);
  cr_assert(strstr(err.msg, "/nonexistent/x.csv") && strstr(err.msg, "No such file"),
            "%s", err.msg);
  cr_assert_eq(lam_hash_file("/tmp", hex, NULL, &err), LAM_EINVAL);
  cr_assert(strstr(err.msg, "directory"), "%s", err.msg);
}
