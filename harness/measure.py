"""Measure one release: interpreter -> environment -> runner -> judge -> rows.

Stored rows that still stand are reused; the rest run now in one runner
process (``supervise``), are judged on the host and stored together.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness import envs, frameworks, jobs
from harness.cases import Case
from harness.config import Config, Variant
from harness.errors import EnvironmentBuildError, NetworkUnavailable
from harness.interpreters import Interpreter, pick
from harness.judge import Verdict, judge
from harness.outcome import Outcome
from harness.releases import Release, Wheel, local_version
from harness.results import Row, Store, machine
from harness.supervise import Limits, Skip, supervise

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
    prepared: Prepared | None = None,
) -> dict[str, Row]:
    """Rows for ``cases`` in ``release``: stored ones reused, the rest run now.

    ``keep_outputs``: a folder where the raw output arrays of the cases run
    now are kept as ``<case>_<k>.npy`` (``compare`` needs them).
    ``prepared``: what ``prepare`` returned for the same arguments (bisect
    builds environments ahead of running them).
    """
    variant = variant or cfg.variants[0]
    ready = prepared or prepare(cfg, release, cases, interpreters, store, variant, log=log)
    if ready.done is not None:
        return ready.done
    assert ready.env is not None
    try:
        rows = _run_cases(cfg, ready.env, ready.todo, ready.python, variant,
                          stop or threading.Event(), keep_outputs)
    except Skip as skip:
        return {**ready.have, **_skip_rows(cfg, ready.env.spec.version, ready.todo, skip, store,
                                           variant)}
    store.add(rows.values())
    return {**ready.have, **rows}


def prepare(cfg: Config, release: Release, cases: Sequence[Case],
            interpreters: Sequence[Interpreter], store: Store, variant: Variant,
            *, log: Log = print, stop: threading.Event | None = None) -> Prepared:
    """Reuse stored rows and build the environment for the rest; runs no case.

    A release that cannot be measured here gets its skip rows (stored unless
    the cause is the network).  ``stop`` abandons a build under way."""
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
        env = envs.ensure(env_spec(cfg, release, picked.interpreter, picked.wheel),
                          cfg.envs_dir, offline=cfg.offline, log=log, stop=stop)
    except EnvironmentBuildError as exc:  # a network failure is not a result: not stored
        return Prepared(have, todo, python, skipped=_skip_rows(
            cfg, version, todo, Skip(str(exc), python), store, variant,
            persist=not isinstance(exc, NetworkUnavailable)))
    return Prepared(have, todo, python, env)


def reusable(cfg: Config, store: Store, version: str, python: str, variant: Variant,
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
               keep_outputs: Path | None = None) -> dict[str, Row]:
    cfg.work_dir.mkdir(parents=True, exist_ok=True)
    job_dir = Path(tempfile.mkdtemp(prefix=f"{env.path.name}-", dir=cfg.work_dir))
    out_dir = job_dir / "out"
    out_dir.mkdir()
    try:
        framework = frameworks.lookup(cfg.package)
        driver = jobs.write_job(job_dir, cases, framework)
        ready = supervise(env.python, driver, out_dir, len(cases),
                          env=envs.child_env(env, framework, dict(variant.env)),
                          limits=Limits(cfg.timeout, cfg.import_timeout),
                          python_version=env.spec.python_version, stop=stop)
        rows = {}
        for index, case in enumerate(cases):
            result = json.loads((out_dir / f"{index}.json").read_text())
            try:
                outputs = jobs.read_outputs(out_dir, result)
                verdict = judge(result, outputs, _expectation(case))
            except jobs.NotNumeric as exc:
                outputs, verdict = [], Verdict(Outcome.ERROR, None, str(exc))
            if keep_outputs is not None:
                jobs.keep_outputs(keep_outputs, case.name, outputs)
            rows[case.name] = new_row(
                cfg, case, env.spec.version, python, variant, verdict.outcome,
                max_abs_error=verdict.max_abs_error, detail=verdict.detail,
                seconds=result.get("seconds"), import_seconds=ready.get("import_seconds"),
                build_seconds=env.build_seconds, framework_version=str(ready.get("framework_version")),
                numpy_version=ready.get("numpy_version"), frozen=env.frozen)
        return rows
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
