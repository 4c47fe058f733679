"""Measure one release: interpreter -> environment -> runner -> judge -> rows.

Stored rows that still stand are reused; the rest run now in one runner
process (``supervise``), are judged on the host and stored together.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from harness import disk, envs, frameworks, jobs, script
from harness.cases import Case
from harness.config import Config, Variant
from harness.host_expect import ExpectFailed
from harness.errors import EnvironmentBuildError, NetworkUnavailable
from harness.interpreters import Interpreter, pick
from harness.judge import Verdict, judge
from harness.outcome import Outcome
from harness.releases import Release, Wheel, local_version
from harness.results import Row, Store, machine
from harness.supervise import Cancelled, Limits, Skip, supervise

Log = Callable[[str], None]


def new_row(cfg: Config, case: Case, version: str, python: str, variant: Variant,
            outcome: Outcome, **measured) -> Row:
    """The one place a ``Row`` is made: what was run where, plus what was measured."""
    return Row(case=case.name, package=cfg.package, version=version, python=python,
               variant=variant.name, variant_env=dict(variant.env), outcome=outcome,
               case_digest=case.digest, machine=machine(), recorded_at=time.time(), **measured)


@dataclass(frozen=True)
class Prepared:
    """A release made ready to run: the rows that stand, the cases left, and the
    environment for them (or the skip rows, already made, when it cannot be built)."""

    have: dict[str, Row]
    todo: tuple[Case, ...]
    python: str = ""
    env: envs.Env | None = None
    skipped: dict[str, Row] | None = None

    @property
    def done(self) -> dict[str, Row] | None:
        """The final rows when nothing is left to run, else None."""
        if self.skipped is not None:
            return {**self.have, **self.skipped}
        return None if self.todo else dict(self.have)


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
    budget: disk.Budget | None = None,
    prepared: Prepared | None = None,
) -> dict[str, Row]:
    """Rows for ``cases`` in ``release``: stored ones reused, the rest run now.

    ``keep_outputs``: a folder where the raw output arrays of the cases run
    now are kept as ``<case>_<k>.npy`` (``compare`` needs them).  ``budget``:
    before building, evict to make room for the new environment.
    ``prepared``: what ``prepare`` returned for the same arguments (bisect
    builds environments ahead of running them).  The environment is leased
    while the cases run (no harness process evicts it meanwhile); rows
    measured in an environment that was evicted or rebuilt meanwhile are
    returned as unstored skips, never stored.
    """
    variant = variant or cfg.variants[0]
    ready = prepared or prepare(cfg, release, cases, interpreters, store, variant, log=log,
                                budget=budget)
    if ready.done is not None:
        return ready.done
    assert ready.env is not None
    have, todo, python = ready.have, ready.todo, ready.python
    version = ready.env.spec.version
    try:
        with envs.lease(ready.env.spec, cfg.envs_dir, offline=cfg.offline, log=log) as env:
            skip = None
            try:
                rows = _run_cases(cfg, env, todo, python, variant, stop or threading.Event(),
                                  keep_outputs, on_cancel=store.add)
            except Skip as caught:
                skip = caught
            finally:
                if budget is not None:  # its runner may have written .pyc (envs.bytecode_vars)
                    budget.scanner.ran(env.path)
            if not env.unchanged():  # the rows may come from a half-deleted environment
                skip, stored = Skip(f"environment {env.path.name} changed while the cases ran; "
                                    "rows not stored", python), False
            else:
                stored = True
            if skip is not None:
                return {**have, **_skip_rows(cfg, version, todo, skip, store, variant, persist=stored)}
            store.add(rows.values())
    except EnvironmentBuildError as exc:  # a network failure is not a result: not stored
        return {**have, **_skip_rows(cfg, version, todo, Skip(str(exc), python), store, variant,
                                     persist=not isinstance(exc, NetworkUnavailable))}
    return {**have, **rows}


def prepare(cfg: Config, release: Release, cases: Sequence[Case],
            interpreters: Sequence[Interpreter], store: Store, variant: Variant,
            *, log: Log = print, stop: threading.Event | None = None,
            budget: disk.Budget | None = None) -> Prepared:
    """Reuse stored rows and build the environment for the rest; runs no case.

    A release that cannot be measured here gets its skip rows (stored unless
    the cause is the network).  ``budget``: evict to make room first.
    ``stop`` abandons a build under way."""
    picked = pick(release, interpreters)
    if not picked:
        return Prepared({}, tuple(cases), skipped=_skip_rows(
            cfg, str(release.version), cases, Skip(picked.reason), store, variant))
    python = picked.python_version
    version = measured_version(release, picked.wheel)
    have = {} if cfg.force else reusable(cfg, store, version, python, variant, cases)
    todo = tuple(c for c in cases if c.name not in have)
    if not todo:
        return Prepared(have, todo, python)
    try:
        spec = env_spec(cfg, release, picked.interpreter, picked.wheel)
        building = budget is not None and not (cfg.envs_dir / spec.key / disk.INFO_FILE).exists()
        with budget.reserving(disk.estimate(picked.wheel.size)) if building else nullcontext():
            env = envs.ensure(spec, cfg.envs_dir, offline=cfg.offline, log=log, stop=stop)
    except EnvironmentBuildError as exc:  # a network failure is not a result: not stored
        return Prepared(have, todo, python, skipped=_skip_rows(
            cfg, version, todo, Skip(str(exc), python), store, variant,
            persist=not isinstance(exc, NetworkUnavailable)))
    return Prepared(have, todo, python, env)


def all_stored(cfg: Config, release: Release, cases: Sequence[Case],
               interpreters: Sequence[Interpreter], store: Store, variant: Variant) -> bool:
    """True when every case of ``release`` has a stored row that still stands (nothing will run)."""
    picked = pick(release, interpreters)
    if cfg.force or not picked:
        return False
    version = measured_version(release, picked.wheel)
    return len(reusable(cfg, store, version, picked.python_version, variant, cases)) == len(cases)


def measured_seconds(cfg: Config, release: Release, cases: Sequence[Case],
                     interpreters: Sequence[Interpreter], store: Store, variant: Variant) -> float | None:
    """What running ``cases`` in ``release`` took last time, from its stored rows: the
    import once plus every case, and the build when the environment is not there now.
    None when a case has no measured row (then only the catalog's estimate is known)."""
    picked = pick(release, interpreters)
    if not picked:
        return None
    stored = store.get(cfg.package, measured_version(release, picked.wheel), picked.python_version,
                       variant.name)
    rows = [stored.get(c.name) for c in cases]
    if not rows or any(r is None or r.import_seconds is None for r in rows):
        return None
    return (max(r.import_seconds or 0.0 for r in rows) + sum(r.seconds or 0.0 for r in rows)
            + (0.0 if is_built(cfg, release, interpreters) else max(r.build_seconds or 0.0 for r in rows)))


def reusable(cfg: Config, store: Store, version: str, python: str, variant: Variant,
             cases: Sequence[Case]) -> dict[str, Row]:
    """Stored rows that still stand: same case digest, and not a skip (its cause may be gone)."""
    stored = store.get(cfg.package, version, python, variant.name)
    return {c.name: stored[c.name] for c in cases
            if c.name in stored and stored[c.name].case_digest == c.digest
            and stored[c.name].outcome is not Outcome.SKIP}


def env_path(cfg: Config, release: Release, interpreters: Sequence[Interpreter]) -> Path | None:
    """Where ``release``'s environment lives (or will), or None when it cannot be installed here."""
    picked = pick(release, interpreters)
    return cfg.envs_dir / env_spec(cfg, release, picked.interpreter, picked.wheel).key if picked else None


def is_built(cfg: Config, release: Release, interpreters: Sequence[Interpreter]) -> bool:
    """Whether ``release``'s environment is there, complete (its run starts without a build)."""
    path = env_path(cfg, release, interpreters)
    return path is not None and (path / disk.INFO_FILE).exists()


def env_estimate(release: Release, interpreters: Sequence[Interpreter]) -> int | None:
    """The bytes ``release``'s environment is expected to take, None when not installable here."""
    picked = pick(release, interpreters)
    return disk.estimate(picked.wheel.size) if picked else None


def measured_version(release: Release, wheel: Wheel) -> str:
    """The version installed, stored and reported for ``release`` through ``wheel``:
    a local build (torch 2.13.0+cpu from --find-links) goes by its own version,
    its outcomes may differ from the index's build."""
    return str(local_version(wheel) or release.version)


def env_spec(cfg: Config, release: Release, interp: Interpreter, wheel: Wheel) -> envs.EnvSpec:
    return envs.spec_for(
        cfg.package, measured_version(release, wheel), interp,
        exclude_newer=envs.exclude_newer_for(wheel.upload_time, cfg.exclude_newer),
        requirements=frameworks.lookup(cfg.package).pins_for(release.version),
        find_links=cfg.find_links, index_url=cfg.index_url,
    )


def _skip_rows(cfg: Config, version: str, cases: Sequence[Case], skip: Skip, store: Store,
               variant: Variant, *, persist: bool = True) -> dict[str, Row]:
    rows = {c.name: new_row(cfg, c, version, skip.python, variant, Outcome.SKIP, detail=skip.reason)
            for c in cases}
    if persist and skip.python:
        store.add(rows.values())
    return rows


_EXPECTED: dict[tuple[str, str], object] = {}


def _expectation(case: Case):
    """``case.expect()``, computed once per process and case definition: the float64
    reference of 124 cases costs seconds, and bisect and scan judge many releases."""
    key = (case.name, case.digest)
    if key not in _EXPECTED:
        _EXPECTED[key] = case.expect()
    return _EXPECTED[key]


def _run_cases(cfg: Config, env: envs.Env, cases: Sequence[Case], python: str,
               variant: Variant, stop: threading.Event,
               keep_outputs: Path | None = None,
               on_cancel: Callable[[Iterable[Row]], None] | None = None) -> dict[str, Row]:
    if any(c.kind == "script" for c in cases):
        return _run_scripts(cfg, env, cases, python, variant, stop)
    job_dir = jobs.new_job_dir(cfg.work_dir, env.path.name)
    out_dir = job_dir / "out"
    out_dir.mkdir()
    try:
        framework = frameworks.lookup(cfg.package)
        driver = jobs.write_job(job_dir, cases, framework)
        try:
            ready = supervise(env.python, driver, out_dir, len(cases),
                              env=envs.child_env(env, framework, dict(variant.env)),
                              limits=Limits(cfg.timeout, cfg.import_timeout),
                              python_version=env.spec.python_version, stop=stop,
                              keep_logs=cfg.logs_dir / env.path.name / variant.name if cfg.keep_logs else None)
        except Cancelled:  # Ctrl-C: the cases that finished before it are stored all the same
            finished = [i for i in range(len(cases)) if (out_dir / f"{i}.json").exists()]
            if finished and (out_dir / "ready.json").exists() and on_cancel is not None:
                ready = json.loads((out_dir / "ready.json").read_text())
                on_cancel(_rows(cfg, env, cases, python, variant, out_dir, ready, finished,
                                keep_outputs).values())
            raise
        return _rows(cfg, env, cases, python, variant, out_dir, ready, range(len(cases)), keep_outputs)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)


def _run_scripts(cfg: Config, env: envs.Env, cases: Sequence[Case], python: str,
                 variant: Variant, stop: threading.Event) -> dict[str, Row]:
    """``--script``: run it in ``env`` and judge it by its exit code or output (``script``)."""
    rows = {}
    framework = frameworks.lookup(cfg.package)
    child = envs.child_env(env, framework, dict(variant.env), script=True)
    for case in cases:
        ran = script.run(case, env.python, env=child, timeout=cfg.timeout, work_dir=cfg.work_dir,
                         stop=stop, module=framework.module)
        rows[case.name] = new_row(
            cfg, case, env.spec.version, python, variant, ran.verdict.outcome,
            detail=ran.verdict.detail, seconds=ran.seconds, build_seconds=env.build_seconds,
            frozen=env.frozen)
    return rows


def _rows(cfg: Config, env: envs.Env, cases: Sequence[Case], python: str, variant: Variant,
          out_dir: Path, ready: dict, indices: Iterable[int], keep_outputs: Path | None) -> dict[str, Row]:
    """The judged rows of the cases at ``indices`` (their result files exist)."""
    rows = {}
    for index in indices:
        case = cases[index]
        result = json.loads((out_dir / f"{index}.json").read_text())
        try:
            outputs = jobs.read_outputs(out_dir, result)
            # a case that did not return is judged without running its expect_
            verdict = judge(result, outputs, _expectation(case) if result.get("status") == "ok" else None)
        except jobs.NotNumeric as exc:
            outputs, verdict = [], Verdict(Outcome.ERROR, None, str(exc))
        except ExpectFailed as exc:  # that case's error; its siblings are judged as usual
            verdict = Verdict(Outcome.ERROR, None, str(exc))
        if keep_outputs is not None:
            jobs.keep_outputs(keep_outputs, case.name, outputs)
        rows[case.name] = new_row(
            cfg, case, env.spec.version, python, variant, verdict.outcome,
            max_abs_error=verdict.max_abs_error, detail=verdict.detail,
            seconds=result.get("seconds"), import_seconds=ready.get("import_seconds"),
            build_seconds=env.build_seconds, framework_version=str(ready.get("framework_version")),
            numpy_version=ready.get("numpy_version"), frozen=env.frozen)
    return rows
