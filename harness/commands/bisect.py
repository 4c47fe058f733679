"""``bisect``: per case, the release where its outcome changed.

All cases are searched together: each probe measures every selected case in
that release (the import is the cost, cases are cheap), and every search
that wants that release takes its answer, so cases share probes.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from harness import bisection, changes, disk, envs, goodwhen, output, pasteable, progress, releases, shard
from harness.cases import Case
from harness.commands import resumable
from harness.errors import UsageError
from harness.config import Config, Variant
from harness.measure import all_stored, env_estimate, env_path, measure, prepare
from harness.interpreters import Interpreter
from harness.outcome import Outcome
from harness.plan import Plan, build, default_range
from harness.releases import Release
from harness.results import Row, Store
from harness.transitions import nightly_range
from harness.ui import UI

OPTIONS = ("package", "releases", "case", "case-files", "script", "environments", "running", "output",
           "progress", "store")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only ``bisect`` has."""
    parser.add_argument("--good-when", type=_good_when, metavar="WHEN",
                        help="what counts as good: pass (default), no-crash, a set of outcomes "
                        "(pass,unsupported), first (the outcome at --from), detail:REGEX")
    parser.add_argument("--no-prefetch", dest="prefetch", action="store_false",
                        help="build only the environments that are probed (no speculative builds)")
    parser.add_argument("--nightly", action="store_true",
                        help="narrow each transition to two consecutive tf-nightly builds when "
                        "PyPI still has nightlies for that period")


def _good_when(text: str) -> str:
    try:
        goodwhen.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


@dataclass(frozen=True)
class CaseReport:
    case: str
    result: bisection.Result[Release]
    rows: dict[str, Row]  # version -> row of every probe
    good_when: str = "pass"

    def outcome(self, release: Release | None) -> Outcome | None:
        row = self.rows.get(str(release)) if release is not None else None
        return row.outcome if row else None

    def summary(self) -> str:
        r = self.result
        skipped = f" ({len(r.skipped)} skipped: {', '.join(map(str, r.skipped))})" if r.skipped else ""
        if r.lo is None:
            return f"{self.case}: no release in the range could be measured{skipped}"
        if r.hi is None:
            return (f"{self.case}: only {r.lo} could be measured ({self.outcome(r.lo)}); "
                    f"nothing to compare{skipped}")
        if r.transition is None:
            old, new = self.outcome(r.lo), self.outcome(r.hi)
            agree = "both ends agree" if old == new else (
                f"both ends are {'good' if r.endpoint_verdicts[0] else 'bad'} for --good-when {self.good_when}")
            return (f"{self.case}: {old} in {r.lo} and {new} in {r.hi}: "
                    f"{agree}, no transition to find (a change reverted in between would not "
                    f"show; `scan` checks every release){skipped}")
        old, new = r.transition
        gap = ""
        between = [s for s in r.skipped if old.version < s.version < new.version]
        if between:
            gap = f" (unmeasured between them: {', '.join(map(str, between))})"
        return f"{self.case}: {self.outcome(old)} in {old} -> {self.outcome(new)} in {new}{gap}{skipped}"

    def to_json(self, package: str) -> dict:
        r = self.result
        transition = None
        if r.transition:
            old, new = r.transition
            transition = {"from": str(old), "to": str(new),
                          "from_outcome": str(self.outcome(old)), "to_outcome": str(self.outcome(new))}
        return {
            "case": self.case, "package": package, "transition": transition,
            "probes": [{"version": str(v), "python": self.rows[str(v)].python,
                        "outcome": str(self.rows[str(v)].outcome)} for v in r.probed],
            "skipped": [{"version": str(v), "reason": self.rows[str(v)].detail} for v in r.skipped],
        }


NIGHTLY = "tf-nightly"


def run(cfg: Config, ui: UI) -> int:
    plan = build(cfg)
    with resumable(plan.store):
        return _run(cfg, ui, plan)


def _run(cfg: Config, ui: UI, plan: Plan) -> int:
    items = default_range(cfg, plan)
    variant = cfg.variants[-1]  # default, or the one --variant given
    estimates = [e for e in (env_estimate(r, plan.interpreters) for r in items) if e is not None]
    # in use at once: the probe and, while it runs, the two possible next probes
    budget = disk.for_run(cfg.disk_budget, cfg.envs_dir, envs.uv_cache_dir(), estimates,
                          min(3 if cfg.prefetch else 1, len(estimates)), ui.progress)
    ui.progress(f"bisecting {len(plan.cases)} case(s) over {len(items)} {cfg.package} releases "
                f"({items[0]} .. {items[-1]}), good when {cfg.good_when}, variant {variant}; "
                f"catalog: {plan.catalog.source}")
    ui.progress(budget.intro)
    first = first_outcomes(cfg, ui, items[0], plan, variant) if cfg.good_when == "first" else {}
    with progress.shown(ui.err, quiet=cfg.quiet, verbose=cfg.verbose, releases=items, unit="probe",
                        expected=bisection.Bisection(len(items)).steps_left()):
        reports = search(cfg, ui, items, plan.cases, plan.interpreters, plan.store, variant, budget, first)
    ui.result("")
    flips = changes.from_reports(reports)
    if flips:
        ui.render(changes.table(changes.group(flips)))
    for line in changes.unchanged(reports):
        ui.result(line)
    probed = {v for r in reports for v in r.result.probed}
    ui.result(f"\n{len(probed)} release(s) probed of {len(items)}; results stored under {cfg.results_dir}")
    paste_ready(cfg, ui, reports, plan)
    if cfg.nightly:
        narrow_with_nightlies(cfg, ui, reports, plan, variant, budget)
    ui.result(budget.summary())
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "bisect", package=cfg.package,
                               cases=[r.to_json(cfg.package) for r in reports]))
    return 0


def first_outcomes(cfg: Config, ui: UI, oldest: Release, plan: Plan, variant: Variant) -> dict[str, Outcome]:
    """``--good-when first``: each case's outcome in the range's oldest release (the good one)."""
    ui.progress(f"--good-when first: measuring {oldest} for the outcomes that count as good")
    rows = measure(cfg, oldest, plan.cases, plan.interpreters, plan.store, variant=variant, log=ui.progress)
    unmeasured = [n for n, row in rows.items() if row.outcome is Outcome.SKIP]
    if unmeasured:
        raise UsageError(f"--good-when first: expected {oldest} to be measurable, got skip "
                         f"({rows[unmeasured[0]].detail})", hint="choose a --from that installs here")
    return {name: row.outcome for name, row in rows.items()}


PRINTED_BLOCKS = 3  # more transitions than this: the blocks go to a file only


def paste_ready(cfg: Config, ui: UI, reports: Sequence[CaseReport], plan: Plan) -> None:
    """Per transition, a Markdown block for an upstream issue and a standalone repro (``pasteable``)."""
    blocks = []
    for report in reports:
        if not report.result.transition:
            continue
        old, new = report.result.transition
        case = next(c for c in plan.cases if c.name == report.case)
        repro = pasteable.write_repro(case, cfg.results_dir / "repro", str(old), str(new))
        blocks.append(pasteable.block(case, cfg.package, report.rows[str(old)], report.rows[str(new)],
                                      cut=envs.exclude_newer_for(new.upload_time, cfg.exclude_newer),
                                      repro=repro))
    if not blocks:
        return
    path = cfg.results_dir / "repro" / "bisect.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n\n".join(blocks) + "\n")
    if len(blocks) <= PRINTED_BLOCKS:
        ui.result("\nPaste-ready (also in " + str(path) + "):\n\n" + "\n\n".join(blocks))
    else:
        ui.result(f"paste-ready blocks for the {len(blocks)} transitions: {path}")


def search(cfg: Config, ui: UI, items: Sequence[Release], cases: Sequence[Case],
           interpreters: Sequence[Interpreter], store: Store, variant: Variant,
           budget: disk.Budget | None = None,
           first: dict[str, Outcome] | None = None) -> list[CaseReport]:
    """Bisect every case over ``items`` at once; each probe measures all cases.

    While a probe runs, the environments of the probes that can come next
    (one per possible verdict, as mozregression does) are built in the
    background unless ``--no-prefetch``.  With a ``budget``, environments
    are evicted after each probe, never the next probes' ones.
    """
    names = [c.name for c in cases]
    good, first = goodwhen.parse(cfg.good_when), first or {}
    searches = {name: bisection.Bisection(len(items)) for name in names}
    rows: dict[str, dict[str, Row]] = {name: {} for name in names}
    step = 0
    prefetched: set[int] = set()
    with ThreadPoolExecutor(max_workers=1) as prefetcher:
        while True:
            wanted: dict[int, list[str]] = {}
            for name, s in searches.items():
                index = s.next_probe()
                if index is not None:
                    wanted.setdefault(index, []).append(name)
            if not wanted:
                break
            ahead = sorted({i for s in searches.values() for i in s.speculate()}) if cfg.prefetch else []
            if budget is not None:  # what the search needs next stays on disk
                budget.protected = frozenset(
                    p for p in (env_path(cfg, items[i], interpreters) for i in {*wanted, *ahead}) if p)
            if cfg.prefetch:
                for index in ahead:
                    if index not in prefetched and index not in wanted:
                        prefetched.add(index)
                        prefetcher.submit(progress.working(str(items[index]), prepare, speculative=True),
                                          cfg, items[index], cases, interpreters, store, variant, budget)
            for index in sorted(wanted):
                step += 1
                release = items[index]
                left = max(s.steps_left() for s in searches.values())
                doing = "stored" if all_stored(cfg, release, cases, interpreters, store, variant) else "measuring"
                ui.progress(f"[step {step}, ~{left} left] {cfg.package} {release}: {doing} "
                            f"{len(cases)} case(s) (wanted by {_few(wanted[index])})")
                with progress.worker(str(release)):
                    measured = measure(cfg, release, cases, interpreters, store, variant=variant,
                                       log=ui.progress, budget=budget)
                counts = Counter(str(row.outcome) for row in measured.values())
                line = (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "; "
                        + _few([f"{n}={measured[n].outcome}" for n in wanted[index]]))
                py = next(iter(measured.values())).python or "-"
                ui.progress(f"    python {py}: {line}")
                for name in wanted[index]:
                    row = measured[name]
                    rows[name][str(release)] = row
                    searches[name].record(index, good.verdict(row.outcome, row.detail, first.get(name)))
                    if row.outcome is Outcome.SKIP:
                        ui.progress(f"    skipped: {row.detail}")
                progress.done(0.0 if doing == "stored" else shard.cost(release),
                              left=max(s.steps_left() for s in searches.values()))
                if budget is not None:
                    budget.enforce()
    return [CaseReport(n, bisection.result(items, searches[n]), rows[n], cfg.good_when) for n in names]


def _few(items: Sequence[str], shown: int = 6) -> str:
    """At most ``shown`` items, then how many more: a probe can be wanted by 124 cases."""
    more = f", +{len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def narrow_with_nightlies(cfg: Config, ui: UI, reports: Sequence[CaseReport], plan: Plan,
                          variant: Variant, budget: disk.Budget | None = None) -> None:
    """Hand a release transition to ``tf-nightly``: bisect the dev builds between the two releases."""
    changed = [r for r in reports if r.result.transition]
    if not changed:
        return
    nightly = releases.load_catalog(NIGHTLY, cache_dir=cfg.cache_dir, offline=cfg.offline,
                                    include_prereleases=True)
    builds = [(str(r.version), r.upload_time) for r in nightly.releases]
    for report in changed:
        old, new = report.result.transition
        window = nightly_range(builds, old.upload_time, new.upload_time) if (
            old.upload_time and new.upload_time) else None
        if window is None:
            oldest = min((t for _, t in builds if t), default=None)
            ui.result(f"{report.case}: {old} -> {new} is older than the tf-nightly builds still on "
                      f"PyPI (oldest {oldest:%Y-%m-%d})" if oldest else
                      f"{report.case}: no tf-nightly builds on the index")
            continue
        ui.result(f"{report.case}: narrowing {old} -> {new} over {len(window.nightlies)} tf-nightly "
                  f"builds ({window.first} .. {window.last})")
        items = [nightly.find(v) for v in window.nightlies]
        night_cfg = replace(cfg, package=NIGHTLY, nightly=False)
        case = [c for c in plan.cases if c.name == report.case]
        extra = {"first": {report.case: report.outcome(old)}} if cfg.good_when == "first" else {}
        (found,) = search(night_cfg, ui, items, case, plan.interpreters, plan.store, variant, budget, **extra)
        ui.result("  " + found.summary())
