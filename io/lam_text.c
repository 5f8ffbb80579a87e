/* lam_text.c: text input read whole and checked (see lam_text.h). */
#include "lam_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind(mode_t mode) {
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISCHR(mode)) {
    return "a character device";
  }
  if (S_ISBLK(mode)) {
    return "a block device";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO (named pipe)";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  return "not a regular file";
}

static int not_regular(const char *path, const char *what, mode_t mode,
                       lam_err *err) {
  return lam_err_set(err, LAM_EINVAL,
                     "%s: not a %s: it is %s (a %s is a regular text file)",
                     path, what, kind(mode), what);
}

static int too_big(const char *path, const char *what, size_t limit,
                   lam_err *err) {
  return lam_err_set(err, LAM_EINVAL,
                     "%s: %s larger than the limit of %zu bytes (%zu MiB)", path,
                     what, limit, limit >> 20);
}

int lam_text_read(const char *path, const char *what, size_t limit, char **out,
                  size_t *len, lam_err *err) {
  *out = NULL;
  *len = 0;
  /* stat first: a device or FIFO is refused without being opened (opening
   * one can block or have effects); fstat after open closes the race. */
  struct stat st;
  if (stat(path, &st) != 0) {
    return lam_err_set(err, LAM_EIO, "%s: cannot open %s: %s", path, what,
                       strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return not_regular(path, what, st.st_mode, err);
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return lam_err_set(err, LAM_EIO, "%s: cannot open %s: %s", path, what,
                       strerror(errno));
  }
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return lam_err_set(err, LAM_EIO, "%s: cannot read %s: %s", path, what,
                       strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return not_regular(path, what, st.st_mode, err);
  }
  if (st.st_size < 0 || (uintmax_t)st.st_size > limit) {
    close(fd);
    return too_big(path, what, limit, err);
  }
  /* Room for one byte more than fstat says, so a file that grows while it
   * is read is noticed (and read on, up to the limit). */
  size_t cap = (size_t)st.st_size + 2, n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    close(fd);
    return LAM_NOMEM(err);
  }
  for (;;) {
    if (n + 1 == cap) {
      if (n > limit) {
        break;
      }
      size_t ncap = cap * 2 < limit + 2 ? cap * 2 : limit + 2;
      char *b = realloc(buf, ncap);
      if (!b) {
        free(buf);
        close(fd);
        return LAM_NOMEM(err);
      }
      buf = b;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return lam_err_set(err, LAM_EIO, "%s: cannot read %s: %s", path, what,
                         strerror(e));
    }
    if (r == 0) {
      break;
    }
    n += (size_t)r;
  }
  close(fd);
  if (n > limit) {
    free(buf);
    return too_big(path, what, limit, err);
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return LAM_OK;
}

/* Length of the UTF-8 sequence at s (n bytes left) and its code point, or 0
 * when it is not valid UTF-8 (overlong forms, surrogates and code points
 * past U+10FFFF are not). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp) {
  size_t k;
  uint32_t c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    k = 2, c &= 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    k = 3, c &= 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    k = 4, c &= 0x07;
  } else {
    return 0;
  }
  if (n < k) {
    return 0;
  }
  for (size_t i = 1; i < k; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      return 0;
    }
    c = (c << 6) | (s[i] & 0x3F);
  }
  if ((k == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
      (k == 4 && (c < 0x10000 || c > 0x10FFFF))) {
    return 0;
  }
  *cp = c;
  return k;
}

int lam_text_check(const char *name, const char *text, size_t len, int lines,
                   lam_err *err) {
  const unsigned char *s = (const unsigned char *)text;
  char at[64];
  size_t line = 1, col = 1;
  for (size_t i = 0; i < len; col++) {
    if (lines) {
      snprintf(at, sizeof at, ":%zu", line);
    } else {
      at[0] = '\0';
    }
    unsigned c = s[i];
    if (c == '\n' && lines) {
      line++, col = 0, i++;
      continue;
    }
    if (c == '\r' && lines && i + 1 < len && s[i + 1] == '\n') {
      i++;
      continue;
    }
    if (c == '\t') {
      i++;
      continue;
    }
    if (c == 0) {
      return lam_err_set(err, LAM_EINVAL, "%s%s: NUL byte at column %zu", name,
                         at, col);
    }
    if (c < 0x20 || c == 0x7F) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s%s: non-text byte 0x%02x at column %zu%s", name, at,
                         c, col,
                         c == '\r' ? " (a carriage return only before a line "
                                     "feed)"
                                   : "");
    }
    uint32_t cp;
    size_t k = utf8_seq(s + i, len - i, &cp);
    if (k == 0) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s%s: non-text byte 0x%02x at column %zu (not UTF-8)",
                         name, at, c, col);
    }
    if (cp >= 0x80 && cp <= 0x9F) {
      return lam_err_set(err, LAM_EINVAL,
                         "%s%s: non-text character U+%04X (a control "
                         "character) at column %zu",
                         name, at, (unsigned)cp, col);
    }
    i += k;
  }
  return LAM_OK;
}
