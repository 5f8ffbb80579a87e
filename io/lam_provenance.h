/* lam_provenance.h: what a run file records about what made it.
 *
 * Root attributes (docs/output-format.md, "Provenance"):
 *   model             the effective model text: the file, then --set, then
 *                     the options that set model keys (--t-end, ...)
 *   model_path, model_hash
 *   command_line      as the caller gives it (the command line: argv joined
 *                     with shell quoting, lam_provenance_command_line)
 *   commit, build     `git describe` of the source and the build options
 *   created, host     ISO 8601 UTC time of writing and the machine's name
 *   inputs            the input files' names "<section>.<key>", one a line
 *   input.<name>.path, input.<name>.sha256, input.<name>.size_bytes,
 *   input.<name>.section, input.<name>.key
 *                     each input file as read, its SHA-256 and size, and
 *                     the model key that names it
 *   input.<name>.header
 *                     1 when the CSV's first row is a header (a stimulus
 *                     schedule), 0 for a plain matrix
 * and, unless no_inputs, each input array as the model's CSV reader gives it
 * (rows x cols) in the dataset /inputs/<name>, with attributes path,
 * sha256, section and key as above. The version is the
 * recorder's own attribute. lam_rerun.h reads all of this back.
 */
#ifndef LAM_PROVENANCE_H
#define LAM_PROVENANCE_H

#include <time.h>

#include "lam_error.h"
#include "lam_sim_params.h"
#include "lam_recorder.h"

typedef struct lam_provenance_opts {
  const char *command_line; /* NULL: not recorded */
  int no_inputs;            /* 1: path, size and SHA-256 only, no arrays */
} lam_provenance_opts;

/* Write the attributes and datasets above for the filled model m into rec
 * (o may be NULL: no command line, arrays stored). An input file that
 * cannot be read again is an error naming it. */
int lam_provenance_write(lam_recorder *rec, const lam_sim_params *p,
                         const lam_provenance_opts *o, lam_err *err);

/* argv[0 .. argc-1] joined by spaces, each word quoted for a POSIX shell
 * when it needs it ('it'\''s'), so the line pastes back into a shell.
 * malloc'ed (caller frees); NULL when out of memory. */
char *lam_provenance_command_line(int argc, char *const *argv);

/* The commit and build options this library was built from, the values a
 * run file's attributes commit and build record: `git describe` of the
 * source ("unknown" outside a git checkout) and "buildtype=...;
 * compiler=...; openmp=...; mpi=...; plot=...; sanitize=...". */
const char *lam_provenance_commit(void);
const char *lam_provenance_build(void);

/* t as ISO 8601 UTC, "2026-12-07T07:29:32Z". */
void lam_provenance_timestamp(time_t t, char buf[32]);

/* The dataset and attribute stem of input (section, key): "section.key"
 * with any '/' made '_' (HDF5 paths). 0, or -1 when it does not fit. */
int lam_provenance_input_name(const char *section, const char *key, char *buf,
                              size_t len);

#endif
