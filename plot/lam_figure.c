/* lam_figure.c: drawing primitives on PLplot (see lam_figure.h).
 *
 * Each figure owns one PLplot stream; every public call selects it first
 * (plsstrm), so figures never share PLplot state. PLplot calls exit() from
 * plexit() on a few fatal conditions (unwritable output file, unknown device):
 * those are checked here before PLplot sees them (output opened for writing
 * first, device looked up with plgDevs). Recoverable PLplot errors go to a
 * per-stream buffer (plsError) and come back as LAM_EIO.
 *
 * Palettes: Okabe & Ito (2008, "Color Universal Design") for lines; viridis
 * (van der Walt & Smith, matplotlib 2015), sampled at 17 points and
 * interpolated by PLplot, for sequential maps; ColorBrewer RdBu (Brewer 2003,
 * 11 classes) for diverging maps, low values red, high blue, white at zero.
 */
#include "lam_figure.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_config.h"
#include "lam_outfile.h"

lam_axes lam_axes_defaults(void) {
  lam_axes a;
  memset(&a, 0, sizeof a);
  a.xmax = 1.0;
  a.ymax = 1.0;
  a.xnumbers = 1;
  return a;
}

int lam_figure_range(const double *x, size_t n, int positive, double *lo,
                     double *hi, lam_err *err) {
  double a = INFINITY, b = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i]) || (positive && x[i] <= 0.0)) {
      continue;
    }
    if (x[i] < a) {
      a = x[i];
    }
    if (x[i] > b) {
      b = x[i];
    }
  }
  if (!(a <= b)) {
    return lam_err_set(err, LAM_ENOTFOUND, "no %sfinite values to plot",
                       positive ? "positive " : "");
  }
  if (a == b) {
    /* A flat signal still gets a visible axis around its value. */
    double d = fabs(a) > 0.0 ? 0.1 * fabs(a) : 1.0;
    if (positive) {
      a /= 2.0;
      b *= 2.0;
    } else {
      a -= d;
      b += d;
    }
  }
  *lo = a;
  *hi = b;
  return LAM_OK;
}

double lam_figure_line_px(int width_px, int height_px) {
  /* Line height from the shorter page side: 1/30 of it, kept within
   * 16..26 px, so labels stay legible on a projected slide (a 1200 x 800
   * figure gets about 17 px text) without crowding tall stacked figures. */
  double ch_px = (width_px < height_px ? width_px : height_px) / 30.0;
  return ch_px < 16.0 ? 16.0 : (ch_px > 26.0 ? 26.0 : ch_px);
}

#if LAM_HAVE_PLPLOT

#include <plplot.h>

#define LEG_MAX 48
#define NAME_MAX_LEN 256

/* cmap0 slots. */
enum {
  C_WHITE = 0,
  C_BLACK = 1,
  C_GREY = 2,
  C_LIGHT = 3,
  C_LINE0 = 4,                        /* 8 line colours */
  C_BAND0 = C_LINE0 + LAM_FIG_NCOLORS, /* the same, translucent */
  C_COUNT = C_BAND0 + LAM_FIG_NCOLORS
};

/* Okabe-Ito, ordered so that the first four differ in hue and lightness
 * alike (blue, orange, bluish green, reddish purple: no two of them are
 * confused under the common colour-vision deficiencies), the pairs that
 * are close (blue / sky blue, orange / vermillion) are four apart, and
 * yellow (weak on white) comes last. Figures colour their items by their
 * rank, so a figure of up to four items uses the four distinct ones. */
static const int okabe_ito[LAM_FIG_NCOLORS][3] = {
    {0, 114, 178},   /* blue */
    {230, 159, 0},   /* orange */
    {0, 158, 115},   /* bluish green */
    {204, 121, 167}, /* reddish purple */
    {86, 180, 233},  /* sky blue */
    {213, 94, 0},    /* vermillion */
    {0, 0, 0},       /* black */
    {240, 228, 66},  /* yellow */
};

static const double viridis[17][3] = {
    {0.267, 0.005, 0.329}, {0.282, 0.095, 0.417}, {0.279, 0.175, 0.483},
    {0.259, 0.252, 0.525}, {0.230, 0.322, 0.546}, {0.199, 0.388, 0.555},
    {0.173, 0.449, 0.558}, {0.149, 0.508, 0.557}, {0.128, 0.567, 0.551},
    {0.121, 0.626, 0.533}, {0.158, 0.684, 0.502}, {0.246, 0.739, 0.452},
    {0.369, 0.789, 0.383}, {0.516, 0.831, 0.294}, {0.678, 0.864, 0.190},
    {0.846, 0.887, 0.100}, {0.993, 0.906, 0.144}};

static const int rdbu[11][3] = {
    {103, 0, 31},    {178, 24, 43},   {214, 96, 77},   {244, 165, 130},
    {253, 219, 199}, {247, 247, 247}, {209, 229, 240}, {146, 197, 222},
    {67, 147, 195},  {33, 102, 172},  {5, 48, 97}};

typedef struct leg_entry {
  PLINT opt, color;
  char text[96];
} leg_entry;

struct lam_figure {
  PLINT strm;
  int inited;
  int width, height;
  char *path; /* the figure's name */
  char *tmp;  /* what PLplot writes: path.part, renamed when complete */
  lam_outfile *of; /* path.part under path's lock (io/lam_outfile.h) */
  lam_figure_tap tap;
  void *tap_user;
  PLINT plcode;
  char plmsg[2048];
  int nrows, ncols;
  double *rowtop; /* nrows + 1 cumulative fractions from the top */
  double ch_mm, page_w_mm, page_h_mm;
  lam_axes ax;
  int have_panel;
  int has_cbar; /* the current panel's right margin holds a colour bar */
  double vp[4]; /* viewport of the current panel (normalized) */
  double wx0, wx1, wy0, wy1; /* its world window (log10 on log axes) */
  int nleg;
  leg_entry leg[LEG_MAX];
  double line_px; /* the text line height in pixels (points) */
  double zlo, zhi; /* fixed heat-map range, or NaN: each map its own */
};

static void sel(const lam_figure *f) { plsstrm(f->strm); }

/* Turn a pending PLplot error into a lam_err. */
static int pl_check(lam_figure *f, const char *what, lam_err *err) {
  if (f->plcode == 0) {
    return LAM_OK;
  }
  f->plcode = 0;
  /* PLplot's message is "\n*** ... ***\n<what>, aborting operation\n". */
  char *m = strstr(f->plmsg, "***\n");
  m = m ? m + 4 : f->plmsg;
  size_t L = strlen(m);
  while (L > 0 && isspace((unsigned char)m[L - 1])) {
    m[--L] = 0;
  }
  return lam_err_set(err, LAM_EIO, "%s: PLplot (%s): %s", f->path, what, m);
}

static void tap(lam_figure *f, const char *name, const char *suffix,
                const double *d, size_t n) {
  if (f->tap && name) {
    char full[NAME_MAX_LEN + 16];
    snprintf(full, sizeof full, "%s%s", name, suffix);
    f->tap(f->tap_user, full, d, n);
  }
}

static PLINT col_slot(int c) {
  if (c == LAM_FIG_BLACK) {
    return C_BLACK;
  }
  if (c < 0) {
    return C_GREY;
  }
  return C_LINE0 + (PLINT)(c % LAM_FIG_NCOLORS);
}

static const char *dev_for(const char *path) {
  const char *dot = strrchr(path, '.');
  if (!dot) {
    return NULL;
  }
  char ext[8] = {0};
  for (size_t i = 0; i < sizeof ext - 1 && dot[1 + i]; i++) {
    ext[i] = (char)tolower((unsigned char)dot[1 + i]);
  }
  if (strlen(dot + 1) >= sizeof ext) {
    return NULL;
  }
  if (!strcmp(ext, "png")) {
    return "pngcairo";
  }
  if (!strcmp(ext, "svg")) {
    return "svgcairo";
  }
  if (!strcmp(ext, "pdf")) {
    return "pdfcairo";
  }
  return NULL;
}

static int dev_available(const char *dev) {
  enum { NDEV_MAX = 128 };
  const char *menu[NDEV_MAX], *names[NDEV_MAX];
  const char **pm = menu, **pn = names;
  int n = NDEV_MAX;
  plgDevs(&pm, &pn, &n);
  for (int i = 0; i < n; i++) {
    if (names[i] && !strcmp(names[i], dev)) {
      return 1;
    }
  }
  return 0;
}

lam_figure *lam_figure_new(const char *path, int width_px, int height_px,
                           lam_err *err) {
  return lam_figure_new_lines(path, width_px, height_px, 0.0, err);
}

lam_figure *lam_figure_new_lines(const char *path, int width_px,
                                 int height_px, double line_px,
                                 lam_err *err) {
  if (!path || !*path) {
    lam_err_set(err, LAM_EINVAL, "figure: no output path");
    return NULL;
  }
  const char *dev = dev_for(path);
  if (!dev) {
    lam_err_set(err, LAM_EINVAL,
                "%s: unknown figure format: expected .png, .svg or .pdf",
                path);
    return NULL;
  }
  if (width_px < 16 || width_px > 20000 || height_px < 16 ||
      height_px > 20000) {
    lam_err_set(err, LAM_EINVAL,
                "%s: figure size %d x %d px: expected 16..20000 each", path,
                width_px, height_px);
    return NULL;
  }
  if (!dev_available(dev)) {
    lam_err_set(err, LAM_EUNSUPPORTED,
                "%s: PLplot device %s not available: install "
                "plplot-driver-cairo",
                path, dev);
    return NULL;
  }
  lam_figure *f = calloc(1, sizeof *f);
  size_t L = strlen(path);
  if (!f || !(f->path = malloc(L + 1)) || !(f->tmp = malloc(L + 6))) {
    if (f) {
      free(f->path);
    }
    free(f);
    LAM_NOMEM(err);
    return NULL;
  }
  strcpy(f->path, path);
  snprintf(f->tmp, L + 6, "%s.part", path);
  /* PLplot exits the process if it cannot open the file, and would follow
   * a symbolic link planted as path.part: laminar creates the file
   * (exclusively, under path's lock) and hands PLplot the open stream,
   * which PLplot closes in plend1. */
  FILE *out = NULL;
  if (lam_outfile_open(path, "figure", 0, &f->of, err) ||
      !(out = lam_outfile_handover(f->of, err))) {
    lam_outfile_abandon(f->of, 0, NULL);
    free(f->tmp);
    free(f->path);
    free(f);
    return NULL;
  }
  f->width = width_px;
  f->height = height_px;
  f->line_px = line_px > 0.0 ? line_px : lam_figure_line_px(width_px, height_px);
  f->zlo = f->zhi = NAN;
  plmkstrm(&f->strm);
  if (f->strm < 0) {
    fclose(out);
    lam_outfile_abandon(f->of, 0, NULL);
    free(f->tmp);
    free(f->path);
    free(f);
    lam_err_set(err, LAM_EINTERNAL, "%s: no free PLplot stream", path);
    return NULL;
  }
  plsError(&f->plcode, f->plmsg);
  plsdev(dev);
  /* No plsfnam: with a file name PLplot opens it itself (fopen "w+",
   * following links), replacing the stream given here. */
  plsfile(out);
  plspage(0.0, 0.0, width_px, height_px, 0, 0);
  plscmap0n(C_COUNT);
  plscol0(C_WHITE, 255, 255, 255);
  plscol0(C_BLACK, 0, 0, 0);
  plscol0(C_GREY, 110, 110, 110);
  plscol0(C_LIGHT, 200, 200, 200);
  for (int i = 0; i < LAM_FIG_NCOLORS; i++) {
    plscol0(C_LINE0 + i, okabe_ito[i][0], okabe_ito[i][1], okabe_ito[i][2]);
    plscol0a(C_BAND0 + i, okabe_ito[i][0], okabe_ito[i][1], okabe_ito[i][2],
             0.18);
  }
  plinit();
  f->inited = 1;
  pladv(0);
  PLFLT xmn, xmx, ymn, ymx;
  plgspa(&xmn, &xmx, &ymn, &ymx);
  f->page_w_mm = xmx - xmn;
  f->page_h_mm = ymx - ymn;
  double px_mm = f->page_h_mm / height_px;
  double ch = f->line_px * px_mm;
  /* plschr sets the height of capitals; the value above is the line
   * height. */
  f->ch_mm = ch;
  plschr(0.62 * ch, 1.0);
  plfontld(1);
  if (pl_check(f, "init", err)) {
    lam_figure_free(f);
    return NULL;
  }
  return f;
}

void lam_figure_set_tap(lam_figure *f, lam_figure_tap t, void *user) {
  if (f) {
    f->tap = t;
    f->tap_user = user;
  }
}

double lam_figure_line_height(const lam_figure *f) { return f->line_px; }

void lam_figure_set_zrange(lam_figure *f, double lo, double hi) {
  if (f) {
    f->zlo = lo;
    f->zhi = hi;
  }
}

int lam_figure_grid(lam_figure *f, int nrows, int ncols,
                    const double *row_weights, lam_err *err) {
  if (nrows < 1 || ncols < 1 || nrows > 64 || ncols > 64) {
    return lam_err_set(err, LAM_EINVAL,
                       "figure grid %d x %d: expected 1..64 each", nrows,
                       ncols);
  }
  double *top = malloc((size_t)(nrows + 1) * sizeof *top);
  if (!top) {
    return LAM_NOMEM(err);
  }
  double sum = 0.0;
  for (int r = 0; r < nrows; r++) {
    double w = row_weights ? row_weights[r] : 1.0;
    if (!(w > 0.0) || !isfinite(w)) {
      free(top);
      return lam_err_set(err, LAM_EINVAL, "figure grid: row weight %d is %g",
                         r, w);
    }
    sum += w;
  }
  top[0] = 0.0;
  for (int r = 0; r < nrows; r++) {
    top[r + 1] = top[r] + (row_weights ? row_weights[r] : 1.0) / sum;
  }
  free(f->rowtop);
  f->rowtop = top;
  f->nrows = nrows;
  f->ncols = ncols;
  f->have_panel = 0;
  return LAM_OK;
}

static double wx(const lam_figure *f, double x) {
  return f->ax.xlog ? log10(x) : x;
}
static double wy(const lam_figure *f, double y) {
  return f->ax.ylog ? log10(y) : y;
}
static int okx(const lam_figure *f, double x) {
  return isfinite(x) && (!f->ax.xlog || x > 0.0);
}
static int oky(const lam_figure *f, double y) {
  return isfinite(y) && (!f->ax.ylog || y > 0.0);
}

/* A 1, 2 or 5 times 10^k tick step giving at most maxticks intervals. */
static double nice_step(double range, int maxticks) {
  if (!(range > 0.0) || !isfinite(range)) {
    return 0.0;
  }
  double raw = range / maxticks;
  double p = pow(10.0, floor(log10(raw)));
  double m = raw / p;
  return (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * p;
}

/* Tick marks (both sides, inward, as plbox draws them) and their names at
 * the given positions, replacing the numbers of a linear axis. */
static void named_ticks(lam_figure *f, const lam_axes *ax, int xnamed, int ynamed) {
  const double tx = 0.012 * (f->wy1 - f->wy0), ty = 0.012 * (f->wx1 - f->wx0);
  for (size_t i = 0; xnamed && i < ax->nxtick; i++) {
    const double at = ax->xtick_at[i];
    const double pos = (at - f->wx0) / (f->wx1 - f->wx0);
    if (!(pos >= 0.0 && pos <= 1.0)) {
      continue;
    }
    pljoin(at, f->wy0, at, f->wy0 + tx);
    pljoin(at, f->wy1, at, f->wy1 - tx);
    if (ax->xnumbers) {
      plmtex("b", 1.5, pos, 0.5, ax->xtick_text[i]);
    }
  }
  for (size_t i = 0; ynamed && i < ax->nytick; i++) {
    const double at = ax->ytick_at[i];
    const double pos = (at - f->wy0) / (f->wy1 - f->wy0);
    if (!(pos >= 0.0 && pos <= 1.0)) {
      continue;
    }
    pljoin(f->wx0, at, f->wx0 + ty, at);
    pljoin(f->wx1, at, f->wx1 - ty, at);
    plmtex("lv", 0.7, pos, 1.0, ax->ytick_text[i]);
  }
}

int lam_figure_panel(lam_figure *f, int row, int col, const lam_axes *ax,
                     lam_err *err) {
  if (!f->rowtop) {
    int rc = lam_figure_grid(f, 1, 1, NULL, err);
    if (rc) {
      return rc;
    }
  }
  if (row < 0 || row >= f->nrows || col < 0 || col >= f->ncols) {
    return lam_err_set(err, LAM_EINVAL,
                       "figure panel (%d, %d) outside the %d x %d grid", row,
                       col, f->nrows, f->ncols);
  }
  if ((ax->xlog && !(ax->xmin > 0.0 && ax->xmax > 0.0)) ||
      (ax->ylog && !(ax->ymin > 0.0 && ax->ymax > 0.0)) ||
      !isfinite(ax->xmin) || !isfinite(ax->xmax) || !isfinite(ax->ymin) ||
      !isfinite(ax->ymax) || ax->xmin == ax->xmax || ax->ymin == ax->ymax) {
    return lam_err_set(err, LAM_EINVAL,
                       "figure panel: bad axis limits x [%g, %g] y [%g, %g]",
                       ax->xmin, ax->xmax, ax->ymin, ax->ymax);
  }
  sel(f);
  f->ax = *ax;
  f->nleg = 0;
  /* Margins in character heights, converted to page fractions. */
  double cw = 1.0 / f->ncols;
  double hx = f->ch_mm / f->page_w_mm, hy = f->ch_mm / f->page_h_mm;
  /* Log-axis numbers (10^-12) are wider than linear ones. */
  double ylab_at = ax->ylog ? 5.0 : 4.4;
  double left = (ylab_at + 1.4) * hx;
  double right = ax->right_lines > 0.0 ? ax->right_lines * hx : 0.24 * cw;
  double bottom = ax->xlabel ? 3.3 * hy : (ax->xnumbers ? 1.9 * hy : 0.5 * hy);
  /* Title: 1.9 lines; a legend row above the panel: 1.6 lines more. */
  double top = (ax->title ? 1.9 : 0.5) + (ax->legend_above ? 1.6 : 0.0);
  top *= hy;
  double cx0 = col * cw, cx1 = (col + 1) * cw;
  double cy1 = 1.0 - f->rowtop[row], cy0 = 1.0 - f->rowtop[row + 1];
  f->vp[0] = cx0 + left;
  f->vp[1] = cx1 - right;
  f->vp[2] = cy0 + bottom;
  f->vp[3] = cy1 - top;
  if (f->vp[1] <= f->vp[0] + 0.02 || f->vp[3] <= f->vp[2] + 0.005) {
    return lam_err_set(err, LAM_EINVAL,
                       "figure panel (%d, %d) too small for its labels: "
                       "enlarge the figure",
                       row, col);
  }
  f->has_cbar = 0;
  f->wx0 = wx(f, ax->xmin);
  f->wx1 = wx(f, ax->xmax);
  f->wy0 = wy(f, ax->ymin);
  f->wy1 = wy(f, ax->ymax);
  plvpor(f->vp[0], f->vp[1], f->vp[2], f->vp[3]);
  plwind(f->wx0, f->wx1, f->wy0, f->wy1);
  plcol0(C_BLACK);
  plwidth(1.0);
  pllsty(1);
  const int xnamed = ax->xtick_text && ax->nxtick && !ax->xlog;
  const int ynamed = ax->ytick_text && ax->nytick && !ax->ylog;
  char xo[16] = "bc", yo[16] = "bcv";
  if (!xnamed) {
    strcat(xo, "st");
  }
  if (!ynamed) {
    strcat(yo, "st");
  }
  if (ax->xnumbers && !xnamed) {
    strcat(xo, "n");
  }
  if (ax->xlog) {
    strcat(xo, "l");
  }
  if (!ynamed) {
    strcat(yo, "n");
  }
  if (ax->ylog) {
    strcat(yo, "l");
  }
  /* At most one y tick per 2 lines of panel height (3 at least), so stacked panels
   * keep readable numbers; log axes use PLplot's decades. */
  double lines = (f->vp[3] - f->vp[2]) * f->page_h_mm / f->ch_mm;
  int maxticks = (int)(lines / 2.0);
  double ystep = ax->ylog ? 0.0 : nice_step(fabs(f->wy1 - f->wy0),
                                            maxticks < 3 ? 3 : maxticks);
  /* A requested step is kept only if it gives 2..maxticks+1 ticks. */
  if (!ax->ylog && ax->ystep > 0.0 &&
      fabs(f->wy1 - f->wy0) / ax->ystep <= (maxticks < 3 ? 3 : maxticks) + 1) {
    ystep = ax->ystep;
  }
  double xstep = !ax->xlog && ax->xstep > 0.0 ? ax->xstep : 0.0;
  plbox(xo, xstep, 0, yo, ystep, ystep > 0.0 ? 2 : 0);
  named_ticks(f, ax, xnamed, ynamed);
  /* Axis labels clear of the tick numbers (PLplot's pllab spacing). */
  if (ax->xlabel) {
    plmtex("b", 3.2, 0.5, 0.5, ax->xlabel);
  }
  if (ax->ylabel) {
    /* Lines of a split label, the first outermost, 1.4 heights apart. */
    char buf[512];
    snprintf(buf, sizeof buf, "%s", ax->ylabel);
    int nl = 1;
    for (const char *c = buf; *c; c++) {
      nl += *c == '\n';
    }
    char *line = buf;
    for (int k = 0; k < nl; k++) {
      char *nx = strchr(line, '\n');
      if (nx) {
        *nx = 0;
      }
      plmtex("l", ylab_at + 1.4 * (double)(nl - 1 - k), 0.5, 0.5, line);
      line = nx ? nx + 1 : line;
    }
  }
  if (ax->title) {
    plmtex("t", ax->legend_above ? 3.4 : 1.0, 0.5, 0.5, ax->title);
  }
  if (ax->note) {
    plmtex("rv", 0.8, 0.5, 0.0, ax->note);
  }
  f->have_panel = 1;
  return pl_check(f, "axes", err);
}

static int need_panel(const lam_figure *f, lam_err *err) {
  if (!f) {
    return lam_err_set(err, LAM_EINVAL, "figure: NULL");
  }
  if (!f->have_panel) {
    return lam_err_set(err, LAM_EINVAL,
                       "%s: drawing before lam_figure_panel", f->path);
  }
  return LAM_OK;
}

static void add_leg(lam_figure *f, PLINT opt, PLINT color, const char *text) {
  if (!text || f->nleg >= LEG_MAX) {
    return;
  }
  leg_entry *e = &f->leg[f->nleg++];
  e->opt = opt;
  e->color = color;
  snprintf(e->text, sizeof e->text, "%s", text);
}

/* Draw the finite runs of (x, y) as polylines. */
static int polyline(lam_figure *f, const double *x, const double *y,
                    size_t n, lam_err *err) {
  PLFLT *bx = malloc((n ? n : 1) * sizeof *bx);
  PLFLT *by = malloc((n ? n : 1) * sizeof *by);
  if (!bx || !by) {
    free(bx);
    free(by);
    return LAM_NOMEM(err);
  }
  size_t m = 0;
  for (size_t i = 0; i <= n; i++) {
    int ok = i < n && okx(f, x[i]) && oky(f, y[i]);
    if (ok) {
      bx[m] = wx(f, x[i]);
      by[m] = wy(f, y[i]);
      m++;
      continue;
    }
    if (m >= 2) {
      plline((PLINT)m, bx, by);
    } else if (m == 1) {
      plstring(1, bx, by, "#(850)");
    }
    m = 0;
  }
  free(bx);
  free(by);
  return LAM_OK;
}

int lam_figure_line(lam_figure *f, const char *name, const double *x,
                    const double *y, size_t n, int color, const char *label,
                    lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  tap(f, name, ":x", x, n);
  tap(f, name, ":y", y, n);
  sel(f);
  plcol0(col_slot(color));
  plwidth(2.0);
  pllsty(1);
  rc = polyline(f, x, y, n, err);
  plwidth(1.0);
  plcol0(C_BLACK);
  if (rc) {
    return rc;
  }
  add_leg(f, PL_LEGEND_LINE, col_slot(color), label);
  return pl_check(f, "line", err);
}

static int intervals(lam_figure *f, const double *x, const double *y,
                     const double *lo, const double *hi, size_t n, int color,
                     const char *label, lam_err *err) {
  sel(f);
  plcol0(col_slot(color));
  plwidth(2.0);
  for (size_t i = 0; i < n; i++) {
    if (!okx(f, x[i]) || !oky(f, y[i])) {
      continue;
    }
    double a = isfinite(lo[i]) && oky(f, lo[i]) ? lo[i] : y[i];
    double b = isfinite(hi[i]) && oky(f, hi[i]) ? hi[i] : y[i];
    PLFLT px = wx(f, x[i]), pl = wy(f, a), ph = wy(f, b), py = wy(f, y[i]);
    if (b > a) {
      plerry(1, &px, &pl, &ph);
    }
    plstring(1, &px, &py, "#(840)");
  }
  int rc = polyline(f, x, y, n, err);
  plwidth(1.0);
  plcol0(C_BLACK);
  if (rc) {
    return rc;
  }
  add_leg(f, PL_LEGEND_LINE, col_slot(color), label);
  return pl_check(f, "error bars", err);
}

int lam_figure_errorbars(lam_figure *f, const char *name, const double *x,
                         const double *y, const double *e, size_t n,
                         int color, const char *label, lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  tap(f, name, ":x", x, n);
  tap(f, name, ":y", y, n);
  tap(f, name, ":err", e, n);
  double *lo = malloc((n ? n : 1) * sizeof *lo);
  double *hi = malloc((n ? n : 1) * sizeof *hi);
  if (!lo || !hi) {
    free(lo);
    free(hi);
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < n; i++) {
    const double d = isfinite(e[i]) ? e[i] : 0.0;
    lo[i] = y[i] - d;
    hi[i] = y[i] + d;
  }
  rc = intervals(f, x, y, lo, hi, n, color, label, err);
  free(lo);
  free(hi);
  return rc;
}

int lam_figure_intervals(lam_figure *f, const char *name, const double *x,
                         const double *y, const double *lo, const double *hi,
                         size_t n, int color, const char *label,
                         lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  tap(f, name, ":x", x, n);
  tap(f, name, ":y", y, n);
  tap(f, name, ":lo", lo, n);
  tap(f, name, ":hi", hi, n);
  return intervals(f, x, y, lo, hi, n, color, label, err);
}

int lam_figure_markers(lam_figure *f, const char *name, const double *x,
                       const double *y, size_t n, int color,
                       const char *const *text, const char *label,
                       lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  tap(f, name, ":x", x, n);
  tap(f, name, ":y", y, n);
  sel(f);
  plcol0(col_slot(color));
  for (size_t i = 0; i < n; i++) {
    if (!okx(f, x[i]) || !oky(f, y[i])) {
      continue;
    }
    PLFLT px = wx(f, x[i]), py = wy(f, y[i]);
    plstring(1, &px, &py, "#(840)");
    if (text && text[i]) {
      plschr(0.0, 0.8);
      plptex(px, py, 1.0, 0.0, -0.15, text[i]);
      plschr(0.0, 1.0);
    }
  }
  plcol0(C_BLACK);
  add_leg(f, PL_LEGEND_SYMBOL, col_slot(color), label);
  return pl_check(f, "markers", err);
}

int lam_figure_vband(lam_figure *f, double x0, double x1, int color,
                     const char *label, lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  if (!okx(f, x0) || !okx(f, x1)) {
    return lam_err_set(err, LAM_EINVAL, "figure band [%g, %g] not drawable",
                       x0, x1);
  }
  sel(f);
  PLINT slot = color < 0 ? C_LIGHT : C_BAND0 + color % LAM_FIG_NCOLORS;
  PLFLT bx[4] = {wx(f, x0), wx(f, x1), wx(f, x1), wx(f, x0)};
  PLFLT by[4] = {f->wy0, f->wy0, f->wy1, f->wy1};
  plcol0(slot);
  plfill(4, bx, by);
  plcol0(C_BLACK);
  add_leg(f, PL_LEGEND_COLOR_BOX, slot, label);
  return pl_check(f, "band", err);
}

int lam_figure_hline(lam_figure *f, double y, const char *text,
                     lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  if (!oky(f, y)) {
    return LAM_OK;
  }
  sel(f);
  PLFLT bx[2] = {f->wx0, f->wx1}, by[2] = {wy(f, y), wy(f, y)};
  plcol0(C_GREY);
  pllsty(2);
  plwidth(1.5);
  plline(2, bx, by);
  pllsty(1);
  plwidth(1.0);
  if (text && !f->has_cbar) {
    /* In the right margin, centred just below the line: never over data. */
    double vph = (f->vp[3] - f->vp[2]) * f->page_h_mm;
    double pos = (wy(f, y) - f->wy0) / (f->wy1 - f->wy0) -
                 0.5 * 0.62 * f->ch_mm * 0.85 / vph;
    plschr(0.0, 0.85);
    plmtex("rv", 0.6, pos, 0.0, text);
    plschr(0.0, 1.0);
  } else if (text) {
    /* Just below the line, inside the left edge. */
    double dx = 0.01 * (f->wx1 - f->wx0);
    double dy = 0.02 * (f->wy1 - f->wy0);
    plschr(0.0, 0.8);
    plptex(f->wx0 + dx, wy(f, y) - dy, 1.0, 0.0, 0.0, text);
    plschr(0.0, 1.0);
  }
  plcol0(C_BLACK);
  return pl_check(f, "line", err);
}

static void set_cmap1(lam_cmap cmap) {
  PLFLT pos[17], r[17], g[17], b[17];
  int n;
  if (cmap == LAM_CMAP_DIVERGING) {
    n = 11;
    for (int i = 0; i < n; i++) {
      pos[i] = (PLFLT)i / (n - 1);
      r[i] = rdbu[i][0] / 255.0;
      g[i] = rdbu[i][1] / 255.0;
      b[i] = rdbu[i][2] / 255.0;
    }
  } else {
    n = 17;
    for (int i = 0; i < n; i++) {
      pos[i] = (PLFLT)i / (n - 1);
      r[i] = viridis[i][0];
      g[i] = viridis[i][1];
      b[i] = viridis[i][2];
    }
  }
  plscmap1n(256);
  plscmap1l(1, n, pos, r, g, b, NULL);
}

int lam_figure_heatmap(lam_figure *f, const char *name, const double *z,
                       size_t nx, size_t ny, double x0, double x1, double y0,
                       double y1, lam_cmap cmap, const char *zlabel,
                       lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  if (nx < 1 || ny < 1 || nx > 1000000 || ny > 1000000) {
    return lam_err_set(err, LAM_EINVAL, "heat map of %zu x %zu cells", nx,
                       ny);
  }
  tap(f, name, ":z", z, nx * ny);
  double lo, hi;
  rc = lam_figure_range(z, nx * ny, 0, &lo, &hi, err);
  if (rc) {
    return lam_err_prefix(err, "heat map %s: ", name ? name : "");
  }
  if (isfinite(f->zlo) && isfinite(f->zhi) && f->zlo < f->zhi) {
    lo = f->zlo; /* one scale shared by several maps */
    hi = f->zhi;
  }
  if (cmap == LAM_CMAP_DIVERGING) {
    double m = fmax(fabs(lo), fabs(hi));
    lo = -m;
    hi = m;
  }
  PLFLT *buf = malloc(nx * ny * sizeof *buf);
  const PLFLT **rows = malloc(nx * sizeof *rows);
  if (!buf || !rows) {
    free(buf);
    free(rows);
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i < nx * ny; i++) {
    buf[i] = isfinite(z[i]) ? fmin(fmax(z[i], lo), hi) : lo;
  }
  for (size_t i = 0; i < nx; i++) {
    rows[i] = buf + i * ny;
  }
  /* Cell corners: nx + 1 by ny + 1 (pltr1), so each of the nx x ny values
   * fills one whole cell between the given edges. */
  PLFLT *xg = malloc((nx + 1) * sizeof *xg), *yg = malloc((ny + 1) * sizeof *yg);
  if (!xg || !yg) {
    free(xg);
    free(yg);
    free(rows);
    free(buf);
    return LAM_NOMEM(err);
  }
  for (size_t i = 0; i <= nx; i++) {
    xg[i] = x0 + (x1 - x0) * (double)i / (double)nx;
  }
  for (size_t i = 0; i <= ny; i++) {
    yg[i] = y0 + (y1 - y0) * (double)i / (double)ny;
  }
  PLcGrid cg = {xg, yg, NULL, (PLINT)nx + 1, (PLINT)ny + 1, 0};
  sel(f);
  set_cmap1(cmap);
  plimagefr(rows, (PLINT)nx, (PLINT)ny, x0, x1, y0, y1, lo, hi, lo, hi, pltr1,
            &cg);
  free(xg);
  free(yg);
  free(rows);
  free(buf);
  /* The image covers the box: draw it again on top. */
  plcol0(C_BLACK);
  plbox("bc", 0.0, 0, "bc", 0.0, 0);

  /* The bar's numbers: for very large or small ranges PLplot would add an
   * exponent label that shifts the bar off the panel; the exponent goes
   * into the label instead. */
  double m = fmax(fabs(lo), fabs(hi)), scale = 1.0;
  char zl[256];
  snprintf(zl, sizeof zl, "%s", zlabel ? zlabel : "");
  if (m > 0.0 && (m >= 1e4 || m < 1e-2)) {
    int p = (int)floor(log10(m));
    scale = pow(10.0, -p);
    snprintf(zl, sizeof zl, "%s (\u00d710#u%d#d)", zlabel ? zlabel : "", p);
  }
  PLFLT cbw, cbh;
  PLINT label_opts[1] = {PL_COLORBAR_LABEL_RIGHT};
  const char *labels[1] = {zl};
  const char *axis_opts[1] = {"bcvtm"};
  PLFLT ticks[1] = {0.0};
  PLINT sub_ticks[1] = {0};
  PLINT n_values[1] = {2};
  PLFLT vals[2] = {lo * scale, hi * scale};
  const PLFLT *values[1] = {vals};
  plcolorbar(&cbw, &cbh, PL_COLORBAR_IMAGE,
             PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
             0.02, 0.0, 0.035, 1.0, C_WHITE, C_BLACK, 1, 0.0, 0.0, 0, 0.0, 1,
             label_opts, labels, 1, axis_opts, ticks, sub_ticks, n_values,
             values);
  f->has_cbar = 1;
  /* plcolorbar leaves its own viewport: restore the panel's. */
  plvpor(f->vp[0], f->vp[1], f->vp[2], f->vp[3]);
  plwind(f->wx0, f->wx1, f->wy0, f->wy1);
  return pl_check(f, "heat map", err);
}

int lam_figure_offset_traces(lam_figure *f, const char *name, const double *x,
                             size_t n, const double *const *traces,
                             size_t ntr, const double *offsets, double scale,
                             int color, lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  tap(f, name, ":x", x, n);
  double *y = malloc((n ? n : 1) * sizeof *y);
  if (!y) {
    return LAM_NOMEM(err);
  }
  sel(f);
  plcol0(col_slot(color));
  plwidth(1.5);
  for (size_t k = 0; k < ntr && !rc; k++) {
    if (f->tap && name) {
      char sub[NAME_MAX_LEN];
      snprintf(sub, sizeof sub, "%s/%zu", name, k);
      tap(f, sub, ":y", traces[k], n);
    }
    for (size_t i = 0; i < n; i++) {
      y[i] = offsets[k] + scale * traces[k][i];
    }
    rc = polyline(f, x, y, n, err);
  }
  free(y);
  plwidth(1.0);
  plcol0(C_BLACK);
  return rc ? rc : pl_check(f, "traces", err);
}

int lam_figure_text(lam_figure *f, double x, double y, const char *text,
                    lam_err *err) {
  int rc = need_panel(f, err);
  if (rc) {
    return rc;
  }
  if (!okx(f, x) || !oky(f, y) || !text) {
    return LAM_OK;
  }
  sel(f);
  plcol0(C_BLACK);
  plschr(0.0, 0.8);
  plptex(wx(f, x), wy(f, y), 1.0, 0.0, 0.0, text);
  plschr(0.0, 1.0);
  return pl_check(f, "text", err);
}

int lam_figure_legend(lam_figure *f, lam_err *err) {
  int rc = need_panel(f, err);
  if (rc || f->nleg == 0) {
    return rc;
  }
  sel(f);
  int n = f->nleg;
  PLINT opt[LEG_MAX], tcol[LEG_MAX], bcol[LEG_MAX], bpat[LEG_MAX],
      lcol[LEG_MAX], lsty[LEG_MAX], scol[LEG_MAX], snum[LEG_MAX];
  PLFLT bscale[LEG_MAX], bw[LEG_MAX], lw[LEG_MAX], sscale[LEG_MAX];
  const char *text[LEG_MAX], *sym[LEG_MAX];
  for (int i = 0; i < n; i++) {
    opt[i] = f->leg[i].opt;
    tcol[i] = C_BLACK;
    bcol[i] = f->leg[i].color;
    bpat[i] = 0;
    bscale[i] = 0.8;
    bw[i] = 1.0;
    lcol[i] = f->leg[i].color;
    lsty[i] = 1;
    lw[i] = 2.0;
    scol[i] = f->leg[i].color;
    sscale[i] = 1.0;
    snum[i] = 1;
    sym[i] = "#(840)";
    text[i] = f->leg[i].text;
  }
  PLFLT lw_out, lh_out;
  plschr(0.0, 0.85);
  if (f->ax.legend_above) {
    /* One row in the line reserved above the panel, centred. */
    pllegend(&lw_out, &lh_out, PL_LEGEND_ROW_MAJOR,
             PL_POSITION_TOP | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
             0.0, 0.0, 0.035, C_WHITE, C_BLACK, 1, 1, n, n, opt, 0.6, 1.0,
             1.6, 0.0, tcol, text, bcol, bpat, bscale, bw, lcol, lsty, lw,
             scol, sscale, snum, sym);
  } else {
    /* One column in the right margin, top-aligned with the panel; a long
     * legend continues down beside the panels below. */
    pllegend(&lw_out, &lh_out, 0,
             PL_POSITION_LEFT | PL_POSITION_TOP | PL_POSITION_INSIDE |
                 PL_POSITION_VIEWPORT,
             1.01, 0.0, 0.06, C_WHITE, C_BLACK, 1, n, 1, n, opt, 0.6, 1.0,
             1.6, 0.0, tcol, text, bcol, bpat, bscale, bw, lcol, lsty, lw,
             scol, sscale, snum, sym);
  }
  plschr(0.0, 1.0);
  return pl_check(f, "legend", err);
}

static void release(lam_figure *f) {
  if (f->inited) {
    plsstrm(f->strm);
    plend1();
  }
  free(f->rowtop);
  free(f->path);
  free(f->tmp);
  free(f);
}

int lam_figure_close(lam_figure *f, lam_err *err) {
  if (!f) {
    return LAM_OK;
  }
  sel(f);
  int rc = pl_check(f, "drawing", err);
  plend1();
  f->inited = 0;
  if (!rc) {
    rc = pl_check(f, "writing", err);
  }
  /* The figure appears under its name only once PLplot has finished it
   * and every byte reached the disk. */
  if (!rc) {
    rc = lam_outfile_check(f->of, err);
  }
  if (!rc) {
    rc = lam_outfile_commit(f->of, NULL, NULL, err);
  } else {
    lam_outfile_abandon(f->of, 0, NULL);
  }
  f->of = NULL;
  release(f);
  return rc;
}

void lam_figure_free(lam_figure *f) {
  if (!f) {
    return;
  }
  /* An abandoned figure leaves no half-drawn file behind. */
  if (f->inited) {
    plsstrm(f->strm);
    plend1();
    f->inited = 0;
  }
  lam_outfile_abandon(f->of, 0, NULL);
  f->of = NULL;
  release(f);
}

#else /* !LAM_HAVE_PLPLOT */

struct lam_figure {
  int unused;
};

lam_figure *lam_figure_new(const char *path, int width_px, int height_px,
                           lam_err *err) {
  (void)width_px;
  (void)height_px;
  lam_err_set(err, LAM_EUNSUPPORTED,
              "%s: this laminar was built without PLplot (install "
              "libplplot-dev and plplot-driver-cairo, then reconfigure)",
              path ? path : "figure");
  return NULL;
}

#define LAM__NOPL(err) lam_err_set((err), LAM_EUNSUPPORTED, "no PLplot")

lam_figure *lam_figure_new_lines(const char *path, int width_px,
                                 int height_px, double line_px,
                                 lam_err *err) {
  (void)line_px;
  return lam_figure_new(path, width_px, height_px, err);
}
double lam_figure_line_height(const lam_figure *f) {
  (void)f;
  return 16.0;
}
void lam_figure_set_zrange(lam_figure *f, double lo, double hi) {
  (void)f, (void)lo, (void)hi;
}
int lam_figure_intervals(lam_figure *f, const char *nm, const double *x,
                         const double *y, const double *lo, const double *hi,
                         size_t n, int c, const char *l, lam_err *err) {
  (void)f, (void)nm, (void)x, (void)y, (void)lo, (void)hi, (void)n, (void)c,
      (void)l;
  return LAM__NOPL(err);
}
void lam_figure_set_tap(lam_figure *f, lam_figure_tap t, void *user) {
  (void)f;
  (void)t;
  (void)user;
}
int lam_figure_grid(lam_figure *f, int nr, int nc, const double *w,
                    lam_err *err) {
  (void)f, (void)nr, (void)nc, (void)w;
  return LAM__NOPL(err);
}
int lam_figure_panel(lam_figure *f, int r, int c, const lam_axes *a,
                     lam_err *err) {
  (void)f, (void)r, (void)c, (void)a;
  return LAM__NOPL(err);
}
int lam_figure_line(lam_figure *f, const char *nm, const double *x,
                    const double *y, size_t n, int c, const char *l,
                    lam_err *err) {
  (void)f, (void)nm, (void)x, (void)y, (void)n, (void)c, (void)l;
  return LAM__NOPL(err);
}
int lam_figure_errorbars(lam_figure *f, const char *nm, const double *x,
                         const double *y, const double *e, size_t n, int c,
                         const char *l, lam_err *err) {
  (void)f, (void)nm, (void)x, (void)y, (void)e, (void)n, (void)c, (void)l;
  return LAM__NOPL(err);
}
int lam_figure_markers(lam_figure *f, const char *nm, const double *x,
                       const double *y, size_t n, int c,
                       const char *const *t, const char *l, lam_err *err) {
  (void)f, (void)nm, (void)x, (void)y, (void)n, (void)c, (void)t, (void)l;
  return LAM__NOPL(err);
}
int lam_figure_vband(lam_figure *f, double a, double b, int c, const char *l,
                     lam_err *err) {
  (void)f, (void)a, (void)b, (void)c, (void)l;
  return LAM__NOPL(err);
}
int lam_figure_hline(lam_figure *f, double y, const char *t, lam_err *err) {
  (void)f, (void)y, (void)t;
  return LAM__NOPL(err);
}
int lam_figure_heatmap(lam_figure *f, const char *nm, const double *z,
                       size_t nx, size_t ny, double x0, double x1, double y0,
                       double y1, lam_cmap cm, const char *zl, lam_err *err) {
  (void)f, (void)nm, (void)z, (void)nx, (void)ny, (void)x0, (void)x1,
      (void)y0, (void)y1, (void)cm, (void)zl;
  return LAM__NOPL(err);
}
int lam_figure_offset_traces(lam_figure *f, const char *nm, const double *x,
                             size_t n, const double *const *t, size_t ntr,
                             const double *o, double s, int c, lam_err *err) {
  (void)f, (void)nm, (void)x, (void)n, (void)t, (void)ntr, (void)o, (void)s,
      (void)c;
  return LAM__NOPL(err);
}
int lam_figure_text(lam_figure *f, double x, double y, const char *t,
                    lam_err *err) {
  (void)f, (void)x, (void)y, (void)t;
  return LAM__NOPL(err);
}
int lam_figure_legend(lam_figure *f, lam_err *err) {
  (void)f;
  return LAM__NOPL(err);
}
int lam_figure_close(lam_figure *f, lam_err *err) {
  (void)f;
  (void)err;
  return LAM_OK;
}
void lam_figure_free(lam_figure *f) { (void)f; }

#endif
