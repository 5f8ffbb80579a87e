/* lam_fuzz.h: helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * The readers under test take paths, so each target writes the input to a
 * file of its own temporary folder (made once per process, removed at exit)
 * and hands them that path. */
#ifndef LAM_FUZZ_H
#define LAM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char lam_fuzz_dir_[256];

static void lam_fuzz_cleanup_(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", lam_fuzz_dir_);
  if (system(cmd)) {
    /* A left-over folder in /tmp is harmless. */
  }
}

/* The process's temporary folder ("$TMPDIR/lam-fuzz-XXXXXX"; scripts/fuzz
 * points TMPDIR into build-fuzz/ and empties it after a crash, when
 * atexit does not run). */
static const char *lam_fuzz_dir(void) {
  if (!lam_fuzz_dir_[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(lam_fuzz_dir_, sizeof lam_fuzz_dir_, "%s/lam-fuzz-XXXXXX",
             t && *t && strlen(t) < 200 && !strchr(t, '\'') ? t : "/tmp");
    if (!mkdtemp(lam_fuzz_dir_)) {
      perror("lam_fuzz_dir: mkdtemp");
      abort();
    }
    atexit(lam_fuzz_cleanup_);
  }
  return lam_fuzz_dir_;
}

/* Write size bytes to DIR/name and return the path (static storage, one
 * per name slot: at most a few names per target). */
static const char *lam_fuzz_file(const char *name, const uint8_t *data,
                                 size_t size) {
  static char path[4][300];
  static int next;
  char *p = path[next++ % 4];
  snprintf(p, sizeof path[0], "%s/%s", lam_fuzz_dir(), name);
  FILE *f = fopen(p, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
    perror(p);
    abort();
  }
  return p;
}

/* A NUL-terminated copy of the input (the caller frees). */
static char *lam_fuzz_text(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) {
    abort();
  }
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

#endif
