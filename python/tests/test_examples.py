"""scripts/examples run from another folder, as a user would run them
(short runs: T_END / --t-end)."""
import csv
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT

EX = ROOT / "scripts" / "examples"


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(ln for ln in f if not ln.startswith("#")))


def env():
    return dict(os.environ, LAMINAR=str(BUILD / "cli" / "laminar"), T_END="0.1")


def test_sweep_sh(tmp_path, cli):
    r = subprocess.run([str(EX / "sweep.sh")], cwd=tmp_path, env=env(), capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    got = rows(tmp_path / "beta_gamma.csv")
    assert len(got) == 12 and all(x["status"] == "ok" for x in got)


def test_sweep_from_python(tmp_path):
    r = subprocess.run([sys.executable, str(EX / "sweep_from_python.py"), "--t-end", "0.1",
                        "--traces"], cwd=tmp_path, env=env(), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "16 ok, 0 failed of 16 points" in r.stdout
    assert (tmp_path / "sweep_heatmap.png").stat().st_size > 0
    assert (tmp_path / "sweep_best_trace.png").stat().st_size > 0


def test_sweep_from_r(tmp_path, cli):
    if not shutil.which("Rscript"):
        pytest.skip("Rscript missing (Debian r-base-core)")
    r = subprocess.run(["Rscript", str(EX / "sweep_from_r.R")], cwd=tmp_path, env=env(),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "16 ok, 0 failed" in r.stdout
