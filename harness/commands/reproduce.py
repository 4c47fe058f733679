"""``reproduce``: run each historical bug on its documented boundary releases.

For every bug in ``cases/history/`` (or those named), the harness measures
the documented last affected and first fixed releases (and, for a
regression, the last unaffected and first affected ones), plus, for every
release the sources list as fixed (each backport line), the last release
before it on its line; it judges each with the bug's own ``good_when`` and
says whether what it observed agrees with the documentation.  ``--bisect``
also finds the boundary from the catalog alone (``history.FixSearch``: the
X.Y.0 releases, then the last few lines), never reading a documented
version, so a wrong advisory is caught by measurement.

Releases are measured once for every bug that wants them (the import is the
cost), and stored rows are reused as by ``scan`` and ``bisect``.  The table
is printed and written to ``<results>/history.md``; disagreements are
reported with the note kept in the bug's file, and never change the exit
code: they are findings, not failures.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from harness import __version__, history, output
from harness.cases import Case
from harness.config import Config
from harness.errors import UsageError
from harness.measure import measure
from harness.history import Bug, Observation, Verdict
from harness.interpreters import pick
from harness.plan import find_interpreters, load_catalog
from harness.releases import Release
from harness.results import Row, Store, machine
from harness.ui import UI

REPORT_NAME = "history.md"

OPTIONS = ("environments", "running", "output", "store")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only ``reproduce`` has."""
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="bug ids or globs (default: every bug in the history folder)")
    parser.add_argument("--bisect", action="store_true",
                        help="also find each bug's boundary from the catalog alone (X.Y.0 releases, then the last lines), without reading its documented versions")
    parser.add_argument("--bisect-only", action="append", default=[], metavar="NAME",
                        help="with --bisect: search only these bug ids or globs (repeatable); "
                             "every named bug is still checked on its documented releases")
    parser.add_argument("--history", type=Path, default=history.HISTORY_DIR, metavar="DIR",
                        help="folder of history files (default: cases/history)")


def options_from(args: argparse.Namespace) -> dict:
    # options left out are absent from the namespace (cli.parser): their defaults live here
    names, only = tuple(getattr(args, "names", ())), tuple(getattr(args, "bisect_only", ()) or ())
    return {"names": names, "bisect_range": getattr(args, "bisect", False) or bool(only),
            "bisect_only": only, "history_dir": getattr(args, "history", history.HISTORY_DIR)}


class _Measurer:
    """Measures releases for many bugs at once, remembering every row."""

    def __init__(self, cfg: Config, ui: UI, catalog, interpreters, store: Store) -> None:
        self.cfg, self.ui, self.catalog = cfg, ui, catalog
        self.interpreters, self.store = interpreters, store
        self.rows: dict[str, dict[str, Row]] = {}  # version -> case -> row
        self.envs_before = self._env_names()
        self.envs_built: set[str] = set()  # environment folders that appeared during this run
        self._budget = None  # the disk budget, made at the first eviction check

    def _env_names(self) -> set[str]:
        """Environment folders now, by name and inode (one evicted and rebuilt counts again)."""
        folder = self.cfg.envs_dir
        if not folder.is_dir():
            return set()
        return {f"{p.name}@{p.stat().st_ino}" for p in folder.iterdir() if p.is_dir()}

    def _enforce_budget(self) -> None:
        """Evict least recently used environments over --disk-budget (as ``scan`` does)."""
        from harness import disk, envs

        if not self.cfg.envs_dir.is_dir():
            return
        if self._budget is None:  # one budget for the run, from --disk-budget or free space
            self._budget = disk.for_run(self.cfg.disk_budget, self.cfg.envs_dir, envs.uv_cache_dir(),
                                        [], 0, self.ui.progress)
        self._budget.enforce()

    def installable(self) -> list[Release]:
        """The catalog's releases that have a wheel for one of the interpreters here."""
        return [r for r in self.catalog.releases if pick(r, self.interpreters)]

    def release(self, version: str) -> Release | None:
        return self.catalog.find(version)

    def measure(self, version: str, cases: Sequence[Case], wanted_by: Sequence[str]) -> dict[str, Row]:
        have = self.rows.setdefault(version, {})
        todo = [c for c in cases if c.name not in have]
        if todo:
            release = self.release(version)
            self.ui.progress(f"{self.cfg.package} {version}: {len(todo)} case(s) for {', '.join(wanted_by)}")
            if release is None:
                for c in todo:
                    have[c.name] = _missing_row(self.cfg, version, c)
            else:
                have.update(measure(self.cfg, release, todo, self.interpreters, self.store,
                                    log=self.ui.progress))
                self.envs_built |= self._env_names() - self.envs_before
                self._enforce_budget()
            line = ", ".join(f"{c.name}={have[c.name].outcome}" for c in todo)
            self.ui.progress(f"    {line}")
        return {c.name: have[c.name] for c in cases}

    def observe(self, bug: Bug, version: str) -> Observation:
        rows = self.measure(version, bug.cases, [bug.id])
        return history.observe(version, {n: (r.outcome, r.detail) for n, r in rows.items()},
                               bug.good_when)


def _missing_row(cfg: Config, version: str, case: Case) -> Row:
    from harness.outcome import Outcome

    return Row(case=case.name, package=cfg.package, version=version, python="", variant=cfg.variant,
               outcome=Outcome.SKIP, detail=f"{cfg.package} {version} is not in the catalog",
               case_digest=case.digest, machine=machine(), recorded_at=time.time())


def measure_checks(bugs: Sequence[Bug], m: _Measurer) -> tuple[dict[str, list[history.Check]],
                                                                 dict[str, dict[str, Observation]]]:
    """Bug id -> its checks, and bug id -> version -> observation, each release measured once."""
    releases = m.catalog.releases
    checks = {b.id: history.checks_for(b, releases) for b in bugs}
    wanted: dict[str, list[Bug]] = {}
    for bug in bugs:
        for check in checks[bug.id]:
            wanted.setdefault(check.version, []).append(bug)
    for version in sorted(wanted, key=history.Version):
        group = wanted[version]
        m.measure(version, [c for b in group for c in b.cases], [b.id for b in group])
    observed = {b.id: {c.version: m.observe(b, c.version) for c in checks[b.id]} for b in bugs}
    return checks, observed


def search_bugs(bugs: Sequence[Bug], m: _Measurer) -> dict[str, history.SearchResult]:
    """Bug id -> what ``FixSearch`` found; all searches advance together, sharing releases."""
    installable = m.installable()
    searches = {b.id: history.FixSearch(installable) for b in bugs if b.cases}
    by_id = {b.id: b for b in bugs}
    while True:
        wanted: dict[str, list[Bug]] = {}
        for bug_id, search in searches.items():
            version = search.next_probe()
            if version is not None:
                wanted.setdefault(version, []).append(by_id[bug_id])
        if not wanted:
            break
        for version in sorted(wanted, key=history.Version):
            group = wanted[version]
            m.measure(version, [c for b in group for c in b.cases], [b.id for b in group])
            for bug in group:
                searches[bug.id].record(version, m.observe(bug, version).good)
    return {bug_id: search.result() for bug_id, search in searches.items()}


def verdicts_for(bugs: Sequence[Bug], checks: dict[str, list[history.Check]],
                 observed: dict[str, dict[str, Observation]],
                 searched: dict[str, history.SearchResult] | None = None) -> dict[str, Verdict]:
    """Judge every bug; attach what the doc-free search found, and let it disagree too."""
    searched = searched or {}
    return {b.id: history.judge_bug(b, observed[b.id], checks[b.id], searched.get(b.id)) for b in bugs}


def to_json(bug: Bug, verdict: Verdict) -> dict:
    search = verdict.search
    return {
        "bug": bug.id, "title": bug.meta["title"], "kind": bug.meta["kind"],
        "source": list(bug.meta["source"]),  # type: ignore[arg-type]
        "affected": bug.meta["affected"], "fixed_in": list(bug.meta["fixed_in"]),  # type: ignore[arg-type]
        "last_affected": bug.meta["last_affected"], "first_fixed": bug.meta["first_fixed"],
        "good_when": bug.good_when, "verdict": verdict.status, "mismatches": list(verdict.mismatches),
        "not_observable": bug.meta.get("not_observable"),
        "checks": [{"line": r.check.line, "version": r.check.version, "role": r.check.role,
                    "documented_fixed": r.check.expected, "status": r.status,
                    "outcome": str(r.observation.outcome) if r.observation else None,
                    "good": r.observation.good if r.observation else None,
                    "detail": r.observation.detail if r.observation else ""}
                   for r in verdict.rows],
        "search": None if search is None else {
            "transition": list(search.transition) if search.transition else None,
            "direction": search.direction, "probes": search.probes, "note": search.note,
            "lines": [{"line": line, "first_fixed": first} for line, first in search.lines]},
    }


def print_table(ui: UI, rows: Sequence[dict[str, str]]) -> None:
    from rich.table import Table

    table = Table(show_lines=False, highlight=False)
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(row.get(c, "") for c in columns))
    ui.out.print(table)


def run(cfg: Config, ui: UI, *, names: Sequence[str] = (), bisect_range: bool = False,
        bisect_only: Sequence[str] = (), history_dir: Path = history.HISTORY_DIR, argv: Callable[[], list[str]] = lambda: sys.argv) -> int:
    started = time.monotonic()
    bugs = history.load_bugs(history_dir, names)
    m = _Measurer(cfg, ui, load_catalog(cfg), tuple(find_interpreters(cfg)), Store(cfg.results_dir))
    ui.progress(f"reproducing {len(bugs)} historical bug(s) on every release their sources name")
    checks, observed = measure_checks(bugs, m)
    searched = None
    if bisect_range:
        import fnmatch

        chosen = [b for b in bugs if not bisect_only
                  or any(fnmatch.fnmatchcase(b.id, pattern) for pattern in bisect_only)]
        if bisect_only and not chosen:
            raise UsageError(f"--bisect-only {', '.join(bisect_only)} matches none of the bugs run")
        searched = search_bugs(chosen, m)
    verdicts = verdicts_for(bugs, checks, observed, searched)
    rows = history.table_rows(bugs, verdicts)
    ui.result("")
    print_table(ui, rows)
    for bug in bugs:
        v = verdicts[bug.id]
        if v.status != "agree":
            ui.result(f"{bug.id}: {v.status}: {'; '.join(v.mismatches)}")
    elapsed = time.monotonic() - started
    n = history.counts(verdicts)
    releases_run = sorted(m.rows, key=history.Version)
    summary = (f"{len(bugs)} entries: {n['agree']} agree, {n['disagree']} disagree, "
               f"{n['unknown']} not measured, {n['not observable']} not observable; "
               f"{len(releases_run)} releases measured, {len(m.envs_built)} environments built "
               f"this run, wall time {elapsed / 60:.1f} min")
    header = [
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by harness {__version__} "
        f"on {machine().get('cpu', '?')} ({', '.join(machine().get('flags', [])[:6])}...).  ",
        f"Command: `python -m harness {' '.join(shlex.quote(a) for a in argv()[1:])}`  ",
        f"This run: {len(releases_run)} releases measured, shared by all entries "
        f"({', '.join(releases_run)}); {len(m.envs_built)} environments built "
        f"(the rest were already in {cfg.envs_dir}); wall time {elapsed / 60:.1f} min.  ",
        "`good_when` decides what counts as fixed (`pass`: returns the expected value; "
        "`no-crash`: anything but a crash or a timeout, so a clean error counts as fixed; "
        "`rejects`: only a clean exception counts, for bad input that affected releases accepted). "
        "`unsupported` and `skip` are unknown: they say nothing about the bug.",
    ]
    report = history.Report(bugs, verdicts, header)
    cfg.results_dir.mkdir(parents=True, exist_ok=True)
    path = cfg.results_dir / REPORT_NAME
    path.write_text(report.markdown())
    ui.result(f"\n{summary}\nwrote {path}")
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "reproduce",
                               summary={**n, "entries": len(bugs), "releases_measured": releases_run,
                                        "environments_built": sorted(m.envs_built),
                                        "wall_seconds": round(elapsed, 1)},
                               bugs=[to_json(b, verdicts[b.id]) for b in bugs]))
    return 0
