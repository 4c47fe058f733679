"""One module per ``python -m harness <command>``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from harness.errors import Interrupted
from harness.results import Store


@contextmanager
def resumable(store: Store) -> Iterator[None]:
    """Turn Ctrl-C into one line saying what was stored and how to resume."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted: {store.files_written} release run(s) were stored under {store.root} "
            "during this run, and everything stored before is kept",
            hint="run the same command again to resume (stored rows are reused)",
        ) from None


def outcome_counts(rows: Iterable) -> str:
    """``crash 1, error 22, pass 97``: how many rows have each outcome, by name."""
    counts = Counter(str(row.outcome) for row in rows)
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
