"""User code on the host, bounded: a case file's ``expect_`` functions run in a child process.

The harness never executes a case file in its own process.  Loading one
(``cases.load_user_file``) reads its case names, docstrings and ``TOLERANCE``
from the syntax tree only, so ``sys.exit()`` or ``while True: pass`` at its
top level cannot stop or hang ``cases``, ``scan`` or ``bisect``.  The
``expect_`` functions of a file run, when a case is first judged, in one
child process (``expect_child.py``, copied into a scratch folder that is
also its working directory) with ``EXPECT_TIMEOUT`` seconds for each
function (the first one's also covers loading the file); its whole process group is killed when it ends.  Arrays come back
as ``.npy`` files read without unpickling.  A file whose top level raises,
exits or hangs, or an ``expect_`` that does (or returns no numbers), makes
that case ``error`` with the reason (``ExpectFailed``); its siblings are
judged and stored as usual.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness import command

EXPECT_TIMEOUT = 60.0  # seconds for one expect_ function (the first also loads the file)
START_TIMEOUT = 120.0  # for the child's own start (Python and numpy), before any user code
CHILD = Path(__file__).with_name("expect_child.py")
POLL = 0.02

_lock = threading.Lock()
_done: dict[tuple[str, tuple[str, ...]], dict[str, dict]] = {}


class ExpectFailed(Exception):
    """An ``expect_`` function raised, hung, or returned something that is not numbers."""


def expected(path: str, name: str, names: Sequence[str]) -> tuple[tuple[np.ndarray, ...], tuple[str, ...]]:
    """``expect_<name>``'s arrays and the dtypes it chose (``""`` where none was chosen).

    ``names``: every case of the file with an ``expect_`` function; they are
    computed together, once per run, and cached.
    """
    key = (path, tuple(names))
    with _lock:  # one child per file, even when several releases are judged at once
        if key not in _done:
            _done[key] = _run(path, key[1])
    result = _done[key][name]
    if "error" in result:
        raise ExpectFailed(f"expect_{name} {result['error']}")
    return tuple(result["arrays"]), tuple(result["dtypes"])


def _run(path: str, names: tuple[str, ...]) -> dict[str, dict]:
    from harness.envs import scrubbed_env  # envs imports much more than this module needs

    with tempfile.TemporaryDirectory(prefix="harness-expect-") as tmp:
        folder = Path(tmp)
        out, cwd = folder / "out", folder / "cwd"
        out.mkdir()
        cwd.mkdir()
        shutil.copyfile(CHILD, folder / CHILD.name)
        log = folder / "child.log"
        proc = command.start([sys.executable, str(folder / CHILD.name), path, str(out),
                              str(os.getpid()), *names], env=scrubbed_env(), cwd=cwd, log=log)
        done, hung, started = 0, False, False
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while proc.poll() is None:
                if not started and (out / "started").exists():
                    started, deadline = True, time.monotonic() + EXPECT_TIMEOUT
                while done < len(names) and (out / f"{done}.json").exists():
                    done, deadline = done + 1, time.monotonic() + EXPECT_TIMEOUT
                if time.monotonic() > deadline:
                    hung = True
                    break
                time.sleep(POLL)
        finally:  # finished, hung or Ctrl-C: nothing the file started is left running
            command.kill_group(proc)
        results = {}
        for index, name in enumerate(names):
            results[name] = _read(out, index, hung, proc.returncode, log)
        return results


def _read(out: Path, index: int, hung: bool, returncode: int | None, log: Path) -> dict:
    path = out / f"{index}.json"
    if not path.exists():
        if hung:
            return {"error": f"did not finish within {EXPECT_TIMEOUT:g} s (stopped)"}
        why = command.signal_name(returncode) or f"exit code {returncode}"
        tail = command.tail(log.read_text(errors="replace"), 1)
        return {"error": f"did not run: the process running it died ({why}){': ' + tail if tail else ''}"}
    result = json.loads(path.read_text())
    if "error" not in result:
        try:
            result["arrays"] = [np.load(out / f"{index}_{k}.npy", allow_pickle=False)
                                for k in range(result["n"])]
        except (OSError, ValueError) as exc:
            return {"error": f"returned arrays that cannot be read back ({exc})"}
    return result
