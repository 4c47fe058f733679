"""Measure one release: interpreter -> environment -> runner -> judge -> rows.

The runner runs all pending cases of a release in one process (the import is
paid once).  It is supervised from here: a case that kills the process is
recorded as ``crash`` with the signal, a case that outlives ``--timeout`` has
its whole process group killed and is recorded as ``timeout``, and the
runner is restarted for the remaining cases.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from packaging.utils import canonicalize_name

from harness import command, envs, pins
from harness.cases import Case
from harness.config import Config, Variant
from harness.errors import EnvironmentBuildError, HarnessError, NetworkUnavailable
from harness.interpreters import Interpreter, pick
from harness.judge import Verdict, judge
from harness.outcome import Outcome
from harness.releases import Release, Wheel, local_version
from harness.results import Row, Store, machine

RUNNER = Path(__file__).with_name("runner.py")
# copied into every job folder: the runner imports its sibling for non-TF frameworks
RUNNER_FILES = ("runner.py", "framework_adapters.py")
IMPORT_FAILED = 3  # runner.py's exit code when the framework does not import
POLL = 0.05

# distribution name -> module the runner imports
MODULES = {"tensorflow": "tensorflow", "tensorflow-cpu": "tensorflow", "tf-nightly": "tensorflow",
           "tf-nightly-cpu": "tensorflow", "tensorflow-gpu": "tensorflow",
           "torch": "torch", "jax": "jax", "theano": "theano"}
# module -> the runner's adapter family (framework_adapters.ADAPTERS); TensorFlow otherwise
FRAMEWORKS = {"torch": "torch", "jax": "jax", "theano": "theano"}

Log = Callable[[str], None]


def module_name(package: str) -> str:
    name = canonicalize_name(package)
    return MODULES.get(name, name.replace("-", "_"))


def framework_of(package: str) -> str:
    """The runner's adapter family for ``package``: tensorflow, torch, theano or jax."""
    return FRAMEWORKS.get(module_name(package), "tensorflow")


@dataclass(frozen=True)
class Skip(Exception):
    """The release cannot be measured here (no interpreter, install or import failed)."""

    reason: str
    python: str = ""


def measure(
    cfg: Config,
    release: Release,
    cases: Sequence[Case],
    interpreters: Sequence[Interpreter],
    store: Store,
    *,
    variant: Variant | None = None,
    stop: threading.Event | None = None,
    log: Log = print,
    keep_outputs: Path | None = None,
) -> dict[str, Row]:
    """Rows for ``cases`` in ``release``: stored ones reused, the rest run now.

    ``keep_outputs``: a folder where the raw output arrays of the cases run
    now are kept as ``<case>_<k>.npy`` (``compare`` needs them).
    """
    variant = variant or cfg.variants[0]
    version = str(release.version)
    picked = pick(release, interpreters)
    if isinstance(picked, str):
        return _skip_rows(cfg, version, cases, Skip(picked), store, variant)
    interp, wheel = picked
    python = ".".join(map(str, interp.version))
    version = measured_version(release, wheel)
    have = {} if cfg.force else _reusable(cfg, store, version, python, variant, cases)
    todo = [c for c in cases if c.name not in have]
    if not todo:
        return have
    try:
        env = envs.ensure(
            _env_spec(cfg, release, interp, wheel),
            cfg.envs_dir, cfg.cache_dir, offline=cfg.offline, log=log,
        )
    except EnvironmentBuildError as exc:  # a network failure is not a result: not stored
        return {**have, **_skip_rows(cfg, version, todo, Skip(str(exc), python), store, variant,
                                     persist=not isinstance(exc, NetworkUnavailable))}
    try:
        rows = _run_cases(cfg, env, todo, python, variant, stop or threading.Event(), keep_outputs)
    except Skip as skip:
        return {**have, **_skip_rows(cfg, version, todo, skip, store, variant)}
    store.add(rows.values())
    return {**have, **rows}


def prepare(cfg: Config, release: Release, cases: Sequence[Case],
            interpreters: Sequence[Interpreter], store: Store, variant: Variant) -> None:
    """Build ``release``'s environment ahead of time (bisect prefetch); never raises."""
    picked = pick(release, interpreters)
    if isinstance(picked, str):
        return
    interp, wheel = picked
    python = ".".join(map(str, interp.version))
    try:
        version = measured_version(release, wheel)
        if len(_reusable(cfg, store, version, python, variant, cases)) == len(cases):
            return
        envs.ensure(_env_spec(cfg, release, interp, wheel), cfg.envs_dir, cfg.cache_dir,
                    offline=cfg.offline, log=lambda _: None)
    except HarnessError:
        pass  # the real probe reports it


def _reusable(cfg: Config, store: Store, version: str, python: str, variant: Variant,
              cases: Sequence[Case]) -> dict[str, Row]:
    """Stored rows that still stand: same case digest, and not a skip (its cause may be gone)."""
    stored = store.get(cfg.package, version, python, variant.name)
    return {c.name: stored[c.name] for c in cases
            if c.name in stored and stored[c.name].case_digest == c.digest
            and stored[c.name].outcome is not Outcome.SKIP}


def measured_version(release: Release, wheel: Wheel) -> str:
    """The version installed, stored and reported for ``release`` through ``wheel``:
    a local build (torch 2.13.0+cpu from --find-links) goes by its own version,
    its outcomes may differ from the index's build."""
    return str(local_version(wheel) or release.version)


def _env_spec(cfg: Config, release: Release, interp: Interpreter, wheel: Wheel) -> envs.EnvSpec:
    return envs.spec_for(
        cfg.package, measured_version(release, wheel), interp,
        exclude_newer=envs.exclude_newer_for(wheel.upload_time, cfg.exclude_newer),
        requirements=pins.pins_for(cfg.package, release.version),
        find_links=cfg.find_links, index_url=cfg.index_url,
    )


def _skip_rows(cfg: Config, version: str, cases: Sequence[Case], skip: Skip, store: Store,
               variant: Variant, *, persist: bool = True) -> dict[str, Row]:
    rows = {c.name: Row(case=c.name, package=cfg.package, version=version, python=skip.python,
                        variant=variant.name, variant_env=dict(variant.env), outcome=Outcome.SKIP, detail=skip.reason,
                        case_digest=c.digest, machine=machine(), recorded_at=time.time())
            for c in cases}
    if persist and skip.python:
        store.add(rows.values())
    return rows


def write_job(job_dir: Path, cases: Sequence[Case], module: str,
              framework: str = "tensorflow") -> Path:
    """Inputs as .npy files plus job.json, the runner's only input."""
    entries = []
    for case in cases:
        if case.kind == "user":
            entries.append({"name": case.name, "kind": "user", "file": case.source,
                            "function": case.function})
            continue
        files = []
        for k, array in enumerate(case.inputs):
            name = f"{case.name}_in{k}.npy"
            np.save(job_dir / name, array)
            files.append(name)
        entries.append({"name": case.name, "kind": "op", "spec": {**case.spec, "inputs": files}})
    job = job_dir / "job.json"
    job.write_text(json.dumps({"module": module, "framework": framework, "cases": entries}))
    # The runner runs from a copy: by path from harness/ its folder would be
    # sys.path[0] and harness/bisect.py would shadow the stdlib's bisect.
    for name in RUNNER_FILES:
        shutil.copyfile(RUNNER.with_name(name), job_dir / name)
    return job


def _run_cases(cfg: Config, env: envs.Env, cases: Sequence[Case], python: str,
               variant: Variant, stop: threading.Event,
               keep_outputs: Path | None = None) -> dict[str, Row]:
    cfg.work_dir.mkdir(parents=True, exist_ok=True)
    job_dir = Path(tempfile.mkdtemp(prefix=f"{env.path.name}-", dir=cfg.work_dir))
    out_dir = job_dir / "out"
    out_dir.mkdir()
    try:
        job = write_job(job_dir, cases, module_name(cfg.package), framework_of(cfg.package))
        ready = supervise(cfg, env, job, out_dir, len(cases), variant, stop)
        rows = {}
        for index, case in enumerate(cases):
            result = json.loads((out_dir / f"{index}.json").read_text())
            outputs, verdict = _load_outputs(out_dir, result)
            if verdict is None:
                verdict = judge(result, outputs, case.expect())
            if keep_outputs is not None:
                _keep(keep_outputs, case.name, outputs)
            rows[case.name] = Row(
                case=case.name, package=cfg.package, version=env.spec.version, python=python,
                variant=variant.name, variant_env=dict(variant.env), outcome=verdict.outcome, max_abs_error=verdict.max_abs_error,
                detail=verdict.detail, case_digest=case.digest, seconds=result.get("seconds"),
                import_seconds=ready.get("import_seconds"), build_seconds=env.build_seconds,
                framework_version=str(ready.get("framework_version")),
                numpy_version=ready.get("numpy_version"), frozen=env.frozen, machine=machine(),
                recorded_at=time.time(),
            )
        return rows
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)


def _keep(folder: Path, case: str, outputs: Sequence[np.ndarray]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{case}_*.npy"):
        if old.stem[len(case) + 1:].isdigit():
            old.unlink()
    for k, array in enumerate(outputs):
        np.save(folder / f"{case}_{k}.npy", array)


def _load_outputs(out_dir: Path, result: dict) -> tuple[list[np.ndarray], Verdict | None]:
    """The runner's output arrays; never unpickles (an object array is an ``error``)."""
    outputs = []
    for name in result.get("outputs", []):
        try:
            outputs.append(np.load(out_dir / name, allow_pickle=False))
        except ValueError as exc:
            return [], Verdict(Outcome.ERROR, None, f"output {name} is not a numeric array ({exc})")
    return outputs, None


def supervise(cfg: Config, env: envs.Env, job: Path, out_dir: Path, n_cases: int,
              variant: Variant, stop: threading.Event) -> dict:
    """Run the runner until every case has a result file; return ready.json's content.

    Raises ``Skip`` when the framework cannot be imported (or the import
    crashes or hangs).
    """
    child_env = envs.child_env(env, dict(variant.env))
    ready: dict = {}
    attempt = 0
    while True:
        attempt += 1
        log_path = out_dir / f"runner-{attempt}.log"  # per start: a crash shows its own output
        pending = [i for i in range(n_cases) if not (out_dir / f"{i}.json").exists()]
        if not pending:
            return ready
        (out_dir / "ready.json").unlink(missing_ok=True)  # each start imports anew
        proc = command.start([str(env.python), str(job.with_name("runner.py")), str(job), str(out_dir),
                              str(os.getpid())],
                             env=child_env, log=log_path)
        try:
            timed_out = _watch(proc, out_dir, n_cases, cfg.timeout, cfg.import_timeout, stop)
        except BaseException:  # Ctrl-C or any error here: leave no runner behind
            command.kill_group(proc)
            raise
        rc = proc.returncode
        imported = (out_dir / "ready.json").exists()
        if imported:
            ready = json.loads((out_dir / "ready.json").read_text())
        if rc == IMPORT_FAILED and (out_dir / "import_error.json").exists():
            err = json.loads((out_dir / "import_error.json").read_text())
            raise Skip(f"import failed: {err['error_class']}: {err['message']}",
                       env.spec.python_version)
        if not imported:
            why = "hung" if timed_out else f"died ({command.signal_name(rc) or f'exit code {rc}'})"
            tail = command.tail(log_path.read_text(errors="replace"), 3).replace("\n", " | ")
            raise Skip(f"import {why}: {tail}", env.spec.python_version)
        still = [i for i in range(n_cases) if not (out_dir / f"{i}.json").exists()]
        if not still:
            continue
        index = still[0]  # the runner works in order: the first missing one was running
        if timed_out:
            result = {"status": "timeout", "message": f"killed after {cfg.timeout:g} s"}
        else:
            sig = command.signal_name(rc)
            cause = crash_cause(log_path.read_text(errors="replace"))
            what = sig or f"exit code {rc}"
            result = {"status": "crash", "message": f"{what}: {cause}" if cause else what}
        (out_dir / f"{index}.json").write_text(json.dumps(result))


class Cancelled(Exception):
    """The run was interrupted (Ctrl-C in the main thread): stop, storing nothing partial."""


# glog's prefix: "2026-11-27 23:10:01.431800: F tensorflow/core/kernels/conv_ops.cc:65] ..."
_GLOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: ([FEWI]) (.*)$")


def crash_cause(log: str) -> str:
    """The line that says why the process died, without run-specific timestamps.

    A fatal glog line (``F ...] Check failed: ...``) wins; otherwise the last
    line that names an error; otherwise nothing (stray warnings are not causes).
    """
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for line in reversed(lines):
        match = _GLOG.match(line)
        if match and match.group(1) == "F":
            return match.group(2)[:300]
    for line in reversed(lines):
        if any(word in line for word in ("Check failed", "Fatal", "Error", "error:")):
            match = _GLOG.match(line)
            return (match.group(2) if match else line)[:300]
    return ""


def _watch(proc, out_dir: Path, n_cases: int, timeout: float, import_timeout: float,
           stop: threading.Event) -> bool:
    """Wait for ``proc``; kill its group when a case (or the import) overruns. True if killed.

    ``stop`` set by another thread (Ctrl-C) kills the runner and raises ``Cancelled``.
    """
    done = 0  # the runner writes results in case order: only the next one can appear

    def progress() -> int:
        nonlocal done
        while done < n_cases and (out_dir / f"{done}.json").exists():
            done += 1
        return done + (out_dir / "ready.json").exists()

    seen = progress()
    deadline = time.monotonic() + (timeout if (out_dir / "ready.json").exists() else import_timeout)
    while proc.poll() is None:
        now = time.monotonic()
        current = progress()
        if current != seen:
            seen, deadline = current, now + timeout
        if now > deadline:
            command.kill_group(proc)
            return True
        if stop.is_set():
            command.kill_group(proc)
            raise Cancelled()
        time.sleep(POLL)
    return False
