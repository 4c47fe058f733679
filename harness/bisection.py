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
from collections.abc import Callable, Sequence
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
            trial = Bisection(self.n, dict(self.known), list(self.order))
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
