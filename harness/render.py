"""The report as text: terminal summary, Markdown and CSV (the HTML page is ``harness.page``).

Pure functions of a :class:`harness.report.Report`; nothing here reads or
writes files (the command does), and nothing depends on the clock, so the
same stores always give the same bytes.
"""

from __future__ import annotations

import html
from collections import Counter

from harness import frameworks
from harness.tables import Report, skipped
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


def html_page(report: Report, *, png: bytes | None = None) -> str:
    """``report.html``: one self-contained page to explore the report (see ``harness.page``)."""
    from harness import page

    return page.html_page(report, png=png)
