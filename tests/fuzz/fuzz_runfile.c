/* fuzz_runfile.c: libFuzzer target for the run-file reader (io/lam_runfile.h).
 *
 * The input is an HDF5 file image, opened from memory (HDF5 core driver)
 * with LAM_RUNFILE_PARTIAL, then read the way `laminar analyze` and `laminar
 * plot` read a run: the completeness, /time, the root attributes, every
 * population of /traces (list, shape, a window of rows, all rows, unit),
 * the probe (/lfp, /csd, /probe/depth_um and the per-area /AREA.lfp), the
 * attention weights (/final/attn and its time, /final/l4, /traces/attn).
 * Every error is fine; a crash, a leak, a sanitizer report or an HDF5 handle
 * left open is a finding. Reads are limited to 16 MiB (libFuzzer stops at
 * 2 GiB of RSS).
 *
 * Seeds: tests/fuzz/corpus/runfile/: small runs of models/default.ini (an
 * attention run, one with the probe), jansen-rit.ini and two-areas.ini; a
 * hand-made hostile file (huge and wrong shapes, odd attributes, a soft
 * link, complete = 7); copies of the attention run and the hostile file in
 * the oldest HDF5 format (`*-v0.h5`: no checksums, so that mutations get
 * past the superblock and object headers); and regress-*.h5, inputs that
 * made libhdf5 loop, read out of bounds or follow a wild pointer in the
 * global heap before the reader copied text from it itself, or ask for an
 * impossible allocation (regress-hdf5-alloc.h5, regress-hdf5-oom.h5), or
 * read past a buffer in its object-header parser (regress-hdf5-overread.h5).
 *
 * Built alone, with the reader's sources and HDF5:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L \
 *     -Iio -Icore tests/fuzz/fuzz_runfile.c io/lam_runfile.c io/lam_runfile_heap.c io/lam_h5reason.c \
 *     core/lam_error.c \
 *     $(pkg-config --cflags --libs hdf5-serial) -o fuzz_runfile
 *   ./fuzz_runfile -max_total_time=60 tests/fuzz/corpus/runfile
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_runfile.h"

#define ROWS 64

/* Leaks inside HDF5 itself (libhdf5 1.10.8, not ours to fix): loading a
 * corrupt object header or heap through the metadata cache loses the
 * buffers it took from HDF5's free lists (H5FL_*). The reader's own
 * allocations, and the strings HDF5 hands it, never come from those, so
 * their leaks are still found. libhdf5 has no frame pointers: the frames
 * are found by the slow unwinder, 8 deep (deep enough for H5FL_*, cheap
 * enough to keep about 200 executions a second). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:H5C_protect\nleak:H5FL_\n";
}
/* libhdf5 is not instrumented, and some of its faults on corrupt files are
 * its own to fix: its object-header parser reads a few bytes past a buffer
 * (H5O__msg_iterate_real under H5Aexists, tests/fuzz/corpus/runfile/
 * regress-hdf5-overread.h5). They show only in the interceptors it calls
 * (memcpy) and are not reported; the reader's own code is instrumented, and
 * what HDF5 calls back (listing /traces, the raw-text conversion) copies
 * nothing through them. */
const char *__asan_default_suppressions(void);
const char *__asan_default_suppressions(void) {
  return "interceptor_via_lib:libhdf5_serial.so\n";
}

/* libhdf5 sizes metadata buffers from the file before it checks them
 * against the file's end (4.2 and 20 GB seen, never touched): allocations
 * over 1 GiB fail, as libhdf5 expects of malloc, instead of ending the run
 * (under ASan even an untouched 20 GB block costs 2.5 GB of shadow). The
 * reader's own reads are limited to 16 MiB. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
  return "fast_unwind_on_malloc=0:malloc_context_size=8:"
         "allocator_may_return_null=1:max_allocation_size_mb=1024";
}

/* Shape and data of one dataset; the checks a caller makes after. */
static void read_ds(const lam_runfile *rf, const char *name, int rank) {
  lam_err err;
  size_t dims[3];
  double *v = NULL;
  if (lam_runfile_shape(rf, name, rank, "fuzz", dims, &err) == LAM_OK) {
    /* A window of rows, as plot reads, then everything, as analyze does. */
    size_t r1 = dims[0] < ROWS ? dims[0] : ROWS;
    if (r1 > 1 &&
        lam_runfile_read(rf, name, rank, "fuzz", 1, r1, &v, dims, &err) == LAM_OK) {
      volatile double s = 0.0;
      for (size_t i = 0; i < (r1 - 1) * dims[1] * dims[2]; i++) {
        s += v[i]; /* every value allocated is readable */
      }
      (void)s;
      free(v);
      v = NULL;
    }
  }
  if (lam_runfile_read(rf, name, rank, "fuzz", 0, 0, &v, dims, &err) == LAM_OK) {
    if (dims[0] * dims[1] * dims[2] > 0) {
      volatile double last = v[dims[0] * dims[1] * dims[2] - 1];
      (void)last;
    }
    free(v);
  }
  char unit[64];
  lam_runfile_attr_text(rf, name, "unit", unit, sizeof unit, &err);
}

static void check_handles(const lam_runfile *rf, const char *where) {
  if (lam_runfile_open_objects(rf) != 0) {
    fprintf(stderr, "fuzz_runfile: %zu HDF5 objects left open after %s\n",
            lam_runfile_open_objects(rf), where);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lam_runfile *rf = NULL;
  lam_err err;
  if (lam_runfile_open_image(data, size, "fuzz.h5", LAM_RUNFILE_PARTIAL, &rf,
                             &err) != LAM_OK) {
    if (rf) {
      abort(); /* an error leaves nothing to free */
    }
    return 0;
  }
  lam_runfile_set_max_bytes(rf, (size_t)16 << 20);
  (void)lam_runfile_complete(rf);
  if (strlen(lam_runfile_status(rf)) == 0) {
    abort(); /* the completeness check always says what it found */
  }
  read_ds(rf, "/time", 1);
  char kind[64];
  char *model = NULL;
  double x;
  lam_runfile_attr_text(rf, "/", "kind", kind, sizeof kind, &err);
  if (lam_runfile_attr_dup(rf, "/", "model", &model, &err) == LAM_OK && model) {
    (void)strlen(model);
  }
  free(model);
  lam_runfile_attr_real(rf, "/", "seed", &x, &err);
  check_handles(rf, "the root attributes");

  for (int order = 0; order < 2; order++) {
    lam_runfile_pop *p = NULL;
    size_t np = 0;
    if (lam_runfile_pops(rf, order, &p, &np, &err) != LAM_OK) {
      continue;
    }
    for (size_t i = 0; i < np && order == 0; i++) {
      char name[160];
      snprintf(name, sizeof name, "/traces/%s", p[i].name);
      read_ds(rf, name, 3);
      /* A run of areas: AREA.pop -> /AREA.lfp. */
      const char *dot = strchr(p[i].name, '.');
      if (dot && dot > p[i].name) {
        snprintf(name, sizeof name, "/%.*slfp", (int)(dot - p[i].name + 1),
                 p[i].name);
        if (lam_runfile_exists(rf, name)) {
          read_ds(rf, name, 2);
        }
      }
    }
    free(p);
    check_handles(rf, "/traces");
  }
  static const struct {
    const char *name;
    int rank;
  } fixed[] = {{"/lfp", 2},         {"/csd", 2},        {"/probe/depth_um", 1},
               {"/final/attn", 2},  {"/final/l4", 2},   {"/traces/attn", 3},
               {"/traces/l4", 3}};
  for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
    if (lam_runfile_exists(rf, fixed[k].name)) {
      read_ds(rf, fixed[k].name, fixed[k].rank);
    }
  }
  lam_runfile_attr_real(rf, "/final/attn", "t", &x, &err);
  check_handles(rf, "the probe and attention datasets");
  lam_runfile_free(rf);
  return 0;
}
