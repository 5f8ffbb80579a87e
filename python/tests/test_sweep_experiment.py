"""Sweeps (rows, resume, bad input), experiments and the analysis."""
import json
import subprocess

import pytest

import laminar


def test_sweep_rows(default_model):
    rows = laminar.sweep(default_model, grid={"column.beta": (0.5, 4, 3)},
                         metrics=["attention_entropy"], t_end=0.1, jobs=2, frame=False)
    assert [r["column.beta"] for r in rows] == [0.5, 2.25, 4.0]
    assert all(r["status"] == "ok" for r in rows)
    # Sharper softmax (larger beta), lower entropy.
    e = [r["attention_entropy"] for r in rows]
    assert e[0] > e[1] > e[2]


def test_sweep_resumes(default_model, tmp_path):
    out = tmp_path / "s.csv"
    args = dict(values={"column.beta": [0.5, 1, 2, 4]}, metrics=["attention_entropy"],
                t_end=0.05, jobs=1, output=out, frame=False)
    calls = []

    def stop_after_two(done, todo, failed):
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        laminar.sweep(default_model, progress=stop_after_two, **args)
    first = laminar.read_sweep_table(out)
    assert len(first) == 2
    rows = laminar.sweep(default_model, **args)
    assert len(rows) == 4
    # The rows already there were kept, not run again.
    assert rows[:2] == first
    again = laminar.sweep(default_model, progress=lambda *a: calls.append(-1), **args)
    assert again == rows and calls[-1] != -1  # nothing ran, no row written


def test_sweep_bad_input(default_model):
    with pytest.raises(laminar.ModelError, match="column.betta"):
        laminar.sweep(default_model, grid={"column.betta": (0, 1, 2)}, metrics=["mean_l23"])
    with pytest.raises(laminar.ModelError, match="column.beta"):
        laminar.sweep(default_model, grid={"column.beta": ("a", "b", 2)}, metrics=["mean_l23"])
    with pytest.raises(laminar.ModelError, match="nosuch_metric"):
        laminar.sweep(default_model, grid={"column.beta": (1, 2, 2)}, metrics=["nosuch_metric"])
    with pytest.raises(laminar.ModelError, match="jobs"):
        laminar.sweep(default_model, grid={"column.beta": (1, 2, 2)}, jobs=0)


def test_experiments_registry():
    names = [e["name"] for e in laminar.experiments()]
    assert "pv-softmax" in names and "attention-identity" in names
    e = next(e for e in laminar.experiments() if e["name"] == "pv-softmax")
    assert e["id"] == "P4" and e["criterion"] and e["direction"] in (-1, 1)


def test_experiment_result(tmp_path):
    res = laminar.experiment("attention-identity", seeds=2, quick=True, output=tmp_path)
    assert res["verdict"] == "supported"
    lo, hi = res["ci95"]
    assert lo <= res["effect_size"] <= hi < -4
    assert res["seeds"] == 2 and len(res["effects"]) == 2
    assert {m["seed"] for m in res["metrics"]} == {1, 2}
    on_disk = json.loads((tmp_path / "attention-identity" / "result.json").read_text())
    assert on_disk["ci95"] == res["ci95"]
    with pytest.raises(laminar.ModelError, match="nosuch"):
        laminar.experiment("nosuch")


def test_analyze_equals_command_line(cli, default_model, tmp_path):
    out = tmp_path / "a.h5"
    r = laminar.run(default_model, t_end=1.0, output=out)
    a = laminar.analyze(r)
    ref = json.loads(subprocess.run([cli, "analyze", str(out), "--json", "-"], check=True,
                                    capture_output=True, text=True).stdout)
    assert a == ref
    assert a["layers"] and a["layers"][0]["gamma_power"] > 0
    assert laminar.analyze(str(out)) == a
    with pytest.raises(laminar.ModelError, match="output="):
        laminar.analyze(laminar.run(default_model, t_end=0.01))
    with pytest.raises(FileNotFoundError):
        laminar.analyze(tmp_path / "nosuch.h5")
