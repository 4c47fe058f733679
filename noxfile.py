"""Nox sessions: thin wrappers over `python -m harness <command>`.

`nox -s bisect` / `scan` / `cases` / `report` / `matrix` forward everything after `--` to the
harness (`nox -s bisect -- --case seed_conv2d --from 1.0.0 --to 2.16.2`);
`nox -s tests` runs the test suite (`nox -s tests -- -m "not integration"`
for the fast part only).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"
# a test session whose Python is missing fails instead of being skipped: `nox -s tests`
# must not say "success" having run nothing
nox.options.error_on_missing_interpreters = True

PROJECT = "."  # what the command sessions install: the tool, not its test extra
WITH_TESTS = ".[test]"
# The host-Python floor (requires-python) and the newest: CI tests both, so
# syntax or library use newer than the floor cannot land.
PYTHONS = ["3.9", "3.13"]


def installable_releases(package: str = "tensorflow") -> list[tuple[str, str]]:
    """(python, version) for every release installable here, from the cached catalog.

    Offline and fast, so that `nox -l` stays quick; empty until a harness
    command has fetched the catalog once.
    """
    from harness import interpreters, releases
    from harness.config import default_cache_dir
    from harness.errors import CatalogError, UsageError

    try:
        catalog = releases.load_catalog(package, cache_dir=default_cache_dir(), offline=True)
    except (CatalogError, UsageError):  # no cached catalog yet (offline: a UsageError), or a damaged
        # one: no per-release sessions until a command fetched it
        return []
    found = interpreters.discover()
    out = []
    for release in catalog.releases:
        picked = interpreters.pick(release, found)
        if picked:
            out.append((picked.interpreter.short, str(release.version)))
    return out


def _pyenv_on_path(pythons: list[str]) -> None:
    """Put pyenv's interpreters of ``pythons`` on PATH when no ``python3.X`` is: the
    harness finds them there by itself (interpreters.py), and so should `nox -s tests`
    without pyenv shims or PYENV_VERSION."""
    import os
    import shutil
    import subprocess

    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

    def newest(v: str) -> Path:
        return max(versions.glob(f"{v}.*"), key=lambda p: [int(x) for x in p.name.split(".") if x.isdigit()])

    def runs(v: str) -> bool:  # a pyenv shim is on PATH but fails without PYENV_VERSION
        found = shutil.which(f"python{v}")
        return bool(found) and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0

    extra = [str(newest(v) / "bin") for v in pythons
             if any(versions.glob(f"{v}.*")) and not runs(v)]
    if extra:
        os.environ["PATH"] = os.pathsep.join([*extra, os.environ.get("PATH", "")])


_pyenv_on_path(PYTHONS)
RELEASES = installable_releases()


def _harness(session: nox.Session, command: str) -> None:
    session.install("-e", PROJECT)
    session.run("python", "-m", "harness", command, *session.posargs)


@nox.session(default=False)
def bisect(session: nox.Session) -> None:
    """Find, per case, the release where its outcome changed (default: built-in cases, all releases)."""
    _harness(session, "bisect")


@nox.session(default=False)
def scan(session: nox.Session) -> None:
    """Run the cases in every release of a range and store the rows."""
    _harness(session, "scan")


@nox.session(default=False)
def cases(session: nox.Session) -> None:
    """List the case names, one a line."""
    _harness(session, "cases")


@nox.session(default=False)
def report(session: nox.Session) -> None:
    """Tables, transitions and a heatmap of the stored results (of one or more stores)."""
    _harness(session, "report")


@nox.session(default=False)
def matrix(session: nox.Session) -> None:
    """Print a GitHub Actions matrix (JSON) of scan shards balanced by expected cost (`-- --shards N`)."""
    _harness(session, "matrix")


@nox.session(default=False)
def reproduce(session: nox.Session) -> None:
    """Check each historical bug in cases/history on its documented fix boundary."""
    _harness(session, "reproduce")


@nox.session(default=False)
def compare(session: nox.Session) -> None:
    """Run the cases on several frameworks side by side (--frameworks tensorflow==V,torch==V,...)."""
    _harness(session, "compare")


@nox.session(default=False)
def benchmark(session: nox.Session) -> None:
    """Naive pip loop vs harness cold/warm vs the import floor, side by side (slow: not in CI)."""
    _harness(session, "benchmark")


@nox.session(venv_backend="none", default=False)
@nox.parametrize("python,tensorflow", RELEASES)
def run(session: nox.Session, tensorflow: str) -> None:
    """Run the suite in one release with its interpreter (a thin `scan --versions V`)."""
    session.run(sys.executable, "-m", "nox", "-s", "scan", "--", "--versions", tensorflow,
                "--python", str(session.python), *session.posargs, external=True)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Unit, pipeline (fake wheels in real uv environments) and real-TensorFlow integration tests.

    The real-release integration tests run once, on the floor: what they
    exercise runs inside the releases' own interpreters, the same for any host.
    """
    session.install("-e", WITH_TESTS)
    default = ["-m", "not stress" if session.python == PYTHONS[0] else "not stress and not integration"]
    session.run("python", "-m", "pytest", *(session.posargs or default))
