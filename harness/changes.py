"""The end of a ``scan`` or ``bisect``: what changed, grouped so that it fits a screen.

Cases that change the same way between the same two releases (124 cases
from ``pass`` in 2.8.4 to ``wrong`` in 2.9.0) are one row of the table: the
releases, the outcomes, how many cases and a few of their names.  Pure: rows
or bisect reports in, a ``rich`` table out; ``--json`` keeps every case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version
from rich.table import Table

from harness.lines import describe as describe_lines
from harness.outcome import Outcome
from harness.transitions import Side, series_transitions

SHOWN_NAMES = 3  # case names per row, then "+N more"
MAX_ROWS = 30  # groups in the table; the smallest beyond it are counted in the caption
SUMMARY_LINES = 10  # bisect: up to this many cases without a transition get a line each


@dataclass(frozen=True)
class Flip:
    """One case's outcome changing between two releases."""

    case: str
    old: str  # release
    new: str
    old_outcome: str
    new_outcome: str
    note: str = ""  # "also in 2.4.2", "unmeasured between: 1.4.0", a variant


@dataclass(frozen=True)
class Group:
    """The flips that are the same but for the case."""

    old: str
    new: str
    old_outcome: str
    new_outcome: str
    note: str
    cases: tuple[str, ...]

    def names(self, shown: int = SHOWN_NAMES) -> str:
        more = f", +{len(self.cases) - shown} more" if len(self.cases) > shown else ""
        return ", ".join(self.cases[:shown]) + more


def _version(text: str) -> tuple:
    try:
        return (0, Version(text.split()[0]), text)
    except (InvalidVersion, IndexError):
        return (1, Version("0"), text)


def group(flips: Iterable[Flip]) -> list[Group]:
    """Identical flips together, in the order of the release they change in (then the
    old release, the largest group first, the outcomes); case names sorted, each once."""
    found: dict[tuple[str, str, str, str, str], set[str]] = {}
    for f in flips:
        found.setdefault((f.old, f.new, f.old_outcome, f.new_outcome, f.note), set()).add(f.case)
    groups = [Group(*key, tuple(sorted(cases))) for key, cases in found.items()]
    return sorted(groups, key=lambda g: (_version(g.new), _version(g.old), -len(g.cases),
                                         g.old_outcome, g.new_outcome, g.note))


def table(groups: Sequence[Group], *, title: str = "transitions", shown: int = SHOWN_NAMES,
          max_rows: int = MAX_ROWS) -> Table:
    """The groups as a table; beyond ``max_rows``, the smallest groups are left out and the
    caption says how many (of how many cases)."""
    kept = list(groups)
    if len(kept) > max_rows:
        largest = sorted(range(len(kept)), key=lambda n: (-len(kept[n].cases), n))[:max_rows]
        kept = [kept[n] for n in sorted(largest)]
    cases = sum(len(g.cases) for g in groups)
    out = Table(title=f"{title}: {len(groups)} distinct, {cases} case change(s)", title_justify="left")
    out.add_column("releases", no_wrap=True)
    out.add_column("outcome", no_wrap=True)
    out.add_column("cases", justify="right")
    out.add_column("e.g.")
    notes = any(g.note for g in kept)
    if notes:
        out.add_column("note")
    for g in kept:
        cells = [f"{g.old} -> {g.new}", f"{g.old_outcome} -> {g.new_outcome}", str(len(g.cases)), g.names(shown)]
        out.add_row(*cells, *([g.note] if notes else []))
    left = [g for g in groups if g not in kept]
    if left:
        out.caption = (f"+{len(left)} more distinct transition(s) of {sum(len(g.cases) for g in left)} "
                       f"case change(s) not shown: every one is in --json and `report`")
        out.caption_justify = "left"
    return out


def from_rows(rows: Iterable) -> list[Flip]:
    """``scan``: every transition of every (case, variant) series of rows (``Row``s), by
    ``transitions.series_transitions`` (skips stepped over, backports as "also in")."""
    series: dict[tuple[str, str], list[Side]] = {}
    variants = set()
    for row in rows:
        variants.add(row.variant)
        series.setdefault((row.case, row.variant), []).append(
            Side(row.version, Version(row.version), Outcome(row.outcome), row.max_abs_error))
    flips = []
    for (case, variant), sides in series.items():
        for t in series_transitions(case, variant, "", sides):
            notes = ([f"variant {variant}"] if len(variants) > 1 else []) + (
                [f"also in {', '.join(c.new.release for c in t.also)}"] if t.also else []) + (
                [f"unmeasured between: {', '.join(t.change.unmeasured)}"] if t.change.unmeasured else [])
            flips.append(Flip(case, t.old.release, t.new.release, str(t.old.outcome), str(t.new.outcome),
                              "; ".join(notes)))
    return flips


def from_reports(reports: Iterable) -> list[Flip]:
    """``bisect``: the transition of each case report that found one (``CaseReport``)."""
    flips = []
    for report in reports:
        if report.result.transition is None:
            continue
        old, new = report.result.transition
        between = [str(s) for s in report.result.skipped if old.version < s.version < new.version]
        notes = [f"unmeasured between: {', '.join(between)}" if between else "",
                 describe_lines(getattr(report, "lines", ()))]
        flips.append(Flip(report.case, str(old), str(new), str(report.outcome(old)), str(report.outcome(new)),
                          "; ".join(n for n in notes if n)))
    return flips


def unchanged(reports: Sequence, *, lines: int = SUMMARY_LINES, shown: int = SHOWN_NAMES) -> list[str]:
    """``bisect``: the cases without a transition: a line each when there are at most
    ``lines`` of them, else one line per kind (both ends agree, both bad, unmeasurable)."""
    quiet = [r for r in reports if r.result.transition is None]
    if len(quiet) <= lines:
        return [r.summary() for r in quiet]
    kinds: dict[str, list[str]] = {}
    for r in quiet:
        res = r.result
        if res.lo is None or res.hi is None:
            kind = "could not be compared (fewer than two releases measured)"
        else:
            old, new = r.outcome(res.lo), r.outcome(res.hi)
            why = "both ends agree" if old == new else "both ends on the same side of --good-when"
            kind = f"{old} in {res.lo} and {new} in {res.hi}: {why}, no transition to find"
        kinds.setdefault(kind, []).append(r.case)
    out = []
    for kind, names in sorted(kinds.items(), key=lambda item: (-len(item[1]), item[0])):
        more = f", +{len(names) - shown} more" if len(names) > shown else ""
        out.append(f"{len(names)} case(s): {kind} ({', '.join(sorted(names)[:shown])}{more})")
    return out
