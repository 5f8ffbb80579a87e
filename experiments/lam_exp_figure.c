/* lam_exp_figure.c: the experiments' figures, drawn through plot/lam_figure
 * from the per-condition means over seeds (lam_exp_mean, lam_exp_mean_ci),
 * so that every experiment's figure has one look and no experiment draws
 * by hand. Error bars are the bootstrap 95% interval of the mean over
 * seeds, the bootstrap the verdicts use, and the figure says so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_experiment.h"
#include "lam_figure.h"
#include "lam_region.h"

/* Is v[0..n) evenly spaced (a linear axis can carry it)? */
static int evenly_spaced(const double *v, size_t n) {
  const double step = n > 1 ? (v[n - 1] - v[0]) / (double)(n - 1) : 0.0;
  for (size_t i = 1; i < n; i++) {
    if (fabs(v[i] - v[0] - step * (double)i) > 1e-6 * fabs(step)) {
      return 0;
    }
  }
  return 1;
}

/* Named ticks of an axis: at most this many grid values. */
enum { TICK_MAX = 32 };

typedef struct value_ticks {
  double at[TICK_MAX];
  char text[TICK_MAX][24];
  const char *ptr[TICK_MAX];
  size_t n;
} value_ticks;

/* Axis of values v[n]: values themselves when evenly spaced, else their
 * index, with the values as named ticks at 0..n-1. */
static void value_axis(const double *v, size_t n, double *lo, double *hi,
                       value_ticks *t) {
  const int even = evenly_spaced(v, n);
  /* Small integer values (head 0, 1, ...) are categories: a tick on each,
   * none between. */
  int integers = n <= TICK_MAX;
  for (size_t i = 0; i < n; i++) {
    integers = integers && v[i] == floor(v[i]) && fabs(v[i]) < 1e6;
  }
  const double first = even ? v[0] : 0.0;
  const double last = even ? v[n - 1] : (double)(n - 1);
  const double half = n > 1 ? 0.5 * (last - first) / (double)(n - 1) : 0.5;
  *lo = first - half;
  *hi = last + half;
  t->n = 0;
  if ((!even || integers) && n <= TICK_MAX) {
    for (size_t i = 0; i < n; i++) {
      t->at[i] = even ? v[i] : (double)i;
      snprintf(t->text[i], sizeof t->text[i], "%g", v[i]);
      t->ptr[i] = t->text[i];
    }
    t->n = n;
  }
}

static void fig_path(const lam_exp *x, const char *file, char *out, size_t n) {
  snprintf(out, n, "%s/%s", lam_exp_dir(x), file);
}

/* y range of the curves (with their error bars), padded by 8%; on a log
 * axis, padded by a factor. */
static int y_range(const lam_exp_curve *c, size_t nc, size_t n, int ylog,
                   double *lo, double *hi, lam_err *err) {
  double a = INFINITY, b = -INFINITY;
  for (size_t k = 0; k < nc; k++) {
    for (size_t i = 0; i < n; i++) {
      const double e = c[k].e && isfinite(c[k].e[i]) ? c[k].e[i] : 0.0;
      double y0 = ylog ? c[k].y[i] : c[k].y[i] - e;
      double y1 = ylog ? c[k].y[i] : c[k].y[i] + e;
      if (c[k].lo && c[k].hi && isfinite(c[k].lo[i]) && isfinite(c[k].hi[i]) &&
          (!ylog || c[k].lo[i] > 0.0)) {
        y0 = fmin(y0, c[k].lo[i]);
        y1 = fmax(y1, c[k].hi[i]);
      }
      if (isfinite(y0) && (!ylog || y0 > 0.0)) {
        a = y0 < a ? y0 : a;
        b = y1 > b ? y1 : b;
      }
    }
  }
  if (!(a <= b)) {
    return lam_err_set(err, LAM_ENOTFOUND, "figure: no finite values to draw");
  }
  if (ylog) {
    *lo = a / 3.0;
    *hi = b * 3.0;
  } else {
    double d = b - a > 0.0 ? b - a : (fabs(a) > 0.0 ? fabs(a) : 1.0);
    *lo = a - 0.08 * d;
    *hi = b + 0.08 * d;
  }
  return LAM_OK;
}

static int draw_curve(lam_figure *f, const lam_exp_fig *fig, const double *xv,
                      const lam_exp_curve *c, int color, int with_label,
                      lam_err *err) {
  const char *label = with_label ? c->label : NULL;
  char name[128];
  snprintf(name, sizeof name, "%s", c->label ? c->label : "curve");
  if (!fig->x) {
    /* Categories: unjoined points with vertical error bars; the legend
     * entry is a line sample of the curve's colour (an empty polyline). */
    int rc = lam_figure_markers(f, name, xv, c->y, fig->n, color, NULL, NULL,
                                err);
    if (!rc && label) {
      rc = lam_figure_line(f, NULL, xv, c->y, 0, color, label, err);
    }
    for (size_t i = 0; !rc && i < fig->n; i++) {
      double by[2];
      if (c->lo && c->hi) {
        by[0] = c->lo[i];
        by[1] = c->hi[i];
      } else if (c->e && !fig->ylog) {
        by[0] = c->y[i] - c->e[i];
        by[1] = c->y[i] + c->e[i];
      } else {
        continue;
      }
      const double bx[2] = {xv[i], xv[i]};
      rc = lam_figure_line(f, name, bx, by, 2, color, NULL, err);
    }
    return rc;
  }
  if (c->lo && c->hi) {
    return lam_figure_intervals(f, name, xv, c->y, c->lo, c->hi, fig->n, color,
                                label, err);
  }
  if (c->e && !fig->ylog) {
    return lam_figure_errorbars(f, name, xv, c->y, c->e, fig->n, color, label,
                                err);
  }
  int rc = lam_figure_markers(f, name, xv, c->y, fig->n, color, NULL, label, err);
  if (!rc && fig->n > 1) {
    rc = lam_figure_line(f, name, xv, c->y, fig->n, color, NULL, err);
  }
  return rc;
}

/* The title with what the error bars are: fig->bars, else the kind the
 * curves carry. */
static void title_with_bars(const lam_exp_fig *fig, const lam_exp_curve *c,
                            size_t nc, char *out, size_t len) {
  const char *bars = fig->bars;
  for (size_t k = 0; !bars && k < nc; k++) {
    if (c[k].lo && c[k].hi) {
      bars = "95% bootstrap CI of the mean over seeds";
    }
  }
  for (size_t k = 0; !bars && k < nc; k++) {
    if (c[k].e && !fig->ylog) {
      bars = "\u00b1 s.d. over seeds";
    }
  }
  if (bars) {
    snprintf(out, len, "%s (bars: %s)", fig->title ? fig->title : "", bars);
  } else {
    snprintf(out, len, "%s", fig->title ? fig->title : "");
  }
}

int lam_exp_figure_lines(lam_exp *x, const lam_exp_fig *fig,
                         const lam_exp_curve *c, size_t nc, lam_err *err) {
  if (!fig->n || !nc) {
    return lam_err_set(err, LAM_EINVAL, "figure %s: nothing to draw", fig->file);
  }
  double xv[256];
  if (fig->n > LAM_NELEM(xv)) {
    return lam_err_set(err, LAM_EINVAL, "figure %s: too many points", fig->file);
  }
  /* Categories sit at 0..n-1, named beside the first curve's points. */
  for (size_t i = 0; i < fig->n; i++) {
    xv[i] = fig->x ? fig->x[i] : (double)i;
  }
  char path[1200];
  fig_path(x, fig->file, path, sizeof path);
  const size_t npan = fig->stacked ? nc : 1;
  /* Room for the legend: the longest label (about half a line per
   * character at the legend's size) and its line sample. */
  size_t maxlab = 0;
  for (size_t k = 0; k < nc; k++) {
    const size_t L = c[k].label ? strlen(c[k].label) : 0;
    maxlab = L > maxlab ? L : maxlab;
  }
  const int legend = !fig->stacked && nc > 1;
  const double right = legend ? 0.6 * (double)maxlab + 4.0 : 2.0;
  char title[600];
  title_with_bars(fig, c, nc, title, sizeof title);
  /* Wide enough for the title (at most about 12 px per character)
   * and the legend. */
  int width = legend ? 1000 + (int)(13.0 * (double)maxlab) : 1000;
  const int need = 12 * (int)strlen(title) + 160 + (legend ? (int)(13.0 * (double)maxlab) : 0);
  width = need > width ? (need < 2400 ? need : 2400) : width;
  lam_figure *f = lam_figure_new(path, width,
                                 fig->stacked ? (int)(260 * npan + 160) : 700, err);
  if (!f) {
    return err->code;
  }
  int rc = lam_figure_grid(f, (int)npan, 1, NULL, err);
  for (size_t p = 0; !rc && p < npan; p++) {
    const lam_exp_curve *cp = fig->stacked ? &c[p] : c;
    const size_t ncp = fig->stacked ? 1 : nc;
    lam_axes ax = lam_axes_defaults();
    if (fig->x) {
      rc = lam_figure_range(xv, fig->n, fig->xlog, &ax.xmin, &ax.xmax, err);
      if (!rc && !fig->xlog) {
        const double d = ax.xmax - ax.xmin;
        ax.xmin -= 0.05 * d;
        ax.xmax += 0.05 * d;
      } else if (!rc) {
        ax.xmin /= 1.3;
        ax.xmax *= 1.3;
      }
    } else {
      /* Categories at 0..n-1, each named by its tick. */
      ax.xmin = -0.5;
      ax.xmax = (double)fig->n - 0.5;
      ax.xtick_at = xv;
      ax.xtick_text = fig->xticks;
      ax.nxtick = fig->xticks ? fig->n : 0;
      ax.xnumbers = p + 1 == npan;
    }
    ax.right_lines = right;
    ax.xlog = fig->xlog;
    ax.ylog = fig->ylog;
    if (!rc) {
      rc = y_range(cp, ncp, fig->n, fig->ylog, &ax.ymin, &ax.ymax, err);
    }
    ax.title = p == 0 ? title : NULL;
    ax.xlabel = p + 1 == npan ? fig->xlabel : NULL;
    ax.ylabel = fig->stacked ? cp->label : fig->ylabel;
    if (fig->stacked && p + 1 < npan && fig->x) {
      ax.xnumbers = 0;
    }
    if (!rc) {
      rc = lam_figure_panel(f, (int)p, 0, &ax, err);
    }
    for (size_t k = 0; !rc && k < ncp; k++) {
      /* Several curves over categories sit side by side, not on top of
       * each other. */
      double xk[256];
      for (size_t i = 0; i < fig->n; i++) {
        xk[i] = xv[i] + (!fig->x && ncp > 1
                             ? 0.5 * ((double)k - 0.5 * (double)(ncp - 1)) /
                                   (double)ncp
                             : 0.0);
      }
      rc = draw_curve(f, fig, xk, &cp[k], fig->stacked ? (int)p : (int)k,
                      !fig->stacked && ncp > 1, err);
    }
    if (!rc && !fig->stacked && nc > 1) {
      rc = lam_figure_legend(f, err);
    }
  }
  if (rc) {
    lam_figure_free(f);
    return rc;
  }
  return lam_figure_close(f, err);
}

int lam_exp_figure_heatmap(lam_exp *x, const lam_exp_fig *fig, const double *y,
                           size_t ny, const double *z, const char *zlabel,
                           lam_err *err) {
  if (!fig->x || !fig->n || !ny) {
    return lam_err_set(err, LAM_EINVAL, "figure %s: nothing to draw", fig->file);
  }
  char path[1200];
  fig_path(x, fig->file, path, sizeof path);
  lam_axes ax = lam_axes_defaults();
  value_ticks tx, ty;
  value_axis(fig->x, fig->n, &ax.xmin, &ax.xmax, &tx);
  value_axis(y, ny, &ax.ymin, &ax.ymax, &ty);
  ax.xtick_at = tx.at, ax.xtick_text = tx.ptr, ax.nxtick = tx.n;
  ax.ytick_at = ty.at, ax.ytick_text = ty.ptr, ax.nytick = ty.n;
  ax.xlabel = fig->xlabel;
  ax.ylabel = fig->ylabel;
  ax.title = fig->title;
  lam_figure *f = lam_figure_new(path, 1000, 800, err);
  if (!f) {
    return err->code;
  }
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  if (!rc) {
    rc = lam_figure_panel(f, 0, 0, &ax, err);
  }
  if (!rc) {
    rc = lam_figure_heatmap(f, fig->file, z, fig->n, ny, ax.xmin, ax.xmax,
                            ax.ymin, ax.ymax, LAM_CMAP_VIRIDIS, zlabel, err);
  }
  if (rc) {
    lam_figure_free(f);
    return rc;
  }
  return lam_figure_close(f, err);
}

/* ---- prediction maps (lam_region.h) ---- */

enum { MAP_GRID = 48 };

/* A key's value on its axis: log10 for a log key. */
static double map_axis(double v, int lg) { return lg ? log10(v) : v; }

/* The effect against one key: points, and the threshold (z = 0). */
static int map_1d(lam_figure *f, const lam_exp_map *m, lam_err *err) {
  lam_axes ax = lam_axes_defaults();
  ax.xmin = map_axis(m->x0, m->xlog);
  ax.xmax = map_axis(m->x1, m->xlog);
  int rc = lam_figure_range(m->z, m->n, 0, &ax.ymin, &ax.ymax, err);
  const double d = ax.ymax - ax.ymin;
  ax.ymin -= 0.08 * d;
  ax.ymax += 0.08 * d;
  ax.title = m->title;
  ax.xlabel = m->xlabel;
  ax.ylabel = m->zlabel;
  ax.legend_above = 1;
  if (!rc) {
    rc = lam_figure_panel(f, 0, 0, &ax, err);
  }
  double xs[2][256], zs[2][256];
  size_t k[2] = {0, 0};
  for (size_t i = 0; i < m->n; i++) {
    const int g = m->ok[i] ? 0 : 1;
    if (k[g] < 256) {
      xs[g][k[g]] = map_axis(m->x[i], m->xlog);
      zs[g][k[g]++] = m->z[i];
    }
  }
  if (!rc && k[0]) {
    rc = lam_figure_markers(f, "holds", xs[0], zs[0], k[0], 4, NULL, "holds", err);
  }
  if (!rc && k[1]) {
    rc = lam_figure_markers(f, "fails", xs[1], zs[1], k[1], 5, NULL, "fails", err);
  }
  if (!rc) {
    rc = lam_figure_hline(f, m->threshold, "threshold", err);
  }
  return rc ? rc : lam_figure_legend(f, err);
}

int lam_exp_figure_map(const lam_exp_map *m, lam_err *err) {
  if (!m->n || !(m->x0 < m->x1) || (m->y && !(m->y0 < m->y1))) {
    return lam_err_set(err, LAM_EINVAL, "figure %s: nothing to draw", m->path);
  }
  lam_figure *f = lam_figure_new(m->path, 1000, 800, err);
  if (!f) {
    return err->code;
  }
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  if (!rc && !m->y) {
    rc = map_1d(f, m, err);
  } else if (!rc) {
    const double x0 = map_axis(m->x0, m->xlog), x1 = map_axis(m->x1, m->xlog);
    const double y0 = map_axis(m->y0, m->ylog), y1 = map_axis(m->y1, m->ylog);
    /* Shepard interpolation in the unit square, cell centres. */
    double *z = malloc(MAP_GRID * MAP_GRID * sizeof *z);
    if (!z) {
      lam_figure_free(f);
      return LAM_NOMEM(err);
    }
    for (size_t a = 0; a < MAP_GRID; a++) {
      for (size_t b = 0; b < MAP_GRID; b++) {
        const double u = ((double)a + 0.5) / MAP_GRID, v = ((double)b + 0.5) / MAP_GRID;
        double sw = 0.0, sz = 0.0;
        for (size_t i = 0; i < m->n; i++) {
          const double du = (map_axis(m->x[i], m->xlog) - x0) / (x1 - x0) - u;
          const double dv = (map_axis(m->y[i], m->ylog) - y0) / (y1 - y0) - v;
          const double w = 1.0 / (du * du + dv * dv + 1e-9);
          if (isfinite(m->z[i])) {
            sw += w;
            sz += w * m->z[i];
          }
        }
        z[a * MAP_GRID + b] = sw > 0.0 ? sz / sw : NAN;
      }
    }
    char xl[160], yl[160];
    snprintf(xl, sizeof xl, m->xlog ? "log10 %s" : "%s", m->xlabel);
    snprintf(yl, sizeof yl, m->ylog ? "log10 %s" : "%s", m->ylabel);
    lam_axes ax = lam_axes_defaults();
    ax.xmin = x0, ax.xmax = x1, ax.ymin = y0, ax.ymax = y1;
    ax.title = m->title;
    ax.xlabel = xl;
    ax.ylabel = yl;
    ax.legend_above = 1;
    rc = lam_figure_panel(f, 0, 0, &ax, err);
    if (!rc) {
      rc = lam_figure_heatmap(f, "effect", z, MAP_GRID, MAP_GRID, x0, x1, y0, y1,
                              LAM_CMAP_VIRIDIS, m->zlabel, err);
    }
    free(z);
    for (int g = 0; !rc && g < 2; g++) {
      double px[256], py[256];
      size_t k = 0;
      for (size_t i = 0; i < m->n && k < 256; i++) {
        if ((m->ok[i] ? 0 : 1) == g) {
          px[k] = map_axis(m->x[i], m->xlog);
          py[k++] = map_axis(m->y[i], m->ylog);
        }
      }
      const char *lab = g ? "fails" : "holds";
      if (k) {
        /* sky blue holds, vermillion fails (Okabe-Ito slots 4 and 5) */
        rc = lam_figure_markers(f, lab, px, py, k, g ? 5 : 4, NULL, lab,
                                err);
      }
    }
    if (!rc) {
      rc = lam_figure_legend(f, err);
    }
  }
  if (rc) {
    lam_figure_free(f);
    return rc;
  }
  return lam_figure_close(f, err);
}
