/* lam_figure.h: array-level drawing primitives on PLplot.
 *
 * Every laminar figure (the `laminar plot` kinds and the experiments' own
 * figures) is drawn through this one module, so style choices live in one
 * place: a colour-blind-safe line palette (Okabe & Ito 2008), a perceptually
 * uniform heat map (viridis) and a perceptually balanced diverging map
 * (ColorBrewer RdBu) centred on zero, fonts sized for a slide, axes labelled
 * with units on every panel.
 *
 * A figure owns one PLplot stream (plmkstrm): every call selects that stream
 * first, so two figures never share PLplot state and a figure can be drawn
 * while another is open. PLplot itself is not thread-safe: draw figures from
 * one thread. PLplot's "aborting operation" messages are routed into the
 * figure (plsError) instead of stderr and turned into lam_err messages.
 *
 * The device follows the file extension: .png (pngcairo), .svg (svgcairo),
 * .pdf (pdfcairo). Sizes are in pixels (points for SVG/PDF). PLplot writes
 * PATH.part; lam_figure_close renames it to PATH once the page is complete,
 * and a failed or abandoned figure removes it, so PATH is never a
 * half-written picture.
 *
 * Drawing model: the page is a grid of panels (lam_figure_grid); a panel is
 * selected and its axes drawn with lam_figure_panel; then lines, bands,
 * markers, heat maps and offset traces are drawn in it; lam_figure_legend
 * draws the legend of the labelled items to the right of the panel.
 *
 * Tap: an optional callback receives every data array handed to PLplot,
 * before the drawing transform (log10, offset, scale), named "<name>:x",
 * "<name>:y", "<name>:err", "<name>:z" (heat maps, x-major: z[ix*ny + iy]).
 * Tests use it to compare what is drawn with what was read.
 */
#ifndef LAM_FIGURE_H
#define LAM_FIGURE_H

#include <stddef.h>

#include "lam_error.h"

typedef struct lam_figure lam_figure;

/* Receives (name, data, n) for each array drawn. */
typedef void (*lam_figure_tap)(void *user, const char *name,
                               const double *data, size_t n);

/* Heat-map colour maps. */
typedef enum {
  LAM_CMAP_VIRIDIS = 0, /* sequential, perceptually uniform */
  LAM_CMAP_DIVERGING    /* RdBu, white at zero, symmetric range +-max|z| */
} lam_cmap;

/* Line colours: index i of the Okabe-Ito cycle (any i >= 0, wraps). */
#define LAM_FIG_NCOLORS 8
/* Neutral colours for decorations (not part of the cycle). */
#define LAM_FIG_BLACK (-1)
#define LAM_FIG_GREY (-2)

/* One panel's axes. Limits are in data units (also for log axes, where they
 * must be > 0). ymin > ymax draws y increasing downwards (depth, matrix
 * rows). A NULL label draws no label; xnumbers = 0 hides the x tick labels
 * (stacked panels sharing one time axis). A '\n' in ylabel splits it into
 * lines, the first outermost (name above unit in a short panel).
 *
 * Layout extras (all off when zero / NULL):
 *   xstep, ystep  tick spacing in data units (linear axes; 0: automatic),
 *                 e.g. the step of a swept grid so ticks sit on its values
 *   legend_above  reserve one text line above the panel (under the title)
 *                 for lam_figure_legend, drawn there as one row
 *   right_lines   right margin in text lines (0: a quarter of the column,
 *                 room for a legend); panels stacked in one column must use
 *                 the same value to share their x extent
 *   note          a short annotation (a layer name) in the right margin,
 *                 vertically centred on the panel
 *   xtick_text, ytick_text, with xtick_at, ytick_at (data units) and nxtick,
 *                 nytick: named ticks replacing the axis numbers (linear
 *                 axes), e.g. the values of an uneven grid drawn on its
 *                 index */
typedef struct lam_axes {
  double xmin, xmax, ymin, ymax;
  int xlog, ylog;
  int xnumbers;
  const char *xlabel, *ylabel, *title;
  double xstep, ystep;
  int legend_above;
  double right_lines;
  const char *note;
  const double *xtick_at, *ytick_at;
  const char *const *xtick_text;
  const char *const *ytick_text;
  size_t nxtick, nytick;
} lam_axes;

/* Defaults: [0,1] x [0,1], linear, x numbers on, no labels. */
lam_axes lam_axes_defaults(void);

/* Open a figure writing to path (.png, .svg or .pdf) of width x height px
 * (each in 16..20000). Errors: LAM_EINVAL (extension, size), LAM_EUNSUPPORTED
 * (PLplot or its cairo driver missing), LAM_EIO. */
lam_figure *lam_figure_new(const char *path, int width_px, int height_px,
                           lam_err *err);

/* The same with the height of a text line given in pixels (points for
 * SVG/PDF): line_px > 0 sets the font size independently of the page
 * (a print style's fixed point size), 0 takes lam_figure_line_px. */
lam_figure *lam_figure_new_lines(const char *path, int width_px,
                                 int height_px, double line_px,
                                 lam_err *err);

/* The figure's text line height in pixels (points for SVG/PDF). */
double lam_figure_line_height(const lam_figure *f);

/* Heat maps drawn after this call use the colour range [lo, hi] (values
 * outside are drawn at the ends), so several maps share one scale; NaN
 * (the default) gives each map the range of its own values. */
void lam_figure_set_zrange(lam_figure *f, double lo, double hi);

/* The height of one text line in pixels (font size scales with the page:
 * 1/30 of the shorter side, 16..26 px); for laying out panels in pixels. */
double lam_figure_line_px(int width_px, int height_px);

/* Install the data tap (NULL to remove). */
void lam_figure_set_tap(lam_figure *f, lam_figure_tap tap, void *user);

/* Split the page into nrows x ncols panels. row_weights (nrows values > 0,
 * or NULL for equal rows) sets relative row heights. Resets the layout. */
int lam_figure_grid(lam_figure *f, int nrows, int ncols,
                    const double *row_weights, lam_err *err);

/* Select panel (row, col) (row 0 at the top), set its world coordinates
 * and draw its box, ticks, labels and title. Clears the legend entries. */
int lam_figure_panel(lam_figure *f, int row, int col, const lam_axes *ax,
                     lam_err *err);

/* A polyline (n points). Non-finite points, and non-positive ones on log
 * axes, break the line. label (or NULL) makes a legend entry. */
int lam_figure_line(lam_figure *f, const char *name, const double *x,
                    const double *y, size_t n, int color, const char *label,
                    lam_err *err);

/* Points with vertical error bars y +- e, joined by a line. */
int lam_figure_errorbars(lam_figure *f, const char *name, const double *x,
                         const double *y, const double *e, size_t n,
                         int color, const char *label, lam_err *err);

/* Points with vertical intervals [lo[k], hi[k]] (a confidence interval,
 * asymmetric), joined by a line. Tapped also as "<name>:lo", "<name>:hi". */
int lam_figure_intervals(lam_figure *f, const char *name, const double *x,
                         const double *y, const double *lo, const double *hi,
                         size_t n, int color, const char *label,
                         lam_err *err);

/* Filled circles at (x[k], y[k]), each annotated with text[k] if text is
 * non-NULL. */
int lam_figure_markers(lam_figure *f, const char *name, const double *x,
                       const double *y, size_t n, int color,
                       const char *const *text, const char *label,
                       lam_err *err);

/* A translucent vertical band x0..x1 over the whole panel height. */
int lam_figure_vband(lam_figure *f, double x0, double x1, int color,
                     const char *label, lam_err *err);

/* A dashed horizontal line at y across the panel, with optional text (e.g.
 * a layer boundary and the name of the layer below it): in the right
 * margin beside the line, or just below the line inside the left edge once
 * the panel has a heat map (whose colour bar takes the margin). */
int lam_figure_hline(lam_figure *f, double y, const char *text, lam_err *err);

/* A heat map of z (x-major: z[ix*ny + iy], nx x ny cells) covering
 * [x0,x1] x [y0,y1] (cell edges), with a colour bar to the right labelled
 * zlabel. LAM_CMAP_DIVERGING uses the range [-m, m], m = max|z|, so white is
 * zero. Non-finite cells are drawn as the lowest colour. */
int lam_figure_heatmap(lam_figure *f, const char *name, const double *z,
                       size_t nx, size_t ny, double x0, double x1, double y0,
                       double y1, lam_cmap cmap, const char *zlabel,
                       lam_err *err);

/* ntr traces sharing x (n points each; traces[k] points to n values), drawn
 * at y = offsets[k] + scale * traces[k][i]. Tapped as "<name>:x" and
 * "<name>/<k>:y" (the untransformed trace). */
int lam_figure_offset_traces(lam_figure *f, const char *name, const double *x,
                             size_t n, const double *const *traces,
                             size_t ntr, const double *offsets, double scale,
                             int color, lam_err *err);

/* Text at data coordinates (x, y), left-justified. */
int lam_figure_text(lam_figure *f, double x, double y, const char *text,
                    lam_err *err);

/* Draw the legend of the current panel's labelled items outside, right
 * (one column), or as one row above the panel when its axes asked for
 * legend_above. */
int lam_figure_legend(lam_figure *f, lam_err *err);

/* Finish the page, write the file and free f (also on error). */
int lam_figure_close(lam_figure *f, lam_err *err);

/* Abandon a figure (no error report). NULL is a no-op. */
void lam_figure_free(lam_figure *f);

/* Finite minimum and maximum of x[0..n) (positive only if positive != 0).
 * LAM_ENOTFOUND if there is none. A degenerate range is widened to a
 * non-empty one around the value. */
int lam_figure_range(const double *x, size_t n, int positive, double *lo,
                     double *hi, lam_err *err);

#endif
