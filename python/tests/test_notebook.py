"""python/examples/tour.ipynb executed headless (nbconvert, ipykernel), in
a temporary folder, so that it cannot rot."""
import time

import pytest

from conftest import ROOT


def test_tour_notebook(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    execute = pytest.importorskip("nbconvert.preprocessors")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(ROOT / "python" / "examples" / "tour.ipynb", as_version=4)
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # a debugger note on stderr
    t0 = time.monotonic()
    execute.ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(tmp_path)}})
    print(f"tour.ipynb executed in {time.monotonic() - t0:.1f} s")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3  # the figures
    text = "".join(o.get("text", "") for o in outputs)
    assert "supported" in text and (tmp_path / "tour.h5").exists()
