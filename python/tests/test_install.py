"""`meson install` into a temporary prefix: the shared library with its
soname, the headers, laminar.pc, the program, the models and the Python
package; docs/api.md's pkg-config commands compiled and run as written."""
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT


@pytest.fixture(scope="module")
def dest(tmp_path_factory):
    meson = shutil.which("meson")
    if not meson:
        pytest.skip("meson not on PATH")
    d = tmp_path_factory.mktemp("dest")
    subprocess.run([meson, "install", "-C", str(BUILD), "--no-rebuild", "--quiet",
                    "--destdir", str(d)], check=True, capture_output=True)
    return d


def one(pattern):
    found = glob.glob(pattern, recursive=True)
    assert len(found) == 1, (pattern, found)
    return found[0]


def test_library_headers_pc(dest):
    lib = one(f"{dest}/**/liblaminar.so.*.*.*")
    soname = re.search(r"SONAME.*\[(.*)\]", subprocess.run(
        ["readelf", "-d", lib], check=True, capture_output=True, text=True).stdout).group(1)
    assert soname == "liblaminar.so.0"
    inc = os.path.dirname(one(f"{dest}/**/include/laminar/lam_sim.h"))
    assert not glob.glob(f"{inc}/*_private.h")
    one(f"{dest}/**/pkgconfig/laminar.pc")
    one(f"{dest}/**/share/laminar/models/default.ini")
    exe = one(f"{dest}/**/bin/laminar")
    out = subprocess.run([exe, "version"], check=True, capture_output=True, text=True).stdout
    assert out.startswith("laminar ")


def api_commands():
    """The sh block of docs/api.md that uses pkg-config."""
    text = (ROOT / "docs" / "api.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return one_block([b for b in blocks if "pkg-config" in b])


def one_block(blocks):
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_api_example_with_pkg_config(dest, tmp_path):
    pc = os.path.dirname(one(f"{dest}/**/pkgconfig/laminar.pc"))
    env = dict(os.environ, PKG_CONFIG_PATH=pc, PKG_CONFIG_SYSROOT_DIR=str(dest),
               LD_LIBRARY_PATH=os.path.dirname(pc))
    for d in ("scripts", "models"):
        os.symlink(ROOT / d, tmp_path / d)
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", api_commands()], cwd=tmp_path,
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "softmax attention" in r.stdout and "beta,mean_out" in r.stdout
    deps = subprocess.run(["ldd", str(tmp_path / "api_example")], env=env,
                          capture_output=True, text=True).stdout
    assert str(dest) in deps and "liblaminar.so.0" in deps  # the installed one


def test_installed_python_package(dest, tmp_path):
    site = os.path.dirname(one(f"{dest}/**/laminar/__init__.py"))
    code = ("import laminar, sys; r = laminar.run(laminar.Model(), t_end=0.01); "
            "print(laminar.__file__, laminar.model_path(), len(r.time))")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True, env=dict(os.environ, PYTHONPATH=os.path.dirname(site)))
    assert r.returncode == 0, r.stderr
    file, models, n = r.stdout.split()
    assert file.startswith(str(dest)) and models.startswith(str(dest)) and n == "11"
