"""The only place that starts subprocesses.

``run`` waits for a command and raises ``CommandFailed`` (argv, return code,
output tail) when it fails; ``start`` launches a long-lived child in its own
process group so that ``kill_group`` can take down everything it spawned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.errors import HarnessError

TAIL_LINES = 15


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """Last ``lines`` non-empty lines of ``text``."""
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


class CommandFailed(HarnessError):
    """A command exited non-zero (or could not start)."""

    def __init__(self, argv: Sequence[str], returncode: int | None, output: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
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
) -> str:
    """Run ``argv`` to completion and return its combined stdout+stderr.

    ``stop``: set by another thread, it kills the command (its whole process
    group), which then fails like a timeout (``returncode`` None).
    """
    if stop is not None:
        return _run_stoppable(argv, env=env, cwd=cwd, timeout=timeout, stop=stop)
    try:
        proc = subprocess.run(
            [str(a) for a in argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            text=True,
            errors="replace",
        )
    except FileNotFoundError as exc:
        raise CommandFailed(argv, None, f"cannot execute: {exc}") from None
    except subprocess.TimeoutExpired as exc:
        out = exc.output if isinstance(exc.output, str) else ""
        raise CommandFailed(argv, None, f"{out}\ntimed out after {timeout} s") from None
    if proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, proc.stdout)
    return proc.stdout


def _run_stoppable(argv: Sequence[str], *, env: Mapping[str, str] | None, cwd: Path | None,
                   timeout: float | None, stop: threading.Event) -> str:
    with tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.Popen([str(a) for a in argv], env=dict(env) if env is not None else None,
                                    cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except FileNotFoundError as exc:
            raise CommandFailed(argv, None, f"cannot execute: {exc}") from None
        deadline = None if timeout is None else time.monotonic() + timeout
        why = ""
        while proc.poll() is None:
            if stop.is_set():
                why = "stopped: no longer needed"
            elif deadline is not None and time.monotonic() > deadline:
                why = f"timed out after {timeout} s"
            if why:
                kill_group(proc)
                break
            time.sleep(0.1)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if why:
        raise CommandFailed(argv, None, f"{text}\n{why}")
    if proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, text)
    return text


def start(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` in a new process group, its output going to ``log``."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(a) for a in argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
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
