"""kill -9 of the harness at random moments never corrupts the results store.

Not in the default suite (``-m stress``): ~50 runs of a few seconds each.
Every run scans the fake releases; it is SIGKILLed after a random delay;
then every results file must parse with the current schema, and no runner
may be left behind.  Half the runs resume (no --force), half rewrite.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fakeflow import build_wheels
from conftest import json_doc

pytestmark = pytest.mark.stress
RUNS = int(os.environ.get("STRESS_RUNS", "50"))


def runners_left(marker: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "runner.py" in cmdline and marker in cmdline:
                pids.append(int(proc.name))
    return pids


def test_kill_9_never_corrupts_and_next_run_resumes(tmp_path):
    build_wheels(tmp_path / "wheels")
    argv = [sys.executable, "-m", "harness", "scan", "--package", "fakeflow",
            "--find-links", str(tmp_path / "wheels"), "--cache-dir", str(tmp_path / "cache"),
            "--results", str(tmp_path / "results"), "--timeout", "2", "--case", "seed_*", "-q"]
    rng = random.Random(20261127)
    corrupt, killed = 0, 0
    for n in range(RUNS):
        proc = subprocess.Popen(argv + (["--force"] if n % 2 else []), cwd=Path(__file__).parents[1],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 3.0))  # a run starts faster since interpreter probes are cached
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        for path in (tmp_path / "results").rglob("*.json"):
            try:
                data = json.loads(path.read_text())
                assert data["schema"] == 1 and isinstance(data["rows"], dict)
            except (ValueError, AssertionError, KeyError):
                corrupt += 1
    print(f"\nstress: {RUNS} runs, {killed} killed mid-run, {corrupt} corrupt results files")
    assert corrupt == 0
    assert killed >= RUNS // 2, "the delays must actually interrupt runs"
    deadline = time.monotonic() + 5
    while runners_left(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert runners_left(str(tmp_path)) == [], "kill -9 left runner processes behind"
    final = subprocess.run(argv + ["--json", str(tmp_path / "final.json")], cwd=Path(__file__).parents[1],
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    rows = json_doc(tmp_path / "final.json", "scan")["rows"]
    assert len(rows) == 12 and {r["outcome"] for r in rows} >= {"pass", "wrong", "crash", "timeout"}
