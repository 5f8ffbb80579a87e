/* lam_hash.h: SHA-256 of input files and texts, for provenance.
 *
 * A run records the SHA-256 of every file it read, and a sweep keys its
 * points by them, so an input edited between two runs is seen, never mixed
 * in silently. The digest comes from Nettle (GNU's cryptographic library,
 * Debian's nettle-dev); this module only reads files and prints hex.
 */
#ifndef LAM_HASH_H
#define LAM_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "lam_error.h"

#define LAM_SHA256_HEX 65 /* 64 hex digits and the terminating NUL */

/* SHA-256 of len bytes as lower-case hex. */
void lam_hash_sha256(const void *data, size_t len, char hex[LAM_SHA256_HEX]);

/* SHA-256 and size in bytes of the file at path. LAM_EIO naming the file and
 * errno's reason when it cannot be read; LAM_EINVAL when it is not a regular
 * file. size may be NULL. */
int lam_hash_file(const char *path, char hex[LAM_SHA256_HEX], uint64_t *size,
                  lam_err *err);

#endif
