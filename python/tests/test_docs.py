"""The Python blocks of docs/python.md run as written, in order, in one
interpreter, in a temporary folder; its sh block too."""
import os
import re
import subprocess
import sys

from conftest import BUILD, ROOT


def blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", (ROOT / "docs" / "python.md").read_text(), re.S)


def test_python_blocks(tmp_path):
    code = "\n".join(blocks("python"))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert "unknown key" in r.stdout and "supported" in r.stdout
    assert (tmp_path / "beta2.h5").exists() and (tmp_path / "beta.csv").exists()


def test_sh_block(tmp_path):
    # From the repository root as the docs say, with the build tree under test.
    (sh,) = blocks("sh")
    sh = sh.replace("build/python", str(BUILD / "python")).replace("python3", sys.executable)
    r = subprocess.run(["bash", "-c", sh], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == __import__("laminar").__version__
