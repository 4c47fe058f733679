"""``--json``: one versioned document per command, to a file or to stdout (``-``).

Every document is ``{"schema": JSON_SCHEMA, "kind": <command>, ...}``; the
shapes are in docs/options.md.  The path is checked before any work, so a
typo costs nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from harness.errors import UsageError
from harness.files import atomic_write

# 1: bare lists (bisect, scan, report, reproduce) and objects (compare, matrix), no version.
# 2: every document an object with "schema" and "kind"; the old list is under a key.
JSON_SCHEMA = 2
STDOUT = Path("-")


def check_path(path: Path | None) -> None:
    """``UsageError`` unless ``path`` can be written after the run: ``-`` or a file in a folder."""
    if path is None or path == STDOUT:
        return
    if path.is_dir():
        raise UsageError(f"--json {path}: expected a file name, got a folder",
                         hint=f"e.g. --json {path / 'result.json'}, or --json - for stdout")
    if not path.parent.is_dir():
        raise UsageError(f"--json {path}: expected an existing folder for it, got no folder {path.parent}",
                         hint=f"create it (mkdir -p {path.parent}) or write to stdout with --json -")


def write(path: Path, kind: str, **content) -> str:
    """Write the ``kind`` document; returns what to tell the user ("" for stdout)."""
    text = json.dumps({"schema": JSON_SCHEMA, "kind": kind, **content}, indent=2)
    if path == STDOUT:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return ""
    atomic_write(path, text + "\n")
    return f"wrote {path}"
