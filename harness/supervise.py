"""Supervising the runner: crashes, hangs, failed imports and Ctrl-C.

The runner runs all pending cases of a release in one process (the import
is paid once).  A case that kills the process is recorded as ``crash`` with
the signal and the fatal log line, a case that outlives ``--timeout`` has
its whole process group killed and is recorded as ``timeout``, and the
runner is restarted for the remaining cases.

Cases may not touch the user's files or outlive their run: the runner's
working directory is ``<job folder>/cwd`` (never the user's), and its whole
process group is killed whenever the runner ends, so whatever a case
spawned dies with it (a process that calls ``setsid`` itself escapes).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness import command
from harness import progress as display

IMPORT_FAILED = 3  # driver.py's exit code when the framework does not import
CRASHED = "crashed.txt"  # driver.py's list of the cases whose forked child died
POLL = 0.05


@dataclass(frozen=True)
class Skip(Exception):
    """The release cannot be measured here (no interpreter, install or import failed)."""

    reason: str
    python: str = ""


class Cancelled(Exception):
    """The run was interrupted (Ctrl-C in the main thread): stop, storing nothing partial."""


@dataclass(frozen=True)
class Limits:
    timeout: float  # per case
    import_timeout: float


def supervise(python: Path, driver: Path, out_dir: Path, n_cases: int, *, env: Mapping[str, str],
              limits: Limits, python_version: str, stop: threading.Event,
              keep_logs: Path | None = None) -> dict:
    """Run the driver until every case has a result file; return ready.json's content.

    Raises ``Skip`` when the framework cannot be imported (or the import
    crashes or hangs), ``Cancelled`` when ``stop`` is set.  ``keep_logs``: a
    folder where the runner log of a case that crashed or hung is kept as
    ``<case>.log``, its path named in the case's message.
    """
    # absolute (not resolved: a venv's bin/python is a symlink that must stay one)
    python, driver, out_dir = python.absolute(), driver.absolute(), out_dir.absolute()
    job = driver.with_name("job.json")
    cwd = driver.parent / "cwd"  # a case's relative paths land here, in its own job folder
    cwd.mkdir(exist_ok=True)
    ready: dict = {}
    attempt = 0
    while True:
        attempt += 1
        log_path = out_dir / f"runner-{attempt}.log"  # per start: a crash shows its own output
        if all((out_dir / f"{i}.json").exists() for i in range(n_cases)):
            return ready
        (out_dir / "ready.json").unlink(missing_ok=True)  # each start imports anew
        proc = command.start([str(python), str(driver), str(job), str(out_dir), str(os.getpid())],
                             env=dict(env), log=log_path, cwd=cwd)
        follow = display.runner_log(log_path)  # -v: the runner's output as it comes
        try:
            timed_out = _watch(proc, out_dir, n_cases, limits, stop, follow, restarts=attempt - 1)
        finally:  # ended, crashed, hung or Ctrl-C: leave nothing a case spawned behind
            command.kill_group(proc)
            follow(final=True)
        rc = proc.returncode
        _finish_crashes(out_dir, log_path, keep_logs, job)
        imported = (out_dir / "ready.json").exists()
        if imported:
            ready = json.loads((out_dir / "ready.json").read_text())
        if rc == IMPORT_FAILED and (out_dir / "import_error.json").exists():
            err = json.loads((out_dir / "import_error.json").read_text())
            raise Skip(f"import failed: {err['error_class']}: {err['message']}", python_version)
        if not imported:
            why = "hung" if timed_out else f"died ({command.signal_name(rc) or f'exit code {rc}'})"
            tail = command.tail(log_path.read_text(errors="replace"), 3).replace("\n", " | ")
            raise Skip(f"import {why}: {tail}", python_version)
        still = [i for i in range(n_cases) if not (out_dir / f"{i}.json").exists()]
        if not still:
            continue
        index = still[0]  # the runner works in order: the first missing one was running
        log = log_path.read_text(errors="replace")
        if timed_out:
            result = {"status": "timeout", "message": f"killed after {limits.timeout:g} s"}
        else:
            result = {"status": "crash", "message": crash_message(rc, log)}
        if keep_logs is not None:
            result["message"] += f" (log: {_keep_log(log, keep_logs, job, index)})"
        (out_dir / f"{index}.json").write_text(json.dumps(result))


def crash_message(returncode: int | None, log: str) -> str:
    """``SIGSEGV: <the fatal log line>``, or the exit code when no signal killed it."""
    what = command.signal_name(returncode) or f"exit code {returncode}"
    cause = crash_cause(log)
    return f"{what}: {cause}" if cause else what


def _finish_crashes(out_dir: Path, log_path: Path, keep_logs: Path | None, job: Path) -> None:
    """A forked runner records a crashed case as its return code and where its output
    starts in the log, and lists it in ``CRASHED`` (``driver.run_forked``); give it the
    message an unforked one gets."""
    listed = out_dir / CRASHED
    if not listed.exists():
        return
    log = log_path.read_bytes()
    for index in sorted({int(line) for line in listed.read_text().split()}):
        path = out_dir / f"{index}.json"
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if "message" in record:  # finished after an earlier start of the runner
            continue
        own = log[int(record.get("log_from") or 0):record.get("log_to")].decode(errors="replace")
        result = {"status": "crash", "message": crash_message(record.get("returncode"), own)}
        if keep_logs is not None:
            result["message"] += f" (log: {_keep_log(own, keep_logs, job, index)})"
        path.write_text(json.dumps(result))


def _keep_log(log: str, folder: Path, job: Path, index: int) -> Path:
    """Keep the runner output of case ``index`` (which crashed or hung) as ``folder/<case>.log``."""
    name = json.loads(job.read_text())["cases"][index]["name"]
    folder.mkdir(parents=True, exist_ok=True)
    kept = (folder / f"{name}.log").absolute()
    kept.write_text(log)
    return kept


# glog's prefix: "2026-11-27 23:10:01.431800: F tensorflow/core/kernels/conv_ops.cc:65] ..."
_GLOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: ([FEWI]) (.*)$")


def crash_cause(log: str) -> str:
    """The line that says why the process died, without run-specific timestamps.

    A fatal glog line (``F ...] Check failed: ...``) wins; otherwise the last
    line that names an error, glog warnings and info lines excepted (the
    ``dlerror: libcuda.so.1`` warning next to cuInit is no cause); otherwise nothing.
    """
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        match = _GLOG.match(line)
        if match and match.group(1) == "F":
            return match.group(2)[:300]
    for line in reversed(lines):
        match = _GLOG.match(line)
        if match and match.group(1) in "WI":  # "dlerror: libcuda.so.1 ..." warnings are not causes
            continue
        if any(word in line for word in ("Check failed", "Fatal", "Error", "error:")):
            return (match.group(2) if match else line)[:300]
    return ""


def _watch(proc, out_dir: Path, n_cases: int, limits: Limits, stop: threading.Event,
           follow=lambda: None, restarts: int = 0) -> bool:
    """Wait for ``proc``; kill its group when a case (or the import) overruns. True if killed.

    ``stop`` set by another thread (Ctrl-C) kills the runner and raises ``Cancelled``.
    ``follow`` is called at every poll (``-v`` prints the runner's new output lines).
    """
    done = 0  # the runner writes results in case order: only the next one can appear

    def progress() -> int:
        nonlocal done
        while done < n_cases and (out_dir / f"{done}.json").exists():
            done += 1
        return done + (out_dir / "ready.json").exists()

    seen = progress()
    display.cases(done, n_cases, ready=(out_dir / "ready.json").exists(), restarts=restarts)
    first = limits.timeout if (out_dir / "ready.json").exists() else limits.import_timeout
    deadline = time.monotonic() + first
    while proc.poll() is None:
        now = time.monotonic()
        current = progress()
        follow()
        if current != seen:
            seen, deadline = current, now + limits.timeout
            display.cases(done, n_cases, ready=True)
        if now > deadline:
            command.kill_group(proc)
            return True
        if stop.is_set():
            command.kill_group(proc)
            raise Cancelled()
        time.sleep(POLL)
    return False
