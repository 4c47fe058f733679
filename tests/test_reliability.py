"""Faults cost nothing already measured: crashes, hangs, kills, failed installs, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import envs
from harness.cli import main
from harness.errors import EnvironmentBuildError
from harness.interpreters import discover

from fakeflow import build_wheel
from conftest import json_doc

pytestmark = pytest.mark.pipeline  # builds real uv environments from fake wheels

SIGNAL_CASES = '''
import os, signal


def case_a_ok(tf, np):
    return tf.constant(np.ones(2))


def case_b_segv(tf, np):
    import ctypes
    return ctypes.string_at(0)


def case_c_ok(tf, np):
    return tf.constant(np.ones(2))


def case_d_abort(tf, np):
    os.abort()


def case_e_fpe(tf, np):
    os.kill(os.getpid(), signal.SIGFPE)


def case_f_kill(tf, np):
    os.kill(os.getpid(), signal.SIGKILL)


def case_g_ok(tf, np):
    return tf.constant(np.ones(2))
'''

HANG_CASE = '''
import subprocess, time


def case_hang_with_child(tf, np):
    if tf.__version__ == "1.1.0":
        return tf.constant(np.zeros(1))  # only the newer release hangs
    child = subprocess.Popen(["sleep", "600"])
    with open({pidfile!r}, "w") as f:
        f.write(str(child.pid))
    while True:
        time.sleep(0.05)


def case_after_hang(tf, np):
    return tf.constant(np.zeros(1))
'''


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    (root / "wheels").mkdir()
    build_wheel(root / "wheels", "1.1.0")
    build_wheel(root / "wheels", "1.5.0")
    return root


def args(world: Path, *extra: str) -> list[str]:
    return [*extra, "--package", "fakeflow", "--find-links", str(world / "wheels"),
            "--cache-dir", str(world / "cache"), "--results", str(world / "results"), "-q"]


def rows_of(path: Path) -> dict:
    return {r["case"]: r for r in json_doc(path, "scan")["rows"]}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state  # a zombie is dead, only not yet reaped


@pytest.fixture(params=["forked", "unforked"])
def fork_mode(request, monkeypatch):
    """The runner forks a child per run of cases after the import (Linux, one thread),
    or, where forking is unsafe, is restarted after each crash: both must give the same rows."""
    if request.param == "unforked":
        monkeypatch.setenv("HARNESS_NO_FORK", "1")
    return request.param


def test_each_fatal_signal_costs_only_its_case(world, tmp_path, fork_mode):
    cases = tmp_path / "signals.py"
    cases.write_text(SIGNAL_CASES)
    out = tmp_path / "rows.json"
    assert main(args(world, "scan", "--versions", "1.1.0", "--cases", str(cases),
                     "--case", "?_*", "--json", str(out))) == 0
    rows = rows_of(out)
    assert rows["b_segv"]["outcome"] == "crash" and rows["b_segv"]["detail"].startswith("SIGSEGV")
    assert rows["d_abort"]["detail"].startswith("SIGABRT")
    assert rows["e_fpe"]["detail"].startswith("SIGFPE")
    assert rows["f_kill"]["detail"].startswith("SIGKILL")
    assert [rows[c]["outcome"] for c in ("a_ok", "c_ok", "g_ok")] == ["pass"] * 3


IMPORTS_CASES = '''
import os, sys


def _note(tf):
    with open({notes!r}, "a") as f:
        f.write("%d %d\\n" % (os.getppid(), id(tf)))


def case_a_ok(tf, np):
    _note(tf)
    return tf.constant(np.ones(2))


def case_b_abort_with_cause(tf, np):
    sys.stderr.write("2026-12-07 23:10:01.431800: F tensorflow/core/kernels/conv_ops.cc:65] Check failed: b\\n")
    sys.stderr.flush()
    os.abort()


def case_c_ok(tf, np):
    _note(tf)
    return tf.constant(np.ones(2))


def case_d_segv_no_cause(tf, np):
    import ctypes
    return ctypes.string_at(0)


def case_e_ok(tf, np):
    _note(tf)
    return tf.constant(np.ones(2))
'''


def test_a_forked_runner_imports_once_and_each_crash_keeps_its_own_cause(world, tmp_path, fork_mode):
    """Forked, the cases after each crash run in a new child of the one process that
    imported (the same parent, the same module object); unforked, the runner starts
    again.  Either way a crash's message is its own fatal line, not the previous crash's."""
    notes = tmp_path / "notes.txt"
    cases = tmp_path / "imports.py"
    cases.write_text(IMPORTS_CASES.format(notes=str(notes)))
    out = tmp_path / "rows.json"
    assert main(args(world, "scan", "--versions", "1.1.0", "--cases", str(cases),
                     "--case", "?_*", "--json", str(out), "--force")) == 0
    rows = rows_of(out)
    assert rows["b_abort_with_cause"]["detail"] == (
        "SIGABRT: tensorflow/core/kernels/conv_ops.cc:65] Check failed: b")
    assert rows["d_segv_no_cause"]["detail"] == "SIGSEGV"
    assert [rows[c]["outcome"] for c in ("a_ok", "c_ok", "e_ok")] == ["pass"] * 3
    parents = {line.split()[0] for line in notes.read_text().splitlines()}
    if fork_mode == "forked":
        assert len(parents) == 1 and parents != {str(os.getpid())}, "one imported parent forked every child"
    else:
        assert parents == {str(os.getpid())}, "unforked runners are children of the harness"


def test_hang_is_killed_with_its_process_group(world, tmp_path):
    pidfile = tmp_path / "child.pid"
    cases = tmp_path / "hang.py"
    cases.write_text(HANG_CASE.format(pidfile=str(pidfile)))
    out = tmp_path / "rows.json"
    assert main(args(world, "scan", "--versions", "1.5.0", "--cases", str(cases),
                     "--case", "*hang*", "--timeout", "2", "--json", str(out))) == 0
    rows = rows_of(out)
    assert rows["hang_with_child"]["outcome"] == "timeout"
    assert rows["hang_with_child"]["detail"] == "killed after 2 s"
    assert rows["after_hang"]["outcome"] == "pass"
    assert not alive(int(pidfile.read_text())), "the hung case's child process was left running"


def test_failed_install_is_skip_and_kept_for_inspection(tmp_path):
    (tmp_path / "wheels").mkdir()
    build_wheel(tmp_path / "wheels", "3.0.0", requires="numpy==0.0.0")
    out = tmp_path / "rows.json"
    # nothing could be measured: exit 1, the rows (and --json) still written
    assert main(["scan", "--package", "fakeflow", "--find-links", str(tmp_path / "wheels"),
                 "--cache-dir", str(tmp_path / "cache"), "--results", str(tmp_path / "results"),
                 "--case", "seed_conv2d", "--json", str(out), "-q"]) == 1
    row = rows_of(out)["seed_conv2d"]
    assert row["outcome"] == "skip"
    assert "cannot install fakeflow==3.0.0 on Python 3.6" in row["detail"]
    kept = row["detail"].split("kept for inspection: ")[1]
    assert kept.endswith(".failed") and Path(kept).is_dir()


def test_no_network_is_one_clear_line(tmp_path):
    py36 = next((i for i in discover() if i.short == "3.6"), None)
    if py36 is None:
        pytest.skip("no Python 3.6 here (uv builds the environment with it)")
    spec = envs.spec_for("fakeflow-never-cached", "9.9.9", py36, exclude_newer=None,
                         index_url="http://127.0.0.1:9/simple")
    with pytest.raises(EnvironmentBuildError) as err:
        envs.ensure(spec, tmp_path / "envs", offline=True, log=lambda _: None)
    assert str(err.value) == ("cannot download fakeflow-never-cached==9.9.9: no network and not in "
                              "uv's cache; environments built before still work; rerun when online")
    assert not list((tmp_path / "envs").glob("fakeflow*[!k]")), "no half-built environment is left"


def test_existing_environment_works_offline(world, tmp_path):
    out = tmp_path / "rows.json"
    assert main(args(world, "scan", "--versions", "1.5.0", "--case", "seed_conv2d")) == 0
    assert main(args(world, "scan", "--versions", "1.5.0", "--case", "seed_conv2d", "--force",
                     "--offline", "--json", str(out))) == 0
    assert rows_of(out)["seed_conv2d"]["outcome"] == "pass"


def _harness_process(world: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "harness", *args(world, *extra)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parents[1])


def test_ctrl_c_says_what_was_saved_and_leaves_no_runner(world, tmp_path):
    pidfile = tmp_path / "child.pid"
    cases = tmp_path / "hang.py"
    cases.write_text(HANG_CASE.format(pidfile=str(pidfile)))
    proc = _harness_process(world, "scan", "--cases", str(cases), "--case", "hang_with_child",
                            "--case", "seed_conv2d", "--timeout", "600", "--force", "-j", "1")
    deadline = time.monotonic() + 120
    while not pidfile.exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # wait until the second release's hung case runs
    assert pidfile.exists()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert re.match(r"interrupted: \d+ release run\(s\) were stored under", err.strip().splitlines()[-1])
    # what finished before Ctrl-C is on disk (1.1.0 never hangs; -j 1 runs it first)
    assert (world / "results" / "runs" / "fakeflow" / "1.1.0" / "py3.6--default.json").exists()
    assert "run the same command again to resume" in err and "Traceback" not in err
    child = int(pidfile.read_text())
    for _ in range(50):
        if not alive(child):
            break
        time.sleep(0.1)
    assert not alive(child)


def test_two_runs_at_once_share_results_and_caches(world, tmp_path):
    procs = [_harness_process(world, "scan", "--case", "seed_*", "--force") for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    for path in (world / "results" / "runs").rglob("*.json"):
        data = json.loads(path.read_text())
        assert data["schema"] == 1 and data["rows"]



def test_results_are_never_unpickled(world, tmp_path):
    cases = tmp_path / "pickle.py"
    cases.write_text(
        "def case_object_array(tf, np):\n"
        "    return np.array([{'payload': 1}], dtype=object)\n"
    )
    out = tmp_path / "rows.json"
    assert main(args(world, "scan", "--versions", "1.1.0", "--cases", str(cases),
                     "--case", "object_array", "--json", str(out))) == 0
    row = rows_of(out)["object_array"]
    assert row["outcome"] == "error" and "is not a numeric array" in row["detail"]
