/* lam_runfile_private.h: what io/lam_runfile.c shares with its reader of
 * variable-length text, io/lam_runfile_heap.c (not part of the public API). */
#ifndef LAM_RUNFILE_PRIVATE_H
#define LAM_RUNFILE_PRIVATE_H

#include <stddef.h>

/* The bytes of a run file: a copy of an image in memory, or a file read
 * with pread. */
typedef struct lam_runfile_bytes {
  const unsigned char *mem; /* the image, or NULL: read fd */
  int fd;
  size_t len;
} lam_runfile_bytes;

/* From the superblock: where it is (addresses count from there) and the
 * sizes of addresses and lengths. */
typedef struct lam_runfile_layout {
  size_t base;
  unsigned sa, ss;
} lam_runfile_layout;

/* n bytes at off into buf; 0 when they are not all in the file. */
int lam__runfile_bytes_read(const lam_runfile_bytes *b, size_t off, void *buf,
                            size_t n);

/* The superblock's layout; 0 when there is none or its sizes are not 2, 4
 * or 8 bytes. */
int lam__runfile_layout(const lam_runfile_bytes *b, lam_runfile_layout *l);

/* The text that raw (a variable-length string as stored: length, global
 * heap collection address, object index; 8 + l->sa bytes) refers to, as a
 * new string of at most max bytes (caller frees). 0 with why filled when
 * the reference or the collection is broken. */
int lam__runfile_heap_text(const lam_runfile_bytes *b,
                           const lam_runfile_layout *l,
                           const unsigned char *raw, size_t max, char **out,
                           char *why, size_t whylen);

#endif
