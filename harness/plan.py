"""What a command works on: releases, interpreters and cases, resolved once.

Release selection lives here, in one place: ``--from/--to/--versions``
(``releases.select``), a scan shard (``restrict``) and the default range of
a command given none of them (``default_range``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from harness import cases as cases_mod
from harness import envs, interpreters, jobs, releases, script
from harness.cases import Case
from harness import shard as shards
from harness.config import Config
from harness.errors import UsageError
from harness.interpreters import Interpreter
from harness.releases import Catalog, Release
from harness.results import Store
from harness.shard import Shard


@dataclass(frozen=True)
class Plan:
    catalog: Catalog
    releases: tuple[Release, ...]
    interpreters: tuple[Interpreter, ...]
    cases: tuple[Case, ...]
    store: Store


def load_cases(cfg: Config) -> list[Case]:
    """Built-in suite plus ``--cases`` files, filtered by ``--case``."""
    everything = cases_mod.builtin_cases() + cases_mod.load_user_cases(cfg.case_paths)
    return cases_mod.select(everything, cfg.case_patterns)


def load_catalog(cfg: Config) -> Catalog:
    """The index's catalog; with ``--find-links`` and no ``--index-url`` the folder's.

    A folder holding only local builds of the package (``torch-2.13.0+cpu``:
    a local label means "not on the index") adds them to the index's
    releases instead of replacing the catalog: the releases, their upload
    times and interpreters still come from the index.
    """
    if cfg.find_links and not cfg.index_url:
        folder = releases.catalog_from_folder(cfg.package, Path(cfg.find_links[0]))
        if not all(releases.local_version(w) for r in folder.releases for w in r.wheels):
            return folder
        return releases.merge_local_builds(_index_catalog(cfg), folder)
    catalog = _index_catalog(cfg)
    for link in cfg.find_links:
        if releases.folder_has(Path(link), cfg.package):
            catalog = releases.merge_local_builds(
                catalog, releases.catalog_from_folder(cfg.package, Path(link)))
    return catalog


def _index_catalog(cfg: Config) -> Catalog:
    return releases.load_catalog(
        cfg.package,
        cache_dir=cfg.cache_dir,
        index_url=cfg.index_url or releases.PYPI_SIMPLE,
        offline=cfg.offline,
        include_prereleases=cfg.pre,
    )


def find_interpreters(cfg: Config) -> list[Interpreter]:
    found = interpreters.discover(cache=cfg.cache_dir / "interpreters.json")
    if cfg.python:
        return [interpreters.resolve_forced(cfg.python, found)]
    return found


def build(cfg: Config) -> Plan:
    """Resolve everything a command needs; bad input fails here, before any work."""
    user_script = load_script(cfg)
    chosen_cases = [user_script.case()] if user_script else load_cases(cfg)
    catalog = load_catalog(cfg)
    chosen = releases.select(catalog, from_=cfg.from_, to=cfg.to, versions=cfg.versions)
    store = Store(cfg.results_dir)
    store.check()
    envs.uv_binary()  # resolve before worker threads need it
    if user_script and user_script.wants_python2(cfg.python):
        found = [script.python2_or_fail(cfg.python)]
    else:
        found = find_interpreters(cfg)
    jobs.clean_stale(cfg.work_dir)  # left by a harness killed with -9
    return Plan(catalog, tuple(chosen), tuple(found), tuple(chosen_cases), store)


def load_script(cfg: Config) -> script.Script | None:
    """``--script`` checked (and its language told apart) before any work; None without it."""
    if not cfg.script:
        if cfg.good_output or cfg.bad_output:
            raise UsageError("--good-output/--bad-output: expected --script FILE with them, got none")
        return None
    if cfg.case_patterns or cfg.case_paths:
        raise UsageError("--script replaces the cases: expected no --case/--cases with it",
                         hint="run the cases and the script in two commands")
    return script.load(cfg.script, good_output=cfg.good_output, bad_output=cfg.bad_output)


def installable(plan: Plan) -> list[Release]:
    """The selected releases that have a wheel for an interpreter here."""
    return [r for r in plan.releases if interpreters.pick(r, plan.interpreters)]


def default_range(cfg: Config, plan: Plan) -> list[Release]:
    """Without --from/--to/--versions: the releases installable with the interpreters here."""
    if cfg.from_ or cfg.to or cfg.versions:
        return list(plan.releases)
    found = installable(plan)
    if not found:
        have = ", ".join(i.short for i in plan.interpreters) or "none"
        raise UsageError(
            f"no {cfg.package} release has a wheel for the interpreters here ({have})",
            hint="install an interpreter the releases support, or name releases with --versions "
            "to see each one's skip reason")
    return found


def restrict(plan: Plan, shard: Shard | None) -> Plan:
    """``plan`` with only the releases of ``shard`` (unchanged without one).

    Applied to the range selection, before anything depends on the
    interpreters of this machine, so every machine computes the same split.
    """
    if shard is None:
        return plan
    return dataclasses.replace(plan, releases=tuple(shards.select(plan.releases, shard)))
