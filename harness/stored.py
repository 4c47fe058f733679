"""Validating a results file's content once, where it is read (``results._read``).

A results file is data that may have been edited, truncated or tampered
with: every row is checked field by field here, so that everything
downstream (reuse, bisection, tables, ``report``) can trust a ``Row``.  A
bad file is one line naming the file, the row and the field, and what to do
(``ResultsError``, exit 2); nothing else in the store is touched.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from harness.errors import ResultsError
from harness.outcome import Outcome

REQUIRED_TEXT = ("case", "package", "version", "python", "variant")
OPTIONAL_TEXT = ("detail", "case_digest", "framework_version", "numpy_version", "harness_version")
NUMBERS = ("seconds", "import_seconds", "build_seconds", "recorded_at")
DICTS = ("variant_env", "machine")
FIX = "delete the file (or move it aside) to re-measure that release; other results are kept"


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__.replace("dict", "object").replace(
        "list", "array").replace("str", "string")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def rows_of(path: Path, data: Any, schema: int) -> dict[str, dict]:
    """The raw rows of a results file's parsed JSON, each checked; ``ResultsError`` otherwise."""
    def bad(what: str) -> ResultsError:
        return ResultsError(f"results file {path}: {what}", hint=FIX)

    if not isinstance(data, dict):
        raise bad(f"expected an object with schema and rows, got {_kind(data)}")
    if data.get("schema") != schema:
        raise ResultsError(
            f"results file {path} has schema {data.get('schema')}, expected {schema}",
            hint="it was written by another harness version; move that results folder aside "
            "(or delete the file) to re-measure")
    rows = data.get("rows", {})
    if not isinstance(rows, dict):
        raise bad(f"expected 'rows' to be an object of case -> row, got {_kind(rows)}")
    for name, row in rows.items():
        problem = row_problem(name, row)
        if problem:
            raise bad(f"row {name!r}: {problem}")
    return rows


def row_problem(name: str, row: Any) -> str:
    """What is wrong with one stored row, or ``""``."""
    if not isinstance(row, dict):
        return f"expected an object, got {_kind(row)}"
    for key in REQUIRED_TEXT:
        if key not in row:
            return f"expected a '{key}' field, got none"
        if not isinstance(row[key], str):
            return f"expected '{key}' to be a string, got {row[key]!r}"
    if row["case"] != name:
        return f"expected 'case' to be {name!r} (its key), got {row['case']!r}"
    outcome = row.get("outcome")
    if outcome not in {o.value for o in Outcome}:
        return f"expected 'outcome' to be one of {', '.join(o.value for o in Outcome)}, got {outcome!r}"
    error = row.get("max_abs_error")
    if not (error is None or error == "inf" or (_number(error) and error >= 0)):
        return f"expected 'max_abs_error' to be a number >= 0, null or \"inf\", got {error!r}"
    for key in OPTIONAL_TEXT:
        if row.get(key) is not None and not isinstance(row[key], str):
            return f"expected '{key}' to be a string, got {row[key]!r}"
    for key in NUMBERS:
        if row.get(key) is not None and not _number(row[key]):
            return f"expected '{key}' to be a number, got {row[key]!r}"
    for key in DICTS:
        if not isinstance(row.get(key, {}), dict):
            return f"expected '{key}' to be an object, got {_kind(row[key])}"
    frozen = row.get("frozen", [])
    if not isinstance(frozen, list) or not all(isinstance(line, str) for line in frozen):
        return f"expected 'frozen' to be an array of strings, got {frozen!r:.60}"
    return ""
