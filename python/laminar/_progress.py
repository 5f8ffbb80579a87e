"""Progress for laminar.run, sweep and experiment: a callback, or a bar
(tqdm when installed, notebook-aware through tqdm.auto; a plain line
otherwise)."""
import contextlib
import sys
import time


def _in_jupyter():
    ip = sys.modules.get("IPython")
    try:
        return ip is not None and "IPKernelApp" in ip.get_ipython().config
    except Exception:
        return False


def _bar(total, desc, unit):
    try:
        from tqdm import tqdm
    except ImportError:
        return _Line(total, desc, unit)
    if _in_jupyter():
        try:  # the notebook widget needs ipywidgets; the text bar works without
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm
        except ImportError:
            pass
    fmt = None
    if unit == "s":
        fmt = "{desc}: {percentage:3.0f}%|{bar}| {n:.4g}/{total:.4g} s [{elapsed}<{remaining}]"
    return tqdm(total=total, desc=desc, unit=unit, leave=False, bar_format=fmt)


class _Line:
    """A plain progress line, rewritten in place."""

    def __init__(self, total, desc, unit):
        self.total, self.desc, self.unit, self.n = total, desc, unit, 0
        self.t0 = self.last = time.monotonic()
        self.out = sys.stdout if _in_jupyter() else sys.stderr

    def update(self, k):
        self.n += k
        now = time.monotonic()
        if now - self.last >= 0.2 or self.n >= self.total:
            self.last = now
            frac = self.n / self.total if self.total else 1.0
            self.out.write(f"\r{self.desc}: {self.n:.4g} / {self.total:.4g} {self.unit} "
                           f"({100 * frac:3.0f}%), {now - self.t0:.1f} s")
            self.out.flush()

    def close(self):
        self.out.write("\r" + " " * 60 + "\r")
        self.out.flush()


def _want_bar(progress):
    return progress is True or (progress is None and _in_jupyter())


@contextlib.contextmanager
def _progress(progress, desc, unit, where):
    """The user's callback as given, or a bar driven by a callback whose
    arguments where(*args) turns into (position, total)."""
    if callable(progress):
        yield progress
        return
    if not _want_bar(progress):
        yield None
        return
    state = {}

    def cb(*args):
        pos, total = where(*args)
        if "bar" not in state:
            state["bar"] = _bar(total, desc, unit)
            state["pos"] = 0
        state["bar"].update(pos - state["pos"])
        state["pos"] = pos
    try:
        yield cb
    finally:
        if "bar" in state:
            state["bar"].close()


def run_progress(progress):
    """A callback(t, t_end) for a run, and the bar it drives (closed at exit)."""
    return _progress(progress, "laminar.run", "s", lambda t, t_end: (t, t_end))


def count_progress(progress, desc, unit, experiment=False):
    """A callback for sweeps (done, todo, failed) or experiments (name, seed,
    nseeds), and its bar."""
    if experiment:
        return _progress(progress, desc, unit, lambda name, seed, nseeds: (seed - 1, nseeds))
    return _progress(progress, desc, unit, lambda done, todo, failed: (done, todo))
