"""``scan``: every selected case in every selected release (and variant).

Releases run on ``--jobs`` workers, so one environment builds while another
runs; each finished release is stored at once, then environments over the
disk budget are evicted, least recently used first.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from harness import disk, envs
from harness.commands import resumable
from harness.config import Config, Variant
from harness.errors import HarnessError
from harness.measure import measure
from harness.outcome import Outcome
from harness.plan import Plan, build, default_range, installable, restrict
from harness.releases import Release
from harness.results import Row
from harness.shard import Shard
from harness.shard import parse as parse_shard
from harness.ui import UI

OPTIONS = ("package", "releases", "case", "case-files", "environments", "running", "output", "store")


def _shard(text: str) -> Shard:
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only ``scan`` has."""
    parser.add_argument("--shard", type=_shard, metavar="I/N",
                        help="only shard I of N: the releases split by expected cost, "
                        "the same on every machine (see `matrix`)")


def run(cfg: Config, ui: UI) -> int:
    plan = restrict(build(cfg), cfg.shard)  # --shard I/N: before anything machine-specific
    explicit = cfg.from_ or cfg.to or cfg.versions
    if cfg.shard and not (plan.releases if explicit else installable(plan)):  # others have the work
        why = (f"none of {', '.join(map(str, plan.releases))} is installable here" if plan.releases
               else "more shards than releases")
        ui.result(f"shard {cfg.shard} has nothing to scan ({why})")
        return 0
    with resumable(plan.store):
        return _run(cfg, ui, plan)


def _counts(rows) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.outcome.value] = counts.get(row.outcome.value, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def _run(cfg: Config, ui: UI, plan: Plan) -> int:
    items = default_range(cfg, plan)
    work = [(r, v) for r in items for v in cfg.variants]
    ui.progress(f"scanning {len(plan.cases)} case(s) x {len(items)} {cfg.package} releases "
                f"({items[0]} .. {items[-1]}) x {len(cfg.variants)} variant(s) on {cfg.jobs} worker(s)")
    started = time.monotonic()
    results: dict[tuple[str, str], dict[str, Row]] = {}
    done = 0
    stop = threading.Event()  # set on Ctrl-C: workers kill their runners and return

    def task(release: Release, variant: Variant) -> dict[str, Row]:
        return measure(cfg, release, plan.cases, plan.interpreters, plan.store,
                       variant=variant, stop=stop, log=ui.progress)

    with ThreadPoolExecutor(max_workers=cfg.jobs) as pool:
        pending: dict[Future, tuple[Release, Variant]] = {}
        queue = list(work)
        try:
            while queue or pending:
                while queue and len(pending) < cfg.jobs:
                    release, variant = queue.pop(0)
                    pending[pool.submit(task, release, variant)] = (release, variant)
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    release, variant = pending.pop(future)
                    measured = future.result()
                    results[(str(release), variant.name)] = measured
                    done += 1
                    py = next(iter(measured.values())).python or "-"
                    skips = sorted({r.detail for r in measured.values() if r.outcome is Outcome.SKIP})
                    ui.progress(f"[{done}/{len(work)}] {cfg.package} {release} (python {py}, "
                                f"{variant.name}): {_counts(measured.values())}"
                                + (f" ({'; '.join(skips)})" if skips else ""))
                    _enforce_budget(cfg, ui)
        except BaseException:
            stop.set()
            for future in pending:
                future.cancel()
            raise
    all_rows = [results[(str(r), v.name)][c.name] for r, v in work for c in plan.cases]
    where = (f"stored under {cfg.results_dir}" if plan.store.files_written
             else f"nothing new stored under {cfg.results_dir}")
    ui.result(f"{len(all_rows)} rows for {len(items)} releases in {time.monotonic() - started:.0f} s "
              f"({_counts(all_rows)}); {where}")
    if cfg.json_path:
        cfg.json_path.write_text(json.dumps([r.public() for r in all_rows], indent=2))
        ui.result(f"wrote {cfg.json_path}")
    if all_rows and all(r.outcome is Outcome.SKIP for r in all_rows):
        raise HarnessError(f"nothing could be measured: expected a release to run here, got skip for "
                           f"all {len(items)}: {all_rows[0].detail}",
                           hint="fix that cause (rerun online, install the interpreter) and rerun")
    return 0


def _enforce_budget(cfg: Config, ui: UI) -> None:
    # The most recently used environments may be in use by the other workers.
    recent = {u.path for u in disk.usage(cfg.envs_dir)[-(cfg.jobs + 1):]}
    disk.enforce(cfg.envs_dir, cfg.disk_budget, protect=recent,
                 clean_cache=lambda pkg: envs.clean_uv_cache(pkg), log=ui.progress)
