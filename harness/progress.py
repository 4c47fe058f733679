"""The live display of a ``scan`` or ``bisect``: what each worker does, and how far the run is.

The command opens the display (``shown``); the pipeline reports through the
module functions, which act on the open display and on the worker the
calling thread works for (``worker``), and do nothing when no display is open
(other commands, tests calling ``measure`` directly, ``-q``):

- ``stage(text)``: the worker's stage (``importing``, ``case 3/124``);
- ``uv_lines()``: a line callback for ``command.run`` that turns uv's own
  output into stages: ``resolving``, ``downloading n/m MiB``, ``building X``,
  ``installing``.  The sizes are uv's: with ``UV_NO_PROGRESS`` it still prints
  ``Downloading numpy (16.2MiB)`` when a download starts and ``Downloaded
  numpy`` when it is complete, so *m* is the sum of the announced downloads
  and *n* that of the finished ones (uv announces downloads over ~1 MiB; a
  wheel already in uv's cache is not downloaded and not counted);
- ``runner_log(path)``: follows a runner's log for ``-v``;
- ``cases(done, total)``: ``importing`` until the runner is ready, then
  ``case i/N`` (the case running now);
- ``done(cost)``: a release (scan) or probe (bisect) finished; the overall
  bar's ETA comes from the cost model the shards use (``shard.cost``).

On a terminal it is a ``rich.progress`` display: one line per worker
(speculative ``bisect`` builds marked ``prefetch``) and an overall bar.
Otherwise (CI logs, a pipe) it prints one plain line per event, without
control codes; ``case i/N`` lines at most every ``PLAIN_CASE_SECONDS`` per
worker.  ``-v`` also prints uv's and the runner's output lines.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TaskID, TextColumn
from rich.text import Text

from harness import shard
from harness.releases import Release

T = TypeVar("T")

PLAIN_CASE_SECONDS = 10.0  # plain mode: a worker's case i/N line at most this often
OVERALL = "overall"

_lock = threading.Lock()
_active: Display | None = None
_local = threading.local()


def eta(total: float, done: float, elapsed: float, workers: int) -> float:
    """Seconds left.  Before anything finished: the cost model's seconds, shared by the
    workers, minus the time spent (0 once overrun); after: what is left at the pace
    measured so far (seconds per unit of cost)."""
    left = max(total - done, 0.0)
    if done > 0 and elapsed > 0:
        return left * elapsed / done
    return max(left / max(workers, 1) - elapsed, 0.0)


def duration(seconds: float) -> str:
    """``45 s``, ``3 min 05 s``, ``1 h 02 min``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


_SIZE = re.compile(r"^Downloading (\S+) \(([\d.]+)\s*([KMG]i?B)\)")
_UNITS = {"KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "KB": 1 / 1024, "MB": 1.0, "GB": 1024.0}


@dataclass
class Download:
    """What uv said about one install: announced and finished downloads (MiB)."""

    sizes: dict[str, float] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)

    def feed(self, line: str) -> str | None:
        """The stage after uv printed ``line`` (None: no change)."""
        text = line.strip()
        match = _SIZE.match(text)
        if match:
            self.sizes[match.group(1)] = float(match.group(2)) * _UNITS[match.group(3)]
            return self.text()
        if text.startswith("Downloaded "):
            self.finished.add(text.split()[1])
            return self.text()
        if text.startswith("Resolved "):
            return "preparing"  # downloads (announced by size when large) and builds
        if text.startswith("Building "):
            return f"building {text.split()[1]}"
        if text.startswith("Prepared "):
            return "installing"
        if text.startswith("Installed "):
            return "installed"
        return None

    @property
    def total(self) -> float:
        return sum(self.sizes.values())

    @property
    def received(self) -> float:
        return sum(s for name, s in self.sizes.items() if name in self.finished)

    def text(self) -> str:
        if self.received >= self.total > 0:  # uv unpacks and builds until "Prepared"
            return f"downloaded {self.total:.1f} MiB, preparing"
        return f"downloading {self.received:.1f}/{self.total:.1f} MiB"


@dataclass
class _Worker:
    label: str
    task: TaskID | None = None
    stage: str = ""
    last_case: float = 0.0  # plain mode: when its last case i/N line was printed


class _Info(ProgressColumn):
    """A worker's stage; for the overall line, releases done and the ETA, computed when drawn."""

    def __init__(self, display: Display) -> None:
        super().__init__()
        self.display = display

    def render(self, task) -> Text:
        if task.fields.get("overall"):
            return Text(self.display.overall_text())
        since = time.monotonic() - task.fields.get("since", time.monotonic())
        return Text(f"{task.fields.get('stage', '')} ({duration(since)})")


class Display:
    """One run's display; see the module docstring."""

    def __init__(self, console: Console, *, live: bool, verbose: bool, total: float, units: int,
                 unit: str, workers: int, mean_cost: float = 0.0) -> None:
        self.console, self.live, self.verbose = console, live, verbose
        self.total, self.units, self.unit, self.workers = total, units, unit, workers
        self.mean_cost = mean_cost  # bisect: the expected cost of a probe still to come
        self.done_cost, self.done_units = 0.0, 0
        self.started = time.monotonic()
        self.workers_now: dict[str, _Worker] = {}
        self.progress: Progress | None = None
        self.overall: TaskID | None = None
        if live:
            self.progress = Progress(
                TextColumn("{task.description}", style="bold"), BarColumn(bar_width=24), _Info(self),
                console=console, transient=True, refresh_per_second=4)
            self.overall = self.progress.add_task(OVERALL, total=total or None, overall=True)

    # -- the overall bar

    def overall_text(self) -> str:
        elapsed = time.monotonic() - self.started
        left = eta(self.total, self.done_cost, elapsed, self.workers)
        units = f"{self.done_units}/{'~' if self.unit == 'probe' else ''}{self.units} {self.unit}s"
        if self.done_cost == 0 and left == 0 and self.total > 0:
            return (f"{units}, {duration(elapsed)} elapsed, over the cost model's "
                    f"{duration(self.total / max(self.workers, 1))}")
        return f"{units}, {duration(elapsed)} elapsed, ~{duration(left)} left (cost model)"

    def finish(self, cost: float, left: int | None = None) -> None:
        with _lock:
            self.done_cost += cost
            self.done_units += 1
            if left is not None:  # bisect: the probes still to come, at the mean cost
                self.units = self.done_units + left
                self.total = self.done_cost + left * self.mean_cost
        if self.progress is not None:
            self.progress.update(self.overall, total=self.total or None, completed=self.done_cost)
        else:
            self.print(f"{OVERALL}: {self.overall_text()}")

    # -- workers

    def open(self, name: str, speculative: bool) -> None:
        label = f"{name} (prefetch)" if speculative else name
        worker = _Worker(label)
        if self.progress is not None:
            worker.task = self.progress.add_task(label, total=None, stage="starting",
                                                 since=time.monotonic())
        with _lock:
            self.workers_now[name] = worker

    def close(self, name: str) -> None:
        with _lock:
            worker = self.workers_now.pop(name, None)
        if worker is not None and worker.task is not None and self.progress is not None:
            self.progress.remove_task(worker.task)

    def stage(self, name: str, text: str, completed: float | None = None, total: float | None = None,
              throttle: bool = False) -> None:
        worker = self.workers_now.get(name)
        if worker is None or text == worker.stage:
            return
        worker.stage = text
        if self.progress is not None and worker.task is not None:
            self.progress.update(worker.task, stage=text, completed=completed or 0, total=total,
                                 since=time.monotonic())
            return
        if throttle:
            now = time.monotonic()
            if now - worker.last_case < PLAIN_CASE_SECONDS:
                return
            worker.last_case = now
        self.print(f"[{worker.label}] {text}")

    def output(self, name: str, source: str, line: str) -> None:
        """``-v``: a line of uv's or the runner's output."""
        if self.verbose and line.strip():
            worker = self.workers_now.get(name)
            self.print(f"[{worker.label if worker else name}] {source}: {line.strip()}")

    def print(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)


# -- what commands call


@contextmanager
def shown(console: Console, *, quiet: bool, verbose: bool, releases: Sequence[Release] = (),
          costs: Sequence[float] | None = None, unit: str = "release", workers: int = 1,
          expected: int | None = None) -> Iterator[Display | None]:
    """Open the display for a run over ``releases`` (``costs``: each one's expected
    seconds, default the cost model's).  ``expected``: how many units are
    expected (bisect: a first guess of the probes).  Nothing when ``quiet``."""
    global _active
    if quiet:
        yield None
        return
    costs = list(costs) if costs is not None else [shard.cost(r) for r in releases]
    mean = sum(shard.cost(r) for r in releases) / len(releases) if releases else 0.0
    units = len(costs) if expected is None else expected
    total = sum(costs) if expected is None else expected * mean
    display = Display(console, live=console.is_terminal and not console.is_dumb_terminal,
                      verbose=verbose, total=total, units=units, unit=unit, workers=workers,
                      mean_cost=mean)
    with _lock:
        _active = display
    try:
        if display.progress is not None:
            with display.progress:
                yield display
        else:
            yield display
    finally:
        with _lock:
            _active = None


def done(cost: float, left: int | None = None) -> None:
    """A release (scan) or probe (bisect) of ``cost`` expected seconds finished;
    ``left``: bisect's estimate of the probes still to come."""
    if _active is not None:
        _active.finish(cost, left)


@contextmanager
def worker(name: str, speculative: bool = False) -> Iterator[None]:
    """The calling thread works for worker ``name`` (a release) until the block ends."""
    display = _active
    previous = getattr(_local, "name", None)
    _local.name = name
    if display is not None:
        display.open(name, speculative)
    try:
        yield
    finally:
        _local.name = previous
        if display is not None:
            display.close(name)


def working(name: str, fn: Callable[..., T], speculative: bool = False) -> Callable[..., T]:
    """``fn`` run as worker ``name`` (for a thread pool's submit)."""
    def run(*args, **kwargs) -> T:
        with worker(name, speculative):
            return fn(*args, **kwargs)
    return run


def _current() -> tuple[Display | None, str | None]:
    return _active, getattr(_local, "name", None)


def stage(text: str) -> None:
    """The calling thread's worker is now at ``text``."""
    display, name = _current()
    if display is not None and name is not None:
        display.stage(name, text)


def cases(done_cases: int, total: int, ready: bool, restarts: int = 0) -> None:
    """The runner has finished ``done_cases`` of ``total`` (``ready``: the framework is
    imported; ``restarts``: the runner was started again after a case crashed or hung)."""
    display, name = _current()
    if display is None or name is None:
        return
    if not ready:
        again = f" again (restart {restarts}, after a crash or hang)" if restarts else ""
        display.stage(name, f"importing{again}")
    else:
        display.stage(name, f"case {min(done_cases + 1, total)}/{total}", done_cases, total, throttle=True)


def uv_lines() -> Callable[[str], None] | None:
    """A callback for ``command.run(on_line=...)`` of one ``uv pip install``, bound to the
    calling thread's worker (the lines arrive on another thread); None without a display."""
    display, name = _current()
    if display is None or name is None:
        return None
    download = Download()
    display.stage(name, "resolving")

    def on_line(line: str) -> None:
        display.output(name, "uv", line)
        text = download.feed(line)
        if text is not None:
            display.stage(name, text, download.received, download.total or None)

    return on_line


def verbose() -> bool:
    return _active is not None and _active.verbose


class RunnerLog:
    """``-v``: the new lines of a runner's log, printed each time it is polled."""

    def __init__(self, path: Path) -> None:
        self.display, self.name = _current()
        self.path, self.offset, self.partial = path, 0, ""

    def __call__(self, final: bool = False) -> None:
        if self.display is None or not self.display.verbose:
            return
        try:
            with open(self.path, "rb") as log:
                log.seek(self.offset)
                data = log.read()
        except OSError:
            return
        self.offset += len(data)
        lines = (self.partial + data.decode(errors="replace")).split("\n")
        self.partial = "" if final else lines.pop()
        for line in lines:
            self.display.output(self.name or "?", "runner", line)


def runner_log(path: Path) -> RunnerLog:
    return RunnerLog(path)
