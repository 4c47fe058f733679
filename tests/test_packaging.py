"""The wheel as pip users get it: built, installed into a fresh venv, run from a folder outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fakeflow import build_wheels

PROJECT = Path(__file__).parents[1]
pytestmark = pytest.mark.pipeline  # builds a wheel and a venv (tens of seconds)


def uv() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv with the built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run([uv(), "build", "--wheel", "--out-dir", str(root / "dist"), str(PROJECT)],
                   check=True, capture_output=True, text=True)
    (wheel,) = (root / "dist").glob("tf_bisect-*.whl")
    subprocess.run([uv(), "venv", "-q", "--python", sys.executable, str(root / "venv")], check=True)
    subprocess.run([uv(), "pip", "install", "-q", "--python", str(root / "venv" / "bin" / "python"),
                    str(wheel)], check=True, capture_output=True, text=True)
    return root / "venv" / "bin"


def test_every_subpackage_and_the_builtin_cases_are_in_the_wheel(installed):
    (wheel,) = (installed.parent.parent / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (PROJECT / "harness").rglob("__init__.py"):
        assert str(init.relative_to(PROJECT)) in names, f"{init} is left out of the wheel"
    for source in (PROJECT / "cases").rglob("*"):
        if source.is_file() and "__pycache__" not in source.parts:
            assert f"harness/_cases/{source.relative_to(PROJECT / 'cases')}" in names, source
    for script in (PROJECT / "harness" / "runner").glob("*.py"):
        assert f"harness/runner/{script.name}" in names
    for data in ("page.html", "uv.toml"):  # read at run time next to the modules
        assert f"harness/{data}" in names


def _run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(installed / "tf-bisect"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_console_script_lists_cases_and_bugs_from_any_folder(installed, tmp_path):
    done = _run(installed, tmp_path, "cases")
    assert done.returncode == 0 and len(done.stdout.split()) >= 124 and "seed_conv2d" in done.stdout.split()
    assert "tf-bisect" in _run(installed, tmp_path, "--version").stdout
    bad = _run(installed, tmp_path, "cases", "--timeout", "5")
    assert bad.returncode == 2 and bad.stderr.startswith("tf-bisect: error: unrecognized arguments: --timeout 5")
    assert not (tmp_path / "results").exists()


def test_installed_tool_scans_a_release_from_outside_the_checkout(installed, tmp_path):
    build_wheels(tmp_path / "wheels", versions=("1.1.0",))
    work = tmp_path / "elsewhere"
    work.mkdir()
    done = _run(installed, work, "scan", "--package", "fakeflow", "--find-links", str(tmp_path / "wheels"),
                "--cache-dir", str(tmp_path / "cache"), "--case", "seed_*", "--json", "-", "-q")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert {r["case"]: r["outcome"] for r in doc["rows"]} == {"seed_conv2d": "pass", "seed_conv1d": "pass"}
    assert list((work / "results" / "runs" / "fakeflow").iterdir()), "results land in the user's folder"


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("python3.6") is None and not (Path.home() / ".pyenv/versions").is_dir(),
                    reason="TF 1.0.0 needs a Python 3.6 here")
def test_installed_tool_scans_a_real_tensorflow_release(installed, tmp_path):
    done = _run(installed, tmp_path, "scan", "--versions", "1.0.0", "--case", "seed_*", "--json", "-", "-q")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [(r["version"], r["python"][:3], r["outcome"]) for r in rows] == [("1.0.0", "3.6", "pass")] * 2
