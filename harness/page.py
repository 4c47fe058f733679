"""``report.html``: one self-contained page to explore a report offline.

The table (cases x release ranges) is plain HTML, complete without
JavaScript; a small inline script filters it by op, dtype, layout and
outcome, searches case names, switches between "changes only" and all rows,
and opens a case's view: its outcome in every release, its history as runs,
each transition with its upstream compare link and the command that
measures it again.  The filter state lives in the URL fragment
(``#outcome=wrong&op=conv2d&all=1&case=NAME``), so a link (or a headless
browser) opens the page filtered.  Nothing is fetched: CSS, script, data
and the heatmap are inline.

Small for big stores: neighbouring cells of a row with the same outcome are
one cell (``colspan``), and the case views are built on demand from a JSON
block of runs (consecutive releases with one outcome and detail), not
from one entry per cell.  Pure like ``harness.render``: no clock, no files
but the package's own template.
"""

from __future__ import annotations

import base64
import html
import json
import math
from datetime import datetime, timezone
from importlib import resources
from urllib.parse import quote

import pandas as pd
from packaging.version import Version

from harness import __version__, facets, frameworks
from harness.heatmap import PALETTE, changes, row_labels
from harness.render import OUTCOME_HELP
from harness.tables import Report, runs, skipped
from harness.transitions import Change, Transition, format_error

TEMPLATE = "page.html"
OUTCOMES = tuple(OUTCOME_HELP)
e = html.escape


def _cells_css() -> str:
    return "".join(f".o-{o or 'none'}{{background:{fill};color:{ink}}}"
                   for o, (fill, ink) in PALETTE.items())


def _date(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _spans(labels: list[str], values: list[str]) -> list[tuple[str, str, str, int]]:
    """Runs of consecutive ``labels`` with one value: (value, first, last, length)."""
    out: list[tuple[str, str, str, int]] = []
    for label, value in zip(labels, values):
        if out and out[-1][0] == value:
            out[-1] = (value, out[-1][1], label, out[-1][3] + 1)
        else:
            out.append((value, label, label, 1))
    return out


def interpreters(report: Report) -> list[tuple[str, str, str]]:
    """Which interpreter measured which releases: (pythons, first, last) runs in release order."""
    by_release = (report.rows[report.rows["python"] != ""].groupby("release")["python"]
                  .agg(lambda s: ", ".join(sorted(set(s), key=lambda p: [int(x) for x in p.split(".")
                                                                             if x.isdigit()]))))
    values = [by_release.get(r, "none recorded") for r in report.releases]
    return [(value, first, last) for value, first, last, _ in _spans(report.releases, values)]


def header(report: Report) -> str:
    """The facts above the table: what, where, with which interpreters, by which harness, when."""
    releases = report.releases
    cases = report.rows["case"].nunique()
    items = [("measured", f"{len(releases)} releases ({releases[0]} .. {releases[-1]}), {cases} cases, "
                          f"{len(report.rows)} rows"
                          + (f" from {len(report.sources)} stores" if len(report.sources) > 1 else ""))]
    machines = "; ".join(f"{short} = {cpu}" for cpu, short in report.machines.items())
    items.append(("machine" if len(report.machines) == 1 else "machines",
                  next(iter(report.machines)) if len(report.machines) == 1 else machines))
    if len(report.variants) > 1:
        items.append(("variants", ", ".join(report.variants)))
    pythons = "; ".join(f"{p}: {a}" + (f" .. {b}" if a != b else "") for p, a, b in interpreters(report))
    items.append(("interpreters", pythons))
    stamps = report.rows["recorded_at"].dropna()
    stamps = stamps[stamps > 0]
    if len(stamps):
        first, last = _date(stamps.min()), _date(stamps.max())
        items.append(("recorded", first if first == last else f"{first} .. {last}"))
    items.append(("harness", f"{__version__} (this page)"))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in items)
    legend = "".join(f'<span class="o-{o}" title="{e(OUTCOME_HELP[o])}">{o}</span>' for o in OUTCOMES)
    return (f'<dl class="meta">{dl}</dl><p class="legend">{legend}'
            '<span class="o-none">not measured</span></p>')


def _table(report: Report, labels: list[str]) -> str:
    table = report.table
    head = "".join(f'<th class="range" title="{e(", ".join(g))}">{e(str(c))}</th>'
                   for c, g in zip(table.columns, runs(report.grid)))
    body = []
    for label, (case, _, _), values, full in zip(labels, table.index, table.itertuples(index=False),
                                                  report.grid.itertuples(index=False)):
        f = facets.of(case)
        present = " ".join(o for o in OUTCOMES if o in full)
        cells = []
        for value, _, _, span in _spans(list(table.columns), list(values)):
            cells.append(f'<td class="o-{value or "none"}"' + (f' colspan="{span}"' if span > 1 else "")
                         + f">{e(value)}</td>")
        body.append(f'<tr data-key="{e(label)}" data-op="{e(f.op)}" '
                     f'data-dtype="{e(f.dtype)}" data-layout="{e(f.layout)}" data-outcomes="{present}" '
                     f'data-changes="{int(changes(list(full)))}"><th class="key"><a href="#case='
                     f'{e(quote(label))}">{e(label)}</a></th>{"".join(cells)}</tr>')
    return (f'<table class="grid" id="grid"><thead><tr><th class="key">case</th>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _history(group: pd.DataFrame, releases: list[str]) -> list[list]:
    """One series' runs: [outcome, first index, last index, max abs error(s), detail]."""
    cells = {r.release: r for r in group.itertuples()}
    out: list[list] = []
    for n, release in enumerate(releases):
        r = cells.get(release)
        outcome, detail = (r.outcome, r.detail or "") if r is not None else ("", "")
        error = None if r is None or math.isnan(r.max_abs_error) else r.max_abs_error
        if out and out[-1][0] == outcome and out[-1][4] == detail:
            out[-1][2] = n
            out[-1][5].append(error)
        else:
            out.append([outcome, n, n, "", detail, [error]])
    for run in out:
        errors = [x for x in run.pop() if x is not None]
        if errors:
            low, high = format_error(min(errors)), format_error(max(errors))
            run[3] = low if low == high else f"{low} .. {high}"
    return out


REPRODUCE = ("python -m harness scan --case {case} --versions {old},{new}{extra} --force\n"
             "python -m harness bisect --case {case} --from {old} --to {new}{extra}")


def reproduce_extra(report: Report, variant: str) -> str:
    """Options a series' reproduce commands need besides case and versions
    (the script adds ``--python X.Y`` for a release measured with several)."""
    extra = f" --package {report.package}" if report.package != "tensorflow" else ""
    if variant != "default":
        extra += f" --variant {variant}=VAR=VALUE"  # the store keeps the name, not the variables
    return extra


def reproduce(report: Report, t: Transition) -> str:
    """The commands that measure a transition again: both ends, then a
    bisection between them (the page's script builds the same text)."""
    old, new = t.old.release.split(" ")[0], t.new.release.split(" ")[0]
    extra = reproduce_extra(report, t.variant)
    if " py" in t.new.release:
        extra += f" --python {t.new.release.split(' py')[1]}"
    return REPRODUCE.format(case=t.case, old=old, new=new, extra=extra)


def _change(c: Change, position: dict[str, int]) -> list:
    """[old index, new index, old error, new error, unmeasured indexes]; outcomes are in the runs."""
    return [position[c.old.release], position[c.new.release], format_error(c.old.max_abs_error),
            format_error(c.new.max_abs_error), [position[u] for u in c.unmeasured]]


def data(report: Report, labels: list[str]) -> dict:
    """The JSON the script reads: releases, their tags, filter values, and per row its view.

    Compact for big stores: a row's history is its runs, a transition only
    release indexes and errors; the script writes the sentences, links and
    commands (``Change.text``, ``Framework.compare`` and ``reproduce`` say the same).
    """
    position = {r: n for n, r in enumerate(report.releases)}
    by_series: dict[tuple, list[Transition]] = {}
    for t in report.transitions:
        by_series.setdefault((t.case, t.variant, t.machine), []).append(t)
    groups = dict(iter(report.rows.groupby(["case", "variant", "machine"])))
    rows = {}
    for label, key in zip(labels, report.table.index):
        case, variant, machine = key
        f = facets.of(case)
        rows[label] = {
            "case": case, "op": f.op, "dtype": f.dtype, "layout": f.layout, "variant": variant,
            "machine": f"{report.machines.get(machine, machine)} = {machine}",
            "extra": reproduce_extra(report, variant),
            "runs": _history(groups[key], report.releases),
            "t": [_change(t.change, position) + [[_change(c, position) for c in t.also]]
                  for t in by_series.get(key, [])],
        }
    versions = report.rows.drop_duplicates("release").set_index("release")["version"].map(Version)
    framework = frameworks.lookup(report.package)
    tags = [framework.tag(versions[r]) if framework.compare(report.package, versions[r], versions[r]) else ""
            for r in report.releases]
    seen = [facets.of(c) for c in report.table.index.get_level_values("case")]
    outcomes = set(report.rows["outcome"])
    return {"releases": report.releases, "tags": tags, "compare": framework.compare_url or "", "reproduce": REPRODUCE,
            "facets": {"op": sorted({f.op for f in seen}), "dtype": sorted({f.dtype for f in seen}),
                       "layout": sorted({f.layout for f in seen}),
                       "outcome": [o for o in OUTCOMES if o in outcomes]},
            "rows": rows}


def html_page(report: Report, *, png: bytes | None = None) -> str:
    """The whole page (see the module docstring)."""
    title = f"{report.package} compatibility report"
    labels = row_labels(report.table.index, report.machines)
    after = []
    if skips := skipped(report.rows):
        after.append("<h2>Skipped releases</h2><ul>" + "".join(
            f"<li>{e(release)}: {e('; '.join(r or 'no reason recorded' for r in reasons))}</li>"
            for release, reasons in skips) + "</ul>")
    if png:
        after.append('<h2>Heatmap</h2><img class="heatmap" alt="outcome of the changing cases in every '
                     f'release" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
                     '<p>Every case, one row each: <a href="report-all.png">report-all.png</a>, '
                     'written next to this page.</p>')
    payload = json.dumps(data(report, labels), separators=(",", ":"), ensure_ascii=True)
    payload = payload.replace("</", "<\\/")  # never ends the script element early
    template = resources.files("harness").joinpath(TEMPLATE).read_text(encoding="utf-8")
    parts = {"<!--TITLE-->": e(title), "/*CELLS*/": _cells_css(), "<!--HEADER-->": header(report),
             "<!--TABLE-->": _table(report, labels), "<!--AFTER-->": "\n".join(after),
             "<!--DATA-->": payload}
    for marker, text in parts.items():
        template = template.replace(marker, text)
    return template
