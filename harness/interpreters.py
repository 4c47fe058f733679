"""Finding Python interpreters and matching a release's wheels to one.

Interpreters come from ``--python``, PATH, ``~/.pyenv/versions/*`` and uv's
managed Pythons.  Each is asked once for its version and ABI flags; its
supported wheel tags are then computed on the host with ``packaging.tags``.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from packaging import tags
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from harness import command
from harness.files import atomic_write
from harness.errors import UsageError
from harness.releases import Release, Wheel, preference

MIN_PYTHON = (3, 6)  # uv cannot create environments for older interpreters
PYTHON2 = (2, 7)  # only for --script files that are Python 2 (envs_virtualenv builds those)
# Runs on 2.7 too: 2.7 has no sys.abiflags (its wheels say cp27mu for a UCS-4 build)
# and no sys.implementation.
PROBE = (
    "import json, sys, platform; print(json.dumps([list(sys.version_info[:3]),"
    " getattr(sys, 'abiflags', 'mu' if sys.maxunicode > 65535 else 'm'),"
    " platform.python_implementation().lower(), sys.maxsize > 2**32]))"
)


@dataclass(frozen=True)
class Interpreter:
    """One Python executable and what it can install."""

    path: Path
    version: tuple[int, int, int]
    abiflags: str
    implementation: str = "cpython"

    @property
    def short(self) -> str:
        """``3.6`` for Python 3.6.15."""
        return f"{self.version[0]}.{self.version[1]}"

    @cached_property
    def supported_tags(self) -> frozenset[tags.Tag]:
        """Wheel tags this interpreter accepts on this machine."""
        py = self.version[:2]
        platforms = list(tags.platform_tags())
        nodot = f"{py[0]}{py[1]}"
        abis = [f"cp{nodot}{self.abiflags}", "abi3", "none"]
        found = set(tags.cpython_tags(py, abis=abis, platforms=platforms))
        found.update(tags.compatible_tags(py, f"cp{nodot}", platforms))
        return frozenset(found)

    def accepts(self, wheel: Wheel) -> bool:
        """True when ``wheel`` is installable by this interpreter here."""
        if wheel.requires_python:
            try:
                if Version(".".join(map(str, self.version))) not in SpecifierSet(
                    wheel.requires_python
                ):
                    return False
            except InvalidSpecifier:
                pass
        if wheel.is_sdist:  # a release published only as source (Theano 1.0.5)
            return True
        return not wheel.tags.isdisjoint(self.supported_tags)


def probe(path: Path, minimum: tuple[int, int] = MIN_PYTHON) -> Interpreter | None:
    """Ask the executable at ``path`` what it is; None if it is not a usable CPython."""
    try:
        out = command.run([str(path), "-c", PROBE], timeout=30)
        version, abiflags, impl, is64 = json.loads(out.strip().splitlines()[-1])
    except (command.CommandFailed, ValueError, IndexError):
        return None
    if impl != "cpython" or not is64 or tuple(version[:2]) < minimum:
        return None
    return Interpreter(Path(path), tuple(version), abiflags, impl)  # type: ignore[arg-type]


def _candidates() -> Iterable[Path]:
    for name in ("python2.7", "python2"):
        found = shutil.which(name)
        if found:
            yield Path(found)
    for minor in range(6, 20):
        found = shutil.which(f"python3.{minor}")
        if found:
            yield Path(found)
    for name in ("python3", "python"):
        found = shutil.which(name)
        if found:
            yield Path(found)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        for child in sorted(pyenv.iterdir()):
            if (child / "bin" / "python").exists():
                yield child / "bin" / "python"
    uv_pythons = Path(os.environ.get("UV_PYTHON_INSTALL_DIR", Path.home() / ".local/share/uv/python"))
    if uv_pythons.is_dir():
        for child in sorted(uv_pythons.iterdir()):
            if (child / "bin" / "python3").exists():
                yield child / "bin" / "python3"


def discover(extra: Sequence[Path] = (), *, minimum: tuple[int, int] = MIN_PYTHON,
             cache: Path | None = None) -> list[Interpreter]:
    """All usable interpreters, one per minor version (first found wins), oldest first.

    ``minimum=PYTHON2`` also finds 2.7, for Python 2 scripts only: the runner
    and uv need 3.6+.

    ``cache``: a JSON file of earlier probes, each kept while its executable's
    size and modification time are unchanged (probing starts a Python per
    candidate: seconds on a busy machine, on every command).
    """
    candidates: list[Path] = []
    seen: set[Path] = set()
    for path in [*extra, *_candidates()]:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            candidates.append(path)
    known = _read_cache(cache)
    stamps = {str(p): _stamp(p) for p in candidates}
    todo = [p for p in candidates if str(p) not in known or known[str(p)]["stamp"] != stamps[str(p)]]
    if todo:
        with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
            for path, found in zip(todo, pool.map(lambda p: probe(p, PYTHON2), todo)):
                known[str(path)] = {"stamp": stamps[str(path)], "found": _to_json(found)}
        _write_cache(cache, {str(p): known[str(p)] for p in candidates})
    by_minor: dict[tuple[int, int], Interpreter] = {}
    for path in candidates:
        found = _from_json(known[str(path)]["found"])
        if found is not None and found.version[:2] < minimum:
            found = None
        if found is not None:
            by_minor.setdefault(found.version[:2], found)
    return [by_minor[k] for k in sorted(by_minor)]


def _stamp(path: Path) -> list:
    try:
        st = path.resolve().stat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _to_json(found: Interpreter | None) -> list | None:
    return None if found is None else [str(found.path), list(found.version), found.abiflags,
                                       found.implementation]


def _from_json(data: list | None) -> Interpreter | None:
    if data is None:
        return None
    path, version, abiflags, impl = data
    return Interpreter(Path(path), tuple(version), abiflags, impl)  # type: ignore[arg-type]


def _read_cache(cache: Path | None) -> dict:
    """Earlier probes by path; anything malformed is dropped (and probed again)."""
    if cache is None:
        return {}
    try:
        data = json.loads(cache.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("schema") != 2 or not isinstance(data.get("probes"), dict):
        return {}
    return {path: entry for path, entry in data["probes"].items() if _valid(entry)}


def _valid(entry) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("stamp"), list):
        return False
    found = entry.get("found")
    return found is None or (isinstance(found, list) and len(found) == 4 and isinstance(found[0], str)
                             and isinstance(found[1], list) and len(found[1]) == 3
                             and all(isinstance(x, int) for x in found[1])
                             and isinstance(found[2], str) and isinstance(found[3], str))


def _write_cache(cache: Path | None, probes: dict) -> None:
    if cache is None:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, json.dumps({"schema": 2, "probes": probes}))
    except OSError:
        pass  # a cache that cannot be written only costs the probes next time


def resolve_forced(spec: str, available: Sequence[Interpreter]) -> Interpreter:
    """The interpreter named by ``--python`` (``3.6`` or a path)."""
    if os.sep in spec or Path(spec).exists():
        found = probe(Path(spec))
        if found is None:
            raise UsageError(
                f"--python {spec}: expected a CPython 3.6+ executable, got none there",
                hint="give a path to bin/python or a version like 3.8",
            )
        return found
    for interp in available:
        if interp.short == spec:
            return interp
    have = ", ".join(i.short for i in available) or "none"
    raise UsageError(
        f"--python {spec}: no such interpreter here (found {have})",
        hint="install it (e.g. `uv python install " + spec + "`) or pick one of those",
    )


@dataclass(frozen=True)
class Pick:
    """The interpreter and wheel chosen for a release, or why there is none (falsy)."""

    interpreter: Interpreter | None
    wheel: Wheel | None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.interpreter is not None

    @property
    def python_version(self) -> str:
        """``3.6.15``; empty when nothing was picked."""
        return ".".join(map(str, self.interpreter.version)) if self.interpreter else ""


def pick(release: Release, available: Sequence[Interpreter]) -> Pick:
    """The interpreter (and wheel) to use for ``release``, or why there is none.

    Prefers the oldest interpreter that has a wheel: it is the one the
    release's dependencies (resolved as of its date) were built for.  A
    preferred build (a CPU ``+cpu`` wheel, see ``releases.preference``) wins
    over the interpreter order: it is the one that does not cost GBs of CUDA.
    """
    for rank in sorted({preference(w) for w in release.wheels}):
        for interp in available:
            for wheel in release.wheels:
                if preference(wheel) == rank and interp.accepts(wheel):
                    return Pick(interp, wheel)
    have = ", ".join(i.short for i in available) or "no interpreters"
    return Pick(None, None, f"no wheel of {release.version} installable by any interpreter here ({have})")
