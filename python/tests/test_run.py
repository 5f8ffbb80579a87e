"""Runs: the traces equal the command line's run file, the file laminar.run
writes is that file, progress, Ctrl-C, threads, and memory."""
import os
import resource
import signal
import subprocess
import threading

import h5py
import numpy as np
import pytest

import laminar


def test_traces_equal_command_line(cli, default_model, tmp_path):
    out = tmp_path / "py.h5"
    r = laminar.run(default_model, t_end=0.3, output=out)
    assert r.path == str(out) and out.exists() and not (tmp_path / "py.h5.part").exists()
    ref = tmp_path / "cli.h5"
    subprocess.run([cli, "run", default_model, "--t-end", "0.3", "-o", str(ref), "--quiet"],
                   check=True)
    with h5py.File(ref) as f, h5py.File(out) as g:
        np.testing.assert_array_equal(r.time, f["time"][:])
        assert set(r.traces) == set(f["traces"])
        for name, a in r.traces.items():
            np.testing.assert_array_equal(a, f["traces"][name][:])
            np.testing.assert_array_equal(g["traces"][name][:], f["traces"][name][:])
            assert r.units[name] == f["traces"][name].attrs["unit"]
        for name, a in r.final.items():
            np.testing.assert_array_equal(a, f["final"][name][:])
        assert g.attrs["complete"] == 1
        assert g.attrs["model"] == f.attrs["model"]
    assert r.attrs["nsteps"] > 0 and r.attrs["nfevals"] >= r.attrs["nsteps"]
    assert r.attrs["version"] == laminar.__version__
    assert "beta = 1" in r.attrs["model"]


def test_record_and_shapes(default_model):
    r = laminar.run(default_model, t_end=0.1, dt_record=0.01, record=["l23", "out"])
    assert set(r.traces) == {"l23", "out"}
    assert r.time.shape == (11,)
    np.testing.assert_allclose(r.time, np.linspace(0, 0.1, 11), atol=1e-12)
    assert r.traces["l23"].shape == (11, 8, 16)  # samples x columns x heads*d_k
    assert set(r.final) >= {"l23", "l4", "pv"}  # every population


def test_bad_run_arguments(default_model):
    with pytest.raises(laminar.ModelError, match="run.record.*nosuch"):
        laminar.run(default_model, t_end=0.1, record="nosuch")
    with pytest.raises(laminar.ModelError, match="run.t_end"):
        laminar.run(default_model, t_end=-1)
    with pytest.raises(laminar.ModelError, match="t_end"):
        laminar.run(default_model, t_end="long")
    with pytest.raises(FileNotFoundError):
        laminar.run("nosuch.ini")


def test_progress_callback(default_model):
    seen = []
    laminar.run(default_model, t_end=0.2, progress=lambda t, t_end: seen.append((t, t_end)))
    assert seen and seen[-1] == (pytest.approx(0.2), 0.2)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))


def test_progress_bar(default_model, capsys):
    laminar.run(default_model, t_end=0.1, progress=True)  # tqdm or the plain line


def test_callback_error_propagates_and_leaves_no_file(default_model, tmp_path):
    def boom(t, t_end):
        raise ValueError("from the callback")
    out = tmp_path / "x.h5"
    with pytest.raises(ValueError, match="from the callback"):
        laminar.run(default_model, t_end=0.5, output=out, progress=boom)
    assert os.listdir(tmp_path) == [] or set(os.listdir(tmp_path)) <= {"x.h5.lock"}


def test_keyboard_interrupt(default_model, tmp_path):
    """SIGINT during a run: KeyboardInterrupt within a fraction of a second,
    no run file and no FILE.part left."""
    out = tmp_path / "long.h5"
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        laminar.run(default_model, t_end=1000, output=out)
    timer.join()
    assert not out.exists() and not (tmp_path / "long.h5.part").exists()
    # And the next run works.
    assert len(laminar.run(default_model, t_end=0.01).time) == 11


def test_threads_independent(default_model):
    """Runs in threads of one process (the GIL released) give the serial
    results exactly."""
    ref = laminar.run(default_model, t_end=0.2, record="l23").traces["l23"]
    m = laminar.Model(default_model)
    m["column.beta"] = 2
    ref2 = laminar.run(m, t_end=0.2, record="l23").traces["l23"]
    res = {}

    def one(k, model):
        res[k] = laminar.run(model, t_end=0.2, record="l23").traces["l23"]
    ts = [threading.Thread(target=one, args=(k, default_model if k % 2 else m))
          for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for k in range(4):
        np.testing.assert_array_equal(res[k], ref if k % 2 else ref2)


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_memory_flat_over_100_runs(default_model):
    m = laminar.Model(default_model)
    for _ in range(5):
        laminar.run(m, t_end=0.02)
    before = rss_kb()
    for _ in range(100):
        r = laminar.run(m, t_end=0.02)
        del r
    grown = rss_kb() - before
    # One run's arrays are ~0.3 MB; a leak of them would add > 30 MB.
    assert grown < 8000, f"RSS grew by {grown} kB over 100 runs"


def test_to_xarray(default_model):
    xr = pytest.importorskip("xarray")
    ds = laminar.run(default_model, t_end=0.05, record="l23,pv,som").to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds["l23"].dims == ("time", "column", "head", "unit")
    assert ds["l23"].shape == (51, 8, 2, 8)
    assert ds["pv"].dims == ("time", "column", "head")
    assert ds["som"].dims == ("time", "column", "unit")


def test_solver_failure_is_run_error(default_model, tmp_path):
    """SUNDIALS' own message reaches the exception; the interpreter lives on
    and no file is left."""
    m = laminar.Model(default_model)
    m["solver.max_steps"] = 10
    with pytest.raises(laminar.RunError, match="(CVODE|ARKODE).*mxstep"):
        laminar.run(m, t_end=0.5, output=tmp_path / "f.h5")
    assert not (tmp_path / "f.h5").exists() and not (tmp_path / "f.h5.part").exists()
