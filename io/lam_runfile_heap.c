/* lam_runfile_heap.c: variable-length text of the run-file reader, read
 * from the file's global heap by laminar's own code (lam_runfile_private.h).
 *
 * Variable-length strings (every text attribute laminar writes) live in
 * global heap collections ("GCOL"). libhdf5 1.10 trusts what it finds
 * there: a free-space object of size 0 makes it loop for ever, an object
 * running past its collection or longer than the string makes it copy from
 * or to beyond a buffer, and an object index beyond the collection makes it
 * follow a wild pointer (all found by tests/fuzz/fuzz_runfile.c). So HDF5
 * is only asked for the string's raw heap reference (length, collection
 * address, object index), and the text is copied from the collection
 * here, after the collection was walked with every size checked. */
#include "lam_runfile_private.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_COLLECTION ((size_t)256 << 20) /* larger ones are not laminar's */

int lam__runfile_bytes_read(const lam_runfile_bytes *b, size_t off, void *buf,
                            size_t n) {
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

int lam__runfile_layout(const lam_runfile_bytes *b, lam_runfile_layout *l) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  /* HDF5 looks for the superblock at 0, 512, 1024, 2048, ... */
  for (size_t at = 0; at < b->len; at = at ? 2 * at : 512) {
    unsigned char h[16];
    if (!lam__runfile_bytes_read(b, at, h, sizeof h)) {
      return 0;
    }
    if (!memcmp(h, sig, 8)) {
      /* Versions 0 and 1: sizes at bytes 13 and 14; 2 and 3: at 9 and 10.
       * Addresses count from the superblock (HDF5 sets its base there). */
      l->base = at;
      l->sa = h[8] <= 1 ? h[13] : h[9];
      l->ss = h[8] <= 1 ? h[14] : h[10];
      return (l->sa == 2 || l->sa == 4 || l->sa == 8) &&
             (l->ss == 2 || l->ss == 4 || l->ss == 8);
    }
  }
  return 0;
}

int lam__runfile_heap_text(const lam_runfile_bytes *b,
                           const lam_runfile_layout *l,
                           const unsigned char *raw, size_t max, char **out,
                           char *why, size_t whylen) {
  *out = NULL;
  why[0] = '\0';
  /* The reference: string length (4), collection address, object index (4). */
  uint64_t n = le(raw, 4), addr = le(raw + 4, l->sa), idx = le(raw + 4 + l->sa, 4);
  if (n == 0) {
    *out = calloc(1, 1); /* "" (HDF5 stores no object for it) */
    return *out ? 1 : 0;
  }
  if (n > max) {
    snprintf(why, whylen, "text of %llu bytes, expected at most %zu",
             (unsigned long long)n, max);
    return 0;
  }
  size_t o = 0;
  unsigned char h[16];
  const size_t hdr = 16, objhdr = 8 + l->ss; /* H5HG_SIZEOF_HDR, _OBJHDR */
  if (addr > b->len - l->base ||
      !lam__runfile_bytes_read(b, o = l->base + (size_t)addr, h, 8 + l->ss) ||
      memcmp(h, "GCOL", 4) || h[4] != 1) {
    snprintf(why, whylen, "corrupt HDF5 file: no global heap collection at "
             "byte %llu, where its text should be",
             (unsigned long long)(l->base + addr));
    return 0;
  }
  uint64_t size = le(h + 8, l->ss);
  if (size < hdr || size > b->len - o || size > MAX_COLLECTION) {
    snprintf(why, whylen, "corrupt HDF5 file: global heap collection at byte "
             "%zu of %llu bytes, expected %zu .. %zu within the file", o,
             (unsigned long long)size, hdr, MAX_COLLECTION);
    return 0;
  }
  unsigned char *c = malloc((size_t)size);
  if (!c || !lam__runfile_bytes_read(b, o, c, (size_t)size)) {
    snprintf(why, whylen, "global heap collection at byte %zu: cannot read it", o);
    free(c);
    return 0;
  }
  /* Walk the objects: index, references, reserved, size, data padded to 8;
   * index 0 is free space whose size counts its header. The last object of
   * the index wins, as in HDF5. */
  size_t at = 0, len = 0;
  int found = 0;
  for (size_t p = hdr; p < size && p + objhdr <= size;) {
    unsigned i = (unsigned)le(c + p, 2);
    uint64_t osz = le(c + p + 8, l->ss), room = size - p;
    if (i > 0 ? osz > room - objhdr : osz == 0 || osz > room) {
      snprintf(why, whylen, "corrupt HDF5 file: global heap collection at byte "
               "%zu: object %u at byte %zu of %llu bytes %s", o, i, o + p,
               (unsigned long long)osz,
               osz == 0 ? "(free space of none)" : "runs past the collection");
      free(c);
      return 0;
    }
    if (i > 0 && i == idx) {
      at = p + objhdr;
      len = (size_t)osz;
      found = 1;
    }
    p += i > 0 ? objhdr + (size_t)((osz + 7) & ~(uint64_t)7) : (size_t)osz;
  }
  if (!found || n > len) {
    snprintf(why, whylen, "corrupt HDF5 file: global heap collection at byte "
             "%zu: %s %llu%s", o, found ? "the text's" : "no object",
             (unsigned long long)idx,
             found ? " object is shorter than the text" : " for the text");
    free(c);
    return 0;
  }
  char *s = malloc((size_t)n + 1);
  if (s) {
    memcpy(s, c + at, (size_t)n);
    s[n] = '\0';
  }
  free(c);
  *out = s;
  if (!s) {
    snprintf(why, whylen, "out of memory");
  }
  return s != NULL;
}
