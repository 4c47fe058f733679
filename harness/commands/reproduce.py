"""``reproduce``: run each historical bug on its documented boundary releases.

For every bug in ``cases/history/`` (or those named), the harness measures
the documented last affected and first fixed releases (and, for a
regression, the last unaffected and first affected ones), judges each with
the bug's own ``good_when``, and says whether what it observed agrees with
the documentation.  ``--bisect`` also searches the documented range for the
transition, so a wrong boundary is found rather than only flagged.

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

from harness import __version__, bisection, history, output
from harness.cases import Case
from harness.config import Config
from harness.measure import measure
from harness.history import Bug, Observation, Verdict
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
                        help="also bisect inside each bug's documented range")
    parser.add_argument("--history", type=Path, default=history.HISTORY_DIR, metavar="DIR",
                        help="folder of history files (default: cases/history)")


def options_from(args: argparse.Namespace) -> dict:
    return {"names": tuple(args.names), "bisect_range": args.bisect, "history_dir": args.history}


class _Measurer:
    """Measures releases for many bugs at once, remembering every row."""

    def __init__(self, cfg: Config, ui: UI, catalog, interpreters, store: Store) -> None:
        self.cfg, self.ui, self.catalog = cfg, ui, catalog
        self.interpreters, self.store = interpreters, store
        self.rows: dict[str, dict[str, Row]] = {}  # version -> case -> row

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


def measure_boundaries(bugs: Sequence[Bug], m: _Measurer) -> dict[str, dict[str, Observation]]:
    """Bug id -> version -> observation on its documented boundary releases."""
    wanted: dict[str, list[Bug]] = {}
    for bug in bugs:
        for version in bug.expectations():
            wanted.setdefault(version, []).append(bug)
    for version in sorted(wanted, key=lambda v: history.Version(v)):
        group = wanted[version]
        cases = [c for b in group for c in b.cases]
        m.measure(version, cases, [b.id for b in group])
    return {b.id: {v: m.observe(b, v) for v in b.expectations()} for b in bugs}


def bisect_bugs(bugs: Sequence[Bug], m: _Measurer) -> dict[str, tuple[tuple[str, str] | None, str]]:
    """Bug id -> ((last bad, first good) or None, note), searching all bugs together."""
    items = {b.id: history.bisect_items(m.catalog.releases, b) for b in bugs}
    searches = {b.id: bisection.Bisection(len(items[b.id])) for b in bugs}
    by_id = {b.id: b for b in bugs}
    while True:
        wanted: dict[str, list[Bug]] = {}
        for bug_id, search in searches.items():
            index = search.next_probe()
            if index is not None:
                wanted.setdefault(str(items[bug_id][index].version), []).append(by_id[bug_id])
        if not wanted:
            break
        for version in sorted(wanted, key=lambda v: history.Version(v)):
            group = wanted[version]
            m.measure(version, [c for b in group for c in b.cases], [b.id for b in group])
            for bug in group:
                index = [str(r.version) for r in items[bug.id]].index(version)
                searches[bug.id].record(index, m.observe(bug, version).good)
    out = {}
    for bug in bugs:
        result = bisection.result(items[bug.id], searches[bug.id])
        span = f"searched {len(items[bug.id])} release(s) {items[bug.id][0]}..{items[bug.id][-1]}" \
            if items[bug.id] else "no release in the documented range"
        if result.transition is None:
            verdicts = result.endpoint_verdicts
            note = f"{span}; no transition (ends: {_word(verdicts[0])}, {_word(verdicts[1])})"
            out[bug.id] = (None, note)
            continue
        old, new = result.transition
        direction = "fix" if result.endpoint_verdicts[1] else "regression"
        out[bug.id] = ((str(old), str(new)), f"{span}; {direction}")
    return out


def _word(verdict: bool | None) -> str:
    return {True: "good", False: "bad", None: "unmeasured"}[verdict]


def verdicts_for(bugs: Sequence[Bug], observed: dict[str, dict[str, Observation]],
                 bisected: dict[str, tuple[tuple[str, str] | None, str]] | None = None) -> dict[str, Verdict]:
    """Judge every bug; attach what bisection found, and let it disagree too."""
    out = {}
    for bug in bugs:
        verdict = history.judge_bug(bug, observed[bug.id])
        if bisected is not None and bug.id in bisected:
            found, note = bisected[bug.id]
            mismatches = list(verdict.mismatches)
            status = verdict.status
            documented = (str(bug.meta["last_affected"]), str(bug.meta["first_fixed"]))
            if found is not None and found[1] != documented[1] and status == "agree":
                status = "disagree"
                mismatches.append(f"bisection found the fix in {found[1]}, documented {documented[1]}")
            verdict = Verdict(verdict.bug, status, verdict.observed, tuple(mismatches), found, note)
        out[bug.id] = verdict
    return out


def to_json(bug: Bug, verdict: Verdict) -> dict:
    return {
        "bug": bug.id, "title": bug.meta["title"], "kind": bug.meta["kind"],
        "source": list(bug.meta["source"]),  # type: ignore[arg-type]
        "affected": bug.meta["affected"], "fixed_in": list(bug.meta["fixed_in"]),  # type: ignore[arg-type]
        "last_affected": bug.meta["last_affected"], "first_fixed": bug.meta["first_fixed"],
        "good_when": bug.good_when, "verdict": verdict.status, "mismatches": list(verdict.mismatches),
        "observed": [{"version": o.version, "outcome": str(o.outcome), "good": o.good, "detail": o.detail}
                     for o in verdict.observed],
        "bisected": ({"from": verdict.bisected[0], "to": verdict.bisected[1]} if verdict.bisected else None),
        "bisect_note": verdict.bisect_note,
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
        history_dir: Path = history.HISTORY_DIR, argv: Callable[[], list[str]] = lambda: sys.argv) -> int:
    bugs = history.load_bugs(history_dir, names)
    m = _Measurer(cfg, ui, load_catalog(cfg), tuple(find_interpreters(cfg)), Store(cfg.results_dir))
    ui.progress(f"reproducing {len(bugs)} historical bug(s) on their documented boundary releases")
    observed = measure_boundaries(bugs, m)
    bisected = bisect_bugs(bugs, m) if bisect_range else None
    verdicts = verdicts_for(bugs, observed, bisected)
    rows = history.table_rows(bugs, verdicts)
    ui.result("")
    print_table(ui, rows)
    for bug in bugs:
        v = verdicts[bug.id]
        if v.status != "agree":
            why = "; ".join(v.mismatches)
            ui.result(f"{bug.id}: {v.status}: {why}" + (f"\n    note: {bug.meta['note']}"
                                                        if bug.meta.get("note") else ""))
    header = [
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by harness {__version__} "
        f"on {machine().get('cpu', '?')} ({', '.join(machine().get('flags', [])[:6])}...).  ",
        f"Command: `python -m harness {' '.join(shlex.quote(a) for a in argv()[1:])}`  ",
        "Each bug runs on its documented last affected and first fixed releases; "
        "`good_when` decides what counts as fixed (`pass`: returns the expected value; "
        "`no-crash`: anything but a crash or a timeout, so a clean error counts as fixed; "
        "`rejects`: only a clean exception counts, for bad input that affected releases accepted).",
    ]
    report = history.Report(bugs, verdicts, header)
    cfg.results_dir.mkdir(parents=True, exist_ok=True)
    path = cfg.results_dir / REPORT_NAME
    path.write_text(report.markdown())
    ui.result(f"\nwrote {path}")
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "reproduce", bugs=[to_json(b, verdicts[b.id]) for b in bugs]))
    return 0
