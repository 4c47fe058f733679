"""Compiled modules (.pyc): written once inside an environment used again, never in a user's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import envs
from harness.cli import main

from fakeflow import build_wheels


def test_only_a_case_runner_in_an_environment_used_again_writes_them():
    assert envs.bytecode_vars() == {}  # driver.py stops after the framework's import
    assert envs.bytecode_vars(script=True) == {"PYTHONDONTWRITEBYTECODE": "1"}
    assert envs.bytecode_vars(fresh=True) == {"PYTHONDONTWRITEBYTECODE": "1"}


def test_harness_no_bytecode_writes_none(monkeypatch):
    monkeypatch.setenv("HARNESS_NO_BYTECODE", "1")
    assert envs.bytecode_vars() == {"PYTHONDONTWRITEBYTECODE": "1"}


def test_the_users_own_settings_do_not_reach_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", "/somewhere/else")
    out = envs.python_env(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in out and "PYTHONPYCACHEPREFIX" not in out
    envs.BUILT_HERE.add(tmp_path)
    try:
        assert envs.python_env(tmp_path)["PYTHONDONTWRITEBYTECODE"] == "1"
    finally:
        envs.BUILT_HERE.discard(tmp_path)


SCRIPT = """
import helper
import fakeflow
print(helper.VALUE)
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    root = tmp_path_factory.mktemp("bytecode")
    build_wheels(root / "wheels", versions=("1.1.0",))
    return root / "wheels"


def _pycs(folder: Path) -> set[str]:
    return {p.name.split(".")[0] for p in folder.rglob("*.pyc")}


@pytest.mark.pipeline
@pytest.mark.parametrize("python", ["3.6", "3.9"])
def test_a_scan_compiles_the_framework_once_in_its_environment_and_nothing_of_the_users(
        wheels, tmp_path, monkeypatch, python):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # as on this machine: the harness decides
    user = tmp_path / "user"
    user.mkdir()
    (user / "helper.py").write_text("VALUE = 42\n")
    (user / "repro.py").write_text(SCRIPT)

    def run(*args: str) -> None:
        assert main([*args, "--package", "fakeflow", "--find-links", str(wheels), "--python", python,
                     "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                     "--versions", "1.1.0", "--force", "-q"]) == 0

    envs.BUILT_HERE.clear()
    run("scan", "--case", "seed_conv2d")
    (env,) = (p for p in (tmp_path / "cache" / "envs").glob("fakeflow-*") if p.is_dir())
    package = next(env.glob("lib/python*/site-packages")) / "fakeflow"
    assert not (package / "__pycache__").exists(), \
        "the run that built the environment writes none (it may be its only one)"

    envs.BUILT_HERE.clear()  # as in the next harness process
    run("scan", "--case", "seed_conv2d")
    assert "__init__" in _pycs(package)
    first = {p: p.stat().st_mtime_ns for p in env.rglob("*.pyc")}

    run("scan", "--case", "seed_conv2d")
    assert {p: p.stat().st_mtime_ns for p in env.rglob("*.pyc")} == first, "read, not written again"

    run("scan", "--script", str(user / "repro.py"))
    assert not list(user.rglob("*.pyc")), "a script's own folder gets no __pycache__"
    assert {p: p.stat().st_mtime_ns for p in env.rglob("*.pyc")} == first, "a script writes none"


@pytest.mark.pipeline
def test_harness_no_bytecode_leaves_the_environment_as_built(wheels, tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_NO_BYTECODE", "1")
    envs.BUILT_HERE.clear()
    assert main(["scan", "--package", "fakeflow", "--find-links", str(wheels), "--python", "3.9",
                 "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                 "--versions", "1.1.0", "--case", "seed_conv2d", "-q"]) == 0
    (env,) = (p for p in (tmp_path / "cache" / "envs").glob("fakeflow-*") if p.is_dir())
    assert not [p for p in env.rglob("*.pyc") if "fakeflow" in p.parts], "only what wheels ship"
