"""The report as text: terminal summary, Markdown, CSV and a self-contained HTML page.

Pure functions of a :class:`harness.report.Report`; nothing here reads or
writes files (the command does), and nothing depends on the clock, so the
same stores always give the same bytes.
"""

from __future__ import annotations

import base64
import html
from collections import Counter

from harness.heatmap import PALETTE, row_labels
from harness.tables import Report, runs, skipped
from harness import frameworks
from harness.transitions import Change, Transition

OUTCOME_HELP = {
    "pass": "returned the expected value",
    "wrong": "returned, but not the expected value",
    "error": "raised a Python exception",
    "crash": "the process died",
    "timeout": "killed after --timeout",
    "unsupported": "the release's API cannot express the case",
    "skip": "release not installable or importable here",
}


def _series(t: Transition, report: Report) -> str:
    """The variant / machine of a transition, when the report has several."""
    parts = []
    if len(report.variants) > 1:
        parts.append(t.variant)
    if len(report.machines) > 1:
        parts.append(report.machines.get(t.machine, t.machine))
    return ", ".join(parts)


def _link(report: Report, change: Change) -> str | None:
    return frameworks.lookup(report.package).compare(report.package, change.old.version, change.new.version)


def overview(report: Report) -> list[str]:
    """The facts above every rendering: what was measured, where, from which stores."""
    releases = report.releases
    cases = sorted(set(report.rows["case"]))
    lines = [f"{report.package}: {len(releases)} releases ({releases[0]} .. {releases[-1]}), "
             f"{len(cases)} cases, {len(report.rows)} rows"
             + (f" from {len(report.sources)} stores" if len(report.sources) > 1 else "")]
    if len(report.variants) > 1:
        lines.append(f"variants: {', '.join(report.variants)}")
    if len(report.machines) > 1:
        lines.append("machines: " + "; ".join(f"{short} = {cpu}" for cpu, short in report.machines.items()))
    else:
        lines.append(f"machine: {next(iter(report.machines))}")
    return lines


def summary(report: Report) -> str:
    """The terminal summary: overview, outcome counts per variant and machine,
    then every transition with its upstream compare link."""
    out = overview(report)
    for (variant, machine), block in report.grid.groupby(level=["variant", "machine"]):
        counts = Counter(v for v in block.to_numpy().ravel() if v)
        where = f"{variant} on {report.machines[machine]}" if len(report.machines) > 1 else variant
        out.append(f"  {where}: " + ", ".join(f"{o} {counts[o]}" for o in OUTCOME_HELP if counts[o]))
    for release, reasons in skipped(report.rows):
        out.append(f"  skipped {release}: {'; '.join(r or 'no reason recorded' for r in reasons)}")
    changing = {(t.case, t.variant, t.machine) for t in report.transitions}
    out.append(f"{len(report.transitions)} transition(s) in {len(changing)} of {len(report.grid)} "
               f"case series" + (":" if report.transitions else ""))
    for t in report.transitions:
        series = _series(t, report)
        out.append(f"  {t.case}{f' [{series}]' if series else ''}: {t.text()}")
        for change in (t.change, *t.also):
            if change is not t.change:
                out.append(f"    backport: {change.text()}")
            url = _link(report, change)
            if url:
                out.append(f"      {url}" if change is not t.change else f"    {url}")
    return "\n".join(out)


def _md(text: object) -> str:
    """Table-safe and inert: a stored detail like ``<script>`` must not become HTML in a viewer."""
    return html.escape(str(text), quote=False).replace("|", "\\|")


def markdown(report: Report, *, picture: str | None = None) -> str:
    """``report.md``: overview, the collapsed table, the transitions, the heatmap."""
    table = report.table
    out = [f"# {report.package} compatibility report", ""]
    out += [f"- {line}" for line in overview(report)]
    out += ["", "Rows are cases, columns are releases in version order; consecutive releases in "
            "which every case had the same outcome are merged into one range column. "
            "An empty cell: not measured.", ""]
    out += [f"- `{o}`: {text}" for o, text in OUTCOME_HELP.items()]
    out += ["", "## Compatibility", ""]
    keys = ["case"] + [k for k in ("variant", "machine") if table.index.get_level_values(k).nunique() > 1]
    out.append("| " + " | ".join(keys + [_md(c) for c in table.columns]) + " |")
    out.append("|" + "---|" * (len(keys) + len(table.columns)))
    for index, values in table.iterrows():
        named = dict(zip(["case", "variant", "machine"], index))
        named["machine"] = report.machines.get(named["machine"], named["machine"])
        out.append("| " + " | ".join([_md(named[k]) for k in keys] + [_md(v) for v in values]) + " |")
    out += ["", "## Transitions", ""]
    if not report.transitions:
        out.append("None: every case had the same outcome in every measured release.")
    for t in report.transitions:
        series = _series(t, report)
        url = _link(report, t.change)
        out.append(f"- **{_md(t.case)}**{f' ({series})' if series else ''}: {t.text()}"
                   + (f" ([diff]({url}))" if url else ""))
        for change in t.also:
            url = _link(report, change)
            out.append(f"  - backport: {change.text()}" + (f" ([diff]({url}))" if url else ""))
    if skips := skipped(report.rows):
        out += ["", "## Skipped", ""]
        out += [f"- {release}: {_md('; '.join(r or 'no reason recorded' for r in reasons))}"
                for release, reasons in skips]
    if picture:
        out += ["", "## Heatmap", "", f"![outcome of every case in every release]({picture})"]
    return "\n".join(out) + "\n"


def csv(report: Report) -> str:
    """``report.csv``: the collapsed table with its full index (case, variant, CPU model)."""
    return report.table.to_csv(lineterminator="\n")


CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #bbb; padding: 2px 6px; white-space: nowrap; }
th { background: #f3f3f3; position: sticky; top: 0; }
th.range { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; }
td.key { font-family: ui-monospace, monospace; background: #fafafa; }
.scroll { overflow: auto; max-height: 80vh; }
.legend span { display: inline-block; padding: 1px 6px; margin: 2px; border: 1px solid #888; }
img { max-width: 100%; }
"""


def _css() -> str:
    cells = "".join(f".o-{o or 'none'} {{ background: {fill}; color: {ink}; }}\n"
                    for o, (fill, ink) in PALETTE.items())
    return CSS + cells


def html_page(report: Report, *, png: bytes | None = None) -> str:
    """``report.html``: one self-contained page (inline CSS, heatmap embedded)."""
    e = html.escape
    title = f"{report.package} compatibility report"
    parts = [f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{e(title)}</title><style>{_css()}</style></head><body>", f"<h1>{e(title)}</h1>",
             "<ul>" + "".join(f"<li>{e(line)}</li>" for line in overview(report)) + "</ul>",
             '<p class="legend">' + "".join(f'<span class="o-{o}" title="{e(text)}">{o}</span>'
                                            for o, text in OUTCOME_HELP.items())
             + '<span class="o-none">not measured</span></p>', "<h2>Compatibility</h2>"]
    groups = runs(report.grid)
    labels = row_labels(report.table.index, report.machines)
    head = "".join(f'<th class="range" title="{e(", ".join(g))}">{e(str(c))}</th>'
                   for c, g in zip(report.table.columns, groups))
    body = []
    for label, (_, values) in zip(labels, report.table.iterrows()):
        cells = "".join(f'<td class="o-{v or "none"}">{e(v)}</td>' for v in values)
        body.append(f'<tr><td class="key">{e(label)}</td>{cells}</tr>')
    parts.append(f'<div class="scroll"><table><thead><tr><th>case</th>{head}</tr></thead>'
                 f"<tbody>{''.join(body)}</tbody></table></div>")
    parts.append("<h2>Transitions</h2>")
    if not report.transitions:
        parts.append("<p>None: every case had the same outcome in every measured release.</p>")
    else:
        items = []
        for t in report.transitions:
            series = _series(t, report)
            links = [(c, _link(report, c)) for c in (t.change, *t.also)]
            diff = " ".join(f'<a href="{e(u)}">{e(c.old.release)}...{e(c.new.release)}</a>'
                            for c, u in links if u)
            items.append(f"<li><b>{e(t.case)}</b>{e(f' ({series})') if series else ''}: "
                         f"{e(t.text())}{f' &middot; diff {diff}' if diff else ''}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    if skips := skipped(report.rows):
        parts.append("<h2>Skipped</h2><ul>" + "".join(
            f"<li>{e(release)}: {e('; '.join(r or 'no reason recorded' for r in reasons))}</li>"
            for release, reasons in skips) + "</ul>")
    if png:
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<h2>Heatmap</h2><img alt="outcome of every case in every release" '
                     f'src="data:image/png;base64,{data}">')
    parts.append("</body></html>\n")
    return "\n".join(parts)
