"""The only place that starts subprocesses.

``run`` waits for a command and raises ``CommandFailed`` (argv, return code,
output tail) when it fails; ``start`` launches a long-lived child in its own
process group so that ``kill_group`` can take down everything it spawned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from harness.errors import HarnessError

TAIL_LINES = 15


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """Last ``lines`` non-empty lines of ``text``."""
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


class CommandFailed(HarnessError):
    """A command exited non-zero (or could not start)."""

    def __init__(self, argv: Sequence[str], returncode: int | None, output: str, *,
                 timed_out: bool = False) -> None:
        self.argv = list(argv)
        self.returncode = returncode  # None: it could not start, or it timed out (``timed_out``)
        self.timed_out = timed_out
        self.output_tail = tail(output)
        last = self.output_tail.splitlines()[-1] if self.output_tail else "no output"
        super().__init__(f"{Path(self.argv[0]).name} exited with {returncode}: {last}")


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    stop: threading.Event | None = None,
    on_line: Callable[[str], None] | None = None,
) -> str:
    """Run ``argv`` to completion and return its combined stdout+stderr.

    It runs in its own process group: on a timeout (or Ctrl-C) the whole
    group is killed, not only the direct child.  ``stop``: set by another
    thread, it kills the command the same way, which then fails with
    ``returncode`` None and "stopped: no longer needed".  ``on_line``: called
    with each output line as it comes (from another thread; the live display).
    """
    try:
        proc = subprocess.Popen(
            [str(a) for a in argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        raise CommandFailed(argv, None, f"cannot execute: {exc}") from None
    with _lock:
        _running.add(proc)
    reader = _Lines(proc, on_line) if on_line is not None else None

    def collect(wait: float | None) -> str:
        return reader.wait(wait) if reader else proc.communicate(timeout=wait)[0]

    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if stop is not None:
                wait = 0.2 if wait is None else min(wait, 0.2)
            try:
                out = collect(wait)
                break
            except subprocess.TimeoutExpired:
                if stop is not None and stop.is_set():
                    kill_group(proc)
                    out = collect(None)
                    raise CommandFailed(argv, None, f"{out}\nstopped: no longer needed") from None
                if deadline is not None and time.monotonic() >= deadline:
                    kill_group(proc)
                    out = collect(None)
                    raise CommandFailed(argv, None, f"{out}\ntimed out after {timeout} s",
                                        timed_out=True) from None
    except BaseException:
        kill_group(proc)
        raise
    finally:
        with _lock:
            _running.discard(proc)
    if proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, out)
    return out


class _Lines:
    """A command's output read line by line on a thread, each line handed to ``on_line``."""

    def __init__(self, proc: subprocess.Popen, on_line: Callable[[str], None]) -> None:
        self.proc, self.on_line, self.lines = proc, on_line, []
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            try:
                self.on_line(line.rstrip("\n"))
            except Exception:  # the display must never fail a build
                pass

    def wait(self, timeout: float | None) -> str:
        self.proc.wait(timeout=timeout)
        self.thread.join()
        return "".join(self.lines)


# Commands running now (in any thread).  Their own process group keeps the
# terminal's Ctrl-C from reaching them, so ``kill_running`` does it instead.
_running: set[subprocess.Popen] = set()
_lock = threading.Lock()


def kill_running() -> None:
    """SIGKILL the process group of every ``run`` command still running (Ctrl-C, SIGTERM)."""
    with _lock:
        procs = list(_running)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path,
    err: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new process group, its output going to ``log`` (stderr to ``err`` if given)."""
    with open(log, "ab") as out, open(err or os.devnull, "ab") as errors:
        return subprocess.Popen(
            [str(a) for a in argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out,
            stderr=errors if err else subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group of ``proc`` and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def signal_name(returncode: int | None) -> str | None:
    """``SIGSEGV`` for a child killed by signal 11 (negative return code)."""
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"
