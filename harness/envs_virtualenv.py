"""Python 2.7 environments (for ``--script`` files that are Python 2 only).

Why not uv, which builds every other environment: ``uv venv`` refuses
interpreters older than 3.7 for 2.x (it cannot create a 2.7 environment at
all) and ``uv pip`` cannot install into one.  So a 2.7 environment is made
the way it was made in 2017:

- ``virtualenv < 20.22``: 20.22 dropped creating 2.7 (and 3.6) environments.
  virtualenv itself no longer runs *on* 2.7, so it runs on the host's Python
  3 through ``uv tool run`` (uv fetches and caches it) and only *targets* 2.7.
- ``pip 20.3.4``: the last pip that runs on Python 2.7 (virtualenv 20.21
  embeds it, so this needs no download).
- Dependencies as of the release date: pip has no ``--exclude-newer``, so
  the date cut is computed here, from the index's upload times (PEP 700):
  install, read ``pip freeze``, pin every dependency to its newest release
  uploaded before the cut that 2.7 can install, and rebuild with those
  pins as constraints until the installed set is exactly the pinned set
  (usually two or three rounds: an older ``mock`` brings ``pbr`` in).  The
  build tools (setuptools, wheel, pip) are exempt, as with uv.
"""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path

from packaging.utils import canonicalize_name

from harness import command, releases
from harness.interpreters import PYTHON2, Interpreter, probe

VIRTUALENV = "virtualenv<20.22"
PIP = "20.3.4"
ROUNDS = 5  # each round can only add dependencies the previous pins brought in
EXEMPT = {"setuptools", "wheel", "pip"}  # = envs.BUILD_TOOLS, without a cyclic import


def wanted(python_version: str) -> bool:
    """True when an interpreter of ``python_version`` needs this builder instead of uv."""
    return python_version.split(".")[0] == "2"


def install(spec, path: Path, *, env: dict[str, str], uv: str, catalog_dir: Path,
            offline: bool = False) -> str:
    """Create the 2.7 environment at ``path`` for ``spec`` (an ``envs.EnvSpec``); return ``pip freeze``.

    Raises ``command.CommandFailed`` like the uv builder, so ``envs`` reports
    both the same way.
    """
    interpreter = probe(Path(spec.python), PYTHON2)
    cut = releases._parse_time(spec.exclude_newer) if spec.exclude_newer else None
    pins: dict[str, str] = {}
    for _ in range(ROUNDS):
        shutil.rmtree(path, ignore_errors=True)
        _create(spec, path, env=env, uv=uv)
        constraints = path / "date-cut-constraints.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
        _pip(path, env, ["install", f"{spec.package}=={spec.version}", *spec.requirements,
                         "-c", str(constraints), *_index_args(spec)], timeout=1800)
        installed = _parse_freeze(_pip(path, env, ["freeze", "--all"]))
        frozen = "".join(f"{n}=={v}\n" for n, v in sorted(installed.items()))
        if cut is None or interpreter is None:
            return frozen
        todo = {n for n in installed if n not in EXEMPT and n != canonicalize_name(spec.package)
                and n not in pins}
        if not todo:
            return frozen
        for name in sorted(todo):
            found = newest_before(
                releases.load_catalog(name, cache_dir=catalog_dir, offline=offline,
                                      index_url=spec.index_url or releases.PYPI_SIMPLE),
                cut, interpreter)
            pins[name] = found or installed[name]  # nothing that old: keep what pip chose
    raise command.CommandFailed(["pip", "install"], 1,
                                f"date-cut pins did not settle after {ROUNDS} rounds: {pins}")


def newest_before(catalog: releases.Catalog, cut: datetime, interpreter: Interpreter) -> str | None:
    """The newest release of ``catalog`` uploaded by ``cut`` that ``interpreter`` can install."""
    best = None
    for release in catalog.releases:  # oldest first
        files = [w for w in release.wheels if w.upload_time and w.upload_time <= cut]
        if any(interpreter.accepts(w) for w in files):
            best = str(release.version)
    return best


def _create(spec, path: Path, *, env: dict[str, str], uv: str) -> None:
    command.run([uv, "tool", "run", "--python", sys.executable, "--from", VIRTUALENV, "virtualenv",
                 "--quiet", "--python", spec.python, "--pip", PIP, "--no-wheel", str(path)],
                env=env, timeout=600)


def _pip(path: Path, env: dict[str, str], args: list[str], timeout: float = 300) -> str:
    return command.run([str(path / "bin" / "python"), "-m", "pip", "--disable-pip-version-check",
                        "--no-python-version-warning", "--no-input", *args],
                       env={**env, "PIP_PROGRESS_BAR": "off"}, timeout=timeout)


def _index_args(spec) -> list[str]:
    args = []
    for link in spec.find_links:
        args += ["--find-links", link]
    if spec.index_url:
        args += ["--index-url", spec.index_url]
    return args


def _parse_freeze(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        name, sep, version = line.strip().partition("==")
        if sep:
            out[str(canonicalize_name(name))] = version
    return out
