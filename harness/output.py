"""``--json``: one versioned document per command, to a file or to stdout (``-``).

Every document is ``{"schema": JSON_SCHEMA, "kind": <command>, ...}``; the
shapes are in docs/options.md.  The path is checked when the command line
is read (``cli._output_file``), so a typo costs no work.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from harness.files import atomic_write

# 1: bare lists (bisect, scan, report, reproduce) and objects (compare, matrix), no version.
# 2: every document an object with "schema" and "kind"; the old list is under a key.
JSON_SCHEMA = 2
STDOUT = Path("-")


def write(path: Path, kind: str, **content) -> str:
    """Write the ``kind`` document; returns what to tell the user ("" for stdout)."""
    text = json.dumps({"schema": JSON_SCHEMA, "kind": kind, **content}, indent=2)
    if path == STDOUT:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return ""
    atomic_write(path, text + "\n")
    return f"wrote {path}"
