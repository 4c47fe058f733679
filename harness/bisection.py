"""Skip-aware bisection over an ordered list.  Pure: no I/O.

The predicate is three-valued: True (good), False (bad) or None (unknown:
the item could not be measured).  Both endpoints are verified first
(stepping inward over unknowns); if they agree there is nothing to search.
Otherwise the search finds adjacent known items ``lo < hi`` with different
values and only unknowns between them.  Whether that is "find the
regression" (good -> bad) or "find the fix" (bad -> good) follows from the
endpoints: one code path, as in mozregression's ``find_fix``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Optional, TypeVar

T = TypeVar("T")
Verdict = Optional[bool]  # typing.Optional: a run-time alias, and 3.9 has no `X | None`


@dataclass
class Bisection:
    """The state of one search over ``n`` items.

    Drive it with ``next_probe()`` and ``record(index, verdict)`` until
    ``next_probe()`` returns None; ``speculate()`` names the probes that
    could come next, for prefetching.
    """

    n: int
    known: dict[int, Verdict] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)

    # -- endpoint phase -------------------------------------------------
    def _first_known(self, indices: range) -> tuple[int | None, int | None]:
        """(first index with a known verdict, first index not probed yet)."""
        for i in indices:
            if i not in self.known:
                return None, i
            if self.known[i] is not None:
                return i, None
        return None, None

    def endpoints(self) -> tuple[int | None, int | None, int | None]:
        """(lo, hi, index to probe next for the endpoints or None)."""
        lo, todo = self._first_known(range(self.n))
        if todo is not None:
            return None, None, todo
        if lo is None:
            return None, None, None
        hi, todo = self._first_known(range(self.n - 1, lo, -1))
        return lo, hi, todo

    # -- search phase ---------------------------------------------------
    def bracket(self) -> tuple[int, int] | None:
        """Adjacent known items with different verdicts bracketing the change."""
        lo, hi, todo = self.endpoints()
        if todo is not None or lo is None or hi is None or self.known[lo] == self.known[hi]:
            return None
        target = self.known[hi]
        # the last known item with lo's verdict before the first with hi's verdict
        first_new = min(i for i, v in self.known.items() if v == target and i > lo)
        last_old = max(i for i, v in self.known.items() if v == self.known[lo] and i < first_new)
        return last_old, first_new

    def _midpoint(self, lo: int, hi: int) -> int | None:
        candidates = [i for i in range(lo + 1, hi) if i not in self.known]
        if not candidates:
            return None
        middle = (lo + hi) / 2
        return min(candidates, key=lambda i: (abs(i - middle), i))

    def next_probe(self) -> int | None:
        """The index to probe next, or None when the search is over."""
        if self.n == 0:
            return None
        _lo, _hi, todo = self.endpoints()
        if todo is not None:
            return todo
        bracket = self.bracket()
        return None if bracket is None else self._midpoint(*bracket)

    def copy(self) -> Bisection:
        return Bisection(self.n, dict(self.known), list(self.order))

    def record(self, index: int, verdict: Verdict) -> None:
        if index not in self.known:
            self.order.append(index)
        self.known[index] = verdict

    def speculate(self) -> list[int]:
        """The probes that would follow the current one under each verdict."""
        current = self.next_probe()
        if current is None:
            return []
        out = []
        for guess in (True, False):
            trial = self.copy()
            trial.record(current, guess)
            nxt = trial.next_probe()
            if nxt is not None and nxt not in out:
                out.append(nxt)
        return out

    def steps_left(self) -> int:
        """Roughly how many probes remain (log2 of the open interval)."""
        _lo, _hi, todo = self.endpoints()
        if todo is not None:
            return 1 + math.ceil(math.log2(max(self.n, 2)))
        bracket = self.bracket()
        if bracket is None:
            return 0
        open_items = sum(1 for i in range(bracket[0] + 1, bracket[1]) if i not in self.known)
        return math.ceil(math.log2(open_items + 1))


def catch_up(search: Bisection, measured: Mapping[int, Verdict]) -> int | None:
    """Record into ``search`` every verdict it asks for that is already ``measured``
    (in its own order, so the search is the same as if probed one by one);
    return the probe it wants next that is not measured, or None when done."""
    while (index := search.next_probe()) is not None and index in measured:
        search.record(index, measured[index])
    return index


def lookahead(search: Bisection, measured: Mapping[int, Verdict], depth: int) -> dict[int, float]:
    """The probes ``search`` may want within ``depth`` more unknown verdicts, each with
    the chance that it will be wanted (every unknown verdict taken as even odds).

    Verdicts already ``measured`` but not yet recorded are followed, not
    guessed; ``search`` itself is not changed.  The probe wanted now has
    chance 1.  With ``depth`` 1 this is ``speculate()``'s set plus the current
    probe; deeper, the k-ary round a pool of idle workers can measure at once.
    """
    out: dict[int, float] = {}

    def walk(s: Bisection, chance: float, left: int) -> None:
        index = catch_up(s, measured)
        if index is None:
            return
        out[index] = out.get(index, 0.0) + chance
        if left == 0:
            return
        for guess in (True, False):
            trial = s.copy()
            trial.record(index, guess)
            walk(trial, chance / 2, left - 1)

    walk(search.copy(), 1.0, depth)
    return out


def wanted(searches: Iterable[Bisection], measured: Iterable[Mapping[int, Verdict]],
           depth: int) -> dict[int, float]:
    """Summed over the searches: how many expect to want each probe (``lookahead``).

    A score >= 1 from one search means it wants that probe now.
    """
    total: dict[int, float] = {}
    for search, known in zip(searches, measured):
        for index, chance in lookahead(search, known, depth).items():
            total[index] = total.get(index, 0.0) + chance
    return total


def order(scores: Mapping[int, float], *, exclude: Iterable[int] = (),
          ready: Iterable[int] = ()) -> list[int]:
    """Probes by score, highest first; between equal scores a ``ready`` one (its
    environment is built) first, then the lower index.  ``exclude`` (measured
    or in flight) are left out."""
    skip, built = set(exclude), set(ready)
    return sorted((i for i in scores if i not in skip),
                  key=lambda i: (-scores[i], i not in built, i))


@dataclass(frozen=True)
class Result(Generic[T]):
    """What a finished search found."""

    transition: tuple[T, T] | None  # (last old, first new)
    lo: T | None  # effective endpoints (first/last measurable items)
    hi: T | None
    endpoint_verdicts: tuple[Verdict, Verdict]
    probed: tuple[T, ...]
    skipped: tuple[T, ...]


def result(items: Sequence[T], search: Bisection) -> Result[T]:
    """Summarise a finished ``search`` over ``items``."""
    lo, hi, _ = search.endpoints()
    bracket = search.bracket()
    return Result(
        transition=(items[bracket[0]], items[bracket[1]]) if bracket else None,
        lo=items[lo] if lo is not None else None,
        hi=items[hi] if hi is not None else None,
        endpoint_verdicts=(
            search.known.get(lo) if lo is not None else None,
            search.known.get(hi) if hi is not None else None,
        ),
        probed=tuple(items[i] for i in search.order),
        skipped=tuple(items[i] for i in search.order if search.known[i] is None),
    )


def least_satisfying(items: Sequence[T], predicate: Callable[[T], Verdict]) -> Result[T]:
    """Run a whole search with a synchronous predicate."""
    search = Bisection(len(items))
    while (index := search.next_probe()) is not None:
        search.record(index, predicate(items[index]))
    return result(items, search)
