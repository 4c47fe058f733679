"""One module per ``python -m harness <command>``."""

from __future__ import annotations

from collections.abc import Iterator
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
