/* lam_run_analyze.c: a run file into analysis/lam_run_analysis.h (see
 * lam_run_analyze.h). */
#include "lam_run_analyze.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char shape_trace[] = "samples x columns x units";

/* "FILE: what name" (name may be NULL). */
static int fail(const lam_runfile *rf, int code, lam_err *err, const char *what,
                const char *name) {
  return lam_err_set(err, code, "%s: %s%s%s", lam_runfile_name(rf), what,
                     name ? " " : "", name ? name : "");
}

/* The same with err's own message as what. */
static int fail_msg(const lam_runfile *rf, lam_err *err, const char *name) {
  char msg[LAM_ERR_MSG_MAX];
  snprintf(msg, sizeof msg, "%s", err->msg);
  return fail(rf, err->code ? err->code : LAM_EINVAL, err, msg, name);
}

/* /time: the sampling and the first sample at or after opts->t0. */
static int read_time(const lam_runfile *rf, double t0, double t1, double *fs,
                     size_t *i0, size_t *n, size_t *ntot, lam_err *err) {
  double *t = NULL;
  size_t dims[3];
  int rc = lam_runfile_read(rf, "/time", 1, "samples", 0, 0, &t, dims, err);
  *ntot = rc ? 0 : dims[0];
  if (!rc && lam_analysis_time(t, dims[0], t0, fs, i0, n, err)) {
    rc = fail_msg(rf, err, "/time");
  }
  /* The end of a window (a plot's --t1): samples up to t1 only. */
  while (!rc && *n > 0 && t[*i0 + *n - 1] > t1 + 1e-9 / *fs) {
    (*n)--;
  }
  if (!rc && *n < 4) {
    rc = fail(rf, LAM_EINVAL, err, "the window leaves fewer than 4 samples of",
              "/time");
  }
  free(t);
  return rc;
}

/* The columns of o->columns of *v (samples x ncols x nunits) into a new
 * array that replaces it: *ncols becomes their count (a column the
 * population lacks is skipped). LAM_ENOMEM. */
static int pick_columns(double **v, size_t ns, size_t *ncols, size_t nunits,
                        const lam_analysis_opts *o, lam_err *err) {
  if (!o->columns) {
    return LAM_OK;
  }
  size_t kept = 0;
  for (size_t k = 0; k < o->ncolumns; k++) {
    kept += o->columns[k] >= 0 && (size_t)o->columns[k] < *ncols;
  }
  double *w = malloc((kept ? kept : 1) * ns * nunits * sizeof *w);
  if (!w) {
    return LAM_NOMEM(err);
  }
  for (size_t i = 0, j = 0; i < ns; i++) {
    for (size_t k = 0; k < o->ncolumns; k++) {
      const int c = o->columns[k];
      if (c >= 0 && (size_t)c < *ncols) {
        memcpy(w + j, *v + (i * *ncols + (size_t)c) * nunits, nunits * sizeof *w);
        j += nunits;
      }
    }
  }
  free(*v);
  *v = w;
  *ncols = kept;
  return LAM_OK;
}

/* Every population of /traces with a cortical layer, samples from i0 on. */
static int read_layers(const lam_runfile *rf, size_t i0, size_t ntot,
                       const lam_analysis_opts *o, lam_layer_group *ly,
                       lam_err *err) {
  if (!lam_runfile_exists(rf, "/traces")) {
    return fail(rf, LAM_ENOTFOUND, err, "missing group", "/traces");
  }
  lam_runfile_pop *pops = NULL;
  size_t np = 0;
  int rc = lam_runfile_pops(rf, LAM_RUNFILE_BY_NAME, &pops, &np, err);
  for (size_t k = 0; !rc && k < np; k++) {
    const lam_runfile_pop *p = &pops[k];
    if (!lam_layers_takes(p->layer)) {
      continue; /* derived or layer-less populations (attention weights) */
    }
    char path[320];
    snprintf(path, sizeof path, "/traces/%s", p->name);
    double *v;
    size_t dims[3];
    rc = lam_runfile_read(rf, path, 3, shape_trace, 0, 0, &v, dims, err);
    if (rc) {
      break;
    }
    rc = pick_columns(&v, dims[0], &dims[1], dims[2], o, err);
    if (rc) {
      /* out of memory */
    } else if (dims[0] != ntot) {
      rc = fail(rf, LAM_EINVAL, err, "expected as many samples as /time in", path);
    } else if (dims[1] == 0) {
      /* none of the columns asked for: the population is left out */
    } else if (lam_layers_add(ly, p->name, p->layer, p->unit, v, dims[1],
                              dims[2], i0, err)) {
      rc = fail(rf, err->code, err,
                err->code == LAM_ENOMEM ? "out of memory reading"
                                        : "too many layers or areas at",
                path);
    }
    free(v);
  }
  free(pops);
  if (!rc && lam_layers_count(ly) == 0) {
    rc = fail(rf, LAM_EINVAL, err, "no population with a cortical layer attribute in",
              "/traces");
  }
  return rc;
}

/* The attention weights of area k (absent: nothing to do). */
static int read_attention(const lam_runfile *rf, lam_analysis *an, size_t k,
                          size_t i0, size_t ntot, lam_err *err) {
  const char *area = an->area[k].name, *dot = area[0] ? "." : "";
  char attn[2 * LAM_ANALYSIS_NAMELEN + 16], l4[2 * LAM_ANALYSIS_NAMELEN + 16];
  snprintf(attn, sizeof attn, "/traces/%s%sattn", area, dot);
  snprintf(l4, sizeof l4, "/traces/%s%sl4", area, dot);
  if (!lam_runfile_exists(rf, attn) || !lam_runfile_exists(rf, l4)) {
    return LAM_OK;
  }
  size_t dl4[3], dims[3];
  double *v;
  if (lam_runfile_shape(rf, l4, 3, shape_trace, dl4, err) ||
      lam_runfile_read(rf, attn, 3, "samples x queries x heads*keys", 0, 0, &v,
                       dims, err)) {
    return err->code;
  }
  /* Bounded: the whole dataset's values fit in size_t. */
  size_t T = dl4[1], per = dims[1] * dims[2];
  int rc = LAM_OK;
  if (dims[0] != ntot || T == 0 || per % T) {
    rc = fail(rf, LAM_EINVAL, err, "expected samples x queries x heads*keys (keys: "
              "the columns of /traces/l4) in", attn);
  } else {
    lam_analysis_attention(an, k, v + i0 * per, per / T, T);
  }
  free(v);
  return rc;
}

/* The probe of area k: /lfp or /AREA.lfp (absent: nothing to do). */
static int read_probe(const lam_runfile *rf, lam_analysis *an, size_t k,
                      size_t i0, size_t ntot, lam_err *err) {
  const char *area = an->area[k].name;
  char name[2 * LAM_ANALYSIS_NAMELEN], unit[LAM_ANALYSIS_NAMELEN];
  snprintf(name, sizeof name, "/%s%slfp", area, area[0] ? "." : "");
  if (!lam_runfile_exists(rf, name)) {
    return LAM_OK;
  }
  double *lfp = NULL, *z = NULL;
  size_t dims[3], dz[3];
  int rc = lam_runfile_read(rf, name, 2, "samples x contacts", 0, 0, &lfp, dims, err);
  if (!rc) {
    rc = lam_runfile_read(rf, "/probe/depth_um", 1, "contacts", 0, 0, &z, dz, err);
  }
  if (!rc) {
    rc = lam_runfile_attr_text(rf, name, "unit", unit, sizeof unit, err);
  }
  if (!rc && (dims[0] != ntot || dz[0] != dims[1])) {
    rc = fail(rf, LAM_EINVAL, err, "expected samples x contacts matching /time "
              "and /probe/depth_um in", name);
  }
  if (!rc && lam_analysis_probe(an, k, lfp + i0 * dims[1], dims[1], z, unit, err)) {
    rc = err->code == LAM_ENOMEM ? fail(rf, LAM_ENOMEM, err, "out of memory reading", name)
                                 : fail_msg(rf, err, name);
  }
  free(lfp);
  free(z);
  return rc;
}

int lam_run_analyze(const lam_runfile *rf, const lam_analysis_opts *opts,
                    lam_analysis **out, lam_err *err) {
  *out = NULL;
  double fs;
  size_t i0, n, ntot;
  int rc = read_time(rf, opts->t0, opts->t1, &fs, &i0, &n, &ntot, err);
  if (rc) {
    return rc;
  }
  lam_layer_group *ly = NULL;
  rc = lam_layers_new(n, &ly, err);
  if (!rc) {
    rc = read_layers(rf, i0, ntot, opts, ly, err);
  }
  lam_analysis *an = NULL;
  if (!rc) {
    lam_layers_finish(ly);
    if (lam_analysis_new(ly, fs, opts, &an, err)) {
      rc = fail_msg(rf, err, NULL);
    }
  }
  lam_layers_free(ly);
  for (size_t k = 0; !rc && k < an->na; k++) {
    rc = read_attention(rf, an, k, i0, ntot, err);
    if (!rc) {
      rc = read_probe(rf, an, k, i0, ntot, err);
    }
  }
  if (rc) {
    lam_analysis_free(an);
    return rc;
  }
  *out = an;
  return LAM_OK;
}
