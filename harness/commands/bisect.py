"""``bisect``: per case, the release where its outcome changed.

All cases are searched together: each probe measures every selected case in
that release (the import is the cost, cases are cheap), and every search
that wants that release takes its answer, so cases share probes.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, replace
from pathlib import Path

from harness import (bisection, changes, disk, envs, goodwhen, lines, output, pasteable, progress,
                     releases, shard)
from harness.cases import Case
from harness.commands import outcome_counts, resumable
from harness.errors import HarnessError, UsageError
from harness.config import Config, Variant
from harness.measure import Prepared, env_estimate, env_path, measure, prepare
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
    parser.add_argument("--no-lines", dest="lines", action="store_false",
                        help="search every release in version order, ignoring patch lines (by "
                        "default the first release of each minor line is searched, then each "
                        "patch line that may carry the change as a backport)")
    parser.add_argument("--schedule", choices=("pipeline", "step"),
                        help="pipeline (default): several probes at once, the likely next ones "
                        "built and measured ahead; step: one probe at a time with one speculative "
                        "build ahead, as before (kept to benchmark against)")
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
    lines: tuple[lines.LineAnswer[Release], ...] = ()  # per patch line, when the mainline was searched
    line_rows: tuple[tuple[str, Row], ...] = ()  # (version, row) probed for the patch lines, in order

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
        found = f"{self.case}: {self.outcome(old)} in {old} -> {self.outcome(new)} in {new}{gap}{skipped}"
        if self.lines:
            found += "\n    patch lines: " + (lines.describe(self.lines) or "none in the range before it")
        return found

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
                        "outcome": str(self.rows[str(v)].outcome)} for v in r.probed]
            + [{"version": v, "python": row.python, "outcome": str(row.outcome), "line": True}
               for v, row in self.line_rows if v not in {str(p) for p in r.probed}],
            "skipped": [{"version": str(v), "reason": self.rows[str(v)].detail} for v in r.skipped],
            "lines": [a.to_json() for a in self.lines],
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
    # in use at once: the probe and, while it runs, the two possible next probes; the
    # pipeline uses up to its runners and builders when the budget holds them
    least = min(3 if cfg.prefetch else 1, len(estimates))
    most = min(_runners(cfg) + _builders(cfg), len(estimates))
    budget = disk.for_run(cfg.disk_budget, cfg.envs_dir, envs.uv_cache_dir(), estimates,
                          least, ui.progress, most=max(least, most))
    ui.progress(f"bisecting {len(plan.cases)} case(s) over {len(items)} {cfg.package} releases "
                f"({items[0]} .. {items[-1]}), good when {cfg.good_when}, variant {variant}; "
                f"catalog: {plan.catalog.source}")
    ui.progress(budget.intro)
    first = first_outcomes(cfg, ui, items[0], plan, variant) if cfg.good_when == "first" else {}
    by_line = lines.lines_of([r.version for r in items])
    use_lines = cfg.lines and lines.has_patch_lines(by_line)
    main = [items[i] for i in lines.mainline(by_line)] if use_lines else list(items)
    with progress.shown(ui.err, quiet=cfg.quiet, verbose=cfg.verbose, releases=main, unit="probe",
                        expected=bisection.Bisection(len(main)).steps_left()):
        if use_lines:
            ui.progress(f"searching the mainline first: the first release of each of the {len(main)} "
                        f"minor lines ({', '.join(map(str, main[:3]))}, ..); then the patch lines")
        reports = search(cfg, ui, main, plan.cases, plan.interpreters, plan.store, variant, budget, first)
        extra: set[str] = set()
        if use_lines:
            reports, extra = along_lines(cfg, ui, items, by_line, reports, plan, variant, budget, first)
    ui.result("")
    flips = changes.from_reports(reports)
    if flips:
        ui.render(changes.table(changes.group(flips)))
    for line in changes.unchanged(reports):
        ui.result(line)
    probed = {str(v) for r in reports for v in r.result.probed} | extra
    ui.result(f"\n{len(probed)} release(s) probed of {len(items)}; results stored under {cfg.results_dir}")
    paste_ready(cfg, ui, reports, plan)
    if cfg.nightly:
        narrow_with_nightlies(cfg, ui, reports, plan, variant, budget)
    ui.result(budget.summary())
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "bisect", package=cfg.package,
                               cases=[r.to_json(cfg.package) for r in reports]))
    return 0


def along_lines(cfg: Config, ui: UI, items: Sequence[Release], by_line: Sequence[lines.Line],
                reports: list[CaseReport], plan: Plan, variant: Variant, budget: disk.Budget | None,
                first: dict[str, Outcome]) -> tuple[list[CaseReport], set[str]]:
    """Per mainline transition, the patch lines that got the change (``lines``): the last
    release of each candidate line is measured, and a line is bisected only where its
    ends differ.  Returns the reports with their ``lines`` and the versions probed."""
    good = goodwhen.parse(cfg.good_when)
    at = {str(r): i for i, r in enumerate(items)}
    uploaded = [r.upload_time for r in items]
    wanted: dict[str, tuple[list[lines.Line], list[lines.Line]]] = {}
    for report in reports:
        if report.result.transition:
            old, new = report.result.transition
            wanted[report.case] = lines.candidates(by_line, uploaded, at[str(old)], at[str(new)])
    lasts = sorted({line.last for maybe, _ in wanted.values() for line in maybe})
    if not lasts:
        return [replace(r, lines=tuple(lines.LineAnswer(l.name, "not-checked") for l in wanted[r.case][1]))
                if r.case in wanted else r for r in reports], set()
    ui.progress(f"patch lines: measuring the last release of {len(lasts)} line(s) that may carry a "
                f"change as a backport ({', '.join(str(items[i]) for i in lasts)})")
    last_rows = measure_set(cfg, ui, [items[i] for i in lasts], plan, variant, budget)
    probed = {str(items[i]) for i in lasts}

    def verdict(case: str, row: Row):
        return good.verdict(row.outcome, row.detail, first.get(case))

    answers: dict[str, dict[str, lines.LineAnswer[Release]]] = {case: {} for case in wanted}
    seen: dict[str, dict[str, Row]] = {case: {} for case in wanted}  # case -> version -> row
    inside: dict[lines.Line, list[str]] = {}  # line -> cases whose ends differ in it
    new_verdict = {}
    for report in reports:
        if report.case not in wanted:
            continue
        _old, new = report.result.transition
        new_verdict[report.case] = verdict(report.case, report.rows[str(new)])
        maybe, ended = wanted[report.case]
        for line in ended:
            answers[report.case][line.name] = lines.LineAnswer(line.name, "not-checked")
        for line in maybe:
            last = items[line.last]
            seen[report.case][str(last)] = last_rows[str(last)][report.case]
            got = verdict(report.case, last_rows[str(last)][report.case])
            if got is None:
                answers[report.case][line.name] = lines.LineAnswer(line.name, "unmeasured", checked=last)
            elif got != new_verdict[report.case]:
                answers[report.case][line.name] = lines.LineAnswer(line.name, "never", checked=last)
            else:
                inside.setdefault(line, []).append(report.case)
    for line, names in inside.items():
        line_items = [items[i] for i in line.indices]
        ui.progress(f"patch line {line.name}: {len(names)} case(s) changed inside it; bisecting "
                    f"{line_items[0]} .. {line_items[-1]}")
        cases = [c for c in plan.cases if c.name in names]
        found = search(cfg, ui, line_items, cases, plan.interpreters, plan.store, variant, budget,
                       {n: first[n] for n in names if n in first})
        for sub in found:
            probed |= {str(v) for v in sub.result.probed}
            seen[sub.case].update({str(v): sub.rows[str(v)] for v in sub.result.probed})
            if sub.result.transition:
                status, first_new = "backport", sub.result.transition[1]
            elif sub.result.lo is not None and sub.result.endpoint_verdicts[0] == new_verdict[sub.case]:
                status, first_new = "from-first", sub.result.lo
            else:
                status, first_new = "unmeasured", None
            answers[sub.case][line.name] = lines.LineAnswer(line.name, status, first_new,
                                                            checked=items[line.last])
    order = {line.name: k for k, line in enumerate(by_line)}
    out = [replace(r, lines=tuple(sorted(answers[r.case].values(), key=lambda a: -order[a.line])),
                   line_rows=tuple(seen[r.case].items()))
           if r.case in answers else r for r in reports]
    return out, probed


def measure_set(cfg: Config, ui: UI, chosen: Sequence[Release], plan: Plan, variant: Variant,
                budget: disk.Budget | None) -> dict[str, dict[str, Row]]:
    """Every case in each of ``chosen`` (stored rows reused), pipelined like ``search``:
    ``cfg.jobs`` + 1 builders download and install while ``cfg.jobs`` runners measure
    what is built; at most as many environments in flight as the budget holds."""
    in_flight = threading.BoundedSemaphore(max(1, budget.at_once if budget is not None else 2 * cfg.jobs + 1))
    held: set[Path] = set()  # built or being built, not yet measured: never evicted
    guard = threading.Lock()

    def hold(release: Release, keep: bool) -> None:
        path = env_path(cfg, release, plan.interpreters)
        if budget is None or path is None:
            return
        with guard:
            (held.add if keep else held.discard)(path)
            budget.protected = frozenset(held)

    def build(release: Release) -> Prepared:
        in_flight.acquire()
        hold(release, True)
        try:
            with progress.worker(str(release)):
                return prepare(cfg, release, plan.cases, plan.interpreters, plan.store, variant,
                               log=ui.progress, budget=budget)
        except BaseException:
            hold(release, False)
            in_flight.release()
            raise

    def run(release: Release, ready: Prepared) -> dict[str, Row]:
        try:
            with progress.worker(str(release)):
                rows = measure(cfg, release, plan.cases, plan.interpreters, plan.store, variant=variant,
                               log=ui.progress, budget=budget, prepared=ready)
        finally:
            hold(release, False)
            in_flight.release()
        ui.progress(f"    {cfg.package} {release}: {outcome_counts(rows.values())}")
        return rows

    with ThreadPoolExecutor(max_workers=cfg.jobs + 1) as builders, \
            ThreadPoolExecutor(max_workers=max(1, cfg.jobs)) as runners:
        built = {builders.submit(build, r): r for r in chosen}
        ran = {str(built[f]): runners.submit(run, built[f], f.result()) for f in as_completed(built)}
        return {str(r): ran[str(r)].result() for r in chosen}


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


# How far ahead the pipeline looks: the probes a search may want within this
# many verdicts get their environments built (and, on an idle runner, measured)
# ahead of time.  3 levels are 7 probes per search at most.
LOOKAHEAD = 3


def search(cfg: Config, ui: UI, items: Sequence[Release], cases: Sequence[Case],
           interpreters: Sequence[Interpreter], store: Store, variant: Variant,
           budget: disk.Budget | None = None,
           first: dict[str, Outcome] | None = None) -> list[CaseReport]:
    """Bisect every case over ``items`` at once; each probe measures all cases.

    Each case's search is the plain one-probe-at-a-time bisection: it records
    only the verdicts it asks for, in its own order, so the transitions do
    not depend on what else was measured or when.  Around it runs a pipeline
    (``cfg.jobs`` runners, ``cfg.jobs`` + 1 builders):

    - every probe some search wants now is built and run first, several at once;
    - meanwhile the probes the searches may want within ``LOOKAHEAD`` verdicts
      are built, most likely first (``bisection.wanted``), and an idle runner
      measures the likeliest built one: a k-ary round out of idle time;
    - a speculative build no search can want any more is stopped.

    ``--no-prefetch`` builds and runs only what a search wants now;
    ``--schedule step`` is the earlier order (one probe at a time, its
    possible successors built ahead).  With a ``budget``, environments are
    evicted to make room, never the ones built and not yet measured, nor the
    ones the searches may want next.
    """
    names = [c.name for c in cases]
    good, first = goodwhen.parse(cfg.good_when), first or {}
    searches = {name: bisection.Bisection(len(items)) for name in names}
    verdicts: dict[str, dict[int, bisection.Verdict]] = {name: {} for name in names}
    measured: dict[int, dict[str, Row]] = {}
    prepared: dict[int, Prepared] = {}
    building: dict[Future, int] = {}
    running: dict[Future, int] = {}
    step_mode = cfg.schedule == "step"
    depth = 0 if not cfg.prefetch else 1 if step_mode else LOOKAHEAD
    runners, builders = _runners(cfg), _builders(cfg)
    if budget is not None and not step_mode and runners + builders > budget.at_once:
        runners = min(runners, max(1, budget.at_once - 1))
        builders = max(1, budget.at_once - runners)
        ui.progress(f"disk: {runners} runner(s) and {builders} builder(s), what the budget holds")
    fifo: list[int] = []  # step: every speculated probe, built in the order named, never dropped
    stop = threading.Event()
    step = 0
    failed_ahead: set[int] = set()  # speculative builds that raised or were dropped
    drop: dict[int, threading.Event] = {}  # per speculative build: set when no search can want it

    def build(index: int, ahead: bool = False) -> Prepared | None:
        dropped = drop.setdefault(index, threading.Event()) if ahead else None
        try:
            with progress.worker(str(items[index]), speculative=ahead):
                ready_env = prepare(cfg, items[index], cases, interpreters, store, variant,
                                    log=ui.progress, stop=dropped, budget=budget)
        except HarnessError:
            if not ahead:
                raise
            return None  # the probe, if it is ever wanted, reports it
        return None if dropped is not None and dropped.is_set() else ready_env

    def run(index: int) -> dict[str, Row]:
        with progress.worker(str(items[index]), speculative=index not in wanted_now):
            return measure(cfg, items[index], cases, interpreters, store, variant=variant, stop=stop,
                           log=ui.progress, budget=budget, prepared=prepared[index])

    def protect(scores: dict[int, float], now: dict[int, list[str]]) -> None:
        """What the searches need next stays on disk: built and not yet measured,
        being built, wanted now, or likely wanted soon."""
        if budget is None:
            return
        keep = set(building.values()) | set(running.values()) | set(now) | set(scores)
        budget.protected = frozenset(p for p in (env_path(cfg, items[i], interpreters) for i in keep) if p)

    wanted_now: set[int] = set()  # for the display: a run nobody wanted yet is speculative
    pool = ThreadPoolExecutor(max_workers=runners + builders)
    try:
        while True:
            now: dict[int, list[str]] = {}
            for name, s in searches.items():
                index = bisection.catch_up(s, verdicts[name])
                if index is not None:
                    now.setdefault(index, []).append(name)
            if not now:
                break
            wanted_now |= set(now)
            scores = bisection.wanted(searches.values(), (verdicts[n] for n in names), depth)
            protect(scores, now)
            busy = set(measured) | set(building.values()) | set(running.values())
            # runners: wanted-now probes whose environment is ready, then the likeliest ahead
            ready = [i for i in prepared if i not in measured and i not in running.values()]
            queue = sorted((i for i in ready if i in now), key=lambda i: (-len(now[i]), i))
            if depth and not step_mode:
                queue += bisection.order({i: scores[i] for i in ready if i in scores and i not in now})
            for index in queue[:max(0, runners - len(running))]:
                step += 1
                why = (f"wanted by {_few(now[index])}" if index in now
                       else f"ahead: ~{scores[index]:.1f} searches may want it")
                left = max(s.steps_left() for s in searches.values())
                ui.progress(f"[step {step}, ~{left} left] {cfg.package} {items[index]}: measuring "
                            f"{len(cases)} case(s) ({why})")
                running[pool.submit(run, index)] = index
            # builders: wanted-now first, then ahead by likelihood; one builder stays free
            # for a wanted-now probe
            unbuilt = [i for i in now if i not in prepared and i not in busy]
            for index in sorted(unbuilt, key=lambda i: (-len(now[i]), i)):
                if len(building) < builders:
                    building[pool.submit(build, index)] = index
            if step_mode and depth:
                fifo += [i for s in searches.values() for i in s.speculate() if i not in fifo]
                ahead = [i for i in fifo if i not in prepared and i not in busy and i not in now
                         and i not in failed_ahead]
            else:
                ahead = bisection.order(scores, exclude=set(prepared) | busy | set(now) | failed_ahead)
            for index in set(building.values()) - set(scores) - set(now):
                if index in drop and not drop[index].is_set():
                    ui.progress(f"    {cfg.package} {items[index]}: no search can want it now; "
                                "its build is stopped")
                    drop[index].set()
            if depth:
                for index in ahead:
                    if len(building) >= builders - 1:
                        break
                    building[pool.submit(build, index, True)] = index
            if not running and not building:
                raise AssertionError(f"bisect pipeline stalled on {sorted(now)}")  # a bug, not input
            finished, _ = wait([*running, *building], return_when=FIRST_COMPLETED)
            for future in finished:
                if future in building:
                    index = building.pop(future)
                    ready_env = future.result()
                    if ready_env is None:
                        failed_ahead.add(index)
                    else:
                        prepared[index] = ready_env
                    continue
                index = running.pop(future)
                rows = measured[index] = future.result()
                for name in names:
                    row = rows[name]
                    verdicts[name][index] = good.verdict(row.outcome, row.detail, first.get(name))
                py = next(iter(rows.values())).python or "-"
                ui.progress(f"    {cfg.package} {items[index]} (python {py}): {outcome_counts(rows.values())}")
                if all(row.outcome is Outcome.SKIP for row in rows.values()):
                    ui.progress(f"    skipped: {next(iter(rows.values())).detail}")
                fresh = any(row.import_seconds is not None for row in rows.values())
                progress.done(shard.cost(items[index]) if fresh else 0.0,
                              left=max(s.steps_left() for s in searches.values()))
    except BaseException:
        stop.set()
        raise
    finally:
        stop.set()  # speculative runners and builds still going are of no use now: kill them
        for event in drop.values():
            event.set()
        pool.shutdown(wait=True, cancel_futures=True)
    rows_of = {name: {str(items[i]): measured[i][name] for i in searches[name].order}
               for name in names}
    return [CaseReport(n, bisection.result(items, searches[n]), rows_of[n], cfg.good_when)
            for n in names]


def _runners(cfg: Config) -> int:
    return 1 if cfg.schedule == "step" else cfg.jobs


def _builders(cfg: Config) -> int:
    return 2 if cfg.schedule == "step" else cfg.jobs + 1


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
        try:
            window = nightly_range(builds, old.upload_time, new.upload_time) if (
                old.upload_time and new.upload_time) else None
        except ValueError as exc:  # e.g. a pair from --no-lines whose old side is a later backport
            ui.result(f"{report.case}: cannot hand {old} -> {new} to tf-nightly: {exc}")
            continue
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
