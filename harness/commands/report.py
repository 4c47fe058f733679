"""``report``: tables, transitions and a heatmap of one or more results stores.

Reads only the stores (no catalog, no network), so it runs on stores copied
from other machines: ``--results A B C`` merges them, keeping the machine
(CPU model) as a dimension.  Writes ``report.md``, ``report.csv``,
``report.html``, ``report.png`` (compact) and ``report-all.png`` into ``--output`` (default: the first
``--results`` folder), prints the summary, and with ``--json`` writes the
rows it reported on.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from harness import heatmap, output, render
from harness import tables
from harness.config import Config
from harness.files import atomic_write
from harness.errors import UsageError
from harness.results import RUNS, SCHEMA, Store
from harness.ui import UI

FILES = ("report.md", "report.csv", "report.html", "report.png", "report-all.png")


def check_schema(root: Path) -> None:
    """Refuse a store written with another schema, naming the first such file.

    Stores are merged from other machines and other harness versions, so
    this is bad input (``UsageError``, exit 2), found before anything is read.
    """
    for path in sorted((root / RUNS).glob("*/*/*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # Store reports broken (or folder, unreadable) files itself, with its own hint
        schema = data.get("schema") if isinstance(data, dict) else SCHEMA  # not an object: Store says so
        if schema != SCHEMA:
            raise UsageError(f"--results {root}: {path} has schema {schema}, this harness reads schema {SCHEMA}",
                             hint="report that store with the harness version that wrote it, or rescan")


def load(roots: Sequence[Path]) -> pd.DataFrame:
    """Every row of every store, merged (see ``report.merge``); later stores win ties."""
    frames = []
    for n, root in enumerate(roots):
        if not root.is_dir():
            raise UsageError(f"--results {root}: no such folder")
        check_schema(root)
        rows = list(Store(root).rows())
        if not rows:
            raise UsageError(f"--results {root}: no stored rows (no {root / RUNS}/<package>/<version>/*.json)",
                             hint="run `python -m harness scan` first, or point --results at a store")
        frames.append(tables.frame(rows, source=n))
    return tables.merge(frames)


def public_rows(df: pd.DataFrame) -> list[dict]:
    """The ``--json`` rows: the public row shape (``Row.public``) plus ``machine`` (the CPU
    model), which tells apart rows merged from several machines."""
    out = []
    for r in df.sort_values(["case", "variant", "machine", "order"]).itertuples():
        error = None if math.isnan(r.max_abs_error) else r.max_abs_error
        out.append({"case": r.case, "package": r.package, "version": r.version, "python": r.python,
                    "variant": r.variant, "outcome": r.outcome,
                    "max_abs_error": "inf" if error == math.inf else error,
                    "detail": r.detail, "machine": r.machine})
    return out

OPTIONS = ("package", "releases", "case", "output", "stores")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options only ``report`` has."""
    parser.add_argument("--output", type=Path, metavar="DIR",
                        help="where report.md/.csv/.html/.png go (default: the first --results DIR)")


def run(cfg: Config, ui: UI) -> int:
    roots = list(cfg.results_dirs or (cfg.results_dir,))
    merged = load(roots)
    chosen = tables.select(merged, package=cfg.package, from_=cfg.from_, to=cfg.to,
                           versions=cfg.versions, case_patterns=cfg.case_patterns)
    report = tables.build(chosen, package=cfg.package, sources=[str(r) for r in roots])
    out_dir = cfg.report_dir or roots[0]
    out_dir.mkdir(parents=True, exist_ok=True)
    png_path = out_dir / "report.png"
    # report.png: the compact picture (changing rows, README width); report-all.png: every row
    for name, compact in ((png_path.name, True), ("report-all.png", False)):
        tmp_png = heatmap.draw(report.grid, out_dir / f".{name}.{os.getpid()}.tmp",
                               title=f"{cfg.package}: outcome by release" + ("" if compact else ", every case"),
                               machines=report.machines, changes_only=compact, compact=compact)
        os.replace(tmp_png, out_dir / name)
    atomic_write(out_dir / "report.md", render.markdown(report, picture=png_path.name))
    atomic_write(out_dir / "report.csv", render.csv(report))
    atomic_write(out_dir / "report.html", render.html_page(report, png=png_path.read_bytes()))
    ui.result(render.summary(report))
    ui.result(f"wrote {', '.join(str(out_dir / name) for name in FILES)}")
    if cfg.json_path:
        ui.result(output.write(cfg.json_path, "report", rows=public_rows(report.rows)))
    return 0
