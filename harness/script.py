"""``--script FILE``: the user's own reproducer, run unchanged in each release's environment.

The script runs with the release's interpreter (``python FILE``), in an
empty temporary folder, with the environment's variables (``envs.child_env``).
Its outcome follows ``git bisect run``'s protocol, mapped onto the
harness's outcomes so that script rows share the store, reports and
``--json`` with cases:

====================================  =========  =================================
the script                            outcome    detail
====================================  =========  =================================
exits 0                               pass
exits 125                             skip       "the script exited 125 (skip)"
the framework fails to import         skip       "import failed: ImportError: ..."
raises AssertionError (exit 1)        wrong      the assertion's message
raises any other exception (exit 1)   error      the exception's last line
exits 1-127 otherwise (sys.exit(3))   wrong      "exit code 3" and its last output
killed by a signal (or exits 129-192)  crash      the signal name and the fatal log line
outlives ``--timeout``                timeout    its process group is killed
====================================  =========  =================================

With ``--bad-output REGEX`` a stdout line matching it makes the run
``wrong``; with ``--good-output REGEX`` a match makes it ``pass``, and a
clean exit without a match makes it ``wrong``.  A crash or timeout wins over
both; a non-zero exit without a matching line falls back to the table.

A script that is valid Python 2 but not Python 3 (``print res``) runs on
Python 2.7, in the releases that have cp27 wheels (0.12.0 .. 2.1.x; see
``envs_virtualenv``); any other on the interpreters the cases use.
"""

from __future__ import annotations

import ast
import re
import tempfile
import threading
import time
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness import command, interpreters
from harness.cases import Case
from harness.errors import UsageError
from harness.interpreters import PYTHON2, Interpreter
from harness.judge import Verdict
from harness.outcome import Outcome
from harness.supervise import Cancelled, crash_cause

SKIP_CODE = 125
POLL = 0.05
_COMPILE = "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')"


@dataclass(frozen=True)
class Script:
    """A user's script and how its result is read."""

    path: Path
    good_output: str | None = None
    bad_output: str | None = None
    python2: bool = False  # valid Python 2 but not Python 3: runs on 2.7 only

    def wants_python2(self, python: str | None) -> bool:
        """Runs on 2.7: a Python 2 script, or ``--python 2.7`` for one valid in both."""
        return self.python2 or (python or "").startswith("2")

    @property
    def name(self) -> str:
        return self.path.stem

    def case(self) -> Case:
        """The script as a case: the same store, reports and ``--json`` as any other."""
        first = next((line.strip("#! ") for line in self.path.read_text().splitlines()
                      if line.strip().startswith("#") and not line.startswith("#!")), "")
        return Case(name=self.name, kind="script", source=str(self.path),
                    spec={"good_output": self.good_output, "bad_output": self.bad_output},
                    description=first)


def load(path: Path, *, good_output: str | None = None, bad_output: str | None = None) -> Script:
    """Check ``path`` before any work: readable, and valid Python 3 or (with a 2.7 here) 2.

    ``UsageError`` (one line, exit 2) otherwise.
    """
    try:
        source = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--script {path}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        ast.parse(source, filename=str(path))
        return Script(path.resolve(), good_output, bad_output, python2=False)
    except SyntaxError as exc:
        py3_error = f"line {exc.lineno}: {exc.msg}"
    python2 = python2_interpreter()
    if python2 is None:
        raise UsageError(
            f"--script {path}: expected Python 3, got {py3_error}; it may be Python 2, but no "
            "Python 2.7 interpreter was found here",
            hint="install one (pyenv install 2.7.18) or port the script to Python 3")
    try:
        command.run([str(python2.path), "-c", _COMPILE, str(path)], timeout=60)
    except command.CommandFailed as exc:
        raise UsageError(f"--script {path}: neither Python 3 ({py3_error}) nor Python 2 "
                         f"({exc.output_tail.splitlines()[-1] if exc.output_tail else exc})") from None
    return Script(path.resolve(), good_output, bad_output, python2=True)


def python2_interpreter() -> Interpreter | None:
    """A Python 2.7 here (PATH, pyenv, uv), or None."""
    return next((i for i in interpreters.discover(minimum=PYTHON2) if i.version[0] == 2), None)


def python2_or_fail(python: str | None) -> Interpreter:
    """The 2.7 interpreter a Python 2 script (or ``--python 2.7``) runs on; ``UsageError`` if none."""
    found = python2_interpreter()
    if found is None:
        raise UsageError(f"--python {python}: no Python 2.7 interpreter here",
                         hint="install one (pyenv install 2.7.18)")
    return found


def judge(returncode: int | None, stdout: str, stderr: str, *, good_output: str | None = None,
          bad_output: str | None = None, timeout: float = 0.0, module: str = "") -> Verdict:
    """The outcome of one run of a script (the table in this module's docstring).

    ``returncode`` None means it was killed after ``timeout`` seconds.  An
    ``ImportError`` raised by the framework ``module`` itself is ``skip``,
    as for cases: the release cannot be measured here, it is not bad.
    """
    if returncode is None:
        return Verdict(Outcome.TIMEOUT, None, f"killed after {timeout:g} s")
    signal_number = -returncode if returncode < 0 else returncode - 128 if 128 < returncode <= 192 else 0
    if signal_number:
        name = command.signal_name(-signal_number) or f"signal {signal_number}"
        cause = crash_cause(stderr)
        return Verdict(Outcome.CRASH, None, f"{name}: {cause}" if cause else name)
    if bad_output:
        hit = _match(bad_output, stdout)
        if hit is not None:
            return Verdict(Outcome.WRONG, None, f"printed {hit!r} (matches --bad-output)")
    if good_output:
        hit = _match(good_output, stdout)
        if hit is not None and returncode == 0:
            return Verdict(Outcome.PASS, None, f"printed {hit!r}")
        if returncode == 0:
            return Verdict(Outcome.WRONG, None,
                           f"expected a line matching --good-output {good_output!r}, got "
                           f"{_last(stdout) or 'no output'!r}")
    if returncode == 0:
        return Verdict(Outcome.PASS, None, _last(stdout))
    if returncode == SKIP_CODE:
        return Verdict(Outcome.SKIP, None, "the script exited 125 (skip)")
    exception = _exception(stderr)
    if exception is not None and module and _import_failed(exception, stderr, module):
        return Verdict(Outcome.SKIP, None, f"import failed: {exception}")
    if exception is not None:
        if exception.startswith(("AssertionError", "exceptions.AssertionError")):
            return Verdict(Outcome.WRONG, None, exception)
        return Verdict(Outcome.ERROR, None, exception)
    said = _last(stderr) or _last(stdout)
    return Verdict(Outcome.WRONG, None, f"exit code {returncode}" + (f": {said}" if said else ""))


def _match(pattern: str, text: str) -> str | None:
    for line in text.splitlines():
        if re.search(pattern, line):
            return line.strip()[:200]
    return None


def _last(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _import_failed(exception: str, stderr: str, module: str) -> bool:
    """The framework did not import: an ImportError from inside it, or it is not installed."""
    if not re.match(r"^(\w+\.)?(ImportError|ModuleNotFoundError)\b", exception):
        return False
    inside = re.search(r'File ".*[/\\]site-packages[/\\]%s[/\\]' % re.escape(module), stderr)
    return bool(inside) or re.search(r"No module named '?%s\b" % re.escape(module), exception) is not None


def _exception(stderr: str) -> str | None:
    """The last line of an uncaught exception's traceback, if the script died of one."""
    lines = [line.rstrip() for line in stderr.splitlines() if line.strip()]
    if not any(line.startswith("Traceback (most recent call last)") for line in lines):
        return None
    for line in reversed(lines):
        if not line.startswith(" ") and re.match(r"^[\w.]+(: |$)", line):
            return line.strip()[:300]
    return None


@dataclass(frozen=True)
class Ran:
    verdict: Verdict
    seconds: float
    stdout: str


def run(script: Case, python: Path, *, env: Mapping[str, str], timeout: float, work_dir: Path,
        stop: threading.Event, module: str = "") -> Ran:
    """Run the script once with ``python`` in an empty folder; judge it.

    Raises ``Cancelled`` when ``stop`` is set (Ctrl-C): nothing is stored.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="script-", dir=work_dir))
    try:
        out, err = folder / "stdout.txt", folder / "stderr.txt"
        started = time.monotonic()
        proc = command.start([str(python), script.source], env=dict(env), cwd=folder, log=out, err=err)
        killed = False
        try:
            while proc.poll() is None:
                if stop.is_set():
                    command.kill_group(proc)
                    raise Cancelled()
                if time.monotonic() - started > timeout:
                    command.kill_group(proc)
                    killed = True
                    break
                time.sleep(POLL)
        except BaseException:
            command.kill_group(proc)
            raise
        seconds = time.monotonic() - started
        stdout = out.read_text(errors="replace")
        verdict = judge(None if killed else proc.returncode, stdout, err.read_text(errors="replace"),
                        good_output=script.spec.get("good_output"),
                        bad_output=script.spec.get("bad_output"), timeout=timeout, module=module)
        return Ran(verdict, seconds, stdout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
