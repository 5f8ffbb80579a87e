"""Shared fixtures of the Python tests (run by meson test, suite python:
PYTHONPATH=BUILD/python, LAM_BUILD_ROOT=BUILD)."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LAM_BUILD_ROOT", ROOT / "build"))


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def build():
    return BUILD


@pytest.fixture
def cli():
    exe = BUILD / "cli" / "laminar"
    if not exe.exists():
        pytest.skip(f"no laminar program at {exe}")
    return str(exe)


@pytest.fixture
def default_model():
    return str(ROOT / "models" / "default.ini")
