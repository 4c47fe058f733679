"""``scan``: every selected case in every selected release (and variant).

Releases run on ``--jobs`` workers, so one environment builds while another
runs; each finished release is stored at once.  Of the releases whose
environment is built, workers take those expected to take longest first
(what they took last time here, else the estimate from their wheel sizes),
so no worker is left alone with a long release at the end; the others
follow in catalog order.  Before an environment is
built and after each release, environments over the disk budget are
evicted, least recently used first (never one a worker runs in).
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from harness import changes, disk, envs, output, progress, shard
from harness.commands import outcome_counts, resumable
from harness.config import Config, Variant
from harness.errors import HarnessError
from harness.measure import all_stored, env_estimate, is_built, measure, measured_seconds
from harness.outcome import Outcome
from harness.plan import Plan, build, default_range, installable, restrict
from harness.releases import Release
from harness.results import Row
from harness.shard import Shard
from harness.shard import parse as parse_shard
from harness.ui import UI

OPTIONS = ("package", "releases", "case", "case-files", "script", "environments", "running", "output",
           "progress", "store")


def _shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _outcomes(text: str) -> frozenset[Outcome]:
    names = [v.strip() for v in text.split(",") if v.strip()]
    known = [o.value for o in Outcome]
    bad = [n for n in names if n not in known]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"expected outcomes among {','.join(known)}, got {text!r}")
    return frozenset(Outcome(n) for n in names)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only ``scan`` has."""
    parser.add_argument("--fail-on", type=_outcomes, metavar="OUTCOME[,OUTCOME]",
                        help="exit 1 when any row has one of these outcomes (e.g. wrong,crash), "
                        "so a CI job can gate an upgrade on it; default: exit 0 whatever was found")
    parser.add_argument("--shard", type=_shard, metavar="I/N",
                        help="only shard I of N: the releases split by expected cost, "
                        "the same on every machine (see `matrix`)")


def options_from(args: argparse.Namespace) -> dict:
    return {"fail_on": getattr(args, "fail_on", frozenset())}


def run(cfg: Config, ui: UI, *, fail_on: frozenset[Outcome] = frozenset()) -> int:
    plan = restrict(build(cfg), cfg.shard)  # --shard I/N: before anything machine-specific
    explicit = cfg.from_ or cfg.to or cfg.versions
    if cfg.shard and not (plan.releases if explicit else installable(plan)):  # others have the work
        why = (f"none of {', '.join(map(str, plan.releases))} is installable here" if plan.releases
               else "more shards than releases")
        ui.result(f"shard {cfg.shard} has nothing to scan ({why})")
        return 0
    with resumable(plan.store):
        return _run(cfg, ui, plan, fail_on)



def _run(cfg: Config, ui: UI, plan: Plan, fail_on: frozenset[Outcome]) -> int:
    items = default_range(cfg, plan)
    work = [(r, v) for r in items for v in cfg.variants]
    estimates = [e for e in (env_estimate(r, plan.interpreters) for r in items) if e is not None]
    budget = disk.for_run(cfg.disk_budget, cfg.envs_dir, envs.uv_cache_dir(), estimates,
                          min(cfg.jobs, len(estimates)), ui.progress)
    ui.progress(f"scanning {len(plan.cases)} case(s) x {len(items)} {cfg.package} releases "
                f"({items[0]} .. {items[-1]}) x {len(cfg.variants)} variant(s) on {cfg.jobs} worker(s)")
    ui.progress(budget.intro)
    started = time.monotonic()
    results: dict[tuple[str, str], dict[str, Row]] = {}
    done = 0
    stop = threading.Event()  # set on Ctrl-C: workers kill their runners and return

    def task(release: Release, variant: Variant) -> dict[str, Row]:
        with progress.worker(str(release) if len(cfg.variants) == 1 else f"{release} {variant}"):
            return measure(cfg, release, plan.cases, plan.interpreters, plan.store,
                           variant=variant, stop=stop, log=ui.progress, budget=budget)

    # the overall bar's ETA and the order the workers take releases in (longest first):
    # nothing for what is stored already, else what the last run here took, else the
    # shards' cost model from the wheel sizes
    costs = {(str(r), v.name): _expected(cfg, plan, r, v) for r, v in work}
    with ThreadPoolExecutor(max_workers=cfg.jobs) as pool, \
            progress.shown(ui.err, quiet=cfg.quiet, verbose=cfg.verbose, releases=items,
                           costs=list(costs.values()), workers=min(cfg.jobs, len(work))):
        pending: dict[Future, tuple[Release, Variant]] = {}
        queue = shard.longest_first(work, lambda item: costs[(str(item[0]), item[1].name)],
                                    ready=lambda item: is_built(cfg, item[0], plan.interpreters))

        def refill() -> None:
            while queue and len(pending) < cfg.jobs:
                release, variant = queue.pop(0)
                pending[pool.submit(task, release, variant)] = (release, variant)

        try:
            while queue or pending:
                refill()
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    release, variant = pending.pop(future)
                    measured = future.result()
                    results[(str(release), variant.name)] = measured
                    done += 1
                    py = next(iter(measured.values())).python or "-"
                    skips = sorted({r.detail for r in measured.values() if r.outcome is Outcome.SKIP})
                    ui.progress(f"[{done}/{len(work)}] {cfg.package} {release} (python {py}, "
                                f"{variant.name}): {outcome_counts(measured.values())}"
                                + (f" ({'; '.join(skips)})" if skips else ""))
                    progress.done(costs[(str(release), variant.name)])
                refill()  # the next releases start while the disk is checked (a build reserves its room)
                budget.enforce()
        except BaseException:
            stop.set()
            for future in pending:
                future.cancel()
            raise
    all_rows = [results[(str(r), v.name)][c.name] for r, v in work for c in plan.cases]
    where = (f"stored under {cfg.results_dir}" if plan.store.files_written
             else f"nothing new stored under {cfg.results_dir}")
    ui.result(f"{len(all_rows)} rows for {len(items)} releases in {time.monotonic() - started:.0f} s "
              f"({outcome_counts(all_rows)}); {where}")
    flips = changes.from_rows(all_rows)
    if flips:
        ui.render(changes.table(changes.group(flips)))
    elif len(items) > 1:
        ui.result("no case changed its outcome between the releases measured")
    ui.result(budget.summary())
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "scan", package=cfg.package,
                               rows=[r.public() for r in all_rows]))
    if all_rows and all(r.outcome is Outcome.SKIP for r in all_rows):
        raise HarnessError(f"nothing could be measured: expected a release to run here, got skip for "
                           f"all {len(items)}: {all_rows[0].detail}",
                           hint="fix that cause (rerun online, install the interpreter) and rerun")
    failing = [r for r in all_rows if r.outcome in fail_on]
    if failing:
        names = ",".join(sorted(o.value for o in fail_on))
        first = failing[0]
        ui.result(f"--fail-on {names}: {len(failing)} row(s) have such an outcome, e.g. {first.case} "
                  f"in {first.package} {first.version}: {first.outcome}")
        return 1
    return 0


def _expected(cfg: Config, plan: Plan, release: Release, variant: Variant) -> float:
    """Seconds ``release`` is expected to take in this scan (see the caller)."""
    if all_stored(cfg, release, plan.cases, plan.interpreters, plan.store, variant):
        return 0.0
    measured = measured_seconds(cfg, release, plan.cases, plan.interpreters, plan.store, variant)
    return shard.cost(release) if measured is None else measured
