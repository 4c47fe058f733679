"""One environment per (distribution, version, interpreter), built with uv.

An environment is reused only when its info file matches what is wanted; a
folder without an info file is a half-built leftover and is rebuilt; a
failed build is moved aside and its path reported.  This is also the only
module that decides the environment variables of child processes
(``scrubbed_env``; a framework adds its own through the registry).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from packaging.utils import canonicalize_name

from harness import command, envs_virtualenv, locks, progress
from harness.disk import BUILDS, INFO_FILE, tree_size
from harness.errors import EnvironmentBuildError, NetworkUnavailable
from harness.files import atomic_write
from harness.frameworks import Framework
from harness.interpreters import Interpreter

INFO_SCHEMA = 1
# The release's wheel can appear a little after its first file; dependencies
# released the same day (tensorboard, keras) must still be admitted.
DATE_SLACK = timedelta(days=1)
# Build tools are exempt from the date cut: old sdists need a setuptools
# that builds on today's interpreters.
BUILD_TOOLS = ("setuptools", "wheel", "pip")
# One line per environment built, kept when the environment is evicted (the benchmark reads it).
BUILD_LOG = "builds.jsonl"


@dataclass(frozen=True)
class EnvSpec:
    """What an environment must contain."""

    package: str
    version: str
    python: str  # interpreter path
    python_version: str  # "3.6.15"
    exclude_newer: str | None  # ISO timestamp or None for no date cut
    requirements: tuple[str, ...] = ()  # pins on top of package==version
    find_links: tuple[str, ...] = ()
    index_url: str | None = None

    @property
    def key(self) -> str:
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()
        short = ".".join(self.python_version.split(".")[:2])
        return f"{self.package}-{self.version}-py{short}-{digest[:10]}"

    def install_args(self) -> list[str]:
        args = [f"{self.package}=={self.version}", *self.requirements]
        if self.exclude_newer:
            args += ["--exclude-newer", self.exclude_newer]
            for tool in BUILD_TOOLS:
                args += ["--exclude-newer-package", f"{tool}=false"]
        for link in self.find_links:
            args += ["--find-links", link]
        if self.index_url:
            args += ["--index-url", self.index_url]
        return args


@dataclass(frozen=True)
class Env:
    """A built environment."""

    spec: EnvSpec
    path: Path
    frozen: tuple[str, ...] = field(default=())
    build_seconds: float = 0.0
    created: float = 0.0  # from its info file: a rebuilt environment has another

    def unchanged(self) -> bool:
        """Whether this very environment is still there, complete: not evicted or
        rebuilt since it was handed out (rows measured otherwise are not stored)."""
        info = _read_info(self.path)
        return bool(info) and info.get("created") == self.created and self.python.exists()

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"


def exclude_newer_for(upload_time: datetime | None, override: str | None) -> str | None:
    """The date cut for a release: its wheel's upload time plus a day, or the override.

    ``override`` is an ISO date/time, or ``none`` to disable the cut.
    """
    if override:
        return None if override.lower() == "none" else override
    if upload_time is None:
        return None
    return (upload_time + DATE_SLACK).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=1)
def uv_binary() -> str:
    """The uv executable: the one installed with the harness, else PATH.

    Resolved once, from the main thread (``plan.build``): uv's finder reads
    ``sysconfig``, whose first use is not thread-safe.
    """
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if not found:
            raise EnvironmentBuildError(
                "uv is not installed", hint="pip install uv (the harness depends on it)"
            ) from None
        return found


# Variables that would make a child Python look outside its environment.
_LEAKS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PIP_USER", "VIRTUAL_ENV")


def scrubbed_env(extra: Mapping[str, str] = ()) -> dict[str, str]:  # type: ignore[assignment]
    """This process's variables without those that leak into a child Python, plus ``extra``.

    Every child process's environment starts here: uv's, a runner's and the
    benchmark baseline's.  TensorFlow's C++ chatter stays out of logs unless
    the user asked for it.
    """
    out = {k: v for k, v in os.environ.items() if k not in _LEAKS}
    out.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    out.update(dict(extra))
    return out


def uv_cache_dir() -> Path:
    """Where uv keeps its cache: ``UV_CACHE_DIR``, else ``$XDG_CACHE_HOME/uv``, else ``~/.cache/uv``."""
    if os.environ.get("UV_CACHE_DIR"):
        return Path(os.environ["UV_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv"


UV_CONFIG = Path(__file__).with_name("uv.toml")


def uv_config_args(environ: Mapping[str, str] | None = None) -> list[str]:
    """``--config-file`` with the harness's uv settings (``harness/uv.toml``: PyPI's own
    cache lifetimes), unless the user configures uv: a ``uv.toml`` of theirs applies."""
    environ = os.environ if environ is None else environ
    if environ.get("UV_CONFIG_FILE") or environ.get("UV_NO_CONFIG"):
        return []
    config_home = Path(environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    system = [Path(d) for d in (environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep) if d]
    if any((d / "uv" / "uv.toml").is_file() for d in (config_home, *system, Path("/etc"))):
        return []
    return ["--config-file", str(UV_CONFIG)]


def uv_env() -> dict[str, str]:
    """Variables for uv itself."""
    return scrubbed_env({"UV_NO_PROGRESS": "1", "UV_CACHE_DIR": str(uv_cache_dir())})


BUILT_HERE: set[Path] = set()  # environments this process built (their first run writes no .pyc)


def bytecode_vars(*, script: bool = False, fresh: bool = False) -> dict[str, str]:
    """Whether a child Python in an environment may write compiled modules (.pyc).

    Importing a framework compiles thousands of modules (TF 2.16 on 3.11: the
    import takes ~5 s without their .pyc and ~2 s with them), so an environment
    that is used again gets them written once, next to the modules inside it
    (the disk budget counts them, eviction deletes them), and every later run
    reads them.  Only the case runner writes, and only while it imports the
    framework (``driver.py`` stops before any case runs): what a case or a
    script imports later would leave .pyc of temporary modules (TF's autograph
    writes one per run) or in a user's folder.  A script reads the runner's.

    Not in a ``fresh`` environment (built by this process): writing them costs
    ~1.4 s per import, and most environments a cold bisect or scan builds are
    imported once (a cold README bisect: 246 s without, 283 s writing them).
    ``HARNESS_NO_BYTECODE=1`` writes none anywhere.
    """
    if script or fresh or os.environ.get("HARNESS_NO_BYTECODE"):
        return {"PYTHONDONTWRITEBYTECODE": "1"}
    return {}


def python_env(env_path: Path, *, script: bool = False) -> dict[str, str]:
    """Variables for any Python run inside the environment at ``env_path``: its ``bin``
    first on PATH, no user site, its own .pyc (``bytecode_vars``)."""
    out = scrubbed_env({
        "VIRTUAL_ENV": str(env_path),
        "PATH": f"{env_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONNOUSERSITE": "1",
    })
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):  # the user's, for their Pythons
        out.pop(name, None)
    out.update(bytecode_vars(script=script, fresh=env_path in BUILT_HERE))
    return out


def child_env(env: Env, framework: Framework, extra: Mapping[str, str] = (),  # type: ignore[assignment]
              *, script: bool = False) -> dict[str, str]:
    """Variables for a runner (or ``script``) inside ``env``: ``python_env``'s, the
    framework's own, then ``extra`` (a variant's)."""
    out = python_env(env.path, script=script)
    out.update(framework.env(env.path, out))
    out.update(dict(extra))
    return out


def _read_info(path: Path) -> dict | None:
    try:
        return json.loads((path / INFO_FILE).read_text())
    except (OSError, ValueError):
        return None


def _packages(frozen) -> tuple[str, ...]:
    """``uv pip freeze``'s package lines (not comments, not uv's "Using Python ..." line)."""
    return tuple(line for line in frozen if line and not line.startswith(("#", "Using Python ")))


def ensure(spec: EnvSpec, envs_dir: Path, *, offline: bool = False, log=print,
           stop: threading.Event | None = None) -> Env:
    """Return a ready environment for ``spec``, building it if needed (and not holding it:
    ``lease`` is for running in it).

    Raises ``EnvironmentBuildError`` (with the install output's tail) when
    uv fails; the failed folder is kept next to the others as ``*.failed``.
    ``stop`` set by another thread abandons the build (``NetworkUnavailable``:
    nothing is kept, nothing is a result).
    """
    with lease(spec, envs_dir, offline=offline, log=log, stop=stop) as env:
        return env


@contextmanager
def lease(spec: EnvSpec, envs_dir: Path, *, offline: bool = False, log=print,
          stop: threading.Event | None = None) -> Iterator[Env]:
    """The ready environment for ``spec``, built if needed, held with a shared lock until
    the block ends: no harness process evicts an environment while another runs in it.

    Building takes the exclusive lock, without waiting: while it is taken,
    another process builds (the shared lock then waits for it to finish) or
    runs in the environment (then it is ready: look again).
    """
    envs_dir.mkdir(parents=True, exist_ok=True)
    path = envs_dir / spec.key
    lock = locks.EnvLock(locks.lock_path(path))
    seconds = 0.0
    try:
        while True:
            lock.acquire(shared=True)  # waits while another process builds it
            env = _ready(spec, path)
            if env is not None:
                break
            lock.release()
            if not lock.acquire(shared=False, blocking=False):
                time.sleep(0.05)  # someone holds it: building, or it just became ready
                continue
            if _ready(spec, path) is None:
                if path.exists():
                    log(f"removing half-built, damaged or outdated environment {path}")
                    shutil.rmtree(path)
                seconds = _build(spec, path, offline=offline, stop=stop).build_seconds
            lock.release()  # then shared, like any user (evicted meanwhile: built again)
        yield dataclasses.replace(env, build_seconds=seconds)
    finally:
        lock.release()


def _ready(spec: EnvSpec, path: Path) -> Env | None:
    info = _read_info(path)
    wanted = json.loads(json.dumps(asdict(spec)))  # tuples compare as JSON lists
    whole = (path / "bin" / "python").exists()  # a deleted interpreter: rebuild it too
    if not (whole and info and info.get("schema") == INFO_SCHEMA and info.get("spec") == wanted):
        return None
    try:
        os.utime(path / INFO_FILE)  # recency for LRU eviction
    except OSError:
        return None
    return Env(spec, path, _packages(info.get("frozen", ())), 0.0, float(info.get("created", 0.0)))


def _build(spec: EnvSpec, path: Path, *, offline: bool = False,
           stop: threading.Event | None = None) -> Env:
    with BUILDS.building(uv_cache_dir() / "archive-v0", f"{spec.package}-{spec.version}"):  # waits while the budget cleans uv's cache
        return _build_now(spec, path, offline=offline, stop=stop)


def _build_now(spec: EnvSpec, path: Path, *, offline: bool = False,
               stop: threading.Event | None = None) -> Env:
    uv = uv_binary()
    env = uv_env()
    started = time.monotonic()
    try:
        installed = ""
        progress.stage("creating environment")
        if envs_virtualenv.wanted(spec.python_version):  # uv cannot make 2.7 environments
            venv_done = time.monotonic()
            frozen = envs_virtualenv.install(spec, path, env=env, uv=uv, offline=offline,
                                             catalog_dir=path.parent.parent)
            install_done = time.monotonic()
        else:
            command.run([uv, "venv", "--quiet", "--python", spec.python, str(path)], env=env)
            venv_done = time.monotonic()
            install = [uv, "pip", "install", "--python", str(path / "bin" / "python"),
                       *uv_config_args(), *spec.install_args(), *(["--offline"] if offline else [])]
            try:
                installed = command.run(install, env=env, timeout=1800, stop=stop,
                                        on_line=progress.uv_lines())
            except command.CommandFailed as exc:
                if not stale_cache(exc.output_tail) or (stop is not None and stop.is_set()):
                    raise
                # an archive entry uv still points to is gone (removed by a disk budget,
                # ours or another run's, or by a cache cleaner): drop uv's pointers to it
                # and install again, once
                forget_cached_wheels(stale_packages(exc.output_tail) or [spec.package])
                installed = command.run(install, env=env, timeout=1800, stop=stop,
                                        on_line=progress.uv_lines())
            install_done = time.monotonic()
            frozen = command.run([uv, "pip", "freeze", "--python", str(path / "bin" / "python")],
                                 env=env)
    except command.CommandFailed as exc:
        if _no_network(exc.output_tail):
            shutil.rmtree(path, ignore_errors=True)
            raise NetworkUnavailable(
                f"cannot download {spec.package}=={spec.version}: no network and not in uv's cache",
                hint="environments built before still work; rerun when online",
            ) from exc
        if exc.timed_out or (stop is not None and stop.is_set()):  # slow network or abandoned: not a result
            shutil.rmtree(path, ignore_errors=True)
            raise NetworkUnavailable(
                f"installing {spec.package}=={spec.version} did not finish: {exc.output_tail.splitlines()[-1]}",
                hint="rerun; the download resumes from uv's cache",
            ) from exc
        failed = path.with_name(path.name + ".failed")
        shutil.rmtree(failed, ignore_errors=True)
        if path.exists():
            path.rename(failed)
        raise EnvironmentBuildError(
            f"cannot install {spec.package}=={spec.version} on Python {spec.python_version}: "
            f"{exc.output_tail.splitlines()[-1] if exc.output_tail else exc}",
            hint=f"kept for inspection: {failed}",
        ) from exc
    seconds = time.monotonic() - started
    size = tree_size(path)
    lines = _packages(frozen.splitlines())
    phases = {"venv": venv_done - started, **uv_phases(installed),
              "freeze": time.monotonic() - install_done}
    info = {"schema": INFO_SCHEMA, "spec": asdict(spec), "frozen": lines, "build_seconds": seconds,
            "phases": phases,
            "size_bytes": size,
            "created": time.time(), "harness_python": sys.version.split()[0]}
    atomic_write(path / INFO_FILE, json.dumps(info, indent=1))  # marks the environment complete
    with open(path.parent / BUILD_LOG, "a") as log:  # one short write: safe from threads
        log.write(json.dumps({"version": spec.version, "python": spec.python_version,
                              "seconds": seconds, "phases": phases, "at": time.time(),
                              "sdists": sdists_built(installed)}) + "\n")
    BUILT_HERE.add(path)
    return Env(spec, path, lines, seconds)


def sdists_built(output: str) -> int:
    """How many source distributions ``uv pip install`` built (its "Building X==1.0" lines)."""
    return sum(1 for line in output.splitlines() if line.strip().startswith("Building "))


_UV_PHASE = re.compile(r"^(Resolved|Prepared|Installed) \d+ packages? in (?:(\d+)m )?([\d.]+)(ms|s)$",
                       re.MULTILINE)


def uv_phases(output: str) -> dict[str, float]:
    """Seconds of ``uv pip install``'s own phases from its output: ``resolve`` (metadata),
    ``prepare`` (download and unpack into uv's cache), ``install`` (link into the environment)."""
    out = {}
    for word, minutes, number, unit in _UV_PHASE.findall(output):
        seconds = float(number) / (1000 if unit == "ms" else 1) + 60 * int(minutes or 0)
        out[{"Resolved": "resolve", "Prepared": "prepare", "Installed": "install"}[word]] = seconds
    return out


def stale_packages(output: str) -> list[str]:
    """The packages uv names in "Failed to install: <file> (<name>==<version>)"."""
    return re.findall(r"Failed to install: \S+ \(([A-Za-z0-9._-]+)==", output)


def forget_cached_wheels(packages: Sequence[str]) -> None:
    """Remove uv's small pointer files for ``packages`` (``wheels-v*/<source>/<name>/``),
    what ``uv cache clean NAME`` removes but without its exclusive lock, which ``uvx``
    holds shared for as long as the tool it started runs.  uv then unpacks them again."""
    names = {canonicalize_name(p) for p in packages}
    for bucket in uv_cache_dir().glob("wheels-v*"):
        for folder in [*bucket.glob("*/*"), *bucket.glob("*/*/*")]:  # <source>/<name>, index/<hash>/<name>
            if folder.is_dir() and canonicalize_name(folder.name) in names:
                shutil.rmtree(folder, ignore_errors=True)


def stale_cache(output: str) -> bool:
    """uv failed because an entry of its archive cache it points to is gone."""
    return "archive-v0/" in output and "No such file or directory" in output


def _no_network(output: str) -> bool:
    lowered = output.lower()
    return any(s in lowered for s in ("failed to fetch", "dns error", "connection refused",
                                       "network is unreachable", "network was disabled", "tcp connect error"))


def spec_for(
    package: str,
    version: str,
    interpreter: Interpreter,
    *,
    exclude_newer: str | None,
    requirements: Sequence[str] = (),
    find_links: Sequence[str] = (),
    index_url: str | None = None,
) -> EnvSpec:
    return EnvSpec(
        package=package,
        version=version,
        python=str(interpreter.path),
        python_version=".".join(map(str, interpreter.version)),
        exclude_newer=exclude_newer,
        requirements=tuple(requirements),
        find_links=tuple(find_links),
        index_url=index_url,
    )
