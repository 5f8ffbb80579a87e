/* _laminar.c: the CPython extension under the Python package `laminar`
 * (python/laminar/__init__.py, docs/python.md).
 *
 * Thin: a model is a lam_sim_params (sim/lam_sim_params.h) read from a file
 * with io/lam_params.h or built key by key; a run is lam_sim_run with an
 * observer that copies every recorded population into numpy buffers (and,
 * with an output, chains the recorder of io/lam_simrec.h, so the file is
 * the one `laminar run` writes); sweeps, experiments and analysis call
 * experiments/ and io/ as the command line does. The GIL is released while
 * the library works; the observer takes it back at most every 50 ms of wall
 * time to run Python's signal handlers (Ctrl-C) and the progress callback.
 * The library's status codes become exceptions (status_error below).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h" /* lam_cli_blas_single_thread (cli/blas.c) */
#include "lam_analysis_json.h"
#include "lam_config.h"
#include "lam_experiment.h"
#include "lam_model.h"
#include "lam_params.h"
#include "lam_recorder.h"
#include "lam_run_analyze.h"
#include "lam_runfile.h"
#include "lam_sim.h"
#include "lam_sim_params.h"
#include "lam_simrec.h"
#include "lam_sweep.h"

static PyObject *ModelError; /* laminar.ModelError (ValueError) */
static PyObject *RunError;   /* laminar.RunError (RuntimeError) */

static const char *const kinds[] = {"attention", "jansen-rit", "mejias2016",
                                    "wilson-cowan"};

/* The exception of a library status, with its message. A bad model or
 * argument is ModelError; a failed run (solver, non-finite state) RunError;
 * files OSError; memory MemoryError. An interrupted call keeps the
 * KeyboardInterrupt Python already raised, or raises one. */
static const char *kind_name(int k) {
  return k >= 0 && k < 4 ? kinds[k] : "?";
}

static PyObject *status_error(int rc, const lam_err *err) {
  if (rc == LAM_EINTERRUPT) {
    if (!PyErr_Occurred()) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
    return NULL;
  }
  if (PyErr_Occurred()) {
    return NULL; /* an error of a Python callback stopped the call */
  }
  const char *msg = err && err->msg[0] ? err->msg : lam_strerror(rc);
  PyObject *type = rc == LAM_ENOMEM                             ? PyExc_MemoryError
                   : rc == LAM_EIO                              ? PyExc_OSError
                   : rc == LAM_ESOLVER || rc == LAM_ENONFINITE ? RunError
                   : rc == LAM_EINTERNAL                        ? PyExc_RuntimeError
                   : rc == LAM_EUNSUPPORTED                     ? PyExc_NotImplementedError
                                                                : ModelError;
  PyErr_SetString(type, msg);
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- Params: a lam_sim_params ------------------------------------------ */

typedef struct {
  PyObject_HEAD
  lam_sim_params *p;
} Params;

static PyTypeObject ParamsType;

static PyObject *params_wrap(lam_sim_params *p) {
  Params *o = PyObject_New(Params, &ParamsType);
  if (!o) {
    lam_sim_params_free(p);
    return NULL;
  }
  o->p = p;
  return (PyObject *)o;
}

static void params_dealloc(Params *self) {
  lam_sim_params_free(self->p);
  PyObject_Free(self);
}

static PyObject *params_copy(Params *self, PyObject *noargs) {
  (void)noargs;
  lam_err err = {0, ""};
  lam_sim_params *c = lam_sim_params_copy(self->p, &err);
  return c ? params_wrap(c) : status_error(err.code ? err.code : LAM_ENOMEM, &err);
}

static PyObject *params_set(Params *self, PyObject *args) {
  const char *key, *value;
  if (!PyArg_ParseTuple(args, "ss", &key, &value)) {
    return NULL;
  }
  lam_err err = {0, ""};
  int rc = lam_sim_params_set(self->p, key, value, "Python", &err);
  return rc ? status_error(rc, &err) : Py_NewRef(Py_None);
}

/* set_array(key, array): a 2-D float64 array (1-D: one row). */
static PyObject *params_set_array(Params *self, PyObject *args) {
  const char *key;
  PyObject *obj;
  if (!PyArg_ParseTuple(args, "sO", &key, &obj)) {
    return NULL;
  }
  PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(
      obj, NPY_DOUBLE, 1, 2, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED | NPY_ARRAY_FORCECAST);
  if (!a) {
    PyErr_Clear();
    return PyErr_Format(ModelError, "%s: expected a 1-D or 2-D array of numbers", key);
  }
  size_t rows = PyArray_NDIM(a) == 2 ? (size_t)PyArray_DIM(a, 0) : 1;
  size_t cols = (size_t)PyArray_DIM(a, PyArray_NDIM(a) - 1);
  lam_err err = {0, ""};
  int rc = lam_sim_params_set_array(self->p, key, rows, cols, PyArray_DATA(a), &err);
  Py_DECREF(a);
  return rc ? status_error(rc, &err) : Py_NewRef(Py_None);
}

/* The table row of "section.key" ("area.NAME.section.key" too), or NULL. */
static const lam_param *find_param(const char *key) {
  const char *dot = strrchr(key, '.');
  if (!dot || (size_t)(dot - key) >= 128) {
    return NULL;
  }
  char sec[128];
  memcpy(sec, key, (size_t)(dot - key));
  sec[dot - key] = '\0';
  lam_sim_section s;
  if (!lam_sim_section_find(sec, &s)) {
    return NULL;
  }
  for (size_t i = 0; i < s.n; i++) {
    if (!strcmp(s.table[i].key, dot + 1)) {
      return &s.table[i];
    }
  }
  return NULL;
}

/* get(key) -> (text, type): type "real", "int", "bool", "choice", "path"
 * or "string". */
static PyObject *params_get(Params *self, PyObject *args) {
  const char *key;
  if (!PyArg_ParseTuple(args, "s", &key)) {
    return NULL;
  }
  char buf[4096];
  lam_err err = {0, ""};
  int rc = lam_sim_params_get(self->p, key, buf, sizeof buf, &err);
  if (rc) {
    return status_error(rc, &err);
  }
  static const char *const types[] = {"real", "int", "bool", "choice", "path", "string"};
  const lam_param *row = find_param(key);
  const char *type = row && (size_t)row->type < sizeof types / sizeof types[0]
                         ? types[row->type]
                         : "string";
  return Py_BuildValue("(ss)", buf, type);
}

static PyObject *params_text(Params *self, PyObject *noargs) {
  (void)noargs;
  char *t = lam_sim_params_text(self->p);
  if (!t) {
    return PyErr_NoMemory();
  }
  PyObject *s = PyUnicode_FromString(t);
  free(t);
  return s;
}

/* Every "section.key" the model reads, in the order of its text. */
static PyObject *params_keys(Params *self, PyObject *noargs) {
  (void)noargs;
  lam_sim_section sec[LAM_SIM_SECTIONS_MAX];
  size_t n = lam_sim_params_sections(self->p, sec);
  PyObject *list = PyList_New(0);
  for (size_t i = 0; list && i < n; i++) {
    for (size_t k = 0; k < sec[i].n; k++) {
      PyObject *s = PyUnicode_FromFormat("%s.%s", sec[i].name, sec[i].table[k].key);
      if (!s || PyList_Append(list, s)) {
        Py_XDECREF(s);
        Py_CLEAR(list);
        break;
      }
      Py_DECREF(s);
    }
  }
  return list;
}

static PyObject *params_kind(Params *self, void *closure) {
  (void)closure;
  return PyUnicode_FromString(kind_name(self->p->column.kind));
}

static PyObject *params_path(Params *self, void *closure) {
  (void)closure;
  return PyUnicode_FromString(self->p->path);
}

static PyMethodDef params_methods[] = {
    {"copy", (PyCFunction)params_copy, METH_NOARGS, "A deep copy."},
    {"set", (PyCFunction)params_set, METH_VARARGS, "set(key, text): a key from model-file text."},
    {"set_array", (PyCFunction)params_set_array, METH_VARARGS,
     "set_array(key, array): the array of a key that names a CSV file."},
    {"get", (PyCFunction)params_get, METH_VARARGS, "get(key) -> (text, type)."},
    {"text", (PyCFunction)params_text, METH_NOARGS, "The model as model-file text."},
    {"keys", (PyCFunction)params_keys, METH_NOARGS, "Every section.key the model reads."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef params_getset[] = {
    {"kind", (getter)params_kind, NULL, "column.kind", NULL},
    {"path", (getter)params_path, NULL, "the model file ('' when built in code)", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject ParamsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "laminar._laminar.Params",
    .tp_basicsize = sizeof(Params),
    .tp_dealloc = (destructor)params_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A whole model as typed parameters (lam_sim_params).",
    .tp_methods = params_methods,
    .tp_getset = params_getset,
};

/* A list of str as a C array (borrowed UTF-8; NULL on error). */
static const char **str_list(PyObject *list, size_t *n) {
  *n = (size_t)PyList_GET_SIZE(list);
  const char **v = calloc(*n + 1, sizeof *v);
  if (!v) {
    PyErr_NoMemory();
    return NULL;
  }
  for (size_t i = 0; i < *n; i++) {
    v[i] = PyUnicode_AsUTF8(PyList_GET_ITEM(list, (Py_ssize_t)i));
    if (!v[i]) {
      free(v);
      return NULL;
    }
  }
  return v;
}

/* load(path, sets) -> Params: a model file with "section.key=value"
 * overrides, checked as `laminar run` checks it. */
static PyObject *py_load(PyObject *mod, PyObject *args) {
  (void)mod;
  const char *path;
  PyObject *sets;
  if (!PyArg_ParseTuple(args, "sO!", &path, &PyList_Type, &sets)) {
    return NULL;
  }
  size_t n;
  const char **sv = str_list(sets, &n);
  if (!sv) {
    return NULL;
  }
  lam_err err = {0, ""};
  lam_sim_params *p = NULL;
  int rc = lam_params_load(path, sv, n, &p, &err);
  free(sv);
  return rc ? status_error(rc, &err) : params_wrap(p);
}

/* new(kind) -> Params at the tables' defaults. */
static PyObject *py_new(PyObject *mod, PyObject *args) {
  (void)mod;
  const char *kind;
  if (!PyArg_ParseTuple(args, "s", &kind)) {
    return NULL;
  }
  for (int k = 0; k < 4; k++) {
    if (!strcmp(kind, kinds[k])) {
      lam_err err = {0, ""};
      lam_sim_params *p = lam_sim_params_new(k, &err);
      return p ? params_wrap(p) : status_error(err.code ? err.code : LAM_ENOMEM, &err);
    }
  }
  return PyErr_Format(ModelError, "column.kind: expected one of %s, found '%s'",
                      LAM_COLUMN_KINDS, kind);
}

/* validate(params): build the simulation (array shapes, populations) and
 * free it: the errors a run would meet before it starts. */
static PyObject *py_validate(PyObject *mod, PyObject *args) {
  (void)mod;
  Params *p;
  if (!PyArg_ParseTuple(args, "O!", &ParamsType, &p)) {
    return NULL;
  }
  lam_err err = {0, ""};
  lam_sim *sim = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = lam_sim_new(p->p, &sim, &err);
  lam_sim_free(sim);
  Py_END_ALLOW_THREADS
  return rc ? status_error(rc, &err) : Py_NewRef(Py_None);
}

/* ---- run ------------------------------------------------------------------ */

/* What the observer collects: the time and each recorded population's
 * samples (n x ncols x nunits, grown by doubling), the recorder's observer
 * to chain, and the Python side (progress, signals). */
typedef struct run_ctx {
  lam_sim *sim;
  const lam_system *sys;
  size_t nrec;     /* recorded populations */
  size_t *pop;     /* their indices */
  size_t *width;   /* ncols * nunits */
  double **buf;    /* cap * width each */
  double *time;
  size_t n, cap;
  int has_rec;
  int from_file; /* the traces are read back from the HDF5 output */
  lam_sim_observer rec;
  PyObject *progress; /* callable(t, t_end) or None */
  double t_end, t_last, last_check;
} run_ctx;

static int grow(run_ctx *c, size_t cap) {
  double *t = realloc(c->time, cap * sizeof *t);
  if (!t) {
    return -1;
  }
  c->time = t;
  for (size_t k = 0; !c->from_file && k < c->nrec; k++) {
    double *b = realloc(c->buf[k], cap * c->width[k] * sizeof *b);
    if (!b) {
      return -1;
    }
    c->buf[k] = b;
  }
  c->cap = cap;
  return 0;
}

static int obs_begin(void *ctx, lam_sim *sim, const lam_run_opts *o, lam_err *err) {
  run_ctx *c = ctx;
  return c->has_rec && c->rec.begin ? c->rec.begin(c->rec.ctx, sim, o, err) : LAM_OK;
}

/* Python's turn: signal handlers (KeyboardInterrupt) and the progress
 * callback, with the GIL; non-zero when Python raised. */
static int python_turn(run_ctx *c, double t) {
  PyGILState_STATE g = PyGILState_Ensure();
  int bad = PyErr_CheckSignals() < 0;
  if (!bad && c->progress != Py_None) {
    PyObject *r = PyObject_CallFunction(c->progress, "dd", t, c->t_end);
    bad = r == NULL;
    Py_XDECREF(r);
  }
  PyGILState_Release(g);
  return bad;
}

static int obs_sample(void *ctx, lam_sim *sim, double t, const double *y, lam_err *err) {
  run_ctx *c = ctx;
  if (c->has_rec && c->rec.sample) {
    int rc = c->rec.sample(c->rec.ctx, sim, t, y, err);
    if (rc) {
      return rc;
    }
  }
  if (c->n == c->cap && grow(c, c->cap * 2)) {
    return LAM_NOMEM(err);
  }
  for (size_t k = 0; !c->from_file && k < c->nrec; k++) {
    c->sys->ops->observe(c->sys->self, c->pop[k], t, y, c->buf[k] + c->n * c->width[k]);
  }
  c->time[c->n++] = t;
  c->t_last = t;
  double w = now_s();
  if (w - c->last_check >= 0.05 || t >= c->t_end) {
    c->last_check = w;
    if (python_turn(c, t)) {
      return lam_err_set(err, LAM_EINTERRUPT, "interrupted");
    }
  }
  return LAM_OK;
}

static void obs_end(void *ctx, lam_sim *sim, double t, const double *y) {
  run_ctx *c = ctx;
  if (c->has_rec && c->rec.end) {
    c->rec.end(c->rec.ctx, sim, t, y);
  }
}

static void free_capsule(PyObject *cap) {
  free(PyCapsule_GetPointer(cap, "laminar.buffer"));
}

/* A numpy array over data (malloc'ed; the array frees it), or NULL (data
 * freed). */
static PyObject *owned_array(double *data, int nd, npy_intp *dims) {
  PyObject *a = PyArray_SimpleNewFromData(nd, dims, NPY_DOUBLE, data);
  PyObject *cap = a ? PyCapsule_New(data, "laminar.buffer", free_capsule) : NULL;
  if (!cap) {
    Py_XDECREF(a);
    free(data);
    return NULL;
  }
  if (PyArray_SetBaseObject((PyArrayObject *)a, cap)) {
    Py_DECREF(a);
    return NULL;
  }
  return a;
}

static int dict_set_steal(PyObject *d, const char *key, PyObject *v) {
  if (!v) {
    return -1;
  }
  int rc = PyDict_SetItemString(d, key, v);
  Py_DECREF(v);
  return rc;
}

/* The run's results as a dict: time, traces, final, units, layers, stats. */
static PyObject *run_result(run_ctx *c, const char *output) {
  const lam_system *s = c->sys;
  PyObject *res = PyDict_New(), *traces = PyDict_New(), *final = PyDict_New(),
           *units = PyDict_New(), *layers = PyDict_New(), *docs = PyDict_New(),
           *axes = PyDict_New();
  int bad = !res || !traces || !final || !units || !layers || !docs || !axes;
  npy_intp n = (npy_intp)c->n;
  if (!bad) {
    double *t = c->time;
    c->time = NULL;
    bad = dict_set_steal(res, "time", owned_array(t, 1, &n));
  }
  for (size_t k = 0; !bad && k < c->nrec; k++) {
    const lam_pop_info *pi = &s->pops[c->pop[k]];
    npy_intp dims[3] = {n, (npy_intp)pi->ncols, (npy_intp)pi->nunits};
    double *b = c->buf[k];
    c->buf[k] = NULL;
    bad = dict_set_steal(traces, pi->name, owned_array(b, 3, dims));
  }
  const double *y = lam_sim_state(c->sim);
  for (size_t p = 0; !bad && p < s->npops; p++) {
    const lam_pop_info *pi = &s->pops[p];
    npy_intp dims[2] = {(npy_intp)pi->ncols, (npy_intp)pi->nunits};
    double *b = malloc((size_t)(dims[0] * dims[1]) * sizeof *b);
    if (!b) {
      bad = 1;
      PyErr_NoMemory();
      break;
    }
    s->ops->observe(s->self, p, c->t_last, y, b);
    bad = dict_set_steal(final, pi->name, owned_array(b, 2, dims)) ||
          dict_set_steal(units, pi->name, PyUnicode_FromString(pi->unit)) ||
          dict_set_steal(layers, pi->name, PyUnicode_FromString(pi->layer ? pi->layer : "")) ||
          dict_set_steal(docs, pi->name, PyUnicode_FromString(pi->doc ? pi->doc : ""));
    /* What the unit axis indexes ("head x d_k (unit = head * d_k + k)"). */
    const char *ax = s->ops->unit_axis ? s->ops->unit_axis(s->self, p) : NULL;
    bad = bad || dict_set_steal(axes, pi->name, PyUnicode_FromString(ax ? ax : ""));
  }
  if (!bad) {
    lam_solver_stats st;
    double wall;
    lam_sim_stats(c->sim, &st, &wall);
    char *text = lam_sim_params_text(lam_sim_params_of(c->sim));
    uint64_t hash = 0;
    lam_sim_params_hash(lam_sim_params_of(c->sim), &hash);
    char hex[20];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)hash);
    PyObject *attrs = Py_BuildValue(
        "{s:l,s:l,s:l,s:l,s:l,s:l,s:i,s:d,s:d,s:d,s:d,s:d,s:s,s:s,s:s,s:s,s:s}",
        "nsteps", st.nsteps, "nfevals", st.nfevals, "netfails", st.netfails, "nniters",
        st.nniters, "nncfails", st.nncfails, "nliters", st.nliters, "last_order",
        st.last_order, "last_step", st.last_step, "solver_seconds", st.solver_seconds,
        "rhs_seconds", st.rhs_seconds, "wall_seconds", wall, "t_end", c->t_end, "model",
        text ? text : "", "model_hash", hex, "version", LAM_VERSION, "build", LAM_BUILD,
        "kind", kind_name(lam_sim_params_of(c->sim)->column.kind));
    free(text);
    bad = dict_set_steal(res, "attrs", attrs) || dict_set_steal(res, "traces", Py_NewRef(traces)) ||
          dict_set_steal(res, "final", Py_NewRef(final)) ||
          dict_set_steal(res, "units", Py_NewRef(units)) ||
          dict_set_steal(res, "layers", Py_NewRef(layers)) ||
          dict_set_steal(res, "docs", Py_NewRef(docs)) ||
          dict_set_steal(res, "unit_axes", Py_NewRef(axes)) ||
          dict_set_steal(res, "path", output ? PyUnicode_FromString(output) : Py_NewRef(Py_None));
  }
  Py_XDECREF(traces);
  Py_XDECREF(final);
  Py_XDECREF(units);
  Py_XDECREF(layers);
  Py_XDECREF(docs);
  Py_XDECREF(axes);
  if (bad) {
    Py_XDECREF(res);
    return NULL;
  }
  return res;
}

static void run_ctx_free(run_ctx *c) {
  for (size_t k = 0; c->buf && k < c->nrec; k++) {
    free(c->buf[k]);
  }
  free(c->buf);
  free(c->pop);
  free(c->width);
  free(c->time);
}

/* The recorded populations' traces from the run file just written, into
 * c's buffers (the samples the observer counted). */
static int read_back(run_ctx *c, const char *path, lam_err *err) {
  lam_runfile *rf = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = lam_runfile_open(path, 0, &rf, err);
  for (size_t k = 0; !rc && k < c->nrec; k++) {
    char name[160];
    size_t dims[3];
    snprintf(name, sizeof name, "/traces/%s", c->sys->pops[c->pop[k]].name);
    rc = lam_runfile_read(rf, name, 3, "samples x columns x units", 0, 0, &c->buf[k], dims,
                          err);
    if (!rc && (dims[0] != c->n || dims[1] * dims[2] != c->width[k])) {
      rc = LAM_INTERNAL(err, "the run file's traces differ from the run");
    }
  }
  lam_runfile_free(rf);
  Py_END_ALLOW_THREADS
  return rc;
}

/* run(params, output=None, progress=None, command_line=None) -> dict.
 * The run's length, sampling and populations are params' [run] keys. */
static PyObject *py_run(PyObject *mod, PyObject *args, PyObject *kw) {
  (void)mod;
  static char *names[] = {"params", "output", "progress", "command_line", NULL};
  Params *p;
  const char *output = NULL, *cmdline = NULL;
  PyObject *progress = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|zOz", names, &ParamsType, &p, &output,
                                   &progress, &cmdline)) {
    return NULL;
  }
  if (progress != Py_None && !PyCallable_Check(progress)) {
    return PyErr_Format(PyExc_TypeError, "progress: expected a callable(t, t_end), found %s",
                        Py_TYPE(progress)->tp_name);
  }
  lam_err err = {0, ""};
  run_ctx c;
  memset(&c, 0, sizeof c);
  c.progress = progress;
  lam_recorder *rec = NULL;
  int *flags = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = lam_sim_new(p->p, &c.sim, &err);
  Py_END_ALLOW_THREADS
  if (rc) {
    return status_error(rc, &err);
  }
  c.sys = lam_sim_system(c.sim);
  lam_run_opts o = lam_run_defaults(c.sim);
  c.t_end = o.t_end;
  flags = calloc(c.sys->npops, sizeof *flags);
  c.pop = calloc(c.sys->npops, sizeof *c.pop);
  c.width = calloc(c.sys->npops, sizeof *c.width);
  c.buf = calloc(c.sys->npops, sizeof *c.buf);
  rc = flags && c.pop && c.width && c.buf ? lam_sim_record_flags(c.sim, flags, &err)
                                          : LAM_NOMEM(&err);
  for (size_t i = 0; !rc && i < c.sys->npops; i++) {
    if (flags[i]) {
      c.pop[c.nrec] = i;
      c.width[c.nrec++] = c.sys->pops[i].ncols * c.sys->pops[i].nunits;
    }
  }
  /* With an HDF5 output the recorder observes every recorded population at
   * every sample already: the traces are read back from the file after the
   * run rather than observed twice (observing the attention populations
   * costs about a fifth of a default run). */
  const char *ext = output ? strrchr(output, '.') : NULL;
  c.from_file = ext && (!strcmp(ext, ".h5") || !strcmp(ext, ".hdf5"));
  if (!rc) {
    double ns = floor(o.t_end / o.dt_record + 1e-9) + 2.0;
    rc = grow(&c, ns < 1e6 ? (size_t)ns : 1024) ? LAM_NOMEM(&err) : LAM_OK;
  }
  if (!rc && output) {
    rec = lam_recorder_open(output, c.sys, flags, &err);
    rc = rec ? LAM_OK : err.code;
    if (rec) {
      c.has_rec = 1;
      c.rec = lam_simrec_observer(rec);
    }
  }
  char *part = NULL;
  if (!rc) {
    lam_sim_observer obs = {&c, obs_begin, obs_sample, obs_end, NULL};
    o.record = flags;
    o.command_line = cmdline;
    c.last_check = now_s();
    part = rec ? strdup(lam_recorder_path(rec)) : NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = lam_sim_run(c.sim, &o, &obs, &err);
    Py_END_ALLOW_THREADS
  }
  if (rec) {
    /* A run that did not finish leaves no file: its FILE.part goes. */
    lam_err cerr = {0, ""};
    int crc = lam_recorder_close(rec, rc == LAM_OK, &cerr);
    if (rc && part) {
      unlink(part);
    }
    if (!rc && crc) {
      rc = crc;
      err = cerr;
    }
  }
  free(part);
  if (!rc && c.from_file) {
    rc = read_back(&c, output, &err);
  }
  PyObject *res = rc ? status_error(rc, &err) : run_result(&c, output);
  run_ctx_free(&c);
  free(flags);
  lam_sim_free(c.sim);
  return res;
}

/* ---- sweeps ----------------------------------------------------------- */

typedef struct sweep_ctx {
  PyObject *progress;
  int pyerr;
  volatile sig_atomic_t stop;
} sweep_ctx;

/* After every row: Python's signal handlers and the callback. */
static void sweep_progress(void *ctx, size_t done, size_t todo, size_t failed) {
  sweep_ctx *c = ctx;
  PyGILState_STATE g = PyGILState_Ensure();
  int bad = PyErr_CheckSignals() < 0;
  if (!bad && c->progress != Py_None) {
    PyObject *r = PyObject_CallFunction(c->progress, "nnn", (Py_ssize_t)done,
                                        (Py_ssize_t)todo, (Py_ssize_t)failed);
    bad = r == NULL;
    Py_XDECREF(r);
  }
  if (bad) {
    c->pyerr = 1;
    c->stop = 1;
  }
  PyGILState_Release(g);
}


/* sweep(params, grids, values, ranges, design, lhs, seed, metrics, jobs,
 *       output, t_end, dt_record, restart, traces, command, progress)
 * -> dict(points, skipped, ran, failed): `laminar sweep`, into output. */
static PyObject *py_sweep(PyObject *mod, PyObject *args) {
  (void)mod;
  Params *p;
  PyObject *grids, *values, *ranges, *metrics, *progress;
  const char *design, *output, *traces, *command;
  Py_ssize_t lhs, jobs;
  unsigned long seed;
  double t_end, dt_record;
  int restart;
  if (!PyArg_ParseTuple(args, "O!O!O!O!znkO!nsddpzsO", &ParamsType, &p, &PyList_Type, &grids,
                        &PyList_Type, &values, &PyList_Type, &ranges, &design, &lhs, &seed,
                        &PyList_Type, &metrics, &jobs, &output, &t_end, &dt_record, &restart,
                        &traces, &command, &progress)) {
    return NULL;
  }
  size_t ng, nv, nr, nm;
  const char **g = str_list(grids, &ng), **v = g ? str_list(values, &nv) : NULL,
             **r = v ? str_list(ranges, &nr) : NULL, **m = r ? str_list(metrics, &nm) : NULL;
  PyObject *res = NULL;
  lam_sweep_spec *sp = m ? lam_sweep_spec_new() : NULL;
  lam_err err = {0, ""};
  int rc = LAM_OK;
  if (!m) {
    goto done;
  }
  if (!sp) {
    res = PyErr_NoMemory();
    goto done;
  }
  for (size_t i = 0; !rc && i < ng; i++) {
    rc = lam_sweep_add_grid(sp, g[i], &err);
  }
  for (size_t i = 0; !rc && i < nv; i++) {
    rc = lam_sweep_add_values(sp, v[i], &err);
  }
  for (size_t i = 0; !rc && i < nr; i++) {
    rc = lam_sweep_add_range(sp, r[i], &err);
  }
  if (!rc && design) {
    rc = lam_sweep_load_design(sp, design, &err);
  }
  if (!rc) {
    rc = lam_sweep_build(sp, (size_t)lhs, seed, &err);
  }
  if (!rc) {
    rc = lam_sweep_validate(p->p, sp, &err);
  }
  if (rc) {
    res = status_error(rc, &err);
    goto done;
  }
  sweep_ctx c = {progress, 0, 0};
  lam_sweep_opts o = lam_sweep_defaults();
  o.metrics = m;
  o.nmetrics = nm;
  o.t_end = t_end;
  o.dt_record = dt_record;
  o.jobs = (int)jobs;
  o.output = output;
  o.traces_dir = traces;
  o.command = command;
  o.restart = restart;
  o.stop = &c.stop;
  o.progress = sweep_progress;
  o.ctx = &c;
  lam_sweep_summary sum;
  memset(&sum, 0, sizeof sum);
  Py_BEGIN_ALLOW_THREADS
  rc = lam_sweep_run(p->p, sp, &o, &sum, &err);
  Py_END_ALLOW_THREADS
  if (c.pyerr && !rc) {
    rc = LAM_EINTERRUPT; /* the last row was written; Python raised after it */
  }
  res = rc ? status_error(rc, &err)
           : Py_BuildValue("{s:n,s:n,s:n,s:n}", "points", (Py_ssize_t)sum.points, "skipped",
                           (Py_ssize_t)sum.skipped, "ran", (Py_ssize_t)sum.ran, "failed",
                           (Py_ssize_t)sum.failed);
done:
  lam_sweep_spec_free(sp);
  free(g);
  free(v);
  free(r);
  free(m);
  return res;
}

/* ---- experiments ------------------------------------------------------ */

static PyObject *py_experiments(PyObject *mod, PyObject *noargs) {
  (void)mod;
  (void)noargs;
  PyObject *list = PyList_New(0);
  for (size_t i = 0; list && i < lam_experiment_count(); i++) {
    const lam_experiment *e = lam_experiment_get(i);
    PyObject *d = Py_BuildValue(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:d}", "name", e->name, "id", e->id,
        "prediction", e->prediction, "category", e->category, "protocol", e->protocol,
        "manipulation", e->manipulation, "metric", e->metric, "effect", e->effect,
        "citation", e->citation, "criterion", e->criterion.text, "direction",
        e->criterion.direction, "threshold", e->criterion.threshold);
    if (!d || PyList_Append(list, d)) {
      Py_XDECREF(d);
      Py_CLEAR(list);
    }
    Py_XDECREF(d);
  }
  return list;
}

typedef struct exp_ctx {
  PyObject *progress;
  int pyerr;
  volatile sig_atomic_t stop;
} exp_ctx;

static void exp_progress(void *ctx, const char *name, size_t seed, size_t nseeds) {
  exp_ctx *c = ctx;
  PyGILState_STATE g = PyGILState_Ensure();
  int bad = PyErr_CheckSignals() < 0;
  if (!bad && c->progress != Py_None) {
    PyObject *r = PyObject_CallFunction(c->progress, "snn", name, (Py_ssize_t)seed,
                                        (Py_ssize_t)nseeds);
    bad = r == NULL;
    Py_XDECREF(r);
  }
  if (bad) {
    c->pyerr = 1;
    c->stop = 1;
  }
  PyGILState_Release(g);
}

/* experiment(name, model_path, sets, seeds, quick, outdir, progress) ->
 * dict(verdict, effect, lo, hi, nseeds, wall_seconds); DIR/NAME/ written. */
static PyObject *py_experiment(PyObject *mod, PyObject *args) {
  (void)mod;
  const char *name, *model, *outdir;
  PyObject *sets, *progress;
  Py_ssize_t seeds;
  int quick;
  if (!PyArg_ParseTuple(args, "ssO!npsO", &name, &model, &PyList_Type, &sets, &seeds, &quick,
                        &outdir, &progress)) {
    return NULL;
  }
  const lam_experiment *e = lam_experiment_find(name);
  if (!e) {
    return PyErr_Format(ModelError, "experiment '%s': not found (laminar.experiments() "
                        "lists them)", name);
  }
  size_t ns;
  const char **s = str_list(sets, &ns);
  if (!s) {
    return NULL;
  }
  exp_ctx c = {progress, 0, 0};
  lam_exp_opts o;
  memset(&o, 0, sizeof o);
  o.model_path = model;
  o.sets = (char **)s;
  o.nsets = ns;
  o.nseeds = (size_t)seeds;
  o.quick = quick;
  o.outdir = outdir;
  o.progress = exp_progress;
  o.ctx = &c;
  o.stop = &c.stop;
  lam_exp_result r;
  memset(&r, 0, sizeof r);
  lam_err err = {0, ""};
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = lam_experiment_run(e, &o, &r, &err);
  Py_END_ALLOW_THREADS
  free(s);
  if (c.pyerr) {
    return NULL;
  }
  if (rc) {
    return status_error(rc, &err);
  }
  return Py_BuildValue("{s:s,s:s,s:d,s:d,s:d,s:n,s:d}", "name", e->name, "verdict",
                       lam_verdict_name(r.verdict), "effect", r.effect, "lo", r.lo, "hi",
                       r.hi, "nseeds", (Py_ssize_t)r.nseeds, "wall_seconds", r.wall_seconds);
}

/* ---- analysis --------------------------------------------------------- */

/* analyze(path, partial) -> the JSON text `laminar analyze --json` writes. */
static PyObject *py_analyze(PyObject *mod, PyObject *args) {
  (void)mod;
  const char *path;
  int partial;
  if (!PyArg_ParseTuple(args, "sp", &path, &partial)) {
    return NULL;
  }
  lam_err err = {0, ""};
  lam_runfile *f = NULL;
  lam_analysis *an = NULL;
  char *text = NULL, status[160] = "";
  size_t len = 0;
  int rc, incomplete = 0;
  Py_BEGIN_ALLOW_THREADS
  rc = lam_runfile_open(path, partial ? LAM_RUNFILE_PARTIAL : 0, &f, &err);
  if (!rc) {
    incomplete = !lam_runfile_complete(f);
    snprintf(status, sizeof status, "%s", lam_runfile_status(f));
    lam_analysis_opts o = lam_analysis_defaults();
    rc = lam_run_analyze(f, &o, &an, &err);
    lam_runfile_free(f);
  }
  if (!rc) {
    FILE *mem = open_memstream(&text, &len);
    if (!mem) {
      rc = LAM_NOMEM(&err);
    } else {
      lam_analysis_json(mem, an, path, incomplete ? status : NULL);
      rc = fclose(mem) ? LAM_NOMEM(&err) : LAM_OK;
    }
  }
  lam_analysis_free(an);
  Py_END_ALLOW_THREADS
  PyObject *res = rc ? status_error(rc, &err) : PyUnicode_FromStringAndSize(text, (Py_ssize_t)len);
  free(text);
  return res;
}

/* ---- the module ------------------------------------------------------- */

static PyMethodDef module_methods[] = {
    {"load", py_load, METH_VARARGS, "load(path, sets) -> Params"},
    {"new", py_new, METH_VARARGS, "new(kind) -> Params"},
    {"validate", py_validate, METH_VARARGS, "validate(params): build it, or raise"},
    {"run", (PyCFunction)(void (*)(void))py_run, METH_VARARGS | METH_KEYWORDS,
     "run(params, output=None, progress=None, command_line=None) -> dict"},
    {"sweep", py_sweep, METH_VARARGS, "sweep(...) -> summary dict"},
    {"experiments", py_experiments, METH_NOARGS, "the registry of experiments"},
    {"experiment", py_experiment, METH_VARARGS, "experiment(...) -> result dict"},
    {"analyze", py_analyze, METH_VARARGS, "analyze(path, partial) -> JSON text"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_laminar",
                                        "The C library under the package laminar.", -1,
                                        module_methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__laminar(void) {
  import_array();
  /* GSL's default handler aborts the process: the library checks every
   * status itself (as the command line does, cli/main.c). */
  gsl_set_error_handler_off();
  /* OpenBLAS on one thread for the process, as the program sets it: the
   * same sums in the same order as `laminar` (bit-equal results), and no
   * spinning BLAS workers beside the library's own threads (cli/blas.c). */
  lam_cli_blas_single_thread();
  if (PyType_Ready(&ParamsType) < 0) {
    return NULL;
  }
  PyObject *m = PyModule_Create(&module_def);
  if (!m) {
    return NULL;
  }
  ModelError = PyErr_NewExceptionWithDoc(
      "laminar.ModelError",
      "A model, a key, a value or an argument laminar cannot take; the message "
      "names the key and what was expected.",
      PyExc_ValueError, NULL);
  RunError = PyErr_NewExceptionWithDoc(
      "laminar.RunError", "A run that failed: the solver gave up or the state became "
      "non-finite.", PyExc_RuntimeError, NULL);
  if (!ModelError || !RunError || PyModule_AddObjectRef(m, "ModelError", ModelError) ||
      PyModule_AddObjectRef(m, "RunError", RunError) ||
      PyModule_AddObjectRef(m, "Params", (PyObject *)&ParamsType) ||
      PyModule_AddStringConstant(m, "version", LAM_VERSION) ||
      PyModule_AddStringConstant(m, "kinds", LAM_COLUMN_KINDS)) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
