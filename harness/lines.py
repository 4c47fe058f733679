"""Release lines.  Pure: no I/O.

TensorFlow ships patch lines in parallel (2.7.4, 2.8.3 and 2.9.2 came out
with 2.10.0), so version order is not time order, and a fix lands on
several lines.  ``bisect`` therefore searches the *mainline* first (the
first release of each minor line, in the range) and then, per patch line
that may carry the change as a backport, checks the line's last release and
bisects inside the line only where its ends differ.

A line is a candidate for a backport of a change first seen in the
mainline's ``new`` release (the old side being ``old``) when it is older
than ``new``'s line, has more than one release in the range, and its last
release was uploaded after ``old`` (a patch released before ``old`` cannot
hold a change that ``old`` does not have).  Lines that ended earlier are
"not checked" and said so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from packaging.version import Version

T = TypeVar("T")


@dataclass(frozen=True)
class Line:
    """One minor line in the range: its name ("2.8") and the indices of its releases
    into the range, in version order."""

    name: str
    indices: tuple[int, ...]

    @property
    def first(self) -> int:
        return self.indices[0]

    @property
    def last(self) -> int:
        return self.indices[-1]


def line_name(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def lines_of(versions: Sequence[Version]) -> list[Line]:
    """The minor lines of ``versions`` (sorted ascending), oldest first."""
    out: dict[str, list[int]] = {}
    for index, version in enumerate(versions):
        out.setdefault(line_name(version), []).append(index)
    return [Line(name, tuple(indices)) for name, indices in out.items()]


def mainline(lines: Sequence[Line]) -> list[int]:
    """The first release of every line: the order the releases were branched in."""
    return [line.first for line in lines]


def has_patch_lines(lines: Sequence[Line]) -> bool:
    """True when some line has more than one release: then the mainline is shorter than the range."""
    return any(len(line.indices) > 1 for line in lines)


def candidates(lines: Sequence[Line], uploaded: Sequence[datetime | None], old: int,
               new: int) -> tuple[list[Line], list[Line]]:
    """(lines that may carry the change backported, lines that ended before it could).

    ``old``/``new``: indices of the mainline transition (the first releases
    of two lines).  Only lines older than ``new``'s line count; ``old``'s own
    line is a candidate (its patches may have it).  A release without an
    upload time counts as recent (checked, not assumed).
    """
    cutoff = uploaded[old]
    maybe, ended = [], []
    for line in lines:
        if line.first >= new or len(line.indices) < 2:
            continue
        last_time = uploaded[line.last]
        if line.first == old or cutoff is None or last_time is None or last_time > cutoff:
            maybe.append(line)
        else:
            ended.append(line)
    return maybe, ended


@dataclass(frozen=True)
class LineAnswer(Generic[T]):
    """What one patch line says about a mainline change.

    ``status``: "backport" (``first_new`` is its first release with the new
    outcome), "from-first" (its first release already has it: the mainline is
    not monotone there), "never" (``checked``, its last release, does not
    have it), "unmeasured" (its last release could not be measured), or
    "not-checked" (it ended before the change; nothing was measured).
    """

    line: str
    status: str
    first_new: T | None = None
    checked: T | None = None

    def to_json(self) -> dict:
        return {"line": self.line, "status": self.status,
                "first_new": None if self.first_new is None else str(self.first_new),
                "checked": None if self.checked is None else str(self.checked)}


def describe(answers: Sequence[LineAnswer]) -> str:
    """One line for the terminal: "also in 2.9.2, 2.8.3; never in 2.6 (2.6.5 checked); ..."."""
    parts = []
    backports = [a for a in answers if a.status in ("backport", "from-first")]
    if backports:
        parts.append("also in " + ", ".join(
            str(a.first_new) + (" (its line's first release)" if a.status == "from-first" else "")
            for a in backports))
    never = [a for a in answers if a.status == "never"]
    if never:
        parts.append("never in " + ", ".join(f"{a.line} ({a.checked} checked)" for a in never))
    unmeasured = [a for a in answers if a.status == "unmeasured"]
    if unmeasured:
        parts.append("unmeasured: " + ", ".join(f"{a.line} ({a.checked})" for a in unmeasured))
    ended = [a for a in answers if a.status == "not-checked"]
    if ended:
        named = ", ".join(a.line for a in ended[:2]) + (f" and {len(ended) - 2} older" if len(ended) > 2 else "")
        parts.append(f"not checked (ended before the change): {named}")
    return "; ".join(parts)
