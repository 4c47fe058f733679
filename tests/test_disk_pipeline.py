"""Eviction across processes, in real uv environments built from fake wheels.

The attack of issue 15: a second run evicted the environment a first run's
case was still running in, and the first run stored the wrong row it got
(``No module named 'numpy.f2py'``).  Here the first run's case waits inside
its environment until the second run has tried to evict it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import locks

from fakeflow import build_wheel
from conftest import json_doc

pytestmark = pytest.mark.pipeline

WAITING_CASE = '''
import os, time


def case_waits(tf, np):
    open(os.environ["DISK_TEST_STARTED"], "w").close()
    for _ in range(2400):
        if os.path.exists(os.environ["DISK_TEST_GO"]):
            break
        time.sleep(0.05)
    import numpy.f2py  # loaded only now: what an eviction under it would break
    return tf.constant(np.ones(3))
'''
ROOT = Path(__file__).parents[1]


@pytest.fixture
def world(tmp_path):
    (tmp_path / "wheels").mkdir()
    for version in ("1.0.0", "1.1.0", "1.5.0"):
        build_wheel(tmp_path / "wheels", version)
    (tmp_path / "waits.py").write_text(WAITING_CASE)
    return tmp_path


def _argv(world: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "harness", "scan", "--package", "fakeflow",
            "--find-links", str(world / "wheels"), "--cache-dir", str(world / "cache"),
            "--results", str(world / "results"), "--cases", str(world / "waits.py"), *extra]


def _harness(world: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, DISK_TEST_STARTED=str(world / "started"), DISK_TEST_GO=str(world / "go"))
    return subprocess.Popen(_argv(world, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)


def _run(world: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_argv(world, *extra), capture_output=True, text=True, cwd=ROOT, timeout=300)


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _env_of(world: Path, version: str) -> Path:
    (env,) = [p for p in (world / "cache" / "envs").glob(f"fakeflow-{version}-*") if p.is_dir()]
    return env


def _stored(world: Path, version: str) -> dict:
    path = world / "results" / "runs" / "fakeflow" / version / "py3.6--default.json"
    return json.loads(path.read_text())["rows"] if path.exists() else {}


def test_an_environment_a_case_runs_in_is_not_evicted_by_another_run(world):
    first = _harness(world, "--versions", "1.1.0", "--case", "waits")
    _wait_for(world / "started", first)  # its case is running inside 1.1.0's environment
    env = _env_of(world, "1.1.0")
    # the second run's budget holds one environment: to build 1.5.0 it must evict 1.1.0's
    second = _run(world, "--versions", "1.5.0", "--case", "seed_conv2d", "--disk-budget", "0.15",
                  "-j", "1")
    assert second.returncode == 0, second.stderr
    assert env.exists() and locks.lock_path(env).exists()
    assert "fakeflow-1.1.0" not in second.stderr + second.stdout  # not evicted
    (world / "go").touch()
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert _stored(world, "1.1.0")["waits"]["outcome"] == "pass"
    # once nobody runs in it, the next run over budget evicts it, with its lock file
    third = _run(world, "--versions", "1.0.0", "--case", "seed_conv2d", "--disk-budget", "0.15",
                 "-j", "1")
    assert third.returncode == 0, third.stderr
    assert "evicted" in third.stderr and "fakeflow-1.1.0" in third.stderr
    assert not env.exists() and not locks.lock_path(env).exists()
    assert "disk: measured peak" in third.stdout


def test_rows_measured_in_an_environment_removed_under_them_are_not_stored(world):
    first = _harness(world, "--versions", "1.1.0", "--case", "waits", "--case", "seed_conv2d",
                     "--json", str(world / "rows.json"))
    _wait_for(world / "started", first)
    shutil.rmtree(_env_of(world, "1.1.0"))  # what a harness without locks (or rm -rf) does
    (world / "go").touch()
    out, err = first.communicate(timeout=300)
    # nothing was measured, so the scan says so and exits 1 (issue 16), storing nothing
    assert first.returncode == 1 and "nothing could be measured" in err, err
    assert _stored(world, "1.1.0") == {}
    rows = json_doc(world / "rows.json", "scan")["rows"]
    assert [r["outcome"] for r in rows] == ["skip", "skip"]
    assert all("changed while the cases ran; rows not stored" in r["detail"] for r in rows)


def test_an_archive_entry_removed_under_uv_is_fetched_again(tmp_path, monkeypatch):
    # uv keeps a pointer to the unzipped wheel; with the entry gone (a budget, a cache
    # cleaner), a rebuild used to fail "failed to read directory archive-v0/..." (a skip row)
    import shutil

    from conftest import json_doc
    from fakeflow import build_wheel

    from harness.cli import main

    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv"))
    (tmp_path / "wheels").mkdir()
    build_wheel(tmp_path / "wheels", "1.1.0")
    args = ["scan", "--package", "fakeflow", "--find-links", str(tmp_path / "wheels"),
            "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
            "--case", "seed_conv2d", "-q", "--force", "--json"]
    assert main([*args, str(tmp_path / "a.json")]) == 0
    gone = [e for e in (tmp_path / "uv" / "archive-v0").iterdir()
            if any(p.name.startswith("fakeflow-") for p in e.iterdir())]
    assert gone
    for entry in gone:
        shutil.rmtree(entry)
    shutil.rmtree(tmp_path / "cache" / "envs")
    assert main([*args, str(tmp_path / "b.json")]) == 0
    assert [r["outcome"] for r in json_doc(tmp_path / "b.json", "scan")["rows"]] == ["pass"]
