"""``scan``: every selected case in every selected release."""

from __future__ import annotations

import json

from harness.commands.bisect import default_range
from harness.commands import resumable
from harness.config import Config
from harness.execute import measure
from harness.plan import Plan, build
from harness.ui import UI


def run(cfg: Config, ui: UI) -> int:
    plan = build(cfg)
    with resumable(plan.store):
        return _run(cfg, ui, plan)


def _run(cfg: Config, ui: UI, plan: Plan) -> int:
    items = default_range(cfg, plan)
    ui.progress(f"scanning {len(plan.cases)} case(s) over {len(items)} {cfg.package} releases "
                f"({items[0]} .. {items[-1]})")
    all_rows = []
    for n, release in enumerate(items, 1):
        ui.progress(f"[{n}/{len(items)}] {cfg.package} {release}")
        measured = measure(cfg, release, plan.cases, plan.interpreters, plan.store, log=ui.progress)
        counts: dict[str, int] = {}
        for row in measured.values():
            counts[row.outcome.value] = counts.get(row.outcome.value, 0) + 1
        ui.progress("    " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        all_rows.extend(measured[c.name] for c in plan.cases)
    ui.result(f"{len(all_rows)} rows for {len(items)} releases; stored under {cfg.results_dir}")
    if cfg.json_path:
        cfg.json_path.write_text(json.dumps([r.public() for r in all_rows], indent=2))
        ui.result(f"wrote {cfg.json_path}")
    return 0
