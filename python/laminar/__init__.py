"""laminar: laminar cortical-column microcircuits as ODE systems, from Python.

The package calls the C library directly (no subprocess): a model file or a
dict becomes typed parameters, checked by the same tables and with the same
messages as the command line; a run returns numpy arrays and can also write
the HDF5 file `laminar run` writes; sweeps, experiments and the analysis are
those of `laminar sweep`, `laminar experiment run` and `laminar analyze`.
The GIL is released while the library works. docs/python.md.

    import laminar
    m = laminar.Model(laminar.model_path("default.ini"))
    m["column.beta"] = 2
    r = laminar.run(m, t_end=1.0)
    r.traces["l23"].shape          # (samples, columns, units)
"""
import csv
import io
import json
import math
import numbers
import os
import shutil
import sys
import tempfile

import numpy as np

from . import _laminar
from ._laminar import ModelError, RunError
from ._progress import run_progress, count_progress

__all__ = ["Model", "Run", "run", "sweep", "experiments", "experiment", "analyze",
           "ModelError", "RunError", "model_path", "__version__"]
__version__ = _laminar.version


def _models_dir():
    """The shipped model files: beside the package when installed
    (PREFIX/share/laminar/models), else the source tree's models/."""
    here = os.path.dirname(os.path.abspath(__file__))
    cands = [os.environ.get("LAMINAR_MODELS", "")]
    # installed: PREFIX/lib/python3/dist-packages/laminar -> PREFIX/share/laminar/models
    p = here
    for _ in range(5):
        p = os.path.dirname(p)
        cands.append(os.path.join(p, "share", "laminar", "models"))
    try:
        from . import _paths
        cands.insert(1, _paths.MODELS)
    except ImportError:
        pass
    for c in cands:
        if c and os.path.isfile(os.path.join(c, "default.ini")):
            return c
    return None


def model_path(name="default.ini"):
    """The path of a shipped model file ("default.ini", "jansen-rit.ini", ...)."""
    d = _models_dir()
    if d is None:
        raise FileNotFoundError("laminar: the shipped models/ folder was not found "
                                "(set LAMINAR_MODELS to it)")
    p = os.path.join(d, name)
    if not os.path.isfile(p):
        raise FileNotFoundError(f"{p}: no such model file (models: "
                                f"{', '.join(sorted(os.listdir(d)))})")
    return p


def _text(key, value):
    """A Python value as model-file text, or None for an array."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ModelError(f"{key}: expected a finite number, found {v}")
        return repr(v)
    if isinstance(value, str):
        return value
    if isinstance(value, (np.ndarray, list, tuple)):
        return None
    raise ModelError(f"{key}: expected a number, a bool, a string or an array, "
                     f"found {type(value).__name__}")


class Model:
    """A model: a file (with overrides), or a dict of sections.

    Model(path, sets=None): the model file (and "section.key=value"
    overrides), read and checked as `laminar run` reads it.
    Model.from_dict(d): {section: {key: value}} (or {"section.key": value});
    values are numbers, bools, strings or arrays (weights wq/wk/wv, input x,
    coupling, ...). Any bad key or value raises ModelError naming the key.
    """

    def __init__(self, path=None, sets=None, *, _params=None):
        if _params is not None:
            self._p = _params
            self._path = None
            self._sets = []
            self._arrays = False
            return
        if path is None:
            path = model_path("default.ini")
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(2, f"{path}: no such model file", path)
        sets = [str(s) for s in (sets or [])]
        self._p = _laminar.load(path, sets)
        self._path = os.path.abspath(path)
        self._sets = list(sets)
        self._arrays = False

    @classmethod
    def from_dict(cls, d, kind=None):
        """A model from {section: {key: value}}; column.kind (or kind=) picks
        the model ("attention", "jansen-rit", "mejias2016", "wilson-cowan").
        Keys not given keep their table defaults (`laminar keys`)."""
        if not isinstance(d, dict):
            raise ModelError(f"from_dict: expected a dict of sections, found {type(d).__name__}")
        flat = []
        for sec, val in d.items():
            if isinstance(val, dict):
                flat += [(f"{sec}.{k}", v) for k, v in val.items()]
            else:
                flat.append((str(sec), val))
        for key, v in flat:
            if key == "column.kind":
                kind = kind or v
        if kind is not None and not isinstance(kind, str):
            raise ModelError(f"column.kind: expected one of {_laminar.kinds}, found {kind!r}")
        m = cls(_params=_laminar.new(kind or "attention"))
        # Numbers first: the arrays' expected shapes follow from them.
        scalars = [(k, v) for k, v in flat if _text(k, v) is not None and k != "column.kind"]
        arrays = [(k, v) for k, v in flat if _text(k, v) is None]
        for k, v in scalars:
            m._set(k, v)
        for k, v in arrays:
            m._set(k, v)
        _laminar.validate(m._p)
        return m

    def _set(self, key, value):
        if not isinstance(key, str):
            raise ModelError(f"expected a key 'section.key', found {key!r}")
        t = _text(key, value)
        if t is None:
            try:
                a = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise ModelError(f"{key}: expected an array of numbers") from None
            if a.ndim not in (1, 2):
                raise ModelError(f"{key}: expected a 1-D or 2-D array (rows x columns), "
                                 f"found {a.ndim}-D shape {a.shape}")
            self._p.set_array(key, a)
            self._arrays = True
        else:
            self._p.set(key, t)
            self._sets.append(f"{key}={t}")

    def set(self, key, value):
        """Set "section.key" to a number, bool, string or array (checked
        against the key's type, range and, for arrays, the model's shapes)."""
        self._set(key, value)
        if _text(key, value) is None:
            _laminar.validate(self._p)
        return self

    def __setitem__(self, key, value):
        self.set(key, value)

    def get(self, key):
        """The value of "section.key": float, int, bool or str (the file or
        "(array)" for a key whose array was given)."""
        text, typ = self._p.get(key)
        if typ == "real":
            return float(text)
        if typ == "int":
            return int(text)
        if typ == "bool":
            return text == "true"
        return text

    __getitem__ = get

    def keys(self):
        """Every "section.key" this model reads, in the order of its text."""
        return self._p.keys()

    def __contains__(self, key):
        return key in self.keys()

    def to_ini(self, path=None):
        """The model as model-file text (every key, defaults included, with
        units); with path, also written there."""
        t = self._p.text()
        if path is not None:
            with open(path, "w") as f:
                f.write(t)
        return t

    def copy(self):
        m = Model(_params=self._p.copy())
        m._path, m._sets, m._arrays = self._path, list(self._sets), self._arrays
        return m

    @property
    def kind(self):
        return self._p.kind

    @property
    def path(self):
        """The model file it was read from (None when built from a dict)."""
        return self._path

    def __repr__(self):
        src = self._path or "dict"
        return f"<laminar.Model {self.kind} from {src}, {len(self._sets)} keys set>"


def _as_model(model):
    if isinstance(model, Model):
        return model
    if isinstance(model, (str, os.PathLike)):
        return Model(model)
    if isinstance(model, dict):
        return Model.from_dict(model)
    raise ModelError(f"model: expected a laminar.Model, a model file or a dict, "
                     f"found {type(model).__name__}")


class Run:
    """A finished run: time (samples,), traces[pop] (samples x columns x
    units), final[pop] (columns x units, the state at t_end), units[pop],
    layers[pop], attrs (solver statistics and provenance: model text and
    hash, version, build), path (the HDF5 file written, or None)."""

    def __init__(self, d, heads):
        self.time = d["time"]
        self.traces = d["traces"]
        self.final = d["final"]
        self.units = d["units"]
        self.layers = d["layers"]
        self.unit_axes = d["unit_axes"]
        self.attrs = d["attrs"]
        self.path = d["path"]
        self._heads = heads

    def to_xarray(self):
        """The traces as an xarray.Dataset (dimensions time, column, head,
        unit; head only where the unit axis is head x ...). Needs xarray."""
        import xarray as xr
        data = {}
        for name, a in self.traces.items():
            ax = self.unit_axes.get(name, "")
            h = self._heads
            if h and ax.startswith("head x ") and a.shape[2] % h == 0:
                v = a.reshape(a.shape[0], a.shape[1], h, a.shape[2] // h)
                dims = ("time", "column", "head", "unit")
            elif h and ax == "head" and a.shape[2] == h:
                v, dims = a, ("time", "column", "head")
            else:
                v, dims = a, ("time", "column", "unit")
            data[name] = xr.Variable(dims, v, attrs={"unit": self.units[name],
                                                     "layer": self.layers[name],
                                                     "unit_axis": ax})
        attrs = {k: v for k, v in self.attrs.items() if isinstance(v, (int, float, str))}
        return xr.Dataset(data, coords={"time": ("time", self.time, {"unit": "s"})},
                          attrs=attrs)

    def __repr__(self):
        return (f"<laminar.Run {len(self.time)} samples to t = {self.time[-1]:g} s, "
                f"traces {', '.join(self.traces)}>")


def _seconds(name, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ModelError(f"{name}: expected a number of seconds, found {v!r}")
    return repr(float(v))


def run(model, t_end=None, dt_record=None, record=None, output=None, progress=None,
        command_line=None):
    """Run a model (a Model, a model file or a dict) from t = 0.

    t_end, dt_record, record set the [run] keys (record: population names,
    a list or "a,b"); output: also write the run file `laminar run -o`
    writes (HDF5, or CSV by extension); progress: a callable(t, t_end),
    True for a progress bar (tqdm when installed, a plain line otherwise),
    False for none; None: a bar inside Jupyter only. Ctrl-C stops the run
    with KeyboardInterrupt and leaves no file. Returns a Run."""
    m = _as_model(model)
    p = m._p.copy()
    if t_end is not None:
        p.set("run.t_end", _seconds("t_end", t_end))
    if dt_record is not None:
        p.set("run.dt_record", _seconds("dt_record", dt_record))
    if record is not None:
        p.set("run.record", record if isinstance(record, str) else ",".join(record))
    if output is not None:
        output = os.fspath(output)
    heads = None
    if p.kind == "attention":
        heads = int(p.get("network.heads")[0])
    with run_progress(progress) as cb:
        d = _laminar.run(p, output, cb, command_line)
    return Run(d, heads)


def _dims(arg, name, fmt):
    """{key: spec} or ["key=spec", ...] as "key=spec" strings."""
    if arg is None:
        return []
    if isinstance(arg, str):
        return [arg]
    if isinstance(arg, dict):
        return [f"{k}={fmt(k, v)}" for k, v in arg.items()]
    return [str(a) for a in arg]


def _grid(k, v):
    if isinstance(v, str):
        return v
    v = list(v)
    if not 3 <= len(v) <= 4:
        raise ModelError(f"grid {k}: expected (start, stop, n) or (start, stop, n, 'log'), "
                         f"found {v!r}")
    return ":".join(str(x) for x in v)


def _values(k, v):
    if isinstance(v, str):
        return v
    return ",".join(_text(k, x) or "" for x in v)


def _range(k, v):
    if isinstance(v, str):
        return v
    return ":".join(str(x) for x in v)


def _number(s):
    if s == "":
        return None
    try:
        return float(s)
    except ValueError:
        return s


def read_sweep_table(path):
    """The rows of a sweep table (CSV) as dicts, in the sweep's order (by
    the point column; with -j rows are written as points finish); metrics
    and swept values as numbers where they are numbers, ids as text.
    Comment lines ('#', in tables of earlier versions) are skipped."""
    with open(path, newline="") as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    rows = []
    for r in csv.DictReader(io.StringIO("".join(lines))):
        rows.append({k: (v if k in ("id", "point", "status", "error") else _number(v))
                     for k, v in r.items()})
    if rows and "point" in rows[0]:
        rows.sort(key=lambda r: int(r["point"]))
    return rows


def sweep(model, grid=None, values=None, lhs=None, ranges=None, design=None, metrics=(),
          jobs=1, output=None, t_end=None, dt_record=None, seed=1, restart=False,
          traces=None, progress=None, frame=None):
    """A parameter sweep, as `laminar sweep` (docs/sweeps.md).

    grid={"column.beta": (0.5, 4, 8)} (or (lo, hi, n, "log")),
    values={"clocks.gamma_hz": [30, 40]}, design="design.csv", or
    lhs=N with ranges={"key": (lo, hi)}; metrics: names
    (`laminar sweep --list-metrics`); jobs: worker processes; output: the
    CSV table, resumed when run again (None: a temporary one). Returns the
    rows: a pandas DataFrame when pandas is installed (frame=False: a list
    of dicts)."""
    m = _as_model(model)
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = [str(x) for x in metrics]
    g = _dims(grid, "grid", _grid)
    v = _dims(values, "values", _values)
    r = _dims(ranges, "ranges", _range)
    if lhs is not None and (isinstance(lhs, bool) or not isinstance(lhs, numbers.Integral)
                            or lhs < 1):
        raise ModelError(f"lhs: expected a number of points >= 1, found {lhs!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, numbers.Integral) or jobs < 1:
        raise ModelError(f"jobs: expected a number of worker processes >= 1, found {jobs!r}")
    tmp = None
    if output is None:
        tmp = tempfile.mkdtemp(prefix="laminar-sweep-")
        out = os.path.join(tmp, "sweep.csv")
    else:
        out = os.fspath(output)
    cmd = "laminar.sweep(" + ", ".join(
        [m.path or "<dict>"] + [f"grid {x}" for x in g] + [f"values {x}" for x in v] +
        [f"range {x}" for x in r] + [f"metric {x}" for x in metrics]) + ")"
    try:
        with count_progress(progress, "sweep", "points") as cb:
            summary = _laminar.sweep(
                m._p, g, v, r, None if design is None else os.fspath(design), int(lhs or 0),
                int(seed), metrics, int(jobs), out,
                float(t_end) if t_end is not None else 0.0,
                float(dt_record) if dt_record is not None else 0.0, bool(restart),
                None if traces is None else os.fspath(traces), cmd, cb)
        rows = read_sweep_table(out)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return _frame(rows, frame, summary)


def _frame(rows, frame, summary=None):
    if frame is None or frame:
        try:
            import pandas as pd
        except ImportError:
            if frame:
                raise
        else:
            df = pd.DataFrame(rows)
            if summary is not None:
                df.attrs.update(summary)
            return df
    return rows


def experiments():
    """The experiments (predictions): name, id, prediction, protocol,
    criterion, citation, ... as dicts, in report order."""
    return _laminar.experiments()


def experiment(name, model=None, seeds=10, quick=False, output=None, progress=None):
    """Run one experiment on a model file (default models/default.ini; a
    Model read from a file with its overrides) for seeds 1..seeds, as
    `laminar experiment run NAME`. Returns result.json's content (verdict,
    effect, ci, criterion, ...) plus "metrics" (the rows of metrics.csv);
    output: the folder DIR (DIR/NAME/ kept), None: a temporary one."""
    tmp = tempfile.mkdtemp(prefix="laminar-exp-")
    try:
        if model is None:
            path, sets = model_path("default.ini"), []
        elif isinstance(model, Model):
            if model._arrays or not model._path:
                path = os.path.join(tmp, "model.ini")
                if model._arrays:
                    raise ModelError("experiment: expected a model read from a file (its "
                                     "arrays given in code cannot be passed to an experiment)")
                model.to_ini(path)
                sets = []
            else:
                path, sets = model._path, list(model._sets)
        else:
            path, sets = os.fspath(model), []
            if not os.path.isfile(path):
                raise FileNotFoundError(2, f"{path}: no such model file", path)
        if isinstance(seeds, bool) or not isinstance(seeds, numbers.Integral) or seeds < 1:
            raise ModelError(f"seeds: expected a number of seeds >= 1, found {seeds!r}")
        outdir = os.fspath(output) if output is not None else os.path.join(tmp, "out")
        os.makedirs(outdir, exist_ok=True)
        with count_progress(progress, name, "seeds", experiment=True) as cb:
            res = _laminar.experiment(name, path, sets, int(seeds), bool(quick), outdir, cb)
        d = os.path.join(outdir, name)
        with open(os.path.join(d, "result.json")) as f:
            out = json.load(f)
        out.setdefault("verdict", res["verdict"])
        with open(os.path.join(d, "metrics.csv"), newline="") as f:
            out["metrics"] = [{k: (int(v) if k == "seed" else _number(v)) if k in ("value", "seed") else v
                               for k, v in row.items()}
                              for row in csv.DictReader(ln for ln in f if not ln.startswith("#"))]
        out["dir"] = d if output is not None else None
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def analyze(run_or_path, partial=False):
    """The analysis `laminar analyze RUN.h5 --json` prints, as a dict: per
    layer mean, band power, peak and coherence, segregation, PAC, attention
    entropy, LFP contacts, Granger between areas. A Run must have been
    written with output=."""
    if isinstance(run_or_path, Run):
        if run_or_path.path is None:
            raise ModelError("analyze: the run has no file: run it with output='run.h5'")
        path = run_or_path.path
    else:
        path = os.fspath(run_or_path)
    if not os.path.exists(path) and not (partial and os.path.exists(path + ".part")):
        raise FileNotFoundError(2, f"{path}: no such run file", path)
    return json.loads(_laminar.analyze(path, bool(partial)))
