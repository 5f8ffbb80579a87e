/* lam_plot.h: the figure kinds of `laminar plot`, read from a run's HDF5
 * file (layout: io/lam_recorder.h, docs/figures.md) or a sweep CSV, drawn
 * with lam_figure.
 *
 * Each kind is two steps, both public so that experiments and tests can use
 * them: an extraction (lam_plot_extract: file -> lam_plot_data, the named
 * arrays the figure shows, in display units) and a rendering
 * (lam_plot_draw: lam_plot_data -> figure file). lam_plot_render does both;
 * lam_plot_traces() ... lam_plot_sweep() are the one-call forms per kind.
 *
 * Kinds and the arrays they extract (rows x cols, row-major):
 *   traces     time (nt, ms); traces/<pop> (ncols_shown x nt, the mean over
 *              the population's units, unit of the population) for every
 *              recorded population in cortical order (L2/3, L4, L5 (basal,
 *              then apical), interneurons PV, SOM, VIP, output, others);
 *              traces/<pop>/columns (the column indices shown);
 *              clock/gamma, clock/alpha (nt, cos of the clock phases of
 *              the first shown column) when /traces/clock_phase exists;
 *              the other clock observables are not drawn
 *   psd        freq (nf, Hz, DC left out); psd/<layer> (nf, unit^2/Hz) of
 *              the layer's signal: the mean over the shown columns, units
 *              and populations of that layer; peaks/<layer> (nbands x 2:
 *              frequency [Hz], PSD at the peak; NaN when the band is out of
 *              range); bands (nbands x 2, Hz) from analysis/lam_spectrum.h
 *   csd        time (nt, ms); depth (N-2 interior contacts, um);
 *              csd (nt x (N-2), unit of /csd) as stored
 *   lfp        time (nt, ms); depth (N contacts, um); lfp (N x nt: contact
 *              k's trace in row k, the transpose of /lfp)
 *   attention  at (1, s: the time of the map); attention/h<h> (T x nq,
 *              x-major for the heat map: z[j*nq + i] = weight of key
 *              column j for query i, head h), from /final/attn or
 *              /traces/attn at the sample nearest --at
 *   sweep      one key:  sweep/x (nx), sweep/mean, sweep/sd, sweep/n (nx)
 *              two keys: sweep/x (nx), sweep/y (ny), sweep/mean (nx x ny,
 *              NaN where no point ran), sweep/n (nx x ny)
 *              (points with equal keys are repeats: mean and standard
 *              deviation; rows whose status is not "ok" are left out)
 *
 * Runs of stacked areas (root attribute kind = areas, docs/hierarchy.md)
 * hold every area's datasets under the prefix "AREA." (/traces/v1.l4,
 * /final/v1.attn, /v1.lfp, /v1.csd). Each kind but sweep draws one area,
 * lam_plot_opts.area (NULL: the first area, the bottom of the hierarchy):
 * traces/<pop> are then that area's populations (traces/v2.l23, ...),
 * psd its layers, csd and lfp its electrode (/v2.csd, /v2.lfp), attention
 * its weights (/final/v2.attn); the title names the area.
 *
 * Data tap (lam_plot_opts.tap): the renderer hands these same arrays to
 * PLplot; the tap sees them as "<array>:x|:y|:z" (see lam_figure.h), e.g.
 * "traces/l23/c0:y", "psd/L4:y", "csd:z", "lfp/3:y", "attention/h0:z",
 * "sweep/mean:z".
 */
#ifndef LAM_PLOT_H
#define LAM_PLOT_H

#include <stddef.h>

#include "lam_error.h"
#include "lam_figure.h"

typedef enum {
  LAM_PLOT_TRACES = 0,
  LAM_PLOT_PSD,
  LAM_PLOT_CSD,
  LAM_PLOT_LFP,
  LAM_PLOT_ATTENTION,
  LAM_PLOT_SWEEP,
  LAM_PLOT_BIFURCATION,
  LAM_PLOT_NKINDS
} lam_plot_kind;

typedef struct lam_plot_opts {
  lam_plot_kind kind;
  const int *columns;   /* columns to draw (NULL: all) */
  size_t ncolumns;
  double t0_s, t1_s;    /* time window [s]; NAN: start / end of the run */
  double at_s;          /* attention: time of the map [s]; NAN: final */
  int width_px, height_px; /* 0: the kind's default size */
  const char *metric;   /* sweep: metric column (NULL: first metric) */
  const char *xkey;     /* sweep: x key (NULL: first swept key) */
  const char *ykey;     /* sweep: y key (NULL: second swept key if any; ""
                           forces a line over xkey) */
  const char *area;     /* runs of areas: the area to draw (NULL or "":
                           the first); a single-area run takes none */
  lam_figure_tap tap;   /* optional: receives every array drawn */
  void *tap_user;
  int partial;          /* draw a run not marked complete (complete = 0 or
                           missing); the title then ends "(incomplete run)".
                           0: such a run is an error (LAM_EINVAL) */
} lam_plot_opts;

/* kind = traces, no column selection, t0_s = t1_s = at_s = NAN, sizes 0. */
lam_plot_opts lam_plot_opts_defaults(void);

/* ---- extracted data ---- */

typedef struct lam_plot_array {
  char *name;        /* "traces/l23", "csd", ... */
  char *unit;        /* "" when dimensionless or unknown */
  char *label;       /* display text (population's layer, ...) or "" */
  size_t rows, cols; /* vectors: rows = 1 */
  double *v;         /* rows * cols values, row-major */
} lam_plot_array;

typedef struct lam_plot_data lam_plot_data;

/* Read what kind o->kind draws from input (run .h5, or sweep .csv).
 * Errors: LAM_EINVAL (options; an o->area the run does not have, the
 * message listing its areas; a run not marked complete without o->partial;
 * a dataset of the wrong rank, type or size), LAM_EIO (unreadable file),
 * LAM_ENOTFOUND
 * (a dataset the kind needs is missing: the message names what to add to
 * the model file or the command). */
lam_plot_data *lam_plot_extract(const char *input, const lam_plot_opts *o,
                                lam_err *err);
void lam_plot_data_free(lam_plot_data *d);

/* The arrays in drawing order; find one by name (NULL if absent). */
size_t lam_plot_data_count(const lam_plot_data *d);
const lam_plot_array *lam_plot_data_at(const lam_plot_data *d, size_t i);
const lam_plot_array *lam_plot_data_find(const lam_plot_data *d,
                                         const char *name);
/* Text attributes of the extraction (input name, sweep keys, metric...). */
const char *lam_plot_data_title(const lam_plot_data *d);

/* ---- rendering ---- */

/* Draw d (extracted for o->kind) into output (.png, .svg, .pdf). The file
 * is written under a temporary name and renamed when complete; nothing is
 * left behind on error. */
int lam_plot_draw(const lam_plot_data *d, const lam_plot_opts *o,
                  const char *output, lam_err *err);

/* Extract from input and draw into output (NULL: INPUT-stem_KIND.png
 * beside the input). */
int lam_plot_render(const char *input, const lam_plot_opts *o,
                    const char *output, lam_err *err);

/* One call per kind (o may be NULL for the defaults; o->kind is ignored). */
int lam_plot_traces(const char *run_h5, const lam_plot_opts *o,
                    const char *output, lam_err *err);
int lam_plot_psd(const char *run_h5, const lam_plot_opts *o,
                 const char *output, lam_err *err);
int lam_plot_csd(const char *run_h5, const lam_plot_opts *o,
                 const char *output, lam_err *err);
int lam_plot_lfp(const char *run_h5, const lam_plot_opts *o,
                 const char *output, lam_err *err);
int lam_plot_attention(const char *run_h5, const lam_plot_opts *o,
                       const char *output, lam_err *err);
int lam_plot_sweep(const char *sweep_csv, const lam_plot_opts *o,
                   const char *output, lam_err *err);

/* The default output of lam_plot_render: "<dir>/<stem>_<kind>.png" for
 * input "<dir>/<stem>.<ext>" (into out, len bytes; LAM_EINVAL if too long). */
int lam_plot_default_output(const char *input, lam_plot_kind kind, char *out,
                            size_t len, lam_err *err);

/* ---- names and option parsing ---- */

/* "traces", ... -> kind; LAM_EINVAL listing the kinds otherwise. */
int lam_plot_kind_parse(const char *name, lam_plot_kind *kind, lam_err *err);
const char *lam_plot_kind_name(lam_plot_kind kind);
/* The kinds with one line each, for --help. */
const char *lam_plot_kinds_help(void);

/* The areas of a run file, bottom of the hierarchy first, comma-separated
 * into names (len bytes, "" for a single-area run), their number in *n (0
 * for a single-area run). Errors: LAM_EIO (unreadable file, or a run of
 * areas whose recorded model lists none), LAM_EINVAL (names too long). */
int lam_plot_run_areas(const char *run_h5, char *names, size_t len, size_t *n,
                       lam_err *err);

/* Parse a column list "0,2,5-7" into a new array (caller frees): indices
 * 0..INT_MAX, at most LAM_PLOT_MAX_COLUMNS of them in all (LAM_EINVAL
 * otherwise; whether they exist is checked against the run). */
#define LAM_PLOT_MAX_COLUMNS 100000
int lam_plot_parse_columns(const char *text, int **cols, size_t *n,
                           lam_err *err);

#endif
