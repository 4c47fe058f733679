"""Splitting a scan's releases into N shards of about equal expected cost.

A shard is run on its own machine (a CI matrix job), so the split must be
the same wherever it is computed: it depends only on the selected releases
and their wheel sizes from the catalog, never on the interpreters or the
results found on the machine.  Releases are not equally expensive (a 2.x
wheel is ten times a 1.x one, and so are its download, install and import),
so shards are balanced by expected cost, not by count: greedy
longest-processing-time first (LPT), whose largest shard is at most 4/3 of
the best possible one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from harness.releases import Release

T = TypeVar("T")

# Expected seconds per release ~ OVERHEAD + PER_MB * (largest wheel in MB).
# Rough fit to this machine's full-history scan with a cold environment
# (124 cases): 1.x (40-60 MB) 6-8 s, 1.15 (110 MB) 15-20 s, 2.x (400+ MB)
# 30-60 s.  Only the ratios matter for the split; `cost` in the matrix is
# this estimate.
OVERHEAD_SECONDS = 4.0
SECONDS_PER_MB = 0.08
UNKNOWN_SIZE_MB = 100.0  # a release whose index gives no sizes


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse(text: str) -> Shard:
    """``"2/3"`` -> ``Shard(2, 3)``; anything else is a ``ValueError`` saying what was expected."""
    index, slash, count = text.partition("/")
    try:
        shard = Shard(int(index), int(count)) if slash else None
    except ValueError:
        shard = None
    if shard is None or not 1 <= shard.index <= shard.count:
        raise ValueError(f"expected I/N with 1 <= I <= N (e.g. 2/3), got {text!r}")
    return shard


def cost(release: Release) -> float:
    """Expected seconds to build, import and scan ``release``, from its wheel sizes.

    The largest of the release's wheels, whatever this machine would
    install, so the estimate is the same on every machine.  It is the Linux
    x86_64 wheel, the one CI runners install; the median would be fooled by
    the kilobyte-sized Windows and macOS wheels of 2.13-2.16, which only
    depend on ``tensorflow-intel`` or ``tensorflow-macos``.
    """
    sizes = [w.size for w in release.wheels if w.size]
    mb = max(sizes) / 1e6 if sizes else UNKNOWN_SIZE_MB
    return OVERHEAD_SECONDS + SECONDS_PER_MB * mb


def partition(items: Sequence[T], count: int, *, cost: Callable[[T], float],
              key: Callable[[T], Hashable]) -> list[list[T]]:
    """Split ``items`` into ``count`` lists of about equal total cost (LPT).

    Items are taken most expensive first (equal costs: smallest ``key``
    first) and each goes to the list with the least total so far (equal
    totals: the lowest index), so the result depends only on the items.
    Every item lands in exactly one list; each list keeps ``key`` order.
    With more lists than items, the last ones are empty.
    """
    if count < 1:
        raise ValueError(f"expected at least one shard, got {count}")
    order = sorted(items, key=lambda item: (-cost(item), key(item)))
    loads = [(0.0, n) for n in range(count)]  # a heap of (total cost, shard index)
    shards: list[list[T]] = [[] for _ in range(count)]
    for item in order:
        total, n = heapq.heappop(loads)
        shards[n].append(item)
        heapq.heappush(loads, (total + cost(item), n))
    return [sorted(shard, key=key) for shard in shards]


def longest_first(items: Sequence[T], cost: Callable[[T], float],
                  ready: Callable[[T], bool] = lambda item: True) -> list[T]:
    """The ``ready`` items most expensive first (equal costs keep their order), then the
    others in their order: with a worker pool, the long ones start at once instead of
    leaving one worker alone at the end.  Items that are not ready (releases whose
    environment must be built) keep their order: a whole-history scan built in cost
    order took 975 s against 942 s in catalog order, the same day."""
    return (sorted((i for i in items if ready(i)), key=lambda item: -cost(item))
            + [i for i in items if not ready(i)])


def split(releases: Sequence[Release], count: int) -> list[list[Release]]:
    """Releases into ``count`` shards by expected cost (see :func:`partition`)."""
    return partition(releases, count, cost=cost, key=lambda r: r.version)


def select(releases: Sequence[Release], shard: Shard) -> list[Release]:
    """The releases of ``shard``, oldest first."""
    return split(releases, shard.count)[shard.index - 1]
