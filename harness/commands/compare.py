"""``compare``: the same cases on several frameworks, side by side.

``python -m harness compare --frameworks tensorflow==1.15.5,theano==1.0.5,torch==2.13.0``
measures each framework release in its own environment (catalog,
interpreter, environment and store as for ``scan``; stored rows are
reused), keeps the raw output arrays under ``<results>/compare-outputs/``
(outside git), and writes ``<results>/compare.md`` (and ``--json``): per
case and framework the outcome and the deviation from the float64
reference, and per pair of frameworks how far their outputs are apart.
Disagreements are findings, not failures: the exit code stays 0.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from harness import __version__, compare, envs, jobs, output, releases
from harness.cases import Case
from harness.commands import resumable
from harness.config import Config
from harness.measure import measure
from harness.interpreters import Interpreter
from harness.outcome import Outcome
from harness.plan import find_interpreters, load_cases, load_catalog
from harness.results import Row, Store, machine
from harness.ui import UI

REPORT_NAME = "compare.md"
OUTPUTS = "compare-outputs"
RETURNED = (Outcome.PASS, Outcome.WRONG)

OPTIONS = ("case", "case-files", "environments", "running", "output", "store")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only ``compare`` has."""
    parser.add_argument("--frameworks", required=True, metavar="PKG==V,PKG==V,...",
                        help="framework releases to compare, e.g. "
                        "tensorflow==1.15.5,theano==1.0.5,torch==2.13.0,jax==0.10.2")


def options_from(args: argparse.Namespace) -> dict:
    return {"targets": tuple(compare.parse_targets(args.frameworks))}


def target_config(cfg: Config, target: compare.Target) -> Config:
    """``cfg`` for one framework: its package, and only the ``--find-links``
    folders that hold its wheels (a folder of torch builds must not change
    how TensorFlow's environments resolve)."""
    links = tuple(f for f in cfg.find_links if releases.folder_has(Path(f), target.package))
    return replace(cfg, package=target.package, find_links=links)


def measure_target(cfg: Config, ui: UI, target: compare.Target, cases: Sequence[Case],
                   interpreters: Sequence[Interpreter], store: Store) -> tuple[dict[str, Row], dict[str, list[np.ndarray] | None]]:
    """Rows and raw outputs of every case in one framework release."""
    tcfg = target_config(cfg, target)
    release = releases.select(load_catalog(tcfg), versions=[target.version])[0]
    folder = cfg.results_dir / OUTPUTS / target.label
    ui.progress(f"{target.label}: measuring {len(cases)} case(s)")
    rows = measure(tcfg, release, cases, interpreters, store, log=ui.progress, keep_outputs=folder)
    # rows reused from the store have no outputs kept yet: run those again
    missing = [c for c in cases
               if rows[c.name].outcome in RETURNED and not (folder / f"{c.name}_0.npy").exists()]
    if missing:
        ui.progress(f"{target.label}: re-running {len(missing)} stored case(s) to keep their outputs")
        rows.update(measure(replace(tcfg, force=True), release, missing, interpreters, store,
                            log=ui.progress, keep_outputs=folder))
    outputs: dict[str, list[np.ndarray] | None] = {}
    for case in cases:
        returned = rows[case.name].outcome in RETURNED
        outputs[case.name] = jobs.kept_outputs(folder, case.name) if returned else None
    counts = {}
    for row in rows.values():
        counts[str(row.outcome)] = counts.get(str(row.outcome), 0) + 1
    ui.progress(f"    {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}")
    return rows, outputs


def _bounds(case: Case):
    if case.kind == "user":  # rtol/atol, never bounds: no need to run its expect_
        return None
    expected = case.expect()
    return expected.bounds if expected is not None else None


def run(cfg: Config, ui: UI, *, targets: Sequence[compare.Target] = (),
        argv: Callable[[], list[str]] = lambda: sys.argv) -> int:
    cases = load_cases(cfg)
    interpreters = tuple(find_interpreters(cfg))
    store = Store(cfg.results_dir)
    store.check()
    envs.uv_binary()
    labels = [t.label for t in targets]
    rows: dict[str, dict[str, Row]] = {}
    outputs: dict[str, dict[str, list[np.ndarray] | None]] = {}
    with resumable(store):
        for target in targets:
            rows[target.label], outputs[target.label] = measure_target(
                cfg, ui, target, cases, interpreters, store)
    comparisons = [
        compare.compare_case(c.name, {label: rows[label][c.name] for label in labels},
                             {label: outputs[label][c.name] for label in labels}, _bounds(c))
        for c in cases]
    about = {}
    for label in labels:
        any_row = next(iter(rows[label].values()))
        about[label] = (f"{any_row.framework_version or any_row.version} on Python {any_row.python or '-'}"
                        if any_row.outcome is not Outcome.SKIP else f"skipped: {any_row.detail}")
    header = [
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by harness {__version__} "
        f"on {machine().get('cpu', '?')}.  ",
        f"Command: `python -m harness {' '.join(shlex.quote(a) for a in argv()[1:])}`  ",
        "Every framework gets the same input files; the runner converts layouts and filter "
        "shapes to each framework's conventions and back (harness/runner/adapter_*.py). "
        "Deviations are max abs differences; `-` where nothing was returned.",
    ]
    cfg.results_dir.mkdir(parents=True, exist_ok=True)
    path = cfg.results_dir / REPORT_NAME
    path.write_text(compare.markdown(comparisons, labels, header, about))
    differing = [c for c in comparisons if c.disagrees]
    ui.result(f"{len(cases)} case(s) x {len(labels)} framework(s); {len(differing)} case(s) differ")
    for comp in differing:
        ui.result(f"  {comp.case}: " + ", ".join(f"{k}={v}" for k, v in comp.outcomes.items()))
    ui.result(f"wrote {path}")
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "compare", cases=compare.to_json(comparisons)))
    return 0
