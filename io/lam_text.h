/* lam_text.h: text input read whole and checked before any parser sees it.
 *
 * lam_text_read() takes a path and returns the whole file in memory, or an
 * error naming the path: only a regular file is read (a directory, device,
 * FIFO or socket is refused before a byte is read, so /dev/zero or a FIFO
 * without a writer can never hang the caller), and no more than a limit of
 * bytes. lam_text_check() refuses what is not text: NUL bytes, control
 * characters other than tab and line ends, and invalid UTF-8, each as
 * "name:line: ... at column N" (columns count characters from 1).
 */
#ifndef LAM_TEXT_H
#define LAM_TEXT_H

#include <stddef.h>

#include "lam_error.h"

/* The size limit of a model file (docs/model-reference.md). */
#define LAM_TEXT_MODEL_MAX ((size_t)16 << 20)

/* Read the regular file at path whole into *out (NUL-terminated, free()d by
 * the caller; *len bytes, not counting the terminator). what names the file
 * in messages ("model file"). Files over limit bytes are an error. */
int lam_text_read(const char *path, const char *what, size_t limit, char **out,
                  size_t *len, lam_err *err);

/* Check that text[0..len) is text: UTF-8 without NUL or control characters
 * other than tab, line feed, and carriage return directly before a line feed.
 * With lines, messages read "name:LINE: ..."; without (a single value, such
 * as a --set assignment) a line feed is refused too and messages read
 * "name: ...". */
int lam_text_check(const char *name, const char *text, size_t len, int lines,
                   lam_err *err);

#endif
