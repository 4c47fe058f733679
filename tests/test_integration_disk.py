"""The disk budget with real TensorFlow releases (network, a few minutes).

Both tests use their own uv cache (``UV_CACHE_DIR`` in a temporary folder),
so that what is measured and evicted is theirs alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness import disk, locks
from conftest import json_doc

pytestmark = pytest.mark.integration
ROOT = Path(__file__).parents[1]
WAITING_CASE = '''
import os, time


def case_waits(tf, np):
    open(os.environ["DISK_TEST_STARTED"], "w").close()
    for _ in range(6000):
        if os.path.exists(os.environ["DISK_TEST_GO"]):
            break
        time.sleep(0.05)
    import numpy.f2py  # loaded only now: the attack of issue 15 made this fail
    return tf.nn.conv2d(tf.constant(np.ones((1, 3, 3, 1), "float32")),
                        tf.constant(np.ones((2, 2, 1, 1), "float32")), [1, 1, 1, 1], "VALID")


def expect_waits(np):
    return np.full((1, 2, 2, 1), 4.0)
'''


def _footprint(*folders: Path) -> tuple[int, dict[Path, int]]:
    """Like ``du`` over all folders at once (blocks, each inode once), independent of
    the harness; also each environment's own size."""
    seen: set[tuple[int, int]] = set()
    total, per_env = 0, {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in (root, *(os.path.join(root, n) for n in files + dirs)):
                try:
                    st = os.lstat(name)
                except OSError:
                    continue
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_blocks * 512
    envs = folders[0]
    for env in (envs.iterdir() if envs.is_dir() else ()):
        if env.is_dir():
            per_env[env] = disk.tree_size(env)
    return total, per_env


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv"))
    monkeypatch.setenv("DISK_TEST_STARTED", str(tmp_path / "started"))
    monkeypatch.setenv("DISK_TEST_GO", str(tmp_path / "go"))
    (tmp_path / "waits.py").write_text(WAITING_CASE)
    return tmp_path


def _argv(world: Path, *extra: str, command: str = "scan") -> list[str]:
    return [sys.executable, "-m", "harness", command, "--cache-dir", str(world / "cache"),
            "--results", str(world / "results"), "--cases", str(world / "waits.py"), *extra]


def _run(world: Path, *extra: str, command: str = "scan") -> subprocess.CompletedProcess:
    return subprocess.run(_argv(world, *extra, command=command), capture_output=True, text=True,
                          cwd=ROOT, timeout=1800)


SCAN = ("scan", "--versions", "1.0.0,1.1.0,1.2.0,1.3.0", "-j", "1")
# the pipelined bisect: two runners, three builders, speculative builds stopped midway
# (what they unpacked into uv's cache is linked by nothing, and still counts)
BISECT = ("bisect", "--from", "1.0.0", "--to", "1.3.0", "-j", "2")


# GB: TF 1.0-1.3 environments take ~0.27 GB each, four of them do not fit; bisect with
# prefetch needs room for three at once
@pytest.mark.parametrize("command,budget", [(SCAN, 0.7), (BISECT, 0.9)], ids=["scan", "bisect"])
def test_peak_disk_of_a_real_run_stays_within_budget_plus_one_environment(world, command, budget):
    samples: list[int] = []
    largest_env = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, per_env = _footprint(world / "cache" / "envs", world / "uv")
            samples.append(total)
            largest_env[0] = max([largest_env[0], *per_env.values()])
            done.wait(0.5)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        run = _run(world, *command[1:], "--case", "seed_conv2d", "--disk-budget", str(budget),
                   "--json", str(world / "rows.json"), command=command[0])
    finally:
        done.set()
        sampler.join()
    assert run.returncode == 0, run.stderr
    if command == SCAN:
        assert "evicted" in run.stderr
        rows = json_doc(world / "rows.json", "scan")["rows"]
        assert [r["outcome"] for r in rows] == ["pass"] * 4
    else:
        (report,) = json_doc(world / "rows.json", "bisect")["cases"]
        assert {p["outcome"] for p in report["probes"]} == {"pass"}
    peak = max(samples)
    print(f"\nsampled peak {peak / disk.GB:.3f} GB over {len(samples)} samples; budget {budget} GB; "
          f"largest environment {largest_env[0] / disk.GB:.3f} GB; harness: "
          f"{[line for line in run.stdout.splitlines() if line.startswith('disk:')]}")
    assert peak <= budget * disk.GB + largest_env[0]
    assert "disk: measured peak" in run.stdout


def test_a_running_case_is_unharmed_by_another_run_evicting(world):
    first = subprocess.Popen(_argv(world, "--versions", "1.0.0", "--case", "waits", "-j", "1",
                                   "--disk-budget", "4"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 900
    while not (world / "started").exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (env,) = [p for p in (world / "cache" / "envs").iterdir() if p.is_dir()]
    # room for one environment: to build 1.1.0's, the second run wants 1.0.0's gone
    second = _run(world, "--versions", "1.1.0", "--case", "seed_conv2d", "-j", "1",
                  "--disk-budget", "0.35")
    assert second.returncode == 0, second.stderr
    assert env.exists() and (env / disk.INFO_FILE).exists() and locks.lock_path(env).exists()
    assert env.name not in second.stderr
    (world / "go").touch()
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    stored = json.loads((world / "results/runs/tensorflow/1.0.0/py3.6--default.json").read_text())
    assert stored["rows"]["waits"]["outcome"] == "pass", stored["rows"]["waits"]
    # with nobody inside any more, the next run over budget does evict it, lock file and all
    third = _run(world, "--versions", "1.2.0", "--case", "seed_conv2d", "-j", "1",
                 "--disk-budget", "0.35")
    assert third.returncode == 0, third.stderr
    assert env.name in third.stderr and not env.exists() and not locks.lock_path(env).exists()
    print(f"\nsecond run:\n{second.stderr}\nthird run:\n{third.stderr}")
