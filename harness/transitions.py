"""Where a case's outcome changes, release lines and backports included.

Walking all releases in version order turns one backported change into a
zig-zag: with a fix in 2.5.0 also shipped in 2.4.2 and 2.3.3, the order
2.3.2, 2.3.3, 2.3.4, 2.4.0, 2.4.1, 2.4.2, 2.5.0 reads old, new, new, old,
old, new, new -- three changes for one fix, because 2.3.3 sorts before
2.4.0 but was released after 2.5.0.  Rows carry no upload dates, so the
rule works on release lines (major.minor) instead:

1. *line changes*: compare the heads of consecutive lines (a line's head is
   its first measured release, normally ``X.Y.0``, the one cut from the main
   branch);
2. *patch changes*: compare consecutive measured releases within each line;
3. a patch change in line L with the same (old, new) outcomes as a line
   change into a newer line than L is a backport of it: it is listed as
   "also in" under the nearest such line change ("changed in 2.5.0; also in
   2.4.2, 2.3.3").  Other patch changes stay transitions of their own.

``skip`` rows are stepped over and listed as unmeasured when they lie
between the two sides of a change.  Which of a backport and its ``.0``
release came out first cannot be told from versions alone: both are named.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from packaging.version import Version

from harness.outcome import Outcome

if TYPE_CHECKING:  # only for annotations: bisect imports this module, and pandas costs ~1.4 s
    import pandas as pd

SERIES = ("case", "variant", "machine")  # what one series of outcomes is measured for


@dataclass(frozen=True)
class Side:
    """One end of a change: a measured release and what the case did there."""

    release: str  # column label: "2.4.0", or "1.13.1 py3.7" when split by interpreter
    version: Version
    outcome: Outcome
    max_abs_error: float | None = None

    @property
    def line(self) -> tuple[int, int]:
        return line_of(self.version)


@dataclass(frozen=True)
class Change:
    """Consecutive measured releases (of a line, or line heads) that differ."""

    old: Side
    new: Side
    unmeasured: tuple[str, ...] = ()  # skipped releases between the two sides

    @property
    def outcomes(self) -> tuple[Outcome, Outcome]:
        return self.old.outcome, self.new.outcome

    def text(self) -> str:
        """``pass in 2.4.0 -> wrong in 2.4.2 (unmeasured between: 2.4.1), max abs error 0 -> 3``."""
        gap = f" (unmeasured between: {', '.join(self.unmeasured)})" if self.unmeasured else ""
        return (f"{self.old.outcome} in {self.old.release} -> {self.new.outcome} in {self.new.release}{gap}, "
                f"max abs error {format_error(self.old.max_abs_error)} -> {format_error(self.new.max_abs_error)}")


@dataclass(frozen=True)
class Transition:
    """One change of one case (in one variant, on one machine), with its backports."""

    case: str
    variant: str
    machine: str
    change: Change
    kind: Literal["line", "patch"]  # between line heads, or within a line
    also: tuple[Change, ...] = ()  # backports into older lines, newest first

    @property
    def old(self) -> Side:
        return self.change.old

    @property
    def new(self) -> Side:
        return self.change.new

    def headline(self) -> str:
        """``changed in 2.5.0; also in 2.4.2, 2.3.3``."""
        text = f"changed in {self.new.release}"
        if self.also:
            text += "; also in " + ", ".join(c.new.release for c in self.also)
        return text

    def text(self) -> str:
        """One line: the headline, both sides with outcome and max abs error."""
        return f"{self.headline()}: {self.change.text()}"


def format_error(value: float | None) -> str:
    """A max abs error for people: ``n/a`` when none, ``inf``, else 3 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.3g}"


def line_of(version: Version) -> tuple[int, int]:
    """The release line (major, minor) of a version; ``1`` is line (1, 0)."""
    release = (*version.release, 0)
    return release[0], release[1]


def _between(old: Side, new: Side, skip: Side, pos: dict[Side, int]) -> bool:
    """Whether a skipped release could hold the change from ``old`` to ``new``:
    for a change within a line, releases of that line between the two; for
    a change between line heads, releases of the lines after the old one
    that come before the new head (not the old line's later patches)."""
    if not pos[old] < pos[skip] < pos[new]:
        return False
    return skip.line == old.line if old.line == new.line else skip.line > old.line


def _changes(sides: list[Side], skipped: list[Side], pos: dict[Side, int]) -> Iterator[Change]:
    for old, new in zip(sides, sides[1:]):
        if old.outcome != new.outcome:
            yield Change(old, new, tuple(s.release for s in skipped if _between(old, new, s, pos)))


def series_transitions(case: str, variant: str, machine: str,
                       sides: Iterable[Side]) -> list[Transition]:
    """Transitions of one series, by the rule of the module docstring, ordered
    by the release they change in.  ``sides`` may come in any version order;
    sides of one version (several interpreters) keep the order given.
    ``skip`` sides are stepped over."""
    ordered = sorted(sides, key=lambda s: s.version)
    pos = {side: n for n, side in enumerate(ordered)}
    skipped = [s for s in ordered if s.outcome is Outcome.SKIP]
    lines: dict[tuple[int, int], list[Side]] = {}
    for side in ordered:
        if side.outcome is not Outcome.SKIP:
            lines.setdefault(side.line, []).append(side)
    heads = [members[0] for members in lines.values()]
    line_changes = list(_changes(heads, skipped, pos))
    backports: dict[int, list[Change]] = {}
    alone: list[Change] = []
    for members in lines.values():
        for patch in _changes(members, skipped, pos):
            targets = [n for n, c in enumerate(line_changes)
                       if c.new.line > patch.new.line and c.outcomes == patch.outcomes]
            if targets:
                nearest = min(targets, key=lambda n: line_changes[n].new.version)
                backports.setdefault(nearest, []).append(patch)
            else:
                alone.append(patch)
    found = [Transition(case, variant, machine, c, "line",
                        tuple(sorted(backports.get(n, []), key=lambda p: p.new.version, reverse=True)))
             for n, c in enumerate(line_changes)]
    found += [Transition(case, variant, machine, c, "patch") for c in alone]
    return sorted(found, key=lambda t: pos[t.new])


def _error(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def transitions(rows: pd.DataFrame) -> list[Transition]:
    """Every transition of every (case, variant, machine) series in ``rows``
    (a labelled frame, see ``report.release_labels``), grouped by series."""
    found: list[Transition] = []
    for (case, variant, machine), group in rows.groupby(list(SERIES), sort=True):
        group = group.sort_values("order")
        sides = [Side(r.release, Version(r.version), Outcome(r.outcome), _error(r.max_abs_error))
                 for r in group.itertuples()]
        found += series_transitions(case, variant, machine, sides)
    return found


@dataclass(frozen=True)
class NightlyRange:
    """The dev builds to bisect between two releases, oldest first."""

    first: str  # the last nightly uploaded at or before the old release
    last: str  # the first nightly uploaded at or after the new release
    nightlies: tuple[str, ...]  # first .. last inclusive


def nightly_range(nightlies: Iterable[tuple[str, datetime | None]], old_uploaded: datetime,
                  new_uploaded: datetime) -> NightlyRange | None:
    """Whether the dev builds still on the index cover the interval between
    two releases' upload times, and which of them bracket it.

    ``nightlies`` are (version, upload time) pairs of e.g. ``tf-nightly``,
    as in ``[(str(r.version), r.upload_time) for r in catalog.releases]``
    (builds without an upload time are ignored).  PyPI keeps only recent
    ones, so the interval is covered only if one was uploaded at or before
    ``old_uploaded`` and one at or after ``new_uploaded``; otherwise None.

    A release is built from a branch cut weeks before its upload, so a
    nightly from just before the old release's upload may already hold the
    change: pass the upload time of the old line's first pre-release
    (``X.Y.0rc0``) when the catalog has it, and let the bisection check
    both ends.  Nightlies follow the main branch: a change made only on a
    release branch (a ``patch`` transition) is not in them.
    """
    if new_uploaded < old_uploaded:
        raise ValueError(f"the new release ({new_uploaded}) is older than the old one ({old_uploaded})")
    ordered = sorted(((v, when) for v, when in nightlies if when is not None),
                     key=lambda n: (n[1], Version(n[0])))
    before = [n for n, (_, when) in enumerate(ordered) if when <= old_uploaded]
    after = [n for n, (_, when) in enumerate(ordered) if when >= new_uploaded]
    if not before or not after:
        return None
    chosen = tuple(v for v, _ in ordered[before[-1]:after[0] + 1])
    return NightlyRange(chosen[0], chosen[-1], chosen)
