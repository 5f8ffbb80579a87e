/* lam_plot_bif.c: the bifurcation kind, from the branch CSV of `laminar
 * analyze MODEL --scan KEY=LO:HI --branch FILE` (branch,value,n_unstable,
 * y0,...): every branch against the swept value, stable stretches and
 * unstable ones apart, Hopf points and folds marked where the number of
 * unstable eigenvalues changes along a branch (by two: a complex pair, a
 * Hopf point; by one: a real eigenvalue, a fold), half-way between the two
 * points around the change (the scan's own table gives the refined value).
 * The state drawn is the one that varies most over the branches (the
 * equilibria of a family differ most there). No limit-cycle amplitude: the
 * scan does not compute cycles.
 *
 * Arrays: bif/value, bif/y, bif/branch, bif/unstable (1 x N, the rows of
 * the file); bif/hopf and bif/fold (k x 2: value, y). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lam_csv.h"
#include "lam_plot_private.h"

static int bad(const char *csv, const char *what, lam_err *err) {
  return lam_err_set(err, LAM_EINVAL,
                     "%s: expected the branch CSV of `laminar analyze MODEL "
                     "--scan KEY=LO:HI --branch FILE` (branch,value,"
                     "n_unstable,y0,...): %s",
                     csv, what);
}

/* Cell (r, c) as a number. */
static int cell(const lam_csv_text *t, size_t r, size_t c, double *v) {
  char *end;
  const char *s = t->cells[r * t->cols + c];
  *v = strtod(s, &end);
  return end != s && !*end;
}

int lam__plot_bif_extract(const char *csv, const lam_plot_opts *o,
                          lam_plot_data *d, lam_err *err) {
  (void)o;
  lam_csv_text t = {0};
  int rc = lam_csv_read_text(csv, &t, err);
  if (rc) {
    return rc;
  }
  if (t.rows < 2 || t.cols < 4 || strcmp(t.cells[0], "branch") ||
      strcmp(t.cells[1], "value") || strcmp(t.cells[2], "n_unstable")) {
    rc = bad(csv, "no such header, or no rows", err);
  }
  const size_t n = rc ? 0 : t.rows - 1, ny = rc ? 0 : t.cols - 3;
  double *v = rc ? NULL : malloc(n * t.cols * sizeof *v);
  if (!rc && !v) {
    rc = LAM_NOMEM(err);
  }
  for (size_t r = 0; !rc && r < n; r++) {
    for (size_t c = 0; c < t.cols; c++) {
      if (!cell(&t, r + 1, c, &v[r * t.cols + c])) {
        char what[96];
        snprintf(what, sizeof what, "line %ld: a cell is not a number", t.lines[r + 1]);
        rc = bad(csv, what, err);
        break;
      }
    }
  }
  /* The state that varies most. */
  size_t best = 0;
  double span = -1.0;
  for (size_t j = 0; !rc && j < ny; j++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < n; r++) {
      lo = fmin(lo, v[r * t.cols + 3 + j]);
      hi = fmax(hi, v[r * t.cols + 3 + j]);
    }
    if (hi - lo > span) {
      span = hi - lo;
      best = j;
    }
  }
  lam_plot_array *a[4] = {NULL};
  const char *names[4] = {"bif/value", "bif/y", "bif/branch", "bif/unstable"};
  char ylab[64];
  snprintf(ylab, sizeof ylab, "%s", rc ? "" : t.cells[3 + best]);
  const char *labels[4] = {"value", ylab, "branch", "eigenvalues with Re > 0"};
  const size_t col[4] = {1, 3 + best, 0, 2};
  for (int k = 0; !rc && k < 4; k++) {
    a[k] = lam__plot_add(d, names[k], "", labels[k], 1, n, err);
    rc = a[k] ? LAM_OK : err->code;
    for (size_t r = 0; !rc && r < n; r++) {
      a[k]->v[r] = v[r * t.cols + col[k]];
    }
  }
  /* Changes of stability along a branch. */
  size_t nh = 0, nf = 0;
  for (size_t r = 1; !rc && r < n; r++) {
    if (a[2]->v[r] == a[2]->v[r - 1] && a[3]->v[r] != a[3]->v[r - 1]) {
      const int dn = (int)fabs(a[3]->v[r] - a[3]->v[r - 1]);
      nh += dn % 2 == 0;
      nf += dn % 2 == 1;
    }
  }
  lam_plot_array *h = rc ? NULL : lam__plot_add(d, "bif/hopf", "", "Hopf", nh ? nh : 1, 2, err);
  lam_plot_array *f = h ? lam__plot_add(d, "bif/fold", "", "fold", nf ? nf : 1, 2, err) : NULL;
  if (!rc && !f) {
    rc = err->code;
  }
  if (!rc) {
    h->rows = nh;
    f->rows = nf;
    nh = nf = 0;
    for (size_t r = 1; r < n; r++) {
      if (a[2]->v[r] == a[2]->v[r - 1] && a[3]->v[r] != a[3]->v[r - 1]) {
        const int dn = (int)fabs(a[3]->v[r] - a[3]->v[r - 1]);
        lam_plot_array *m = dn % 2 == 0 ? h : f;
        size_t *k = dn % 2 == 0 ? &nh : &nf;
        m->v[2 * *k] = 0.5 * (a[0]->v[r] + a[0]->v[r - 1]);
        m->v[2 * *k + 1] = 0.5 * (a[1]->v[r] + a[1]->v[r - 1]);
        (*k)++;
      }
    }
    const char *base = strrchr(csv, '/');
    snprintf(d->title, sizeof d->title, "%s: equilibria (solid stable, "
             "light unstable), Hopf points and folds",
             base ? base + 1 : csv);
  }
  free(v);
  lam_csv_text_free(&t);
  return rc;
}

int lam__plot_bif_draw(lam_figure *f, const lam_plot_data *d, lam_err *err) {
  const lam_plot_array *x = lam_plot_data_find(d, "bif/value"),
                       *y = lam_plot_data_find(d, "bif/y"),
                       *b = lam_plot_data_find(d, "bif/branch"),
                       *u = lam_plot_data_find(d, "bif/unstable"),
                       *h = lam_plot_data_find(d, "bif/hopf"),
                       *fo = lam_plot_data_find(d, "bif/fold");
  if (!x || !y || !b || !u || !h || !fo) {
    return lam_err_set(err, LAM_EINVAL, "bifurcation: the extraction is incomplete");
  }
  const size_t n = x->cols;
  lam_axes ax = lam_axes_defaults();
  ax.xlabel = "swept value (the key's unit)";
  char yl[96];
  snprintf(yl, sizeof yl, "equilibrium %s", y->label);
  ax.ylabel = yl;
  ax.title = d->title;
  int rc = lam_figure_grid(f, 1, 1, NULL, err);
  if (!rc) {
    rc = lam_figure_range(x->v, n, 0, &ax.xmin, &ax.xmax, err);
  }
  if (!rc) {
    rc = lam_figure_range(y->v, n, 0, &ax.ymin, &ax.ymax, err);
  }
  if (rc) {
    return rc;
  }
  const double py = 0.06 * (ax.ymax - ax.ymin);
  ax.ymin -= py;
  ax.ymax += py;
  rc = lam_figure_panel(f, 0, 0, &ax, err);
  /* Stable and unstable stretches as separate lines: a point belongs to
   * the line of its own stability, NaN elsewhere (breaks the line); the
   * boundary points go to both so the curve is continuous. */
  double *ys = malloc(n * sizeof *ys), *yu = malloc(n * sizeof *yu);
  if (!rc && (!ys || !yu)) {
    rc = LAM_NOMEM(err);
  }
  for (size_t i = 0; !rc && i < n; i++) {
    const int st = u->v[i] == 0.0;
    const int same_prev = i > 0 && b->v[i - 1] == b->v[i];
    const int same_next = i + 1 < n && b->v[i + 1] == b->v[i];
    const int prev_st = same_prev && u->v[i - 1] == 0.0;
    const int next_st = same_next && u->v[i + 1] == 0.0;
    ys[i] = st || prev_st || next_st ? y->v[i] : NAN;
    yu[i] = !st || (same_prev && !prev_st) || (same_next && !next_st) ? y->v[i] : NAN;
    /* A new branch starts a new polyline. */
    if (i > 0 && !same_prev) {
      ys[i - 1] = yu[i - 1] = NAN;
    }
  }
  if (!rc) {
    rc = lam_figure_line(f, "bif/stable", x->v, ys, n, 0, "stable", err);
  }
  if (!rc) {
    rc = lam_figure_line(f, "bif/unstable", x->v, yu, n, 7, "unstable", err);
  }
  free(ys);
  free(yu);
  double hx[64], hy[64], fx[64], fy[64];
  size_t nh = h->rows < 64 ? h->rows : 64, nf = fo->rows < 64 ? fo->rows : 64;
  for (size_t k = 0; k < nh; k++) {
    hx[k] = h->v[2 * k];
    hy[k] = h->v[2 * k + 1];
  }
  for (size_t k = 0; k < nf; k++) {
    fx[k] = fo->v[2 * k];
    fy[k] = fo->v[2 * k + 1];
  }
  if (!rc && nh) {
    rc = lam_figure_markers(f, "bif/hopf", hx, hy, nh, 2, NULL, "Hopf", err);
  }
  if (!rc && nf) {
    rc = lam_figure_markers(f, "bif/fold", fx, fy, nf, 3, NULL, "fold", err);
  }
  if (!rc) {
    rc = lam_figure_legend(f, err);
  }
  return rc;
}
