/* lam_runfile_heap.c: the global heap check of the run-file reader
 * (lam_runfile_private.h).
 *
 * Variable-length strings (every text attribute laminar writes) live in
 * global heap collections ("GCOL"). libhdf5 1.10 trusts the object sizes
 * in a collection: a free-space object of size 0 makes it loop for ever,
 * and an object running past its collection makes it copy from beyond the
 * buffer (found by tests/fuzz/fuzz_runfile.c). Before any text is read,
 * every collection HDF5 could load (signature, version 1, inside the file:
 * HDF5 refuses reads past the end it recorded) is walked as HDF5 walks it,
 * and a file with a broken one is refused. Random data passes for such a
 * header with probability below 2^-70 per byte. */
#include "lam_runfile_private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_COLLECTION ((size_t)256 << 20) /* HDF5 loads a collection whole */

static int bytes_read(const lam_runfile_bytes *b, size_t off, void *buf, size_t n) {
  if (off > b->len || n > b->len - off) {
    return 0;
  }
  if (b->mem) {
    memcpy(buf, b->mem + off, n);
    return 1;
  }
  for (size_t got = 0; got < n;) {
    ssize_t r = pread(b->fd, (char *)buf + got, n - got, (off_t)(off + got));
    if (r <= 0) {
      return 0;
    }
    got += (size_t)r;
  }
  return 1;
}

static uint64_t le(const unsigned char *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;) {
    v = v << 8 | p[i];
  }
  return v;
}

/* The superblock's size of lengths (2, 4 or 8), 0 when unreadable. */
static unsigned size_of_lengths(const lam_runfile_bytes *b) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  for (size_t at = 0; at < b->len; at = at ? 2 * at : 512) {
    unsigned char h[16];
    if (!bytes_read(b, at, h, sizeof h)) {
      return 0;
    }
    if (!memcmp(h, sig, 8)) {
      return h[8] <= 1 ? h[14] : h[10];
    }
  }
  return 0;
}

/* The collection at offset o: "" when HDF5 can read it safely (or cannot
 * load it at all), else what is wrong into why. */
static void check_collection(const lam_runfile_bytes *b, size_t o, unsigned ss, char *why,
                             size_t len) {
  unsigned char h[16];
  why[0] = '\0';
  if (!bytes_read(b, o, h, 8 + ss) || h[4] != 1) {
    return;
  }
  uint64_t size = le(h + 8, ss);
  if (size > b->len - o) {
    return; /* past the end: HDF5 cannot load it */
  }
  const size_t hdr = 16, objhdr = 8 + ss; /* H5HG_SIZEOF_HDR, _OBJHDR */
  if (size < hdr || size > MAX_COLLECTION) {
    snprintf(why, len, "global heap collection at byte %zu: %llu bytes, "
             "expected %zu .. %zu", o, (unsigned long long)size, hdr,
             MAX_COLLECTION);
    return;
  }
  unsigned char *c = malloc((size_t)size);
  if (!c || !bytes_read(b, o, c, (size_t)size)) {
    snprintf(why, len, "global heap collection at byte %zu: cannot read it", o);
    free(c);
    return;
  }
  for (size_t p = hdr; p < size && p + objhdr <= size;) {
    unsigned idx = (unsigned)le(c + p, 2);
    uint64_t osz = le(c + p + 8, ss), room = size - p;
    if (idx > 0 ? osz > room - objhdr : osz == 0 || osz > room) {
      snprintf(why, len, "global heap collection at byte %zu: object %u at "
               "byte %zu of size %llu %s", o, idx, o + p,
               (unsigned long long)osz,
               osz == 0 ? "(HDF5 would loop on it)"
                        : "runs past the collection");
      break;
    }
    /* idx > 0: header plus data aligned to 8 (HDF5's H5HG_ALIGN). */
    p += idx > 0 ? objhdr + (size_t)((osz + 7) & ~(uint64_t)7) : (size_t)osz;
  }
  free(c);
}

/* Every collection of the file; LAM_EINVAL naming the first broken one. */
int lam__runfile_check_heaps(const char *name, const lam_runfile_bytes *b,
                             lam_err *err) {
  unsigned ss = size_of_lengths(b);
  if (ss != 2 && ss != 4 && ss != 8) {
    return lam_err_set(err, LAM_EINVAL, "%s: expected an HDF5 superblock with "
                       "lengths of 2, 4 or 8 bytes, found %u", name, ss);
  }
  enum { BLOCK = 1 << 20 };
  unsigned char *buf = malloc(BLOCK + 3);
  if (!buf) {
    return LAM_NOMEM(err);
  }
  char why[200] = "";
  for (size_t off = 0; off < b->len && !why[0]; off += BLOCK) {
    size_t n = b->len - off < BLOCK + 3 ? b->len - off : BLOCK + 3;
    if (!bytes_read(b, off, buf, n)) {
      snprintf(why, sizeof why, "cannot read byte %zu", off);
      break;
    }
    /* "GCOL" starting in this block (the 3 extra bytes finish the last). */
    for (size_t i = 0; i + 4 <= n && i < BLOCK && !why[0]; i++) {
      if (buf[i] == 'G' && !memcmp(buf + i, "GCOL", 4)) {
        check_collection(b, off + i, ss, why, sizeof why);
      }
    }
  }
  free(buf);
  return why[0] ? lam_err_set(err, LAM_EINVAL, "%s: corrupt HDF5 file: %s",
                              name, why)
                : LAM_OK;
}

