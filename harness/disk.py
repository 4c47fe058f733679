"""The disk budget: what the environments really occupy, and LRU eviction.

What is counted (``scan_usage``): every file and folder of the environments
and of the entries of uv's archive cache that they hardlink, by real blocks
(``st_blocks``), each inode once.  uv installs a wheel by hardlinking the
files of its unzipped copy in ``archive-v0/``, so an environment and its
cache entries are the same bytes; counting both would double them, counting
only the environment would miss the cache, which stays when the environment
goes.  Archive entries that no environment links (another project's, on a
shared uv cache) are not the harness's and are not counted or touched.

Evicting an environment (``Budget.enforce``) removes it, its lock file and
the archive entries that no remaining environment links, so the space
really comes back.  An environment is never evicted while any harness
process runs in it (its shared lock, see ``locks``), nor when the caller
protects it (the probe being measured and the ones being prefetched).
Archive entries are removed under uv's own cache lock (every uv process
holds it shared while it installs), never under a running install; while
uv is busy, the wheel of a release none of this process's builds installs
(an evicted or stopped TensorFlow: the bulk) goes anyway.
Entries no environment links (an evicted environment's, or what a stopped
build unpacked) count against the budget until they are gone; when they
reach ``DRAIN`` and this process's builds keep uv busy, new builds wait
until the running ones end and the entries are removed (``BuildGate``).

The default budget comes from the free space of the cache's disk
(``default_budget``), and ``check`` refuses, before any work, a budget that
even eviction cannot meet.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import json
import math
import os
import re
import shutil
import threading
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from harness import locks, walks
from harness.errors import UsageError
from harness.files import atomic_write

INFO_FILE = "harness-env.json"
GB = 1024**3
CAP = 40 * GB  # the default budget never exceeds this
RESERVE = 10 * GB  # ... nor leaves less than max(RESERVE, RESERVE_FRACTION of the disk) free
RESERVE_FRACTION = 0.10
# An environment is about 3.5 times its framework's wheel (unzipped, plus
# .pyc-free sources) plus ~150 MB of dependencies: fitted on 11 TensorFlow
# environments of this machine, 1.0.0 (0.27 GB) to 2.21.0 (1.99 GB), every
# one within 12 % of the estimate.
UNZIP_FACTOR = 3.5
DEPENDENCIES = 150 * 1024**2
UNKNOWN_ENV = 2 * GB  # a release whose index gives no size

Inode = tuple[int, int]
PENDING = "evicted-cache-entries.json"
_ENTRY_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _gb(n: float) -> str:
    return f"{n / GB:.2f} GB" if abs(n) < 10 * GB else f"{n / GB:.1f} GB"


def _dist_infos_at(folder: Path) -> frozenset[str]:
    try:
        return frozenset(n for n in os.listdir(folder) if n.endswith(".dist-info"))
    except OSError:
        return frozenset()


def _dist_infos(env: Path) -> frozenset[str]:
    """The ``*.dist-info`` names installed in an environment."""
    return frozenset().union(*(_dist_infos_at(p) for p in env.glob("lib/python*/site-packages")))


def tree_size(path: Path) -> int:
    """Bytes on disk under ``path``, counting each hardlinked inode once."""
    return sum(size for size, _ in walks.walk(path).values())


@dataclass(frozen=True)
class EnvUsage:
    path: Path
    package: str
    last_used: float
    inodes: frozenset[Inode]  # its own and those of the archive entries it links
    entries: frozenset[Path]  # archive entries it links

    @property
    def lock(self) -> Path:
        return locks.lock_path(self.path)


@dataclass(frozen=True)
class Usage:
    """The environments (least recently used first) and the sizes of their inodes."""

    envs: tuple[EnvUsage, ...]
    sizes: Mapping[Inode, int]
    loose: int = 0  # archive entries of the harness's that no environment links (``Budget``)
    envs_total: int | None = field(default=None, compare=False, repr=False)  # known: not summed again

    @functools.cached_property
    def total(self) -> int:
        if self.envs_total is not None:
            return self.loose + self.envs_total
        return self.loose + sum(self.sizes[i] for i in set().union(*(e.inodes for e in self.envs)))


class Scanner:
    """Walks environments and the archive entries they link, remembering what never changes.

    An environment's files change only when a runner writes its ``.pyc``
    (``envs.bytecode_vars``), and an archive entry is immutable, so each is
    walked once, and the walk is kept between runs (``walks``); after a run
    in an environment (``ran``), the next ``usage`` checks its folders'
    modification times and walks it again only when they moved (its first
    run: the .pyc were written).  An archive entry is an unzipped wheel: only entries
    whose ``*.dist-info`` an environment also has are walked, not a shared
    cache's hundreds of others (walking all 817 entries of this machine's
    20 GB uv cache took 33 s).
    """

    def __init__(self, envs_dir: Path, uv_cache: Path):
        self.envs_dir = envs_dir
        self.archive = uv_cache / "archive-v0"
        self._envs: dict[tuple[Path, float], tuple[dict[Inode, tuple[int, int]], frozenset[str]]] = {}
        self._folders: dict[tuple[Path, float], dict[str, int]] = {}  # of each walked environment
        self._ran: set[Path] = set()  # environments a runner used since their walk (``ran``)
        self._tops: dict[Path, frozenset[str]] = {}  # archive entry -> its dist-info names
        self._entries: dict[Path, frozenset[Inode]] = {}
        self._entry_of: dict[Inode, Path] = {}
        self._sizes: dict[Inode, int] = {}
        # per environment: the archive entries it links and all its inodes (theirs too),
        # kept while those entries are there: rebuilding the set each time cost most of
        # the harness's own CPU in a bisect (~1M inodes over 40 environments per call)
        self._linked: dict[tuple[Path, float], tuple[frozenset[Path], frozenset[Inode]]] = {}
        self._total: tuple[tuple, int] | None = None  # the last set of environments and their size
        self._lock = threading.Lock()
        self.kept = walks.Kept(envs_dir.parent / "disk-walks")

    def usage(self) -> Usage:
        with self._lock:
            walked_envs = []
            for child in sorted(self.envs_dir.iterdir()) if self.envs_dir.is_dir() else ():
                info_path = child / INFO_FILE
                try:
                    info = json.loads(info_path.read_text())
                    last = info_path.stat().st_mtime
                except (OSError, ValueError):
                    continue
                key = (child, float(info.get("created", 0.0)))
                if child in self._ran:
                    self._ran.discard(child)
                    if key in self._envs and walks.changed(self._folders[key]):
                        self._drop(child)
                if key not in self._envs:
                    kept = self.kept.env(child, key[1])
                    if kept is None:
                        folders: dict[str, int] = {}
                        kept = (walks.walk(child, folders), folders)
                        self.kept.save_env(child, key[1], *kept)
                    self._envs[key] = (kept[0], _dist_infos(child))
                    self._folders[key] = kept[1]
                walked_envs.append((key, info, last, *self._envs[key]))
            if not self._tops:  # the first look in this process: walks of folders removed meanwhile
                self.kept.prune("env", {child.name for (child, _), *_ in walked_envs})
            self._scan_archive(frozenset().union(*(names for *_, names in walked_envs)))
            found = []
            for key, info, last, walked, _ in walked_envs:
                child = key[0]
                linked = self._linked.get(key)
                if linked is None or not linked[0] <= self._entries.keys():
                    for inode, (size, _) in walked.items():
                        self._sizes[inode] = size
                    entries = frozenset(self._entry_of[i] for i in walked if i in self._entry_of)
                    linked = self._linked[key] = (
                        entries, frozenset(walked).union(*(self._entries[e] for e in entries)))
                found.append(EnvUsage(child, info.get("spec", {}).get("package", ""), last,
                                      linked[1], linked[0]))
            envs = tuple(sorted(found, key=lambda u: u.last_used))
            key = tuple((e.path, e.inodes) for e in envs)  # the sets are cached: cheap to compare
            if self._total is None or self._total[0] != key:
                self._total = (key, Usage(envs, self._sizes).total)
            return Usage(envs, types.MappingProxyType(self._sizes), envs_total=self._total[1])

    def _scan_archive(self, installed: frozenset[str]) -> None:
        present = set(self.archive.iterdir()) if self.archive.is_dir() else set()
        if not self._tops:  # the first look in this process
            self.kept.prune("entry", {e.name for e in present})
        for gone in set(self._tops) - present:
            del self._tops[gone]
            self.kept.drop("entry", gone)
            for inode in self._entries.pop(gone, ()):
                self._entry_of.pop(inode, None)
        for entry in present:
            if entry not in self._tops:
                self._tops[entry] = _dist_infos_at(entry)
            if entry in self._entries or not self._tops[entry] & installed:
                continue
            walked = self.kept.entry(entry)
            if walked is None:
                walked = walks.walk(entry)
                self.kept.save_entry(entry, walked)
            self._entries[entry] = frozenset(walked)
            for inode, (size, _) in walked.items():
                self._entry_of[inode] = entry
                self._sizes[inode] = size

    def forget(self, env: Path) -> None:
        """``env`` was removed or rebuilt: its kept walk goes, and it is walked anew if it is there."""
        with self._lock:
            self._drop(env)
            self.kept.drop("env", env)

    def ran(self, env: Path) -> None:
        """A runner used ``env`` and may have written .pyc there: the next ``usage`` checks."""
        with self._lock:
            self._ran.add(env)

    def _drop(self, env: Path) -> None:
        for key in [k for k in self._envs if k[0] == env]:
            del self._envs[key]
            self._folders.pop(key, None)
            self._linked.pop(key, None)


def plan_eviction(envs: Sequence[EnvUsage], sizes: Mapping[Inode, int], target: float,
                  protect: set[Path]) -> list[EnvUsage]:
    """The least recently used environments whose removal (with the archive entries only
    they link) brings the total to ``target`` or below.  Pure."""
    holders = Counter(i for e in envs for i in e.inodes)
    total = sum(sizes[i] for i in holders)
    out = []
    for env in envs:
        if total <= target:
            break
        if env.path in protect:
            continue
        out.append(env)
        for inode in env.inodes:
            holders[inode] -= 1
            if holders[inode] == 0:
                total -= sizes[inode]
    return out


@dataclass
class Budget:
    """The disk budget of one run: evicts to stay under it and keeps the measured peak."""

    limit: float
    envs_dir: Path
    uv_cache: Path
    log: Callable[[str], None] = print
    peak: int = 0
    evicted: int = 0
    protected: frozenset[Path] = frozenset()  # what the search needs next (probe, prefetches)
    at_once: int = 1  # environments in use at once that the budget holds (for_run)
    intro: str = ""  # the run's first line about disk: budget, use now, estimated peak
    scanner: Scanner = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _entry_sizes: dict[Path, int] = field(default_factory=dict)
    _reserved: dict[object, int] = field(default_factory=dict)  # room held by builds under way

    def __post_init__(self) -> None:
        self.scanner = Scanner(self.envs_dir, self.uv_cache)

    def usage(self) -> Usage:
        """The environments, their archive entries and the loose entries (``_loose``)."""
        usage = self.scanner.usage()
        return dataclasses.replace(usage, loose=sum(self._loose(usage).values()))

    def measure(self) -> int:
        """The harness's bytes on disk now; the peak remembers the largest seen."""
        total = self.usage().total
        self.peak = max(self.peak, total)
        return total

    def _loose(self, usage: Usage) -> dict[Path, int]:
        """Archive entries that are the harness's and that no environment links, with their
        sizes: those of evicted environments (pending removal) and those that appeared
        while this process built (``BuildGate.made``) and stayed unlinked (a stopped or
        failed build, or one about to link).  They are on disk, so they count; another
        project's entries (or any linked elsewhere) are neither counted nor touched."""
        linked = set().union(*(e.entries for e in usage.envs))
        candidates = set(self._pending()) | {e for e in BUILDS.made if e.parent == self.archive}
        out = {}
        for entry in candidates - linked:
            if entry.is_dir() and not _linked_elsewhere(entry):
                if entry not in self._entry_sizes:
                    self._entry_sizes[entry] = tree_size(entry)
                out[entry] = self._entry_sizes[entry]
        return out

    def summary(self) -> str:
        """The end-of-run line: the measured peak against the budget."""
        self.measure()
        return (f"disk: measured peak {_gb(self.peak)} (environments and their uv cache "
                f"entries, hardlinks once) of a {_gb(self.limit)} budget; "
                f"{self.evicted} environment(s) evicted")

    def enforce(self, *, protect: Iterable[Path] = (), room: int = 0) -> list[EnvUsage]:
        """Evict least recently used environments until ``room`` more bytes fit the limit,
        besides the room ``reserving`` builds of this process hold.

        Skips the ``protect``ed environments and those any harness process
        holds (its lock); says what was evicted and how much it freed.
        """
        with self._lock:
            return self._enforce(protect, room + sum(self._reserved.values()))

    @contextmanager
    def reserving(self, room: int) -> Iterator[None]:
        """Make ``room`` for one build and hold it until the build ends: builds running
        at once (bisect's builders, scan's workers) each count the others' room, so
        together they stay in the budget.  A built environment counts by itself."""
        token = object()
        with self._lock:
            self._enforce((), room + sum(self._reserved.values()))
            self._reserved[token] = room
        try:
            yield
        finally:
            with self._lock:
                self._reserved.pop(token, None)

    def _enforce(self, protect: Iterable[Path], room: int) -> list[EnvUsage]:
        usage = self.usage()
        self.peak = max(self.peak, usage.total)
        usage = self._remove_entries(usage)
        before = usage.total
        if before + room <= self.limit:
            return []
        evicted: list[EnvUsage] = []
        kept = list(usage.envs)
        keep = set(protect) | self.protected
        for candidate in plan_eviction(usage.envs, usage.sizes, self.limit - room, keep):
            lock = locks.try_exclusive(candidate.lock)
            if lock is None:  # a harness process runs in it (or builds it): not ours to take
                continue
            try:
                (candidate.path / INFO_FILE).unlink(missing_ok=True)  # first: half-deleted = rebuilt
                shutil.rmtree(candidate.path, ignore_errors=True)
                lock.remove()
            finally:
                lock.release()
            self.scanner.forget(candidate.path)
            kept.remove(candidate)
            evicted.append(candidate)
            self._pending(add=candidate.entries)  # on disk: a killed run's leftovers go next time
            if Usage(tuple(kept), usage.sizes, usage.loose).total + room <= self.limit:
                break
        if evicted:
            after = Usage(tuple(kept), usage.sizes, usage.loose).total
            self.evicted += len(evicted)
            self.log(f"disk budget {_gb(self.limit)}: evicted {len(evicted)} environment(s) and "
                     f"their cache entries, {_gb(before - after)} ({_gb(before)} -> {_gb(after)}): "
                     f"{', '.join(e.path.name for e in evicted)}")
        self._remove_entries(Usage(tuple(kept), usage.sizes, usage.loose))
        return evicted

    def _pending(self, *, add: Iterable[Path] = (), drop: Iterable[Path] = ()) -> set[Path]:
        """The archive entries of evicted environments still to remove, kept in a file next
        to the environments (shared by every run on this cache), after adding and dropping."""
        path = self.envs_dir / PENDING
        if not path.exists() and not add:
            return set()  # nothing pending: no lock file, no folder made (a refused run makes none)
        with locks.EnvLock(locks.lock_path(path)) as lock:
            lock.acquire(shared=False)
            try:
                names = {n for n in json.loads(path.read_text()) if isinstance(n, str)}
            except (OSError, ValueError, TypeError):
                names = set()
            new = (names | {p.name for p in add}) - {p.name for p in drop}
            new = {n for n in new if _ENTRY_NAME.fullmatch(n)}  # never a path out of the cache
            if new != names:
                self.envs_dir.mkdir(parents=True, exist_ok=True)
                atomic_write(path, json.dumps(sorted(new)))
        return {self.archive / n for n in new}

    @property
    def archive(self) -> Path:
        return self.uv_cache / "archive-v0"

    def _remove_entries(self, usage: Usage) -> Usage:
        """Remove the loose archive entries under uv's lock; returns the usage after.

        uv must be idle: an entry may be about to be linked by an install.
        While this process's builders keep uv busy and the loose entries hold
        ``DRAIN`` bytes or more, new builds wait (``BUILDS``) until the
        running ones end, so the space comes back instead of piling up."""
        linked = set().union(*(e.entries for e in usage.envs))
        self._pending(drop=linked)  # linked again (a rebuild reused them): kept
        loose = self._loose(usage)
        if not loose:
            return dataclasses.replace(usage, loose=0)
        with _uv_idle(self.uv_cache) as idle:
            if idle:
                return self._remove(usage, loose)
        # uv is busy, but an entry that is the framework's own wheel (a build's main
        # package) of a release none of this process's builds installs (an evicted or
        # stopped TensorFlow, the bulk of the bytes) is not about to be linked: it goes
        # now.  Dependencies (numpy, ...) may be: they wait.
        unused = {e: n for e, n in loose.items() if BUILDS.unused_main(_one_wheel(e))}
        if unused:
            usage = self._remove(usage, unused)
            loose = self._loose(usage)
        if sum(loose.values()) < max(DRAIN, DRAIN_FRACTION * self.limit):
            return usage
        self.log(f"disk: {_gb(sum(loose.values()))} of uv's cache is linked by no environment; "
                 "waiting for the builds under way to end to remove it")
        with BUILDS.drained(timeout=DRAIN_WAIT) as ours_done:
            if ours_done:
                # no build of this process is under way, so none is about to link them;
                # uv's lock may still be held: `uvx` holds it shared while the tool it
                # started runs (`uvx nox -s bisect`), so waiting for it would never end
                return self._remove(usage, self._loose(usage))
        return usage

    def _remove(self, usage: Usage, loose: dict[Path, int]) -> Usage:
        for entry in loose:
            shutil.rmtree(entry, ignore_errors=True)
            self.scanner.kept.drop("entry", entry)
            self._entry_sizes.pop(entry, None)
            BUILDS.made.discard(entry)
        self._pending(drop=loose)
        return dataclasses.replace(usage, loose=sum(self._loose(usage).values()))


def _linked_elsewhere(entry: Path) -> bool:
    """Whether a file of ``entry`` has another hardlink (folders always do)."""
    for root, _, files in os.walk(entry):
        for name in files:
            try:
                if os.lstat(os.path.join(root, name)).st_nlink > 1:
                    return True
            except OSError:
                continue
    return False


class _uv_idle:
    """uv's cache lock taken exclusively without waiting: no uv process is installing.
    ``uv cache clean`` takes the same lock;
    every other uv command holds it shared."""

    def __init__(self, uv_cache: Path):
        self.path = uv_cache / ".lock"
        self.fd: int | None = None

    def __enter__(self) -> bool:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)


DRAIN = GB  # loose archive entries worth pausing this process's builds for (at least)
DRAIN_FRACTION = 0.15  # ... or this fraction of the budget
DRAIN_WAIT = 300.0  # seconds to wait for this process's running builds to end


class BuildGate:
    """This process's environment builds, and a way to pause new ones.

    ``envs`` runs every uv install inside ``building()``; ``drained()``
    makes new builds wait and waits (up to ``timeout``) for the running ones
    to end, so that uv's cache can be cleaned while it is idle.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._running = 0
        self._draining = 0
        self.made: set[Path] = set()  # archive entries that appeared while this process built
        self.wheels: Counter[str] = Counter()  # "name-version" of the main package of each build
        self.mains: set[str] = set()  # names of the main packages built (the framework's)

    @contextmanager
    def building(self, archive: Path, wheel: str = "") -> Iterator[None]:
        """One build (of ``wheel``, "name-version"); the archive entries that appear
        meanwhile are noted as ``made``."""
        with self._cond:
            self._cond.wait_for(lambda: not self._draining)
            self._running += 1
            self.wheels[_norm(wheel)] += 1
            self.mains.add(_norm(wheel).rpartition("-")[0])
        before = _entries(archive)
        try:
            yield
        finally:
            with self._cond:
                self.made |= _entries(archive) - before
                self._running -= 1
                self.wheels[_norm(wheel)] -= 1
                self.wheels += Counter()  # drop the zeros
                self._cond.notify_all()

    def unused_main(self, wheel: str | None) -> bool:
        """Whether ``wheel`` ("name-version") is a main package's wheel (a framework release)
        that no build under way installs; a dependency's wheel never is."""
        if not wheel:
            return False
        with self._cond:
            return wheel.rpartition("-")[0] in self.mains and self.wheels[wheel] == 0

    @contextmanager
    def drained(self, timeout: float) -> Iterator[bool]:
        with self._cond:
            self._draining += 1
            try:
                idle = self._cond.wait_for(lambda: self._running == 0, timeout=timeout)
            except BaseException:
                self._draining -= 1
                self._cond.notify_all()
                raise
        try:
            yield idle
        finally:
            with self._cond:
                self._draining -= 1
                self._cond.notify_all()


BUILDS = BuildGate()


def _norm(wheel: str) -> str:
    """"tensorflow-cpu-2.2.0" and "tensorflow_cpu-2.2.0" alike (a dist-info's spelling)."""
    name, _, version = wheel.rpartition("-")
    return f"{canonicalize_name(name).replace('-', '_')}-{version}"


def _one_wheel(entry: Path) -> str | None:
    """The "name-version" of an archive entry that holds exactly one wheel, else None."""
    infos = _dist_infos_at(entry)
    if len(infos) != 1:
        return None
    return _norm(next(iter(infos))[: -len(".dist-info")])


def _entries(archive: Path) -> set[Path]:
    try:
        return {e for e in archive.iterdir() if e.is_dir()}
    except OSError:
        return set()


def for_run(given: float | None, envs_dir: Path, uv_cache: Path, estimates: Sequence[int],
            at_once: int, log: Callable[[str], None], *, most: int | None = None) -> Budget:
    """The run's budget: ``given``, else from the free space of the cache's disk; refuses
    (``UsageError``, exit 2) one that cannot hold ``at_once`` environments, before any work.
    ``most``: the run could use up to that many at once (bisect's pipeline);
    ``Budget.at_once`` says how many fit.  Its ``intro`` says what was decided."""
    budget = Budget(0.0, envs_dir, uv_cache, log)
    used = budget.measure()
    how = None
    if given is None:
        free, size = free_space(envs_dir)
        given = default_budget(used, free, size)
        how = (f"{free / GB:.1f} GB free of {size / GB:.0f} GB, keeping "
               f"{max(RESERVE, RESERVE_FRACTION * size) / GB:.0f} GB free")
    budget.limit = given
    check(given, estimates, at_once, from_free_space=how)
    budget.at_once = fitting(given, estimates, at_once, most or at_once)
    peak = max(used, min(used + sum(estimates), given))  # what is held, plus what is built, up to the budget
    budget.intro = (f"disk: budget {_gb(given)} ({how or 'given'}); the environments and "
                    f"their uv cache entries hold {_gb(used)} now; estimated peak "
                    f"{_gb(peak)}")
    return budget


def estimate(wheel_size: int | None) -> int:
    """Bytes an environment of a release whose wheel has ``wheel_size`` bytes will take."""
    if not wheel_size:
        return UNKNOWN_ENV
    return int(UNZIP_FACTOR * wheel_size + DEPENDENCIES)


def free_space(path: Path) -> tuple[int, int]:
    """(free bytes for us, size in bytes) of the file system holding ``path``."""
    while not path.exists():
        path = path.parent
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize


def default_budget(used: int, free: int, disk_size: int) -> float:
    """What the harness may hold: what it holds now plus the free space above the
    reserve (max(10 GB, 10 % of the disk)), at most ``CAP``.  Pure."""
    reserve = max(RESERVE, RESERVE_FRACTION * disk_size)
    return max(0.0, min(float(CAP), used + free - reserve))


def working_set(estimates: Sequence[int], at_once: int) -> int:
    """The least budget a run can work in: its ``at_once`` largest environments together."""
    return sum(sorted(estimates, reverse=True)[:max(at_once, 1)])


def fitting(limit: float, estimates: Sequence[int], least: int, most: int) -> int:
    """How many environments at once, from ``least`` up to ``most``, the budget holds.  Pure."""
    return max([k for k in range(least, most + 1) if working_set(estimates, k) <= limit], default=least)


def check(limit: float, estimates: Sequence[int], at_once: int, *, from_free_space: str | None) -> int:
    """Refuse (exit 2) a budget that cannot hold the environments in use at once; else
    what they need at most: all of them if they fit, else the budget."""
    need = working_set(estimates, at_once)
    if need > limit:
        whole = math.ceil(need / GB)
        if from_free_space:
            raise UsageError(
                f"expected room for {at_once} environment(s) at once (~{need / GB:.1f} GB), got a "
                f"default disk budget of {limit / GB:.1f} GB ({from_free_space})",
                hint=f"free some space, or pass --disk-budget {whole} on a disk that has it")
        raise UsageError(
            f"--disk-budget {limit / GB:g} cannot hold the {at_once} environment(s) this run uses at "
            f"once (~{need / GB:.1f} GB)", hint=f"--disk-budget {whole} would work")
    return int(min(sum(estimates), limit))
