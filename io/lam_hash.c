/* lam_hash.c: SHA-256 through Nettle (see lam_hash.h). */
#include "lam_hash.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void to_hex(const uint8_t d[SHA256_DIGEST_SIZE], char hex[LAM_SHA256_HEX]) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

void lam_hash_sha256(const void *data, size_t len, char hex[LAM_SHA256_HEX]) {
  struct sha256_ctx c;
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_init(&c);
  sha256_update(&c, len, data);
  sha256_digest(&c, sizeof d, d);
  to_hex(d, hex);
}

int lam_hash_file(const char *path, char hex[LAM_SHA256_HEX], uint64_t *size,
                  lam_err *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return lam_err_set(err, LAM_EIO, "%s: cannot read input file: %s", path,
                       strerror(errno));
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return lam_err_set(err, LAM_EINVAL,
                       "%s: expected a regular input file, found %s", path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a special file");
  }
  struct sha256_ctx c;
  sha256_init(&c);
  uint8_t buf[1 << 16];
  uint64_t total = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    sha256_update(&c, n, buf);
    total += n;
  }
  int bad = ferror(f);
  int e = errno;
  fclose(f);
  if (bad) {
    return lam_err_set(err, LAM_EIO, "%s: cannot read input file: %s", path,
                       strerror(e));
  }
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_digest(&c, sizeof d, d);
  to_hex(d, hex);
  if (size) {
    *size = total;
  }
  return LAM_OK;
}
