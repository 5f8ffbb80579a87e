/* lam_plot_private.h: the lam_plot_data container shared by the extraction
 * files of plot/ (not part of the public API). Calls go one way:
 * lam_plot_data.c -> lam_plot_sweep.c -> lam_plot_array.c. */
#ifndef LAM_PLOT_PRIVATE_H
#define LAM_PLOT_PRIVATE_H

#include "lam_plot.h"

struct lam_plot_data {
  lam_plot_kind kind;
  size_t n, cap;
  lam_plot_array **a; /* each allocated on its own: pointers stay valid */
  char title[512];
};

/* Append a zero-filled rows x cols array (unit, label may be NULL)
 * (plot/lam_plot_array.c). */
lam_plot_array *lam__plot_add(lam_plot_data *d, const char *name,
                              const char *unit, const char *label,
                              size_t rows, size_t cols, lam_err *err);

/* The sweep kind (plot/lam_plot_sweep.c). */
int lam__plot_sweep_extract(const char *csv, const lam_plot_opts *o,
                            lam_plot_data *d, lam_err *err);

/* The bifurcation kind (plot/lam_plot_bif.c). */
int lam__plot_bif_extract(const char *csv, const lam_plot_opts *o,
                          lam_plot_data *d, lam_err *err);
int lam__plot_bif_draw(lam_figure *f, const lam_plot_data *d, lam_err *err);

#endif
