/* lam_plot.c: the figure kinds of `laminar plot` drawn from lam_plot_data
 * (lam_plot.h) with the lam_figure primitives.
 *
 * Choices that hold for every kind: one colour per column (or per layer)
 * from the Okabe-Ito cycle, the same in every panel; time in ms; depth in
 * um increasing downwards (as on a laminar probe); every axis labelled with
 * its unit. The figure sizes are defaults that give slide-sized text.
 */
#include "lam_plot.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_plot_private.h"
#include "lam_probe.h"
#include "lam_spectrum.h"

static const struct {
  const char *name;
} kinds[LAM_PLOT_NKINDS] = {{"traces"}, {"psd"},       {"csd"},
                            {"lfp"},    {"attention"}, {"sweep"},
                            {"bifurcation"}};

lam_plot_opts lam_plot_opts_defaults(void) {
  lam_plot_opts o;
  memset(&o, 0, sizeof o);
  o.kind = LAM_PLOT_TRACES;
  o.t0_s = o.t1_s = o.at_s = NAN;
  return o;
}

const char *lam_plot_kind_name(lam_plot_kind kind) {
  return kind >= 0 && kind < LAM_PLOT_NKINDS ? kinds[kind].name : "?";
}

int lam_plot_kind_parse(const char *name, lam_plot_kind *kind, lam_err *err) {
  for (int k = 0; k < LAM_PLOT_NKINDS; k++) {
    if (name && !strcmp(name, kinds[k].name)) {
      *kind = (lam_plot_kind)k;
      return LAM_OK;
    }
  }
  return lam_err_set(err, LAM_EINVAL,
                     "--kind: expected traces, psd, csd, lfp, attention, "
                     "sweep or bifurcation, found '%s'",
                     name ? name : "");
}

const char *lam_plot_kinds_help(void) {
  static const char text[] =
      "  traces     one panel per population in cortical order, one line per column\n"
      "  psd        Welch power spectrum per layer, bands shaded, peaks marked\n"
      "  csd        depth x time map of the probe's current source density\n"
      "  lfp        the probe's LFP, one trace per contact, offset by depth\n"
      "  attention  T x T attention weights per head (final state or --at)\n"
      "  sweep      a metric over one (line) or two (heat map) swept keys\n"
      "  bifurcation  the branches of `analyze --scan --branch FILE`: stable and\n"
      "             unstable equilibria, Hopf points and folds\n";
  return text;
}

/* One column index at p: digits only, at most INT_MAX (strtol would
 * saturate a longer number at LONG_MAX, and the range loop would then never
 * end). */
static int column_index(const char *p, const char **end, long *v) {
  const char *q = p;
  long x = 0;
  while (*q >= '0' && *q <= '9') {
    if (x > (INT_MAX - (*q - '0')) / 10) {
      x = -2; /* too large */
      while (*q >= '0' && *q <= '9') {
        q++;
      }
      break;
    }
    x = 10 * x + (*q - '0');
    q++;
  }
  *end = q;
  *v = q == p ? -1 : x;
  return *v >= 0;
}

int lam_plot_parse_columns(const char *text, int **cols, size_t *n,
                           lam_err *err) {
  *cols = NULL;
  *n = 0;
  size_t cap = 0;
  const char *p = text, *end;
  while (p && *p) {
    long a, b;
    if (!column_index(p, &end, &a)) {
      if (a == -2) {
        goto too_large;
      }
      break;
    }
    b = a;
    p = end;
    if (*p == '-') {
      if (!column_index(p + 1, &end, &b)) {
        if (b == -2) {
          goto too_large;
        }
        break;
      }
      if (b < a) {
        break;
      }
      p = end;
    }
    if ((size_t)(b - a) >= LAM_PLOT_MAX_COLUMNS - *n) {
      free(*cols);
      *cols = NULL;
      *n = 0;
      return lam_err_set(err, LAM_EINVAL,
                         "--columns %s: expected at most %d columns in all",
                         text, LAM_PLOT_MAX_COLUMNS);
    }
    for (long c = a; c <= b; c++) {
      if (*n == cap) {
        cap = cap ? 2 * cap : 16;
        int *nc = realloc(*cols, cap * sizeof *nc);
        if (!nc) {
          free(*cols);
          *cols = NULL;
          *n = 0;
          return LAM_NOMEM(err);
        }
        *cols = nc;
      }
      (*cols)[(*n)++] = (int)c;
    }
    if (*p == ',') {
      p++;
      continue;
    }
    if (*p == 0) {
      return LAM_OK;
    }
    break;
  }
  free(*cols);
  *cols = NULL;
  *n = 0;
  return lam_err_set(err, LAM_EINVAL,
                     "--columns: expected a list like 0,2,5-7, found '%s'",
                     text ? text : "");
too_large:
  free(*cols);
  *cols = NULL;
  *n = 0;
  return lam_err_set(err, LAM_EINVAL,
                     "--columns %s: a column index beyond %d", text, INT_MAX);
}

int lam_plot_default_output(const char *input, lam_plot_kind kind, char *out,
                            size_t len, lam_err *err) {
  const char *base = strrchr(input, '/');
  base = base ? base + 1 : input;
  const char *dot = strrchr(base, '.');
  size_t stem = dot && dot != base ? (size_t)(dot - input)
                                   : strlen(input);
  int w = snprintf(out, len, "%.*s_%s.png", (int)stem, input,
                   lam_plot_kind_name(kind));
  if (w < 0 || (size_t)w >= len) {
    return lam_err_set(err, LAM_EINVAL, "%s: path too long", input);
  }
  return LAM_OK;
}

/* ---- helpers ------------------------------------------------------------- */

static int fail_missing(const char *what, lam_err *err) {
  return lam_err_set(err, LAM_EINVAL,
                     "plot: the data has no %s (extracted for another kind?)",
                     what);
}

/* A unit as PLplot text: exponents "^2", "^-3" become superscripts. */
static void unit_text(char *out, size_t len, const char *unit) {
  size_t o = 0;
  for (const char *c = unit ? unit : ""; *c && o + 8 < len; c++) {
    if (*c == '^' && (c[1] == '-' || (c[1] >= '0' && c[1] <= '9'))) {
      o += (size_t)snprintf(out + o, len - o, "#u");
      c++;
      while (*c == '-' || (*c >= '0' && *c <= '9')) {
        if (o + 4 < len) {
          out[o++] = *c;
        }
        c++;
      }
      o += (size_t)snprintf(out + o, len - o, "#d");
      c--;
      continue;
    }
    out[o++] = *c;
  }
  out[o < len ? o : len - 1] = 0;
}

/* "name [unit]", or "name" when the unit is unknown; sep between the two
 * (" ", or "\n" for a label on two lines). */
static void label_with_unit_sep(char *out, size_t len, const char *name,
                                const char *unit, const char *sep) {
  if (unit && unit[0]) {
    char u[96];
    unit_text(u, sizeof u, unit);
    snprintf(out, len, "%s%s[%s]", name, sep, u);
  } else {
    snprintf(out, len, "%s", name);
  }
}

static void label_with_unit(char *out, size_t len, const char *name,
                            const char *unit) {
  label_with_unit_sep(out, len, name, unit, " ");
}

/* A range whose width is below 1e-3 of its magnitude (a population at a
 * fixed point, drifting in the 5th digit) is widened to +-10 % around its
 * middle: PLplot would otherwise label the ticks with repeated 4-digit
 * numbers times an exponent, and the drift would look like a transient. */
static void widen_flat(double *lo, double *hi) {
  double mag = fmax(fabs(*lo), fabs(*hi));
  if (*hi - *lo <= 1e-3 * mag) {
    double mid = 0.5 * (*lo + *hi), half = mag > 0.0 ? 0.1 * mag : 1.0;
    *lo = mid - half;
    *hi = mid + half;
  }
}

/* Pad a range by a fraction of its width on both sides. */
static void pad(double *lo, double *hi, double frac) {
  double d = (*hi - *lo) * frac;
  *lo -= d;
  *hi += d;
}

/* ---- traces ---------------------------------------------------------------- */

/* Traces layout, in text lines: title and legend row above the first
 * panel, time axis below the last, a gap between panels, the clock band,
 * the right margin (layer notes, clock legend). */
/* (lam_figure_panel's margins: 0.5 line above and below each panel; the
 * title and the legend row add 3, the time axis 2.8.) */
#define TRACES_TOP_LINES 3.0
#define TRACES_BOTTOM_LINES 2.8
#define TRACES_GAP_LINES 1.0
#define TRACES_BAND_LINES 3.0
#define TRACES_RIGHT_LINES 6.5
/* Default height per population panel [px]. */
#define TRACES_PANEL_PX 130

static int draw_traces(lam_figure *f, int f_width, int f_height,
                       const lam_plot_data *d, lam_err *err) {
  const lam_plot_array *time = lam_plot_data_find(d, "time");
  if (!time) {
    return fail_missing("time", err);
  }
  size_t nt = time->cols, npan = 0, nclock = 0;
  for (size_t i = 0; i < d->n; i++) {
    const char *nm = d->a[i]->name;
    if (!strncmp(nm, "traces/", 7) && !strchr(nm + 7, '/')) {
      npan++;
    } else if (!strncmp(nm, "clock/", 6)) {
      nclock++;
    }
  }
  if (npan == 0) {
    return fail_missing("traces", err);
  }
  size_t nrows = npan + (nclock ? 1 : 0);
  double *w = malloc(nrows * sizeof *w);
  if (!w) {
    return LAM_NOMEM(err);
  }
  /* Rows laid out in pixels: the first carries the title and the legend
   * row, the last the time axis; the clock band has a fixed thin height
   * and the population panels share the rest equally. */
  double ch = lam_figure_line_px(f_width, f_height);
  double band = nclock ? TRACES_BAND_LINES * ch : 0.0;
  double fixed = TRACES_TOP_LINES * ch + TRACES_BOTTOM_LINES * ch +
                 (double)nrows * TRACES_GAP_LINES * ch + band;
  double panel = ((double)f_height - fixed) / (double)npan;
  if (panel < 1.5 * ch) {
    panel = 1.5 * ch; /* too short a page: lam_figure_panel says so */
  }
  for (size_t r = 0; r < nrows; r++) {
    w[r] = (r < npan ? panel : band) + TRACES_GAP_LINES * ch +
           (r == 0 ? TRACES_TOP_LINES * ch : 0.0) +
           (r + 1 == nrows ? TRACES_BOTTOM_LINES * ch : 0.0);
  }
  int rc = lam_figure_grid(f, (int)nrows, 1, w, err);
  free(w);
  size_t row = 0;
  for (size_t i = 0; !rc && i < d->n; i++) {
    const lam_plot_array *a = d->a[i];
    if (strncmp(a->name, "traces/", 7) || strchr(a->name + 7, '/')) {
      continue;
    }
    char cname[160], ylab[160], title[600];
    snprintf(cname, sizeof cname, "%s/columns", a->name);
    const lam_plot_array *cols = lam_plot_data_find(d, cname);
    lam_axes ax = lam_axes_defaults();
    ax.xmin = time->v[0];
    ax.xmax = time->v[nt - 1];
    rc = lam_figure_range(a->v, a->rows * a->cols, 0, &ax.ymin, &ax.ymax,
                          err);
    if (rc) {
      rc = lam_err_prefix(err, "%s: ", a->name);
      break;
    }
    widen_flat(&ax.ymin, &ax.ymax);
    pad(&ax.ymin, &ax.ymax, 0.06);
    /* Short two-line y label (population, unit); the layer it sits in is
     * the panel's note in the right margin. */
    label_with_unit_sep(ylab, sizeof ylab, a->name + 7, a->unit, "\n");
    ax.ylabel = ylab;
    ax.note = a->label[0] ? a->label : NULL;
    ax.right_lines = TRACES_RIGHT_LINES;
    int last = row + 1 == nrows;
    ax.xlabel = last ? "time [ms]" : NULL;
    ax.xnumbers = last;
    if (row == 0) {
      snprintf(title, sizeof title, "%s", d->title);
      ax.title = title;
      ax.legend_above = 1;
    }
    rc = lam_figure_panel(f, (int)row, 0, &ax, err);
    for (size_t k = 0; !rc && k < a->rows; k++) {
      int c = cols ? (int)cols->v[k] : (int)k;
      char nm[200], lab[48];
      snprintf(nm, sizeof nm, "%s/c%d", a->name, c);
      snprintf(lab, sizeof lab, "column %d", c);
      rc = lam_figure_line(f, nm, time->v, a->v + k * nt, nt, c,
                           row == 0 ? lab : NULL, err);
    }
    if (!rc && row == 0) {
      rc = lam_figure_legend(f, err);
    }
    row++;
  }
  if (!rc && nclock) {
    lam_axes ax = lam_axes_defaults();
    ax.xmin = time->v[0];
    ax.xmax = time->v[nt - 1];
    ax.ymin = -1.3;
    ax.ymax = 1.3;
    ax.ystep = 1.0; /* ticks -1, 0, 1 at most */
    ax.ylabel = "cos #gh";
    ax.xlabel = "time [ms]";
    ax.right_lines = TRACES_RIGHT_LINES;
    rc = lam_figure_panel(f, (int)row, 0, &ax, err);
    size_t k = 0;
    for (size_t i = 0; !rc && i < d->n; i++) {
      const lam_plot_array *a = d->a[i];
      if (!strncmp(a->name, "clock/", 6)) {
        const char *lab = !strcmp(a->name + 6, "gamma")   ? "#gg clock"
                          : !strcmp(a->name + 6, "alpha") ? "#ga clock"
                                                          : a->name + 6;
        rc = lam_figure_line(f, a->name, time->v, a->v, nt,
                             LAM_FIG_NCOLORS - 2 - (int)k++, lab, err);
      }
    }
    if (!rc) {
      rc = lam_figure_legend(f, err);
    }
  }
  return rc;
}

/* ---- psd ------------------------------------------------------------------- */

/* The legend entry of layer spectrum a, with its band peaks ("L4 (10, 40
 * Hz)"): labels beside the markers would collide when layers peak at the
 * same frequency. Fills px, py (8 values, may be NULL) with the peaks and
 * returns their number. */
static size_t psd_legend(const lam_plot_data *d, const lam_plot_array *a,
                         char *lab, size_t len, double *px, double *py) {
  char pname[64];
  snprintf(pname, sizeof pname, "peaks/%s", a->label);
  const lam_plot_array *pk = lam_plot_data_find(d, pname);
  size_t np = 0;
  snprintf(lab, len, "%s", a->label);
  for (size_t b = 0; pk && b < pk->rows && np < 8; b++) {
    if (isfinite(pk->v[2 * b]) && pk->v[2 * b + 1] > 0.0) {
      if (px && py) {
        px[np] = pk->v[2 * b];
        py[np] = pk->v[2 * b + 1];
      }
      size_t L = strlen(lab);
      snprintf(lab + L, len - L, "%s%.0f", np ? ", " : " (", pk->v[2 * b]);
      np++;
    }
  }
  if (np) {
    size_t L = strlen(lab);
    snprintf(lab + L, len - L, " Hz)");
  }
  return np;
}

static int draw_psd(lam_figure *f, const lam_plot_data *d, lam_err *err) {
  const lam_plot_array *freq = lam_plot_data_find(d, "freq");
  const lam_plot_array *bands = lam_plot_data_find(d, "bands");
  if (!freq || !bands || freq->cols < 2) {
    return fail_missing("spectrum", err);
  }
  size_t nf = freq->cols;
  lam_axes ax = lam_axes_defaults();
  ax.xlog = ax.ylog = 1;
  ax.xmin = freq->v[0];
  ax.xmax = freq->v[nf - 1];
  double lo = INFINITY, hi = -INFINITY;
  const char *unit = "";
  for (size_t i = 0; i < d->n; i++) {
    const lam_plot_array *a = d->a[i];
    double l, h;
    if (!strncmp(a->name, "psd/", 4) &&
        lam_figure_range(a->v, a->cols, 1, &l, &h, NULL) == LAM_OK) {
      lo = fmin(lo, l);
      hi = fmax(hi, h);
      unit = a->unit;
    }
  }
  if (!(lo <= hi)) {
    return lam_err_set(err, LAM_EINVAL,
                       "psd: every spectrum is zero (constant signals): "
                       "nothing to draw on log axes");
  }
  /* Twelve decades below the top at most: numerical floors (1e-30 of a
   * constant signal) would flatten everything else. */
  lo = fmax(lo, hi * 1e-12);
  ax.ymin = lo / 2.0;
  ax.ymax = hi * 3.0;
  char ylab[128], title[600];
  label_with_unit(ylab, sizeof ylab, "PSD", unit);
  ax.ylabel = ylab;
  ax.xlabel = "frequency [Hz]";
  snprintf(title, sizeof title, "%s: power spectra by layer, band peaks circled",
           d->title);
  ax.title = title;
  /* The right margin fits the longest legend entry (about 0.42 line per
   * character plus the line sample). */
  size_t maxlab = 14; /* "a/b 8-30 Hz" */
  for (size_t i = 0; i < d->n; i++) {
    if (!strncmp(d->a[i]->name, "psd/", 4)) {
      char lab[128];
      psd_legend(d, d->a[i], lab, sizeof lab, NULL, NULL);
      maxlab = strlen(lab) > maxlab ? strlen(lab) : maxlab;
    }
  }
  ax.right_lines = 3.0 + 0.42 * (double)maxlab;
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  if (!rc) {
    rc = lam_figure_panel(f, 0, 0, &ax, err);
  }
  for (size_t b = 0; !rc && b < bands->rows; b++) {
    double b0 = fmax(bands->v[2 * b], ax.xmin);
    double b1 = fmin(bands->v[2 * b + 1], ax.xmax);
    char lab[64];
    const char *bn = !strcmp(lam_bands[b].name, "alphabeta") ? "#ga/#gb"
                     : !strcmp(lam_bands[b].name, "gamma")   ? "#gg"
                                                             : lam_bands[b].name;
    snprintf(lab, sizeof lab, "%s %g-%g Hz", bn, bands->v[2 * b],
             bands->v[2 * b + 1]);
    if (b0 < b1) {
      rc = lam_figure_vband(f, b0, b1, b == 0 ? 4 : 5, lab, err);
    }
  }
  int color = 0;
  for (size_t i = 0; !rc && i < d->n; i++) {
    const lam_plot_array *a = d->a[i];
    if (strncmp(a->name, "psd/", 4)) {
      continue;
    }
    char lab[128];
    double px[8], py[8];
    size_t np = psd_legend(d, a, lab, sizeof lab, px, py);
    rc = lam_figure_line(f, a->name, freq->v, a->v, nf, color, lab, err);
    if (!rc && np) {
      char mname[64];
      snprintf(mname, sizeof mname, "marks/%s", a->label);
      rc = lam_figure_markers(f, mname, px, py, np, color, NULL, NULL, err);
    }
    color++;
  }
  if (!rc) {
    rc = lam_figure_legend(f, err);
  }
  return rc;
}

/* ---- csd and lfp ------------------------------------------------------------ */

/* Layer boundaries (lam_probe.h, [S33]) inside [top, bottom] um. */
static int draw_layers(lam_figure *f, double top, double bottom,
                       lam_err *err) {
  int rc = LAM_OK;
  for (size_t l = 0; !rc && l < lam_nlayers; l++) {
    double y = lam_layers[l].top_um;
    if (y >= top && y <= bottom) {
      rc = lam_figure_hline(f, y, lam_layers[l].name, err);
    }
  }
  return rc;
}

static int draw_csd(lam_figure *f, const lam_plot_data *d, lam_err *err) {
  const lam_plot_array *time = lam_plot_data_find(d, "time");
  const lam_plot_array *depth = lam_plot_data_find(d, "depth");
  const lam_plot_array *csd = lam_plot_data_find(d, "csd");
  if (!time || !depth || !csd) {
    return fail_missing("csd", err);
  }
  size_t nt = time->cols, nc = depth->cols;
  /* Cell edges: half a step beyond the first and last sample / contact. */
  double dt = (time->v[nt - 1] - time->v[0]) / (double)(nt - 1);
  double dz = nc > 1 ? (depth->v[nc - 1] - depth->v[0]) / (double)(nc - 1)
                     : 100.0;
  double x0 = time->v[0] - 0.5 * dt, x1 = time->v[nt - 1] + 0.5 * dt;
  double z0 = depth->v[0] - 0.5 * dz, z1 = depth->v[nc - 1] + 0.5 * dz;
  lam_axes ax = lam_axes_defaults();
  ax.xmin = x0;
  ax.xmax = x1;
  ax.ymin = z1; /* deep at the bottom */
  ax.ymax = z0;
  ax.xlabel = "time [ms]";
  ax.ylabel = "depth [um]";
  char title[600], zlab[128];
  snprintf(title, sizeof title, "%s: CSD (sinks < 0 < sources)", d->title);
  ax.title = title;
  label_with_unit(zlab, sizeof zlab, "CSD", csd->unit);
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  if (!rc) {
    rc = lam_figure_panel(f, 0, 0, &ax, err);
  }
  if (!rc) {
    rc = lam_figure_heatmap(f, "csd", csd->v, nt, nc, x0, x1, z0, z1,
                            LAM_CMAP_DIVERGING, zlab, err);
  }
  if (!rc) {
    rc = draw_layers(f, z0, z1, err);
  }
  return rc;
}

static int draw_lfp(lam_figure *f, const lam_plot_data *d, lam_err *err) {
  const lam_plot_array *time = lam_plot_data_find(d, "time");
  const lam_plot_array *depth = lam_plot_data_find(d, "depth");
  const lam_plot_array *lfp = lam_plot_data_find(d, "lfp");
  if (!time || !depth || !lfp) {
    return fail_missing("lfp", err);
  }
  size_t nt = time->cols, nc = depth->cols;
  double dz = nc > 1 ? (depth->v[nc - 1] - depth->v[0]) / (double)(nc - 1)
                     : 100.0;
  /* Each trace about its own mean; the largest excursion of any contact
   * fills 0.9 of the contact spacing, so neighbours never cross. */
  double *off = malloc(nc * sizeof *off);
  const double **tr = malloc(nc * sizeof *tr);
  if (!off || !tr) {
    free(off);
    free(tr);
    return LAM_NOMEM(err);
  }
  double amp = 0.0;
  for (size_t k = 0; k < nc; k++) {
    const double *x = lfp->v + k * nt;
    double m = 0.0;
    for (size_t i = 0; i < nt; i++) {
      m += x[i] / (double)nt;
    }
    for (size_t i = 0; i < nt; i++) {
      amp = fmax(amp, fabs(x[i] - m));
    }
    off[k] = m;
    tr[k] = x;
  }
  /* y grows downwards: a negative scale draws positive LFP upwards. */
  double scale = amp > 0.0 ? -0.9 * fabs(dz) / (2.0 * amp) : 0.0;
  for (size_t k = 0; k < nc; k++) {
    off[k] = depth->v[k] - scale * off[k];
  }
  lam_axes ax = lam_axes_defaults();
  ax.xmin = time->v[0];
  ax.xmax = time->v[nt - 1];
  ax.ymin = depth->v[nc - 1] + 0.75 * fabs(dz);
  ax.ymax = depth->v[0] - 0.75 * fabs(dz);
  ax.xlabel = "time [ms]";
  ax.ylabel = "contact depth [um]";
  char title[800];
  char amps[64], ut[96];
  double sp = 2.0 * amp / 0.9;
  int ex = sp > 0.0 ? (int)floor(log10(sp)) : 0;
  if (ex < -2 || ex > 3) {
    snprintf(amps, sizeof amps, "%.2f\u00d710#u%d#d", sp / pow(10.0, ex), ex);
  } else {
    snprintf(amps, sizeof amps, "%.3g", sp);
  }
  unit_text(ut, sizeof ut, lfp->unit[0] ? lfp->unit : "a.u.");
  snprintf(title, sizeof title, "%s: LFP, contact spacing = %s %s", d->title,
           amps, ut);
  ax.title = title;
  ax.right_lines = 4.0; /* the layer names */
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  if (!rc) {
    rc = lam_figure_panel(f, 0, 0, &ax, err);
  }
  if (!rc) {
    rc = draw_layers(f, ax.ymax, ax.ymin, err);
  }
  if (!rc) {
    rc = lam_figure_offset_traces(f, "lfp", time->v, nt, tr, nc, off, scale,
                                  0, err);
  }
  free(off);
  free(tr);
  return rc;
}

/* ---- attention -------------------------------------------------------------- */

static int draw_attention(lam_figure *f, const lam_plot_data *d,
                          lam_err *err) {
  const lam_plot_array *at = lam_plot_data_find(d, "at");
  size_t H = 0;
  for (size_t i = 0; i < d->n; i++) {
    H += !strncmp(d->a[i]->name, "attention/", 10);
  }
  if (!at || H == 0) {
    return fail_missing("attention weights", err);
  }
  int ncol = (int)ceil(sqrt((double)H));
  int nrow = (int)((H + (size_t)ncol - 1) / (size_t)ncol);
  int rc = lam_figure_grid(f, nrow, ncol, NULL, err);
  size_t h = 0;
  for (size_t i = 0; !rc && i < d->n; i++) {
    const lam_plot_array *a = d->a[i];
    if (strncmp(a->name, "attention/", 10)) {
      continue;
    }
    size_t T = a->rows, nq = a->cols;
    lam_axes ax = lam_axes_defaults();
    ax.xmin = -0.5;
    ax.xmax = (double)T - 0.5;
    ax.ymin = (double)nq - 0.5; /* query 0 at the top, as in a matrix */
    ax.ymax = -0.5;
    /* Every column numbered on small maps. */
    ax.xstep = T <= 16 ? 1.0 : 0.0;
    ax.ystep = nq <= 16 ? 1.0 : 0.0;
    ax.xlabel = "key column j";
    ax.ylabel = nq > 1 ? "query column i" : "query (top-down)";
    char title[160];
    snprintf(title, sizeof title, "%s, t = %.4g s", a->label, at->v[0]);
    ax.title = title;
    rc = lam_figure_panel(f, (int)(h / (size_t)ncol), (int)(h % (size_t)ncol),
                          &ax, err);
    if (!rc) {
      rc = lam_figure_heatmap(f, a->name, a->v, T, nq, -0.5, (double)T - 0.5,
                              -0.5, (double)nq - 0.5, LAM_CMAP_VIRIDIS,
                              "weight R [1]", err);
    }
    h++;
  }
  return rc;
}

/* ---- sweep ------------------------------------------------------------------ */

/* The first and last value of a swept axis and its label: the values
 * themselves on an even grid, else their indices with the values listed. */
static void grid_axis(const lam_plot_array *v, char *label, size_t len,
                      double *first, double *last) {
  size_t n = v->cols;
  int even = 1;
  double step = n > 1 ? (v->v[n - 1] - v->v[0]) / (double)(n - 1) : 0.0;
  for (size_t i = 1; i < n; i++) {
    if (fabs(v->v[i] - v->v[0] - step * (double)i) > 1e-6 * fabs(step)) {
      even = 0;
    }
  }
  label_with_unit(label, len, v->label, v->unit);
  if (even) {
    *first = v->v[0];
    *last = v->v[n - 1];
    return;
  }
  *first = 0.0;
  *last = (double)(n - 1);
  size_t L = strlen(label);
  snprintf(label + L, len - L, ", index of");
  for (size_t i = 0; i < n && strlen(label) + 16 < len; i++) {
    L = strlen(label);
    snprintf(label + L, len - L, " %g", v->v[i]);
  }
}

static int draw_sweep(lam_figure *f, const lam_plot_data *d, lam_err *err) {
  const lam_plot_array *x = lam_plot_data_find(d, "sweep/x");
  const lam_plot_array *y = lam_plot_data_find(d, "sweep/y");
  const lam_plot_array *m = lam_plot_data_find(d, "sweep/mean");
  const lam_plot_array *sd = lam_plot_data_find(d, "sweep/sd");
  if (!x || !m || !sd) {
    return fail_missing("sweep", err);
  }
  char xl[160], yl[160], zl[160];
  label_with_unit(xl, sizeof xl, x->label, x->unit);
  lam_axes ax = lam_axes_defaults();
  ax.xlabel = xl;
  ax.title = d->title;
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  size_t nx = x->cols;
  if (!rc && !y) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < nx; i++) {
      double e = isfinite(sd->v[i]) ? sd->v[i] : 0.0;
      if (isfinite(m->v[i])) {
        lo = fmin(lo, m->v[i] - e);
        hi = fmax(hi, m->v[i] + e);
      }
    }
    if (!(lo <= hi)) {
      return lam_err_set(err, LAM_EINVAL, "sweep: no finite %s values",
                         m->label);
    }
    rc = lam_figure_range((double[]){lo, hi}, 2, 0, &ax.ymin, &ax.ymax, err);
    double xlo, xhi;
    if (!rc) {
      rc = lam_figure_range(x->v, nx, 0, &xlo, &xhi, err);
    }
    if (rc) {
      return rc;
    }
    pad(&ax.ymin, &ax.ymax, 0.08);
    pad(&xlo, &xhi, 0.05);
    ax.xmin = xlo;
    ax.xmax = xhi;
    snprintf(yl, sizeof yl, "%s (mean +- s.d.)", m->label);
    ax.ylabel = yl;
    rc = lam_figure_panel(f, 0, 0, &ax, err);
    if (!rc) {
      rc = lam_figure_errorbars(f, "sweep/mean", x->v, m->v, sd->v, nx, 0,
                                NULL, err);
    }
    return rc;
  }
  if (rc) {
    return rc;
  }
  /* Heat map: cells centred on the swept values, edges half-way between
   * neighbours. An uneven grid (0.5, 1, 2) is drawn on the index of its
   * values, which the axis label then lists. */
  size_t ny = y->cols;
  snprintf(zl, sizeof zl, "%s (mean)", m->label);
  double xv0, xv1, yv0, yv1;
  grid_axis(x, xl, sizeof xl, &xv0, &xv1);
  grid_axis(y, yl, sizeof yl, &yv0, &yv1);
  double dx = nx > 1 ? (xv1 - xv0) / (double)(nx - 1) : 1.0;
  double dy = ny > 1 ? (yv1 - yv0) / (double)(ny - 1) : 1.0;
  ax.xmin = xv0 - 0.5 * dx;
  ax.xmax = xv1 + 0.5 * dx;
  ax.ymin = yv0 - 0.5 * dy;
  ax.ymax = yv1 + 0.5 * dy;
  /* Ticks on the swept values (multiples of the grid step). */
  ax.xstep = nx > 1 && nx <= 12 ? dx : 0.0;
  ax.ystep = ny > 1 && ny <= 12 ? dy : 0.0;
  ax.ylabel = yl;
  rc = lam_figure_panel(f, 0, 0, &ax, err);
  if (!rc) {
    rc = lam_figure_heatmap(f, "sweep/mean", m->v, nx, ny, ax.xmin, ax.xmax,
                            ax.ymin, ax.ymax, LAM_CMAP_VIRIDIS, zl, err);
  }
  return rc;
}

/* ---- entry points -------------------------------------------------------------- */

static void default_size(const lam_plot_data *d, int *w, int *h) {
  size_t npan = 0, H = 0, clock = 0;
  for (size_t i = 0; i < d->n; i++) {
    const char *nm = d->a[i]->name;
    npan += !strncmp(nm, "traces/", 7) && !strchr(nm + 7, '/');
    H += !strncmp(nm, "attention/", 10);
    clock = clock || !strncmp(nm, "clock/", 6);
  }
  *w = 1200;
  *h = 800;
  switch (d->kind) {
  case LAM_PLOT_TRACES: {
    /* TRACES_PANEL_PX per population panel plus the fixed rows (same
     * layout as draw_traces), so text never crowds however many panels. */
    double ch = lam_figure_line_px(*w, 4000);
    size_t nrows = npan + (clock ? 1 : 0);
    double hh = (double)npan * TRACES_PANEL_PX +
                (TRACES_TOP_LINES + TRACES_BOTTOM_LINES +
                 (double)nrows * TRACES_GAP_LINES +
                 (clock ? TRACES_BAND_LINES : 0.0)) * ch;
    *h = (int)ceil(hh);
    *h = *h < 300 ? 300 : (*h > 8000 ? 8000 : *h);
    break;
  }
  case LAM_PLOT_LFP:
    *w = 1000;
    *h = 1000;
    break;
  case LAM_PLOT_ATTENTION: {
    int nc = (int)ceil(sqrt((double)(H ? H : 1)));
    int nr = (int)((H + (size_t)nc - 1) / (size_t)nc);
    *w = 700 * nc;
    *h = 640 * (nr ? nr : 1);
    break;
  }
  case LAM_PLOT_SWEEP:
    *w = 1000;
    break;
  default:
    break;
  }
}

int lam_plot_draw(const lam_plot_data *d, const lam_plot_opts *o,
                  const char *output, lam_err *err) {
  lam_err local = {0, ""};
  if (!err) {
    err = &local;
  }
  if (!d || !o || !output) {
    return lam_err_set(err, LAM_EINVAL, "plot: no data, options or output");
  }
  int w, h;
  default_size(d, &w, &h);
  if (o->width_px > 0) {
    w = o->width_px;
  }
  if (o->height_px > 0) {
    h = o->height_px;
  }
  lam_figure *f = lam_figure_new(output, w, h, err);
  if (!f) {
    return err->code;
  }
  lam_figure_set_tap(f, o->tap, o->tap_user);
  int rc;
  switch (d->kind) {
  case LAM_PLOT_TRACES:
    rc = draw_traces(f, w, h, d, err);
    break;
  case LAM_PLOT_PSD:
    rc = draw_psd(f, d, err);
    break;
  case LAM_PLOT_CSD:
    rc = draw_csd(f, d, err);
    break;
  case LAM_PLOT_LFP:
    rc = draw_lfp(f, d, err);
    break;
  case LAM_PLOT_ATTENTION:
    rc = draw_attention(f, d, err);
    break;
  case LAM_PLOT_BIFURCATION:
    rc = lam__plot_bif_draw(f, d, err);
    break;
  default:
    rc = draw_sweep(f, d, err);
    break;
  }
  if (rc) {
    lam_figure_free(f);
    return rc;
  }
  return lam_figure_close(f, err);
}

int lam_plot_render(const char *input, const lam_plot_opts *o,
                    const char *output, lam_err *err) {
  lam_err local = {0, ""};
  if (!err) {
    err = &local;
  }
  char buf[4096];
  if (!output) {
    int rc = lam_plot_default_output(input, o->kind, buf, sizeof buf, err);
    if (rc) {
      return rc;
    }
    output = buf;
  }
  lam_plot_data *d = lam_plot_extract(input, o, err);
  if (!d) {
    return err->code;
  }
  int rc = lam_plot_draw(d, o, output, err);
  lam_plot_data_free(d);
  return rc;
}

static int render_kind(const char *input, const lam_plot_opts *o,
                       lam_plot_kind kind, const char *output, lam_err *err) {
  lam_plot_opts k = o ? *o : lam_plot_opts_defaults();
  k.kind = kind;
  return lam_plot_render(input, &k, output, err);
}

int lam_plot_traces(const char *run_h5, const lam_plot_opts *o,
                    const char *output, lam_err *err) {
  return render_kind(run_h5, o, LAM_PLOT_TRACES, output, err);
}
int lam_plot_psd(const char *run_h5, const lam_plot_opts *o,
                 const char *output, lam_err *err) {
  return render_kind(run_h5, o, LAM_PLOT_PSD, output, err);
}
int lam_plot_csd(const char *run_h5, const lam_plot_opts *o,
                 const char *output, lam_err *err) {
  return render_kind(run_h5, o, LAM_PLOT_CSD, output, err);
}
int lam_plot_lfp(const char *run_h5, const lam_plot_opts *o,
                 const char *output, lam_err *err) {
  return render_kind(run_h5, o, LAM_PLOT_LFP, output, err);
}
int lam_plot_attention(const char *run_h5, const lam_plot_opts *o,
                       const char *output, lam_err *err) {
  return render_kind(run_h5, o, LAM_PLOT_ATTENTION, output, err);
}
int lam_plot_sweep(const char *sweep_csv, const lam_plot_opts *o,
                   const char *output, lam_err *err) {
  return render_kind(sweep_csv, o, LAM_PLOT_SWEEP, output, err);
}
