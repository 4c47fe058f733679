"""The progress display (harness/progress.py): uv's lines, the ETA, live and plain modes,
and a real scan with stderr not a terminal (-v, --keep-logs)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rich.console import Console

from harness import progress
from harness.progress import Download

from conftest import json_doc
from fakeflow import build_wheel

ROOT = Path(__file__).parents[1]

# `uv pip install tensorflow==1.4.0` with UV_NO_PROGRESS=1, as uv 0.9 printed it here
UV_OUTPUT = """\
Using Python 3.6.15 environment at: v
Resolved 12 packages in 2.28s
Downloading numpy (16.2MiB)
Downloading protobuf (5.9MiB)
   Building html5lib==0.9999999
Downloading tensorflow (39.3MiB)
   Building markdown==2.6.9
 Downloaded protobuf
Downloading tensorflow-tensorboard (1.6MiB)
 Downloaded numpy
 Downloaded tensorflow-tensorboard
 Downloaded tensorflow
      Built html5lib==0.9999999
      Built markdown==2.6.9
Prepared 10 packages in 2.91s
Installed 12 packages in 606ms
 + bleach==1.5.0
 + tensorflow==1.4.0"""


def test_uv_lines_become_stages_with_downloaded_of_announced_sizes():
    download = Download()
    stages = [s for s in map(download.feed, UV_OUTPUT.splitlines()) if s is not None]
    assert stages == [
        "preparing",
        "downloading 0.0/16.2 MiB",
        "downloading 0.0/22.1 MiB",
        "building html5lib==0.9999999",
        "downloading 0.0/61.4 MiB",
        "building markdown==2.6.9",
        "downloading 5.9/61.4 MiB",
        "downloading 5.9/63.0 MiB",
        "downloading 22.1/63.0 MiB",
        "downloading 23.7/63.0 MiB",
        "downloaded 63.0 MiB, preparing",
        "installing",
        "installed",
    ]


@pytest.mark.parametrize("line,mib", [("Downloading a (512KiB)", 0.5), ("Downloading a (2.0GiB)", 2048.0),
                                      ("Downloading a (3MiB)", 3.0)])
def test_uv_sizes_in_every_unit(line, mib):
    download = Download()
    download.feed(line)
    assert download.total == pytest.approx(mib)


def test_eta_from_the_cost_model_before_anything_finished_then_from_the_pace():
    assert progress.eta(total=100, done=0, elapsed=5, workers=2) == 45  # model seconds / workers - spent
    assert progress.eta(total=100, done=0, elapsed=80, workers=2) == 0  # overrun: the text says so
    assert progress.eta(total=100, done=25, elapsed=30, workers=2) == 90  # 30 s per 25 cost
    assert progress.eta(total=100, done=100, elapsed=30, workers=2) == 0
    assert progress.eta(total=10, done=20, elapsed=30, workers=1) == 0  # never negative


@pytest.mark.parametrize("seconds,text", [(0, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (185, "3 min 05 s"),
                                          (3720, "1 h 02 min")])
def test_duration(seconds, text):
    assert progress.duration(seconds) == text


def plain_console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=False, width=200), buffer


def test_plain_mode_prints_one_line_per_stage_change_and_throttles_cases(monkeypatch):
    console, buffer = plain_console()
    clock = iter([100.0, 100.0, 101.0, 200.0, 200.0, 200.0, 200.0, 200.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock, 300.0))
    with progress.shown(console, quiet=False, verbose=False, costs=[10.0], workers=1) as display:
        assert display is not None and not display.live
        with progress.worker("1.0.0"):
            progress.stage("installing")
            progress.stage("installing")  # no change: no line
            progress.cases(0, 3, ready=False)
            progress.cases(0, 3, ready=True)
            progress.cases(1, 3, ready=True)  # within PLAIN_CASE_SECONDS: not printed
            progress.cases(2, 3, ready=True)
            progress.cases(2, 3, ready=False, restarts=1)
        progress.done(10.0)
    lines = buffer.getvalue().splitlines()
    assert lines[:5] == ["[1.0.0] installing", "[1.0.0] importing", "[1.0.0] case 1/3", "[1.0.0] case 3/3",
                         "[1.0.0] importing again (restart 1, after a crash or hang)"]
    assert lines[5].startswith("overall: 1/1 releases")
    assert "\x1b" not in buffer.getvalue() and "\r" not in buffer.getvalue()


def test_hooks_do_nothing_without_a_display_or_when_quiet():
    console, buffer = plain_console()
    progress.stage("installing")  # no display: no error, nothing
    assert progress.uv_lines() is None
    with progress.shown(console, quiet=True, verbose=True, costs=[1.0]) as display:
        assert display is None
        with progress.worker("1.0.0"):
            progress.stage("installing")
            assert progress.uv_lines() is None
    assert buffer.getvalue() == ""


def test_uv_lines_are_bound_to_the_worker_and_shown_with_verbose():
    for verbose in (False, True):
        console, buffer = plain_console()
        with progress.shown(console, quiet=False, verbose=verbose, costs=[1.0]):
            with progress.worker("2.0.0"):
                on_line = progress.uv_lines()
                # command.run calls it from its reader thread, which works for no worker itself
                reader = threading.Thread(target=on_line, args=("Resolved 3 packages in 1s",))
                reader.start()
                reader.join()
        out = buffer.getvalue()
        assert "[2.0.0] preparing" in out
        assert ("[2.0.0] uv: Resolved 3 packages in 1s" in out) == verbose


def test_live_mode_has_a_line_per_worker_prefetch_marked_and_the_overall_bar():
    console = Console(file=io.StringIO(), force_terminal=True, width=160, color_system=None)
    with progress.shown(console, quiet=False, verbose=False, costs=[10.0, 30.0], workers=2) as display:
        assert display.live
        with progress.worker("1.8.0"), progress.worker("2.0.0", speculative=True):
            on_line = progress.uv_lines()
            for line in ("Resolved 3 packages in 1s", "Downloading tensorflow (75.9MiB)"):
                on_line(line)
            shown = Console(file=io.StringIO(), width=160, record=True, color_system=None)
            shown.print(display.progress.get_renderable())
            text = shown.export_text()
    lines = text.splitlines()
    assert lines[0].startswith("overall") and "0/2 releases" in lines[0] and "left (cost model)" in lines[0]
    assert any(line.startswith("1.8.0") and "starting" in line for line in lines), text
    assert any(line.startswith("2.0.0 (prefetch)") and "downloading 0.0/75.9 MiB" in line
               for line in lines), text


# -- a real scan, stderr a pipe

CRASHING_CASE = '''
import os
import signal
import sys
import time


def case_crashes_loudly(tf, np):
    time.sleep(0.5)  # long enough for the supervisor's poll to see it running
    sys.stderr.write("about to crash: marker-7731\\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGSEGV)
'''


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("progress")
    (root / "wheels").mkdir()
    for version in ("1.0.0", "1.1.0"):
        build_wheel(root / "wheels", version)
    (root / "crash.py").write_text(CRASHING_CASE)
    return root


def scan(world: Path, name: str, *extra: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "harness", "scan", "--package", "fakeflow",
            "--find-links", str(world / "wheels"), "--cache-dir", str(world / name / "cache"),
            "--results", str(world / name / "results"), "--cases", str(world / "crash.py"),
            "--case", "seed_conv2d", "--case", "crashes_loudly", "--timeout", "20", "-j", "1",
            "--json", str(world / f"{name}.json"), *extra]
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")})


@pytest.mark.pipeline
def test_scan_with_stderr_a_pipe_prints_plain_event_lines_and_verbose_output(world):
    ran = scan(world, "verbose", "-v", "--keep-logs")
    assert ran.returncode == 0, ran.stderr
    err = ran.stderr
    assert "\x1b" not in err and "\r" not in err, "no control codes in plain mode"
    for version in ("1.0.0", "1.1.0"):
        for event in ("creating environment", "resolving", "importing"):
            assert f"[{version}] {event}\n" in err, (version, event, err)
        # the first case the supervisor's poll sees running (the next within 10 s: throttled)
        assert len(re.findall(rf"^\[{re.escape(version)}\] case [12]/2$", err, re.M)) == 1, err
        # "installing" after uv's "Prepared" line, which it leaves out when all is in its cache
        assert re.search(rf"^\[{re.escape(version)}\] install(ing|ed)$", err, re.M), err
    assert "overall: 1/2 releases" in err and "overall: 2/2 releases" in err
    # -v: uv's own output and the runner's, per worker
    assert "[1.0.0] uv: + fakeflow==1.0.0" in err and "[1.1.0] uv: + fakeflow==1.1.0" in err
    assert "[1.0.0] runner: about to crash: marker-7731" in err
    # the crash was the last case: no restart; a restart would say so
    assert "importing again" not in err
    # the end: a table of transitions on stdout
    table = [line for line in ran.stdout.splitlines() if "1.0.0 -> 1.1.0" in line]
    assert len(table) == 1 and "wrong -> pass" in table[0] and "seed_conv2d" in table[0], ran.stdout


@pytest.mark.pipeline
def test_keep_logs_names_the_kept_runner_log_of_a_crashed_case(world):
    ran = scan(world, "kept", "--keep-logs")
    assert ran.returncode == 0, ran.stderr
    rows = [r for r in json_doc(world / "kept.json", "scan")["rows"] if r["case"] == "crashes_loudly"]
    assert len(rows) == 2
    for r in rows:
        assert r["outcome"] == "crash" and r["detail"].startswith("SIGSEGV")
        path = Path(r["detail"].split("(log: ")[1].rstrip(")"))
        assert path.is_file() and path.name == "crashes_loudly.log"
        assert path.is_relative_to(world / "kept" / "cache" / "logs") and r["version"] in path.parent.parent.name
        assert "about to crash: marker-7731" in path.read_text()
    stored = (world / "kept" / "results" / "runs" / "fakeflow" / "1.1.0" / "py3.6--default.json").read_text()
    assert "crashes_loudly.log" in stored


@pytest.mark.pipeline
def test_without_verbose_or_keep_logs_neither_uv_output_nor_logs(world):
    ran = scan(world, "plain")
    assert ran.returncode == 0, ran.stderr
    assert "[1.0.0] importing" in ran.stderr  # the stages are there
    assert " uv: " not in ran.stderr and " runner: " not in ran.stderr
    rows = [r for r in json_doc(world / "plain.json", "scan")["rows"] if r["case"] == "crashes_loudly"]
    assert rows and all("(log:" not in r["detail"] for r in rows)
    assert not (world / "plain" / "cache" / "logs").exists()


@pytest.mark.pipeline
def test_quiet_prints_no_progress_at_all(world):
    ran = scan(world, "quiet", "-q", "-v")
    assert ran.returncode == 0, ran.stderr
    assert "[1.0.0]" not in ran.stderr and "overall:" not in ran.stderr and " uv: " not in ran.stderr


def test_overall_text_says_when_the_cost_model_is_overrun(monkeypatch):
    console, _ = plain_console()
    now = [1000.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    with progress.shown(console, quiet=False, verbose=False, costs=[20.0, 20.0], workers=2) as display:
        now[0] += 5
        assert display.overall_text() == "0/2 releases, 5 s elapsed, ~15 s left (cost model)"
        now[0] += 60
        assert display.overall_text() == "0/2 releases, 1 min 05 s elapsed, over the cost model's 20 s"
        display.finish(20.0)
        assert display.overall_text() == "1/2 releases, 1 min 05 s elapsed, ~1 min 05 s left (cost model)"
